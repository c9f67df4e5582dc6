// Checks generated Terraform with HashiCorp's own HCL code (hcl2json for
// parsing, hclwrite via hcl-tools for `terraform fmt`) and the argument names
// of hashicorp/aws 6.25.0 (fixtures/aws-provider-6.25.0-schema.json,
// extracted from @cdktf/provider-aws 21.22.1, which is generated from that
// provider's schema). Data sources are in it as "data.<type>", e.g.
// data.aws_partition (internal/service/meta/partition_data_source.go: no
// argument but the deprecated id; dns_suffix, partition, reverse_dns_prefix).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from '../helpers.js';

const require = createRequire(import.meta.url);
const { parse } = require('@cdktf/hcl2json') as { parse(file: string, text: string): Promise<Record<string, any>> };
const { format } = require('@cdktf/hcl-tools') as { format(text: string): Promise<string> };

export { format, parse };

interface ResourceSchema {
  attributes: string[];
  blocks: Record<string, string[]>;
  required: string[];
  /** What an expression can read of it: aws_iam_policy.x.arn. */
  readable: string[];
}
export const providerSchema: Record<string, ResourceSchema> = JSON.parse(readFileSync(join(root, 'test/aws/fixtures/aws-provider-6.25.0-schema.json'), 'utf8'));

const META = new Set(['count', 'for_each', 'provider', 'depends_on', 'lifecycle']);

/** Resource types that take `tags` in the provider schema. */
export const taggable = (type: string): boolean => providerSchema[type]?.attributes.includes('tags') ?? false;

/** Resources by "type.name" and data sources by "data.type.name" (their Terraform addresses), type "data.<type>". */
export type Resources = Map<string, { type: string; name: string; file: string; body: Record<string, any> }>;

/** Parses every .tf file (throws on syntax errors) and indexes resources by "type.name", data sources by "data.type.name". */
export async function parseTerraform(files: Map<string, string>): Promise<{ resources: Resources; docs: Record<string, Record<string, any>>; problems: string[] }> {
  const resources: Resources = new Map();
  const docs: Record<string, Record<string, any>> = {};
  const problems: string[] = [];
  for (const [path, text] of files) {
    if (!path.startsWith('aws/terraform/') || !path.endsWith('.tf')) continue;
    const doc = await parse(path, text);
    docs[path.slice('aws/terraform/'.length)] = doc;
    for (const [mode, prefix] of [['resource', ''], ['data', 'data.']] as const) {
      for (const [type, byName] of Object.entries<Record<string, any[]>>(doc[mode] ?? {})) {
        for (const [name, bodies] of Object.entries(byName)) {
          const key = `${prefix}${type}.${name}`;
          if (bodies.length > 1 || resources.has(key)) problems.push(`${path}: duplicate ${mode} ${key}`);
          resources.set(key, { type: `${prefix}${type}`, name, file: path, body: bodies[0] });
        }
      }
    }
  }
  return { resources, docs, problems };
}

/** A nested block's arguments, at every depth ("rule.apply_server_side_encryption_by_default"). */
function checkBlock(blocks: Record<string, string[]>, name: string, value: unknown, key: string, problems: string[]): void {
  for (const block of ([] as Record<string, unknown>[]).concat(value as Record<string, unknown>)) {
    for (const [inner, innerValue] of Object.entries(block)) {
      if (!blocks[name]!.includes(inner)) problems.push(`${key}.${name}: unsupported argument "${inner}"`);
      else if (`${name}.${inner}` in blocks) checkBlock(blocks, `${name}.${inner}`, innerValue, key, problems);
    }
  }
}

/**
 * What Terraform takes in a lifecycle block (internal/configs/resource.go,
 * resourceLifecycleBlockSchema and decodeDataBlock): a data source only
 * precondition and postcondition, each with a condition and an error_message.
 */
function lifecycleProblems(key: string, lifecycle: unknown): string[] {
  const problems: string[] = [];
  const allowed = key.startsWith('data.') ? ['precondition', 'postcondition'] : ['create_before_destroy', 'prevent_destroy', 'ignore_changes', 'replace_triggered_by', 'precondition', 'postcondition'];
  for (const block of ([] as Record<string, unknown>[]).concat(lifecycle as Record<string, unknown>)) {
    for (const [name, value] of Object.entries(block)) {
      if (!allowed.includes(name)) problems.push(`${key}.lifecycle: unsupported argument "${name}"`);
      if (name !== 'precondition' && name !== 'postcondition') continue;
      for (const condition of ([] as Record<string, unknown>[]).concat(value as Record<string, unknown>)) {
        const args = Object.keys(condition).sort();
        if (args.join() !== 'condition,error_message') problems.push(`${key}.lifecycle.${name}: takes condition and error_message, not ${args.join(', ')}`);
      }
    }
  }
  return problems;
}

