// The whole test run gets a temporary directory of its own (TMPDIR, which
// every worker and child process inherits), removed at its end. gen keeps
// its per-user staging directory there (src/io/staging.ts): the stages that
// the kill and recovery tests leave on purpose, for trees in scratch
// directories that are gone, stayed in the user's real one, where every
// later build of any tree looks through them (hundreds after a few runs).
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from './temp-dirs.js';

const MARK = 'GEN_TEST_RUN_TMPDIR';

export default function setup(): () => void {
  // Each project of the run sets up (both extend the root config), and a nested run (fresh-machine) inherits the
  // directory: the first one makes it and removes it.
  if (process.env[MARK] !== undefined && process.env[MARK] === process.env.TMPDIR) return () => {};
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'gen-test-run-'));
  // As /tmp is: tests run gen as another user too (uid 65534), which needs its own directory here.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  process.env[MARK] = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[MARK];
    removeTree(dir);
  };
}
