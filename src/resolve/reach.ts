// What each WireGuard peer may reach, and so its client's AllowedIPs: the
// destinations for which the compiled policy, with the peer's own address
// as the source, passes some protocol and port. A rule from the peer, its
// role, its zone or the whole tunnel all count, each exactly as the
// firewall evaluates it; the firewall enforces the same thing, since its
// rules name the peer's /32 or the role's range as the source, so a peer
// that widens its own AllowedIPs gains nothing. The set is aggregated to
// the fewest prefixes. A written `reach` list replaces the derived one and
// is checked against the policy instead (wg/reach-without-pass).
import { ADDRESS_SPACE, PORT_SPACE, type Range, type Ranges, intersect, normalize, subtract, toCidrs, union } from '../intervals.js';
import type { Firewall, Policy, WireguardInstance } from '../model.js';
import { parseIPv4 } from '../net.js';
import type { WireguardInput } from '../topology.js';
import { ENDPOINT_SPACE, PROTOCOL_SPACE, type Match, rangesOfCidrs, siteMatches } from './matches.js';
import type { PolicyObjects } from './objects.js';
import { type Leaf, type Node, childAt, partition } from './partition.js';

/**
 * Addresses a split-tunnel client routes into the tunnel at most: the
 * internal networks and whatever the rules name as a destination, but never
 * the firewall's outside addresses, which carry the tunnel itself.
 */
function routable(policy: Policy, firewall: Firewall | undefined, instances: readonly WireguardInstance[], internal: Ranges): Range[] {
  let routed: Range[] = [...internal];
  for (const rule of policy.rules) for (const o of rule.destinations) routed = union(routed, o.ranges);
  const outside = [
    ...(firewall?.interfaces.filter((i) => i.isWan && i.address !== undefined).map((i) => i.address!) ?? []),
    ...instances.flatMap((w) => (w.lanEndpoint !== undefined ? [w.lanEndpoint] : [])),
  ].flatMap((a) => (parseIPv4(a) === undefined ? [] : [[parseIPv4(a)!, parseIPv4(a)!] as Range]));
  return intersect(subtract(routed, normalize(outside)), [ADDRESS_SPACE]);
}

/** For each source cell of the partition: the destinations some protocol and port is passed to. */
function reachOf(matches: readonly Match[]): (node: Node | Leaf) => Range[] {
  const passes = new Map<Node | Leaf, boolean>();
  const passing = (node: Node | Leaf): boolean => {
    let known = passes.get(node);
    if (known === undefined) {
      known = node.kind === 'leaf' ? node.rules.length > 0 && matches[node.rules[0]!]!.action === 'pass' : node.segments.some((s) => passing(s.child));
      passes.set(node, known);
    }
    return known;
  };
  const reached = new Map<Node | Leaf, Range[]>();
  return (destinations) => {
    let known = reached.get(destinations);
    if (!known) {
      known = destinations.kind === 'leaf' ? [] : normalize(destinations.segments.filter((s) => passing(s.child)).map((s) => [s.lo, s.hi] as Range));
      reached.set(destinations, known);
    }
    return known;
  };
}

export function resolveReach(
  instances: readonly WireguardInstance[],
  inputs: readonly WireguardInput[],
  policy: Policy,
  objects: PolicyObjects,
  firewall: Firewall | undefined,
): void {
  if (instances.length === 0) return;
  const { space, matches } = siteMatches({ policy, firewall, wireguard: instances });
  const peers = instances.flatMap((w) => w.peers.map((p) => ({ instance: w, peer: p, address: parseIPv4(p.address) })));
  const sources = normalize(peers.flatMap((p) => (p.address === undefined ? [] : [[p.address, p.address] as Range])));
  const { root } = partition(
    matches.map((m) => m.box),
    [sources, [ENDPOINT_SPACE], [PROTOCOL_SPACE], [PORT_SPACE]],
  );
  const reach = reachOf(matches);
  const routed = routable(policy, firewall, instances, space.internal);
  const zones = new Map(policy.zones.map((z) => [z.name, z]));

  instances.forEach((instance, i) => {
    const input = inputs.find((w) => w.name === instance.name) ?? inputs[i];
    if (input?.reach) {
      instance.reachList = input.reach.flatMap((name, n) => {
        const rpath = [...instance.path, 'reach', n];
        const members = zones.get(name)?.members ?? [objects.lookup(name, rpath, [...zones.keys()])].filter((o) => o !== undefined);
        if (members.length === 0) return [];
        const ranges = members.reduce<Range[]>((acc, o) => union(acc, o.ranges), []);
        return [{ name, cidrs: toCidrs(intersect(ranges, [ADDRESS_SPACE])), path: rpath }];
      });
    }
  });

  for (const { instance, peer, address } of peers) {
    const cell = address === undefined || root.kind === 'leaf' ? undefined : childAt(root, address);
    const reachable = cell ? intersect(reach(cell), routed) : [];
    peer.reach = toCidrs(reachable);
    if (instance.tunnel === 'full') peer.allowedIps = ['0.0.0.0/0'];
    else if (instance.reachList) peer.allowedIps = toCidrs(rangesOfCidrs(instance.reachList.flatMap((r) => r.cidrs)));
    else peer.allowedIps = peer.reach;
  }
}
