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
  /** A group of the sweep entered (true) or left (false) the set (its members: see Sweep.starts). */
  toggled(group: number, sweep: Sweep, active: boolean): void;
  /** The rules the leaf keeps, ascending. */
  rules(): number[];
  /**
   * Whether it keeps at most two rules, read in constant time: listing a
   * set again then costs no more than finding it among the sets met, and
   * the last cut makes a leaf at each change of its set without keeping
   * the set's fingerprint (see build).
   */
  readonly few?: boolean;
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
  /** Every distinct leaf once (with a view that keeps few rules, a leaf for each change of the last cut's set: see LeafView.few). */
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

/** Rules up to this many get words that tell every two of their sets apart exactly (see ruleWords). */
const EXACT_RULES = 128;
/** The most bytes one getRandomValues call fills (Web Crypto's limit). */
const RANDOM_CHUNK = 65536;

/**
 * Four 32-bit words (128 bits) per rule. The fingerprint of a set is a XOR
 * of its rules' words, which is linear: with words that a topology could
 * know (a fixed function of the rule index), 130 rules chosen for it would
 * make two different sets with one fingerprint, and give a peer another's
 * AllowedIPs.
 *
 * Rule r < 128 has bit r set, none above it, and random bits below it: in
 * a XOR of distinct rules the bit of the highest stays set, so two
 * different sets of these rules never share a fingerprint (the random bits
 * only spread the sets over SetMemo's first word). Rules from the 129th on
 * get words from the system's CSPRNG, drawn when the boxes are first swept,
 * which no input can know: every pair of sets that differ in one of them
 * collides with probability 2^-128, whatever the input. The result never
 * depends on the words otherwise.
 *
 * Math.random cannot stand in for the CSPRNG: V8's generator is
 * xorshift128, and its numbers are bits of the state, so each bit of its
 * words follows one fixed linear recurrence of degree 128 over GF(2); a
 * topology could place rules whose words XOR to zero for every seed. The
 * CSPRNG is Web Crypto's, which Node loads when it is first used (an
 * import of node:crypto loads it with this module, a few milliseconds of
 * a lint): lists of 128 rules or fewer load none.
 */
export function ruleWords(count: number): Uint32Array {
  const words = new Uint32Array(4 * count);
  const exact = Math.min(count, EXACT_RULES);
  for (let r = 0; r < exact; r++) {
    for (let w = 0; w < 4; w++) {
      // The bits of word w below bit r: all of it, some of it or none.
      const below = Math.min(Math.max(r - 32 * w, 0), 32);
      const noise = (Math.random() * 2 ** 32) >>> 0;
      words[4 * r + w] = below === 32 ? noise : noise & (2 ** below - 1);
    }
    const own = 4 * r + (r >> 5);
    words[own] = words[own]! | (1 << (r & 31));
  }
  for (let start = 4 * exact; start < words.length; start += RANDOM_CHUNK / 4) {
    globalThis.crypto.getRandomValues(words.subarray(start, Math.min(words.length, start + RANDOM_CHUNK / 4)));
  }
  return words;
}

/** The rules grouped by their ranges in one dimension: rules whose ranges there are one array are one group. */
interface Grouping {
  /** Each rule's group. */
  of: Int32Array;
  /** Each group's ranges. */
  ranges: Ranges[];
  /** Scratch for the sweep being made: a group's number in it, -1 when it has none (reset after each sweep). */
  local: Int32Array;
}

/**
 * What every sweep of one list of boxes shares: the rules' words and their
 * grouping in each dimension, made once. The cost estimate, the cuts at
 * every level and the AllowedIPs sweeps all group the same rules; looking
 * each rule's ranges up in a map at every cut, and drawing words for every
 * partition of a subset, was a fifth of a partition.
 */
class BoxIndex {
  readonly words: Uint32Array;
  private readonly groupings: (Grouping | undefined)[] = [];

