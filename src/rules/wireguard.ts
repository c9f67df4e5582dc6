// WireGuard rules: the address plan, explicit listen port,
// split-tunnel hygiene, and VPN reach that the firewall actually passes.
import type { Site, WireguardInstance } from '../model.js';
import type { Path } from '../location.js';
import { overlaps, type Range } from '../intervals.js';
import { blockLast, contains, formatIPv4, parseIPv4 } from '../net.js';
import { rangesOfCidrs } from '../resolve/matches.js';
import { instancesByKey } from '../resolve/wireguard-keys.js';
import { IPSEC_WAN_PORTS } from '../targets/opnsense/ipsec.js';
import { NTPD_UDP, UNBOUND_UDP, type UdpHolder, dhcpServerUdp } from '../targets/opnsense/udp-services.js';
import type { Rule } from './rule.js';

function instances(model: Parameters<NonNullable<Rule['check']>>[0]): WireguardInstance[] {
  return model.sites.flatMap((s) => s.wireguard);
}

/** The firewall's own UDP services on every address (targets/opnsense/udp-services.ts), with where the topology turns one on. */
function udpServices(site: Site): (UdpHolder & { related?: { message: string; path: Path } })[] {
  if (!site.firewall) return [];
  const served = site.firewall.interfaces.find((i) => i.dhcp);
  const dhcp = served ? [Object.assign({}, dhcpServerUdp(site.firewall.dhcpServer), { related: { message: `the DHCP server serves ${served.name} here`, path: served.dhcp!.path } })] : [];
  return [UNBOUND_UDP, NTPD_UDP, ...dhcp];
}

