// A merge reads its base with the items' fields made only when first asked
// for (parseXml's lazyItems, LazyElement): a merge into its own earlier
// result of 100,000 peers read 425 MB into some 15 million elements, past
// V8's heap. Read that way, a config must give the same tree, the same text
// and the same errors as read whole; what merge leaves unmade is written
// from its source text, and the walks for items pass it by only where that
// text cannot hold what they look for.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { dropStaleItems } from '../../src/opnsense/dropped.js';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { genUuid } from '../../src/render/opnsense/ids.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { LazyElement, type XmlElement, type XmlNode, child, isElement, leaf, serialize, writesAs, xmlDocument } from '../../src/render/opnsense/xml.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { parse as parseYaml } from 'yaml';
import { edit, modelOf, readExample } from '../helpers.js';
import { factorySample, withBoxCa } from './support.js';

/** The whole tree as plain data (every item's children made). */
function dump(node: XmlNode): unknown {
  if (!isElement(node)) return { ...node };
  return { name: node.name, attrs: node.attrs, raw: node.raw, fill: node.fill, children: node.children.map(dump) };
}

/** Notes the name of each item whose children are made (asked for while unmade), even if let go again afterwards. */
function spyMade(made: string[]) {
  const { get } = Object.getOwnPropertyDescriptor(LazyElement.prototype, 'children')!;
  return vi.spyOn(LazyElement.prototype, 'children', 'get').mockImplementation(function (this: LazyElement) {
    if (this.unmade) made.push(this.name);
    return get!.call(this) as XmlNode[];
  });
}

/** Every LazyElement of a tree, without making any children. */
function itemsOf(node: XmlElement, out: LazyElement[] = []): LazyElement[] {
  if (node instanceof LazyElement) {
    out.push(node);
    if (node.unmade) return out;
  }
  for (const c of node.children) if (isElement(c)) itemsOf(c, out);
  return out;
}

const HANDMADE = `<?xml version="1.0"?>
<!-- a box's own comment -->
<opnsense>
  <system><hostname>fw</hostname></system>
  <OPNsense>
    <list version="1.0.0">
      <item uuid="0b7e2a4c-1d3f-4e5a-8b6c-7d8e9f0a1b2c"> <!-- inside an item -->
        <name>x &amp; y &#65;</name>
        <empty/>
        <cdata><![CDATA[<raw> & ]]></cdata>
        <nested><inner uuid="1c8f3b5d-2e4a-4f6b-9c7d-8e9f0a1b2c3d"><v>1</v></inner></nested>
      </item>
      <item uuid='2d9a4c6e-3f5b-4a7c-8d8e-9f0a1b2c3d4e'/>
      <item uuid="3e0b5d7f-4a6c-4b8d-9e9f-0a1b2c3d4e5f"></item>
      <item uuid="5a2d7f9b-6c8e-4daf-9a1b-2c3d4e5f6071"><sub uuid="6b3e8a0c-7d9f-4eb0-8b2c-3d4e5f607182"/></item>
      <item note="a &quot;b&quot;" uuid="4f1c6e8a-5b7d-4c9e-8f0a-1b2c3d4e5f60">text only</item>
    </list>
  </OPNsense>
</opnsense>
`;

/** Merges an example (its instance given a key) into a base, its sections made anew for each merge as the command makes them. */
function merger(name: Parameters<typeof readExample>[0]): (base: string) => Promise<string> {
  const pair = generateKeyPair();
  let yaml = readExample(name);
  if (yaml.includes('\n    wireguard:')) yaml = edit(yaml, ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
  const standIn = selfSignedCertificate(['stand-in.example']);
  return async (base) => {
    const model = await modelOf(yaml);
    const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    return mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => standIn, allowGuiPortConflict: true });
  };
}

const FACTORY = withBoxCa(factorySample('26.7'));

async function mergedExample(name: Parameters<typeof readExample>[0]): Promise<string> {
  return merger(name)(FACTORY);
}

