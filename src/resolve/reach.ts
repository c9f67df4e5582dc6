// What each WireGuard peer may reach, and so its client's AllowedIPs: the
// destinations for which the compiled policy, with the peer's own address
// as the source, passes some protocol and port. A rule from the peer, its
// role, its zone or the whole tunnel all count, each exactly as the
// firewall evaluates it; the firewall enforces the same thing, since its
// rules name the peer's /32 or the role's range as the source, so a peer
// that widens its own AllowedIPs gains nothing. The set is aggregated to
// the fewest prefixes. A written `reach` list replaces the derived one and
// is checked against the policy instead (wg/reach-without-pass).
import { firstAtOrAfter } from '../arrays.js';
import { ADDRESS_SPACE, PORT_SPACE, type Range, type Ranges, intersect, normalize, subtract, toCidrs, union } from '../intervals.js';
import type { Firewall, Policy, PolicyObject, WireguardInstance } from '../model.js';
import { parseIPv4 } from '../net.js';
import type { WireguardInput } from '../topology.js';
import { ENDPOINT_SPACE, PROTOCOL_SPACE, type Match, boxesOf, objectRanges, rangesOfCidrs, siteMatches } from './matches.js';
import type { PolicyObjects } from './objects.js';
import { type Leaf, partition } from './partition.js';
import { passSweep } from './pass-sweep.js';

/** The AllowedIPs of a full tunnel: every IPv4 and every IPv6 destination. */
export const FULL_TUNNEL = ['0.0.0.0/0', '::/0'] as const;

/**
 * Addresses a split-tunnel client routes into the tunnel at most: the
 * internal networks and whatever the rules name as a destination, but never
 * the firewall's outside addresses, which carry the tunnel itself.
 */
function routable(policy: Policy, firewall: Firewall | undefined, instances: readonly WireguardInstance[], internal: Ranges): Range[] {
  // Each object once: thousands of rules name the same few zones (and share their member list).
  const named = new Set<PolicyObject>();
  for (const list of new Set(policy.rules.map((r) => r.destinations))) for (const o of list) named.add(o);
  const routed = union(internal, normalize([...named].flatMap((o) => o.ranges)));
  const outside = [
    ...(firewall?.interfaces.filter((i) => i.isWan && i.address !== undefined).map((i) => i.address!) ?? []),
    ...instances.flatMap((w) => (w.lanEndpoint !== undefined ? [w.lanEndpoint] : [])),
  ].flatMap((a) => (parseIPv4(a) === undefined ? [] : [[parseIPv4(a)!, parseIPv4(a)!] as Range]));
  return intersect(subtract(routed, normalize(outside)), [ADDRESS_SPACE]);
}

/**
 * Ascending numbers as ranges, a run of consecutive ones joined: what
 * normalize makes of them, without a pair and a sort per number (a
 * twentieth of the AllowedIPs of 100,000 peers).
 */
function runsOf(sorted: readonly number[]): Range[] {
  const out: Range[] = [];
  let lo = sorted[0]!;
  let hi = lo;
  for (let i = 1; i < sorted.length; i++) {
    const x = sorted[i]!;
    if (x <= hi) return normalize(sorted.map((a) => [a, a] as Range)); // not ascending: as before
    if (x === hi + 1) hi = x;
    else {
      out.push([lo, hi]);
      lo = hi = x;
    }
  }
  out.push([lo, hi]);
  return out;
}

/**
 * For each source address (sorted), the destinations some protocol and port
 * is passed to. Destinations are cut first (rules name few destinations,
 * while each peer may have rules of its own); for each destination rule
 * set, a sweep along the peers finds where it passes (see pass-sweep.ts).
 * Each passing (destination, source range) adds the destination to the
 * peers in the range; a sweep over the peers then collects them, and peers
 * with the same destinations share one set. `work` adds up the
 * destination partition's operations (a cost that tests can bound).
 */
export function reachBySource(matches: readonly Pick<Match, 'box' | 'action'>[], addresses: readonly number[], work?: { operations: number }): Range[][] {
  if (addresses.length === 0) return [];
  const boxes = boxesOf(matches);
  const runs = runsOf(addresses);
  // The destination dimension alone (rules to one zone share its list: one group).
  const destinations: Ranges[] = [];
  destinations[1] = [ENDPOINT_SPACE];
  const { root, operations } = partition(boxes, destinations, [1], undefined, fromSomePeer(boxes, runs));
  if (work) work.operations += operations;
  const sources = passSweep(
    boxes,
    matches.map((m) => m.action),
    0,
    runs,
    [2, 3],
    [[PROTOCOL_SPACE], [PORT_SPACE]],
  );
  const passingOf = new Map<Leaf, Range[]>();
  /** Index of the first address ≥ x. */
  const lowerBound = (x: number) => firstAtOrAfter(addresses, x);
  // Events on the peer index: a destination range starts or stops applying.
  const events: { at: number; range: Range; add: boolean }[] = [];
  for (const d of root.kind === 'node' ? root.segments : []) {
    const leaf = d.child as Leaf;
    let passing = passingOf.get(leaf);
    if (!passing) passingOf.set(leaf, (passing = sources.passing(leaf.rules)));
    for (const [lo, hi] of passing) {
      const first = lowerBound(lo);
      const end = lowerBound(hi + 1);
      if (first < end) events.push({ at: first, range: [d.lo, d.hi], add: true }, { at: end, range: [d.lo, d.hi], add: false });
    }
  }
  events.sort((a, b) => a.at - b.at);
  const active = new Map<string, { range: Range; count: number }>();
  const out: Range[][] = [];
  let current: Range[] = [];
  let e = 0;
  for (let i = 0; i < addresses.length; i++) {
    let changed = false;
    while (e < events.length && events[e]!.at <= i) {
      const { range, add } = events[e++]!;
      const key = `${range[0]}-${range[1]}`;
      const entry = active.get(key) ?? { range, count: 0 };
      entry.count += add ? 1 : -1;
      if (entry.count === 0) active.delete(key);
      else active.set(key, entry);
      changed = true;
    }
    if (changed) current = normalize([...active.values()].map((v) => v.range));
    out.push(current);
  }
  return out;
}

