// Views of a cell's rule set for the decision partition (see LeafView in
// partition.ts): the first two rules, which say who decides a cell and
// what would decide it without that rule; and the first rule with the
// chosen few of its rules (those that decide nothing, whose cover is
// reported). Each follows the groups entering and leaving the sweep of
// the last dimension, so a cell costs its change from the cell before,
// not its whole rule set.
import type { LeafView } from './partition.js';
import { TwoLeast } from './two-least.js';

/** The first two rules of each cell (a group's members are ascending: its first two are its own least). */
export function firstTwo(groups: number): LeafView {
  const least = new TwoLeast(groups);
  return {
    toggled(group, sweep, active) {
      const at = sweep.starts[group]!;
      if (active) least.set(group, sweep.members[at]!, at + 1 < sweep.starts[group + 1]! ? sweep.members[at + 1]! : Infinity);
      else least.set(group, Infinity);
    },
    rules() {
      const out: number[] = [];
      if (least.least !== Infinity) out.push(least.least);
      if (least.secondLeast !== Infinity) out.push(least.secondLeast);
      return out;
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
