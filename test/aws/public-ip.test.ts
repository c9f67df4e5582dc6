// Public IPv4 addresses in the VPC: an instance in a subnet routed to the
// internet gateway is reachable from the internet only with a public
// address. public_ip_on_launch writes the subnet's map_public_ip_on_launch
// (read back from the generated HCL with HashiCorp's parser); left off, the
// Terraform, its outputs and gen build say that the subnet's instances get
// none; on a subnet without a route to the internet gateway it is refused.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edit, lint, lineOfText, modelOf, readExample, render, root } from '../helpers.js';
import { parseTerraform, schemaProblems } from './tf-validate.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const C = () => readExample('aws-vpc');
/** Scenario C as it was written before the option: no subnet asks for public addresses. */
const withoutOption = () => C().replaceAll(', public_ip_on_launch: true', '');
const subnet = (i: number) => ['aws', 'vpc', 'subnets', i, 'public_ip_on_launch'];
const unrouted = (text: string) => lint(text).then((all) => all.filter((d) => d.rule === 'aws/public-ip-unrouted'));

/** gen build of `text` in a directory of its own: its exit code, stdout and stderr. */
function build(text: string) {
  const dir = tempDir('gen-public-ip-');
  writeFileSync(join(dir, 'topology.yaml'), text);
  const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'build'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function subnets(text: string) {
  const files = await render(text);
  const parsed = await parseTerraform(files);
  expect(parsed.problems).toEqual([]);
  expect(schemaProblems(parsed.resources)).toEqual([]);
  const bodies = Object.fromEntries([...parsed.resources.values()].filter((r) => r.type === 'aws_subnet').map((r) => [r.name, r.body]));
  const outputs = parsed.docs['outputs.tf']!.output as Record<string, { description: string }[]>;
  return { files, bodies, description: (name: string) => outputs[`${name}_subnet_id`]![0]!.description };
}

describe('scenario C: the public subnets give their instances public addresses', () => {
  it('map_public_ip_on_launch = true on the public subnets, absent on the private ones', async () => {
    const { bodies, description } = await subnets(C());
    expect(Object.fromEntries(Object.entries(bodies).map(([name, b]) => [name, b.map_public_ip_on_launch]))).toEqual({
      'public-2a': true,
      'public-2c': true,
      'private-2a': undefined,
      'private-2c': undefined,
    });
    expect(description('public-2a')).toBe('Id of subnet public-2a (ap-northeast-2a, 10.30.1.0/24; instances get a public IPv4 address at launch)');
    expect(description('private-2a')).toBe('Id of subnet private-2a (ap-northeast-2a, 10.30.101.0/24)');
  });

  it("the scanners' exception says why, on the public subnets only", async () => {
    const vpc = (await render(C())).get('aws/terraform/vpc.tf')!;
    for (const name of ['public-2a', 'public-2c']) {
      expect(vpc).toContain(
        `# instances here are reached from the internet (public_ip_on_launch in topology.yaml)\n# trivy:ignore:AVD-AWS-0164\nresource "aws_subnet" "${name}" {\n` +
          '  # checkov:skip=CKV_AWS_130:instances here are reached from the internet (public_ip_on_launch in topology.yaml)\n',
      );
    }
    expect(vpc.match(/AVD-AWS-0164/g)).toHaveLength(2);
    expect(vpc.match(/CKV_AWS_130/g)).toHaveLength(2);
  });

  it('no note: every subnet routed to the internet gateway gives addresses', async () => {
    expect((await modelOf(C())).aws!.vpc!.notes).toEqual([]);
    const r = build(C());
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('note (aws)');
  });
});

describe('public_ip_on_launch off (the default): the build says what that means', () => {
  it('the public subnets write false, with a comment and an output description that say so', async () => {
    const { files, bodies, description } = await subnets(withoutOption());
    expect(bodies['public-2a']!.map_public_ip_on_launch).toBe(false);
    expect(bodies['public-2c']!.map_public_ip_on_launch).toBe(false);
    expect(bodies['private-2a']!.map_public_ip_on_launch).toBeUndefined();
    expect(files.get('aws/terraform/vpc.tf')).toContain(
      'resource "aws_subnet" "public-2a" {\n' +
        '  # routed to the internet gateway, but an instance gets no public IPv4 address here (public_ip_on_launch in topology.yaml):\n' +
        '  # the internet reaches it only when launched with associate_public_ip_address = true or given an Elastic IP\n' +
        '  vpc_id ',
    );
    expect(files.get('aws/terraform/vpc.tf')).not.toMatch(/AVD-AWS-0164|CKV_AWS_130/);
    expect(description('public-2c')).toBe('Id of subnet public-2c (ap-northeast-2c, 10.30.2.0/24; routed to the internet gateway, no public IPv4 address at launch)');
  });

  it('one note names the subnets and the ways to an address; gen build prints it', async () => {
    const note =
      'VPC main: subnets public-2a and public-2c route to the internet gateway but give instances no public IPv4 address (public_ip_on_launch is off), ' +
      'so nothing on the internet reaches an instance launched there, whatever its security groups allow. ' +
      'Launch an instance that must be reached with a public address (associate_public_ip_address = true; in the EC2 console, Network settings › Auto-assign public IP: Enable) or give it an Elastic IP, ' +
      'or set public_ip_on_launch: true on the subnets for every instance to get one.';
    expect((await modelOf(withoutOption())).aws!.vpc!.notes).toEqual([note]);
    const r = build(withoutOption());
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toContain(`\ngen: note (aws): ${note}\n`);
    // One subnet asking for addresses leaves the other named alone.
    const one = edit(withoutOption(), subnet(0), true);
    expect((await modelOf(one)).aws!.vpc!.notes).toEqual([
      expect.stringMatching(/^VPC main: subnet public-2c routes to the internet gateway but gives instances no public IPv4 address .* or set public_ip_on_launch: true on the subnet for every instance to get one\.$/),
    ]);
  });

  it('public_ip_on_launch: false written out is the same as left out', async () => {
    const written = edit(edit(withoutOption(), subnet(0), false), subnet(1), false);
    expect(await render(written)).toEqual(await render(withoutOption()));
  });
});

describe("'aws/public-ip-unrouted'", () => {
  const onPrivate = (value: boolean) => C().replace('cidr: 10.30.101.0/24, tier: private }', `cidr: 10.30.101.0/24, tier: private, public_ip_on_launch: ${value} }`);

  it('public_ip_on_launch on a subnet without a route to the internet gateway: error at the option', async () => {
    const text = onPrivate(true);
    expect((await unrouted(text)).map((d) => [d.severity, d.message, d.location.line])).toEqual([
      [
        'error',
        'subnet private-2a: public_ip_on_launch gives its instances public IPv4 addresses, but tier private has no route to the internet gateway, so nothing reaches them there',
        lineOfText(text, 'public_ip_on_launch: true }', { after: 'private-2a' }),
      ],
    ]);
    // Through a NAT gateway the tier reaches the internet, but nothing on the internet reaches its instances.
    expect(await unrouted(edit(text, ['aws', 'vpc', 'nat_gateway'], true))).toHaveLength(1);
    // false is harmless anywhere.
    expect(await unrouted(onPrivate(false))).toEqual([]);
  });

  it('a private tier with a written route to the internet gateway may ask for addresses, and gets them', async () => {
    const routed = edit(onPrivate(true), ['aws', 'vpc', 'route_tables'], [{ tier: 'private', routes: [{ destination: '198.51.100.0/24', target: 'internet-gateway' }] }]);
    expect(await unrouted(routed)).toEqual([]);
    const { bodies } = await subnets(routed);
    expect([bodies['private-2a']!.map_public_ip_on_launch, bodies['private-2c']!.map_public_ip_on_launch]).toEqual([true, false]);
    // private-2c is routed to the internet gateway too, and gives no address: the note names it.
    expect((await modelOf(routed)).aws!.vpc!.notes).toEqual([expect.stringMatching(/^VPC main: subnet private-2c routes to the internet gateway/)]);
  });
});
