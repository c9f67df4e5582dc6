// AWS: buckets, IAM users with their intents, the VPC with subnets per AZ,
// tiers and their derived route tables, security groups with group
// references, and the optional site-to-site VPN.
import type { Path } from '../location.js';
import type { Aws, Network, SecurityGroup, SecurityGroupRule, Site, Vpc } from '../model.js';
import { parseCidrV6 } from '../net.js';
import type { AwsInput, SgRuleInput, VpcInput } from '../topology.js';
import { type ResolveContext, indexByName, knownNames } from './context.js';
import type { PolicyObjects } from './objects.js';
import { flowTest } from './policy.js';
import { addToList, appendAll } from '../arrays.js';
import { publicIpNote, subnetsWithoutPublicIp } from '../targets/aws/subnets.js';

export function resolveAws(input: AwsInput, path: Path, ctx: ResolveContext, sites: ReadonlySet<string>): Aws {
  const buckets = (input.buckets ?? []).map((bucket, i) => {
    const bpath = path.concat('buckets', i);
    ctx.name('S3 bucket', 'aws', bucket.name, bpath);
    return { name: bucket.name, description: bucket.description, noncurrentDays: bucket.noncurrent_days, keepNoncurrentForever: bucket.keep_noncurrent_forever, retired: bucket.retired ?? false, path: bpath };
  });
  const bucketIndex = indexByName(buckets);
  const users = (input.iam?.users ?? []).map((user, i) => {
    const upath = path.concat('iam', 'users', i);
    ctx.name('IAM user', 'aws', user.name, upath);
    const policy = user.policy ?? `${user.name}-policy`;
    ctx.names.push({ kind: 'IAM policy', scope: 'aws', name: policy, path: upath.concat(user.policy ? 'policy' : 'name') });
    return {
      name: user.name,
      policy,
      accessKey: typeof user.access_key === 'object' ? { pgpKey: user.access_key.pgp_key } : (user.access_key ?? false),
      description: user.description,
      intents: user.intents.map((intent, n) => {
        const ipath = upath.concat('intents', n);
        ctx.lookup(bucketIndex, intent.bucket, 'bucket', ipath.concat('bucket'));
        return { intent: intent.intent, bucket: intent.bucket, prefix: intent.prefix, pbsDatastores: [], path: ipath };
      }),
      path: upath,
    };
  });
  const backend = input.terraform?.backend;
  return {
    region: input.region,
    buckets,
    users,
    stateBackend: backend && {
      bucket: backend.bucket,
      key: backend.key,
      region: backend.region ?? input.region,
      useLockfile: backend.use_lockfile ?? true,
      path: path.concat('terraform', 'backend'),
    },
    vpc: input.vpc ? resolveVpc(input.vpc, input.region, path.concat('vpc'), ctx, sites) : undefined,
    path,
  };
}

