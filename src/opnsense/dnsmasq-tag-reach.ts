// Which of the box's DHCP options and boot entries on a Host's tag reach the
// client of that Host's dhcp-host line. OPNsense's template
// (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7.11 to 26.7.2) writes an
// option of type "set" as dhcp-option=tag:<uuid>,…,tag:<its interface's
// device>,… (one of type "match" as dhcp-match=set:<its set tag>, reading no
// tag), and a boot entry as dhcp-boot=tag:<device>,tag:<uuid>,…; a line
// applies only where every tag it names is on the request (dhcp-common.c
// match_netid(), 2.90 to 2.92; the template writes no tag:!). A DHCPv4
// request carries (rfc2131.c dhcp_reply()) the name of the device it came in
// on, the set: tags of the one dhcp-host line dnsmasq finds for the client,
// those of the dhcp-match lines the request matches, and the set: tag of the
// range that serves it (option_filter()'s context tags), a range whose
// tag:<device> is that device or which has none (dhcp.c narrow_context()).
// So a tag only other Hosts set never reaches the client, nor one nothing
// sets; one a match option or a range of the client's link sets does where
// the request carries it.
import { type XmlElement, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { contains, parseIPv4 } from '../net.js';
import { fieldList, fieldText } from './fields.js';
import { networkOf } from './vips.js';

export interface TaggedItem {
  item: XmlElement;
  /** The item's other tags, which only some requests of the client carry; none where every request gets the item. */
  alsoNeeds: string[];
}

/** The device of an interface key: gen's assignment of it where gen writes one, else the box's. */
function deviceOf(root: XmlElement, genInterfaces: XmlElement | undefined, key: string): string {
  return fieldText(child(genInterfaces, key) ?? child(child(root, 'interfaces'), key), 'if');
}

/**
 * The box's (`root`) DHCP options and boot entries that list `tag`, the tag of the box's Host whose line the client of
 * gen's reservation of the IPv4 address `ip` (in gen's `sections`) gets, and that reach that client: none whose
 * interface is another device, or whose other tags the client never carries.
 */
export function taggedItemsReaching(root: XmlElement, sections: readonly XmlElement[], tag: string, ip: string): TaggedItem[] {
  const dnsmasq = child(root, 'dnsmasq');
  const genInterfaces = sections.find((s) => s.name === 'interfaces');
  const address = parseIPv4(ip);
  const clientEntry =
    address === undefined
      ? undefined
      : (genInterfaces?.children ?? []).filter(isElement).find((entry) => {
          const block = networkOf(entry)?.block;
          return block !== undefined && contains(block, address);
        });
  const device = clientEntry === undefined ? undefined : fieldText(clientEntry, 'if');
  const onLink = (key: string) => key === '' || (device !== undefined && deviceOf(root, genInterfaces, key) === device);
  // Tags some requests of the client carry: a match option's, and a range's on the client's link.
  const sometimes = new Set([
    ...childrenNamed(dnsmasq, 'dhcp_options').filter((o) => fieldText(o, 'type') === 'match').map((o) => fieldText(o, 'set_tag')),
    ...childrenNamed(dnsmasq, 'dhcp_ranges').filter((r) => onLink(fieldText(r, 'interface'))).map((r) => fieldText(r, 'set_tag')),
  ]);
  sometimes.delete('');
  const out: TaggedItem[] = [];
  const items = [...childrenNamed(dnsmasq, 'dhcp_options').filter((o) => fieldText(o, 'type') === 'set'), ...childrenNamed(dnsmasq, 'dhcp_boot')];
  for (const item of items) {
    const tags = fieldList(item, 'tag');
    if (!tags.includes(tag) || !onLink(fieldText(item, 'interface'))) continue;
    const others = tags.filter((t) => t !== tag);
    if (others.every((t) => sometimes.has(t))) out.push({ item, alsoNeeds: others });
  }
  return out;
}