describe('a config read with its items made when asked for', () => {
  it.each([
    ['handmade, with an item in an item, comments, CDATA and references', async () => HANDMADE],
    ['the 25.7 factory config', async () => factorySample('25.7')],
    ['the 26.1 factory config', async () => factorySample('26.1')],
    ['the 26.7 factory config', async () => factorySample('26.7')],
    ['homelab merged', () => mergedExample('homelab')],
    ['vlan-hosting merged', () => mergedExample('vlan-hosting')],
  ])('%s: the same tree and text as read whole; items below the root are unmade until asked', async (name, text) => {
    const config = await text();
    const whole = parseXml(config);
    const lazy = parseXml(config, { lazyItems: true });
    expect(lazy.prolog).toBe(whole.prolog);
    expect(lazy.epilog).toBe(whole.epilog);
    const items = itemsOf(lazy.root);
    // The factory configs have no item with content (an empty one, <item uuid="…"/>, has nothing to make later).
    if (!name.includes('factory')) expect(items.length).toBeGreaterThan(name.startsWith('handmade') ? 2 : 10);
    expect(items.every((item) => item.unmade && item.raw !== undefined && item.raw.startsWith(`<${item.name}`))).toBe(true);
    // Written as it was read: the root's text, and each item's own.
    expect(serialize(lazy.root)).toBe(serialize(whole.root));
    expect(items.every((item) => item.unmade)).toBe(true);
    expect(dump(lazy.root)).toEqual(dump(whole.root));
    // Written anew from the children made (a change deletes raw), each item gives what the whole reading gives.
    const wholeItems = new Map<string, XmlElement>();
    const index = (node: XmlElement): void => {
      for (const c of node.children) {
        if (!isElement(c)) continue;
        const uuid = c.attrs.find(([k]) => k === 'uuid')?.[1];
        if (uuid !== undefined) wholeItems.set(uuid, c);
        index(c);
      }
    };
    index(whole.root);
    for (const item of items) {
      const same = wholeItems.get(item.attrs.find(([k]) => k === 'uuid')![1])!;
      delete item.raw;
      delete same.raw;
      expect(serialize(item, 2)).toBe(serialize(same, 2));
    }
  });

  it('knows which items hold an item, without making them', () => {
    const items = itemsOf(parseXml(HANDMADE, { lazyItems: true }).root);
    expect(items.map((item) => [item.attrs.at(-1)![1].slice(0, 8), item.holdsItems, item.unmade])).toEqual([
      ['0b7e2a4c', true, true],
      ['3e0b5d7f', false, true],
      ['5a2d7f9b', true, true],
      ['4f1c6e8a', false, true],
    ]);
    // Made, the first one's inner item is unmade in turn.
    const inner = child(child(items[0]!, 'nested'), 'inner');
    expect(inner).toBeInstanceOf(LazyElement);
    expect((inner as LazyElement).unmade).toBe(true);
    expect(child(inner, 'v')?.children).toEqual([{ text: '1' }]);
  });

  it('any tree gen writes reads back the same either way', () => {
    const names = fc.constantFrom('a', 'rule', 'item', 'name', 'x.y');
    const uuid = fc.uuid();
    type Shape = { name: string; uuid: string | undefined; text: string | undefined; children: readonly Shape[] };
    const text = fc.option(fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '"', ' ', '한', ']]>', '\n') }), { nil: undefined });
    const { tree } = fc.letrec<{ tree: Shape }>((tie) => ({
      tree: fc.oneof(
        { maxDepth: 4, depthIdentifier: 'tree' },
        fc.record({ name: names, uuid: fc.option(uuid, { nil: undefined }), text, children: fc.constant([]) }),
        fc.record({ name: names, uuid: fc.option(uuid, { nil: undefined }), text: fc.constant(undefined), children: fc.array(tie('tree') as fc.Arbitrary<Shape>, { minLength: 1, maxLength: 3 }) }),
      ),
    }));
    const build = (shape: Shape): XmlElement => {
      const attrs: [string, string][] = shape.uuid === undefined ? [] : [['uuid', shape.uuid]];
      if (shape.children.length === 0) return leaf(shape.name, shape.text, attrs);
      return { name: shape.name, attrs, children: shape.children.map(build) };
    };
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 4 }), (shapes) => {
        const text = xmlDocument({ name: 'opnsense', attrs: [], children: shapes.map(build) });
        const lazy = parseXml(text, { lazyItems: true });
        expect(serialize(lazy.root)).toBe(serialize(parseXml(text).root));
        expect(dump(lazy.root)).toEqual(dump(parseXml(text).root));
      }),
      { numRuns: 300 },
    );
  });

  // Each fault sits inside an item: the lazy reading checks the item's content as the whole reading does, at once.
  it.each([
    ['an unknown entity', '<x>&bogus;</x>'],
    ['a mismatched closing tag', '<x><y></x></y>'],
    ['an unclosed element', '<x>'],
    ['"--" in a comment', '<!-- a -- b -->'],
    ['text beside elements', 'stray<x/>'],
    ['a processing instruction', '<?php echo 1; ?>'],
    ['"]]>" in text', '<x>a ]]> b</x>'],
    ['a duplicate attribute', '<x a="1" a="2"/>'],
    ['a control character reference', '<x>&#1;</x>'],
    ['elements nested too deep', `${'<d>'.repeat(205)}${'</d>'.repeat(205)}`],
  ])('%s inside an item is the same error, at the same place', (_name, fault) => {
    const text = `<opnsense>\n  <system/>\n  <list>\n    <item uuid="0b7e2a4c-1d3f-4e5a-8b6c-7d8e9f0a1b2c"><ok>1</ok>${fault}</item>\n  </list>\n</opnsense>\n`;
    let whole: unknown;
    try {
      parseXml(text);
    } catch (error) {
      whole = error;
    }
    expect(whole).toBeInstanceOf(Error);
    expect(() => parseXml(text, { lazyItems: true })).toThrow(whole as Error);
    expect(() => parseXml(text, { lazyItems: true })).toThrow((whole as Error).constructor as new () => Error);
  });

  it('lets the children made go only while nothing in the item changed', () => {
    const items = itemsOf(parseXml(HANDMADE, { lazyItems: true }).root);
    const first = items[0]!;
    const before = dump(first);
    first.release();
    expect(first.unmade).toBe(true);
    expect(first.children.length).toBeGreaterThan(0);
    expect(first.unmade).toBe(false);
    first.release();
    expect(first.unmade).toBe(true);
    expect(dump(first)).toEqual(before);
    // A field changed (its text rewritten, its raw gone): the item keeps its children, and writes the change.
    const name = child(first, 'name')!;
    name.children = [{ text: 'changed' }];
    delete name.raw;
    first.release();
    expect(first.unmade).toBe(false);
    delete first.raw;
    expect(serialize(first)).toContain('<name>changed</name>');
    // So does an item whose inner item changed, made or not.
    const other = itemsOf(parseXml(HANDMADE, { lazyItems: true }).root)[0]!;
    const inner = child(child(other, 'nested'), 'inner') as LazyElement;
    inner.attrs = [['uuid', 'changed']];
    delete inner.raw;
    other.release();
    expect(other.unmade).toBe(false);
  });
});

