// What an interface's address types (<ipaddr>, <ipaddrv6>) give it at run
// time, not from the config. Which IPv6 types a point release has, and
// whether IPv6 is on: its release table (ipv6Types, ipv6Switch;
// ipv6-allowed.ts reads them).

/**
 * The <ipaddr> types that give an interface its IPv4 address at run time:
 * interface_configure() (interfaces.inc, 25.7 to 26.7, one case: dhcp) runs
 * DHCP for dhcp, and interface_ppps_configure() mpd5 for the PPP links. Any
 * other text is a static address, configured only when is_ipaddrv4() takes
 * it as written: "0", "10.0.0.256" or "10.0.0.1/24" give the interface none.
 */
export const RUN_TIME_V4: ReadonlySet<string> = new Set(['dhcp', 'ppp', 'pppoe', 'pptp', 'l2tp']);

/**
 * What the case of interface_configure() for an IPv6 type (of the release's ipv6Types) gives the interface:
 * 'device' a global address on its own device (dhcp6c for slaac and dhcp6, a delegated prefix for track6 and
 * idassoc6), 'stf' one on the <key>_stf tunnel device (6rd, 6to4), 'link-local' its link-local address only.
 */
export type Ipv6TypeAddress = 'device' | 'stf' | 'link-local';

export const IPV6_TYPE_ADDRESS: ReadonlyMap<string, Ipv6TypeAddress> = new Map([
  ['slaac', 'device'],
  ['dhcp6', 'device'],
  ['track6', 'device'],
  ['idassoc6', 'device'],
  ['6rd', 'stf'],
  ['6to4', 'stf'],
  ['linklocal', 'link-local'],
]);

/**
 * The <ipaddrv6> of a PPP link's IPv6: no case of interface_configure(), but interface_ppps_configure() enables
 * mpd5's IPv6 for it (as for dhcp6 and slaac) without asking whether IPv6 is on.
 */
export const PPP_IPV6 = 'pppoev6';
