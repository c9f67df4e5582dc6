// The loader reads data with js-yaml and positions with the `yaml` library:
// the two must never disagree on a document that js-yaml accepts (one it
// refuses goes to `yaml` alone). Generated documents mix the features where
// YAML readers differ: anchors, aliases and merge keys, block and flow
// collections, literal and folded scalars, quoted keys, YAML 1.1 look-alikes.
// FUZZ_RUNS sets the number of cases (`npm run fuzz` runs 10,000).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Alias, type Document, Parser, parseDocument } from 'yaml';
import { NULL_KEY, SIGNS_FOR_POSITIONS_PARSER, SourceMap, hasAlias, hasCollectionKey, hasExplicitKey, hasNullKey, hasTag, loadTopologyText, needsPositionsParser, readFast } from '../../src/load.js';
import { lintText } from '../../src/pipeline.js';
import { positionsOf } from '../../src/yaml-positions.js';
import { hasLooseContinuation } from '../../src/yaml-continuation.js';
import { aliasPastLimit } from '../../src/yaml-alias-limit.js';
import { YAML12_CORE_SCHEMA } from '../../src/yaml-core-schema.js';
import { load as jsYamlLoad } from 'js-yaml';
import { EXAMPLES, countMethodCalls, readExample, root } from '../helpers.js';

/** ~, null, Null and NULL: compared once each at the one colon after an l (label:). */
const NULL_WORDS_COUNT = 4;

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const settings = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };

type Read = { ok: true; data: unknown } | { ok: false };

/** js-yaml with the loader's schema, tags and all (the loader itself sends a tagged text to `yaml`). */
const loadWithSchema = (text: string) => jsYamlLoad(text, { schema: YAML12_CORE_SCHEMA });

/** The loader's fast path, exactly as it reads. */
function fast(text: string): Read {
  const read = readFast(text);
  return read ? { ok: true, data: read.data } : { ok: false };
}

function positional(text: string): Read {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length) return { ok: false };
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: 1000 }) };
  } catch {
    return { ok: false };
  }
}

/**
 * Whenever the loader would take its fast path (js-yaml) and js-yaml
 * accepts the text, `yaml` accepts it too and reads the same data. Texts
 * the loader sends to `yaml` are read by one reader only.
 */
function disagreement(text: string): string | undefined {
  const a = fast(text);
  if (!a.ok) return undefined;
  const b = positional(text);
  if (!b.ok) return `yaml refuses what js-yaml accepts:\n${text}`;
  try {
    expect(b.data).toStrictEqual(a.data);
  } catch {
    return `js-yaml reads ${JSON.stringify(a.data)}, yaml reads ${JSON.stringify(b.data)} in:\n${text}`;
  }
  return undefined;
}

function expectAgreement(text: string): void {
  const problem = disagreement(text);
  expect(problem, problem).toBeUndefined();
}

/** Plain scalars that some YAML reader takes for something other than a string. */
const LOOKALIKES = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'True', 'TRUE', 'false', 'null', 'Null', 'NULL', '~', '',
  '0755', '010', '0o17', '0x1F', '0X1f', '0b101', '+0x1', '-0', '+12', '1_000', '0_7', '00', '09',
  '1e3', '1E3', '1e+3', '-1e-3', '.5', '-.5', '+.5', '1.', '1.0', '.inf', '-.Inf', '+.INF', '.nan', '.NaN',
  '2001-01-01', '2001-12-14t21:59:43.10-05:00', '12:30:00', '190:20:30', '1:2', '10.0.0.1/24', '::1', 'fe80::1%eth0',
  'a:b', 'http://x/y', 'key: value', '- item', '#not', 'a #b', '<<', '=', '!', '&x', '*x', '? q', '@x', '`x',
  '12345678901234567890', '0.1e-0', '-0.0', '1__0', '0x_1F', '+', '-', '.', '..', '...', '---',
];

const plainSafe = (s: string) => s !== '' && !/^[\s\-?:,[\]{}#&*!|>'"%@`]|[\s]$|: |\s#|[\n\r\t]/.test(s);

const scalarText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LOOKALIKES) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', '0', '1', '.', ':', '-', '_', ' ', '#', "'", '"', '\\', '/', 'é', '한', 'x', 'e', '+'), maxLength: 8 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

const style = fc.constantFrom('plain', 'single', 'double', 'literal', 'folded', 'literal-strip', 'folded-keep', 'single-lines', 'double-lines');

