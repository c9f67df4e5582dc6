// What the box's dnsmasq, where it answers DNS on port 53, does with the
// names of gen's Unbound host overrides: clients ask the firewall on 53, so
// these names reach Unbound only through dnsmasq. It reaches Unbound's
// overrides only through the domain overrides of their domain, when each of
// them forwards to an address and port the firewall's own running Unbound
// answers on (templates/OPNsense/Dnsmasq/dnsmasq.conf:
// server=/<domain>/<ip>#<port>); /etc/resolv.conf, dnsmasq's other
// upstream, names no port. A name dnsmasq holds in its Hosts (or below a
// wildcard Host's domain), or one an ISC DHCP static mapping or a Kea DHCP
// reservation registers, it
// answers itself: right when with exactly the
// addresses of gen's overrides of it (dnsmasq-hosts.ts), and wrongly
// otherwise, whatever it forwards. The box keeps an IPv6 address as it was
// typed, and dnsmasq parses it: two spellings of one address are compared as
// one. Both checks of a box whose Unbound clients do not reach (unbound-off.ts:
// disabled, unbound-port.ts: on another port) decide each name here, from the
// merged config: the box's settings, Hosts, ranges and DHCP entries as merge
// writes them, and the names of gen's own overrides.
import ipaddr from 'ipaddr.js';
import { addToList, appendAll } from '../arrays.js';
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { type DnsmasqHostAnswers, dnsmasqHostAnswers, nameKey } from './dnsmasq-hosts.js';
import { genHostItems, hostName } from './unbound-items.js';
import { resolvConfServers } from './resolv-conf-servers.js';
import { addressKey } from './listened-addresses.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { dnsmasqAtLeast } from './dnsmasq-version.js';

/**
 * The port the dnsmasq of the merged config answers DNS on, none when it does not run or runs no DNS (port 0): only one
 * the operator already runs keeps its port (merge.ts BASE_WINS_FIELDS; an empty port is 53, Dnsmasq.php; 53053 in the
 * factory config from 26.1); gen's own is DHCP only (port 0).
 */
export function dnsmasqDnsPort(root: XmlElement): string | undefined {
  const dnsmasq = child(root, 'dnsmasq');
  if (!dnsmasqEnabled(dnsmasq)) return undefined;
  const port = fieldText(dnsmasq, 'port') || '53';
  return port === '0' ? undefined : port;
}

/** Whether the dnsmasq of the merged config answers DNS on port 53 (dnsmasqDnsPort()). */
export function dnsmasqAnswers(root: XmlElement): boolean {
  return dnsmasqDnsPort(root) === '53';
}

/** Where the box's own running Unbound answers: its port, and the addresses (as addressKey() writes them) a domain override can reach it at. */
export interface UnboundReach {
  port: string;
  addresses: ReadonlySet<string>;
}

