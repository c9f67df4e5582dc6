// The dependency layering of src/: imports run one way, from the command
// line down to the leaves, and never form a circle. Every import counts:
// static, type-only, re-exports and dynamic `import()`, since each ties
// one module to another. TypeScript's own pre-processor finds them.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { root, sourceFiles } from '../helpers.js';

/**
 * Layers from the bottom up; a module may import its own layer and those
 * below it. The first pattern that matches a file decides its layer. The
 * same table is in the README's Development section (checked below).
 */
const LAYERS: readonly { name: string; files: readonly RegExp[] }[] = [
  { name: 'shared leaves', files: [/^arrays\.ts$/, /^text-order\.ts$/, /^unique-names\.ts$/, /^first-cover\.ts$/, /^location\.ts$/, /^net\.ts$/, /^intervals\.ts$/, /^diagnostics\.ts$/, /^findings\.ts$/, /^paths\.ts$/, /^manifest\.ts$/, /^secrets\.ts$/, /^topology\.ts$/, /^io\//] },
  { name: 'model types', files: [/^model\.ts$/] },
  { name: 'target knowledge', files: [/^targets\//] },
  { name: 'load', files: [/^load\.ts$/, /^yaml-core-schema\.ts$/, /^yaml-positions\.ts$/, /^yaml-lines\.ts$/, /^yaml-alias-limit\.ts$/, /^yaml-continuation\.ts$/, /^yaml-printable\.ts$/, /^yaml-library\.ts$/, /^suppress\/comments\.ts$/] },
  { name: 'validate', files: [/^validate\.ts$/] },
  { name: 'resolve', files: [/^resolve\//, /^flows\.ts$/] },
  { name: 'check', files: [/^rules\//, /^suppress\/apply\.ts$/, /^check\.ts$/] },
  { name: 'render', files: [/^render\//, /^graph\//] },
  { name: 'emit', files: [/^emit\.ts$/, /^stale\.ts$/, /^output-tree\.ts$/] },
  { name: 'pipeline and reports', files: [/^pipeline\.ts$/, /^format\.ts$/, /^sarif\.ts$/, /^docs\//] },
  { name: 'command libraries', files: [/^wg\//, /^opnsense\//, /^diff\//] },
  { name: 'commands', files: [/^commands\//, /^cli\.ts$/] },
];

const src = join(root, 'src');

/** Every relative import of a file, as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(src, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(src, resolvePath(dirname(join(src, file)), name)).replace(/\.js$/, '.ts'));
}

export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((f) => [f, importsOf(f).filter((to) => known.has(to))]));
}

/** Strongly connected components of more than one file (or a file importing itself): Tarjan's algorithm. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.files.some((pattern) => pattern.test(file)));
}

describe('import layering of src/', () => {
  const files = sourceFiles(src).map((path) => relative(src, path));
  const graph = importGraph(files);

  it('finds the imports of every kind', () => {
    // If the pre-processor stopped seeing some kind of import, the checks
    // below would pass on nothing: these edges are known to exist.
    expect(graph.get('commands/model.ts')).toContain('pipeline.ts'); // dynamic import()
    expect(graph.get('model.ts')).toContain('location.ts'); // import type
    expect(graph.get('diagnostics.ts')).toContain('location.ts'); // export type … from
  });

  it('has no import circle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('places every module in a layer', () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('imports only from its own layer or those below', () => {
    const upward: string[] = [];
    for (const [from, tos] of graph) {
      for (const to of tos) {
        if (layerOf(to) > layerOf(from)) upward.push(`${from} (${LAYERS[layerOf(from)]?.name}) imports ${to} (${LAYERS[layerOf(to)]?.name})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps rules and renderers apart: what both need is target knowledge', () => {
    const crossing: string[] = [];
    const check = LAYERS.findIndex((l) => l.name === 'check');
    for (const [from, tos] of graph) {
      if (!/^(render|graph)\//.test(from)) continue;
      for (const to of tos) if (layerOf(to) === check) crossing.push(`${from} imports ${to}`);
    }
    expect(crossing).toEqual([]);
  });

  it('keeps the loader free of the rule registry', () => {
    const reach = (start: string): Set<string> => {
      const seen = new Set<string>();
      const todo = [start];
      while (todo.length) {
        const f = todo.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        todo.push(...(graph.get(f) ?? []));
      }
      return seen;
    };
    expect([...reach('load.ts')].filter((f) => f.startsWith('rules/') || f.startsWith('render/'))).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('reports a circle and only the files in it', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  });
});

describe("the README's table of layers", () => {
  it('lists every layer, in order, with exactly its modules (a directory as dir/ or dir/<target>/)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('| layer | modules | holds |');
    const rows = readme
      .slice(start, readme.indexOf('\n\n', start))
      .split('\n')
      .slice(2)
      .map((row) => row.split(' | '));
    const documented = rows.map(([name, modules]) => ({ name: name!.replace(/^\| /, ''), files: [...modules!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/<\w+>\/$/, '')).sort() }));
    // Each pattern of LAYERS is one module (^name\.ts$) or one directory (^dir\/).
    const tested = LAYERS.map((layer) => ({ name: layer.name, files: layer.files.map((p) => p.source.replace(/^\^/, '').replace(/\$$/, '').replace(/\\/g, '')).sort() }));
    expect(documented).toEqual(tested);
  });
});