/**
 * Where the second line of a value over two lines (a quoted scalar, a flow
 * collection) starts, against the indentation its node is written at: a key
 * or "-" stands two columns left of it, and YAML 1.2 wants that column plus
 * one (-1 here); js-yaml reads any.
 */
const shift = fc.integer({ min: -4, max: 1 });

/** A document tree; the serializer below writes it in the chosen styles. */
type KeyStyle = 'plain' | 'quoted' | 'flow-seq' | 'explicit';
type Entry = { key: string; keyStyle: KeyStyle; value: Tree };
type Tree =
  | { kind: 'scalar'; text: string; style: string; shift: number }
  | { kind: 'map'; flow: boolean; entries: Entry[]; anchor: boolean; merge: boolean }
  | { kind: 'seq'; flow: boolean; items: Tree[]; anchor: boolean; lines: boolean; shift: number }
  | { kind: 'alias' };

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('scalar' as const), text: scalarText, style, shift }),
    fc.record({
      kind: fc.constant('map' as const),
      flow: fc.boolean(),
      entries: fc.array(
        fc.record({
          key: scalarText,
          keyStyle: fc.constantFrom<KeyStyle>('plain', 'plain', 'plain', 'quoted', 'flow-seq', 'explicit'),
          value: tie('node'),
        }),
        { maxLength: 4 },
      ),
      anchor: fc.boolean(),
      merge: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('seq' as const), flow: fc.boolean(), items: fc.array(tie('node'), { maxLength: 4 }), anchor: fc.boolean(), lines: fc.boolean(), shift }),
    fc.constant({ kind: 'alias' as const }),
  ),
})).node;

