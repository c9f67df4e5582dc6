// Which of the ranges a config's dnsmasq serves hand out the firewall as DNS
// server, as OPNsense's dnsmasq.conf template writes the DHCP options
// (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7 to 26.7): one dhcp-option
// line per option of type set, with tag:<tag> for each of its tags (the
// dhcp_tags UUIDs without dashes) and tag:<device> of its interface
// (helpers.physical_interface()); then dhcp-option=6,0.0.0.0 unless an option
// 6 of no interface and no tag is set, and, from 26.1 on, likewise
// dhcp-option=option6:23,[::] unless such an option6 23 is set. dnsmasq sends a
// line only to a request that carries every tag of it, a tagged line before an
// untagged one (dhcp-common.c option_filter()); a range's request carries its
// interface's device and the tag the range sets. 0.0.0.0 and [::] stand for
// the firewall's own address, in DHCPv6 replies (rfc3315.c) and in router
// advertisements' RDNSS (radv.c) alike; with neither line, a dnsmasq that
// serves no DNS on port 53 hands out no DNS server at all.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';
import { servedRanges } from './dnsmasq-ranges.js';

type Family = 4 | 6;

/** The DNS option an item writes a dhcp-option line of, by family: option 6, or option6 23 (which the template writes instead of option). */
function dnsFamily(option: XmlElement): Family | undefined {
  const option6 = fieldText(option, 'option6');
  if (option6 !== '') return option6 === '23' ? 6 : undefined;
  return fieldText(option, 'option') === '6' ? 4 : undefined;
}

/** A set of tags as one key: sorted, each once. */
function tagKey(tags: readonly string[]): string {
  return [...new Set(tags)].sort().join(',');
}

/**
 * The ranges of `root`'s dnsmasq (servedRanges()) whose clients get the firewall as DNS server: IPv4 ones, and IPv6
 * ones where the release's template writes option6:23,[::] (`firewallDns6`), that no DNS option line of theirs serves.
 */
export function firewallDnsRanges(root: XmlElement, firewallDns6: boolean): XmlElement[] {
  const dnsmasq = child(root, 'dnsmasq');
  const interfaces = child(root, 'interfaces');
  const device = (name: string) => fieldText(child(interfaces, name), 'if') || name;
  const bare = (tag: string) => tag.replaceAll('-', '');
  const lines: Record<Family, Set<string>> = { 4: new Set(), 6: new Set() };
  // Whether the template writes the line of the firewall: the IPv6 one only from 26.1 on, neither once an option of
  // that number without interface and tag is set (for IPv4 even one it writes as an option6 line: its test reads option).
  const firewallLine: Record<Family, boolean> = { 4: true, 6: firewallDns6 };
  for (const option of childrenNamed(dnsmasq, 'dhcp_options')) {
    if (fieldText(option, 'type') === 'match') continue;
    const iface = fieldText(option, 'interface');
    const tags = fieldList(option, 'tag').map(bare);
    if (iface === '' && tags.length === 0) {
      if (fieldText(option, 'option') === '6') firewallLine[4] = false;
      if (fieldText(option, 'option6') === '23') firewallLine[6] = false;
    }
    const family = dnsFamily(option);
    if (family !== undefined) lines[family].add(tagKey(iface === '' ? tags : [...tags, device(iface)]));
  }
  return servedRanges(root).filter((range) => {
    const family: Family = fieldText(range, 'start_addr').includes(':') ? 6 : 4;
    if (!firewallLine[family]) return false;
    const iface = fieldText(range, 'interface');
    const carried = [...(iface === '' ? [] : [device(iface)]), ...(fieldText(range, 'set_tag') === '' ? [] : [bare(fieldText(range, 'set_tag'))])];
    // The lines a request of the range matches: those whose tags are all among the ones it carries.
    const subsets = carried.reduce<string[][]>((all, tag) => [...all, ...all.map((s) => [...s, tag])], [[]]);
    return !subsets.some((tags) => lines[family].has(tagKey(tags)));
  });
}
