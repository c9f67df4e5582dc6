// A subnet in an availability zone its region does not have (ap-northeast-2e;
// ap-northeast-2 has a-d) passes the provider's plan, whose availability_zone
// is free text, and fails CreateSubnet during apply, after the VPC exists.
// Every subnet has a precondition on the zones data "aws_availability_zones"
// reads from the account (hashicorp/aws 6.25: internal/service/ec2/
// ec2_availability_zones_data_source.go, DescribeAvailabilityZones, computed
// names), so the plan fails first. Checked against the provider schema, and
// with Terraform itself evaluating the generated condition and message.
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample, render } from '../helpers.js';
import { lifecycleModule, notRun, scratchModule, terraform } from './tf-plan.js';
import { danglingReferences, format, parseTerraform, schemaProblems } from './tf-validate.js';

/** hcl2json writes expressions as "${...}". */
const ref = (expr: string) => `\${${expr}}`;

/** scenario C with its private subnet of zone c moved to zone e, which ap-northeast-2 does not have. */
const zoneE = () => edit(edit(readExample('aws-vpc'), ['aws', 'vpc', 'subnets', 3, 'az'], 'ap-northeast-2e'), ['aws', 'vpc', 'subnets', 3, 'name'], 'private-2e');

describe.each([
  ['scenario C', readExample('aws-vpc')],
  ['a subnet in zone e', zoneE()],
])('%s', (_, yaml) => {
  const files = render(yaml);

  it('every subnet fails its plan unless the account has its zone in the provider’s region', async () => {
    const { resources } = await parseTerraform(await files);
    const subnets = [...resources.values()].filter((r) => r.type === 'aws_subnet');
    const zones = [...resources.values()].filter((r) => r.type === 'data.aws_availability_zones');
    expect(subnets.length).toBeGreaterThan(0);
    expect(zones.length).toBe(1);
    // No argument: no all_availability_zones (it would list zones not opted in, where CreateSubnet fails too), no state filter.
    expect(zones[0]!.body).toEqual({});
    for (const { name, body } of subnets) {
      const [precondition] = body.lifecycle?.[0]?.precondition ?? [];
      expect(precondition?.condition, name).toBe(ref(`contains(data.aws_availability_zones.${zones[0]!.name}.names, "${body.availability_zone}")`));
      expect(precondition.error_message, name).toContain(`Subnet ${name} (aws.vpc.subnets in topology.yaml) is in availability zone ${body.availability_zone}`);
    }
  });

  it('the data source and the conditions fit the provider schema, and terraform fmt leaves vpc.tf alone', async () => {
    const out = await files;
    const parsed = await parseTerraform(out);
    expect(schemaProblems(parsed.resources)).toEqual([]);
    expect(danglingReferences(parsed.resources, parsed.docs)).toEqual([]);
    expect(await format(out.get('aws/terraform/vpc.tf')!)).toBe(out.get('aws/terraform/vpc.tf'));
  });
});

it('no subnet, no zones data source', async () => {
  const yaml = edit(edit(readExample('aws-vpc'), ['aws', 'vpc', 'subnets'], []), ['aws', 'vpc', 'security_groups'], undefined);
  const { resources } = await parseTerraform(await render(edit(yaml, ['aws', 'vpc', 'tests'], undefined)));
  expect([...resources.values()].some((r) => r.type === 'data.aws_availability_zones')).toBe(false);
});

describe.skipIf(!terraform)(`Terraform evaluates the generated precondition${notRun}`, () => {
  const scratch = scratchModule('gen-az-guard-');
  // What DescribeAvailabilityZones answers in ap-northeast-2 today.
  const seoul = JSON.stringify(['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c', 'ap-northeast-2d']);

  it.each([
    ['private-2c', readExample('aws-vpc'), true],
    ['private-2e', zoneE(), false],
  ])('subnet %s: the plan passes only when the region has its zone, and says which zones it has', async (subnet, yaml, ok) => {
    const vpcTf = (await render(yaml)).get('aws/terraform/vpc.tf')!;
    await scratch.load(lifecycleModule(vpcTf, `resource "aws_subnet" "${subnet}"`, { zones: { type: 'list(string)', reads: /data\.aws_availability_zones\.[\w-]+\.names/g } }));
    const plan = scratch.plan({ aws_region: 'ap-northeast-2', zones: seoul });
    expect(plan.status === 0, `${plan.stdout}${plan.stderr}`).toBe(ok);
    if (ok) return;
    const message = plan.stderr.replace(/\s+/g, ' ');
    expect(message).toContain('Resource precondition failed');
    expect(message).toContain(
      `Subnet ${subnet} (aws.vpc.subnets in topology.yaml) is in availability zone ap-northeast-2e, which region ap-northeast-2 does not offer to this account (its zones: ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d)`,
    );
    expect(message).toContain("Set the subnet's az to one of them and run gen build again.");
  });

  it('with -var aws_region overriding aws.region, every subnet fails and the fix is aws.region: aws/az-region refuses the zones the region has', async () => {
    const yaml = readExample('aws-vpc');
    const vpcTf = (await render(yaml)).get('aws/terraform/vpc.tf')!;
    await scratch.load(lifecycleModule(vpcTf, 'resource "aws_subnet" "private-2c"', { zones: { type: 'list(string)', reads: /data\.aws_availability_zones\.[\w-]+\.names/g } }));
    const plan = scratch.plan({ aws_region: 'eu-west-1', zones: JSON.stringify(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']) });
    expect(plan.status).not.toBe(0);
    const message = plan.stderr.replace(/\s+/g, ' ');
    expect(message).toContain('Subnet private-2c (aws.vpc.subnets in topology.yaml) is in availability zone ap-northeast-2c, which region eu-west-1 does not offer');
    expect(message).toContain('var.aws_region overrides aws.region ap-northeast-2: set aws.region in the topology to that region');
    expect(message).not.toContain("Set the subnet's az to one of them");
    // What the old advice leads to: a zone of the provider's region in the topology is refused by lint.
    const moved = edit(yaml, ['aws', 'vpc', 'subnets', 3, 'az'], 'eu-west-1c');
    expect((await lint(moved)).map((d) => d.rule)).toContain('aws/az-region');
  });
});
