// What gen says to its users (the README, docs/, the manual page, the
// schema's descriptions, the examples, its messages) and its code speak of
// the project alone: no document a reader does not have (the numbered
// problem of a "seed 002" a message sent the reader to), and no path of the
// machine it was written on.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

const OUTSIDE = [/\bseeds?[ -]?0\d\d\b/i, /\bseeds\//i, /(^|[\s'"`(=])\/work\//, /(^|[\s'"`(=])\/dev\/shm\//];

function files(dir: string, ext: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return files(path, ext);
    return e.name.endsWith(ext) ? [path] : [];
  });
}

/** The lines of a file that match one of the patterns, as file:line: text. */
function matches(file: string): string[] {
  return readFileSync(join(root, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (OUTSIDE.some((p) => p.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('the documentation speaks of the project alone', () => {
  it('the pages, the manual, the schema and the examples', () => {
    const pages = ['README.md', 'man/gen.1', 'schema/topology.schema.json', 'topology.yaml', ...files('docs', '.md'), ...files('examples', '.yaml')];
    expect(pages.flatMap((f) => matches(f))).toEqual([]);
  });

  it('the code: src/ (messages, rule texts, comments), the tests, scripts and the benchmark', () => {
    const code = [...files('src', '.ts'), ...files('test', '.ts'), ...files('test', '.yaml'), ...files('scripts', '.mjs'), ...files('bench', '.mjs')];
    expect(code.filter((f) => f !== 'test/core/docs-words.test.ts').flatMap((f) => matches(f))).toEqual([]);
  });

  it('finds what it looks for', () => {
    for (const line of ['(seed 002 problem 7)', 'seed 000 adds vmbr1', 'see ../seeds/', 'in /work/main/out', "cd '/dev/shm/x'"]) {
      expect(OUTSIDE.some((p) => p.test(line)), line).toBe(true);
    }
    for (const line of ['a random seed of 4', 'out/home/work/x', 'FUZZ_SEED=1']) expect(OUTSIDE.some((p) => p.test(line)), line).toBe(false);
  });
});
