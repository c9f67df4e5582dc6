// A full disk for the tests that need one (root only): a 64 KiB tmpfs
// mounted for the enclosing describe, filled to a given number of free
// 4 KiB pages before each command.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from '../temp-dirs.js';

export interface SmallDisk {
  /** Where it is mounted. */
  mount: string;
  /** Fills the file system (in `filler/`) to `free` pages of 4 KiB left. */
  fill(free: number): void;
}

/** Mounts a 64 KiB tmpfs before the tests of the describe that calls it, and removes it after them. */
export function smallDisk(prefix: string): SmallDisk {
  const mount = tempDir(prefix);
  beforeAll(() => {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mount], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount tmpfs: ${r.stderr}`);
  });
  afterAll(() => {
    spawnSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });
  const fill = (free: number): void => {
    const filler = join(mount, 'filler');
    mkdirSync(filler, { recursive: true });
    let n = 0;
    for (;;) {
      try {
        writeFileSync(join(filler, String(n)), Buffer.alloc(4096));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        rmSync(join(filler, String(n)), { force: true });
        break;
      }
      n++;
    }
    for (let i = 0; i < free; i++) rmSync(join(filler, String(n - 1 - i)));
  };
  return { mount, fill };
}
