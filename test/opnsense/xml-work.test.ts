// The OPNsense XML of a large topology is mostly leaves: 20,000 MVC filter
// rules are a million fields, most at the model's default. These checks
// count operations, not time: a leaf costs the serializer no array, and a
// default field is built without going through leaf().
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAll, targets } from '../../src/render/index.js';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { areas } from '../../src/render/opnsense/index.js';
import { compilePolicy } from '../../src/render/opnsense/policy.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { UnknownFieldError, modelItem, modelSection } from '../../src/render/opnsense/fields.js';
import * as xml from '../../src/render/opnsense/xml.js';
import { type XmlElement, type XmlNode, child, childrenNamed, element, isElement, leaf, sameCanonicalText, serialize, sharedLeaf } from '../../src/render/opnsense/xml.js';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { TextParts } from '../../src/render/parts.js';
import { countArrayCalls, modelOf, readExample } from '../helpers.js';
import { everyItem, withRelease } from './support.js';

const arrayCalls = <T>(action: () => T) => countArrayCalls(['filter', 'map', 'join'], action);

/** `rules` rules with a uuid, each of `fields` leaves (some empty). */
function rules(count: number, fields: number): XmlElement {
  return element(
    'rules',
    Array.from({ length: count }, (_, r) => element('rule', Array.from({ length: fields }, (_, f) => leaf(`field${f}`, f % 3 ? `${r}-${f} <&>` : '')), [['uuid', `uuid-${r}`]])),
  );
}

afterEach(() => vi.restoreAllMocks());

describe('serializing', () => {
  it('writes the layout and the escaping of the tree', () => {
    expect(serialize(rules(2, 3))).toBe(
      [
        '<rules>',
        '  <rule uuid="uuid-0">',
        '    <field0/>',
        '    <field1>0-1 &lt;&amp;&gt;</field1>',
        '    <field2>0-2 &lt;&amp;&gt;</field2>',
        '  </rule>',
        '  <rule uuid="uuid-1">',
        '    <field0/>',
        '    <field1>1-1 &lt;&amp;&gt;</field1>',
        '    <field2>1-2 &lt;&amp;&gt;</field2>',
        '  </rule>',
        '</rules>',
      ].join('\n'),
    );
  });

  it("joins no element's children but the document's: each other join is of one tag's or leaf's own few parts", () => {
    const [narrowTree, wideTree] = [rules(500, 20), rules(500, 40)];
    const narrow = joinedLengths(() => serialize(narrowTree));
    const wide = joinedLengths(() => serialize(wideTree));
    expect(wide.text.length).toBeGreaterThan(1.8 * narrow.text.length);
    // One join of the whole document (of its parts: render/parts.ts), whatever the fields: none per element with children.
    for (const { text, lengths, results } of [narrow, wide]) {
      expect(results.filter((n) => n === text.length)).toHaveLength(1);
      expect(lengths.filter((n, i) => n > 8 && results[i] !== text.length)).toEqual([]);
    }
    // A start tag with its attribute and its '>' (8 parts) and a leaf with text (6) are joined into one flat
    // string: a string made with + is a rope of its parts in V8, one more to walk when its part is flattened.
    expect(Math.max(...wide.lengths.filter((n) => n <= 8))).toBe(8);
    // No filter or map per element.
    expect(arrayCalls(() => serialize(wideTree)).calls).toBe(wide.lengths.length);
  });
});

/** Writes, and records the length of every array joined meanwhile, and of the text each join made. */
function joinedLengths(write: () => string): { text: string; lengths: number[]; results: number[] } {
  const lengths: number[] = [];
  const results: number[] = [];
  const join = Array.prototype.join;
  Array.prototype.join = function (this: unknown[], separator?: string) {
    lengths.push(this.length);
    const joined = join.call(this, separator);
    results.push(joined.length);
    return joined;
  };
  try {
    return { text: write(), lengths, results };
  } finally {
    Array.prototype.join = join;
  }
}

