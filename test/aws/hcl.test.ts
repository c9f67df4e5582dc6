// The HCL writer: strings stay inert whatever they hold (checked with
// HashiCorp's parser), output is already `terraform fmt` canonical, names
// become valid identifiers, and every bucket gets its protections.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HclObject, type Item, type Value, attr, block, comment, hclFile, hclString, raw } from '../../src/render/aws/hcl.js';
import { tfName } from '../../src/render/aws/names.js';
import { edit, lint, readExample, render } from '../helpers.js';
import { destroyableProtection, format, parse, parseTerraform, schemaProblems } from './tf-validate.js';

/** hcl2json keeps template escapes ($${, %%{) as Terraform's JSON syntax does: undo them to get the value. */
const literal = (value: string) => value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
/** True when the template has a live interpolation or directive. */
const live = (value: string) => /\$\{|%\{/.test(value.replace(/\$\$\{/g, '').replace(/%%\{/g, ''));

const INJECTIONS = [
  '"} ${file("/etc/passwd")} %{ if true }x%{ endif }',
  'a\\" = 1\nresource "aws_iam_user" "x" { name = "evil" }\n#',
  '$${already} $$${deeper} %%{x} \\\\n \\u0041',
  '\u0000\u0001\u001b[31m\u007f\r\t',
];

describe('hclString', () => {
  it.each(INJECTIONS)('keeps %j a plain string', async (text) => {
    const tf = hclFile([block('locals', [], [attr('v', text)])]);
    const doc = await parse('t.tf', tf);
    const value = doc.locals[0].v as string;
    expect(live(value)).toBe(false);
    expect(literal(value)).toBe(text);
    expect(Object.keys(doc)).toEqual(['locals']);
    expect(await format(tf)).toBe(tf);
  });

  // HCL reads string literals in Unicode NFC (as Terraform does), so that is the value to expect.
  it('round-trips any string through HashiCorp HCL (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), async (text) => {
        const tf = hclFile([block('locals', [], [attr('v', text)])]);
        const value = (await parse('t.tf', tf)).locals[0].v as string;
        return literal(value) === text.normalize('NFC') && !live(value);
      }),
      { numRuns: 500 },
    );
  });

  it('an object key named like an HCL keyword reads back as that key', async () => {
    for (const key of ['for', 'in', 'if', 'null', 'true', 'false']) {
      const tf = hclFile([block('locals', [], [attr('v', new HclObject([[key, 1], ['for', 2]]))])]);
      const value = (await parse('t.tf', tf)).locals[0].v as Record<string, number>;
      expect(value, tf).toEqual(key === 'for' ? { for: 2 } : { [key]: 1, for: 2 });
    }
  });

  it('escapes exactly the characters HCL needs', () => {
    expect(hclString('a"b\\c\nd${e}%{f}$g%h\u0007')).toBe('"a\\"b\\\\c\\nd$${e}%%{f}$g%h\\u0007"');
  });
});

