// A template whose per-item fields are slots (render/templates.ts slotted)
// runs once per shape of its slots, not once per item, and writes what the
// template writes for every combination of values: text, empty, missing, a
// number, 0. The runs are counted as the template environment's helper
// setups (Handlebars' runtime lists the helpers with Object.keys on every
// call), not timed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { lintText } from '../../src/pipeline.js';
import { TEMPLATE_OPTIONS, type SlotValue, slotted } from '../../src/render/templates.js';
import { renderWireguard } from '../../src/render/wireguard/index.js';
import { parseWgQuick } from '../wireguard/wg-ini.js';
import { root } from '../helpers.js';

const CLIENT = 'wireguard/client.conf.hbs';
const reference = Handlebars.compile(readFileSync(join(root, 'templates', CLIENT), 'utf8'), TEMPLATE_OPTIONS);

/** How many times a template of gen's environment ran while `work` did. */
function templateRuns(work: () => void): number {
  const keys = vi.spyOn(Object, 'keys');
  try {
    work();
    return keys.mock.calls.filter(([object]) => typeof (object as { if?: unknown } | undefined)?.if === 'function').length;
  } finally {
    keys.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('a slotted template', () => {
  const fixed = { site: 'home', instance: 'wg0', scopeOptions: '', mtu: 1420, dns: '', serverKey: 'k=', via: 'public', lan: false, endpoint: 'vpn.example.com:51820' };
  const slots = ['peer', 'privateKey', 'address', 'allowedIps', 'keepalive'] as const;
  const choices: Record<(typeof slots)[number], SlotValue[]> = {
    peer: ['laptop', 'phone'],
    privateKey: ['<private key of laptop: gen wg export writes it>', ''],
    address: ['10.9.0.2/24', undefined],
    allowedIps: ['10.0.0.0/24, 10.1.0.0/24', '', undefined],
    keepalive: [25, 0, undefined],
  };
  type Slot = (typeof slots)[number];
  // From the first slot on, each combination sets every slot (a value or undefined).
  const combinations = (function all(i: number): Partial<Record<Slot, SlotValue>>[] {
    if (i === slots.length) return [{}];
    return all(i + 1).flatMap((rest) => choices[slots[i]!].map((value) => Object.assign({ [slots[i]!]: value }, rest)));
  })(0) as Record<Slot, SlotValue>[];

  it('writes what the template writes, for every combination of values', () => {
    const render = slotted(CLIENT, fixed, slots);
    expect(combinations).toHaveLength(72);
    // Twice each: a skeleton made for the first item of a shape serves the next.
    for (const pass of [1, 2]) for (const values of combinations) expect(render(values), `pass ${pass}: ${JSON.stringify(values)}`).toBe(reference(Object.assign({}, fixed, values)));
  });

  it('runs the template once or twice per shape, never per item', () => {
    const render = slotted(CLIENT, fixed, slots);
    const values = { peer: 'laptop', privateKey: 'x', address: '10.9.0.2/24', allowedIps: '10.0.0.0/24', keepalive: 25 };
    const texts: string[] = [];
    const runs = templateRuns(() => {
      for (let i = 0; i < 1000; i++) texts.push(render(Object.assign({}, values, { peer: `peer-${i}`, address: `10.9.${i >> 8}.${i & 255}/16` })));
    });
    // The skeleton, and the template's own text of the first item, compared with it.
    expect(runs).toBe(2);
    for (const [i, text] of texts.entries()) expect(text).toBe(reference(Object.assign({}, fixed, values, { peer: `peer-${i}`, address: `10.9.${i >> 8}.${i & 255}/16` })));
  });

  it('runs the template for each item where a fixed value holds a NUL, which would read as a mark', () => {
    const withNul = Object.assign({}, fixed, { dns: '\u00001\u0000' });
    const render = slotted(CLIENT, withNul, slots);
    const values = { peer: 'laptop', privateKey: 'x', address: '10.9.0.2/24', allowedIps: '10.0.0.0/24', keepalive: 25 };
    const texts: string[] = [];
    const runs = templateRuns(() => {
      for (let i = 0; i < 10; i++) texts.push(render(values));
    });
    expect(runs).toBeGreaterThanOrEqual(10);
    for (const text of texts) expect(text).toBe(reference(Object.assign({}, withNul, values)));
  });
});

describe('the client files of 200 and 400 peers', async () => {
  async function build(peers: number) {
    const { model, diagnostics } = await lintText(toYaml(siteTopology({ peers, vlans: 4 })), 'topology.yaml');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const files = new Map<string, string>();
    const runs = templateRuns(() => renderWireguard(model!, files));
    return { runs, files, model: model! };
  }
  const [small, large] = [await build(200), await build(400)];

  it('run the client template no more often for twice the peers', () => {
    expect(large.runs, `${small.runs} → ${large.runs}`).toBe(small.runs);
    expect(large.runs).toBeLessThan(10);
  });

  it('name each peer, its address and key placeholder', () => {
    const instance = large.model.sites[0]!.wireguard[0]!;
    expect(instance.peers.length).toBe(400);
    for (const peer of instance.peers) {
      const path = [...large.files.keys()].find((p) => p.endsWith(`/${peer.tunnelName}.conf`))!;
      const text = large.files.get(path)!;
      const [iface, server] = parseWgQuick(text);
      expect(text.split('\n')[0]).toBe(`# WireGuard client ${peer.name} of ${instance.name} (site home), public endpoint.`);
      expect(iface!.values.Address).toBe(`${peer.address}/${instance.prefix}`);
      expect(iface!.values.PrivateKey).toBe(`<private key of ${peer.name}: gen wg export writes it>`);
      expect(server!.values.AllowedIPs).toBe(peer.allowedIps.join(', '));
    }
  });
});
