// The addresses of a rule's sources or destinations: a rule from one peer
// (100,000 of them) takes that peer's ranges as they are, with no copy and
// nothing remembered per rule; a list of several objects is joined once.
import { describe, expect, it } from 'vitest';
import type { PolicyObject } from '../../src/model.js';
import { objectRanges } from '../../src/resolve/matches.js';

const object = (name: string, ranges: [number, number][]) => ({ kind: 'address', name, cidrs: [], ranges }) as unknown as PolicyObject;

describe('objectRanges', () => {
  it('gives a single object\'s own ranges, for each of many rules', () => {
    const peers = Array.from({ length: 10_000 }, (_, i) => object(`p${i}`, [[1000 + 2 * i, 1000 + 2 * i]]));
    const copies = peers.filter((p) => objectRanges([p]) !== p.ranges);
    expect(copies.length).toBe(0);
  });

  it('joins several objects once per list', () => {
    const list = [object('a', [[10, 19]]), object('b', [[20, 29], [40, 49]]), object('c', [[5, 12]])];
    expect(objectRanges(list)).toEqual([[5, 29], [40, 49]]);
    expect(objectRanges(list)).toBe(objectRanges(list));
  });
});
