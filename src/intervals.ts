// Sets of integers as sorted, disjoint ranges: the address sets of policy
// objects, port lists, and the cells of the policy analysis. Every
// operation is a merge of two sorted lists (linear), so set arithmetic on
// large policies stays cheap. Ranges are inclusive: [10, 20] holds 11
// numbers.
//
// Ranges are read by index, never destructured (const [lo, hi] = r),
// spread or walked with for-of: until V8 optimizes a function, each of
// those runs the iterator protocol, an object per range, and these run
// over every rule of a large policy once, cold (has() alone was half of
// the first flow query of 20,000 rules).
import { type Block, blockOf } from './net.js';

export type Range = readonly [number, number];
/** Sorted by start, disjoint and never adjacent (adjacent ranges are joined). */
export type Ranges = readonly Range[];

/** Every IPv4 address. */
export const ADDRESS_SPACE: Range = [0, 2 ** 32 - 1];
/** Every port number. */
export const PORT_SPACE: Range = [0, 65535];

/** Any list of ranges (unsorted, overlapping, reversed ends) as a normal set. */
export function normalize(ranges: readonly Range[]): Range[] {
  return joinSorted(ranges.map((r) => (r[0] <= r[1] ? [r[0], r[1]] : [r[1], r[0]]) as Range).sort((x, y) => x[0] - y[0] || x[1] - y[1]));
}

/**
 * The union of many sets: one sort of all their ranges. Folding union over
 * the members of a zone copied the growing result once per member (a zone
 * of 8,000 members, 32 million range copies).
 */
export function unionAll(sets: Iterable<Ranges>): Range[] {
  const all: Range[] = [];
  for (const set of sets) for (let i = 0; i < set.length; i++) all.push(set[i]!);
  return normalize(all);
}

/** Ranges sorted by start, with the overlapping and adjacent ones joined. */
function joinSorted(sorted: readonly Range[]): Range[] {
  const out: [number, number][] = [];
  for (let i = 0; i < sorted.length; i++) {
    const lo = sorted[i]![0];
    const hi = sorted[i]![1];
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function union(a: Ranges, b: Ranges): Range[] {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a.slice();
  // Merge of two sorted lists, then join what touches.
  const merged: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) merged.push(j >= b.length || (i < a.length && a[i]![0] <= b[j]![0]) ? a[i++]! : b[j++]!);
  return joinSorted(merged);
}

export function intersect(a: Ranges, b: Ranges): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

export function subtract(a: Ranges, b: Ranges): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    let lo = a[i]![0];
    const hi = a[i]![1];
    while (j < b.length && b[j]![1] < lo) j++;
    let k = j;
    while (k < b.length && b[k]![0] <= hi) {
      if (b[k]![0] > lo) out.push([lo, b[k]![0] - 1]);
      lo = Math.max(lo, b[k]![1] + 1);
      if (lo > hi) break;
      k++;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

export function complement(a: Ranges, space: Range): Range[] {
  return subtract([space], a);
}

export function isEmpty(a: Ranges): boolean {
  return a.length === 0;
}

/** Whether `x` is in the set (binary search). */
export function has(a: Ranges, x: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = a[mid]!;
    if (x < range[0]) hi = mid - 1;
    else if (x > range[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Whether every number of `b` is in `a`. */
export function covers(a: Ranges, b: Ranges): boolean {
  return subtract(b, a).length === 0;
}

export function overlaps(a: Ranges, b: Ranges): boolean {
  // The walk of intersect, stopping at the first common number (it is asked once per rule and flow).
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (Math.max(a[i]![0], b[j]![0]) <= Math.min(a[i]![1], b[j]![1])) return true;
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return false;
}

export function equal(a: Ranges, b: Ranges): boolean {
  return a.length === b.length && a.every((r, i) => r[0] === b[i]![0] && r[1] === b[i]![1]);
}

/** How many numbers the set holds. */
export function size(a: Ranges): number {
  return a.reduce((n, r) => n + r[1] - r[0] + 1, 0);
}

/** Index of the first of sorted, disjoint ranges that ends at or after x (ranges.length when none does). */
export function firstEndingAtOrAfter(ranges: readonly { hi: number }[], x: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.hi < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function blockRange(block: Block): Range {
  return [block.base, block.base + block.size - 1];
}

export function fromBlocks(blocks: readonly Block[]): Range[] {
  return normalize(blocks.map(blockRange));
}

/**
 * The fewest CIDR blocks whose union is exactly the set: each range is cut
 * greedily into the largest aligned blocks (a range has one such cover and
 * it is minimal; ranges of a normal set never share a block).
 */
export function toBlocks(a: Ranges): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < a.length; i++) {
    const hi = a[i]![1];
    let start = a[i]![0];
    while (start <= hi) {
      // The largest power of two that divides `start` (any size at 0) and fits in what is left.
      let size = start === 0 ? 2 ** 32 : 2 ** Math.min(32, trailingZeros(start));
      while (size > hi - start + 1) size /= 2;
      out.push(blockOf(start, 32 - Math.log2(size)));
      start += size;
    }
  }
  return out;
}

function trailingZeros(n: number): number {
  let z = 0;
  while (n % 2 === 0 && z < 32) {
    n /= 2;
    z++;
  }
  return z;
}

/** CIDR texts of `toBlocks`. */
export function toCidrs(a: Ranges): string[] {
  return toBlocks(a).map((b) => b.cidr);
}
