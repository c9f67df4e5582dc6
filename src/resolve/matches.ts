// The compiled policy as what each filter rule matches: a box of source
// addresses × destination addresses × protocols × ports, in the order the
// firewall evaluates them (first match decides, default deny). It is the
// same list the OPNsense rules are written from (an "internet" pass is
// three rules: block the firewall, block the internal networks, pass the
// rest), so policy tests, AllowedIPs and the shadowed-rule analysis all
// reason about what the firewall really does; OPNsense's anti-lockout rule,
// which the box puts before them all, comes first.
import { ADDRESS_SPACE, PORT_SPACE, type Range, type Ranges, complement, fromBlocks, intersect, normalize, subtract, union, unionAll } from '../intervals.js';
import type { Firewall, Policy, PolicyRule, WireguardInstance } from '../model.js';
import { parseCidr, parseIPv4 } from '../net.js';

/** Stands for the address a WAN gets by DHCP: known only at run time, outside IPv4. */
export const DYNAMIC_ADDRESS = 2 ** 32;
/** Every address, and the DHCP address. */
export const ENDPOINT_SPACE: Range = [0, DYNAMIC_ADDRESS];

/** Protocol numbers of the protocol dimension. */
export const PROTOCOL = { tcp: 0, udp: 1, icmp: 2, other: 3 } as const;
export const PROTOCOL_SPACE: Range = [0, 3];

export interface Match {
  rule: PolicyRule;
  /** The part of the rule, when it compiles to several (e.g. "block internal networks"). */
  part?: string;
  action: PolicyRule['action'];
  /** Source, destination, protocol, port: each a set of ranges, none empty, within the policy space. */
  box: [Ranges, Ranges, Ranges, Ranges];
}

const RULE_PROTOCOLS: Record<PolicyRule['proto'], Range[]> = {
  any: [PROTOCOL_SPACE],
  tcp: [[PROTOCOL.tcp, PROTOCOL.tcp]],
  udp: [[PROTOCOL.udp, PROTOCOL.udp]],
  'tcp/udp': [[PROTOCOL.tcp, PROTOCOL.udp]],
  icmp: [[PROTOCOL.icmp, PROTOCOL.icmp]],
};

/** A rule's ports: listed ones for TCP/UDP, every port otherwise (as the filter rules are written). */
export function rulePorts(rule: Pick<PolicyRule, 'proto' | 'ports'>): Range[] {
  if (rule.proto === 'any' || rule.proto === 'icmp' || rule.ports.length === 0) return [PORT_SPACE];
  // One port, the common case: no split, sort or join.
  if (rule.ports.length === 1 && !rule.ports[0]!.includes('-')) {
    const port = Number(rule.ports[0]);
    return [[port, port]];
  }
  return normalize(
    rule.ports.map((p) => {
      const [from, to = from] = p.split('-').map(Number);
      return [from!, to!] as Range;
    }),
  );
}

export function rangesOfCidrs(cidrs: readonly string[]): Range[] {
  return fromBlocks(cidrs.flatMap((c) => {
    const parsed = parseCidr(c);
    return parsed.ok ? [parsed.block] : [];
  }));
}

export interface PolicySpace {
  /** The internal networks: behind the firewall, routed through it. */
  internal: Range[];
  /** What a rule to "internet" leaves out: the internal networks and the upstream router's LAN (policy.upstreamLan). */
  notInternet: Range[];
  /** The firewall's own addresses (with DYNAMIC_ADDRESS for a DHCP interface). */
  self: Range[];
  /** Where traffic arriving on the WAN comes from: everything but the internal networks (the upstream LAN too). */
  internet: Range[];
  /** The address of each firewall interface, by name. */
  interfaceAddress: ReadonlyMap<string, number>;
}

export function policySpace(policy: Policy, firewall: Firewall | undefined, wireguard: readonly WireguardInstance[]): PolicySpace {
  const internal = rangesOfCidrs(policy.internal);
  const interfaceAddress = new Map<string, number>();
  for (const iface of firewall?.interfaces ?? []) {
    const address = iface.addressing === 'dhcp' ? DYNAMIC_ADDRESS : iface.address !== undefined ? parseIPv4(iface.address) : undefined;
    if (address !== undefined) interfaceAddress.set(iface.name, address);
  }
  const tunnels = wireguard.flatMap((w) => (parseIPv4(w.address) === undefined ? [] : [parseIPv4(w.address)!]));
  const self = normalize([...interfaceAddress.values(), ...tunnels].map((a) => [a, a] as Range));
  const notInternet = policy.upstreamLan.length > 0 ? union(internal, rangesOfCidrs(policy.upstreamLan)) : internal;
  return { internal, notInternet, self, internet: complement(internal, ADDRESS_SPACE), interfaceAddress };
}

// Rules from or to the same zone share its member list: its addresses are joined once.
// One object's ranges are already joined: given as they are, neither copied nor
// remembered (100,000 rules from a peer each made a copy and a weak-map entry,
// which every garbage collection then walks).
const joined = new WeakMap<PolicyRule['sources'], Range[]>();

