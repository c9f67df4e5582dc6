// The decision partition of a first-match rule list: the space (source ×
// destination × protocol × port) cut, one dimension after the other, into
// cells in which the same rules match. Each dimension is a sort and a sweep
// over the boundaries of the rules still in play, and equal sub-partitions
// are built once (a cell is keyed by the rules that match in it), so the
// work follows the size of the answer, not rules × rules: 20,000 rules on
// distinct ports make 20,000 cells, not 400 million pairs. The dimension
// that splits the rules least is cut first (see cutOrder).
//
// A segment's rule set is known by a fingerprint kept up to date as rules
// enter and leave (see Sweep), so a set met before costs nothing.
//
// In a cell the first of its rules decides; the second is what would
// decide without the first. That answers, exactly: which rules never
// decide anything (shadowed), which decide the same as what follows them
// (redundant), and what a source may reach (AllowedIPs).
import { randomFillSync } from 'node:crypto';
import type { Ranges } from '../intervals.js';

/**
 * The rules (indices, ascending) that match everywhere in a cell: all of
 * them, or what a LeafView keeps of them.
 */
export interface Leaf {
  kind: 'leaf';
  rules: readonly number[];
}

/**
 * What a leaf keeps of its rule set, followed as groups of rules enter and
 * leave the last dimension's sweep: a view that keeps the first two rules
 * answers in log time where a list of all of them took as long as the set
 * (16,000 rules on overlapping port ranges were 32,000 cells of 8,000
 * rules each, and ran out of memory).
 */
export interface LeafView {
  /** A group with these members (ascending) entered (true) or left (false) the set. */
  toggled(group: number, members: readonly number[], active: boolean): void;
  /** The rules the leaf keeps, ascending. */
  rules(): number[];
}

/** One dimension cut into segments, each with the partition of the next dimensions. */
export interface Node {
  kind: 'node';
  segments: { lo: number; hi: number; child: Node | Leaf }[];
}

export interface Partition {
  root: Node | Leaf;
  /** The dimension each level cuts, from the root down. */
  order: number[];
  /** Every distinct leaf once. */
  leaves: Leaf[];
  /** Work done: events swept plus rule indices listed in cells (a cost that tests can bound). */
  operations: number;
}

// Events are packed into one float each, position × 2^20 + group, so a
// sweep sorts a Float64Array (numeric, no comparator, no allocation per
// event). That is exact while positions stay below 2^33 (addresses reach
// 2^32) and groups below 2^20; beyond either, events are sorted as pairs.
const GROUP_BITS = 2 ** 20;
const POSITION_LIMIT = 2 ** 33;

/**
 * Four random 32-bit words per rule, drawn for each partition. The
 * fingerprint of a set is a XOR of its rules' words, which is linear: with
 * words that a topology could know (a fixed function of the rule index),
 * 130 rules chosen for it would make two different sets with one
 * fingerprint, and give a peer another's AllowedIPs. Words nobody knows in
 * advance make every pair of distinct sets collide with probability 2^-128,
 * whatever the input; the result never depends on the words otherwise.
 */
export function ruleWords(count: number): Uint32Array {
  return randomFillSync(new Uint32Array(4 * count));
}

/**
 * The rule sets along one dimension: positions where rules enter or leave,
 * in order, and a fingerprint of the active set kept up to date as they do.
 * Rules whose ranges in the dimension are one array (the rules to one zone
 * share its list of networks) enter and leave as one group, so a zone of a
 * hundred networks named by 10,000 rules is 200 events, not two million.
 * The fingerprint is the set's size and four 32-bit XOR sums of per-rule
 * random words (see ruleWords; a group's words are XORed once): two
 * different sets share it with probability 2^-128 per pair, so even a
 * billion distinct sets in one partition (far beyond what gen can read)
 * collide with probability below 2^-68.
 */
export class Sweep {
  private readonly at: Float64Array;
  private readonly who: Int32Array;
  /** The rules of each group (a group enters and leaves as one). */
  readonly members: number[][] = [];
  private readonly words: number[] = [];
  private readonly active = new Set<number>();
  private e = 0;
  private h0 = 0;
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  /** Rules in the active set. */
  size = 0;
  /** Events in this dimension (a cost that tests can bound). */
  readonly length: number;

