// Rules on the AWS part: security group rules open to the whole internet on
// administrative or database ports, IAM intents that would need a wildcard,
// values AWS would refuse, routes to gateways that are not generated, public
// addresses where no route reaches them, and the backup wiring.
import type { Path } from '../location.js';
import type { IamUser, SecurityGroupRule } from '../model.js';
import { contains, containsBlock, parseCidr, parseIPv4 } from '../net.js';
import { policyDocument, wildcardProblems } from '../targets/aws/iam.js';
import { partitionOf } from '../targets/aws/partition.js';
import { permissionKey, portRanges, refusedIpv6Peer } from '../targets/aws/security-groups.js';
import { internetGatewayTiers } from '../targets/aws/subnets.js';
import { reservedCustomerGatewayAsn } from '../targets/aws/vpn.js';
import { PBS_AUTH_ID_MAX, PBS_SAFE_ID, verifyPbsUserId } from '../targets/pbs/access.js';
import { datastorePrefix } from '../targets/pbs/s3.js';
import type { Rule } from './rule.js';

/** Ports that must never be reachable from the whole internet without a written reason. */
export const ADMIN_PORTS: ReadonlyMap<number, string> = new Map([
  [22, 'SSH'],
  [23, 'Telnet'],
  [135, 'MS RPC'],
  [445, 'SMB'],
  [1433, 'SQL Server'],
  [1521, 'Oracle'],
  [2375, 'Docker API'],
  [2376, 'Docker API (TLS)'],
  [3306, 'MySQL'],
  [3389, 'RDP'],
  [5432, 'PostgreSQL'],
  [5900, 'VNC'],
  [5984, 'CouchDB'],
  [6379, 'Redis/Valkey'],
  [8006, 'Proxmox VE'],
  [8007, 'Proxmox Backup Server'],
  [9200, 'Elasticsearch'],
  [11211, 'Memcached'],
  [27017, 'MongoDB'],
]);

export function isWholeInternet(cidr: string | undefined): boolean {
  return cidr !== undefined && /\/0$/.test(cidr.trim());
}

/** The administrative ports a rule opens: every one for "all" protocols or an unlimited port list. */
export function adminPortsOpened(rule: SecurityGroupRule): number[] {
  if (rule.proto === 'icmp') return [];
  const ranges = rule.proto === 'all' || rule.ports.length === 0 ? [{ from: 0, to: 65535 }] : rule.ports;
  return [...ADMIN_PORTS.keys()].filter((port) => ranges.some((r) => port >= r.from && port <= r.to));
}

/** Ranges no customer gateway can be reached at over the internet. */
const NOT_PUBLIC = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '0.0.0.0/8', '224.0.0.0/3'].map((c) => {
  const parsed = parseCidr(c);
  if (!parsed.ok) throw new Error(c);
  return parsed.block;
});

/** Proxmox Backup Server's rules for bucket names and config ids, and Proxmox VE's for storage ids. */
const PBS_BUCKET = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const SAFE_ID = new RegExp(`^${PBS_SAFE_ID}$`);
const PVE_STORAGE_ID = /^[a-z][a-z0-9_.-]*[a-z0-9]$/i;

/** Bucket names the schema's pattern lets through but S3 refuses (reserved prefixes and suffixes, IP form, dots next to dots or dashes). */
function refusedBucketName(name: string): string | undefined {
  if (/\.\.|\.-|-\./.test(name)) return 'a dot next to a dot or a dash';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'the form of an IP address';
  const prefix = /^(xn--|sthree-|amzn-s3-demo-)/.exec(name);
  if (prefix) return `the reserved prefix ${prefix[1]}`;
  const suffix = /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.exec(name);
  if (suffix) return `the reserved suffix ${suffix[1]}`;
  return undefined;
}

/** What AWS accepts in security group and rule descriptions. */
const SG_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;
/** What AWS accepts in an IAM policy description. */
const IAM_DESCRIPTION = /^[\u0009\u000a\u000d\u0020-\u00ff]*$/;

/** The fix of a description AWS refuses: the characters to leave out, each once (the first six). */
function withoutRefused(text: string, allowed: RegExp): string {
  const refused = [...new Set([...text].filter((c) => !allowed.test(c)))];
  return `Rewrite the description without ${refused.slice(0, 6).join(' ')}${refused.length > 6 ? ' …' : ''} (the characters AWS refuses here).`;
}

