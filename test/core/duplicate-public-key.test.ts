// wg/duplicate-public-key looks at every peer's key; the words that name a
// key's owner are made only for a finding, not for each of 100,000 peers.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings.js';
import type { Model } from '../../src/model.js';
import { ruleById } from '../../src/rules/index.js';

/** A name that counts how often it is made into text. */
function counted(name: string, made: { count: number }): string {
  return { [Symbol.toPrimitive]: () => (made.count++, name) } as unknown as string;
}

function site(made: { count: number }, keyOf: (instance: number, peer: number) => string) {
  const wireguard = [0, 1].map((i) => ({
    name: `wg${i}`,
    publicKey: `instance-key-${i}`,
    path: ['sites', 0, 'wireguard', i],
    peers: Array.from({ length: 2_000 }, (_, p) => ({ name: counted(`p${p}`, made), publicKey: keyOf(i, p), path: ['sites', 0, 'wireguard', i, 'peers', p] })),
  }));
  return { sites: [{ name: 'home', wireguard }] } as unknown as Model;
}

function findings(model: Model): Finding[] {
  const out: Finding[] = [];
  ruleById.get('wg/duplicate-public-key')!.check!(model, (f) => out.push(f as Finding));
  return out;
}

describe('wg/duplicate-public-key on 4,000 peers', () => {
  it('makes no text for a peer whose key is its own', () => {
    const made = { count: 0 };
    expect(findings(site(made, (i, p) => `key-${i}-${p}`))).toEqual([]);
    expect(made.count).toBe(0);
  });

  it('names the first owner of a shared key: a peer of another instance, or an instance', () => {
    const made = { count: 0 };
    const shared = site(made, (i, p) => (i === 1 && p === 5 ? 'key-0-1999' : i === 1 && p === 7 ? 'instance-key-0' : `key-${i}-${p}`));
    expect(findings(shared).map((f) => [f.path.join('.'), f.message])).toEqual([
      ['sites.0.wireguard.1.peers.5.public_key', 'peer p5 of wg1 has the public key of peer p1999 of wg0'],
      ['sites.0.wireguard.1.peers.7.public_key', 'peer p7 of wg1 has the public key of instance wg0'],
    ]);
  });
});