describe('layout is terraform fmt', () => {
  it('aligns = across one-line attributes, a multi-line object ends the run', async () => {
    const tf = hclFile([
      block('resource', ['aws_vpc', 'x'], [
        attr('cidr_block', '10.0.0.0/16'),
        attr('enable_dns_hostnames', true),
        attr('tags', new HclObject([['Name', 'x'], ['managed-by', 'gen']])),
        attr('a', 1),
      ]),
    ]);
    expect(tf).toBe(
      'resource "aws_vpc" "x" {\n  cidr_block           = "10.0.0.0/16"\n  enable_dns_hostnames = true\n  tags = {\n    Name       = "x"\n    managed-by = "gen"\n  }\n  a = 1\n}\n',
    );
    expect(await format(tf)).toBe(tf);
  });

  // Any mix of one-line and object attributes, comments and nested blocks, not only the shapes today's resources have.
  it('any body the writer can produce is unchanged by hclwrite.Format (property)', async () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,14}$/);
    const scalar: fc.Arbitrary<Value> = fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 70000 }), fc.boolean(), fc.constant(raw('aws_vpc.main.id')));
    const value: fc.Arbitrary<Value> = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }),
      // Keys: names, one that needs quotes, and HCL's keywords (a bare `for` first in an object starts a for expression).
      fc.array(fc.tuple(fc.oneof(name, fc.constant('with space'), fc.constantFrom('for', 'in', 'if', 'null', 'true', 'false')), scalar), { maxLength: 3 }).map((entries) => new HclObject(entries)),
    );
    const { body } = fc.letrec<{ body: Item[]; item: Item }>((tie) => ({
      item: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(name, value).map(([n, v]) => attr(n, v)),
        fc.string({ maxLength: 20 }).filter((t) => !/[\u0000-\u001f\u007f]/.test(t)).map((t) => comment(t)),
        fc.tuple(name, fc.array(name, { maxLength: 2 }), tie('body')).map(([t, labels, b]) => block(t, labels, b as Item[])),
      ),
      // One attribute or block type per name in a body, as in real resources (HCL refuses a redefined argument).
      body: fc.uniqueArray(tie('item') as fc.Arbitrary<Item>, {
        maxLength: 5,
        selector: (item) => (item.kind === 'attr' ? item.name : item.kind === 'block' ? item.type : Symbol('comment')),
      }) as fc.Arbitrary<Item[]>,
    }));
    await fc.assert(
      fc.asyncProperty(body, async (items) => {
        const tf = hclFile(items);
        await parse('t.tf', tf);
        return (await format(tf)) === tf;
      }),
      { numRuns: 300 },
    );
  });

  it('the format check can fail: a misaligned file is changed by hclwrite', async () => {
    const ugly = 'resource "aws_vpc" "x" {\n  cidr_block = "10.0.0.0/16"\n  enable_dns_hostnames = true\n}\n';
    expect(await format(ugly)).not.toBe(ugly);
  });

  it('the schema check can fail: a misspelt argument and a missing required one are reported', async () => {
    const files = await render(readExample('aws-vpc'));
    files.set('aws/terraform/vpc.tf', files.get('aws/terraform/vpc.tf')!.replace('cidr_block           = "10.30.0.0/16"', 'cidr_blok            = "10.30.0.0/16"'));
    files.set('aws/terraform/extra.tf', 'resource "aws_subnet" "z" {\n  cidr_block = "10.30.9.0/24"\n}\n');
    const { resources } = await parseTerraform(files);
    expect(schemaProblems(resources)).toEqual(['aws_vpc.main: unsupported argument "cidr_blok"', 'aws_subnet.z: missing required argument "vpc_id"']);
  });

  it('the schema check reaches nested blocks: a misspelt argument two blocks deep is reported', async () => {
    const files = await render(readExample('homelab'));
    const s3 = files.get('aws/terraform/s3.tf')!;
    expect(s3).toContain('sse_algorithm');
    files.set('aws/terraform/s3.tf', s3.replace('sse_algorithm', 'sse_algoritm'));
    const { resources } = await parseTerraform(files);
    expect(schemaProblems(resources)).toEqual([
      expect.stringMatching(/^aws_s3_bucket_server_side_encryption_configuration\.\S+\.rule\.apply_server_side_encryption_by_default: unsupported argument "sse_algoritm"$/),
    ]);
  });
});

describe('names', () => {
  it('become identifiers HCL accepts', async () => {
    expect(tfName('db.primary')).toBe('db_primary');
    expect(tfName('2a-public')).toBe('_2a-public');
    let text = readExample('aws-vpc').replace('name: public-2a,', 'name: 2a.public,');
    text = edit(text, ['aws', 'vpc', 'security_groups', 4], { name: 'db.replica', description: 'Replica', ingress: [{ proto: 'tcp', ports: [5432], from_group: 'db' }] });
    const files = await render(text);
    const { resources, problems } = await parseTerraform(files);
    expect(problems).toEqual([]);
    expect(resources.get('aws_subnet._2a_public')!.body.tags.Name).toBe('2a.public');
    expect(resources.get('aws_security_group.db_replica')!.body.name).toBe('db.replica');
    expect(resources.get('aws_vpc_security_group_ingress_rule.db_replica_ingress_tcp_5432_sg_db')!.body).toMatchObject({
      security_group_id: '${aws_security_group.db_replica.id}',
      referenced_security_group_id: '${aws_security_group.db.id}',
    });
    expect(resources.get('aws_route_table_association._2a_public')!.body.subnet_id).toBe('${aws_subnet._2a_public.id}');
  });
});

describe('IAM tags', () => {
  it('keep to the characters IAM allows in tag values', async () => {
    const files = await render(edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'name'], 'pbs,writer@home'));
    const { resources } = await parseTerraform(files);
    const user = [...resources.values()].find((r) => r.type === 'aws_iam_user')!;
    expect(user.body.name).toBe('pbs,writer@home');
    expect(user.body.tags.Name).toBe('pbs_writer@home');
  });
});

