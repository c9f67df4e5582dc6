// Which of the ranges a config's dnsmasq serves hand out the firewall as DNS
// server, as OPNsense's dnsmasq.conf template writes the DHCP options
// (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7 to 26.7): one dhcp-option
// line per option of type set, in the order of the items, with tag:<tag> for
// each of its tags (the dhcp_tags UUIDs without dashes) and tag:<device> of its
// interface (helpers.physical_interface()), and its value as written; then
// dhcp-option=6,0.0.0.0 unless an option 6 of no interface and no tag is set,
// and, from 26.1 on, likewise dhcp-option=option6:23,[::] unless such an
// option6 23 is set. dnsmasq gives a request one line of an option
// (dhcp-common.c option_filter()): of the tagged lines whose tags the request
// carries, the last in the file; failing that, the last tagged one whose tags
// it carries together with the tag its range sets; failing that, the last
// untagged one. A request carries the device it arrives on (rfc2131.c,
// rfc3315.c: "set tag with name == interface"): an IPv4 range's interface's,
// and, for a range of no interface, any device dnsmasq serves DHCP on, so an
// option of that interface serves the range's clients there. An IPv6 range
// serves a DHCPv6 request on the links it is on (ipv6-links.ts: dhcp6.c
// complete_context6() takes the ranges in the network of an address of the
// link the request arrives on) whose device its tag:<device> names, if any;
// an ra-stateless one hands out no address, and answers its clients'
// Information-request on each of those links whatever its tag:<device>
// (rfc3315.c), with the request's tags and its set tag where it is the link's
// only DHCPv6 range; a static one hands out only reserved addresses
// (dhcpv6-reservations.ts), and its other clients ask likewise.
// An address 0.0.0.0 in the value stands for the firewall's own address
// (rfc2131.c do_opt()), and so do [::], [fd00::] and [fe80::] in an IPv6 one
// (rfc3315.c, radv.c), as the box's own addresses written out do; a DHCPv6
// reply's option 23 drops [fd00::] where the link has no ULA (rfc3315.c:
// state->ula_addr unset; [::] becomes the range's own address there, of any
// kind), a router advertisement's RDNSS drops [::] where its link has no
// global address and [fd00::] where it has no ULA (radv.c), and a line left
// with no address sends no DNS server (nor the default one: done_dns is set):
// those clients get no DNS server from it, not the firewall; with no line at
// all, a dnsmasq that serves no DNS on port 53 hands out no DNS server.
// The firewall it hands out is answered where dnsmasq or Unbound answers DNS
// on port 53 at that address: dnsmasq (dnsmasq-bound.ts) at any, but with
// Strict interface binding only at the addresses of the interfaces it listens
// on; Unbound (unbound-bound.ts) at any, but with Network Interfaces chosen
// only at theirs. Both cannot hold port 53 of one address; either that holds
// it answers, and where both would, dnsmasq holds it and Unbound does not
// start at all (dns-port-clash.ts). A line whose addresses are all the box's own where neither
// answers reaches nothing there.
// An IPv6 range hands out addresses by DHCPv6 where it has an end address or
// the mode static or ra-stateless (option.c: CONTEXT_DHCP), and is advertised
// where its RA mode is one of ra-only, slaac, ra-names, ra-advrouter and
// ra-stateless (CONTEXT_RA), or, with none, where enable-ra is set, on the
// links radv.c finds it on (ipv6-links.ts: by the interfaces' addresses, not
// by the range's interface). A router advertisement's RDNSS takes its option
// 23 line as option_filter() chooses it for the tags of the link (radv.c): its
// device and the tag every range advertised on it sets, with no range's tag of
// lower rank; so its clients, on every range of the link, may get another line
// than DHCPv6 gives them. ra_mode off-link alone advertises nothing.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';
import { servedDhcp } from './dnsmasq-ranges.js';
import { Ipv6Links } from './ipv6-links.js';
import type { Ipv6Facts } from './ipv6-allowed.js';
import { addressKey, listenedAddresses } from './listened-addresses.js';
import { dnsmasqDnsAt } from './dnsmasq-bound.js';
import { unboundDnsAt } from './unbound-bound.js';
import { unboundOutstarted } from './dns-port-clash.js';
import { Dhcpv6Reservations } from './dhcpv6-reservations.js';
import { parseIPv6 } from '../net.js';