/** Argument names and required arguments against the provider schema, nested blocks and lifecycle included. */
export function schemaProblems(resources: Resources): string[] {
  const problems: string[] = [];
  for (const [key, { type, body }] of resources) {
    const s = providerSchema[type];
    if (!s) {
      problems.push(`${key}: ${type.startsWith('data.') ? 'data source' : 'resource'} type not in the provider schema file`);
      continue;
    }
    for (const [arg, value] of Object.entries(body)) {
      if (arg === 'lifecycle') problems.push(...lifecycleProblems(key, value));
      if (META.has(arg)) continue;
      if (arg in s.blocks) checkBlock(s.blocks, arg, value, key, problems);
      else if (!s.attributes.includes(arg)) problems.push(`${key}: unsupported argument "${arg}"`);
    }
    for (const r of s.required) if (!(r in body)) problems.push(`${key}: missing required argument "${r}"`);
  }
  return problems;
}

/** Every moved block of the module, its addresses without the ${} hcl2json wraps them in. */
export function movedBlocks(docs: Record<string, Record<string, any>>): { from: string; to: string }[] {
  const bare = (address: string) => address.replace(/^\$\{(.*)\}$/, '$1');
  return Object.values(docs).flatMap((doc) => ((doc.moved ?? []) as { from: string; to: string }[]).map((m) => ({ from: bare(m.from), to: bare(m.to) })));
}

/**
 * What Terraform refuses of moved blocks (its refactoring validation): a
 * `to` that the configuration does not declare, a `from` that it still
 * declares, another type at either end, and an address moved from or to twice.
 */
export function movedProblems(resources: Resources, docs: Record<string, Record<string, any>>): string[] {
  const moves = movedBlocks(docs);
  const problems: string[] = [];
  const count = (list: string[]) => list.filter((a, i) => list.indexOf(a) !== i);
  for (const { from, to } of moves) {
    if (!resources.has(to)) problems.push(`moved to ${to}, which is not declared`);
    if (resources.has(from)) problems.push(`moved from ${from}, which is still declared`);
    if (from.split('.')[0] !== to.split('.')[0]) problems.push(`moved from ${from} to another type: ${to}`);
  }
  for (const a of count(moves.map((m) => m.from))) problems.push(`moved from ${a} twice`);
  for (const a of count(moves.map((m) => m.to))) problems.push(`moved to ${a} twice`);
  return problems;
}

/** Every removed block of the module: its address and its lifecycle's destroy. */
export function removedBlocks(docs: Record<string, Record<string, any>>): { from: string; destroy: unknown }[] {
  const bare = (address: string) => address.replace(/^\$\{(.*)\}$/, '$1');
  return Object.values(docs).flatMap((doc) => ((doc.removed ?? []) as { from: string; lifecycle?: { destroy?: unknown }[] }[]).map((r) => ({ from: bare(r.from), destroy: r.lifecycle?.[0]?.destroy })));
}

/**
 * What Terraform (1.7+, internal/configs/removed.go and its plan) refuses
 * of removed blocks, checked with terraform 1.11: a `from` the configuration
 * still declares ("Removed resource still exists"), one with an instance key,
 * a type the provider does not have, an address removed twice; and what would
 * lose data: a block without `lifecycle { destroy = false }` destroys the object.
 */
export function removedProblems(resources: Resources, docs: Record<string, Record<string, any>>): string[] {
  const removed = removedBlocks(docs);
  const problems: string[] = [];
  for (const { from, destroy } of removed) {
    if (resources.has(from)) problems.push(`removed ${from}, which is still declared`);
    if (!/^aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*$/.test(from)) problems.push(`removed ${from}: not a resource address without instance key`);
    else if (!providerSchema[from.split('.')[0]!]) problems.push(`removed ${from}: resource type not in the provider schema file`);
    if (destroy !== false) problems.push(`removed ${from}: lifecycle destroy is ${JSON.stringify(destroy)}, not false: Terraform would destroy it`);
  }
  const froms = removed.map((r) => r.from);
  for (const a of froms.filter((a, i) => froms.indexOf(a) !== i)) problems.push(`removed ${a} twice`);
  return problems;
}

