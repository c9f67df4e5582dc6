// out/MANIFEST: gen's mark on a tree it wrote. The first line says so; then
// the sha256 of every generated file in `sha256sum` format (which skips
// the "#" line), so `cd out && sha256sum -c MANIFEST` verifies a tree. A
// directory is gen's to update only when its MANIFEST has exactly this
// form (under this version's first line or an earlier one's) and lists
// every file in it.
import { type Hash, createHash, hash } from 'node:crypto';
import { UTF8_PIECE, Utf8Scratch } from './io/utf8-scratch.js';
import { MANIFEST } from './paths.js';


/** The mode of every file of an output tree, MANIFEST included (directories are 0755). */
export const OUTPUT_FILE_MODE = 0o644;

/**
 * Whether a file of out/ has a mode a tree gen wrote may have: readable by
 * everyone, executable by no one, no special bits. gen writes 0644, but git
 * records only the executable bit, so a checkout takes its modes from the
 * umask of whoever cloned it (0664 under Debian's usual 002, 0666 in a CI
 * runner with 000): those hold the same tree. One that others cannot read
 * (0600, from a default ACL) does not.
 */
export function outputModeKept(mode: number): boolean {
  const bits = mode & 0o7777;
  return (bits & 0o444) === 0o444 && (bits & 0o7111) === 0;
}

/** The first line of every MANIFEST gen writes. */
export const MANIFEST_MARK = '# gen output tree: generated files with their sha256 (check: sha256sum -c MANIFEST); a build rewrites the files that change and removes those it no longer generates';

/**
 * The first lines of MANIFESTs that earlier versions of gen wrote: their
 * trees are gen's too, and the next build writes MANIFEST_MARK there.
 */
export const EARLIER_MANIFEST_MARKS: readonly string[] = ['# gen output tree: generated files with their sha256 (check: sha256sum -c MANIFEST); gen replaces this directory whole'];

/** Every first line gen wrote, each with its newline: the one it writes now first. */
export const MANIFEST_MARK_LINES: readonly string[] = [MANIFEST_MARK, ...EARLIER_MANIFEST_MARKS].map((mark) => `${mark}\n`);

/** The mark line (with its newline) that `text` starts with, if it is one gen wrote. */
export function markLineOf(text: string): string | undefined {
  for (const line of MANIFEST_MARK_LINES) if (text.startsWith(line)) return line;
  return undefined;
}

export function sha256(content: string | Uint8Array): string {
  // The one-shot form (Node 20.12 and later) is twice as fast on small files.
  return typeof hash === 'function' ? hash('sha256', content, 'hex') : createHash('sha256').update(content).digest('hex');
}

/**
 * sha256 of the UTF-8 bytes of `text`, encoded in `encoder`'s buffer: in one
 * go, or piece by piece for a long text. `each`, when given, gets every piece
 * too (to write them).
 */
export function sha256Of(text: string, encoder: Utf8Scratch, each?: (bytes: Buffer) => void): string {
  if (text.length <= UTF8_PIECE) {
    const bytes = encoder.encode(text);
    each?.(bytes);
    return sha256(bytes);
  }
  const hasher = createHash('sha256');
  encoder.pieces(text, (bytes) => {
    hasher.update(bytes);
    each?.(bytes);
  });
  return hasher.digest('hex');
}

/**
 * sha256 of the UTF-8 bytes of a text that `write` hands over in parts,
 * each encoded a piece at a time in `encoder`'s buffer; `each` gets every
 * piece too (to write or compare them), with the hash of the bytes before
 * it (a rebuild stages a text from its first difference on).
 */
export function sha256OfParts(write: (part: (text: string) => void) => void, encoder: Utf8Scratch, each: (bytes: Buffer, before: Hash) => void): string {
  const hasher = createHash('sha256');
  const take = (bytes: Buffer): void => {
    each(bytes, hasher);
    hasher.update(bytes);
  };
  write((text) => encoder.pieces(text, take));
  return hasher.digest('hex');
}

/**
 * path → sha256 of every file (of its UTF-8 bytes, made in one buffer:
 * hashing each string made a copy of it).
 */
