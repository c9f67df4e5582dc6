// Which of the IPv4 ranges a config's dnsmasq serves hand out the firewall as
// DNS server, as OPNsense's dnsmasq.conf template writes the DHCP options
// (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7 to 26.7): one dhcp-option
// line per option of type set, with tag:<tag> for each of its tags (the
// dhcp_tags UUIDs without dashes) and tag:<device> of its interface
// (helpers.physical_interface()); then dhcp-option=6,0.0.0.0 unless an option
// 6 of no interface and no tag is set. dnsmasq sends a line only to a request
// that carries every tag of it, a tagged line before an untagged one
// (dhcp-common.c option_filter()); a range's request carries its interface's
// device and the tag the range sets. 0.0.0.0 stands for the firewall's own
// address (rfc2131.c); without that line, a dnsmasq that serves no DNS on
// port 53 hands out no DNS server at all.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';
import { servedRanges } from './dnsmasq-ranges.js';

/** A set of tags as one key: sorted, each once. */
function tagKey(tags: readonly string[]): string {
  return [...new Set(tags)].sort().join(',');
}

/** The IPv4 ranges of `root`'s dnsmasq (servedRanges()) whose clients get the firewall as DNS server: those no option 6 line of theirs serves. */
export function firewallDnsRanges(root: XmlElement): XmlElement[] {
  const dnsmasq = child(root, 'dnsmasq');
  const interfaces = child(root, 'interfaces');
  const device = (name: string) => fieldText(child(interfaces, name), 'if') || name;
  const bare = (tag: string) => tag.replaceAll('-', '');
  // The tags of each option 6 line (the template writes an option6 line instead of an item's option, when it has one).
  const lines = new Set<string>();
  // Whether the template writes dhcp-option=6,0.0.0.0: not once an option 6 without interface and tag is set (even one
  // written as an option6 line: its test reads option).
  let firewallLine = true;
  for (const option of childrenNamed(dnsmasq, 'dhcp_options')) {
    if (fieldText(option, 'type') === 'match' || fieldText(option, 'option') !== '6') continue;
    const iface = fieldText(option, 'interface');
    const tags = fieldList(option, 'tag').map(bare);
    if (iface === '' && tags.length === 0) firewallLine = false;
    if (fieldText(option, 'option6') === '') lines.add(tagKey(iface === '' ? tags : [...tags, device(iface)]));
  }
  if (!firewallLine) return [];
  return servedRanges(root).filter((range) => {
    if (fieldText(range, 'start_addr').includes(':')) return false;
    const iface = fieldText(range, 'interface');
    const carried = [...(iface === '' ? [] : [device(iface)]), ...(fieldText(range, 'set_tag') === '' ? [] : [bare(fieldText(range, 'set_tag'))])];
    // The lines a request of the range matches: those whose tags are all among the ones it carries.
    const subsets = carried.reduce<string[][]>((all, tag) => [...all, ...all.map((s) => [...s, tag])], [[]]);
    return !subsets.some((tags) => lines.has(tagKey(tags)));
  });
}
