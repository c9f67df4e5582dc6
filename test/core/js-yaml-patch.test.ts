// The bundle's js-yaml (scripts/js-yaml-patch.mjs) against js-yaml itself:
// the patches only move where a table of keys is made, skip a copy of the
// state that would go unused, read an input given with its end in place of
// a copy, return a list in a store of its length, leave out the test of
// each scalar for non-printable characters where gen found none in the whole
// text, step through spaces and plain scalars with locals, and ask a reader
// only where its node can start, so every text must load
// to the same data, with the same node events, or fail with the same message
// at the same place.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import * as original from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { jsYamlText } from '../bundled-js-yaml.js';
import { heldBy } from '../heap-graph.js';
import { root } from '../helpers.js';
import { forbiddenCharacter } from '../../src/targets/xml/chars.js';
import { printableText } from '../../src/yaml-printable.js';

const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const { bundledJsYamlPatch, lazyKeyTablesPatch } = (await import(join(root, 'scripts/js-yaml-patch.mjs'))) as Record<
  'bundledJsYamlPatch' | 'lazyKeyTablesPatch',
  (text: string) => string
>;
const dir = mkdtempSync(join(tmpdir(), 'gen-js-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Without its source map comment: the copy has no map beside it.
/**
 * A copy of js-yaml's text as module `name`, which counts the copies of its
 * state in globalThis[name], the copies of its input it ends with "\0"
 * in globalThis[name + 'Ends'] and the writes of its state's position in
 * globalThis[name + 'Writes'].
 */
async function copy(name: string, text: string): Promise<typeof original> {
  // Writes of a state's position: an accessor over a field of its own, counted in globalThis[name + 'Writes'].
  const writes = `globalThis[${JSON.stringify(`${name}Writes`)}]`;
  // Calls of the readers composeNode asks whether their node starts here, in globalThis[name + 'Readers'].
  const readers = `globalThis[${JSON.stringify(`${name}Readers`)}]`;
  const counted = ['readFlowCollection(state, nodeIndent)', 'readBlockScalar(state, nodeIndent)', 'readSingleQuotedScalar(state, nodeIndent)', 'readDoubleQuotedScalar(state, nodeIndent)', 'readAlias(state)']
    .reduce((t, reader) => t.replace(`function ${reader} {\n`, `function ${reader} {\n    ${readers}++;\n`), text)
    .replace('function snapshotState(state) {\n', `function snapshotState(state) {\n    globalThis[${JSON.stringify(name)}]++;\n`)
    .replace(
      '    this.position = 0;\n',
      `    { let at = 0; Object.defineProperty(this, "position", { get() { return at; }, set(value) { ${writes}++; at = value; }, enumerable: true }); }\n`,
    )
    .replace('state.input += "\\0";', `{ globalThis[${JSON.stringify(`${name}Ends`)}]++; state.input += "\\0"; }`);
  if (counted.split(`globalThis[${JSON.stringify(`${name}Ends`)}]++`).length !== 2) throw new Error("js-yaml's loadDocuments no longer ends its input where the count expects");
  (globalThis as Record<string, unknown>)[name] = 0;
  (globalThis as Record<string, unknown>)[`${name}Ends`] = 0;
  (globalThis as Record<string, unknown>)[`${name}Writes`] = 0;
  (globalThis as Record<string, unknown>)[`${name}Readers`] = 0;
  if (counted.split(`${readers}++`).length !== 6) throw new Error("js-yaml's readers are no longer where the count expects them");
  writeFileSync(join(dir, `${name}.mjs`), counted.replace(/^\/\/# sourceMappingURL=.*$/m, ''));
  return (await import(pathToFileURL(join(dir, `${name}.mjs`)).href)) as typeof original;
}
const text = jsYamlText();
const patched = await copy('patched', bundledJsYamlPatch(text));
const counted = await copy('counted', text);

/** The data of `text`, and what the copy's counter globalThis[counter] (see copy) counted while reading it. */
function countWhileLoading(yaml: typeof original, counter: string, text: string): { data: unknown; count: number } {
  const counters = globalThis as unknown as Record<string, number>;
  counters[counter] = 0;
  const data = yaml.load(text);
  return { data, count: counters[counter]! };
}

/** What a loader makes of `text`: its documents and the node events it reports, or its error; `withNul`, given the text and "\0" as gen gives it. */
function reading(yaml: typeof original, text: string, schema: 'default' | 'core' | 'json', withNul = false): string {
  const events: string[] = [];
  const listener = (event: string, state: { line: number; position: number; kind: string | null }) => events.push(`${event}@${state.line}:${state.position}:${state.kind}`);
  const options = { schema: schema === 'core' ? yaml.CORE_SCHEMA : schema === 'json' ? yaml.JSON_SCHEMA : yaml.DEFAULT_SCHEMA, json: schema === 'json', listener, ...(withNul ? { inputWithNul: `${text}\0` } : {}) };
  try {
    return JSON.stringify({ documents: yaml.loadAll(text, null, options), events });
  } catch (error) {
    return `error: ${(error as Error).message} after ${events.length} events`;
  }
}

describe("the bundle's js-yaml", () => {
  it('changes the text only where the tables of keys are made', () => {
    const result = lazyKeyTablesPatch(text);
    expect(result).not.toBe(text);
    const changed = (t: string) => t.split('\n').filter((line) => line.includes('overridableKeys') && !line.includes('function '));
    const atMerge = 'keyTag === "tag:yaml.org,2002:merge" ? overridableKeys ??= Object.create(null) : overridableKeys';
    expect(changed(result).filter((line) => !changed(text).includes(line)).map((line) => line.trim())).toEqual([
      'if (!state.json && (overridableKeys === null || !_hasOwnProperty.call(overridableKeys, keyNode)) && _hasOwnProperty.call(_result, keyNode)) {',
      'if (overridableKeys !== null) delete overridableKeys[keyNode];',
      'let overridableKeys = null;',
      `storeMappingPair(state, _result, ${atMerge}, keyTag, keyNode, valueNode, _line, _lineStart, _pos);`,
      `_result.push(storeMappingPair(state, null, ${atMerge}, keyTag, keyNode, valueNode, _line, _lineStart, _pos));`,
      'let overridableKeys = null;',
      `storeMappingPair(state, _result, ${atMerge}, keyTag, keyNode, null, _keyLine, _keyLineStart, _keyPos);`,
      `storeMappingPair(state, _result, ${atMerge}, keyTag, keyNode, null, _keyLine, _keyLineStart, _keyPos);`,
      `storeMappingPair(state, _result, ${atMerge}, keyTag, keyNode, valueNode, _keyLine, _keyLineStart, _keyPos);`,
      `storeMappingPair(state, _result, ${atMerge}, keyTag, keyNode, null, _keyLine, _keyLineStart, _keyPos);`,
    ]);
  });

  it('makes a table of keys only where a mapping has a merge (a dictionary per mapping of a 10,000-peer topology)', () => {
    const peers = Array.from({ length: 10_000 }, (_, i) => `  - name: peer-${i}\n    address: 10.200.${i >> 8}.${i & 255}\n    ports: { a: 1, b: 2 }\n`);
    const topology = `peers:\n${peers.join('')}`;
    /** The data, and the objects without a prototype (js-yaml's tables of keys) made while reading it. */
    const count = (yaml: typeof original, text: string) => {
      const create = Object.create;
      let made = 0;
      Object.create = ((proto: object | null, properties?: PropertyDescriptorMap) => {
        if (proto === null) made++;
        return properties === undefined ? create(proto) : create(proto, properties);
      }) as typeof Object.create;
      try {
        const data = yaml.load(text);
        return { data, made };
      } finally {
        Object.create = create;
      }
    };
    // What a reading makes besides tables (its state's maps), as a document of one scalar shows.
    const state = count(patched, 'a\n').made;
    const before = count(counted, topology);
    const after = count(patched, topology);
    expect(after.data).toEqual(before.data);
    expect(before.made).toBeGreaterThan(20_000);
    expect(after.made).toBe(state);
    // A merge still makes its mapping's table: a key the merge brought in may be given again.
    const merged = 'x: &m { a: 1 }\ny:\n  <<: *m\n  a: 2\nz: { <<: *m, a: 3 }\n';
    const withMerges = count(patched, merged);
    expect(withMerges.data).toEqual(count(counted, merged).data);
    expect(withMerges.made).toBe(state + 2);
  });

  it('reads every text as js-yaml does: the same data and node events, or the same error', () => {
    // Pieces of YAML that reach both changed functions: block and flow mappings, explicit keys,
    // merge keys, anchors and aliases, duplicate keys, tags, block scalars, documents, tabs.
    const piece = fc.constantFrom('a', 'b', 'k', ':', ': ', '- ', '\n', '  ', '    ', '{', '}', '[', ']', ', ', '? ', '&x ', '*x', '!!str ', '!!map ', '<<: ', '"q"', "'s'", '#c', '---\n', '...\n', '|\n', '>\n', '\t', '1', 'null', '~', 'k: v\n', 'k: w\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.constantFrom('default', 'core', 'json'), (pieces, schema) => {
        const text = pieces.join('');
        const expected = reading(original, text, schema as 'default');
        expect(reading(patched, text, schema as 'default'), JSON.stringify(text)).toBe(expected);
        expect(reading(patched, text, schema as 'default', true), JSON.stringify(text)).toBe(expected);
      }),
      { numRuns: runs },
    );
  });

  it('copies the state only at a node with a tag or an anchor (an object per node of a 10,000-peer topology)', () => {
    const peers = Array.from({ length: 10_000 }, (_, i) => `  - name: peer-${i}\n    address: 10.200.${i >> 8}.${i & 255}\n    role: client\n`);
    const topology = `peers:\n${peers.join('')}`;
    const copies = (yaml: typeof original, name: string, text: string) => {
      const counters = globalThis as unknown as Record<string, number>;
      counters[name] = 0;
      const data = yaml.load(text);
      return { data, copies: counters[name]! };
    };
    const before = copies(counted, 'counted', topology);
    const after = copies(patched, 'patched', topology);
    expect(after.data).toEqual(before.data);
    expect(before.copies).toBeGreaterThan(10_000);
    expect(after.copies).toBe(0);
    // Where a tag or an anchor is, the state is still copied to read it from where it started.
    const tagged = 'a: !!str &x 1\nb: *x\nc: &y\n  d: 2\n';
    const withProperties = copies(patched, 'patched', tagged);
    expect(withProperties.data).toEqual(copies(counted, 'counted', tagged).data);
    expect(withProperties.copies).toBeGreaterThan(0);
  });

  it('tests no scalar for non-printable characters when told the text has none (320,000 regex calls for 10,000 peers)', () => {
    const peers = Array.from({ length: 10_000 }, (_, i) => `  - name: peer-${i}\n    address: 10.200.${i >> 8}.${i & 255}\n    note: |\n      line ${i}\n`);
    const topology = `peers:\n${peers.join('')}`;
    /** The data, and the calls of js-yaml's PATTERN_NON_PRINTABLE (the only regex with \\x7F-\\x84 in it) made while reading it. */
    const count = (yaml: typeof original, text: string, printable?: boolean) => {
      const test = RegExp.prototype.test;
      let calls = 0;
      RegExp.prototype.test = function (this: RegExp, value: string) {
        if (this.source.includes('\\x7F-\\x84')) calls++;
        return test.call(this, value);
      };
      try {
        return { data: yaml.load(text, { printable } as original.LoadOptions), calls };
      } finally {
        RegExp.prototype.test = test;
      }
    };
    expect(printableText(topology)).toBe(true);
    const before = count(counted, topology, true);
    const after = count(patched, topology, true);
    expect(after.data).toEqual(before.data);
    expect(before.calls).toBeGreaterThan(40_000);
    expect(after.calls).toBe(0);
    // Not told (or told otherwise), it tests each scalar as before.
    expect(count(patched, topology).calls).toBe(before.calls);
    expect(count(patched, topology, false).calls).toBe(before.calls);
  });

  it('refuses a non-printable character where js-yaml does, with the same message at the same place', () => {
    // Plain, quoted and block scalars, keys and comments, holding characters PATTERN_NON_PRINTABLE finds (a lone half of
    // a surrogate pair among them) or does not (a whole pair, NEL), at the edges of a scalar and inside it; told of
    // them as gen tells it (printableText), the bundle's js-yaml reads each text as js-yaml does.
    const piece = fc.constantFrom('a', 'k: ', '- ', '\n', '  ', '"q', '"', "'", '#c', '|\n', '[', ']', ', ', '\u0007', '\u007f', '\u0085', '\u0086', '\u00e9', '\ufffe', '\ud800', '\udc00', '\ud83d\ude00', '\t', '\\');
    const told = (yaml: typeof original, text: string, schema: 'default' | 'core' | 'json') => {
      const printable = printableText(text);
      const events: string[] = [];
      const listener = (event: string, state: { line: number; position: number }) => events.push(`${event}@${state.line}:${state.position}`);
      const options = { schema: schema === 'core' ? yaml.CORE_SCHEMA : schema === 'json' ? yaml.JSON_SCHEMA : yaml.DEFAULT_SCHEMA, json: schema === 'json', listener, printable };
      try {
        return JSON.stringify({ documents: yaml.loadAll(text, null, options as original.LoadOptions), events });
      } catch (error) {
        return `error: ${(error as Error).message} after ${events.length} events`;
      }
    };
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.constantFrom('default', 'core', 'json'), (pieces, schema) => {
        const text = pieces.join('');
        const pattern = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
        // Told "printable", the text has no match of the pattern anywhere, nor a character XML cannot hold.
        if (printableText(text)) expect(pattern.test(text) || forbiddenCharacter(text) !== undefined, JSON.stringify(text)).toBe(false);
        expect(told(patched, text, schema as 'default'), JSON.stringify(text)).toBe(told(original, text, schema as 'default'));
      }),
      { numRuns: runs },
    );
    for (const text of ['a: b\u0007c\n', 'a: \ud800\n', 'a: x\udc00\n', 'a: |\n  x\ufffe\n', 'a: "\u0007"\n', '# \u0007\na: b\n', 'a: \ud83d\ude00\n', '\ud83d\ude00: 1\n', 'a: \u007f\n', 'a: é\u0085\n']) {
      expect(told(patched, text, 'core'), JSON.stringify(text)).toBe(told(original, text, 'core'));
    }
    expect(told(patched, 'a: b\u0007c\n', 'core')).toMatch(/^error: the stream contains non-printable characters \(1:7\)/);
  });

  it('steps through spaces and plain scalars without writing the state\'s position at every character', () => {
    const peers = Array.from({ length: 2000 }, (_, i) => `          - name: peer-${i}\n            address: 10.200.${i >> 8}.${i & 255}\n            public_key: ${String(i).padStart(43, 'k')}=\n`);
    const topology = `peers:\n${peers.join('')}`;
    const before = countWhileLoading(counted, 'countedWrites', topology);
    const after = countWhileLoading(patched, 'patchedWrites', topology);
    expect(after.data).toEqual(before.data);
    // js-yaml: a write per character (and more); the bundle's: a dozen per mapping pair, a few of them in the two readers.
    expect(before.count).toBeGreaterThan(topology.length * 0.9);
    expect(after.count).toBeLessThan(topology.length / 3);
    // Where a scalar goes on over lines, a document marker or a comment may start, it reads as js-yaml does.
    // Line breaks of \r\n and of \r alone too, which the bundle's skipSeparationSpace reads in place of readLineBreak.
    const docs = ['a: b\n  c\n---\nd: e\n', 'a: b # c\n', 'a:b: c\n', '[a, b:c, d]\n', '- a\n  b\n\n  c\n', 'a: b\tc \t\n', '---a: b\n', 'a: |\n  x\n', 'a:\n\t- b\n', 'x:\n  - y\n\n  # c\n  - z\n'];
    for (const doc of docs.flatMap((d) => [d, d.replaceAll('\n', '\r\n'), d.replaceAll('\n', '\r')])) {
      expect(reading(patched, doc, 'core'), JSON.stringify(doc)).toBe(reading(original, doc, 'core'));
    }
  });

  it('calls a reader only where its node can start (five calls per plain scalar of 2,000 peers)', () => {
    const peers = Array.from({ length: 2000 }, (_, i) => `  - name: peer-${i}\n    address: 10.200.${i >> 8}.${i & 255}\n    role: client\n`);
    const topology = `peers:\n${peers.join('')}`;
    const before = countWhileLoading(counted, 'countedReaders', topology);
    const after = countWhileLoading(patched, 'patchedReaders', topology);
    expect(after.data).toEqual(before.data);
    expect(before.count).toBeGreaterThan(5 * 6000);
    expect(after.count).toBe(0);
    // Where such a node starts, its reader reads it.
    const each = 'a: [1, {b: 2}]\nc: |\n  d\ne: >\n  f\ng: \'h\'\ni: "j"\nk: &x l\nm: *x\n';
    const read = countWhileLoading(patched, 'patchedReaders', each);
    expect(read.data).toEqual(countWhileLoading(counted, 'countedReaders', each).data);
    expect(read.count).toBe(7);
  });

  it('reads duplicate keys and merges as js-yaml does, in block and flow mappings', () => {
    for (const text of ['a: 1\na: 2\n', '{ a: 1, a: 2 }\n', 'x: &m { a: 1 }\ny:\n  <<: *m\n  a: 2\n', 'y: { <<: { a: 1 }, a: 2 }\n', '? a\n: 1\n? a\n: 2\n', '- { a: 1 }\n- [ { b: 2, b: 3 } ]\n']) {
      for (const schema of ['default', 'core', 'json'] as const) expect(reading(patched, text, schema), text).toBe(reading(original, text, schema));
    }
  });

  it('reads an input given with its end in place: no copy of the text, and the strings of its data are views into it', async () => {
    const peers = Array.from({ length: 2000 }, (_, i) => `  - name: a-peer-with-a-long-name-${i}\n    public_key: ${String(i).padStart(43, 'k')}=\n`);
    const text = `peers:\n${peers.join('')}`;
    const counters = globalThis as unknown as Record<string, number>;
    /** The data, the copies of the input the reading made, and the strings of the text's length or more that the data and the given string hold. */
    const read = async (yaml: typeof original, name: string, given: boolean) => {
      const withNul = `${text}\0`;
      counters[`${name}Ends`] = 0;
      const data = yaml.load(text, { inputWithNul: given ? withNul : undefined } as original.LoadOptions);
      const ends = counters[`${name}Ends`];
      const { strings } = await heldBy({ data, withNul });
      return { data, ends, texts: strings.filter((s) => s.size >= text.length).length };
    };
    const before = await read(counted, 'counted', true);
    const after = await read(patched, 'patched', true);
    expect(after.data).toEqual(before.data);
    // js-yaml ignores what it does not know: it copies the text, and its data holds that copy.
    expect(before).toMatchObject({ ends: 1, texts: 2 });
    expect(after).toMatchObject({ ends: 0, texts: 1 });
    // Without the string, or with another text, the input is copied as before.
    for (const given of [undefined, 'a: 2\n\0', 'a: 1\n']) {
      counters.patchedEnds = 0;
      expect(patched.load('a: 1\n', { inputWithNul: given } as original.LoadOptions)).toEqual({ a: 1 });
      expect(counters.patchedEnds, String(given)).toBe(1);
    }
  });

  it('returns a block list without an anchor in a store of its length (a rule\'s ports: 152 bytes for one item)', async () => {
    const rules = Array.from({ length: 2000 }, (_, i) => `  - name: r${i}\n    ports:\n      - ${i}\n`);
    const text = `rules:\n${rules.join('')}`;
    const before = counted.load(text);
    const after = patched.load(text);
    expect(after).toEqual(before);
    const held = async (data: unknown) => (await heldBy({ data })).bytes;
    // A store of 17 items against one of 1: 128 bytes a list.
    expect((await held(before)) - (await held(after))).toBeGreaterThan(2000 * 100);
    // An alias is the list its anchor marks, itself.
    const anchored = patched.load('a: &x\n  - 1\nb: *x\n') as { a: unknown; b: unknown };
    expect(anchored.b).toBe(anchored.a);
  });
});
