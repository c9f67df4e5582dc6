// The IAM policy documents gen writes, one per user, and the bucket's
// TLS-only policy. What each intent grants is target knowledge
// (targets/aws/iam.ts); out/aws/iam/<policy>.json is the document's only
// copy and the Terraform policy resource reads that file.
import type { Aws, IamUser } from '../../model.js';
import { type PolicyDocument, bucketArn, objectsArn, policyDocument } from '../../targets/aws/iam.js';
import { type AwsPartition, partitionOf } from '../../targets/aws/partition.js';

export function policyDocuments(aws: Aws): { user: IamUser; document: PolicyDocument }[] {
  const partition = partitionOf(aws.region);
  return aws.users.map((user) => ({ user, document: policyDocument(user, partition) }));
}

/** Bucket policy: every request without TLS is denied. */
export function tlsOnlyBucketPolicy(bucket: string, partition: AwsPartition): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn(partition, bucket), objectsArn(partition, bucket)],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}
