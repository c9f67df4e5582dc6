// Proxmox hosts: bridges with their addresses and the firewall interfaces
// attached to them, the VLANs each bridge must carry, the host's default
// gateway, and the routes to networks the host reaches only through the
// firewall (the return route nobody remembers).
import type { Path } from '../location.js';
import type { Bridge, Firewall, FirewallInterface, Host, HostBond, HostNic, Network, Route } from '../model.js';
import { parseAddressWithPrefix } from '../net.js';
import { PVE_ALL_VIDS, PVE_VID_MIN, addressedLinks } from '../targets/proxmox/interfaces.js';
import { compareText } from '../text-order.js';
import type { HostInput } from '../topology.js';
import type { BlockIndex } from './block-index.js';
import type { ResolveContext } from './context.js';
import type { Attachment } from './guests.js';

/** The firewall's interfaces on each bridge name: its NICs, and the VLANs on them, in interface order. */
export function firewallOnBridges(firewall: Firewall | undefined): Map<string, { devices: FirewallInterface[]; vlans: FirewallInterface[] }> {
  const byBridge = new Map<string, { devices: FirewallInterface[]; vlans: FirewallInterface[] }>();
  const bridgesOf = new Map<string, Set<string>>();
  for (const f of firewall?.interfaces ?? []) {
    if (f.kind !== 'device' || f.bridge === undefined) continue;
    if (!byBridge.has(f.bridge)) byBridge.set(f.bridge, { devices: [], vlans: [] });
    byBridge.get(f.bridge)!.devices.push(f);
    if (!bridgesOf.has(f.name)) bridgesOf.set(f.name, new Set());
    bridgesOf.get(f.name)!.add(f.bridge);
  }
  for (const f of firewall?.interfaces ?? []) {
    for (const bridge of f.vlan ? (bridgesOf.get(f.vlan.parent) ?? []) : []) byBridge.get(bridge)!.vlans.push(f);
  }
  return byBridge;
}

export function resolveHost(
  input: HostInput,
  site: string,
  path: Path,
  ctx: ResolveContext,
  siteNetworks: BlockIndex<Network>,
  firewall: Firewall | undefined,
  firewallHost: string | undefined,
  onBridges: ReturnType<typeof firewallOnBridges>,
  attach: (network: string | undefined) => Attachment | undefined,
): Host {
  ctx.name('Proxmox host', `site ${site}`, input.name, path);
  const runsFirewall = firewall !== undefined && firewallHost === input.name;
  const bridges: Bridge[] = (input.bridges ?? []).map((bridge, i) => {
    const bpath = path.concat('bridges', i);
    ctx.name('bridge', `host ${input.name}`, bridge.name, bpath, site);
    // The firewall's NICs and VLANs on a bridge of this name. Every host of the
    // site carries them on its bridge of the same name: a guest migrates only
    // to a bridge of the same name, and the trunk from the switch is the same.
    const { devices: onBridge, vlans } = onBridges.get(bridge.name) ?? { devices: [], vlans: [] };
    const attached = runsFirewall ? [...onBridge, ...vlans] : [];
    const requiredVlans = [...new Set(vlans.map((v) => v.vlan!.tag))].sort((a, b) => a - b);
    const vidsExplicit = bridge.vids !== undefined;
    const vlanAware = bridge.vlan_aware ?? (requiredVlans.length > 0 || vidsExplicit);
    // VLAN 1 is the bridge's untagged native VLAN (PVID 1), carried without
    // being listed; Proxmox VE's API refuses it in bridge-vids.
    const tagged = requiredVlans.filter((tag) => tag >= PVE_VID_MIN).map(String);
    const vids = vidsExplicit ? bridge.vids!.map(String) : vlanAware ? (tagged.length ? tagged : [PVE_ALL_VIDS]) : [];

    const { address, prefix, network } = bridge.address !== undefined ? hostAddress(bridge.address, `bridge ${bridge.name}`, input.name, bpath.concat('address'), ctx, siteNetworks) : {};
    const gateway = bridge.gateway !== undefined ? ctx.ipv4(bridge.gateway, bpath.concat('gateway')) : undefined;
    // Where the firewall serves the address's network, as for a guest on it.
    // Untagged host traffic on a VLAN-aware bridge is VLAN 1 (the bridge's
    // own port has PVID 1), so an address in a VLAN network goes on the
    // bridge's VLAN device for the tag, never on the bridge itself.
    const servedOn = network ? attach(network.id) : undefined;
    const addressVlan = servedOn?.bridge === bridge.name ? servedOn.tag : undefined;
    return {
      name: bridge.name,
      description: bridge.description,
      ports: bridge.ports ?? [],
      vlanAware,
      vids,
      vidsExplicit,
      requiredVlans,
      address,
      prefix,
      network: network?.id,
      networkBridge: servedOn?.bridge,
      addressVlan,
      firewallInterfaces: attached.map((f) => f.name),
      gateway: gateway !== undefined ? bridge.gateway : undefined,
      mtu: bridge.mtu,
      path: bpath,
    };
  });
  const nics: HostNic[] = (input.nics ?? []).map((nic, i) => {
    const npath = path.concat('nics', i);
    ctx.name('NIC', `host ${input.name}`, nic.name, npath, site);
    const { address, prefix, network } = hostAddress(nic.address, `NIC ${nic.name}`, input.name, npath.concat('address'), ctx, siteNetworks);
    return { name: nic.name, description: nic.description, address, prefix, network: network?.id, mtu: nic.mtu, path: npath };
  });
  const bonds: HostBond[] = (input.bonds ?? []).map((bond, i) => {
    const bpath = path.concat('bonds', i);
    ctx.name('bond', `host ${input.name}`, bond.name, bpath, site);
    const { address, prefix, network } = bond.address !== undefined ? hostAddress(bond.address, `bond ${bond.name}`, input.name, bpath.concat('address'), ctx, siteNetworks) : {};
    return {
      name: bond.name,
      description: bond.description,
      slaves: bond.slaves,
      mode: bond.mode,
      xmitHashPolicy: bond.xmit_hash_policy,
      primary: bond.primary,
      address,
      prefix,
      network: network?.id,
      mtu: bond.mtu,
      path: bpath,
    };
  });
  return { name: input.name, description: input.description, ports: input.ports ?? [], bridges, nics, bonds, routes: [], unrouted: [], path };
}

