// The firewall: interface assignments (keys, devices, VLAN devices),
// each addressed interface's network, DHCP ranges and NAT port forwards.
import type { Path } from '../location.js';
import type { Dhcp, Firewall, FirewallInterface, Network, OutboundNatRule, PortForward, Service, WireguardInstance } from '../model.js';
import { type Block, blockLast, containsBlock, formatIPv4, parseAddressWithPrefix, parseCidr } from '../net.js';
import { DEFAULT_ANTI_LOCKOUT_PORTS } from '../targets/opnsense/anti-lockout.js';
import { blockedAsPrivate, blockedAsPrivateBlock } from '../targets/opnsense/block-private.js';
import { DEFAULT_RELEASE, knownReleases, releaseFacts } from '../targets/opnsense/releases.js';
import type { FirewallInput, FirewallInterfaceInput } from '../topology.js';
import { BlockIndex } from './block-index.js';
import { type ResolveContext, indexByName, knownNames } from './context.js';

/** Interface keys in OPNsense's order: wan, lan, then the first free optN. */
function assignKeys(interfaces: readonly FirewallInterfaceInput[]): string[] {
  const taken = new Set(interfaces.map((i) => i.assign).filter((k): k is string => k !== undefined));
  const defaults = ['wan', 'lan'];
  let opt = 1;
  return interfaces.map((iface, index) => {
    if (iface.assign) return iface.assign;
    const preferred = defaults[index];
    if (preferred && !taken.has(preferred)) {
      taken.add(preferred);
      return preferred;
    }
    while (taken.has(`opt${opt}`)) opt++;
    taken.add(`opt${opt}`);
    return `opt${opt}`;
  });
}

/**
 * Whether an instance's -lan clients arrive on the WAN from private
 * addresses: its LAN endpoint is private, on the WAN's network (any, for a
 * DHCP WAN, whose network gen does not know) and on no network behind the
 * firewall (an endpoint there, the firewall's lan address say, is reached
 * from that side).
 */
export function lanClientsOnWan(interfaces: readonly FirewallInterface[], instance: WireguardInstance): boolean {
  const endpoint = instance.lanEndpoint;
  if (endpoint === undefined || !blockedAsPrivate(endpoint)) return false;
  const at = parseCidr(`${endpoint}/32`);
  if (!at.ok) return false;
  const holds = (i: FirewallInterface) => {
    if (i.address === undefined || i.prefix === undefined) return false;
    const net = parseAddressWithPrefix(`${i.address}/${i.prefix}`);
    return net !== undefined && containsBlock(net.block, at.block);
  };
  if (interfaces.some((i) => !i.isWan && holds(i))) return false;
  const wan = interfaces.find((i) => i.isWan);
  return wan !== undefined && (wan.addressing === 'dhcp' || holds(wan));
}

/** OPNsense keeps only [A-Za-z0-9_] of a description: derive one from the name. */
export function descriptionFromName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

