// The two least values among numbered slots, kept by a segment tree: a
// slot changes and the least values are read in log time, where a scan of
// the slots would cost their number each time (the partition sweeps read
// them at every cell).
export class TwoLeast {
  private readonly size: number;
  private readonly first: Float64Array;
  private readonly second: Float64Array;

  constructor(slots: number) {
    let size = 1;
    while (size < slots) size *= 2;
    this.size = size;
    this.first = new Float64Array(2 * size).fill(Infinity);
    this.second = new Float64Array(2 * size).fill(Infinity);
  }

  /** Sets a slot's two values (Infinity for none; `a` ≤ `b`). */
  set(slot: number, a: number, b = Infinity): void {
    let i = this.size + slot;
    this.first[i] = a;
    this.second[i] = b;
    for (i >>= 1; i >= 1; i >>= 1) {
      const l = 2 * i;
      const r = l + 1;
      if (this.first[l]! <= this.first[r]!) {
        this.first[i] = this.first[l]!;
        this.second[i] = Math.min(this.second[l]!, this.first[r]!);
      } else {
        this.first[i] = this.first[r]!;
        this.second[i] = Math.min(this.first[l]!, this.second[r]!);
      }
    }
  }

  /** The least value of all slots (Infinity when none has one). */
  get least(): number {
    return this.first[1]!;
  }

  /** The second least value (Infinity when fewer than two). */
  get secondLeast(): number {
    return this.second[1]!;
  }
}
