// Who else listens on one port of the merged configuration, the box's own
// items as much as gen's: HAProxy frontends beside each other (FreeBSD's
// rules: haproxy-binds.ts) and WireGuard instances; and a HAProxy left
// with nothing to listen on. The web GUI's ports: gui-listeners.ts.
import ipaddr from 'ipaddr.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { dnsmasqDnsPort } from './dnsmasq-answer.js';
import { addToList } from '../arrays.js';
import { parseAddressCidr } from '../net.js';
import { type Bind, EarlierBinds, FAMILY_NAMES, NAME_RESOLVED, fromInet6, haproxyBinds, listeningFrontends, mappedWildcard, portsOf, reusesPort, takenFamilies } from './haproxy-binds.js';

/**
 * HAProxy left enabled with no enabled frontend (merge removed gen's, and the
 * box has none of its own, or only disabled ones): it exits at start ("No
 * enabled listener found").
 */
export function idleHaproxy(root: XmlElement): string[] {
  const haproxy = child(child(root, 'OPNsense'), 'HAProxy');
  if (fieldText(child(haproxy, 'general'), 'enabled') !== '1' || listeningFrontends(haproxy).length > 0) return [];
  return ['HAProxy is still enabled and has no enabled frontend left, so it will not start: disable it (Services › HAProxy › Settings), or add or enable a frontend'];
}
/**
 * Two enabled frontends on an overlapping port of one address. With
 * SO_REUSEPORT_LB both bind it, into one group, and FreeBSD hands each
 * connection to one of the group's sockets by a hash of the client's
 * address and ports (in_pcblookup_lbgroup(): INP_PCBLBGROUP_PKTHASH); two
 * binds of one frontend then serve it alike. An IPv4-mapped address bound
 * from AF_INET6 (v4v6) and the same address from AF_INET make two groups,
 * and in_pcblookup_lbgroup() keeps one group of the address for every
 * connection (the last in the hash chain, where new groups go first, for a
 * packet of no NUMA domain; else the first), so one of the two frontends
 * gets them all. A socket on :: that takes IPv4
 * (v4v6) joins no group: beside another on the wildcard, it gets none of the
 * connections the other's group or AF_INET socket takes. With `noreuseport`
 * the later bind fails with EADDRINUSE, and HAProxy does not start; so does
 * a bind of 0.0.0.0 after one of :: that takes IPv4 (in_pcbbind_setup()),
 * while the other order binds (in6_pcbbind()).
 */