type Family = 4 | 6;

/**
 * A DNS option line of dnsmasq.conf: its tags and its addresses: whether one is another server's, whether one is the
 * box's own written out at which a resolver answers DNS (`heard`), whether one is [fe80::] (`linkLocal`: the link's
 * link-local address), how many name the firewall on any link ([fe80::], the box's own written out), and how many are
 * [::] (0.0.0.0) and [fd00::], which radv.c fills only on a link with a global address and a ULA.
 */
interface DnsLine {
  tags: string[];
  rdnss: { foreign: boolean; heard: boolean; linkLocal: boolean; always: number; global: number; ula: number };
}

/**
 * Where a resolver of the box answers DNS on port 53 for dnsmasq's DHCP clients: at every address (`every`), at which
 * of the box's addresses written out (`written`, as addressKey() writes them), and whether at the own addresses of the
 * link of a device (`onLink`: those dnsmasq puts in place of 0.0.0.0, [::], [fd00::] and [fe80::]).
 */
interface FirewallHeard {
  every: boolean;
  written: ReadonlySet<string>;
  onLink: (device: string | undefined) => boolean;
}

/** Which resolvers count as answering: either of them, or only one. */
export type HeardBy = 'either' | 'unbound' | 'dnsmasq';

/**
 * Where dnsmasq or Unbound answers DNS on port 53 (FirewallHeard): wherever either does, or where the one `by` names
 * does; Unbound nowhere where dnsmasq keeps it from starting.
 */
function firewallHeard(root: XmlElement, by: HeardBy): FirewallHeard {
  const nowhere = { links: false, every: false, written: new Set<string>(), devices: new Set<string>() };
  const dnsmasq = by === 'unbound' ? nowhere : dnsmasqDnsAt(root);
  const unbound = by === 'dnsmasq' || unboundOutstarted(root) ? nowhere : unboundDnsAt(root);
  return {
    every: dnsmasq.every || unbound.every,
    written: new Set([...dnsmasq.written, ...unbound.written]),
    onLink: (device) => dnsmasq.links || (device !== undefined && unbound.devices.has(device)),
  };
}

/** The DNS option an item writes a dhcp-option line of, by family: option 6, or option6 23 (which the template writes instead of option). */
function dnsFamily(option: XmlElement): Family | undefined {
  const option6 = fieldText(option, 'option6');
  if (option6 !== '') return option6 === '23' ? 6 : undefined;
  return fieldText(option, 'option') === '6' ? 4 : undefined;
}

/** The IPv6 addresses dnsmasq replaces with the firewall's own (::, and the ULA and link-local prefixes without host part). */
const [UNSPECIFIED, ULA_ZERO, LINK_LOCAL_ZERO] = ['::', 'fd00::', 'fe80::'].map((a) => parseIPv6(a)!.toNormalizedString());

/**
 * A DNS option's value read as a line (DnsLine): each address is one dnsmasq replaces with its own, one of the box's own
 * written out (`own`: its interfaces' and VIPs', as addressKey() writes them), or another server's; one written out is
 * heard where a resolver answers DNS at it (`written`).
 */
function dnsLine(tags: string[], value: string, family: Family, own: ReadonlySet<string>, written: ReadonlySet<string>): DnsLine {
  const rdnss = { foreign: false, heard: false, linkLocal: false, always: 0, global: 0, ula: 0 };
  for (const a of value === '' ? [] : value.split(',').map((each) => each.trim().replace(/^\[(.*)\]$/, '$1'))) {
    const normal = family === 6 ? parseIPv6(a)?.toNormalizedString() : undefined;
    if (family === 4 ? a === '0.0.0.0' : normal === UNSPECIFIED) rdnss.global++;
    else if (normal === ULA_ZERO) rdnss.ula++;
    else if (normal === LINK_LOCAL_ZERO) {
      rdnss.always++;
      rdnss.linkLocal = true;
    } else if (own.has(addressKey(a))) {
      rdnss.always++;
      rdnss.heard ||= written.has(addressKey(a));
    } else rdnss.foreign = true;
  }
  return { tags, rdnss };
}

