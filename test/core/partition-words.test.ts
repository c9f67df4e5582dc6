// The words behind the partition's set fingerprints (src/resolve/partition.ts,
// ruleWords): exact for small rule lists, from the CSPRNG beyond, and never
// from anything a topology could predict.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ruleWords } from '../../src/resolve/partition.js';

/** The rank over GF(2) of the rules' 128-bit words (Gaussian elimination on 4-word rows). */
function rank(words: Uint32Array): number {
  const rows: Uint32Array[] = [];
  for (let r = 0; 4 * r < words.length; r++) rows.push(words.slice(4 * r, 4 * r + 4));
  let found = 0;
  for (let bit = 0; bit < 128; bit++) {
    const w = bit >> 5;
    const mask = 2 ** (bit & 31);
    const pivot = rows.findIndex((row, i) => i >= found && (row[w]! & mask) !== 0);
    if (pivot < 0) continue;
    [rows[found], rows[pivot]] = [rows[pivot]!, rows[found]!];
    for (let i = 0; i < rows.length; i++) {
      if (i !== found && (rows[i]![w]! & mask) !== 0) for (let k = 0; k < 4; k++) rows[i]![k] = rows[i]![k]! ^ rows[found]![k]!;
    }
    found++;
  }
  return found;
}

afterEach(() => vi.restoreAllMocks());

describe('ruleWords', () => {
  it('gives up to 128 rules linearly independent words (no two of their sets share a XOR), drawing nothing from the CSPRNG', () => {
    const draw = vi.spyOn(globalThis.crypto, 'getRandomValues');
    // Whatever Math.random gives, even all ones or all zeros.
    for (const random of [undefined, () => 0, () => 1 - 2 ** -53]) {
      if (random) vi.spyOn(Math, 'random').mockImplementation(random);
      for (const count of [1, 2, 31, 32, 33, 100, 128]) expect(rank(ruleWords(count)), `${count} rules`).toBe(count);
    }
    expect(draw).not.toHaveBeenCalled();
  });

  it("spreads small lists' sets over the first word, SetMemo's key", () => {
    const words = ruleWords(128);
    const firsts = new Set<number>();
    for (let r = 40; r < 128; r++) firsts.add(words[4 * r]!);
    expect(firsts.size).toBeGreaterThan(80);
  });

  it('draws the words of every rule after the 128th from the CSPRNG, in pieces it accepts', () => {
    const draw = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const count = 128 + 20_000;
    const words = ruleWords(count);
    const drawn = draw.mock.calls.map(([array]) => array as Uint32Array);
    expect(drawn.every((a) => a.byteLength <= 65536)).toBe(true);
    expect(drawn.reduce((n, a) => n + a.length, 0)).toBe(4 * 20_000);
    expect(drawn.every((a) => a.buffer === words.buffer && a.byteOffset >= 4 * 4 * 128)).toBe(true);
    // Linear independence needs at most 128 of them; any 128 drawn ones are independent with overwhelming probability.
    expect(rank(words.slice(4 * 5000, 4 * 5128))).toBeGreaterThan(120);
  });
});
