// One grouping of WireGuard public keys (resolve/wireguard-keys.ts) serves the
// rules and gen wg doctor: the peers of one device, and instances that hold
// one private key, across sites. The two instance-key rules split the pairs
// it finds between them: one site's (wg/duplicate-public-key) and two sites'
// (wg/instance-key-across-sites), none left out.
import { describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../src/findings.js';
import type { Model } from '../../src/model.js';
import { instancesByKey, peersByKey } from '../../src/resolve/wireguard-keys.js';
import { ruleById } from '../../src/rules/index.js';

interface PeerSpec {
  name: string;
  key?: string;
  enabled?: boolean;
}

function model(sites: { name: string; instances: { name: string; key?: string; peers: PeerSpec[] }[] }[]): Model {
  return {
    sites: sites.map((s, si) => ({
      name: s.name,
      wireguard: s.instances.map((i, ii) => ({
        name: i.name,
        publicKey: i.key,
        path: ['sites', si, 'wireguard', ii],
        peers: i.peers.map((p, pi) => ({ name: p.name, publicKey: p.key, enabled: p.enabled ?? true, path: ['sites', si, 'wireguard', ii, 'peers', pi] })),
      })),
    })),
  } as unknown as Model;
}

function findings(rule: string, m: Model): Finding[] {
  const out: Finding[] = [];
  ruleById.get(rule)!.check!(m, (f) => out.push(f as Finding));
  return out;
}

const two = model([
  { name: 'home', instances: [{ name: 'wg0', key: 'K', peers: [{ name: 'phone', key: 'P' }, { name: 'nokey' }] }] },
  {
    name: 'office',
    instances: [
      { name: 'wg0', key: 'K', peers: [{ name: 'phone-old', key: 'P', enabled: false }] },
      { name: 'wg1', key: 'K', peers: [{ name: 'phone', key: 'P' }, { name: 'nas', key: 'N' }] },
    ],
  },
]);

describe('WireGuard key groups', () => {
  it("lists each device's peers and each key's instances in topology order, disabled peers too, keyless ones not", () => {
    const where = (h: { site: { name: string }; instance: { name: string } }) => `${h.site.name}/${h.instance.name}`;
    expect([...peersByKey(two)].map(([key, peers]) => [key, peers.map((t) => `${where(t)}/${t.peer.name}`)])).toEqual([
      ['P', ['home/wg0/phone', 'office/wg0/phone-old', 'office/wg1/phone']],
      ['N', ['office/wg1/nas']],
    ]);
    expect([...instancesByKey(two)].map(([key, holders]) => [key, holders.map(where)])).toEqual([['K', ['home/wg0', 'office/wg0', 'office/wg1']]]);
    // Made once per model: the rules and the doctor read the same groups.
    expect(peersByKey(two)).toBe(peersByKey(two));
  });

  it("reports every instance with an earlier instance's key once per site pair: one site's by one rule, two sites' by the other", () => {
    const at = (f: Finding) => [f.path.join('.'), (f.related ?? []).map((r) => r.path.join('.'))];
    expect(findings('wg/duplicate-public-key', two).filter((f) => f.path.length === 5).map(at)).toEqual([
      ['sites.1.wireguard.1.public_key', ['sites.1.wireguard.0.public_key']],
    ]);
    expect(findings('wg/instance-key-across-sites', two).map(at)).toEqual([
      ['sites.1.wireguard.0.public_key', ['sites.0.wireguard.0.public_key']],
      ['sites.1.wireguard.1.public_key', ['sites.0.wireguard.0.public_key']],
    ]);
  });

  it("groups the instances' keys without the peers': one site's lint asks for those alone", () => {
    const peers = Array.from({ length: 10_000 }, (_, p) => ({ name: `p${p}`, key: `P${p}` }));
    const large = model([{ name: 'home', instances: [{ name: 'wg0', key: 'K', peers }, { name: 'wg1', key: 'K', peers: [] }] }]);
    // The entries of the maps made while grouping: one per key, and one more per holder after the first.
    const made = vi.spyOn(Map.prototype, 'set');
    let instances: ReturnType<typeof instancesByKey>;
    try {
      instances = instancesByKey(large);
      expect(made.mock.calls.length).toBeLessThan(10);
    } finally {
      made.mockRestore();
    }
    expect([...instances].map(([key, holders]) => [key, holders.map((h) => h.instance.name)])).toEqual([['K', ['wg0', 'wg1']]]);
    expect(findings('wg/duplicate-public-key', large).map((f) => f.path.join('.'))).toEqual(['sites.0.wireguard.1.public_key']);
    expect(peersByKey(large).size).toBe(10_000);
  });
});
