// The numbers gen reads from its environment: a value that is no such number
// is refused (exit 2, naming the variable and its value), not replaced by the
// default in silence; unset or empty is the default.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { drawWithDot } from '../../src/commands/graph-dot.js';
import { envWholeNumber } from '../../src/io/env-number.js';
import { UsageError } from '../../src/io/errors.js';
import { maxInputBytes } from '../../src/io/read-input.js';
import { root } from '../helpers.js';
import { gen } from '../wireguard/cli.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const MALFORMED = ['16MiB', '10s', '1e3', '-5', '0x10', ' 20', '1.5', 'ten'];

describe('a number from the environment', () => {
  it('is the default when unset or empty, and the digits given otherwise', () => {
    vi.stubEnv('GEN_TEST_NUMBER', undefined);
    expect(envWholeNumber('GEN_TEST_NUMBER', 7, 0, 'a number')).toBe(7);
    vi.stubEnv('GEN_TEST_NUMBER', '');
    expect(envWholeNumber('GEN_TEST_NUMBER', 7, 0, 'a number')).toBe(7);
    vi.stubEnv('GEN_TEST_NUMBER', '0');
    expect(envWholeNumber('GEN_TEST_NUMBER', 7, 0, 'a number')).toBe(0);
    vi.stubEnv('GEN_TEST_NUMBER', '268435456');
    expect(envWholeNumber('GEN_TEST_NUMBER', 7, 1, 'a number')).toBe(268435456);
  });

  it.each(MALFORMED)('%j is a usage error naming the variable and the value', (given) => {
    vi.stubEnv('GEN_TEST_NUMBER', given);
    expect(() => envWholeNumber('GEN_TEST_NUMBER', 7, 0, 'a number')).toThrow(UsageError);
    expect(() => envWholeNumber('GEN_TEST_NUMBER', 7, 0, 'a number')).toThrow(`GEN_TEST_NUMBER is ${JSON.stringify(given)}, not a number of at least 0`);
  });

  it('below the least it may be is a usage error', () => {
    vi.stubEnv('GEN_TEST_NUMBER', '0');
    expect(() => envWholeNumber('GEN_TEST_NUMBER', 7, 1, 'a number')).toThrow('GEN_TEST_NUMBER is "0", not a number of at least 1');
  });
});

describe('GEN_MAX_INPUT_BYTES, GEN_LOCK_WAIT_MS and GEN_DOT_TIMEOUT_MS', () => {
  it('refuse a value that is no whole number (exit 2) where they once took the default in silence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-env-numbers-'));
    const topology = join(dir, 'topology.yaml');
    writeFileSync(topology, readFileSync(join(root, 'topology.yaml')));
    vi.stubEnv('GEN_MAX_INPUT_BYTES', '16MiB');
    expect(() => maxInputBytes()).toThrow(UsageError);
    const lint = await gen('lint', '-f', topology);
    expect(lint).toMatchObject({ code: 2, stdout: '' });
    expect(lint.stderr).toContain('GEN_MAX_INPUT_BYTES is "16MiB", not a number of bytes of at least 1');
    vi.stubEnv('GEN_MAX_INPUT_BYTES', '');
    expect(maxInputBytes()).toBe(16 * 2 ** 20);

    vi.stubEnv('GEN_LOCK_WAIT_MS', '10s');
    const added = await gen('wg', 'add-peer', 'env-check', '--role', 'workstation', '-f', topology);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain('GEN_LOCK_WAIT_MS is "10s", not a number of milliseconds of at least 0');
    // Refused before anything is written.
    expect(readFileSync(topology, 'utf8')).toBe(readFileSync(join(root, 'topology.yaml'), 'utf8'));

    vi.stubEnv('GEN_DOT_TIMEOUT_MS', '2m');
    expect(() => drawWithDot('digraph {}', 'svg')).toThrow('GEN_DOT_TIMEOUT_MS is "2m", not a number of milliseconds of at least 1');
  });
});
