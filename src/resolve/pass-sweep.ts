// Where along one dimension a first-match rule set passes something in the
// other dimensions: the question behind a peer's AllowedIPs, asked for each
// destination segment along the sources.
//
// A set passes somewhere exactly when some pass rule has a point that no
// earlier non-pass rule matches (every box meets the space in each
// dimension: compileMatches leaves out the parts that do not): there the first rule to match is that
// rule or an earlier pass. So when the set's first pass rule comes before
// its first block or reject, it passes, and with no pass rule it does not;
// both are read from a running minimum as rules enter and leave the sweep.
// Only a set whose first rule is a block with a pass behind it is cut
// into its remaining dimensions (once per set). Before, every source
// segment of every destination was cut that way: 2,000 peers with a rule
// each and 2,000 services with a VPN rule each were four million
// sub-partitions and ran out of memory.
import type { Range, Ranges } from '../intervals.js';
import type { Match } from './matches.js';
import { firstTwo } from './leaf-views.js';
import { SetMemo, Sweep, type SweepListener, segmentsOf, someLeaf } from './partition.js';
import { TwoLeast } from './two-least.js';

export interface PassSweep {
  /**
   * The ranges of `space` along `dimension` (merged where adjacent) in
   * which the rules `rules` (ascending) pass something in the dimensions
   * `rest` (each within its part of `restSpace`).
   */
  passing(rules: readonly number[]): Range[];
}

/** Each group's first pass rule and first other rule, set as the group enters and cleared as it leaves. */
class FirstOfEach implements SweepListener {
  readonly firstPass: TwoLeast;
  readonly firstOther: TwoLeast;
  private readonly firsts: Float64Array;

  constructor(
    private readonly actions: readonly Match['action'][],
    groups: number,
  ) {
    this.firstPass = new TwoLeast(groups);
    this.firstOther = new TwoLeast(groups);
    // Two per group, NaN until the group first enters.
    this.firsts = new Float64Array(2 * groups).fill(NaN);
  }

  toggled(group: number, sweep: Sweep, active: boolean): void {
    if (Number.isNaN(this.firsts[2 * group]!)) {
      let pass = Infinity;
      let other = Infinity;
      // Members are ascending: the first of each kind is the first met.
      for (let k = sweep.starts[group]!; k < sweep.starts[group + 1]! && (pass === Infinity || other === Infinity); k++) {
        const r = sweep.members[k]!;
        if (this.actions[r] === 'pass') pass = Math.min(pass, r);
        else other = Math.min(other, r);
      }
      this.firsts[2 * group] = pass;
      this.firsts[2 * group + 1] = other;
    }
    this.firstPass.set(group, active ? this.firsts[2 * group]! : Infinity);
    this.firstOther.set(group, active ? this.firsts[2 * group + 1]! : Infinity);
  }
}

export function passSweep(
  boxes: readonly (readonly Ranges[])[],
  actions: readonly Match['action'][],
  dimension: number,
  space: Ranges,
  rest: readonly number[],
  restSpace: readonly Ranges[],
): PassSweep {
  // The rest of the space by the boxes' dimensions: the cuts below take the boxes as they are, not copies of their rest.
  const spaceOf: Ranges[] = [];
  rest.forEach((d, i) => (spaceOf[d] = restSpace[i]!));
  // Whether a set that starts with a non-pass rule passes, by its fingerprint (the same set recurs across destinations).
  const cutSets = new SetMemo<boolean>();
  const passesBehindBlock = (sweep: Sweep): boolean => {
    let value = cutSets.get(sweep);
    if (value === undefined) {
      value = someLeaf((leaf) => leaf.rules.length > 0 && actions[leaf.rules[0]!] === 'pass', boxes, spaceOf, rest, firstTwo, sweep.list());
      cutSets.set(sweep, value);
    }
    return value;
  };

  return {
    passing(rules) {
      const sweep = new Sweep(boxes, dimension, rules);
      const firsts = new FirstOfEach(actions, sweep.groups);
      sweep.listener = firsts;
      const out: Range[] = [];
      let passes = false;
      segmentsOf(sweep, space, (lo, hi, changed) => {
        if (changed) {
          const pass = firsts.firstPass.least;
          passes = pass !== Infinity && (pass < firsts.firstOther.least || passesBehindBlock(sweep));
        }
        if (!passes) return;
        const last = out[out.length - 1];
        if (last && last[1] + 1 === lo) out[out.length - 1] = [last[0], hi];
        else out.push([lo, hi]);
      });
      return out;
    },
  };
}
