// Evaluates a flow against the compiled firewall policy (first matching
// rule in the compiled order decides, default deny, as pf's quick rules do)
// and against AWS security groups (allow-only, stateful). Used by policy
// tests; the verdict names the rule that decided it.
//
// A flow's ends are sets of addresses (a zone, a network, a role, a peer,
// a service, an address, the internet, the firewall): the flow is cut into
// the cells in which the same rules match, and every cell must get the
// expected verdict.
import { ADDRESS_SPACE, PORT_SPACE, type Range, type Ranges, blockRange, firstEndingAtOrAfter, has, intersect, normalize, overlaps, subtract, toCidrs, unionAll } from './intervals.js';
import type { FlowTest, Model, Network, PolicyRule, SecurityGroup, SecurityGroupRule, Site, Vpc } from './model.js';
import { containsBlock, parseCidr } from './net.js';
import { DYNAMIC_ADDRESS, type Match, PROTOCOL, objectRanges, siteMatches } from './resolve/matches.js';
import { firstTwo } from './resolve/leaf-views.js';
import { type Leaf, type Node, partition } from './resolve/partition.js';
import { type Reflected, reflectedForwards, reflectedPort, reflectionAt, reflectionText } from './resolve/reflected.js';
import { BLOCK_PRIVATE_RANGES } from './targets/opnsense/block-private.js';
import { ipProtocol } from './targets/aws/security-groups.js';

export interface Verdict {
  verdict: 'accept' | 'deny';
  /** What decided: a rule's origin, or the default. */
  decidedBy: string;
  path?: PolicyRule['path'];
  /** The part of the flow this verdict is for, when the flow's ends were cut ("10.0.1.2/32 → 10.1.0.0/24"). */
  part?: string;
  /** Set when a reflected port forward redirected the flow, and the rules decided it as one to the target: "reflected by port forward … to …". */
  reflected?: string;
}

/** Where a flow from the internet comes from: its public addresses (see flowEnd). */
export function internetSources(site: Site): Range[] {
  return subtract(siteMatches(site).space.internet, BLOCK_PRIVATE_RANGES);
}

/** Where a flow to the internet goes: every address that is neither the site's nor the firewall's. */
export function internetDestinations(site: Site): Range[] {
  const { space } = siteMatches(site);
  return subtract(subtract([[0, DYNAMIC_ADDRESS]], space.notInternet), space.self);
}

/** The addresses of a flow's end in a site: an object or zone resolved with the test, or a built-in. */
export function flowEnd(site: Site, flow: FlowTest, side: 'from' | 'to'): Range[] {
  const { space } = siteMatches(site);
  const name = flow[side];
  const objects = (side === 'from' ? flow.fromObjects : flow.toObjects) ?? site.policy.zones.find((z) => z.name === name)?.members;
  if (objects) return objectRanges(objects);
  // From the internet: its public addresses. A private source (the upstream
  // router's LAN, a carrier's NAT) is no host of the internet, and the WAN's
  // "Block private networks" drops it: a test names it by its address.
  if (name === 'internet') return side === 'from' ? internetSources(site) : internetDestinations(site);
  if (side === 'to' && name === 'self') return space.self;
  if (side === 'to' && name === 'wan') {
    const wan = site.firewall?.interfaces.find((i) => i.isWan);
    const address = wan ? space.interfaceAddress.get(wan.name) : undefined;
    return address === undefined ? [] : [[address, address]];
  }
  return [];
}

const FLOW_PROTOCOL: Record<FlowTest['proto'], number> = { tcp: PROTOCOL.tcp, udp: PROTOCOL.udp, icmp: PROTOCOL.icmp, any: PROTOCOL.other };

/** Addresses as a few CIDRs ("198.51.100.0/24, … (9 blocks)"), and the DHCP address when it is one of them. */
export function describeAddresses(ranges: Ranges): string {
  const inside = intersect(ranges, [ADDRESS_SPACE]);
  const text = toCidrs(inside);
  const shown = text.length > 3 ? [...text.slice(0, 3), `… (${text.length} blocks)`] : text;
  return [...shown, ...(ranges.some(([, hi]) => hi === DYNAMIC_ADDRESS) ? ['the DHCP address'] : [])].join(', ');
}

