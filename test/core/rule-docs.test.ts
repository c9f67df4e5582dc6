// Every rule is documented, and tested: docs/rules.md is generated from the
// rule definitions, and each rule id appears in some test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown } from '../../src/docs/rules-doc.js';
import { rules } from '../../src/rules/index.js';
import { type Document, isSeq, parse, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { RuleExample } from '../../src/rules/rule.js';
import { lint, readExample, root } from '../helpers.js';

// wg/key-age counts a key's age from this day (2026-11-30 UTC), so that its examples keep their verdicts.
process.env.GEN_TODAY = '2026-11-30';

function testSources(dir: string): string {
  return readdirSync(dir)
    .map((entry) => join(dir, entry))
    .map((path) => (statSync(path).isDirectory() ? testSources(path) : path.endsWith('.ts') ? readFileSync(path, 'utf8') : ''))
    .join('\n');
}

describe('rules', () => {
  it('have unique ids, and every field filled', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)?$/);
      for (const field of [rule.summary, rule.why, rule.hint]) expect(field.length, rule.id).toBeGreaterThan(10);
    }
  });

  it('docs/rules.md is current (regenerate with `npm run docs`)', () => {
    expect(readFileSync(join(root, 'docs/rules.md'), 'utf8')).toBe(rulesMarkdown(rules));
  });

  it('each rule id is exercised by a test', () => {
    const sources = testSources(join(root, 'test')).replace(readFileSync(join(root, 'test/core/rule-docs.test.ts'), 'utf8'), '');
    const untested = rules.map((r) => r.id).filter((id) => !sources.includes(`'${id}'`));
    expect(untested).toEqual([]);
  });
});

describe('rule examples', () => {
  /** `where` as a path into `doc`: `[]` is the first item, `[name]` the item of that name, `[+]` one past the last. */
  function pathOf(doc: Document, where: string): (string | number)[] {
    const path: (string | number)[] = [];
    for (const part of where === '' ? [] : where.split('.')) {
      const [, key, item] = /^([^[]+)(?:\[([^\]]*)\])?$/.exec(part)!;
      path.push(key!);
      if (item === undefined) continue;
      const list = doc.getIn(path) as YAMLSeq<YAMLMap> | undefined;
      if (!isSeq(list)) throw new Error(`${where}: ${path.join('.')} is not a list in the example`);
      const index = item === '' ? 0 : item === '+' ? list.items.length : list.items.findIndex((i) => i.get('name') === item);
      if (index < 0) throw new Error(`${where}: no item named ${item}`);
      path.push(index);
    }
    return path;
  }

  /** The example topology with its context and the snippet placed at `where` (see RuleExample). */
  function placed(example: RuleExample, snippet: string): string {
    return placedIn(given(example), example, snippet);
  }

  /** The example topology with the example's context, before its snippet. */
  function given(example: RuleExample): string {
    let text = readExample(example.topology ?? 'homelab');
    for (const part of example.context ?? []) text = placedIn(text, { where: part.where }, part.snippet);
    return text;
  }

  function placedIn(text: string, example: { where: string; text?: boolean }, snippet: string): string {
    const doc = parseDocument(text);
    const path = pathOf(doc, example.where);
    if (example.text) {
      // The node's text is replaced; the snippet's lines continue at the node's column.
      const node = doc.getIn(path, true) as { range: [number, number, number] };
      const [start, to] = node.range;
      const end = start + text.slice(start, to).trimEnd().length;
      const column = start - text.lastIndexOf('\n', start - 1) - 1;
      return text.slice(0, start) + snippet.replace(/\n/g, `\n${' '.repeat(column)}`) + text.slice(end);
    }
    const keys = parse(snippet) as Record<string, unknown>;
    if (example.where.endsWith('[+]')) doc.setIn(path, doc.createNode(keys));
    else for (const [key, value] of Object.entries(keys)) doc.setIn([...path, key], doc.createNode(value));
    return doc.toString();
  }

  it('exist for every rule whose findings are about what the topology says', () => {
    expect(rules.filter((r) => !r.examples?.length && !r.noExample).map((r) => r.id)).toEqual([]);
    // Only findings about the file or the secrets beside it, and a check no topology gets past the schema to, go without.
    expect(rules.filter((r) => r.noExample).map((r) => r.id)).toEqual(['load/read', 'load/limit', 'secrets/tracked', 'secrets/key-mismatch', 'secrets/private-key-in-topology', 'secrets/orphaned-key', 'secrets/psk-missing', 'secrets/psk-invalid', 'secrets/unsafe', 'opnsense/acme-alt-names-length', 'aws/iam-wildcard']);
  });

  for (const rule of rules.filter((r) => r.examples?.length)) {
    it(`${rule.id}: each bad snippet is reported, and its clean one is not`, async () => {
      for (const example of rule.examples!) {
        const bad = placed(example, example.bad);
        const good = placed(example, example.good);
        const reported = await lint(bad);
        // The bad snippet shows this rule's mistake and no other error.
        const shown = (ds: Diagnostic[]) => ds.map((d) => `${d.location.line}: ${d.rule} ${d.message}`).join('\n');
        expect([...new Set(reported.filter((d) => d.severity === 'error' || d.rule === rule.id).map((d) => d.rule))], shown(reported)).toEqual([rule.id]);
        const clean = await lint(good);
        expect(clean.filter((d) => d.severity === 'error' || d.rule === rule.id), shown(clean)).toEqual([]);
      }
    });
  }
});