export function objectRanges(objects: PolicyRule['sources']): Range[] {
  if (objects.length === 1) return objects[0]!.ranges;
  let ranges = joined.get(objects);
  if (!ranges) joined.set(objects, (ranges = unionAll(objects.map((o) => o.ranges))));
  return ranges;
}

const compiled = new WeakMap<Policy, { space: PolicySpace; matches: Match[] }>();

/** The policy space and matches of a site, computed once. */
export function siteMatches(site: { policy: Policy; firewall?: Firewall; wireguard: readonly WireguardInstance[] }): { space: PolicySpace; matches: Match[] } {
  let known = compiled.get(site.policy);
  if (!known) {
    const space = policySpace(site.policy, site.firewall, site.wireguard);
    known = { space, matches: compileMatches(site.policy, space) };
    compiled.set(site.policy, known);
  }
  return known;
}

const boxLists = new WeakMap<readonly Pick<Match, 'box'>[], readonly (readonly Ranges[])[]>();

/**
 * The boxes of `matches`, one list for each list of matches: the
 * partition keeps what every sweep of a list of boxes shares (the rules'
 * random words and their grouping in each dimension, partition.ts) by the
 * list, so the AllowedIPs and the policy analysis, each with a list of its
 * own, made all of it twice for 20,000 rules.
 */
export function boxesOf(matches: readonly Pick<Match, 'box'>[]): readonly (readonly Ranges[])[] {
  let boxes = boxLists.get(matches);
  if (!boxes) boxLists.set(matches, (boxes = matches.map((m) => m.box)));
  return boxes;
}

const ALL_PORTS: Ranges = [PORT_SPACE];

/**
 * A rule's ports within the port space: a range past 65535 (an error of
 * ports/range) matches no port there. Rules with every port, or with the
 * same single port, share one list (`shared`, by its text), which the
 * partition's sweeps move as one group: 20,000 rules on 5,000 ports were
 * 20,000 groups, each list made by a split, a sort and two copies.
 */
function matchPorts(rule: PolicyRule, shared: Map<string, Ranges>): Ranges {
  if (rule.proto === 'any' || rule.proto === 'icmp' || rule.ports.length === 0) return ALL_PORTS;
  if (rule.ports.length > 1) return intersect(rulePorts(rule), ALL_PORTS);
  let ports = shared.get(rule.ports[0]!);
  if (!ports) shared.set(rule.ports[0]!, (ports = intersect(rulePorts(rule), ALL_PORTS)));
  return ports;
}

/** Every rule's matches, in evaluation order: OPNsense's own passes (anti-lockout, DHCP server) first, as the box evaluates them. */
export function compileMatches(policy: Policy, space: PolicySpace): Match[] {
  const out: Match[] = [];
  const portLists = new Map<string, Ranges>();
  const first = [...(policy.antiLockout ? [policy.antiLockout] : []), ...(policy.automatic ?? [])];
  const rules = first.length > 0 ? first.concat(policy.rules) : policy.rules;
  // Indexed: a for-of steps an iterator per rule until V8 optimizes the loop (src/arrays.ts).
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    // A forward's pass on an internal interface: the redirected flow from there to the target (PolicyRule.redirected).
    if (rule.redirected) {
      const { sources, target, ports } = rule.redirected;
      if (sources.length > 0 && ports.length > 0) out.push({ rule, action: rule.action, box: [sources, target, RULE_PROTOCOLS[rule.proto], ports] });
      continue;
    }
    // A WAN rule with sources (OPNsense's "Block private networks") matches those of them that arrive from outside.
    const src = rule.from.kind === 'wan' ? (rule.sources.length > 0 ? intersect(space.internet, objectRanges(rule.sources)) : space.internet) : objectRanges(rule.sources);
    const protocols = RULE_PROTOCOLS[rule.proto];
    const ports = matchPorts(rule, portLists);
    // A part that has nothing in some dimension matches nothing and is left out, so every
    // box meets the space in each dimension (the AllowedIPs sweep relies on it, pass-sweep.ts).
    const push = (dst: Ranges, action: Match['action'], part?: string) => {
      if (src.length > 0 && dst.length > 0 && ports.length > 0) out.push({ rule, part, action, box: [src, dst, protocols, ports] });
    };
    switch (rule.to.kind) {
      case 'wan-address': {
        const address = space.interfaceAddress.get(rule.to.interface);
        if (address !== undefined) push([[address, address]], rule.action);
        break;
      }
      case 'zone':
      case 'object':
        push(objectRanges(rule.destinations), rule.action);
        break;
      case 'any':
        push([ENDPOINT_SPACE], rule.action);
        break;
      case 'self':
        push(space.self, rule.action);
        break;
      case 'internet':
        if (rule.action === 'pass') {
          push(space.self, 'block', 'block the firewall itself');
          push(space.notInternet, 'block', 'block internal networks');
          push([ENDPOINT_SPACE], 'pass', 'pass the internet');
        } else {
          push(subtract([ENDPOINT_SPACE], space.notInternet), rule.action);
        }
        break;
    }
  }
  return out;
}
