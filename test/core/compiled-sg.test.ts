// The VPC policy tests hold on the generated Terraform too: the security
// group rules are read back from the .tf files with HashiCorp's HCL parser
// and evaluated (allow-only: some ingress rule of the target group, and
// some egress rule of a source group, must let the flow through).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { FlowTest } from '../../src/model.js';
import { type Ranges, normalize, subtract } from '../../src/intervals.js';
import { parseCidr } from '../../src/net.js';
import { renderAll } from '../../src/render/index.js';
import { cloudTopology } from '../aws/fixtures.js';
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

function rangesOfCidr(cidr: string): Ranges {
  const parsed = parseCidr(cidr);
  return parsed.ok ? [[parsed.block.base, parsed.block.base + parsed.block.size - 1]] : [];
}

function protoPortOk(rule: TfRule, flow: FlowTest): boolean {
  if (rule.proto === '-1') return true;
  return rule.proto === flow.proto && flow.port !== undefined && flow.port >= rule.from! && flow.port <= rule.to!;
}

/** Every address of `source` in the union of the rules' CIDRs (group rules: the group itself). */
function allowed(rules: TfRule[], flow: FlowTest, source: { group?: string; ranges: Ranges }): boolean {
  const matching = rules.filter((r) => protoPortOk(r, flow));
  if (source.group !== undefined && matching.some((r) => r.peer === source.group)) return true;
  let left = source.ranges;
  for (const r of matching) if (r.cidr) left = subtract(left, rangesOfCidr(r.cidr));
  return source.ranges.length > 0 && left.length === 0;
}

describe.each([
  ['aws-vpc', () => readExample('aws-vpc')],
  ['a site zone of VPC subnets', cloudTopology],
])('security group rules in the generated Terraform of %s', (_name, topology) => {
  it('give every VPC policy test its expected verdict', async () => {
    const model = await modelOf(topology());
    const vpc = model.aws!.vpc!;
    const { ingress, egress } = await rulesOf(renderAll(model));
    const groups = new Set(vpc.securityGroups.map((g) => g.name));
    expect(vpc.tests.length).toBeGreaterThan(3);
    const vpcRanges = rangesOfCidr(vpc.cidr);
    for (const test of vpc.tests) {
      const fromGroup = groups.has(test.from) ? test.from : undefined;
      let ranges: Ranges;
      if (fromGroup) ranges = vpcRanges;
      // subtract() takes sorted, disjoint ranges: the objects' CIDRs may overlap or come in any order.
      else if (test.fromObjects) ranges = normalize(test.fromObjects.flatMap((o) => o.cidrs.flatMap(rangesOfCidr)));
      else ranges = rangesOfCidr(test.from === 'internet' ? '0.0.0.0/0' : test.from.includes('/') ? test.from : `${test.from}/32`);
      const inbound = allowed(ingress.filter((r) => r.group === test.to), test, { group: fromGroup, ranges });
      const outbound = !fromGroup || allowed(egress.filter((r) => r.group === fromGroup), test, { group: test.to, ranges: vpcRanges });
      expect(inbound && outbound ? 'accept' : 'deny', test.name).toBe(test.expect);
    }
  });
});

describe('the Terraform evaluator', () => {
  it('can fail: without the group-reference rules, flows from a group are denied', async () => {
    const model = await modelOf(readExample('aws-vpc'));
    const { ingress } = await rulesOf(renderAll(model));
    const flow: FlowTest = { name: 'bastion to api', from: 'bastion', to: 'api', proto: 'tcp', port: 22, expect: 'accept', path: [] };
    const source = { group: 'bastion', ranges: rangesOfCidr(model.aws!.vpc!.cidr) };
    const api = ingress.filter((r) => r.group === 'api');
    expect(allowed(api, flow, source)).toBe(true);
    expect(allowed(api.filter((r) => r.peer === undefined), flow, source)).toBe(false);
  });
});
