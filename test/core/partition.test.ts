// The decision partition against brute force: on random first-match rule
// lists (random source, destination, protocol and port sets), the rules
// that decide something, the rules that decide differently from what
// follows them, and what each source may reach must be exactly what
// evaluating every cell one by one gives (fast-check).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type Range, type Ranges, normalize } from '../../src/intervals.js';
import type { Match } from '../../src/resolve/matches.js';
import { firstTwo } from '../../src/resolve/leaf-views.js';
import { LowestBits } from '../../src/resolve/lowest-bits.js';
import { SetMemo, Sweep, partition, partitionLeaves, someLeaf } from '../../src/resolve/partition.js';
import { reachBySource } from '../../src/resolve/reach.js';
import { ruleDecisions } from '../../src/rules/policy.js';
import { root } from '../helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

// Small coordinates: addresses 0-40, protocols 0-3, ports 0-30; the space beyond is empty of rules.
const ranges = (max: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 8 })), { minLength: 1, maxLength: 3 }).map((list) => normalize(list.map(([a, n]) => [a, Math.min(max, a + n)] as Range)));
const action = fc.constantFrom<Match['action']>('pass', 'block', 'reject');
const rule = fc.record({ box: fc.tuple(ranges(40), ranges(40), ranges(3), ranges(30)), action });
/** Rules that share range lists (one array object), as rules to one zone do: the partition sweeps such a list once for all of them. */
const sharedRules = fc
  .tuple(fc.array(ranges(40), { minLength: 1, maxLength: 3 }), fc.array(ranges(30), { minLength: 1, maxLength: 3 }))
  .chain(([addresses, ports]) =>
    fc.array(
      fc.record({
        box: fc.tuple(fc.constantFrom(...addresses), fc.constantFrom(...addresses), ranges(3), fc.constantFrom(...ports)),
        action,
      }),
      { minLength: 1, maxLength: 8 },
    ),
  );
const RULE_LISTS = [
  ['rules with ranges of their own', fc.array(rule, { minLength: 1, maxLength: 6 })],
  ['rules sharing range lists', sharedRules],
] as const;

/** The cells' corner points in one dimension: every range start and the point after every range end. */
function points(rules: { box: Range[][] }[], dimension: number, max: number): number[] {
  const set = new Set<number>([0, max + 1]);
  for (const r of rules) for (const [lo, hi] of r.box[dimension]!) set.add(lo).add(hi + 1);
  return [...set].sort((a, b) => a - b);
}

/** The indices whose flag is set, ascending. */
function flagged(flags: Uint8Array): number[] {
  const out: number[] = [];
  flags.forEach((f, i) => f && out.push(i));
  return out;
}

function contains(ranges: readonly Range[], x: number): boolean {
  return ranges.some(([lo, hi]) => x >= lo && x <= hi);
}

/** Every cell (one corner point per dimension), and the rules that match there, in order. */
function* cells(rules: { box: Range[][] }[]): Generator<{ point: number[]; matching: number[] }> {
  const [s, d, p, q] = [points(rules, 0, 40), points(rules, 1, 40), points(rules, 2, 3), points(rules, 3, 30)];
  for (const a of s) for (const b of d) for (const c of p) for (const e of q) {
    const point = [a, b, c, e];
    yield { point, matching: rules.flatMap((r, i) => (r.box.every((ranges, dim) => contains(ranges, point[dim]!)) ? [i] : [])) };
  }
}

