// `gen build --check`: compare the tree a build would write with what is on
// disk, without writing anything (like `prettier --check`).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST, manifest } from './manifest.js';

export interface Difference {
  path: string;
  status: 'changed' | 'missing' | 'extra';
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    const relative = prefix ? `${prefix}/${entry}` : entry;
    return statSync(path).isDirectory() ? listFiles(path, relative) : [relative];
  });
}

export function staleFiles(outDir: string, files: ReadonlyMap<string, string>): Difference[] {
  const expected = new Map(files);
  expected.set(MANIFEST, manifest(files));
  const onDisk = new Set(listFiles(outDir));
  const differences: Difference[] = [];
  for (const [path, content] of expected) {
    if (!onDisk.has(path)) differences.push({ path, status: 'missing' });
    else if (readFileSync(join(outDir, path), 'utf8') !== content) differences.push({ path, status: 'changed' });
  }
  for (const path of onDisk) if (!expected.has(path)) differences.push({ path, status: 'extra' });
  return differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
