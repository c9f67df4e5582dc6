// A site's policy reaching into the VPC joined by the site-to-site VPN: VPC
// subnets are policy objects; the firewall passes on the source's interface
// to an alias of the subnet, and a security group derived for the zone lets
// the same sources in on the AWS side. Policy tests on both sides accept the
// site's objects and are checked on the compiled rules and the Terraform.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../src/render/index.js';
import { parse as parseYamlText } from 'yaml';
import { edit, lint, modelOf } from '../helpers.js';
import { type Xml, doc, fragments, text } from '../opnsense/support.js';
import { cloudTopology } from './fixtures.js';
import { movedBlocks, movedProblems, parseTerraform } from './tf-validate.js';

const require = createRequire(import.meta.url);
const hcl = require('@cdktf/hcl2json') as { parse(file: string, text: string): Promise<Record<string, any>> };

const A = ['sites', 0] as const;

describe('a zone of VPC subnets in the site policy', async () => {
  const yaml = cloudTopology();
  const model = await modelOf(yaml);

  it('lints clean: the policy tests hold on the firewall and the derived security group', async () => {
    expect(await lint(yaml)).toEqual([]);
  });

  it('the firewall passes from the source interface to one alias of the zone, both subnets in it', async () => {
    const files = await fragments(yaml, 'home');
    const rules: Xml[] = doc(files, 'filter.xml').filter.rule;
    const admins = rules.filter((r) => text(r.descr) === 'gen: policy rule admins-to-cloud-db');
    expect(admins.map((r) => [r.interface, r.protocol, r.source.address, r.destination.address, r.destination.port])).toEqual([
      ['wireguard', 'tcp', 'gen_role_wg0_workstation', 'gen_zone_cloud_db', '5432'],
    ]);
    const aliases: Xml[] = doc(files, 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias;
    expect(aliases.filter((a) => a.name === 'gen_zone_cloud_db').map((a) => [a.type, a.content, a.description])).toEqual([
      ['network', '10.30.101.0/24\n10.30.102.0/24', 'gen: zone cloud-db'],
    ]);
  });

  it('derives a security group for the zone, one ingress rule per source block, protocol and port range', () => {
    const group = model.aws!.vpc!.securityGroups.find((g) => g.name === 'gen-home-cloud-db')!;
    expect(group.derived).toEqual({ site: 'home', target: 'cloud-db', subnets: ['private-2a', 'private-2c'] });
    expect(group.description).toBe('gen: site home zone cloud-db');
    expect(group.ingress.map((r) => [r.proto, r.ports.map((p) => `${p.from}-${p.to}`).join(','), r.cidr, r.description])).toEqual([
      ['tcp', '5432-5432', '10.0.1.2/31', 'site home policy rule admins-to-cloud-db'],
      ['tcp', '5432-5432', '10.0.1.4/30', 'site home policy rule admins-to-cloud-db'],
      ['tcp', '5432-5432', '10.0.1.8/31', 'site home policy rule admins-to-cloud-db'],
      ['tcp', '5432-5432', '10.0.1.10/32', 'site home policy rule admins-to-cloud-db'],
      ['tcp', '5432-5432,9100-9101', '10.1.0.120/32', 'site home policy rule grafana-to-cloud-db'],
    ]);
    expect(group.defaultEgress).toBe(true);
  });

  it('a source behind an internal router (a static route) gets its ingress rule too: the VPN carries it', async () => {
    let text = edit(yaml, [...A, 'firewall', 'routes'], [{ network: '172.16.0.0/16', via: '10.0.0.5' }]);
    const rules = (parseYamlText(text) as Xml).sites[0].policy.rules as Xml[];
    text = edit(text, [...A, 'policy', 'rules'], [{ name: 'lab-to-cloud-db', from: '172.16.5.0/24', to: 'cloud-db', proto: 'tcp', ports: [5432], action: 'pass' }, ...rules]);
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const group = (await modelOf(text)).aws!.vpc!.securityGroups.find((g) => g.name === 'gen-home-cloud-db')!;
    expect(group.ingress.filter((r) => r.description?.includes('lab-to-cloud-db')).map((r) => [r.proto, r.cidr])).toEqual([['tcp', '172.16.5.0/24']]);
  });

  it("keeps the group's arguments when the subnets its zone holds change: its description forces a new group, which AWS cannot make while instances use the old one", async () => {
    const groupOf = async (text: string) => {
      const tf = renderAll(await modelOf(text)).get('aws/terraform/security_groups.tf')!;
      return { block: (await hcl.parse('security_groups.tf', tf)).resource.aws_security_group["gen-home-cloud-db"], tf };
    };
    const zones = (parseYamlText(yaml) as Xml).sites[0].policy.zones as Xml[];
    const before = await groupOf(yaml);
    const fewer = edit(yaml, [...A, 'policy', 'zones', zones.findIndex((z) => z.name === 'cloud-db'), 'members'], ['private-2a']);
    const after = await groupOf(fewer);
    expect(after.block).toEqual(before.block);
    // Where its instances are is said beside it, in a comment.
    expect(before.tf).toContain('# for the instances in private-2a, private-2c\nresource "aws_security_group" "gen-home-cloud-db"');
    expect(after.tf).toContain('# for the instances in private-2a\nresource "aws_security_group" "gen-home-cloud-db"');
  });

  it("names each rule by what it permits: a rule put before the others renames none of them (Terraform would revoke and authorize the same permission in no set order, which AWS refuses as a duplicate)", async () => {
    const rulesOf = async (text: string) => {
      const { resources, docs } = await parseTerraform(renderAll(await modelOf(text)));
      expect(movedProblems(resources, docs)).toEqual([]);
      const named = [...resources.values()].filter((r) => r.type === 'aws_vpc_security_group_ingress_rule' && r.body.security_group_id === '${aws_security_group.gen-home-cloud-db.id}');
      return { names: new Map(named.map((r) => [`${r.body.from_port}-${r.body.to_port} ${r.body.cidr_ipv4}`, r.name])), moved: movedBlocks(docs) };
    };
    const before = await rulesOf(yaml);
    const rules = (parseYamlText(yaml) as Xml).sites[0].policy.rules as Xml[];
    const first = edit(yaml, [...A, 'policy', 'rules'], [{ name: 'ops-to-cloud-db', from: '10.0.0.0/24', to: 'cloud-db', proto: 'tcp', ports: [22], action: 'pass' }, ...rules]);
    const after = await rulesOf(first);
    expect(after.names.size).toBe(before.names.size + 1);
    for (const [permission, name] of before.names) expect([permission, after.names.get(permission)]).toEqual([permission, name]);
    // The state of gen's earlier names, which counted the rules in order, carries over to these.
    expect(before.moved).toContainEqual({ from: 'aws_vpc_security_group_ingress_rule.gen-home-cloud-db_ingress_0_tcp_5432', to: `aws_vpc_security_group_ingress_rule.${before.names.get('5432-5432 10.0.1.2/31')}` });
  });

  it('writes the group and its rules to Terraform, and the VPC tests hold on what was written', async () => {
    const tf = await hcl.parse('security_groups.tf', renderAll(model).get('aws/terraform/security_groups.tf')!);
    const groups = Object.values<any[]>(tf.resource.aws_security_group).map(([g]) => g.name);
    expect(groups).toContain('gen-home-cloud-db');
    const ingress = Object.values<any[]>(tf.resource.aws_vpc_security_group_ingress_rule)
      .map(([r]) => r)
      .filter((r) => r.description?.startsWith('site home policy rule'));
    // Whatever the order of the resources (their names come from what they permit).
    const byPermission = (a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect(ingress.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4]).sort(byPermission)).toEqual(
      [
        ['tcp', 5432, 5432, '10.0.1.2/31'],
        ['tcp', 5432, 5432, '10.0.1.4/30'],
        ['tcp', 5432, 5432, '10.0.1.8/31'],
        ['tcp', 5432, 5432, '10.0.1.10/32'],
        ['tcp', 5432, 5432, '10.1.0.120/32'],
        ['tcp', 9100, 9101, '10.1.0.120/32'],
      ].sort(byPermission),
    );
  });

  it('a site test to the zone fails when the security group would stop it, naming the group', async () => {
    // Only the firewall lets mobiles in: the group has no rule for them.
    let changed = edit(yaml, [...A, 'policy', 'rules', 4], { name: 'mobiles-anywhere', from: 'wg0/mobile', to: 'any', action: 'pass' });
    changed = edit(changed, [...A, 'policy', 'tests', 1, 'expect'], 'accept');
    const found = (await lint(changed)).filter((d) => d.rule === 'policy/test-failed');
    expect(found.map((d) => d.message)).toEqual([
      'flow iphone-john to cloud-db tcp 5432: expected accept, got deny by security group gen-home-cloud-db (no ingress rule allows it)',
    ]);
  });

  it('a VPC test from a site object the group does not cover fails, naming what is left out', async () => {
    const changed = edit(yaml, ['aws', 'vpc', 'tests', 2, 'expect'], 'accept');
    expect((await lint(changed)).map((d) => [d.rule, d.message])).toEqual([
      ['policy/test-failed', 'flow wg0/mobile to gen-home-cloud-db tcp 5432: expected accept, got deny by security group gen-home-cloud-db (no ingress rule allows it)'],
    ]);
    const partly = edit(yaml, ['aws', 'vpc', 'tests', 0, 'from'], 'vpn');
    expect((await lint(partly)).map((d) => d.message)).toEqual([
      'flow vpn to gen-home-cloud-db tcp 5432: expected accept, got deny by security group gen-home-cloud-db (no ingress rule allows 10.0.1.0/31, 10.0.1.11/32, 10.0.1.12/30, … (7 blocks))',
    ]);
  });

  it('a VPC test from an unknown name is a dangling reference', async () => {
    const changed = edit(yaml, ['aws', 'vpc', 'tests', 0, 'from'], 'laptop-jon');
    expect((await lint(changed)).map((d) => d.rule)).toEqual(['ref/unknown']);
  });
});
