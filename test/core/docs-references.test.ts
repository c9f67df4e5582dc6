// What the pages of the documentation name, checked against gen itself: every
// gen command line (in a code block or a `gen …` span) is a command with options
// that exist, every rule id is a rule, and every file under out/ is one that a
// build of the default topology, an example or a site-to-site topology writes.
// (The README's command table and docs/ci.md have their own, stricter checks in
// readme.test.ts; docs/rules.md and docs/topology.md are generated.)
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RETIRED_RULES } from '../../src/rules/retired.js';
import { describe, expect, it } from 'vitest';
import { ruleById } from '../../src/rules/index.js';
import { EXAMPLES, readTree, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { codeBlocks, genCommandLines, problems } from './documented-commands.js';

removeTempDirsAfterAll();

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = new Map(pages.map((p) => [p, readFileSync(join(root, p), 'utf8')]));

/** The `gen …` spans of a page's prose, but the README's command table (its rows write alternatives as `a\|b`). */
function inlineCommands(page: string): string[][] {
  const prose = text.get(page)!.replace(/^```[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/`((?:gen|npx gen-topology) [^`]*)`/g)]
    .filter((m) => !(page === 'README.md' && prose.lastIndexOf('\n', m.index) === prose.lastIndexOf('\n| `gen', m.index)))
    .flatMap((m) => genCommandLines(m[1]!));
}

describe('what the docs name exists', () => {
  it('every gen command line of every page is a command with options that exist', () => {
    let count = 0;
    for (const page of pages) {
      const lines = [...codeBlocks(text.get(page)!).flatMap((b) => genCommandLines(b.text)), ...inlineCommands(page)];
      count += lines.length;
      for (const words of lines) expect(problems(words), `${page}: gen ${words.join(' ')}`).toEqual([]);
    }
    expect(count).toBeGreaterThan(60);
  });

  it('every rule id a page names is a rule', () => {
    const categories = new Set([...ruleById.keys()].map((id) => id.split('/')[0]!));
    let count = 0;
    for (const page of pages) {
      for (const m of text.get(page)!.matchAll(/`([a-z0-9]+)\/([a-z0-9-]+)`/g)) {
        if (!categories.has(m[1]!)) continue;
        count++;
        // A retired id may be named as such (docs/ci.md tells a gen-ignore author where its finding went).
        expect(ruleById.has(`${m[1]}/${m[2]}`) || RETIRED_RULES.has(`${m[1]}/${m[2]}`), `${page}: ${m[0]}`).toBe(true);
      }
    }
    expect(count).toBeGreaterThan(50);
  });

  it('every file under out/ that a page names is written by a build', { timeout: 120_000 }, () => {
    const topologies = [...Object.values(EXAMPLES), 'test/aws/fixtures/site-to-site.yaml'];
    const written = new Set<string>();
    for (const topology of topologies) {
      const out = tempDir('gen-docs-out-');
      const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'build', join(root, topology), '-o', out, '-q'], { encoding: 'utf8' });
      expect(r.status, `${topology}: ${r.stderr}`).toBe(0);
      for (const file of readTree(out).keys()) written.add(`out/${file}`);
    }
    const named = pages.flatMap((page) =>
      // (out/.* is a pattern of files, in a pre-commit configuration.)
      [...text.get(page)!.matchAll(/(?<![\w/.-])out\/[\w<>*.\/-]*[\w>*\/]/g)].map((m) => ({ page, path: m[0] })).filter((n) => !n.path.includes('.*')),
    );
    expect(named.length).toBeGreaterThan(40);
    const missing = named.filter(({ path }) => {
      // <site>, <host>, <peer>: one name; *: any part of one; a directory: any file under it.
      const pattern = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/<[a-z-]+>/g, '[^/]+').replace(/\*/g, '[^/]*')}${path.endsWith('/') ? '' : '$'}`);
      return ![...written].some((f) => pattern.test(f));
    });
    expect(missing.map((n) => `${n.page}: ${n.path}`)).toEqual([]);
  });
});
