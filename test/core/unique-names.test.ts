// Names made unique by the lowest free number.
import { describe, expect, it } from 'vitest';
import { UniqueNames } from '../../src/unique-names.js';

describe('UniqueNames', () => {
  it('keeps the first use of a stem and numbers the later ones from 2, skipping names already taken', () => {
    const names = new UniqueNames('_');
    expect(['a', 'a', 'a_3', 'a', 'a', 'b', 'a_2x'].map((s) => names.take(s))).toEqual(['a', 'a_2', 'a_3', 'a_4', 'a_5', 'b', 'a_2x']);
  });

  it('joins stem and number with its separator', () => {
    const sids = new UniqueNames('');
    expect(['Objects', 'Objects', 'Objects2', 'Objects'].map((s) => sids.take(s))).toEqual(['Objects', 'Objects2', 'Objects22', 'Objects3']);
  });
});
