// Replacing a file so that a reader (or a kill at any instant) sees the old
// content or the new one, never a mix: the content goes to a temporary file
// in the same directory, is flushed to disk, and is renamed over the file.
// writeFileAtomic writes through a symbolic link (the topology a gen wg
// command edits may be one: its target is replaced, the link stays);
// writeCheckedFile and stageWrite never do: they replace only what the
// caller allows, a regular file at that very path. Temporary files of
// killed runs are recognised by their name and the dead process in it (its
// pid and, where /proc tells them, boot, PID namespace and start time:
// src/io/processes.ts), and removed by the next write of that file.
import { randomBytes } from 'node:crypto';
import { type Stats, closeSync, fchmodSync, fchownSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crashPoint } from './crash-points.js';
import { ReportedError, UsageError, isSystemError, reasonOf } from './errors.js';
import { MAKER_TAG, type Maker, ownTag, makerOfTag, makerRuns } from './processes.js';

/** A file that could not be written; names the file, not its temporary name. */
export class WriteError extends ReportedError {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The file a write to `path` must replace: the target of a symbolic link, else the path itself. */
export function writeTarget(path: string): string {
  try {
    if (lstatSync(path).isSymbolicLink()) return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return path;
}

function tempPrefix(file: string): string {
  return `.${basename(file)}.`;
}

const TEMP_SUFFIX = '.tmp';
const NAME_MAX = 255;

/** A temporary file's name: `.FILE.OWNER-RANDOM.tmp` (OWNER holds no '.', so FILE is all before its last one). */
const TEMP_NAME = new RegExp(`^\\.(.+)\\.(${MAKER_TAG})-[0-9a-f]{12}\\.tmp$`);

/** For the name of a temporary file of a write: the name of the file it replaces and its writer; undefined for any other name. */
export function tempFileOf(name: string): { file: string; writer: Maker } | undefined {
  const match = TEMP_NAME.exec(name);
  return match ? { file: match[1]!, writer: makerOfTag(match[2]!) } : undefined;
}

/** A name for a temporary file of `file`; with the pid alone where the whole owner would make it too long a name. */
function tempName(file: string): string {
  const random = randomBytes(6).toString('hex');
  const name = `${tempPrefix(file)}${ownTag()}-${random}${TEMP_SUFFIX}`;
  return Buffer.byteLength(name) <= NAME_MAX ? name : `${tempPrefix(file)}${process.pid}-${random}${TEMP_SUFFIX}`;
}

/** Removes temporary files that killed writers of `file` left beside it. */
export function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const temp = tempFileOf(entry);
    if (temp?.file !== basename(file) || makerRuns(temp.writer)) continue;
    const path = join(dir, entry);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat?.isFile() && stat.uid === process.getuid?.()) rmSync(path, { force: true });
  }
}

/** Writes all of `bytes` to `fd` (a write may take only part of them). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * A file's content: its text, its bytes, or a function that hands its text
 * over in consecutive parts (a merged config.xml of hundreds of megabytes
 * is never one string).
 */
export type FileContent = string | Uint8Array | ((write: (text: string) => void) => void);

/** Who should own a file gen writes in place of another: its owner, kept where the system lets gen (root may; others may keep a group they are in). */
export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Writes `content` to `path` atomically with exactly `mode` (whatever the
 * umask), through a symbolic link; returns the file actually written.
 * With `owner`, the file keeps that owner where the system allows it.
 */
export function writeFileAtomic(path: string, content: FileContent, mode: number, owner?: Owner): string {
  let file = path;
  try {
    file = writeTarget(path);
  } catch (error) {
    throw writeError(path, error);
  }
  const staged = stage(path, file, content, mode, owner);
  commitStaged(path, file, staged, () => renameSync(staged, file));
  return file;
}

/**
 * Writes a file whose path a command checked first (-o: checkOutputPath),
 * without following a symbolic link that appeared at it since: between the
 * check and the write a command can wait for the topology's lock or for a
 * long merge, and a link planted then would send the write to its target
 * (a private key, any file). Without `replace` the file is created only
 * if nothing is there (a hard link of the finished temporary file, which
 * fails on any existing name); with it, only a regular file is replaced.
 * Anything else found there is refused; a link made in the instant between
 * that look and the rename is replaced itself, its target never written.
 */
export function writeCheckedFile(file: string, content: FileContent, mode: number, replace: boolean, shown = file): string {
  stageWrite(file, content, mode, replace ? 'a regular file' : 'nothing', undefined, shown).commit();
  return file;
}

/**
 * What a staged write may replace at its path: `nothing` (it only creates
 * the file), `a regular file` (whichever is there, as with --force), or the
 * very file a command read (its status then: same inode, size and change
 * time), so that a change made since, or a link put in its place, is refused
 * instead of lost or written through.
 */
