// Security groups with every rule as its own aws_vpc_security_group_*_rule
// resource; a rule from another group references that group's id (the
// bastion pattern).
import type { SecurityGroupRule, Vpc } from '../../../model.js';
import { type PortRange, ipProtocol, isIpv6Cidr, portRanges } from '../../../targets/aws/security-groups.js';
import { type Item, attr, block, comment, raw } from '../hcl.js';
import { TfNames } from '../names.js';
import { type TfContext, resource, tags } from './context.js';

function portLabel(rule: SecurityGroupRule, range: PortRange | undefined): string {
  if (range === undefined || range.from === -1) return 'all';
  if (rule.proto === 'icmp') return `type${range.from}`;
  return range.from === range.to ? `${range.from}` : `${range.from}_${range.to}`;
}

/** The rule's peer as part of a name: its CIDR, or the group it references. */
function peerLabel(rule: SecurityGroupRule, ctx: TfContext): string {
  return rule.cidr !== undefined ? rule.cidr.replace(/[^A-Za-z0-9]/g, '_') : `sg_${ctx.names.get('aws_security_group', rule.group ?? '')}`;
}

/**
 * A rule's resource name, from what it permits (protocol, ports, peer),
 * which is unique in its group (AWS refuses a permission twice: lint's
 * aws/refused-value), not from its place in the list: a rule inserted
 * above renamed every rule below it, and Terraform then revoked and
 * authorized the same permissions in no set order, which AWS refuses with
 * InvalidPermission.Duplicate while the other half is not done.
 */
export function ruleResourceName(group: string, direction: 'ingress' | 'egress', rule: SecurityGroupRule, range: PortRange | undefined, ctx: TfContext): string {
  return `${group}_${direction}_${rule.proto}_${portLabel(rule, range)}_${peerLabel(rule, ctx)}`;
}

/** The name gen gave the rule before, from its place in the list; a moved block takes the state of that name over. */
function positionalName(group: string, direction: 'ingress' | 'egress', index: number, rule: SecurityGroupRule, range: PortRange | undefined): string {
  return `${group}_${direction}_${index}_${rule.proto}_${portLabel(rule, range)}`;
}

/** checkov's checks of SSH, RDP, HTTP and every port from 0.0.0.0/0 that a rule the topology marks public trips. */
function checkovPublicChecks(rule: SecurityGroupRule, range: PortRange | undefined): string[] {
  if (!rule.cidr?.endsWith('/0')) return [];
  if (range === undefined) return ['CKV_AWS_277'];
  if (rule.proto === 'icmp') return [];
  const checks: [number, string][] = [[22, 'CKV_AWS_24'], [3389, 'CKV_AWS_25'], [80, 'CKV_AWS_260']];
  return checks.filter(([port]) => port >= range.from && port <= range.to).map(([, id]) => id);
}

export function securityGroupResources(vpc: Vpc, ctx: TfContext): Item[] {
  const v = ctx.names.get('aws_vpc', vpc.name);
  const items: Item[] = [];
  // The positional names, handed out in the order the earlier code asked for them (so numbered alike).
  const positional = new TfNames();
  for (const group of vpc.securityGroups) {
    const g = ctx.names.get('aws_security_group', group.name);
    // A derived group's subnets, for the reader: a comment, which Terraform ignores (its description must not change).
    if (group.derived) items.push(comment(`for the instances in ${group.derived.subnets.length ? group.derived.subnets.join(', ') : `VPC ${vpc.name}`}`));
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
        const type = `aws_vpc_security_group_${direction}_rule`;
        const name = ctx.names.get(type, ruleResourceName(g, direction, rule, range, ctx));
        const before = positional.get(type, positionalName(g, direction, index, rule, range));
        const body: Item[] = [];
        if (openEgress) body.push(comment('checkov:skip=CKV_AWS_382:the topology leaves egress open, as AWS does by default'));
        if (publicIngress) for (const id of checkovPublicChecks(rule, range)) body.push(comment(`checkov:skip=${id}:open to the internet on purpose (public: in topology.yaml)`));
        body.push(attr('security_group_id', raw(`aws_security_group.${g}.id`)), attr('ip_protocol', ipProtocol(rule)));
        if (range) body.push(attr('from_port', range.from), attr('to_port', range.to));
        if (rule.cidr !== undefined) body.push(attr(isIpv6Cidr(rule.cidr) ? 'cidr_ipv6' : 'cidr_ipv4', rule.cidr));
        if (rule.group !== undefined) body.push(attr('referenced_security_group_id', raw(`aws_security_group.${ctx.names.get('aws_security_group', rule.group)}.id`)));
        const description = rule.description ?? rule.public;
        if (description !== undefined) body.push(attr('description', description));
        body.push(tags(`${group.name}-${direction}-${rule.proto}-${portLabel(rule, range)}-${peerLabel(rule, ctx)}`));
        // The reason itself is the rule's description; comments carry fixed text only.
        if (openEgress) items.push(comment('the topology leaves egress open, as AWS does by default'), comment('trivy:ignore:AVD-AWS-0104'));
        if (publicIngress) items.push(comment('open to the internet on purpose: the reason is the description (public: in topology.yaml)'), comment('trivy:ignore:AVD-AWS-0107'));
        items.push(resource(type, name, body));
        // A state written with the positional name carries over to this one: no revoke and authorize of the same permission.
        items.push(block('moved', [], [attr('from', raw(`${type}.${before}`)), attr('to', raw(`${type}.${name}`))]));
      }
    }
  }
  return items;
}
