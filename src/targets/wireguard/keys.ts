// WireGuard keys are raw X25519 keys in standard base64 (44 characters with
// one '=' of padding), exactly as `wg genkey` / `wg pubkey` print them.
// node:crypto does X25519 natively; its JWK export carries the raw 32 bytes.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** PKCS#8 DER prefix of an X25519 private key; the 32 raw bytes follow it. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

function fromBase64Url(text: string | undefined): string {
  if (!text) throw new Error('X25519 key export returned no key material');
  return Buffer.from(text, 'base64url').toString('base64');
}

export function isWireguardKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}

/**
 * Clamps a private scalar as `wg genkey` prints it (RFC 7748): the kernel and
 * wireguard-go store the clamped form, so `wg showconf` shows it back; the
 * public key is the same either way.
 */
function clamped(raw: Buffer): Buffer {
  const key = Buffer.from(raw);
  key[0]! &= 248;
  key[31] = (key[31]! & 127) | 64;
  return key;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const raw = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  if (raw.length !== 32) throw new Error('X25519 key export returned no key material');
  return {
    privateKey: clamped(raw).toString('base64'),
    publicKey: fromBase64Url(publicKey.export({ format: 'jwk' }).x),
  };
}

/** The public key of a base64 private key (what `wg pubkey` prints). */
export function publicKeyOf(privateKey: string): string {
  if (!isWireguardKey(privateKey)) throw new Error('not a WireGuard key (44 characters of base64)');
  const der = Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKey, 'base64')]);
  const key = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  return fromBase64Url(key.export({ format: 'jwk' }).x);
}
