// The VPC: subnets per AZ, the internet gateway when a tier is public, the
// optional NAT gateway (in the first public subnet), one route table per
// tier with its routes as separate aws_route resources, and associations.
import type { Vpc } from '../../../model.js';
import { type Item, attr, comment, raw } from '../hcl.js';
import { internetGatewayTiers } from '../../../targets/aws/subnets.js';
import { type TfContext, resource, tags } from './context.js';
import { zoneGuard, zonesData } from './az-guard.js';

/** Why a subnet gives every instance a public IPv4 address: the topology asks for it. */
const PUBLIC_ON_PURPOSE = 'instances here are reached from the internet (public_ip_on_launch in topology.yaml)';
/** What an instance in a subnet routed to the internet gateway lacks when the subnet gives it no public address. */
const NO_PUBLIC_IP = [
  'routed to the internet gateway, but an instance gets no public IPv4 address here (public_ip_on_launch in topology.yaml):',
  'the internet reaches it only when launched with associate_public_ip_address = true or given an Elastic IP',
];

export function routeName(tier: string, destination: string): string {
  return `${tier}_${destination.replace(/[./]/g, '_')}`;
}

export function vpcResources(vpc: Vpc, region: string, ctx: TfContext): Item[] {
  const v = ctx.names.get('aws_vpc', vpc.name);
  const vpcId = raw(`aws_vpc.${v}.id`);
  const items: Item[] = [
    comment('flow logs need a log destination the topology does not declare'),
    comment('trivy:ignore:AVD-AWS-0178'),
    resource('aws_vpc', v, [
      comment('checkov:skip=CKV2_AWS_11:flow logs need a log destination the topology does not declare'),
      attr('cidr_block', vpc.cidr),
      attr('enable_dns_support', true),
      attr('enable_dns_hostnames', true),
      tags(vpc.name, vpc.description),
    ]),
  ];
  ctx.output(`${v}_vpc_id`, `Id of VPC ${vpc.name}`, vpcId);
  // The zones this account may use in the provider's region, for the subnets' preconditions.
  if (vpc.subnets.length > 0) items.push(zonesData(v));

  const publicTiers = new Set(vpc.tiers.filter((t) => t.public).map((t) => t.name));
  const routed = internetGatewayTiers(vpc.routeTables);
  for (const subnet of vpc.subnets) {
    const s = ctx.names.get('aws_subnet', subnet.name);
    // A public IPv4 address matters only where the internet gateway is routed (elsewhere aws/public-ip-unrouted refuses one).
    const reachable = routed.has(subnet.tier);
    const body: Item[] = [];
    if (reachable && subnet.publicIpOnLaunch) body.push(comment(`checkov:skip=CKV_AWS_130:${PUBLIC_ON_PURPOSE}`));
    else if (reachable) body.push(comment(NO_PUBLIC_IP[0]!), comment(NO_PUBLIC_IP[1]!));
    body.push(attr('vpc_id', vpcId), attr('cidr_block', subnet.cidr), attr('availability_zone', subnet.az));
    if (reachable) body.push(attr('map_public_ip_on_launch', subnet.publicIpOnLaunch));
    body.push(tags(subnet.name, subnet.description), zoneGuard(v, subnet.name, subnet.az, region));
    // trivy reads its exception above the resource, checkov inside it.
    if (reachable && subnet.publicIpOnLaunch) items.push(comment(PUBLIC_ON_PURPOSE), comment('trivy:ignore:AVD-AWS-0164'));
    items.push(resource('aws_subnet', s, body));
    const launch = !reachable ? '' : subnet.publicIpOnLaunch ? '; instances get a public IPv4 address at launch' : '; routed to the internet gateway, no public IPv4 address at launch';
    ctx.output(`${s}_subnet_id`, `Id of subnet ${subnet.name} (${subnet.az}, ${subnet.cidr}${launch})`, raw(`aws_subnet.${s}.id`));
  }

  const needsIgw = publicTiers.size > 0 || vpc.routeTables.some((t) => t.routes.some((r) => r.target === 'internet-gateway'));
  if (needsIgw) items.push(resource('aws_internet_gateway', v, [attr('vpc_id', vpcId), tags(`${vpc.name}-igw`)]));

  const natSubnet = vpc.subnets.find((s) => publicTiers.has(s.tier));
  if (vpc.natGateway && natSubnet) {
    items.push(
      resource('aws_eip', `${v}_nat`, [attr('domain', 'vpc'), tags(`${vpc.name}-nat`)]),
      resource('aws_nat_gateway', v, [
        attr('allocation_id', raw(`aws_eip.${v}_nat.id`)),
        attr('subnet_id', raw(`aws_subnet.${ctx.names.get('aws_subnet', natSubnet.name)}.id`)),
        attr('depends_on', [raw(`aws_internet_gateway.${v}`)]),
        tags(`${vpc.name}-nat`),
      ]),
    );
  }

  for (const table of vpc.routeTables) {
    const t = ctx.names.get('aws_route_table', table.tier);
    items.push(resource('aws_route_table', t, [attr('vpc_id', vpcId), tags(`${vpc.name}-${table.tier}`)]));
    for (const route of table.routes) {
      const target =
        route.target === 'internet-gateway'
          ? attr('gateway_id', raw(`aws_internet_gateway.${v}.id`))
          : route.target === 'nat-gateway'
            ? attr('nat_gateway_id', raw(`aws_nat_gateway.${v}.id`))
            : attr('gateway_id', raw(`aws_vpn_gateway.${v}.id`));
      items.push(
        resource('aws_route', ctx.names.get('aws_route', routeName(table.tier, route.destination)), [
          attr('route_table_id', raw(`aws_route_table.${t}.id`)),
          attr('destination_cidr_block', route.destination),
          target,
        ]),
      );
    }
    for (const subnet of table.subnets) {
      const s = ctx.names.get('aws_subnet', subnet);
      items.push(
        resource('aws_route_table_association', s, [attr('subnet_id', raw(`aws_subnet.${s}.id`)), attr('route_table_id', raw(`aws_route_table.${t}.id`))]),
      );
    }
  }
  return items;
}
