// `gen build --check`: compare the tree a build would write with what is on
// disk, without writing anything (like `prettier --check`). Terraform's own
// files in a directory of .tf files (state, .terraform/) are the user's and
// never count as a difference.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST, manifest } from './manifest.js';
import { terraformDirs, workingEntryOf } from './output-tree.js';

export interface Difference {
  path: string;
  status: 'changed' | 'missing' | 'extra';
}

function listFiles(dir: string, skip: (relative: string) => boolean, prefix = ''): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    const relative = prefix ? `${prefix}/${entry}` : entry;
    if (skip(relative)) return [];
    return lstatSync(path).isDirectory() ? listFiles(path, skip, relative) : [relative];
  });
}

export function staleFiles(outDir: string, files: ReadonlyMap<string, string>): Difference[] {
  const expected = new Map(files);
  expected.set(MANIFEST, manifest(files));
  const tfDirs = terraformDirs(files.keys());
  const onDisk = new Set(listFiles(outDir, (relative) => workingEntryOf(relative, tfDirs) !== undefined));
  const differences: Difference[] = [];
  for (const [path, content] of expected) {
    if (!onDisk.has(path)) differences.push({ path, status: 'missing' });
    else if (!lstatSync(join(outDir, path)).isFile() || readFileSync(join(outDir, path), 'utf8') !== content) differences.push({ path, status: 'changed' });
  }
  for (const path of onDisk) if (!expected.has(path)) differences.push({ path, status: 'extra' });
  return differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
