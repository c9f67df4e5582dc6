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
 * awk program over `getent ahosts NAME` (getaddrinfo's order, one address a
 * line, first field): the address pmxcfs takes, or nothing. It reads to the
 * end: an awk that exits early can fail the printf feeding it (SIGPIPE),
 * which under `set -o pipefail` and `set -e` ends the script.
 */
export const NODE_IP_AWK = '!found && $1 !~ /^127[.]/ && $1 != "::1" { print $1; found = 1 }';

/**
 * awk program over `getent ahosts NAME`: the canonical name getaddrinfo gives
 * (the third field of the first line), the node's FQDN in the `IP FQDN NAME`
 * line the Proxmox VE installer writes into /etc/hosts.
 */
export const CANONICAL_NAME_AWK = 'NR == 1 && NF >= 3 { print $3 }';

/**
 * The address the node name should resolve to: the host's address on the
 * bridge of its default route (where it is managed from), else its first
 * address in the file (a bridge's, a NIC's or a bond's).
 */
export function nodeNameAddress(host: Host): string | undefined {
  const gateway = host.defaultGateway ? host.bridges.find((b) => b.name === host.defaultGateway!.bridge && b.address !== undefined) : undefined;
  return gateway?.address ?? hostAddresses(host)[0];
}
