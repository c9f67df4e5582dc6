// What an update must keep of the files it leaves as they are: their inode
// and mtime (test/core/emit*.test.ts).
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** path → [inode, mtime] of every file under `dir`. */
export function stamps(dir: string, prefix = ''): Map<string, [number, number]> {
  const found = new Map<string, [number, number]>();
  for (const entry of readdirSync(join(dir, prefix)).sort()) {
    const path = prefix ? `${prefix}/${entry}` : entry;
    const stat = lstatSync(join(dir, path));
    if (stat.isDirectory()) for (const [p, s] of stamps(dir, path)) found.set(p, s);
    else found.set(path, [stat.ino, stat.mtimeMs]);
  }
  return found;
}

/** Waits `ms` milliseconds: a file changed after it has a later ctime than one changed before (the clock that stamps them ticks coarsely). */
export const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
