// The VPC policy tests hold on the generated Terraform too: the security
// group rules are read back from the .tf files with HashiCorp's HCL parser
// and evaluated (allow-only: some ingress rule of the target group, and
// some egress rule of a source group, must let the flow through).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { FlowTest } from '../../src/model.js';
import { containsBlock, parseCidr } from '../../src/net.js';
import { renderAll } from '../../src/render/index.js';
import { modelOf, readExample } from '../helpers.js';

const require = createRequire(import.meta.url);
const hcl = require('@cdktf/hcl2json') as { parse(file: string, text: string): Promise<Record<string, any>> };

interface TfRule {
  group: string;
  proto: string;
  from?: number;
  to?: number;
  cidr?: string;
  peer?: string;
}

/** "${aws_security_group.api.id}" → "api" (by the group's name argument). */
function groupOf(reference: string | undefined, names: Map<string, string>): string | undefined {
  const m = reference && /^\$\{aws_security_group\.([A-Za-z0-9_-]+)\.id\}$/.exec(reference);
  return m ? names.get(m[1]!) : undefined;
}

async function rulesOf(files: Map<string, string>): Promise<{ ingress: TfRule[]; egress: TfRule[] }> {
  const doc = await hcl.parse('security_groups.tf', files.get('aws/terraform/security_groups.tf')!);
  const names = new Map(Object.entries<any[]>(doc.resource.aws_security_group).map(([id, [body]]) => [id, body.name as string]));
  const read = (type: string): TfRule[] =>
    Object.values<any[]>(doc.resource[type] ?? {}).map(([r]) => ({
      group: groupOf(r.security_group_id, names)!,
      proto: r.ip_protocol,
      from: r.from_port,
      to: r.to_port,
      cidr: r.cidr_ipv4,
      peer: groupOf(r.referenced_security_group_id, names),
    }));
  return { ingress: read('aws_vpc_security_group_ingress_rule'), egress: read('aws_vpc_security_group_egress_rule') };
}

function allows(rule: TfRule, flow: FlowTest, peer: { group?: string; cidr: string }): boolean {
  if (rule.proto !== '-1' && rule.proto !== flow.proto) return false;
  if (rule.proto !== '-1' && (flow.port === undefined || flow.port < rule.from! || flow.port > rule.to!)) return false;
  if (rule.peer !== undefined) return rule.peer === peer.group;
  const cidr = parseCidr(rule.cidr!);
  const source = parseCidr(peer.cidr);
  return cidr.ok && source.ok && containsBlock(cidr.block, source.block);
}

describe('security group rules in the generated Terraform', () => {
  it('give every VPC policy test its expected verdict', async () => {
    const model = await modelOf(readExample('aws-vpc'));
    const vpc = model.aws!.vpc!;
    const { ingress, egress } = await rulesOf(renderAll(model));
    const groups = new Set(vpc.securityGroups.map((g) => g.name));
    expect(vpc.tests.length).toBeGreaterThan(3);
    for (const test of vpc.tests) {
      const fromGroup = groups.has(test.from) ? test.from : undefined;
      const source = { group: fromGroup, cidr: fromGroup ? vpc.cidr : test.from === 'internet' ? '0.0.0.0/0' : test.from.includes('/') ? test.from : `${test.from}/32` };
      const inbound = ingress.some((r) => r.group === test.to && allows(r, test, source));
      const target = { group: test.to, cidr: vpc.cidr };
      const outbound = !fromGroup || egress.some((r) => r.group === fromGroup && allows(r, test, target));
      expect(inbound && outbound ? 'accept' : 'deny', test.name).toBe(test.expect);
    }
  });

  it('can fail: without the group-reference rules, flows from a group are denied', async () => {
    const model = await modelOf(readExample('aws-vpc'));
    const { ingress } = await rulesOf(renderAll(model));
    const flow: FlowTest = { name: 'bastion to api', from: 'bastion', to: 'api', proto: 'tcp', port: 22, expect: 'accept', path: [] };
    const source = { group: 'bastion', cidr: model.aws!.vpc!.cidr };
    expect(ingress.some((r) => r.group === 'api' && allows(r, flow, source))).toBe(true);
    expect(ingress.filter((r) => r.peer === undefined).some((r) => r.group === 'api' && allows(r, flow, source))).toBe(false);
  });
});
