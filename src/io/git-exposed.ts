// A file gen writes with a private key in it (-o of gen wg export,
// export-instance, gen opnsense merge) is the user's to place, but one that
// lands in a git work tree where nothing ignores it is one `git add -A` away
// from being committed and pushed: the secrets directory has its own
// .gitignore, such a file has none. Outside a work tree, or without git,
// there is nothing to say.
import { spawnSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';

/** The root of the git work tree that would commit `file` with `git add -A`, or undefined. */
export function unignoredWorkTree(file: string): string | undefined {
  const dir = dirname(resolve(file));
  const root = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8' });
  if (root.error || root.status !== 0 || root.stdout.trim() === '') return undefined;
  // Exit 0: ignored; 1: not ignored (a tracked file is never ignored); anything else: git cannot tell.
  const ignored = spawnSync('git', ['check-ignore', '-q', '--', basename(file)], { cwd: dir });
  return ignored.status === 1 ? root.stdout.trim() : undefined;
}

/** The warning for a file with private keys that git would commit, or undefined. */
export function gitExposureWarning(file: string, holds: string): string | undefined {
  const root = unignoredWorkTree(file);
  if (root === undefined) return undefined;
  return `warning: ${file} holds ${holds} and lies in the git work tree ${root}, where nothing ignores it: git add -A would commit it. Move it out of the repository (or delete it once used), or add it to .gitignore`;
}