export function hashesOf(files: ReadonlyMap<string, string>): Map<string, string> {
  const hashes = new Map<string, string>();
  const encoder = new Utf8Scratch();
  for (const [path, content] of files) hashes.set(path, sha256Of(content, encoder));
  return hashes;
}

/** The paths of `hashes` in the order a MANIFEST lists them (by UTF-16 code unit, as the default sort). */
export function manifestOrder(hashes: ReadonlyMap<string, string>): string[] {
  return [...hashes.keys()].sort();
}

/**
 * The UTF-8 bytes of the manifest of files given by their sha256 (path →
 * sha256), sorted by path; `order` is manifestOrder(hashes), where the
 * caller has it already. The lines are encoded into one buffer a block at
 * a time: a build writes and hashes these bytes. Made as one text first,
 * the MANIFEST of 100,000 peers was a string per line, their join, then
 * two encodings of the 10 MB result (one to write it, one to hash it).
 */
export function manifestBytes(hashes: ReadonlyMap<string, string>, order: readonly string[] = manifestOrder(hashes)): Buffer {
  const mark = `${MANIFEST_MARK}\n`;
  // A UTF-16 code unit is at most 3 bytes of UTF-8: room for every line without measuring one.
  let room = 3 * mark.length;
  for (const path of order) room += 3 * (path.length + hashes.get(path)!.length + 3);
  const bytes = Buffer.allocUnsafe(room);
  let at = bytes.write(mark, 0);
  const parts: string[] = [];
  for (let start = 0; start < order.length; start += MANIFEST_BLOCK) {
    parts.length = 0;
    for (let i = start; i < Math.min(order.length, start + MANIFEST_BLOCK); i++) parts.push(hashes.get(order[i]!)!, '  ', order[i]!, '\n');
    at += bytes.write(parts.join(''), at);
  }
  return bytes.subarray(0, at);
}

/** Lines of a MANIFEST encoded at once: a call to the encoder for each line cost more than the line. */
const MANIFEST_BLOCK = 1024;

/** The manifest of files given by their sha256 (path → sha256), sorted by path, as text (manifestBytes). */
export function manifestOf(hashes: ReadonlyMap<string, string>, order: readonly string[] = manifestOrder(hashes)): string {
  return manifestBytes(hashes, order).toString('utf8');
}

/** The manifest of every file, sorted by path. */
export function manifest(files: ReadonlyMap<string, string>): string {
  return manifestOf(hashesOf(files));
}

const LINE = /^([0-9a-f]{64}) {2}([^\0\\\n]+)$/;

/**
 * A relative path without empty, `.` or `..` parts (so no leading slash).
 * A scan of the parts where they are: splitting made an array and a string
 * per part of each of 10,000 paths.
 */
export function plainRelative(path: string): boolean {
  for (let start = 0; ; ) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    // Only a part of at most two characters can be ., .. or empty: no string is made for the others.
    const short = end - start <= 2 ? path.slice(start, end) : undefined;
    if (short === '' || short === '.' || short === '..') return false;
    if (slash < 0) return true;
    start = slash + 1;
  }
}

/**
 * The files a MANIFEST lists (path → sha256), or undefined when the text is
 * not a MANIFEST gen wrote: a mark of gen's (this version's or an earlier
 * one's), then sorted unique lines of exactly sha256sum's form with plain
 * relative paths, each line ending in a newline.
 */
export function parseManifest(text: string): Map<string, string> | undefined {
  const mark = markLineOf(text);
  if (mark === undefined || !text.endsWith('\n')) return undefined;
  const listed = new Map<string, string>();
  let previous = '';
  for (const line of text.slice(mark.length, -1).split('\n')) {
    if (line === '' && listed.size === 0 && text.length === mark.length) break;
    const match = LINE.exec(line);
    if (!match || !plainRelative(match[2]!) || match[2]! <= previous || match[2] === MANIFEST) return undefined;
    previous = match[2]!;
    listed.set(match[2]!, match[1]!);
  }
  return listed;
}
