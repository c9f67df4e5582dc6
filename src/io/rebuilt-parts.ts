// A text that a rebuild takes in parts (src/emit.ts writeUpdate): its bytes
// are compared, as they come, with those of the file out/ has, read into
// one buffer that every such file reuses; from the first difference on the
// text is staged: the equal bytes before it are copied from the old file,
// and the rest written as it comes. Neither the text nor its bytes are ever
// held whole (the filter rules of 10,000 peers are 38 MB), and a text equal
// to the old file stages nothing.
import { type Hash, createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { outputModeKept } from '../manifest.js';
import { writeAll } from './atomic-write.js';
import { EmitError } from './tree-files.js';

/** The bytes of an old file read at once: one buffer of this size serves a whole rebuild. */
export const OLD_BYTES_WINDOW = 256 * 1024;

/** An old file open for reading: its size and status change time, as `unchanged` (src/emit.ts) tests them. */
export interface OldFile {
  fd: number;
  size: number;
  ctimeMs: number;
}

/**
 * The file of out/ at `file`, open, when it is one gen may have left as it
 * is: a regular file (never a symbolic link, nor a FIFO that would block
 * the read), readable by all and executable by none.
 */
export function openOld(file: string): OldFile | undefined {
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile() || !outputModeKept(stat.mode)) return undefined;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    // Gone or replaced since the lstat: written anew, as a missing file is.
    return undefined;
  }
  const opened = fstatSync(fd);
  if (opened.ino !== stat.ino || opened.dev !== stat.dev) {
    closeSync(fd);
    return undefined;
  }
  return { fd, size: opened.size, ctimeMs: opened.ctimeMs };
}

export class RebuiltParts {
  /** Bytes taken so far. */
  size = 0;
  /** The staged file, open, once the text differs from the old file. */
  private staged: number | undefined;
  /** The old file's bytes from `start` to `end` are in the buffer. */
  private start = 0;
  private end = 0;

  constructor(
    /** The buffer every old file is read into (OLD_BYTES_WINDOW bytes). */
    private readonly buffer: Buffer,
    /** The file out/ has (openOld), undefined when there is none to compare with. */
    private readonly old: OldFile | undefined,
    /** Creates the staged file, open for writing. */
    private readonly create: () => number,
    /** The file as errors name it. */
    private readonly name: string,
  ) {}

  /** Takes the next bytes of the text; `hashed` holds the sha256 of those before them (a copy of it is taken, never it). */
  take(bytes: Buffer, hashed: Hash): void {
    if (this.staged === undefined) {
      if (this.old !== undefined && this.same(bytes)) {
        this.size += bytes.length;
        return;
      }
      this.stage(hashed.copy().digest('hex'));
    }
    writeAll(this.staged!, bytes);
    this.size += bytes.length;
  }

  /**
   * Once the text has come, `hash` its sha256: true when the old file holds
   * it and `listed` is that hash (nothing staged); otherwise the staged file
   * is complete.
   */
  finish(hash: string, listed: string | undefined): boolean {
    if (this.staged === undefined) {
      if (this.old !== undefined && this.size === this.old.size && hash === listed) return true;
      this.stage(hash);
    }
    return false;
  }

  /** Closes the files (after finish, or after an error). */
  close(): void {
    if (this.old !== undefined) closeSync(this.old.fd);
    if (this.staged !== undefined) closeSync(this.staged);
    this.staged = undefined;
  }

  /** Whether the old file's next bytes are `bytes`. */
  private same(bytes: Buffer): boolean {
    const old = this.old!;
    if (this.size + bytes.length > old.size) return false;
    for (let done = 0; done < bytes.length; ) {
      const at = this.size + done;
      if (at >= this.end) {
        const read = readSync(old.fd, this.buffer, 0, Math.min(this.buffer.length, old.size - at), at);
        if (read === 0) return false;
        [this.start, this.end] = [at, at + read];
      }
      const length = Math.min(bytes.length - done, this.end - at);
      if (this.buffer.compare(bytes, done, done + length, at - this.start, at - this.start + length) !== 0) return false;
      done += length;
    }
    return true;
  }

  /**
   * Creates the staged file with the bytes taken so far, found equal in the
   * old file and copied from it; `hash` is their sha256: the copy is checked
   * against it, since the old file may have changed since it was compared.
   */
  private stage(hash: string): void {
    this.staged = this.create();
    this.end = 0;
    if (this.size === 0) return;
    const copied = createHash('sha256');
    for (let at = 0; at < this.size; ) {
      const read = readSync(this.old!.fd, this.buffer, 0, Math.min(this.buffer.length, this.size - at), at);
      if (read === 0) break;
      const bytes = this.buffer.subarray(0, read);
      copied.update(bytes);
      writeAll(this.staged, bytes);
      at += read;
    }
    if (copied.digest('hex') !== hash) throw new EmitError(`cannot update ${this.name}: it changed while gen read it; build again when nothing else writes to it`);
  }
}
