// Where a build stages its trees: a directory this process creates with
// mkdtemp (mode 0700, so no other user can read or plant anything in it),
// inside a per-user 0700 directory of the system's temporary directory when
// that is on out/'s file system (a killed run then leaves nothing in the
// user's tree), else beside out/. Recovery looks only at staging
// directories that are this user's and private; anything else with a
// similar name is left alone. A staging directory's name holds its maker's
// pid and, where /proc tells them, boot, PID namespace and start time
// (src/io/processes.ts), so that a dead run's is known even where its pid
// names another process now (a run killed in a container). One build at a time writes an output tree:
// it holds a lock file in the same place for as long as it stages and
// updates it. The record of the inputs that made the tree
// (src/io/inputs-record.ts) is kept in the per-user directory.
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { MAKER_TAG, type Maker, ownTag, makerOfTag } from './processes.js';

const PREFIX = '.gen-stage-';

function uid(): number | undefined {
  return process.getuid?.();
}

/** A directory only this user can use: a real directory (not a link), owned by this user, mode 0700. */
export function privateDirectory(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return stat !== undefined && stat.isDirectory() && (uid() === undefined || stat.uid === uid()) && (stat.mode & 0o077) === 0;
}

/**
 * The per-user directory in the system's temporary directory, made on first
 * use; undefined when unusable. `lookOnly` (reading stages: build --check)
 * never makes it: a check writes nothing.
 */
function userTempDir(lookOnly = false): string | undefined {
  const dir = join(tmpdir(), `gen-${uid() ?? 'user'}`);
  if (lookOnly) return privateDirectory(dir) ? dir : undefined;
  try {
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  return privateDirectory(dir) ? dir : undefined;
}

function sameFileSystem(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(b).dev;
  } catch {
    return false;
  }
}

/**
 * The name of an output tree in lock and stage names: of its real place, so
 * that two builds of one tree through a symbolic link in its path take the
 * same lock and see each other's stages.
 */
function nameOf(target: string): string {
  let real = target;
  try {
    real = join(realpathSync(dirname(target)), basename(target));
  } catch {
    // The parent does not exist yet: nothing can point at it.
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 12);
}

/** Staging directories of one output tree start with this (named after its absolute path). */
function prefixOf(target: string): string {
  return `${PREFIX}${nameOf(target)}-`;
}

/** The places where a run may have staged trees of `target`: the per-user directory, then beside it. */
function bases(target: string, lookOnly = false): string[] {
  const parent = dirname(target);
  const user = userTempDir(lookOnly);
  return user && sameFileSystem(user, parent) ? [user, parent] : [parent];
}

/** Makes this run's staging directory (0700, created by this process) for `target`. */
export function createStage(target: string): string {
  const stage = mkdtempSync(join(bases(target)[0]!, `${prefixOf(target)}${ownTag()}-`));
  if (!privateDirectory(stage)) throw new Error(`${stage} is not private after mkdtemp`);
  return stage;
}

/** The lock file of builds of `target`, where its staging directories go. */
export function buildLockOf(target: string): string {
  return join(bases(target)[0]!, `.gen-build-${nameOf(target)}.lock`);
}

/**
 * The record of the inputs that made `target` (src/io/inputs-record.ts):
 * in the per-user directory, whatever file system out/ is on (it is never
 * renamed with the tree), so that it shows up in no one's repository beside
 * out/; undefined where that directory is unusable (every build renders then).
 */
export function inputsRecordOf(target: string): string | undefined {
  const user = userTempDir();
  return user === undefined ? undefined : join(user, `.gen-build-${nameOf(target)}.inputs`);
}

export interface Stage {
  path: string;
  maker: Maker;
}

/** What follows the prefix: its maker, then mkdtemp's six characters. */
const STAGE_NAME = new RegExp(`^(${MAKER_TAG})-[A-Za-z0-9]{6}$`);

/** Staging directories of `target` that this user's runs made (private, this user's), oldest name first; looking creates nothing. */
export function stagesOf(target: string): Stage[] {
  const prefix = prefixOf(target);
  const found: Stage[] = [];
  for (const base of new Set(bases(target, true))) {
    let entries: string[];
    try {
      entries = readdirSync(base);
    } catch {
      continue;
    }
    // The directory is shared by every output tree of this user (and holds what killed runs left): only names of this tree's stages are looked at further.
    for (const entry of entries.filter((name) => name.startsWith(prefix)).sort()) {
      const match = STAGE_NAME.exec(entry.slice(prefix.length));
      if (!match) continue;
      const path = join(base, entry);
      if (privateDirectory(path)) found.push({ path, maker: makerOfTag(match[1]!) });
    }
  }
  return found;
}
