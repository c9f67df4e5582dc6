// Stable identities for OPNsense items. OPNsense links items by UUID (and
// certificates by refid), and invents new ones on every load when they are
// missing, so gen derives them from names: the same topology always gives
// the same ids, and renaming one thing changes only its own ids.
import { createHash, hash } from 'node:crypto';

/** gen's UUIDv5 namespace (a fixed random UUID; never change it). */
export const GEN_NAMESPACE = '5b0c9a3e-7f41-4d2a-9c61-0e8f3d7a2b94';

const namespaces = new Map<string, Buffer>();
let input = Buffer.allocUnsafe(256);
/** The namespace whose bytes begin `input`. */
let inputNamespace: Buffer | undefined;
/** Views of the first n bytes of `input`, by n: made once per length, not once per name. */
let views: Buffer[] = [];

/**
 * The SHA-1 (hex) of a namespace's bytes and a name, as RFC 4122 hashes a
 * name-based UUID. Every MVC item has one (30,000 for 10,000 peers and
 * 20,000 rules): the namespace's bytes are made once and each name is
 * hashed from one reused buffer. An ASCII name (gen's are, but for the
 * names of a topology's things) is copied into it a unit at a time, and
 * hashed through a view of its length made once: Buffer.write (a call into
 * C++) and a new view per name were a third of the UUIDs' cost in a build,
 * whose code is seldom optimised by then.
 */
function nameHash(name: string, namespace: string): string {
  let ns = namespaces.get(namespace);
  if (!ns) namespaces.set(namespace, (ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')));
  // Room for the most bytes the name can take (3 a UTF-16 unit): written without measuring it first.
  if (ns.length + 3 * name.length > input.length) {
    input = Buffer.allocUnsafe(2 * (ns.length + 3 * name.length));
    inputNamespace = undefined;
    views = [];
  }
  if (inputNamespace !== ns) {
    ns.copy(input, 0);
    inputNamespace = ns;
  }
  let length = ns.length;
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit >= 0x80) {
      length = ns.length + input.write(name, ns.length, 'utf8');
      break;
    }
    input[length++] = unit;
  }
  return sha1Hex((views[length] ??= input.subarray(0, length)));
}

/**
 * The variant (10) in the two high bits of byte 8, from the hash's own bits:
 * the low two bits of the (lower-case) hex digit pick 8, 9, a or b. Read
 * from its character code: a parseInt and a toString for each of 30,000
 * UUIDs made two strings each.
 */
function variantDigit(hex: string): string {
  const code = hex.charCodeAt(16);
  // "0" is 48, "a" is 97: the value of the digit is the code less 48 or 87.
  return VARIANTS[(code <= 57 ? code - 48 : code - 87) & 0x3]!;
}
const VARIANTS = ['8', '9', 'a', 'b'];

/** RFC 4122 UUIDv5 (SHA-1, name-based): what gen wrote before its UUIDs took version 4's form. */
export function uuidV5(name: string, namespace = GEN_NAMESPACE): string {
  const hex = nameHash(name, namespace);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variantDigit(hex)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** gen's mark, the first 8 digits of the last group of every UUID it makes ("ngen" in ASCII). */
const GEN_MARK = '6e67656e';

/**
 * The UUID gen gives an item: derived from its name, so the same topology
 * always gives the same one, in the form of version 4, which is the only
 * one OPNsense takes for a UUID (Type::isUUID: the gateway API takes any
 * other for a gateway's name, so editing one of gen's gateways opened an
 * empty dialog and saving it made a second gateway; wg-service-control.php
 * takes any other for a CARP vhid, so restarting one of two WireGuard
 * instances restarted both). 86 bits come from the name's SHA-1 (as
 * UUIDv5 hashes it), and 32 are gen's mark, by which merge knows gen's
 * items: a random version-4 UUID has it once in four billion.
 */
export function genUuid(name: string, namespace = GEN_NAMESPACE): string {
  const hex = nameHash(name, namespace);
  // Joined, one flat string: made with a template, each UUID was a rope of
  // seven pieces in V8 (some 300 bytes, not 56), and the filter rules and
  // items that hold them live to the end of the OPNsense render.
  return [hex.slice(0, 8), '-', hex.slice(8, 12), '-4', hex.slice(13, 16), '-', variantDigit(hex), hex.slice(17, 20), '-', GEN_MARK, hex.slice(20, 24)].join('');
}

function sha1Hex(data: Uint8Array | string): string {
  // The one-shot form (Node 20.12 and later) makes no Hash object.
  return typeof hash === 'function' ? hash('sha1', data, 'hex') : createHash('sha1').update(data).digest('hex');
}

const GEN_V4 = new RegExp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-${GEN_MARK}[0-9a-f]{4}$`);
const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Whether a UUID is gen's: one with gen's mark, or a version-5 one, which
 * earlier versions of gen wrote (OPNsense itself makes only version 4).
 */
export function isGenUuid(uuid: string | undefined): boolean {
  return uuid !== undefined && (GEN_V4.test(uuid) || V5.test(uuid));
}

/** The UUID of one item: site, item kind and name make the identity. */
export function itemUuid(site: string, kind: string, name: string): string {
  return genUuid(`${site}/${kind}/${name}`);
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