export const wireguardRules: Rule[] = [
  {
    id: 'wg/peer-outside-tunnel',
    severity: 'error',
    summary: "A peer's address is outside the tunnel network.",
    why: 'The firewall routes only the tunnel network into the instance; the peer would never get replies.',
    hint: "Use an address inside the tunnel network (and inside the peer's role range).",
    examples: [
      {
        where: 'sites[].wireguard[].peers[laptop-john]',
        bad: 'name: laptop-john\nrole: workstation\naddress: 10.0.2.3',
        good: 'name: laptop-john\nrole: workstation\naddress: 10.0.1.3',
      },
    ],
    check(model, report) {
      for (const instance of instances(model)) {
        // Indexed: a for-of steps an iterator per peer until V8 optimizes the loop (src/arrays.ts).
        for (let p = 0; p < instance.peers.length; p++) {
          const peer = instance.peers[p]!;
          const address = parseIPv4(peer.address);
          if (address !== undefined && !contains(instance.block, address)) {
            const free = instance.nextFree[peer.role];
            report({
              path: peer.path.concat('address'),
              message: `peer ${peer.name}: ${peer.address} is outside the tunnel network ${instance.block.cidr} of ${instance.name}`,
              hint: free ? `Set address: ${free} on peer ${peer.name}, the next free address of role ${peer.role}.` : `Give peer ${peer.name} an address inside ${instance.block.cidr}, in the range of role ${peer.role}.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'wg/peer-outside-role',
    severity: 'error',
    summary: "A peer's address is outside its role's range.",
    why: 'The address plan is how operators read a tunnel address: .2-.10 workstations, .11-.50 mobiles...',
    hint: "Move the peer into its role's range (`gen wg add-peer` allocates the next free one).",
    examples: [
      {
        where: 'sites[].wireguard[].peers[laptop-john]',
        bad: 'name: laptop-john\nrole: workstation\naddress: 10.0.1.20',
        good: 'name: laptop-john\nrole: workstation\naddress: 10.0.1.4',
      },
    ],
    check(model, report) {
      for (const instance of instances(model)) {
        const roles = new Map(instance.roles.map((r) => [r.name, r]));
        // Indexed: a for-of steps an iterator per peer until V8 optimizes the loop (src/arrays.ts).
        for (let p = 0; p < instance.peers.length; p++) {
          const peer = instance.peers[p]!;
          const role = roles.get(peer.role);
          const address = parseIPv4(peer.address);
          if (!role || address === undefined || !contains(instance.block, address)) continue;
          if (address < role.first || address > role.last) {
            const free = instance.nextFree[role.name];
            const holder = instance.roles.find((r) => address >= r.first && address <= r.last);
            report({
              path: peer.path.concat('address'),
              message: `peer ${peer.name}: ${peer.address} is outside role ${role.name} (${role.from}-${role.to})`,
              related: [{ message: `role ${role.name} is declared here`, path: role.path }],
              hint: `${free ? `Set address: ${free} on peer ${peer.name}, the next free address of role ${role.name}` : `Role ${role.name} is full: widen its range`}${holder ? `, or set role: ${holder.name} if that is what the peer is` : ''}.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'wg/role-overlap',
    severity: 'error',
    summary: 'Two WireGuard role ranges overlap.',
    why: 'An address in both ranges has no single role; allocation could hand it out twice.',
    hint: 'Make the ranges disjoint.',
    examples: [
      {
        where: 'sites[].wireguard[].roles[mobile]',
        bad: '{ name: mobile, from: 10.0.1.9, to: 10.0.1.50 }',
        good: '{ name: mobile, from: 10.0.1.11, to: 10.0.1.50 }',
      },
    ],
    check(model, report) {
      for (const instance of instances(model)) {
        // Sort and sweep: compare each range with the furthest-reaching one before it.
        const sorted = [...instance.roles].sort((a, b) => a.first - b.first || a.last - b.last);
        let reach: (typeof sorted)[number] | undefined;
        for (const role of sorted) {
          if (reach && role.first <= reach.last) {
            report({
              path: role.path,
              message: `role ${role.name} (${role.from}-${role.to}) overlaps role ${reach.name} (${reach.from}-${reach.to})`,
              related: [{ message: `role ${reach.name} is declared here`, path: reach.path }],
            });
          }
          if (!reach || role.last > reach.last) reach = role;
        }
      }
    },
  },
  {
    id: 'wg/role-outside-tunnel',
    severity: 'error',
    summary: 'A role range reaches outside the tunnel network, or includes its network or broadcast address.',
    why: 'Addresses outside the tunnel can never be used by a peer.',
    hint: 'Keep every role range inside the usable addresses of the tunnel network.',
    examples: [
      {
        where: 'sites[].wireguard[].roles[reserved]',
        bad: '{ name: reserved, from: 10.0.1.101, to: 10.0.1.255 }',
        good: '{ name: reserved, from: 10.0.1.101, to: 10.0.1.254 }',
      },
    ],
    check(model, report) {
      for (const instance of instances(model)) {
        const first = instance.block.base + 1;
        const last = blockLast(instance.block) - 1;
        for (const role of instance.roles) {
          if (role.first < first || role.last > last) {
            report({
              path: role.path,
              message: `role ${role.name} (${role.from}-${role.to}) is not inside ${formatIPv4(first)}-${formatIPv4(last)} of ${instance.block.cidr}`,
            });
          }
        }
      }
    },
  },
  {
    id: 'wg/unassigned',
    severity: 'error',
    summary: 'A WireGuard instance is not assigned to a firewall interface.',
    why: 'Without an assigned, enabled interface OPNsense has no interface address alias for it and rules for the tunnel fail.',
    hint: 'Add a firewall interface with `wireguard: <instance>` (it takes no address).',
    examples: [
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].wireguard[+]', snippet: '{ name: wg1, listen_port: 51821, address: 10.10.98.1/24, public_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=, endpoint: home.example.org }' }],
        where: 'sites[].firewall.interfaces[+]',
        bad: '{ name: guests, wireguard: wg0 }',
        good: '{ name: guests, wireguard: wg1 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const instance of site.wireguard) {
          if (instance.interface === undefined) {
            report({ path: instance.path.concat('name'), message: `WireGuard instance ${instance.name} is not assigned to any firewall interface` });
          }
        }
      }
    },
  },
  {
    id: 'wg/duplicate-public-key',
    severity: 'error',
    summary: 'Two peers, a peer and an instance, or two instances of one firewall share a public key.',
    why:
      'WireGuard tells peers apart by their public key: a second peer with the same key replaces the first one\'s AllowedIPs, and OPNsense refuses the second ("Public keys should be unique"). ' +
      'Two instances with one key hold one private key, which OPNsense does not refuse (Server.xml: pubkey without UniqueConstraint): a handshake names its responder by that key only, ' +
      "so a client of one instance whose packets reach the other's port completes its handshake there, and the other instance's peers can answer as it.",
    hint: 'Give each device its own key pair (`gen wg rotate NAME`), each instance its own (`gen wg keygen --instance NAME --site SITE --force`).',
    examples: [
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].firewall.interfaces[+]', snippet: '{ name: guests, wireguard: wg1 }' }],
        where: 'sites[].wireguard[+]',
        bad: '{ name: wg1, listen_port: 51821, address: 10.10.98.1/24, public_key: XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU=, endpoint: home.example.org }',
        good: '{ name: wg1, listen_port: 51821, address: 10.10.98.1/24, public_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=, endpoint: home.example.org }',
      },
      {
        where: 'sites[].wireguard[].peers[+]',
        bad: '{ name: laptop-jane, role: workstation, address: 10.0.1.4, public_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U= }',
        good: '{ name: laptop-jane, role: workstation, address: 10.0.1.4, public_key: eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4= }',
      },
    ],
    check(model, report) {
      const instanceKeys = instancesByKey(model);
      for (const site of model.sites) {
        // OPNsense keeps all peers of all instances in one list with unique keys.
        // Each key's first owner by its position (instance i: -1 - i; peer p of instance i: p * instances + i),
        // its words made only for a finding: a text per peer was most of the rule.
        const instances = site.wireguard;
        const seen = new Map<string, number>();
        const ownerOf = (at: number) => {
          if (at < 0) return `instance ${instances[-1 - at]!.name}`;
          const instance = instances[at % instances.length]!;
          return `peer ${instance.peers[Math.floor(at / instances.length)]!.name} of ${instance.name}`;
        };
        instances.forEach((instance, i) => {
          if (instance.publicKey === undefined) return;
          // The key's first instance at this site; one at another site is wg/instance-key-across-sites'.
          const first = instanceKeys.get(instance.publicKey)!.find((h) => h.site === site)!.instance;
          if (first === instance) {
            seen.set(instance.publicKey, -1 - i);
            return;
          }
          report({
            path: instance.path.concat('public_key'),
            message: `instance ${instance.name} has the public key of instance ${first.name}: both hold one private key, and a client of either completes its handshake with whichever its packets reach`,
            hint: `Give instance ${instance.name} its own key pair: gen wg keygen --instance ${instance.name} --site ${site.name} --force, then export its client files again.`,
            related: [{ message: `instance ${first.name}`, path: first.path.concat('public_key') }],
          });
        });
        instances.forEach((instance, i) => {
          for (let p = 0; p < instance.peers.length; p++) {
            const peer = instance.peers[p]!;
            if (peer.publicKey === undefined) continue;
            const owner = seen.get(peer.publicKey);
            if (owner !== undefined) report({ path: peer.path.concat('public_key'), message: `peer ${peer.name} of ${instance.name} has the public key of ${ownerOf(owner)}` });
            else seen.set(peer.publicKey, p * instances.length + i);
          }
        });
      }
    },
  },
  {
    id: 'wg/duplicate-listen-port',
    severity: 'error',
    summary: "Two WireGuard instances of one firewall listen on the same UDP port, or one listens on a UDP port a service of the firewall holds: Unbound's 53, ntpd's 123, the DHCP server's 67, or the site-to-site VPN's IKE on 500 and 4500.",
    why:
      "WireGuard's kernel socket shares its port with no other socket (it binds every address without SO_REUSEPORT): a second instance, or one beside Unbound or the DHCP server, does not come up; " +
      "beside ntpd, ntpd's socket on the WAN address takes its handshakes and a restart of the instance fails; beside IKE, strongSwan or the instance fails. " +
      'Clients of a second instance handshake with the first one, which does not know them. Unbound and ntpd listen on every address from the factory, and gen leaves them so.',
    hint: "Give each instance its own listen_port (51820, 51821, ...), none of the firewall's own UDP ports.",
    examples: [
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].firewall.interfaces[+]', snippet: '{ name: guests, wireguard: wg1 }' }],
        where: 'sites[].wireguard[+]',
        bad: '{ name: wg1, listen_port: 51820, address: 10.10.98.1/24, public_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=, endpoint: home.example.org }',
        good: '{ name: wg1, listen_port: 51821, address: 10.10.98.1/24, public_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=, endpoint: home.example.org }',
      },
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].firewall.interfaces[+]', snippet: '{ name: guests, wireguard: wg1 }' }],
        where: 'sites[].wireguard[+]',
        bad: '{ name: wg1, listen_port: 123, address: 10.10.98.1/24, public_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=, endpoint: home.example.org }',
        good: '{ name: wg1, listen_port: 51821, address: 10.10.98.1/24, public_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=, endpoint: home.example.org }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const first = new Map<number, WireguardInstance>();
        const s2s = model.aws?.vpc?.siteToSite?.site === site.name ? model.aws.vpc.siteToSite : undefined;
        const services = udpServices(site);
        for (const instance of site.wireguard) {
          if (instance.listenPort === undefined) continue;
          const service = services.find((h) => h.port === instance.listenPort);
          if (service) {
            report({
              path: instance.path.concat('listen_port'),
              message: `WireGuard instance ${instance.name} listens on UDP ${instance.listenPort}, which ${service.service} holds on every address of the firewall`,
              hint: `Set listen_port to another port on ${instance.name} (51820 is the convention).`,
              related: service.related ? [service.related] : undefined,
            });
          }
          if (s2s && IPSEC_WAN_PORTS.includes(instance.listenPort)) {
            report({
              path: instance.path.concat('listen_port'),
              message: `WireGuard instance ${instance.name} listens on UDP ${instance.listenPort}, which the site-to-site VPN's IPsec holds on the firewall (IKE on 500, NAT traversal on 4500)`,
              hint: `Set listen_port to another port on ${instance.name} (51820 is the convention).`,
              related: [{ message: 'the site-to-site VPN', path: s2s.path }],
            });
          }
          const earlier = first.get(instance.listenPort);
          if (!earlier) {
            first.set(instance.listenPort, instance);
            continue;
          }
          const taken = new Set(site.wireguard.map((w) => w.listenPort));
          let free = instance.listenPort + 1;
          while (taken.has(free)) free++;
          report({
            path: instance.path.concat('listen_port'),
            message: `WireGuard instance ${instance.name} listens on UDP ${instance.listenPort}, as instance ${earlier.name} does`,
            hint: `Set listen_port: ${free} on ${instance.name} (and forward that port to the firewall where a router is in front).`,
            related: [{ message: `instance ${earlier.name} listens on it here`, path: earlier.path.concat('listen_port') }],
          });
        }
      }
    },
  },
  {
    id: 'wg/reach-without-pass',
    severity: 'error',
    summary: 'A WireGuard reach list routes a network into the tunnel that no pass rule lets the peers reach.',
    why: 'Clients route the network into the tunnel and the handshake works, but every packet is dropped.',
    hint: 'Add a pass rule from the peers (their role, their zone or the tunnel) to that network, or remove it from reach.',
    examples: [
      {
        where: 'sites[].wireguard[]',
        bad: 'reach: [management, wan]',
        good: 'reach: [management, service]',
      },
    ],
    check(model, report) {
      for (const instance of instances(model)) {
        // Peers that reach the same destinations share one list: parse each list once, not once per peer.
        const reachRanges = new Map<readonly string[], Range[]>();
        const rangesOfReach = (reach: readonly string[]) => {
          if (!reachRanges.has(reach)) reachRanges.set(reach, rangesOfCidrs(reach));
          return reachRanges.get(reach)!;
        };
        for (const entry of instance.reachList ?? []) {
          const routed = rangesOfCidrs(entry.cidrs);
          const blocked = instance.peers.filter((p) => p.enabled && !overlaps(rangesOfReach(p.reach), routed));
          if (blocked.length === 0) continue;
          const names = blocked.length > 3 ? `${blocked.slice(0, 3).map((p) => p.name).join(', ')} and ${blocked.length - 3} more` : blocked.map((p) => p.name).join(', ');
          report({
            path: entry.path,
            message: `${instance.name} clients route ${entry.cidrs.join(', ')} into the tunnel, but no pass rule lets ${names} reach it`,
            hint: `Add a pass rule to ${entry.name} from the tunnel${instance.interface !== undefined ? ` (from: ${instance.interface})` : ''}, their roles or a zone of theirs, or remove ${entry.name} from reach.`,
          });
        }
      }
    },
  },
  {
    id: 'wg/full-tunnel',
    severity: 'warning',
    summary: 'A WireGuard instance sends all client traffic (0.0.0.0/0, ::/0) through the tunnel.',
    why: 'A full tunnel routes every client packet through the firewall; without outbound NAT and DNS on the VPN, clients lose the internet.',
    hint: 'Use tunnel: split unless all traffic must go through the firewall.',
    examples: [
      {
        where: 'sites[].wireguard[]',
        bad: 'tunnel: full',
        good: 'tunnel: split',
      },
    ],
    check(model, report) {
      for (const instance of instances(model)) {
        if (instance.tunnel === 'full') report({ path: instance.path.concat('tunnel'), message: `WireGuard instance ${instance.name} is a full tunnel (AllowedIPs 0.0.0.0/0, ::/0)` });
      }
    },
  },
  {
    id: 'wg/dns-split-tunnel',
    severity: 'warning',
    summary: 'A split-tunnel instance gives clients a DNS server.',
    why: "In split tunnel, a DNS line sends every lookup through the VPN and breaks name resolution when the tunnel is down.",
    hint: 'Remove dns, or use tunnel: full.',
    examples: [
      {
        where: 'sites[].wireguard[]',
        bad: 'tunnel: split\ndns: [10.0.0.1]',
        good: 'tunnel: split',
      },
    ],
    check(model, report) {
      for (const instance of instances(model)) {
        if (instance.tunnel === 'split' && instance.dns.length > 0) {
          report({
            path: instance.path.concat('dns'),
            message: `split-tunnel instance ${instance.name} sets a client DNS server`,
            hint: `Remove dns from ${instance.name} (clients keep their own resolver), or set tunnel: full if every lookup should go through the tunnel.`,
          });
        }
      }
    },
  },
];
