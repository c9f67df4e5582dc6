// The AWS target: IAM policy JSON under out/aws/iam/, the TLS-only bucket
// policies under out/aws/s3/ and the Terraform files under
// out/aws/terraform/, split by concern.
import { AWS_DIR } from '../../paths.js';
import type { Model } from '../../model.js';
import { stableJson } from '../json.js';
import type { OutputFiles } from '../target.js';
import { type Item, hclFile } from './hcl.js';
import { policyDocuments, tlsOnlyBucketPolicy } from './iam-policy.js';
import { partitionOf } from '../../targets/aws/partition.js';
import { TfContext } from './terraform/context.js';
import { providersTf, variablesTf, versionsTf } from './terraform/files.js';
import { iamResources, policyPath } from './terraform/iam.js';
import { bucketPolicyPath, s3Resources } from './terraform/s3.js';
import { securityGroupResources } from './terraform/security-groups.js';
import { vpcResources } from './terraform/vpc.js';
import { vpnResources } from './terraform/vpn.js';

const TF = `${AWS_DIR}/terraform`;

export function renderAws(model: Model, files: OutputFiles): void {
  const aws = model.aws;
  if (!aws) return;
  for (const { user, document } of policyDocuments(aws)) files.set(policyPath(user.policy), stableJson(document));
  for (const bucket of aws.buckets) if (!bucket.retired) files.set(bucketPolicyPath(bucket.name), stableJson(tlsOnlyBucketPolicy(bucket.name, partitionOf(aws.region))));

  const ctx = new TfContext();
  const tf = (name: string, items: Item[]) => {
    if (items.length) files.set(`${TF}/${name}`, hclFile(items));
  };
  tf('versions.tf', versionsTf(aws));
  tf('providers.tf', providersTf(aws));
  tf('variables.tf', variablesTf(aws));
  const pbsBuckets = new Set(model.sites.flatMap((site) => (site.backup ? [site.backup.bucket] : [])));
  tf('s3.tf', s3Resources(aws, pbsBuckets, ctx));
  tf('iam.tf', iamResources(aws, ctx));
  if (aws.vpc) {
    tf('vpc.tf', vpcResources(aws.vpc, aws.region, ctx));
    tf('security_groups.tf', securityGroupResources(aws.vpc, ctx));
    tf('vpn.tf', vpnResources(aws.vpc, ctx));
  }
  tf('outputs.tf', ctx.outputs);
}