function resolveVpc(input: VpcInput, region: string, path: Path, ctx: ResolveContext, sites: ReadonlySet<string>): Vpc | undefined {
  ctx.name('VPC', 'aws', input.name, path);
  const block = ctx.cidr(input.cidr, path.concat('cidr'));
  if (!block) return undefined;
  const vpcNetwork: Network = { id: `aws/${input.name}`, name: input.name, kind: 'vpc', block, cidr: block.cidr, path: path.concat('cidr') };
  ctx.networks.push(vpcNetwork);

  const subnets = (input.subnets ?? []).flatMap((subnet, i) => {
    const spath = path.concat('subnets', i);
    ctx.name('subnet', `VPC ${input.name}`, subnet.name, spath);
    if (!subnet.az.startsWith(region)) {
      ctx.report({ rule: 'aws/az-region', path: spath.concat('az'), message: `subnet ${subnet.name}: availability zone ${subnet.az} is not in region ${region}` });
    }
    const sblock = ctx.cidr(subnet.cidr, spath.concat('cidr'));
    if (!sblock) return [];
    const id = `aws/${input.name}/${subnet.name}`;
    ctx.networks.push({ id, name: subnet.name, kind: 'subnet', block: sblock, cidr: sblock.cidr, parent: vpcNetwork.id, path: spath.concat('cidr') });
    return [{ name: subnet.name, az: subnet.az, cidr: sblock.cidr, tier: subnet.tier, publicIpOnLaunch: subnet.public_ip_on_launch ?? false, network: id, description: subnet.description, path: spath }];
  });

  const byTier = new Map<string, typeof subnets>();
  for (const subnet of subnets) addToList(byTier, subnet.tier, subnet);
  const tierNames = [...byTier.keys()];
  const tiers = [...byTier].map(([name, members]) => {
    return { name, public: name === 'public', azs: [...new Set(members.map((s) => s.az))].sort(), subnets: members.map((s) => s.name) };
  });
  const natGateway = input.nat_gateway ?? false;
  if (natGateway && !tiers.some((t) => t.public)) {
    ctx.report({ rule: 'aws/nat-without-public', path: path.concat('nat_gateway'), message: 'a NAT gateway needs a public subnet to live in' });
  }
  const extra = new Map<string, Vpc['routeTables'][number]['routes']>();
  const egressChoice = new Map<string, { egress: 'nat-gateway' | 'none'; path: Path }>();
  (input.route_tables ?? []).forEach((table, i) => {
    const tpath = path.concat('route_tables', i);
    if (!byTier.has(table.tier)) {
      ctx.report({ rule: 'ref/unknown', path: tpath.concat('tier'), message: `tier "${table.tier}" has no subnet (known: ${knownNames(tierNames, tierNames.length) || 'none'})` });
    }
    if (table.egress !== undefined) {
      if (egressChoice.has(table.tier)) {
        ctx.report({ rule: 'aws/route-target', path: tpath.concat('egress'), message: `tier ${table.tier} has its egress chosen twice`, hint: `Keep egress in one route_tables entry of tier ${table.tier}.` });
      } else if (table.tier === 'public') {
        ctx.report({
          rule: 'aws/route-target',
          path: tpath.concat('egress'),
          message: 'the public tier goes out through the internet gateway: that is what makes it public',
          hint: 'Remove egress from the route table of the public tier; give subnets that must not reach the internet a tier of their own.',
        });
      } else {
        egressChoice.set(table.tier, { egress: table.egress, path: tpath.concat('egress') });
      }
    }
    const written = table.routes ?? [];
    written.forEach((route, r) => ctx.cidr(route.destination, tpath.concat('routes', r, 'destination')));
    const routes = written.map((route, r) => ({ destination: route.destination, target: route.target, path: tpath.concat('routes', r) }));
    if (extra.has(table.tier)) appendAll(extra.get(table.tier)!, routes);
    else extra.set(table.tier, routes);
  });
  const routeTables = tiers.map((tier) => {
    const routes: Vpc['routeTables'][number]['routes'] = [];
    // A private tier goes out through the NAT gateway when the VPC has one, unless its egress says otherwise.
    const chosen = egressChoice.get(tier.name);
    const egress: Vpc['routeTables'][number]['egress'] = tier.public ? 'internet-gateway' : (chosen?.egress ?? (natGateway ? 'nat-gateway' : 'none'));
    if (egress !== 'none') routes.push({ destination: '0.0.0.0/0', target: egress, targetPath: chosen?.path });
    appendAll(routes, extra.get(tier.name) ?? []);
    return { tier: tier.name, egress, routes, subnets: tier.subnets, propagateVpn: input.site_to_site !== undefined };
  });

  const groupNames = new Set((input.security_groups ?? []).map((g) => g.name));
  const securityGroups: SecurityGroup[] = (input.security_groups ?? []).map((group, i) => {
    const gpath = path.concat('security_groups', i);
    ctx.name('security group', `VPC ${input.name}`, group.name, gpath);
    const rules = (list: SgRuleInput[] | undefined, direction: 'ingress' | 'egress') =>
      (list ?? []).map((rule, r) => resolveSgRule(rule, direction, gpath.concat(direction, r), ctx, groupNames));
    return {
      name: group.name,
      description: group.description,
      ingress: rules(group.ingress, 'ingress'),
      egress: rules(group.egress, 'egress'),
      defaultEgress: group.egress === undefined,
      path: gpath,
    };
  });

  let siteToSite: Vpc['siteToSite'];
  if (input.site_to_site) {
    const spath = path.concat('site_to_site');
    if (!sites.has(input.site_to_site.site)) {
      ctx.report({ rule: 'ref/unknown', path: spath.concat('site'), message: `site "${input.site_to_site.site}" does not exist (known: ${knownNames(sites, sites.size) || 'none'})` });
    }
    siteToSite = {
      site: input.site_to_site.site,
      customerGatewayIp: input.site_to_site.customer_gateway_ip,
      bgpAsn: input.site_to_site.bgp_asn ?? 65000,
      onPremNetworks: [],
      connectionRoutes: [],
      path: spath,
    };
  }

  const tests = (input.tests ?? []).map((test, i) => {
    const tpath = path.concat('tests', i);
    const isAddress = /^[0-9.]+(\/[0-9]+)?$/.test(test.from);
    if (isAddress) {
      if (test.from.includes('/')) ctx.cidr(test.from, tpath.concat('from'));
      else ctx.ipv4(test.from, tpath.concat('from'));
    }
    // Groups and objects of the joined site are checked once the sites are resolved (see vpcTests).
    return flowTest(test, tpath);
  });

  const note = publicIpNote(input.name, subnetsWithoutPublicIp(subnets, routeTables));

  return {
    name: input.name,
    cidr: block.cidr,
    tests,
    notes: note === undefined ? [] : [note],
    network: vpcNetwork.id,
    description: input.description,
    subnets,
    tiers,
    natGateway,
    routeTables,
    securityGroups,
    siteToSite,
    path,
  };
}

