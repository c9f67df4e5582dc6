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
import { Sweep, partition, segmentsOf } from './partition.js';
import { TwoLeast } from './two-least.js';

export interface PassSweep {
  /**
   * The ranges of `space` along `dimension` (merged where adjacent) in
   * which the rules `rules` (ascending) pass something in the dimensions
   * `rest` (each within its part of `restSpace`).
   */
  passing(rules: readonly number[]): Range[];
}

export function passSweep(
  boxes: readonly (readonly Ranges[])[],
  actions: readonly Match['action'][],
  words: Uint32Array,
  dimension: number,
  space: Ranges,
  rest: readonly number[],
  restSpace: readonly Ranges[],
): PassSweep {
  // Whether a set that starts with a non-pass rule passes, by its fingerprint (the same set recurs across destinations).
  const cutSets = new Map<string, boolean>();
  const passesBehindBlock = (sweep: Sweep): boolean => {
    const key = sweep.key();
    let value = cutSets.get(key);
    if (value === undefined) {
      const list = sweep.list();
      const { leaves } = partition(
        list.map((r) => rest.map((d) => boxes[r]![d]!)),
        restSpace,
        rest.map((_, i) => i),
        firstTwo,
      );
      value = leaves.some((leaf) => leaf.rules.length > 0 && actions[list[leaf.rules[0]!]!] === 'pass');
      cutSets.set(key, value);
    }
    return value;
  };

  return {
    passing(rules) {
      const firstPass = new TwoLeast(rules.length);
      const firstOther = new TwoLeast(rules.length);
      // Each group's first pass and first other rule, set as it enters and cleared as it leaves.
      const groupFirst: [number, number][] = [];
      const sweep = new Sweep(boxes, words, dimension, rules, (g, active) => {
        let firsts = groupFirst[g];
        if (!firsts) {
          firsts = [Infinity, Infinity];
          for (const r of sweep.members[g]!) {
            if (actions[r] === 'pass') firsts[0] = Math.min(firsts[0], r);
            else firsts[1] = Math.min(firsts[1], r);
          }
          groupFirst[g] = firsts;
        }
        firstPass.set(g, active ? firsts[0] : Infinity);
        firstOther.set(g, active ? firsts[1] : Infinity);
      });
      const out: Range[] = [];
      let passes = false;
      segmentsOf(sweep, space, (lo, hi, changed) => {
        if (changed) {
          const pass = firstPass.least;
          passes = pass !== Infinity && (pass < firstOther.least || passesBehindBlock(sweep));
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
