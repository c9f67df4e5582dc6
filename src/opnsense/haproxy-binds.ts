// The binds of the enabled HAProxy frontends of a merged configuration, the
// box's own as much as gen's, as the kernel takes them, and how FreeBSD
// shares a port between listening sockets (listeners.ts, gui-listeners.ts).
//
// HAProxy sets SO_REUSEADDR, SO_REUSEPORT and, on FreeBSD, SO_REUSEPORT_LB
// on each listening socket unless `noreuseport` is in its global section
// (sock_inet_bind_receiver() in src/sock_inet.c); the web GUI's lighttpd
// sets SO_REUSEADDR only (network_server_init() in src/network.c). FreeBSD
// (in_pcbbind_setup() in sys/netinet/in_pcb.c) refuses a bind to an address
// and port a socket holds unless both set SO_REUSEPORT or SO_REUSEPORT_LB,
// and, for sockets made by root (both bind before they drop it: HAProxy's
// bind_listeners() runs before set_identity(), lighttpd's network_init()
// before its setuid()), with SO_REUSEADDR never refuses a wildcard beside a
// specific address.
// A connection goes to a socket of its exact 4-tuple, else to an
// SO_REUSEPORT_LB group (one bound to its address before one bound to the
// wildcard; within a group, by a hash of the client's address and ports),
// and only then to any other socket, again its address's before the
// wildcard's (in_pcblookup_hash_locked(), in_pcblookup_lbgroup(),
// in_pcblookup_hash_wild_locked(); in6_pcb.c alike). An IPv4 connection is
// looked up among the groups and sockets that take IPv4 (INP_IPV4: those of
// AF_INET, and those on :: without IPV6_V6ONLY), an IPv6 one among those of
// AF_INET6 (INP_IPV6); a socket on :: without IPV6_V6ONLY joins no group
// (in_pcbinslbgrouphash(): "Don't allow IPv4 mapped INET6 wild socket"), and
// an IPv4 connection goes to a wildcard socket of AF_INET before one of these
// (in_pcblookup_hash_wild_locked(): local_wild_mapped last).
import ipaddr from 'ipaddr.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { addToList } from '../arrays.js';
import { parseIPv6 } from '../net.js';
import { addressKey } from './listened-addresses.js';

export interface Bind {
  frontend: string;
  /** One of gen's frontends. */
  gen: boolean;
  text: string;
  family: 'inet' | 'inet6' | 'unix';
  /** A socket of AF_INET6 without IPV6_V6ONLY (tcp6_usr_bind() gives it INP_IPV4 on ::). */
  v4v6: boolean;
  /** Empty for the wildcard address; a host name (`name`) as written, in lower case. */
  address: string;
  /** The address is a host name, which HAProxy resolves with getaddrinfo() when it starts (str2ip2()): the box's /etc/hosts, then its DNS. */
  name: boolean;
  transport: 'tcp' | 'udp';
  from: number;
  to: number;
}

const WILDCARDS = new Set(['', '*', '0.0.0.0', '::']);

/**
 * Whether a frontend's IPv6 sockets take IPv4 too: HAProxy clears IPV6_V6ONLY
 * for `v4v6` among its bind options unless `v6only` is there too, and else
 * sets it, FreeBSD's default (sock_inet_bind_receiver() in src/sock_inet.c).
 */
function takesIpv4(bindOptions: string): boolean {
  const words = bindOptions.trim().split(/\s+/);
  return words.includes('v4v6') && !words.includes('v6only');
}

/** A bind HAProxy refuses: what it prints for it (str2sa_range() in src/tools.c, 2.6 to 3.2 alike, after "'bind' : "), and why. */
export interface Refusal {
  prints: string;
  why: string;
}

/** What becomes of a bind's host name (Bind.name), in messages: str2ip2() resolves it with getaddrinfo() as HAProxy starts. */
export const NAME_RESOLVED = "which HAProxy resolves when it starts (getaddrinfo(): the box's /etc/hosts, then its DNS; a name it cannot resolve stops HAProxy)";

const NAME_CHARACTERS = "a host name holds letters, digits, '-', '_' and dots only, in labels of at most 63 characters";

/**
 * The address text of a bind (its port split off at the last colon) as str2ip2() (src/tools.c, alike from 2.6 to 3.2)
 * takes it, or why HAProxy refuses it ("invalid address"): in brackets only from 4 characters ("[::]") to
 * 47 with them, so "[0]", "[*]" and "[]" are none; an IPv6 text only as inet_pton() reads it, which reads no zone
 * ("fe80::1%lo"); any other text a host name only as resolv_hostname_validation() (src/resolvers.c) takes one,
 * letters, digits, '-', '_' and dots, in labels of at most 63 characters and 255 in all, before getaddrinfo().
 */
