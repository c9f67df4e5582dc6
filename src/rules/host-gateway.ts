// A Proxmox host whose gateway sits behind a bridge with no port: Proxmox
// writes such a bridge as `bridge-ports none` (pve-common
// PVE/Network/Interfaces.pm: an empty bridge), a switch inside the host that
// only its own guests' NICs join. The host's address there reaches those
// guests and nothing else, so a gateway on another host, or outside, is
// unreachable from it.
import type { Bridge, Host, Site } from '../model.js';
import type { Rule } from './rule.js';
import { bridges } from './walk.js';

/** The next hops the host's default route and routes use on `bridge`. */
function hopsOn(host: Host, bridge: string): Set<string> {
  const hops = new Set<string>();
  if (host.defaultGateway?.bridge === bridge) hops.add(host.defaultGateway.address);
  for (const route of host.routes) if (route.bridge === bridge) hops.add(route.via);
  return hops;
}

/** Where a next hop lives, when gen knows it is not a guest of `host`'s bridge: the firewall on another host, or the upstream router. */
function holderElsewhere(site: Site, host: Host, bridge: Bridge, via: string): string | undefined {
  const iface = site.firewall?.interfaces.find((i) => i.address === via);
  if (iface) {
    const runsOn = site.hosts.find((h) => h.bridges.some((b) => b.firewallInterfaces.length > 0));
    // Unknown where the firewall runs (several hosts, no vm.host): nothing to say.
    if (!runsOn || bridge.firewallInterfaces.includes(iface.name)) return undefined;
    return `the firewall's address on ${iface.name}, and the firewall VM runs on host ${runsOn.name}${runsOn === host ? ` with no NIC on ${bridge.name}` : ''}`;
  }
  if (site.networks.some((n) => n.kind === 'wan' && n.gateway === via)) return 'the upstream router, outside the host';
  return undefined;
}

export const hostGatewayRules: Rule[] = [
  {
    id: 'proxmox/host-gateway-no-port',
    severity: 'error',
    summary: "A Proxmox host's gateway is reached through a bridge with no port, and no guest of that host on the bridge holds it.",
    why:
      'A bridge without ports is written `bridge-ports none`: Proxmox VE makes it an empty bridge, a switch inside the host that only the NICs of its own guests join. ' +
      "The host's address on it reaches those guests and nothing else. When the default gateway or the routes gen derives for the host go through that bridge to the firewall VM " +
      'running on another host (or to the upstream router), the host reaches neither the internet nor the networks behind the firewall: updates, backups to the backup server and cluster traffic fail.',
    hint: "Give the bridge the port that links it to the network (the NIC or bond cabled to the firewall's side), or run the firewall VM on this host.",
    examples: [
      {
        context: [{ where: 'sites[].backup.pbs.vm', snippet: 'host: pve' }],
        where: 'sites[].proxmox.hosts[+]',
        bad: 'name: pve2\nports: [eno1]\nbridges:\n  - { name: vmbr1, description: Management, address: 10.0.0.253/24 }',
        good: 'name: pve2\nports: [eno1]\nbridges:\n  - { name: vmbr1, description: Management, ports: [eno1], address: 10.0.0.253/24 }',
      },
    ],
    check(model, report) {
      for (const { site, host, bridge } of bridges(model)) {
        // A bridge other than the network's is proxmox/host-address-bridge's.
        if (bridge.ports.length > 0 || bridge.address === undefined || (bridge.networkBridge !== undefined && bridge.networkBridge !== bridge.name)) continue;
        for (const via of hopsOn(host, bridge.name)) {
          const holder = holderElsewhere(site, host, bridge, via);
          if (holder === undefined) continue;
          const isDefault = host.defaultGateway?.address === via && host.defaultGateway.bridge === bridge.name;
          const routed = host.routes.some((r) => r.via === via && r.bridge === bridge.name);
          const uses = isDefault && routed ? 'default route and routes go' : isDefault ? 'default route goes' : 'routes go';
          report({
            path: bridge.path,
            message: `host ${host.name}: bridge ${bridge.name} has no port (bridge-ports none), so its address ${bridge.address}/${bridge.prefix} reaches only guests of ${host.name} on it, but the host's ${uses} via ${via} there: ${holder}`,
            hint: `Add the port that links bridge ${bridge.name} of host ${host.name} to the network (ports: [<nic>]), or run the firewall VM on ${host.name}.`,
          });
        }
      }
    },
  },
];
