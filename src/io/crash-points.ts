// Named instants in a sequence of writes where a kill must leave a
// consistent state. Tests prove it with a real SIGKILL: a child started
// with GEN_TEST_CRASH_AT=<name> kills itself at that point, and the test
// then checks what is on disk and what the next command makes of it.
// Outside tests the variable is unset and a crash point costs one
// comparison (the variable is read once: a lookup in process.env is slow
// enough to show in a loop over ten thousand files).

export const CRASH_ENV = 'GEN_TEST_CRASH_AT';

let armed: string | undefined | null = null;

function armedAt(): string | undefined {
  if (armed === null) armed = process.env[CRASH_ENV];
  return armed;
}

export function crashPoint(name: string): void {
  if (armedAt() === name) process.kill(process.pid, 'SIGKILL');
}

/** The crash point `<name>:<step>`, for each step of a sequence (the name is built only in tests). */
export function crashPointAt(name: string, step: number): void {
  if (armedAt() !== undefined && armedAt() === `${name}:${step}`) process.kill(process.pid, 'SIGKILL');
}
