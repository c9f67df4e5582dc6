// What a lint of a topology file holds of its text. js-yaml ends its input
// with "\0", a copy of the whole text, and the data's longer strings are
// views into that copy: the model of a lint, which keeps them and the text
// (for the lines of its collections, read when first asked), held the text
// twice (45 MiB each for 100,000 peers). The bundle's js-yaml reads the
// text and "\0" that gen decodes as one string in place of that copy; the
// check weighs what a heap snapshot shows the model to reach, not time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { lintFile } from '../../src/pipeline.js';
import { heldBy } from '../heap-graph.js';

vi.mock('js-yaml', async () => (await import('../bundled-js-yaml.js')).bundledJsYaml());

const dir = mkdtempSync(join(tmpdir(), 'gen-lint-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the model of a lint of a topology file', () => {
  it('holds the text once: its strings are views into the string js-yaml read, and that is the text', async () => {
    // A comment makes the text weigh 1.6 MB, far above any string of the model's own.
    const text = `${toYaml(siteTopology({ peers: 500 }))}${`# ${'x'.repeat(78)}\n`.repeat(20_000)}`;
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, text);
    const { diagnostics, model } = await lintFile(file, undefined, { lines: false });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // A public key is a view into the string js-yaml read (V8 cuts one of 13 characters or more so).
    expect(model!.sites[0]!.wireguard[0]!.peers[499]!.publicKey).toHaveLength(44);
    const { strings } = await heldBy(model!);
    expect(strings.filter((s) => s.size >= text.length).map((s) => s.text.slice(0, 20))).toEqual([text.slice(0, 20)]);
    // The lines of its collections, read from that text: the last peer's is its `- name:` line.
    const peer = model!.sites[0]!.wireguard[0]!.peers[499]!;
    expect(text.split('\n')[model!.source!.lineOf(peer.path) - 1]).toMatch(new RegExp(`^\\s*- name: ${peer.name}$`));
  });
});
