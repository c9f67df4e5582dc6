// aws.terraform.backend: Terraform's remote state in S3, written as the
// `backend "s3"` block of versions.tf. Checked with HashiCorp's HCL parser
// and against the s3 backend's own argument schema and validation rules
// (fixtures/terraform-s3-backend-1.15.9.json, extracted from Terraform's
// source by fixtures/extract-s3-backend.mjs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample, render, root, rulesOf } from '../helpers.js';
import { positionOf } from '../yaml-lines.js';
import { inRegion } from './fixtures.js';
import { format, parse } from './tf-validate.js';

interface BackendSchema {
  attributes: Record<string, string>;
  required: string[];
  deprecated: string[];
}
const schema: BackendSchema = JSON.parse(readFileSync(join(root, 'test/aws/fixtures/terraform-s3-backend-1.15.9.json'), 'utf8'));

const homelab = readExample('homelab');
const withBackend = (backend: Record<string, unknown>) => edit(homelab, ['aws', 'terraform', 'backend'], backend);

async function versionsOf(yaml: string): Promise<{ text: string; terraform: Record<string, any> }> {
  const text = (await render(yaml)).get('aws/terraform/versions.tf')!;
  const doc = await parse('versions.tf', text);
  return { text, terraform: doc.terraform[0] };
}

