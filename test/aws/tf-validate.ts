// Checks generated Terraform with HashiCorp's own HCL code (hcl2json for
// parsing, hclwrite via hcl-tools for `terraform fmt`) and the argument names
// of hashicorp/aws 6.25.0 (fixtures/aws-provider-6.25.0-schema.json,
// extracted from @cdktf/provider-aws 21.22.1, which is generated from that
// provider's schema).
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
}
export const providerSchema: Record<string, ResourceSchema> = JSON.parse(readFileSync(join(root, 'test/aws/fixtures/aws-provider-6.25.0-schema.json'), 'utf8'));

const META = new Set(['count', 'for_each', 'provider', 'depends_on', 'lifecycle']);

/** Resource types that take `tags` in the provider schema. */
export const taggable = (type: string): boolean => providerSchema[type]?.attributes.includes('tags') ?? false;

export type Resources = Map<string, { type: string; name: string; file: string; body: Record<string, any> }>;

/** Parses every .tf file (throws on syntax errors) and indexes resources by "type.name". */
export async function parseTerraform(files: Map<string, string>): Promise<{ resources: Resources; docs: Record<string, Record<string, any>>; problems: string[] }> {
  const resources: Resources = new Map();
  const docs: Record<string, Record<string, any>> = {};
  const problems: string[] = [];
  for (const [path, text] of files) {
    if (!path.startsWith('aws/terraform/') || !path.endsWith('.tf')) continue;
    const doc = await parse(path, text);
    docs[path.slice('aws/terraform/'.length)] = doc;
    for (const [type, byName] of Object.entries<Record<string, any[]>>(doc.resource ?? {})) {
      for (const [name, bodies] of Object.entries(byName)) {
        const key = `${type}.${name}`;
        if (bodies.length > 1 || resources.has(key)) problems.push(`${path}: duplicate resource ${key}`);
        resources.set(key, { type, name, file: path, body: bodies[0] });
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

/** Argument names and required arguments against the provider schema, nested blocks included. */
export function schemaProblems(resources: Resources): string[] {
  const problems: string[] = [];
  for (const [key, { type, body }] of resources) {
    const s = providerSchema[type];
    if (!s) {
      problems.push(`${key}: resource type not in the provider schema file`);
      continue;
    }
    for (const [arg, value] of Object.entries(body)) {
      if (META.has(arg)) continue;
      if (arg in s.blocks) checkBlock(s.blocks, arg, value, key, problems);
      else if (!s.attributes.includes(arg)) problems.push(`${key}: unsupported argument "${arg}"`);
    }
    for (const r of s.required) if (!(r in body)) problems.push(`${key}: missing required argument "${r}"`);
  }
  return problems;
}

/** Every `aws_x.name` reference in an expression names a resource of the configuration. */
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

export function danglingReferences(resources: Resources, docs: Record<string, Record<string, any>>): string[] {
  const problems: string[] = [];
  // A moved block's `from` names the address in an earlier state, which the configuration no longer declares.
  const text = JSON.stringify(Object.fromEntries(Object.entries(docs).map(([file, doc]) => [file, Object.assign({}, doc, { moved: undefined })])));
  for (const m of text.matchAll(/\b(aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)/g)) {
    const key = `${m[1]}.${m[2]}`;
    if (!resources.has(key)) problems.push(`reference to undefined ${key}`);
  }
  return [...new Set(problems)];
}
