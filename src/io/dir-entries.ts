// The entries of a directory that someone other than gen may have filled
// (an output tree). Node reads a name as UTF-8 and puts U+FFFD for a byte
// that is not, and no file has that name: a look at it fails with ENOENT,
// as if the file were not there. Such a name is read as bytes and shown
// with its bad bytes as \xFF, and nothing is looked up by it.
import { isUtf8 } from 'node:buffer';
import { readdirSync } from 'node:fs';
import { firstInvalidUtf8 } from './read-input.js';

export type EntryKind = 'file' | 'dir' | 'link' | 'other' | 'not-utf8';

export interface DirEntry {
  /** The name; for a name that is not UTF-8, its bytes that are not as \xFF. */
  name: string;
  kind: EntryKind;
}

/** `bytes` as text, each byte that is not part of valid UTF-8 written as \xFF. */
export function shownName(bytes: Buffer): string {
  let text = '';
  let rest = bytes;
  for (let bad = firstInvalidUtf8(rest); bad >= 0; bad = firstInvalidUtf8(rest)) {
    text += `${rest.subarray(0, bad).toString('utf8')}\\x${rest[bad]!.toString(16).toUpperCase().padStart(2, '0')}`;
    rest = rest.subarray(bad + 1);
  }
  return text + rest.toString('utf8');
}

/** The entries of `dir`, unsorted; the kind as readdir reports it (Node lstats entries whose type the file system does not give). */
export function entriesOf(dir: string): DirEntry[] {
  return readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }).map((entry) => {
    if (!isUtf8(entry.name)) return { name: shownName(entry.name), kind: 'not-utf8' };
    const kind = entry.isFile() ? 'file' : entry.isDirectory() ? 'dir' : entry.isSymbolicLink() ? 'link' : 'other';
    return { name: entry.name.toString('utf8'), kind };
  });
}
