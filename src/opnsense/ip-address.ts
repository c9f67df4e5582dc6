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
