// The set of small numbers behind the first two rules of a cell (leaf-views.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LowestBits } from '../../src/resolve/lowest-bits.js';

describe('LowestBits', () => {
  it('knows its least member, and the least above a number, as a set of the same numbers does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40_000 }), fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 200 }), (size, changes) => {
        const bits = new LowestBits(size);
        const set = new Set<number>();
        for (const [add, n] of changes) {
          const value = n % size;
          // Each number enters when out and leaves when in, as a sweep's groups do.
          if (add && !set.has(value)) {
            bits.add(value);
            set.add(value);
          } else if (!add && set.has(value)) {
            bits.delete(value);
            set.delete(value);
          }
          expect(bits.least()).toBe(set.size === 0 ? -1 : Math.min(...set));
          const above = [...set].filter((x) => x > value);
          expect(bits.after(value)).toBe(above.length === 0 ? -1 : Math.min(...above));
          expect(bits.size).toBe(set.size);
        }
      }),
    );
  });

  it('changes and finds the least of a million numbers, and the next one, in a few word operations each', () => {
    const n = 1_000_000;
    const bits = new LowestBits(n);
    // The worst case: each number alone in its words, so every level changes.
    let bound = 0;
    for (let v = 0; v < n; v += 32 ** 3 + 1) {
      bits.add(v);
      bits.add(n - 1);
      expect(bits.least()).toBe(v);
      expect(bits.after(v)).toBe(v === n - 1 ? -1 : n - 1);
      bits.delete(v);
      bits.delete(n - 1);
      // Four levels of words: a change or the least walks them once at most, the next one up and down (seven).
      bound += 4 * 4 + 4 + 7;
    }
    expect(bits.least()).toBe(-1);
    expect(bits.steps).toBeLessThanOrEqual(bound);
  });
});