describe('comparing elements as written', () => {
  // Small trees where equal writings are common: few names, texts split into pieces, mixed content, comments.
  const text = fc.constantFrom('', ' ', 'a', 'a&b', '<', '\n  ', 'x y');
  const nodes = fc.letrec<{ element: XmlElement; node: XmlNode }>((tie) => ({
    element: fc.record({
      name: fc.constantFrom('a', 'b'),
      attrs: fc.uniqueArray(fc.tuple(fc.constantFrom('uuid', 'version'), fc.constantFrom('1', '2', '&')), { maxLength: 2, selector: ([key]) => key }),
      children: fc.array(tie('node'), { maxLength: 3 }),
    }) as fc.Arbitrary<XmlElement>,
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.record({ text }), fc.record({ comment: fc.constantFrom('c', 'd') }), tie('element')) as fc.Arbitrary<XmlNode>,
  }));
  /** The same element with its texts split, whitespace text added between elements, or nothing changed. */
  const variant = (node: XmlElement, how: number): XmlElement => ({
    name: node.name,
    attrs: node.attrs.map(([k, v]) => [k, v] as [string, string]),
    children: node.children.flatMap((c): XmlNode[] => {
      if (isElement(c)) return [variant(c, how)];
      if ('text' in c && how === 1 && c.text.length > 1) return [{ text: c.text.slice(0, 1) }, { text: c.text.slice(1) }];
      if ('text' in c && how === 2) return [c, { text: '\n' }];
      return [{ ...c }];
    }),
  });

  it('sameCanonicalText answers whether two elements are written the same, without writing them, and ignores the source text of a parsed one', () => {
    fc.assert(
      fc.property(nodes.element, nodes.element, fc.integer({ min: 0, max: 3 }), (a, b, how) => {
        const c = how === 3 ? b : variant(a, how);
        expect(sameCanonicalText(a, c)).toBe(serialize(a) === serialize(c));
        expect(sameCanonicalText(a, b)).toBe(serialize(a) === serialize(b));
        // Read back, with its source text and the layout the parser keeps: the same element.
        const parsed = parseXml(`<opnsense>\n  ${serialize(a, 1)}\n</opnsense>\n`).root.children.find(isElement)!;
        expect(parsed.raw).toBeDefined();
        expect(sameCanonicalText(parsed, a)).toBe(true);
        expect(sameCanonicalText(parsed, b)).toBe(serialize(a) === serialize(b));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('walking the tree', () => {
  it('goes through children by index: no iterator per element (for-of over frozen lists made one per child)', () => {
    const tree = rules(200, 30);
    // Frozen children, as the shared default fields have.
    for (const rule of tree.children as XmlElement[]) for (const field of rule.children as XmlElement[]) Object.freeze(field.children);
    const walked = countArrayCalls([Symbol.iterator], () => serialize(tree));
    expect(walked.result).toContain('<field1>199-1 &lt;&amp;&gt;</field1>');
    expect(walked.calls).toBe(0);
  });
});

/** What `write` returns, and the length of the longest list joined while it ran: the pieces of the document. */
function writtenInPieces(write: () => string): { text: string; pieces: number } {
  // Each piece is added to the writer of parts on its own (render/parts.ts).
  const add = vi.spyOn(TextParts.prototype, 'add');
  try {
    const text = write();
    return { text, pieces: add.mock.calls.length };
  } finally {
    add.mockRestore();
  }
}

describe('shared fields', () => {
  it('are one piece each, with their indentation, in the list the document is joined from', () => {
    // 200 items of the same 30 shared fields, as the defaults are.
    const fields = Array.from({ length: 30 }, (_, f) => sharedLeaf(`field${f}`, `v${f}`));
    const tree = element('rules', Array.from({ length: 200 }, (_, r) => element('rule', fields, [['uuid', `uuid-${r}`]])));
    // A shared field's text is on the field: no table is looked up per field.
    const lookups = vi.spyOn(WeakMap.prototype, 'get');
    const { text, pieces } = writtenInPieces(() => serialize(tree));
    const looked = lookups.mock.calls.length;
    expect(text.split('\n').filter((line) => line === '    <field7>v7</field7>')).toHaveLength(200);
    // Per item: its indentation, start tag with its '>', 30 fields, the closing indentation and tag (the second item on).
    expect(pieces).toBeLessThan(200 * 36);
    expect(looked).toBe(0);
  });

  it('are made without defining a property: most of gen\'s short values (a sequence, a description) are new', () => {
    const define = vi.spyOn(Object, 'defineProperty');
    const made = Array.from({ length: 50 }, (_, i) => sharedLeaf('sequence', `${i}0`));
    const calls = define.mock.calls.length;
    define.mockRestore();
    expect(calls).toBe(0);
    expect(made.every((m) => Object.isFrozen(m))).toBe(true);
    expect(serialize(element('rule', made.slice(0, 2)))).toBe('<rule>\n  <sequence>00</sequence>\n  <sequence>10</sequence>\n</rule>');
  });

  it('at the model default and next to each other are one piece, and gen\'s values between them one each', () => {
    // 200 items of 30 fields at the model's default, as an MVC filter rule's are, with gen's own value in 3 of them.
    const defaults = Array.from({ length: 30 }, (_, f) => sharedLeaf(`field${f}`, `d${f}`, true));
    const items = Array.from({ length: 200 }, (_, r) => {
      const fields = defaults.slice();
      for (const f of [5, 15, 25]) fields[f] = sharedLeaf(`field${f}`, `${r}-${f}`);
      return element('rule', fields, [['uuid', `uuid-${r}`]]);
    });
    const { text, pieces } = writtenInPieces(() => serialize(element('rules', items)));
    // Written as plain leaves (the long way), the same text.
    const plainLeaves = element('rules', items.map((item) => element('rule', item.children.filter(isElement).map((f) => leaf(f.name, xml.textOf(f))), item.attrs)));
    expect(text).toBe(serialize(plainLeaves));
    // Per item: its indentation, start tag with its '>', 4 runs of defaults, 3 values, the closing indentation
    // and tag; and the root's start tag, closing indentation and tag. One piece per field would be 200 * 34 + 3.
    expect(pieces).toBe(200 * 11 + 3);
    // The runs are made once, whatever the items: 400 more items with other values of their own make none.
    const more = Array.from({ length: 400 }, (_, r) => {
      const fields = defaults.slice();
      for (const f of [5, 15, 25]) fields[f] = sharedLeaf(`field${f}`, `more-${r}-${f}`);
      return element('rule', fields);
    });
    // A run is joined from two pieces (see DefaultRun); the other joins are the document and the tags and leaves.
    const { lengths } = joinedLengths(() => serialize(element('rules', more)));
    expect(lengths.filter((n) => n === 2)).toEqual([]);
  });

  it('of an item laid out from its model are written with one piece per own value: the constants and tags around it are in those pieces', () => {
    // 200 items of 30 fields, with their own values in 3 of them (an empty one written `<field15/>`), as a build lays out an MVC filter rule.
    const defaults = Array.from({ length: 30 }, (_, f) => sharedLeaf(`field${f}`, `d${f}`, true));
    const layout = new xml.ItemLayout('rule', defaults, [5, 15, 25]);
    const values = (r: number): string[] => [`${r} <5>`, r % 2 ? '' : `${r}-15`, `${r} & 25`];
    const laid = Array.from({ length: 200 }, (_, r) => new xml.LaidOutItem(layout, [['uuid', `uuid-${r}`]], values(r)));
    const { text, pieces } = writtenInPieces(() => serialize(element('rules', laid)));
    // The same text as the items made as plain elements.
    const plain = Array.from({ length: 200 }, (_, r) => {
      const fields: XmlElement[] = defaults.map((d) => leaf(d.name, xml.textOf(d)));
      [5, 15, 25].forEach((f, k) => (fields[f] = leaf(`field${f}`, values(r)[k]!)));
      return element('rule', fields, [['uuid', `uuid-${r}`]]);
    });
    expect(text).toBe(serialize(element('rules', plain)));
    expect(text).toContain('<field15/>');
    // Per item: its indentation, its start tag with the constants up to the first value, and one piece per value
    // (the constants and the end tag after it in the same piece); the root's start tag, closing indentation and tag.
    // The 27 constants are written once, into the layout's runs. Each tag, run and value added on its own was 12 an item.
    expect(pieces).toBe(200 * 5 + 3 + 27);
  });

  it('at the model default are written as the same text one by one and in runs, whatever the mix around them', () => {
    const defaults = ['a', 'b', 'c', 'd'].map((name, i) => sharedLeaf(name, i % 2 ? '' : `v${name}`, true));
    const child = fc.oneof(
      fc.constantFrom(...defaults),
      fc.constantFrom(...defaults).map((d) => sharedLeaf(d.name, 'gen <&>')),
      fc.constantFrom('x', 'y').map((name) => leaf(name, `${name} <value>`)),
      fc.constant<XmlNode>({ text: ' ' }),
      fc.constant<XmlNode>({ comment: ' note ' }),
    );
    // Nested, so that runs are met at several depths.
    const tree = fc.array(fc.array(child, { maxLength: 12 }), { maxLength: 4 }).map((items) => element('rules', items.map((children) => ({ name: 'rule', attrs: [], children }))));
    // A copy whose leaves are plain, written the long way.
    const plain = (node: XmlElement): XmlElement => ({
      name: node.name,
      attrs: node.attrs,
      children: node.children.map((c) => (isElement(c) ? (c.children.some(isElement) || c.name === 'rule' ? plain(c) : leaf(c.name, xml.textOf(c))) : c)),
    });
    fc.assert(
      fc.property(tree, fc.integer({ min: 0, max: 3 }), (root, depth) => {
        expect(serialize(root, depth)).toBe(serialize(plain(root), depth));
      }),
      { numRuns: 2000 },
    );
  });

  it('are written as any other element when frozen by hand, without the texts kept for shared ones', () => {
    const own = Object.freeze({ ...leaf('field', 'v <&>'), children: Object.freeze([{ text: 'v <&>' }]) }) as XmlElement;
    const shared = sharedLeaf('field', 'v <&>');
    expect(serialize(element('rule', [own, shared]))).toBe('<rule>\n  <field>v &lt;&amp;&gt;</field>\n  <field>v &lt;&amp;&gt;</field>\n</rule>');
    // The texts are not part of the element: it compares and copies as one frozen by hand.
    expect(shared).toEqual(own);
    expect(Object.keys(shared)).toEqual(Object.keys(own));
  });
});

describe('MVC items', async () => {
  const model = await modelOf(withRelease(readExample('homelab'), '26.7'));
  const site = model.sites[0]!;
  const ctx = opnsenseContext(model, site, site.firewall!);

  it("build every field of the model, gen's short values and the defaults as shared elements, a long value through leaf()", () => {
    const made = vi.spyOn(xml, 'leaf');
    const long = `gen: ${'a long description '.repeat(5)}`;
    const item = modelItem(ctx, 'filter', 'rules.rule', '0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { action: 'block', description: 'gen: test' });
    const fields = item.children.filter(isElement);
    expect(fields.length).toBeGreaterThan(40);
    expect(made).toHaveBeenCalledTimes(0);
    modelItem(ctx, 'filter', 'rules.rule', '0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { action: 'block', description: long });
    expect(made).toHaveBeenCalledTimes(1);
    expect(fields.filter((f) => !f.fill).map((f) => [f.name, xml.textOf(f)])).toEqual([
      ['action', 'block'],
      ['description', 'gen: test'],
    ]);
    // The defaults are the model's: enabled 1, quick 1, statetype keep.
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(['enabled', 'quick', 'statetype'].map((name) => [xml.textOf(byName.get(name)), byName.get(name)!.fill])).toEqual([
      ['1', true],
      ['1', true],
      ['keep', true],
    ]);
  });
});

describe('default fields and short values', async () => {
  const model = await modelOf(withRelease(readExample('homelab'), '26.7'));
  const site = model.sites[0]!;
  const ctx = opnsenseContext(model, site, site.firewall!);

  it('are one frozen element per field and value, shared by every item', () => {
    // A million default fields of 20,000 rules were a million elements alive until the file was written.
    const [a, b] = ['0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', '1b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10'].map((uuid) => modelItem(ctx, 'filter', 'rules.rule', uuid, { action: 'block' }));
    const quick = (item: XmlElement) => child(item, 'quick')!;
    expect(quick(a!)).toBe(quick(b!));
    expect(Object.isFrozen(quick(a!)) && Object.isFrozen(quick(a!).children)).toBe(true);
    expect(() => quick(a!).children.push({ text: '0' })).toThrow(TypeError);
    // gen's own short values are shared too, without the default's mark; a value of its own is its own element.
    expect(child(a!, 'action')).toBe(child(b!, 'action'));
    expect([Object.isFrozen(child(a!, 'action')), child(a!, 'action')!.fill]).toEqual([true, undefined]);
    const [c, d] = ['blocked by c', 'blocked by d'].map((description) => modelItem(ctx, 'filter', 'rules.rule', '2b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { description }));
    expect([xml.textOf(child(c!, 'description')), xml.textOf(child(d!, 'description'))]).toEqual(['blocked by c', 'blocked by d']);
  });

  it('keep their values when the table of shared values fills and starts again', () => {
    // More distinct short values than the table holds (65,536), each used twice so that the field stays
    // shared: sharing is lost, never a value. A render of its own: the table is the render's.
    const ctx = opnsenseContext(model, site, site.firewall!);
    const items = Array.from({ length: 140_000 }, (_, i) => modelItem(ctx, 'filter', 'rules.rule', '3b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { description: `d${i >> 1}`, action: 'pass' }));
    expect(items.map((item) => xml.textOf(child(item, 'description'))).filter((text, i) => text !== `d${i >> 1}`)).toEqual([]);
    // Shared, then the table started again: the same value is one element until then.
    expect(child(items[0]!, 'description')).toBe(child(items[1]!, 'description'));
    expect(child(items[139_998]!, 'description')).toBe(child(items[139_999]!, 'description'));
    expect(new Set(items.map((item) => child(item, 'action'))).size).toBeLessThanOrEqual(2);
  });

  it("stop being shared for a field whose values seldom come back (a rule's sequence), and stay shared where they do", () => {
    // 20,000 rules each have a sequence of their own: shared, each was a frozen element in a table, looked up
    // and kept for nothing.
    const ctx = opnsenseContext(model, site, site.firewall!);
    const items = Array.from({ length: 3000 }, (_, i) =>
      modelItem(ctx, 'filter', 'rules.rule', '5b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { sequence: String(900_000 + i), action: i % 2 ? 'pass' : 'block' }),
    );
    const late = items.slice(-500);
    expect(late.filter((item) => Object.isFrozen(child(item, 'sequence')))).toEqual([]);
    expect(late.every((item) => Object.isFrozen(child(item, 'action')))).toBe(true);
    expect(new Set(late.map((item) => child(item, 'action'))).size).toBe(2);
    // Shared or not, each field holds its value.
    expect(items.map((item) => xml.textOf(child(item, 'sequence')))).toEqual(items.map((_, i) => String(900_000 + i)));
  });

  it('are shared per render: what one render learns about a field does not change the sharing of another', () => {
    // The table and its statistics lived as long as the module: a process that rendered a few thousand
    // rules with descriptions of their own wrote every later render's descriptions plain.
    const first = opnsenseContext(model, site, site.firewall!);
    const unique = Array.from({ length: 3000 }, (_, i) => modelItem(first, 'filter', 'rules.rule', '6b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { description: `rule ${i}` }));
    expect(Object.isFrozen(child(unique.at(-1)!, 'description'))).toBe(false);
    const second = opnsenseContext(model, site, site.firewall!);
    const [a, b] = [0, 1].map(() => modelItem(second, 'filter', 'rules.rule', '7b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { description: 'rule 2999' }));
    expect(child(a!, 'description')).toBe(child(b!, 'description'));
    expect(Object.isFrozen(child(a!, 'description'))).toBe(true);
  });

  it("read each of gen's values once and look up the item's place in the model once: not every field of the model per item", () => {
    modelItem(ctx, 'filter', 'rules.rule', '4b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { action: 'pass' });
    const reads: PropertyKey[] = [];
    const values = new Proxy(
      { action: 'block', description: 'gen: counted' },
      {
        get(target, key, receiver) {
          reads.push(key);
          return Reflect.get(target, key, receiver);
        },
        getOwnPropertyDescriptor(target, key) {
          reads.push(key);
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      },
    );
    const made = countArrayCalls(['find'], () => modelItem(ctx, 'filter', 'rules.rule', '4b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', values));
    // The model's filter rule has more than 50 fields; gen gave two.
    expect(made.result.children.length).toBeGreaterThan(50);
    expect(reads.filter((key) => key !== 'action' && key !== 'description')).toEqual([]);
    expect(reads.length).toBeLessThanOrEqual(4);
    expect(made.calls).toBe(0);
    expect([xml.textOf(child(made.result, 'action')), xml.textOf(child(made.result, 'description')), child(made.result, 'quick')!.fill]).toEqual(['block', 'gen: counted', true]);
  });

  it("refuse a value for a field the release's model does not have", () => {
    expect(() => modelItem(ctx, 'filter', 'rules.rule', '0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10', { action: 'block', colour: 'red' })).toThrow(
      new UnknownFieldError('filter rules.rule has no field colour on this release'),
    );
  });
});

describe('compiling the policy', async () => {
  // 25.7: a legacy port forward names its filter rule (associated-rule-id), the only rule with that field.
  const model = await modelOf(withRelease(everyItem(), '25.7'));
  const site = model.sites.find((s) => s.firewall)!;

  it('makes every filter rule of one shape, and no JSON text per placement', () => {
    const stringify = vi.spyOn(JSON, 'stringify');
    const { rules } = compilePolicy(opnsenseContext(model, site, site.firewall!));
    const calls = stringify.mock.calls.length;
    stringify.mockRestore();
    expect(calls).toBe(0);
    expect(rules.filter((r) => r.associatedRuleId !== undefined).length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.associatedRuleId === undefined).length).toBeGreaterThan(0);
    // The same fields in the same order: V8 then keeps one hidden class for them all.
    expect(new Set(rules.map((r) => Object.keys(r).join(' ')))).toEqual(new Set([Object.keys(rules[0]!).join(' ')]));
  });
});

describe('compiling the rules of one source network each', async () => {
  const model = await modelOf(toYaml(siteTopology({ peers: 10, rules: 400 })));
  const site = model.sites[0]!;

  it('makes no set of placements to tell apart for a rule with one', () => {
    let sets = 0;
    const Original = globalThis.Set;
    globalThis.Set = class<T> extends Original<T> {
      constructor(items?: Iterable<T> | null) {
        super(items);
        sets++;
      }
    } as SetConstructor;
    let rules: number;
    try {
      rules = compilePolicy(opnsenseContext(model, site, site.firewall!)).rules.length;
    } finally {
      globalThis.Set = Original;
    }
    expect(rules).toBeGreaterThan(400);
    // The few rules with members on several interfaces (the internet rules' zones) make one each.
    expect(sets).toBeLessThan(20);
  });
});

describe('sections of any size', async () => {
  const model = await modelOf(withRelease(readExample('homelab'), '26.7'));
  const site = model.sites[0]!;
  const ctx = opnsenseContext(model, site, site.firewall!);

  it('holds more items than a call can take arguments (200,000 rules are one array field)', () => {
    // Items were once appended with push(...items), which throws a RangeError past about 120,000.
    const items = Array.from({ length: 300_000 }, (_, i) => leaf('rule', i));
    const [section] = modelSection(ctx, 'filter', { rules: { rule: items } });
    // The section's root inside the elements of its mount path (OPNsense/Firewall/Filter).
    let root = section!;
    while (!child(root, 'rules')) root = root.children.find(isElement)!;
    expect(childrenNamed(child(root, 'rules'), 'rule')).toHaveLength(300_000);
  });
});

describe('the sections a build keeps', async () => {
  const model = await modelOf(readExample('homelab'));
  const site = model.sites[0]!;
  const opnsense = targets.find((t) => t.name === 'opnsense')!;
  const verify = targets.find((t) => t.name === 'verify')!;

  /**
   * Each area's build, counted, and a weak reference to every element it
   * returns. Not through vi.spyOn: a mock keeps what its calls returned.
   */
  const restore: (() => void)[] = [];
  afterEach(() => {
    for (const undo of restore.splice(0)) undo();
  });
  function watchAreas(): { builds: Map<string, number>; refs: WeakRef<XmlElement>[] } {
    const builds = new Map<string, number>();
    const refs: WeakRef<XmlElement>[] = [];
    for (const area of areas) {
      const original = area.build;
      area.build = (ctx) => {
        builds.set(area.file, (builds.get(area.file) ?? 0) + 1);
        const sections = original.call(area, ctx);
        for (const section of sections) refs.push(new WeakRef(section));
        return sections;
      };
      restore.push(() => {
        area.build = original;
      });
    }
    return { builds, refs };
  }

  it('are built once per area: the verification scripts read the labels kept from the OPNsense files', () => {
    const { builds } = watchAreas();
    const files = renderAll(model);
    expect([...builds.values()].every((n) => n === 1)).toBe(true);
    expect(builds.has('filter.xml')).toBe(true);
    // Rendered alone, the verification scripts build the sections and read the rules there: the same script.
    const alone = new Map<string, string>();
    verify.render(model, alone);
    expect(alone.size).toBeGreaterThan(0);
    for (const [path, content] of alone) expect(files.get(path), path).toBe(content);
  });

  it("are garbage once their area's file is written: the OPNsense target keeps none of them", async () => {
    // A collector to call: the test process runs without --expose-gc.
    // The flag goes back at once: a changed V8 flag stays for the rest of this
    // worker's files, and V8 then refuses code caches made without it (the
    // bundle's among them).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const { refs } = watchAreas();
    const files = new Map<string, string>();
    opnsense.render(model, files);
    expect(refs.length).toBeGreaterThan(5);
    // A weak reference holds its element until the job that made it ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toEqual([]);
    // What the verification script needs is still there: no area is built again for it.
    for (const undo of restore.splice(0)) undo();
    const again = watchAreas();
    verify.render(model, files);
    expect(again.builds.size).toBe(0);
    expect([...files.keys()].some((p) => p.startsWith(`${site.name}/verify/`))).toBe(true);
  });
});
