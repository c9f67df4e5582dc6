// Stage 6: write the whole output tree atomically. The tree is written into
// a private staging directory on out/'s file system (src/io/staging.ts),
// then swapped into place with two renames; files of earlier builds that
// are no longer produced disappear with the old tree. gen replaces only a
// directory it can prove it wrote (src/output-tree.ts), never one that
// holds the topology, the secrets directory or a git repository, and it
// carries Terraform's working files (state, .terraform/) into the new tree.
// Layer: emit. Imports only its own layer and the shared leaves: it writes
// any tree of files.
//
// Crash points (a kill at each leaves a consistent state, test/hardening/kill.test.ts):
//   emit:staged       the new tree is complete in the staging directory; out/ untouched
//   emit:carried      Terraform's files are linked into the new tree too; out/ untouched
//   emit:moved-aside  out/ is inside the staging directory as old/; the next run puts it back
//   emit:swapped      the new out/ is in place; the staging directory still holds the old tree
// Recovery (at the start of the next build) puts a moved-aside out/ back
// when out/ is missing and the tree matches its MANIFEST, and removes the
// staging directories of dead runs.
import { accessSync, chmodSync, constants, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { crashPoint } from './io/crash-points.js';
import { ReportedError, UsageError, isSystemError, reasonOf } from './io/errors.js';
import { processAlive } from './io/processes.js';
import { realPath, within } from './io/real-paths.js';
import { createStage, stagesOf } from './io/staging.js';
import { MANIFEST, manifest } from './manifest.js';
import { NotOwnedError, ownedTree, terraformDirs, workingEntryOf } from './output-tree.js';
import { staleFiles } from './stale.js';
import { isTerraformStateEntry } from './targets/terraform/working-files.js';

export { MANIFEST, manifest };

export class EmitError extends ReportedError {}

function checkRelativePath(path: string): void {
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..') || path.includes('\\') || path.includes('\0')) {
    throw new EmitError(`refusing to write "${path}": not a plain relative path`);
  }
}

export interface EmitOptions {
  /** Files and directories that must never be inside the replaced tree (the topology, the secrets directory). */
  protect?: readonly { path: string; what: string }[];
}

/** Refuses an output directory that would take the topology, the secrets or a repository with it. */
function checkProtected(target: string, outDir: string, options: EmitOptions): void {
  const real = realPath(target);
  for (const { path, what } of options.protect ?? []) {
    if (within(realPath(path), real) || within(resolvePath(path), target)) {
      throw new UsageError(`refusing to write to ${outDir}: it holds ${what} ${path}, and gen replaces the whole output directory. Choose a directory of its own, such as out`);
    }
  }
}

/**
 * Puts back an out/ that a killed run left moved aside, and removes the
 * staging directories of dead runs. Returns the moved-aside trees it left
 * where they are (one that no longer matches its MANIFEST, or one of a
 * process that still runs), so that no build writes a new out/ while the
 * previous one, with Terraform's state, sits elsewhere.
 */
export function recover(outDir: string, warn: (message: string) => void = () => {}): string[] {
  const target = resolvePath(outDir);
  const left: string[] = [];
  for (const stage of stagesOf(target)) {
    const old = join(stage.path, 'old');
    if (stage.pid !== process.pid && processAlive(stage.pid)) {
      if (existsSync(old) && !existsSync(target)) left.push(`${old} (process ${stage.pid} still runs: a build in its swap, or a process that reuses the pid of a killed one)`);
      continue;
    }
    if (existsSync(old)) {
      if (!existsSync(target)) {
        try {
          ownedTree(old, { verify: true });
        } catch (error) {
          if (!(error instanceof NotOwnedError)) throw error;
          left.push(`${old} (moved aside by a build that was killed, but ${error.reason})`);
          continue;
        }
        renameSync(old, target);
      } else if (workingEntriesMissing(old, target).length > 0) {
        warn(`${old} holds Terraform files (${workingEntriesMissing(old, target).join(', ')}) that ${outDir} lacks; gen left it there: move them back yourself`);
        continue;
      }
    }
    rmSync(stage.path, { recursive: true, force: true });
  }
  return left;
}

/** Terraform entries of a moved-aside tree that the current tree does not have. */
function workingEntriesMissing(old: string, target: string): string[] {
  let working: string[];
  try {
    working = ownedTree(old).working;
  } catch {
    return [];
  }
  return working.filter((entry) => !existsSync(join(target, entry)));
}

/** Links (or, where the file system cannot, copies) a Terraform entry into the new tree. */
function carry(from: string, to: string): void {
  const stat = lstatSync(from);
  if (stat.isSymbolicLink()) {
    symlinkSync(readlinkSync(from), to);
  } else if (stat.isDirectory()) {
    mkdirSync(to);
    chmodSync(to, stat.mode & 0o7777);
    for (const entry of readdirSync(from)) carry(join(from, entry), join(to, entry));
  } else if (stat.isFile()) {
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
      chmodSync(to, stat.mode & 0o7777);
    }
  }
}

