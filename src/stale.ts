// `gen build --check`: compare the tree a build would write with what is on
// disk, without writing anything (like `prettier --check`). A file differs
// as `gen build` sees it (src/emit.ts, `unchanged`): by its bytes, the UTF-8
// that a build writes, and by its mode (0644); the two never disagree about
// a tree. Terraform's own files in a directory of .tf files (state,
// .terraform/) are the user's and never count as a difference.
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_FILE_MODE, manifest, outputModeKept } from './manifest.js';
import { MANIFEST } from './paths.js';
import { terraformDirs, walk, workingEntryOf } from './output-tree.js';

export interface Difference {
  path: string;
  status: 'changed' | 'missing' | 'extra';
  /** The file's mode, when only its mode differs (gen writes OUTPUT_FILE_MODE). */
  mode?: number;
}

/** How a difference reads after its path: ` (mode 0600, not 0644)` when only the mode differs. */
export function differenceDetail(difference: Difference): string {
  const octal = (mode: number) => mode.toString(8).padStart(4, '0');
  return difference.mode === undefined ? '' : ` (mode ${octal(difference.mode)}, not ${octal(OUTPUT_FILE_MODE)})`;
}

/** The files (and anything else that is not a directory) below `dir`; none when it is missing. */
function listFiles(dir: string, skip: (relative: string) => boolean): string[] {
  if (lstatSync(dir, { throwIfNoEntry: false }) === undefined) return [];
  const files: string[] = [];
  walk(dir, (relative, kind) => {
    if (skip(relative)) return 'skip';
    if (kind !== 'dir') files.push(relative);
  });
  return files;
}

export function staleFiles(outDir: string, files: ReadonlyMap<string, string>): Difference[] {
  const expected = new Map(files);
  expected.set(MANIFEST, manifest(files));
  const tfDirs = terraformDirs(files.keys());
  const onDisk = new Set(listFiles(outDir, (relative) => workingEntryOf(relative, tfDirs) !== undefined));
  const differences: Difference[] = [];
  for (const [path, content] of expected) {
    if (!onDisk.has(path)) {
      differences.push({ path, status: 'missing' });
      continue;
    }
    const file = join(outDir, path);
    const stat = lstatSync(file);
    const bytes = Buffer.from(content, 'utf8');
    if (!stat.isFile() || stat.size !== bytes.length || !readFileSync(file).equals(bytes)) differences.push({ path, status: 'changed' });
    else if (!outputModeKept(stat.mode)) differences.push({ path, status: 'changed', mode: stat.mode & 0o7777 });
  }
  for (const path of onDisk) if (!expected.has(path)) differences.push({ path, status: 'extra' });
  return differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
