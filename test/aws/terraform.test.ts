// The Terraform of scenarios A (bucket + IAM), C (VPC) and the site-to-site
// variant: parsed by HashiCorp's HCL parser, unchanged by `terraform fmt`'s
// formatter, every argument in the real provider schema, and asserted
// resource by resource.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { edit, lint, readExample, render, root } from '../helpers.js';
import { positionOf } from '../yaml-lines.js';
import { RETIRED, retiring, siteToSite } from './fixtures.js';
import {
  BUCKET_PROTECTION,
  danglingReferences,
  destroyableProtection,
  format,
  movedBlocks,
  movedProblems,
  parseTerraform,
  readBackProblems,
  removedBlocks,
  removedProblems,
  type Resources,
  schemaProblems,
  taggable,
  undeletableUsers,
} from './tf-validate.js';

const scenarios = {
  'A (homelab)': () => readExample('homelab'),
  'A with a retired bucket': retiring,
  'C (aws-vpc)': () => readExample('aws-vpc'),
  'site-to-site': siteToSite,
};

/** hcl2json orders resources by name: compare as sets. */
const sorted = <T>(items: T[]) => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

const body = (resources: Resources, key: string) => {
  const r = resources.get(key);
  if (!r) throw new Error(`no resource ${key}; have ${[...resources.keys()].join(', ')}`);
  return r.body;
};
/** hcl2json writes expressions as "${...}". */
const ref = (expr: string) => `\${${expr}}`;

describe.each(Object.entries(scenarios))('scenario %s: every .tf file', (_name, text) => {
  let files: Map<string, string>;
  let parsed: Awaited<ReturnType<typeof parseTerraform>>;
  beforeAll(async () => {
    files = await render(text());
    parsed = await parseTerraform(files);
  });

  it('parses with HashiCorp HCL (hcl2json) and has no duplicate resource', () => {
    expect(Object.keys(parsed.docs).sort()).toEqual(expect.arrayContaining(['outputs.tf', 'providers.tf', 'variables.tf', 'versions.tf']));
    expect(parsed.problems).toEqual([]);
  });

  it('is unchanged by hclwrite.Format (terraform fmt)', async () => {
    for (const [path, content] of files) {
      if (!path.endsWith('.tf')) continue;
      expect(await format(content), path).toBe(content);
      expect(content.endsWith('\n') && !content.endsWith('\n\n') && !content.includes('\r'), path).toBe(true);
    }
  });

  it('uses only arguments of the real hashicorp/aws 6.25 schema, with the required ones', () => {
    expect(parsed.resources.size).toBeGreaterThan(5);
    expect(schemaProblems(parsed.resources)).toEqual([]);
  });

  it('sets every argument the provider reads back from AWS without a default (no change on every plan)', () => {
    expect(readBackProblems(parsed.resources)).toEqual([]);
  });

  it('can destroy every IAM user, whose access key the steps make outside Terraform', () => {
    expect(undeletableUsers(parsed.resources)).toEqual([]);
  });

  it('references only resources it defines', () => {
    expect(danglingReferences(parsed.resources, parsed.docs)).toEqual([]);
    expect(movedProblems(parsed.resources, parsed.docs)).toEqual([]);
    expect(removedProblems(parsed.resources, parsed.docs)).toEqual([]);
  });

  it('tags every taggable resource with Name and managed-by = "gen"', () => {
    for (const [key, { type, body: b }] of parsed.resources) {
      if (!taggable(type)) continue;
      expect(b.tags, key).toMatchObject({ 'managed-by': 'gen' });
      expect(typeof b.tags.Name, key).toBe('string');
    }
  });

  it('pins the provider and reads the region from the topology', () => {
    const versions = parsed.docs['versions.tf']!.terraform[0];
    expect(versions.required_providers[0].aws).toEqual({ source: 'hashicorp/aws', version: '~> 6.25' });
    expect(parsed.docs['providers.tf']!.provider.aws[0].region).toBe(ref('var.aws_region'));
    expect(parsed.docs['variables.tf']!.variable.aws_region[0].default).toBe('ap-northeast-2');
  });

  it('reads every policy from a JSON file gen wrote (one copy, no drift)', () => {
    for (const [key, { type, body: b }] of parsed.resources) {
      if (type !== 'aws_iam_policy' && type !== 'aws_s3_bucket_policy') continue;
      const m = /^\$\{file\("\$\{path\.module\}\/\.\.\/(.+)"\)\}$/.exec(b.policy);
      expect(m, key).not.toBeNull();
      expect(files.has(`aws/${m![1]}`), `${key} reads aws/${m![1]}`).toBe(true);
    }
  });
});

