// WireGuard instances: the tunnel network, the address plan by role, the
// peers, and the next free address per role. What the VPN may reach is
// filled in by resolve/reach.ts once the policy is known.
import type { Path } from '../location.js';
import type { Network, Peer, WireguardInstance, WireguardRole } from '../model.js';
import { contains, formatIPv4, parseAddressWithPrefix, parseIPv4 } from '../net.js';
import type { WireguardInput } from '../topology.js';
import { type ResolveContext, indexByName, pathTo } from './context.js';
import { DEFAULT_KEEPALIVE } from '../targets/wireguard/keepalive.js';

export function resolveWireguardInstance(
  input: WireguardInput,
  site: string,
  path: Path,
  ctx: ResolveContext,
  networkName: string | undefined,
): WireguardInstance | undefined {
  ctx.name('WireGuard instance', `site ${site}`, input.name, path);
  const parsed = parseAddressWithPrefix(input.address);
  if (!parsed) {
    ctx.report({ rule: 'ip/invalid', path: path.concat('address'), message: `"${input.address}" is not an address with prefix (e.g. 10.0.1.1/24)` });
    return undefined;
  }
  const name = networkName ?? input.name;
  const network: Network = {
    id: `${site}/${name}`,
    name,
    site,
    kind: 'vpn',
    block: parsed.block,
    cidr: parsed.block.cidr,
    firewallAddress: parsed.text,
    gateway: parsed.text,
    path: path.concat('address'),
  };
  ctx.networks.push(network);
  ctx.address(parsed.text, `WireGuard instance ${input.name}`, path.concat('address'), { network: network.id, isGateway: true });

  const roles: WireguardRole[] = [];
  (input.roles ?? []).forEach((role, i) => {
    const rolePath = path.concat('roles', i);
    ctx.name('WireGuard role', `instance ${input.name}`, role.name, rolePath, site);
    const first = ctx.ipv4(role.from, rolePath.concat('from'));
    const last = ctx.ipv4(role.to, rolePath.concat('to'));
    if (first === undefined || last === undefined) return;
    if (first > last) {
      ctx.report({ rule: 'wg/role-range', path: rolePath.concat('to'), message: `role ${role.name}: range ends (${role.to}) before it starts (${role.from})`, hint: `Write from: ${role.to}, to: ${role.from}.` });
      return;
    }
    roles.push({ name: role.name, from: role.from, to: role.to, first, last, description: role.description, path: rolePath });
  });

  const roleIndex = indexByName(roles);
  const keepalive = input.keepalive ?? DEFAULT_KEEPALIVE;
  const peers: Peer[] = [];
  const scope = `instance ${input.name}`;
  const inNetwork = { network: network.id };
  (input.peers ?? []).forEach((peer, i) => {
    const peerPath = pathTo(path, 'peers', i);
    ctx.name('WireGuard peer', scope, peer.name, peerPath, site);
    // The path of the role only for one that does not exist, which the lookup reports: one per peer was made and dropped.
    if ((roles.length > 0 || input.roles !== undefined) && !roleIndex.has(peer.role)) ctx.lookup(roleIndex, peer.role, 'role', pathTo(peerPath, 'role'));
    ctx.address(peer.address, `peer ${peer.name}`, pathTo(peerPath, 'address'), inNetwork);
    peers.push({
      name: peer.name,
      tunnelName: peer.tunnel_name ?? peer.name,
      role: peer.role,
      address: peer.address,
      publicKey: peer.public_key,
      enabled: peer.enabled ?? true,
      keepalive: peer.keepalive ?? keepalive,
      presharedKey: peer.preshared_key ?? input.preshared_key ?? false,
      keyDate: peer.key_date,
      description: peer.description,
      reach: [],
      allowedIps: [],
      path: peerPath,
    });
  });

  return {
    name: input.name,
    device: input.name,
    number: Number(input.name.slice(2)),
    description: input.description,
    listenPort: input.listen_port,
    address: parsed.text,
    prefix: parsed.block.prefix,
    network: network.id,
    block: parsed.block,
    mtu: input.mtu ?? 1420,
    publicKey: input.public_key,
    endpoint: input.endpoint,
    endpointPort: input.endpoint_port ?? input.listen_port,
    // `true` means the firewall's WAN address, filled in once the firewall is resolved.
    lanEndpoint: input.lan_endpoint === true ? undefined : input.lan_endpoint,
    keepalive,
    presharedKey: input.preshared_key ?? false,
    keyRotationDays: input.key_rotation_days,
    idlePeerDays: input.idle_peer_days ?? 90,
    tunnel: input.tunnel ?? 'split',
    dns: input.dns ?? [],
    clientDns: (input.tunnel ?? 'split') === 'full' ? (input.dns ?? []) : [],
    interface: networkName,
    roles,
    peers,
    nextFree: nextFreeByRole(roles, peers, parsed.address, network.block),
    path,
  };
}

/** The lowest address of each role's range that no peer and not the firewall uses. */
function nextFreeByRole(
  roles: readonly WireguardRole[],
  peers: readonly Peer[],
  firewall: number,
  tunnel: WireguardInstance['block'],
): Record<string, string | null> {
  const used = new Set<number>([firewall]);
  // Indexed: a for-of steps an iterator per peer until V8 optimizes the loop (src/arrays.ts).
  for (let p = 0; p < peers.length; p++) {
    const address = parseIPv4(peers[p]!.address);
    if (address !== undefined) used.add(address);
  }
  const result: Record<string, string | null> = {};
  for (const role of roles) {
    let free: string | null = null;
    for (let a = role.first; a <= role.last; a++) {
      if (!used.has(a) && contains(tunnel, a) && a !== tunnel.base && a !== tunnel.base + tunnel.size - 1) {
        free = formatIPv4(a);
        break;
      }
    }
    result[role.name] = free;
  }
  return result;
}
