// The firewall's verification script of a large policy: its rule data is
// made once per rule, not once per check that reads it. The checks count the
// work (reads of each written rule's description, pf texts matched for table
// names, fields copied), not time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { lintText } from '../../src/pipeline.js';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { areas, renderOpnsense, writtenFilterRules, writtenPolicyAliases } from '../../src/render/opnsense/index.js';
import { type RuleChildren, pfRuleText, ruleChildren, ruleFieldText } from '../../src/render/opnsense/pf-text.js';
import { LaidOutItem, type XmlElement, element, isElement, xmlDocument } from '../../src/render/opnsense/xml.js';
import { expectedRules } from '../../src/render/verify/firewall-rules.js';
import { expectedTables } from '../../src/render/verify/firewall-tables.js';
import { firewallScript, firewallScriptName } from '../../src/render/verify/firewall.js';
import { renderVerify } from '../../src/render/verify/index.js';
import { PART } from '../../src/render/parts.js';
import { ScriptText, declaredIn, field, heredoc } from '../../src/render/verify/script.js';
import { countArrayCalls, countMethodCalls } from '../helpers.js';

afterEach(() => vi.restoreAllMocks());

describe('the firewall script of 2,000 rules', async () => {
  const { model, diagnostics } = await lintText(toYaml(scaleTopology({ peers: 20, rules: 2000, vlans: 4 })), 'topology.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const site = model!.sites[0]!;
  const written = writtenFilterRules(model!, site);

  it('lists the rules once for both the ruleset check and the table check', () => {
    // Each written rule's description counted as read: listing the rules (expectedRules()) reads it twice.
    let reads = 0;
    for (const rule of written) {
      const description = rule.description;
      Object.defineProperty(rule, 'description', {
        configurable: true,
        get: () => {
          reads++;
          return description;
        },
      });
    }
    const script = firewallScript(model!, site, declaredIn(model!));
    expect(written.length).toBeGreaterThan(2000);
    const labels = new Set(script.split('\n').filter((l) => l.startsWith('label\t')).map((l) => l.split('\t')[1]));
    for (const rule of written) expect(labels.has(rule.label), rule.label).toBe(true);
    expect(reads).toBe(2 * written.length);
  });

  it("checks each rule's label once for its label line and its pf lines", () => {
    const pfLines = written.reduce((n, r) => n + r.pf.length, 0);
    // Every field of a data line is checked for characters it cannot hold (field(): one test): the label
    // line's four (its kind too) and each pf line's three were as many tests.
    const { result: script, calls } = countMethodCalls(RegExp.prototype, ['test'], () => firewallScript(model!, site, declaredIn(model!)));
    expect(calls).toBeLessThan(3 * written.length + pfLines + 500);
    const data = script.split('\n');
    for (const rule of written.slice(0, 50)) {
      const at = data.findIndex((l) => l.startsWith(`label\t${rule.label}\t`));
      expect(data[at]!.split('\t')[3]).toBe(`rule ${rule.label.slice(0, 8)} loaded as written: ${rule.description}`);
      expect(data.slice(at + 1, at + 1 + rule.pf.length)).toEqual(rule.pf.map((t) => `pf\t${rule.label}\t${t}`));
    }
  });

  it("looks for the last tables a policy names by their own text, with no name cut out of each rule's pf lines", () => {
    // As a build has them: the rules and aliases its OPNsense files were written with.
    renderOpnsense(model!, new Map());
    const rules = expectedRules(model!, site);
    const aliases = writtenPolicyAliases(model!, site);
    const { result: tables, calls } = countMethodCalls(String.prototype, ['slice', 'substring', 'substr'], () => expectedTables(model!, site, rules));
    // Every "<NAME>" of every pf line up to the rule that first names the last table was cut out to be looked up.
    const named = (table: string) => rules.findIndex((r) => r.origin !== undefined && r.pf.some((t) => t.includes(`<${table}>`)));
    const last = Math.max(...aliases.map((a) => named(a.name)));
    expect(last).toBeGreaterThan(1000);
    expect(calls).toBeLessThan(200);
    expect(tables.map((t) => t.name)).toEqual(aliases.map((a) => a.name));
    for (const table of tables) expect(table.path, table.name).toBe(rules[named(table.name)]!.origin!.path);
  });

  it("finds each table's first rule with no regular expression match per rule", () => {
    const matchAll = vi.spyOn(String.prototype, 'matchAll');
    const tables = expectedTables(model!, site);
    expect(matchAll).not.toHaveBeenCalled();
    expect(tables.length).toBeGreaterThan(2);
    // Declared where the topology rule of the first written rule that names the table is.
    const lineOf = declaredIn(model!);
    for (const table of tables) {
      const first = written.findIndex((r) => r.pf.some((t) => t.includes(`<${table.name}>`)));
      expect(first, table.name).toBeGreaterThanOrEqual(0);
      expect(lineOf(table.path!)).toBe(lineOf(model!.sites[0]!.policy.rules.find((r) => written[first]!.description.startsWith(`gen: ${r.origin}`))!.path));
    }
  });
});

describe('the pf lines of 2,000 filter rules', async () => {
  const { model } = await lintText(toYaml(scaleTopology({ peers: 20, rules: 2000, vlans: 4 })), 'topology.yaml');
  const site = model!.sites[0]!;
  const devices = new Map(site.firewall!.interfaces.map((i) => [i.key, i.device]));

  it('are each written as one text, with no list of words per rule', () => {
    // As a build reads them: each rule while it is written, its fields from the rule's layout.
    const sections = areas.find((a) => a.file === 'filter.xml')!.build(opnsenseContext(model!, site, site.firewall!, { streamed: true }));
    const rules: XmlElement[] = [];
    xmlDocument(element('opnsense', sections), (node) => void (isElement(node) && node.name === 'rule' && rules.push(node)));
    expect(rules.length).toBeGreaterThan(2000);
    const fields = rules.map((rule) => ruleChildren(rule));
    // Each rule's lines made a list of its head words, one per protocol joined from a concatenation, and a split of its statetype.
    const lines: string[][] = new Array(rules.length);
    const pf = () => {
      for (let i = 0; i < rules.length; i++) lines[i] = pfRuleText(rules[i]!, devices, fields[i]);
    };
    const splits = countMethodCalls(String.prototype, ['split'], () => countArrayCalls(['concat', 'map', 'join', 'push'], pf));
    expect(splits.result.calls).toBe(0);
    expect(splits.calls).toBe(0);
    // The same lines as the verification script of the whole build checks.
    expect(lines.flat()).toEqual(writtenFilterRules(model!, site).flatMap((r) => r.pf));
    expect(lines.flat().filter((line) => line.startsWith('pass ') && line.includes(' proto tcp ')).every((line) => line.includes(' flags S/SA keep state'))).toBe(true);
  });

  it('change the case of each protocol once, not once per rule written and read back', () => {
    // An MVC rule stores its protocol upper case (ProtocolField) and pf prints it lower case: each rule's was converted both ways.
    const { calls } = countMethodCalls(String.prototype, ['toUpperCase', 'toLowerCase'], () => renderOpnsense(model!, new Map()));
    const written = writtenFilterRules(model!, site);
    expect(written.length).toBeGreaterThan(2000);
    expect(calls).toBeLessThan(50);
    // Written and read back as ever: TCP and UDP rules, pf's lines in lower case.
    expect(written.filter((r) => r.pf.some((line) => line.includes(' proto tcp '))).length).toBeGreaterThanOrEqual(1000);
    expect(written.filter((r) => r.pf.some((line) => line.includes(' proto udp '))).length).toBeGreaterThanOrEqual(1000);
  });

  it("are read from each rule's layout by the fields they name, found once for all rules of the layout", () => {
    const sections = areas.find((a) => a.file === 'filter.xml')!.build(opnsenseContext(model!, site, site.firewall!, { streamed: true }));
    const laid: LaidOutItem[] = [];
    xmlDocument(element('opnsense', sections), (node) => void (node instanceof LaidOutItem && node.unmade && laid.push(node)));
    expect(laid.length).toBeGreaterThan(2000);
    const { result: fields, calls } = countMethodCalls(LaidOutItem.prototype, ['fieldText'], () => laid.map((rule) => ruleChildren(rule)));
    // RuleChildren keeps 19 names; an MVC rule has 56 fields, and each of them was read for every rule.
    const kept = Object.keys(fields[0]!).length;
    expect(kept).toBe(19);
    expect(laid[0]!.layout.names.length).toBeGreaterThan(50);
    expect(calls).toBeLessThanOrEqual(kept * laid.length);
    // The same texts as read from the rule's elements (made here: the rule is then read as any element).
    const texts = (r: RuleChildren) => Object.entries(r).map(([name, field]) => [name, field === undefined ? undefined : ruleFieldText(field)]);
    for (let i = 0; i < laid.length; i += 97) {
      const rule = laid[i]!;
      expect(texts(fields[i]!)).toEqual(texts(ruleChildren({ name: rule.name, attrs: rule.attrs, children: rule.children })));
    }
    expect(texts(fields[0]!).filter(([, text]) => text !== undefined).length).toBeGreaterThan(10);
  });
});

describe('the data lines of a here-document', () => {
  it('are made with no array per line, and only a field with a character to replace is copied', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => ['label', `rule-${i}`, i, `a rule\twith a tab ${i}`]);
    const mapped = vi.spyOn(Array.prototype, 'map');
    const replaced = vi.spyOn(String.prototype, 'replace');
    const parts: string[] = [];
    const out = new ScriptText((part) => parts.push(part));
    const check = heredoc(lines);
    if (typeof check === 'string') throw new Error('a here-document is written in parts');
    check(out);
    out.end();
    const text = parts.join('');
    // Counted before any expect(), which maps and replaces too.
    const [maps, replaces] = [mapped.mock.calls.length, replaced.mock.calls.length];
    expect(maps).toBe(0);
    expect(replaces).toBe(1000);
    const data = text.split('\n').slice(1, -1);
    expect(data).toHaveLength(1000);
    expect(data[7]!.split('\t')).toEqual(['label', 'rule-7', '7', 'a rule with a tab 7']);
    expect(field('a\u2028b\u0000c')).toBe('a b c');
    expect(field(42)).toBe('42');
  });
});

