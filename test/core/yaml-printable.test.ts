// printableText, the one scan of a topology's text that tells the bundle's
// js-yaml to leave out its test of each scalar (scripts/js-yaml-patch.mjs)
// and the load stage its scan for characters no file can hold: it must say
// "printable" only of a text where neither could find one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forbiddenCharacter } from '../../src/targets/xml/chars.js';
import { NOT_PRINTABLE, printableText } from '../../src/yaml-printable.js';

// js-yaml's own pattern (dist/js-yaml.mjs, PATTERN_NON_PRINTABLE).
const PATTERN_NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

describe('printableText', () => {
  it('is NOT_PRINTABLE finding nothing, for ASCII texts and others', () => {
    const char = fc.oneof(
      fc.constantFrom('a', ' ', '\t', '\n', '\r', ':', '#', '\\', '\x00', '\x07', '\x0b', '\x1f', '\x7e', '\x7f', '\x80', '\x85', '\x9f', '\xa0', 'é', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\ufffd', '\ufffe', '\uffff', '\ud83d\ude00'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(printableText(text), JSON.stringify(text)).toBe(!NOT_PRINTABLE.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('says "printable" only where js-yaml\'s pattern and the XML check find nothing', () => {
    const char = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.array(fc.oneof(char, fc.constant('a'), fc.constant('\ud83d\ude00')), { maxLength: 20 }), (chars) => {
        const text = chars.join('');
        if (printableText(text)) {
          expect(PATTERN_NON_PRINTABLE.test(text), JSON.stringify(text)).toBe(false);
          expect(forbiddenCharacter(text), JSON.stringify(text)).toBeUndefined();
        }
      }),
      { numRuns: 5000 },
    );
    for (const c of ['\x00', '\x08', '\x0b', '\x0c', '\x0e', '\x1f', '\x7f', '\x80', '\x84', '\x86', '\x9f', '\ud800', '\udc00', '\ufffe', '\uffff']) {
      expect(printableText(`a: b${c}\n`), JSON.stringify(c)).toBe(false);
      expect(printableText(`a: é${c}\n`), JSON.stringify(c)).toBe(false);
    }
    for (const c of ['\t', '\n', '\r', ' ', '~', '\x85', '\xa0', 'é', '\ufffd']) expect(printableText(`a: b${c}\n`), JSON.stringify(c)).toBe(true);
    // A whole surrogate pair is printable, but the scan looks at no pair: such a text is tested scalar by scalar, as before.
    expect(printableText('a: \ud83d\ude00\n')).toBe(false);
  });
});
