// What each WireGuard instance's clients may reach, and so their AllowedIPs.
// By default it is exactly what the policy passes from the VPN's zone; a
// written `reach` list is checked against the policy instead.
import type { Path } from '../location.js';
import type { Network, Policy, WireguardInstance } from '../model.js';
import { aggregate } from '../net.js';
import type { WireguardInput } from '../topology.js';
import type { ResolveContext } from './context.js';

/** The AllowedIPs of a full tunnel: every IPv4 and every IPv6 destination. */
export const FULL_TUNNEL = ['0.0.0.0/0', '::/0'] as const;

export function resolveReach(
  instance: WireguardInstance,
  input: WireguardInput,
  policy: Policy,
  networks: ReadonlyMap<string, Network>,
  networksById: ReadonlyMap<string, Network>,
  ctx: ResolveContext,
): void {
  const passed = passedFrom(instance.network, policy);
  const reach: WireguardInstance['reach'] = [];
  if (input.reach) {
    const zones = new Map(policy.zones.map((z) => [z.name, z]));
    input.reach.forEach((name, i) => {
      const rpath: Path = [...instance.path, 'reach', i];
      const ids = zones.get(name)?.networks ?? (networks.has(name) ? [networks.get(name)!.id] : undefined);
      if (!ids) {
        ctx.report({ rule: 'ref/unknown', path: rpath, message: `zone or network "${name}" does not exist` });
        return;
      }
      for (const id of ids) reach.push({ network: id, cidr: networksById.get(id)!.cidr, passed: passed.has(id), path: rpath });
    });
  } else {
    for (const id of passed) reach.push({ network: id, cidr: networksById.get(id)!.cidr, passed: true, path: instance.path });
  }
  reach.sort((a, b) => networksById.get(a.network)!.block.base - networksById.get(b.network)!.block.base);
  instance.reach = reach;
  // Contained networks are dropped but siblings are not joined: each
  // network stays recognisable in the client file (10.0.0.0/24, not /23).
  // A full tunnel takes IPv6 too (the wg-quick convention): the tunnel has no
  // IPv6, so the client's IPv6 is dropped in it instead of bypassing it.
  instance.allowedIps =
    instance.tunnel === 'full' ? [...FULL_TUNNEL] : aggregate(reach.map((r) => networksById.get(r.network)!.block)).map((b) => b.cidr);
}

/**
 * Networks that a pass rule from a zone holding `vpnNetwork` lets through.
 * Rules match first to last: a block of all traffic to a network before the
 * pass leaves it unreachable (a block of some ports does not).
 */
function passedFrom(vpnNetwork: string, policy: Policy): Set<string> {
  const result = new Set<string>();
  const blocked = new Set<string>();
  for (const rule of policy.rules) {
    if (rule.from.kind !== 'zone' || !rule.fromNetworks.includes(vpnNetwork)) continue;
    // "internet" excludes the internal networks by definition; a block of
    // "self" (the firewall) leaves the other addresses of the tunnel reachable.
    if (rule.action !== 'pass') {
      if (rule.proto === 'any' && rule.ports.length === 0) for (const id of rule.toNetworks) if (!result.has(id)) blocked.add(id);
      continue;
    }
    const targets = rule.to.kind === 'self' ? [vpnNetwork, ...rule.toNetworks] : rule.toNetworks;
    for (const id of targets) if (!blocked.has(id)) result.add(id);
  }
  return result;
}