describe('the firewall script of 2,000 rules, written in parts', async () => {
  const { model, diagnostics } = await lintText(toYaml(scaleTopology({ peers: 20, rules: 2000, vlans: 4 })), 'topology.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const site = model!.sites[0]!;
  const path = `${site.name}/verify/${firewallScriptName(site.firewall!)}`;

  it('reaches a sink that takes parts a short part at a time, the rule data made as it is written', () => {
    const whole = new Map<string, string>();
    renderVerify(model!, whole);
    const written = writtenFilterRules(model!, site);
    // Each line of a check's data says where the topology declares it: the lines looked up so far.
    const source = model!.source!;
    const lineOf = source.lineOf.bind(source);
    let reads = 0;
    vi.spyOn(source, 'lineOf').mockImplementation((p) => {
      reads++;
      return lineOf(p);
    });
    const parts: string[] = [];
    const readsAt: number[] = [];
    const texts: string[] = [];
    renderVerify(model!, {
      set: (p: string, text: string) => void (p === path && texts.push(text)),
      setParts: (p: string, write: (part: (text: string) => void) => void) =>
        void (
          p === path &&
          write((text) => {
            parts.push(text);
            readsAt.push(reads);
          })
        ),
    });
    // One whole text would be a copy of the rule data and everything around it.
    expect(texts).toEqual([]);
    const text = parts.join('');
    expect(text).toBe(whole.get(path));
    expect(text.split('\n').filter((line) => line.startsWith('label\t'))).toHaveLength(written.length);
    // No part much longer than PART: each is handed on once that long, with the line that made it so.
    expect(text.length).toBeGreaterThan(5 * PART);
    for (const part of parts) expect(part.length).toBeLessThan(PART + 4096);
    // The first part with rule data went out before most rules' lines were made (each of them looks up its declaration).
    const first = parts.findIndex((part) => part.includes('\nlabel\t'));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(reads).toBeGreaterThan(written.length);
    expect(readsAt[first]).toBeLessThan(written.length / 2);
  });
});
