// Shared by the kill tests: a directory whose out/ was built from the
// homelab topology (with Terraform state in it), the trees a build of the
// previous and of the next topology must leave, and how to compare them.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { emitTree, manifest } from '../../src/emit.js';
import { stagesOf } from '../../src/io/staging.js';
import { readExample, render, root, readTree as tree } from '../helpers.js';
import { tempDir } from '../temp-dirs.js';

export const bin = join(root, 'bin/gen.js');

export const previous = readExample('homelab');
// One peer renamed and readdressed: files change, two disappear, two are new.
export const next = previous.replace('address: 10.0.1.3\n', 'address: 10.0.1.4\n').replace('- name: laptop-john\n', '- name: laptop-jane\n');
export const STATE = '{"version": 4, "serial": 12}\n';

export function gen(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
}

export type Tree = Map<string, string>;

/** A rendered tree as readTree reads it from disk (latin1), with its MANIFEST. */
function asRead(files: ReadonlyMap<string, string>): Tree {
  return new Map([...files, ['MANIFEST', manifest(files)] as const].map(([path, content]) => [path, Buffer.from(content, 'utf8').toString('latin1')]));
}

const rendered = { previous: await render(previous), next: await render(next) };
export const previousFiles = rendered.previous;
/** The crash point right after the update has taken plan.json, a text a build writes in parts, which the next topology changes. */
export const afterPlanInParts = `emit:staging:${[...rendered.next.keys()].indexOf('plan.json')}`;
export const want = { previous: asRead(rendered.previous), next: asRead(rendered.next) };

/** A directory with out/ built from `previous` and Terraform state in it; the topology file is `next`. */
export function setup(): string {
  const dir = tempDir('gen-kill-');
  cpSync(join(root, 'schema'), join(dir, 'schema'), { recursive: true });
  expect(same(want.previous, want.next)).toBe(false);
  expect([...want.next.keys()].filter((path) => !want.previous.has(path))).toHaveLength(2);
  emitTree(join(dir, 'out'), rendered.previous);
  writeFileSync(join(dir, 'out/aws/terraform/terraform.tfstate'), STATE);
  writeFileSync(join(dir, 'topology.yaml'), next);
  return dir;
}

/** The tree without Terraform's state, which the expected trees lack. */
export function generated(path: string): Tree {
  const found = tree(path);
  found.delete('aws/terraform/terraform.tfstate');
  return found;
}

export function same(a: Tree, b: Tree): boolean {
  return a.size === b.size && [...a].every(([path, content]) => b.get(path) === content);
}

/** Every file is one of the previous tree or one of the new tree (a tree in the middle of an update). */
export function eachFileOfEither(found: Tree): boolean {
  for (const [path, content] of found) if (want.previous.get(path) !== content && want.next.get(path) !== content) return false;
  for (const path of new Set([...want.previous.keys(), ...want.next.keys()])) {
    if (!found.has(path) && want.previous.get(path) === want.next.get(path)) return false;
  }
  return true;
}

/** The staging directory of a committed update that a killed build left, if any. */
export function committed(out: string): string | undefined {
  return stagesOf(out).find((s) => existsSync(join(s.path, 'apply')))?.path;
}