export function bindClashes(root: XmlElement, binds: readonly Bind[] = haproxyBinds(root)): string[] {
  const grouped = reusesPort(root);
  const earlier = new EarlierBinds();
  const out: string[] = [];
  const fix = 'Give one of them another port or address, or disable it (Services > HAProxy > Settings > Virtual Services)';
  const ungrouped = 'FreeBSD puts a socket on :: that takes IPv4 (v4v6) into no SO_REUSEPORT_LB group';
  for (const b of binds) {
    const clash = earlier.first(b, true);
    earlier.add(b);
    if (!clash || (grouped && clash.frontend === b.frontend)) continue;
    if (grouped && (mappedWildcard(b) || mappedWildcard(clash))) {
      const pair = `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port of the same address`;
      const [mapped, other] = mappedWildcard(clash) ? [clash, b] : [b, clash];
      const effect = mappedWildcard(other)
        ? 'and hands every connection to the same one of them: the other frontend gets none'
        : `and hands each ${FAMILY_NAMES[other.family]} connection to ${other.frontend}'s group: ${mapped.frontend} gets none of them`;
      out.push(`${pair}: both bind it, but ${ungrouped}, ${effect}. ${fix}`);
      continue;
    }
    if (grouped && fromInet6(b) !== fromInet6(clash)) {
      out.push(
        `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port of the same address: both bind it, but FreeBSD puts a socket of AF_INET6 on an IPv4-mapped address (v4v6) ` +
          `into another SO_REUSEPORT_LB group than one of AF_INET, and hands every connection to the same one of the two groups: the other frontend gets none. ${fix}`,
      );
      continue;
    }
    if (grouped) {
      out.push(
        `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port of the same address: HAProxy sets SO_REUSEPORT_LB on both sockets, ` +
          `so both bind it, and FreeBSD hands each connection to one of them by a hash of the client's address and port: each frontend gets some of them. ${fix}`,
      );
      continue;
    }
    const who = clash.frontend === b.frontend ? `HAProxy frontend ${b.frontend} binds both ${clash.text} and ${b.text}` : `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port`;
    out.push(`${who}: with noreuseport in HAProxy's custom options (Services > HAProxy > Settings > Global Parameters) FreeBSD refuses the second bind, and HAProxy would not start. ${fix}`);
  }
  // 0.0.0.0 beside :: that takes IPv4: both take IPv4, which the comparison by family above does not see.
  const ipv4 = new EarlierBinds();
  const original = new Map<Bind, Bind>();
  for (const b of binds) {
    const plain = b.family === 'inet' && !mappedWildcard(b);
    if (b.address !== '' || b.transport !== 'tcp' || !(plain || (b.family === 'inet6' && mappedWildcard(b)))) continue;
    const view: Bind = Object.assign({}, b, { family: 'inet' as const });
    original.set(view, b);
    const seen = ipv4.first(view, true);
    ipv4.add(view);
    const clash = seen && original.get(seen)!;
    if (!clash || clash.family === b.family || (grouped && clash.frontend === b.frontend)) continue;
    const [mapped] = b.family === 'inet6' ? [b, clash] : [clash, b];
    const ports = portsOf(b, clash);
    if (grouped) {
      out.push(
        `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) both take the IPv4 connections to ${ports}: both bind it, but ${ungrouped}, ` +
          `and hands an IPv4 connection to the socket on 0.0.0.0 (or its group) before the one on ::, so ${mapped.frontend} gets only the IPv6 connections. ${fix}`,
      );
      continue;
    }
    const who = clash.frontend === b.frontend ? `HAProxy frontend ${b.frontend} binds both ${clash.text} and ${b.text}` : `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) both take the IPv4 connections to ${ports}`;
    out.push(
      `${who}: with noreuseport in HAProxy's custom options (Services > HAProxy > Settings > Global Parameters) FreeBSD refuses a bind of 0.0.0.0 after one of :: that takes IPv4 (v4v6), ` +
        `and HAProxy would not start; in the other order the socket on 0.0.0.0 gets every IPv4 connection, and ${mapped.frontend} only the IPv6 ones. ${fix}`,
    );
  }
  return out;
}

/** A bind's frontend and text, in messages of binds of gen and the box. */
function shadowLabel(b: Bind): string {
  return `${b.gen ? "gen's" : "the base's"} HAProxy frontend ${b.frontend} (${b.text})`;
}

/**
 * A frontend on an address beside one on the wildcard, on an overlapping
 * port: both bind it, and FreeBSD hands a connection to the socket (or
 * SO_REUSEPORT_LB group) of its address before the wildcard's, so the
 * wildcard frontend gets none of that address's; an IPv4 address beside
 * :: that takes IPv4 (v4v6) alike. Said of each wildcard of another
 * frontend on the port, where one of the two is gen's (the wildcards of
 * the box's own, which a port range may meet beside gen's, do not hide
 * gen's); two of the box's own are the box's business.
 */