/**
 * Whether `line`, sent on a link of those `kinds` of address, gives its clients the firewall alone, at addresses where
 * no resolver answers DNS (`links`: whether one answers at the link's own): what radv.c keeps of it in a router
 * advertisement's RDNSS, or rfc3315.c in a DHCPv6 reply's option 23 (which fills [::] from the range's own address on
 * the link, any kind, and drops [fd00::] where the link has no ULA: `global` true), or rfc2131.c of an IPv4 one (0.0.0.0
 * counted as global), is the firewall, none of it heard.
 */
function sentFirewall(line: DnsLine, kinds: { global: boolean; ula: boolean }, links: boolean): boolean {
  const { foreign, heard, linkLocal, always, global, ula } = line.rdnss;
  const zeros = (kinds.global ? global : 0) + (kinds.ula ? ula : 0);
  return !foreign && !heard && !(links && (linkLocal || zeros > 0)) && always + zeros > 0;
}

/** The RA modes that advertise a range (option.c: CONTEXT_RA). */
export const ADVERTISING_RA_MODES: ReadonlySet<string> = new Set(['ra-only', 'slaac', 'ra-names', 'ra-advrouter', 'ra-stateless']);

/**
 * How an IPv6 range hands out addresses by DHCPv6 (option.c): none with ra-stateless (CONTEXT_RA_STATELESS), only
 * reserved ones with the mode static (CONTEXT_STATIC), any otherwise.
 */
function modeOf(range: XmlElement): 'stateless' | 'static' | 'dynamic' {
  if (fieldList(range, 'mode').includes('ra-stateless') || fieldList(range, 'ra_mode').includes('ra-stateless')) return 'stateless';
  return fieldList(range, 'mode').includes('static') ? 'static' : 'dynamic';
}

/** How an IPv6 range's clients get their DNS servers: by DHCPv6, by router advertisement, or both. */
function ipv6Ways(range: XmlElement, enableRa: boolean): { dhcp: boolean; ra: boolean } {
  const modes = [...fieldList(range, 'mode'), ...fieldList(range, 'ra_mode')];
  const advertised = modes.some((m) => ADVERTISING_RA_MODES.has(m));
  return { dhcp: fieldText(range, 'end_addr') !== '' || modes.includes('static') || modes.includes('ra-stateless'), ra: advertised || enableRa };
}

/**
 * The DNS option lines of one family, in the file's order, indexed by each tag they carry: a request is matched
 * against the lines that name one of its few tags, not against every line (a line per interface and VLAN).
 */
class DnsLines {
  private readonly byTag = new Map<string, number[]>();
  private readonly lines: DnsLine[] = [];
  private lastUntagged: DnsLine | undefined;

  add(line: DnsLine): void {
    const at = this.lines.push(line) - 1;
    if (line.tags.length === 0) this.lastUntagged = line;
    for (const tag of new Set(line.tags)) {
      const list = this.byTag.get(tag);
      if (list) list.push(at);
      else this.byTag.set(tag, [at]);
    }
  }

  /** The last tagged line whose tags are all in `tags`, if any. */
  private lastCovered(tags: ReadonlySet<string>): DnsLine | undefined {
    let best = -1;
    for (const tag of tags) {
      for (const at of this.byTag.get(tag) ?? []) {
        if (at > best && this.lines[at]!.tags.every((t) => tags.has(t))) best = at;
      }
    }
    return best < 0 ? undefined : this.lines[best];
  }

  /** The line dnsmasq gives a request of `tags` whose range sets `setTag` (option_filter()), if any. */
  chosen(tags: ReadonlySet<string>, setTag: string): DnsLine | undefined {
    return this.lastCovered(tags) ?? (setTag === '' || tags.has(setTag) ? undefined : this.lastCovered(new Set([...tags, setTag]))) ?? this.lastUntagged;
  }
}

