// AWS's default quota of 60 inbound and 60 outbound rules per security group,
// IPv4 and IPv6 apart (Amazon VPC quotas, L-0EA8095F): a group past it fails
// terraform apply halfway with RulesPerSecurityGroupLimitExceeded. The lint
// counts what security_groups.tf really holds, so the test counts there too.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { renderAll } from '../../src/render/index.js';
import { RULES_PER_GROUP_QUOTA } from '../../src/targets/aws/security-groups.js';
import { edit, lineOfText, lint, modelOf, readExample } from '../helpers.js';
import { cloudTopology } from './fixtures.js';
import { parseTerraform } from './tf-validate.js';

const only = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.rule === 'aws/sg-rule-quota');

/** The rules security_groups.tf gives a group, by direction and address family, as AWS counts them against the quota. */
async function writtenRules(text: string, group: string): Promise<Record<string, number>> {
  const { resources } = await parseTerraform(renderAll(await modelOf(text)));
  const counts: Record<string, number> = {};
  for (const r of resources.values()) {
    const direction = r.type === 'aws_vpc_security_group_ingress_rule' ? 'inbound' : r.type === 'aws_vpc_security_group_egress_rule' ? 'outbound' : undefined;
    if (!direction || !String(r.body.security_group_id).includes(`aws_security_group.${group}.`)) continue;
    const families = r.body.cidr_ipv6 !== undefined ? ['IPv6'] : r.body.cidr_ipv4 !== undefined ? ['IPv4'] : ['IPv4', 'IPv6'];
    for (const family of families) counts[`${family} ${direction}`] = (counts[`${family} ${direction}`] ?? 0) + 1;
  }
  return counts;
}

const ports = (n: number, from = 8080) => Array.from({ length: n }, (_, i) => from + i);

describe("'aws/sg-rule-quota'", () => {
  const C = readExample('aws-vpc');
  const withJenkinsPorts = (list: string) => C.replace('ports: [8080, 22], from: 198.51.100.7/32', `ports: ${list}, from: 198.51.100.7/32`);

  it('a rule whose ports make the 61st inbound rule of its group is warned at, with the count Terraform gets', async () => {
    const text = withJenkinsPorts(`[${ports(RULES_PER_GROUP_QUOTA + 1).join(', ')}]`);
    expect(await writtenRules(text, 'jenkins')).toMatchObject({ 'IPv4 inbound': 61 });
    const hits = only(await lint(text));
    expect(hits.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['warning', "security group jenkins gets 61 IPv4 inbound rules, more than AWS's default quota of 60; this rule passes it", lineOfText(text, 'from: 198.51.100.7/32')],
    ]);
    expect(hits[0]!.hint).toContain("one range ('a-b')");
  });

  it('60 rules, the same ports as one range, and 60 IPv4 beside 60 IPv6 rules stay within it', async () => {
    const sixty = withJenkinsPorts(`[${ports(RULES_PER_GROUP_QUOTA).join(', ')}]`);
    expect(await writtenRules(sixty, 'jenkins')).toMatchObject({ 'IPv4 inbound': 60 });
    expect(only(await lint(sixty))).toEqual([]);
    expect(only(await lint(withJenkinsPorts("['8080-8150']")))).toEqual([]);
    const split = edit(sixty, ['aws', 'vpc', 'security_groups', 2, 'ingress', 1], { proto: 'tcp', ports: ports(RULES_PER_GROUP_QUOTA), from: '2001:db8::/48', description: 'VPN v6' });
    expect(await writtenRules(split, 'jenkins')).toMatchObject({ 'IPv4 inbound': 60, 'IPv6 inbound': 60 });
    expect(only(await lint(split))).toEqual([]);
  });

  it('outbound rules have a quota of their own', async () => {
    const egress = (n: number) => edit(C, ['aws', 'vpc', 'security_groups', 2, 'egress'], [{ proto: 'tcp', ports: ports(n), to: '198.51.100.0/24' }]);
    expect(await writtenRules(egress(RULES_PER_GROUP_QUOTA), 'jenkins')).toMatchObject({ 'IPv4 outbound': 60, 'IPv4 inbound': 2 });
    expect(only(await lint(egress(RULES_PER_GROUP_QUOTA)))).toEqual([]);
    expect(only(await lint(egress(RULES_PER_GROUP_QUOTA + 1))).map((d) => d.message)).toEqual([
      "security group jenkins gets 61 IPv4 outbound rules, more than AWS's default quota of 60; this rule passes it",
    ]);
  });

  it("a group derived from the site's policy gets a rule per source block and port: many ports to a zone of a role pass the quota", async () => {
    const base = cloudTopology();
    const rules = edit(base, ['sites', 0, 'policy', 'rules', 0, 'ports'], ports(16, 5432));
    // admins (wg0/workstation) is four blocks: 4 x 16 rules, with grafana's 2 (5432 and 9100-9101) the group gets 66.
    expect(await writtenRules(rules, 'gen-home-cloud-db')).toMatchObject({ 'IPv4 inbound': 66 });
    expect(only(await lint(rules)).map((d) => [d.message, d.location.line])).toEqual([
      ["security group gen-home-cloud-db (derived for cloud-db of site home) gets 66 IPv4 inbound rules, more than AWS's default quota of 60; this rule passes it", lineOfText(rules, 'name: admins-to-cloud-db')],
    ]);
    expect(only(await lint(base))).toEqual([]);
  });
});
