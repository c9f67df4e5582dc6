// A build writes the long lists of the OPNsense files (filter rules,
// WireGuard clients) one item at a time: each item's elements are made
// while its file is written and are garbage once written, so a document of
// 20,000 rules never holds their elements all at once. The checks count
// operations and weigh what the written sections hold, not time.
import { describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { areas } from '../../src/render/opnsense/index.js';
import { compilePolicy } from '../../src/render/opnsense/policy.js';
import { type WrittenRules, addWrittenRules, writtenRulesVisitor } from '../../src/render/opnsense/written-rules.js';
import { type XmlElement, element, xmlDocument, xmlDocumentParts } from '../../src/render/opnsense/xml.js';
import { PART } from '../../src/render/parts.js';
import { renderAll, targets } from '../../src/render/index.js';
import { collectedHeap, countArrayCalls, modelOf } from '../helpers.js';
import { withRelease } from './support.js';

const RULES = 2000;

describe.each(['26.7', '25.7'])('the filter rules of a build, OPNsense %s', async (release) => {
  const model = await modelOf(withRelease(toYaml(siteTopology({ peers: 10, rules: RULES })), release));
  const site = model.sites[0]!;
  const devices = new Map(site.firewall!.interfaces.map((i) => [i.key, i.device]));
  const filter = areas.find((a) => a.file === 'filter.xml')!;

  it('are read for the verification script as they are written: the rules and the document of the whole tree', () => {
    const ctx = opnsenseContext(model, site, site.firewall!, { streamed: true });
    const rules = compilePolicy(ctx).rules;
    expect(rules.length).toBeGreaterThan(RULES);
    const sections = filter.build(ctx);
    const written: WrittenRules = { legacy: [], mvc: [] };
    const text = xmlDocument(element('opnsense', sections), writtenRulesVisitor(sections, devices, written));
    expect(written.legacy.length + written.mvc.length).toBe(rules.length);
    // The same rules and text as from the whole tree (what `gen opnsense merge` and a verification script rendered alone get).
    const plainSections = filter.build(opnsenseContext(model, site, site.firewall!));
    const whole: WrittenRules = { legacy: [], mvc: [] };
    addWrittenRules(plainSections, devices, whole);
    expect(written).toEqual(whole);
    expect(text).toBe(xmlDocument(element('opnsense', plainSections)));
    // Asked for, the children of the streamed sections are all there: the same tree.
    addWrittenRules(sections, devices, (written.legacy = [], written.mvc = [], written));
    expect(written).toEqual(whole);
  });

  it('are handed over in parts where the output takes them so: the same document, never one string nor one list of its pieces', () => {
    const ctx = opnsenseContext(model, site, site.firewall!, { streamed: true });
    const sections = filter.build(ctx);
    const parts: string[] = [];
    const written: WrittenRules = { legacy: [], mvc: [] };
    const join = vi.spyOn(Array.prototype, 'join');
    try {
      xmlDocumentParts(element('opnsense', sections), (part) => parts.push(part), writtenRulesVisitor(sections, devices, written));
      // No list of the document's pieces is joined (a tag or leaf joins its own few).
      expect(Math.max(...join.mock.contexts.map((list) => (list as unknown[]).length))).toBeLessThanOrEqual(64);
    } finally {
      join.mockRestore();
    }
    const whole = xmlDocument(element('opnsense', filter.build(opnsenseContext(model, site, site.firewall!))));
    expect(parts.join('')).toBe(whole);
    expect(parts.length).toBeGreaterThan(10);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(whole.length / 10);
    // Parts small enough to stay in the processor's cache until they are encoded: some 64 K characters (a part of 230 KB took a tenth longer to write).
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(PART + 4096);
    expect(written.legacy.length + written.mvc.length).toBe(compilePolicy(ctx).rules.length);
  });

  it('go to an output that takes parts through it, and as one text to a Map', () => {
    const opnsense = targets.find((t) => t.name === 'opnsense')!;
    const inParts = new Map<string, string[]>();
    const whole = new Map<string, string>();
    opnsense.render(model, {
      set: (path: string, text: string) => whole.set(path, text),
      setParts: (path: string, write: (part: (text: string) => void) => void) => {
        const parts: string[] = [];
        write((text) => parts.push(text));
        inParts.set(path, parts);
      },
    });
    const files = renderAll(model);
    const filterPath = `${site.name}/opnsense/filter.xml`;
    expect(inParts.get(filterPath)!.length).toBeGreaterThan(10);
    for (const [path, parts] of inParts) expect(parts.join(''), path).toBe(files.get(path));
    expect(whole.size).toBe(0);
  });

  it('leave nothing of their elements in the written sections', async () => {
    // Weighed three times, the least counting: one collection's leftover garbage varies by MBs, and only adds.
    const weights: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const ctx = opnsenseContext(model, site, site.firewall!, { streamed: true });
      const rules = compilePolicy(ctx).rules;
      let sections: XmlElement[] | undefined = filter.build(ctx);
      xmlDocument(element('opnsense', sections));
      // What the written sections hold beyond the compiled rules (which the context keeps).
      const before = await collectedHeap();
      sections = undefined;
      weights.push((before - (await collectedHeap())) / rules.length);
    }
    // Held whole, the elements of the rules took two kilobytes and more each.
    expect(Math.min(...weights), `bytes per rule: ${weights.join(', ')}`).toBeLessThan(300);
  });
});