describe('injection strings in names and descriptions stay inert in the generated Terraform', () => {
  const evil = '"} ${file("/etc/passwd")} %{ if true }x%{ endif } \\';
  const sgEvil = 'x ${var.aws_region} $${y} {z} !*';

  const withDescriptions = (text: string, sg: string) => {
    let t = edit(readExample('aws-vpc'), ['aws', 'vpc', 'description'], text);
    t = edit(t, ['aws', 'vpc', 'subnets', 0, 'description'], text);
    t = edit(t, ['aws', 'vpc', 'security_groups', 0, 'description'], sg);
    t = edit(t, ['aws', 'vpc', 'security_groups', 0, 'ingress', 0, 'description'], sg);
    t = edit(t, ['aws', 'buckets'], [{ name: 'b-1', description: text }]);
    return edit(t, ['aws', 'iam'], { users: [{ name: 'u', description: text, intents: [{ intent: 'reader', bucket: 'b-1' }] }] });
  };
  /** Every resource with the names of its arguments: what a string could add to if it escaped. */
  const shape = (resources: Map<string, { body: Record<string, unknown> }>) => [...resources].map(([k, r]) => `${k}: ${Object.keys(r.body).sort().join(',')}`).sort();

  it('VPC and subnet descriptions (tags), SG and rule descriptions, IAM policy description', async () => {
    const text = withDescriptions(evil, sgEvil);
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const files = await render(text);
    const { resources, docs, problems } = await parseTerraform(files);
    expect(problems).toEqual([]);
    expect(schemaProblems(resources)).toEqual([]);
    const seen = [
      resources.get('aws_vpc.main')!.body.tags.Description,
      resources.get('aws_subnet.public-2a')!.body.tags.Description,
      resources.get('aws_security_group.bastion')!.body.description,
      resources.get('aws_vpc_security_group_ingress_rule.bastion_ingress_tcp_22_203_0_113_10_32')!.body.description,
      resources.get('aws_iam_policy.u-policy')!.body.description,
    ];
    expect(seen.map(literal)).toEqual([evil, evil, sgEvil, sgEvil, evil]);
    expect(seen.some(live)).toBe(false);
    // The S3 tag value keeps to the characters S3 allows; nothing escapes it either.
    expect(literal(resources.get('aws_s3_bucket.b-1')!.body.tags.Description)).toBe('__ __file__/etc/passwd___ __ if true _x__ endif _ _');
    // Nothing but the resources and arguments of plain descriptions came out of the strings.
    const plain = await parseTerraform(await render(withDescriptions('plain text', 'plain text')));
    expect(Object.keys(docs['vpc.tf']!)).toEqual(Object.keys(plain.docs['vpc.tf']!));
    expect(shape(resources)).toEqual(shape(plain.resources));
    expect(Object.keys(docs).sort()).toEqual(Object.keys(plain.docs).sort());
  });
});

describe('a bucket cannot be generated without its protections (by construction)', () => {
  // S3's naming rules, less the reserved prefixes and suffixes (xn--, sthree-,
  // amzn-s3-demo-, -s3alias, --ol-s3, --x-s3, --table-s3): gen refuses those
  // names (test/aws/rules.test.ts), so they have no Terraform to look at.
  const bucketName = fc
    .stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/)
    .filter((name) => !/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name));

  it('every generated bucket has versioning, SSE-S3 with SSE-C refused, the four public access blocks, ACLs off and a TLS-only policy, none of them destroyable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(bucketName, { minLength: 1, maxLength: 4 }), async (names) => {
        const text = `version: 1\nname: t\naws:\n  region: ap-northeast-2\n  buckets:\n${names.map((n) => `    - name: "${n}"\n`).join('')}`;
        const { resources } = await parseTerraform(await render(text));
        for (const n of names) {
          const id = tfName(n);
          expect(resources.get(`aws_s3_bucket_public_access_block.${id}`)!.body).toMatchObject({
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
          });
          expect(resources.get(`aws_s3_bucket_server_side_encryption_configuration.${id}`)!.body.rule).toEqual([{ blocked_encryption_types: ['SSE-C'], apply_server_side_encryption_by_default: [{ sse_algorithm: 'AES256' }] }]);
          expect(resources.get(`aws_s3_bucket_versioning.${id}`)!.body.versioning_configuration).toEqual([{ status: 'Enabled' }]);
          expect(resources.get(`aws_s3_bucket_ownership_controls.${id}`)!.body.rule).toEqual([{ object_ownership: 'BucketOwnerEnforced' }]);
          expect(resources.get(`aws_s3_bucket_policy.${id}`)).toBeDefined();
        }
        expect([...resources.values()].filter((r) => r.type === 'aws_s3_bucket')).toHaveLength(names.length);
        expect(destroyableProtection(resources)).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });

  it('the topology has no switch to turn them off', async () => {
    const text = edit(readExample('homelab'), ['aws', 'buckets', 0, 'public_access_block'], false);
    expect((await lint(text)).map((d) => d.rule)).toEqual(['schema']);
  });
});
