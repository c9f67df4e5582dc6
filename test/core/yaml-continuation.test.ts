// A quoted value or a flow collection that goes on to a line indented no
// more than its key: js-yaml reads it, YAML 1.2 and the `yaml` library do
// not. The loader must never take such a file on its fast path, whatever
// else the file holds: the same value was an error next to an alias and
// valid without one.
import { load as jsYamlLoad } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadTopologyText, readFast } from '../../src/load.js';
import { hasLooseContinuation } from '../../src/yaml-continuation.js';
import { lint, lineOfText, readExample } from '../helpers.js';

function jsYamlReads(text: string): boolean {
  try {
    jsYamlLoad(text);
    return true;
  } catch {
    return false;
  }
}

const yamlRefuses = (text: string) => parseDocument(text, { uniqueKeys: true, strict: true }).errors.length > 0;

/** Texts js-yaml reads and YAML 1.2 refuses that the scan lets through, and how many valid texts it lets through. */
function sweep(texts: Iterable<string>): { missed: string[]; fastValid: number; refused: number } {
  const missed: string[] = [];
  let fastValid = 0;
  let refused = 0;
  for (const text of texts) {
    const found = hasLooseContinuation(text);
    if (!yamlRefuses(text)) {
      if (!found) fastValid++;
      continue;
    }
    if (!jsYamlReads(text)) continue;
    refused++;
    if (!found) missed.push(text);
  }
  return { missed, fastValid, refused };
}

// Where a value starts: a key at each depth, a list item, a key in a list item, a key on the line above, a document marker.
const HEADS = ['a: ', 'a:\n  b: ', 'a:\n  - ', '- a: ', '- ', 'a:\n  - b: ', 'a:\n  - c: 1\n    b: ', 'a:\n  b:\n    ', '--- ', 'a:\n  b: &x '];
const INDENTS = ['', ' ', '  ', '   ', '    ', '     ', '      '];

function* quotedOverLines(): Generator<string> {
  const middles = ['# c', 'c', '- c', '', '#c"', ' x"', '\t c', "it's", '\t', ' \t '];
  for (const head of HEADS) {
    for (const quote of ['"', "'"]) {
      for (const indent of INDENTS) {
        for (const middle of middles) {
          const closes = middle.endsWith('"');
          for (const last of closes ? [''] : INDENTS.map((i) => `${i}y${quote}`)) yield `${head}${quote}x\n${indent}${middle}\n${last}\nz: 1\n`;
        }
      }
    }
  }
}

function* flowOverLines(): Generator<string> {
  const opens = ['[x,', '{k: x,', '[', '{', '["x', "['x", '[x, "y', '{k: [', '[x, # c'];
  const bodies = ['y', '# c', '"q"', '"q', "'q", 'k: v', 'y,'];
  for (const head of HEADS) {
    for (const open of opens) {
      const brackets = [...open].filter((c) => c === '[' || c === '{').reverse().map((c) => (c === '[' ? ']' : '}')).join('');
      const openQuote = /^[^"]*"[^"]*$/.test(open) ? '"' : /^[^']*'[^']*$/.test(open) ? "'" : '';
      for (const indent of INDENTS) {
        for (const body of bodies) {
          const bodyQuote = /^[^"]*"[^"]*$/.test(body) ? '"' : /^[^']*'[^']*$/.test(body) ? "'" : '';
          const close = openQuote !== '' && bodyQuote === '' ? openQuote : openQuote === '' ? bodyQuote : '';
          for (const last of INDENTS) yield `${head}${open}\n${indent}${body}\n${last}${close}${brackets}\nz: 1\n`;
        }
      }
    }
  }
}