function str2ip2Text(host: string): string | { why: string } {
  const bracketed = /^\[(.*)\]$/.exec(host);
  if (host.startsWith('[') && host.length < 4) return { why: 'HAProxy takes brackets only around 2 characters or more ("[::]")' };
  if (host.startsWith('[') && (!bracketed || host.length >= 48)) return { why: 'HAProxy takes brackets only around a whole IPv6 address, closed before the port' };
  const text = bracketed ? bracketed[1]! : host;
  if (text === '' || text === '*') return text;
  if (text.includes('%')) return { why: "HAProxy reads an IPv6 address with inet_pton(), which takes no zone, and a host name has no '%'" };
  if (text.includes(':')) return parseIPv6(text) !== undefined ? text : { why: "it is no IPv6 address, and a host name has no ':'" };
  return text.length <= 255 && /^[-_a-zA-Z0-9.]*$/.test(text) && text.split('.').every((label) => label.length <= 63) ? text : { why: NAME_CHARACTERS };
}

/** Why HAProxy refuses a port of a bind, in str2sa_range()'s order (its first port, its last, then the two), if it does. */
function portRefusal(first: string, last: string | undefined): Refusal | undefined {
  for (const port of last === undefined ? [first] : [first, last]) {
    if (Number(port) < 1 || Number(port) > 65535) return { prints: `invalid port '${port}'`, why: 'HAProxy takes ports 1 to 65535' };
  }
  if (last !== undefined && Number(first) > Number(last)) return { prints: `invalid port range '${Number(first)}-${Number(last)}'`, why: 'its first port is above its last' };
  return undefined;
}

/**
 * One entry of a frontend's bind list (CSVListField): [ipv4@|ipv6@|quic4@|quic6@]address:port[-port], [v6]:port,
 * or unix@name. A prefix sets the family, of the wildcard too (`ipv6@:443` is ::), and HAProxy refuses an address
 * of the other family; without one, the empty address and * are 0.0.0.0 (str2sa_range(), str2ip2() in src/tools.c).
 * str2sa_range()'s other prefixes (tcp@, udp6@, mptcp@, ip@, stream+, fd@, abns@...) are not read: the plugin's model
 * refuses them (HAProxy.xml, the bind Mask, lets '@' through in quic4@, quic6@ and unix@ only, and no '+'), as it does
 * ipv4@ and ipv6@, read all the same. A port is 1 to 65535, a range's first port not above its last, or HAProxy
 * refuses the bind ("invalid port", "invalid port range"), before it reads the address; so are the addresses
 * str2ip2Text() refuses. A refused bind binds nothing, and with it HAProxy starts none (haproxy-refusals.ts says so).
 */
function parseBind(frontend: string, gen: boolean, text: string, v4v6 = false): Bind | Refusal | undefined {
  const entry = text.trim();
  // The plugin's template writes each entry of the list split at commas as `bind <entry> name <entry> ...`, an empty one
  // (the Mask takes a comma at the end) as `bind  name ...`, whose address str2sa_range() reads as "name".
  if (entry === '') return { prints: "missing port specification in 'name'", why: 'the list ends in a comma, and the plugin writes the empty entry after it as a bind of the address "name"' };
  if (entry.startsWith('unix@')) return undefined;
  const prefix = /^(quic|ipv)([46])@/.exec(entry);
  const rest = prefix ? entry.slice(prefix[0].length) : entry;
  const match = /^(.*):([0-9]+)(?:-([0-9]+))?$/.exec(rest);
  if (!match) return undefined;
  const ports = portRefusal(match[2]!, match[3]);
  if (ports) return ports;
  const from = Number(match[2]);
  const to = match[3] === undefined ? from : Number(match[3]);
  const invalid = (why: string): Refusal => ({ prints: `invalid address: '${match[1]}' in '${entry}'`, why });
  const written = str2ip2Text(match[1]!);
  if (typeof written !== 'string') return invalid(written.why);
  // str2ip2() (src/tools.c) takes what inet_pton() does, then resolves the rest with getaddrinfo(), which (glibc, and
  // FreeBSD's explore_numeric()) reads an IPv4 address as inet_aton() does: "0" is 0.0.0.0, "127.1" and "0177.0.0.1"
  // 127.0.0.1, "010.0.0.1" 8.0.0.1 (ipaddr.js parses those forms alike). Under ipv6@ none of them is an IPv6 address.
  const aton = ipaddr.IPv4.isValid(written) ? ipaddr.IPv4.parse(written).toString() : undefined;
  // By value, as HAProxy binds it: fd00:0::1 is fd00::1, and 0::0 the wildcard.
  const key = aton ?? addressKey(written);
  const family: Bind['family'] = prefix ? (prefix[2] === '6' ? 'inet6' : 'inet') : key.includes(':') ? 'inet6' : 'inet';
  // An IP address of the other family than the prefix's (a host name has no colon).
  if (family === 'inet' ? key.includes(':') : aton !== undefined) return invalid(`${prefix![0]} takes ${family === 'inet' ? 'IPv4' : 'IPv6'} addresses only`);
  const dual = v4v6 && family === 'inet6';
  // FreeBSD binds an IPv4-mapped address of a socket without IPV6_V6ONLY as that IPv4 address (tcp6_usr_bind(): in_pcbbind()).
  const v6 = dual ? parseIPv6(written) : undefined;
  const v4 = v6?.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : undefined;
  const address = v4 ?? key;
  return {
    frontend,
    gen,
    text: entry,
    family: v4 === undefined ? family : 'inet',
    v4v6: dual,
    address: WILDCARDS.has(address) ? '' : address,
    name: aton === undefined && parseIPv6(written) === undefined && !WILDCARDS.has(address),
    transport: prefix?.[1] === 'quic' ? 'udp' : 'tcp',
    from,
    to,
  };
}