  constructor(readonly boxes: readonly (readonly Ranges[])[]) {
    this.words = ruleWords(boxes.length);
  }

  grouping(dimension: number): Grouping {
    let grouping = this.groupings[dimension];
    if (grouping) return grouping;
    const groupOf = new Map<Ranges, number>();
    const of = new Int32Array(this.boxes.length);
    const ranges: Ranges[] = [];
    // Neighbouring rules often share a list (a peer's rules, a role's rules): the last one found is asked first, before the map.
    let last: Ranges | undefined;
    let lastGroup = -1;
    for (let r = 0; r < this.boxes.length; r++) {
      const list = this.boxes[r]![dimension]!;
      if (list === last) {
        of[r] = lastGroup;
        continue;
      }
      let g = groupOf.get(list);
      if (g === undefined) {
        groupOf.set(list, (g = ranges.length));
        ranges.push(list);
      }
      of[r] = lastGroup = g;
      last = list;
    }
    grouping = { of, ranges, local: new Int32Array(ranges.length).fill(-1) };
    this.groupings[dimension] = grouping;
    return grouping;
  }
}

const indexes = new WeakMap<readonly (readonly Ranges[])[], BoxIndex>();

function indexOf(boxes: readonly (readonly Ranges[])[]): BoxIndex {
  let index = indexes.get(boxes);
  if (!index) indexes.set(boxes, (index = new BoxIndex(boxes)));
  return index;
}

/**
 * Numbers the groups of the rules in play as met (each group's number in
 * `globalOf`, its number in the grouping's `local`) and counts each
 * group's members into starts[g + 1]; returns the number of groups. The
 * loops of a sweep's constructor are functions of their own (see Sweep).
 */
function groupsOf(grouping: Grouping, rules: readonly number[] | undefined, count: number, globalOf: Int32Array, starts: Int32Array): number {
  const { of, local } = grouping;
  let groups = 0;
  for (let k = 0; k < count; k++) {
    const global = of[rules ? rules[k]! : k]!;
    let g = local[global]!;
    if (g < 0) {
      local[global] = g = groups;
      globalOf[groups++] = global;
    }
    starts[g + 1]!++;
  }
  return groups;
}

/** The grouping's scratch numbers back to -1 for the next sweep. */
function clearLocal(local: Int32Array, globalOf: Int32Array, groups: number): void {
  for (let g = 0; g < groups; g++) local[globalOf[g]!] = -1;
}

/** Counts of members (starts[g + 1]) as offsets (starts[g]: the first member of group g). */
function offsets(starts: Int32Array, groups: number): void {
  for (let g = 0; g < groups; g++) starts[g + 1] = starts[g + 1]! + starts[g]!;
}

/** Each group's members, in rule order, from its offset in `filled` (which it moves on), and the XOR of their words (see ruleWords). */
function membersOf(
  grouping: Grouping,
  rules: readonly number[] | undefined,
  count: number,
  ruleWords: Uint32Array,
  filled: Int32Array,
  members: Int32Array,
  words: Int32Array,
): void {
  const { of, local } = grouping;
  for (let k = 0; k < count; k++) {
    const r = rules ? rules[k]! : k;
    const g = local[of[r]!]!;
    members[filled[g]!++] = r;
    words[4 * g] = words[4 * g]! ^ ruleWords[4 * r]!;
    words[4 * g + 1] = words[4 * g + 1]! ^ ruleWords[4 * r + 1]!;
    words[4 * g + 2] = words[4 * g + 2]! ^ ruleWords[4 * r + 2]!;
    words[4 * g + 3] = words[4 * g + 3]! ^ ruleWords[4 * r + 3]!;
  }
}

/** The events of the groups: two per range. */
function eventCount(ranges: readonly Ranges[], globalOf: Int32Array, groups: number): number {
  let n = 0;
  for (let g = 0; g < groups; g++) n += 2 * ranges[globalOf[g]!]!.length;
  return n;
}

