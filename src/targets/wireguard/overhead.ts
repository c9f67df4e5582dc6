// What WireGuard adds to each packet it carries: the outer IP header (20
// bytes IPv4, 40 IPv6), UDP (8) and its own header and tag (32). A tunnel
// packet of MTU bytes leaves as MTU + overhead, which must fit the path.
export const WIREGUARD_OVERHEAD = { inet: 60, inet6: 80 } as const;

/** The MTU of an Ethernet path with no tunnel of its own in it. */
export const ETHERNET_MTU = 1500;
