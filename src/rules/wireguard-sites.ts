// One device at two sites: the same public key is a peer of an instance at
// each, and the device runs both tunnels side by side. What one tunnel's
// client file routes, the other's must not route as well. Two firewalls
// are never one device: their instances' keys must differ.
import { blocksOverlap, containsBlock, parseCidr, type Block } from '../net.js';
import { type PeerAt as Tunnel, instancesByKey, peersByKey } from '../resolve/wireguard-keys.js';
import type { Rule } from './rule.js';

interface Routed {
  cidr: string;
  block: Block;
  /** Inside a remote network of the site: the far end of its site-to-site link, maybe the other site's own network. */
  remote: boolean;
}

/** The IPv4 ranges a client file routes into its tunnel; a default route is left out: a full tunnel is meant to be the device's only one. */
function routed(tunnel: Tunnel): Routed[] {
  const remotes = tunnel.site.networks.filter((n) => n.kind === 'remote');
  const ranges: Routed[] = [];
  for (const cidr of tunnel.peer.allowedIps) {
    const parsed = parseCidr(cidr);
    if (parsed.ok && parsed.block.prefix > 0) ranges.push({ cidr, block: parsed.block, remote: remotes.some((n) => containsBlock(n.block, parsed.block)) });
  }
  return ranges;
}

/**
 * Each range of `later` that meets a range of `earlier`, with the one it meets. The same range is always one: the
 * second route fails. Nested ranges are two places unless one is reached over a site-to-site link: then the device
 * reaches the same network by either tunnel, the narrower route winning.
 */
function clashes(earlier: Tunnel, later: Tunnel): { mine: string; theirs: string }[] {
  const theirs = routed(earlier);
  const found: { mine: string; theirs: string }[] = [];
  for (const mine of routed(later)) {
    const met = theirs.find((t) => blocksOverlap(t.block, mine.block) && (t.cidr === mine.cidr || !(t.remote || mine.remote)));
    if (met) found.push({ mine: mine.cidr, theirs: met.cidr });
  }
  return found;
}

/** The finding's words for what the two files both route. */
function described(found: { mine: string; theirs: string }[], earlierSite: string): string {
  const same = found.filter((f) => f.mine === f.theirs).map((f) => f.mine);
  const nested = found.filter((f) => f.mine !== f.theirs).map((f) => `${f.mine} (site ${earlierSite}: ${f.theirs})`);
  const parts: string[] = [];
  if (same.length > 0) parts.push(`the same ${same.length > 1 ? 'ranges' : 'range'} ${same.join(', ')}`);
  if (nested.length > 0) parts.push(`ranges of which one holds the other, ${nested.join(', ')}`);
  return parts.join(', and ');
}

