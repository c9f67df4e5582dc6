// The bundle's js-yaml (scripts/js-yaml-patch.mjs) against js-yaml itself:
// the patch only moves where a table of keys is made, so every text must
// load to the same data, with the same node events, or fail with the same
// message at the same place.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import * as original from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const { lazyKeyTablesPatch } = (await import(join(root, 'scripts/js-yaml-patch.mjs'))) as { lazyKeyTablesPatch: (text: string) => string };
const source = join(createRequire(import.meta.url).resolve('js-yaml').replace(/index\.js$/, ''), 'dist/js-yaml.mjs');
const dir = mkdtempSync(join(tmpdir(), 'gen-js-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Without its source map comment: the copy has no map beside it.
writeFileSync(join(dir, 'js-yaml.mjs'), lazyKeyTablesPatch(readFileSync(source, 'utf8')).replace(/^\/\/# sourceMappingURL=.*$/m, ''));
const patched = (await import(pathToFileURL(join(dir, 'js-yaml.mjs')).href)) as typeof original;

/** What a loader makes of `text`: its documents and the node events it reports, or its error. */
function reading(yaml: typeof original, text: string, schema: 'default' | 'core' | 'json'): string {
  const events: string[] = [];
  const listener = (event: string, state: { line: number; position: number; kind: string | null }) => events.push(`${event}@${state.line}:${state.position}:${state.kind}`);
  const options = { schema: schema === 'core' ? yaml.CORE_SCHEMA : schema === 'json' ? yaml.JSON_SCHEMA : yaml.DEFAULT_SCHEMA, json: schema === 'json', listener };
  try {
    return JSON.stringify({ documents: yaml.loadAll(text, null, options), events });
  } catch (error) {
    return `error: ${(error as Error).message} after ${events.length} events`;
  }
}

describe("the bundle's js-yaml", () => {
  it('changes the text only where the tables of keys are made', () => {
    const text = readFileSync(source, 'utf8');
    const result = lazyKeyTablesPatch(text);
    expect(result).not.toBe(text);
    const changed = (t: string) => t.split('\n').filter((line) => line.includes('overridableKeys') && !line.includes('function '));
    expect(changed(result).filter((line) => !changed(text).includes(line)).map((line) => line.trim())).toEqual([
      'let overridableKeys;',
      'overridableKeys = Object.create(null);',
      'let overridableKeys = null;',
      'storeMappingPair(state, _result, overridableKeys ??= Object.create(null), keyTag, keyNode, null, _keyLine, _keyLineStart, _keyPos);',
      'storeMappingPair(state, _result, overridableKeys ??= Object.create(null), keyTag, keyNode, null, _keyLine, _keyLineStart, _keyPos);',
      'storeMappingPair(state, _result, overridableKeys ??= Object.create(null), keyTag, keyNode, valueNode, _keyLine, _keyLineStart, _keyPos);',
      'storeMappingPair(state, _result, overridableKeys ??= Object.create(null), keyTag, keyNode, null, _keyLine, _keyLineStart, _keyPos);',
    ]);
  });

  it('reads every text as js-yaml does: the same data and node events, or the same error', () => {
    // Pieces of YAML that reach both changed functions: block and flow mappings, explicit keys,
    // merge keys, anchors and aliases, duplicate keys, tags, block scalars, documents, tabs.
    const piece = fc.constantFrom('a', 'b', 'k', ':', ': ', '- ', '\n', '  ', '    ', '{', '}', '[', ']', ', ', '? ', '&x ', '*x', '!!str ', '!!map ', '<<: ', '"q"', "'s'", '#c', '---\n', '...\n', '|\n', '>\n', '\t', '1', 'null', '~', 'k: v\n', 'k: w\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.constantFrom('default', 'core', 'json'), (pieces, schema) => {
        const text = pieces.join('');
        expect(reading(patched, text, schema as 'default'), JSON.stringify(text)).toBe(reading(original, text, schema as 'default'));
      }),
      { numRuns: runs },
    );
  });

  it('reads duplicate keys and merges as js-yaml does, in block and flow mappings', () => {
    for (const text of ['a: 1\na: 2\n', '{ a: 1, a: 2 }\n', 'x: &m { a: 1 }\ny:\n  <<: *m\n  a: 2\n', 'y: { <<: { a: 1 }, a: 2 }\n', '? a\n: 1\n? a\n: 2\n', '- { a: 1 }\n- [ { b: 2, b: 3 } ]\n']) {
      for (const schema of ['default', 'core', 'json'] as const) expect(reading(patched, text, schema), text).toBe(reading(original, text, schema));
    }
  });
});
