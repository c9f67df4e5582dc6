// What a C library's stub resolver takes from /etc/resolv.conf.

/**
 * The nameserver lines the C library's resolver reads from /etc/resolv.conf:
 * the first three (MAXNS 3), the rest skipped, in glibc
 * (bits/types/res_state.h; resolv.conf(5): "Up to MAXNS (currently 3) name
 * servers"), musl and FreeBSD's libc (include/resolv.h). Whatever writes
 * every server it is given there (pve-container's set_dns, FreeBSD's
 * dhclient-script add_new_resolv_conf) leaves a fourth one never asked.
 */
export const RESOLV_CONF_MAXNS = 3;