function quoteSingle(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function quoteDouble(s: string): string {
  return JSON.stringify(s);
}

/**
 * Serializes a tree as YAML text; `anchors` collects the names defined so
 * far, so an alias names an earlier one; `counter` makes anchor names unique.
 */
function serialize(node: Tree, indent: number, anchors: string[], inFlow: boolean, counter = { next: 0 }): string {
  const pad = ' '.repeat(indent);
  switch (node.kind) {
    case 'alias':
      return anchors.length ? `*${anchors[anchors.length - 1]}` : 'null';
    case 'scalar': {
      const s = node.text;
      if (node.style === 'single-lines' || node.style === 'double-lines') {
        // The text on both lines; the second may start with "#", "- " or nothing at all.
        const inside = node.style === 'single-lines' ? quoteSingle(s).slice(1, -1) : quoteDouble(s).slice(1, -1);
        const quote = node.style === 'single-lines' ? "'" : '"';
        return `${quote}${inside}\n${' '.repeat(Math.max(0, indent + node.shift))}${inside}${quote}`;
      }
      if (node.style === 'plain' && plainSafe(s) && !(inFlow && /[,[\]{}]/.test(s))) return s;
      if (node.style === 'single' || inFlow || /[\n\r\t]/.test(s) || s.trim() !== s || s === '') return node.style === 'double' ? quoteDouble(s) : quoteSingle(s);
      if (node.style === 'double') return quoteDouble(s);
      const indicator = { literal: '|', folded: '>', 'literal-strip': '|-', 'folded-keep': '>+' }[node.style] ?? '|';
      return `${indicator}\n${pad}  ${s}\n${pad}  ${s}x`;
    }
    case 'seq': {
      const own = node.anchor ? `a${counter.next++}` : undefined;
      const anchor = own ? `&${own} ` : '';
      let out: string;
      if (node.flow || inFlow || node.items.length === 0) {
        const separator = node.lines ? `,\n${' '.repeat(Math.max(0, indent + node.shift))}` : ', ';
        out = `${anchor}[${node.items.map((i) => serialize(i, indent, anchors, true, counter)).join(separator)}]`;
      } else {
        out = `${anchor}\n${node.items.map((i) => `${pad}- ${serialize(i, indent + 2, anchors, false, counter)}`).join('\n')}`;
      }
      if (own) anchors.push(own);
      return out;
    }
    case 'map': {
      const own = node.anchor ? `a${counter.next++}` : undefined;
      const anchor = own ? `&${own} ` : '';
      const seen = new Set<string>();
      const entries = node.entries.filter((e) => (seen.has(e.key) ? false : (seen.add(e.key), true)));
      const key = (e: Entry) => {
        const scalar = e.keyStyle === 'quoted' || !plainSafe(e.key) || /[,[\]{}]/.test(e.key) ? quoteDouble(e.key) : e.key;
        if (e.keyStyle === 'flow-seq') return `[${scalar}, x]`;
        // An explicit key ("? k") in block style; in flow style it reads "? k: v" too.
        if (e.keyStyle === 'explicit') return `? ${scalar}\n${pad}`;
        return scalar;
      };
      const merge = node.merge && anchors.length ? [`<<: *${anchors[0]}`] : [];
      let out: string;
      if (node.flow || inFlow || (entries.length === 0 && merge.length === 0)) {
        out = `${anchor}{${[...merge, ...entries.map((e) => `${key(e)}: ${serialize(e.value, indent, anchors, true, counter)}`)].join(', ')}}`;
      } else {
        out = `${anchor}\n${[...merge, ...entries.map((e) => `${key(e)}: ${serialize(e.value, indent + 2, anchors, false, counter)}`)].map((l) => `${pad}${l}`).join('\n')}`;
      }
      if (own) anchors.push(own);
      return out;
    }
  }
}

function documentOf(node: Tree): string {
  const body = serialize({ kind: 'map', flow: false, entries: [{ key: 'root', keyStyle: 'plain', value: node }], anchor: false, merge: false }, 0, [], false);
  return `${body.replace(/^\n/, '')}\n`;
}

describe('the js-yaml schema of the loader', () => {
  it('resolves any scalar made of the characters its patterns read as the yaml library does', () => {
    // The resolvers look at the first character or the length before their patterns: that must never change an answer.
    const piece = fc.constantFrom('0', '1', '9', '.', '+', '-', 'e', 'E', 'x', 'X', 'o', 'b', '_', 'a', 'f', 'n', 'N', 'u', 'l', 'L', 't', 'T', 'r', 'R', 's', 'S', 'i', 'I', 'F', 'A', '~', ':');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const scalar = pieces.join('');
        for (const text of [`a: ${scalar}\n`, `- ${scalar}\n`]) expectAgreement(text);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000) },
    );
  });

  it('tests no pattern on a scalar that starts like no null, boolean or number', () => {
    // js-yaml asks the four types about every plain scalar: eight patterns each for names and addresses of hosts.
    const names = Array.from({ length: 2000 }, (_, i) => `- laptop-${i}\n`).join('');
    const tested: string[] = [];
    const original = RegExp.prototype.test;
    const test = vi.spyOn(RegExp.prototype, 'test').mockImplementation(function (this: RegExp, text: string) {
      tested.push(this.source);
      return original.call(this, text);
    });
    try {
      expect(readFast(names)?.data).toHaveLength(2000);
    } finally {
      test.mockRestore();
    }
    // js-yaml's own check that each scalar is printable stays (PATTERN_NON_PRINTABLE, of three alternatives): one pattern
    // per scalar, not the schema's; the bundle's leaves it out after the loader's one scan of the text (src/yaml-printable.ts).
    const printable = tested.filter((source) => source.startsWith('[\\x00-\\x08') && source.includes('|'));
    expect(printable.length).toBeLessThanOrEqual(2000);
    expect(tested.length - printable.length).toBeLessThan(100);
  });

  it('asks one question of each plain scalar, not one per type', () => {
    // js-yaml asks its implicit types in turn: four calls per name when the schema had a type for each.
    const names = Array.from({ length: 2000 }, (_, i) => `- laptop-${i}\n`).join('');
    const types = (YAML12_CORE_SCHEMA as unknown as { compiledImplicit: { resolve: (data: unknown) => boolean }[] }).compiledImplicit;
    let asked = 0;
    const saved = types.map((type) => type.resolve);
    types.forEach((type, i) => {
      type.resolve = (data) => {
        asked++;
        return saved[i]!(data);
      };
    });
    try {
      expect(readFast(names)?.data).toHaveLength(2000);
    } finally {
      types.forEach((type, i) => (type.resolve = saved[i]!));
    }
    expect(asked).toBe(2000);
  });

  it('reads a tagged scalar by its tag as the yaml library does', () => {
    // js-yaml reads these only when asked directly: the loader sends a tagged text to the yaml library.
    const cases: [string, unknown][] = [['!!int 0x1F', 31], ['!!int 0o17', 15], ['!!float 1.5', 1.5], ['!!float -.inf', -Infinity], ['!!bool True', true], ['!!null ~', null], ['!!null', null]];
    for (const [text, value] of cases) {
      expect(loadWithSchema(`a: ${text}\n`), text).toEqual({ a: value });
      expect(parseDocument(`a: ${text}\n`).toJS(), text).toEqual({ a: value });
    }
    for (const text of ['!!int 1.5', '!!float 1', '!!bool yes', '!!null x']) expect(() => loadWithSchema(`a: ${text}\n`), text).toThrow(/cannot resolve/);
  });
});