/** The leaf under a (source, destination) cell: the flow has one protocol and one port, so one segment each. */
function firstLeaf(node: Node | Leaf): Leaf {
  while (node.kind === 'node') node = node.segments[0]!.child;
  return node;
}

function verdictOf(matches: readonly Match[], leaf: Leaf): Verdict {
  const first = leaf.rules[0];
  if (first === undefined) return { verdict: 'deny', decidedBy: 'the default deny' };
  const match = matches[first]!;
  return { verdict: match.action === 'pass' ? 'accept' : 'deny', decidedBy: match.rule.origin, path: match.rule.path };
}

/** One source segment of a flow's partition, with the verdict of each of its destination cells in address order. */
interface SourceCells {
  lo: number;
  hi: number;
  /** Each cell's verdict, and the rule that decided it (none for the default deny). */
  cells: { lo: number; hi: number; verdict: Verdict; rule: PolicyRule | undefined }[];
}

/**
 * The matches of a list by their port: those of one port (most rules name
 * one) in one list, ascending by port and, for a port, by match; the
 * others (every port, a range, several) in another, ascending. A flow's
 * port is found in the first by binary search. Made once per list of
 * matches, without a map entry, a list or a push per match: in code that
 * runs once, those were most of the first flow a lint asked of 200,000
 * rules. A long list is ordered by a count per port, a short one by a
 * numeric sort: a count per port is 65,536 counters, and their half
 * megabyte and two passes over them took 3 to 8 ms of every lint of a
 * small topology, most of it a short list's.
 */
interface PortIndex {
  /** The one port of each match in byPort, ascending. */
  ports: Int32Array;
  /** The matches of one port, by their port, then in their order. */
  byPort: Int32Array;
  others: number[];
}

const PORTS = PORT_SPACE[1] + 1;

/** From this many matches of one port on, they are ordered by a count per port (see PortIndex). */
export const COUNTED_FROM = 16_384;

const portIndexes = new WeakMap<readonly Match[], PortIndex>();

/** The one port of a match's ports, or -1 (every port, a range, several). */
function onePort(ports: Ranges): number {
  if (ports.length !== 1 || ports[0]![0] !== ports[0]![1]) return -1;
  const port = ports[0]![0];
  return Number.isInteger(port) && port >= 0 && port < PORTS ? port : -1;
}

function portIndexOf(matches: readonly Match[]): PortIndex {
  let index = portIndexes.get(matches);
  if (index) return index;
  const portOf = new Int32Array(matches.length);
  const others: number[] = [];
  for (let i = 0; i < matches.length; i++) {
    const port = onePort(matches[i]!.box[3]);
    portOf[i] = port;
    if (port < 0) others.push(i);
  }
  const single = matches.length - others.length;
  const { ports, byPort } = single >= COUNTED_FROM ? countedByPort(portOf, single) : sortedByPort(portOf, single);
  index = { ports, byPort, others };
  portIndexes.set(matches, index);
  return index;
}

/** The matches of one port (portOf[i] ≥ 0, `single` of them), ordered by a count per port. */
function countedByPort(portOf: Int32Array, single: number): Omit<PortIndex, 'others'> {
  const start = new Int32Array(PORTS + 1);
  for (let i = 0; i < portOf.length; i++) if (portOf[i]! >= 0) start[portOf[i]! + 1]!++;
  for (let p = 0; p < PORTS; p++) start[p + 1]! += start[p]!;
  const byPort = new Int32Array(single);
  const ports = new Int32Array(single);
  for (let i = 0; i < portOf.length; i++) {
    const port = portOf[i]!;
    if (port < 0) continue;
    const at = start[port]!++;
    byPort[at] = i;
    ports[at] = port;
  }
  return { ports, byPort };
}

