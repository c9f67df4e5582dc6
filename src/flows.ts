// Evaluates a flow against the compiled firewall policy (first matching
// rule in the compiled order decides, default deny, as pf's quick rules do)
// and against AWS security groups (allow-only, stateful). Used by policy
// tests; the verdict names the rule that decided it.
import type { FlowTest, Model, Network, PolicyRule, SecurityGroup, SecurityGroupRule, Site, Vpc } from './model.js';
import { containsBlock, parseCidr } from './net.js';
import { ipProtocol } from './targets/aws/security-groups.js';

export interface Verdict {
  verdict: 'accept' | 'deny';
  /** What decided: a rule's origin, or the default. */
  decidedBy: string;
  path?: PolicyRule['path'];
}

type Endpoint = { kind: 'internet' } | { kind: 'network'; id: string } | { kind: 'wan' } | { kind: 'self' };

function protoMatches(rule: string, flow: FlowTest['proto']): boolean {
  if (rule === 'any') return true;
  if (rule === 'tcp/udp') return flow === 'tcp' || flow === 'udp';
  return rule === flow;
}

function portMatches(ports: readonly string[], port: number | undefined): boolean {
  if (ports.length === 0) return true;
  if (port === undefined) return false;
  return ports.some((p) => {
    const [from, to = from] = p.split('-').map(Number);
    return from !== undefined && to !== undefined && port >= from && port <= to;
  });
}

/** The action a rule takes on the flow, or undefined when it does not match. */
function ruleDecision(rule: PolicyRule, src: Endpoint, dst: Endpoint, site: Site, flow: FlowTest): PolicyRule['action'] | undefined {
  if (rule.from.kind === 'wan' ? src.kind !== 'internet' : src.kind !== 'network' || !rule.fromNetworks.includes(src.id)) return undefined;
  if (!protoMatches(rule.proto, flow.proto) || !portMatches(rule.ports, flow.port)) return undefined;
  switch (rule.to.kind) {
    case 'wan-address':
      return dst.kind === 'wan' ? rule.action : undefined;
    case 'zone':
      return dst.kind === 'network' && rule.toNetworks.includes(dst.id) ? rule.action : undefined;
    case 'any':
      return rule.action;
    case 'internet': {
      // Compiled as a block of the firewall itself and of the internal networks,
      // then the rule's action for the rest.
      const internal = dst.kind === 'self' || dst.kind === 'wan' || (dst.kind === 'network' && site.internalNetworks.includes(dst.id));
      return internal && rule.action === 'pass' ? 'block' : rule.action;
    }
    case 'self':
      return dst.kind === 'self' || dst.kind === 'wan' ? rule.action : undefined;
  }
}

function endpoints(name: string, site: Site): Endpoint[] {
  if (name === 'internet') return [{ kind: 'internet' }];
  if (name === 'wan') return [{ kind: 'wan' }];
  if (name === 'self') return [{ kind: 'self' }];
  const zone = site.policy.zones.find((z) => z.name === name);
  return (zone?.networks ?? []).map((id) => ({ kind: 'network' as const, id }));
}

/** The verdict for every source and destination network the flow names; they must agree. */
export function evaluateFirewallFlow(site: Site, flow: FlowTest): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const src of endpoints(flow.from, site)) {
    for (const dst of endpoints(flow.to, site)) {
      let decided: Verdict = { verdict: 'deny', decidedBy: 'the default deny' };
      for (const rule of site.policy.rules) {
        const action = ruleDecision(rule, src, dst, site, flow);
        if (action === undefined) continue;
        decided = { verdict: action === 'pass' ? 'accept' : 'deny', decidedBy: rule.origin, path: rule.path };
        break;
      }
      verdicts.push(decided);
    }
  }
  return verdicts;
}

/** The verdict for traffic from one network of the site to the firewall itself. */
export function verdictToFirewall(site: Site, network: string, proto: FlowTest['proto'], port: number): Verdict {
  const flow: FlowTest = { name: '', from: '', to: 'self', proto, port, expect: 'accept', path: [] };
  for (const rule of site.policy.rules) {
    const action = ruleDecision(rule, { kind: 'network', id: network }, { kind: 'self' }, site, flow);
    if (action !== undefined) return { verdict: action === 'pass' ? 'accept' : 'deny', decidedBy: rule.origin, path: rule.path };
  }
  return { verdict: 'deny', decidedBy: 'the default deny' };
}

function sgRuleMatches(rule: SecurityGroupRule, source: { group?: string; block?: Network['block'] }, flow: FlowTest): boolean {
  // Flows are IPv4: an ICMP rule with an IPv6 peer is ICMPv6 at AWS and never lets them in.
  if (ipProtocol(rule) === 'icmpv6') return false;
  if (rule.proto !== 'all' && flow.proto !== 'any' && rule.proto !== flow.proto) return false;
  if (rule.proto !== 'all' && flow.proto === 'any') return false;
  if (rule.ports.length && (flow.port === undefined || !rule.ports.some((p) => flow.port! >= p.from && flow.port! <= p.to))) return false;
  if (rule.group !== undefined) return source.group === rule.group;
  const cidr = rule.cidr ? parseCidr(rule.cidr) : undefined;
  return !!cidr?.ok && !!source.block && containsBlock(cidr.block, source.block);
}

/** Whether the target group's ingress (and a source group's egress) lets the flow in. */
export function evaluateSecurityGroupFlow(vpc: Vpc, vpcBlock: Network['block'], flow: FlowTest): Verdict {
  const groups = new Map(vpc.securityGroups.map((g) => [g.name, g] as const));
  const target = groups.get(flow.to);
  if (!target) return { verdict: 'deny', decidedBy: `no security group ${flow.to}` };
  let source: { group?: string; block?: Network['block'] };
  let sourceGroup: SecurityGroup | undefined;
  if (flow.from === 'internet') {
    source = { block: { base: 0, prefix: 0, size: 2 ** 32, cidr: '0.0.0.0/0' } };
  } else if (groups.has(flow.from)) {
    sourceGroup = groups.get(flow.from);
    // Members of a group live in the VPC: CIDR rules covering the VPC match them too.
    source = { group: flow.from, block: vpcBlock };
  } else {
    const parsed = flow.from.includes('/') ? parseCidr(flow.from) : parseCidr(`${flow.from}/32`);
    source = parsed.ok ? { block: parsed.block } : {};
  }
  if (sourceGroup && !sourceGroup.defaultEgress) {
    const out = sourceGroup.egress.find((r) => r.group === flow.to || (r.cidr !== undefined && egressCovers(r, vpcBlock, flow)));
    if (!out) return { verdict: 'deny', decidedBy: `security group ${sourceGroup.name} egress (no rule allows it)`, path: sourceGroup.path };
  }
  const rule = target.ingress.find((r) => sgRuleMatches(r, source, flow));
  if (!rule) return { verdict: 'deny', decidedBy: `security group ${target.name} (no ingress rule allows it)`, path: target.path };
  return { verdict: 'accept', decidedBy: `security group ${target.name} ingress ${rule.group ? `from group ${rule.group}` : `from ${rule.cidr}`}`, path: rule.path };
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

