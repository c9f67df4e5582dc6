// One on-prem site: firewall and its networks, WireGuard, Proxmox hosts,
// services, policy, HAProxy and backup, resolved in dependency order.
import type { Path } from '../location.js';
import type { Aws, Firewall, KeepOptions, Network, PbsBackup, Policy, Site, WireguardInstance } from '../model.js';
import { parseCidr } from '../net.js';
import { s3Endpoint } from '../targets/aws/partition.js';
import { checkCalendarEvent } from './calendar-event.js';
import { datastorePrefix } from '../targets/pbs/s3.js';
import { KEEP_ORDER } from '../targets/proxmox/backup-job.js';
import type { KeepInput, SiteInput } from '../topology.js';
import { resolveAccess } from './access.js';
import { antiLockoutRule, antiLockoutSteps } from './anti-lockout.js';
import { reflectionSteps } from './reflection-steps.js';
import { blockPrivateRule, dhcpServerRules } from './automatic-rules.js';
import { resolveBackupJobs } from './backup-jobs.js';
import { bondSteps } from './bond-steps.js';
import { type ResolveContext, indexByName, knownNames } from './context.js';
import { deriveOutboundNat, internalRoutes, resolveFirewall, resolvePortForwards } from './firewall.js';
import { attachments, resolveGuests } from './guests.js';
import { acmeSteps, resolveHaproxy } from './haproxy.js';
import { siteMatches } from './matches.js';
import { policyObjects, rememberObjects } from './objects.js';
import { resolveForwardSources } from './forward-sources.js';
import { derivedWanRules, resolvePolicy } from './policy.js';
import { deriveHostRouting, firewallOnBridges, resolveHost } from './proxmox.js';
import { resolveReach } from './reach.js';
import { networksByBlock, resolveServices } from './services.js';
import { tunnelLeavesWan } from './tunnel-egress.js';
import { isPrivateWan, resolveUpstream, upstreamSteps } from './upstream.js';
import { resolveWireguardInstance } from './wireguard.js';
import { appendAll } from '../arrays.js';