export function resolveFirewall(
  input: FirewallInput,
  site: string,
  path: Path,
  ctx: ResolveContext,
  wireguard: ReadonlyMap<string, WireguardInstance>,
): Firewall {
  const release = input.release ?? DEFAULT_RELEASE;
  const facts = releaseFacts(release);
  if (!facts) {
    ctx.report({ rule: 'firewall/release', path: path.concat('release'), message: `gen does not know OPNsense ${release}; known releases: ${knownReleases()}` });
  }
  const keys = assignKeys(input.interfaces);
  const inputs = indexByName(input.interfaces);
  const vlanDevices = vlanDeviceNames(input.interfaces);
  const interfaces: FirewallInterface[] = [];

  input.interfaces.forEach((iface, i) => {
    const ipath = path.concat('interfaces', i);
    const key = keys[i]!;
    ctx.name('firewall interface', `site ${site}`, iface.name, ipath);
    ctx.names.push({ kind: 'OPNsense interface key', scope: `site ${site}`, name: key, path: ipath, field: iface.assign ? 'assign' : 'name' });

    const kinds = [iface.device && 'device', iface.vlan && 'vlan', iface.wireguard && 'wireguard'].filter(Boolean) as FirewallInterface['kind'][];
    if (kinds.length !== 1) {
      ctx.report({
        rule: 'firewall/interface-kind',
        path: ipath,
        message: `interface ${iface.name} needs exactly one of device, vlan or wireguard (has ${kinds.length ? kinds.join(', ') : 'none'})`,
      });
    }
    const kind = kinds[0] ?? 'device';
    let device = iface.device ?? '';
    let vlan: FirewallInterface['vlan'];
    if (kind === 'vlan' && iface.vlan) {
      const parent = ctx.lookup(inputs, iface.vlan.parent, 'VLAN parent interface', ipath.concat('vlan', 'parent'));
      device = vlanDevices.get(iface.name) ?? '';
      vlan = { parent: iface.vlan.parent, parentDevice: parent?.device ?? '', tag: iface.vlan.tag, pcp: iface.vlan.pcp ?? 0 };
    }
    let wgInstance: WireguardInstance | undefined;
    if (kind === 'wireguard' && iface.wireguard) {
      wgInstance = ctx.lookup(wireguard, iface.wireguard, 'WireGuard instance', ipath.concat('wireguard'));
      device = iface.wireguard;
    }

    const isWan = key === 'wan';
    let addressing: FirewallInterface['addressing'] = 'none';
    let address: string | undefined;
    let prefix: number | undefined;
    let network: Network | undefined;
    if (iface.address === 'dhcp') {
      addressing = 'dhcp';
    } else if (iface.address !== undefined) {
      const parsed = parseAddressWithPrefix(iface.address);
      if (!parsed) {
        ctx.report({ rule: 'ip/invalid', path: ipath.concat('address'), message: `"${iface.address}" is not an address with prefix (e.g. 10.0.0.1/24)` });
      } else {
        addressing = 'static';
        address = parsed.text;
        prefix = parsed.block.prefix;
        network = {
          id: `${site}/${iface.name}`,
          name: iface.name,
          site,
          kind: isWan ? 'wan' : 'internal',
          block: parsed.block,
          cidr: parsed.block.cidr,
          firewallAddress: parsed.text,
          gateway: isWan ? iface.gateway : parsed.text,
          path: ipath.concat('address'),
        };
        ctx.networks.push(network);
        ctx.address(parsed.text, `firewall interface ${iface.name}`, ipath.concat('address'), { network: network.id, isGateway: true });
      }
    }
    if (kind === 'wireguard' && iface.address !== undefined) {
      ctx.report({
        rule: 'wg/interface-address',
        path: ipath.concat('address'),
        message: `interface ${iface.name} assigns a WireGuard instance and cannot have an IP configuration (the tunnel address belongs to the instance)`,
      });
    }
    if (iface.gateway !== undefined) {
      const gw = ctx.ipv4(iface.gateway, ipath.concat('gateway'));
      if (gw !== undefined && network && (gw < network.block.base || gw > blockLast(network.block))) {
        ctx.report({
          rule: 'ip/address-outside-network',
          path: ipath.concat('gateway'),
          message: `gateway ${iface.gateway} of interface ${iface.name} is outside its network ${network.cidr}`,
          hint: `Set gateway of interface ${iface.name} to the router's address inside ${network.cidr}, or correct the interface's address.`,
        });
      }
    }

    interfaces.push({
      name: iface.name,
      key,
      description: iface.description ?? descriptionFromName(iface.name),
      kind,
      device,
      bridge: iface.bridge,
      vlan,
      wireguard: wgInstance?.name,
      addressing,
      address,
      prefix,
      network: kind === 'wireguard' ? wgInstance?.network : network?.id,
      gateway: iface.gateway,
      isWan,
      mtu: iface.mtu,
      // A WAN on a network "block private networks" drops sits behind another router: its upstream would be dropped.
      blockPrivate: iface.block_private ?? (isWan && !(network && blockedAsPrivateBlock(network.block))),
      blockBogons: iface.block_bogons ?? isWan,
      dhcp: iface.dhcp ? resolveDhcp(iface, network, ipath.concat('dhcp'), ctx) : undefined,
      path: ipath,
    });
  });

  // OPNsense's "Block private networks" on the WAN runs before every rule gen writes: the clients of a LAN endpoint
  // on the WAN's side would be dropped there, so the WAN's default leaves it off when an instance has one.
  const wan = interfaces.find((i) => i.isWan);
  const wanInput = input.interfaces.find((i) => i.name === wan?.name);
  if (wan?.blockPrivate && wanInput?.block_private === undefined && [...wireguard.values()].some((w) => lanClientsOnWan(interfaces, w))) wan.blockPrivate = false;

  const byName = indexByName(interfaces);
  const firewall: Firewall = {
    name: input.name ?? 'opnsense',
    description: input.description,
    release: facts ? release : DEFAULT_RELEASE,
    series: (facts ?? releaseFacts(DEFAULT_RELEASE)!).series,
    dhcpServer: input.dhcp_server ?? 'dnsmasq',
    publicAddress: input.public_address,
    vm: input.vm && { id: input.vm.id, host: input.vm.host, cores: input.vm.cores, memoryMb: input.vm.memory_mb },
    interfaces,
    groups: (input.groups ?? []).map((group, i) => {
      const gpath = path.concat('groups', i);
      group.members.forEach((member, m) => ctx.lookup(byName, member, 'group member interface', gpath.concat('members', m)));
      ctx.name('interface group', `site ${site}`, group.name, gpath);
      return { name: group.name, members: group.members, description: group.description, path: gpath };
    }),
    routes: resolveRoutes(input, interfaces, ctx, networksOf(interfaces, ctx), path),
    antiLockout: {
      enabled: input.anti_lockout?.enabled ?? true,
      ports: [...new Set(input.anti_lockout?.ports ?? DEFAULT_ANTI_LOCKOUT_PORTS)].sort((a, b) => a - b),
      path: path.concat('anti_lockout'),
    },
    nat: { outbound: input.nat?.outbound ?? 'automatic', outboundRules: [], portForwards: [] },
    path,
  };
  return firewall;
}

