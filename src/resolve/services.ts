// Services on the site's networks: each lands in exactly one network, named
// or found from its address.
import type { Path } from '../location.js';
import type { Network, Service } from '../model.js';
import { contains, parseIPv4 } from '../net.js';
import type { ServiceInput } from '../topology.js';
import { BlockIndex } from './block-index.js';
import { type ResolveContext, knownNames } from './context.js';

/** Networks by their block, to find the one that holds an address (the smallest block; of equal ones, the first). */
export function networksByBlock(networks: Iterable<Network>): BlockIndex<Network> {
  const index = new BlockIndex<Network>();
  for (const network of networks) index.add(network.block, network);
  return index;
}

export function resolveServices(
  inputs: readonly ServiceInput[],
  site: string,
  path: Path,
  ctx: ResolveContext,
  networks: ReadonlyMap<string, Network>,
  hosts: ReadonlySet<string>,
): Service[] {
  const byBlock = networksByBlock(networks.values());
  return inputs.map((input, i) => {
    const spath = path.concat(i);
    ctx.name('service', `site ${site}`, input.name, spath);
    const address = parseIPv4(input.address);
    let network: Network | undefined;
    if (input.network !== undefined) {
      network = ctx.lookup(networks, input.network, 'network', spath.concat('network'));
      if (network && address !== undefined && !contains(network.block, address)) {
        const holder = byBlock.smallest(address);
        ctx.report({
          rule: 'ip/address-outside-network',
          path: spath.concat('address'),
          message: `service ${input.name}: ${input.address} is outside its network ${network.name} (${network.cidr})`,
          hint: `Give service ${input.name} an address inside ${network.cidr}${holder ? `, or set network: ${holder.name}, which holds ${input.address}` : ''}.`,
        });
      }
    } else if (address !== undefined) {
      network = byBlock.smallest(address);
      if (!network) {
        ctx.report({
          rule: 'ip/address-outside-network',
          path: spath.concat('address'),
          message: `service ${input.name}: ${input.address} is in none of site ${site}'s networks`,
          hint: `Give service ${input.name} an address in one of the networks of site ${site} (${[...networks.values()].slice(0, 4).map((n) => `${n.name} ${n.cidr}`).join(', ')}), or declare its network.`,
        });
      }
    }
    ctx.address(input.address, `service ${input.name}`, spath.concat('address'), { network: network?.id });
    if (input.host !== undefined && !hosts.has(input.host)) {
      ctx.report({ rule: 'ref/unknown', path: spath.concat('host'), message: `Proxmox host "${input.host}" does not exist (known: ${knownNames(hosts, hosts.size) || 'none'})` });
    }
    return {
      name: input.name,
      description: input.description,
      network: network?.id,
      address: input.address,
      port: input.port,
      proto: input.proto ?? 'tcp',
      container: input.container,
      vm: input.vm,
      host: input.host,
      path: spath,
    };
  });
}
