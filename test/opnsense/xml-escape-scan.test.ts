// Every text and attribute value of a config.xml fragment passes
// escapeText or escapeAttribute: refused when XML cannot hold one of its
// characters, written with references for the ones parsers would read
// otherwise. Most values (a rule's uuid, sequence, description) need
// neither, and are told so by one scan, not one for each question.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { XmlTextError, escapeAttribute, escapeText } from '../../src/render/opnsense/xml.js';
import { forbiddenCharacter } from '../../src/targets/xml/chars.js';

const TEXT_REFERENCES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;', '\t': '&#9;' };
const ATTRIBUTE_REFERENCES: Record<string, string> = { ...TEXT_REFERENCES, '"': '&quot;', '\n': '&#10;' };

/** What a value must become, character by character: refused with a forbidden character, else each special one a reference. */
function expected(value: string, references: Record<string, string>): string | XmlTextError {
  if (forbiddenCharacter(value) !== undefined) return new XmlTextError('forbidden');
  return [...value].map((c) => references[c] ?? c).join('');
}

function outcome(escape: (value: string) => string, value: string): string | XmlTextError {
  try {
    return escape(value);
  } catch (error) {
    if (error instanceof XmlTextError) return new XmlTextError('forbidden');
    throw error;
  }
}

// Any UTF-16 units (lone surrogates, pairs, control characters, U+FFFE), weighted towards the special ones.
const units = fc.string({
  unit: fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('&', '<', '>', '"', '\r', '\n', '\t', '\u0000', '\u001f', '\ud83d', '\ude00', '\ufffe', '\uffff', 'a', '-')),
});

describe('XML value escaping', () => {
  it('refuses what XML cannot hold and writes each special character as its reference, whichever path a value takes', () => {
    fc.assert(
      fc.property(units, (value) => {
        expect(outcome(escapeText, value)).toEqual(expected(value, TEXT_REFERENCES));
        expect(outcome(escapeAttribute, value)).toEqual(expected(value, ATTRIBUTE_REFERENCES));
      }),
      { numRuns: 2000 },
    );
    expect(escapeText('a\ud83d\ude00b\nc')).toBe('a\ud83d\ude00b\nc');
    expect(() => escapeText('a\ud83d')).toThrow(XmlTextError);
  });

  it('scans a value that needs nothing once', () => {
    const values = Array.from({ length: 1000 }, (_, i) => `4b6f3c1e-2a4d-4e8f-9b1a-6e67656e${String(i).padStart(4, '0')} gen: rule ${i}`);
    const test = vi.spyOn(RegExp.prototype, 'test');
    let scans: number;
    try {
      for (const value of values) {
        escapeText(value);
        escapeAttribute(value);
      }
      scans = test.mock.calls.length;
    } finally {
      test.mockRestore();
    }
    expect(scans).toBe(2 * values.length);
  });
});