function networksOf(interfaces: readonly FirewallInterface[], ctx: ResolveContext): Map<string, Network> {
  const ids = new Set(interfaces.map((i) => i.network));
  return new Map(ctx.networks.filter((n) => ids.has(n.id)).map((n) => [n.id, n]));
}

/**
 * The static routes through a router on an internal network: their networks
 * are behind the firewall, and their traffic enters on that interface. A
 * route through the WAN's gateway leads outside.
 */
export function internalRoutes(firewall: Firewall | undefined): Firewall['routes'] {
  if (!firewall) return [];
  const wan = new Set(firewall.interfaces.filter((i) => i.isWan).map((i) => i.name));
  return firewall.routes.filter((r) => !wan.has(r.interface));
}

/** Each route's next hop must sit on a static network of the firewall: that interface carries it (the first one, when several do). */
function resolveRoutes(input: FirewallInput, interfaces: readonly FirewallInterface[], ctx: ResolveContext, networks: ReadonlyMap<string, Network>, path: Path): Firewall['routes'] {
  const staticNetworks = new BlockIndex<{ iface: FirewallInterface; order: number }>();
  interfaces.forEach((f, order) => {
    const network = f.addressing === 'static' && f.network !== undefined ? networks.get(f.network) : undefined;
    if (network) staticNetworks.add(network.block, { iface: f, order });
  });
  return (input.routes ?? []).flatMap((route, i) => {
    const rpath = path.concat('routes', i);
    const block = ctx.cidr(route.network, rpath.concat('network'));
    if (!block) return [];
    const via = ctx.ipv4(route.via, rpath.concat('via'));
    if (via === undefined) return [];
    const iface = staticNetworks.containing(via).reduce<{ iface: FirewallInterface; order: number } | undefined>((first, c) => (first === undefined || c.order < first.order ? c : first), undefined)?.iface;
    if (!iface) {
      ctx.report({
        rule: 'ip/address-outside-network',
        path: rpath.concat('via'),
        message: `next hop ${route.via} is on none of the firewall's static networks`,
        hint: `Set via to the router's address on a network of the firewall with a static address, or give the firewall an interface on ${route.via}'s network.`,
      });
      return [];
    }
    return [{ network: block.cidr, via: route.via, interface: iface.name, description: route.description, path: rpath }];
  });
}

/**
 * VLAN device names: vlan0.<tag> (OPNsense's vlan0… form), or
 * vlan0.<n>.<tag> when two parents use the same tag.
 */