/** What Terraform's s3 backend would say about an argument block (ConfigSchema, then PrepareConfig). */
function backendProblems(args: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const typeOf = (v: unknown) => (typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : 'other');
  for (const [name, value] of Object.entries(args)) {
    if (!(name in schema.attributes)) problems.push(`unsupported argument ${name}`);
    else if (schema.attributes[name] !== typeOf(value)) problems.push(`${name}: ${typeOf(value)}, expected ${schema.attributes[name]}`);
    if (schema.deprecated.includes(name)) problems.push(`${name} is deprecated`);
    if (typeof value === 'string' && /\$\{|%\{/.test(value)) problems.push(`${name}: backend values must be literals`);
  }
  for (const name of schema.required) if (!(name in args)) problems.push(`missing required argument ${name}`);
  const key = String(args.key ?? '');
  if (key.trim() === '') problems.push('key is empty');
  if (key.startsWith('/') || key.endsWith('/')) problems.push('key must not start or end with "/"');
  if (key.includes('//')) problems.push('key must not contain "//"');
  if (String(args.bucket ?? '').trim() === '') problems.push('bucket is empty');
  if (!args.region) problems.push('region is missing');
  return problems;
}

describe('aws.terraform.backend', () => {
  it('is the s3 backend block of versions.tf, with arguments the backend accepts', async () => {
    const yaml = withBackend({ bucket: 'example-terraform-state', key: 'gen/homelab/terraform.tfstate' });
    expect(await lint(yaml)).toEqual([]);
    const { text, terraform } = await versionsOf(yaml);
    expect(await format(text)).toBe(text);
    const s3 = terraform.backend.s3;
    expect(s3).toHaveLength(1);
    expect(s3[0]).toEqual({ bucket: 'example-terraform-state', key: 'gen/homelab/terraform.tfstate', region: 'ap-northeast-2', encrypt: true, use_lockfile: true });
    expect(backendProblems(s3[0])).toEqual([]);
    // S3-native locking is generally available from Terraform 1.11 on.
    expect(terraform.required_version).toBe('>= 1.11.0');
    expect(terraform.required_providers[0].aws).toEqual({ source: 'hashicorp/aws', version: '~> 6.25' });
  });

  it('takes its own region, and use_lockfile: false keeps the older Terraform', async () => {
    const { terraform } = await versionsOf(withBackend({ bucket: 'state-bucket', key: 'tf.tfstate', region: 'eu-central-1', use_lockfile: false }));
    expect(terraform.backend.s3[0]).toEqual({ bucket: 'state-bucket', key: 'tf.tfstate', region: 'eu-central-1', encrypt: true });
    expect(backendProblems(terraform.backend.s3[0])).toEqual([]);
    expect(terraform.required_version).toBe('>= 1.5.0');
  });

  it('writes no argument that the oldest Terraform its required_version admits lacks', async () => {
    // The s3 backend's arguments newer than Terraform 1.5 (hashicorp/terraform CHANGELOG: use_lockfile
    // arrived in 1.10.0, experimental, and is generally available from 1.11.0).
    const since: Record<string, string> = { use_lockfile: '1.10.0' };
    const atLeast = (version: string, minimum: string) => {
      const [a, b] = [version, minimum].map((v) => v.split('.').map(Number));
      for (let i = 0; i < 3; i++) if (a![i] !== b![i]) return a![i]! > b![i]!;
      return true;
    };
    for (const use_lockfile of [true, false]) {
      const { terraform } = await versionsOf(withBackend({ bucket: 'state-bucket', key: 'tf.tfstate', use_lockfile }));
      const oldest = /^>= (\d+\.\d+\.\d+)$/.exec(terraform.required_version)![1]!;
      const tooNew = Object.keys(terraform.backend.s3[0]).filter((name) => since[name] !== undefined && !atLeast(oldest, since[name]));
      expect(tooNew, `use_lockfile: ${use_lockfile}, Terraform ${oldest}`).toEqual([]);
    }
  });

  it('without it, state is local: no backend block', async () => {
    const { terraform } = await versionsOf(homelab);
    expect(terraform.backend).toBeUndefined();
  });

  it('the checker catches what the backend refuses (it can fail)', () => {
    expect(backendProblems({ bucket: 'b', key: '/x//y/', region: 'r', dynamodb_table: 't', use_lockfile: 'yes' })).toEqual([
      'dynamodb_table is deprecated',
      'use_lockfile: string, expected bool',
      'key must not start or end with "/"',
      'key must not contain "//"',
    ]);
    expect(backendProblems({ key: 'k', region: 'r', nonsense: 1 })).toEqual(['unsupported argument nonsense', 'missing required argument bucket', 'bucket is empty']);
  });

  it.each([
    [{ bucket: 'state', key: '/leading' }],
    [{ bucket: 'state', key: 'trailing/' }],
    [{ bucket: 'state', key: 'a//b' }],
    [{ bucket: 'state', key: 'a/${var.x}' }],
    [{ bucket: 'Not_A_Bucket', key: 'k' }],
    [{ bucket: 'state' }],
    [{ bucket: 'state', key: 'k', region: 'mars' }],
    [{ bucket: 'state', key: 'k', dynamodb_table: 'locks' }],
  ])('the schema refuses %j, which the backend would refuse', async (backend) => {
    expect(rulesOf(await lint(withBackend(backend)))).toContain('schema');
  });
});

/** Region → partition, from the AWS SDKs' partition table (aws-sdk-js-v3 packages/util-endpoints/src/lib/aws/partitions.json, regionRegex). */
const SDK_PARTITION: Record<string, string> = { 'ap-northeast-2': 'aws', 'eu-central-1': 'aws', 'cn-north-1': 'aws-cn', 'cn-northwest-1': 'aws-cn', 'us-gov-west-1': 'aws-us-gov' };

describe('aws/backend-partition: the state bucket in another partition than aws.region', () => {
  // Partitions have separate IAM ("You cannot use IAM credentials from one partition to interact with resources
  // in a different partition", AWS Fault Isolation Boundaries, Partitions), and the backend block names no credentials.
  const pairs = Object.keys(SDK_PARTITION).flatMap((region) => Object.keys(SDK_PARTITION).map((state) => [region, state] as const));

  it.each(pairs)('aws.region %s, state bucket in %s', async (region, state) => {
    const text = edit(inRegion(homelab, region), ['aws', 'terraform', 'backend'], { bucket: 'state-bucket', key: 'tf.tfstate', region: state });
    const found = (await lint(text)).filter((d) => d.rule === 'aws/backend-partition');
    if (SDK_PARTITION[region] === SDK_PARTITION[state]) {
      expect(found).toEqual([]);
      return;
    }
    expect(found.map((d) => [d.severity, d.location.line, d.location.col])).toEqual([['error', ...Object.values(positionOf(text, ['aws', 'terraform', 'backend', 'region']))]]);
    expect(found[0]!.message).toContain(`${state} is in partition ${SDK_PARTITION[state]}, aws.region ${region} in ${SDK_PARTITION[region]}`);
    expect(found[0]!.hint).toContain(`Put the state bucket in a region of ${SDK_PARTITION[region]} (or leave region out for ${region}), or set aws.region to a region of ${SDK_PARTITION[state]}`);
  });

  it('a backend without region is in aws.region, whatever its partition', async () => {
    for (const region of Object.keys(SDK_PARTITION)) {
      const text = edit(inRegion(homelab, region), ['aws', 'terraform', 'backend'], { bucket: 'state-bucket', key: 'tf.tfstate' });
      expect(rulesOf(await lint(text)), region).not.toContain('aws/backend-partition');
    }
  });
});