/** The greatest position of an event (a group's ranges are sorted: its last range ends last). */
function lastEnd(ranges: readonly Ranges[], globalOf: Int32Array, groups: number): number {
  let end = 0;
  for (let g = 0; g < groups; g++) {
    const list = ranges[globalOf[g]!]!;
    if (list.length > 0) end = Math.max(end, list[list.length - 1]![1] + 1);
  }
  return end;
}

/** The events packed into one float each (position × 2^20 + group, see GROUP_BITS), unsorted. */
function packEvents(ranges: readonly Ranges[], globalOf: Int32Array, groups: number, events: Float64Array): void {
  let i = 0;
  for (let g = 0; g < groups; g++) {
    const list = ranges[globalOf[g]!]!;
    for (let k = 0; k < list.length; k++) {
      events[i++] = list[k]![0] * GROUP_BITS + g;
      events[i++] = (list[k]![1] + 1) * GROUP_BITS + g;
    }
  }
}

/** The sorted packed events as positions and groups. */
function unpackEvents(events: Float64Array, at: Float64Array, who: Int32Array): void {
  for (let k = 0; k < events.length; k++) {
    const position = Math.floor(events[k]! / GROUP_BITS);
    at[k] = position;
    who[k] = events[k]! - position * GROUP_BITS;
  }
}

/** The events sorted as pairs, where positions or groups are too large to pack. */
function pairEvents(ranges: readonly Ranges[], globalOf: Int32Array, groups: number, at: Float64Array, who: Int32Array): void {
  const pairs: [number, number][] = [];
  for (let g = 0; g < groups; g++) for (const [lo, hi] of ranges[globalOf[g]!]!) pairs.push([lo, g], [hi + 1, g]);
  pairs.sort((a, b) => a[0] - b[0]);
  pairs.forEach(([position, g], k) => {
    at[k] = position;
    who[k] = g;
  });
}

/** Hears a sweep's groups enter and leave its set. */
export interface SweepListener {
  toggled(group: number, sweep: Sweep, active: boolean): void;
}

/**
 * The rule sets along one dimension: positions where rules enter or leave,
 * in order, and a fingerprint of the active set kept up to date as they do.
 * Rules whose ranges in the dimension are one array (the rules to one zone
 * share its list of networks) enter and leave as one group, so a zone of a
 * hundred networks named by 10,000 rules is 200 events, not two million.
 * The fingerprint is the set's size and four 32-bit XOR sums of per-rule
 * words (see ruleWords; a group's words are XORed once): two different
 * sets share it with probability at most 2^-128 per pair, so even a
 * billion distinct sets in one partition (far beyond what gen can read)
 * collide with probability below 2^-68.
 *
 * Its state lives in typed arrays (groups' members, words, the active
 * list): a sweep over 200,000 rules made as many small arrays and set
 * entries, and their collection was a large part of a large lint.
 */
export class Sweep {
  private readonly at: Float64Array;
  private readonly who: Int32Array;
  /** The members of group g, ascending: members[starts[g]] up to members[starts[g + 1]] (a group enters and leaves as one). */
  readonly starts: Int32Array;
  readonly members: Int32Array;
  /**
   * How many groups the rules in play form, numbered as their first members
   * come (the rules are ascending): a group of lower number holds a lower
   * first rule (firstTwo in leaf-views.ts reads the least rule so).
   */
  readonly groups: number;
  private readonly words: Int32Array;
  /** The active groups, in no order, and each group's place in that list (-1 when not active). */
  private readonly active: Int32Array;
  private readonly place: Int32Array;
  private activeCount = 0;
  private e = 0;
  /** The fingerprint of the active set (see SetMemo): its size and four XOR sums. */
  size = 0;
  h0 = 0;
  h1 = 0;
  h2 = 0;
  h3 = 0;
  /** Events in this dimension (a cost that tests can bound). */
  readonly length: number;
  /** Hears each group enter and leave (the leaf view of a partition's last cut). */
  listener: SweepListener | undefined;

