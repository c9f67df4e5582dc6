// The earliest of the ranges added so far that meets a given range, on a
// small integer domain (port numbers): what a check that compares each new
// item with every earlier one needs, without doing that comparison. Each
// number remembers the first range that covered it (a number is claimed
// once: a union-find skips the claimed ones), and a segment tree answers
// the least claim in a range. Adding and asking cost O(log size) each,
// plus the numbers newly claimed. upstream/duplicate-external-port
// compared each of 150,000 port forwards with every earlier one and ran
// for more than ten minutes; with this, the whole lint of that file took
// 13.5 s.

const NONE = 0x7fffffff;

export class FirstCover {
  private readonly leaves: number;
  /** Segment tree: tree[leaves + p] is the claim of number p, an inner node the least claim below it. */
  private readonly tree: Int32Array;
  /**
   * Union-find over numbers: 0 while p is unclaimed, else 1 + a later
   * number on the way to the next unclaimed one (`size` when none). Zero
   * for "itself" needs no pass over the domain to set up: a loop over
   * 65,536 ports took milliseconds of a short run's start.
   */
  private readonly next: Int32Array;
  private added = 0;

  /** Numbers 0 .. size - 1. */
  constructor(private readonly size: number) {
    let leaves = 1;
    while (leaves < size) leaves *= 2;
    this.leaves = leaves;
    this.tree = new Int32Array(2 * leaves).fill(NONE);
    this.next = new Int32Array(size + 1);
  }

  /** Adds [lo, hi] (clamped to the domain) as the next range; returns its index (0, 1, ...). */
  add(lo: number, hi: number): number {
    const index = this.added++;
    const last = Math.min(hi, this.size - 1);
    const from = Math.max(lo, 0);
    if (from > last) return index;
    for (let p = this.unclaimed(from); p <= last; p = this.unclaimed(p + 1)) {
      this.next[p] = p + 2;
      for (let node = this.leaves + p; node >= 1 && this.tree[node]! > index; node >>= 1) this.tree[node] = index;
    }
    return index;
  }

  /** The index of the earliest added range that meets [lo, hi], or undefined. */
  first(lo: number, hi: number): number | undefined {
    let best = NONE;
    let l = Math.max(lo, 0) + this.leaves;
    let r = Math.min(hi, this.size - 1) + this.leaves + 1;
    while (l < r) {
      if (l & 1) best = Math.min(best, this.tree[l++]!);
      if (r & 1) best = Math.min(best, this.tree[--r]!);
      l >>= 1;
      r >>= 1;
    }
    return best === NONE ? undefined : best;
  }

  private unclaimed(p: number): number {
    let root = p;
    while (this.next[root] !== 0) root = this.next[root]! - 1;
    // Path compression: later walks from these numbers jump straight to the root.
    for (let q = p; q !== root; ) {
      const following = this.next[q]! - 1;
      this.next[q] = root + 1;
      q = following;
    }
    return root;
  }
}

/**
 * Integer ranges [lo, hi] (lo <= hi) rewritten on the pieces their ends cut
 * the number line into: piece i runs from the i-th distinct end (a range's lo
 * or hi + 1, ascending) to just before the next. Two ranges share a number
 * exactly when they share a piece, so a FirstCover over `size` pieces answers
 * as one over every number would, and costs what the ranges are, not what
 * their domain is: a lint of a topology with one port forward set up two
 * covers of 100,000 numbers (3 MB) for it.
 */
export function onPieces(ranges: readonly (readonly [number, number])[]): { size: number; pieces: [number, number][] } {
  const ends = new Float64Array(2 * ranges.length);
  ranges.forEach(([lo, hi], i) => {
    ends[2 * i] = lo;
    ends[2 * i + 1] = hi + 1;
  });
  ends.sort();
  const piece = new Map<number, number>();
  for (const end of ends) if (!piece.has(end)) piece.set(end, piece.size);
  return { size: piece.size, pieces: ranges.map(([lo, hi]) => [piece.get(lo)!, piece.get(hi + 1)! - 1]) };
}

