// Every rule is documented, and tested: docs/rules.md is generated from the
// rule definitions, and each rule id appears in some test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown } from '../../src/docs/rules-doc.js';
import { rules } from '../../src/rules/index.js';
import { parse } from 'yaml';
import { edit, lint, readExample, root } from '../helpers.js';

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
  /** Puts each key of a snippet into the homelab topology at `where` (sites[] is the first site). */
  function placed(where: string, snippet: string): string {
    const path = where.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), 0] : [part]));
    let text = readExample('homelab');
    for (const [key, value] of Object.entries(parse(snippet) as Record<string, unknown>)) text = edit(text, [...path, key], value);
    return text;
  }

  const withExamples = rules.filter((r) => r.examples?.length);

  it('exist for the rules whose findings are easiest to get wrong', () => {
    expect(withExamples.map((r) => r.id)).toEqual(expect.arrayContaining(['ref/unknown', 'opnsense/acme-challenge']));
  });

  for (const rule of withExamples) {
    it(`${rule.id}: each bad snippet is reported, and its clean one is not`, async () => {
      for (const example of rule.examples!) {
        expect((await lint(placed(example.where, example.bad))).map((d) => d.rule)).toContain(rule.id);
        expect((await lint(placed(example.where, example.good))).filter((d) => d.severity === 'error')).toEqual([]);
      }
    });
  }
});