function vlanDeviceNames(interfaces: readonly FirewallInterfaceInput[]): Map<string, string> {
  const vlans = interfaces.filter((i) => i.vlan);
  // Parents numbered 1, 2, … in the order they first appear.
  const parents = new Map<string, number>();
  for (const v of vlans) if (!parents.has(v.vlan!.parent)) parents.set(v.vlan!.parent, parents.size + 1);
  const tagCount = new Map<number, number>();
  for (const v of vlans) tagCount.set(v.vlan!.tag, (tagCount.get(v.vlan!.tag) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const v of vlans) {
    const { parent, tag } = v.vlan!;
    names.set(v.name, tagCount.get(tag)! > 1 ? `vlan0.${parents.get(parent)!}.${tag}` : `vlan0.${tag}`);
  }
  return names;
}

function resolveDhcp(iface: FirewallInterfaceInput, network: Network | undefined, path: Path, ctx: ResolveContext): Dhcp | undefined {
  const dhcp = iface.dhcp!;
  if (!network) {
    ctx.report({
      rule: 'dhcp/no-network',
      path,
      message: `interface ${iface.name} has a DHCP server but no static address to derive its network from`,
      hint: iface.address === 'dhcp' ? `Remove dhcp from interface ${iface.name}: it takes its own address by DHCP, so another server serves its network.` : `Give interface ${iface.name} a static address with prefix (e.g. 192.168.50.1/24), or remove dhcp.`,
    });
    return undefined;
  }
  // Default range: the upper half of the network, broadcast excluded.
  const block = network.block;
  const from = dhcp.from ?? formatIPv4(block.base + Math.floor(block.size / 2));
  const to = dhcp.to ?? formatIPv4(blockLast(block) - 1);
  return {
    from,
    to,
    dns: dhcp.dns ?? [],
    leaseSeconds: dhcp.lease_seconds,
    static: (dhcp.static ?? []).map((entry, i) => {
      const spath = path.concat('static', i);
      ctx.address(entry.address, `DHCP reservation ${entry.name}`, spath.concat('address'), { network: network.id });
      return { name: entry.name, mac: entry.mac.toLowerCase(), address: entry.address, description: entry.description, path: spath };
    }),
    path,
  };
}

/**
 * A WireGuard network whose clients the policy lets out of the WAN (every
 * full tunnel; a split tunnel when `leavesWan` says some rule passes it
 * there) needs outbound NAT. Automatic mode derives its sources from the
 * addresses interfaces carry when the rules are built, which misses a
 * tunnel whose assignment has no address of its own (or an instance that
 * is not assigned), the networks behind a router on an internal network,
 * and the remote networks reached over WireGuard (it takes interfaces'
 * networks, loopback, OpenVPN tunnels and the IPsec pool only: filter.inc,
 * filter_core_get_default_nat_outbound_networks in filter.lib.inc): gen
 * writes a manual rule for each (a remote network only where the policy
 * lets it out of the WAN, as its rules exist only with WireGuard), and
 * turns automatic into hybrid so the automatic rules stay. Disabled
 * outbound NAT stays disabled.
 */
export function deriveOutboundNat(
  firewall: Firewall,
  wireguard: readonly WireguardInstance[],
  remotes: readonly Network[],
  leavesWan: (network: Pick<Network, 'block'>) => boolean,
): void {
  const wan = firewall.interfaces.find((i) => i.isWan);
  if (!wan || firewall.nat.outbound === 'disabled') return;
  // What the rules are made of is taken now; whether a network leaves the WAN (a partition of the
  // policy for each) is asked when the rules are first read (see natWhenRead).
  const instances = wireguard.slice();
  const routes = internalRoutes(firewall);
  const remote = wireguard.length > 0 ? remotes.filter((n) => n.kind === 'remote') : [];
  const mode = firewall.nat.outbound;
  natWhenRead(firewall.nat, () => {
    const outboundRules: OutboundNatRule[] = instances
      .filter((wg) => wg.tunnel === 'full' || leavesWan(wg))
      .map((wg) => ({ instance: wg.name, source: wg.block.cidr, interface: wan.name }));
    for (const route of routes) outboundRules.push({ route: { network: route.network, via: route.via }, source: route.network, interface: wan.name });
    // A remote network's packets enter on the WireGuard group (its rules go nowhere without WireGuard).
    for (const network of remote) if (leavesWan(network)) outboundRules.push({ remote: network.name, source: network.cidr, interface: wan.name });
    return { outboundRules, outbound: outboundRules.length > 0 && mode === 'automatic' ? 'hybrid' : mode };
  });
}

/**
 * Gives `nat` its outbound rules and mode from `derive` when either is
 * first read or written: until then they are accessors, after that plain
 * values as before. Only what writes files reads them (the OPNsense
 * configuration, the verify scripts, plan.json, gen diff); a lint has no
 * rule that does, and skips deriving them: a partition of the whole policy
 * for each WireGuard network, a twentieth of a lint of 10,000 peers.
 */
function natWhenRead(nat: Firewall['nat'], derive: () => Pick<Firewall['nat'], 'outbound' | 'outboundRules'>): void {
  const settle = () => {
    const derived = derive();
    // Redefined in place, the two keep their order among nat's keys (JSON of the model is unchanged).
    for (const key of NAT_DERIVED) Object.defineProperty(nat, key, { value: derived[key], writable: true, enumerable: true, configurable: true });
  };
  for (const key of NAT_DERIVED) {
    Object.defineProperty(nat, key, {
      enumerable: true,
      configurable: true,
      get() {
        settle();
        return nat[key];
      },
      set(value: never) {
        settle();
        nat[key] = value;
      },
    });
  }
}

const NAT_DERIVED = ['outbound', 'outboundRules'] as const;

/**
 * The ports a forward reaches on its target. A range keeps its length from
 * the target's first port, as OPNsense compiles it (ForwardRule: local port
 * "t" becomes "t:t+to-from"): 10000-10100 to port 20000 is 20000-20100, and
 * its pass rule must carry all of them. Undefined when that ends beyond 65535.
 */
function mappedPorts(port: string, first: number | undefined): string | undefined {
  const [from, to = from] = port.split('-').map(Number);
  const start = first ?? from!;
  const end = start + (to! - from!);
  if (end > 65535) return undefined;
  return start === end ? String(start) : `${start}-${end}`;
}

export function resolvePortForwards(
  input: FirewallInput,
  site: string,
  firewall: Firewall,
  services: ReadonlyMap<string, Service>,
  path: Path,
  ctx: ResolveContext,
): PortForward[] {
  const interfaces = indexByName(firewall.interfaces);
  return (input.nat?.port_forwards ?? []).flatMap((pf, i) => {
    const ppath = path.concat('nat', 'port_forwards', i);
    ctx.name('port forward', `firewall ${firewall.name}`, pf.name, ppath, site);
    const ifaceName = pf.interface ?? 'wan';
    ctx.lookup(interfaces, ifaceName, 'interface', ppath.concat('interface'));
    const service = pf.service ? ctx.lookup(services, pf.service, 'service', ppath.concat('service')) : undefined;
    const target = service?.address ?? pf.address;
    if (!target) {
      if (!pf.service) {
        ctx.report({
          rule: 'ref/unknown',
          path: ppath,
          message: `port forward ${pf.name} needs a service or an address to forward to`,
          hint: `Add service: NAME${services.size ? ` (known: ${knownNames(services.keys(), services.size)})` : ''} to port forward ${pf.name}, or address: the internal host's address.`,
        });
      }
      return [];
    }
    const targetPort = mappedPorts(String(pf.port), pf.target_port ?? service?.port);
    if (targetPort === undefined) {
      ctx.report({
        rule: 'ports/range',
        path: ppath.concat(pf.target_port !== undefined ? 'target_port' : 'service'),
        message: `port forward ${pf.name}: ports ${pf.port} mapped from ${pf.target_port ?? service?.port} end beyond 65535`,
      });
      return [];
    }
    return [
      {
        name: pf.name,
        interface: ifaceName,
        proto: pf.proto,
        port: String(pf.port),
        target,
        targetPort,
        reflection: pf.reflection ?? false,
        from: pf.from,
        // Filled with the policy (resolve/forward-sources.ts): the names can be zones and policy objects.
        sources: [],
        service: service?.name,
        description: pf.description,
        path: ppath,
      },
    ];
  });
}
