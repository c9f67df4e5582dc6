// FirstCover against the plain answer: the first added range that meets
// the asked one, found by comparing with every earlier range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FirstCover, onPieces } from '../../src/first-cover.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);

describe('FirstCover', () => {
  it('names the earliest added range that meets a range, as a search of every earlier one does', () => {
    const size = 50;
    const range = fc.tuple(fc.integer({ min: -5, max: size + 5 }), fc.integer({ min: -5, max: size + 5 })).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number]);
    const step = fc.record({ add: fc.boolean(), range });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const cover = new FirstCover(size);
        const added: [number, number][] = [];
        for (const { add, range: [lo, hi] } of steps) {
          const clamp = (x: number) => Math.min(Math.max(x, 0), size - 1);
          const plain = added.findIndex(([a, b]) => Math.max(clamp(a), clamp(lo)) <= Math.min(clamp(b), clamp(hi)) && a <= size - 1 && b >= 0 && lo <= size - 1 && hi >= 0);
          expect(cover.first(lo, hi)).toBe(plain === -1 ? undefined : plain);
          if (add) {
            expect(cover.add(lo, hi)).toBe(added.length);
            added.push([lo, hi]);
          }
        }
      }),
      { numRuns: runs },
    );
  });

  it('claims each number once: a hundred thousand ranges over the whole domain are cheap', () => {
    const cover = new FirstCover(65_536);
    for (let i = 0; i < 100_000; i++) cover.add(0, 65_535);
    expect(cover.first(0, 65_535)).toBe(0);
    expect(cover.first(70_000, 80_000)).toBeUndefined();
  });

  it('on the pieces the ranges cut the line into, answers as a search of every earlier range does', () => {
    // Ports 1 to 99,999 as the schema reads them: ranges far apart, touching, nested and equal.
    const port = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 99_999 }));
    const range = fc.tuple(port, port).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number]);
    fc.assert(
      fc.property(fc.array(fc.record({ add: fc.boolean(), range }), { maxLength: 60 }), (steps) => {
        const { size, pieces } = onPieces(steps.map((s) => s.range));
        expect(size).toBeLessThanOrEqual(2 * steps.length);
        const cover = new FirstCover(size);
        const added: [number, number][] = [];
        steps.forEach(({ add, range: [lo, hi] }, i) => {
          const [from, to] = pieces[i]!;
          const plain = added.findIndex(([a, b]) => Math.max(a, lo) <= Math.min(b, hi));
          expect(cover.first(from, to)).toBe(plain === -1 ? undefined : plain);
          if (add) {
            expect(cover.add(from, to)).toBe(added.length);
            added.push([lo, hi]);
          }
        });
      }),
      { numRuns: runs },
    );
  });
});
