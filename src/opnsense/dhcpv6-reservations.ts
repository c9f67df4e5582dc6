// The DHCPv6 reservations of the box's dnsmasq, as a static-mode IPv6 range
// hands them out: OPNsense's dnsmasq.conf template (25.7 to 26.7) writes a
// dhcp-host line for each Host with a client id or a MAC address (one with a
// colon), with set:<its tag> and its addresses, an IPv6 one in brackets.
// dnsmasq gives a client of a static range (CONTEXT_STATIC, which
// address6_allocate() skips) only the address of its dhcp-host in the range's
// network, or one of no network part (option.c: ADDRLIST_WILDCARD), which
// takes the network of any range of prefix 64 (rfc3315.c config_valid()).
import { type XmlElement, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { networkKey } from './ipv6-links.js';
import { hostAddresses, writesDhcpHost } from './dnsmasq-dhcp-hosts.js';
import { parseIPv6 } from '../net.js';

/** The set tags (bare, '' for none) of the Hosts that reserve an IPv6 address, found by a range's network. */
export class Dhcpv6Reservations {
  private readonly addresses: { bytes: number[]; tag: string }[] = [];
  private readonly wildcard: string[] = [];
  private readonly byNetwork = new Map<number, Map<string, string[]>>();

  /** `dnsmasq`: the config's <dnsmasq>. */
  constructor(dnsmasq: XmlElement | undefined) {
    for (const host of childrenNamed(dnsmasq, 'hosts')) {
      if (!writesDhcpHost(host)) continue;
      const tag = fieldText(host, 'set_tag').replaceAll('-', '');
      for (const ip of hostAddresses(host)) {
        const bytes = parseIPv6(ip)?.toByteArray();
        if (bytes === undefined) continue;
        if (bytes.slice(0, 8).every((b) => b === 0)) this.wildcard.push(tag);
        else this.addresses.push({ bytes, tag });
      }
    }
  }

  /** The set tags of the Hosts with an address a static range of `start` and prefix length `bits` hands out. */
  of(start: string, bits: number): string[] {
    const startBytes = parseIPv6(start)?.toByteArray();
    if (startBytes === undefined) return [];
    let networks = this.byNetwork.get(bits);
    if (!networks) {
      networks = new Map();
      for (const { bytes, tag } of this.addresses) {
        const key = networkKey(bytes, bits);
        const list = networks.get(key);
        if (list) list.push(tag);
        else networks.set(key, [tag]);
      }
      this.byNetwork.set(bits, networks);
    }
    const own = networks.get(networkKey(startBytes, bits)) ?? [];
    return [...new Set(bits === 64 ? [...own, ...this.wildcard] : own)];
  }
}
