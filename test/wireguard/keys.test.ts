import { describe, expect, it } from 'vitest';
import { generateKeyPair, isWireguardKey, publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { missing, run, titled } from '../system-tools.js';

describe('x25519 keys with node:crypto', () => {
  it('prints keys as wg does: 44 characters of base64 for 32 bytes', () => {
    const pair = generateKeyPair();
    for (const key of [pair.privateKey, pair.publicKey]) {
      expect(isWireguardKey(key)).toBe(true);
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
    }
    expect(publicKeyOf(pair.privateKey)).toBe(pair.publicKey);
    expect(generateKeyPair().privateKey).not.toBe(pair.privateKey);
  });

  it('clamps private keys as `wg genkey` does, so `wg showconf` shows the same key back', () => {
    for (let i = 0; i < 64; i++) {
      const raw = Buffer.from(generateKeyPair().privateKey, 'base64');
      expect([raw[0]! & 7, raw[31]! & 0xc0]).toEqual([0, 0x40]);
    }
  });

  it('refuses text that is not a key', () => {
    expect(isWireguardKey('notakey')).toBe(false);
    expect(() => publicKeyOf('notakey')).toThrow(/not a WireGuard key/);
  });

  const why = missing(['wg'], false);
  describe.skipIf(why)(titled('against wireguard-tools', why), () => {
    it('derives the same public key as `wg pubkey` from our private keys', () => {
      for (let i = 0; i < 5; i++) {
        const pair = generateKeyPair();
        expect(run('wg', ['pubkey'], `${pair.privateKey}\n`).trim()).toBe(pair.publicKey);
      }
    });

    it('derives the same public key as `wg pubkey` from keys made by `wg genkey`', () => {
      for (let i = 0; i < 5; i++) {
        const key = run('wg', ['genkey']).trim();
        expect(publicKeyOf(key)).toBe(run('wg', ['pubkey'], `${key}\n`).trim());
      }
    });
  });
});
