// A file gen writes is built as one string, and Node holds at most about
// 512 MiB in one: a topology far larger than any benchmark meets that
// limit as V8's RangeError. It is an environment limit: one sentence and
// exit 1, not an internal error. The error here is V8's own, made by
// asking for a string past the limit, and `gen graph` meets it where the
// diagram is built.
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { stringLimitSentence } from '../../src/io/errors.js';
import { root } from '../helpers.js';

const tooLong = (): never => {
  'x'.repeat(2 ** 30);
  throw new Error('V8 made a string of 2^30 characters');
};

vi.mock('../../src/graph/build.js', () => ({ buildGraph: tooLong }));

describe("Node's limit on one string", () => {
  it('is recognised from the error V8 throws, and only from that one', () => {
    let error: unknown;
    try {
      tooLong();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect(stringLimitSentence(error)).toMatch(/longer than Node.js can hold in one string/);
    expect(stringLimitSentence(new RangeError('Maximum call stack size exceeded'))).toBeUndefined();
    expect(stringLimitSentence(new Error('Invalid string length'))).toBeUndefined();
  });

  it('ends a command with one sentence and exit 1', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['graph', `${root}/topology.yaml`]);
    const written = stderr.mock.calls.map((c) => String(c[0])).join('');
    stderr.mockRestore();
    expect(written).toMatch(/^gen: a file to write would be longer than Node.js can hold in one string \(about 512 MiB\)[^\n]*\n$/);
    expect(code).toBe(1);
  });
});
