// The PGP key an access key's secret is encrypted to: hashicorp/aws reads it
// only while creating the key, so a value it cannot use stops the apply
// after the user, its policy and the key exist (src/targets/aws/pgp-key.ts).
import { pgpKeyProblem } from '../targets/aws/pgp-key.js';
import type { Rule } from './rule.js';

/** An ed25519 SSH public key's base64: what is at hand when a PGP key is asked for. */
const SSH_KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIGsqXbQnVb3z8hQF3kKJ2yq7mFQm3n0Cq4cD2P8s9vLr';

export const awsKeyRules: readonly Rule[] = [
  {
    id: 'aws/pgp-key',
    severity: 'error',
    summary: "An access key's pgp_key is no OpenPGP public key the provider can encrypt to.",
    why: 'hashicorp/aws reads pgp_key only when it creates the access key, after CreateAccessKey: base64 that is not padded, a key cut off when copied, or something else than an OpenPGP key fails the apply there, with the user, its policy and a key whose secret is lost already made. A secret key would work, and be kept in the topology and in the Terraform state.',
    hint: 'Give the whole public key as one line of padded base64: gpg --export KEYID | base64 -w0 (or keybase:USER).',
    examples: [
      {
        where: 'aws.iam.users[proxmox-backup-user]',
        bad: `name: proxmox-backup-user\naccess_key: { pgp_key: "${SSH_KEY}" }`,
        good: 'name: proxmox-backup-user\naccess_key: { pgp_key: "keybase:backupadmin" }',
      },
    ],
    check(model, report) {
      for (const user of model.aws?.users ?? []) {
        const key = user.accessKey;
        if (typeof key !== 'object') continue;
        const problem = pgpKeyProblem(key.pgpKey);
        if (problem !== undefined) report({ path: user.path.concat('access_key', 'pgp_key'), message: `IAM user ${user.name}: pgp_key ${problem}` });
      }
    },
  },
];
