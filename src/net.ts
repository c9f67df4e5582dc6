// IPv4 address math for the resolver and the rules. Parsing is strict
// (ipaddr.js four-part decimal only: "10.1" or "010.0.0.1" are rejected);
// formatting and the check of odd prefixes come from netmask. Addresses are kept as unsigned
// 32-bit numbers so that sorting and sweeping are plain number compares.
import ipaddr from 'ipaddr.js';
import { Netmask, ip2long, long2ip } from 'netmask';
import { compareText } from './text-order.js';

export interface Block {
  /** First address of the block. */
  base: number;
  /** Prefix length. */
  prefix: number;
  /** Number of addresses. */
  size: number;
  /** Canonical CIDR text, e.g. 10.0.0.0/24. */
  cidr: string;
}

export interface AddressWithPrefix {
  address: number;
  text: string;
  block: Block;
}

/**
 * The value of a dotted-quad IPv4 address, or -1: ipaddr.js's
 * isValidFourPartDecimal (four decimal parts without leading zeros, each
 * at most 255; "010.0.0.1", which some tools read as octal, is refused so
 * every tool agrees on the address), read a character at a time. ipaddr.js
 * parses every format it knows first and builds an address object, 3 µs
 * per text; a regular expression made a match and four strings per text,
 * and a cache of every text a map as large as the topology's addresses.
 * They agree on every text (test/core/net.test.ts).
 */
function fourPartDecimal(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= length; i++) {
    const c = i < length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      // A dot (or the end): a part of one to three digits, at most 255.
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 3 || (digits === 1 && part === 0)) return -1;
      part = part * 10 + (c - 48);
      digits++;
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

/** Parses a dotted-quad IPv4 address; undefined when it is not one. */
export function parseIPv4(text: string): number | undefined {
  const value = fourPartDecimal(text);
  return value < 0 ? undefined : value;
}

export function formatIPv4(value: number): string {
  return long2ip(value >>> 0);
}

function parsePrefixed(text: string): { address: number; prefix: number } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIPv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^(\d|[12]\d|3[0-2])$/.test(prefixText)) return undefined;
  return { address, prefix: Number(prefixText) };
}

/**
 * The block of `prefix` bits holding `address`: its base is the address
 * with the host bits cleared, computed on the 32-bit value. Formatting the
 * address for netmask to parse again, which then formats six addresses of
 * its own, was ten conversions per block, and resolve derives a block for
 * every peer and every aggregated prefix. A prefix that is not a whole
 * number from 0 to 32 (no caller makes one) still goes to netmask, which
 * rejects it as before; test/core/net.test.ts checks both agree.
 */
export function blockOf(address: number, prefix: number): Block {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return netmaskBlockOf(address, prefix);
  // `<< 32` would shift by 0 (shift counts are taken mod 32): a /0 keeps no bit.
  const mask = prefix === 0 ? 0 : 0xffffffff << (32 - prefix);
  const base = (address & mask) >>> 0;
  return { base, prefix, size: 2 ** (32 - prefix), cidr: `${formatIPv4(base)}/${prefix}` };
}

function netmaskBlockOf(address: number, prefix: number): Block {
  const mask = new Netmask(`${formatIPv4(address)}/${prefix}`);
  const base = ip2long(mask.base) >>> 0;
  return { base, prefix, size: mask.size, cidr: `${mask.base}/${prefix}` };
}

export type CidrResult = { ok: true; block: Block } | { ok: false; reason: 'invalid' | 'host-bits'; canonical?: string };

/** Parses a network in CIDR notation; host bits must be clear. */
export function parseCidr(text: string): CidrResult {
  const parsed = parsePrefixed(text);
  if (!parsed) return { ok: false, reason: 'invalid' };
  const block = blockOf(parsed.address, parsed.prefix);
  if (block.base !== parsed.address) return { ok: false, reason: 'host-bits', canonical: block.cidr };
  return { ok: true, block };
}

/** Parses an interface address such as 10.0.0.1/24 (host bits expected). */
export function parseAddressWithPrefix(text: string): AddressWithPrefix | undefined {
  const parsed = parsePrefixed(text);
  if (!parsed) return undefined;
  return { address: parsed.address, text: formatIPv4(parsed.address), block: blockOf(parsed.address, parsed.prefix) };
}

export function blockLast(block: Block): number {
  return block.base + block.size - 1;
}

export function contains(block: Block, address: number): boolean {
  return address >= block.base && address <= blockLast(block);
}

export function containsBlock(outer: Block, inner: Block): boolean {
  return inner.base >= outer.base && blockLast(inner) <= blockLast(outer);
}

export function blocksOverlap(a: Block, b: Block): boolean {
  return a.base <= blockLast(b) && b.base <= blockLast(a);
}

/** The network and broadcast addresses of a block that has them (prefix ≤ 30). */
export function reservedAddresses(block: Block): { network?: number; broadcast?: number } {
  if (block.prefix >= 31) return {};
  return { network: block.base, broadcast: blockLast(block) };
}