describe.each(RULE_LISTS)('the decision partition of %s', (_name, ruleLists) => {
  it('finds exactly the rules that decide some cell, and those that decide one differently from what follows', () => {
    fc.assert(
      fc.property(ruleLists, (rules) => {
        const decisions = ruleDecisions(rules.map((r) => r.box), rules.map((r) => r.action));
        const decides = new Set<number>();
        const changes = new Set<number>();
        const all = [...cells(rules)];
        for (const { matching } of all) {
          const [first, next] = matching;
          if (first === undefined) continue;
          decides.add(first);
          if ((next === undefined ? 'block' : rules[next]!.action) !== rules[first]!.action) changes.add(first);
        }
        expect(flagged(decisions.decides)).toEqual([...decides].sort((a, b) => a - b));
        expect(flagged(decisions.changes)).toEqual([...changes].sort((a, b) => a - b));
        // Who covers each rule that decides nothing, and what follows each rule that changes nothing.
        const coveredBy = new Map<number, Set<number>>();
        const followedBy = new Map<number, Set<number>>();
        const add = (map: Map<number, Set<number>>, key: number, value: number) => map.set(key, (map.get(key) ?? new Set()).add(value));
        for (const { matching } of all) {
          const [first, next] = matching;
          if (first === undefined) continue;
          if (!changes.has(first)) add(followedBy, first, next ?? -1);
          for (const r of matching.slice(1)) if (!decides.has(r)) add(coveredBy, r, first);
        }
        const sorted = (map: Map<number, Set<number>>) => [...map].map(([k, v]) => [k, [...v].sort()]).sort((x, y) => Number(x[0]) - Number(y[0]));
        expect(sorted(decisions.coveredBy)).toEqual(sorted(coveredBy));
        expect(sorted(decisions.followedBy)).toEqual(sorted(followedBy));
      }),
      { numRuns: RUNS },
    );
  });

  it('decides for some of the rules, named by index, as for a list of those rules alone (the anti-lockout rule left out so)', () => {
    fc.assert(
      fc.property(ruleLists, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (rules, keep) => {
        const kept = rules.flatMap((_, i) => (keep[i] ? [i] : []));
        const within = ruleDecisions(rules.map((r) => r.box), rules.map((r) => r.action), kept);
        const alone = ruleDecisions(kept.map((i) => rules[i]!.box), kept.map((i) => rules[i]!.action));
        // Indices of the whole list, read as positions among the kept rules (-1, the default deny, stays).
        const position = (i: number) => (i < 0 ? i : kept.indexOf(i));
        const flags = (f: Uint8Array) => flagged(f).map(position);
        const pairs = (map: Map<number, Set<number>>, at: (i: number) => number) =>
          [...map].map(([k, v]) => [at(k), [...v].map(at).sort((x, y) => x - y)] as const).sort((x, y) => x[0] - y[0]);
        const same = (i: number) => i;
        expect(flagged(within.decides).every((i) => kept.includes(i))).toBe(true);
        expect(flags(within.decides)).toEqual(flagged(alone.decides));
        expect(flags(within.changes)).toEqual(flagged(alone.changes));
        expect(pairs(within.coveredBy, position)).toEqual(pairs(alone.coveredBy, same));
        expect(pairs(within.followedBy, position)).toEqual(pairs(alone.followedBy, same));
      }),
      { numRuns: RUNS },
    );
  });

  it('has the same leaves, in the same order and for the same work, whether its tree is kept or not', () => {
    fc.assert(
      fc.property(ruleLists, (rules) => {
        const boxes = rules.map((r) => r.box);
        const space = [[[0, 41]], [[0, 41]], [[0, 3]], [[0, 31]]] as Range[][];
        const whole = partition(boxes, space);
        const leavesOnly = partitionLeaves(boxes, space);
        expect(leavesOnly.leaves).toEqual(whole.leaves);
        expect([leavesOnly.order, leavesOnly.operations]).toEqual([whole.order, whole.operations]);
        expect(leavesOnly).not.toHaveProperty('root');
      }),
      { numRuns: RUNS },
    );
  });

  it('has some leaf that passes a test exactly when the leaves of the whole partition do', () => {
    fc.assert(
      fc.property(ruleLists, fc.integer({ min: 0, max: 6 }), (rules, first) => {
        const boxes = rules.map((r) => r.box);
        const space = [[[0, 41]], [[0, 41]], [[0, 3]], [[0, 31]]] as Range[][];
        const test = (leaf: { rules: readonly number[] }) => leaf.rules[0] === first;
        expect(someLeaf(test, boxes, space)).toBe(partitionLeaves(boxes, space).leaves.some(test));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives each source exactly the destinations some protocol and port is passed to', () => {
    fc.assert(
      fc.property(ruleLists, fc.uniqueArray(fc.integer({ min: 0, max: 41 }), { minLength: 1, maxLength: 6 }), (rules, sources) => {
        const addresses = [...sources].sort((a, b) => a - b);
        const reach = reachBySource(rules, addresses);
        const destinations = points(rules, 1, 40);
        addresses.forEach((source, i) => {
          for (let dst = 0; dst <= 41; dst++) {
            // Brute force: is there a protocol and port where the first matching rule passes?
            let passed = false;
            for (let proto = 0; proto <= 3 && !passed; proto++) {
              for (let port = 0; port <= 31 && !passed; port++) {
                const first = rules.find((r) => contains(r.box[0]!, source) && contains(r.box[1]!, dst) && contains(r.box[2]!, proto) && contains(r.box[3]!, port));
                passed = first?.action === 'pass';
              }
            }
            expect(contains(reach[i]!, dst), `source ${source}, destination ${dst} (${destinations.join(',')})`).toBe(passed);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the work of a partition', () => {
  /** `rules` rules from one source to one zone of `networks` networks (one shared list, as a zone's rules have), each on a port of its own. */
  function zoneRules(rules: number, networks: number): Range[][][] {
    const zone: Range[] = Array.from({ length: networks }, (_, n) => [n * 256, n * 256 + 255] as Range);
    return Array.from({ length: rules }, (_, r) => [[[1 << 24, 1 << 24]], zone, [[0, 0]], [[r + 1, r + 1]]]);
  }
  const space: Range[][] = [[[0, 2 ** 32]], [[0, 2 ** 32]], [[0, 3]], [[0, 65535]]];
  const work = (rules: number, networks: number, order?: number[]) => partition(zoneRules(rules, networks), space, order).operations;

  it.each([
    ['the order it chooses', undefined],
    ['destinations first (AllowedIPs)', [1, 0, 2, 3]],
  ])('grows with the rules, not with rules × networks of their zone (%s)', (_name, order) => {
    // Each network of the zone is a segment with the same rules: its rule set is listed once, not once per network.
    expect(work(1000, 200, order)).toBeLessThan(1.1 * work(1000, 100, order));
    expect(work(2000, 100, order)).toBeLessThan(2.5 * work(1000, 100, order));
  });

  it('finds the first two rules of a cell in a few word operations per group that enters or leaves', () => {
    // 60,000 rules, each on a port of its own: 60,000 groups enter and leave the last cut, and each makes a cell.
    const least = vi.spyOn(LowestBits.prototype, 'least');
    try {
      const { leaves } = partitionLeaves(zoneRules(60_000, 1), space, [0, 1, 2, 3], firstTwo);
      expect(leaves.filter((leaf) => leaf.rules.length === 1).length).toBe(60_000);
      // Each cell's first rule is read from the set of active groups, once.
      expect(least.mock.calls.length).toBe(leaves.length);
      const steps = [...new Set(least.mock.contexts as LowestBits[])].reduce((sum, bits) => sum + bits.steps, 0);
      // Four levels of words: a change each time a group enters and leaves, and a search for the first; a
      // segment tree of the groups' values walked 16 levels per change.
      expect(steps).toBeLessThanOrEqual(12 * 60_000);
    } finally {
      least.mockRestore();
    }
  });

  it('keeps no fingerprint of the sets of its last cut where the leaves keep the first two rules', () => {
    // 20,000 rules, each on a port of its own: each port is a cell whose set no other cell has.
    const stored = vi.spyOn(SetMemo.prototype, 'set');
    try {
      const { leaves } = partitionLeaves(zoneRules(20_000, 1), space, [0, 1, 2, 3], firstTwo);
      const firsts = leaves.flatMap((leaf) => leaf.rules.slice(0, 1));
      expect(firsts).toEqual(Array.from({ length: 20_000 }, (_, r) => r));
      // The sets of the cuts above it: a few (with and without the rules, per level).
      expect(stored.mock.calls.length).toBeLessThan(10);
    } finally {
      stored.mockRestore();
    }
  });
});

describe('the grouping of rules by their ranges', () => {
  it('asks the map of lists only where the list of a rule differs from the one before it', () => {
    // 100,000 rules in runs of 1,000 that share each list (a role's rules, a peer's rules): 100 lists per dimension.
    const lists = Array.from({ length: 100 }, (_, i): Range[][] => [[[i, i]], [[2, 2]], [[0, 0]], [[1 + i, 1 + i]]]);
    const boxes = Array.from({ length: 100_000 }, (_, r) => lists[Math.floor(r / 1000)]!);
    const space: Range[][] = [[[0, 2 ** 32]], [[0, 2 ** 32]], [[0, 3]], [[0, 65535]]];
    const looked = vi.spyOn(Map.prototype, 'get');
    let leaves: ReturnType<typeof partitionLeaves>['leaves'];
    try {
      ({ leaves } = partitionLeaves(boxes, space, undefined, firstTwo));
      // 4 dimensions × 100 runs, and the look-ups of the partition itself; one per rule and dimension was 400,000.
      expect(looked.mock.calls.length).toBeLessThan(5000);
    } finally {
      looked.mockRestore();
    }
    // The first rule of each run is first in the cells of its list.
    expect([...new Set(leaves.flatMap((leaf) => leaf.rules.slice(0, 1)))].sort((a, b) => a - b)).toEqual(lists.map((_, i) => 1000 * i));
  });
});

describe('the work of finding the rules that decide nothing', () => {
  /**
   * `n` rules from one source to one destination on port ranges that all
   * overlap (rule i spans 30,000 ports from port 1 + i, the highest i
   * first), passes and blocks in turn, and last a copy of the rule from
   * port 1, which decides nothing.
   */
  function overlapping(n: number): { boxes: Range[][][]; actions: Match['action'][] } {
    const boxes: Range[][][] = [];
    const actions: Match['action'][] = [];
    for (let i = n - 1; i >= 0; i--) {
      boxes.push([[[1, 1]], [[2, 2]], [[1, 1]], [[1 + i, 30_001 + i]]]);
      actions.push(i % 2 ? 'pass' : 'block');
    }
    boxes.push(boxes[n - 1]!.map((ranges) => ranges.slice()));
    actions.push('block');
    return { boxes, actions };
  }

  it('grows with the cells, not with cells × the rules in each', () => {
    // Every cell holds about half of the rules: listing them was quadratic (16,000 rules ran out of memory).
    const decisions = (n: number) => {
      const { boxes, actions } = overlapping(n);
      return ruleDecisions(boxes, actions);
    };
    const [a, b] = [decisions(2000), decisions(4000)];
    expect(b.operations, `${a.operations} → ${b.operations}`).toBeLessThan(2.5 * a.operations);
    // Rule i decides port 1 + i; the copy decides nothing, and every rule decides some of its ports first.
    expect(flagged(b.decides)).toHaveLength(4000);
    expect([...b.coveredBy.keys()]).toEqual([4000]);
    expect(b.coveredBy.get(4000)!.size).toBe(4000);
  });
});

describe('the decisions of rules that all decide', () => {
  it('are flags by rule: no set entry per rule', () => {
    // 4,000 rules, each blocking a port of its own, then a pass of everything.
    const boxes: Range[][][] = Array.from({ length: 4000 }, (_, i) => [[[1, 1]], [[2, 2]], [[0, 0]], [[1 + i, 1 + i]]]);
    boxes.push([[[1, 1]], [[2, 2]], [[0, 3]], [[0, 65535]]]);
    const actions: Match['action'][] = boxes.map((_, i) => (i < 4000 ? 'block' : 'pass'));
    let added = 0;
    const add = Set.prototype.add;
    Set.prototype.add = function (this: Set<unknown>, value: unknown) {
      added++;
      return add.call(this, value);
    };
    let decisions: ReturnType<typeof ruleDecisions>;
    try {
      decisions = ruleDecisions(boxes, actions);
    } finally {
      Set.prototype.add = add;
    }
    // Two set entries per rule (decides, changes) before.
    expect(added).toBeLessThan(100);
    expect(flagged(decisions.decides)).toHaveLength(4001);
    expect(flagged(decisions.changes)).toHaveLength(4001);
  });
});

describe('whether a rule set passes behind its first block', () => {
  it('is answered at the first cell that passes, not after making every cell', () => {
    // A block of port 1, then 4,000 passes of a port each: the second cell (port 2) passes.
    const boxes: Range[][][] = [[[[1, 1]], [[2, 2]], [[0, 0]], [[1, 1]]]];
    for (let i = 1; i <= 4000; i++) boxes.push([[[1, 1]], [[2, 2]], [[0, 0]], [[i, i]]]);
    let tested = 0;
    const space: Range[][] = [[[0, 5]], [[0, 5]], [[0, 3]], [[0, 65535]]];
    const passes = someLeaf((leaf) => (tested++, leaf.rules.length > 0 && leaf.rules[0] !== 0), boxes, space, undefined, firstTwo);
    expect(passes).toBe(true);
    expect(tested).toBeLessThan(10);
  });
});

describe('the sources of AllowedIPs', () => {
  it('are joined into runs as they come, sorted: nothing of their length is sorted again', () => {
    // 4,000 peers in two runs, and a rule from all of them.
    const addresses = Array.from({ length: 4000 }, (_, i) => (i < 2000 ? 100 + i : 10_000 + i));
    const rules = [{ box: [[[0, 20_000]], [[5, 5]], [[0, 3]], [[0, 65535]]] as [Ranges, Ranges, Ranges, Ranges], action: 'pass' as const }];
    const sorted: number[] = [];
    const sort = Array.prototype.sort;
    Array.prototype.sort = function <T>(this: T[], compare?: (a: T, b: T) => number) {
      sorted.push(this.length);
      return sort.call(this, compare) as T[];
    };
    let reach: Range[][];
    try {
      reach = reachBySource(rules, addresses);
    } finally {
      Array.prototype.sort = sort;
    }
    expect(reach.every((r) => r.length === 1 && r[0]![0] === 5 && r[0]![1] === 5)).toBe(true);
    expect(sorted.reduce((most, n) => Math.max(most, n), 0)).toBeLessThan(100);
  });
});

describe('the rules of AllowedIPs', () => {
  it('are only those from some peer: rules from elsewhere are neither listed nor swept', () => {
    // 5,000 blocks from a network that holds no peer (a management network's rules), then a pass from the peers.
    const box = (sources: Ranges, destinations: Ranges): [Ranges, Ranges, Ranges, Ranges] => [sources, destinations, [[0, 3]], [[0, 65535]]];
    const elsewhere: Ranges = [[0, 10]];
    const rules: Pick<Match, 'box' | 'action'>[] = Array.from({ length: 5000 }, () => ({ box: box(elsewhere, [[0, 1000]]), action: 'block' as const }));
    rules.push({ box: box([[100, 200]], [[5, 5]]), action: 'pass' });
    const addresses = Array.from({ length: 10 }, (_, i) => 100 + i);
    const work = { operations: 0 };
    const reach = reachBySource(rules, addresses, work);
    expect(reach).toHaveLength(10);
    for (const r of reach) expect(r).toEqual([[5, 5]]);
    // The pass alone: listing the 5,000 blocks in a destination cell was 5,000 operations.
    expect(work.operations).toBeLessThan(20);
  });
});

describe('rule sets known by a fingerprint', () => {
  // The fingerprint of a rule set is a XOR of per-rule words. With words
  // that are a fixed function of the rule index (lowbias32 of 4r+w, as
  // once), 130 or so rules can be chosen whose two halves have the same
  // size and fingerprint: a topology could hand one set's cells to the
  // other. The words are random per partition, so no input can aim at them.
  function lowbias32(x: number): bigint {
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b);
    return BigInt((x ^ (x >>> 16)) >>> 0);
  }
  /** Rule r's old words as one 128-bit number, with a 129th bit so that a XOR of zero needs an even count. */
  const oldWords = (r: number) => [0, 1, 2, 3].reduce((v, w) => v | (lowbias32(r * 4 + w) << BigInt(32 * w)), 1n << 128n);

  /** Indices whose old words XOR to zero (Gaussian elimination over GF(2)). */
  function dependentRules(count: number): number[] {
    const basis = new Map<bigint, { vector: bigint; members: Set<number> }>();
    for (let r = 0; r < count; r++) {
      let vector = oldWords(r);
      let members = new Set([r]);
      while (vector !== 0n) {
        const top = 1n << BigInt(vector.toString(2).length - 1);
        const pivot = basis.get(top);
        if (!pivot) break;
        vector ^= pivot.vector;
        members = new Set([...members].filter((m) => !pivot.members.has(m)).concat([...pivot.members].filter((m) => !members.has(m))));
      }
      if (vector === 0n) return [...members].sort((a, b) => a - b);
      basis.set(1n << BigInt(vector.toString(2).length - 1), { vector, members });
    }
    throw new Error('no dependency');
  }

  it('tells apart two sets of one size whose old fingerprints were equal', () => {
    const chosen = dependentRules(160);
    const half = chosen.length / 2;
    const [a, b] = [chosen.slice(0, half), chosen.slice(half)];
    expect(a.reduce((x, r) => x ^ oldWords(r), 0n)).toBe(b.reduce((x, r) => x ^ oldWords(r), 0n));
    // Rules of A match destination 0 only, rules of B destination 1 only, the others destination 5.
    const point = (x: number): Range[] => [[x, x]];
    const boxes = Array.from({ length: 160 }, (_, r) => [point(0), point(a.includes(r) ? 0 : b.includes(r) ? 1 : 5), point(0), point(0)]);
    const decisions = ruleDecisions(boxes, boxes.map(() => 'pass'));
    // The first rule of each set decides its destination.
    expect([decisions.decides[a[0]!], decisions.decides[b[0]!]]).toEqual([1, 1]);
    const leaves = partition(boxes, [[[0, 5]], [[0, 5]], [[0, 0]], [[0, 0]]], [1, 0, 2, 3]).root;
    const cells = (leaves as { segments: { lo: number; hi: number; child: unknown }[] }).segments;
    const rulesAt = (x: number) => {
      let node = cells.find((s) => s.lo <= x && x <= s.hi)!.child as { kind: string; rules?: number[]; segments?: { child: unknown }[] };
      while (node.kind === 'node') node = node.segments![0]!.child as typeof node;
      return node.rules;
    };
    expect([rulesAt(0), rulesAt(1)]).toEqual([a, b]);
  });
});

describe('the memory of a partition', () => {
  // 120,000 rules from one source to one destination, each blocking a port
  // of its own, then a pass of everything: 120,000 cells. The sweeps kept
  // a small array per group and a set entry per active group, and knew a
  // rule set by a text key joined at every segment; that partition needed
  // a heap of more than 176 MB, its typed arrays and numeric keys less than
  // 112. With the partition's tree (an object per segment of every cut)
  // they needed more than 100 MB; the decisions ask only for its leaves
  // (partitionLeaves), and fit in less than 92.
  it('finds the decisions of 120,000 rules in a heap of 96 MB', () => {
    const script = `
      const { ruleDecisions } = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/rules/policy.js')).href)});
      const src = [[1 << 24, 1 << 24]], dst = [[2 << 24, (2 << 24) + 255]];
      const boxes = [], actions = [];
      for (let i = 0; i < 120000; i++) { boxes.push([src, dst, [[i % 2, i % 2]], [[1 + (i >> 1), 1 + (i >> 1)]]]); actions.push('block'); }
      boxes.push([src, dst, [[0, 3]], [[0, 65535]]]); actions.push('pass');
      const d = ruleDecisions(boxes, actions);
      console.log(d.decides.reduce((n, f) => n + f, 0), d.changes.reduce((n, f) => n + f, 0));`;
    const r = spawnSync(process.execPath, ['--max-old-space-size=96', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    // Every rule decides its own port differently from the pass behind it.
    expect(r.stdout.trim()).toBe('120001 120001');
  });
});

describe('the sweep of a dimension', () => {
  it('makes its groups, members and events in loops outside its constructor', () => {
    // V8 optimizes a hot loop of a function while it runs (on-stack replacement), with feedback only
    // for what ran so far; in one constructor, that code stopped at the next loop, on every sweep again.
    const source = Sweep.toString();
    const body = source.slice(source.indexOf('constructor('), source.indexOf('advance('));
    expect(body.length).toBeGreaterThan(0);
    expect(body).not.toMatch(/\b(for|while)\s*\(/);
  });
});

describe('the rules active in a sweep', () => {
  it('are listed without calling a comparator: no JS call per comparison', () => {
    // 100,000 rules in two groups, one of the even and one of the odd, both active on [0, 9].
    const even: Range[] = [[0, 9]];
    const odd: Range[] = [[0, 9]];
    const boxes = Array.from({ length: 100_000 }, (_, r) => [r % 2 ? odd : even]);
    const sweep = new Sweep(boxes, 0);
    sweep.advance(0);
    let compared = 0;
    const sort = Array.prototype.sort;
    Array.prototype.sort = function <T>(this: T[], compare?: (a: T, b: T) => number) {
      return sort.call(this, compare && ((a: T, b: T) => (compared++, compare(a, b)))) as T[];
    };
    let listed: number[];
    try {
      listed = sweep.list();
    } finally {
      Array.prototype.sort = sort;
    }
    expect(compared).toBe(0);
    expect(listed).toHaveLength(100_000);
    expect(listed.every((r, i) => r === i)).toBe(true);
  });
});
