// Stage 3: turn the validated topology into the resolved model. Reports
// dangling references and unparsable values as findings and keeps going, so
// one run shows every problem.
// Layer: resolve. Imports validate's types, target knowledge, the model
// types and the shared leaves; never rules or renderers.
import type { Report } from '../findings.js';
import type { Model } from '../model.js';
import { compareCidrs } from '../net.js';
import type { Topology } from '../topology.js';
import { resolveAws, resolveVpcTests } from './aws.js';
import { deriveSiteGroups } from './aws-groups.js';
import { objectsOfSite } from './objects.js';
import { ResolveContext } from './context.js';
import { resolveSite } from './site.js';
import { internalRoutes } from './firewall.js';
import { datastorePrefix } from '../targets/pbs/s3.js';

export function resolve(topology: Topology, report: Report): Model {
  const ctx = new ResolveContext(report);
  const siteNames = new Set((topology.sites ?? []).map((s) => s.name));
  const aws = topology.aws ? resolveAws(topology.aws, ['aws'], ctx, siteNames) : undefined;
  const sites = (topology.sites ?? []).map((site, i) => resolveSite(site, ['sites', i], ctx, aws));

  // A backup-writer intent on the bucket of a Proxmox Backup Server datastore
  // is that datastore's: PBS writes its objects under "<datastore>/". A
  // prefix that leaves the datastore out keeps its meaning (backup/no-writer
  // reports it): the policy never grants more than the prefix.
  for (const backup of sites.flatMap((s) => (s.backup ? [s.backup] : []))) {
    const user = aws?.users.find((u) => u.name === backup.iamUser);
    for (const intent of user?.intents ?? []) {
      if (intent.intent !== 'backup-writer' || intent.bucket !== backup.bucket || !datastorePrefix(backup.datastore).startsWith(intent.prefix ?? '')) continue;
      if (!intent.pbsDatastores.includes(backup.datastore)) intent.pbsDatastores.push(backup.datastore);
    }
  }
  for (const intent of aws?.users.flatMap((u) => u.intents) ?? []) intent.pbsDatastores.sort();

  const s2s = aws?.vpc?.siteToSite;
  if (s2s) {
    const site = sites.find((s) => s.name === s2s.site);
    const byId = new Map(ctx.networks.map((n) => [n.id, n] as const));
    // The VPC learns every on-prem network behind the firewall, not itself, and the networks of its static
    // routes through internal routers: with static routing AWS drops what has no connection route, so the
    // VPC could not even answer a host of the lab behind such a router.
    s2s.onPremNetworks = [
      ...(site?.internalNetworks ?? [])
        .filter((id) => id !== aws!.vpc!.network)
        .map((id) => byId.get(id)!)
        .map((n) => n.cidr),
      ...internalRoutes(site?.firewall).map((r) => r.network),
    ].sort(compareCidrs);
    // The connection carries what the route tables send to the VPN gateway: with
    // static routing, a destination without a connection route is dropped at AWS.
    const toVpn = aws!.vpc!.routeTables.flatMap((t) => t.routes.filter((r) => r.target === 'vpn-gateway').map((r) => r.destination));
    s2s.connectionRoutes = [...new Set([...s2s.onPremNetworks, ...toVpn])].sort(compareCidrs);
    if (site?.firewall && !s2s.customerGatewayIp) s2s.customerGatewayIp = site.firewall.publicAddress;
    if (!s2s.customerGatewayIp) {
      report({
        rule: 'aws/customer-gateway',
        path: s2s.path,
        message: `the site-to-site VPN needs the firewall's public address: set customer_gateway_ip here or firewall.public_address on site ${s2s.site}`,
        hint: site?.firewall
          ? `Set public_address on the firewall of site ${s2s.site} (the address the internet reaches it at: behind a NAT router, the router's), or customer_gateway_ip here.`
          : `Set customer_gateway_ip here to the public address of site ${s2s.site}'s VPN device: the site has no firewall gen describes.`,
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
