// The line of an entity, as generated files cite it ("declared at
// topology.yaml:57"): the fast reader's lines agree with the positions
// parser for every mapping and list of the reference topologies, and the
// model carries them without serialising them.
import { describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { SourceMap, loadTopologyText } from '../../src/load.js';
import { lintText } from '../../src/pipeline.js';
import { EXAMPLES, lineOfText, readExample } from '../helpers.js';

function collections(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [path, ...entries.flatMap(([k, v]) => collections(v, [...path, k]))];
}

describe('line of a path', () => {
  for (const name of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) {
    it(`${name}: the fast reader's line of every mapping and list is the positions parser's`, () => {
      const text = readExample(name);
      const loaded = loadTopologyText(text, 'x.yaml');
      if (!loaded.ok) throw new Error('example does not load');
      const paths = collections(loaded.loaded.data);
      expect(paths.length).toBeGreaterThan(30);
      const slow = new SourceMap('x.yaml', text);
      for (const path of paths) expect(loaded.loaded.source.lineOf(path), path.join('.')).toBe(slow.locate(path).line);
    });
  }

  for (const name of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) {
    it(`${name}: read without lines (gen lint), the first lineOf finds every line the reading with them noted`, () => {
      const text = readExample(name);
      const eager = loadTopologyText(text, 'x.yaml');
      const lazy = loadTopologyText(text, 'x.yaml', { lines: false });
      if (!eager.ok || !lazy.ok) throw new Error('example does not load');
      expect(lazy.loaded.data).toStrictEqual(eager.loaded.data);
      const paths = collections(eager.loaded.data);
      expect(paths.map((path) => lazy.loaded.source.lineOf(path))).toEqual(paths.map((path) => eager.loaded.source.lineOf(path)));
    });
  }

  it('a scalar counts as the mapping that holds it; a missing path as the deepest node that exists', () => {
    const text = readExample('homelab');
    const loaded = loadTopologyText(text, 'topology.yaml');
    if (!loaded.ok) throw new Error('example does not load');
    const peer = ['sites', 0, 'wireguard', 0, 'peers', 1];
    const line = lineOfText(text, 'name: laptop-john');
    expect(loaded.loaded.source.lineOf(peer)).toBe(line);
    expect(loaded.loaded.source.lineOf([...peer, 'address'])).toBe(line);
    expect(loaded.loaded.source.lineOf([...peer, 'no-such-key', 3])).toBe(line);
  });

  it('a mapping of many collections, one of one, lists of mixed items and an index written as text', () => {
    const many = Array.from({ length: 12 }, (_, k) => `  k${k}:\n    - [${k}]\n    - x\n    - {a: [1]}\n`).join('');
    const text = `version: 1\nmany:\n${many}one:\n  only:\n    - 1\n  scalar: 2\n`;
    const loaded = loadTopologyText(text, 'x.yaml');
    if (!loaded.ok) throw new Error('does not load');
    const slow = new SourceMap('x.yaml', text);
    const paths = collections(loaded.loaded.data);
    expect(paths.length).toBeGreaterThan(40);
    for (const path of paths) expect(loaded.loaded.source.lineOf(path), path.join('.')).toBe(slow.locate(path).line);
    // As the data answers list['2']; not a key it does not have, nor an index past the end.
    const lineOf = loaded.loaded.source.lineFinder();
    expect(lineOf(['many', 'k11', '2', 'a'])).toBe(slow.locate(['many', 'k11', 2, 'a']).line);
    expect(lineOf(['many', 'k11', '02'])).toBe(slow.locate(['many', 'k11']).line);
    expect(lineOf(['many', 'k11', 3])).toBe(slow.locate(['many', 'k11']).line);
    expect(lineOf(['many', 'k11', 'length'])).toBe(slow.locate(['many', 'k11']).line);
    expect(lineOf(['one', 'scalar'])).toBe(lineOf(['one']));
  });

  it('a mapping whose integer-like keys an object orders before the others, and not as written', () => {
    const text = 'version: 1\nports:\n  b:\n    - [1]\n  10:\n    - 2\n  2:\n    x: [3]\nafter:\n  - {y: 1}\n';
    const loaded = loadTopologyText(text, 'x.yaml');
    if (!loaded.ok) throw new Error('does not load');
    expect(Object.keys((loaded.loaded.data as { ports: object }).ports)).toEqual(['2', '10', 'b']);
    const slow = new SourceMap('x.yaml', text);
    const paths = collections(loaded.loaded.data);
    expect(paths).toHaveLength(9);
    for (const path of paths) expect(loaded.loaded.source.lineOf(path), path.join('.')).toBe(slow.locate(path).line);
  });

  it('reading the lines of 4,000 peers keeps no map from each collection to its line', () => {
    const text = toYaml(siteTopology({ peers: 4000, rules: 1000 }));
    const set = vi.spyOn(Map.prototype, 'set');
    let loaded: ReturnType<typeof loadTopologyText>;
    let entries: number;
    try {
      loaded = loadTopologyText(text, 'x.yaml');
    } finally {
      // Counted first: restoring forgets the calls.
      entries = set.mock.calls.length;
      set.mockRestore();
    }
    if (!loaded.ok) throw new Error('does not load');
    // A map of every collection took one entry for each of the 6,000 and more (peers, rules, their port lists).
    expect(entries).toBeLessThan(100);
    const peers = ['sites', 0, 'wireguard', 0, 'peers'];
    expect(loaded.loaded.source.lineOf([...peers, 3999])).toBe(lineOfText(text, 'name: peer-3999'));
  });

  it('a file read by the positions parser (here: with an alias) answers too', () => {
    const text = 'version: 1\nname: x\nsites:\n  - &home\n    name: home\n  - name: other\n    extra: *home\n';
    const loaded = loadTopologyText(text, 't.yaml');
    if (!loaded.ok) throw new Error('does not load');
    expect(loaded.loaded.source.lineOf(['sites', 1])).toBe(6);
  });

  it('the model knows its file and lines, and leaves them out of JSON', async () => {
    const text = readExample('homelab');
    const { model } = await lintText(text, 'some/dir/topology.yaml');
    expect(model!.source!.file).toBe('topology.yaml');
    expect(model!.source!.lineOf(model!.sites[0]!.wireguard[0]!.path)).toBe(lineOfText(text, '- name: wg0'));
    expect(JSON.stringify(model)).not.toContain('"source"');
  });
});
