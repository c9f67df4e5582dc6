// The AWS half of the site-to-site VPN: customer gateway at the firewall's
// public address, a virtual private gateway on the VPC, an IPsec
// connection with static routes for the on-prem networks and for every
// destination a route table sends to the VPN gateway (a static connection
// drops what it has no route for), and route propagation into every route
// table of the VPC.
import type { Vpc } from '../../../model.js';
import { type Item, attr, block, raw } from '../hcl.js';
import { type TfContext, resource, tags } from './context.js';

export function vpnRouteName(site: string, cidr: string): string {
  return `${site}_${cidr.replace(/[./]/g, '_')}`;
}

export function vpnResources(vpc: Vpc, ctx: TfContext): Item[] {
  const s2s = vpc.siteToSite;
  if (!s2s || !s2s.customerGatewayIp) return [];
  const v = ctx.names.get('aws_vpc', vpc.name);
  const site = ctx.names.get('aws_customer_gateway', s2s.site);
  const items: Item[] = [
    resource('aws_vpn_gateway', v, [attr('vpc_id', raw(`aws_vpc.${v}.id`)), tags(`${vpc.name}-vgw`)]),
    resource('aws_customer_gateway', site, [
      // bgp_asn takes 1-2147483647; larger four-byte ASNs go in bgp_asn_extended.
      attr(s2s.bgpAsn > 2147483647 ? 'bgp_asn_extended' : 'bgp_asn', String(s2s.bgpAsn)),
      attr('ip_address', s2s.customerGatewayIp),
      attr('type', 'ipsec.1'),
      tags(`${s2s.site}-firewall`),
      // A new public address or ASN replaces the gateway (both force a new one), and AWS refuses to
      // delete a gateway a connection still uses: the new one first, the connection moved to it in
      // place (customer_gateway_id is updated by ModifyVpnConnection, tunnels kept), then the old one goes.
      block('lifecycle', [], [attr('create_before_destroy', true)]),
    ]),
    resource('aws_vpn_connection', site, [
      attr('vpn_gateway_id', raw(`aws_vpn_gateway.${v}.id`)),
      attr('customer_gateway_id', raw(`aws_customer_gateway.${site}.id`)),
      attr('type', 'ipsec.1'),
      attr('static_routes_only', true),
      tags(`${s2s.site}-to-${vpc.name}`),
    ]),
  ];
  for (const cidr of s2s.connectionRoutes) {
    items.push(
      resource('aws_vpn_connection_route', ctx.names.get('aws_vpn_connection_route', vpnRouteName(site, cidr)), [
        attr('vpn_connection_id', raw(`aws_vpn_connection.${site}.id`)),
        attr('destination_cidr_block', cidr),
      ]),
    );
  }
  for (const table of vpc.routeTables) {
    if (!table.propagateVpn) continue;
    const t = ctx.names.get('aws_route_table', table.tier);
    items.push(
      resource('aws_vpn_gateway_route_propagation', t, [
        attr('vpn_gateway_id', raw(`aws_vpn_gateway.${v}.id`)),
        attr('route_table_id', raw(`aws_route_table.${t}.id`)),
      ]),
    );
  }
  for (const n of [1, 2]) {
    ctx.output(`${site}_vpn_tunnel${n}_address`, `Outside address of AWS tunnel ${n} (the IPsec remote gateway)`, raw(`aws_vpn_connection.${site}.tunnel${n}_address`));
    ctx.output(`${site}_vpn_tunnel${n}_cgw_inside_address`, `Tunnel ${n} inside address of the firewall`, raw(`aws_vpn_connection.${site}.tunnel${n}_cgw_inside_address`));
    ctx.output(`${site}_vpn_tunnel${n}_vgw_inside_address`, `Tunnel ${n} inside address of AWS`, raw(`aws_vpn_connection.${site}.tunnel${n}_vgw_inside_address`));
    ctx.output(`${site}_vpn_tunnel${n}_preshared_key`, `Pre-shared key of tunnel ${n}`, raw(`aws_vpn_connection.${site}.tunnel${n}_preshared_key`), true);
  }
  return items;
}
