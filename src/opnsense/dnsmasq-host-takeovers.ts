// The box's own dnsmasq Hosts that one of gen's DHCP reservations takes over
// (merge's natural keys: the name within its domain, or the MAC when the
// Host's list is that one MAC; item-keys.ts). gen's item replaces the fields
// it writes (the name, the addresses, the MAC list), so a MAC or address of
// the box's Host beyond gen's one loses its reservation (a Host's hwaddr and
// ip are lists: Dnsmasq.xml, MacAddressField and a list of addresses, 25.7 to
// 26.7), and a name gen writes differently loses its DNS answer from the
// hosts file (plugins.inc.d/dnsmasq.inc _dnsmasq_add_host_entries()).
// Said, because the operator's values go. The Host's client id stays (gen
// writes none, and a field gen writes only as the model's default keeps the
// box's value), and dnsmasq matches a client's client id before its MAC
// (dhcp-common.c find_config_match(), 2.90 to 2.92): unless it is the one
// gen's client sends for its MAC, another client gets gen's reservation too.
// Ignore does not stay: with it dnsmasq answers no client of the line
// (dhcp-host's `ignore`, CONFIG_DISABLE: option.c, rfc2131.c, 2.90 to 2.92),
// so gen writes its 0, and a MAC of the box's Host beyond gen's is then no
// longer ignored. Nor did such a Host reserve its addresses for a client, but
// dnsmasq kept them out of its ranges (config_find_by_address() reads no
// CONFIG_DISABLE: dhcp.c address_allocate(), rfc2131.c), which gen's line no
// longer does. Its lease time and tag stay: they only adjust the lease;
// a lease time that is not gen's range's is said (dnsmasq-lease-times.ts),
// and a tag the box's DHCP options or boot entries that reach gen's client
// match on (dnsmasq-tag-reach.ts).
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { takenOver } from './identity.js';
import { fieldList, fieldText } from './fields.js';
import { clientIdOf, clientIdOfLine, hostAddresses, hostLabel } from './dnsmasq-dhcp-hosts.js';
import { addressKey } from './listened-addresses.js';
import { nameKey } from './dnsmasq-hosts.js';
import { genRangeLeaseTime, hostLeaseTime } from './dnsmasq-lease-times.js';
import { type TaggedItem, taggedItemsReaching } from './dnsmasq-tag-reach.js';

/** The entries of a Host's MAC list, as OPNsense and dnsmasq compare them (without letter case). */
function macs(host: XmlElement): string[] {
  return fieldList(host, 'hwaddr').map((each) => each.toLowerCase());
}

/**
 * The box's ignored Host's MACs beyond gen's, no longer ignored: one no other box Host lists is then a client of no
 * dhcp-host line, which dnsmasq answers from a dynamic range of its link (address_allocate() skips static ranges).
 */
function unignoredMacs(dnsmasq: XmlElement | undefined, host: XmlElement, others: readonly string[]): string {
  const listed = new Set(childrenNamed(dnsmasq, 'hosts').filter((h) => h !== host).flatMap(macs));
  const free = others.filter((m) => !listed.has(m));
  const named = (list: readonly string[]) => list.map((m) => `the MAC ${m}`).join(', ');
  return (
    `${named(others)} ${others.length > 1 ? 'are' : 'is'} no longer ignored` +
    (free.length > 0
      ? `: dnsmasq answers ${free.length === others.length ? (free.length > 1 ? 'them' : 'it') : named(free)} as a client of no Host, with an address of a dynamic range of ${free.length > 1 ? 'their' : 'its'} link where there is one`
      : '')
  );
}

