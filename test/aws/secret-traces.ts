// Where a secret handed to pbs/s3-endpoint.sh could be left behind: the files
// a run leaves, in every form the value may take there.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Every file below `dir`, with its text. */
export function filesBelow(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => join(dir, p))
    .filter((p) => statSync(p).isFile())
    .map((p) => [p, readFileSync(p, 'latin1')]);
}

/** The forms a value may take in an argument or a file: as is, as a form body or shell quoting would carry it, and as strace prints it. */
export const secretForms = (value: string) => [value, encodeURIComponent(value), value.replace(/'/g, `'\\''`), value.replace(/[\\"]/g, (c) => `\\${c}`)];

/** A run's traces: strace's execve lines (arguments and environment), the files it left, what it printed. */
export interface SecretTraces {
  execs: string[];
  left: [string, string][];
  stdout: string;
  stderr: string;
}

/** No form of any of `secrets` in an argument or environment, a file left behind or the output; and no file left at all. */
export function expectNoSecretLeft(run: SecretTraces, secrets: string[]): void {
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      expect(run.execs.filter((l) => l.includes(form))).toEqual([]);
      expect(run.left.filter(([, text]) => text.includes(form)).map(([p]) => p)).toEqual([]);
      expect(run.stdout + run.stderr).not.toContain(form);
    }
  }
  expect(run.left).toEqual([]);
}
