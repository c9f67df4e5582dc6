// The decision partition of a first-match rule list: the space (source ×
// destination × protocol × port) cut, one dimension after the other, into
// cells in which the same rules match. Each dimension is a sort and a sweep
// over the boundaries of the rules still in play, and equal sub-partitions
// are built once (a cell is keyed by the rules that match in it), so the
// work follows the size of the answer, not rules × rules: 20,000 rules on
// distinct ports make 20,000 cells, not 400 million pairs. The dimension
// that splits the rules least is cut first (see cutOrder).
//
// In a cell the first of its rules decides; the second is what would
// decide without the first. That answers, exactly: which rules never
// decide anything (shadowed), which decide the same as what follows them
// (redundant), and what a source may reach (AllowedIPs).
import type { Ranges } from '../intervals.js';

/** The rules (indices, ascending) that match everywhere in a cell. */
export interface Leaf {
  kind: 'leaf';
  rules: readonly number[];
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

/**
 * How much a dimension splits the rules: over the segments its boundaries
 * make in `space`, the sum of the rules active in each. Cutting the dimension
 * with the smallest sum first keeps the rule sets of the cells small (a
 * thousand peers, each with a rule of its own besides the rules of its role,
 * make a thousand different sets by source, but few by destination).
 */
function spread(boxes: readonly (readonly Ranges[])[], dimension: number, space: Ranges): number {
  const events: [number, number][] = [];
  for (const box of boxes) for (const [lo, hi] of box[dimension]!) events.push([lo, 1], [hi + 1, -1]);
  for (const [lo, hi] of space) events.push([lo, 0], [hi + 1, 0]);
  events.sort((a, b) => a[0] - b[0]);
  let active = 0;
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    active += events[i]![1];
    if (i + 1 < events.length && events[i + 1]![0] !== events[i]![0]) total += active;
  }
  return total;
}

/** The dimensions in the order to cut them: `first` as given, then the others by increasing spread. */
export function cutOrder(boxes: readonly (readonly Ranges[])[], space: readonly Ranges[], first: readonly number[] = []): number[] {
  const rest = space.map((_, d) => d).filter((d) => !first.includes(d));
  const cost = new Map(rest.map((d) => [d, spread(boxes, d, space[d]!)]));
  return [...first, ...rest.sort((a, b) => cost.get(a)! - cost.get(b)! || a - b)];
}

/**
 * Partitions `space` (one set of ranges per dimension) by the boxes (one
 * set of ranges per dimension each), cutting the dimensions in `order`.
 * Boxes are numbered by their position.
 */
export function partition(boxes: readonly (readonly Ranges[])[], space: readonly Ranges[], order: readonly number[] = cutOrder(boxes, space)): Partition {
  const dimensions = space.length;
  const memo = new Map<string, Node | Leaf>();
  const leaves: Leaf[] = [];
  let operations = 0;

  const build = (level: number, rules: readonly number[]): Node | Leaf => {
    const key = `${level}:${rules.join(',')}`;
    const known = memo.get(key);
    if (known) return known;
    let built: Node | Leaf;
    if (level === dimensions) {
      built = { kind: 'leaf', rules };
      leaves.push(built);
    } else {
      built = { kind: 'node', segments: sweep(level, rules) };
    }
    memo.set(key, built);
    return built;
  };

  const sweep = (level: number, rules: readonly number[]): Node['segments'] => {
    // Events: a rule enters at the start of each of its ranges and leaves after its end.
    const events: [number, number][] = [];
    const dimension = order[level]!;
    for (const r of rules) for (const [lo, hi] of boxes[r]![dimension]!) events.push([lo, r + 1], [hi + 1, -(r + 1)]);
    events.sort((a, b) => a[0] - b[0]);
    operations += events.length;
    const segments: Node['segments'] = [];
    const active = new Set<number>();
    let e = 0;
    let list: number[] | undefined;
    for (const [lo0, hi0] of space[dimension]!) {
      let lo = lo0;
      while (lo <= hi0) {
        // Apply every event at or before `lo`.
        while (e < events.length && events[e]![0] <= lo) {
          const [, v] = events[e++]!;
          if (v > 0) active.add(v - 1);
          else active.delete(-v - 1);
          list = undefined;
        }
        const next = e < events.length ? events[e]![0] : Infinity;
        const hi = Math.min(hi0, next - 1);
        if (!list) {
          list = [...active].sort((a, b) => a - b);
          operations += list.length;
        }
        const child = build(level + 1, list);
        const last = segments[segments.length - 1];
        if (last && last.child === child && last.hi + 1 === lo) last.hi = hi;
        else segments.push({ lo, hi, child });
        lo = hi + 1;
      }
    }
    return segments;
  };

  const root = build(0, boxes.map((_, i) => i));
  return { root, order: [...order], leaves, operations };
}
