// What OPNsense takes for an address (src/etc/inc/util.inc, 25.7 to 26.7):
// is_ipaddrv4() only a dotted quad that ip2long() and long2ip32() give back
// unchanged, so "0", "10.1" and "010.0.0.1" are none; is_ipaddrv6() only text
// with a colon and no slash, a zone (%em0) only after a link-local address,
// that Net_IPv6::checkIPv6() accepts. interface_static_configure() and
// interface_static6_configure() configure <ipaddr> and <ipaddrv6> only when
// these say so.
import ipaddr from 'ipaddr.js';

/** Whether `text` is an IPv4 address as is_ipaddrv4() says. */
export function isIpaddrV4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** Whether `text` is an IPv6 address as is_ipaddrv6() says. */
export function isIpaddrV6(text: string): boolean {
  const bare = /^fe[89ab][0-9a-f]:/i.test(text) ? text.split('%')[0]! : text;
  return bare.includes(':') && !/[/%]/.test(bare) && ipaddr.IPv6.isValid(bare.toLowerCase());
}

/** Whether `text` is an address as is_ipaddr() says. */
export function isIpaddr(text: string): boolean {
  return isIpaddrV4(text) || isIpaddrV6(text);
}

/** PHP 8's whitespace, which a numeric string may have before and after its number. */
const PHP_BLANKS = /[ \t\n\r\v\f]+$/;
const PHP_NUMERIC = /^[ \t\n\r\v\f]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\v\f]*$/;

/** PHP 8's `a == b` of two strings: as numbers when both are numeric, else as strings. */
function phpLooseEqual(a: string, b: string): boolean {
  return PHP_NUMERIC.test(a) && PHP_NUMERIC.test(b) ? Number(a.trim()) === Number(b.trim()) : a === b;
}

/**
 * Whether Net_IPv6::checkIPv6() (src/etc/inc/IPv6.inc) takes `group`, the last group of an address with the
 * whitespace after it: at most 4 characters, `$group >= 0`, and the group with up to 3 leading zeros dropped (the
 * pattern's `$` also matches before a final newline) equal, by PHP's ==, to dechex(hexdec($group)), hexdec()
 * skipping what is not a hex digit.
 */
function checkIPv6Group(group: string): boolean {
  if (group.length > 4 || !(PHP_NUMERIC.test(group) ? Number(group.trim()) >= 0 : group >= '0')) return false;
  const dec = parseInt(group.replace(/[^0-9a-fA-F]/g, '') || '0', 16);
  const hex = group.replace(/^0{1,3}([^\n]*[0-9a-fA-F])(\n?)$/, '$1$2').toUpperCase();
  return dec <= 0xffff && phpLooseEqual(hex, dec.toString(16).toUpperCase());
}

/**
 * Whether is_ipaddr() takes `text` as written, whitespace after the address too, which it takes where
 * Net_IPv6::checkIPv6() compares the last group by PHP 8's == (for which "53 " is the number 53): after an IPv6
 * address ending in a group of decimal digits ("fd00::53 "), and a newline after one ending in a dotted quad
 * ("\d{1,3}$" matches before it). Whitespace elsewhere is not followed: " 10.0.0.1" is none.
 */
export function isIpaddrAsWritten(text: string): boolean {
  if (isIpaddr(text)) return true;
  const bare = text.replace(PHP_BLANKS, '');
  if (bare === text || bare.includes('%') || !isIpaddrV6(bare)) return false;
  const last = bare.slice(bare.lastIndexOf(':') + 1);
  if (last.includes('.')) return text.slice(bare.length) === '\n';
  return last !== '' && checkIPv6Group(last + text.slice(bare.length));
}

// interface_static_configure() runs `ifconfig <device> inet <ipaddr>/<subnet>`
// and interface_static6_configure() `ifconfig <device> inet6 <ipaddrv6>
// prefixlen <subnetv6> no_dad`, each only with a subnet that is not ''.
// FreeBSD 14's ifconfig (netlink) reads the IPv4 one after the last '/'
// (af_inet.c in_getaddr(): a digit first, strtonum() 0 to 32, else "bad
// value (width invalid)" and no address) and the IPv6 one with strtol()
// into an int (af_inet6.c setifprefixlen(): below 0 or over 128 "bad
// value"); the kernel refuses an IPv6 address of prefix length 0
// (in6_validate_ifra(): EINVAL), which is also what strtol() makes of text
// without leading digits.

/** Whether `ifconfig <device> inet <address>/<subnet>` takes `subnet`, as written (a blank in it is no digit). */
export function takesSubnetV4(subnet: string): boolean {
  return /^[0-9]+$/.test(subnet) && Number(subnet) <= 32;
}

const LONG = 2n ** 63n;

/** Whether `ifconfig <device> inet6 <address> prefixlen <subnet>` configures the address with prefix length `subnet`. */
export function takesPrefixV6(subnet: string): boolean {
  const digits = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(subnet)?.[1];
  if (digits === undefined) return false;
  // strtol() saturates at the long's bounds, and the int it is stored in keeps the low 32 bits.
  const long = BigInt(digits);
  const plen = Number(BigInt.asIntN(32, long >= LONG ? LONG - 1n : long < -LONG ? -LONG : long));
  return plen > 0 && plen <= 128;
}
