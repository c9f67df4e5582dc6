// Which of the firewall's addresses the box's Unbound answers DNS at on port
// 53, for the clients dnsmasq's DHCP hands the firewall to as DNS server.
// OPNsense's unbound.conf (plugins.inc.d/unbound.inc
// unbound_generate_config(), 25.7 to 26.7) holds `port: <general.port>` and,
// with no Network Interfaces chosen (general.active_interface empty, "All" in
// the GUI), `interface: 0.0.0.0`, `interface: ::` and `interface-automatic:
// yes`: every address of the box. With some chosen it writes an `interface:`
// line for each address interfaces_addresses() finds on lo0 and their devices
// (the loopback, each interface's own addresses, its link-local ones with
// their scope, and its IP alias and CARP VIPs but those that deny service
// binding: listened-addresses.ts), so a query sent to an address of another
// interface reaches no socket of Unbound's. A chosen entry that is no
// assigned interface (an OpenVPN instance, ovpns1) is a device as it stands.
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { fieldList, fieldText } from './fields.js';
import { type XmlElement, child, firstChildren } from '../render/opnsense/xml.js';
import { interfaceEnabled } from './interface-enabled.js';
import { listenedAddresses } from './listened-addresses.js';
import { unboundEnabled, unboundGeneral, unboundPort } from './unbound-general.js';

/**
 * Where the box's Unbound answers DNS on port 53: at every address (`every`), or at the box's addresses written out
 * (as addressKey() writes them) and at the addresses of the devices (`devices`: a link's own, its link-local ones
 * included) of the interfaces it listens on.
 */
export interface UnboundDnsAt {
  every: boolean;
  written: ReadonlySet<string>;
  devices: ReadonlySet<string>;
}

/** The interfaces the box's Unbound listens on (general.active_interface), none when it listens on all. */
export function unboundInterfaces(root: XmlElement): string[] {
  return fieldList(unboundGeneral(root).settings, 'active_interface');
}

/**
 * The box's addresses (as addressKey() writes them) the Unbound of `root` binds: the loopback and those of the enabled
 * interfaces it listens on (all when none are chosen), their IP alias and CARP VIPs included, but those that deny
 * service binding where interfaces are chosen (listenedAddresses()).
 */
export function unboundBoundAddresses(root: XmlElement): Set<string> {
  return listenedAddresses(root, new Set(unboundInterfaces(root)), true);
}

/** Where `root`'s Unbound answers DNS on port 53 (UnboundDnsAt): nowhere unless it runs there. */
export function unboundDnsAt(root: XmlElement): UnboundDnsAt {
  if (!unboundEnabled(root) || unboundPort(root) !== String(UNBOUND_PORT)) return { every: false, written: new Set(), devices: new Set() };
  const listed = new Set(unboundInterfaces(root));
  if (listed.size === 0) return { every: true, written: new Set(), devices: new Set() };
  const devices = new Set<string>();
  const assigned = new Set<string>();
  for (const [key, entry] of firstChildren(child(root, 'interfaces'))) {
    assigned.add(key);
    if (listed.has(key) && fieldText(entry, 'if') !== '' && interfaceEnabled(entry)) devices.add(fieldText(entry, 'if'));
  }
  for (const key of listed) if (!assigned.has(key)) devices.add(key);
  // Not the loopback: handed to clients, it names the client itself.
  const written = unboundBoundAddresses(root);
  for (const loopback of ['127.0.0.1', '::1']) written.delete(loopback);
  return { every: false, written, devices };
}
