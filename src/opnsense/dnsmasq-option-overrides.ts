// The box's own DHCP options that win over one of gen's for some of its
// clients. OPNsense's template (templates/OPNsense/Dnsmasq/dnsmasq.conf,
// 25.7 to 26.7) writes one dhcp-option line per option of type set, in the
// order of the items, with tag:<uuid> for each of its tags and
// tag:<device> of its interface; gen's DNS option of an interface is
// tag:<device>,6,<servers>. dnsmasq gives a request one line per option
// number (dhcp-common.c option_filter(), v2.90 to v2.92): every line whose
// tags the request carries counts, the request's tags being its device,
// the set: tag of its client's dhcp-host line and those of the dhcp-match
// lines it matches (rfc2131.c dhcp_reply()); of those the one latest in
// the file wins ("eliminate duplicate options later in the chain, and
// therefore earlier in the config file"). A line whose tags only a range
// sets is weighed after those (context tags) and only where no tagged line
// of the number counts, so never beside gen's; an untagged line only where
// no tagged one counts. So a box's option of the same number, of no
// interface or of gen's interface's device, whose tags a Host or a DHCP
// match sets, and that comes after gen's in the list, gives its clients on
// gen's interface its value instead of the one the topology names. Merge
// keeps the box's option where it stands and puts gen's in place of the
// box's option it takes over (item-keys.ts: interface, number, type, tags), or of
// its own of an earlier merge, else after the box's last.
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { servedDhcp } from './dnsmasq-ranges.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { fieldList, fieldText } from './fields.js';
import { networkOf } from './vips.js';
import { type Block, contains, parseIPv4 } from '../net.js';

const bare = (tag: string) => tag.replaceAll('-', '');

function inBlock(block: Block | undefined, ip: string): boolean {
  const address = parseIPv4(ip);
  return block !== undefined && address !== undefined && contains(block, address);
}

/**
 * Tags a request on the link of `block` itself carries, with what sets each: a DHCP match's, and a Host's whose
 * dhcp-host line dnsmasq takes for a DHCPv4 request there: one of no address, or of an IPv4 address in the link's
 * network (dhcp-common.c is_config_in_context()). `byMatch`: the tags a DHCP match sets, which a request may carry
 * beside any other; of the tags Hosts set, a request carries one at most: the one of its client's dhcp-host line
 * (a Host has one set tag; rfc2131.c dhcp_reply() takes the one line find_config() gives).
 */
function requestTags(dnsmasq: XmlElement | undefined, block: Block | undefined): { setters: Map<string, string>; byMatch: Set<string> } {
  const setters = new Map<string, string>();
  const byMatch = new Set<string>();
  for (const host of childrenNamed(dnsmasq, 'hosts')) {
    const tag = fieldText(host, 'set_tag');
    const addresses = fieldList(host, 'ip');
    const here = addresses.length === 0 || addresses.some((ip) => inBlock(block, ip));
    if (tag && here) setters.set(bare(tag), `Host ${fieldText(host, 'host') || fieldText(host, 'hwaddr')}`);
  }
  for (const match of childrenNamed(dnsmasq, 'dhcp_options')) {
    const tag = fieldText(match, 'set_tag');
    if (fieldText(match, 'type') !== 'match' || !tag) continue;
    setters.set(bare(tag), `a DHCP match on ${fieldText(match, 'option') ? `option ${fieldText(match, 'option')}` : `option6 ${fieldText(match, 'option6')}`}`);
    byMatch.add(bare(tag));
  }
  return { setters, byMatch };
}

/** Whether one request can carry all of `tags`: each set by a DHCP match, but for one a Host sets. */
function carriedTogether(tags: readonly string[], { setters, byMatch }: ReturnType<typeof requestTags>): boolean {
  const byHostOnly = new Set(tags.filter((t) => !byMatch.has(t)));
  return tags.every((t) => setters.has(t)) && byHostOnly.size <= 1;
}

/** A warning per box DHCP option that, later in the list, wins over gen's option of the same number for the clients of gen's interface that carry its tags. */
export function dnsmasqOptionOverrides(root: XmlElement, isGen: (uuid: string) => boolean): string[] {
  const dnsmasq = child(root, 'dnsmasq');
  if (!dnsmasqEnabled(dnsmasq)) return [];
  const { devices } = servedDhcp(root);
  const device = (key: string) => devices.get(key) ?? key;
  const tagName = (tag: string) => fieldText(childrenNamed(dnsmasq, 'dhcp_tags').find((t) => bare(attr(t, 'uuid') ?? '') === tag), 'tag') || tag;
  const ofGen = (o: XmlElement) => isGen(attr(o, 'uuid') ?? '');
  const options = childrenNamed(dnsmasq, 'dhcp_options').filter((o) => fieldText(o, 'type') === 'set' && fieldText(o, 'option') !== '' && fieldText(o, 'option6') === '');
  // The line as the template writes it.
  const line = (o: XmlElement) => {
    const tags = fieldList(o, 'tag').map((t) => `tag:${bare(t)}`);
    if (fieldText(o, 'interface')) tags.push(`tag:${device(fieldText(o, 'interface'))}`);
    return `dhcp-option${fieldText(o, 'force') === '1' ? '-force' : ''}=${tags.map((t) => `${t},`).join('')}${fieldText(o, 'option')},${fieldText(o, 'value')}`;
  };
  const out: string[] = [];
  options.forEach((ours, at) => {
    const key = fieldText(ours, 'interface');
    if (!ofGen(ours) || key === '') return;
    const number = fieldText(ours, 'option');
    const carried = requestTags(dnsmasq, networkOf(child(child(root, 'interfaces'), key))?.block);
    const { setters } = carried;
    for (const theirs of options.slice(at + 1)) {
      if (ofGen(theirs) || fieldText(theirs, 'option') !== number) continue;
      const iface = fieldText(theirs, 'interface');
      const tags = fieldList(theirs, 'tag').map(bare);
      if (tags.length === 0 || (iface !== '' && device(iface) !== device(key)) || !carriedTogether(tags, carried)) continue;
      out.push(
        `the box's DHCP option ${attr(theirs, 'uuid') ?? '(no uuid)'} (${line(theirs)}) comes after gen's option ${number} of ${key} (${line(ours)}) in dnsmasq.conf, ` +
          `and of two lines of one option whose tags a request carries dnsmasq sends the later: the clients on ${device(key)} that carry ` +
          `${tags.map((t) => `the tag ${tagName(t)} (set by ${setters.get(t)})`).join(' and ')} get ${fieldText(theirs, 'value')}, not gen's ${fieldText(ours, 'value')}; ` +
          "if they should get gen's, remove the box's option or give it another interface in Services › Dnsmasq DNS & DHCP › DHCP options and export a new backup",
      );
    }
  });
  return out;
}
