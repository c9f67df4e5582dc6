// Stable identities for OPNsense items. OPNsense links items by UUID (and
// certificates by refid), and invents new ones on every load when they are
// missing, so gen derives them from names: the same topology always gives
// the same ids, and renaming one thing changes only its own ids.
import { createHash } from 'node:crypto';

/** gen's UUIDv5 namespace (a fixed random UUID; never change it). */
export const GEN_NAMESPACE = '5b0c9a3e-7f41-4d2a-9c61-0e8f3d7a2b94';

function sha1(parts: (string | Buffer)[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** RFC 4122 UUIDv5 (SHA-1, name-based). */
export function uuidV5(name: string, namespace = GEN_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = sha1([ns, Buffer.from(name, 'utf8')]).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** True for a version-5 UUID: OPNsense itself only makes version 4, so these are gen's. */
export function isNameBasedUuid(uuid: string | undefined): boolean {
  return uuid !== undefined && /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid);
}

/** The UUID of one item: site, item kind and name make the identity. */
export function itemUuid(site: string, kind: string, name: string): string {
  return uuidV5(`${site}/${kind}/${name}`);
}

/** A UniqueIdField value in PHP uniqid('', true) form (14 hex digits, ".", 8 digits). */
export function uniqueId(site: string, kind: string, name: string): string {
  const hex = sha1([`uniqueid:${site}/${kind}/${name}`]).toString('hex');
  const digits = String(parseInt(hex.slice(14, 22), 16) % 100_000_000).padStart(8, '0');
  return `${hex.slice(0, 14)}.${digits}`;
}

/** A certificate refid in PHP uniqid() form (13 hex digits). */
export function certificateRefid(site: string, name: string): string {
  return sha1([`refid:${site}/${name}`]).toString('hex').slice(0, 13);
}