describe('the two YAML readers of the loader', () => {
  it('agree on every plain, quoted and tagged look-alike scalar', () => {
    const problems: string[] = [];
    for (const s of LOOKALIKES) {
      const texts = [`a: ${s}\n`, `- ${s}\n`, `${s}: 1\n`, `{${s}: 1}\n`, `a: [${s}]\n`, `a: '${s.replace(/'/g, "''")}'\n`, `[${s}]: 1\n`, `? ${s}\n: 1\n`];
      for (const tag of ['str', 'int', 'float', 'bool', 'null']) texts.push(`a: !!${tag} ${s}\n`);
      for (const text of texts) {
        const problem = disagreement(text);
        if (problem) problems.push(problem);
      }
    }
    expect(problems).toEqual([]);
  });

  it('agree on the examples', () => {
    for (const name of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) {
      const text = readExample(name);
      expect(fast(text).ok).toBe(true);
      expectAgreement(text);
    }
  });

  it('agree on generated documents with anchors, merge keys, block scalars and flow collections', () => {
    fc.assert(
      fc.property(tree, (node) => {
        expectAgreement(documentOf(node));
      }),
      settings,
    );
  });

  it('the generator reaches the features it is meant to test', () => {
    // A generator that only ever wrote scalars would make the property above
    // pass on nothing: sample it and require every feature to appear, and
    // js-yaml to accept most documents.
    const docs = fc.sample(tree.map(documentOf), { numRuns: 300, seed: 1 });
    const joined = docs.join('\n');
    for (const feature of ['<<: *a', '*a', '&a', '|\n', '>+\n', '{', '[', "'", '"', '? ', ']: ']) expect(joined).toContain(feature);
    expect(joined).toMatch(/(^|\s)(~|null|Null|NULL): /m);
    // Most documents must reach the comparison: read by js-yaml on the fast path.
    const onFastPath = docs.filter((d) => !needsPositionsParser(d) && fast(d).ok);
    expect(onFastPath.length).toBeGreaterThan(docs.length / 4);
    // Quoted values and flow lists over two lines: some indented as YAML 1.2 asks, read on the fast path, and some
    // indented too little, which only the continuation scan sends to `yaml`.
    expect(onFastPath.some((d) => /(: |- )"[^"\n]*\n/.test(d))).toBe(true);
    expect(onFastPath.some((d) => /(: |- )'[^'\n]*\n/.test(d))).toBe(true);
    expect(onFastPath.some((d) => /\[[^\]\n]*,\n/.test(d))).toBe(true);
    const jsYamlReads = (d: string) => {
      try {
        loadWithSchema(d);
        return true;
      } catch {
        return false;
      }
    };
    expect(docs.filter((d) => hasLooseContinuation(d) && jsYamlReads(d) && !hasAlias(d) && !hasTag(d)).length).toBeGreaterThan(docs.length / 20);
  });

  it('the loader returns the same data on its fast path and on its positions path', () => {
    // A file with an alias takes the positions parser; the same file without
    // the alias takes js-yaml: both must give the data of the other reader.
    const text = 'version: 1\nlist: [0755, 1e3, yes, 0b1, -.5, +0x1, "a:b"]\n';
    const loaded = loadTopologyText(text, 't.yaml');
    const viaYaml = loadTopologyText(`${text}other: &x 1\nref: *x\n`, 't.yaml');
    expect(loaded.ok && viaYaml.ok).toBe(true);
    if (loaded.ok && viaYaml.ok) {
      expect((viaYaml.loaded.data as { list: unknown }).list).toStrictEqual((loaded.loaded.data as { list: unknown }).list);
      expect((loaded.loaded.data as { list: unknown }).list).toStrictEqual([755, 1000, 'yes', '0b1', -0.5, '+0x1', 'a:b']);
    }
  });
});

