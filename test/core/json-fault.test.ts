// Where a package.json that JSON.parse refused goes wrong: jsonc-parser
// finds the token at fault, and JSON.parse's own position, where its
// message gives one, is the offset named. JSON.parse alone decides what is
// JSON: text it accepts (a lone surrogate, a key given twice) is not refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addToPackageJson } from '../../src/commands/init-package-json.js';
import { jsonFault, parsePosition } from '../../src/commands/json-fault.js';
import { lineAndColumn } from '../../src/io/data-limits.js';

function refusal(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (error) {
    return error;
  }
  throw new Error(`JSON.parse took ${JSON.stringify(text)}`);
}

function located(text: string): { line: number; col: number; what: string } | undefined {
  const fault = jsonFault(text, refusal(text));
  return fault && { ...lineAndColumn(text, fault.offset), what: fault.what };
}

describe('jsonFault', () => {
  for (const [text, line, col, what] of [
    ['{"a": 1,}', 1, 9, 'a property name in double quotes is expected'],
    ['{"a": [1, 2,]}', 1, 13, 'a value is expected'],
    ['{\n  "a": 1 // why\n}', 2, 10, 'JSON has no comments'],
    ['{/* x */"a": 1}', 1, 2, 'JSON has no comments'],
    ['\uFEFF{"a": 1}', 1, 1, 'JSON has no such value or sign here'],
    ['', 1, 1, 'a value is expected'],
    ['  \n\t', 2, 2, 'a value is expected'],
    ['{\n  "a": {"b": [1, 2', 2, 19, 'a "]" is expected'],
    ['{\n  "a": "xy', 2, 11, 'the string is not closed'],
    ['{"a": "\\x"}', 1, 9, 'JSON has no such escape'],
    ['{"a": "a\tb"}', 1, 9, 'a control character in a string must be written as an escape'],
    ['{"a": NaN}', 1, 7, 'JSON has no such value or sign here'],
    ['{"a": tru}', 1, 7, 'JSON has no such value or sign here'],
    ["{'a': 1}", 1, 2, 'JSON has no such value or sign here'],
    ['{"a" 1}', 1, 6, 'a ":" is expected after the property name'],
    ['{\r\n  "a": 1\r\n  "b": 2\r\n}', 3, 3, 'a "," is expected'],
    ['{} {}', 1, 4, 'the text goes on after the JSON value'],
    ['{"a": "\\u12"}', 1, 12, 'a \\u escape takes four hexadecimal digits'],
    ['{"é": 1.}', 1, 9, 'the number ends too early'],
  ] as const) {
    it(`${JSON.stringify(text)}: line ${line}, column ${col}: ${what}`, () => {
      expect(located(text)).toEqual({ line, col, what });
    });
  }

  it('text JSON.parse takes is not refused: a lone surrogate, a key given twice, U+2028 in a string', () => {
    for (const text of ['{"a": "\\ud800", "a": "\ud800"}', '{"name": "x", "name": "y"}', '{"a": "\u2028"}']) {
      expect(addToPackageJson(text, { t: 'gen' }, 'gen-topology', '^1')?.added).toEqual(['t', 'devDependencies.gen-topology']);
    }
  });

  it("nested past jsonc-parser's stack: JSON.parse's position where it gives one, never a crash", () => {
    const deep = `{"a": ${'['.repeat(100_000)}1, x`;
    const error = refusal(deep);
    const position = parsePosition(error);
    expect(jsonFault(deep, error)).toEqual(position === undefined ? undefined : { offset: position, what: 'JSON.parse stops here' });
    expect(jsonFault(`{"a": ${'['.repeat(100_000)}`, refusal(`{"a": ${'['.repeat(100_000)}`))).toBeUndefined();
  });

  it("for a valid package.json cut, or with characters put in or taken out: a fault is found wherever JSON.parse refuses, at JSON.parse's position where it says one", () => {
    const member = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }), fc.array(fc.integer(), { maxLength: 3 }));
    const base = fc.tuple(fc.dictionary(fc.string({ maxLength: 6 }), member, { maxKeys: 5 }), fc.constantFrom(0, 2, '\t')).map(([data, indent]) => JSON.stringify(data, null, indent));
    const piece = fc.oneof(fc.constantFrom('"', ',', ':', '{', '}', '[', ']', '\\', '/', '*', '-', '.', 'e', '0', '\t', '\n', '\u0001', "'", 'tru', 'nul', '\\u12', '//', '\uFEFF'), fc.string({ minLength: 1, maxLength: 3 }));
    const broken = base.chain((text) =>
      fc.oneof(
        fc.nat(text.length).map((at) => text.slice(0, at)),
        fc.tuple(fc.nat(text.length), piece).map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
        fc.tuple(fc.nat(text.length), fc.integer({ min: 1, max: 3 })).map(([at, n]) => text.slice(0, at) + text.slice(at + n)),
      ),
    );
    let refused = 0;
    let positioned = 0;
    fc.assert(
      fc.property(broken, (text) => {
        let error: unknown;
        try {
          JSON.parse(text);
          return;
        } catch (e) {
          error = e;
        }
        refused++;
        const fault = jsonFault(text, error);
        expect(fault).toBeDefined();
        expect(fault!.offset).toBeGreaterThanOrEqual(0);
        expect(fault!.offset).toBeLessThanOrEqual(text.length);
        const position = parsePosition(error);
        if (position !== undefined) {
          positioned++;
          expect(fault!.offset).toBe(position);
          expect(fault!.what).not.toBe('JSON.parse stops here');
        }
      }),
      { numRuns: 3000 },
    );
    // The property was tried on refused text, with and without a position.
    expect(refused).toBeGreaterThan(1000);
    expect(positioned).toBeGreaterThan(500);
    expect(refused - positioned).toBeGreaterThan(50);
  });
});
