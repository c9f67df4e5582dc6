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
 * 'device' a global address on its own device (of the tracked prefix for track6 and idassoc6), 'from-link-local' one on its
 * own device only where that device has a link-local address (slaac and dhcp6), 'stf' one on the <key>_stf tunnel
 * device (6rd, 6to4), 'link-local' its link-local address only.
 *
 * The same at every point release from 25.7 to 26.7. slaac and dhcp6 run `ifconfig <device> inet6 accept_rtadv
 * -ifdisabled up` and dhcp6c, and turn no link-local address on (only _interfaces_bridge_configure() sets
 * auto_linklocal, which a bridge lacks unless "Enable link-local address" is set). FreeBSD 14's SLAAC forms its address
 * from the link-local one (nd6_rtr.c in6_ifadd() gives up without it); dhcp6c sends its Solicit to ff02::1:2 from a
 * socket bound to ::, whose source in6_selectsrc() (in6_src.c) takes only from the device's own link, so with no
 * address there sendto() fails with EADDRNOTAVAIL and no lease comes. track6 and idassoc6 need none: the tracked interface's dhcp6c
 * adds the delegated prefix's address to the device by ioctl, its interface ID from the device's MAC (prefixconf.c
 * add_ifprefix(), config.c set_default_ifid()), and 6rd or 6to4 tracking adds a static one with ifconfig
 * (interface_track6_6rd_configure(), interface_track6_6to4_configure()).
 */
export type Ipv6TypeAddress = 'device' | 'from-link-local' | 'stf' | 'link-local';

export const IPV6_TYPE_ADDRESS: ReadonlyMap<string, Ipv6TypeAddress> = new Map([
  ['slaac', 'from-link-local'],
  ['dhcp6', 'from-link-local'],
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
