// Terraform itself on what gen writes to keep a bucket: a destroy plan of the
// bucket's protection is refused before anything is applied (prevent_destroy),
// and a retired bucket's removed blocks make apply forget it, destroying
// nothing. Each generated resource of s3.tf becomes a terraform_data resource
// (built in, so init, apply and plan need no provider and no network) with the
// generated prevent_destroy; the removed blocks are the generated ones, their
// addresses mapped the same way.
import { describe, expect, it } from 'vitest';
import { attr, block, hclFile, raw } from '../../src/render/aws/hcl.js';
import { readExample, render } from '../helpers.js';
import { RETIRED, retiring } from './fixtures.js';
import { notRun, scratchModule, terraform } from './tf-plan.js';
import { BUCKET_PROTECTION, parseTerraform, removedBlocks } from './tf-validate.js';

/** aws_s3_bucket_policy.x → terraform_data.aws_s3_bucket_policy_x */
const stand = (address: string) => `terraform_data.${address.replace('.', '_')}`;

describe.skipIf(!terraform)(`Terraform keeps a bucket${notRun}`, () => {
  const scratch = scratchModule('gen-bucket-keep-');

  it('refuses a destroy plan of the bucket and what protects it, then forgets the retired bucket without destroying it', async () => {
    const managed = await parseTerraform(await render(readExample('homelab')));
    const items = [...managed.resources].filter(([, r]) => r.file === 'aws/terraform/s3.tf').map(([key, r]) => {
      const keep = r.body.lifecycle?.[0]?.prevent_destroy;
      return block('resource', ['terraform_data', stand(key).split('.')[1]!], keep === undefined ? [] : [block('lifecycle', [], [attr('prevent_destroy', keep)])]);
    });
    await scratch.load(hclFile(items));
    const made = scratch.run(['apply', '-auto-approve']);
    expect(made.status, made.stdout + made.stderr).toBe(0);
    const held = scratch.run(['state', 'list'], false).stdout.trim().split('\n').sort();
    expect(held).toEqual(BUCKET_PROTECTION.concat('aws_s3_bucket_lifecycle_configuration').map((type) => stand(`${type}.${RETIRED}`)).sort());

    const destroy = scratch.run(['destroy', '-auto-approve']);
    expect(destroy.status).not.toBe(0);
    const refused = [...destroy.stderr.replace(/\s+/g, ' ').matchAll(/Resource (terraform_data\.\S+) has lifecycle\.prevent_destroy set/g)].map((m) => m[1]).sort();
    expect(refused).toEqual(BUCKET_PROTECTION.map((type) => stand(`${type}.${RETIRED}`)).sort());
    expect(destroy.stdout).not.toContain('Destroying...');
    expect(scratch.run(['state', 'list'], false).stdout.trim().split('\n').sort()).toEqual(held);

    const retired = await parseTerraform(await render(retiring()));
    const removed = removedBlocks(retired.docs).map(({ from, destroy }) => block('removed', [], [attr('from', raw(stand(from))), block('lifecycle', [], [attr('destroy', destroy as boolean)])]));
    await scratch.load(hclFile(removed));
    const forget = scratch.run(['apply', '-auto-approve']);
    expect(forget.status, forget.stdout + forget.stderr).toBe(0);
    expect(forget.stdout).toContain('0 destroyed');
    for (const address of held) expect(forget.stdout).toContain(`${address} will no longer be managed by Terraform, but will not be destroyed`);
    expect(scratch.run(['state', 'list'], false).stdout.trim()).toBe('');
    // The removed blocks stay in the configuration: with nothing left to forget, they plan nothing.
    expect(scratch.run(['plan', '-detailed-exitcode']).status).toBe(0);
  });
});
