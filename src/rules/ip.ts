// IP-plan rules: overlaps (sort and sweep), VPC containment, reserved and
// duplicate addresses, DHCP ranges.
import { addToList } from '../arrays.js';
import type { Path } from '../location.js';
import type { AddressUse, FirewallInterface, Model, Network, Site } from '../model.js';
import { BlockIndex } from '../resolve/block-index.js';
import { blockLast, blockOf, contains, containsBlock, parseIPv4, reservedAddresses } from '../net.js';
import type { Rule } from './rule.js';
import { bridges } from './walk.js';

function describe(network: Network): string {
  const where = network.site ? `site ${network.site}` : 'AWS';
  return `${network.kind === 'subnet' ? 'subnet' : 'network'} ${network.name} (${network.cidr}, ${where})`;
}

/**
 * Every pair of overlapping networks, found in O(n log n): CIDR blocks are
 * either nested or disjoint, so after sorting by start (larger first) a
 * stack of open blocks holds, on top, the innermost block containing the
 * next one. A block inside its declared parent (a subnet in its VPC) is fine.
 */
function overlaps(model: Model): [Network, Network][] {
  const sorted = [...model.networks].sort((a, b) => a.block.base - b.block.base || a.block.prefix - b.block.prefix);
  const stack: Network[] = [];
  const pairs: [Network, Network][] = [];
  for (const network of sorted) {
    while (stack.length && blockLast(stack[stack.length - 1]!.block) < network.block.base) stack.pop();
    // The innermost open block it can meet: another site's WAN or remote network cannot (sitesApart).
    let k = stack.length - 1;
    while (k >= 0 && sitesApart(stack[k]!, network)) k--;
    const container = stack[k];
    if (container && network.parent !== container.id) pairs.push([container, network]);
    stack.push(network);
  }
  return pairs;
}

/** A site's WAN: the network in front of its firewall, behind the site's own router, which no other site routes to. */
function siteWan(network: Network | undefined): network is Network & { site: string } {
  return network !== undefined && network.kind === 'wan' && network.site !== undefined;
}

/**
 * Whether two networks of different sites cannot meet on one box:
 * - one is a site's WAN: two homes behind their own routers both on
 *   192.168.0.0/24 is the common case, and no route of either leads into the
 *   other's WAN;
 * - one is a site's remote network: the far end of its site-to-site tunnel,
 *   which is the other site's network when the link joins two sites of the
 *   topology; each firewall routes the range one way only.
 * A WAN or a remote network and the VPC (no site) can meet: the site's
 * tunnel routes the VPC.
 */
function sitesApart(a: Network, b: Network): boolean {
  const oneSide = siteWan(a) || siteWan(b) || a.kind === 'remote' || b.kind === 'remote';
  return oneSide && a.site !== undefined && b.site !== undefined && a.site !== b.site;
}

/** Every address of the topology inside a DHCP server's dynamic range, with the range's interface. */
function addressesInRanges(model: Model): { iface: FirewallInterface; range: Path; use: AddressUse }[] {
  interface Range {
    iface: FirewallInterface;
    network: Network;
    from: number;
    to: number;
    order: number;
  }
  // Each address is looked up in the ranges of its own network (one that names
  // none, in the ranges whose network holds it), not in every range.
  const byNetwork = new Map<string, Range[]>();
  const byBlock = new BlockIndex<Range>();
  let order = 0;
  for (const site of model.sites) {
    const networks = networksById(site);
    for (const iface of site.firewall?.interfaces ?? []) {
      const network = iface.network !== undefined ? networks.get(iface.network) : undefined;
      if (!iface.dhcp || !network) continue;
      const from = parseIPv4(iface.dhcp.from);
      const to = parseIPv4(iface.dhcp.to);
      if (from === undefined || to === undefined) continue;
      const range = { iface, network, from, to, order: order++ };
      addToList(byNetwork, network.id, range);
      byBlock.add(network.block, range);
    }
  }
  const found: { range: Range; use: AddressUse; index: number }[] = [];
  model.addresses.forEach((use, index) => {
    const ranges = use.network !== undefined ? (byNetwork.get(use.network) ?? []) : byBlock.containing(use.address);
    for (const range of ranges) if (use.address >= range.from && use.address <= range.to) found.push({ range, use, index });
  });
  // In the order of the ranges, then of the addresses.
  found.sort((a, b) => a.range.order - b.range.order || a.index - b.index);
  // A range the topology does not write is derived: the dhcp key locates it.
  return found.map(({ range, use }) => ({ iface: range.iface, range: range.iface.dhcp!.path, use }));
}

