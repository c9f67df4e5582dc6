// The guests' derived MACs: gen hashes the names with @noble/hashes' SHA-256
// (a lint then loads no node:crypto), which must give node:crypto's digest,
// or every MAC of a rebuilt tree changes and Proxmox sees new NICs.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedMac } from '../../src/targets/proxmox/mac.js';

describe('derivedMac', () => {
  it('is the MAC of the first six bytes of the SHA-256 of the UTF-8 names, locally administered and unicast', () => {
    const names: [string, string, string][] = [
      ['home', 'opnsense', 'wan'],
      ['home', 'pbs', 'net0'],
      ['büro', 'grafana-ä', 'net0'],
      ['s'.repeat(63), 'g'.repeat(63), 'n'.repeat(40)],
    ];
    for (const [site, guest, nic] of names) {
      const hash = createHash('sha256').update(`gen-mac\u0000${site}\u0000${guest}\u0000${nic}`).digest();
      hash[0] = (hash[0]! & 0xfc) | 0x02;
      const expected = Array.from(hash.subarray(0, 6), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
      expect(derivedMac(site, guest, nic)).toBe(expected);
    }
  });
});
