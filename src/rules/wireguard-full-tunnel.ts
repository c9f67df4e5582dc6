// A full tunnel against the policy: its clients send everything to the
// firewall (wg-quick routes 0.0.0.0/0 into the tunnel), so whatever the
// policy does not pass from them is gone while the tunnel is up, the
// internet included (seed 002 §6.2 symptom 5, FAQ Q6).
import { ADDRESS_SPACE, overlaps, subtract, union } from '../intervals.js';
import type { Peer, Site, WireguardInstance } from '../model.js';
import { parseIPv4 } from '../net.js';
import { siteMatches } from '../resolve/matches.js';
import { reachBySource } from '../resolve/reach.js';
import type { Rule } from './rule.js';

function fullTunnels(model: Parameters<NonNullable<Rule['check']>>[0]): { site: Site; instance: WireguardInstance }[] {
  return model.sites.flatMap((site) => site.wireguard.filter((w) => w.tunnel === 'full').map((instance) => ({ site, instance })));
}

/**
 * The enabled peers of a full tunnel that the policy passes to no internet
 * destination (neither an internal network, the upstream router's LAN, nor
 * the firewall itself). A peer's `reach` cannot tell: it keeps only what a
 * split tunnel would route, never the internet.
 */
function cutOff(site: Site, instance: WireguardInstance): { clients: Peer[]; cut: Peer[] } {
  const clients = instance.peers.filter((p) => p.enabled && parseIPv4(p.address) !== undefined);
  if (clients.length === 0) return { clients, cut: [] };
  const { space, matches } = siteMatches(site);
  const internet = subtract([ADDRESS_SPACE], union(space.notInternet, space.self));
  const addresses = [...new Set(clients.map((p) => parseIPv4(p.address)!))].sort((a, b) => a - b);
  const reached = reachBySource(matches, addresses);
  const out = new Set(addresses.filter((_, i) => overlaps(reached[i]!, internet)));
  return { clients, cut: clients.filter((p) => !out.has(parseIPv4(p.address)!)) };
}

export const wireguardFullTunnelRules: Rule[] = [
  {
    id: 'wg/full-tunnel-no-internet',
    severity: 'warning',
    summary: 'A full-tunnel WireGuard client may reach no internet address: the policy passes nothing from it to the internet.',
    why:
      'In a full tunnel the client routes every destination into the tunnel (AllowedIPs 0.0.0.0/0: wg-quick adds a default route, the apps route everything), ' +
      'so every web page, mail server and public resolver it uses goes to the firewall, where the default deny drops what no rule passes. ' +
      'Connected, the client reaches the site and nothing else, and names of the internet do not resolve (seed 002 §6.2 symptom 5, FAQ Q6).',
    hint: 'Add a pass rule from the tunnel (its interface), a role or a zone holding the peers to internet (gen adds the outbound NAT it needs), or use tunnel: split.',
    examples: [
      {
        context: [{ where: 'sites[].wireguard[wg0]', snippet: 'tunnel: full' }],
        where: 'sites[].policy.rules[+]',
        bad: '{ name: vpn-internet, from: vpn, to: internet, action: block }',
        good: '{ name: vpn-internet, from: vpn, to: internet, action: pass }',
      },
    ],
    check(model, report) {
      for (const { site, instance } of fullTunnels(model)) {
        const { clients, cut } = cutOff(site, instance);
        if (cut.length === 0) continue;
        const from = instance.interface ?? 'the tunnel';
        // One finding for the instance when no client gets out, else one per client.
        if (cut.length === clients.length) {
          report({
            path: instance.path.concat('tunnel'),
            message: `${instance.name} is a full tunnel, but no pass rule lets its clients reach the internet: connected, they reach nothing outside the site`,
            hint: `Add a pass rule from ${from} to internet (e.g. { name: ${instance.name}-internet, from: ${from}, to: internet, action: pass }), or set tunnel: split on ${instance.name}.`,
          });
        } else {
          for (const peer of cut) {
            report({
              path: peer.path.concat('name'),
              message: `peer ${peer.name} of full-tunnel ${instance.name} may reach no internet address: connected, it reaches nothing outside the site`,
              hint: `Add a pass rule from ${peer.name} or its role ${instance.name}/${peer.role} (or a zone holding either) to internet.`,
            });
          }
        }
      }
    },
  },
];