export function bindShadows(binds: readonly Bind[]): string[] {
  // Only wildcard binds in them, every one and gen's: each that takes a port of a specific bind is its wildcard. One on :: that takes
  // IPv4 (v4v6) counts for IPv4 too: in_pcblookup_hash_wild_locked() hands it an IPv4 connection after a socket on its address.
  const wildcards = new EarlierBinds();
  const gens = new EarlierBinds();
  for (const b of binds) {
    if (b.address !== '') continue;
    for (const family of takenFamilies(b)) {
      const view: Bind = Object.assign({}, b, { family });
      wildcards.add(view);
      if (b.gen) gens.add(view);
    }
  }
  const out: string[] = [];
  for (const s of binds) {
    if (s.address === '') continue;
    // gen's bind meets every wildcard; the box's, gen's only.
    for (const w of (s.gen ? wildcards : gens).all(s)) {
      if (w.frontend === s.frontend) continue;
      out.push(
        `${shadowLabel(s)} takes the connections to ${s.address} on ${portsOf(s, w)}, and ${shadowLabel(w)} only those to other addresses: FreeBSD hands a connection to a socket bound to its address ` +
          `before one bound to the wildcard. If ${w.frontend} is to answer at ${s.address} too, give ${s.frontend} another port or disable it (Services > HAProxy > Settings > Virtual Services)`,
      );
    }
  }
  return out;
}

/**
 * A frontend of the box's own that binds a host name on a port where one of
 * gen's frontends binds an address of that family: HAProxy resolves the name
 * when it starts (getaddrinfo(): the box's /etc/hosts, then its DNS), and if
 * it is gen's address the two bind one port of it (bindClashes: both share
 * it, or with noreuseport HAProxy does not start). Said, not refused: merge
 * cannot tell. Beside gen's wildcard, bindShadows says what happens; two of
 * the box's own are the box's business.
 */
export function namedBindClashes(binds: readonly Bind[]): string[] {
  const named = binds.filter((b) => !b.gen && b.name);
  if (named.length === 0) return [];
  // gen's binds on an address, looked up by port (as a wildcard's are): each name meets those of its ports only.
  const gens = new EarlierBinds();
  for (const b of binds) if (b.gen && b.address !== '' && !b.name) gens.add(b);
  const out: string[] = [];
  for (const n of named) {
    for (const g of gens.all(Object.assign({}, n, { address: '' }))) {
      out.push(
        `the base's HAProxy frontend ${n.frontend} (${n.text}) binds a host name, ${NAME_RESOLVED}, ` +
          `and gen's HAProxy frontend ${g.frontend} (${g.text}) listens on ${portsOf(n, g)} of ${g.address}: merge cannot tell whether ${n.address} is ${g.address}. ` +
          `If it is, both bind it, and FreeBSD hands each connection to one of the two by a hash of the client's address and port (SO_REUSEPORT_LB), or, with noreuseport in HAProxy's custom options, HAProxy does not start. ` +
          `Bind ${n.frontend} to an address instead of a name, give it another port, or disable it (Services > HAProxy > Settings > Virtual Services)`,
      );
    }
  }
  return out;
}

/** An enabled WireGuard instance of the merged configuration. */
interface WireguardInstance {
  label: string;
  gen: boolean;
  port: string;
  networks: { text: string; address: ipaddr.IPv4 | ipaddr.IPv6; prefix: number }[];
}

/** A network's leading `bits` as a key: its family, the length and the bits. */
function blockKey(kind: string, bitString: string, bits: number): string {
  return `${kind} ${bits} ${bitString.slice(0, bits)}`;
}

/**
 * For each instance, the earlier ones (ascending) it may clash with: one of
 * gen's and one on the same port, or with tunnel networks of which one
 * holds the other (CIDR blocks overlap only so). They are looked up by port
 * and by each leading part of a network's address, not compared pair by
 * pair (instances × instances); a pair of the box's own is not looked for.
 */