/** Every `aws_x.name` and `data.aws_x.name` reference in an expression names a resource or data source of the configuration, and an attribute it has. */
export function danglingReferences(resources: Resources, docs: Record<string, Record<string, any>>): string[] {
  const problems: string[] = [];
  // A moved or removed block's `from` names the address in an earlier state, which the configuration no longer declares.
  const text = JSON.stringify(Object.fromEntries(Object.entries(docs).map(([file, doc]) => [file, Object.assign({}, doc, { moved: undefined, removed: undefined })])));
  // data.<type>.<name> is a data source; var.aws_region and the like are no reference to a resource.
  for (const m of text.matchAll(/(?<![\w.])((?:data\.)?aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([a-z0-9_]+))?/g)) {
    const [, type, name, attribute] = m;
    const key = `${type}.${name}`;
    if (!resources.has(key)) problems.push(`reference to undefined ${key}`);
    const s = providerSchema[type!];
    if (s && attribute !== undefined && !s.readable.includes(attribute) && !(attribute in s.blocks)) problems.push(`${key}.${attribute}: ${type} has no attribute ${attribute}`);
  }
  return [...new Set(problems)];
}

/**
 * Arguments the provider fills from what AWS reports although they are only
 * Optional (not Computed): a configuration that leaves one out plans a change
 * on every run, and applying it never makes the plan clean. Each with the
 * values the provider's validator takes and why AWS reports one unasked.
 */
export const READ_BACK: Record<string, { block: string; argument: string; values: string[]; why: string }[]> = {
  // internal/service/s3/bucket_server_side_encryption_configuration.go (hashicorp/aws 6.22-6.39):
  // blocked_encryption_types is Optional in the rule set, flattenServerSideEncryptionRules sets
  // whatever GetBucketEncryption returns, and S3 returns a value for every bucket (SSE-C blocked
  // by default on new buckets since April 2026); values: the EncryptionType enum (NONE, SSE-C).
  aws_s3_bucket_server_side_encryption_configuration: [{ block: 'rule', argument: 'blocked_encryption_types', values: ['NONE', 'SSE-C'], why: 'S3 reports the blocked encryption types of every bucket' }],
};

/** Every READ_BACK argument is set, to values the provider takes. */
export function readBackProblems(resources: Resources): string[] {
  const problems: string[] = [];
  for (const [key, { type, body }] of resources) {
    for (const { block, argument, values, why } of READ_BACK[type] ?? []) {
      for (const b of ([] as Record<string, unknown>[]).concat(body[block] ?? [])) {
        const value = b[argument];
        if (value === undefined) problems.push(`${key}.${block}: ${argument} is not set, but ${why}: a change on every plan`);
        else if (!Array.isArray(value) || value.some((v) => !values.includes(v as string))) problems.push(`${key}.${block}.${argument}: ${JSON.stringify(value)} is not a list of ${values.join(', ')}`);
      }
    }
  }
  return problems;
}

/**
 * What a bucket's protection is made of: the bucket and the resources whose
 * deletion weakens it (hashicorp/aws, internal/service/s3: the versioning
 * resource's delete suspends versioning, the others call DeleteBucketPolicy,
 * DeletePublicAccessBlock, DeleteBucketOwnershipControls (ACLs back on) and
 * DeleteBucketEncryption (SSE-C no longer refused)).
 */
export const BUCKET_PROTECTION = [
  'aws_s3_bucket',
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_policy',
];

/**
 * Each resource of BUCKET_PROTECTION without one lifecycle block that sets
 * prevent_destroy = true: Terraform would destroy it in `terraform destroy`
 * before DeleteBucket fails on a bucket that holds backups (no force_destroy).
 */
export function destroyableProtection(resources: Resources): string[] {
  const problems: string[] = [];
  for (const [key, { type, body }] of resources) {
    if (!BUCKET_PROTECTION.includes(type)) continue;
    const lifecycle = ([] as Record<string, unknown>[]).concat(body.lifecycle ?? []);
    if (lifecycle.length !== 1) problems.push(`${key}: ${lifecycle.length} lifecycle blocks`);
    else if (lifecycle[0]!.prevent_destroy !== true) problems.push(`${key}: no prevent_destroy, so terraform destroy deletes it before DeleteBucket fails`);
  }
  return problems;
}

/**
 * What makes `terraform destroy` of an IAM user fail: IAM's DeleteUser
 * refuses a user that still has an access key (DeleteConflict), and
 * hashicorp/aws (internal/service/iam/user.go, resourceUserDelete) deletes
 * the keys Terraform does not manage only with force_destroy. A user with no
 * aws_iam_access_key in the module gets its key outside Terraform.
 */
export function undeletableUsers(resources: Resources): string[] {
  const managedKeys = new Set([...resources.values()].filter((r) => r.type === 'aws_iam_access_key').map((r) => String(r.body.user)));
  const problems: string[] = [];
  for (const [key, { type, name, body }] of resources) {
    if (type !== 'aws_iam_user' || managedKeys.has(`\${aws_iam_user.${name}.name}`)) continue;
    if (body.force_destroy !== true) problems.push(`${key}: its access key is made outside Terraform, and without force_destroy DeleteUser fails (DeleteConflict)`);
  }
  return problems;
}
