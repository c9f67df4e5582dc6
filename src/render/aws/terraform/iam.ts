// IAM users, their least-privilege policies (read from the JSON file gen
// writes, never a second copy) and the attachments. An access key is made
// only when the topology gives a PGP key to encrypt its secret to: the state
// then holds only the encrypted secret (without pgp_key the provider stores
// the secret in plain text in the state).
import { AWS_DIR } from '../../../paths.js';
import type { Aws } from '../../../model.js';
import { type Item, attr, comment, raw } from '../hcl.js';
import { TfNames } from '../names.js';
import { type TfContext, resource, restrictedTag, tags } from './context.js';
import { partitionGuard } from './partition-guard.js';
import { moduleFile } from './paths.js';

export function policyPath(policy: string): string {
  return `${AWS_DIR}/iam/${policy}.json`;
}

const USER_REASON = 'an on-prem backup client cannot assume a role; it authenticates with a key of its own user';

/**
 * The Terraform identifier of each IAM user (and so of its access key and
 * their outputs): the backup steps name those outputs too. A name such as
 * "pbs.backup" becomes pbs_backup, and two that meet get suffixes in
 * topology order.
 */
export function iamUserIds(aws: Aws): Map<string, string> {
  const names = new TfNames();
  return new Map(aws.users.map((user) => [user.name, names.get('aws_iam_user', user.name)]));
}

export function iamResources(aws: Aws, ctx: TfContext): Item[] {
  const items: Item[] = [];
  const ids = iamUserIds(aws);
  for (const user of aws.users) {
    const name = ids.get(user.name)!;
    const policy = ctx.names.get('aws_iam_policy', user.policy);
    items.push(
      // trivy reports a directly attached policy on the user; checkov on the attachment.
      comment(USER_REASON),
      comment('trivy:ignore:AVD-AWS-0143'),
      resource('aws_iam_user', name, [
        comment(`checkov:skip=CKV_AWS_273:${USER_REASON}`),
        attr('name', user.name),
        // IAM deletes no user that still has an access key (DeleteConflict), and hashicorp/aws deletes
        // the keys it does not manage only with force_destroy: the steps make the key outside
        // Terraform, so without it destroying the user (or removing it from the topology) fails
        // after its policy was already detached.
        attr('force_destroy', true),
        tags(restrictedTag(user.name)),
      ]),
      resource('aws_iam_policy', policy, [
        attr('name', user.policy),
        attr('description', user.description ?? `Least-privilege access of ${user.name}`),
        attr('policy', moduleFile(policyPath(user.policy))),
        tags(restrictedTag(user.policy)),
        partitionGuard(aws.region),
      ]),
      resource('aws_iam_user_policy_attachment', name, [
        comment(`checkov:skip=CKV_AWS_40:${USER_REASON}`),
        attr('user', raw(`aws_iam_user.${name}.name`)),
        attr('policy_arn', raw(`aws_iam_policy.${policy}.arn`)),
      ]),
    );
    if (typeof user.accessKey === 'object') {
      items.push(resource('aws_iam_access_key', name, [attr('user', raw(`aws_iam_user.${name}.name`)), attr('pgp_key', user.accessKey.pgpKey)]));
      ctx.output(`${name}_access_key_id`, `Access key id of IAM user ${user.name}`, raw(`aws_iam_access_key.${name}.id`));
      ctx.output(
        `${name}_encrypted_secret_access_key`,
        `Secret access key of IAM user ${user.name}, encrypted to its pgp_key (base64; decrypt with gpg)`,
        raw(`aws_iam_access_key.${name}.encrypted_secret`),
      );
      ctx.output(`${name}_access_key_pgp_fingerprint`, `Fingerprint of the PGP key the secret is encrypted to`, raw(`aws_iam_access_key.${name}.key_fingerprint`));
    }
  }
  return items;
}
