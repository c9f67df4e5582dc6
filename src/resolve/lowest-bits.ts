// A set of small numbers that finds its least member in a few word
// operations: a bit per number, and above it a bit per word that is not
// zero, up to a single word. A slot changes and the least is found in
// ceil(log32(n)) steps: four for a million numbers, where a segment tree of
// values (two-least.ts) walks twenty levels and compares at each.
export class LowestBits {
  /** The levels, finest first: bit i of level k + 1 is set when word i of level k is not zero. */
  private readonly levels: Uint32Array[] = [];
  /** Word operations made (a cost that tests can bound). */
  steps = 0;
  /** How many numbers it holds. */
  size = 0;

  constructor(size: number) {
    let n = Math.max(size, 1);
    do {
      n = Math.ceil(n / 32);
      this.levels.push(new Uint32Array(n));
    } while (n > 1);
  }

  /** Adds a number it does not hold. */
  add(value: number): void {
    this.size++;
    for (let k = 0, i = value; k < this.levels.length; k++, i >>= 5) {
      this.steps++;
      const level = this.levels[k]!;
      const before = level[i >> 5]!;
      level[i >> 5] = before | (1 << (i & 31));
      // The word was not zero: the levels above already say so.
      if (before !== 0) return;
    }
  }

  /** Deletes a number it holds. */
  delete(value: number): void {
    this.size--;
    for (let k = 0, i = value; k < this.levels.length; k++, i >>= 5) {
      this.steps++;
      const level = this.levels[k]!;
      const after = level[i >> 5]! & ~(1 << (i & 31));
      level[i >> 5] = after;
      // Other bits of the word remain: the levels above keep theirs.
      if (after !== 0) return;
    }
  }

  /** The least member, or -1 when the set is empty. */
  least(): number {
    const top = this.levels.length - 1;
    return this.levels[top]![0] === 0 ? -1 : this.lowestBelow(top, 0);
  }

  /** The least member above `value`, or -1 when there is none. */
  after(value: number): number {
    for (let k = 0, i = value; k < this.levels.length; k++, i >>= 5) {
      this.steps++;
      // The bits of the word above i's own (none when i is the word's last: 2 << 31 is 0).
      const above = this.levels[k]![i >> 5]! & ~((2 << (i & 31)) - 1);
      if (above !== 0) return this.lowestBelow(k - 1, 32 * (i >> 5) + lowestBit(above));
    }
    return -1;
  }

  /** The least number under bit i of level k + 1 (the least in word i of level k, and down to the numbers). */
  private lowestBelow(k: number, i: number): number {
    for (; k >= 0; k--) {
      this.steps++;
      i = 32 * i + lowestBit(this.levels[k]![i]!);
    }
    return i;
  }
}

/** The index of the lowest set bit of a word that is not zero: 31 less the leading zeros of that bit alone. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}