/** A bind on the wildcard whose socket takes IPv4 from AF_INET6 (v4v6): FreeBSD puts it in no SO_REUSEPORT_LB group, and looks it up last. */
export function mappedWildcard(b: Bind): boolean {
  return b.v4v6 && b.address === '';
}

/**
 * A bind of IPv4 from a socket of AF_INET6 (an IPv4-mapped address, v4v6): its socket keeps INP_IPV6PROTO
 * (in_pcballoc()), so in_pcbinslbgrouphash(), which matches il_vflag, puts it in another group than AF_INET's.
 */
export function fromInet6(b: Bind): boolean {
  return b.v4v6 && b.family === 'inet';
}

/** The families of the connections a bind's socket takes: IPv4 too on :: without IPV6_V6ONLY. */
export function takenFamilies(b: Bind): Bind['family'][] {
  return b.family === 'inet6' && mappedWildcard(b) ? ['inet', 'inet6'] : [b.family];
}

export const FAMILY_NAMES: Record<Bind['family'], string> = { inet: 'IPv4', inet6: 'IPv6', unix: 'UNIX' };

/**
 * The frontends that listen: the plugin's template writes those whose
 * enabled is 1 into haproxy.conf, and one without the field gets 1, the
 * model's default, on the plugin's next save; only 0 keeps one out.
 */
export function listeningFrontends(haproxy: XmlElement | undefined): XmlElement[] {
  return childrenNamed(child(haproxy, 'frontends'), 'frontend').filter((f) => fieldText(f, 'enabled') !== '0');
}

/** Each entry of the bind list of each enabled frontend of an enabled HAProxy, read (or refused) as HAProxy reads it. */
function readBinds(root: XmlElement, isGen: (uuid: string) => boolean): { frontend: XmlElement; text: string; read: Bind | Refusal }[] {
  const haproxy = child(child(root, 'OPNsense'), 'HAProxy');
  // The plugin's rc.conf.d template starts HAProxy (haproxy_enable=YES) only with general.enabled 1.
  if (fieldText(child(haproxy, 'general'), 'enabled') !== '1') return [];
  return listeningFrontends(haproxy).flatMap((f) => {
    const v4v6 = takesIpv4(fieldText(f, 'bindOptions'));
    // The template writes no bind of an empty list.
    const list = fieldText(f, 'bind');
    return (list === '' ? [] : list.split(',')).flatMap((text) => {
      const read = parseBind(fieldText(f, 'name'), isGen(attr(f, 'uuid') ?? ''), text, v4v6);
      return read === undefined ? [] : [{ frontend: f, text: text.trim(), read }];
    });
  });
}

/** The enabled frontends of an enabled HAProxy, with their binds. */
export function haproxyBinds(root: XmlElement, isGen: (uuid: string) => boolean = () => false): Bind[] {
  return readBinds(root, isGen).flatMap(({ read }) => ('prints' in read ? [] : [read]));
}

/** The entries of the enabled frontends of an enabled HAProxy that HAProxy refuses, each with its frontend and why. */
export function refusedBinds(root: XmlElement): { frontend: XmlElement; text: string; refusal: Refusal }[] {
  return readBinds(root, () => false).flatMap(({ frontend, text, read }) => ('prints' in read ? [{ frontend, text, refusal: read }] : []));
}

