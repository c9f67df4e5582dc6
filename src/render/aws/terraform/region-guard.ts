// A bucket is made in the provider's region, var.aws_region, which defaults to
// aws.region but can be overridden with -var. gen writes the Proxmox Backup
// Server's S3 endpoint and signing region for aws.region (s3.cfg, steps.md),
// and PBS's S3 client signs every request for its configured region
// (proxmox-s3-client aws_sign_v4.rs: the region in the credential scope and
// the signing key): S3 refuses them for a bucket of another region
// (AuthorizationHeaderMalformed), which only the steps' `s3 check` shows,
// after the bucket exists. The precondition reads the provider's region
// (data.aws_region, whose `region` hashicorp/aws 6.x computes from the
// provider; `name` is deprecated since 6.0), so the plan fails first.
import { s3Endpoint } from '../../../targets/aws/partition.js';
import { type Item, attr, block, hclString, raw, template } from '../hcl.js';

const REGION = 'data.aws_region.current.region';

/** The data source the buckets' preconditions read: declared once, in providers.tf. */
export function regionData(): Item {
  return block('data', ['aws_region', 'current'], []);
}

/**
 * A lifecycle block whose precondition fails the plan when the provider would make `bucket` in another
 * region than aws.region; `pbs` says whether a Proxmox Backup Server's S3 endpoint reaches it.
 */
export function regionGuard(region: string, bucket: string, pbs: boolean): Item {
  const why = pbs
    ? `gen wrote its clients for aws.region ${region}: the Proxmox Backup Server's S3 endpoint (${bucket}.${s3Endpoint(region)}, region ${region}) signs every request for ${region}, which S3 refuses for a bucket of another region (AuthorizationHeaderMalformed).`
    : `aws.region in the topology, the region of every resource gen writes, is ${region}.`;
  const message = template([
    `Bucket ${bucket} would be made in the provider's region `,
    raw(REGION),
    `, but ${why} Set aws.region in the topology to that region and run gen build again instead of overriding var.aws_region.`,
  ]);
  return block('lifecycle', [], [block('precondition', [], [attr('condition', raw(`${REGION} == ${hclString(region)}`)), attr('error_message', message)])]);
}