export type Replaces = 'nothing' | 'a regular file' | Stats;

/** A file written to a temporary file beside its path, flushed, waiting to be put in place. */
export interface StagedWrite {
  readonly path: string;
  /** Puts the file in place, or refuses (UsageError) what it may not replace; the temporary file is gone either way. */
  commit(): void;
  /** Removes the temporary file; the path stays as it was. */
  discard(): void;
}

/**
 * Writes `content` beside `file` (mode exactly `mode`; `owner` where the
 * system allows it) without touching `file` itself: a command that writes
 * several files stages them all, so that a full disk or a refused
 * directory leaves none of them changed, then commits them. Messages name
 * the file as `shown` (the -o path as given, where `file` is its real path).
 */
export function stageWrite(file: string, content: FileContent, mode: number, replaces: Replaces, owner?: Owner, shown = file): StagedWrite {
  let tmp: string | undefined = stage(shown, file, content, mode, owner);
  const discard = (): void => {
    if (tmp !== undefined) rmSync(tmp, { force: true });
    tmp = undefined;
  };
  return {
    path: file,
    discard,
    commit: () => {
      const staged = tmp;
      if (staged === undefined) throw new Error(`${file} was committed or discarded already`);
      tmp = undefined;
      commitStaged(shown, file, staged, () => {
        if (replaces === 'nothing' && createExclusive(staged, file)) return;
        const now = lstatSync(file, { throwIfNoEntry: false });
        const refusal = now && refusalOf(now, replaces);
        if (refusal) throw new UsageError(`refusing to write ${shown}: ${refusal} while gen was working; nothing was written`);
        renameSync(staged, file);
      });
    },
  };
}

/** Why `now`, found at the path, may not be replaced; undefined when it may. */
function refusalOf(now: Stats, replaces: Replaces): string | undefined {
  const appeared = `${now.isFile() ? 'a file' : now.isSymbolicLink() ? 'a symbolic link' : 'something that is not a regular file'} appeared there`;
  if (replaces === 'nothing') return appeared;
  if (!now.isFile()) return appeared;
  if (replaces === 'a regular file') return undefined;
  const same = now.dev === replaces.dev && now.ino === replaces.ino && now.size === replaces.size && now.mtimeMs === replaces.mtimeMs && now.ctimeMs === replaces.ctimeMs;
  return same ? undefined : 'it changed (or was replaced)';
}

/** Links `tmp` as `file` if no such name exists; false where the file system has no hard links (then the caller checks and renames). */
function createExclusive(tmp: string, file: string): boolean {
  try {
    linkSync(tmp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return false;
    if (code === 'EEXIST') return false;
    throw error;
  }
  rmSync(tmp, { force: true });
  return true;
}

function writeError(path: string, error: unknown): unknown {
  return isSystemError(error) ? new WriteError(path, error.code ?? 'EIO', `cannot write ${path}: ${reasonOf(error)}`) : error;
}

/** The flushed temporary file for `file` (named `path` in messages); nothing is left behind when it fails. */
function stage(path: string, file: string, content: FileContent, mode: number, owner: Owner | undefined): string {
  let tmp: string | undefined;
  try {
    removeStaleTemps(file);
    tmp = join(dirname(file), tempName(file));
    // O_EXCL: never write through something planted under the temporary name.
    const fd = openSync(tmp, 'wx', mode);
    try {
      if (owner) keepOwner(fd, owner);
      // After the owner: changing it clears the set-id bits.
      fchmodSync(fd, mode);
      if (typeof content === 'function') content((text) => writeAll(fd, Buffer.from(text, 'utf8')));
      else writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return tmp;
  } catch (error) {
    if (tmp !== undefined) rmSync(tmp, { force: true });
    throw writeError(path, error);
  }
}

/** Gives the file at `fd` the owner `owner`, or at least its group; where the system allows neither, it stays the caller's. */
function keepOwner(fd: number, owner: Owner): void {
  if (owner.uid === process.getuid?.() && owner.gid === process.getgid?.()) return;
  for (const [uid, gid] of [
    [owner.uid, owner.gid],
    [-1, owner.gid],
  ] as const) {
    try {
      fchownSync(fd, uid, gid);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EINVAL') throw error;
    }
  }
}

/** Puts the file staged as `tmp` in place of `file` (named `path` in messages) with `commit`; removes it when that fails, then makes the rename durable. */
function commitStaged(path: string, file: string, tmp: string, commit: () => void): void {
  try {
    crashPoint(`before-rename:${basename(file)}`);
    commit();
  } catch (error) {
    rmSync(tmp, { force: true });
    throw writeError(path, error);
  }
  syncDirectory(dirname(file));
}

/** Makes a rename in `dir` durable; file systems that cannot sync a directory are left as they are. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // e.g. EISDIR/EINVAL on some file systems: the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