export function resolveSite(input: SiteInput, path: Path, ctx: ResolveContext, aws: Aws | undefined): Site {
  const site = input.name;
  ctx.name('site', 'topology', site, path);
  const firstNetwork = ctx.networks.length;

  // The interface that assigns an instance names the tunnel network.
  const assignedBy = new Map<string, string>();
  for (const iface of input.firewall?.interfaces ?? []) if (iface.wireguard) assignedBy.set(iface.wireguard, iface.name);
  const wireguard = (input.wireguard ?? []).flatMap((wg, i) => {
    const instance = resolveWireguardInstance(wg, site, path.concat('wireguard', i), ctx, assignedBy.get(wg.name));
    return instance ? [instance] : [];
  });
  const wgIndex = indexByName(wireguard);

  const firewall = input.firewall ? resolveFirewall(input.firewall, site, path.concat('firewall'), ctx, wgIndex) : undefined;
  const wan = firewall?.interfaces.find((f) => f.isWan);
  // lan_endpoint: true is the firewall's WAN address, written once on the interface.
  wireguard.forEach((instance, i) => {
    if (input.wireguard![i]!.lan_endpoint !== true) return;
    if (wan?.address) instance.lanEndpoint = wan.address;
    else {
      ctx.report({
        rule: 'ref/unknown',
        path: instance.path.concat('lan_endpoint'),
        message: `lan_endpoint: true needs a firewall WAN interface with a static address (use the address itself otherwise)`,
        hint: `Write the address at which clients on the upstream router's LAN reach the firewall (lan_endpoint: A.B.C.D), or give the WAN interface its static address.`,
      });
    }
  });
  (input.remote_networks ?? []).forEach((remote, i) => {
    const rpath = path.concat('remote_networks', i);
    ctx.name('remote network', `site ${site}`, remote.name, rpath);
    const block = ctx.cidr(remote.cidr, rpath.concat('cidr'));
    if (!block) return;
    ctx.networks.push({ id: `${site}/${remote.name}`, name: remote.name, site, kind: 'remote', block, cidr: block.cidr, path: rpath.concat('cidr') });
  });

  const networks: Network[] = ctx.networks.slice(firstNetwork);
  // A VPC joined to this site by a site-to-site VPN is reached through the firewall.
  const vpcNetwork = aws?.vpc?.siteToSite?.site === site ? ctx.networks.find((n) => n.id === aws.vpc!.network) : undefined;
  const reachable = vpcNetwork ? [...networks, vpcNetwork] : networks;
  const networkIndex = new Map(reachable.map((n) => [n.name, n] as const));
  const byId = new Map(reachable.map((n) => [n.id, n] as const));
  const internalNetworks = reachable.filter((n) => n.kind !== 'wan').map((n) => n.id);

  const hostInputs = input.proxmox?.hosts ?? [];
  const firewallHost = input.firewall?.vm?.host ?? (hostInputs.length === 1 ? hostInputs[0]!.name : undefined);
  if (input.firewall?.vm?.host !== undefined && !hostInputs.some((h) => h.name === input.firewall!.vm!.host)) {
    ctx.report({ rule: 'ref/unknown', path: path.concat('firewall', 'vm', 'host'), message: `Proxmox host "${input.firewall.vm.host}" does not exist${hostInputs.length ? ` (known: ${knownNames(hostInputs.map((h) => h.name), hostInputs.length)})` : ': the site has no proxmox.hosts'}` });
  }
  const reachableByBlock = networksByBlock(reachable);
  const onBridges = firewallOnBridges(firewall);
  const attach = attachments(firewall);
  const hosts = hostInputs.map((host, i) => resolveHost(host, site, path.concat('proxmox', 'hosts', i), ctx, reachableByBlock, firewall, firewallHost, onBridges, attach));
  if (firewall && firewallHost) {
    const host = hosts.find((h) => h.name === firewallHost);
    const bridges = new Set(host?.bridges.map((b) => b.name));
    firewall.interfaces.forEach((iface) => {
      if (iface.bridge !== undefined && host && !bridges.has(iface.bridge)) {
        ctx.report({
          rule: 'ref/unknown',
          path: iface.path.concat('bridge'),
          message: `bridge "${iface.bridge}" does not exist on host ${host.name} (known: ${knownNames(bridges, bridges.size) || 'none'})`,
        });
      }
    });
  }
  for (const host of hosts) deriveHostRouting(host, byId, internalNetworks);

  const services = resolveServices(input.services ?? [], site, path.concat('services'), ctx, networkIndex, new Set(hostInputs.map((h) => h.name)));
  const serviceIndex = indexByName(services);
  if (firewall && input.firewall) firewall.nat.portForwards = resolvePortForwards(input.firewall, site, firewall, serviceIndex, path.concat('firewall'), ctx);
  const haproxy = resolveHaproxy(input.haproxy, site, path.concat('haproxy'), ctx, serviceIndex, indexByName(firewall?.interfaces ?? []));

  // The joined VPC's subnets can be named too: traffic to them goes through the site-to-site VPN.
  const subnets = vpcNetwork ? ctx.networks.filter((n) => n.parent === vpcNetwork.id) : [];
  const objects = policyObjects(ctx, [...reachable, ...subnets], services, wireguard);
  const policy = resolvePolicy(input.policy, site, path.concat('policy'), ctx, objects, notInternet(firewall, reachable));
  resolveForwardSources({ firewall, wireguard, networks }, haproxy, policy.zones, policy.internal, objects, ctx);
  if (firewall) {
    // The derived WAN rules go first; in place, as other parts may hold this list.
    const written = policy.rules.splice(0);
    appendAll(appendAll(policy.rules, derivedWanRules(firewall, wireguard, haproxy, networks, vpcNetwork ? aws?.vpc : undefined)), written);
    policy.antiLockout = antiLockoutRule(firewall, byId);
    const blockPrivate = blockPrivateRule(firewall);
    const automatic = [...(blockPrivate ? [blockPrivate] : []), ...dhcpServerRules(firewall, byId)];
    if (automatic.length > 0) policy.automatic = automatic;
  }
  resolveReach(wireguard, input.wireguard ?? [], policy, objects, firewall);
  // After the policy: a split tunnel, or a remote network, needs outbound NAT where the policy lets it out of the WAN.
  if (firewall) deriveOutboundNat(firewall, wireguard, networks, leavesWanOf(policy, firewall, wireguard));

  const upstream = firewall && input.firewall ? resolveUpstream(input.firewall, firewall, wireguard, haproxy, path.concat('firewall'), vpcNetwork ? aws?.vpc : undefined) : undefined;
  const manualSteps = [...(upstream ? upstreamSteps(upstream) : []), ...bondSteps(hosts), ...(firewall ? [...acmeSteps(haproxy, firewall.release), ...antiLockoutSteps(firewall), ...reflectionSteps(firewall)] : [])];

  const backup = input.backup?.pbs ? resolveBackup(input, path.concat('backup', 'pbs'), ctx, aws) : undefined;
  const guests = resolveGuests(input, site, path, ctx, { firewall, hosts: hostInputs.map((h) => h.name), networks: byId, services, backup });
  const access = resolveAccess(input, site, path, ctx, { firewall, networks: networkIndex, backup });
  if (backup) backup.jobs = resolveBackupJobs(input.backup!.pbs!.pve_jobs ?? [], site, path.concat('backup', 'pbs', 'pve_jobs'), ctx, guests);

  const resolved: Site = {
    name: site,
    description: input.description,
    path,
    firewall,
    hosts,
    guests,
    ...access,
    networks,
    internalNetworks,
    wireguard,
    services,
    policy,
    haproxy,
    backup,
    upstream,
    manualSteps,
  };
  rememberObjects(resolved, objects);
  return resolved;
}