/**
 * A range whose clients get the firewall as DNS server, and where: the interfaces (keys) of its clients; none: on every
 * interface it serves, as an IPv4 range of no interface.
 */
export interface FirewallDnsRange {
  range: XmlElement;
  on: string[];
}

/**
 * The ranges of `root`'s dnsmasq whose clients get the firewall as DNS server at addresses where neither dnsmasq nor
 * Unbound answers DNS on port 53 (firewallHeard(): with Strict interface binding or Network Interfaces chosen, only at
 * the addresses of the interfaces each listens on; none where either binds the wildcard there) (IPv6 ones: the
 * template's option6:23,[::] only where the
 * release writes it, `firewallDns6`), and where: an IPv4 range it hands out leases
 * from (servedRanges()) whose line dnsmasq gives its DHCP clients is the firewall, on its interface (a range of no
 * interface, whose clients' device is not known, only where that is so on every interface dnsmasq serves DHCP on);
 * an IPv6 one on each link it serves DHCPv6 requests on (Ipv6Links, by its interface's tag) whose option 23 sent
 * there is, and on each link it is advertised on whose router advertisement's RDNSS is (`ipv6`: the release's IPv6
 * facts, which interfaces take an IPv6 address at run time). `by`: where that resolver
 * does not answer, whether the other does or not.
 */