  /**
   * `rules`: the boxes in play, ascending (all when undefined). `toggled`,
   * when given, hears each group enter (true) or leave (false).
   */
  constructor(
    boxes: readonly (readonly Ranges[])[],
    words: Uint32Array,
    dimension: number,
    rules?: readonly number[],
    private readonly toggled?: (group: number, active: boolean) => void,
  ) {
    const groupOf = new Map<Ranges, number>();
    const groups: Ranges[] = [];
    const visit = (r: number) => {
      const ranges = boxes[r]![dimension]!;
      let g = groupOf.get(ranges);
      if (g === undefined) {
        groupOf.set(ranges, (g = groups.length));
        groups.push(ranges);
        this.members.push([]);
        this.words.push(0, 0, 0, 0);
      }
      this.members[g]!.push(r);
      for (let w = 0; w < 4; w++) this.words[4 * g + w] = this.words[4 * g + w]! ^ words[4 * r + w]!;
    };
    const count = rules ? rules.length : boxes.length;
    for (let k = 0; k < count; k++) visit(rules ? rules[k]! : k);

    // Indexed loops here and below: destructuring iterators were a tenth of a large lint's garbage.
    let packed = groups.length < GROUP_BITS;
    let n = 0;
    for (let g = 0; g < groups.length; g++) {
      const ranges = groups[g]!;
      for (let k = 0; k < ranges.length; k++) if (ranges[k]![1] + 1 >= POSITION_LIMIT) packed = false;
      n += 2 * ranges.length;
    }
    this.length = n;
    this.at = new Float64Array(n);
    this.who = new Int32Array(n);
    if (packed) {
      const events = new Float64Array(n);
      let i = 0;
      for (let g = 0; g < groups.length; g++) {
        const ranges = groups[g]!;
        for (let k = 0; k < ranges.length; k++) {
          events[i++] = ranges[k]![0] * GROUP_BITS + g;
          events[i++] = (ranges[k]![1] + 1) * GROUP_BITS + g;
        }
      }
      events.sort();
      for (let k = 0; k < n; k++) {
        const position = Math.floor(events[k]! / GROUP_BITS);
        this.at[k] = position;
        this.who[k] = events[k]! - position * GROUP_BITS;
      }
    } else {
      const pairs: [number, number][] = [];
      groups.forEach((ranges, g) => {
        for (const [lo, hi] of ranges) pairs.push([lo, g], [hi + 1, g]);
      });
      pairs.sort((a, b) => a[0] - b[0]);
      pairs.forEach(([position, g], k) => {
        this.at[k] = position;
        this.who[k] = g;
      });
    }
  }

  /**
   * Applies every event at or before `position`; says whether any applied.
   * A group's ranges are disjoint and not adjacent (normalized), so at one
   * position a group either enters or leaves: each event toggles it.
   */
  advance(position: number): boolean {
    let changed = false;
    while (this.e < this.length && this.at[this.e]! <= position) {
      const g = this.who[this.e++]!;
      if (this.active.delete(g)) {
        this.size -= this.members[g]!.length;
        this.toggled?.(g, false);
      } else {
        this.active.add(g);
        this.size += this.members[g]!.length;
        this.toggled?.(g, true);
      }
      this.h0 ^= this.words[4 * g]!;
      this.h1 ^= this.words[4 * g + 1]!;
      this.h2 ^= this.words[4 * g + 2]!;
      this.h3 ^= this.words[4 * g + 3]!;
      changed = true;
    }
    return changed;
  }

  /** Where the next event is, or Infinity. */
  get next(): number {
    return this.e < this.length ? this.at[this.e]! : Infinity;
  }

  /** The active set's fingerprint, as a key. */
  key(): string {
    return `${this.size}:${this.h0}:${this.h1}:${this.h2}:${this.h3}`;
  }

  /** The active rules, ascending. */
  list(): number[] {
    const out: number[] = [];
    for (const g of this.active) for (const r of this.members[g]!) out.push(r);
    return out.sort((a, b) => a - b);
  }
}

/**
 * Calls `visit` for each segment of `space` in which the same rules are
 * active, with the segment's bounds, whether the set differs from the
 * previous segment's, and the sweep (for its set).
 */