/**
 * What "internet" leaves out: the networks behind the firewall (its own, and
 * those of static routes through a router on one of them), and the upstream
 * router's LAN when the WAN's network is private.
 */
function notInternet(firewall: Firewall | undefined, reachable: readonly Network[]): { internal: Pick<Network, 'block' | 'cidr'>[]; upstreamLan: Pick<Network, 'block' | 'cidr'>[] } {
  const internal: Pick<Network, 'block' | 'cidr'>[] = reachable.filter((n) => n.kind !== 'wan');
  for (const route of internalRoutes(firewall)) {
    const parsed = parseCidr(route.network);
    if (parsed.ok) internal.push({ block: parsed.block, cidr: parsed.block.cidr });
  }
  return { internal, upstreamLan: reachable.filter((n) => n.kind === 'wan' && isPrivateWan(n.block)) };
}

/**
 * Whether a rule lets `network` out of the WAN, asked when the outbound NAT
 * is first read (a lint never reads it). Made here, not in resolveSite: a
 * closure there shares resolveSite's context, which holds the site's input,
 * and the model would keep the whole parsed topology (144 MB of 100,000
 * peers) as long as the NAT was not read.
 */
function leavesWanOf(policy: Policy, firewall: Firewall, wireguard: WireguardInstance[]): (network: Pick<Network, 'block'>) => boolean {
  return (network) => tunnelLeavesWan(siteMatches({ policy, firewall, wireguard }), network);
}

function resolveBackup(input: SiteInput, path: Path, ctx: ResolveContext, aws: Aws | undefined): PbsBackup | undefined {
  const pbs = input.backup!.pbs!;
  if (!aws) {
    ctx.report({ rule: 'ref/unknown', path: path.concat('bucket'), message: `bucket "${pbs.bucket}" does not exist: the topology has no aws section` });
    return undefined;
  }
  ctx.lookup(indexByName(aws.buckets), pbs.bucket, 'bucket', path.concat('bucket'));
  // Of the users that may write the bucket, the one whose prefix holds the datastore's keys: with a datastore of
  // each site in one bucket, each site's user may be limited to its own (the first writer is then another site's).
  const writes = (u: Aws['users'][number], inPrefix: boolean) =>
    u.intents.some((intent) => intent.bucket === pbs.bucket && intent.intent === 'backup-writer' && (!inPrefix || datastorePrefix(pbs.datastore).startsWith(intent.prefix ?? '')));
  const iamUser = pbs.iam_user ?? (aws.users.find((u) => writes(u, true)) ?? aws.users.find((u) => writes(u, false)))?.name;
  if (pbs.iam_user !== undefined) ctx.lookup(indexByName(aws.users), pbs.iam_user, 'IAM user', path.concat('iam_user'));
  if (pbs.address !== undefined) ctx.address(pbs.address, 'Proxmox Backup Server', path.concat('address'));
  // PBS parses the event (datastore create, prune-job create).
  for (const [value, at] of [[pbs.gc_schedule, path.concat('gc_schedule')], [pbs.prune?.schedule, path.concat('prune', 'schedule')]] as const) {
    if (value !== undefined) checkCalendarEvent(ctx, value, at, 'Proxmox Backup Server');
  }
  // A PBS prune job without any keep-* option keeps every backup.
  if (pbs.prune && Object.keys(keepOptions(pbs.prune)).length === 0) {
    ctx.report({ rule: 'schema', path: path.concat('prune'), message: 'prune keeps nothing in particular, so it would prune nothing: give at least one keep_* (e.g. keep_daily: 7)' });
  }
  return {
    address: pbs.address,
    datastore: pbs.datastore,
    s3Remote: pbs.s3_remote ?? 'aws-s3-storage',
    bucket: pbs.bucket,
    endpoint: s3Endpoint(aws.region),
    region: aws.region,
    iamUser,
    pveStorage: pbs.pve_storage ?? 'pbs-main',
    fingerprint: pbs.fingerprint?.toLowerCase(),
    gcSchedule: pbs.gc_schedule ?? 'daily',
    cache: { diskGb: pbs.cache?.disk_gb, maxSizeGb: pbs.cache?.max_size_gb },
    prune: pbs.prune ? { schedule: pbs.prune.schedule ?? 'daily', keep: keepOptions(pbs.prune) } : { schedule: 'daily', keep: { daily: 7, weekly: 4, monthly: 6 } },
    pvePrune: pbs.pve_prune_backups ? keepOptions(pbs.pve_prune_backups) : undefined,
    token: { user: pbs.pve_user ?? 'pve-backup@pbs', name: pbs.pve_token ?? 'pve' },
    // Resolved once the site's guests are known (the backup server's VM is left out of a job over all).
    jobs: [],
    path,
  };
}

function keepOptions(input: KeepInput): KeepOptions {
  const keep: KeepOptions = {};
  for (const kind of KEEP_ORDER) {
    const value = input[`keep_${kind}`];
    if (value !== undefined) keep[kind] = value;
  }
  return keep;
}