/** The record type an address answers: AAAA for an IPv6 one, A for another. */
export type Family = 'A' | 'AAAA';
export function familyOf(address: string): Family {
  return ipaddr.IPv6.isValid(address.toLowerCase()) ? 'AAAA' : 'A';
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
 * Host's address=/<domain>/ is not one of them: it answers with its addresses (dnsmasqHostAnswers()). The Hosts and
 * ranges are those of the merged config `root`: a box's Host or range gen's takes over keeps its domain and local flag,
 * which gen does not write; one gen's replaces without taking it over is gone with them, and so is a range merge drops.
 */
function localDomains(root: XmlElement): string[] {
  const dnsmasq = child(root, 'dnsmasq');
  const domains = childrenNamed(dnsmasq, 'hosts').filter((h) => fieldText(h, 'local') === '1').map((h) => fieldText(h, 'domain'));
  const dhcp = child(dnsmasq, 'dhcp');
  const on = (field: string) => (child(dhcp, field) === undefined ? true : fieldText(dhcp, field) === '1');
  const ranges = childrenNamed(dnsmasq, 'dhcp_ranges');
  if (on('fqdn') && on('local') && ranges.length > 0) {
    domains.push(fieldText(dhcp, 'domain') || fieldText(child(root, 'system'), 'domain'));
    appendAll(domains, ranges.map((r) => fieldText(r, 'domain')));
  }
  return domains.filter((d) => d !== '');
}

/**
 * The domain a domain override's server= line serves, as dnsmasq reads it: `*` (the model takes it as the domain,
 * 25.7 to 26.7, and the template writes it as it is) is every domain, as `#` and a server= without a domain
 * (domain-match.c add_update_server(): a `*` with nothing after it leaves the empty domain, no wildcard), written ''.
 */
function overrideDomain(o: XmlElement): string {
  const domain = nameKey(fieldText(o, 'domain'));
  return domain === '*' ? '' : domain;
}

/**
 * Whether dnsmasq `version` (as OPNsense's release notes name it: 2.91, 2.92rel2) answers a query itself, with no
 * address, when the closest domain the name matches is both local (local=/<domain>/) and forwarded
 * (server=/<domain>/<ip>): from 2.92 on, whose order_qsort() sorts the no-data entry of local= before the servers of
 * the same domain and filter_servers() picks it for a query (dnsmasq commit e86d53c "Fix some edge cases wth domains
 * and --address and --server", first in 2.92rc1). 2.91 and earlier sort the servers first and forward the query to
 * them. Which version answers a box is its release's (releases/<series>.ts: dnsmasq).
 */
export function answersLocalBeforeServers(version: string): boolean {
  return dnsmasqAtLeast(version, '2.92');
}

/**
 * What the box's dnsmasq does with a query for a name: forward it to Unbound only, answer it with `addresses`, answer
 * it with no address itself (`local`: a local domain), or anything else.
 */
type DnsmasqAnswer = 'unbound' | 'elsewhere' | 'resolv' | 'local' | { addresses: string[]; from: string; registeredBy: string[] };

/**
 * How the box's dnsmasq answers a query of `family` (A or AAAA) for `name`. A name of its hosts file (`hosts.names`:
 * Hosts and their aliases) it answers itself with the addresses there of that family, before any entry of its domain;
 * a query of the other family, of which the file holds none for the name, it passes on as if the name were not there
 * (dnsmasq 2.90 forwards an AAAA query for a name the file holds with an IPv4 address only), as it passes on a
 * wildcard Host's domain for the family its addresses are not of (dnsmasq 2.86 on: no NODATA answer). Otherwise it takes all the entries of the longest
 * matching domain as one group (domain-match.c lookup_domain(), filter_servers()). An address= of a wildcard Host
 * (`hosts.wildcards`) answers the queries of its addresses' type itself in every version, before the servers and the
 * local= of its domain. A local domain (`local`) closer than the servers' makes dnsmasq answer the query itself
 * (is_local_answer()); one of the same domain does so where `localFirst` (answersLocalBeforeServers() of the box's
 * dnsmasq version), and otherwise leaves the query to the servers. So does an override without address (server=/<domain>/). The template writes one server= line for each domain
 * override, in the order of their sequence (dnsmasq.conf: server=/<domain>/<ip>#<port>, no switch to leave one out),
 * and dnsmasq may send a query to any server of the group (forward.c forward_query()): by default to all of them
 * every 50 queries or 20 seconds, then to the one that answered first; with Strict order (strict-order) to the
 * first, and on to the next when that one refuses or fails, or the client asks again. So the name reaches the
 * firewall's own Unbound (`unbound`: its port and addresses, none when it does not run) only when every server of the
 * group does. An override with an ipset and no
 * address writes only its ipset= line ("if override.ip or not override.ipset"), so it is none of the group. An
 * override of `*` serves every domain (overrideDomain()), the farthest match, and dnsmasq takes the servers of
 * /etc/resolv.conf (`resolv`: resolvConfServers(), none with no_resolv: Do not forward to system defined DNS servers,
 * the template's no-resolv), which name port 53, into the same group: `resolv` when they are all that keep the
 * name from Unbound.
 */
function dnsmasqAnswer(
  name: string,
  family: Family,
  unbound: UnboundReach | undefined,
  overrides: readonly XmlElement[],
  resolv: readonly string[],
  local: readonly string[],
  hosts: DnsmasqHostAnswers,
  localFirst: boolean,
): DnsmasqAnswer {
  const ofFamily = (addresses: readonly string[] | undefined) => (addresses ?? []).filter((a) => familyOf(a) === family);
  const held = ofFamily(hosts.names.get(name));
  if (held.length > 0) {
    const registeredBy = hosts.registered.get(name) ?? [];
    return { addresses: held, from: registeredBy.length > 0 ? `its hosts file (its Hosts and the ${registeredBy.map((b) => `${b}s`).join(' and ')} it registers)` : 'its Hosts', registeredBy };
  }
  const matches = (domain: string) => name === domain || name.endsWith(`.${domain}`);
  let length = -1;
  for (const domain of local) if (matches(nameKey(domain))) length = Math.max(length, nameKey(domain).length);
  let closest: { ip: string; port: string }[] = [];
  let serverLength = -1;
  for (const o of overrides) {
    const domain = overrideDomain(o);
    if ((domain !== '' && !matches(domain)) || domain.length < serverLength) continue;
    const server = overrideServer(o);
    if (server.ip === '' && fieldText(o, 'ipset') !== '') continue;
    if (domain.length > serverLength) [closest, serverLength] = [[], domain.length];
    closest.push(server);
  }
  // address=/#/ matches every name, after every domain.
  let wildcard: string | undefined;
  for (const [domain, addresses] of hosts.wildcards) {
    if (ofFamily(addresses).length === 0) continue;
    if ((domain === '#' || matches(domain)) && (wildcard === undefined || wildcard === '#' || (domain !== '#' && domain.length > wildcard.length))) wildcard = domain;
  }
  const wildcardLength = wildcard === undefined ? -1 : wildcard === '#' ? 0 : wildcard.length;
  if (wildcard !== undefined && wildcardLength >= length && wildcardLength >= serverLength) {
    return { addresses: ofFamily(hosts.wildcards.get(wildcard)), from: `its wildcard Host of ${wildcard === '#' ? 'every domain' : wildcard}`, registeredBy: [] };
  }
  if (serverLength < length) return 'local';
  // The same domain local and forwarded: answered itself, or left to its servers, as the version decides.
  if (serverLength === length && length >= 0 && localFirst) return 'local';
  // Neither: the servers of /etc/resolv.conf.
  if (serverLength === -1) return 'elsewhere';
  if (unbound === undefined) return 'elsewhere';
  if (!closest.every((s) => unbound.addresses.has(addressKey(s.ip)) && s.port === unbound.port)) return 'elsewhere';
  // The servers of every domain are one group with those dnsmasq takes from /etc/resolv.conf.
  return serverLength === 0 && resolv.length > 0 ? 'resolv' : 'unbound';
}

/** Whether two lists of addresses hold the same addresses, however each is written. */
function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const keys = new Set(a.map(addressKey));
  const others = new Set(b.map(addressKey));
  return keys.size === others.size && [...keys].every((k) => others.has(k));
}

