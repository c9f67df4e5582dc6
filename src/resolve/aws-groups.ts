// The AWS half of a site's policy: traffic that a site's rule passes to a
// zone (or one object) with members in the VPC joined by the site-to-site
// VPN must also be let in by a security group there. For each such target
// gen derives a group, "gen-<site>-<target>", with one ingress rule per
// source block, protocol and port range of each pass rule to it; attach it
// to the instances in the target's subnets. Security groups allow only, so
// the order of the rules (a block before a pass) is the firewall's to
// enforce: it filters the traffic before it enters the tunnel.
import { type Ranges, blockRange, firstEndingAtOrAfter, fromBlocks, intersect, normalize, overlaps, subtract, toCidrs } from '../intervals.js';
import type { Network, PolicyRule, SecurityGroup, SecurityGroupRule, Site, Vpc } from '../model.js';
import { type ResolveContext, indexByName } from './context.js';
import { internalRoutes } from './firewall.js';
import { objectRanges, rangesOfCidrs } from './matches.js';
import { appendAll } from '../arrays.js';

const PROTOCOLS: Record<PolicyRule['proto'], SecurityGroupRule['proto'][]> = { any: ['all'], tcp: ['tcp'], udp: ['udp'], 'tcp/udp': ['tcp', 'udp'], icmp: ['icmp'] };

export function derivedGroupName(site: string, target: string): string {
  return `gen-${site}-${target}`;
}

function ports(rule: PolicyRule): SecurityGroupRule['ports'] {
  if (rule.proto === 'any' || rule.proto === 'icmp') return [];
  return rule.ports.map((p) => {
    const [from, to = from] = p.split('-').map(Number);
    return { from: from!, to: to! };
  });
}

/**
 * The names of the subnets (in the VPC's order) that a set of addresses
 * meets. Found by address: testing every subnet against every target made
 * a rule per subnet cost subnets × rules, and parsed each subnet's CIDR in
 * each test. Subnets that overlap (an error lint reports) are tested one by one.
 */
function subnetIndex(subnets: readonly Network[]): (ranges: Ranges) => string[] {
  const entries = subnets.map((s, order) => { const [lo, hi] = blockRange(s.block); return { name: s.name, order, lo, hi }; }).sort((a, b) => a.lo - b.lo);
  const disjoint = entries.every((e, i) => i === 0 || entries[i - 1]!.hi < e.lo);
  return (ranges) => {
    const found = new Set<(typeof entries)[number]>();
    if (!disjoint) {
      for (const e of entries) if (overlaps(ranges, [[e.lo, e.hi]])) found.add(e);
    } else {
      for (const [lo, hi] of ranges) {
        for (let i = firstEndingAtOrAfter(entries, lo); i < entries.length && entries[i]!.lo <= hi; i++) found.add(entries[i]!);
      }
    }
    return [...found].sort((a, b) => a.order - b.order).map((e) => e.name);
  };
}

/** Adds to the VPC a security group for every target of the site's pass rules that lies in the VPC. */
export function deriveSiteGroups(site: Site, vpc: Vpc, networks: readonly Network[], ctx: ResolveContext): void {
  const vpcRanges = rangesOfCidrs([vpc.cidr]);
  const subnetsMeeting = subnetIndex(networks.filter((n) => n.parent === vpc.network));
  // Sources on the site's side of the tunnel: the networks the VPN carries (its
  // networks behind the firewall and those of its static routes through internal
  // routers, as onPremNetworks), not the VPC itself.
  const behind = new Set(site.internalNetworks);
  const routed = rangesOfCidrs(internalRoutes(site.firewall).map((r) => r.network));
  const onPrem = subtract(normalize([...fromBlocks(networks.filter((n) => behind.has(n.id)).map((n) => n.block)), ...routed]), vpcRanges);
  const groups = new Map<string, SecurityGroup>();
  const zones = indexByName(site.policy.zones);
  for (const rule of site.policy.rules) {
    if (rule.action !== 'pass' || (rule.to.kind !== 'zone' && rule.to.kind !== 'object')) continue;
    const inVpc = rule.destinations.filter((o) => overlaps(o.ranges, vpcRanges));
    if (inVpc.length === 0) continue;
    const target = rule.to.kind === 'zone' ? rule.to.zone : rule.to.name;
    let group = groups.get(target);
    if (!group) {
      const zone = zones.get(target);
      const members = zone ? zone.members : inVpc;
      const held = subnetsMeeting(objectRanges(members));
      const name = derivedGroupName(site.name, target);
      const path = zone?.path ?? rule.path;
      ctx.name('security group', `VPC ${vpc.name}`, name, path);
      group = {
        name,
        // Only names that do not change with the VPC: a group's description forces a new group when it
        // changes (AWS cannot update it), which fails while instances use it. Where its instances are
        // is a comment beside the group in the Terraform (render/aws/terraform/security-groups.ts).
        description: `gen: site ${site.name} ${zone ? 'zone' : 'object'} ${target}`,
        derived: { site: site.name, target, subnets: held },
        ingress: [],
        egress: [],
        defaultEgress: true,
        path,
      };
      groups.set(target, group);
    }
    const sources = intersect(objectRanges(rule.sources), onPrem);
    for (const cidr of toCidrs(sources)) {
      for (const proto of PROTOCOLS[rule.proto]) {
        group.ingress.push({ proto, ports: ports(rule), cidr, description: `site ${site.name} policy rule ${rule.name}`, path: rule.path });
      }
    }
  }
  appendAll(vpc.securityGroups, groups.values());
}