function clashCandidates(instances: readonly WireguardInstance[]): Map<number, number[]> {
  const all = new Map<string, number[]>();
  const gens = new Map<string, number[]>();
  const add = (key: string, index: number) => {
    addToList(all, key, index);
    if (instances[index]!.gen) addToList(gens, key, index);
  };
  const blocks = instances.map((w, index) => {
    if (w.port !== '') add(`port ${w.port}`, index);
    return w.networks.map((n) => {
      const bitString = n.address.toByteArray().map((byte) => byte.toString(2).padStart(8, '0')).join('');
      add(blockKey(n.address.kind(), bitString, n.prefix), index);
      return { kind: n.address.kind(), bitString, prefix: n.prefix };
    });
  });
  const pairs = new Map<number, Set<number>>();
  const pair = (i: number, j: number) => {
    if (i === j) return;
    const [earlier, later] = i < j ? [i, j] : [j, i];
    const set = pairs.get(later) ?? new Set<number>();
    pairs.set(later, set.add(earlier));
  };
  instances.forEach((w, index) => {
    // gen's instance meets every other; the box's own only gen's.
    const others = w.gen ? all : gens;
    if (w.port !== '') for (const j of others.get(`port ${w.port}`) ?? []) pair(index, j);
    // The networks that hold this one: those of each shorter (or equal) prefix with the same leading bits.
    for (const block of blocks[index]!) {
      for (let bits = 0; bits <= block.prefix; bits++) for (const j of others.get(blockKey(block.kind, block.bitString, bits)) ?? []) pair(index, j);
    }
  });
  const out = new Map<number, number[]>();
  for (const [later, earlier] of pairs) out.set(later, [...earlier].sort((x, y) => x - y));
  return out;
}

function wireguardInstances(root: XmlElement, isGen: (uuid: string) => boolean): WireguardInstance[] {
  const servers = child(child(child(child(root, 'OPNsense'), 'wireguard'), 'server'), 'servers');
  return childrenNamed(servers, 'server')
    .filter((s) => fieldText(s, 'enabled') === '1')
    .map((s) => ({
      gen: isGen(attr(s, 'uuid') ?? ''),
      label: `${isGen(attr(s, 'uuid') ?? '') ? "gen's" : "the base's"} WireGuard instance ${fieldText(s, 'name')} (instance ${fieldText(s, 'instance')}, device wg${fieldText(s, 'instance')})`,
      port: fieldText(s, 'port'),
      networks: fieldText(s, 'tunneladdress')
        .split(',')
        .map((t) => t.trim())
        .flatMap((text) => {
          const parsed = parseAddressCidr(text);
          return parsed ? [{ text, address: parsed[0], prefix: parsed[1] }] : [];
        }),
    }));
}

/**
 * Two enabled WireGuard instances that cannot both work: one UDP port
 * (wg-service-control.php starts each instance with its ListenPort; the
 * second cannot bind it, and OPNsense's model does not refuse it), or
 * overlapping tunnel networks (two devices with routes to one network).
 * An empty port is a random one. Pairs of the box's own instances are
 * the box's business: only pairs with one of gen's are reported.
 */
export function wireguardClashes(root: XmlElement, isGen: (uuid: string) => boolean): string[] {
  const instances = wireguardInstances(root, isGen);
  const out: string[] = [];
  const fix = 'disable or delete one of them (VPN > WireGuard > Instances) and export a new backup, or change the topology';
  const dns = dnsmasqDnsPort(root);
  for (const w of instances.filter((x) => x.gen && dns !== undefined && x.port === dns)) {
    out.push(
      `${w.label} listens on UDP ${dns}, the port of the base's dnsmasq DNS (<dnsmasq><port>), which dnsmasq binds first: wg(4) binds the wildcard address without reuse, so the instance cannot bind it. ` +
        `Give the instance another listen_port in the topology, or dnsmasq another Listen port (Services > Dnsmasq DNS & DHCP > General) and export a new backup`,
    );
  }
  const candidates = clashCandidates(instances);
  instances.forEach((b, i) => {
    for (const j of candidates.get(i) ?? []) {
      const a = instances[j]!;
      if (a.port !== '' && a.port === b.port) out.push(`${a.label} and ${b.label} both listen on UDP ${a.port}: only one can bind it; ${fix}`);
      for (const x of a.networks) {
        const overlap = b.networks.find((y) => x.address.kind() === y.address.kind() && x.address.match(y.address as never, Math.min(x.prefix, y.prefix)));
        if (overlap) out.push(`${a.label} (${x.text}) and ${b.label} (${overlap.text}) have overlapping tunnel networks: routes to one of them go to the other device; ${fix}`);
      }
    }
  });
  return out;
}