describe('the null-key scan', () => {
  it('finds a null or empty mapping key exactly where the pattern does', () => {
    // Texts from the characters the pattern turns on: colons, the null
    // words, every kind of boundary, line ends and other whitespace.
    const piece = fc.constantFrom(':', ': ', ' :', '\t', '~', 'null', 'Null', 'NULL', 'nul', 'l', 'a', ',', '[', '{', ']', '}', '\n', '\r', '\v', '\f', '\u00a0', '\u2028', '\u3000', '\ufeff', 'key', '-');
    const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(hasNullKey(t), JSON.stringify(t)).toBe(NULL_KEY.test(t));
      }),
      { ...settings, numRuns: runs * 10 },
    );
  });

  it('looks at a character by its code, not with a regex per colon, below U+0080', () => {
    // 200,000 colons: the whitespace regex tested one-character strings
    // twice per colon, about half of the scan of a 46 MiB topology.
    const text = 'key: value\n'.repeat(100_000) + 'list: [a, b]\n'.repeat(100_000);
    const test = vi.spyOn(RegExp.prototype, 'test');
    try {
      expect(hasNullKey(text)).toBe(false);
      expect(test).not.toHaveBeenCalled();
      // Past U+007F the regex decides, as the pattern's \s does.
      expect(hasNullKey('a: 1\n\u3000: 2\n')).toBe(true);
      expect(test).toHaveBeenCalled();
    } finally {
      test.mockRestore();
    }
  });

  it('compares the null words only at a colon after ~, l or L, where one can end', () => {
    // 100,000 keys of a topology (name:, address:) end in other letters: four
    // startsWith per colon were most of the scan of a 10,000-peer topology.
    const text = 'name: peer\naddress: 10.0.0.1\n'.repeat(50_000) + 'label: x\n';
    const { result, calls } = countMethodCalls(String.prototype, ['startsWith'], () => hasNullKey(text));
    expect(result).toBe(false);
    expect(calls).toBe(NULL_WORDS_COUNT);
    expect(hasNullKey(`${text}null: 1\n`)).toBe(true);
    expect(hasNullKey(`${text}- ~: 1\n`)).toBe(true);
    expect(hasNullKey(`${text}a: [NULL: 1]\n`)).toBe(true);
  });

  it('agrees with the pattern on the examples, and finds the null keys of real documents', () => {
    for (const name of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) expect(hasNullKey(readExample(name)), name).toBe(NULL_KEY.test(readExample(name)));
    for (const doc of ['a: 1\n: 2\n', 'a:\n  null: 1\n', '{~: 1}', 'x: [null : 1]', 'a: 1\nNULL:\n']) expect(hasNullKey(doc), doc).toBe(true);
  });
});

describe('the scans for what the positions parser must read', () => {
  const scans = { alias: hasAlias, collectionKey: hasCollectionKey, explicitKey: hasExplicitKey, tag: hasTag } as const;
  it.each(Object.keys(scans) as (keyof typeof scans)[])('%s: found exactly where its pattern finds it', (name) => {
    // Texts from the characters the patterns turn on: the signs, every kind of boundary, line ends and other whitespace.
    const piece = fc.constantFrom('*', '*a', '?', '? ', '!', '!t', ']', '}', ']:', '} :', '\t', ' ', ':', ',', '[', '{', '-', 'a', '\n', '\r', '\u00a0', '\u2028', 'key');
    const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(scans[name](t), JSON.stringify(t)).toBe(SIGNS_FOR_POSITIONS_PARSER[name].test(t));
      }),
      { ...settings, numRuns: runs * 10 },
    );
    for (const example of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) expect(scans[name](readExample(example)), example).toBe(SIGNS_FOR_POSITIONS_PARSER[name].test(readExample(example)));
  });
});

/** Every path into the data, and past each leaf and collection a segment that does not exist. */
function pathsOf(data: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix, [...prefix, 'absent'], [...prefix, 99]);
  if (Array.isArray(data)) data.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (data !== null && typeof data === 'object') for (const [k, v] of Object.entries(data)) pathsOf(v, [...prefix, k], out);
  return out;
}

/**
 * The positions js-yaml's node reading gives against the `yaml` library's
 * document, for every path into the data, as a key and as a value. Returns
 * the mismatches and how many paths the node reading answered.
 */
function comparePositions(text: string): { answered: number; total: number; mismatches: string[] } {
  const data = readFast(text)!.data;
  const positions = positionsOf(text);
  const slow = new SourceMap('t.yaml', text);
  const mismatches: string[] = [];
  let answered = 0;
  let total = 0;
  for (const path of pathsOf(data)) {
    // The plain scalar as written (what a schema finding quotes back), at every path too.
    const range = positions?.plainScalarRange(path);
    if (range !== undefined) {
      const written = range === null ? undefined : text.slice(range[0], range[1]);
      const expected = slow.plainScalarAt(path);
      if (written !== expected) mismatches.push(`${JSON.stringify(path)} (plain scalar): ${JSON.stringify(written)}, yaml says ${JSON.stringify(expected)} in:\n${text}`);
    }
    for (const key of [false, true]) {
      total++;
      const offset = positions?.offsetOf(path, key);
      if (offset === undefined) continue;
      answered++;
      const fast = { file: 't.yaml', ...positions!.lineAndColumn(offset) };
      const expected = slow.locate(path, { key });
      if (fast.line !== expected.line || fast.col !== expected.col) mismatches.push(`${JSON.stringify(path)}${key ? ' (key)' : ''}: ${fast.line}:${fast.col}, yaml says ${expected.line}:${expected.col} in:\n${text}`);
    }
  }
  return { answered, total, mismatches };
}

