// The address corosync 3 (Proxmox VE's, knet) takes for a node's ringN_addr
// in corosync.conf. It resolves the value, a name or an address, once, with
// totemip_parse (exec/totemip.c), called for the local node's link address
// (exec/totemconfig.c configure_link_params) and each member's
// (get_interface_params): getaddrinfo with socktype SOCK_DGRAM, protocol
// IPPROTO_UDP, no flags (no AI_ADDRCONFIG, so an IPv6-only name resolves on a
// node without IPv6, unlike `getent ahosts`), and the family of the totem
// section's ip_version: ipv4 asks for AF_INET, ipv6 for AF_INET6, and takes
// the first result; ipv4-6 and ipv6-4 ask for any family and take the first
// IPv4 result, else the first IPv6 one (ipv4-6), or the other way round
// (ipv6-4). One address per link, never all of them. Without ip_version,
// corosync takes ipv6-4, ipv4 with transport udp (totem_config_get_ip_version);
// Proxmox VE writes ip_version: ipv4-6 when it creates a cluster (pve-cluster
// PVE/Corosync.pm create_conf). corosync keeps only sin6_addr, never the
// scope id, so a link-local literal with a zone (fe80::1%vmbr0) is fe80::1
// to it: it is printed here without one, as interfaces files write it.

/**
 * awk program over corosync.conf: the ip_version totemip_parse resolves with,
 * the totem section's own ip_version (not one of its interface subsections'),
 * else corosync's default for its transport. corosync compares the values as
 * they are (strcmp) and refuses to start with any other.
 */
export const COROSYNC_IP_VERSION_AWK = [
  '/^[[:space:]]*totem[[:space:]]*[{]/ { depth = 1; next }',
  'depth == 1 && $1 == "ip_version:" { version = $2 }',
  'depth == 1 && $1 == "transport:" { transport = $2 }',
  'depth && /[{]/ { depth++ }',
  'depth && /[}]/ { depth-- }',
  'END { if (version ~ /^ipv(4|6|4-6|6-4)$/) print version; else if (transport == "udp") print "ipv4"; else print "ipv6-4" }',
].join(' ');

/**
 * The shell function `corosync_address IP_VERSION VALUE`: the one address
 * corosync takes for a ringN_addr VALUE, as inet_ntop writes it, or nothing
 * (exit 2) when VALUE does not resolve in that family. Perl's Socket
 * (perl-base, on every Proxmox VE node) makes the call totemip_parse makes.
 */
export const COROSYNC_ADDRESS = `# The address corosync takes for a ringN_addr (exec/totemip.c totemip_parse): getaddrinfo with no flags, the
# family of ip_version, the first address (ipv4, ipv6) or the first of the family named first (ipv4-6, ipv6-4).
corosync_address() { # ip_version value
  perl -MSocket=:DEFAULT,:addrinfo,inet_ntop,IPPROTO_UDP -e '
    my ($version, $name) = @ARGV;
    my $family = $version eq "ipv4" ? AF_INET : $version eq "ipv6" ? AF_INET6 : AF_UNSPEC;
    my ($error, @found) = getaddrinfo($name, undef, { family => $family, socktype => SOCK_DGRAM, protocol => IPPROTO_UDP });
    exit 2 if $error;
    my ($v4) = grep { $_->{family} == AF_INET } @found;
    my ($v6) = grep { $_->{family} == AF_INET6 } @found;
    my $taken = $version =~ /^ipv6/ ? $v6 // $v4 : $v4 // $v6;
    exit 2 unless $taken;
    my $bytes = $taken->{family} == AF_INET ? (unpack_sockaddr_in($taken->{addr}))[1] : (unpack_sockaddr_in6($taken->{addr}))[1];
    print inet_ntop($taken->{family}, $bytes), "\\n";' "$1" "$2"
}`;
