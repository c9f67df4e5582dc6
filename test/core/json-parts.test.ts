// plan.json is written in parts (stableJsonParts), never as one string: the
// plan of 100,000 peers is 187 MB. The parts make exactly the text of
// stableJson (JSON.stringify), which the properties below hold them to.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { PLAN_FILE } from '../../src/paths.js';
import { omitting, stableJson, stableJsonParts } from '../../src/render/json.js';
import { renderPlan } from '../../src/render/plan.js';
import { modelOf } from '../helpers.js';

function joined(value: unknown, replacer?: (key: string, value: unknown) => unknown): { text: string; longest: number } {
  const parts: string[] = [];
  stableJsonParts(value, replacer, (part) => void parts.push(part));
  return { text: parts.join(''), longest: Math.max(...parts.map((part) => part.length)) };
}

// Values of every kind JSON.stringify treats apart, in containers large enough to be walked rather than handed whole to JSON.stringify.
// Strings of any UTF-16 units (quotes, backslashes, control characters, lone surrogates): JSON.stringify escapes some, stableJsonParts writes the rest itself.
const units = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });
const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), units, fc.double(), fc.constant(-0), fc.constant(Object(1)), fc.constant(Object('s"')), fc.constant(Object(false)), fc.constant(undefined), fc.constant(() => 1), fc.constant(Symbol('s')), fc.date({ noInvalidDate: true }), fc.constant({ toJSON: (key: string) => ({ key, nested: { toJSON: () => 'kept as an object' } }) }));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 400 }), fc.dictionary(fc.oneof(fc.string(), units, fc.constantFrom('skip', 'toJSON', '', '0', '10')), tie('tree'), { maxKeys: 40 })),
}));
const skip = (key: string, value: unknown) => (key === 'skip' ? undefined : value);

