// Unbound and dnsmasq's DNS on one port of one address of the box: only the
// first to bind it runs. Both set SO_REUSEADDR on their listening sockets,
// and dnsmasq no SO_REUSEPORT (dnsmasq network.c make_sock(); Unbound
// listen_dnsport.c create_udp_sock(), create_tcp_accept_sock()), so
// FreeBSD's in_pcbbind_setup() refuses a second socket of the same address
// and port (EADDRINUSE) and lets one of an address beside one of the
// wildcard. dnsmasq binds the wildcard unless Strict interface binding
// (bind-interfaces: dnsmasq-bound.ts) has it bind the addresses of its
// interfaces and of the loopback, which it adds to any list; Unbound binds
// the wildcard (`interface: 0.0.0.0`, `interface: ::`) unless Network
// Interfaces are chosen, and then the addresses of lo0 and of those
// (unbound-bound.ts). So they meet where both bind the wildcard, or both
// bind addresses, the loopback's at least. At boot plugins_configure('dns')
// runs the plugins in name order (plugins.inc plugins_scan() sorts them),
// dnsmasq.inc before unbound.inc: dnsmasq binds the port and Unbound exits,
// as it cannot open its ports, and again on each start while dnsmasq runs
// (unbound_configure_do(): an Apply, a new WAN address). Started after
// Unbound, dnsmasq exits instead (make_sock(): die()), its DHCP with it.
// Each model refuses to save its port while the other service reports it
// (Unbound.php and Dnsmasq.php performValidation(): `dns_ports`, 25.7 to
// 26.7), but only on a save: a restored config.xml runs as it stands.
import { type XmlElement } from '../render/opnsense/xml.js';
import { dnsmasqDnsPort } from './dnsmasq-answer.js';
import { dnsmasqBindsAddresses, dnsmasqBoundAddresses } from './dnsmasq-bound.js';
import { unboundBoundAddresses, unboundInterfaces } from './unbound-bound.js';
import { unboundEnabled, unboundPort } from './unbound-general.js';

/** The port both resolvers of the box bind, and where: at every address (`every`: both the wildcard), or at `addresses`. */
export interface DnsPortClash {
  port: string;
  every: boolean;
  addresses: string[];
}

/** Where the Unbound and the dnsmasq DNS of the merged config `root` bind one port of one address, if they do. */
export function dnsPortClash(root: XmlElement): DnsPortClash | undefined {
  const port = dnsmasqDnsPort(root);
  if (port === undefined || !unboundEnabled(root) || unboundPort(root) !== port) return undefined;
  const unboundWildcard = unboundInterfaces(root).length === 0;
  if (unboundWildcard === dnsmasqBindsAddresses(root)) return undefined;
  if (unboundWildcard) return { port, every: true, addresses: [] };
  const dnsmasq = dnsmasqBoundAddresses(root);
  return { port, every: false, addresses: [...unboundBoundAddresses(root)].filter((a) => dnsmasq.has(a)) };
}

/** Whether the box's Unbound runs on port 53 but does not start, as dnsmasq holds the port (dnsPortClash()). */
export function unboundOutstarted(root: XmlElement): boolean {
  return dnsPortClash(root)?.port === '53';
}

/**
 * A warning when the box's Unbound and dnsmasq bind one port of one address (dnsPortClash()): dnsmasq starts first at
 * boot, and Unbound does not run. `root` is the merged config.
 */
export function dnsPortClashes(root: XmlElement): string[] {
  const clash = dnsPortClash(root);
  if (clash === undefined) return [];
  const general = 'Services › Dnsmasq DNS & DHCP › General';
  const where = clash.every ? 'every address (0.0.0.0 and ::)' : clash.addresses.join(', ');
  return [
    `the box's Unbound DNS and its dnsmasq both listen on port ${clash.port} at ${where}, which only one of them can bind: dnsmasq starts first at boot, and Unbound fails to start then ` +
      'and on every restart while dnsmasq runs (started after Unbound, dnsmasq fails instead, its DHCP with it), so no host override of Unbound, gen\'s among them, ' +
      `and no other setting of it answers a client: the box's DNS is dnsmasq's; set Listen port to 0 in ${general} (dnsmasq then serves DHCP only, and Unbound answers DNS), ` +
      `or give one of them another port, or let exactly one of them bind addresses (both bind the loopback's): Network Interfaces in Services › Unbound DNS › General, or Strict interface binding in ${general}`,
  ];
}