/**
 * A host address with prefix (on a bridge or a NIC), checked like every
 * address: its network must have the same prefix, and it joins the site's
 * address uses (duplicates, network and broadcast addresses).
 */
function hostAddress(text: string, device: string, host: string, apath: Path, ctx: ResolveContext, siteNetworks: BlockIndex<Network>): { address?: string; prefix?: number; network?: Network } {
  const parsed = parseAddressWithPrefix(text);
  if (!parsed) {
    ctx.report({ rule: 'ip/invalid', path: apath, message: `"${text}" is not an address with prefix (e.g. 10.0.0.254/24)` });
    return {};
  }
  const network = siteNetworks.smallest(parsed.address);
  if (network && network.block.prefix !== parsed.block.prefix) {
    ctx.report({ rule: 'ip/prefix-mismatch', path: apath, message: `${device}: ${text} has prefix /${parsed.block.prefix} but its network ${network.name} is ${network.cidr}` });
  }
  ctx.address(parsed.text, `host ${host} ${device}`, apath, { network: network?.id });
  return { address: parsed.text, prefix: parsed.block.prefix, network };
}

/**
 * Decides the host's default gateway and its routes. The default goes to an
 * explicit bridge gateway, else to the upstream gateway of the WAN network,
 * else to the firewall. When it does not go to the firewall, every network
 * behind the firewall that the host has no address on gets a route via the
 * firewall's address on the first bridge that faces it (a bridge that merely
 * carries the network, as vmbr2 carries the service network for the firewall
 * VM, is no way in for the host itself).
 */
export function deriveHostRouting(host: Host, networks: ReadonlyMap<string, Network>, behindFirewall: readonly string[]): void {
  const addressed = host.bridges.filter((b) => b.address !== undefined);
  const explicit = addressed.find((b) => b.gateway !== undefined);
  const upstream = addressed.find((b) => b.network && networks.get(b.network)?.kind === 'wan' && networks.get(b.network)?.gateway);
  const facing = addressed.find((b) => b.network && networks.get(b.network)?.kind === 'internal');
  const facingGateway = facing?.network ? networks.get(facing.network)?.firewallAddress : undefined;

  if (explicit) {
    host.defaultGateway = { address: explicit.gateway!, bridge: explicit.name };
  } else if (upstream) {
    host.defaultGateway = { address: networks.get(upstream.network!)!.gateway!, bridge: upstream.name };
  } else if (facing && facingGateway) {
    host.defaultGateway = { address: facingGateway, bridge: facing.name };
  }
  // Attached means the host has an address there: a bridge that only carries
  // a firewall network (the host has no address on it) gives the host no way
  // into that network except through the firewall.
  // A NIC's or bond's own network is on-link too: a route via the firewall would replace its connected route.
  const attached = new Set(addressed.flatMap((b) => (b.network ? [b.network] : [])).concat(addressedLinks(host).flatMap(({ link }) => (link.network ? [link.network] : []))));
  if (!facing || !facingGateway) {
    // Only the WAN side: a route via the firewall's WAN address would meet its
    // block of private sources and a policy that passes nothing in from the WAN.
    if (addressed.length > 0) {
      host.unrouted = behindFirewall.flatMap((id) => {
        const network = networks.get(id);
        return network && !attached.has(id) ? [{ network: id, cidr: network.cidr, base: network.block.base }] : [];
      }).sort((a, b) => a.base - b.base).map(({ network, cidr }) => ({ network, cidr }));
    }
    return;
  }
  if (host.defaultGateway?.address === facingGateway) return;

  const routes: Route[] = [];
  for (const id of behindFirewall) {
    const network = networks.get(id);
    if (!network || attached.has(id)) continue;
    routes.push({ destination: network.cidr, via: facingGateway, bridge: facing.name, network: id });
  }
  routes.sort((a, b) => networks.get(a.network)!.block.base - networks.get(b.network)!.block.base || compareText(a.destination, b.destination));
  host.routes = routes;
}