/**
 * The boxes (indices, ascending) whose sources hold some peer's address
 * (`runs`), or undefined when all do. Only they can match a peer's
 * traffic, so only they can decide it: the rules from other zones (the
 * management network's 10,000 of 20,000) were listed in every destination
 * cell and swept along the peers, where they never enter. Rules from one
 * zone share its list of ranges: each list is looked up once.
 */
function fromSomePeer(boxes: readonly (readonly Ranges[])[], runs: Ranges): number[] | undefined {
  const meets = new Map<Ranges, boolean>();
  const kept: number[] = [];
  for (let r = 0; r < boxes.length; r++) {
    const sources = boxes[r]![0]!;
    let met = meets.get(sources);
    if (met === undefined) meets.set(sources, (met = meetsRuns(sources, runs)));
    if (met) kept.push(r);
  }
  return kept.length === boxes.length ? undefined : kept;
}

/** Whether some range of `ranges` meets one of `runs` (sorted, disjoint): a binary search per range, not a walk of the runs. */
function meetsRuns(ranges: Ranges, runs: Ranges): boolean {
  for (const [lo, hi] of ranges) {
    // The first run that ends at or after lo.
    let a = 0;
    let b = runs.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (runs[mid]![1] < lo) a = mid + 1;
      else b = mid;
    }
    if (a < runs.length && runs[a]![0] <= hi) return true;
  }
  return false;
}

export function resolveReach(
  instances: readonly WireguardInstance[],
  inputs: readonly WireguardInput[],
  policy: Policy,
  objects: PolicyObjects,
  firewall: Firewall | undefined,
): void {
  if (!instances.some((w) => w.peers.length > 0 || w.reachList !== undefined || inputs.some((i) => i.name === w.name && i.reach))) return;
  const { space, matches } = siteMatches({ policy, firewall, wireguard: instances });
  // Each peer's address (NaN: none), in the order of the instances' peers, and the distinct ones ascending:
  // numbers only, where an object, a pair and a set entry per peer made 100,000 peers' garbage.
  const peerAddresses: number[] = [];
  for (const w of instances) for (let p = 0; p < w.peers.length; p++) peerAddresses.push(parseIPv4(w.peers[p]!.address) ?? NaN);
  const addresses = distinctAscending(peerAddresses);
  const reached = reachBySource(matches, addresses);
  const reachOf = new Map<number, Range[]>();
  for (let i = 0; i < addresses.length; i++) reachOf.set(addresses[i]!, reached[i]!);
  const routed = routable(policy, firewall, instances, space.internal);
  // Peers that reach the same destinations share one computed list.
  const cidrs = new Map<Range[], string[]>();
  const zones = new Map(policy.zones.map((z) => [z.name, z]));

  instances.forEach((instance, i) => {
    const input = inputs.find((w) => w.name === instance.name) ?? inputs[i];
    if (input?.reach) {
      instance.reachList = input.reach.flatMap((name, n) => {
        const rpath = instance.path.concat('reach', n);
        const members = zones.get(name)?.members ?? [objects.lookup(name, rpath, [...zones.keys()])].filter((o) => o !== undefined);
        if (members.length === 0) return [];
        return [{ name, cidrs: toCidrs(intersect(objectRanges(members), [ADDRESS_SPACE])), path: rpath }];
      });
    }
  });

  // The same for every peer of an instance (full tunnel, written reach list): computed once per instance.
  // A full tunnel takes IPv6 too (the wg-quick convention): the tunnel has
  // no IPv6, so the client's IPv6 is dropped in it instead of bypassing it.
  const instanceAllowed = new Map(
    instances.map((w) => [w, w.tunnel === 'full' ? [...FULL_TUNNEL] : w.reachList ? toCidrs(rangesOfCidrs(w.reachList.flatMap((r) => r.cidrs))) : undefined]),
  );
  let k = 0;
  for (const instance of instances) {
    for (let p = 0; p < instance.peers.length; p++) {
      const peer = instance.peers[p]!;
      const address = peerAddresses[k++]!;
      const destinations = Number.isNaN(address) ? undefined : reachOf.get(address);
      let reach = destinations ? cidrs.get(destinations) : [];
      if (!reach) cidrs.set(destinations!, (reach = toCidrs(intersect(destinations!, routed))));
      peer.reach = reach;
      peer.allowedIps = instanceAllowed.get(instance) ?? peer.reach;
    }
  }
}

/** The numbers of `values` but NaN, each once, ascending. */
function distinctAscending(values: readonly number[]): number[] {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  sorted.length = n;
  return sorted;
}
