// Reading a file the user names (the topology, a config.xml backup) with
// limits checked before any byte is read: a device such as /dev/zero, a
// FIFO or a directory is refused, and so is a file above the size limit
// (16 MiB; GEN_MAX_INPUT_BYTES raises it), so no input can make gen
// allocate without bound.
import { constants as bufferConstants } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ReportedError, UsageError, reasonOf } from './errors.js';

export const DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * The input limit: GEN_MAX_INPUT_BYTES, or 16 MiB; never more than Node can
 * hold in one string (about 512 MiB), the form a file is read into, so a
 * larger file gets the limit's message instead of Node's error.
 */
export function maxInputBytes(): number {
  const configured = Number(process.env.GEN_MAX_INPUT_BYTES);
  return Math.min(Number.isSafeInteger(configured) && configured > 0 ? configured : DEFAULT_MAX_INPUT_BYTES, bufferConstants.MAX_STRING_LENGTH);
}

/** A file larger than the limit (exit 1: the input is the problem). */
export class InputTooLargeError extends ReportedError {}

function kindOf(stat: { isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** The command line names a file that is not there or not a regular file: a usage error (exit 2). */
export function requireInputFile(file: string, what = 'file'): void {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`cannot read ${file}: no such ${what}`);
    throw new ReportedError(`cannot read ${file}: ${reasonOf(error as NodeJS.ErrnoException)}`);
  }
  if (!stat.isFile()) throw new UsageError(`cannot read ${file}: it is ${kindOf(stat)}, not a ${what}`);
}

/** The bytes of a regular file within the size limit; throws UsageError, InputTooLargeError or the system error. */
export function readInputBytes(file: string): Buffer {
  // O_NONBLOCK: opening a named pipe must not wait for a writer.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`cannot read ${file}: it is ${kindOf(stat)}, not a regular file`);
    const limit = maxInputBytes();
    if (stat.size > limit) throw new InputTooLargeError(`${file} is ${size(stat.size)}; gen reads files up to ${size(limit)} (set GEN_MAX_INPUT_BYTES to raise the limit)`);
    // One byte more than the size: a file that grows while it is read is noticed.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > stat.size) throw new ReportedError(`${file} changed while gen read it; run gen again`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export function readInputText(file: string): string {
  return readInputBytes(file).toString('utf8');
}

/** The diagnostic rule and message for a file that could not be read. */
export function readFailure(error: unknown, file: string): { rule: 'load/read' | 'load/limit'; message: string } {
  if (error instanceof InputTooLargeError) return { rule: 'load/limit', message: error.message };
  if (error instanceof ReportedError) return { rule: 'load/read', message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) throw error;
  return { rule: 'load/read', message: code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${reasonOf(error as NodeJS.ErrnoException)}` };
}

/** The name diagnostics use for a topology read from standard input (`-`). */
export const STDIN_NAME = '<stdin>';

/** An input of unknown size (standard input, a file at a git revision) that passed the limit. */
export function tooLarge(what: string): InputTooLargeError {
  return new InputTooLargeError(`${what} is larger than ${size(maxInputBytes())}, the most gen reads (set GEN_MAX_INPUT_BYTES to raise the limit)`);
}

/** All of standard input as text, within the same size limit as a file. */
export async function readStdinText(): Promise<string> {
  const limit = maxInputBytes();
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    length += (chunk as Buffer).length;
    if (length > limit) throw tooLarge('standard input');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
