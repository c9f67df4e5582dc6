// Rules OPNsense adds on its own before the rules gen writes, as policy
// rules, so that policy tests and lint judge the traffic the way the box
// does (filter_core_rules_system in OPNsense's filter.lib.inc): on every
// interface the firewall serves DHCP on, "allow access to DHCP server"
// passes UDP to port 67 of the firewall (from port 68 to (self) and
// 255.255.255.255); on the WAN with "Block private networks", every packet
// from a private source is dropped. gen does not write them; they are
// evaluated before the policy, like the anti-lockout rule, and never
// compiled to a filter rule.
import type { Firewall, Network, PolicyRule } from '../model.js';
import { BLOCK_PRIVATE_RANGES, BLOCK_PRIVATE_SOURCES } from '../targets/opnsense/block-private.js';
import { networkObject } from './objects.js';

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
        sources: [networkObject(network)],
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

/**
 * The WAN's "Block private networks": drops what arrives there from the
 * private blocks (sources of a WAN rule are met with what arrives from
 * outside, compileMatches in resolve/matches.ts).
 */
export function blockPrivateRule(firewall: Firewall): PolicyRule | undefined {
  const wan = firewall.interfaces.find((i) => i.isWan && i.blockPrivate);
  if (!wan) return undefined;
  return {
    name: `block-private-${wan.name}`,
    origin: `OPNsense's "Block private networks" on ${wan.name}`,
    from: { kind: 'wan' },
    sources: [{ kind: 'address', name: 'private networks', cidrs: BLOCK_PRIVATE_SOURCES.map((b) => b.cidr), ranges: [...BLOCK_PRIVATE_RANGES] }],
    to: { kind: 'any' },
    destinations: [],
    proto: 'any',
    ports: [],
    action: 'block',
    log: false,
    path: wan.path,
  };
}