describe('the node positions of js-yaml (findings located without the `yaml` document)', () => {
  it('are the `yaml` library\'s for every path of the examples, and answer every one', () => {
    const texts = [...(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]).map(readExample), readFileSync(join(root, 'test/aws/fixtures/site-to-site.yaml'), 'utf8')];
    for (const text of texts) {
      const { answered, total, mismatches } = comparePositions(text);
      expect(mismatches).toEqual([]);
      expect(answered).toBe(total);
    }
  });

  it('are the `yaml` library\'s on comments, blank lines, CRLF, quoted keys, block scalars and flow collections', () => {
    const texts = [
      'a: # note\n  b: 1\n\n  # gap\n  c:   "x"\n',
      'a:\r\n  - 1\r\n  -   two\r\n  - k: v\r\n    m: [1, {n: 2}]\r\n',
      '"quoted key": 1\n\'single\': {a: [1, 2], b: c}\nlist:\n- x\n-\n  y: |\n    text\n    more\n  z: >-\n    folded\n',
      'a:\tb\nc:\n    - d: e\n      f: g\n    -   h\nplain: multi\n  line words\n',
      'top:\n  inner:\n    deep: [a, b, [c, d]]\n  next: {x: 1,\n    y: 2}\n',
      'a: 1 # trailing\nb: "#not a comment" # but this\nc: d#e\n',
      '- - a\n  - b\n- c\n-   - d\n',
      'a:\n# between\n- 1\n- [2, 3]\nb:  spaced\n',
      'a: |+\n  keep\n\nb: |2\n   two\nc: >\n  folded\n  more\n',
      'x: {}\ny: []\nz: {a: [], b: {}}\n',
      '80: web\n"a\\"b": 1\n0x10: hex\ntrue: yes\n',
      'm:\n  \'it\'\'s\': 2\n  "tab\\there": 3\n',
      'a: 26.10   # note\nb: [1 , 2.50 ]\nc: {d: true , e: 0x1F}\nf: multi\n  line plain\n  # c\ng: 1   \nh:\n  - 1e3\n  -   .5  \n',
    ];
    for (const text of texts) {
      expect(needsPositionsParser(text), text).toBe(false);
      const { answered, total, mismatches } = comparePositions(text);
      expect(mismatches).toEqual([]);
      expect(answered, text).toBe(total);
    }
  });

  it('decline what they cannot place exactly, and the `yaml` library answers', () => {
    // An empty value, an empty list item, a document marker, an anchor, a pair in a flow sequence.
    for (const text of ['a:\nb: 1\n', 'a:\n  -\n  - 1\n', '---\na: 1\n', 'a: &x 1\nb: 2\n', 'a: [k: v]\n']) {
      const positions = positionsOf(text);
      const answers = pathsOf(readFast(text)!.data).map((p) => positions?.offsetOf(p, false));
      expect(answers.some((a) => a === undefined), text).toBe(true);
      expect(comparePositions(text).mismatches).toEqual([]);
    }
  });

  it('are the `yaml` library\'s on generated documents, and answer most of their paths', () => {
    let answered = 0;
    let total = 0;
    fc.assert(
      fc.property(tree, (node) => {
        const text = documentOf(node);
        if (needsPositionsParser(text) || !readFast(text)) return;
        const r = comparePositions(text);
        expect(r.mismatches).toEqual([]);
        answered += r.answered;
        total += r.total;
      }),
      settings,
    );
    // A reading that declined everything would pass the property on nothing.
    expect(answered).toBeGreaterThan(total / 3);
  });

  it('a finding on a file js-yaml read is located without building the `yaml` document', async () => {
    const document = vi.spyOn(SourceMap.prototype, 'document');
    try {
      const text = readExample('homelab').replace(/^(\s*)description: (.*)$/m, '$1description: $2\n$1descripton: typo');
      const { diagnostics } = await lintText(text);
      const typo = diagnostics.find((d) => d.severity === 'error');
      expect(typo?.location.line).toBe(text.split('\n').findIndex((l) => l.includes('descripton: typo')) + 1);
      expect(typo?.location.col).toBe(text.split('\n').find((l) => l.includes('descripton: typo'))!.indexOf('descripton') + 1);
      expect(document).not.toHaveBeenCalled();
    } finally {
      document.mockRestore();
    }
  });

  it('a value YAML read as a number is quoted back as written without building the `yaml` document', async () => {
    // Building it for one unquoted number in 10,000 peers took four times as long as the rest of the lint.
    const document = vi.spyOn(SourceMap.prototype, 'document');
    try {
      const text = readExample('homelab').replace(/^(\s*)description: .*$/m, '$1description: 26.10   # a release');
      const { diagnostics } = await lintText(text);
      const line = text.split('\n').findIndex((l) => l.includes('description: 26.10')) + 1;
      expect(diagnostics.map((d) => [d.location.line, d.hint])).toEqual([[line, 'Put the value in quotes: "26.10". Without them YAML reads 26.10 as the number 26.1, not the text you wrote.']]);
      expect(document).not.toHaveBeenCalled();
    } finally {
      document.mockRestore();
    }
  });

  it('finds where a node starts once, however many findings lie under it', () => {
    // A block of comments before a list's first item was skipped again for each
    // item located (8,000 findings under 160,000 comment lines took minutes).
    const work = (n: number) => {
      const text = `list:\n${'  # a comment line\n'.repeat(20 * n)}${Array.from({ length: n }, (_, i) => `  - item${i}\n`).join('')}`;
      const positions = positionsOf(text)!;
      expect(positions).toBeDefined();
      const charCodeAt = String.prototype.charCodeAt;
      let reads = 0;
      String.prototype.charCodeAt = function (this: string, index: number) {
        reads++;
        return charCodeAt.call(this, index);
      };
      let offsets: (number | undefined)[];
      try {
        offsets = Array.from({ length: n }, (_, i) => positions.offsetOf(['list', i], false));
      } finally {
        String.prototype.charCodeAt = charCodeAt;
      }
      expect(offsets.map((o) => text.slice(o, text.indexOf('\n', o)))).toEqual(Array.from({ length: n }, (_, i) => `item${i}`));
      return reads;
    };
    const [a, b] = [work(100), work(200)];
    expect(b, `${a} → ${b}`).toBeLessThanOrEqual(2.5 * a);
  });

  it('records the nodes in tables: no list grows per node, so it adds nothing to js-yaml\'s own work per node', () => {
    // An object and a list of children per node (400,000 in 10,000 peers), each
    // pushed on a stack and into its parent's list, took longer than reading the file.
    const extraPushes = (n: number) => {
      const text = `peers:\n${Array.from({ length: n }, (_, i) => `  - name: peer-${i}\n    address: 10.0.${i >> 8}.${i & 255}\n    tags: [a, b]\n`).join('')}`;
      const read = countMethodCalls(Array.prototype, ['push'], () => loadWithSchema(text)).calls;
      const { result: positions, calls } = countMethodCalls(Array.prototype, ['push'], () => positionsOf(text));
      // Still placed exactly: the last peer's address, the first one's key.
      expect(text.slice(positions!.offsetOf(['peers', n - 1, 'address'], false)).startsWith(`10.0.${(n - 1) >> 8}.${(n - 1) & 255}\n`)).toBe(true);
      expect(text.slice(positions!.offsetOf(['peers', 0, 'tags'], true)).startsWith('tags: [a, b]')).toBe(true);
      return calls - read;
    };
    expect([extraPushes(100), extraPushes(1000)]).toEqual([0, 0]);
  });

  it('a file nested past js-yaml\'s depth is refused as too deep without the positions parser, at the first node too deep', () => {
    // The `yaml` library built every level first: 4 million in 8 MB ran out of memory.
    const parse = vi.spyOn(Parser.prototype, 'parse');
    try {
      for (const [text, at] of [
        [`version: 1\nname: x\nsites: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`, { line: 3, col: 72 }],
        [`version: 1\nname: x\nsites:\n  ${'- '.repeat(150)}x\n`, { line: 4, col: 131 }],
        [`version: 1\nname: x\nsites:\n${Array.from({ length: 150 }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:\n`).join('')}`, { line: 67, col: 129 }],
      ] as const) {
        const loaded = loadTopologyText(text, 'deep.yaml');
        expect(loaded.ok).toBe(false);
        expect(loaded.ok ? [] : loaded.diagnostics.map((d) => [d.rule, d.message, d.location.line, d.location.col])).toEqual([['load/limit', 'nested too deeply (limit 64 levels)', at.line, at.col]]);
      }
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('a file past the alias bound is refused at the alias where the yaml library stops', () => {
    // The library throws without naming the alias; the loader replays its count.
    const text = `version: 1\nname: x\nlist:\n  - &s v\n${'  - *s\n'.repeat(1200)}`;
    const loaded = loadTopologyText(text, 'aliases.yaml');
    expect(loaded.ok ? [] : loaded.diagnostics.map((d) => [d.rule, d.message, d.location.line, d.location.col])).toEqual([
      // The anchor counts once, so its 1,000th alias is the 1,001st use.
      ['load/yaml-syntax', 'Excessive alias count indicates a resource exhaustion attack', 1004, 5],
    ]);
    // Nested aliases ("billion laughs") of several widths and depths: the replay fails at the alias where the library fails.
    for (const width of [2, 3, 5]) {
      for (const depth of [1, 2, 3, 4]) {
        for (const limit of [3, 10, 50]) {
          const lines = [`l0: &l0 [${Array(width).fill('x').join(', ')}]`];
          for (let d = 1; d <= depth; d++) lines.push(`l${d}: &l${d} [${Array(width).fill(`*l${d - 1}`).join(', ')}]`);
          const source = `${lines.join('\n')}\n`;
          const doc = parseDocument(source);
          const at = aliasPastLimit(doc, limit);
          expect([width, depth, limit, at], `${width}×${depth} under ${limit}`).toEqual([width, depth, limit, libraryFailsAt(doc, limit)]);
          if (at !== undefined) expect(source.slice(at, at + 2)).toBe('*l');
        }
      }
    }
  });

  it('the replay finds what each alias names in one walk: never by walking the document again per alias', () => {
    // The library's own reading resolves each alias with its context, which keeps the walk; without one, each call walks the whole document.
    const original = Alias.prototype.resolve;
    let walks = 0;
    Alias.prototype.resolve = function (this: Alias, ...args: Parameters<Alias['resolve']>) {
      if (args[1] === undefined) walks++;
      return original.apply(this, args);
    };
    try {
      const text = `version: 1\nname: x\nlist:\n  - &s v\n${'  - *s\n'.repeat(3000)}`;
      const loaded = loadTopologyText(text, 'aliases.yaml');
      expect(loaded.ok ? [] : loaded.diagnostics.map((d) => d.location.line)).toEqual([1004]);
      expect(walks).toBe(0);
    } finally {
      Alias.prototype.resolve = original;
    }
  });

  it('an alias names the last node before it with its anchor, as the library reads an anchor defined again', () => {
    // &a is defined twice, the second time as a wide list: the aliases after it weigh more.
    const outcomes = new Set<string>();
    for (const limit of [4, 6, 8, 12, 20, 40]) {
      for (const before of [0, 1, 3]) {
        const source = `a: &a 1\n${Array.from({ length: before }, (_, i) => `b${i}: *a\n`).join('')}c: &a [1, [2, 3]]\nd: &w [*a, *a, *a]\n${Array.from({ length: 6 }, (_, i) => `e${i}: [*a, *w]\n`).join('')}`;
        const doc = parseDocument(source);
        const at = libraryFailsAt(doc, limit);
        expect([limit, before, aliasPastLimit(doc, limit)]).toEqual([limit, before, at]);
        outcomes.add(at === undefined ? 'read' : source.slice(at, at + 2));
      }
    }
    // Read whole under the larger bounds; refused at an alias of each anchor under the smaller ones.
    expect([...outcomes].sort()).toEqual(['*a', '*w', 'read']);
  });
});

/** Where the library itself gives up: the alias whose resolution throws first (the innermost), or undefined when it reads the document. */
function libraryFailsAt(doc: Document, limit: number): number | undefined {
  const original = Alias.prototype.resolve;
  let at: number | undefined;
  Alias.prototype.resolve = function (this: Alias, ...args: Parameters<Alias['resolve']>) {
    try {
      return original.apply(this, args);
    } catch (error) {
      at ??= this.range?.[0];
      throw error;
    }
  };
  try {
    doc.toJS({ maxAliasCount: limit });
  } catch {
    // at names the alias
  } finally {
    Alias.prototype.resolve = original;
  }
  return at;
}
