// The box's own addresses a service on it listens at, as the merged config
// holds them: the loopback, the static addresses of the enabled interfaces it
// listens on (all when none are chosen) and the IP alias and CARP VIPs on
// those interfaces. These are the addresses the box configures on its
// devices (interfaces.inc, 25.7 to 26.7): interface_configure() returns
// unless the interface is enabled (interface-enabled.ts), and
// interfaces_addresses() counts a VIP as an address of its interface only in
// the modes ipalias and carp; a Proxy ARP VIP is answered by choparp for ARP
// and is no address of any device, so no socket of the box receives what is
// sent to it. Unbound answers a dnsmasq domain override at any of them
// (unbound-port.ts), but, listening on chosen interfaces, not at a VIP whose
// "Deny service binding" (nobind) is set (interfaces_addresses(): bind false);
// dnsmasq skips a server of /etc/resolv.conf that is one of its own
// (resolv-conf-servers.ts: network.c check_servers()).
import { type XmlElement, child, isElement } from '../render/opnsense/xml.js';
import { fieldAsWritten, fieldText, phpEmpty } from './fields.js';
import { interfaceEnabled } from './interface-enabled.js';
import { isIpaddrV4, isIpaddrV6, takesPrefixV6, takesSubnetV4 } from './ip-address.js';
import { baseVips } from './vips.js';
import { parseIPv6 } from '../net.js';

/** An address as compared here: an IPv6 one in its compact form (fd00:0::9 is fd00::9), another as written. */
export function addressKey(text: string): string {
  const lower = text.toLowerCase();
  return parseIPv6(lower)?.toString() ?? lower;
}

/**
 * The static addresses the box configures on the device of the enabled assignment `entry`: <ipaddr> and <ipaddrv6>
 * where is_ipaddrv4() or is_ipaddrv6() takes it for one and ifconfig its subnet (ip-address.ts). A dynamic or tracking
 * type (dhcp, idassoc6, track6) names no address the config holds; a static IPv6 address is configured with IPv6 off
 * too (ipv6-allowed.ts).
 */
export function staticAddresses(entry: XmlElement): string[] {
  const out: string[] = [];
  // As written: OPNsense's PHP reads config.xml untrimmed, " 10.0.0.1" is no address to is_ipaddrv4(), and "fd00::1 ",
  // which is_ipaddrv6() takes, ifconfig's in6_getaddr() refuses; the subnet reaches ifconfig as written too.
  const [v4, v6] = [fieldAsWritten(entry, 'ipaddr'), fieldAsWritten(entry, 'ipaddrv6')];
  if (isIpaddrV4(v4) && takesSubnetV4(fieldAsWritten(entry, 'subnet'))) out.push(v4);
  if (isIpaddrV6(v6) && takesPrefixV6(fieldAsWritten(entry, 'subnetv6'))) out.push(v6);
  return out;
}

/** The VIP modes whose address the box configures on its interface's device. */
const DEVICE_VIP_MODES: ReadonlySet<string> = new Set(['ipalias', 'carp']);

/**
 * The addresses (as addressKey() writes them) of the enabled interfaces named in `listening` (every interface when
 * empty), with the loopback; `bound`: as Unbound binds them on chosen interfaces, without the VIPs that deny service
 * binding.
 */
export function listenedAddresses(root: XmlElement, listening: ReadonlySet<string>, bound = false): Set<string> {
  const heard = (key: string) => listening.size === 0 || listening.has(key);
  const addresses = new Set(['127.0.0.1', '::1']);
  const configured = new Set<string>();
  for (const entry of child(root, 'interfaces')?.children.filter(isElement) ?? []) {
    if (!heard(entry.name) || fieldText(entry, 'if') === '' || !interfaceEnabled(entry)) continue;
    configured.add(entry.name);
    for (const address of staticAddresses(entry)) addresses.add(addressKey(address));
  }
  for (const vip of baseVips(root)) {
    if (!configured.has(fieldText(vip, 'interface')) || !DEVICE_VIP_MODES.has(fieldText(vip, 'mode'))) continue;
    if (bound && listening.size > 0 && !phpEmpty(fieldText(vip, 'nobind'))) continue;
    addresses.add(addressKey(fieldText(vip, 'subnet')));
  }
  addresses.delete('');
  return addresses;
}
