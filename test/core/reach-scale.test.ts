// AllowedIPs where every peer has a rule of its own and every service a
// rule from the VPN: each (service, peer) pair has a rule set of its own.
// Cutting each pair's set into protocols and ports kept a million
// sub-partitions for 1,000 of each (2.2 GB; 2,000 of each ran out of
// memory). gen lints it in a heap of 256 MB, in its own process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readExample, root } from '../helpers.js';
import { lintText } from '../../src/pipeline.js';
import { resolveReach } from '../../src/resolve/reach.js';

const ip = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** The default topology with `n` peers, each with a rule to the service network, and `n` services, each with a rule from the VPN. */
function crossed(n: number): string {
  const topology = parse(readExample('homelab')) as {
    sites: {
      firewall: { interfaces: { name: string; address?: string }[] };
      wireguard: { address: string; roles: unknown[]; peers: unknown[] }[];
      services: unknown[];
      policy: { rules: unknown[] };
    }[];
  };
  const site = topology.sites[0]!;
  site.firewall.interfaces.find((i) => i.name === 'service')!.address = '10.1.0.1/16';
  const wg = site.wireguard[0]!;
  const base = (10 << 24) | (64 << 16);
  wg.address = '10.64.0.1/14';
  wg.roles = [{ name: 'client', from: ip(base + 2), to: ip(base + 200_000) }];
  wg.peers = [];
  const rules: unknown[] = [];
  for (let i = 0; i < n; i++) {
    // Public keys are 32 bytes of base64; any distinct ones do.
    wg.peers.push({ name: `p${i}`, role: 'client', address: ip(base + 2 + i), public_key: Buffer.alloc(32, 0).fill(String(i).padStart(8, '0')).toString('base64') });
    site.services.push({ name: `s${i}`, network: 'service', address: ip(((10 << 24) | (1 << 16)) + 1024 + i), port: 8080 });
    rules.push({ name: `pr${i}`, from: `p${i}`, to: 'service', proto: 'tcp', ports: [22], action: 'pass' });
  }
  for (let i = 0; i < n; i++) rules.push({ name: `sr${i}`, from: 'vpn', to: `s${i}`, action: 'pass' });
  site.policy.rules = rules.concat(site.policy.rules);
  return stringify(topology);
}

describe('AllowedIPs of many peers with rules of their own and many services with rules of their own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-reach-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each peer the service network it may reach', async () => {
    const { diagnostics, model } = await lintText(crossed(40));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const peers = model!.sites[0]!.wireguard[0]!.peers;
    expect(peers).toHaveLength(40);
    for (const peer of peers) expect(peer.reach).toContain('10.1.0.0/16');
  });

  it('lints 1,000 of each in a heap of 256 MB', () => {
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, crossed(1000));
    const r = spawnSync(process.execPath, ['--max-old-space-size=256', join(root, 'bin/gen.js'), 'lint', file], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('the reach of many peers', () => {
  it('makes no object, pair or set entry per peer: the peers are read in place', async () => {
    const { model } = await lintText(crossed(300));
    const site = model!.sites[0]!;
    const peers = site.wireguard[0]!.peers;
    const before = peers.map((p) => p.reach);
    // Array methods called on the list of peers, or on a list as long (the peers made into objects or pairs).
    const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    const saved = new Map<string, (...args: unknown[]) => unknown>();
    let perPeer = 0;
    for (const name of ['map', 'flatMap', 'forEach']) {
      const original = proto[name]!;
      saved.set(name, original);
      proto[name] = function (this: unknown[], ...args: unknown[]) {
        if (this === peers || this.length === peers.length) perPeer++;
        return original.apply(this, args);
      };
    }
    try {
      resolveReach(site.wireguard, [], site.policy, undefined as never, site.firewall);
    } finally {
      for (const [name, original] of saved) proto[name] = original;
    }
    expect(perPeer).toBe(0);
    expect(peers.map((p) => p.reach)).toEqual(before);
  });
});
