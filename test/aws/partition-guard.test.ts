// The Terraform run with var.aws_region (the provider's region) set to a
// region of another partition than aws.region: the policy files name ARNs of
// aws.region's partition, which IAM refuses in another one
// (MalformedPolicyDocument), only during apply. Every resource that reads a
// policy file has a precondition on data.aws_partition.current.partition
// (hashicorp/aws internal/service/meta/partition_data_source.go), so the plan
// fails first. Checked against the ARNs in the files themselves, and with
// Terraform itself evaluating the generated condition and message.
import { describe, expect, it } from 'vitest';
import { readExample, render } from '../helpers.js';
import { inRegion, siteToSite } from './fixtures.js';
import { lifecycleModule, notRun, scratchModule, terraform } from './tf-plan.js';
import { danglingReferences, parseTerraform, schemaProblems } from './tf-validate.js';

/** Region → partition, from the AWS SDKs' partition table (aws-sdk-js-v3 packages/util-endpoints/src/lib/aws/partitions.json, regionRegex), which the provider follows. */
const SDK_PARTITION: Record<string, string> = { 'ap-northeast-2': 'aws', 'us-east-1': 'aws', 'cn-north-1': 'aws-cn', 'us-gov-west-1': 'aws-us-gov' };
const REGIONS = ['ap-northeast-2', 'cn-north-1', 'us-gov-west-1'];

/** hcl2json writes expressions as "${...}". */
const ref = (expr: string) => `\${${expr}}`;
const POLICY_FILE = /^\$\{file\("\$\{path\.module\}\/\.\.\/((?:iam|s3)\/[^"]+\.json)"\)\}$/;

/** The partition field of every ARN the policy document names. */
function arnPartitions(document: { Statement: { Resource: string | string[] }[] }): Set<string> {
  return new Set(document.Statement.flatMap((s) => [s.Resource].flat()).map((arn) => arn.split(':')[1]!));
}

/** The oldest Terraform a `>= x.y.z` constraint admits, as [major, minor, patch]. */
const oldest = (constraint: string) => /^>= (\d+)\.(\d+)\.(\d+)$/.exec(constraint)!.slice(1).map(Number);
const atLeast = (version: number[], minimum: number[]) => {
  for (let i = 0; i < 3; i++) if (version[i] !== minimum[i]) return version[i]! > minimum[i]!;
  return true;
};

describe.each(REGIONS)('aws.region %s', (region) => {
  const files = render(inRegion(siteToSite(), region));

  it('every resource that reads a policy file fails its plan unless the provider works in the partition of that file’s ARNs', async () => {
    const out = await files;
    const { resources } = await parseTerraform(out);
    const guarded: string[] = [];
    for (const [key, { body }] of resources) {
      const read = Object.values(body).flatMap((v) => (typeof v === 'string' ? [POLICY_FILE.exec(v)?.[1]] : [])).filter((p) => p !== undefined);
      for (const path of read) {
        const partitions = [...arnPartitions(JSON.parse(out.get(`aws/${path}`)!))];
        expect(partitions, `${key} reads aws/${path}`).toEqual([SDK_PARTITION[region]]);
        const [precondition] = body.lifecycle?.[0]?.precondition ?? [];
        expect(precondition?.condition, key).toBe(ref(`data.aws_partition.current.partition == "${partitions[0]}"`));
        expect(precondition.error_message, key).toContain(`partition ${partitions[0]} (aws.region ${region})`);
        guarded.push(path.split('/')[0]!);
      }
    }
    expect(new Set(guarded)).toEqual(new Set(['iam', 's3']));
  });

  it('declares data.aws_partition.current, a data source of the provider schema, and every reference resolves', async () => {
    const parsed = await parseTerraform(await files);
    expect(parsed.resources.get('data.aws_partition.current')?.file).toBe('aws/terraform/providers.tf');
    expect(schemaProblems(parsed.resources)).toEqual([]);
    expect(danglingReferences(parsed.resources, parsed.docs)).toEqual([]);
  });

  it('required_version admits no Terraform without the conditions it uses (preconditions 1.2.0, check blocks 1.5.0)', async () => {
    const { docs, resources } = await parseTerraform(await files);
    const preconditions = [...resources.values()].some((r) => r.body.lifecycle?.some((l: Record<string, unknown>) => l.precondition || l.postcondition));
    const checks = Object.values(docs).some((doc) => doc.check);
    expect(preconditions).toBe(true);
    const version = oldest(docs['versions.tf']!.terraform[0].required_version);
    expect(atLeast(version, [1, 2, 0]), 'preconditions arrived in Terraform 1.2.0').toBe(true);
    if (checks) expect(atLeast(version, [1, 5, 0]), 'check blocks arrived in Terraform 1.5.0').toBe(true);
  });
});

