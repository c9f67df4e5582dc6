// Reading proxmox-backup and the proxmox crates from their git mirrors
// (PROXMOX_BACKUP_GIT, PROXMOX_RS_GIT), for the tests that check what gen
// writes against the source that reads it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';

/** The git directory the variable names, when it exists. */
export function gitDir(variable: string): string | undefined {
  const dir = process.env[variable];
  return dir && existsSync(dir) ? dir : undefined;
}

/** `git show SPEC` in the mirror; the test fails when git does. */
export function show(dir: string, spec: string): string {
  const r = spawnSync('git', ['--git-dir', dir, 'show', spec], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The newest proxmox-backup 4 release tag of the mirror. */
export function latestV4Tag(dir: string): string {
  return spawnSync('git', ['--git-dir', dir, 'tag', '--list', 'v4.*', '--sort=-v:refname'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
}

/** The #[api(...)] macro right before `item` (a struct or fn). */
export function apiBefore(source: string, item: string): string {
  const end = source.indexOf(item);
  expect(end, item).toBeGreaterThan(0);
  return source.slice(source.lastIndexOf('#[api(', end), end);
}
