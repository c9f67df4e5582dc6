// The address a Proxmox VE node is known by. pmxcfs (pve-cluster) takes the
// node name (uname -n up to the first dot), resolves it with getaddrinfo and
// keeps the first address that is not loopback (127.*, ::1) as the node's
// (src/pmxcfs/pmxcfs.c lookup_node_ip); without one it refuses to start, and
// /etc/pve stays empty. It announces that address to the other nodes, whose
// API proxy, migration and SSH go there (PVE/Cluster.pm remote_node_ip), and
// PVE::Network::get_ip_from_hostname (pve-common), which pvecm and pve8to9
// use, picks the same one. It is read once, when pmxcfs starts: a stale
// /etc/hosts shows only at the next reboot.
import type { Host } from '../../model.js';
import { hostAddresses } from './interfaces.js';

/**
 * The shell function `node_addresses NAME`: NAME's addresses as pmxcfs asks
 * for them, in getaddrinfo's order, one a line, the first line followed by
 * the canonical name. pmxcfs calls getaddrinfo with ai_flags AI_V4MAPPED |
 * AI_ALL and no family (AF_UNSPEC, so AI_V4MAPPED changes nothing), without
 * AI_ADDRCONFIG. `getent ahosts` adds AI_ADDRCONFIG, and glibc then returns
 * no IPv6 address on a node that has none but ::1 (IPv6 disabled), nor an
 * IPv4 address on one with none but 127.0.0.1: a node name that only an
 * IPv6 line of /etc/hosts names looks unresolved to getent and is the
 * node's address to pmxcfs. Perl's Socket (perl-base, on every Proxmox VE
 * node: its tools are Perl) makes the same call; AI_CANONNAME only adds the
 * name, and getnameinfo NI_NUMERICHOST writes each address as inet_ntop does.
 */
export const NODE_ADDRESSES = `# NAME's addresses as pmxcfs resolves it (getaddrinfo, AI_V4MAPPED | AI_ALL, no AI_ADDRCONFIG as getent ahosts has),
# in getaddrinfo's order, one a line; the first line also names the canonical name. Nothing when NAME does not resolve.
node_addresses() { # name
  perl -MSocket=:addrinfo -e '
    my ($error, @found) = getaddrinfo($ARGV[0], undef, { flags => AI_V4MAPPED | AI_ALL | AI_CANONNAME });
    exit 2 if $error;
    for my $i (0 .. $#found) {
      my ($bad, $address) = getnameinfo($found[$i]{addr}, NI_NUMERICHOST, NIx_NOSERV);
      print $address, ($i == 0 && defined $found[$i]{canonname} ? " $found[$i]{canonname}" : ""), "\\n" unless $bad;
    }' "$1"
}`;

/**
 * awk program over node_addresses's lines (getaddrinfo's order, the address
 * first): the address pmxcfs takes, or nothing. It reads to the end: an awk
 * that exits early can fail the printf feeding it (SIGPIPE), which under
 * `set -o pipefail` and `set -e` ends the script.
 */
export const NODE_IP_AWK = '!found && $1 !~ /^127[.]/ && $1 != "::1" { print $1; found = 1 }';

/**
 * awk program over node_addresses's lines: the canonical name getaddrinfo
 * gives (the second field of the first line), the node's FQDN in the
 * `IP FQDN NAME` line the Proxmox VE installer writes into /etc/hosts.
 */
export const CANONICAL_NAME_AWK = 'NR == 1 && NF >= 2 { print $2 }';

/**
 * The address the node name should resolve to: the host's address on the
 * bridge of its default route (where it is managed from), else its first
 * address in the file (a bridge's, a NIC's or a bond's).
 */
export function nodeNameAddress(host: Host): string | undefined {
  const gateway = host.defaultGateway ? host.bridges.find((b) => b.name === host.defaultGateway!.bridge && b.address !== undefined) : undefined;
  return gateway?.address ?? hostAddresses(host)[0];
}
