// Scratch directories under the system's temporary directory that are removed
// again. Test files run one after the other in a worker that keeps its modules
// (isolate: false), so a hook registered here at module level would belong to
// the first file that imports this one only: each test file calls
// removeTempDirsAfterAll() itself, and its hook removes what that file made.
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

/** A new directory `tmpdir()/PREFIXxxxxxx`, removed after the file by the hook of removeTempDirsAfterAll. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A file `dir/name` of `size` zero bytes (sparse): for checks that go by a file's size alone. */
export function fileOfSize(dir: string, name: string, size: number): string {
  const file = join(dir, name);
  writeFileSync(file, '');
  truncateSync(file, size);
  return file;
}

/** Removes, after all tests of the calling file, every directory tempDir made; call it at the top level of the test file. */
export function removeTempDirsAfterAll(): void {
  afterAll(() => {
    for (const dir of made.splice(0)) removeTree(dir);
  });
}

/** Removes `dir` and everything below it, giving back the permissions a test took away. */
export function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // A test took its own permissions away (chmod 000 or 555) to provoke an
    // error; without root they stop the removal too.
    allowRemoval(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

function allowRemoval(path: string): void {
  try {
    if (!lstatSync(path).isDirectory()) return;
    chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) allowRemoval(join(path, entry));
  } catch {
    // Another user's directory: the rmSync after this reports it.
  }
}