  /** `rules`: the boxes in play, ascending (all when undefined). */
  constructor(boxes: readonly (readonly Ranges[])[], dimension: number, rules?: readonly number[]) {
    // Each loop is a function of its own: in one constructor, V8 optimized the whole of it on entering a
    // hot loop (on-stack replacement), with no feedback yet for the loops after it, and left that code at
    // the first of them, on every sweep again (13 deoptimizations in a lint of 10,000 peers).
    const index = indexOf(boxes);
    const grouping = index.grouping(dimension);
    const count = rules ? rules.length : boxes.length;
    const globalOf = new Int32Array(count);
    const starts = new Int32Array(count + 1);
    const groups = groupsOf(grouping, rules, count, globalOf, starts);
    offsets(starts, groups);
    const members = new Int32Array(count);
    const words = new Int32Array(4 * groups);
    membersOf(grouping, rules, count, index.words, starts.slice(0, groups), members, words);
    clearLocal(grouping.local, globalOf, groups);
    this.starts = starts;
    this.members = members;
    this.groups = groups;
    this.words = words;
    this.active = new Int32Array(groups);
    this.place = new Int32Array(groups).fill(-1);
    const n = eventCount(grouping.ranges, globalOf, groups);
    this.length = n;
    this.at = new Float64Array(n);
    this.who = new Int32Array(n);
    if (groups < GROUP_BITS && n > 0 && lastEnd(grouping.ranges, globalOf, groups) < POSITION_LIMIT) {
      const events = new Float64Array(n);
      packEvents(grouping.ranges, globalOf, groups, events);
      events.sort();
      unpackEvents(events, this.at, this.who);
    } else {
      pairEvents(grouping.ranges, globalOf, groups, this.at, this.who);
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
      const place = this.place[g]!;
      const size = this.starts[g + 1]! - this.starts[g]!;
      if (place >= 0) {
        // Out of the active list: the last active group takes its place.
        const last = this.active[--this.activeCount]!;
        this.active[place] = last;
        this.place[last] = place;
        this.place[g] = -1;
        this.size -= size;
        this.listener?.toggled(g, this, false);
      } else {
        this.place[g] = this.activeCount;
        this.active[this.activeCount++] = g;
        this.size += size;
        this.listener?.toggled(g, this, true);
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

  /**
   * The active rules, ascending. Several groups' members are sorted as an
   * Int32Array, numerically in native code: a sort of a JS array with a
   * comparator called JS for every comparison, cold, and the lists at the
   * top of a partition hold thousands of rules (a tenth of the analysis of
   * 20,000 rules).
   */
  list(): number[] {
    if (this.activeCount <= 1) return this.activeCount === 0 ? [] : toArray(this.members.subarray(this.starts[this.active[0]!]!, this.starts[this.active[0]! + 1]!));
    const all = new Int32Array(this.size);
    let n = 0;
    for (let i = 0; i < this.activeCount; i++) {
      const g = this.active[i]!;
      all.set(this.members.subarray(this.starts[g]!, this.starts[g + 1]!), n);
      n += this.starts[g + 1]! - this.starts[g]!;
    }
    return toArray(all.sort());
  }
}

/** The numbers of a typed array as an array. */
function toArray(values: Int32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out.push(values[i]!);
  return out;
}

interface MemoEntry<T> {
  size: number;
  h1: number;
  h2: number;
  h3: number;
  value: T;
  next: MemoEntry<T> | undefined;
}

/**
 * Values by rule set, the set known by a sweep's fingerprint (its size and
 * four words): one map keyed by the first word, the rest compared. A text
 * key joined from the five numbers at every segment was most of what the
 * partition of 200,000 rules allocated.
 */
export class SetMemo<T> {
  private readonly byFirst = new Map<number, MemoEntry<T>>();
  /** How many sets it holds. */
  count = 0;

  /** The value of the sweep's active set, or undefined. */
  get(sweep: Sweep): T | undefined {
    for (let entry = this.byFirst.get(sweep.h0); entry; entry = entry.next) {
      if (entry.size === sweep.size && entry.h1 === sweep.h1 && entry.h2 === sweep.h2 && entry.h3 === sweep.h3) return entry.value;
    }
    return undefined;
  }

  set(sweep: Sweep, value: T): void {
    this.byFirst.set(sweep.h0, { size: sweep.size, h1: sweep.h1, h2: sweep.h2, h3: sweep.h3, value, next: this.byFirst.get(sweep.h0) });
    this.count++;
  }
}

/**
 * Calls `visit` for each segment of `space` in which the same rules are
 * active, with the segment's bounds, whether the set differs from the
 * previous segment's, and the sweep (for its set); stops when `visit`
 * returns false.
 */
export function segmentsOf(sweep: Sweep, space: Ranges, visit: (lo: number, hi: number, changed: boolean) => boolean | void): void {
  let first = true;
  for (let i = 0; i < space.length; i++) {
    let lo = space[i]![0];
    const hi0 = space[i]![1];
    while (lo <= hi0) {
      const changed = sweep.advance(lo) || first;
      first = false;
      const hi = Math.min(hi0, sweep.next - 1);
      if (visit(lo, hi, changed) === false) return;
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
function cost(boxes: readonly (readonly Ranges[])[], dimension: number, space: Ranges, rules?: readonly number[]): [number, number] {
  const sweep = new Sweep(boxes, dimension, rules);
  const sets = new SetMemo<true>();
  let spread = 0;
  segmentsOf(sweep, space, (_lo, _hi, changed) => {
    if (changed && !sets.get(sweep)) sets.set(sweep, true);
    spread += sweep.size;
  });
  return [sets.count, spread];
}

/** The dimensions in the order to cut them: `first` as given, then the others by increasing cost (of the boxes `rules`, ascending; all when undefined). */
export function cutOrder(boxes: readonly (readonly Ranges[])[], space: readonly Ranges[], first: readonly number[] = [], rules?: readonly number[]): number[] {
  const rest = space.map((_, d) => d).filter((d) => !first.includes(d));
  const costs = new Map(rest.map((d) => [d, cost(boxes, d, space[d]!, rules)]));
  return first.concat(rest.sort((a, b) => costs.get(a)![0] - costs.get(b)![0] || costs.get(a)![1] - costs.get(b)![1] || a - b));
}

/**
 * What a partition is made of: the boxes (numbered by their position), the
 * space (one set of ranges per dimension), the dimensions to cut in order
 * (those of `space`, by default all, cheapest first), the view a leaf keeps
 * of its rule set (see LeafView; all rules when undefined) for the number
 * of groups of the last cut, and the boxes in play (ascending; all when undefined).
 */
type PartitionOf = [
  boxes: readonly (readonly Ranges[])[],
  space: readonly Ranges[],
  order?: readonly number[],
  leafView?: (groups: number) => LeafView,
  rules?: readonly number[],
];

/**
 * Partitions `space` by the boxes (one set of ranges per dimension each),
 * cutting the dimensions in order (see PartitionOf). A sub-partition is
 * built once per rule set (known by its fingerprint, see Sweep): a hundred
 * VLANs in one zone are two hundred segments with the same 10,000 rules,
 * and only the first lists them.
 */
export function partition(...of: PartitionOf): Partition {
  const { root, order, leaves, operations } = build(of, true);
  return { root: root as Node | Leaf, order, leaves, operations };
}

/**
 * The leaves of `partition` (the same, found in the same order) without
 * its tree: the decisions and the pass sweep ask only which rule sets the
 * cells have, and the segments of every cut, an object each, were most of
 * what a partition of 200,000 rules kept.
 */
export function partitionLeaves(...of: PartitionOf): Omit<Partition, 'root'> {
  const { order, leaves, operations } = build(of, false);
  return { order, leaves, operations };
}

/**
 * Whether some leaf of the partition passes `test`: the leaves of
 * partitionLeaves, made until one does. Whether a rule set passes anywhere
 * behind its first block (pass-sweep.ts) is often known at the first cell
 * of its ports: 10,000 rules were 10,000 cells, made and then searched.
 */
export function someLeaf(test: (leaf: Leaf) => boolean, ...of: PartitionOf): boolean {
  return build(of, false, test).stopped;
}

/** A sub-partition, or (without the tree) a mark that its rule set was partitioned. */
type Built = Node | Leaf | true;

function build(
  [boxes, space, given, leafView, rules]: PartitionOf,
  tree: boolean,
  until?: (leaf: Leaf) => boolean,
): { root: Built; order: number[]; leaves: Leaf[]; operations: number; stopped: boolean } {
  // The order of the boxes in play: some boxes of a list (all but OPNsense's anti-lockout rule) are cut as the list of them alone would be.
  const order = given ?? cutOrder(boxes, space, [], rules);
  const levels = order.length;
  // The sub-partitions of each level below the root, by rule set.
  const memos = order.map(() => new SetMemo<Built>());
  const leaves: Leaf[] = [];
  let operations = 0;
  // Set when a leaf passes `until` (without the tree only): every sweep then stops.
  let stopped = false;

  /** The sub-partition of `list` from `level` down. */
  const make = (level: number, list: number[]): Built => {
    operations += list.length;
    if (level < levels) return cut(level, list);
    const leaf: Leaf = { kind: 'leaf', rules: list };
    leaves.push(leaf);
    if (until?.(leaf)) stopped = true;
    return tree ? leaf : true;
  };

  const cut = (level: number, list: readonly number[]): Built => {
    const dimension = order[level]!;
    const sweep = new Sweep(boxes, dimension, list);
    const view = level === levels - 1 && leafView !== undefined ? leafView(sweep.groups) : undefined;
    sweep.listener = view;
    operations += sweep.length;
    // A view that keeps few rules makes its leaf again at each change of the set: on distinct ports, each of
    // 20,000 cells has a set of its own, which the memo stored (a fingerprint and a map entry each) and never met again.
    const memo = view?.few ? undefined : memos[level]!;
    if (!tree) {
      // Each rule set met for the first time is partitioned further; no segment is kept.
      segmentsOf(sweep, space[dimension]!, (_lo, _hi, changed) => {
        if (!changed) return !stopped;
        if (!memo) make(level + 1, view!.rules());
        else if (memo.get(sweep) === undefined) memo.set(sweep, make(level + 1, view ? view.rules() : sweep.list()));
        return !stopped;
      });
      return true;
    }
    const segments: Node['segments'] = [];
    let child: Node | Leaf | undefined;
    segmentsOf(sweep, space[dimension]!, (lo, hi, changed) => {
      if (changed || !child) {
        child = memo?.get(sweep) as Node | Leaf | undefined;
        if (!child) {
          child = make(level + 1, view ? view.rules() : sweep.list()) as Node | Leaf;
          memo?.set(sweep, child);
        }
      }
      const last = segments[segments.length - 1];
      if (last && last.child === child && last.hi + 1 === lo) last.hi = hi;
      else segments.push({ lo, hi, child });
    });
    return { kind: 'node', segments };
  };

  const root = make(0, rules ? rules.slice() : indices(boxes.length));
  return { root, order: order.slice(), leaves, operations, stopped };
}

/** 0 to n - 1: Array.from(boxes, (_, i) => i) stepped the boxes' iterator, in cold code an object per box. */
function indices(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i);
  return out;
}