export const wireguardSiteRules: Rule[] = [
  {
    id: 'wg/allowed-ips-across-sites',
    severity: 'warning',
    summary: 'One device (one public key) is a peer at two sites, and both client files route a range into their tunnel (the two sites have networks of one range, such as their upstream routers\' LANs).',
    why:
      "A device up in both tunnels has one route per range. wg-quick adds each AllowedIPs range as a route of its interface (`ip route add RANGE dev NAME`, wireguard-tools src/wg-quick/linux.bash add_route); the second tunnel's route to a range the first already routes fails with \"RTNETLINK answers: File exists\", and wg-quick takes the second tunnel down again. WireGuard for Windows stops a running tunnel when another that routes a same range starts (manager/ipc_server.go Start, conf.IntersectsWith). " +
      'Two ranges of which one holds the other both go up on Linux, and the narrower one then reaches one site only. The two sites are two places: the same address at each (the upstream router\'s LAN of two homes, 192.168.0.0/24 at both) names two hosts the device cannot tell apart. A range inside a site\'s remote network that holds the other\'s (or lies in it) is not reported: over the site-to-site link it is the same network either way, and the narrower route takes it there.',
    hint: "Give one site's network another range (e.g. its upstream router's LAN), or let the device reach it through one site's tunnel only (a reach list on that site's instance that leaves it out).",
    examples: [
      {
        // The home site's VPN clients reach a NAS on its upstream router's LAN, 192.168.0.50.
        context: [{ where: 'sites[].policy.rules[+]', snippet: '{ name: vpn-nas, from: vpn, to: 192.168.0.50, proto: tcp, ports: [445], action: pass }' }],
        where: 'sites[+]',
        bad: officeSite('192.168.0'),
        good: officeSite('192.168.1'),
      },
    ],
    check(model, report) {
      if (model.sites.length < 2) return;
      // Each device's enabled peers; only a device at two sites is compared.
      for (const peers of peersByKey(model).values()) {
        const tunnels = peers.filter((t) => t.peer.enabled);
        for (let i = 1; i < tunnels.length; i++) {
          const later = tunnels[i]!;
          // Reported once, against the first peer of another site whose ranges it meets.
          for (const earlier of tunnels.slice(0, i)) {
            if (earlier.site === later.site) continue;
            const found = clashes(earlier, later);
            if (found.length === 0) continue;
            report({
              path: later.peer.path,
              message: `peer ${later.peer.name} of ${later.instance.name} at site ${later.site.name} is the device of peer ${earlier.peer.name} of ${earlier.instance.name} at site ${earlier.site.name} (the same public key), and both client files route ${described(found, earlier.site.name)} into their tunnel: with both tunnels up, the device reaches it at one site only, and wg-quick cannot bring up the second over the same range`,
              related: [{ message: `peer ${earlier.peer.name} at site ${earlier.site.name}, AllowedIPs ${earlier.peer.allowedIps.join(', ')}`, path: earlier.peer.path }],
            });
            break;
          }
        }
      }
    },
  },
  {
    id: 'wg/instance-key-across-sites',
    severity: 'error',
    summary: "A WireGuard instance has the public key of another site's instance (a site copied from another keeps its key).",
    why:
      'A WireGuard public key names the one holder of its private key: a peer completes a handshake with whoever proves that key. Two firewalls with one instance key either both hold its private key, and whoever gets one box (or its config.xml backup) can answer as the other to every peer of both, ' +
      "or the second has none: `gen wg list` shows its instance key missing, `gen opnsense merge` stops without it, and OPNsense's WireGuard server requires one (models/OPNsense/Wireguard/Server.xml, privkey Required).",
    hint: 'Give the later instance its own key pair: `gen wg keygen --instance NAME --site SITE --force`, then export its client files again.',
    examples: [
      {
        where: 'sites[+]',
        bad: officeSite('192.168.1', 'XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU='),
        good: officeSite('192.168.1'),
      },
    ],
    check(model, report) {
      // Each instance key's first site; a second instance of one site with it is wg/duplicate-public-key's.
      for (const holders of instancesByKey(model).values()) {
        const earlier = holders[0]!;
        for (const { site, instance } of holders.slice(1)) {
          if (earlier.site === site) continue;
          report({
            path: instance.path.concat('public_key'),
            message: `WireGuard instance ${instance.name} at site ${site.name} has the public key of instance ${earlier.instance.name} at site ${earlier.site.name}: either both firewalls hold one private key, and either can answer as the other to their peers, or site ${site.name}'s firewall has none to deploy`,
            hint: `Give instance ${instance.name} at site ${site.name} its own key pair: gen wg keygen --instance ${instance.name} --site ${site.name} --force, then export its client files again.`,
            related: [{ message: `instance ${earlier.instance.name} at site ${earlier.site.name}`, path: earlier.instance.path.concat('public_key') }],
          });
        }
      }
    },
  },
];

/** The docs example's second site: its upstream router's LAN is `lan` (x.y.z), and its VPN clients reach a NAS there. */
function officeSite(lan: string, instanceKey = '0pCNLTTHI3oDk4uqNeTzC5+Ab5qJ6nxm37BJtxiUvWY='): string {
  return [
    'name: office',
    'firewall:',
    '  name: office-fw',
    '  interfaces:',
    `    - { name: wan, device: vtnet0, address: ${lan}.2/24, gateway: ${lan}.1 }`,
    '    - { name: wireguard, wireguard: wg0 }',
    'wireguard:',
    `  - { name: wg0, listen_port: 51820, address: 10.20.1.1/24, endpoint: office.example.com, public_key: ${instanceKey},`,
    '      roles: [{ name: workstation, from: 10.20.1.2, to: 10.20.1.10 }],',
    '      peers: [{ name: laptop-john, tunnel_name: office-john, role: workstation, address: 10.20.1.3, public_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U= }] }',
    'policy:',
    '  zones: [{ name: vpn, networks: [wireguard] }]',
    `  rules: [{ name: vpn-nas, from: vpn, to: ${lan}.50, proto: tcp, ports: [445], action: pass }]`,
  ].join('\n');
}