/** Writes every file under `root` with directories 0755 and files 0644, whatever the umask. */
function writeTree(root: string, all: ReadonlyMap<string, string>): void {
  const fileMode = 0o644;
  const needsChmod = (process.umask() & fileMode) !== 0;
  mkdirSync(root);
  chmodSync(root, 0o755);
  const made = new Set<string>([root]);
  const makeDir = (dir: string): void => {
    if (made.has(dir)) return;
    makeDir(dirname(dir));
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    made.add(dir);
  };
  for (const path of [...all.keys()].sort()) {
    const file = join(root, path);
    makeDir(dirname(file));
    writeFileSync(file, all.get(path)!, { mode: fileMode, flag: 'wx' });
    if (needsChmod) chmodSync(file, fileMode);
  }
}

/**
 * Writes the tree; false when out/ already held exactly these files. A
 * failure of the file system (no space, no permission, read-only) is one
 * sentence about out/, whatever staging path it happened on.
 */
export function emitTree(outDir: string, files: ReadonlyMap<string, string>, options: EmitOptions = {}): boolean {
  try {
    return emit(outDir, files, options);
  } catch (error) {
    if (isSystemError(error)) throw new ReportedError(`cannot write ${outDir}: ${reasonOf(error)}`);
    throw error;
  }
}

function emit(outDir: string, files: ReadonlyMap<string, string>, options: EmitOptions): boolean {
  const target = resolvePath(outDir);
  const tfDirs = terraformDirs(files.keys());
  for (const [path, content] of files) {
    checkRelativePath(path);
    if (!content.endsWith('\n') || content.includes('\r\n')) throw new EmitError(`internal: ${path} must use LF line ends and end with a newline`);
    if (workingEntryOf(path, tfDirs) !== undefined) throw new EmitError(`internal: a target wrote ${path}, a name Terraform keeps for itself`);
  }
  if (files.has(MANIFEST)) throw new EmitError(`internal: a target wrote ${MANIFEST}`);
  checkProtected(target, outDir, options);
  makeParents(dirname(target));
  // Fail before any work when out/ cannot be replaced at all.
  accessSync(dirname(target), constants.W_OK);
  let left = recover(outDir, (message) => process.stderr.write(`gen: ${message}\n`));
  // A build of another process may be between its two renames: give it a moment.
  for (let waited = 0; left.length > 0 && !existsSync(target) && waited < 20; waited++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    left = recover(outDir);
  }
  if (left.length > 0 && !existsSync(target)) {
    throw new EmitError(`${outDir} is missing, and the previous one is still at ${left[0]}: check it, move it back to ${outDir}, then build again`);
  }

  let working: string[] = [];
  const exists = lstatSync(target, { throwIfNoEntry: false });
  if (exists) {
    if (!exists.isDirectory()) throw new UsageError(`refusing to replace ${outDir}: it is not a directory${exists.isSymbolicLink() ? ' (a symbolic link)' : ''}`);
    try {
      working = ownedTree(target).working;
    } catch (error) {
      if (error instanceof NotOwnedError) throw new UsageError(new NotOwnedError(outDir, error.reason).message);
      throw error;
    }
    // Nothing changed: leave the tree (and its timestamps) as it is.
    if (staleFiles(target, files).length === 0) return false;
    // Terraform's files can only be carried into a directory where the new tree has .tf files.
    const stranded = working.filter((entry) => !tfDirs.has(entry.includes('/') ? entry.slice(0, entry.lastIndexOf('/')) : ''));
    if (stranded.length > 0) {
      const entry = stranded[0]!;
      const name = entry.slice(entry.lastIndexOf('/') + 1);
      throw new EmitError(
        `refusing to replace ${outDir}: it holds ${entry}, Terraform's ${isTerraformStateEntry(name) ? 'state' : 'file'}, and the topology no longer writes Terraform files beside it. ` +
          `${isTerraformStateEntry(name) ? 'Destroy those resources (terraform destroy) or move the state elsewhere' : 'Move it elsewhere'}, then build again`,
      );
    }
  }

  const stage = createStage(target);
  const fresh = join(stage, 'new');
  try {
    const all = new Map(files);
    all.set(MANIFEST, manifest(files));
    writeTree(fresh, all);
    crashPoint('emit:staged');
    for (const entry of working) carry(join(target, entry), join(fresh, entry));
    crashPoint('emit:carried');
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    throw error;
  }
  if (exists) {
    renameSync(target, join(stage, 'old'));
    crashPoint('emit:moved-aside');
    renameSync(fresh, target);
    crashPoint('emit:swapped');
  } else {
    renameSync(fresh, target);
  }
  rmSync(stage, { recursive: true, force: true });
  return true;
}

/** Creates the missing directories above out/ with mode 0755. */
function makeParents(dir: string): void {
  if (existsSync(dir)) return;
  makeParents(dirname(dir));
  mkdirSync(dir);
  chmodSync(dir, 0o755);
}

/** For `gen build --check`: where a killed run left out/ moved aside, without touching anything. */
export function movedAside(outDir: string): string | undefined {
  const target = resolvePath(outDir);
  if (existsSync(target)) return undefined;
  const stage = stagesOf(target).find((s) => existsSync(join(s.path, 'old')) && !(s.pid !== process.pid && processAlive(s.pid)));
  return stage ? relative(process.cwd(), join(stage.path, 'old')) || '.' : undefined;
}
