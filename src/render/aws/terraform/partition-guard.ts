// The IAM and bucket policies are JSON files with fixed ARNs, written for the
// partition of aws.region. Run with var.aws_region set to a region of another
// partition, IAM refuses them (MalformedPolicyDocument) only during apply,
// after other resources already exist. Each resource that reads such a file
// gets a precondition that compares the partition the provider works in
// (data.aws_partition, which hashicorp/aws derives from its region) with the
// one gen wrote for, so the plan fails before anything is made. A
// precondition (Terraform 1.2+), not a check block: a failed check assertion
// is only a warning and the apply goes on.
import { partitionOf } from '../../../targets/aws/partition.js';
import { type Item, attr, block, hclString, raw, template } from '../hcl.js';

const PARTITION = 'data.aws_partition.current.partition';

/** The data source the preconditions read: declared once, in providers.tf. */
export function partitionData(): Item {
  return block('data', ['aws_partition', 'current'], []);
}

/** A lifecycle block whose precondition fails the plan when the provider's region is in another partition than aws.region. */
export function partitionGuard(region: string): Item {
  const { id } = partitionOf(region);
  const message = template([
    `The policy was generated for partition ${id} (aws.region ${region}), but the provider's region `,
    raw('var.aws_region'),
    ' is in partition ',
    raw(PARTITION),
    `, whose IAM and S3 refuse ARNs of ${id} (MalformedPolicyDocument). Set aws.region in the topology to that region and run gen build again instead of overriding var.aws_region.`,
  ]);
  return block('lifecycle', [], [block('precondition', [], [attr('condition', raw(`${PARTITION} == ${hclString(id)}`)), attr('error_message', message)])]);
}
