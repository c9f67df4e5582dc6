// PersistentKeepalive against what NAT routers need (wg(8)
// calls 25 s "a sensible interval that works with a wide variety of
// firewalls"): most routers drop an idle UDP mapping after 60 to 120 s, so
// over 60 s the mapping can expire between packets, and under 10 s the
// packets keep nothing open that 25 s would not. 0 leaves it out.

/** The keepalive of every client file that sets none. */
export const DEFAULT_KEEPALIVE = 25;

/** The range a keepalive other than 0 belongs in. */
export const KEEPALIVE_RANGE = { least: 10, most: 60 } as const;
