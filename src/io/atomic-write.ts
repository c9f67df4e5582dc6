// Replacing a file so that a reader (or a kill at any instant) sees the old
// content or the new one, never a mix: the content goes to a temporary file
// in the same directory, is flushed to disk, and is renamed over the file.
// A symbolic link is written through: its target is replaced, the link
// stays. Temporary files of killed runs are recognised by their name and
// the dead process id in it, and removed by the next write of that file.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crashPoint } from './crash-points.js';
import { ReportedError, UsageError, isSystemError, reasonOf } from './errors.js';
import { processAlive } from './processes.js';

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

/** Removes temporary files that killed writers of `file` left beside it. */
export function removeStaleTemps(file: string): void {
  const dir = dirname(file);
  const prefix = tempPrefix(file);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith(TEMP_SUFFIX)) continue;
    const match = /^(\d+)-[0-9a-f]{12}$/.exec(entry.slice(prefix.length, -TEMP_SUFFIX.length));
    if (!match || processAlive(Number(match[1]))) continue;
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
 * Writes `content` to `path` atomically with exactly `mode` (whatever the
 * umask), through a symbolic link; returns the file actually written.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode: number): string {
  return writeAtomic(path, () => writeTarget(path), content, mode, (tmp, file) => renameSync(tmp, file));
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
export function writeCheckedFile(file: string, content: string | Uint8Array, mode: number, replace: boolean): string {
  return writeAtomic(file, () => file, content, mode, (tmp) => {
    if (!replace && createExclusive(tmp, file)) return;
    const now = lstatSync(file, { throwIfNoEntry: false });
    if (now && (!replace || !now.isFile())) {
      throw new UsageError(`refusing to write ${file}: ${now.isFile() ? 'a file' : now.isSymbolicLink() ? 'a symbolic link' : 'something that is not a regular file'} appeared there while gen was working; nothing was written`);
    }
    renameSync(tmp, file);
  });
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

function writeAtomic(path: string, target: () => string, content: string | Uint8Array, mode: number, commit: (tmp: string, file: string) => void): string {
  let file = path;
  let tmp: string | undefined;
  try {
    file = target();
    removeStaleTemps(file);
    tmp = join(dirname(file), `${tempPrefix(file)}${process.pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    // O_EXCL: never write through something planted under the temporary name.
    const fd = openSync(tmp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    crashPoint(`before-rename:${basename(file)}`);
    commit(tmp, file);
  } catch (error) {
    if (tmp !== undefined) rmSync(tmp, { force: true });
    if (isSystemError(error)) throw new WriteError(path, error.code ?? 'EIO', `cannot write ${path}: ${reasonOf(error)}`);
    throw error;
  }
  syncDirectory(dirname(file));
  return file;
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
