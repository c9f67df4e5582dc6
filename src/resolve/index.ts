// Stage 3: turn the validated topology into the resolved model. Reports
// dangling references and unparsable values as findings and keeps going, so
// one run shows every problem.
// Layer: resolve. Imports validate's types, target knowledge, the model
// types and the shared leaves; never rules or renderers.
import type { Report } from '../findings.js';
import type { Model } from '../model.js';
import type { Topology } from '../topology.js';
import { resolveAws, resolveVpcTests } from './aws.js';
import { deriveSiteGroups } from './aws-groups.js';
import { objectsOfSite } from './objects.js';
import { ResolveContext } from './context.js';
import { resolveSite } from './site.js';

export function resolve(topology: Topology, report: Report): Model {
  const ctx = new ResolveContext(report);
  const siteNames = new Set((topology.sites ?? []).map((s) => s.name));
  const aws = topology.aws ? resolveAws(topology.aws, ['aws'], ctx, siteNames) : undefined;
  const sites = (topology.sites ?? []).map((site, i) => resolveSite(site, ['sites', i], ctx, aws));

  const s2s = aws?.vpc?.siteToSite;
  if (s2s) {
    const site = sites.find((s) => s.name === s2s.site);
    // The VPC learns every on-prem network behind the firewall, not itself.
    s2s.onPremNetworks = (site?.internalNetworks ?? [])
      .filter((id) => id !== aws!.vpc!.network)
      .map((id) => ctx.networks.find((n) => n.id === id)!)
      .sort((a, b) => a.block.base - b.block.base)
      .map((n) => n.cidr);
    if (site?.firewall && !s2s.customerGatewayIp) s2s.customerGatewayIp = site.firewall.publicAddress;
    if (!s2s.customerGatewayIp) {
      report({
        rule: 'aws/customer-gateway',
        path: s2s.path,
        message: `the site-to-site VPN needs the firewall's public address: set customer_gateway_ip here or firewall.public_address on site ${s2s.site}`,
      });
    }
  }

  const vpc = aws?.vpc;
  if (vpc) {
    const joined = sites.find((s) => s.name === vpc.siteToSite?.site);
    if (joined) deriveSiteGroups(joined, vpc, ctx.networks, ctx);
    resolveVpcTests(vpc, ctx, joined, joined ? objectsOfSite(joined) : undefined);
  }

  return {
    name: topology.name,
    description: topology.description,
    sites,
    aws,
    networks: ctx.networks,
    addresses: ctx.addresses,
    names: ctx.names,
  };
}
