// Named instants in a sequence of writes where a kill must leave a
// consistent state. Tests prove it with a real SIGKILL: a child started
// with GEN_TEST_CRASH_AT=<name> kills itself at that point, and the test
// then checks what is on disk and what the next command makes of it.
// Outside tests the variable is unset and a crash point costs one lookup.

export const CRASH_ENV = 'GEN_TEST_CRASH_AT';

export function crashPoint(name: string): void {
  if (process.env[CRASH_ENV] === name) process.kill(process.pid, 'SIGKILL');
}
