// Full-tunnel WireGuard clients ask the DNS servers their client files name
// (the instance's dns), and those are often the firewall's own addresses:
// its tunnel address, or a LAN address reached through the tunnel. A query
// from a client arrives on the instance's device (wgN), sent to that
// address. The box's Unbound answers it only where it binds the address:
// every address with no Network Interfaces chosen, else the addresses
// interfaces_addresses() finds on lo0 and the chosen interfaces' devices
// (unbound.inc unbound_generate_config(); unbound-bound.ts), so a tunnel
// address only where the instance's assigned interface is chosen. dnsmasq
// answers DNS on port 53 with the wildcard for a query that arrives on a
// device it listens on (forward.c receive_query(): iface_check() of the
// arrival device, wgN here), and with Strict interface binding at the
// addresses of the devices it listens on (dnsmasq-bound.ts). Where neither
// answers, the tunnel is up and no name resolves: the clients seem to
// have "no internet". Merge reads the box as merged and says so.
import { type XmlElement, child, childrenNamed, firstChildren } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { unboundOutstarted } from './dns-port-clash.js';
import { dnsmasqAnswers } from './dnsmasq-answer.js';
import { dnsmasqBindsAddresses, dnsmasqBoundAddresses } from './dnsmasq-bound.js';
import { fieldList, fieldText } from './fields.js';
import { interfaceEnabled } from './interface-enabled.js';
import { addressKey, listenedAddresses } from './listened-addresses.js';
import { unboundDnsAt, unboundInterfaces } from './unbound-bound.js';
import { unboundEnabled, unboundPort } from './unbound-general.js';

/** A WireGuard instance of gen's whose client files name DNS servers (a full tunnel's dns). */
export interface TunnelDns {
  /** The instance's name. */
  instance: string;
  /** The instance number: its device is wg<number>. */
  number: number;
  /** The DNS servers its client files name, as written. */
  servers: readonly string[];
}

const UNBOUND_GENERAL = 'Services › Unbound DNS › General';

/** The addresses (addressKey()) each enabled WireGuard instance of the merged config puts on its device (tunneladdress). */
function tunnelAddresses(root: XmlElement): Map<string, string> {
  const onDevice = new Map<string, string>();
  const servers = childrenNamed(child(child(child(child(root, 'OPNsense'), 'wireguard'), 'server'), 'servers'), 'server');
  for (const server of servers) {
    if (fieldText(server, 'enabled') !== '1' || fieldText(server, 'instance') === '') continue;
    for (const entry of fieldList(server, 'tunneladdress')) {
      const address = addressKey(entry.split('/')[0]!.trim());
      if (address !== '' && !onDevice.has(address)) onDevice.set(address, `wg${fieldText(server, 'instance')}`);
    }
  }
  return onDevice;
}

/** The key of the enabled interface that assigns `device` (opt3 for wg0), if one does. */
function assignedKey(root: XmlElement, device: string): string | undefined {
  for (const [key, entry] of firstChildren(child(root, 'interfaces'))) if (fieldText(entry, 'if') === device && interfaceEnabled(entry)) return key;
  return undefined;
}

/** Whether the box's Unbound answers DNS at `address` (on `device` when it is a tunnel address). */
function unboundAnswers(root: XmlElement, address: string, device: string | undefined): boolean {
  if (unboundOutstarted(root)) return false;
  const at = unboundDnsAt(root);
  return at.every || at.written.has(address) || (device !== undefined && at.devices.has(device));
}

/** Whether the box's dnsmasq answers DNS at `address` (on `device` when it is a tunnel address) for a query arriving on `arrival`. */
function dnsmasqAnswersAt(root: XmlElement, address: string, device: string | undefined, arrival: string): boolean {
  if (!dnsmasqAnswers(root)) return false;
  const listed = new Set(fieldList(child(root, 'dnsmasq'), 'interface'));
  const listens = (dev: string) => {
    if (listed.size === 0) return true;
    const key = assignedKey(root, dev);
    return (key !== undefined && listed.has(key)) || listed.has(dev);
  };
  if (!dnsmasqBindsAddresses(root)) return listens(arrival);
  // bind-interfaces: the addresses found on the devices it listens on (a tunnel address on its wg device).
  return device !== undefined ? listens(device) : dnsmasqBoundAddresses(root).has(address);
}

