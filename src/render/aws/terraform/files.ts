// versions.tf, providers.tf and variables.tf: the provider pinned to the
// major version whose schema the generated arguments are checked against.
import type { Aws } from '../../../model.js';
import { HclObject, type Item, attr, block, raw } from '../hcl.js';
import { partitionData } from './partition-guard.js';
import { regionData } from './region-guard.js';

export const AWS_PROVIDER_CONSTRAINT = '~> 6.25';

/** S3-native state locking (use_lockfile) is generally available from this Terraform release on. */
const LOCKFILE_TERRAFORM = '>= 1.11.0';

/**
 * `removed` blocks, which a retired bucket is written as, came with Terraform 1.7: an older one
 * does not know them, and the constraint makes it stop at init with a clear message.
 */
const REMOVED_TERRAFORM = '>= 1.7.0';

export function versionsTf(aws: Aws): Item[] {
  const backend = aws.stateBackend;
  return [
    block('terraform', [], [
      attr('required_version', backend?.useLockfile ? LOCKFILE_TERRAFORM : aws.buckets.some((b) => b.retired) ? REMOVED_TERRAFORM : '>= 1.5.0'),
      // Backend arguments are literals: Terraform reads them before any variable exists.
      ...(backend
        ? [
            block('backend', ['s3'], [
              attr('bucket', backend.bucket),
              attr('key', backend.key),
              attr('region', backend.region),
              // The state holds the IAM access keys: encrypted at rest in S3.
              attr('encrypt', true),
              // Written only when true: Terraform before 1.10 refuses the argument, and false is its default.
              ...(backend.useLockfile ? [attr('use_lockfile', true)] : []),
            ]),
          ]
        : []),
      block('required_providers', [], [attr('aws', new HclObject([['source', 'hashicorp/aws'], ['version', AWS_PROVIDER_CONSTRAINT]]))]),
    ]),
  ];
}

export function providersTf(aws: Aws): Item[] {
  // The partition the provider works in, for the preconditions of the resources that read a policy file.
  // A retired bucket has neither: only removed blocks are written for it.
  const buckets = aws.buckets.some((b) => !b.retired);
  const policies = aws.users.length > 0 || buckets;
  const items = [block('provider', ['aws'], [attr('region', raw('var.aws_region'))])];
  if (policies) items.push(partitionData());
  // The region the provider makes buckets in, for the buckets' preconditions.
  if (buckets) items.push(regionData());
  return items;
}

export function variablesTf(aws: Aws): Item[] {
  return [
    block('variable', ['aws_region'], [
      attr('description', 'AWS region of every resource (aws.region in topology.yaml)'),
      attr('type', raw('string')),
      attr('default', aws.region),
    ]),
  ];
}
