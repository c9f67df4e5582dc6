// The walk that checks the limits on a topology's shape goes through every
// value the YAML reader made, before anything else looks at them: it must
// cost no more than one look at each.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_VALUE_LENGTH, limitViolation } from '../../src/io/data-limits.js';

describe('the limits walk', () => {
  afterEach(() => vi.restoreAllMocks());

  it('finds the first value past a limit in document order, without a list of keys made per mapping', () => {
    const peers = Array.from({ length: 100_000 }, (_, i) => ({ name: `peer-${i}`, role: 'client', address: `10.0.${i >> 8}.${i & 255}` }));
    const long = 'x'.repeat(MAX_VALUE_LENGTH + 1);
    peers[70_000] = Object.assign({}, peers[70_000]!, { description: long, role: long });
    const keys = vi.spyOn(Object, 'keys');
    const violation = limitViolation({ version: 1, sites: [{ name: 'home', wireguard: [{ name: 'wg0', peers }] }] });
    expect(keys).not.toHaveBeenCalled();
    // role comes before description in the mapping: the first past the limit in the file.
    expect(violation).toEqual({ path: ['sites', 0, 'wireguard', 0, 'peers', 70_000, 'role'], message: `a value of ${long.length} characters; gen accepts at most ${MAX_VALUE_LENGTH} in one value` });
  });
});