/** Why the box's Unbound does not answer at `address`, and what makes it. */
function unboundCause(root: XmlElement, address: string, device: string | undefined): { why: string; fix: string } {
  if (!unboundEnabled(root)) return { why: "the box's Unbound DNS is disabled", fix: `enable Unbound in ${UNBOUND_GENERAL}` };
  if (unboundOutstarted(root)) {
    return {
      why: "the box's Unbound DNS does not start beside dnsmasq, which holds port 53 at the addresses both bind",
      fix: `choose no Network Interfaces (all) in ${UNBOUND_GENERAL}, so that Unbound binds the wildcard beside dnsmasq's addresses`,
    };
  }
  const port = unboundPort(root);
  if (port !== String(UNBOUND_PORT)) return { why: `the box's Unbound DNS answers only on port ${port}, not ${UNBOUND_PORT}`, fix: `set Listen Port to ${UNBOUND_PORT} in ${UNBOUND_GENERAL}` };
  const holder = device !== undefined ? assignedKey(root, device) : interfaceOf(root, address);
  const add =
    holder !== undefined
      ? `add ${holder} to Network Interfaces (or choose none, for all) in ${UNBOUND_GENERAL}`
      : `assign ${device} (Interfaces › Assignments), enable it without an IP configuration and add it to Network Interfaces (or choose none, for all) in ${UNBOUND_GENERAL}`;
  return { why: `the box's Unbound DNS answers only at the addresses of its Network Interfaces ${unboundInterfaces(root).join(', ')}`, fix: add };
}

/** The enabled interface whose configured addresses hold `address`. */
function interfaceOf(root: XmlElement, address: string): string | undefined {
  for (const [key] of firstChildren(child(root, 'interfaces'))) if (listenedAddresses(root, new Set([key])).has(address) && !['127.0.0.1', '::1'].includes(address)) return key;
  return undefined;
}

/**
 * Warnings for the WireGuard instances of gen's (`tunnels`) whose client files name an address of the firewall as DNS
 * server where no resolver of the merged config (`root`) answers queries from the tunnel on port 53.
 */
export function unansweredTunnelDns(root: XmlElement, tunnels: readonly TunnelDns[]): string[] {
  if (tunnels.every((t) => t.servers.length === 0)) return [];
  const onDevice = tunnelAddresses(root);
  const configured = listenedAddresses(root, new Set());
  const out: string[] = [];
  for (const tunnel of tunnels) {
    const arrival = `wg${tunnel.number}`;
    const unanswered = tunnel.servers.filter((server) => {
      const address = addressKey(server);
      // A loopback server is the client's own; another that is no address of the box is another resolver.
      if (address.startsWith('127.') || address === '::1') return false;
      const device = onDevice.get(address);
      if (device === undefined && !configured.has(address)) return false;
      return !unboundAnswers(root, address, device) && !dnsmasqAnswersAt(root, address, device, arrival);
    });
    if (unanswered.length === 0) continue;
    // Every unanswered server of one instance shares its cause but for the interface that holds it: named by the first.
    const first = addressKey(unanswered[0]!);
    const { why, fix } = unboundCause(root, first, onDevice.get(first));
    const all = unanswered.length === tunnel.servers.length;
    out.push(
      `WireGuard instance ${tunnel.instance} is a full tunnel whose client files name the firewall's ${unanswered.join(', ')} as DNS server, but ${why} and dnsmasq answers none of its queries on port ${UNBOUND_PORT} there: ` +
        `${all ? 'its clients resolve no name while the tunnel is up' : 'lookups sent there time out before the clients try their next server'}; ${fix}, ` +
        `or name a DNS server in the instance's dns that answers the tunnel`,
    );
  }
  return out;
}