/** A site's networks by id (first wins), built once per rule instead of a search per interface. */
function networksById(site: Site): Map<string, Network> {
  const byId = new Map<string, Network>();
  for (const network of site.networks) if (!byId.has(network.id)) byId.set(network.id, network);
  return byId;
}

export const ipRules: Rule[] = [
  {
    id: 'ip/overlap',
    severity: 'error',
    summary: "Two networks overlap (on-prem, VPN tunnel, VPC, subnets, remote networks); the WANs of two sites, each behind its own router, may, and so may a site's remote network and another site's network (the two ends of a site-to-site link).",
    why: 'Overlapping networks make routing ambiguous: traffic for one goes to the other, or nowhere.',
    hint: 'Give one of the networks a free range.',
    examples: [
      {
        where: 'sites[]',
        bad: 'remote_networks:\n  - { name: office, cidr: 10.1.0.0/16 }',
        good: 'remote_networks:\n  - { name: office, cidr: 10.20.0.0/16 }',
      },
    ],
    check(model, report) {
      for (const [a, b] of overlaps(model)) {
        const same = a.cidr === b.cidr;
        report({
          path: b.path,
          message: `${describe(b)} ${same ? 'is the same range as' : 'overlaps'} ${describe(a)}`,
          related: [{ message: `${describe(a)} is declared here`, path: a.path }],
        });
      }
    },
  },
  {
    id: 'ip/subnet-outside-vpc',
    severity: 'error',
    summary: "A subnet is not inside its VPC's CIDR.",
    why: 'AWS rejects a subnet outside the VPC range when Terraform applies it.',
    hint: "Pick a subnet range inside the VPC's CIDR.",
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.subnets[private-2c]',
        bad: '{ name: private-2c, az: ap-northeast-2c, cidr: 10.31.102.0/24, tier: private }',
        good: '{ name: private-2c, az: ap-northeast-2c, cidr: 10.30.102.0/24, tier: private }',
      },
    ],
    check(model, report) {
      const vpc = model.aws?.vpc;
      const vpcNetwork = vpc && model.networks.find((n) => n.id === vpc.network);
      if (!vpc || !vpcNetwork) return;
      for (const subnet of model.networks.filter((n) => n.parent === vpcNetwork.id)) {
        if (!containsBlock(vpcNetwork.block, subnet.block)) {
          report({
            path: subnet.path,
            message: `subnet ${subnet.name} (${subnet.cidr}) is outside VPC ${vpc.name} (${vpc.cidr})`,
            related: [{ message: `VPC ${vpc.name} is declared here`, path: vpcNetwork.path }],
          });
        }
      }
    },
  },
  {
    id: 'ip/reserved-address',
    severity: 'error',
    summary: "A host uses its network's network address, broadcast address or gateway address.",
    why: 'These addresses already have a meaning; a host on them is unreachable or breaks the gateway.',
    hint: 'Choose a free host address inside the network.',
    examples: [
      {
        where: 'sites[].services[grafana]',
        bad: '{ name: grafana, network: service, address: 10.1.0.255, port: 3000 }',
        good: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000 }',
      },
    ],
    check(model, report) {
      const byId = new Map(model.networks.map((n) => [n.id, n]));
      // Indexed: a for-of steps an iterator per address until V8 optimizes the loop (src/arrays.ts).
      for (let u = 0; u < model.addresses.length; u++) {
        const use = model.addresses[u]!;
        const network = use.network ? byId.get(use.network) : undefined;
        if (!network) continue;
        const { network: base, broadcast } = reservedAddresses(network.block);
        if (use.address === base) {
          report({ path: use.path, message: `${use.owner}: ${use.text} is the network address of ${describe(network)}` });
        } else if (use.address === broadcast) {
          report({ path: use.path, message: `${use.owner}: ${use.text} is the broadcast address of ${describe(network)}` });
        } else if (!use.isGateway && (use.text === network.gateway || use.text === network.firewallAddress)) {
          report({ path: use.path, message: `${use.owner}: ${use.text} is the gateway of ${describe(network)}` });
        }
      }
    },
  },
  {
    id: 'ip/duplicate-address',
    severity: 'error',
    summary: 'Two things use the same address (interfaces, hosts, services, peers, reservations); on the WANs of two sites, each its own, they may.',
    why: 'An address conflict makes both unreachable at random (ARP flapping, a peer shadowing another).',
    hint: 'Give one of them another address; for peers `gen wg add-peer` picks the next free one.',
    examples: [
      {
        where: 'sites[].services[grafana]',
        bad: '{ name: grafana, network: service, address: 10.1.0.110, port: 3000 }',
        good: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000 }',
      },
    ],
    check(model, report) {
      // A peer's fix is the next free address of its role, which gen knows. Made at the first
      // duplicate: a key joined from the path of each of 100,000 peers was most of the rule.
      let nextFree: Map<string, { free: string; role: string }> | undefined;
      const nextFreeAt = (path: Path) => {
        if (!nextFree) {
          nextFree = new Map();
          for (const site of model.sites) {
            for (const instance of site.wireguard) {
              for (const peer of instance.peers) {
                const free = instance.nextFree[peer.role];
                if (free) nextFree.set(peer.path.concat('address').join('.'), { free, role: peer.role });
              }
            }
          }
        }
        return nextFree.get(path.join('.'));
      };
      const first = new Map<number, (typeof model.addresses)[number]>();
      // An address on a site's WAN is that site's own (sitesApart): one such map per site. The same address on the WAN and
      // on another network of the same site means the two networks overlap, which ip/overlap reports.
      const onWan = new Map<string, Map<number, (typeof model.addresses)[number]>>();
      const networks = new Map(model.networks.map((n) => [n.id, n]));
      // Indexed: a for-of steps an iterator per address until V8 optimizes the loop (src/arrays.ts).
      for (let u = 0; u < model.addresses.length; u++) {
        const use = model.addresses[u]!;
        const network = use.network === undefined ? undefined : networks.get(use.network);
        let seen = first;
        if (siteWan(network)) {
          let site = onWan.get(network.site);
          if (!site) onWan.set(network.site, (site = new Map()));
          seen = site;
        }
        const earlier = seen.get(use.address);
        if (!earlier) {
          seen.set(use.address, use);
          continue;
        }
        const peer = nextFreeAt(use.path);
        report({
          path: use.path,
          message: `${use.owner} uses ${use.text}, already used by ${earlier.owner}`,
          related: [{ message: `${earlier.owner} uses it here`, path: earlier.path }],
          hint: peer ? `Set address: ${peer.free} on ${use.owner}, the next free address of role ${peer.role}.` : `Give ${use.owner} or ${earlier.owner} another address.`,
        });
      }
    },
  },
  {
    id: 'ip/address-outside-network',
    severity: 'error',
    summary: 'An address lies outside the network it belongs to (or in none of the site networks).',
    why: 'The host would be unreachable: its gateway is not on-link. A DHCP range outside its network hands out unusable leases.',
    hint: 'Correct the address, or the network it is declared in.',
    examples: [
      {
        where: 'sites[].services[grafana]',
        bad: '{ name: grafana, network: service, address: 10.0.0.120, port: 3000 }',
        good: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000 }',
      },
    ],
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        if (bridge.gateway === undefined) continue;
        const gateway = parseIPv4(bridge.gateway);
        const address = bridge.address !== undefined ? parseIPv4(bridge.address) : undefined;
        const own = address !== undefined && bridge.prefix !== undefined ? blockOf(address, bridge.prefix) : undefined;
        if (gateway === undefined) continue;
        if (!own) {
          report({
            path: bridge.path.concat('gateway'),
            message: `bridge ${bridge.name}: gateway ${bridge.gateway} needs an address of the host on the bridge to be reached from`,
            hint: `Give bridge ${bridge.name} the host's address with prefix on the network of ${bridge.gateway}, or remove its gateway.`,
          });
        } else if (!contains(own, gateway)) {
          report({
            path: bridge.path.concat('gateway'),
            message: `bridge ${bridge.name}: gateway ${bridge.gateway} is outside the bridge's network ${own.cidr}, so the host cannot reach it`,
            hint: `Set gateway of bridge ${bridge.name} to the router's address inside ${own.cidr}, or correct the bridge's address.`,
          });
        }
      }
      for (const site of model.sites) {
        const networks = networksById(site);
        for (const iface of site.firewall?.interfaces ?? []) {
          const dhcp = iface.dhcp;
          const network = iface.network !== undefined ? networks.get(iface.network) : undefined;
          if (!dhcp || !network) continue;
          const ends: ['from' | 'to', string][] = [
            ['from', dhcp.from],
            ['to', dhcp.to],
          ];
          for (const [key, text] of ends) {
            const address = parseIPv4(text);
            if (address !== undefined && !contains(network.block, address)) {
              report({ path: dhcp.path.concat(key), message: `DHCP range ${key} ${text} is outside ${describe(network)}`, hint: `Set dhcp.${key} of interface ${iface.name} to an address inside ${network.cidr}.` });
            }
          }
          const from = parseIPv4(dhcp.from);
          const to = parseIPv4(dhcp.to);
          if (from !== undefined && to !== undefined && from > to) {
            // Swapping is the fix only when both ends are in the network (else the ends are reported first).
            const swap = contains(network.block, from) && contains(network.block, to);
            report({ path: dhcp.path.concat('to'), message: `DHCP range of ${iface.name} ends (${dhcp.to}) before it starts (${dhcp.from})`, ...(swap ? { hint: `Write from: ${dhcp.to}, to: ${dhcp.from}.` } : {}) });
          }
          for (const entry of dhcp.static) {
            const address = parseIPv4(entry.address);
            if (address !== undefined && !contains(network.block, address)) {
              report({
                path: entry.path.concat('address'),
                message: `DHCP reservation ${entry.name}: ${entry.address} is outside ${describe(network)}`,
                hint: `Give reservation ${entry.name} an address inside ${network.cidr}, or move it to the DHCP of the interface whose network holds ${entry.address}.`,
              });
            }
          }
        }
      }
    },
  },
  {
    id: 'dhcp/range-conflict',
    severity: 'error',
    summary: "A DHCP server's dynamic range covers the firewall's own address or a statically addressed host or service.",
    why: "The DHCP server leases addresses of its range to any client: one lease of the firewall's address or of a static host's takes that address over on the network (duplicate address, traffic to the wrong machine).",
    hint: 'Narrow the range with dhcp.from / dhcp.to so it leaves the static addresses out, or move the static address out of the range.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].services[web2]',
        bad: '{ name: web2, network: websvc, address: 192.168.20.200, port: 80 }',
        good: '{ name: web2, network: websvc, address: 192.168.20.12, port: 80 }',
      },
    ],
    check(model, report) {
      for (const { iface, range, use } of addressesInRanges(model)) {
        if (use.owner.startsWith('DHCP reservation')) continue;
        report({
          path: use.path,
          message: `${use.owner}: ${use.text} is inside the DHCP range ${iface.dhcp!.from}-${iface.dhcp!.to} of ${iface.name}`,
          related: [{ message: 'the DHCP range is declared here', path: range }],
          hint: `Narrow the DHCP range of ${iface.name} (dhcp.from / dhcp.to) so that it leaves ${use.text} out, or give ${use.owner} an address outside ${iface.dhcp!.from}-${iface.dhcp!.to}.`,
        });
      }
    },
  },
  {
    id: 'dhcp/reservation-in-range',
    severity: 'warning',
    summary: "A DHCP reservation's address is inside the dynamic range.",
    why: 'dnsmasq (the default from OPNsense 25.7) keeps a reserved address for its MAC; ISC dhcpd does not take a static mapping out of the pool, so while the device is away the address can be leased to another client, and the device then gets a random one.',
    hint: 'Reserve addresses outside the range (dhcp.from / dhcp.to), or silence the finding with gen-ignore where dnsmasq serves the network.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].firewall.interfaces[vpssvc]',
        bad: 'dhcp:\n  from: 192.168.30.100\n  to: 192.168.30.199\n  dns: [1.1.1.1, 9.9.9.9]\n  static:\n    - { name: nas, mac: "02:00:00:00:00:01", address: 192.168.30.150 }',
        good: 'dhcp:\n  from: 192.168.30.100\n  to: 192.168.30.199\n  dns: [1.1.1.1, 9.9.9.9]\n  static:\n    - { name: nas, mac: "02:00:00:00:00:01", address: 192.168.30.50 }',
      },
    ],
    check(model, report) {
      for (const { iface, range, use } of addressesInRanges(model)) {
        if (!use.owner.startsWith('DHCP reservation')) continue;
        report({
          path: use.path,
          message: `${use.owner}: ${use.text} is inside the DHCP range ${iface.dhcp!.from}-${iface.dhcp!.to} of ${iface.name}`,
          related: [{ message: 'the DHCP range is declared here', path: range }],
          hint: `Give ${use.owner} an address of ${iface.name} outside ${iface.dhcp!.from}-${iface.dhcp!.to}, or silence the finding with gen-ignore if dnsmasq serves ${iface.name}.`,
        });
      }
    },
  },
];
