// What the two pairs of DNS rules share (a container's servers, a DHCP
// network's): which servers the firewall filters at all, and why DNS must
// pass over TCP too.
import type { Network, Site } from '../model.js';
import { contains, parseIPv4 } from '../net.js';

/** The firewall's own addresses in a site (a DNS server there is filtered even on the asker's network). */
export function firewallAddresses(site: Site): Set<string> {
  return new Set((site.firewall?.interfaces ?? []).flatMap((i) => (i.address !== undefined ? [i.address] : [])));
}

const LOOPBACK_FIRST_OCTET = 127;

/**
 * A DNS server's address when queries to it from `network` cross the
 * firewall's filter, else undefined: not a server on the network itself
 * (reached on its bridge; the firewall's own address there is filtered),
 * nor the asker's loopback.
 */
export function filteredServer(server: string, network: Network, firewall: ReadonlySet<string>): number | undefined {
  const to = parseIPv4(server);
  if (to === undefined || to >>> 24 === LOOPBACK_FIRST_OCTET) return undefined;
  if (contains(network.block, to) && !firewall.has(server)) return undefined;
  return to;
}

/** Why DNS must pass over TCP 53 wherever it passes over UDP 53. */
export const DNS_OVER_TCP_WHY =
  'A DNS client repeats over TCP 53 every query whose answer does not fit a UDP packet (the truncated bit: DNSSEC-signed answers, many records, large TXT records), and RFC 7766 has every resolver answer over TCP: ' +
  'with only UDP passed, such lookups fail while most others work, which is hard to trace.';

export const DNS_OVER_TCP_HINT = 'Pass TCP 53 wherever UDP 53 is passed to the DNS server (proto: tcp/udp in one rule).';