/**
 * A name dnsmasq answers on port 53 itself for queries of `family`, with other addresses (`held`, from `from`) than
 * gen's overrides of it of that family (`gen`, none when gen answers the name only with the other family; `all`: every
 * address of gen's overrides of it; `registeredBy`: what the box calls the DHCP items that register the name, if any).
 */
export interface WrongAnswer {
  name: string;
  family: Family;
  held: string[];
  from: string;
  registeredBy: string[];
  gen: string[];
  all: string[];
}

/**
 * What clients that ask the firewall on port 53 get for each name of gen's Unbound host overrides, with `unbound`
 * the box's running Unbound dnsmasq may forward to (undefined when Unbound does not run: a forward to it reaches
 * nothing). Each record type of a name counts on its own: dnsmasq may answer one from its Hosts and pass the other
 * on. `unreached`: the names and types gen's overrides answer that dnsmasq neither answers with gen's addresses nor
 * forwards to Unbound only (all of them when dnsmasq answers no DNS on 53), `unreachedNames` the same as names, a
 * name with the type when gen answers it with another type too; `wrong`: the names and types dnsmasq answers from its
 * Hosts with other addresses than gen's of that type, or with addresses of a type gen's overrides do not answer. A
 * name and type it answers from its Hosts with exactly gen's addresses is in neither. Names as nameKey() writes them.
 * `viaResolv`: the servers of /etc/resolv.conf (resolvConfServers()) that alone keep one of the unreached from
 * Unbound, beside an override of `*` to it; none when no name misses Unbound for them. `root` is the merged config;
 * gen's overrides are those of its `sections`. `dnsmasqVersion`: the version of the box's dnsmasq (its release's).
 */
