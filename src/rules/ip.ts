// IP-plan rules: overlaps (sort and sweep), VPC containment, reserved and
// duplicate addresses, DHCP ranges.
import type { Model, Network } from '../model.js';
import { blockLast, contains, containsBlock, parseIPv4, reservedAddresses } from '../net.js';
import type { Rule } from './rule.js';

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
    const container = stack[stack.length - 1];
    if (container && network.parent !== container.id) pairs.push([container, network]);
    stack.push(network);
  }
  return pairs;
}

export const ipRules: Rule[] = [
  {
    id: 'ip/overlap',
    severity: 'error',
    summary: 'Two networks overlap (on-prem, VPN tunnel, VPC, subnets, remote networks).',
    why: 'Overlapping networks make routing ambiguous: traffic for one goes to the other, or nowhere (seed 003 gave two subnets 10.30.1.0/24).',
    hint: 'Give one of the networks a free range.',
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
    check(model, report) {
      const byId = new Map(model.networks.map((n) => [n.id, n]));
      for (const use of model.addresses) {
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
    summary: 'Two things use the same address (interfaces, hosts, services, peers, reservations).',
    why: 'An address conflict makes both unreachable at random (ARP flapping, a peer shadowing another).',
    hint: 'Give one of them another address; for peers `gen wg add-peer` picks the next free one.',
    check(model, report) {
      const first = new Map<number, (typeof model.addresses)[number]>();
      for (const use of model.addresses) {
        const earlier = first.get(use.address);
        if (!earlier) {
          first.set(use.address, use);
          continue;
        }
        report({
          path: use.path,
          message: `${use.owner} uses ${use.text}, already used by ${earlier.owner}`,
          related: [{ message: `${earlier.owner} uses it here`, path: earlier.path }],
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
    check(model, report) {
      for (const site of model.sites) {
        for (const iface of site.firewall?.interfaces ?? []) {
          const dhcp = iface.dhcp;
          const network = site.networks.find((n) => n.id === iface.network);
          if (!dhcp || !network) continue;
          const ends: ['from' | 'to', string][] = [
            ['from', dhcp.from],
            ['to', dhcp.to],
          ];
          for (const [key, text] of ends) {
            const address = parseIPv4(text);
            if (address !== undefined && !contains(network.block, address)) {
              report({ path: [...dhcp.path, key], message: `DHCP range ${key} ${text} is outside ${describe(network)}` });
            }
          }
          const from = parseIPv4(dhcp.from);
          const to = parseIPv4(dhcp.to);
          if (from !== undefined && to !== undefined && from > to) {
            report({ path: [...dhcp.path, 'to'], message: `DHCP range of ${iface.name} ends (${dhcp.to}) before it starts (${dhcp.from})` });
          }
          for (const entry of dhcp.static) {
            const address = parseIPv4(entry.address);
            if (address !== undefined && !contains(network.block, address)) {
              report({ path: [...entry.path, 'address'], message: `DHCP reservation ${entry.name}: ${entry.address} is outside ${describe(network)}` });
            }
          }
        }
      }
    },
  },
  {
    id: 'dhcp/range-conflict',
    severity: 'warning',
    summary: "A statically addressed host or service sits inside a DHCP server's dynamic range.",
    why: 'The DHCP server may lease the same address to another client.',
    hint: 'Move the static address out of the range, or narrow the range with dhcp.from / dhcp.to.',
    check(model, report) {
      const byNetwork = new Map<string, (typeof model.addresses)[number][]>();
      for (const use of model.addresses) {
        if (!use.network) continue;
        // Appended in place: copying the list for each address took n² steps for 10,000 peers.
        const list = byNetwork.get(use.network);
        if (list) list.push(use);
        else byNetwork.set(use.network, [use]);
      }
      for (const site of model.sites) {
        for (const iface of site.firewall?.interfaces ?? []) {
          if (!iface.dhcp || !iface.network) continue;
          const from = parseIPv4(iface.dhcp.from);
          const to = parseIPv4(iface.dhcp.to);
          if (from === undefined || to === undefined) continue;
          for (const use of byNetwork.get(iface.network) ?? []) {
            if (use.owner.startsWith('DHCP reservation')) continue;
            if (use.address >= from && use.address <= to) {
              report({
                path: use.path,
                message: `${use.owner}: ${use.text} is inside the DHCP range ${iface.dhcp.from}-${iface.dhcp.to} of ${iface.name}`,
                related: [{ message: 'the DHCP server is declared here', path: iface.dhcp.path }],
              });
            }
          }
        }
      }
    },
  },
];
