// Security groups with every rule as its own aws_vpc_security_group_*_rule
// resource; a rule from another group references that group's id (the
// bastion pattern of seed 004).
import type { SecurityGroupRule, Vpc } from '../../../model.js';
import { type Item, attr, comment, raw } from '../hcl.js';
import { type TfContext, resource, tags } from './context.js';

const PROTOCOL: Record<SecurityGroupRule['proto'], string> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', all: '-1' };

/** One resource per port range; "all" protocols and ICMP carry no ports. */
function portRanges(rule: SecurityGroupRule): ({ from: number; to: number } | undefined)[] {
  if (rule.proto === 'all') return [undefined];
  if (rule.proto === 'icmp') return rule.ports.length ? rule.ports : [{ from: -1, to: -1 }];
  return rule.ports.length ? rule.ports : [{ from: 0, to: 65535 }];
}

function portLabel(range: { from: number; to: number } | undefined): string {
  if (range === undefined) return 'all';
  return range.from === range.to ? `${range.from}` : `${range.from}_${range.to}`;
}

export function ruleResourceName(group: string, direction: 'ingress' | 'egress', index: number, rule: SecurityGroupRule, range?: { from: number; to: number }): string {
  // ICMP "any type" is -1: an identifier keeps the digits only.
  return `${group}_${direction}_${index}_${rule.proto}_${portLabel(range)}`.replace(/-1/g, 'any');
}

export function securityGroupResources(vpc: Vpc, ctx: TfContext): Item[] {
  const v = ctx.names.get('aws_vpc', vpc.name);
  const items: Item[] = [];
  for (const group of vpc.securityGroups) {
    const g = ctx.names.get('aws_security_group', group.name);
    items.push(
      resource('aws_security_group', g, [
        attr('name', group.name),
        attr('description', group.description ?? `${group.name} (managed by gen)`),
        attr('vpc_id', raw(`aws_vpc.${v}.id`)),
        tags(group.name),
      ]),
    );
    ctx.output(`${g}_security_group_id`, `Id of security group ${group.name}`, raw(`aws_security_group.${g}.id`));
    const rules: { direction: 'ingress' | 'egress'; rule: SecurityGroupRule; index: number }[] = [
      ...group.ingress.map((rule, index) => ({ direction: 'ingress' as const, rule, index })),
      ...group.egress.map((rule, index) => ({ direction: 'egress' as const, rule, index })),
    ];
    // Terraform removes the default allow-all egress of a new group: write it back when the topology left egress open.
    if (group.defaultEgress) {
      rules.push({ direction: 'egress', index: 0, rule: { proto: 'all', ports: [], cidr: '0.0.0.0/0', description: 'all outbound traffic', path: group.path } });
    }
    for (const { direction, rule, index } of rules) {
      const openEgress = direction === 'egress' && group.defaultEgress;
      const publicIngress = direction === 'ingress' && rule.public !== undefined;
      for (const range of portRanges(rule)) {
        const name = ctx.names.get(`aws_vpc_security_group_${direction}_rule`, ruleResourceName(g, direction, index, rule, range));
        const body: Item[] = [attr('security_group_id', raw(`aws_security_group.${g}.id`)), attr('ip_protocol', PROTOCOL[rule.proto])];
        if (range) body.push(attr('from_port', range.from), attr('to_port', range.to));
        if (rule.cidr !== undefined) body.push(attr(rule.cidr.includes(':') ? 'cidr_ipv6' : 'cidr_ipv4', rule.cidr));
        if (rule.group !== undefined) body.push(attr('referenced_security_group_id', raw(`aws_security_group.${ctx.names.get('aws_security_group', rule.group)}.id`)));
        const description = rule.description ?? rule.public;
        if (description !== undefined) body.push(attr('description', description));
        body.push(tags(`${group.name}-${direction}-${index}-${portLabel(range)}`));
        // The reason itself is the rule's description; comments carry fixed text only.
        if (openEgress) items.push(comment('the topology leaves egress open, as AWS does by default'), comment('trivy:ignore:AVD-AWS-0104'));
        if (publicIngress) items.push(comment('open to the internet on purpose: the reason is the description (public: in topology.yaml)'), comment('trivy:ignore:AVD-AWS-0107'));
        items.push(resource(`aws_vpc_security_group_${direction}_rule`, name, body));
      }
    }
  }
  return items;
}
