// The Terraform run with var.aws_region overridden by a region of the same
// partition (-var aws_region=eu-west-1): the bucket is made there, while the
// Proxmox Backup Server's S3 endpoint gen writes signs every request for
// aws.region (proxmox-s3-client aws_sign_v4.rs: the region of s3.cfg is in
// the credential scope and the signing key), which S3 refuses for a bucket
// of another region. Every bucket has a precondition on the provider's
// region (data.aws_region.current.region, hashicorp/aws 6.x), checked here
// against the region and endpoint of the s3.cfg that reaches the bucket, the
// provider schema, and Terraform itself evaluating condition and message.
import { describe, expect, it } from 'vitest';
import { edit, readExample, render } from '../helpers.js';
import { inRegion } from './fixtures.js';
import { lifecycleModule, notRun, scratchModule, terraform } from './tf-plan.js';
import { danglingReferences, parseTerraform, schemaProblems } from './tf-validate.js';

/** hcl2json writes expressions as "${...}". */
const ref = (expr: string) => `\${${expr}}`;

/** Each site's PBS: the bucket its datastore.cfg keeps the datastore in, and the region and endpoint of its s3.cfg. */
function pbsEndpoints(out: Map<string, string>): Map<string, { region: string; endpoint: string }> {
  const found = new Map<string, { region: string; endpoint: string }>();
  for (const [path, text] of out) {
    if (!path.endsWith('/pbs/s3.cfg')) continue;
    const bucket = /\bbucket=([^,\s]+)/.exec(out.get(path.replace(/s3\.cfg$/, 'datastore.cfg'))!)![1]!;
    found.set(bucket, { region: /^\tregion (\S+)$/m.exec(text)![1]!, endpoint: /^\tendpoint (\S+)$/m.exec(text)![1]! });
  }
  return found;
}

/** The topology with a second bucket, which no backup server uses. */
const withSpareBucket = (yaml: string) => edit(yaml, ['aws', 'buckets', 1], { name: 'spare-bucket-example', noncurrent_days: 7 });

describe.each(['ap-northeast-2', 'eu-west-1', 'cn-north-1'])('aws.region %s', (region) => {
  const files = render(withSpareBucket(inRegion(readExample('homelab'), region)));

  it('every bucket fails its plan unless the provider makes it in aws.region, the region PBS signs its requests for', async () => {
    const out = await files;
    const { resources } = await parseTerraform(out);
    const buckets = [...resources.values()].filter((r) => r.type === 'aws_s3_bucket');
    const pbs = pbsEndpoints(out);
    expect(buckets.map((b) => pbs.has(b.body.bucket)).sort()).toEqual([false, true]);
    for (const { name, body } of buckets) {
      const [precondition] = body.lifecycle?.[0]?.precondition ?? [];
      const client = pbs.get(body.bucket);
      const signed = client?.region ?? region;
      expect(precondition?.condition, name).toBe(ref(`data.aws_region.current.region == "${signed}"`));
      if (!client) {
        expect(precondition.error_message, name).toContain(`aws.region in the topology, the region of every resource gen writes, is ${region}.`);
        continue;
      }
      // PBS puts the bucket in front of the regional endpoint: the bucket's region is the one in the host name.
      const host = client.endpoint.replace('{{bucket}}', body.bucket);
      expect(host.split('.').slice(1, 3), host).toEqual(['s3', signed]);
      expect(precondition.error_message, name).toContain(`S3 endpoint (${host}, region ${signed}) signs every request for ${signed}`);
    }
  });

  it('declares data.aws_region.current without arguments (the provider’s region), in the schema, and every reference resolves', async () => {
    const parsed = await parseTerraform(await files);
    const data = parsed.resources.get('data.aws_region.current');
    expect(data?.file).toBe('aws/terraform/providers.tf');
    // `region` given would name a region instead of reading the provider's; `name` is deprecated in 6.x.
    expect(data?.body).toEqual({});
    expect(schemaProblems(parsed.resources)).toEqual([]);
    expect(danglingReferences(parsed.resources, parsed.docs)).toEqual([]);
  });
});

it('no bucket, no region data source (an all-VPC topology)', async () => {
  const parsed = await parseTerraform(await render(readExample('aws-vpc')));
  const buckets = [...parsed.resources.values()].some((r) => r.type === 'aws_s3_bucket');
  expect(parsed.resources.has('data.aws_region.current')).toBe(buckets);
});

describe.skipIf(!terraform)(`Terraform evaluates the generated precondition${notRun}`, () => {
  const scratch = scratchModule('gen-region-guard-');

  it('plans in aws.region, fails in another region of the same partition naming both and the fix', async () => {
    const s3Tf = (await render(readExample('homelab'))).get('aws/terraform/s3.tf')!;
    const bucket = /^resource "aws_s3_bucket" "([^"]+)"/m.exec(s3Tf)![1]!;
    await scratch.load(lifecycleModule(s3Tf, `resource "aws_s3_bucket" "${bucket}"`, { provider_region: { type: 'string', reads: /data\.aws_region\.current\.region/g } }));
    const same = scratch.plan({ aws_region: 'ap-northeast-2', provider_region: 'ap-northeast-2' });
    expect(same.status, `${same.stdout}${same.stderr}`).toBe(0);
    const other = scratch.plan({ aws_region: 'eu-west-1', provider_region: 'eu-west-1' });
    expect(other.status).not.toBe(0);
    const message = other.stderr.replace(/\s+/g, ' ');
    expect(message).toContain('Resource precondition failed');
    expect(message).toContain(`Bucket ${bucket} would be made in the provider's region eu-west-1, but gen wrote its clients for aws.region ap-northeast-2`);
    expect(message).toContain('Set aws.region in the topology to that region and run gen build again');
  });
});
