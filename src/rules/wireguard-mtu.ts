// The tunnel MTU against the firewall's WAN: a WireGuard packet leaves as
// tunnel MTU + 60 bytes over IPv4, + 80 over IPv6. When that exceeds the WAN
// MTU, full-size packets are fragmented or dropped (ping and SSH work,
// downloads stall).
import type { WireguardInstance } from '../model.js';
import { parseIPv4 } from '../net.js';
import { ETHERNET_MTU, WIREGUARD_OVERHEAD } from '../targets/wireguard/overhead.js';
import type { Rule } from './rule.js';

/** The outer address families clients may use: a host name may resolve to IPv6. */
function outerFamilies(instance: WireguardInstance): ('inet' | 'inet6')[] {
  if (instance.endpoint === undefined) return instance.lanEndpoint !== undefined ? ['inet'] : ['inet', 'inet6'];
  return parseIPv4(instance.endpoint) !== undefined ? ['inet'] : ['inet', 'inet6'];
}

export const wireguardMtuRules: Rule[] = [
  {
    id: 'wg/mtu-overhead',
    severity: 'warning',
    summary: "The tunnel MTU leaves no room for WireGuard's overhead on the WAN MTU.",
    why: 'Each tunnel packet leaves the firewall 60 bytes larger over IPv4 and 80 over IPv6; beyond the WAN MTU it is fragmented or dropped, and large transfers stall while pings and SSH still work.',
    hint: 'Lower the instance mtu to the WAN MTU minus 80 (minus 60 when the endpoint is an IPv4 address), or raise the WAN MTU.',
    examples: [
      {
        where: 'sites[].wireguard[]',
        bad: 'endpoint: vpn.example.com\nmtu: 1440',
        good: 'endpoint: vpn.example.com\nmtu: 1420',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const wan = site.firewall?.interfaces.find((i) => i.isWan);
        if (!wan) continue;
        const wanMtu = wan.mtu ?? ETHERNET_MTU;
        for (const instance of site.wireguard) {
          const families = outerFamilies(instance);
          const worst = families.includes('inet6') ? 'inet6' : 'inet';
          const limit = wanMtu - WIREGUARD_OVERHEAD[worst];
          if (instance.mtu <= limit) continue;
          const why = worst === 'inet6' ? `${WIREGUARD_OVERHEAD.inet6} bytes over IPv6 (the endpoint ${instance.endpoint ?? 'a client uses'} may resolve to an IPv6 address)` : `${WIREGUARD_OVERHEAD.inet} bytes over IPv4`;
          report({
            path: instance.path.concat('mtu'),
            message: `tunnel MTU ${instance.mtu} of ${instance.name} leaves no room for WireGuard's ${why} on the WAN MTU ${wanMtu}: at most ${limit}`,
            hint: `Set mtu: ${limit} on ${instance.name}, or raise the MTU of interface ${wan.name} to ${instance.mtu + WIREGUARD_OVERHEAD[worst]} (if the link to the router carries it).`,
            related: [{ message: `the WAN interface ${wan.name} (MTU ${wanMtu})`, path: wan.path }],
          });
        }
      }
    },
  },
];
