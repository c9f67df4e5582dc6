// The S3 buckets: versioning, SSE-S3, the public access block, ACLs off and
// a TLS-only bucket policy are written for every bucket; the topology has
// no switch to leave them out.
//
// Nothing of a bucket may be destroyed by Terraform: the bucket has no
// force_destroy, so `terraform destroy` (or a bucket left out of the
// configuration) would delete its versioning, policy, public access block and
// ownership controls first and only then fail on DeleteBucket
// (BucketNotEmpty), leaving the backups unversioned and without their
// policy. prevent_destroy makes Terraform refuse any plan that destroys one
// of them, before anything is applied. The lifecycle configuration has none:
// deleting it only keeps old versions longer, and leaving out noncurrent_days
// must still remove it.
import { AWS_DIR } from '../../../paths.js';
import type { Aws } from '../../../model.js';
import { type Item, attr, block, comment, raw } from '../hcl.js';
import { type TfContext, resource, restrictedTag, tags } from './context.js';
import { partitionGuard } from './partition-guard.js';
import { regionGuard } from './region-guard.js';
import { moduleFile } from './paths.js';

export function bucketPolicyPath(bucket: string): string {
  return `${AWS_DIR}/s3/${bucket}.policy.json`;
}

/** `pbsBuckets`: the buckets a site's Proxmox Backup Server keeps a datastore in. */
export function s3Resources(aws: Aws, pbsBuckets: ReadonlySet<string>, ctx: TfContext): Item[] {
  const items: Item[] = [];
  for (const bucket of aws.buckets) {
    const name = ctx.names.get('aws_s3_bucket', bucket.name);
    if (bucket.retired) {
      for (const item of forgotten(bucket.name, name)) items.push(item);
      continue;
    }
    const id = raw(`aws_s3_bucket.${name}.id`);
    items.push(
      comment('access logging would need a second bucket; backups are written by one known client'),
      comment('trivy:ignore:AVD-AWS-0089'),
      resource('aws_s3_bucket', name, [
        comment('checkov:skip=CKV_AWS_18:access logging would need a second bucket; backups are written by one known client'),
        comment('checkov:skip=CKV_AWS_144:cross-region replication is not part of this backup design'),
        comment('checkov:skip=CKV_AWS_145:SSE-S3 (AES256) is the chosen encryption, no KMS key to manage'),
        comment('checkov:skip=CKV2_AWS_62:no consumer for event notifications'),
        ...(bucket.noncurrentDays === undefined ? [comment(`checkov:skip=CKV2_AWS_61:${bucket.keepNoncurrentForever === undefined ? 'old versions are kept until the topology sets noncurrent_days' : 'old versions are kept forever (keep_noncurrent_forever in topology.yaml)'}`)] : []),
        attr('bucket', bucket.name),
        tags(bucket.name, bucket.description === undefined ? undefined : restrictedTag(bucket.description)),
        kept(regionGuard(aws.region, bucket.name, pbsBuckets.has(bucket.name))),
      ]),
      resource('aws_s3_bucket_versioning', name, [attr('bucket', id), block('versioning_configuration', [], [attr('status', 'Enabled')]), kept()]),
      // trivy reports the key choice on the encryption resource, so its exception sits here.
      comment('SSE-S3 (AES256) is the chosen encryption, no KMS key to manage'),
      comment('trivy:ignore:AVD-AWS-0132'),
      resource('aws_s3_bucket_server_side_encryption_configuration', name, [
        attr('bucket', id),
        // S3 reports the encryption types a bucket refuses (SSE-C on every bucket made since April
        // 2026), and hashicorp/aws 6.22-6.39 keeps what it reads without a default of its own: left
        // out, every plan wants to clear it and no apply makes that stick. No client of these
        // buckets sends its own keys (PBS's S3 client sets no SSE-C header), so refuse them here.
        block('rule', [], [attr('blocked_encryption_types', ['SSE-C']), block('apply_server_side_encryption_by_default', [], [attr('sse_algorithm', 'AES256')])]),
        kept(),
      ]),
      resource('aws_s3_bucket_public_access_block', name, [
        attr('bucket', id),
        attr('block_public_acls', true),
        attr('block_public_policy', true),
        attr('ignore_public_acls', true),
        attr('restrict_public_buckets', true),
        kept(),
      ]),
      resource('aws_s3_bucket_ownership_controls', name, [attr('bucket', id), block('rule', [], [attr('object_ownership', 'BucketOwnerEnforced')]), kept()]),
      resource('aws_s3_bucket_policy', name, [
        attr('bucket', id),
        attr('policy', moduleFile(bucketPolicyPath(bucket.name))),
        attr('depends_on', [raw(`aws_s3_bucket_public_access_block.${name}`)]),
        kept(partitionGuard(aws.region)),
      ]),
    );
    if (bucket.noncurrentDays !== undefined) {
      items.push(
        resource('aws_s3_bucket_lifecycle_configuration', name, [
          attr('bucket', id),
          // A deletion in a versioned bucket (every chunk PBS garbage-collects) only
          // hides the object behind a delete marker: its old version is deleted
          // after noncurrent_days, and the marker, then alone, after that.
          // expired_object_delete_marker conflicts with days/date: its own block.
          block('rule', [], [
            attr('id', 'expire-noncurrent-versions'),
            attr('status', 'Enabled'),
            block('filter', [], []),
            block('noncurrent_version_expiration', [], [attr('noncurrent_days', bucket.noncurrentDays)]),
            block('expiration', [], [attr('expired_object_delete_marker', true)]),
            block('abort_incomplete_multipart_upload', [], [attr('days_after_initiation', 7)]),
          ]),
          // Noncurrent-version rules act on a versioned bucket: versioning first.
          attr('depends_on', [raw(`aws_s3_bucket_versioning.${name}`)]),
        ]),
      );
    }
    ctx.output(`${name}_bucket_arn`, `ARN of bucket ${bucket.name}`, raw(`aws_s3_bucket.${name}.arn`));
  }
  return items;
}


/** Every resource gen writes for a bucket, the lifecycle configuration (written only with noncurrent_days) last. */
const BUCKET_RESOURCES = [
  'aws_s3_bucket',
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_lifecycle_configuration',
];

/**
 * A retired bucket: a `removed` block (Terraform 1.7+) with destroy = false for each of its
 * resources, so that the next apply drops them from the state and S3 keeps the bucket as it is,
 * objects, versioning, policy and lifecycle rule included. Each is written whether or not the
 * state has it: Terraform passes over a removed block whose resource it does not know (the
 * lifecycle configuration of a bucket that never had noncurrent_days), and the blocks stay
 * harmless in every later apply.
 */
function forgotten(bucket: string, name: string): Item[] {
  return [
    comment(`bucket ${bucket} is retired: Terraform forgets it, S3 keeps it with everything in it`),
    ...BUCKET_RESOURCES.map((type) => block('removed', [], [attr('from', raw(`${type}.${name}`)), block('lifecycle', [], [attr('destroy', false)])])),
  ];
}

/** A lifecycle block with prevent_destroy, and what `guard` (a lifecycle block of preconditions) holds. */
function kept(guard?: Item): Item {
  return block('lifecycle', [], [attr('prevent_destroy', true), ...(guard?.kind === 'block' ? guard.body : [])]);
}
