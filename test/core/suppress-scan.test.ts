// The loader finds `# gen-ignore` comments by a scan of the text and the
// nodes they cover from js-yaml's node positions; findSuppressions reads
// both from the `yaml` library's document, and is the reference: the two
// must give the same suppressions (rule, reason, place, lines, malformed)
// for every file the scan reads. FUZZ_RUNS sets the number of generated cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { loadTopologyText, readFast } from '../../src/load.js';
import { findSuppressions, suppressionsOf } from '../../src/suppress/comments.js';
import { yamlLibrary } from '../../src/yaml-library.js';
import { positionsOf } from '../../src/yaml-positions.js';
import { EXAMPLES, countMethodCalls, readExample, root } from '../helpers.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const settings = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };

function reference(text: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, strict: true });
  return { doc, lines, ok: doc.errors.length === 0 };
}

/**
 * The scan's suppressions and the reference's, for a text both read;
 * undefined where the loader would not read it with js-yaml's positions,
 * or where the two readers read different data (a line at indent 0 inside
 * a multi-line quoted scalar is text to js-yaml and a comment to `yaml`):
 * there the reference places comments the loaded data does not have.
 */
function both(text: string) {
  const fast = readFast(text, false);
  const positions = fast ? positionsOf(text) : undefined;
  const { doc, lines, ok } = reference(text);
  if (!positions || !ok || !isDeepStrictEqual(doc.toJS(), fast!.data)) return undefined;
  let built = false;
  const scanned = suppressionsOf(text, 't.yaml', positions, () => ((built = true), { doc, lines }));
  return { scanned, expected: findSuppressions(text, doc, lines, 't.yaml'), built };
}

/** Whether the text was compared, and whether the scan needed the document for it. */
function expectSame(text: string): { built: boolean } | undefined {
  const found = both(text);
  if (!found) return undefined;
  expect(found.scanned, text).toEqual(found.expected);
  return { built: found.built };
}

const FORMS = ['# gen-ignore a/b: why', '#gen-ignore a/b', '# GEN-IGNORE: a/b why', '# gen-ignore: a/b why', '# note # gen-ignore a/b: why', '#  gen-ignore a_b/c-d:  spaced  '];

/** The text with a comment on its own line before line `at` (indented as that line, or by `indent`), or at the end of that line. */
function withComment(text: string, at: number, form: string, trailing: boolean, indent?: number): string {
  const lines = text.split('\n');
  const line = lines[at] ?? '';
  if (trailing) lines[at] = `${line} ${form}`;
  else lines.splice(at, 0, `${indent === undefined ? /^ */.exec(line)![0] : ' '.repeat(indent)}${form}`);
  return lines.join('\n');
}

const fixtures = [
  ...Object.keys(EXAMPLES).map((name) => readExample(name as keyof typeof EXAMPLES)),
  readFileSync(join(root, 'test/hardening/fixtures/every-field.yaml'), 'utf8'),
  readFileSync(join(root, 'test/aws/fixtures/site-to-site.yaml'), 'utf8'),
];

describe('suppressions found by the scan', () => {
  it('are those of the yaml document for a comment before and after every line of the examples and fixtures', () => {
    let compared = 0;
    for (const text of fixtures) {
      const count = text.split('\n').length;
      for (let at = 0; at < count; at++) {
        const form = FORMS[at % FORMS.length]!;
        for (const trailing of [false, true]) if (expectSame(withComment(text, at, form, trailing))?.built === false) compared++;
      }
      // All at once: comments in a row, and nodes that start after several.
      const every = text.replace(/^( *)(.*)$/gm, (_, pad: string, rest: string) => `${pad}# gen-ignore a/b: before\n${pad}${rest}  # gen-ignore c/d: after`);
      if (expectSame(every)) compared++;
    }
    // Nearly every variant is read by both without the document (a trailing comment inside a block scalar is text, still valid).
    expect(compared).toBeGreaterThan(fixtures.reduce((n, t) => n + t.split('\n').length, 0));
  });

  it('are those of the yaml document for generated documents with comments at every kind of node', () => {
    const word = fc.constantFrom('a', 'b', 'x y', '#', ' #', '# gen-ignore a/b: in text', 'gen-ignore', ':', ': ', '-', '"', "'", '[', '{', '\n', '  ', '1', 'null');
    const str = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(''));
    const key = fc.array(fc.constantFrom('k', 'key', 'a b', '#k', 'k#', 'gen-ignore'), { minLength: 1, maxLength: 2 }).map((w) => w.join(''));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, str, fc.integer(), fc.boolean(), tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 3 }),
      map: fc.dictionary(key, tie('value'), { maxKeys: 3 }),
    }));
    const style = fc.record({
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
      collectionStyle: fc.constantFrom('any', 'block', 'flow'),
      lineWidth: fc.constantFrom(0, 20, 80),
      indentSeq: fc.boolean(),
    });
    const place = fc.record({ at: fc.nat(200), form: fc.constantFrom(...FORMS), trailing: fc.boolean(), indent: fc.option(fc.nat(6), { nil: undefined }) });
    let compared = 0;
    let scanned = 0;
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 4 }), style, fc.array(place, { minLength: 1, maxLength: 4 }), (data, options, places) => {
        let text = stringify(data, options as never);
        for (const { at, form, trailing, indent } of places) text = withComment(text, at % text.split('\n').length, form, trailing, indent);
        const same = expectSame(text);
        if (same) compared++;
        if (same?.built === false) scanned++;
      }),
      settings,
    );
    // Most generated documents reach the comparison, and most of those without the document.
    expect(compared).toBeGreaterThan(runs / 2);
    expect(scanned).toBeGreaterThan(compared / 2);
  });

  it('builds no yaml document for a file the fast reader reads', () => {
    // Building it (and the yaml library's parse of the whole text for its comments) took six times the rest of a lint of 10,000 peers.
    const text = readExample('aws-vpc').replace('      - { name: private-2a', '      # gen-ignore aws/tier-single-az: one AZ\n      - { name: private-2a');
    const { Parser } = yamlLibrary();
    const { result, calls } = countMethodCalls(Parser.prototype, ['parse'], () => loadTopologyText(text, 't.yaml', { lines: false }));
    const line = text.split('\n').findIndex((l) => l.includes('{ name: private-2a')) + 1;
    expect(result.ok && result.loaded.suppressions.map((s) => [s.rule, s.reason, s.from, s.to])).toEqual([['aws/tier-single-az', 'one AZ', line, line]]);
    expect(calls).toBe(0);
  });

  it('reads the yaml document where js-yaml positions cannot say', () => {
    // An empty value composes no node for js-yaml: the yaml library places it.
    const text = 'a:\n  # gen-ignore a/b: why\n  b:\n  c: 1\n';
    const found = both(text);
    expect(found?.built).toBe(true);
    expect(found?.scanned).toEqual(found?.expected);
  });
});
