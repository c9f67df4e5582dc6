// Stage 6: write the whole output tree atomically. The tree is written into
// a staging directory on the same file system, then swapped into place with
// two renames; a run that dies between them is repaired by the next run.
// Files of earlier builds that are no longer produced disappear with the old
// tree.
// Layer: emit. Imports only its own layer and the shared leaves: it writes
// any tree of files.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { MANIFEST, manifest } from './manifest.js';
import { staleFiles } from './stale.js';

export { MANIFEST, manifest };

export class EmitError extends Error {}

function checkRelativePath(path: string): void {
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..') || path.includes('\\') || path.includes('\0')) {
    throw new EmitError(`refusing to write "${path}": not a plain relative path`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Where a build stages its trees: the system's temporary directory when it
 * is on the same file system as out/ (renames stay atomic, and a killed run
 * leaves nothing in the user's tree), else the directory that holds out/.
 */
function stagingDir(parent: string): string {
  const tmp = tmpdir();
  try {
    if (statSync(tmp).dev === statSync(parent).dev) return tmp;
  } catch {
    // an unreadable temporary directory: stage beside out/
  }
  return parent;
}

/** Staged trees are named after the out/ they belong to, so recovery finds only its own. */
function stagedPrefix(target: string): string {
  return `.gen-${createHash('sha256').update(target).digest('hex').slice(0, 12)}-`;
}

export function stagedName(target: string, kind: 'tmp' | 'old', pid: number): string {
  return `${stagedPrefix(resolvePath(target))}${kind}-${pid}-`;
}

/** Puts back an out/ that a killed run left moved aside, and clears dead runs' staged trees. */
export function recover(outDir: string): void {
  const target = resolvePath(outDir);
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  const prefix = stagedPrefix(target);
  const pattern = new RegExp(`^${escapeRegExp(prefix)}(tmp|old)-(\\d+)-`);
  for (const dir of new Set([stagingDir(parent), parent])) {
    for (const entry of readdirSync(dir).sort()) {
      const match = pattern.exec(entry);
      if (!match) continue;
      const pid = Number(match[2]);
      if (pid !== process.pid && pidAlive(pid)) continue;
      const path = join(dir, entry);
      if (match[1] === 'old' && !existsSync(target)) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Only a directory gen wrote (it has a MANIFEST) or an empty one may be replaced. */
function assertReplaceable(target: string): void {
  const stat = lstatSync(target);
  if (!stat.isDirectory()) throw new EmitError(`refusing to replace ${target}: it is not a directory`);
  const entries = readdirSync(target);
  if (entries.length > 0 && !entries.includes(MANIFEST)) {
    throw new EmitError(`refusing to replace ${target}: it is not empty and has no ${MANIFEST}, so gen did not write it. Choose another --out directory.`);
  }
}

/** Writes the tree; false when out/ already held exactly these files. */
export function emitTree(outDir: string, files: ReadonlyMap<string, string>): boolean {
  const target = resolvePath(outDir);
  const parent = dirname(target);
  for (const [path, content] of files) {
    checkRelativePath(path);
    if (!content.endsWith('\n') || content.includes('\r\n')) throw new EmitError(`internal: ${path} must use LF line ends and end with a newline`);
  }
  if (files.has(MANIFEST)) throw new EmitError(`internal: a target wrote ${MANIFEST}`);
  mkdirSync(parent, { recursive: true });
  recover(outDir);
  if (existsSync(target)) {
    assertReplaceable(target);
    // Nothing changed: leave the tree (and its timestamps) as it is.
    if (staleFiles(target, files).length === 0) return false;
  }

  const staging = stagingDir(parent);
  const tmp = mkdtempSync(join(staging, stagedName(target, 'tmp', process.pid)));
  try {
    // mkdtemp makes the directory 0700; out/ is meant to be read by all.
    chmodSync(tmp, 0o755);
    const all = new Map(files);
    all.set(MANIFEST, manifest(files));
    const made = new Set<string>([tmp]);
    for (const path of [...all.keys()].sort()) {
      const file = join(tmp, path);
      const dir = dirname(file);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(file, all.get(path)!, { mode: 0o644 });
    }
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  if (existsSync(target)) {
    const old = `${join(staging, stagedName(target, 'old', process.pid))}${basename(tmp).slice(-6)}`;
    renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, target);
  }
  return true;
}