/** A warning per box Host (adopted: gen's Host takes the box's UUID) with a MAC, an address or a name that gen's does not keep, or a field that stays and changes what gen's client gets, or Ignore, which does not. */
export function dnsmasqHostTakeovers(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlyMap<string, string>): string[] {
  const genHosts = sections.filter((s) => s.name === 'dnsmasq').flatMap((s) => childrenNamed(s, 'hosts'));
  const out: string[] = [];
  const dnsmasq = child(root, 'dnsmasq');
  for (const { ours, theirs } of takenOver(childrenNamed(dnsmasq, 'hosts'), genHosts, adopted)) {
    const keptMacs = new Set(macs(ours));
    const keptAddresses = new Set(hostAddresses(ours).map(addressKey));
    const ignored = fieldText(theirs, 'ignore') === '1';
    const otherMacs = macs(theirs).filter((m) => !keptMacs.has(m));
    const otherAddresses = hostAddresses(theirs).filter((a) => !keptAddresses.has(addressKey(a)));
    // An ignored Host reserved nothing for a client: its other MACs and addresses are said with Ignore below.
    const lost = ignored ? [] : [...otherMacs.map((m) => `the MAC ${m}`), ...otherAddresses.map((a) => `the address ${a}`)];
    const name = fieldText(theirs, 'host');
    const renamed = name !== '' && nameKey(name) !== nameKey(fieldText(ours, 'host'));
    const id = clientIdOfLine(theirs);
    const foreignId = id !== undefined && !macs(ours).some((m) => clientIdOf(m) === id);
    // Its lease time stays too (gen writes none), and dnsmasq takes it over the range's: said where they differ.
    const lease = hostLeaseTime(theirs);
    const rangeLease = lease === undefined ? undefined : genRangeLeaseTime(sections, fieldText(ours, 'ip'));
    const leaseKept = lease !== undefined && rangeLease !== undefined && lease !== rangeLease;
    // Its tag stays (gen writes none): the box's DHCP options and boot entries on it whose other tags and interface gen's client can match reach it.
    const tag = fieldText(theirs, 'set_tag');
    const tagged = tag === '' ? [] : taggedItemsReaching(root, sections, tag, fieldText(ours, 'ip'));
    if (lost.length === 0 && !renamed && !foreignId && !ignored && !leaseKept && tagged.length === 0) continue;
    const goes = [
      ...(lost.length > 0 ? [`${lost.join(', ')} ${lost.length > 1 ? 'lose their' : 'loses its'} reservation`] : []),
      ...(renamed ? [`the name ${name} its DNS answer (gen's is ${fieldText(ours, 'host')})`] : []),
    ];
    const kept = foreignId
      ? `; it keeps the Host's client id ${fieldText(theirs, 'client_id')} (gen writes none), and dnsmasq matches a client's client id before its MAC, ` +
        `so a client that sends it gets gen's reservation of ${fieldText(ours, 'ip')} too: remove the client id from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup`
      : '';
    const unignored = ignored
      ? `; the box's Host has Ignore on, with which dnsmasq answers none of its clients, so merge writes gen's off: the client of ${fieldText(ours, 'hwaddr')} gets ${fieldText(ours, 'ip')}` +
        (otherMacs.length > 0 ? `, and ${unignoredMacs(dnsmasq, theirs, otherMacs)}` : '') +
        (otherAddresses.length > 0
          ? `, and ${otherAddresses.map((a) => `the address ${a}`).join(', ')}, which dnsmasq gave no client but kept out of its ranges, ${otherAddresses.length > 1 ? 'are' : 'is'} no longer kept out`
          : '') +
        "; to have dnsmasq ignore a client, give it a Host of its own with Ignore on (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup"
      : '';
    const seconds = (time: string | undefined) => (time === 'infinite' ? 'an infinite lease' : `${time} seconds`);
    const leaseNote = leaseKept
      ? `; it keeps the Host's lease time (gen writes none), which dnsmasq takes over the range's: the client of ${fieldText(ours, 'hwaddr')} leases ${fieldText(ours, 'ip')} for ${seconds(lease)}, not its range's ${seconds(rangeLease)}, unless it asks for a shorter lease; ` +
        "for the range's, empty the box's Host's lease time (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup"
      : '';
    const tagName = (uuid: string) => fieldText(childrenNamed(dnsmasq, 'dhcp_tags').find((t) => attr(t, 'uuid') === uuid), 'tag') || uuid;
    const taggedItem = ({ item, alsoNeeds }: TaggedItem) =>
      `${item.name === 'dhcp_boot' ? 'boot entry' : 'DHCP option'} ${attr(item, 'uuid') ?? '(no uuid)'}` +
      (alsoNeeds.length > 0 ? ` (where the request also carries ${alsoNeeds.map((t) => `the tag ${tagName(t)}`).join(', ')}, which a DHCP match or range sets)` : '');
    const tagNote =
      tagged.length > 0
        ? `; it keeps the Host's tag ${tagName(tag)} (gen writes none), on which the box's ${tagged.map(taggedItem).join(', ')} match${tagged.length > 1 ? '' : 'es'}: ` +
          `dnsmasq gives the client of ${fieldText(ours, 'hwaddr')} what ${tagged.length > 1 ? 'they set' : 'it sets'}; ` +
          "to keep the client from them, remove the tag from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup"
        : '';
    out.push(
      `the box's own ${hostLabel(theirs)} is gen's DHCP reservation ${fieldText(ours, 'host')} (${fieldText(ours, 'ip')}, ${fieldText(ours, 'hwaddr')}): ` +
        "merge takes it over and writes gen's name, address and MAC in its place" +
        (goes.length > 0 ? `, so ${goes.join(', and ')}; to keep them, give them a Host of their own on the box (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup` : '') +
        kept +
        unignored +
        leaseNote +
        tagNote,
    );
  }
  return out;
}