describe('the scan for values that go on to a line indented too little', () => {
  it('finds every quoted value over lines that js-yaml reads and YAML 1.2 refuses, and lets correct ones through', () => {
    const { missed, fastValid, refused } = sweep(quotedOverLines());
    expect(missed).toEqual([]);
    // Both kinds are there: the sweep would pass on a scan that found everything, or on texts that were all valid.
    expect(refused).toBeGreaterThan(500);
    expect(fastValid).toBeGreaterThan(500);
  });

  it('finds every flow collection over lines that js-yaml reads and YAML 1.2 refuses', () => {
    const { missed, fastValid, refused } = sweep(flowOverLines());
    expect(missed).toEqual([]);
    expect(refused).toBeGreaterThan(1000);
    expect(fastValid).toBeGreaterThan(1000);
  });

  it('tells these texts apart', () => {
    const cases: [string, boolean][] = [
      // Indented more than the key or "-": valid, read on the fast path.
      ['a:\n  b: "x\n   y"\n', false],
      ["- 'x\n  y'\n", false],
      ['- a: "x\n    y"\n', false],
      ['a: "x\n\n y"\n', false],
      ['a: "x\n \n  \t\n y" # note\n', false],
      ['a: "x\r\n \r\n y"\r\n', false],
      ['next: {x: 1,\n  y: 2}\n', false],
      ['a: [1, # one\n  2]\n', false],
      ['--- "x\ny"\n', false],
      // Quotes that open nothing: in a comment, in a plain scalar, escaped, closed, doubled.
      ["# it's\na: it's \"here\n", false],
      ['a: "x\\" y" # "\n', false],
      ["a: 'it''s'\nb: [\"[\", '{']\n", false],
      ['a: |\n  echo "x\n  y\n', false],
      // Indented as much as the key, or less; a line like a comment inside the value; after the value.
      ['a:\n  b: "x\n  y"\n', true],
      ['a:\n  b: "x\n# gen-ignore names/duplicate: x\n   y"\n', true],
      ["- a: 'x\n  y'\n", true],
      ['a: "x\ny"\n', true],
      ['a: [x,\ny]\n', true],
      ['a:\n  b: {k: "x\n  y"}\n', true],
      ['a: "x\n y" z\n', true],
      ['a: "never closed\n', true],
      // A line of whitespace with a tab in the indentation the value needs.
      ['a: "x\n\t\n y"\n', true],
      ['a:\n  b: "x\n \t\n   y"\n', true],
      // A quote that only seems to open a value (a line of a block scalar) does not hide one opened below it.
      ['s: |\n  "x\n  y\nb:\n  c: "x\n  y"\n', true],
    ];
    for (const [text, loose] of cases) {
      expect(hasLooseContinuation(text), JSON.stringify(text)).toBe(loose);
      // Each found text is one YAML 1.2 refuses, each other one it reads.
      expect(yamlRefuses(text), JSON.stringify(text)).toBe(loose);
    }
  });

  it('reads the example topologies on the fast path still', () => {
    for (const name of ['homelab', 'vlan-hosting', 'aws-vpc', 'homelab-family'] as const) {
      const text = readExample(name);
      expect(hasLooseContinuation(text), name).toBe(false);
      expect(readFast(text), name).toBeDefined();
    }
  });
});

describe('a topology with a quoted value that goes on to a line indented too little', () => {
  const homelab = readExample('homelab');
  const loose = homelab.replace('              description: Management\n', '              description: "Management\n# gen-ignore names/duplicate: not a comment\n  network"\n');
  const indented = homelab.replace('              description: Management\n', '              description: "Management\n               network"\n');

  it('is refused on the line of its opening quote, with the fix, alias or not', async () => {
    expect(loose).not.toBe(homelab);
    const withAlias = `${loose}x-note: &n note\nx-again: *n\n`;
    for (const text of [loose, withAlias]) {
      const found = await lint(text);
      const first = found[0]!;
      expect(first.rule).toBe('load/yaml-syntax');
      expect(first.severity).toBe('error');
      expect(first.location.line).toBe(lineOfText(text, 'description: "Management'));
      // Where the `yaml` library misses the closing quote: at that line's end.
      expect(first.location.col).toBe(text.split('\n')[first.location.line - 1]!.length + 1);
      expect(first.hint).toMatch(/indent every line the quoted value goes on to more than the key/);
    }
  });

  it('is read as YAML reads it when indented more than its key', async () => {
    const loaded = loadTopologyText(indented, 'topology.yaml');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const bridges = (loaded.loaded.data as { sites: { proxmox: { hosts: { bridges: { description?: string }[] }[] } }[] }).sites[0]!.proxmox.hosts[0]!.bridges;
    expect(bridges.map((b) => b.description)).toContain('Management network');
    expect(readFast(indented)).toBeDefined();
    expect((await lint(indented)).filter((d) => d.severity === 'error')).toEqual([]);
  });
});