describe('scenario A: the backup bucket and its IAM user', () => {
  let resources: Resources;
  let files: Map<string, string>;
  beforeAll(async () => {
    files = await render(readExample('homelab'));
    resources = (await parseTerraform(files)).resources;
  });
  const b = 'iksan-cloud-backup-20251129';
  const id = ref(`aws_s3_bucket.${b}.id`);

  it('bucket with versioning, SSE-S3, all four public access blocks, ACLs off and TLS only', () => {
    expect(body(resources, `aws_s3_bucket.${b}`).bucket).toBe(b);
    expect(body(resources, `aws_s3_bucket.${b}`).tags).toEqual({ Name: b, Description: 'Proxmox Backup Server datastore', 'managed-by': 'gen' });
    const kept = [{ prevent_destroy: true }];
    expect(body(resources, `aws_s3_bucket_versioning.${b}`)).toEqual({ bucket: id, versioning_configuration: [{ status: 'Enabled' }], lifecycle: kept });
    expect(body(resources, `aws_s3_bucket_server_side_encryption_configuration.${b}`)).toEqual({
      bucket: id,
      rule: [{ blocked_encryption_types: ['SSE-C'], apply_server_side_encryption_by_default: [{ sse_algorithm: 'AES256' }] }],
      lifecycle: kept,
    });
    expect(body(resources, `aws_s3_bucket_public_access_block.${b}`)).toEqual({
      bucket: id,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
      lifecycle: kept,
    });
    expect(body(resources, `aws_s3_bucket_ownership_controls.${b}`).rule).toEqual([{ object_ownership: 'BucketOwnerEnforced' }]);
    const policy = JSON.parse(files.get(`aws/s3/${b}.policy.json`)!);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  // Without force_destroy, `terraform destroy` deletes the dependents first and only then fails on
  // DeleteBucket (BucketNotEmpty): a bucket of backups left unversioned, without its policy.
  it('Terraform refuses to plan the destruction of the bucket or of what protects it (prevent_destroy)', async () => {
    const parsed = await parseTerraform(await render(edit(readExample('homelab'), ['aws', 'buckets', 0, 'noncurrent_days'], 45)));
    expect(destroyableProtection(parsed.resources)).toEqual([]);
    expect(BUCKET_PROTECTION.map((type) => parsed.resources.has(`${type}.${b}`))).toEqual(BUCKET_PROTECTION.map(() => true));
    // One lifecycle block each: the guards' preconditions sit beside prevent_destroy.
    expect(Object.keys(body(parsed.resources, `aws_s3_bucket.${b}`).lifecycle[0]).sort()).toEqual(['precondition', 'prevent_destroy']);
    expect(Object.keys(body(parsed.resources, `aws_s3_bucket_policy.${b}`).lifecycle[0]).sort()).toEqual(['precondition', 'prevent_destroy']);
    // Deleting the lifecycle configuration keeps old versions longer, and leaving out noncurrent_days must remove it.
    expect(body(parsed.resources, `aws_s3_bucket_lifecycle_configuration.${b}`).lifecycle).toBeUndefined();
  });

  it('IAM user, its policy and the attachment; no access key unless asked', () => {
    expect(body(resources, 'aws_iam_user.proxmox-backup-user').name).toBe('proxmox-backup-user');
    const policy = body(resources, 'aws_iam_policy.Proxmox-S3-Backup-Policy');
    expect(policy.name).toBe('Proxmox-S3-Backup-Policy');
    expect(policy.policy).toBe(ref('file("${path.module}/../iam/Proxmox-S3-Backup-Policy.json")'));
    expect(body(resources, 'aws_iam_user_policy_attachment.proxmox-backup-user')).toEqual({
      user: ref('aws_iam_user.proxmox-backup-user.name'),
      policy_arn: ref('aws_iam_policy.Proxmox-S3-Backup-Policy.arn'),
    });
    expect([...resources.values()].filter((r) => r.type === 'aws_iam_access_key')).toEqual([]);
    expect([...files.values()].join('\n')).not.toMatch(/aws_iam_access_key/);
  });

  it('carries the scanner exceptions with their reasons where the design deviates', () => {
    const iam = files.get('aws/terraform/iam.tf')!;
    expect(iam).toMatch(/resource "aws_iam_user" "proxmox-backup-user" \{\n {2}# checkov:skip=CKV_AWS_273:.*cannot assume a role/);
    // trivy reports a directly attached policy on the user, checkov on the attachment.
    expect(iam).toMatch(/# trivy:ignore:AVD-AWS-0143\nresource "aws_iam_user" "proxmox-backup-user" \{/);
    expect(iam).toMatch(/resource "aws_iam_user_policy_attachment" "proxmox-backup-user" \{\n {2}# checkov:skip=CKV_AWS_40:/);
    expect(files.get('aws/terraform/s3.tf')).toMatch(/# checkov:skip=CKV_AWS_145:SSE-S3 \(AES256\) is the chosen encryption/);
    // trivy reports logging on the bucket and the key choice on the encryption resource: each exception above its resource.
    expect(files.get('aws/terraform/s3.tf')).toMatch(/# trivy:ignore:AVD-AWS-0089\nresource "aws_s3_bucket" /);
    expect(files.get('aws/terraform/s3.tf')).toMatch(/# trivy:ignore:AVD-AWS-0132\nresource "aws_s3_bucket_server_side_encryption_configuration" /);
    // Scenario A expires old versions: no exception for the lifecycle check.
    expect(files.get('aws/terraform/s3.tf')).not.toContain('CKV2_AWS_61');
  });

  it('noncurrent_days: old versions and then the lone delete markers expire (what PBS garbage collection deletes goes)', async () => {
    const text = edit(readExample('homelab'), ['aws', 'buckets', 0, 'noncurrent_days'], 45);
    const changed = await render(text);
    const parsed = await parseTerraform(changed);
    expect(schemaProblems(parsed.resources)).toEqual([]);
    expect(body(parsed.resources, `aws_s3_bucket_lifecycle_configuration.${b}`)).toEqual({
      bucket: id,
      rule: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{}],
          noncurrent_version_expiration: [{ noncurrent_days: 45 }],
          // Its own expiration block: S3 refuses it next to days or date (the provider only warns).
          expiration: [{ expired_object_delete_marker: true }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        },
      ],
      depends_on: [ref(`aws_s3_bucket_versioning.${b}`)],
    });
    expect(await format(changed.get('aws/terraform/s3.tf')!)).toBe(changed.get('aws/terraform/s3.tf'));
    expect(changed.get('aws/terraform/s3.tf')).toContain('    filter {}\n');
  });

  it('noncurrent_days: every value the schema takes fits the provider, the next one is refused at the field', async () => {
    // hashicorp/aws declares noncurrent_version_expiration.noncurrent_days a schema.Int32Attribute
    // (internal/service/s3/bucket_lifecycle_configuration.go), as S3's NoncurrentDays is an Integer: a
    // larger number stops terraform plan ("cannot be represented as a 32-bit" value) after gen built.
    const INT32_MAX = 2 ** 31 - 1;
    const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
    const { minimum, maximum } = schema.$defs.aws.properties.buckets.items.properties.noncurrent_days as { minimum: number; maximum?: number };
    expect([minimum, maximum]).toEqual([1, INT32_MAX]);
    const withDays = (days: number) => edit(readExample('homelab'), ['aws', 'buckets', 0, 'noncurrent_days'], days);
    const largest = await parseTerraform(await render(withDays(INT32_MAX)));
    expect(body(largest.resources, `aws_s3_bucket_lifecycle_configuration.${b}`).rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: INT32_MAX }]);
    const text = withDays(INT32_MAX + 1);
    const found = (await lint(text)).map((d) => [d.rule, d.location.line, d.location.col]);
    expect(found).toEqual([['schema', ...Object.values(positionOf(text, ['aws', 'buckets', 0, 'noncurrent_days']))]]);
  });

  it('keep_noncurrent_forever: no lifecycle rule, and the scanner exception says why', async () => {
    const text = edit(edit(readExample('homelab'), ['aws', 'buckets', 0, 'noncurrent_days'], undefined), ['aws', 'buckets', 0, 'keep_noncurrent_forever'], 'legal hold');
    const changed = await render(text);
    expect(changed.get('aws/terraform/s3.tf')).not.toContain('aws_s3_bucket_lifecycle_configuration');
    expect(changed.get('aws/terraform/s3.tf')).toMatch(/# checkov:skip=CKV2_AWS_61:old versions are kept forever \(keep_noncurrent_forever in topology.yaml\)\n/);
  });

  it('an access key is created only with a pgp_key: the state holds only its encrypted secret', async () => {
    const text = edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'access_key'], { pgp_key: 'keybase:pbsadmin' });
    const asked = await render(text);
    const parsed = await parseTerraform(asked);
    expect(schemaProblems(parsed.resources)).toEqual([]);
    expect(body(parsed.resources, 'aws_iam_access_key.proxmox-backup-user')).toEqual({ user: ref('aws_iam_user.proxmox-backup-user.name'), pgp_key: 'keybase:pbsadmin' });
    const outputs = parsed.docs['outputs.tf']!.output;
    expect(outputs['proxmox-backup-user_encrypted_secret_access_key'][0]).toMatchObject({ value: ref('aws_iam_access_key.proxmox-backup-user.encrypted_secret') });
    expect(outputs['proxmox-backup-user_access_key_id'][0].sensitive).toBeUndefined();
    expect(JSON.stringify(outputs)).not.toMatch(/aws_iam_access_key\.[^.]+\.secret\b/);
  });
});

// Left out of aws.buckets, a bucket's blocks and their prevent_destroy go, and Terraform destroys what it can of it.
describe('a retired bucket: Terraform forgets it, S3 keeps it', () => {
  let files: Map<string, string>;
  let parsed: Awaited<ReturnType<typeof parseTerraform>>;
  let managed: Resources;
  beforeAll(async () => {
    files = await render(retiring());
    parsed = await parseTerraform(files);
    // The same bucket while it was managed (with noncurrent_days: its lifecycle configuration too).
    managed = (await parseTerraform(await render(readExample('homelab')))).resources;
  });

  it('has a removed block with destroy = false for every resource gen wrote for it while it was managed', () => {
    const before = [...managed.keys()].filter((key) => key.endsWith(`.${RETIRED}`)).sort();
    expect(before.length).toBe(BUCKET_PROTECTION.length + 1);
    expect(removedBlocks(parsed.docs).map((r) => r.from).sort()).toEqual(before);
    expect(removedBlocks(parsed.docs).every((r) => r.destroy === false)).toBe(true);
    expect(removedProblems(parsed.resources, parsed.docs)).toEqual([]);
  });

  it('writes nothing else for it: no resource, policy file or output; the new bucket is written as any', () => {
    expect([...parsed.resources.keys()].filter((key) => key.includes(RETIRED))).toEqual([]);
    expect([...files.keys()].filter((path) => path.includes(RETIRED))).toEqual([]);
    expect(Object.keys(parsed.docs['outputs.tf']!.output).filter((name) => name.includes(RETIRED))).toEqual([]);
    expect(destroyableProtection(parsed.resources)).toEqual([]);
    expect(BUCKET_PROTECTION.every((type) => parsed.resources.has(`${type}.iksan-cloud-backup-20261130`))).toBe(true);
  });

  it('needs Terraform 1.7, which brought removed blocks; S3 state locking keeps 1.11', async () => {
    expect(parsed.docs['versions.tf']!.terraform[0].required_version).toBe('>= 1.7.0');
    expect((await parseTerraform(await render(readExample('homelab')))).docs['versions.tf']!.terraform[0].required_version).toBe('>= 1.5.0');
    const locked = edit(retiring(), ['aws', 'terraform'], { backend: { bucket: 'example-terraform-state', key: 'gen/terraform.tfstate' } });
    expect((await parseTerraform(await render(locked))).docs['versions.tf']!.terraform[0].required_version).toBe('>= 1.11.0');
  });

  it('a topology whose only bucket is retired reads no region or partition for it', async () => {
    let text = edit(readExample('homelab'), ['aws', 'buckets', 0, 'retired'], true);
    text = edit(text, ['aws', 'iam'], undefined);
    text = edit(text, ['sites', 0, 'backup'], undefined);
    const only = await parseTerraform(await render(text));
    expect(Object.keys(only.docs['providers.tf']!.data ?? {})).toEqual([]);
    expect(only.resources.size).toBe(0);
    expect(removedBlocks(only.docs)).toHaveLength(BUCKET_PROTECTION.length + 1);
  });

  it('an IAM intent or a backup datastore on a retired bucket is an error at the bucket name', async () => {
    const text = edit(readExample('homelab'), ['aws', 'buckets', 0, 'retired'], true);
    const found = (await lint(text)).filter((d) => d.severity === 'error').map((d) => [d.rule, d.location.line, d.location.col]);
    expect(found).toEqual([
      ['aws/retired-bucket-in-use', ...Object.values(positionOf(text, ['sites', 0, 'backup', 'pbs', 'bucket']))],
      ['aws/retired-bucket-in-use', ...Object.values(positionOf(text, ['aws', 'iam', 'users', 0, 'intents', 0, 'bucket']))],
    ]);
  });
});

describe('scenario C: the VPC resource by resource', () => {
  let resources: Resources;
  beforeAll(async () => {
    resources = (await parseTerraform(await render(readExample('aws-vpc')))).resources;
  });
  const of = (type: string) => [...resources.values()].filter((r) => r.type === type);

  it('VPC 10.30.0.0/16 with DNS', () => {
    expect(body(resources, 'aws_vpc.main')).toMatchObject({ cidr_block: '10.30.0.0/16', enable_dns_support: true, enable_dns_hostnames: true });
  });

  it('one public and one private subnet per AZ with the table CIDRs', () => {
    const subnets = Object.fromEntries(of('aws_subnet').map((s) => [s.name, [s.body.availability_zone, s.body.cidr_block, s.body.vpc_id]]));
    const vpc = ref('aws_vpc.main.id');
    expect(subnets).toEqual({
      'public-2a': ['ap-northeast-2a', '10.30.1.0/24', vpc],
      'public-2c': ['ap-northeast-2c', '10.30.2.0/24', vpc],
      'private-2a': ['ap-northeast-2a', '10.30.101.0/24', vpc],
      'private-2c': ['ap-northeast-2c', '10.30.102.0/24', vpc],
    });
  });

  it('internet gateway; public route 0.0.0.0/0 to it; private table local only; associations per tier', () => {
    expect(body(resources, 'aws_internet_gateway.main').vpc_id).toBe(ref('aws_vpc.main.id'));
    expect(of('aws_route').map((r) => r.body)).toEqual([
      { route_table_id: ref('aws_route_table.public.id'), destination_cidr_block: '0.0.0.0/0', gateway_id: ref('aws_internet_gateway.main.id') },
    ]);
    expect(of('aws_nat_gateway')).toEqual([]);
    const assoc = Object.fromEntries(of('aws_route_table_association').map((a) => [a.name, [a.body.subnet_id, a.body.route_table_id]]));
    expect(assoc).toEqual({
      'public-2a': [ref('aws_subnet.public-2a.id'), ref('aws_route_table.public.id')],
      'public-2c': [ref('aws_subnet.public-2c.id'), ref('aws_route_table.public.id')],
      'private-2a': [ref('aws_subnet.private-2a.id'), ref('aws_route_table.private.id')],
      'private-2c': [ref('aws_subnet.private-2c.id'), ref('aws_route_table.private.id')],
    });
  });

  it('security groups: rules as separate resources, group references by id (bastion pattern)', () => {
    expect(sorted(of('aws_security_group').map((g) => [g.name, g.body.description, g.body.vpc_id]))).toEqual(sorted([
      ['bastion', 'SSH jump host', ref('aws_vpc.main.id')],
      ['api', 'Public API servers', ref('aws_vpc.main.id')],
      ['jenkins', 'CI server', ref('aws_vpc.main.id')],
      ['db', 'Database', ref('aws_vpc.main.id')],
    ]));
    const ingress = of('aws_vpc_security_group_ingress_rule').map((r) => ({
      group: r.body.security_group_id,
      port: [r.body.ip_protocol, r.body.from_port, r.body.to_port],
      from: r.body.cidr_ipv4 ?? r.body.referenced_security_group_id,
    }));
    const sg = (name: string) => ref(`aws_security_group.${name}.id`);
    expect(sorted(ingress)).toEqual(sorted([
      { group: sg('bastion'), port: ['tcp', 22, 22], from: '203.0.113.10/32' },
      { group: sg('api'), port: ['tcp', 80, 80], from: '0.0.0.0/0' },
      { group: sg('api'), port: ['tcp', 443, 443], from: '0.0.0.0/0' },
      { group: sg('api'), port: ['tcp', 22, 22], from: sg('bastion') },
      { group: sg('jenkins'), port: ['tcp', 8080, 8080], from: '198.51.100.7/32' },
      { group: sg('jenkins'), port: ['tcp', 22, 22], from: '198.51.100.7/32' },
      { group: sg('db'), port: ['tcp', 5432, 5432], from: sg('api') },
    ]));
    // Terraform drops AWS's default allow-all egress; the topology left egress open, so it is written back.
    expect(sorted(of('aws_vpc_security_group_egress_rule').map((r) => [r.body.security_group_id, r.body.ip_protocol, r.body.cidr_ipv4]))).toEqual(
      sorted(['bastion', 'api', 'jenkins', 'db'].map((g) => [sg(g), '-1', '0.0.0.0/0'])),
    );
    expect(of('aws_security_group').every((g) => g.body.ingress === undefined && g.body.egress === undefined)).toBe(true);
  });

  it('marks the deliberate deviations for scanners: public ingress with a reason, open egress', async () => {
    const sg = (await render(readExample('aws-vpc'))).get('aws/terraform/security_groups.tf')!;
    expect(sg).toMatch(/# trivy:ignore:AVD-AWS-0107\nresource "aws_vpc_security_group_ingress_rule" "api_ingress_tcp_443_0_0_0_0_0" \{/);
    expect(sg).toMatch(/# trivy:ignore:AVD-AWS-0104\nresource "aws_vpc_security_group_egress_rule" "db_egress_all_all_0_0_0_0_0" \{\n {2}# checkov:skip=CKV_AWS_382:/);
    // checkov flags port 80 from 0.0.0.0/0, not 443: only the rule it reports carries the skip.
    expect(sg).toMatch(/resource "aws_vpc_security_group_ingress_rule" "api_ingress_tcp_80_0_0_0_0_0" \{\n {2}# checkov:skip=CKV_AWS_260:open to the internet on purpose/);
    expect(sg).toMatch(/resource "aws_vpc_security_group_ingress_rule" "api_ingress_tcp_443_0_0_0_0_0" \{\n {2}security_group_id/);
    // SSH and every protocol, when the topology gives the reason.
    const open = readExample('aws-vpc')
      .replace('from: 203.0.113.10/32, description: admin address', 'from: 0.0.0.0/0, public: SSH for the support team')
      .replace('{ proto: tcp, ports: [8080, 22], from: 198.51.100.7/32', '{ proto: all, from: 0.0.0.0/0, public: lab host')
      .replace(/\n {6}- \{ from: (internet|198\.51\.100\.7), to: (bastion|jenkins).*/g, '');
    const openSg = (await render(open)).get('aws/terraform/security_groups.tf')!;
    expect(openSg).toMatch(/"bastion_ingress_tcp_22_0_0_0_0_0" \{\n {2}# checkov:skip=CKV_AWS_24:/);
    expect(openSg).toMatch(/"jenkins_ingress_all_all_0_0_0_0_0" \{\n {2}# checkov:skip=CKV_AWS_277:/);
    const vpc = (await render(readExample('aws-vpc'))).get('aws/terraform/vpc.tf')!;
    expect(vpc).toMatch(/^# trivy:ignore:AVD-AWS-0178\nresource "aws_vpc" "main" \{\n {2}# checkov:skip=CKV2_AWS_11:/m);
    // The bastion's SSH rule is not public: no exception.
    expect(sg).not.toMatch(/trivy:ignore:AVD-AWS-0107\nresource "aws_vpc_security_group_ingress_rule" "bastion/);
  });

  it('ICMP: each listed type is its own rule with every code (to_port -1); no types means all ICMP', async () => {
    const ssh = '{ proto: tcp, ports: [22], from: 203.0.113.10/32, description: admin address }';
    const text = readExample('aws-vpc')
      .replace(ssh, `${ssh}\n          - { proto: icmp, ports: [8, '3-4'], from: 10.0.0.0/8 }\n          - { proto: icmp, from: 10.30.0.0/16 }`)
      .replaceAll('bastion', 'jump-1');
    const parsed = await parseTerraform(await render(text));
    expect(schemaProblems(parsed.resources)).toEqual([]);
    const icmp = [...parsed.resources.values()].filter((r) => r.type === 'aws_vpc_security_group_ingress_rule' && r.body.ip_protocol === 'icmp');
    expect(sorted(icmp.map((r) => [r.name, r.body.from_port, r.body.to_port, r.body.cidr_ipv4]))).toEqual(sorted([
      ['jump-1_ingress_icmp_type8_10_0_0_0_8', 8, -1, '10.0.0.0/8'],
      ['jump-1_ingress_icmp_type3_10_0_0_0_8', 3, -1, '10.0.0.0/8'],
      ['jump-1_ingress_icmp_type4_10_0_0_0_8', 4, -1, '10.0.0.0/8'],
      ['jump-1_ingress_icmp_all_10_30_0_0_16', -1, -1, '10.30.0.0/16'],
    ]));
  });

  it('no VPN resources without site_to_site', () => {
    expect([...resources.keys()].filter((k) => k.startsWith('aws_vpn') || k.startsWith('aws_customer'))).toEqual([]);
  });
});
