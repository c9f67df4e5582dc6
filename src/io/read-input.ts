// Reading a file the user names (the topology, a config.xml backup) with
// limits checked before any byte is read: a device such as /dev/zero, a
// FIFO or a directory is refused, and so is a file above the size limit
// (16 MiB; GEN_MAX_INPUT_BYTES raises it), so no input can make gen
// allocate without bound. Text must be UTF-8: a byte that is not is
// refused at its line and column, never turned into U+FFFD and carried on.
import { constants as bufferConstants, isUtf8 } from 'node:buffer';
import { type Stats, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvironmentValueError, envWholeNumber } from './env-number.js';
import { shellQuoted } from './shell-quoted.js';
import { ReportedError, UsageError, reasonOf } from './errors.js';

export const DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * The input limit: GEN_MAX_INPUT_BYTES, or 16 MiB; never more than Node can
 * hold in one string (about 512 MiB), the form a file is read into, so a
 * larger file gets the limit's message instead of Node's error.
 */
export function maxInputBytes(): number {
  return Math.min(envWholeNumber('GEN_MAX_INPUT_BYTES', DEFAULT_MAX_INPUT_BYTES, 1, 'a number of bytes'), bufferConstants.MAX_STRING_LENGTH);
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

/** The names of standard input as a file (a pipe, a socket or a terminal there). */
const STDIN_PATHS = ['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'];

/**
 * The command line names a file that is not there or not a regular file: a
 * usage error (exit 2). `stdin` is said where the file is standard input
 * (`gen lint /dev/stdin`) and the command reads standard input as `-`;
 * `missing`, the fix where no file has the name.
 */
export function requireInputFile(file: string, what = 'file', hints: { stdin?: string; missing?: () => string | undefined } = {}): void {
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const fix = code === 'ENOENT' ? hints.missing?.() : undefined;
      throw new UsageError(`cannot read ${file}: no such ${what}${fix !== undefined ? `; ${fix}` : ''}`);
    }
    throw new ReportedError(`cannot read ${file}: ${reasonOf(error as NodeJS.ErrnoException)}`);
  }
  if (!stat.isFile()) throw new UsageError(`cannot read ${file}: it is ${kindOf(stat)}, not a ${what}${hints.stdin !== undefined && STDIN_PATHS.includes(file) ? `; ${hints.stdin}` : ''}`);
}

/**
 * As requireInputFile, for the topology: a name with no file, in a directory
 * that exists (gen init makes none), gets the command that writes a starter
 * one there.
 */
export function requireTopologyFile(file: string, stdin?: string): void {
  const missing = (): string | undefined => (isDirectory(dirname(file)) ? `gen init ${shellQuoted(file)} writes a starter one` : undefined);
  requireInputFile(file, 'topology file', { stdin, missing });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The bytes of a regular file within the size limit; throws UsageError, InputTooLargeError or the system error. */
export function readInputBytes(file: string): Buffer {
  return readInputFile(file).bytes;
}

/** The bytes of a regular file within the size limit, and the file's status when it was read. */
export function readInputFile(file: string): { bytes: Buffer; stat: Stats } {
  // O_NONBLOCK: opening a named pipe must not wait for a writer.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`cannot read ${file}: it is ${kindOf(stat)}, not a regular file`);
    const limit = maxInputBytes();
    if (stat.size > limit) throw new InputTooLargeError(`${file} is ${size(stat.size)}; gen reads files up to ${size(limit)} (set GEN_MAX_INPUT_BYTES to raise the limit)`);
    // One byte more than the size: a file that grows while it is read is noticed. Zeroed, and never read into
    // when the read succeeds: the NUL that readInputTextWithNul decodes after the text.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > stat.size) throw new ReportedError(`${file} changed while gen read it; run gen again`);
    return { bytes: buffer.subarray(0, length), stat };
  } finally {
    closeSync(fd);
  }
}

export function readInputText(file: string): string {
  return utf8Text(readInputBytes(file), file);
}

/**
 * The text of `file`, and that text with a NUL character after it, as one
 * string that the text is a view into (slice(0, -1)). js-yaml ends its input
 * with "\0" (its mark of the end), and that made it a copy of the whole text
 * (45 MiB for 100,000 peers); given this string, the bundle's js-yaml reads
 * it in place (scripts/js-yaml-patch.mjs). Decoded from the buffer the file
 * was read into, which readInputFile makes one byte longer than the file:
 * that byte is zero when the read ends. `withNul` is undefined where the
 * string would be longer than Node can make one.
 */
