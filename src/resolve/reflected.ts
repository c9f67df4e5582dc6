// What a reflected port forward does to a flow from inside (opnsense/core
// ForwardRule.php parseRdrRules(), 25.7.11 to 26.7.2): its rdr is repeated on
// every enabled interface that has no gateway and an IPv4 address
// (reflectionInterfaces(); filter.lib.inc gives a static interface without a
// configured gateway none, and a DHCP one its dynamic gateway). A client that
// enters on one of those and connects to the forward's interface address on
// the forwarded port is redirected to the target, and the filter then decides
// on that interface as for a connection to the target and its port. Clients
// that enter on the WAN (the internet, the upstream router's LAN) or on an
// interface the box does not assign (IPsec's enc0, an unassigned WireGuard
// instance) are not reflected. A forward on an internal interface redirects
// the clients that enter on that interface itself (its own rdr), reflection
// or not. An rdr names the forward's from: sources: only those are redirected.
import { appendAll } from '../arrays.js';
import { type Range, type Ranges, blockRange, intersect, normalize } from '../intervals.js';
import type { Firewall, FirewallInterface, Network, PortForward, WireguardInstance } from '../model.js';
import { formatIPv4, parseCidr, parseIPv4 } from '../net.js';
import { PROTOCOL, objectRanges } from './matches.js';

export interface Reflected {
  forward: PortForward;
  /** The forward's interface address the rdr matches (DYNAMIC_ADDRESS for a DHCP interface). */
  destination: number;
  /** Protocol numbers (matches.ts PROTOCOL) the rdr matches. */
  protocols: number[];
  /** The forwarded ports. */
  ports: Range;
  /** The target's address, and its port for the forward's first port. */
  target: number;
  targetPort: number;
  /** The sources that enter on an interface the rdr is repeated on. */
  sources: Range[];
}

export interface SiteFacts {
  firewall?: Firewall;
  wireguard: readonly WireguardInstance[];
  networks: readonly Network[];
}

const PROTOCOLS: Record<PortForward['proto'], number[]> = { tcp: [PROTOCOL.tcp], udp: [PROTOCOL.udp], 'tcp/udp': [PROTOCOL.tcp, PROTOCOL.udp] };

/** Whether the rdr is repeated on an interface: no gateway, an IPv4 address (a WireGuard interface has its instance's). */
function reflects(iface: FirewallInterface, wireguard: readonly WireguardInstance[]): boolean {
  if (iface.isWan || iface.gateway !== undefined) return false;
  if (iface.kind === 'wireguard') return wireguard.some((w) => w.name === iface.wireguard && parseIPv4(w.address) !== undefined);
  return iface.addressing === 'static' && iface.address !== undefined;
}

/** The addresses whose packets enter on an interface: its network or WireGuard tunnel, and the networks routed through a router on it. */
export function enteringOn(iface: FirewallInterface, site: SiteFacts): Range[] {
  const out: Range[] = [];
  if (iface.kind === 'wireguard') {
    const instance = site.wireguard.find((w) => w.name === iface.wireguard);
    if (instance) out.push(blockRange(instance.block));
  } else {
    const network = site.networks.find((n) => n.id === iface.network);
    if (network) out.push(blockRange(network.block));
  }
  for (const route of site.firewall!.routes) {
    const parsed = route.interface === iface.name ? parseCidr(route.network) : undefined;
    if (parsed?.ok) out.push(blockRange(parsed.block));
  }
  return out;
}

function sourcesOf(site: SiteFacts, forward: PortForward, own: FirewallInterface | undefined, reflectingAll: () => FirewallInterface[]): Range[] {
  // A forward on an internal interface redirects the clients that enter there (its own rdr), reflection or not.
  const out = own && !own.isWan ? enteringOn(own, site) : [];
  const reflecting = forward.reflection ? reflectingAll().filter((i) => i.name !== forward.interface) : [];
  appendAll(out, reflecting.flatMap((i) => enteringOn(i, site)));
  // A remote network's packets enter on whichever WireGuard instance carries them: reflected only when every instance's interface reflects.
  const everyInstance = site.wireguard.every((w) => reflecting.some((i) => i.kind === 'wireguard' && i.wireguard === w.name));
  if (site.wireguard.length > 0 && everyInstance) {
    for (const n of site.networks) if (n.kind === 'remote') out.push(blockRange(n.block));
  }
  // The rdr, reflected or not, names the forward's from: sources.
  return forward.sources.length > 0 ? intersect(normalize(out), objectRanges(forward.sources)) : normalize(out);
}

const known = new WeakMap<Firewall, Reflected[]>();

/** The site's reflected port forwards with what they redirect, computed once per firewall. */
export function reflectedForwards(site: SiteFacts, interfaceAddress: ReadonlyMap<string, number>): Reflected[] {
  const firewall = site.firewall;
  if (!firewall) return [];
  let list = known.get(firewall);
  if (list) return list;
  list = [];
  // Looked up by name, and the reflecting interfaces found once: a search of the interfaces per forward grew with
  // forwards times VLANs.
  const byName = new Map(firewall.interfaces.map((i) => [i.name, i]));
  let reflecting: FirewallInterface[] | undefined;
  const reflectingAll = () => (reflecting ??= firewall.interfaces.filter((i) => reflects(i, site.wireguard)));
  for (const forward of firewall.nat.portForwards) {
    const destination = interfaceAddress.get(forward.interface);
    const target = parseIPv4(forward.target);
    const own = byName.get(forward.interface);
    const inside = own !== undefined && !own.isWan;
    if (!(forward.reflection || inside) || destination === undefined || target === undefined) continue;
    const [from, to = from] = forward.port.split('-').map(Number);
    list.push({ forward, destination, protocols: PROTOCOLS[forward.proto], ports: [from!, to!], target, targetPort: Number(forward.targetPort.split('-')[0]), sources: sourcesOf(site, forward, own, reflectingAll) });
  }
  known.set(firewall, list);
  return list;
}

/** The reflected forward whose rdr a flow to some addresses at one protocol and port meets, if any (the first, as pf's first rdr). */
export function reflectionAt(list: readonly Reflected[], to: Ranges, protocol: number, port: number): Reflected | undefined {
  if (list.length === 0) return undefined;
  return list.find((r) => r.protocols.includes(protocol) && port >= r.ports[0] && port <= r.ports[1] && to.some(([lo, hi]) => lo <= r.destination && r.destination <= hi));
}

/** The target port a forwarded port is redirected to (a range keeps its offset). */
export function reflectedPort(r: Reflected, port: number): number {
  return r.targetPort + (port - r.ports[0]);
}

/** What the verdict says of a reflected flow: "reflected by port forward grafana-in to 10.1.0.120:3000". */
export function reflectionText(r: Reflected, port: number): string {
  // A client on the forward's own interface meets its rdr there, not a reflected one.
  return `${r.forward.reflection ? 'reflected' : 'redirected'} by port forward ${r.forward.name} to ${formatIPv4(r.target)}:${reflectedPort(r, port)}`;
}
