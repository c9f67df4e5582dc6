// UDP ports the firewall's own services hold on every address, as gen leaves
// the box (25.7 to 26.7). A WireGuard instance cannot share one: wg(4)
// binds its listen port on the wildcard address with no SO_REUSEADDR or
// SO_REUSEPORT (wg_socket_init()/wg_socket_bind() in sys/dev/wg/if_wg.c),
// and FreeBSD's in_pcbbind_setup() then refuses the port while any socket
// holds it, on any address (EADDRINUSE): `ifconfig wgN up` in
// wg-service-control.php fails and the instance stays down. The DHCP server
// and Unbound start before it at boot (rc.bootup: plugins_configure 'dhcp'
// and 'dns' before 'vpn'). ntpd starts after it ('bootup'), but binds each
// interface address too (ntp_io.c, SO_REUSEADDR): its socket on the WAN
// address is the more specific one and takes the handshakes, and every
// later restart of the instance fails.
import { UNBOUND_PORT } from './unbound.js';

export interface UdpHolder {
  port: number;
  /** The service, as a finding names it. */
  service: string;
}

/**
 * Unbound, on by factory default (config.xml.sample: <unbound><enable>1),
 * writes `interface: 0.0.0.0` and `interface: ::` when no listen interface
 * is chosen (unbound_generate_config() in plugins.inc.d/unbound.inc).
 */
export const UNBOUND_UDP: UdpHolder = { port: UNBOUND_PORT, service: "Unbound (OPNsense's DNS resolver, on from the factory)" };

/**
 * ntpd runs whenever <system><timeservers> is set, which the factory
 * config.xml.sample does (ntpd_enabled() in plugins.inc.d/ntpd.inc); with
 * no <ntpd><interface> it listens on every address (no "interface ignore").
 */
export const NTPD_UDP: UdpHolder = { port: 123, service: "ntpd (OPNsense's time service, on from the factory)" };

/**
 * The DHCPv4 server gen enables for an interface with dhcp: dnsmasq binds
 * 0.0.0.0:67 (dhcp.c make_fd()), ISC dhcpd its socket fallback on port 67
 * beside BPF (osdep.h: USE_SOCKET_FALLBACK with USE_BPF_SEND).
 */
export function dhcpServerUdp(server: 'dnsmasq' | 'isc'): UdpHolder {
  return { port: 67, service: `the DHCP server gen turns on (${server === 'dnsmasq' ? 'dnsmasq' : 'ISC dhcpd'})` };
}
