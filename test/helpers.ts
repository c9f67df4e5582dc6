// Shared test helpers: lint and render topologies given as YAML text or
// files, without touching out/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../src/diagnostics.js';
import type { Model } from '../src/model.js';
import { lintText } from '../src/pipeline.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every TypeScript file below `dir` (src/ by default), as absolute paths: for the checks that read gen's source. */
export function sourceFiles(dir = join(root, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

export const EXAMPLES = {
  homelab: 'topology.yaml',
  'vlan-hosting': 'examples/vlan-hosting.yaml',
  'aws-vpc': 'examples/aws-vpc.yaml',
  'homelab-family': 'examples/homelab-family.yaml',
} as const;

export function readExample(name: keyof typeof EXAMPLES): string {
  return readFileSync(join(root, EXAMPLES[name]), 'utf8');
}

export async function lint(text: string, file = 'topology.yaml'): Promise<Diagnostic[]> {
  return (await lintText(text, file)).diagnostics;
}

/** Resolves a topology that must be free of errors (but those of the `allowed` rules), and returns its model. */
export async function modelOf(text: string, allowed: readonly string[] = []): Promise<Model> {
  const { diagnostics, model } = await lintText(text);
  const errors = diagnostics.filter((d) => d.severity === 'error' && !allowed.includes(d.rule));
  if (errors.length || !model) throw new Error(`unexpected errors:\n${errors.map((d) => `${d.location.line}:${d.location.col} ${d.rule} ${d.message}`).join('\n')}`);
  return model;
}

/** Renders a topology that must be free of errors; returns path → content. */
export async function render(text: string): Promise<Map<string, string>> {
  const { renderAll } = await import('../src/render/index.js');
  return renderAll(await modelOf(text));
}

/**
 * Edits a topology's YAML at `path` (keeps the rest intact): `value`
 * undefined deletes the node.
 */
export function edit(text: string, path: readonly (string | number)[], value: unknown): string {
  const doc = parseDocument(text);
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, doc.createNode(value));
  return doc.toString();
}

/**
 * Gives every peer of every site a short tunnel name (p0, p1, …): with two
 * WireGuard instances, client files carry the instance's name, and the
 * example's peer names would make them longer than wg-quick takes.
 */
export function shortTunnelNames(text: string): string {
  const doc = parseDocument(text);
  const sites = (doc.toJS() as { sites?: { wireguard?: { peers?: unknown[] }[] }[] }).sites ?? [];
  let n = 0;
  sites.forEach((site, s) =>
    (site.wireguard ?? []).forEach((instance, i) => (instance.peers ?? []).forEach((_, p) => doc.setIn(['sites', s, 'wireguard', i, 'peers', p, 'tunnel_name'], `p${n++}`))),
  );
  return doc.toString();
}

export function rulesOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => d.rule);
}

/** Every file under `dir`, by relative path, with its bytes (as latin1 text). */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'latin1'));
    }
  };
  walk(dir);
  return files;
}

/** The 1-based line where `needle` occurs in `text`: its `nth` occurrence (0 = first), searching from `after`. */
export function lineOfText(text: string, needle: string, options: { nth?: number; after?: string } = {}): number {
  let index = text.indexOf(needle, options.after ? Math.max(0, text.indexOf(options.after)) : 0);
  for (let i = 0; i < (options.nth ?? 0) && index >= 0; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`"${needle}" is not in the topology`);
  return text.slice(0, index).split('\n').length;
}

/** Runs `action` and counts the calls it makes of the named Array methods (an operation count, not a time). */
export function countArrayCalls<T>(names: readonly (string | symbol)[], action: () => T): { result: T; calls: number } {
  return countMethodCalls(Array.prototype, names, action);
}

/** Runs `action` and counts the calls it makes of the named methods of `target` (a prototype, such as RegExp.prototype). */
export function countMethodCalls<T>(target: object, names: readonly (string | symbol)[], action: () => T): { result: T; calls: number } {
  let calls = 0;
  const proto = target as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
  const saved = names.map((name) => [name, proto[name]!] as const);
  for (const [name, original] of saved) {
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      calls++;
      return original.apply(this, args);
    };
  }
  try {
    return { result: action(), calls };
  } finally {
    for (const [name, original] of saved) proto[name] = original;
  }
}

/**
 * The heap in use once the job that called it has ended and the collector
 * has run: weighs what a structure holds. The test process runs without
 * --expose-gc; the flag goes back at once (a changed V8 flag stays for the
 * rest of the worker's files, and V8 then refuses code caches made without it).
 */
export async function collectedHeap(): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  // A weak reference holds its target until the job that made it ends.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  let heap = process.memoryUsage().heapUsed;
  // Garbage sometimes outlives a collection (a text of 16 MB, dead already, went at the next one, with nothing run
  // in between), on a busy machine more often: collected again until a collection frees next to nothing.
  for (let round = 0; round < 5; round++) {
    gc();
    const next = process.memoryUsage().heapUsed;
    if (heap - next < 1 << 16) return next;
    heap = next;
  }
  return heap;
}