/**
 * Whether HAProxy's listening sockets join SO_REUSEPORT_LB groups: unless
 * the custom options of its global section (general.tuning.customOptions,
 * written line by line into `global` by the plugin's haproxy.conf) hold
 * `noreuseport` (cfgparse-global.c clears PROTO_F_REUSEPORT_SUPPORTED).
 */
export function reusesPort(root: XmlElement): boolean {
  const tuning = child(child(child(child(root, 'OPNsense'), 'HAProxy'), 'general'), 'tuning');
  return !fieldText(tuning, 'customOptions').split('\n').some((line) => line.trim().split(/\s+/)[0] === 'noreuseport');
}

/** Whether two binds of one family and transport share a port. */
function sharePort(o: Bind, b: Bind): boolean {
  return o.from <= b.to && b.from <= o.to;
}

/** Whether two binds of one family and transport take a port of the same address (the wildcard covers every address of its family). */
function clashing(o: Bind, b: Bind): boolean {
  return sharePort(o, b) && (o.address === b.address || o.address === '' || b.address === '');
}

/** Whether two binds of one family and transport take a port of one address by the same text's value (both the wildcard, or one address). */
function duplicate(o: Bind, b: Bind): boolean {
  return sharePort(o, b) && o.address === b.address;
}

/**
 * The binds seen so far, to find the first that clashes with another, or
 * each (compared with each before it, a bind per frontend made the work
 * frontends × frontends). A bind of one port is looked up by its port;
 * port ranges, rare, are compared with each other one by one.
 */
export class EarlierBinds {
  private readonly binds: Bind[] = [];
  /** The binds of one port (indices, in order), by family, transport, address and port; and by family, transport and port of any address. */
  private readonly byAddress = new Map<string, number[]>();
  private readonly byPort = new Map<string, number[]>();
  /** The binds of one port, and those of a range, by family and transport (indices, in order). */
  private readonly single = new Map<string, number[]>();
  private readonly ranges = new Map<string, number[]>();

  /** The first bind seen on a port of `b` and of its address (`exact`), or of its address or the wildcard. */
  first(b: Bind, exact: boolean): Bind | undefined {
    return this.binds[this.indices(b, exact, true).reduce((x, y) => Math.min(x, y), Infinity)];
  }

  /** Every bind seen on a port of `b` and of its address or the wildcard, in order. */
  all(b: Bind): Bind[] {
    return this.indices(b, false, false)
      .sort((x, y) => x - y)
      .map((i) => this.binds[i]!);
  }

  add(b: Bind): void {
    const index = this.binds.push(b) - 1;
    const group = `${b.family} ${b.transport}`;
    if (b.from !== b.to) {
      addToList(this.ranges, group, index);
      return;
    }
    addToList(this.single, group, index);
    addToList(this.byAddress, JSON.stringify([group, b.address, b.from]), index);
    addToList(this.byPort, JSON.stringify([group, b.from]), index);
  }

  /** The binds that match `b` (`exact`: of its address only), unordered; the first of each list only (`firstOnly`), which holds the first of all. */
  private indices(b: Bind, exact: boolean, firstOnly: boolean): number[] {
    const group = `${b.family} ${b.transport}`;
    const matches = (i: number) => (exact ? duplicate : clashing)(this.binds[i]!, b);
    const ranges = (this.ranges.get(group) ?? []).filter(matches);
    const found = firstOnly ? ranges.slice(0, 1) : ranges;
    const singles = this.single.get(group) ?? [];
    if (b.to - b.from >= singles.length) {
      const hits = singles.filter(matches);
      return found.concat(firstOnly ? hits.slice(0, 1) : hits);
    }
    for (let port = b.from; port <= b.to; port++) {
      for (const list of this.onPort(group, b.address, port, exact)) for (const i of firstOnly ? list.slice(0, 1) : list) found.push(i);
    }
    return found;
  }

  /** The lists of binds of one port that take `port` of `address`: of that address, or (not `exact`) the wildcard, or of any address for the wildcard (''). */
  private onPort(group: string, address: string, port: number, exact: boolean): number[][] {
    const same = this.byAddress.get(JSON.stringify([group, address, port])) ?? [];
    if (exact) return [same];
    if (address === '') return [this.byPort.get(JSON.stringify([group, port])) ?? []];
    return [same, this.byAddress.get(JSON.stringify([group, '', port])) ?? []];
  }
}

/** The ports two binds share, in messages. */
export function portsOf(a: Bind, b: Bind): string {
  const [from, to] = [Math.max(a.from, b.from), Math.min(a.to, b.to)];
  return from === to ? `port ${from}` : `ports ${from}-${to}`;
}
