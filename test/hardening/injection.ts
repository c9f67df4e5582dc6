// Injection corpus: hostile strings tried in every string field of the
// reference topologies (one instance of each field), and in every string
// field of the schema that none of them sets, through every-field.yaml (a
// topology that sets each optional field). Each is rejected with
// a located error, or accepted and then changes no artifact's structure
// (compared with a plain word in the same field), and every artifact still
// passes the real tools: xmllint, HashiCorp's HCL parser, the IAM policy
// validator, wg setconf and ifupdown2 (these two as root). Each
// injection-*.test.ts file runs it on some of the reference topologies,
// so that the corpus runs on both cores; together they take every one.
// A check of a kind of file asks for some where the topologies write it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { lintText } from '../../src/pipeline.js';
import { renderAll } from '../../src/render/index.js';
import { EXAMPLES, root } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { schemaFieldOf } from './schema-strings.js';
import { tempDir } from '../temp-dirs.js';

const require = createRequire(import.meta.url);
const hcl = require('@cdktf/hcl2json') as { parse(file: string, text: string): Promise<Record<string, unknown>> };

export const CORPUS: Record<string, string> = {
  newline: 'line one\nline two',
  'carriage return': 'one\r\ntwo',
  tab: 'one\ttwo',
  'wireguard section': 'x\n[Peer]\nAllowedIPs = 0.0.0.0/0',
  'ini section inline': '[Peer] AllowedIPs = 0.0.0.0/0',
  shell: '; rm -rf /',
  'command substitution': '$(reboot)',
  backticks: '`reboot`',
  'xml close': '</descr><rule><type>pass</type></rule><descr>',
  'cdata end': ']]>',
  'hcl interpolation': '${var.secret}',
  'hcl directive': '%{ if true }x%{ endif }',
  quotes: `he said "hi" and 'bye'`,
  backslashes: 'C:\\temp\\ \\" \\n',
  nul: 'a\u0000b',
  'rtl mark': 'abc\u202edef',
  // C1: CSI starts a terminal escape sequence; NEL and the Unicode line and paragraph separators end a line for some readers (Python's splitlines()).
  'c1 controls': 'a\u009b2Jb\u0085c',
  'unicode line breaks': 'one\u2028two\u2029three',
  'lone surrogate': 'ISP box \udc00',
  korean: '관리 네트워크 설명',
  'markdown table': 'a | b | c',
  'mermaid label': '"] ; x["y',
  'here-document end': 'x\nGEN_DATA_END\nreboot',
  'awk and printf formats': '%s %n \\t " \\\\ $0',
};

const BENIGN = 'plainword';
const PLACEHOLDER = 'genInjectionPlaceholder';

/** One path per field: the first instance of each property, indices generalised. */
function fieldPaths(value: unknown, prefix: (string | number)[] = [], seen = new Set<string>()): (string | number)[][] {
  const out: (string | number)[][] = [];
  const key = prefix.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
  if (typeof value === 'string') {
    if (!seen.has(key)) {
      seen.add(key);
      out.push(prefix);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...fieldPaths(v, [...prefix, i], seen)));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k !== 'version') out.push(...fieldPaths(v, [...prefix, k], seen));
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

// (dnsmasq ranges have a field named "constructor", which the parser refuses as an object key.)
const xml = new XMLParser({ preserveOrder: true, ignoreAttributes: false, transformTagName: (name) => (name === 'constructor' ? '_constructor' : name) });

function structure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structure);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.startsWith('#text') ? '#text' : k, structure(v)]));
  return typeof value;
}