export function firewallDnsRanges(root: XmlElement, firewallDns6: boolean, ipv6: Ipv6Facts, by: HeardBy = 'either'): FirewallDnsRange[] {
  const dnsmasq = child(root, 'dnsmasq');
  const { devices, ranges: served, interfaces: servedInterfaces } = servedDhcp(root);
  const device = (name: string) => devices.get(name) ?? name;
  // The box's own addresses, not the loopback: handed to clients, that names the client itself.
  const own = listenedAddresses(root, new Set());
  for (const loopback of ['127.0.0.1', '::1']) own.delete(loopback);
  const at = firewallHeard(root, by);
  if (at.every) return [];
  const bare = (tag: string) => tag.replaceAll('-', '');
  const lines: Record<Family, DnsLines> = { 4: new DnsLines(), 6: new DnsLines() };
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
    if (family !== undefined) lines[family].add(dnsLine(iface === '' ? tags : [...tags, device(iface)], fieldText(option, 'value'), family, own, at.written));
  }
  for (const family of [4, 6] as const) if (firewallLine[family]) lines[family].add(dnsLine([], family === 4 ? '0.0.0.0' : '[::]', family, own, at.written));
  const anyDevice = servedInterfaces.map(device);
  const family = (range: XmlElement): Family => (fieldText(range, 'start_addr').includes(':') ? 6 : 4);
  const enableRa = fieldText(child(dnsmasq, 'dhcp'), 'enable_ra') === '1';
  // Every IPv6 range of the config that is advertised or serves DHCPv6, whichever its interface, with the links it is
  // on (radv.c and complete_context6() find them alike, reading no tag): the tags the ranges advertised on each link
  // set, and, by link, how many DHCPv6 ranges are on it and the tag of one: an Information-request takes that tag only
  // where it is the link's only range.
  const links6 = new Ipv6Links(root, servedInterfaces, ipv6);
  const advertised = new Map<XmlElement, string[]>();
  const linkTags = new Map<string, string[]>();
  const dhcpLinks = new Map<XmlElement, string[]>();
  const linkRanges = new Map<string, { count: number; setTag: string }>();
  // The links where a range hands out addresses to any client whose request carries its tag:<device> (address6_allocate()).
  const dynamicLinks = new Set<string>();
  for (const range of childrenNamed(dnsmasq, 'dhcp_ranges')) {
    if (family(range) !== 6) continue;
    const ways = ipv6Ways(range, enableRa);
    if (!ways.ra && !ways.dhcp) continue;
    const links = links6.linksOf(range);
    const setTag = bare(fieldText(range, 'set_tag'));
    if (ways.dhcp && modeOf(range) === 'dynamic') {
      const iface = fieldText(range, 'interface');
      for (const link of links) if (iface === '' || device(link) === device(iface)) dynamicLinks.add(link);
    }
    if (ways.ra) {
      advertised.set(range, links);
      if (setTag !== '') {
        for (const link of links) {
          const tags = linkTags.get(link);
          if (tags) tags.push(setTag);
          else linkTags.set(link, [setTag]);
        }
      }
    }
    if (ways.dhcp) {
      dhcpLinks.set(range, links);
      for (const link of links) {
        const on = linkRanges.get(link);
        if (on) on.count++;
        else linkRanges.set(link, { count: 1, setTag });
      }
    }
  }
  const out: FirewallDnsRange[] = [];
  const servedSet = new Set(served);
  const reservations = new Dhcpv6Reservations(dnsmasq);
  for (const range of new Set([...served, ...advertised.keys(), ...dhcpLinks.keys()])) {
    const iface = fieldText(range, 'interface');
    const setTag = bare(fieldText(range, 'set_tag'));
    const on: string[] = [];
    let everywhere = false;
    if (servedSet.has(range) && family(range) === 4) {
      const arrivals = iface !== '' ? [device(iface)] : anyDevice.length > 0 ? anyDevice : [undefined];
      const byDhcp = (d: string | undefined) => {
        const line = lines[4].chosen(new Set(d === undefined ? [] : [d]), setTag);
        return line !== undefined && sentFirewall(line, { global: true, ula: true }, at.onLink(d));
      };
      if (arrivals.every(byDhcp)) {
        if (iface !== '') on.push(iface);
        else everywhere = true;
      }
    }
    // An ra-stateless range hands out no address (dhcp6.c address6_allocate() skips it): its clients send an
    // Information-request, which rfc3315.c answers on every link the range is on, whatever its tag:<device>, with the
    // tags of the request and, where it is the link's only range, the range's set tag. A static one hands out no
    // address either, but to the Hosts that reserve one in it (Dhcpv6Reservations): a client without, where no
    // other range gives it an address, gets an Advertise with NoAddrsAvail, which it ignores (RFC 8415 18.2.9), and
    // asks by Information-request as a stateless range's do; a reserved client is answered as a dynamic range's is,
    // with its Host's tag too.
    const mode = modeOf(range);
    if ((mode !== 'dynamic' || servedSet.has(range)) && dhcpLinks.has(range)) {
      // dhcp6.c answers a request with the ranges in the network of an address of the link it arrives on
      // (complete_context6(), as radv.c finds a range's links), of those whose tag:<device> the request carries.
      const reserved = mode === 'static' ? reservations.of(fieldText(range, 'start_addr'), Number(fieldText(range, 'prefix_len') || '64')) : [''];
      for (const link of dhcpLinks.get(range)!) {
        const only = linkRanges.get(link)!;
        const sent: (DnsLine | undefined)[] = [];
        if (mode === 'stateless' || (mode === 'static' && !dynamicLinks.has(link))) sent.push(lines[6].chosen(new Set([device(link)]), only.count === 1 ? only.setTag : ''));
        if (mode !== 'stateless' && (iface === '' || device(link) === device(iface))) {
          for (const hostTag of reserved) sent.push(lines[6].chosen(new Set(hostTag === '' ? [device(link)] : [device(link), hostTag]), setTag));
        }
        if (sent.some((line) => line !== undefined && sentFirewall(line, { global: true, ula: links6.kinds(link).ula }, at.onLink(device(link))))) on.push(link);
      }
    }
    for (const link of advertised.get(range) ?? []) {
      const tags = new Set([device(link), ...(linkTags.get(link) ?? [])]);
      const line = lines[6].chosen(tags, '');
      if (line !== undefined && sentFirewall(line, links6.kinds(link), at.onLink(device(link))) && !on.includes(link)) on.push(link);
    }
    if (everywhere || on.length > 0) out.push({ range, on: everywhere ? [] : on });
  }
  return out;
}
