// A box whose Unbound listens on another port than 53: clients ask the
// firewall on 53 (what DHCP and the WireGuard client files hand out means
// port 53), so Unbound, and gen's host overrides in it, answer none of them.
// OPNsense writes `port: <general.port>` into unbound.conf
// (plugins.inc.d/unbound.inc unbound_generate_config(), 25.7 to 26.7; the
// model's general.port defaults to 53). A root the box has not migrated past
// 1.0.5 keeps it in the legacy <unbound><port>, which Migrations/M1_0_5.php
// moves into the model (an empty one becomes 53). Port 53 then belongs to
// dnsmasq only when the box runs dnsmasq's DNS there; it reaches Unbound's
// overrides only through the domain overrides of their domain, when each of
// them forwards to the firewall's own Unbound port
// (templates/OPNsense/Dnsmasq/dnsmasq.conf: server=/<domain>/<ip>#<port>);
// /etc/resolv.conf, dnsmasq's other upstream, names no port. A name
// dnsmasq holds in its Hosts (or below a wildcard Host's domain) it answers
// itself: right when with exactly the addresses of gen's overrides of it
// (dnsmasq-hosts.ts), and wrongly otherwise, whatever it forwards. Unbound
// listens on every address of the box unless its Network Interfaces are set
// (active_interface): then on those interfaces'
// addresses and 127.0.0.1 (unbound.inc: interfaces_addresses() of lo0 and
// the listed interfaces, VIPs included), so a forward to one of those reaches
// it as well as one to the loopback. The box keeps an IPv6 address as it was
// typed, and dnsmasq parses it: two spellings of one address are compared as
// one.
import ipaddr from 'ipaddr.js';
import { type XmlElement, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { fieldList, fieldText } from './fields.js';
import { baseVips } from './vips.js';
import { dnsmasqAnswers, unboundEnabled, unboundGeneral } from './unbound-off.js';
import { genHostItems, hostName } from './unbound-items.js';
import { type DnsmasqHostAnswers, dnsmasqHostAnswers, nameKey } from './dnsmasq-hosts.js';
import { appendAll } from '../arrays.js';

/** The port the box's Unbound listens on after the merged config's migrations. */
function unboundPort(root: XmlElement): string {
  const port = fieldText(unboundGeneral(root).settings, 'port');
  return port === '' ? String(UNBOUND_PORT) : port;
}

/** An address as compared here: an IPv6 one in its compact form (fd00:0::9 is fd00::9), another as written. */
function addressKey(text: string): string {
  const lower = text.toLowerCase();
  return ipaddr.IPv6.isValid(lower) ? ipaddr.IPv6.parse(lower).toString() : lower;
}

/**
 * Addresses of the box on which its Unbound answers, as a dnsmasq domain
 * override can name them: the loopback, and the static addresses and VIPs of
 * the interfaces Unbound listens on (all when none are chosen), gen's
 * interface entries standing for the base's of the same key.
 */
function unboundAddresses(root: XmlElement, sections: readonly XmlElement[]): Set<string> {
  const listening = new Set(fieldList(unboundGeneral(root).settings, 'active_interface'));
  const heard = (key: string) => listening.size === 0 || listening.has(key);
  const entries = new Map<string, XmlElement>();
  for (const parent of [child(root, 'interfaces'), ...sections.filter((s) => s.name === 'interfaces')]) {
    for (const entry of parent?.children.filter(isElement) ?? []) entries.set(entry.name, entry);
  }
  const addresses = new Set(['127.0.0.1', '::1']);
  for (const [key, entry] of entries) {
    if (!heard(key)) continue;
    for (const field of ['ipaddr', 'ipaddrv6']) addresses.add(addressKey(fieldText(entry, field)));
  }
  for (const vip of baseVips(root)) if (heard(fieldText(vip, 'interface'))) addresses.add(addressKey(fieldText(vip, 'subnet')));
  addresses.delete('');
  return addresses;
}

/**
 * A domain override's server address and port as OPNsense's model reads them: an ip of the older form,
 * `127.0.0.1#5353` or with `@<source address>`, is split on load, the port replacing <port> (the model's ip is its
 * last field for that reason: Dnsmasq/FieldTypes/DomainIPField.php, 25.7 to 26.7, when a `#` or `@` stands after
 * the first two characters).
 */
function overrideServer(o: XmlElement): { ip: string; port: string } {
  const ip = fieldText(o, 'ip');
  const port = fieldText(o, 'port');
  if (ip.indexOf('#') <= 1 && ip.indexOf('@') <= 1) return { ip, port };
  const [address, legacyPort] = ip.split('@')[0]!.split('#');
  return { ip: address!, port: legacyPort ?? port };
}

/**
 * The domains the box's dnsmasq answers itself, as its template writes them (dnsmasq.conf, 25.7 to 26.7):
 * local=/<domain>/ for a Host marked local with a domain, and, when DHCP registers names (dhcp.fqdn) and there are
 * ranges, for the DHCP domain (the system domain when empty) and each range's domain, unless dhcp.local is off
 * (the model's fqdn and local default to on; 25.7.1's has no local and its template writes them always). A wildcard
 * Host's address=/<domain>/ is not one of them: it answers with its addresses (dnsmasqHostAnswers()). gen's ranges and
 * hosts count as merged into the box's; a box's host or range gen takes over keeps its domain and local flag, which
 * gen does not write.
 */
function localDomains(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const box = child(root, 'dnsmasq');
  const gen = sections.find((s) => s.name === 'dnsmasq');
  const hosts = childrenNamed(box, 'hosts').concat(childrenNamed(gen, 'hosts'));
  const domains = hosts.filter((h) => fieldText(h, 'local') === '1').map((h) => fieldText(h, 'domain'));
  const dhcp = child(box, 'dhcp');
  const on = (field: string) => (child(dhcp, field) === undefined ? true : fieldText(dhcp, field) === '1');
  const ranges = childrenNamed(box, 'dhcp_ranges').concat(childrenNamed(gen, 'dhcp_ranges'));
  if (on('fqdn') && on('local') && ranges.length > 0) {
    domains.push(fieldText(dhcp, 'domain') || fieldText(child(root, 'system'), 'domain'));
    appendAll(domains, ranges.map((r) => fieldText(r, 'domain')));
  }
  return domains.filter((d) => d !== '');
}

/** What the box's dnsmasq does with a query for a name: forward it to Unbound only, answer it with `addresses`, or anything else. */
type DnsmasqAnswer = 'unbound' | 'elsewhere' | { addresses: string[]; from: string };

/**
 * How the box's dnsmasq answers `name`. A name of its hosts file (`hosts.names`: Hosts and their aliases) it answers
 * itself with the addresses there, before any entry of its domain. Otherwise it takes all the entries of the longest
 * matching domain as one group (domain-match.c lookup_domain(), filter_servers()). An address= of a wildcard Host
 * (`hosts.wildcards`) answers the queries of its addresses' type itself in every version, before the servers and the
 * local= of its domain. A local domain (`local`) closer than the servers' makes dnsmasq answer the query itself
 * (is_local_answer()); one of the same domain does so in dnsmasq 2.92 and later, where filter_servers() puts a
 * no-data entry before the servers (2.91 and earlier forward: the box's dnsmasq package decides, so it counts). So
 * does an override without address (server=/<domain>/). The template writes one server= line for each domain
 * override, in the order of their sequence (dnsmasq.conf: server=/<domain>/<ip>#<port>, no switch to leave one out),
 * and dnsmasq may send a query to any server of the group (forward.c forward_query()): by default to all of them
 * every 50 queries or 20 seconds, then to the one that answered first; with Strict order (strict-order) to the
 * first, and on to the next when that one refuses or fails, or the client asks again. So the name reaches the
 * firewall's own Unbound on `port` only when every server of the group does. An override with an ipset and no
 * address writes only its ipset= line ("if override.ip or not override.ipset"), so it is none of the group.
 */
function dnsmasqAnswer(name: string, port: string, unbound: ReadonlySet<string>, overrides: readonly XmlElement[], local: readonly string[], hosts: DnsmasqHostAnswers): DnsmasqAnswer {
  const held = hosts.names.get(name);
  if (held !== undefined) return { addresses: held, from: 'its Hosts' };
  const matches = (domain: string) => name === domain || name.endsWith(`.${domain}`);
  let length = -1;
  for (const domain of local) if (matches(nameKey(domain))) length = Math.max(length, nameKey(domain).length);
  let closest: { ip: string; port: string }[] = [];
  let serverLength = -1;
  for (const o of overrides) {
    const domain = nameKey(fieldText(o, 'domain'));
    if (!matches(domain) || domain.length < serverLength) continue;
    const server = overrideServer(o);
    if (server.ip === '' && fieldText(o, 'ipset') !== '') continue;
    if (domain.length > serverLength) [closest, serverLength] = [[], domain.length];
    closest.push(server);
  }
  // address=/#/ matches every name, after every domain.
  let wildcard: string | undefined;
  for (const domain of hosts.wildcards.keys()) {
    if ((domain === '#' || matches(domain)) && (wildcard === undefined || wildcard === '#' || (domain !== '#' && domain.length > wildcard.length))) wildcard = domain;
  }
  const wildcardLength = wildcard === undefined ? -1 : wildcard === '#' ? 0 : wildcard.length;
  if (wildcard !== undefined && wildcardLength >= length && wildcardLength >= serverLength) {
    return { addresses: hosts.wildcards.get(wildcard)!, from: `its wildcard Host of ${wildcard === '#' ? 'every domain' : wildcard}` };
  }
  if (serverLength <= length) return 'elsewhere';
  return closest.every((s) => unbound.has(addressKey(s.ip)) && s.port === port) ? 'unbound' : 'elsewhere';
}

/** Whether two lists of addresses hold the same addresses, however each is written. */
function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const keys = new Set(a.map(addressKey));
  const others = new Set(b.map(addressKey));
  return keys.size === others.size && [...keys].every((k) => others.has(k));
}