describe('reading 400 MVC filter rules for the verification script', async () => {
  const model = await modelOf(toYaml(siteTopology({ peers: 10, rules: 400 })));
  const site = model.sites[0]!;
  const devices = new Map(site.firewall!.interfaces.map((i) => [i.key, i.device]));
  const sections = areas.find((a) => a.file === 'filter.xml')!.build(opnsenseContext(model, site, site.firewall!));

  it("goes through each rule's 56 fields once: no map of them, no search for its description", () => {
    let maps = 0;
    const Original = globalThis.Map;
    globalThis.Map = class<K, V> extends Original<K, V> {
      constructor(items?: Iterable<readonly [K, V]> | null) {
        super(items);
        maps++;
      }
    } as MapConstructor;
    const written: WrittenRules = { legacy: [], mvc: [] };
    let searches: number;
    try {
      searches = countArrayCalls(['find', 'filter', 'some'], () => addWrittenRules(sections, devices, written)).calls;
    } finally {
      globalThis.Map = Original;
    }
    expect(written.mvc.length).toBeGreaterThan(400);
    // Each rule's label among its attributes (one), the containers once (a few); pf's form of each address is worked out once (one table).
    expect(searches).toBeLessThanOrEqual(written.mvc.length + 10);
    expect(maps).toBeLessThanOrEqual(1);
  });
});

describe('writing 2,000 MVC filter rules in a build', async () => {
  const model = await modelOf(toYaml(siteTopology({ peers: 10, rules: RULES })));
  const site = model.sites[0]!;
  const devices = new Map(site.firewall!.interfaces.map((i) => [i.key, i.device]));
  const filter = areas.find((a) => a.file === 'filter.xml')!;

  it("copies no rule's 56 fields: the constant ones are written in runs made once, the rule's own values in their places", () => {
    const ctx = opnsenseContext(model, site, site.firewall!, { streamed: true });
    const rules = compilePolicy(ctx).rules;
    const sections = filter.build(ctx);
    const written: WrittenRules = { legacy: [], mvc: [] };
    // The elements of the fields copied (a list of a rule's fields made from the model's is a copy of all 56).
    let copied = 0;
    const proto = Array.prototype as unknown as { slice: (...args: unknown[]) => unknown[] };
    const slice = proto.slice;
    proto.slice = function (this: unknown[], ...args: unknown[]) {
      copied += this.length;
      return slice.apply(this, args);
    };
    let text: string;
    try {
      text = xmlDocument(element('opnsense', sections), writtenRulesVisitor(sections, devices, written));
    } finally {
      proto.slice = slice;
    }
    expect(written.mvc.length).toBe(rules.length);
    expect(rules.length).toBeGreaterThan(RULES);
    // The same text and rules as the whole tree's, whose rules are made as any element and written child by child.
    const plainSections = filter.build(opnsenseContext(model, site, site.firewall!));
    expect(text).toBe(xmlDocument(element('opnsense', plainSections)));
    const whole: WrittenRules = { legacy: [], mvc: [] };
    addWrittenRules(plainSections, devices, whole);
    expect(written).toEqual(whole);
    // A copy of each rule's fields was 56 elements a rule.
    expect(copied, `elements copied for ${rules.length} rules`).toBeLessThan(rules.length);
  });
});