/** The same ordered by a numeric sort of port × 2^32 + match (exact in a double: below 2^48). */
function sortedByPort(portOf: Int32Array, single: number): Omit<PortIndex, 'others'> {
  const keys = new Float64Array(single);
  let k = 0;
  for (let i = 0; i < portOf.length; i++) if (portOf[i]! >= 0) keys[k++] = portOf[i]! * MATCH_SPAN + i;
  keys.sort();
  const byPort = new Int32Array(single);
  const ports = new Int32Array(single);
  for (let j = 0; j < single; j++) {
    const port = Math.floor(keys[j]! / MATCH_SPAN);
    ports[j] = port;
    byPort[j] = keys[j]! - port * MATCH_SPAN;
  }
  return { ports, byPort };
}

const MATCH_SPAN = 2 ** 32;

/** The first position in `sorted` whose value is `value` or more. */
function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The matches that meet a flow at one protocol and port, in their order,
 * and how many were examined. Only those whose ports may hold the port are
 * examined (see PortIndex): every flow asked looked at every match, and a
 * lint asks several flows (DNS, the admin ports, policy tests) of 20,000
 * rules on distinct ports.
 */
export function meetingMatches(matches: readonly Match[], from: Ranges, to: Ranges, protocol: number, port: number, without?: PolicyRule): { meeting: Match[]; examined: number } {
  const { ports, byPort, others } = portIndexOf(matches);
  const inSpace = Number.isInteger(port) && port >= 0 && port < PORTS;
  const first = inSpace ? lowerBound(ports, port) : 0;
  const end = inSpace ? lowerBound(ports, port + 1) : 0;
  const meeting: Match[] = [];
  // The two ascending lists merged: the matches keep their order.
  let a = first;
  let b = 0;
  while (a < end || b < others.length) {
    const i = b >= others.length || (a < end && byPort[a]! < others[b]!) ? byPort[a++]! : others[b++]!;
    const m = matches[i]!;
    const box = m.box;
    // The port and protocol first, each a look at a list of one range or a few, before the addresses are walked.
    if (has(box[3], port) && has(box[2], protocol) && m.rule !== without && overlaps(box[0], from) && overlaps(box[1], to)) meeting.push(m);
  }
  return { meeting, examined: end - first + others.length };
}

/** The rules that meet a flow, and their partition of it: sources, then destinations, protocol and port. */
function flowPartition(site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number, without?: PolicyRule): { meeting: Match[]; root: Node } {
  const { matches } = siteMatches(site);
  const protocol = FLOW_PROTOCOL[proto];
  const space: Ranges[] = [from, to, [[protocol, protocol]], [[port, port]]];
  const { meeting } = meetingMatches(matches, from, to, protocol, port, without);
  // A cell's first rule decides it: the cells keep their first two rules, not all (see leaf-views.ts).
  const { root } = partition(
    meeting.map((m) => m.box),
    space,
    [0, 1, 2, 3],
    firstTwo,
  );
  return { meeting, root: root as Node };
}

/**
 * The compiled rules' partition of a flow (sources × destinations at one
 * protocol and port), source first. Only the rules that meet the flow take
 * part, in their order: a rule that matches none of its addresses cannot be
 * the first to match one, and partitioning every rule for each of 2,000
 * policy tests between single hosts took seconds.
 */
function flowCells(site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number, without?: PolicyRule): SourceCells[] {
  const { meeting, root } = flowPartition(site, from, to, proto, port, without);
  return root.segments.map((s) => ({
    lo: s.lo,
    hi: s.hi,
    cells: (s.child as Node).segments.map((d) => {
      const leaf = firstLeaf(d.child);
      return { lo: d.lo, hi: d.hi, verdict: verdictOf(meeting, leaf), rule: leaf.rules.length > 0 ? meeting[leaf.rules[0]!]!.rule : undefined };
    }),
  }));
}

/**
 * The verdicts of the compiled rules on a flow, one per part of the flow
 * that the rules treat differently (one when they treat it all alike).
 */
export function evaluateFirewallFlow(site: Site, flow: FlowTest): Verdict[] {
  return flowVerdicts(site, flowEnd(site, flow, 'from'), flowEnd(site, flow, 'to'), flow.proto, flow.port ?? 0);
}