function resolveSgRule(rule: SgRuleInput, direction: 'ingress' | 'egress', path: Path, ctx: ResolveContext, groups: ReadonlySet<string>): SecurityGroupRule {
  const cidrKey = direction === 'ingress' ? 'from' : 'to';
  const groupKey = direction === 'ingress' ? 'from_group' : 'to_group';
  const cidr = rule[cidrKey];
  const group = rule[groupKey];
  const [wrongCidr, wrongGroup] = direction === 'ingress' ? (['to', 'to_group'] as const) : (['from', 'from_group'] as const);
  const wrong = rule[wrongCidr] !== undefined ? wrongCidr : rule[wrongGroup] !== undefined ? wrongGroup : undefined;
  if ((cidr === undefined) === (group === undefined) || wrong !== undefined) {
    ctx.report({
      rule: 'aws/sg-rule-peer',
      path,
      message: `an ${direction} rule needs exactly one of ${cidrKey} (a network) or ${groupKey} (a security group)`,
      hint:
        wrong !== undefined
          ? `An ${direction} rule names its ${direction === 'ingress' ? 'source' : 'destination'}: write ${wrong === wrongCidr ? cidrKey : groupKey} instead of ${wrong}, or move the rule to ${direction === 'ingress' ? 'egress' : 'ingress'}.`
          : cidr !== undefined
            ? `Keep one of ${cidrKey}: ${cidr} and ${groupKey}: ${group}; for both, write two rules.`
            : `Add ${cidrKey} (a network such as 10.0.0.0/16) or ${groupKey} (a security group of this VPC).`,
    });
  }
  let canonical = cidr;
  if (cidr?.includes(':')) {
    const v6 = parseCidrV6(cidr);
    if (v6.ok) canonical = v6.cidr;
    else {
      ctx.report({
        rule: 'ip/invalid',
        path: path.concat(cidrKey),
        message: v6.reason === 'host-bits' ? `${cidr} has host bits set: the network is ${v6.canonical}` : `"${cidr}" is not an IPv6 network in CIDR notation (e.g. 2001:db8::/32)`,
      });
    }
  } else if (cidr !== undefined) {
    ctx.cidr(cidr, path.concat(cidrKey));
  }
  if (group !== undefined && !groups.has(group)) {
    ctx.report({ rule: 'ref/unknown', path: path.concat(groupKey), message: `security group "${group}" does not exist (known: ${knownNames(groups, groups.size) || 'none'})` });
  }
  const ports = (rule.ports ?? []).map((p) => {
    if (typeof p === 'number') return { from: p, to: p };
    const [a, b] = p.split('-').map(Number);
    return { from: a!, to: b! };
  });
  return { proto: rule.proto, ports, cidr: canonical, group, public: rule.public, description: rule.description, path };
}

/**
 * The VPC's policy tests, once the sites are resolved: `from` is an
 * address, internet, a security group (derived ones included) or a policy
 * object of the site joined by the site-to-site VPN; `to` is a group.
 */
export function resolveVpcTests(vpc: Vpc, ctx: ResolveContext, site: Site | undefined, objects: PolicyObjects | undefined): void {
  const groupNames = new Set(vpc.securityGroups.map((g) => g.name));
  for (const test of vpc.tests) {
    const isAddress = /^[0-9.]+(\/[0-9]+)?$/.test(test.from);
    if (!isAddress && test.from !== 'internet' && !groupNames.has(test.from)) {
      const zone = site?.policy.zones.find((z) => z.name === test.from);
      const found = zone ? zone.members : objects?.lookup(test.from, test.path.concat('from'), [...groupNames, 'internet']);
      // An unknown source is reported once, and the test is not evaluated (no objects).
      test.fromObjects = found ? [found].flat() : [];
      if (!objects) {
        ctx.report({ rule: 'ref/unknown', path: test.path.concat('from'), message: `security group "${test.from}" does not exist (or use an address, a CIDR, or internet)` });
      }
    }
    if (!groupNames.has(test.to)) {
      ctx.report({ rule: 'ref/unknown', path: test.path.concat('to'), message: `security group "${test.to}" does not exist (known: ${knownNames(groupNames, groupNames.size) || 'none'})` });
    }
  }
}