export function readInputTextWithNul(file: string): { text: string; withNul?: string } {
  const bytes = readInputBytes(file);
  refuseNonUtf8(bytes, file, UTF8_FIX);
  const end = bytes.byteOffset + bytes.length;
  if (bytes.length >= bufferConstants.MAX_STRING_LENGTH || end >= bytes.buffer.byteLength || new Uint8Array(bytes.buffer, end, 1)[0] !== 0) {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8') };
  }
  const withNul = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length + 1).toString('utf8');
  return { text: withNul.slice(0, -1), withNul };
}

/** Text that is not UTF-8 (exit 1: the input is the problem), with the line and column of its first bad byte. */
export class NotUtf8Error extends ReportedError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    /** The first bad byte, as 0xFF. */
    readonly byte: string,
    readonly fix: string,
  ) {
    super(`${file}:${line}:${col}: not UTF-8 (byte ${byte} is not valid there); ${fix}`);
  }
}

/**
 * The offset of the first byte of `bytes` that does not belong to a valid
 * UTF-8 character (a stray continuation byte, a truncated or overlong
 * sequence, a surrogate, a code point above U+10FFFF), or -1 when all do:
 * the bytes TextDecoder's fatal mode refuses, at the first of them.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // The number of continuation bytes, and the range the first of them must lie in.
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) need = 1;
    else if (lead === 0xe0) [need, low] = [2, 0xa0];
    else if (lead === 0xed) [need, high] = [2, 0x9f];
    else if (lead >= 0xe1 && lead <= 0xef) need = 2;
    else if (lead === 0xf0) [need, low] = [3, 0x90];
    else if (lead === 0xf4) [need, high] = [3, 0x8f];
    else if (lead >= 0xf1 && lead <= 0xf3) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The line and column (from 1) of byte `offset`; the column counts UTF-16 units, as the YAML diagnostics do. */
export function utf8Position(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: Buffer.from(bytes.buffer, bytes.byteOffset + start, offset - start).toString('utf8').length + 1 };
}

const UTF8_FIX = 'save the file as UTF-8 (from Latin-1: iconv -f ISO-8859-1 -t UTF-8), or remove the byte';

/** `bytes` as text; a byte that is not UTF-8 is refused at its line and column (a byte order mark stays, as with Buffer). */
export function utf8Text(bytes: Uint8Array, file: string, fix = UTF8_FIX): string {
  refuseNonUtf8(bytes, file, fix);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

function refuseNonUtf8(bytes: Uint8Array, file: string, fix: string): void {
  if (isUtf8(bytes)) return;
  const at = firstInvalidUtf8(bytes);
  const { line, col } = utf8Position(bytes, at);
  throw new NotUtf8Error(file, line, col, `0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')}`, fix);
}

/** The diagnostic rule, message and place for a file that could not be read. */
export function readFailure(error: unknown, file: string): { rule: 'load/read' | 'load/limit'; message: string; line?: number; col?: number; hint?: string } {
  // GEN_MAX_INPUT_BYTES mistyped: about the command line, not the file, so not a finding at the file's first line.
  if (error instanceof EnvironmentValueError) throw error;
  if (error instanceof InputTooLargeError) return { rule: 'load/limit', message: error.message };
  if (error instanceof NotUtf8Error) return { rule: 'load/read', message: `${file} is not UTF-8: byte ${error.byte} is not valid here`, line: error.line, col: error.col, hint: `${error.fix[0]!.toUpperCase()}${error.fix.slice(1)}.` };
  if (error instanceof ReportedError) return { rule: 'load/read', message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) throw error;
  // The file is there: the fix is its mode or the user, not another path.
  const hint = code === 'EACCES' || code === 'EPERM' ? `Let this user read it (ls -l ${file}; chmod a+r ${file}, or its directory a+x), or run gen as the user who owns it.` : undefined;
  return { rule: 'load/read', message: code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${reasonOf(error as NodeJS.ErrnoException)}`, hint };
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
  return utf8Text(Buffer.concat(chunks), STDIN_NAME);
}
