// The directory that CI annotations and code scanning resolve paths
// against: GITHUB_WORKSPACE in a GitHub Actions job, else the root of the
// git work tree that holds the file, else the current directory.
import { spawnSync } from 'node:child_process';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export function repositoryRoot(file: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_WORKSPACE) return resolve(env.GITHUB_WORKSPACE);
  const shown = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dirname(resolve(file)), encoding: 'utf8' });
  if (!shown.error && shown.status === 0 && shown.stdout.trim() !== '') return shown.stdout.trim();
  return process.cwd();
}

/**
 * `file` relative to `root` with forward slashes; absolute when it lies outside `root`:
 * a relative path is read from the root, and the one given is relative to the current directory.
 */
export function relativeTo(root: string, file: string): string {
  const path = relative(root, resolve(file));
  if (path === '' || path.startsWith('..') || isAbsolute(path)) return resolve(file);
  return path.split(sep).join('/');
}
