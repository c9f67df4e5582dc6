// `gen lint` in a git work tree: a private key that git tracks will be
// committed and pushed. gen's .gitignore in the secrets directory keeps
// `git add -A` away from it, but a key added before that (or with
// `git add -f`) stays tracked. Outside a work tree, or without git, there
// is nothing to report.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';

export async function trackedSecrets(topologyFile: string, secretsDir: string): Promise<string[]> {
  if (!existsSync(secretsDir)) return [];
  // Loaded only here: node:child_process (and node:net with it) is a good part of a short run's start.
  const { spawnSync } = await import('node:child_process');
  // No output limit: past Node's default (1 MiB of names) the listing failed, and the check passed silently.
  const listed = spawnSync('git', ['ls-files', '-z', '--', basename(secretsDir)], { cwd: dirname(secretsDir), encoding: 'utf8', maxBuffer: Infinity });
  if (listed.error || listed.status !== 0) return [];
  return listed.stdout.split('\0').filter(Boolean);
}

export async function trackedSecretsDiagnostics(topologyFile: string, secretsDir: string): Promise<Diagnostic[]> {
  const tracked = await trackedSecrets(topologyFile, secretsDir);
  if (tracked.length === 0) return [];
  const shown = tracked.slice(0, 3).join(', ') + (tracked.length > 3 ? ` and ${tracked.length - 3} more` : '');
  return [
    {
      rule: 'secrets/tracked',
      severity: 'error',
      message: `git tracks ${tracked.length === 1 ? 'a file' : `${tracked.length} files`} of the secrets directory ${secretsDir} (${shown}): the private keys would be committed`,
      hint: `Untrack them with git rm -r --cached ${secretsDir}, keep them out with a .gitignore of * in ${secretsDir}, and rotate every key that was ever pushed (gen wg rotate, gen wg keygen --instance --force).`,
      location: { file: topologyFile, line: 1, col: 1 },
    },
  ];
}