/**
 * A warning when the box's Unbound runs on another port than 53, so that no client reaches gen's host overrides, and
 * one for each name dnsmasq answers on 53 from its Hosts with other addresses than gen's overrides of it. A name
 * dnsmasq answers from its Hosts with exactly those addresses is answered as gen means it.
 */
export function offPortOverrides(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const port = unboundPort(root);
  if (port === String(UNBOUND_PORT) || !unboundEnabled(root)) return [];
  const dnsmasq = dnsmasqAnswers(root);
  const unbound = dnsmasq ? unboundAddresses(root, sections) : new Set<string>();
  const overrides = childrenNamed(child(root, 'dnsmasq'), 'domainoverrides');
  const local = dnsmasq ? localDomains(root, sections) : [];
  const hosts = dnsmasq ? dnsmasqHostAnswers(root, sections) : { names: new Map<string, string[]>(), wildcards: new Map<string, string[]>() };
  // gen's addresses of each name (an A and an AAAA override are one name).
  const genAddresses = new Map<string, string[]>();
  for (const h of genHostItems(sections)) {
    const name = nameKey(hostName(h));
    genAddresses.set(name, [...(genAddresses.get(name) ?? []), fieldText(h, 'server')]);
  }
  const names: string[] = [];
  const out: string[] = [];
  for (const [name, addresses] of genAddresses) {
    const answer = dnsmasq ? dnsmasqAnswer(name, port, unbound, overrides, local, hosts) : 'elsewhere';
    if (answer === 'unbound') continue;
    if (answer === 'elsewhere') {
      names.push(name);
    } else if (!sameAddresses(answer.addresses, addresses)) {
      out.push(
        `the box's dnsmasq answers ${name} on port 53 itself, with ${answer.addresses.join(', ')} from ${answer.from}, and gen's Unbound host override would answer ${addresses.join(', ')} (Unbound listens on port ${port}, which clients do not ask): ` +
          `clients inside get the other address; give the name exactly ${addresses.join(', ')} in Services › Dnsmasq DNS & DHCP › Hosts`,
      );
    }
  }
  if (names.length === 0) return out;
  const fix = dnsmasq
    ? `dnsmasq answers port 53 and sends these names elsewhere or answers them itself: forward their domain to 127.0.0.1 port ${port} in Services › Dnsmasq DNS & DHCP › Domains, and to no other server (the names themselves where dnsmasq holds that domain as local), or add them in its Hosts with the addresses gen's overrides answer`
    : `nothing answers DNS on port 53: set Listen Port to ${UNBOUND_PORT} in Services › Unbound DNS › General`;
  return [
    `the box's Unbound DNS listens on port ${port}, not ${UNBOUND_PORT}, where clients ask the firewall, so gen's Unbound host overrides ${names.join(', ')} answer no client inside and they still reach these names through the upstream router; ${fix}`,
    ...out,
  ];
}