/** Orders IPv4 networks by their first address, a larger one before the networks inside it. */
export function compareCidrs(a: string, b: string): number {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x.ok || !y.ok) return compareText(a, b);
  return x.block.base - y.block.base || x.block.prefix - y.block.prefix;
}

export type Cidr6Result = { ok: true; cidr: string; prefix: number } | { ok: false; reason: 'invalid' | 'host-bits'; canonical?: string };

/**
 * The text with "::a.b.c.d" written "::0:a.b.c.d". RFC 4291 (2.5.5.1), inet_pton and Go's
 * net.ParseIP read both as 0:0:0:0:0:0:a.b.c.d; ipaddr.js 2.5.0 reads the second so too, but the
 * first as ::ffff:a.b.c.d (IPv6.parser, its deprecatedTransitional pattern), another address.
 */
function rfc4291(text: string): string {
  return text.replace(/^::(?=\d+\.\d+\.\d+\.\d+(\/|$))/, '::0:');
}

/** An IPv6 CIDR text's network and prefix, and whether the text sets host bits; undefined when it is no CIDR. */
function readCidrV6(written: string): { network: ipaddr.IPv6; prefix: number; hostBits: boolean } | undefined {
  const text = rfc4291(written);
  const slash = text.indexOf('/');
  if (!strictTail(slash < 0 ? text : text.slice(0, slash))) return undefined;
  let parsed: [ipaddr.IPv6, number];
  try {
    parsed = ipaddr.IPv6.parseCIDR(text);
  } catch {
    return undefined;
  }
  const [address, prefix] = parsed;
  const network = ipaddr.IPv6.networkAddressFromCIDR(text);
  return { network, prefix, hostBits: network.toNormalizedString() !== address.toNormalizedString() };
}

/** Parses an IPv6 network in CIDR notation (host bits clear); returns its compact canonical text. */
export function parseCidrV6(written: string): Cidr6Result {
  const read = readCidrV6(written);
  if (!read) return { ok: false, reason: 'invalid' };
  const canonical = `${read.network.toString()}/${read.prefix}`;
  return read.hostBits ? { ok: false, reason: 'host-bits', canonical } : { ok: true, cidr: canonical, prefix: read.prefix };
}

/**
 * An IPv6 address as RFC 4291 and the systems gen writes for read it (FreeBSD's and Linux's
 * inet_pton, Go), or undefined when the text is none: every IPv6 text gen reads is parsed here,
 * never by ipaddr.js directly, which takes "::a.b.c.d" for ::ffff:a.b.c.d (rfc4291 above).
 */
export function parseIPv6(text: string): ipaddr.IPv6 | undefined {
  const read = rfc4291(text);
  return ipaddr.IPv6.isValid(read) && strictTail(read) ? ipaddr.IPv6.parse(read) : undefined;
}

/**
 * Whether an IPv6 text's dotted IPv4 tail, if any, is four decimals without leading zeros, as inet_pton
 * and RFC 4291's dotted-quad grammar take it: ipaddr.js also takes "010.0.0.1" and "0xa.0.0.1" there.
 */
function strictTail(text: string): boolean {
  return !text.includes('.') || parseIPv4(text.slice(text.lastIndexOf(':') + 1)) !== undefined;
}

/** An IPv4 or IPv6 address with a prefix length (host bits allowed), its address read as parseIPv4 or parseIPv6 reads one; undefined when the text is none. */
export function parseAddressCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const strict = address.includes(':') ? parseIPv6(address) !== undefined : parseIPv4(address) !== undefined;
  const read = rfc4291(text);
  return strict && ipaddr.isValidCIDR(read) ? ipaddr.parseCIDR(read) : undefined;
}

/** The IPv4 network an IPv6 network inside ::ffff:0:0/96 (IPv4-mapped) stands for, e.g. 10.0.0.0/8 for ::ffff:a00:0/104; undefined for any other. */
export function ipv4MappedNetwork(cidr: string): string | undefined {
  const read = readCidrV6(cidr);
  if (!read || read.hostBits || read.prefix < 96 || !read.network.isIPv4MappedAddress()) return undefined;
  return `${read.network.toIPv4Address().toString()}/${read.prefix - 96}`;
}

/**
 * The destination a static route's network stands for on FreeBSD, as canonical CIDR text (an IPv6 one compact), or
 * undefined when the text is no address with a prefix length. The kernel keeps a route's destination with its host
 * bits cleared (rt_alloc() copies it masked), so "10.20.0.5/24" is the route to 10.20.0.0/24; route(8) reads the
 * length with atoi(), and OPNsense's is_subnet() takes one to three digits, so "10.20.0.0/024" is that route too.
 */
export function routeDestination(text: string): string | undefined {
  const slash = text.lastIndexOf('/');
  const address = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  if (slash < 0 || !/^\d{1,3}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (!address.includes(':')) {
    const value = parseIPv4(address);
    return value === undefined || length > 32 ? undefined : blockOf(value, length).cidr;
  }
  // Read once, host bits and all, as parseCidrV6 reads a network.
  const read = readCidrV6(`${address}/${length}`);
  return read && `${read.network.toString()}/${read.prefix}`;
}