/** A part of a flow that the rules treat alike: its verdict, and the sources and destinations it is for. */
export interface FlowPart {
  verdict: Verdict;
  /** The rule that decided (none for the default deny): callers that want the rule need not find it by its origin among thousands. */
  rule: PolicyRule | undefined;
  from: Range[];
  to: Range[];
}

/** Equal verdicts joined: their ranges collected, then normalized once (a union per cell copied the growing set for each of thousands of cells). */
function addCells(parts: Map<string, FlowPart>, site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number, without: PolicyRule | undefined, reflected?: { text: string; to: Range }): void {
  if (from.length === 0 || to.length === 0) return;
  for (const s of flowCells(site, from, to, proto, port, without)) {
    for (const cell of s.cells) {
      const verdict = reflected ? Object.assign({}, cell.verdict, { reflected: reflected.text }) : cell.verdict;
      // A reflected cell is the client's flow to the forward's address, which the rules decided as one to the target.
      const [lo, hi] = reflected ? reflected.to : [cell.lo, cell.hi];
      const key = `${verdict.verdict}|${verdict.decidedBy}|${verdict.reflected ?? ''}`;
      const part = parts.get(key);
      if (part) {
        part.from.push([s.lo, s.hi]);
        part.to.push([lo, hi]);
      } else parts.set(key, { verdict, rule: cell.rule, from: [[s.lo, s.hi]], to: [[lo, hi]] });
    }
  }
}

/** The reflected forward a flow meets, and the sources it redirects (resolve/reflected.ts). */
function reflectionOf(site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number): { reflection: Reflected; sources: Range[] } | undefined {
  if (proto !== 'tcp' && proto !== 'udp') return undefined;
  const reflection = reflectionAt(reflectedForwards(site, siteMatches(site).space.interfaceAddress), to, FLOW_PROTOCOL[proto], port);
  const sources = reflection ? intersect(from, reflection.sources) : [];
  return reflection && sources.length > 0 ? { reflection, sources } : undefined;
}

/**
 * The parts of a flow, their ranges as the cells gave them (not normalized).
 * A flow from inside to a reflected forward's address and port is
 * redirected before the filter sees it: that part is decided as the flow
 * to the target and its port.
 */
function collectParts(site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number, without?: PolicyRule): FlowPart[] {
  if (from.length === 0 || to.length === 0) return [];
  const parts = new Map<string, FlowPart>();
  const reflected = reflectionOf(site, from, to, proto, port);
  if (!reflected) {
    addCells(parts, site, from, to, proto, port, without);
    return [...parts.values()];
  }
  const { reflection, sources } = reflected;
  const address: Range = [reflection.destination, reflection.destination];
  addCells(parts, site, subtract(from, sources), to, proto, port, without);
  addCells(parts, site, sources, subtract(to, [address]), proto, port, without);
  addCells(parts, site, sources, [[reflection.target, reflection.target]], proto, reflectedPort(reflection, port), without, { text: reflectionText(reflection, port), to: address });
  return [...parts.values()];
}

/**
 * The parts of the flows between two sets of addresses at one protocol and
 * port that the rules treat alike, with the addresses of each (normalized);
 * `without` leaves one rule out (what decides when it is not there).
 */
export function flowParts(site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number, without?: PolicyRule): FlowPart[] {
  return collectParts(site, from, to, proto, port, without).map((p) => ({ verdict: p.verdict, rule: p.rule, from: normalize(p.from), to: normalize(p.to) }));
}

/**
 * The verdicts on the flows between two sets of addresses at one protocol
 * and port, one per part that the rules treat differently, each naming its
 * part when there are several; `without` as for flowParts.
 */
export function flowVerdicts(site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number, without?: PolicyRule): Verdict[] {
  const list = collectParts(site, from, to, proto, port, without);
  if (list.length === 1) return [list[0]!.verdict];
  return list.map((p) => Object.assign({}, p.verdict, { part: `${describeAddresses(normalize(p.from))} → ${describeAddresses(normalize(p.to))}` }));
}