export const awsRules: Rule[] = [
  {
    id: 'aws/open-admin-port',
    severity: 'error',
    summary: 'A security group lets the whole internet (0.0.0.0/0, ::/0) reach an administrative or database port.',
    why: 'SSH, RDP and database ports open to the world are scanned within minutes; they belong behind a bastion group or the VPN.',
    hint: 'Allow a /32 admin address, the VPN network or another security group (from_group); if the port really is public, write the reason in `public:`.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.security_groups[jenkins]',
        bad: 'ingress:\n  - { proto: tcp, ports: [8080, 22], from: 0.0.0.0/0, description: CI web and SSH }',
        good: 'ingress:\n  - { proto: tcp, ports: [8080, 22], from: 198.51.100.7/32, description: VPN address only }',
      },
    ],
    check(model, report) {
      for (const group of model.aws?.vpc?.securityGroups ?? []) {
        group.ingress.forEach((rule) => {
          if (!isWholeInternet(rule.cidr) || rule.public?.trim()) return;
          const ports = adminPortsOpened(rule);
          if (!ports.length) return;
          const named = ports.map((p) => `${p} (${ADMIN_PORTS.get(p)})`).join(', ');
          report({ path: rule.path.concat('from'), message: `security group ${group.name} opens ${named} to ${rule.cidr}, the whole internet` });
        });
      }
    },
  },
  {
    id: 'aws/iam-wildcard',
    severity: 'error',
    summary: 'An IAM intent would need a wildcard action or a resource beyond its bucket.',
    why: 'The backup key sits on an on-prem machine: if it leaks, a wildcard turns one bucket into the whole account.',
    hint: 'Name one declared bucket (and optionally a key prefix) per intent.',
    noExample: 'The schema keeps "*" out of bucket names and prefixes, so no topology gets this far; the check guards the generated policy itself.',
    check(model, report) {
      if (!model.aws) return;
      const partition = partitionOf(model.aws.region);
      for (const user of model.aws.users) {
        const problems = wildcardProblems(policyDocument(user, partition), partition);
        if (problems.length) report({ path: user.path.concat('intents'), message: `the policy of IAM user ${user.name} would grant too much: ${problems.join('; ')}` });
      }
    },
  },
  {
    id: 'aws/description-charset',
    severity: 'error',
    summary: 'A description holds characters AWS refuses for that field.',
    why: 'Security group descriptions allow only a-z A-Z 0-9 space and ._-:/()#,@[]+=&;{}!$*; IAM policy descriptions only Latin-1. terraform apply would fail halfway.',
    hint: 'Rewrite the description with the allowed characters.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.security_groups[db]',
        bad: 'description: "The API\'s database"',
        good: 'description: Database of the API',
      },
    ],
    check(model, report) {
      for (const group of model.aws?.vpc?.securityGroups ?? []) {
        if (group.description !== undefined && !SG_DESCRIPTION.test(group.description)) {
          report({ path: group.path.concat('description'), message: `security group ${group.name}: AWS refuses this description (allowed: a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*)`, hint: withoutRefused(group.description, SG_DESCRIPTION) });
        }
        for (const rule of [...group.ingress, ...group.egress]) {
          const text = rule.description ?? rule.public;
          if (text !== undefined && !SG_DESCRIPTION.test(text)) {
            report({
              path: rule.path.concat(rule.description !== undefined ? 'description' : 'public'),
              message: `a rule of security group ${group.name}: AWS refuses this text as a rule description`,
              hint: withoutRefused(text, SG_DESCRIPTION),
            });
          }
        }
      }
      for (const user of model.aws?.users ?? []) {
        if (user.description !== undefined && !IAM_DESCRIPTION.test(user.description)) {
          report({ path: user.path.concat('description'), message: `IAM user ${user.name}: the policy description must be Latin-1 text`, hint: withoutRefused(user.description, IAM_DESCRIPTION) });
        }
      }
    },
  },
  {
    id: 'aws/route-target',
    severity: 'error',
    summary: 'A route points at a NAT or VPN gateway the VPC does not have.',
    why: 'Terraform would reference a gateway that is never created.',
    hint: 'Set nat_gateway: true or site_to_site, or route to another target.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc',
        bad: 'nat_gateway: false\nroute_tables:\n  - { tier: private, egress: nat-gateway }',
        good: 'nat_gateway: true\nroute_tables:\n  - { tier: private, egress: nat-gateway }',
      },
    ],
    check(model, report) {
      const vpc = model.aws?.vpc;
      if (!vpc) return;
      (vpc.routeTables ?? []).forEach((table) => {
        for (const route of table.routes) {
          // The route nat_gateway derives has no place of its own: without a public subnet that is aws/nat-without-public's finding.
          const written = route.targetPath !== undefined || route.path !== undefined;
          const path = route.targetPath ?? (route.path ? route.path.concat('target') : vpc.path.concat('nat_gateway'));
          const elsewhere = `or send ${route.destination} of tier ${table.tier} elsewhere`;
          if (route.target === 'nat-gateway' && written && !(vpc.natGateway && vpc.tiers.some((t) => t.public))) {
            report({
              path,
              message: `tier ${table.tier}: route ${route.destination} goes to a NAT gateway, but the VPC has none`,
              hint: vpc.natGateway ? `Add a subnet with tier public for the NAT gateway to live in, ${elsewhere}.` : `Set nat_gateway: true on VPC ${vpc.name}, ${elsewhere}.`,
            });
          }
          if (route.target === 'vpn-gateway' && !vpc.siteToSite) {
            report({
              path,
              message: `tier ${table.tier}: route ${route.destination} goes to the VPN gateway, but the VPC has no site_to_site`,
              hint: `Add site_to_site (the site the VPN goes to) on VPC ${vpc.name}, ${elsewhere}.`,
            });
          }
        }
      });
    },
  },
  {
    id: 'aws/public-ip-unrouted',
    severity: 'error',
    summary: 'A subnet gives every instance a public IPv4 address, but its tier has no route to the internet gateway.',
    why: 'A public address reaches an instance only through the internet gateway: without that route it is never used, yet AWS bills it, and the setting says the subnet is exposed when it is not (or will be, the day someone adds the route).',
    hint: 'Remove public_ip_on_launch from the subnet, or give it tier public (or a route to the internet gateway) if its instances are to be reached from the internet.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.subnets[private-2a]',
        bad: 'public_ip_on_launch: true',
        good: 'public_ip_on_launch: false',
      },
    ],
    check(model, report) {
      const vpc = model.aws?.vpc;
      if (!vpc) return;
      const routed = internetGatewayTiers(vpc.routeTables);
      for (const subnet of vpc.subnets) {
        if (!subnet.publicIpOnLaunch || routed.has(subnet.tier)) continue;
        report({
          path: subnet.path.concat('public_ip_on_launch'),
          message: `subnet ${subnet.name}: public_ip_on_launch gives its instances public IPv4 addresses, but tier ${subnet.tier} has no route to the internet gateway, so nothing reaches them there`,
          hint: `Remove public_ip_on_launch from subnet ${subnet.name}, or move it to tier public if its instances are to be reached from the internet.`,
        });
      }
    },
  },
  {
    id: 'aws/refused-value',
    severity: 'error',
    summary: 'A bucket name, IAM or security group name, port list, ICMP type, IPv4-mapped IPv6 peer, repeated permission, VPC or subnet size, BGP ASN or route that AWS refuses or ignores.',
    why: 'The topology schema cannot express every AWS constraint; these values fail `terraform init` (two resources of one name), `terraform plan`, or halfway through `terraform apply`.',
    hint: 'Rename the bucket, IAM user, policy or group, write tcp or udp rules for ports, list ICMP types 1-255, write an IPv4-mapped peer (::ffff:…) as its IPv4 network, write each permission of a group once, size the VPC and its subnets between /16 and /28, give the customer gateway an ASN AWS does not keep for itself (7224; 9059, 10124 and 17943 in eu-west-1, ap-northeast-1, ap-southeast-1), and keep route destinations unique per tier and outside the VPC network (AWS routes it locally).',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.security_groups[+]',
        bad: '{ name: sg-monitoring, description: Prometheus exporters, ingress: [{ proto: tcp, ports: [9100], from_group: api }] }',
        good: '{ name: monitoring, description: Prometheus exporters, ingress: [{ proto: tcp, ports: [9100], from_group: api }] }',
      },
    ],
    check(model, report) {
      const aws = model.aws;
      for (const bucket of aws?.buckets ?? []) {
        const why = refusedBucketName(bucket.name);
        if (why) report({ path: bucket.path.concat('name'), message: `S3 refuses bucket name ${bucket.name}: it has ${why}`, hint: `Rename bucket ${bucket.name} (and where it is named) to a name without ${why}.` });
      }
      // IAM names are unique regardless of case (exact twins are names/duplicate's).
      for (const [kind, key, nameOf] of [
        ['IAM user', 'name', (u: IamUser) => u.name],
        ['IAM policy', 'policy', (u: IamUser) => u.policy],
      ] as const) {
        const seen = new Map<string, string>();
        for (const user of aws?.users ?? []) {
          const name = nameOf(user);
          const earlier = seen.get(name.toLowerCase());
          if (earlier !== undefined && earlier !== name) {
            // A derived policy name has no node of its own: the location falls back to the user.
            report({ path: user.path.concat(key), message: `${kind} ${name}: AWS takes it for ${earlier}, as IAM names ignore case`, hint: `Rename ${kind} ${name} so that it differs from ${earlier} in more than case.` });
          }
          if (earlier === undefined) seen.set(name.toLowerCase(), name);
        }
      }
      const vpc = aws?.vpc;
      if (!vpc) return;
      const s2s = vpc.siteToSite;
      // CreateCustomerGateway sends the ASN even for a static connection, where BGP never uses it.
      const reservedIn = s2s ? reservedCustomerGatewayAsn(s2s.bgpAsn, aws.region) : undefined;
      if (s2s && reservedIn) {
        report({
          path: s2s.path.concat('bgp_asn'),
          message: `BGP ASN ${s2s.bgpAsn} is AWS's own in ${reservedIn === 'every region' ? 'every region' : `region ${reservedIn}`}: a customer gateway may not take it`,
          hint: 'Use the ASN of your network if it is another public one, or a private ASN: 64512-65534, or 4200000000-4294967294 (or leave bgp_asn out for 65000).',
        });
      }
      // AWS's sizes for a VPC's IPv4 block and each subnet's (the provider's aws_vpc checks /16-/28 at plan; CreateSubnet refuses others at apply).
      for (const [what, name, cidr, path] of [['VPC', vpc.name, vpc.cidr, vpc.path.concat('cidr')] as const, ...vpc.subnets.map((s) => ['subnet', s.name, s.cidr, s.path.concat('cidr')] as const)]) {
        const parsed = parseCidr(cidr);
        if (!parsed.ok || (parsed.block.prefix >= 16 && parsed.block.prefix <= 28)) continue;
        report({
          path,
          message: `${what} ${name}: AWS takes IPv4 blocks from /16 (65,536 addresses) to /28 (16) for a ${what === 'VPC' ? 'VPC' : 'subnet'}, not /${parsed.block.prefix}`,
          hint: parsed.block.prefix < 16 ? `Use a /16 or smaller block for ${what} ${name} (split a larger plan into several VPCs).` : `Use a /28 or larger block for ${what} ${name}.`,
        });
      }
      for (const group of vpc.securityGroups) {
        // AWS refuses a permission a group already has (InvalidPermission.Duplicate), and gen would name both resources alike.
        for (const [direction, rules] of [['ingress', group.ingress], ['egress', group.egress]] as const) {
          const seen = new Map<string, number>();
          rules.forEach((rule, index) => {
            for (const range of portRanges(rule)) {
              const key = permissionKey(rule, range);
              const first = seen.get(key);
              if (first === undefined) {
                seen.set(key, index);
                continue;
              }
              const what = range === undefined ? 'every protocol' : range.to === -1 ? `ICMP ${range.from === -1 ? 'every type' : `type ${range.from}`}` : `${rule.proto} ${range.from === range.to ? range.from : `${range.from}-${range.to}`}`;
              const peer = rule.cidr ?? `group ${rule.group}`;
              report({
                path: rule.path.concat('ports'),
                message: `security group ${group.name}: ${direction} ${what} ${direction === 'ingress' ? 'from' : 'to'} ${peer} is already allowed by ${first === index ? 'this rule' : `${direction} rule ${first + 1}`}; AWS refuses the same permission twice`,
                hint: first === index ? 'List each port or range once in ports.' : `Remove the repeated port from this rule, or merge it into ${direction} rule ${first + 1}.`,
              });
              break;
            }
          });
        }
        if (/^default$/i.test(group.name) || /^sg-/i.test(group.name)) {
          report({
            path: group.path.concat('name'),
            message: `security group ${group.name}: AWS reserves the name "default" and names starting with "sg-"`,
            hint: `Rename security group ${group.name} (and the from_group and to_group that name it)${/^sg-/i.test(group.name) ? `, e.g. to ${group.name.slice(3)}` : ''}.`,
          });
        }
        for (const [key, rules] of [['from', group.ingress], ['to', group.egress]] as const) {
          for (const rule of rules) {
            const ipv4 = refusedIpv6Peer(rule);
            if (ipv4 === undefined) continue;
            report({
              path: rule.path.concat(key),
              message: `a rule of security group ${group.name}: ${rule.cidr} is IPv4 ${ipv4} mapped into IPv6 (::ffff:0:0/96), which hashicorp/aws refuses as cidr_ipv6`,
              hint: `Write ${key}: ${ipv4}, the IPv4 network it stands for (no IPv6 packet carries an IPv4-mapped address).`,
            });
          }
        }
        for (const rule of [...group.ingress, ...group.egress]) {
          // Protocol -1 carries no ports: AWS would open every port, whatever the list says.
          if (rule.proto === 'all' && rule.ports.length) {
            report({
              path: rule.path.concat('ports'),
              message: `a rule of security group ${group.name}: proto all opens every protocol and port, so AWS ignores this port list`,
              hint: 'Set proto: tcp or udp (or tcp/udp) to open only these ports, or remove ports to open every one.',
            });
          }
          if (rule.proto === 'icmp' && rule.ports.some((r) => r.to > 255)) {
            report({
              path: rule.path.concat('ports'),
              message: `a rule of security group ${group.name}: ICMP types go up to 255 (for ICMP, ports lists types)`,
              // Ports start at 1 (the schema), so type 0 cannot be listed; a group is stateful, so it needs no rule.
              hint: 'List ICMP types 1-255 in ports (8: echo request, 3: unreachable; an echo reply needs no rule, as a security group lets the reply to an allowed request through), or write the rule with proto tcp or udp for these ports.',
            });
          }
        }
      }
      const vpcBlock = parseCidr(vpc.cidr);
      for (const table of vpc.routeTables) {
        const seen = new Set<string>();
        for (const route of table.routes) {
          const path = route.path ?? vpc.path.concat('route_tables');
          if (seen.has(route.destination)) {
            report({ path: path.concat('destination'), message: `tier ${table.tier} already has a route to ${route.destination}`, hint: `Keep one route to ${route.destination} in tier ${table.tier}.` });
          }
          seen.add(route.destination);
          const block = parseCidr(route.destination);
          if (vpcBlock.ok && block.ok && containsBlock(vpcBlock.block, block.block)) {
            report({
              path: path.concat('destination'),
              message: `tier ${table.tier}: ${route.destination} is inside VPC ${vpc.name} (${vpc.cidr}), which AWS routes locally`,
              hint: `Remove the route to ${route.destination}: traffic inside ${vpc.cidr} never leaves the VPC.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'aws/customer-gateway-public',
    severity: 'error',
    summary: 'The site-to-site customer gateway address is not a public internet address.',
    why: 'AWS connects its two tunnels to this address over the internet; behind a NAT router it is the router’s public address, not the firewall’s WAN address.',
    hint: 'Set firewall.public_address (or site_to_site.customer_gateway_ip) to the public address of the site.',
    examples: [
      {
        where: 'aws',
        bad: 'vpc:\n  name: main\n  cidr: 10.30.0.0/16\n  subnets:\n    - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: private }\n    - { name: private-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: private }\n  site_to_site: { site: home, customer_gateway_ip: 192.168.0.2 }',
        good: 'vpc:\n  name: main\n  cidr: 10.30.0.0/16\n  subnets:\n    - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: private }\n    - { name: private-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: private }\n  site_to_site: { site: home, customer_gateway_ip: 121.134.20.7 }',
      },
    ],
    check(model, report) {
      const s2s = model.aws?.vpc?.siteToSite;
      const ip = s2s?.customerGatewayIp;
      const value = ip === undefined ? undefined : parseIPv4(ip);
      if (value === undefined || !NOT_PUBLIC.some((b) => contains(b, value))) return;
      report({ path: s2s!.path, key: true, message: `customer gateway address ${ip} of site ${s2s!.site} is not reachable from the internet` });
    },
  },
  {
    id: 'aws/access-key-in-state',
    severity: 'error',
    summary: 'An access key made by Terraform without a PGP key: its secret would be stored in plain text in the Terraform state.',
    why: 'aws_iam_access_key writes the secret into the state file whenever no pgp_key is given (a sensitive output hides it from the screen, not from the state): whoever reads the state, or a copy of it, has the key.',
    hint: 'Leave access_key out and create the key in the IAM console or with `aws iam create-access-key` (the backup steps say how), or give access_key: { pgp_key: ... } so the state holds only the encrypted secret.',
    examples: [
      {
        where: 'aws.iam.users[proxmox-backup-user]',
        bad: 'name: proxmox-backup-user\naccess_key: true',
        good: 'name: proxmox-backup-user\naccess_key: { pgp_key: "keybase:backupadmin" }',
      },
    ],
    check(model, report) {
      for (const user of model.aws?.users ?? []) {
        if (user.accessKey === true) report({ path: user.path.concat('access_key'), message: `IAM user ${user.name}: access_key: true would store its secret access key in plain text in the Terraform state` });
      }
    },
  },
  {
    id: 'aws/backend-partition',
    severity: 'error',
    summary: 'The Terraform state bucket is in a region of another AWS partition than aws.region.',
    why: 'Partitions (aws, aws-cn, aws-us-gov) have separate IAM: credentials of one do not work in another. The s3 backend block gen writes names no credentials, so Terraform reaches the state bucket with the same ones as the provider, and one of them is refused (terraform init, or every plan).',
    hint: 'Put the state bucket in a region of the partition of aws.region (or leave backend.region out: it is then aws.region), or move aws.region to the partition of the state bucket.',
    examples: [
      {
        where: 'aws',
        bad: 'terraform:\n  backend: { bucket: example-terraform-state, key: gen/terraform.tfstate, region: cn-north-1 }',
        good: 'terraform:\n  backend: { bucket: example-terraform-state, key: gen/terraform.tfstate, region: ap-northeast-1 }',
      },
    ],
    check(model, report) {
      const aws = model.aws;
      const backend = aws?.stateBackend;
      if (!aws || !backend) return;
      const [state, resources] = [partitionOf(backend.region).id, partitionOf(aws.region).id];
      if (state === resources) return;
      report({
        path: backend.path.concat('region'),
        message: `the state bucket's region ${backend.region} is in partition ${state}, aws.region ${aws.region} in ${resources}: one set of credentials cannot reach both`,
        hint: `Put the state bucket in a region of ${resources} (or leave region out for ${aws.region}), or set aws.region to a region of ${state}.`,
      });
    },
  },
  {
    id: 'backup/bucket-lifecycle',
    severity: 'error',
    summary: 'A versioned bucket that backs a Proxmox Backup Server datastore has no rule that ever deletes old versions.',
    why: 'Buckets are versioned: when garbage collection deletes a chunk, S3 keeps it as an old version behind a delete marker. Without a noncurrent-version lifecycle rule nothing PBS deletes is ever removed, and the bucket (and its bill) only grows.',
    hint: 'Set noncurrent_days on the bucket (e.g. 30: deleted chunks can be recovered that long), or keep_noncurrent_forever with the reason old versions must stay.',
    examples: [
      {
        where: 'aws.buckets[iksan-cloud-backup-20251129]',
        bad: 'name: iksan-cloud-backup-20251129\nnoncurrent_days: 30\nkeep_noncurrent_forever: legal hold on every backup',
        good: 'name: iksan-cloud-backup-20251129\nnoncurrent_days: 30',
      },
    ],
    check(model, report) {
      for (const bucket of model.aws?.buckets ?? []) {
        const sites = model.sites.filter((s) => s.backup?.bucket === bucket.name).map((s) => s.name);
        if (bucket.noncurrentDays !== undefined && bucket.keepNoncurrentForever !== undefined) {
          report({
            path: bucket.path.concat('keep_noncurrent_forever'),
            message: `bucket ${bucket.name}: keep_noncurrent_forever contradicts noncurrent_days ${bucket.noncurrentDays}`,
            hint: `Keep one: noncurrent_days: ${bucket.noncurrentDays} to delete old versions after that many days, or keep_noncurrent_forever to keep them.`,
          });
        } else if (sites.length && bucket.noncurrentDays === undefined && bucket.keepNoncurrentForever === undefined) {
          report({
            path: bucket.path.concat('name'),
            message: `bucket ${bucket.name} backs the Proxmox Backup Server datastore of site ${sites.join(', ')} but never deletes old versions: set noncurrent_days (or keep_noncurrent_forever with a reason)`,
          });
        }
      }
    },
  },
  {
    id: 'aws/retired-bucket-in-use',
    severity: 'error',
    summary: 'An IAM intent or a Proxmox Backup Server datastore names a retired bucket.',
    why: 'A retired bucket is no longer managed: gen writes only the removed blocks that make Terraform forget it, and no policy, endpoint or datastore for it. A key that may still write it, or a backup server that still backs up into it, would use a bucket nobody keeps the protections of in the configuration.',
    hint: 'Point backup.pbs at another bucket and drop the intents on the retired one (a user left without intents goes too). On the Proxmox Backup Server, `proxmox-backup-manager datastore remove <datastore>` (without --destroy-data) forgets the old datastore and leaves its objects in the bucket.',
    examples: [
      {
        where: 'aws.buckets[iksan-cloud-backup-20251129]',
        bad: 'retired: true',
        good: 'retired: false',
      },
    ],
    check(model, report) {
      const retired = new Set((model.aws?.buckets ?? []).filter((b) => b.retired).map((b) => b.name));
      if (retired.size === 0) return;
      for (const site of model.sites) {
        const backup = site.backup;
        if (!backup || !retired.has(backup.bucket)) continue;
        report({
          path: backup.path.concat('bucket'),
          message: `site ${site.name}: the Proxmox Backup Server datastore ${backup.datastore} is in bucket ${backup.bucket}, which is retired`,
          hint: `Name another bucket in backup.pbs.bucket, or remove backup.pbs; then on the backup server \`proxmox-backup-manager datastore remove ${backup.datastore}\` (without --destroy-data, which deletes every object of the datastore) keeps its objects in ${backup.bucket}.`,
        });
      }
      for (const user of model.aws?.users ?? []) {
        for (const intent of user.intents) {
          if (!retired.has(intent.bucket)) continue;
          report({
            path: intent.path.concat('bucket'),
            message: `IAM user ${user.name}: intent ${intent.intent} is on bucket ${intent.bucket}, which is retired`,
            hint: `Remove this intent (and user ${user.name}, if it has no other), or point it at another bucket.`,
          });
        }
      }
    },
  },
  {
    id: 'backup/pbs-names',
    severity: 'error',
    summary: 'A backup name that Proxmox Backup Server or Proxmox VE refuses.',
    why: 'PBS takes S3 buckets of a-z, 0-9 and "-" only (no dots), endpoint and datastore ids of 3-32 characters, user ids and token ids (user@realm!token) of at most 64; a PVE storage id starts with a letter. The generated files would be rejected.',
    hint: 'Rename the bucket, s3_remote, datastore, pve_user, pve_token or pve_storage within those limits.',
    examples: [
      {
        where: 'sites[].backup.pbs',
        bad: 'pve_storage: 2025-pbs',
        good: 'pve_storage: pbs-2025',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const b = site.backup;
        if (!b) continue;
        const bad = (what: string, key: string, message: string, hint: string) => report({ path: b.path.concat(key), message: `${what}: ${message}`, hint });
        if (!PBS_BUCKET.test(b.bucket) || /^(xn--|sthree-|amzn-s3-demo-)|(--ol-s3|\.mrap|--x-s3)$/.test(b.bucket)) {
          bad(`bucket ${b.bucket}`, 'bucket', 'Proxmox Backup Server accepts only a-z, 0-9 and "-" in bucket names', `Rename bucket ${b.bucket} here and under aws.buckets with a-z, 0-9 and "-" only (dots become "-").`);
        }
        for (const [key, value] of [['s3_remote', b.s3Remote], ['datastore', b.datastore]] as const) {
          if (!SAFE_ID.test(value) || value.length < 3 || value.length > 32) {
            bad(`${key} ${value}`, key, 'Proxmox Backup Server ids are 3-32 characters', `Rename ${key} to 3-32 letters, digits, "_", "." and "-", starting with a letter, digit or "_".`);
          }
        }
        const authId = `${b.token.user}!${b.token.name}`;
        if (verifyPbsUserId(b.token.user) !== undefined) {
          bad(`pve_user ${b.token.user}`, 'pve_user', `the user id is ${b.token.user.length} characters, and Proxmox Backup Server takes at most 64`, 'Shorten the name before the "@" or the realm after it.');
        } else if (authId.length > PBS_AUTH_ID_MAX) {
          bad(
            `pve_token ${b.token.name}`,
            'pve_token',
            `the token id ${authId} is ${authId.length} characters, and Proxmox Backup Server takes at most ${PBS_AUTH_ID_MAX} (pbs/access.sh would stop at its acl update)`,
            `Shorten pve_token or pve_user by ${authId.length - PBS_AUTH_ID_MAX} characters.`,
          );
        }
        if (!PVE_STORAGE_ID.test(b.pveStorage)) {
          const letters = b.pveStorage.replace(/^[^a-z]+/i, '').replace(/[^a-z0-9]+$/i, '');
          bad(
            `pve_storage ${b.pveStorage}`,
            'pve_storage',
            'a Proxmox VE storage id starts with a letter and ends with a letter or digit',
            `Rename pve_storage so that it starts with a letter and ends with a letter or digit${PVE_STORAGE_ID.test(letters) ? `, e.g. ${letters}` : ''}.`,
          );
        }
      }
    },
  },
  {
    id: 'backup/no-writer',
    severity: 'warning',
    summary: 'No IAM user may write the backup datastore in its bucket.',
    why: 'The Proxmox Backup Server S3 endpoint needs the access key of a user with a backup-writer intent on the bucket, covering the key prefix "<datastore>/" where PBS keeps the datastore.',
    hint: 'Add an IAM user with `intent: backup-writer` on the bucket (no prefix, or one the datastore name starts with), or name it in backup.pbs.iam_user.',
    examples: [
      {
        where: 'aws.iam.users[proxmox-backup-user]',
        bad: 'intents:\n  - { intent: reader, bucket: iksan-cloud-backup-20251129 }',
        good: 'intents:\n  - { intent: backup-writer, bucket: iksan-cloud-backup-20251129 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const backup = site.backup;
        if (!backup) continue;
        if (backup.iamUser === undefined) {
          report({
            path: backup.path.concat('bucket'),
            message: `site ${site.name}: no IAM user has a backup-writer intent on bucket ${backup.bucket}`,
            hint: `Give an IAM user under aws.iam.users the intent { intent: backup-writer, bucket: ${backup.bucket} }.`,
          });
          continue;
        }
        // A user named in iam_user must really be allowed to write the bucket (one found by default always is).
        const user = model.aws?.users.find((u) => u.name === backup.iamUser);
        if (!user) continue;
        const writes = user.intents.filter((i) => i.intent === 'backup-writer' && i.bucket === backup.bucket);
        if (!writes.length) {
          report({
            path: backup.path.concat('iam_user'),
            message: `site ${site.name}: IAM user ${user.name} has no backup-writer intent on bucket ${backup.bucket}, so Proxmox Backup Server could not write its datastore`,
            hint: `Add { intent: backup-writer, bucket: ${backup.bucket} } to the intents of IAM user ${user.name}, or name a user that has it in iam_user.`,
          });
          continue;
        }
        const storePrefix = datastorePrefix(backup.datastore);
        if (!writes.some((i) => !i.prefix || storePrefix.startsWith(i.prefix))) {
          report({
            path: writes[0]!.path.concat('prefix'),
            message: `site ${site.name}: Proxmox Backup Server keeps datastore ${backup.datastore} under ${storePrefix} in bucket ${backup.bucket}, outside the prefix ${writes[0]!.prefix} IAM user ${user.name} may write`,
            hint: `Set prefix: ${storePrefix} on that intent (or remove the prefix).`,
          });
        }
      }
    },
  },
  {
    id: 'backup/datastore-shared',
    severity: 'error',
    summary: 'The backup servers of two sites keep a datastore of the same name in the same bucket.',
    why:
      "Proxmox Backup Server keeps an S3 datastore's objects under the key prefix of its name (pbs-datastore: the S3 client's common prefix is the datastore's name) and marks it with <datastore>/.in-use: the second server's `proxmox-backup-manager datastore create` is refused (\"Bucket already contains datastore in use by host ...\"), and forced past that, two servers would write and garbage-collect one chunk store, each deleting the other's chunks.",
    hint: 'Give the datastore of one of the sites another name (backup.pbs.datastore), or another bucket.',
    examples: [
      {
        where: 'sites[+]',
        bad: 'name: office\nproxmox:\n  hosts:\n    - name: pve\n      ports: [eno1]\n      bridges:\n        - { name: vmbr0, ports: [eno1], address: 192.168.50.10/24, gateway: 192.168.50.1 }\nbackup:\n  pbs: { address: 192.168.50.20, datastore: vm-backup-s3, s3_remote: aws-s3-storage, bucket: iksan-cloud-backup-20251129, pve_storage: pbs-main }',
        good: 'name: office\nproxmox:\n  hosts:\n    - name: pve\n      ports: [eno1]\n      bridges:\n        - { name: vmbr0, ports: [eno1], address: 192.168.50.10/24, gateway: 192.168.50.1 }\nbackup:\n  pbs: { address: 192.168.50.20, datastore: office-backup-s3, s3_remote: aws-s3-storage, bucket: iksan-cloud-backup-20251129, pve_storage: pbs-main }',
      },
    ],
    check(model, report) {
      // The first site's backup server of each bucket and datastore prefix in it.
      const first = new Map<string, { site: string; path: Path }>();
      for (const site of model.sites) {
        const backup = site.backup;
        if (!backup) continue;
        const key = `${backup.bucket}/${datastorePrefix(backup.datastore)}`;
        const earlier = first.get(key);
        if (!earlier) {
          first.set(key, { site: site.name, path: backup.path.concat('datastore') });
          continue;
        }
        report({
          path: backup.path.concat('datastore'),
          message: `site ${site.name}: Proxmox Backup Server would keep datastore ${backup.datastore} under ${datastorePrefix(backup.datastore)} in bucket ${backup.bucket}, where the backup server of site ${earlier.site} keeps its own: it refuses to create a second one there (the bucket's datastore is in use by the other host)`,
          related: [{ message: `site ${earlier.site}'s datastore ${backup.datastore} in bucket ${backup.bucket}`, path: earlier.path }],
          hint: `Name the datastore of site ${site.name} otherwise (e.g. datastore: ${`${site.name}-${backup.datastore}`.slice(0, 32).replace(/[-.]+$/, '')}; at most 32 characters), or give it another bucket.`,
        });
      }
    },
  },
];
