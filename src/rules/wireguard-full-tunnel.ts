// A full tunnel against the policy: its clients send everything to the
// firewall (wg-quick routes 0.0.0.0/0 into the tunnel), so whatever the
// policy does not pass from them is gone while the tunnel is up, the
// internet included, and so is name resolution.
import { type Verdict, sourcesFlowVerdicts } from '../flows.js';
import { ADDRESS_SPACE, type Range, has, overlaps, subtract, union } from '../intervals.js';
import type { Peer, Site, WireguardInstance } from '../model.js';
import { parseIPv4 } from '../net.js';
import { siteMatches } from '../resolve/matches.js';
import { reachBySource } from '../resolve/reach.js';
import { DNS_OVER_TCP_HINT } from './dns-servers.js';
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

/** The examples' homelab, made a full tunnel. */
const FULL_TUNNEL_EXAMPLE = [{ where: 'sites[].wireguard[wg0]', snippet: 'tunnel: full' }];

const LOOPBACK_FIRST_OCTET = 127;

/** A full tunnel's client DNS servers (its dns list) that the policy does not pass UDP 53 to from every enabled peer. */
function blockedServers(site: Site, instance: WireguardInstance): { server: string; index: number; verdict: Verdict; all: boolean }[] {
  const from: Range[] = instance.peers.filter((p) => p.enabled && parseIPv4(p.address) !== undefined).map((p) => [parseIPv4(p.address)!, parseIPv4(p.address)!]);
  // A loopback server is the client's own: it never enters the tunnel.
  const queries = instance.dns.flatMap((server, index) => {
    const to = parseIPv4(server);
    return to === undefined || to >>> 24 === LOOPBACK_FIRST_OCTET ? [] : [{ server, index, from, to }];
  });
  if (from.length === 0 || queries.length === 0) return [];
  const udp = sourcesFlowVerdicts(site, queries, 'udp', 53);
  const all = udp.every((v) => v.verdict === 'deny');
  return queries.flatMap((q, i) => (udp[i]!.verdict === 'deny' ? [{ server: q.server, index: q.index, verdict: udp[i]!, all }] : []));
}

export const wireguardFullTunnelRules: Rule[] = [
  {
    id: 'wg/full-tunnel-no-internet',
    severity: 'warning',
    summary: 'A full-tunnel WireGuard client may reach no internet address: the policy passes nothing from it to the internet.',
    why:
      'In a full tunnel the client routes every destination into the tunnel (AllowedIPs 0.0.0.0/0: wg-quick adds a default route, the apps route everything), ' +
      'so every web page, mail server and public resolver it uses goes to the firewall, where the default deny drops what no rule passes. ' +
      'Connected, the client reaches the site and nothing else, and names of the internet do not resolve.',
    hint: 'Add a pass rule from the tunnel (its interface), a role or a zone holding the peers to internet (gen adds the outbound NAT it needs), or use tunnel: split.',
    examples: [
      {
        context: FULL_TUNNEL_EXAMPLE,
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
  {
    id: 'wg/full-tunnel-dns-blocked',
    severity: 'error',
    summary: "The policy blocks DNS (UDP 53) from a full-tunnel WireGuard instance's clients to a DNS server of its dns list.",
    why:
      'A full tunnel writes dns into every client file (DNS = ...), and the client then asks those servers alone: wg-quick hands them to resolvconf in exclusive mode (-x), the apps set them as the VPN\'s resolvers. ' +
      'Their queries enter the tunnel like everything else (AllowedIPs 0.0.0.0/0) and meet the firewall\'s policy: where it does not pass UDP 53 from the clients to the server, ' +
      'a connected client resolves no name at all, inside or outside the site.',
    hint: `Set dns to servers the clients may reach (the firewall's address on a network the VPN reaches, or a public resolver once the VPN may reach the internet), or pass UDP and TCP 53 from the tunnel to the server. ${DNS_OVER_TCP_HINT}`,
    examples: [
      {
        context: FULL_TUNNEL_EXAMPLE,
        where: 'sites[].wireguard[wg0]',
        bad: 'dns: [1.1.1.1]',
        good: 'dns: [10.0.0.1]',
      },
    ],
    check(model, report) {
      for (const { site, instance } of fullTunnels(model)) {
        const from = instance.interface ?? 'the tunnel';
        for (const { server, index, verdict, all } of blockedServers(site, instance)) {
          const self = has(siteMatches(site).space.self, parseIPv4(server)!);
          report({
            path: instance.path.concat('dns', index),
            message: `full-tunnel ${instance.name} gives its clients ${server} as DNS server, but ${verdict.decidedBy} blocks DNS (UDP 53) from them to it: ${all ? 'connected, they resolve no name' : 'every lookup that tries it waits for it to time out'}`,
            hint: `Set dns on ${instance.name} to servers its clients may reach, or add a rule passing UDP and TCP 53 from ${from} to ${self ? 'self' : server}${verdict.path ? ` before ${verdict.decidedBy}` : ''} (e.g. { name: ${instance.name}-dns, from: ${from}, to: ${self ? 'self' : server}, proto: tcp/udp, ports: [53], action: pass }).`,
          });
        }
      }
    },
  },
];
