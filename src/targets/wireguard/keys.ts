// WireGuard keys are raw X25519 keys in standard base64 (44 characters with
// one '=' of padding), exactly as `wg genkey` / `wg pubkey` print them.
// node:crypto does X25519 natively; its DER and JWK exports carry the raw 32
// bytes.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** PKCS#8 DER prefix of an X25519 private key; the 32 raw bytes follow it. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
/** SPKI DER prefix of an X25519 public key; the 32 raw bytes follow it. */
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
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

/** The 32 raw bytes of a DER export that is `prefix` and the key. */
function rawKey(der: Buffer, prefix: Buffer): Buffer {
  if (der.length !== prefix.length + 32 || !der.subarray(0, prefix.length).equals(prefix)) throw new Error('X25519 key export returned no key material');
  return der.subarray(prefix.length);
}

/**
 * A new pair, read back from DER. Not from JWK: Node 20 holds a generated
 * key's lock while its JWK export allocates, and a garbage collection there
 * can free the generating job, whose destructor takes the same lock; the
 * process then hangs for good (now and then in a run that makes thousands).
 */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKey: clamped(rawKey(privateKey.export({ format: 'der', type: 'pkcs8' }), PKCS8_X25519_PREFIX)).toString('base64'),
    publicKey: rawKey(publicKey.export({ format: 'der', type: 'spki' }), SPKI_X25519_PREFIX).toString('base64'),
  };
}

/** The public key of a base64 private key (what `wg pubkey` prints). */
export function publicKeyOf(privateKey: string): string {
  if (!isWireguardKey(privateKey)) throw new Error('not a WireGuard key (44 characters of base64)');
  const der = Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKey, 'base64')]);
  const key = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  return fromBase64Url(key.export({ format: 'jwk' }).x);
}

/**
 * A new pre-shared key, as `wg genpsk` prints it: 32 random bytes in base64
 * (wireguard-tools src/genkey.c genkey_main, which leaves them unclamped for genpsk), the same 44 characters as a key pair's,
 * which wg(8) reads with key_from_base64 (src/config.c, PresharedKey).
 */
export function generatePresharedKey(): string {
  return randomBytes(32).toString('base64');
}
