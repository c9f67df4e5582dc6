// Stable identities for OPNsense items. OPNsense links items by UUID (and
// certificates by refid), and invents new ones on every load when they are
// missing, so gen derives them from names: the same topology always gives
// the same ids, and renaming one thing changes only its own ids.
import { createHash, hash } from 'node:crypto';

/** gen's UUIDv5 namespace (a fixed random UUID; never change it). */
export const GEN_NAMESPACE = '5b0c9a3e-7f41-4d2a-9c61-0e8f3d7a2b94';

const namespaces = new Map<string, Buffer>();
let input = Buffer.allocUnsafe(256);

/**
 * RFC 4122 UUIDv5 (SHA-1, name-based). Every MVC item has one (30,000 for
 * 10,000 peers and 20,000 rules): the namespace's bytes are made once and
 * each name is hashed from one reused buffer.
 */
export function uuidV5(name: string, namespace = GEN_NAMESPACE): string {
  let ns = namespaces.get(namespace);
  if (!ns) namespaces.set(namespace, (ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')));
  const length = ns.length + Buffer.byteLength(name, 'utf8');
  if (length > input.length) input = Buffer.allocUnsafe(2 * length);
  ns.copy(input, 0);
  input.write(name, ns.length, 'utf8');
  const hex = sha1Hex(input.subarray(0, length));
  // The version (5) in the high nibble of byte 6, the variant (10) in the two high bits of byte 8.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function sha1Hex(data: Uint8Array | string): string {
  // The one-shot form (Node 20.12 and later) makes no Hash object.
  return typeof hash === 'function' ? hash('sha1', data, 'hex') : createHash('sha1').update(data).digest('hex');
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
  const hex = sha1Hex(`uniqueid:${site}/${kind}/${name}`);
  const digits = String(parseInt(hex.slice(14, 22), 16) % 100_000_000).padStart(8, '0');
  return `${hex.slice(0, 14)}.${digits}`;
}

/** A certificate refid in PHP uniqid() form (13 hex digits). */
export function certificateRefid(site: string, name: string): string {
  return sha1Hex(`refid:${site}/${name}`).slice(0, 13);
}