describe("the walk for what names an earlier merge's items", () => {
  const stale = genUuid('home/haproxy-backend/gone');
  const current = genUuid('home/haproxy-frontend/now');
  const config = (reference: string) =>
    parseXml(
      `<opnsense><system/><OPNsense><HAProxy version="4.1.0"><frontends>` +
        `<frontend uuid="${current}"><name>now</name><defaultBackend></defaultBackend></frontend>` +
        `<frontend uuid="4f1c6e8a-5b7d-4c9e-8f0a-1b2c3d4e5f60"><name>theirs</name><defaultBackend>${reference}</defaultBackend></frontend>` +
        `</frontends><backends><backend uuid="${stale}"><name>gone</name></backend></backends></HAProxy></OPNsense></opnsense>`,
      { lazyItems: true },
    ).root;
  const backends = (root: XmlElement) => child(child(child(child(root, 'OPNsense'), 'HAProxy'), 'backends'), 'backend');
  const frontends = (root: XmlElement) => itemsOf(root).filter((item) => item.name === 'frontend');

  it.each([
    ['as written', stale],
    ['with character references', stale.replace(/-/g, '&#45;')],
    ['in a list', `  2d9a4c6e-3f5b-4a7c-8d8e-9f0a1b2c3d4e , ${stale}`],
  ])("finds the name in a box's item nobody looked into (%s), and keeps what it names", (_how, reference) => {
    const root = config(reference);
    expect(frontends(root).every((item) => item.unmade)).toBe(true);
    const said: string[] = [];
    expect(dropStaleItems(root, new Set([current]), (m) => said.push(m))).toEqual([]);
    expect(backends(root)).toBeDefined();
    expect(said).toEqual([expect.stringMatching(/^kept HAProxy backend "gone" \(used by the box's frontend "theirs"\)/)]);
  });

  it('passes by the items whose text names none of them, without making their fields', () => {
    const root = config('2d9a4c6e-3f5b-4a7c-8d8e-9f0a1b2c3d4e');
    const said: string[] = [];
    // Which items' children are made (asked for while unmade), even if let go again afterwards.
    const made: string[] = [];
    const spy = spyMade(made);
    try {
      expect(dropStaleItems(root, new Set([current]), (m) => said.push(m))).toEqual(['HAProxy']);
    } finally {
      spy.mockRestore();
    }
    // Only the stale backend is made (its name is in the message); neither frontend names it.
    expect(made).toEqual(['backend']);
    expect(backends(root)).toBeUndefined();
    expect(said).toEqual(['removed HAProxy backend "gone": an earlier merge wrote it, and the topology no longer has it']);
    expect(frontends(root).map((item) => item.unmade)).toEqual([true, true]);
  });
});

describe("a merge's walks over its base", () => {
  it("leave the box's own items in a list gen does not write unmade, with a peer of an earlier merge to drop", async () => {
    const pair = generateKeyPair();
    const yaml = edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
    const sectionsOf = async (text: string) => {
      const model = await modelOf(text);
      return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    };
    const standIn = selfSignedCertificate(['stand-in.example']);
    const options = { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => standIn, allowGuiPortConflict: true };
    // 40 items of a plugin gen knows nothing of, each naming another item of the box's.
    const entries = Array.from({ length: 40 }, (_, i) => {
      const uuid = `0b7e2a4c-1d3f-4e5a-8b6c-${String(i).padStart(12, '0')}`;
      return `<entry uuid="${uuid}"><name>entry ${i}</name><other>0b7e2a4c-1d3f-4e5a-8b6c-${String(i + 1).padStart(12, '0')}</other></entry>`;
    });
    const factory = withBoxCa(factorySample('26.7')).replace('<OPNsense>', `<OPNsense>\n    <Unrelated version="1.0.0"><entries>${entries.join('')}</entries></Unrelated>`);
    expect(factory).toContain(entries[39]);
    const earlier = mergeConfig(factory, await sectionsOf(yaml), options);
    // The topology without its last peer: that peer's item is stale, in a list gen writes again.
    const all = (parseYaml(yaml) as { sites: { wireguard: { peers: { name: string }[] }[] }[] }).sites[0]!.wireguard[0]!.peers;
    const fewer = edit(yaml, ['sites', 0, 'wireguard', 0, 'peers'], all.slice(0, -1));
    const last = `<name>${all.at(-1)!.name}</name>`;
    expect(earlier).toContain(last);
    const made: string[] = [];
    const spy = spyMade(made);
    let merged: string;
    try {
      merged = mergeConfig(earlier, await sectionsOf(fewer), options);
    } finally {
      spy.mockRestore();
    }
    expect(merged).not.toContain(last);
    expect(made.filter((name) => name === 'entry')).toEqual([]);
    expect(made.length).toBeGreaterThan(0);
    expect(merged).toContain(`<entries>${entries.join('')}</entries>`);
  });
});

/** The items merge's checks read the fields of. */
const READ_BY_CHECKS: ReadonlySet<string> = new Set(['ca', 'cert', 'vlan', 'dhcp_ranges', 'hosts', 'dhcp_options', 'frontend', 'server', 'gateway_item']);

describe('a merge into its own earlier result', () => {
  it.each(['homelab', 'homelab-family', 'vlan-hosting'] as const)("%s: keeps the base's items as their text, making the fields of none that gen writes the same", async (name) => {
    const merge = merger(name);
    const earlier = await merge(FACTORY);
    const items = itemsOf(parseXml(earlier, { lazyItems: true }).root).length;
    const made: string[] = [];
    const spy = spyMade(made);
    try {
      expect(await merge(earlier)).toBe(earlier);
    } finally {
      spy.mockRestore();
    }
    // Made: only what the merge's checks read (VLANs, DHCP ranges, Hosts and options, frontends, servers, gateways,
    // certificates), never a rule or peer; the option refusals read each DHCP option's value, two more of vlan-hosting's.
    expect(made.filter((item) => !READ_BY_CHECKS.has(item))).toEqual([]);
    expect(made.length).toBeLessThan(items / 2);
  });
});

describe('writesAs', () => {
  const rule: XmlElement = { name: 'rule', attrs: [['uuid', '0b7e2a4c-1d3f-4e5a-8b6c-7d8e9f0a1b2c']], children: [leaf('descr', 'a < b'), { name: 'source', attrs: [], children: [leaf('any', '1')] }] };

  it('tells an element written at the depth of the text it was read from, and nothing else', () => {
    for (const depth of [0, 1, 4]) expect(writesAs(rule, serialize(rule, depth))).toBe(true);
    expect(writesAs(leaf('descr', 'x & y'), '<descr>x &amp; y</descr>')).toBe(true);
    const written = serialize(rule, 3);
    expect(writesAs(rule, written.replace('a &lt; b', 'a &lt; c'))).toBe(false);
    // The same element laid out otherwise (three spaces a level, tabs, one line): not the same text, so looked into.
    expect(writesAs(rule, written.replace(/\n( +)/g, (_m, pad: string) => `\n${' '.repeat((pad.length / 2) * 3)}`))).toBe(false);
    expect(writesAs(rule, written.replace(/\n( +)/g, (_m, pad: string) => `\n${'\t'.repeat(pad.length / 2)}`))).toBe(false);
    expect(writesAs(rule, written.replace(/\n +/g, ''))).toBe(false);
  });

  it('a base laid out otherwise is merged the same: its items are compared by their fields, and kept as they were', async () => {
    const merge = merger('homelab');
    const earlier = await merge(FACTORY);
    // Four spaces a level: OPNsense reads it the same; no item's text is what gen writes.
    const wide = earlier.replace(/\n( +)/g, (_m, pad: string) => `\n${pad}${pad}`);
    expect(wide).not.toBe(earlier);
    expect(await merge(wide)).toBe(wide);
  });
});
