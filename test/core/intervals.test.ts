// Interval sets and prefix aggregation, checked against plain set
// membership on random sets (fast-check): every operation, and the CIDR
// cover that becomes a client's AllowedIPs, must be exactly the same set.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Range, complement, covers, has, intersect, normalize, size, subtract, toBlocks, toCidrs, union, unionAll } from '../../src/intervals.js';
import { blockLast } from '../../src/net.js';
import { countArrayCalls } from '../helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
// A window of the address space with awkward alignment: sets near 10.0.0.0 and near the top.
const BASES = [0x0a000000, 0xffffff00 - 512, 0];
const SPAN = 600;

const rangesIn = (base: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: SPAN - 1 }), fc.integer({ min: 0, max: 40 })), { maxLength: 8 }).map((list) =>
    list.map(([start, length]) => [base + start, Math.min(base + SPAN - 1, base + start + length)] as Range),
  );

function members(ranges: readonly Range[], base: number): Set<number> {
  const set = new Set<number>();
  for (const [lo, hi] of ranges) for (let x = Math.max(lo, base); x <= Math.min(hi, base + SPAN + 40); x++) set.add(x);
  return set;
}

function inSet(ranges: readonly Range[], x: number): boolean {
  return ranges.some(([lo, hi]) => x >= lo && x <= hi);
}

describe('interval sets', () => {
  it('normalize, union, intersect, subtract and complement agree with set membership', () => {
    for (const base of BASES) {
      fc.assert(
        fc.property(rangesIn(base), rangesIn(base), (a, b) => {
          const na = normalize(a);
          const nb = normalize(b);
          // Normal form: sorted, disjoint, never adjacent.
          for (const list of [na, nb, union(na, nb), intersect(na, nb), subtract(na, nb)]) {
            list.forEach(([lo, hi], i) => {
              expect(lo).toBeLessThanOrEqual(hi);
              if (i > 0) expect(lo).toBeGreaterThan(list[i - 1]![1] + 1);
            });
          }
          const space: Range = [base, base + SPAN - 1];
          // One comparison per operation over the whole window (an expect per point is slow).
          const wrong: string[] = [];
          for (let x = base - 2; x < base + SPAN + 2; x++) {
            const inA = inSet(a, x);
            const inB = inSet(b, x);
            if (has(na, x) !== inA) wrong.push(`normalize ${x}`);
            if (has(union(na, nb), x) !== (inA || inB)) wrong.push(`union ${x}`);
            if (has(intersect(na, nb), x) !== (inA && inB)) wrong.push(`intersect ${x}`);
            if (has(subtract(na, nb), x) !== (inA && !inB)) wrong.push(`subtract ${x}`);
            if (x >= base && x < base + SPAN && has(complement(na, space), x) === inA) wrong.push(`complement ${x}`);
          }
          expect(wrong).toEqual([]);
          expect(covers(union(na, nb), na)).toBe(true);
          expect(covers(na, union(na, nb))).toBe(subtract(nb, na).length === 0);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('unionAll of many sets is the union of them one by one', () => {
    for (const base of BASES) {
      fc.assert(
        fc.property(fc.array(rangesIn(base), { maxLength: 12 }), (lists) => {
          const sets = lists.map(normalize);
          expect(unionAll(sets)).toEqual(sets.reduce<Range[]>((acc, set) => union(acc, set), []));
        }),
        { numRuns: RUNS },
      );
    }
    expect(unionAll([])).toEqual([]);
  });

  it('toBlocks is an exact cover with the fewest prefixes', () => {
    for (const base of BASES) {
      fc.assert(
        fc.property(rangesIn(base), (a) => {
          const set = normalize(a);
          const blocks = toBlocks(set);
          // Exactly the same addresses.
          const covered = new Set<number>();
          for (const block of blocks) {
            for (let x = block.base; x <= blockLast(block); x++) {
              expect(covered.has(x), 'blocks are disjoint').toBe(false);
              covered.add(x);
            }
          }
          expect([...covered].sort((x, y) => x - y)).toEqual([...members(set, base)].sort((x, y) => x - y));
          // Fewest: no two blocks are the halves of one larger block (an exact cover
          // of aligned blocks without such a pair is the unique minimal one).
          const keys = new Set(blocks.map((b) => `${b.base}/${b.prefix}`));
          for (const block of blocks) {
            const sibling = block.base ^ block.size;
            if (block.prefix > 0) expect(keys.has(`${sibling >>> 0}/${block.prefix}`), `${block.cidr} has its sibling`).toBe(false);
          }
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('aggregates the way a reader expects', () => {
    expect(toCidrs([[0x0a000000, 0x0a0001ff]])).toEqual(['10.0.0.0/23']);
    expect(toCidrs([[0x0a000101, 0x0a000106]])).toEqual(['10.0.1.1/32', '10.0.1.2/31', '10.0.1.4/31', '10.0.1.6/32']);
    expect(toCidrs([[0, 2 ** 32 - 1]])).toEqual(['0.0.0.0/0']);
    expect(toCidrs([[0xffffffff, 0xffffffff]])).toEqual(['255.255.255.255/32']);
    expect(toCidrs([])).toEqual([]);
  });
});

describe('the cost of the set operations', () => {
  it('read each range by index: no iterator is made for a range, which cold code pays as an object each', () => {
    // 20,000 disjoint ranges, and as many single addresses to look up: what a flow query over a large policy asks.
    const ranges: Range[] = Array.from({ length: 20_000 }, (_, i) => [10 * i, 10 * i + 4]);
    const holes: Range[] = Array.from({ length: 20_000 }, (_, i) => [10 * i + 2, 10 * i + 7]);
    const { result, calls } = countArrayCalls([Symbol.iterator], () => {
      let found = 0;
      for (let x = 0; x < 200_000; x += 3) if (has(ranges, x)) found++;
      return { found, all: [normalize(holes.concat(ranges)), union(ranges, holes), union([], ranges), subtract(ranges, holes), intersect(ranges, holes), size(ranges)] };
    });
    expect(calls).toBe(0);
    // The answers themselves, against the plain reading of each set.
    expect(result.found).toBe(Array.from({ length: 66_667 }, (_, k) => 3 * k).filter((x) => x % 10 <= 4).length);
    const [normal, joined, copy, rest, common, count] = result.all as [Range[], Range[], Range[], Range[], Range[], number];
    expect(normal).toEqual(joined);
    expect(normal).toEqual(Array.from({ length: 20_000 }, (_, i) => [10 * i, 10 * i + 7]));
    expect(copy).toEqual(ranges);
    expect(copy).not.toBe(ranges);
    expect(rest).toEqual(Array.from({ length: 20_000 }, (_, i) => [10 * i, 10 * i + 1]));
    expect(common).toEqual(Array.from({ length: 20_000 }, (_, i) => [10 * i + 2, 10 * i + 4]));
    expect(count).toBe(100_000);
  });
});