/** What an artifact is made of, with every value left out. */
async function shape(path: string, content: string): Promise<unknown> {
  if (path.endsWith('.xml')) return structure(xml.parse(content));
  if (path.endsWith('.tf')) return structure(await hcl.parse(path, content));
  if (path.endsWith('.json')) return structure(JSON.parse(content));
  const lines = content.split('\n');
  if (path.endsWith('.md')) return lines.map((l) => `${l.slice(0, 2).replace(/[^#|`-]/g, 'x')}:${(l.match(/(?<!\\)\|/g) ?? []).length}`);
  // INI-like and ifupdown files: the keyword or section of each line that is not a comment. (s: the rest of
  // a line may hold U+2028 or U+2029, which a JavaScript `.` does not match; no reader here ends a line there.)
  return lines.map((l) => (l.trimStart().startsWith('#') ? '#' : l.replace(/^(\s*)(\[[^\]]*\]|[^\s=]+).*$/s, '$1$2')));
}

interface Accepted {
  label: string;
  files: Map<string, string>;
}

/** The topologies the corpus runs on: the reference topologies, and one that sets every field they leave out. */
export const TOPOLOGIES = Object.assign({}, EXAMPLES, { 'every-field': 'test/hardening/fixtures/every-field.yaml' });
export type CorpusTopology = keyof typeof TOPOLOGIES;
const EXTRA: readonly CorpusTopology[] = ['every-field'];

export function readTopology(name: CorpusTopology): string {
  return readFileSync(join(root, TOPOLOGIES[name]), 'utf8');
}

/** The fields the corpus tries in a topology: every field in a reference topology; in every-field.yaml those no reference topology sets. */
function casesOf(names: readonly CorpusTopology[]): { example: CorpusTopology; data: unknown; path: (string | number)[] }[] {
  const all = names.map((example) => {
    const data = parse(readTopology(example)) as unknown;
    return fieldPaths(data).map((path) => ({ example, data, path }));
  });
  const referenced = new Set(all.flat().filter((c) => !EXTRA.includes(c.example)).map((c) => schemaFieldOf(c.path)));
  return all.flat().filter((c) => !EXTRA.includes(c.example) || !referenced.has(schemaFieldOf(c.path)));
}

/** Every topology field the corpus tries, over all its topologies. */
export function corpusFields(): (string | number)[][] {
  return casesOf(Object.keys(TOPOLOGIES) as CorpusTopology[]).map((c) => c.path);
}

const allCases = casesOf(Object.keys(TOPOLOGIES) as CorpusTopology[]);

/** The corpus on every field of the given topologies, and the real tools on what it accepted. */
export function injectionCorpus(examples: readonly CorpusTopology[]): void {
  const cases = allCases.filter((c) => examples.includes(c.example));
  /** Whether the topologies write a file of this kind at all: then the corpus must have produced some. */
  let paths: Promise<string[]> | undefined;
  const written = async (kind: (path: string) => boolean): Promise<boolean> => {
    // The topologies' own files, rendered once for the kinds asked about.
    paths ??= Promise.all(examples.map(async (example) => [...renderAll((await lintText(readTopology(example))).model!).keys()])).then((lists) => lists.flat());
    return (await paths).some(kind);
  };
  describe(`injection corpus: ${examples.join(', ')}`, () => {
    it('the injection test files together take every reference topology once', () => {
      const files = readdirSync(join(root, 'test/hardening')).filter((f) => /^injection-.*\.test\.ts$/.test(f));
      const taken = files.flatMap((f) => /injectionCorpus\(\[([^\]]*)\]\)/.exec(readFileSync(join(root, 'test/hardening', f), 'utf8'))?.[1]?.match(/[\w-]+/g) ?? []);
      expect(taken.sort()).toEqual(Object.keys(TOPOLOGIES).sort());
    });
    injectionTests(cases, written);
  });
}

function injectionTests(cases: typeof allCases, written: (kind: (path: string) => boolean) => Promise<boolean>): void {
  const accepted: Accepted[] = [];

  it(`every hostile string in every field (${cases.length} fields × ${Object.keys(CORPUS).length} strings) is rejected at its line or stays inert`, async () => {
    let rejected = 0;
    for (const { example, data, path } of cases) {
      // The topology is written once per field, with a placeholder that each
      // string replaces as a JSON string literal, which is also a YAML
      // double-quoted scalar of that very string (YAML 1.2 reads JSON), and
      // at the placeholder's position it is the field's whole value.
      const template = stringify(setAt(data, path, PLACEHOLDER));
      expect(template.split(PLACEHOLDER).length, path.join('.')).toBe(2);
      const withValue = (value: string) => template.replace(PLACEHOLDER, () => JSON.stringify(value));
      // The plain word's files, linted and rendered when the field's first string is accepted:
      // in most fields every string is rejected, and nothing compares with them.
      let benign: Promise<Map<string, string> | undefined> | undefined;
      const benignOf = () =>
        (benign ??= lintText(withValue(BENIGN)).then(({ model, diagnostics }) => (model && !diagnostics.some((d) => d.severity === 'error') ? renderAll(model) : undefined)));
      let benignFiles: Map<string, string> | undefined;
      // The plain word's shape of a file, worked out once for the field's strings (the first that changes the file asks for it).
      const benignShapes = new Map<string, Promise<unknown>>();
      const benignShape = (file: string) => benignShapes.get(file) ?? benignShapes.set(file, shape(file, benignFiles!.get(file)!)).get(file)!;
      for (const [name, value] of Object.entries(CORPUS)) {
        const label = `${example} ${path.join('.')} ← ${name}`;
        const text = withValue(value);
        const { diagnostics, model } = await lintText(text);
        const errors = diagnostics.filter((d) => d.severity === 'error');
        if (errors.length || !model) {
          rejected++;
          const lines = text.split('\n').length;
          for (const d of errors) {
            expect(d.location.line >= 1 && d.location.line <= lines && d.location.col >= 1, `${label}: ${JSON.stringify(d)}`).toBe(true);
          }
          continue;
        }
        // Accepted: a plain word must be accepted there too, and the artifacts keep their structure.
        benignFiles = await benignOf();
        expect(benignFiles, `${label} accepted where a plain word is not`).toBeDefined();
        const files = renderAll(model);
        expect([...files.keys()].sort(), label).toEqual([...benignFiles!.keys()].sort());
        for (const [file, content] of files) {
          // The same text has the same structure: only files the string changed are parsed.
          if (content === benignFiles!.get(file)) continue;
          expect(await shape(file, content), `${label}: ${file}`).toEqual(await benignShape(file));
        }
        accepted.push({ label, files });
      }
    }
    expect(rejected).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
  }, 600_000);

  function unique(filter: (path: string) => boolean): Map<string, { label: string; content: string }> {
    const byHash = new Map<string, { label: string; content: string }>();
    for (const { label, files } of accepted) {
      for (const [path, content] of files) {
        if (!filter(path)) continue;
        const hash = createHash('sha256').update(content).digest('hex');
        if (!byHash.has(hash)) byHash.set(hash, { label: `${label}: ${path}`, content });
      }
    }
    return byHash;
  }

  /** The accepted files of a kind, each content once: there must be some exactly where the topologies write that kind. */
  async function acceptedOf(kind: (path: string) => boolean): Promise<{ label: string; content: string }[]> {
    const files = [...unique(kind).values()];
    expect(files.length > 0).toBe(await written(kind));
    return files;
  }

  const xmllintMissing = missing(['xmllint'], false);
  it.skipIf(xmllintMissing)(titled('xmllint accepts every accepted XML artifact', xmllintMissing), async () => {
    const dir = tempDir('gen-inject-xml-');
    const files = await acceptedOf((p) => p.endsWith('.xml'));
    if (files.length === 0) return;
    const paths = files.map((f, i) => {
      const path = join(dir, `${i}.xml`);
      writeFileSync(path, f.content);
      return path;
    });
    const r = spawnSync('xmllint', ['--noout', ...paths], { encoding: 'utf8' });
    expect(r.stderr, r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the HCL parser and the IAM validator accept every accepted AWS artifact', async () => {
    const tf = await acceptedOf((p) => p.endsWith('.tf'));
    for (const f of tf) await expect(hcl.parse('main.tf', f.content), f.label).resolves.toBeTypeOf('object');
    for (const f of unique((p) => p.startsWith('aws/iam/') && p.endsWith('.json')).values()) {
      expect(validateIdentityPolicy(JSON.parse(f.content)), f.label).toEqual([]);
    }
  });

  const wgMissing = missing(['wg', 'wg-quick', 'wireguard-go', 'ip']);
  it.skipIf(wgMissing)(titled('wg setconf accepts every accepted client file', wgMissing), async () => {
    const dir = tempDir('gen-inject-wg-');
    const key = spawnSync('wg', ['genkey'], { encoding: 'utf8' }).stdout.trim();
    const files = await acceptedOf((p) => p.endsWith('.conf') && p.includes('/wireguard/'));
    if (files.length === 0) return;
    const paths = files.map((f, i) => {
      const path = join(dir, `c${i}.conf`);
      writeFileSync(path, f.content.replace(/^PrivateKey = .*$/m, `PrivateKey = ${key}`));
      return path;
    });
    const r = spawnSync('bash', [join(root, 'test/scripts/wg-validate.sh'), ...paths], { encoding: 'utf8' });
    expect(r.stdout, r.stdout + r.stderr).not.toContain('FAIL');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  const shMissing = missing(['dash', 'bash', 'shellcheck'], false);
  // Every script: the verification scripts, and those that change a box (guests.sh, access.sh), whose lines the shape above compares only by their first word.
  it.skipIf(shMissing)(titled('every accepted script parses in dash and bash, and shellcheck finds nothing', shMissing), async () => {
    const dir = tempDir('gen-inject-sh-');
    const files = await acceptedOf((p) => p.endsWith('.sh'));
    if (files.length === 0) return;
    const paths = files.map((f, i) => {
      const path = join(dir, `v${i}.sh`);
      writeFileSync(path, f.content);
      return path;
    });
    for (const [i, path] of paths.entries()) {
      // #!/bin/bash or #!/usr/bin/env bash; #!/bin/sh is dash's to read, as FreeBSD's sh reads it.
      const shell = files[i]!.content.split('\n', 1)[0]!.endsWith('bash') ? 'bash' : 'dash';
      const r = spawnSync(shell, ['-n', path], { encoding: 'utf8' });
      expect(r.status, `${files[i]!.label}\n${r.stderr}`).toBe(0);
    }
    const r = spawnSync('shellcheck', ['--format', 'gcc', ...paths], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    // shellcheck takes about 27 s of CPU on homelab's 80-odd accepted scripts; with both cores busy
    // with other test files that went past the 120 s every test gets.
  }, 360_000);

  const ifMissing = missing(['ifup', 'ifquery', 'ip', 'unshare']);
  it.skipIf(ifMissing)(titled('ifupdown2 parses every accepted interfaces file without a message', ifMissing), async () => {
    const dir = tempDir('gen-inject-if-');
    const files = await acceptedOf((p) => p.endsWith('/interfaces'));
    if (files.length === 0) return;
    // One namespace for all of them; a file with a message is named in the output.
    const paths = files.map((f, i) => {
      const path = join(dir, `interfaces${i}`);
      writeFileSync(path, f.content);
      return path;
    });
    const r = spawnSync('bash', [join(root, 'test/scripts/ifupdown2-syncheck.sh'), '--no-query', ...paths], { encoding: 'utf8' });
    const named = [...r.stdout.matchAll(/^FILE: .*\/interfaces(\d+)$/gm)].map((m) => files[Number(m[1])]!.label);
    expect(r.status, `${named.join('\n')}\n${r.stdout}${r.stderr}`).toBe(0);
  });
}