/**
 * The verdicts of flowVerdicts without the part each is for: for callers
 * that ask only who decides. Naming every part lists its addresses as
 * CIDRs, as many as the topology's peers and networks leave holes, for
 * texts that nobody reads there.
 */
export function partVerdicts(site: Site, from: Ranges, to: Ranges, proto: FlowTest['proto'], port: number, without?: PolicyRule): Verdict[] {
  return collectParts(site, from, to, proto, port, without).map((p) => p.verdict);
}

/**
 * The verdict on each flow from a set of sources to one address at one
 * protocol and port (a DHCP network's clients to a DNS server it hands
 * out, a container to its own): the first that denies some of its sources,
 * sources in address order, else the one that passes them. One partition
 * of the rules serves every flow, and each flow's cells are looked up, not
 * every cell listed: n sources that share one partition of n destinations
 * are n² cells, and a partition per flow made the work flows × rules.
 */
export function sourcesFlowVerdicts(site: Site, flows: readonly { from: Ranges; to: number }[], proto: FlowTest['proto'], port: number): Verdict[] {
  // The sources a reflected forward redirects get the verdict on their flow to its target (see collectParts).
  const reflected = flows.map((f) => reflectionOf(site, f.from, [[f.to, f.to]], proto, port));
  if (reflected.every((r) => r === undefined)) return plainSourcesVerdicts(site, flows, proto, port);
  const rest = plainSourcesVerdicts(site, flows.map((f, i) => ({ from: reflected[i] ? subtract(f.from, reflected[i]!.sources) : f.from, to: f.to })), proto, port);
  return flows.map((f, i) => {
    const r = reflected[i];
    if (!r) return rest[i]!;
    const [target] = plainSourcesVerdicts(site, [{ from: r.sources, to: r.reflection.target }], proto, reflectedPort(r.reflection, port));
    const verdict = Object.assign({}, target!, { reflected: reflectionText(r.reflection, port) });
    // One that denies, else the one that passes; the other sources may be none ("no source").
    if (rest[i]!.decidedBy === 'no source' || (verdict.verdict === 'deny' && rest[i]!.verdict === 'accept')) return verdict;
    return rest[i]!;
  });
}

function plainSourcesVerdicts(site: Site, flows: readonly { from: Ranges; to: number }[], proto: FlowTest['proto'], port: number): Verdict[] {
  const from = normalize(flows.flatMap((f) => f.from));
  const to = normalize(flows.map((f): Range => [f.to, f.to]));
  if (from.length === 0) return flows.map(() => ({ verdict: 'accept', decidedBy: 'no source' }));
  const { meeting, root } = flowPartition(site, from, to, proto, port);
  const sources = root.segments;
  return flows.map((f) => {
    let first: Verdict | undefined;
    for (const [lo, hi] of f.from) {
      // Segments are sorted and disjoint, and cover every flow's ends.
      for (let i = firstEndingAtOrAfter(sources, lo); i < sources.length && sources[i]!.lo <= hi; i++) {
        const destinations = (sources[i]!.child as Node).segments;
        const verdict = verdictOf(meeting, firstLeaf(destinations[firstEndingAtOrAfter(destinations, f.to)]!.child));
        if (verdict.verdict === 'deny') return verdict;
        first ??= verdict;
      }
    }
    return first ?? { verdict: 'accept', decidedBy: 'no source' };
  });
}

/** The verdict on each flow from one address to another at one protocol and port (see sourcesFlowVerdicts). */
export function pointFlowVerdicts(site: Site, flows: readonly { from: number; to: number }[], proto: FlowTest['proto'], port: number): Verdict[] {
  return sourcesFlowVerdicts(site, flows.map((f) => ({ from: [[f.from, f.from] as Range], to: f.to })), proto, port);
}

function sgProtoPortMatches(rule: SecurityGroupRule, flow: FlowTest): boolean {
  // Flows are IPv4: an ICMP rule with an IPv6 peer is ICMPv6 at AWS and never lets them in.
  if (ipProtocol(rule) === 'icmpv6') return false;
  if (rule.proto === 'all') return true;
  if (flow.proto === 'any' || rule.proto !== flow.proto) return false;
  return rule.ports.length === 0 || (flow.port !== undefined && rule.ports.some((p) => flow.port! >= p.from && flow.port! <= p.to));
}

