// Real-tool tests skip where a tool or root is missing, with the reason in
// their title; in CI they must all run, so there a missing tool is a failure
// (and .ci/run fails on the skip summary line as well).
import { describe, expect, it } from 'vitest';
import { ESSENTIAL_TOOLS, REAL_TOOLS, hasCommand, isRoot } from '../system-tools.js';

describe.skipIf(!process.env.CI)('CI has every real tool the tests use', () => {
  it('runs as root', () => {
    expect(isRoot).toBe(true);
  });

  it('has every tool (see .ci/apt-packages.txt)', () => {
    expect([...REAL_TOOLS, ...ESSENTIAL_TOOLS].filter((t) => !hasCommand(t))).toEqual([]);
  });
});
