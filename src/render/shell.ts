// Values in the shell scripts gen writes. Every value is validated for what
// it is (a net string, a user id, ...) before it gets here; here it becomes
// one single-quoted word, which bash takes literally: no expansion of $,
// backquotes, globs or the history's "!".
export class UnsafeShellValueError extends Error {}

/** One shell word whose value is exactly `value`. */
export function shellWord(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UnsafeShellValueError(`control character in a shell value: ${JSON.stringify(value)}`);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Text for a `#` comment line: no line breaks. */
export function shellComment(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029\u0085]/g, ' ');
}

/** The script prologue: bash, file-wide shellcheck directives, where it came from, strict mode. */
export function scriptHead(title: string, about: readonly string[], directives: readonly string[] = []): string[] {
  return ['#!/usr/bin/env bash', ...directives, `# ${shellComment(title)}`, ...about.map((line) => `# ${shellComment(line)}`), 'set -euo pipefail', ''];
}