it('no policy file, no partition data source (an all-VPC topology)', async () => {
  const out = await render(readExample('aws-vpc'));
  const parsed = await parseTerraform(out);
  const readsPolicy = [...parsed.resources.values()].some((r) => Object.values(r.body).some((v) => typeof v === 'string' && POLICY_FILE.test(v)));
  expect(parsed.resources.has('data.aws_partition.current')).toBe(readsPolicy);
});

it('the checker catches a data source or condition Terraform or the provider would refuse (it can fail)', async () => {
  const text = [
    'data "aws_partition" "current" {',
    '  region = "us-east-1"',
    '  lifecycle {',
    '    prevent_destroy = true',
    '  }',
    '}',
    'data "aws_regions" "all" {}',
    'resource "aws_iam_policy" "p" {',
    '  policy = "{}"',
    '  lifecycle {',
    '    precondition {',
    '      condition = data.aws_partition.current.arn == "aws"',
    '    }',
    '    postcondition {',
    '      condition     = data.aws_partitions.current.partition == "aws"',
    '      error_message = "x"',
    '    }',
    '  }',
    '}',
  ].join('\n');
  const parsed = await parseTerraform(new Map([['aws/terraform/main.tf', text]]));
  expect(schemaProblems(parsed.resources).sort()).toEqual(
    [
      'data.aws_partition.current.lifecycle: unsupported argument "prevent_destroy"',
      'data.aws_partition.current: unsupported argument "region"',
      'data.aws_regions.all: data source type not in the provider schema file',
      'aws_iam_policy.p.lifecycle.precondition: takes condition and error_message, not condition',
    ].sort(),
  );
  expect(danglingReferences(parsed.resources, parsed.docs).sort()).toEqual(
    ['data.aws_partition.current.arn: data.aws_partition has no attribute arn', 'reference to undefined data.aws_partitions.current'].sort(),
  );
});

describe.skipIf(!terraform)(`Terraform evaluates the generated precondition${notRun}`, () => {
  const scratch = scratchModule('gen-partition-guard-');

  it.each(REGIONS)('aws.region %s: plans in its own partition, fails naming both regions and the fix in another', async (region) => {
    const iamTf = (await render(inRegion(readExample('homelab'), region))).get('aws/terraform/iam.tf')!;
    await scratch.load(lifecycleModule(iamTf, 'resource "aws_iam_policy"', { provider_partition: { type: 'string', reads: /data\.aws_partition\.current\.partition/g } }));
    for (const [override, partition] of Object.entries(SDK_PARTITION)) {
      const plan = scratch.plan({ aws_region: override, provider_partition: partition });
      if (partition === SDK_PARTITION[region]) {
        expect(plan.status, `${override}: ${plan.stderr}`).toBe(0);
        continue;
      }
      expect(plan.status, override).not.toBe(0);
      const message = plan.stderr.replace(/\s+/g, ' ');
      expect(message).toContain('Resource precondition failed');
      expect(message).toContain(`partition ${SDK_PARTITION[region]} (aws.region ${region}), but the provider's region ${override} is in partition ${partition}`);
      expect(message).toContain('Set aws.region in the topology to that region and run gen build again');
    }
  });
});
