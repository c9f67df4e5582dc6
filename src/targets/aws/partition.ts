// The AWS partition a region belongs to, and what differs between
// partitions: the second field of every ARN and the domain of every
// endpoint. IAM refuses a policy whose ARNs name another partition
// (MalformedPolicyDocument: Partition "aws" is not valid for resource ...),
// S3 a bucket policy with them, and China's endpoints are under
// amazonaws.com.cn. Every renderer that writes an ARN or an endpoint asks
// here.
//
// From the AWS SDKs' partition table (aws-sdk-js-v3
// packages/util-endpoints/src/lib/aws/partitions.json: id, regionRegex,
// outputs.dnsSuffix), for the partitions whose regions the topology schema
// takes (aws.region's pattern leaves out the ISO and European Sovereign
// Cloud ones). A region no regex matches is in the standard partition, as
// the SDKs and terraform-provider-aws (names.PartitionForRegion) decide.

export interface AwsPartition {
  /** The partition's id, the second field of an ARN: arn:<id>:s3:::<bucket>. */
  id: string;
  /** The domain of its service endpoints: <service>.<region>.<dnsSuffix>. */
  dnsSuffix: string;
}

const STANDARD: AwsPartition = { id: 'aws', dnsSuffix: 'amazonaws.com' };

const OTHERS: readonly { partition: AwsPartition; regions: RegExp }[] = [
  { partition: { id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' }, regions: /^cn-\w+-\d+$/ },
  { partition: { id: 'aws-us-gov', dnsSuffix: 'amazonaws.com' }, regions: /^us-gov-\w+-\d+$/ },
];

export function partitionOf(region: string): AwsPartition {
  return OTHERS.find((p) => p.regions.test(region))?.partition ?? STANDARD;
}

/** The regional S3 endpoint of the region, without a bucket in front. */
export function s3Endpoint(region: string): string {
  return `s3.${region}.${partitionOf(region).dnsSuffix}`;
}
