// Passes OPNsense adds on its own before the rules gen writes, as policy
// rules, so that policy tests and lint judge the traffic the way the box
// does: on every interface the firewall serves DHCP on, "allow access to
// DHCP server" passes UDP to port 67 of the firewall (filter_core_rules_system
// in OPNsense's filter.lib.inc, from port 68 to (self) and 255.255.255.255).
// gen does not write them; they are evaluated before the policy, like the
// anti-lockout rule, and never compiled to a filter rule.
import { blockRange } from '../intervals.js';
import type { Firewall, Network, PolicyRule } from '../model.js';

/** The box's own DHCP server passes, one per interface it serves DHCP on (the clients on its link). */
export function dhcpServerRules(firewall: Firewall, networks: ReadonlyMap<string, Network>): PolicyRule[] {
  return firewall.interfaces.flatMap((iface): PolicyRule[] => {
    const network = iface.dhcp && iface.network !== undefined ? networks.get(iface.network) : undefined;
    if (!network) return [];
    return [
      {
        name: `dhcp-server-${iface.name}`,
        origin: `OPNsense's "allow access to DHCP server" on ${iface.name}`,
        from: { kind: 'object', name: iface.name },
        sources: [{ kind: 'network', name: network.name, cidrs: [network.cidr], ranges: [blockRange(network.block)], network: network.id }],
        to: { kind: 'self' },
        destinations: [],
        proto: 'udp',
        ports: ['67'],
        action: 'pass',
        log: false,
        path: iface.dhcp!.path,
      },
    ];
  });
}
