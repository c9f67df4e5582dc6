// The box's own addresses a service on it listens at, as the merged config
// holds them: the loopback, the static addresses of the interfaces it
// listens on (all when none are chosen) and the VIPs on those interfaces
// (IP aliases and CARP addresses are addresses of their interface too).
// Unbound answers a dnsmasq domain override at any of them (unbound-port.ts);
// dnsmasq skips a server of /etc/resolv.conf that is one of its own
// (resolv-conf-servers.ts: network.c check_servers()).
import ipaddr from 'ipaddr.js';
import { type XmlElement, child, isElement } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { baseVips } from './vips.js';

/** An address as compared here: an IPv6 one in its compact form (fd00:0::9 is fd00::9), another as written. */
export function addressKey(text: string): string {
  const lower = text.toLowerCase();
  return ipaddr.IPv6.isValid(lower) ? ipaddr.IPv6.parse(lower).toString() : lower;
}

/** The addresses (as addressKey() writes them) of the interfaces named in `listening` (every interface when empty), with the loopback. */
export function listenedAddresses(root: XmlElement, listening: ReadonlySet<string>): Set<string> {
  const heard = (key: string) => listening.size === 0 || listening.has(key);
  const addresses = new Set(['127.0.0.1', '::1']);
  for (const entry of child(root, 'interfaces')?.children.filter(isElement) ?? []) {
    if (!heard(entry.name)) continue;
    for (const field of ['ipaddr', 'ipaddrv6']) addresses.add(addressKey(fieldText(entry, field)));
  }
  for (const vip of baseVips(root)) if (heard(fieldText(vip, 'interface'))) addresses.add(addressKey(fieldText(vip, 'subnet')));
  addresses.delete('');
  return addresses;
}