/** The addresses a VPC test's source stands for; `group` when it is a security group. */
function sgSource(vpc: Vpc, vpcBlock: Network['block'], flow: FlowTest): { group?: SecurityGroup; ranges: Range[] } {
  if (flow.from === 'internet') return { ranges: [ADDRESS_SPACE] };
  const group = vpc.securityGroups.find((g) => g.name === flow.from);
  // Members of a group live in the VPC: CIDR rules covering the VPC match them too.
  if (group) return { group, ranges: [blockRange(vpcBlock)] };
  if (flow.fromObjects) return { ranges: objectRanges(flow.fromObjects) };
  const parsed = flow.from.includes('/') ? parseCidr(flow.from) : parseCidr(`${flow.from}/32`);
  return { ranges: parsed.ok ? [blockRange(parsed.block)] : [] };
}

/**
 * Whether the target group's ingress (and a source group's egress) lets the
 * flow in: every address of the source must be allowed by some rule.
 */
export function evaluateSecurityGroupFlow(vpc: Vpc, vpcBlock: Network['block'], flow: FlowTest): Verdict {
  const target = vpc.securityGroups.find((g) => g.name === flow.to);
  if (!target) return { verdict: 'deny', decidedBy: `no security group ${flow.to}` };
  const source = sgSource(vpc, vpcBlock, flow);
  const sourceGroup = source.group;
  if (sourceGroup && !sourceGroup.defaultEgress) {
    const out = sourceGroup.egress.find((r) => r.group === flow.to || (r.cidr !== undefined && egressCovers(r, vpcBlock, flow)));
    if (!out) return { verdict: 'deny', decidedBy: `security group ${sourceGroup.name} egress (no rule allows it)`, path: sourceGroup.path };
  }
  const rules = target.ingress.filter((r) => sgProtoPortMatches(r, flow));
  const byGroup = sourceGroup ? rules.find((r) => r.group === sourceGroup.name) : undefined;
  if (byGroup) return { verdict: 'accept', decidedBy: `security group ${target.name} ingress from group ${byGroup.group}`, path: byGroup.path };
  const cidrRules = rules.filter((r) => r.cidr !== undefined && !r.cidr.includes(':') && overlaps(rangesOf(r.cidr), source.ranges));
  // What no rule lets in: one subtraction of all the rules' addresses (one per rule copied the rest each time).
  const left = subtract(source.ranges, unionAll(cidrRules.map((r) => rangesOf(r.cidr!))));
  if (cidrRules.length === 0 || source.ranges.length === 0) return { verdict: 'deny', decidedBy: `security group ${target.name} (no ingress rule allows it)`, path: target.path };
  if (left.length > 0) return { verdict: 'deny', decidedBy: `security group ${target.name} (no ingress rule allows ${describeAddresses(left)})`, path: target.path };
  const rule = cidrRules[0]!;
  return { verdict: 'accept', decidedBy: `security group ${target.name} ingress from ${rule.cidr}`, path: rule.path };
}

function rangesOf(cidr: string): Range[] {
  const parsed = parseCidr(cidr);
  return parsed.ok ? [blockRange(parsed.block)] : [];
}

function egressCovers(rule: SecurityGroupRule, vpcBlock: Network['block'], flow: FlowTest): boolean {
  const cidr = parseCidr(rule.cidr!);
  const portOk = rule.ports.length === 0 || (flow.port !== undefined && rule.ports.some((p) => flow.port! >= p.from && flow.port! <= p.to));
  const protoOk = rule.proto === 'all' || rule.proto === flow.proto;
  return cidr.ok && containsBlock(cidr.block, vpcBlock) && portOk && protoOk;
}

export function vpcBlockOf(model: Model): Network['block'] | undefined {
  const vpc = model.aws?.vpc;
  return vpc ? model.networks.find((n) => n.id === vpc.network)?.block : undefined;
}

