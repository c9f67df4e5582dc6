// Outbound NAT is derived for the files a build writes; no rule reads it.
// Whether a split tunnel leaves the WAN is a partition of the whole policy
// for each WireGuard network (a twentieth of a lint of 10,000 peers): a
// lint asks none, and what reads the rules gets the same ones as before.
import { describe, expect, it, vi } from 'vitest';

const asked = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/resolve/tunnel-egress.js', async (original) => {
  const actual = await original<typeof import('../../src/resolve/tunnel-egress.js')>();
  return { tunnelLeavesWan: (...args: Parameters<typeof actual.tunnelLeavesWan>) => (asked.count++, actual.tunnelLeavesWan(...args)) };
});

// Test files share their worker's modules (vitest.config.ts: isolate false): gen's modules are loaded
// anew here, after the mock, so that the counted function is the one gen calls.
vi.resetModules();
const { lintText } = await import('../../src/pipeline.js');
const { readExample } = await import('../helpers.js');

/** The family example with its split tunnel let out to the internet (outbound NAT for it). */
const text = readExample('homelab-family').replace(
  '        - { name: lan-internet, from: lan, to: internet, action: pass }\n',
  '        - { name: lan-internet, from: lan, to: internet, action: pass }\n        - { name: vpn-internet, from: wireguard, to: internet, action: pass }\n',
);

describe('outbound NAT of a split tunnel that leaves the WAN', () => {
  it('is not derived by a lint, and is derived once, as before, when first read', async () => {
    expect(text).toContain('vpn-internet');
    asked.count = 0;
    const { diagnostics, model } = await lintText(text);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(asked.count).toBe(0);
    const nat = model!.sites[0]!.firewall!.nat;
    // Read: the rule for the tunnel, and automatic turned into hybrid.
    expect(nat.outboundRules).toEqual([{ instance: 'wg0', source: '10.10.99.0/24', interface: 'wan' }]);
    expect(nat.outbound).toBe('hybrid');
    expect(asked.count).toBe(1);
    // Plain values from then on, in their place among nat's keys (the model's JSON is unchanged).
    expect(Object.keys(nat)).toEqual(['outbound', 'outboundRules', 'portForwards']);
    expect(Object.getOwnPropertyDescriptor(nat, 'outbound')).toMatchObject({ value: 'hybrid', writable: true, enumerable: true });
    expect(JSON.parse(JSON.stringify(nat)).outboundRules).toEqual(nat.outboundRules);
    expect(asked.count).toBe(1);
  });

  it('keeps a mode written before the rules are read', async () => {
    const { model } = await lintText(text);
    const nat = model!.sites[0]!.firewall!.nat;
    nat.outbound = 'manual';
    expect(nat.outbound).toBe('manual');
    expect(nat.outboundRules).toHaveLength(1);
  });
});