export function segmentsOf(sweep: Sweep, space: Ranges, visit: (lo: number, hi: number, changed: boolean) => void): void {
  let first = true;
  for (const [lo0, hi0] of space) {
    let lo = lo0;
    while (lo <= hi0) {
      const changed = sweep.advance(lo) || first;
      first = false;
      const hi = Math.min(hi0, sweep.next - 1);
      visit(lo, hi, changed);
      lo = hi + 1;
    }
  }
}

/**
 * How much cutting a dimension first costs: the number of different rule
 * sets its segments in `space` have, then the sum of the rules active in
 * each segment. Cutting the dimension with the fewest sets first keeps
 * the sub-partitions to build few (a thousand peers, each with a rule of
 * its own besides the rules of its role, make a thousand different sets by
 * source, but few by destination; a hundred VLANs of one zone are two
 * hundred destination segments but one set).
 */
function cost(boxes: readonly (readonly Ranges[])[], words: Uint32Array, dimension: number, space: Ranges): [number, number] {
  const sweep = new Sweep(boxes, words, dimension);
  const sets = new Set<string>();
  let spread = 0;
  segmentsOf(sweep, space, (_lo, _hi, changed) => {
    if (changed) sets.add(sweep.key());
    spread += sweep.size;
  });
  return [sets.size, spread];
}

/** The dimensions in the order to cut them: `first` as given, then the others by increasing cost. */
export function cutOrder(boxes: readonly (readonly Ranges[])[], space: readonly Ranges[], first: readonly number[] = []): number[] {
  const rest = space.map((_, d) => d).filter((d) => !first.includes(d));
  const words = ruleWords(boxes.length);
  const costs = new Map(rest.map((d) => [d, cost(boxes, words, d, space[d]!)]));
  return [...first, ...rest.sort((a, b) => costs.get(a)![0] - costs.get(b)![0] || costs.get(a)![1] - costs.get(b)![1] || a - b)];
}

/**
 * Partitions `space` (one set of ranges per dimension) by the boxes (one
 * set of ranges per dimension each), cutting the dimensions in `order`.
 * Boxes are numbered by their position. A sub-partition is built once per
 * rule set (known by its fingerprint, see Sweep): a hundred VLANs in one
 * zone are two hundred segments with the same 10,000 rules, and only the
 * first lists them.
 */
export function partition(
  boxes: readonly (readonly Ranges[])[],
  space: readonly Ranges[],
  order: readonly number[] = cutOrder(boxes, space),
  /** Makes the view of the rule sets of one cut of the last dimension, for its number of groups; all rules when undefined. */
  leafView?: (groups: number) => LeafView,
): Partition {
  const dimensions = space.length;
  const words = ruleWords(boxes.length);
  const memo = new Map<string, Node | Leaf>();
  const leaves: Leaf[] = [];
  let operations = 0;

  /** The sub-partition below `level` for a rule set, built once per set (`key` names it). */
  const build = (level: number, key: string, rules: () => readonly number[]): Node | Leaf => {
    const known = memo.get(key);
    if (known) return known;
    let built: Node | Leaf;
    const list = rules();
    operations += list.length;
    if (level === dimensions) {
      built = { kind: 'leaf', rules: list };
      leaves.push(built);
    } else {
      built = { kind: 'node', segments: cut(level, list) };
    }
    memo.set(key, built);
    return built;
  };

  const cut = (level: number, rules: readonly number[]): Node['segments'] => {
    const dimension = order[level]!;
    const viewed = level === dimensions - 1 && leafView !== undefined;
    let view: LeafView | undefined;
    const sweep: Sweep = new Sweep(boxes, words, dimension, rules, viewed ? (g, active) => view!.toggled(g, sweep.members[g]!, active) : undefined);
    if (viewed) view = leafView(sweep.members.length);
    operations += sweep.length;
    const segments: Node['segments'] = [];
    let child: Node | Leaf | undefined;
    segmentsOf(sweep, space[dimension]!, (lo, hi, changed) => {
      if (changed || !child) child = build(level + 1, `${level + 1}:${sweep.key()}`, view ? () => view.rules() : () => sweep.list());
      const last = segments[segments.length - 1];
      if (last && last.child === child && last.hi + 1 === lo) last.hi = hi;
      else segments.push({ lo, hi, child });
    });
    return segments;
  };

  const root = build(0, 'root', () => boxes.map((_, i) => i));
  return { root, order: [...order], leaves, operations };
}
