// Views of a cell's rule set for the decision partition (see LeafView in
// partition.ts): the first two rules, which say who decides a cell and
// what would decide it without that rule; and the first rule with the
// chosen few of its rules (those that decide nothing, whose cover is
// reported). Each follows the groups entering and leaving the sweep of
// the last dimension, so a cell costs its change from the cell before,
// not its whole rule set.
import { LowestBits } from './lowest-bits.js';
import type { LeafView, Sweep } from './partition.js';
import { TwoLeast } from './two-least.js';

/**
 * The first two rules of each cell. A sweep numbers its groups in the order
 * of their first members (Sweep.groups), so the active group of least
 * number holds the least rule, and the second is its second member or the
 * first of the next active group: a set of group numbers answers, where a
 * segment tree of values by group, walked to its root at every change, was
 * half the decision partition of 20,000 rules.
 */
export function firstTwo(groups: number): LeafView {
  const active = new LowestBits(groups);
  let sweep: Sweep | undefined;
  return {
    toggled(group, of, on) {
      sweep = of;
      if (on) active.add(group);
      else active.delete(group);
    },
    rules() {
      const first = active.least();
      if (first < 0) return [];
      const { starts, members } = sweep!;
      const at = starts[first]!;
      const next = active.size > 1 ? active.after(first) : -1;
      const own = at + 1 < starts[first + 1]! ? members[at + 1]! : Infinity;
      const second = Math.min(own, next < 0 ? Infinity : members[starts[next]!]!);
      return second === Infinity ? [members[at]!] : [members[at]!, second];
    },
    few: true,
  };
}

/** The first rule of each cell, then the cell's rules that `chosen` picks (ascending, the first left out). */
export function firstAnd(chosen: (rule: number) => boolean): (groups: number) => LeafView {
  return (groups) => {
    const least = new TwoLeast(groups);
    const picked: number[][] = [];
    // Only groups with a chosen member are followed: the others cost nothing to list.
    const active = new Set<number>();
    return {
      toggled(group, sweep, on) {
        const from = sweep.starts[group]!;
        const to = sweep.starts[group + 1]!;
        least.set(group, on ? sweep.members[from]! : Infinity);
        let mine = picked[group];
        if (!mine) {
          picked[group] = mine = [];
          for (let k = from; k < to; k++) if (chosen(sweep.members[k]!)) mine.push(sweep.members[k]!);
        }
        if (mine.length === 0) return;
        if (on) active.add(group);
        else active.delete(group);
      },
      rules() {
        if (least.least === Infinity) return [];
        const rest: number[] = [];
        for (const g of active) for (const r of picked[g]!) if (r !== least.least) rest.push(r);
        return [least.least].concat(rest.sort((a, b) => a - b));
      },
    };
  };
}
