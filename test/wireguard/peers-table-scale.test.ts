// peers.md of many peers: the peers are sorted with each address parsed
// once, and their lines come from the row's skeleton, not from an
// {{#each}} block of the table's template that looked up every field of
// every peer. The checks count calls (the address parses, Handlebars'
// property lookups, which check own properties), not time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import * as net from '../../src/net.js';
import { lintText } from '../../src/pipeline.js';
import { peersTable } from '../../src/render/wireguard/peers-table.js';

afterEach(() => vi.restoreAllMocks());

describe('peers.md of 200 and 400 peers', async () => {
  async function table(peers: number) {
    const { model, diagnostics } = await lintText(toYaml(siteTopology({ peers, vlans: 4 })), 'topology.yaml');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const site = model!.sites[0]!;
    const parsed = vi.spyOn(net, 'parseIPv4');
    const owned = vi.spyOn(Object.prototype, 'hasOwnProperty');
    const replaced = vi.spyOn(String.prototype, 'replace');
    let text: string;
    let lookups: number;
    let replaces: number;
    try {
      text = peersTable(site);
    } finally {
      // Counted before anything else runs (the checks look up own properties and replace text too).
      lookups = owned.mock.calls.length;
      replaces = replaced.mock.calls.length;
      owned.mockRestore();
      replaced.mockRestore();
    }
    const counts = { parses: parsed.mock.calls.length, lookups, replaces };
    vi.restoreAllMocks();
    return Object.assign({ text, site }, counts);
  }
  const [small, large] = [await table(200), await table(400)];

  it('lists every peer once, by address', () => {
    const peers = large.site.wireguard[0]!.peers;
    expect(peers).toHaveLength(400);
    const lines = large.text.split('\n').filter((line) => /^\| \d+\.\d+\.\d+\.\d+ \|/.test(line));
    expect(lines.map((line) => line.split(' | ')[1])).toEqual([...peers].sort((a, b) => (net.parseIPv4(a.address)! - net.parseIPv4(b.address)!)).map((p) => p.name));
    const addresses = lines.map((line) => net.parseIPv4(line.slice(2, line.indexOf(' |')))!);
    expect(addresses).toEqual([...addresses].sort((a, b) => a - b));
  });

  it('parses each address once, not twice for each comparison of the sort', () => {
    expect(large.parses).toBeGreaterThan(0);
    expect(large.parses).toBeLessThanOrEqual(400);
  });

  it('looks up no more template fields for twice the peers', () => {
    expect(large.lookups).toBeGreaterThan(0);
    // The first table also compiles the templates: no more for the second, whatever its peers.
    expect(large.lookups, `${small.lookups} → ${large.lookups}`).toBeLessThanOrEqual(small.lookups);
  });

  it('escapes only the fields that have a character Markdown reads, not every field of every peer', () => {
    // The generated peers' names and addresses have none: no more replacing for twice the peers.
    expect(large.replaces, `${small.replaces} → ${large.replaces}`).toBeLessThanOrEqual(small.replaces);
    const wg = large.site.wireguard[0]!;
    const odd = Object.assign({}, wg.peers[0]!, { name: 'a_b|c<d>' });
    const text = peersTable(Object.assign({}, large.site, { wireguard: [Object.assign({}, wg, { peers: [odd] })] }));
    expect(text).toContain(`| ${odd.address} | a\\_b\\|c\\<d\\> |`);
  });
});
