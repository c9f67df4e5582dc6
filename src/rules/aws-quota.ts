// A security group with more rules in one direction than AWS's default quota
// allows: the apply stops at the first rule past it, with the group and the
// rules before it created.
import type { SecurityGroupRule } from '../model.js';
import { RULES_PER_GROUP_QUOTA, portRanges, quotaFamilies } from '../targets/aws/security-groups.js';
import type { Rule } from './rule.js';

const MANY_PORTS = `[${Array.from({ length: RULES_PER_GROUP_QUOTA + 1 }, (_, i) => 9100 + i).join(', ')}]`;

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
];
