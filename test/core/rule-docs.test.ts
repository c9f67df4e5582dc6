// Every rule is documented, and tested: docs/rules.md is generated from the
// rule definitions, and each rule id appears in some test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown } from '../../src/docs/rules-doc.js';
import { rules } from '../../src/rules/index.js';
import { root } from '../helpers.js';

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
