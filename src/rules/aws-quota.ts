// Quotas AWS enforces only at apply time. A security group with more rules in
// one direction than the default quota allows: the apply stops at the first
// rule past it, with the group and the rules before it created. An IAM
// policy document longer than a managed policy may be: CreatePolicy refuses
// it, and the user is left without its permissions.
import type { IamUser, SecurityGroupRule } from '../model.js';
import { MANAGED_POLICY_MAX_CHARS, policyDocument, policySize } from '../targets/aws/iam.js';
import { partitionOf } from '../targets/aws/partition.js';
import { RULES_PER_GROUP_QUOTA, portRanges, quotaFamilies } from '../targets/aws/security-groups.js';
import type { Rule } from './rule.js';

const MANY_PORTS = `[${Array.from({ length: RULES_PER_GROUP_QUOTA + 1 }, (_, i) => 9100 + i).join(', ')}]`;

/** The example: a reader intent per site prefix, next to the datastore's writer (each prefix is three statements). */
const BACKUP_BUCKET = 'iksan-cloud-backup-20251129';
const SITE_READERS = Array.from({ length: 12 }, (_, i) => `{ intent: reader, bucket: ${BACKUP_BUCKET}, prefix: restore/site-${String(i + 1).padStart(2, '0')}/ }`);

/**
 * The first intent of the user whose policy, up to it, is longer than a
 * managed policy may be, and that length; with the whole policy's length.
 * Found by bisection (the document only grows with each intent): a user of
 * many intents is measured a few times, not once per intent.
 */
function intentPastPolicySize(user: IamUser, region: string): { intent: IamUser['intents'][number]; size: number; total: number } | undefined {
  const partition = partitionOf(region);
  const sizeUpTo = (n: number) => policySize(policyDocument(Object.assign({}, user, { intents: user.intents.slice(0, n) }), partition));
  const total = sizeUpTo(user.intents.length);
  if (total <= MANAGED_POLICY_MAX_CHARS) return undefined;
  let low = 1;
  let high = user.intents.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sizeUpTo(middle) > MANAGED_POLICY_MAX_CHARS) high = middle;
    else low = middle + 1;
  }
  return { intent: user.intents[low - 1]!, size: sizeUpTo(low), total };
}

export const awsQuotaRules: Rule[] = [
  {
    id: 'aws/sg-rule-quota',
    severity: 'warning',
    summary: `A security group gets more than ${RULES_PER_GROUP_QUOTA} inbound or outbound rules of one address family, AWS's default quota.`,
    why: `Every port, port range, ICMP type and peer of a rule is a rule of its own in AWS (and a resource in security_groups.tf). AWS allows ${RULES_PER_GROUP_QUOTA} inbound and ${RULES_PER_GROUP_QUOTA} outbound rules per group, for IPv4 and IPv6 apart, unless the quota was raised: terraform apply creates the group and the rules up to the quota, then fails on the next with RulesPerSecurityGroupLimitExceeded, leaving the group half built. Groups gen derives from a site's policy get a rule per on-prem source block and port range, so they reach the quota without any list in the topology being long.`,
    hint: "Write consecutive ports as one range ('9100-9160' is one rule), reference a security group instead of many addresses, or split the group (an instance takes up to five). If the account's quota \"Inbound or outbound rules per security group\" (L-0EA8095F) was raised, say so with # gen-ignore aws/sg-rule-quota: the reason.",
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.security_groups[+]',
        bad: `{ name: monitoring, description: Prometheus exporters, ingress: [{ proto: tcp, ports: ${MANY_PORTS}, from_group: api }] }`,
        good: `{ name: monitoring, description: Prometheus exporters, ingress: [{ proto: tcp, ports: ['9100-${9100 + RULES_PER_GROUP_QUOTA}'], from_group: api }] }`,
      },
    ],
    check(model, report) {
      for (const group of model.aws?.vpc?.securityGroups ?? []) {
        for (const [direction, rules] of [['inbound', group.ingress], ['outbound', group.egress]] as const) {
          for (const family of ['IPv4', 'IPv6'] as const) {
            // (The allow-all egress gen writes back where the topology has no egress list is that direction's only rule.)
            let total = 0;
            let first: SecurityGroupRule | undefined;
            for (const rule of rules) {
              if (!quotaFamilies(rule).includes(family)) continue;
              total += portRanges(rule).length;
              if (total > RULES_PER_GROUP_QUOTA) first ??= rule;
            }
            if (!first) continue;
            const derived = group.derived ? ` (derived for ${group.derived.target} of site ${group.derived.site})` : '';
            report({
              path: first.path,
              message: `security group ${group.name}${derived} gets ${total} ${family} ${direction} rules, more than AWS's default quota of ${RULES_PER_GROUP_QUOTA}; this rule passes it`,
              hint: `Write consecutive ports as one range ('a-b'), reference a group instead of many addresses, or split ${group.name} in two; or raise the quota "Inbound or outbound rules per security group" and add # gen-ignore aws/sg-rule-quota: the reason.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'aws/iam-policy-size',
    severity: 'error',
    summary: `An IAM user's policy is longer than the ${MANAGED_POLICY_MAX_CHARS} characters AWS allows a managed policy.`,
    why: `gen writes each user's intents as one customer managed policy (aws_iam_policy, out/aws/iam/<policy>.json). IAM counts a policy's characters without white space and refuses a managed policy of more than ${MANAGED_POLICY_MAX_CHARS} (LimitExceeded: Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX_CHARS}); the quota cannot be raised. terraform apply then creates the user but not its policy, and every request of its key is denied. Each bucket and prefix of an intent adds its own statements (a reader's prefix three: the objects, the listing limited to the prefix, the bucket location), so a user that reads a dozen prefixes, or writes to many buckets, passes the limit.`,
    hint: 'Give the user fewer, wider intents (one on the whole bucket instead of one per prefix, or a common parent prefix), or split the intents between two users, each with a policy of its own.',
    examples: [
      {
        where: 'aws.iam.users[proxmox-backup-user]',
        bad: `intents: [{ intent: backup-writer, bucket: ${BACKUP_BUCKET} }, ${SITE_READERS.join(', ')}]`,
        good: `intents: [{ intent: backup-writer, bucket: ${BACKUP_BUCKET} }, { intent: reader, bucket: ${BACKUP_BUCKET}, prefix: restore/ }]`,
      },
    ],
    check(model, report) {
      if (!model.aws) return;
      for (const user of model.aws.users) {
        const past = intentPastPolicySize(user, model.aws.region);
        if (!past) continue;
        report({
          path: past.intent.path,
          message: `the policy ${user.policy} of IAM user ${user.name} would be ${past.total} characters (white space not counted), more than the ${MANAGED_POLICY_MAX_CHARS} AWS allows a managed policy; it passes the limit at this intent (${past.size})`,
        });
      }
    },
  },
];
