// Names cut to a model's length: within it, apart from each other, with
// FNV-1a as its published test vectors give it.
import { describe, expect, it } from 'vitest';
import { fitName, fnv1a } from '../../src/targets/opnsense/fit-name.js';

describe('fitName', () => {
  it('keeps a name that fits, and cuts a longer one to the limit, counting code points', () => {
    expect(fitName('a'.repeat(255), 255)).toBe('a'.repeat(255));
    const cut = fitName(`${'é'.repeat(300)}x`, 255);
    expect(Array.from(cut).length).toBe(255);
    expect(cut).toMatch(new RegExp(`^${'é'.repeat(246)}_[0-9a-f]{8}$`, 'u'));
  });

  it('tells apart names cut at the same place, by a hash of the whole', () => {
    const names = ['a', 'b', 'c', 'é', '😀'].map((end) => fitName(`${'x'.repeat(300)}${end}`, 255));
    expect(new Set(names).size).toBe(names.length);
    expect(fitName(`${'x'.repeat(300)}a`, 255)).toBe(names[0]);
  });

  it('hashes with 32-bit FNV-1a over UTF-8 (the published vectors)', () => {
    expect([fnv1a(''), fnv1a('a'), fnv1a('foobar')]).toEqual(['811c9dc5', 'e40c292c', 'bf9cf968']);
  });
});