describe('stableJsonParts', () => {
  it('makes the text of stableJson, with and without a replacer', () => {
    fc.assert(
      fc.property(tree, (value) => {
        const expected = (replacer?: (key: string, value: unknown) => unknown) => JSON.stringify(value, replacer, 2);
        if (expected() !== undefined) expect(joined(value).text).toBe(stableJson(value));
        if (expected(skip) !== undefined) expect(joined(value, skip).text).toBe(stableJson(value, skip));
      }),
      { numRuns: 200 },
    );
  });

  it('writes what a replacer or toJSON leaves out as JSON.stringify does, in containers it walks', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ i, skip: [i], f: () => i, u: undefined, d: new Date(i * 1000), s: Symbol('x') }));
    const value = { many, holes: Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? undefined : i % 3 === 1 ? () => i : i)), empty: { skip: many }, nested: { toJSON: () => ({ many }) } };
    expect(joined(value, skip).text).toBe(stableJson(value, skip));
    expect(joined(value).text).toBe(stableJson(value));
  });

  it('calls the replacer once per member, as JSON.stringify does, and JSON.stringify only for what it escapes', () => {
    // 10,000 peers of a plan: weighing each value before writing it called the replacer again for everything in it.
    const value = { peers: Array.from({ length: 10_000 }, (_, i) => ({ name: `peer${i}`, address: `10.0.${i >> 8}.${i & 255}`, allowedIps: [`10.1.0.${i & 255}/32`], port: i, on: i % 2 === 0, skip: { i } })) };
    let expected = 0;
    const stringifyText = JSON.stringify(value, (key, v) => (expected++, skip(key, v)), 2);
    let calls = 0;
    const stringify = vi.spyOn(JSON, 'stringify');
    let text: string;
    let stringifyCalls: number;
    try {
      text = joined(value, (key, v) => (calls++, skip(key, v))).text;
      stringifyCalls = stringify.mock.calls.length;
    } finally {
      stringify.mockRestore();
    }
    expect(text).toBe(`${stringifyText}\n`);
    expect(calls).toBe(expected);
    // The keys, each quoted once; no string here needs an escape.
    expect(stringifyCalls).toBeLessThan(20);
  });

  it('refuses a circular structure as JSON.stringify does, and writes a value met twice but not inside itself', () => {
    const big: Record<string, unknown> = { list: Array.from({ length: 300 }, (_, i) => i) };
    big.self = big;
    expect(() => JSON.stringify(big)).toThrow(TypeError);
    expect(() => joined(big)).toThrow(TypeError);
    const deep: Record<string, unknown> = { a: { b: [{ c: 1 }] } };
    (((deep.a as Record<string, unknown>).b as unknown[])[0] as Record<string, unknown>).up = deep.a;
    expect(() => joined(deep)).toThrow(TypeError);
    const shared = { list: Array.from({ length: 300 }, (_, i) => i) };
    const twice = { one: shared, two: [shared, { three: shared }] };
    expect(joined(twice).text).toBe(stableJson(twice));
  });

  it('makes the text of stableJson with a replacer omitting() made, also when its keys name array indexes', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom(new Set(['skip']), new Set(['skip', '0']), new Set(['10', 'toJSON', ''])), (value, keys) => {
        const omit = omitting(keys);
        if (JSON.stringify(value, omit, 2) !== undefined) expect(joined(value, omit).text).toBe(stableJson(value, omit));
      }),
      { numRuns: 200 },
    );
  });

  it('looks a key of an omitting() replacer up once per key and depth, and not for an array element', () => {
    // plan.json of 10,000 peers: a lookup for every member of every peer, though they share a few dozen keys.
    class CountedSet extends Set<string> {
      lookups = 0;
      override has(key: string): boolean {
        this.lookups++;
        return super.has(key);
      }
    }
    const keys = new CountedSet(['skip']);
    const value = { peers: Array.from({ length: 1000 }, (_, i) => ({ name: `peer${i}`, allowedIps: [`10.1.0.${i & 255}/32`, `10.2.0.${i & 255}/32`], skip: [i] })) };
    const text = joined(value, omitting(keys)).text;
    expect(text).toBe(`${JSON.stringify(value, (key, v) => (key === 'skip' ? undefined : v), 2)}\n`);
    // The top value's empty key, peers, then name, allowedIps and skip once for all 1,000 peers; none of the 3,000 array elements.
    expect(keys.lookups).toBe(2 + 3);
    // An index among the keys: every element is looked up too, as JSON.stringify names it to the replacer.
    const indexed = new CountedSet(['skip', '1']);
    const withIndex = joined(value, omitting(indexed)).text;
    expect(withIndex).toBe(`${JSON.stringify(value, (key, v) => (key === 'skip' || key === '1' ? undefined : v), 2)}\n`);
    // (peer 1 is written null: its 2 addresses are not looked up).
    expect(indexed.lookups).toBe(2 + 3 + 1000 + 2 * 1000 - 2);
  });

  it('reads no member omitting() leaves out, nor asks it for its toJSON: the text is the same without', () => {
    let reads = 0;
    const peers = Array.from({ length: 100 }, (_, i) => ({
      name: `peer${i}`,
      get skip() {
        reads++;
        return { toJSON: () => (reads++, i) };
      },
    }));
    const text = joined({ peers }, omitting(new Set(['skip']))).text;
    expect(reads).toBe(0);
    expect(text).toBe(`${JSON.stringify({ peers: peers.map(({ name }) => ({ name })) }, null, 2)}\n`);
  });

  it('writes an object or array a member holds again, as the last two values of that member at that depth, from its text without reading it', () => {
    // plan.json of 10,000 peers: each peer's reach is one shared list, each rule's from and to one of a few shared zones.
    let reads = 0;
    const counted = <T extends object>(value: T): T => {
      const copy = {} as T;
      for (const [key, v] of Object.entries(value)) Object.defineProperty(copy, key, { enumerable: true, get: () => (reads++, v) });
      return copy;
    };
    const reach = ['10.0.0.0/24', '10.1.0.0/24', counted({ net: '10.2.0.0/16' })];
    const zones = [counted({ kind: 'zone', zone: 'a' }), counted({ kind: 'zone', zone: 'b' })];
    const value = {
      peers: Array.from({ length: 1000 }, (_, i) => ({ name: `peer${i}`, reach })),
      rules: Array.from({ length: 1000 }, (_, i) => ({ from: zones[i % 2], to: zones[(i >> 1) % 2], ports: [String(i % 3)] })),
    };
    const text = joined(value, omitting(new Set(['skip']))).text;
    expect(text).toBe(stableJson(value));
    // JSON.stringify reads every member each time: 1,000 reaches of one member and 2,000 zones of two.
    reads = 0;
    JSON.stringify(value);
    expect(reads).toBe(1000 + 2 * 2000);
    // Written in parts: the reach once, each zone once as from and once as to.
    reads = 0;
    joined(value, omitting(new Set(['skip'])));
    expect(reads).toBe(1 + 2 * 2 * 2);
    // With a replacer function, which may answer otherwise for the same value, every member is read.
    const expected = stableJson(value, skip);
    reads = 0;
    expect(joined(value, skip).text).toBe(expected);
    expect(reads).toBe(1000 + 2 * 2000);
  });

  it('makes the text of stableJson for values met again at the same key and depth, also when they are long', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 30 }), (shared, picks) => {
        const value = { rows: picks.map((pick, i) => ({ i, value: shared[pick % shared.length], more: [{ value: shared[(pick >> 1) % shared.length] }] })) };
        const omit = omitting(new Set(['skip']));
        if (JSON.stringify(value, omit, 2) !== undefined) expect(joined(value, omit).text).toBe(stableJson(value, omit));
      }),
      { numRuns: 200 },
    );
    // A shared value longer than a part: still handed over in parts of about 64 K characters.
    const long = { list: Array.from({ length: 20_000 }, (_, i) => `item ${i}`) };
    const value = { rows: [{ long }, { long }, { long }] };
    const { text, longest } = joined(value, omitting(new Set(['skip'])));
    expect(text).toBe(stableJson(value));
    expect(longest).toBeLessThan(70_000);
  });

  it('keeps no set of the values being written (a lookup by each object)', () => {
    const value = { peers: Array.from({ length: 1000 }, (_, i) => ({ name: `peer${i}`, tags: [`t${i}`] })) };
    const add = vi.spyOn(Set.prototype, 'add');
    let adds: number;
    try {
      joined(value);
      adds = add.mock.calls.length;
    } finally {
      add.mockRestore();
    }
    expect(adds).toBe(0);
  });
});

describe('plan.json', async () => {
  const model = await modelOf(toYaml(scaleTopology({ peers: 2000, rules: 4000, vlans: 20 })));

  it('is handed over in parts of at most about 64 K characters, together the text of the whole plan', () => {
    const texts = new Map<string, string>();
    renderPlan(model, { set: (path, text) => texts.set(path, text) });
    const whole = texts.get(PLAN_FILE)!;
    let longest = 0;
    const parts: string[] = [];
    renderPlan(model, {
      set: (path, text) => (longest = Math.max(longest, text.length)),
      setParts: (_path, write) =>
        write((part) => {
          parts.push(part);
          longest = Math.max(longest, part.length);
        }),
    });
    expect(whole.length).toBeGreaterThan(2_000_000);
    expect(parts.join('')).toBe(whole);
    expect(JSON.parse(whole)).toEqual(JSON.parse(JSON.stringify(model, (key, value) => (['path', 'declared', 'block', 'addresses', 'names', 'ranges', 'sources', 'destinations', 'fromObjects', 'toObjects'].includes(key) ? undefined : value))));
    // Each part is the buffer of about 64 K characters and at most one small value written whole after it.
    expect(longest).toBeLessThan(200_000);
  });
});