export function genNamesOnPort53(
  root: XmlElement,
  sections: readonly XmlElement[],
  unbound: UnboundReach | undefined,
  dnsmasqVersion: string,
): { unreached: Set<string>; unreachedNames: string[]; wrong: WrongAnswer[]; passedOn: PassedOn[]; viaResolv: readonly string[] } {
  const dnsmasq = dnsmasqAnswers(root);
  const overrides = childrenNamed(child(root, 'dnsmasq'), 'domainoverrides');
  const resolv = fieldText(child(root, 'dnsmasq'), 'no_resolv') === '1' ? [] : resolvConfServers(root);
  const localFirst = answersLocalBeforeServers(dnsmasqVersion);
  const local = dnsmasq ? localDomains(root) : [];
  const hosts = dnsmasq ? dnsmasqHostAnswers(root) : { names: new Map<string, string[]>(), wildcards: new Map<string, string[]>(), registered: new Map<string, string[]>() };
  // gen's addresses of each name (an A and an AAAA override are one name).
  const genAddresses = new Map<string, string[]>();
  for (const h of genHostItems(sections)) {
    addToList(genAddresses, nameKey(hostName(h)), fieldText(h, 'server'));
  }
  const unreached = new Set<string>();
  const unreachedNames: string[] = [];
  const wrong: WrongAnswer[] = [];
  const passedOn: PassedOn[] = [];
  let viaResolv: readonly string[] = [];
  for (const [name, all] of genAddresses) {
    const missed: Family[] = [];
    const passed: Family[] = [];
    const wrongBefore = wrong.length;
    for (const family of ['A', 'AAAA'] as const) {
      const gen = all.filter((a) => familyOf(a) === family);
      const given = dnsmasq ? dnsmasqAnswer(name, family, unbound, overrides, resolv, local, hosts, localFirst) : 'elsewhere';
      if (given === 'resolv' && gen.length > 0) viaResolv = resolv;
      const answer = given === 'resolv' ? 'elsewhere' : given;
      // A type gen does not answer: Unbound answers it with no record (the override's name holds local data of the
      // other type only), so it matters where dnsmasq answers it with addresses or sends it to other servers.
      if (gen.length === 0 && typeof answer === 'string') {
        if (answer === 'elsewhere') passed.push(family);
        continue;
      }
      if (answer === 'elsewhere' || answer === 'local') missed.push(family);
      else if (answer !== 'unbound' && !sameAddresses(answer.addresses, gen)) wrong.push({ name, family, held: answer.addresses, from: answer.from, registeredBy: answer.registeredBy, gen, all });
    }
    for (const family of missed) unreached.add(`${name} ${family}`);
    if (missed.length > 0) unreachedNames.push(missed.length === new Set(all.map(familyOf)).size ? name : `${name} (${missed.join(', ')})`);
    // Named only where the types gen answers are answered as gen means: otherwise the fix of those covers this too.
    if (missed.length === 0 && wrong.length === wrongBefore) for (const family of passed) passedOn.push({ name, family, all });
  }
  return { unreached, unreachedNames, wrong, passedOn, viaResolv };
}

/**
 * A name whose record type `family` gen's overrides answer none of, so that Unbound answers that type with no
 * record, which dnsmasq passes on to other servers than Unbound while it answers the name's other type with gen's
 * addresses (`all`): a Host of gen's IPv4 address with the name's domain forwarded elsewhere (dnsmasq 2.90 forwards an
 * AAAA query for a name its hosts file holds with an IPv4 address only).
 */
export interface PassedOn {
  name: string;
  family: Family;
  all: string[];
}

/** The warning for a name whose other record type dnsmasq passes on elsewhere; `why` says why Unbound's answer reaches no client, `fix` what to do. */
export function passedOnWarning(p: PassedOn, why: string, fix: string): string {
  const kind = p.family === 'AAAA' ? 'IPv6' : 'IPv4';
  return (
    `the box's dnsmasq answers ${p.name} with gen's ${p.all.join(', ')} but passes its ${p.family} queries on to other servers than Unbound, where gen's Unbound host override would answer ` +
    `no ${kind} address (${why}): a client inside that gets the name's ${kind} address from there (its public one) connects past gen's answer; ${fix}`
  );
}

/** The warning for a name dnsmasq answers with other addresses than gen's; `why` says why Unbound's answer reaches no client. */
export function wrongAnswerWarning(w: WrongAnswer, why: string): string {
  return (
    `the box's dnsmasq answers ${w.name} on port 53 itself, with ${w.held.join(', ')} from ${w.from}, and gen's Unbound host override would answer ` +
    `${w.gen.length > 0 ? w.gen.join(', ') : `no ${w.family === 'AAAA' ? 'IPv6' : 'IPv4'} address`} (${why}): ` +
    `clients inside get the other address; give the name exactly ${w.all.join(', ')} in Services › Dnsmasq DNS & DHCP › Hosts` +
    (w.registeredBy.length > 0 ? ` and rename its ${w.registeredBy.join(' and its ')}, or turn off Register DHCP static mappings in Services › Dnsmasq DNS & DHCP › General` : '')
  );
}
