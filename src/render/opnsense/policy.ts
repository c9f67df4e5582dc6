// Compiles the site policy (zones and rules, in evaluation order) to
// OPNsense filter rules and the aliases they name. See docs/opnsense.md for
// the order and mapping:
// - a rule sits on the interface where its source traffic arrives: an
//   interface network's own interface; the WireGuard interface group
//   "wireguard" for the tunnel, its peers and roles, and remote networks;
//   "enc0" (IPsec) for a VPC joined by the site-to-site VPN; a service on
//   its network's interface; an address or CIDR on the interface of the
//   network that holds it, or of the router of a static route to it (the
//   WAN when neither does: it comes from outside);
// - interface networks are named by their interface ("opt1"); every other
//   named object by an alias named after it (gen_peer_…, gen_role_…,
//   gen_svc_…, gen_net_…), listed in aliases.xml; addresses as written;
// - a zone of several members as the destination is one network alias of
//   their addresses (gen_zone_…), as an admin would write it: one rule, not
//   one per member (a zone of 100 VLANs made every rule to it 100 rules);
// - one filter rule per (source placement, destination, port or range);
// - "internet" becomes a block of the firewall and of the internal-networks
//   alias (with the routed networks and a private WAN's network, the
//   upstream LAN) followed by the pass, all with the rule's protocol and
//   ports;
// - a port forward's pass is the NAT-linked rule to the forward's target;
// - nothing else passes: OPNsense blocks by default.
import { type Range, type Ranges, blockRange, covers, normalize, subtract, toCidrs } from '../../intervals.js';
import type { FirewallInterface, Network, PolicyObject, PolicyRule, PortForward, Zone } from '../../model.js';
import { blockLast, parseCidr } from '../../net.js';
import { BlockIndex } from '../../resolve/block-index.js';
import { internalRoutes } from '../../resolve/firewall.js';
import { rangesOfCidrs } from '../../resolve/matches.js';
import { networkObject } from '../../resolve/objects.js';
import { aliasName } from '../../targets/opnsense/aliases.js';
import { fitDescription } from '../../targets/opnsense/descriptions.js';
import { IPSEC_INTERFACE, WIREGUARD_GROUP } from '../../targets/opnsense/interfaces.js';
import { type OpnsenseContext } from './context.js';
import { uniqueId } from './ids.js';

export const INTERNAL_ALIAS = 'gen_internal_networks';

export type Endpoint =
  | { kind: 'any' }
  | { kind: 'network'; value: string }
  | { kind: 'address'; value: string; not?: boolean }
  | { kind: 'alias'; name: string; not?: boolean };

export interface FilterRule {
  uuid: string;
  action: 'pass' | 'block' | 'reject';
  /** Interface key or group the rule sits on. */
  interface: string;
  /** Lower case: tcp, udp, tcp/udp, icmp; none for any protocol. */
  protocol?: string;
  source: Endpoint;
  destination: Endpoint;
  /** Destination port or range ("8000-8010"). */
  port?: string;
  log: boolean;
  description: string;
  associatedRuleId?: string;
  /**
   * OPNsense's reply-to off (disablereplyto): replies follow the routing
   * table. On the WAN OPNsense otherwise sends every reply to the WAN's
   * gateway (FilterRule::convertReplyTo), also one to a host on the WAN's
   * own network, which then detours through the upstream router.
   */
  directReplies?: boolean;
}

export interface Alias {
  name: string;
  type: 'host' | 'network';
  /** Addresses (host) or CIDR blocks (network), one per entry. */
  content: string[];
  description: string;
}

export interface CompiledPolicy {
  rules: FilterRule[];
  /** The aliases the rules name, in order of first use. */
  aliases: Alias[];
  /** Each port forward's source (its from: sources), for its pass rule and its NAT rule alike. */
  forwardSources: Map<string, Endpoint>;
}

/** A rule's description, as OPNsense stores it (cut to fit: the verification script looks for the same text). */
export function describeRule(rule: PolicyRule, suffix?: string): string {
  return fitDescription(`gen: ${rule.origin}${suffix ? ` (${suffix})` : ''}${rule.description ? `: ${rule.description}` : ''}`);
}

type Placement = { iface: string; endpoint: Endpoint };

/** What an alias stands for, in its description. */
function objectWords(object: PolicyObject): string {
  if (object.kind === 'peer') return `WireGuard peer ${object.name} of ${object.instance}`;
  if (object.kind === 'role') return `WireGuard role ${object.name}`;
  return `${object.kind} ${object.name}`;
}

/**
 * Where traffic from a block of internal addresses enters the firewall: an
 * internal network (on its interface), or the network of a static route
 * through a router on an internal network (on that network's interface,
 * where the router hands it over).
 */
type Place = { range: Range; network: Network } | { range: Range; route: { cidr: string; iface: string } };

/** A static route's network through an internal router: its last address, prefix and the interface key it enters on. */
type RoutedBlock = { last: number; prefix: number; iface: string };

/**
 * The places that no other one of `inside` covers, in their order (two
 * with one range cover each other). Sorted by start, then by end from the
 * widest: a place is covered exactly when an earlier one in that order
 * reaches as far, or when its neighbour has the same range.
 */
function maximalPlaces(inside: readonly Place[]): Place[] {
  const order = inside.map((_, i) => i).sort((a, b) => inside[a]!.range[0] - inside[b]!.range[0] || inside[b]!.range[1] - inside[a]!.range[1]);
  const covered = new Uint8Array(inside.length);
  let reach = -1;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const [lo, hi] = inside[i]!.range;
    if (hi <= reach) covered[i] = 1;
    const j = order[k + 1];
    if (j !== undefined && inside[j]!.range[0] === lo && inside[j]!.range[1] === hi) covered[i] = covered[j] = 1;
    reach = Math.max(reach, hi);
  }
  return inside.filter((_, i) => !covered[i]);
}

class Compiler {
  readonly aliases = new Map<string, Alias>();
  /** The alias name of each object (kind:name). */
  private readonly names = new Map<string, string>();
  /** Alias names taken by another object (after replacing characters, or by the hash of a long name): those get a hash, another one on a clash. */
  private readonly taken = new Set<string>();

  /** The first interface on each network, and the first with a static address there. */
  private internalCache: { places: Place[]; space: Ranges; routes: BlockIndex<RoutedBlock> } | undefined;
  private readonly onNetwork = new Map<string, FirewallInterface>();
  private readonly staticOnNetwork = new Map<string, FirewallInterface>();
  /**
   * Each source object's placements, each destination object's and zone's endpoint, worked out once: the rules of a
   * site name a few hundred objects (20,000 rules, some 300), and each rule's made its endpoints, and an alias's key
   * and lookup, anew. The endpoints are never changed once made (a negated one is a copy), so rules share them.
   */
  private readonly placed = new Map<PolicyObject, Placement[]>();
  private readonly destinations = new Map<PolicyObject | Zone, Endpoint>();

  constructor(private readonly ctx: OpnsenseContext) {
    for (const i of ctx.firewall.interfaces) {
      if (i.network === undefined) continue;
      if (!this.onNetwork.has(i.network)) this.onNetwork.set(i.network, i);
      if (i.addressing === 'static' && !this.staticOnNetwork.has(i.network)) this.staticOnNetwork.set(i.network, i);
    }
  }

  /** The alias of `kind` and `name` (made on first use); a name another object already took ends in a hash. */
  private named(kind: string, objectName: string, make: () => Omit<Alias, 'name'>): Endpoint {
    const key = `${kind}:${objectName}`;
    let name = this.names.get(key);
    if (!name) {
      name = aliasName(kind, objectName);
      for (let attempt = 1; this.taken.has(name); attempt++) name = aliasName(kind, objectName, attempt);
      this.names.set(key, name);
      this.taken.add(name);
      this.aliases.set(name, { name, ...make() });
    }
    return { kind: 'alias', name };
  }

  private alias(object: PolicyObject): Endpoint {
    return this.named(object.kind, object.name, () => {
      const host = object.kind === 'peer' || object.kind === 'service';
      return {
        type: host ? 'host' : 'network',
        content: host ? object.cidrs.map((c) => c.replace(/\/32$/, '')) : object.cidrs,
        description: `gen: ${objectWords(object)}`,
      };
    });
  }

  /**
   * A zone as one destination: a network alias of all its members'
   * addresses in the fewest CIDR blocks. pf matches the same packets as one
   * quick rule per member with the same action, source and port.
   */
  zone(zone: Zone): Endpoint {
    let known = this.destinations.get(zone);
    if (known === undefined) this.destinations.set(zone, (known = this.zoneAlias(zone)));
    return known;
  }

  private zoneAlias(zone: Zone): Endpoint {
    return this.named('zone', zone.name, () => ({
      type: 'network',
      content: toCidrs(normalize(zone.members.flatMap((o) => o.ranges))),
      description: `gen: zone ${zone.name}`,
    }));
  }

  /**
   * A port forward's or frontend's from: sources as one source: any without them, an
   * address or CIDR as written, one object's alias, or an alias of all of
   * them (the DNat model's source network holds one value).
   */
  openSource(kind: 'forward' | 'frontend', name: string, sources: readonly PolicyObject[]): Endpoint {
    const only = sources.length === 1 ? sources[0]! : undefined;
    if (sources.length === 0) return { kind: 'any' };
    if (only) return only.kind === 'address' ? { kind: 'address', value: only.name } : this.alias(only);
    return this.named(kind, name, () => ({
      type: 'network',
      content: toCidrs(normalize(sources.flatMap((o) => o.ranges))),
      description: `gen: sources of ${kind === 'forward' ? 'port forward' : 'HAProxy frontend'} ${name}`,
    }));
  }

  internal(): { kind: 'alias'; name: string } {
    if (!this.aliases.has(INTERNAL_ALIAS)) {
      this.aliases.set(INTERNAL_ALIAS, {
        name: INTERNAL_ALIAS,
        type: 'network',
        // The upstream LAN is not the internet either (policy.upstreamLan), though its traffic enters on the WAN.
        content: [...this.ctx.site.policy.internal, ...this.ctx.site.policy.upstreamLan],
        description: `gen: internal networks of site ${this.ctx.site.name}${this.ctx.site.policy.upstreamLan.length > 0 ? ' and the upstream LAN' : ''}`,
      });
    }
    return { kind: 'alias', name: INTERNAL_ALIAS };
  }

  /** How a network is named: its interface net ("opt1") with a static address there, else an alias. */
  private networkEndpoint(network: Network, object: PolicyObject): Endpoint {
    const iface = this.staticOnNetwork.get(network.id);
    return iface ? { kind: 'network', value: iface.key } : this.alias(object);
  }

  /** Where traffic from a network enters the firewall. */
  private entry(network: Network): string | undefined {
    // A joined VPC comes through the site-to-site IPsec VPN: OPNsense filters
    // all IPsec traffic on enc0 (Firewall ▸ Rules ▸ IPsec).
    if (network.kind === 'vpc' || network.kind === 'subnet') return IPSEC_INTERFACE;
    if (network.kind === 'vpn' || network.kind === 'remote') return this.ctx.site.wireguard.length > 0 ? WIREGUARD_GROUP : undefined;
    return this.onNetwork.get(network.id)?.key;
  }


  /** The interfaces (with the source endpoint on each) where traffic from an object arrives: a list shared by every rule from it, never changed. */
  placements(object: PolicyObject): readonly Placement[] {
    let known = this.placed.get(object);
    if (known === undefined) this.placed.set(object, (known = this.placementsOf(object)));
    return known;
  }

  private placementsOf(object: PolicyObject): Placement[] {
    const network = object.network ? this.ctx.networkById.get(object.network) : undefined;
    switch (object.kind) {
      case 'network': {
        const iface = network && this.entry(network);
        return network && iface ? [{ iface, endpoint: this.networkEndpoint(network, object) }] : [];
      }
      case 'peer':
      case 'role':
      case 'service': {
        const iface = network && this.entry(network);
        return iface ? [{ iface, endpoint: this.alias(object) }] : [];
      }
      case 'address': {
        // Held by a network, or by a static route's network through an internal
        // router (the more specific, as the routing table picks): that interface.
        // Else each place inside it on its own interface, and the rest from the WAN.
        const { places, space, routes } = this.internalRanges();
        const route = this.routeHolding(routes, object.ranges);
        if (route && (!network || route.prefix > network.block.prefix)) return [{ iface: route.iface, endpoint: { kind: 'address', value: object.name } }];
        const holder = network && this.entry(network);
        if (holder) return [{ iface: holder, endpoint: { kind: 'address', value: object.name } }];
        const inside = places.filter((n) => covers(object.ranges, [n.range]));
        const out: Placement[] = maximalPlaces(inside).flatMap((p): Placement[] => {
          if ('route' in p) return [{ iface: p.route.iface, endpoint: { kind: 'address', value: p.route.cidr } }];
          const iface = this.entry(p.network);
          return iface ? [{ iface, endpoint: this.networkEndpoint(p.network, networkObject(p.network)) }] : [];
        });
        const wan = this.ctx.firewall.interfaces.find((i) => i.isWan);
        const outside = subtract(object.ranges, space);
        if (wan && outside.length > 0) out.push({ iface: wan.key, endpoint: { kind: 'address', value: object.name } });
        return out;
      }
    }
  }

  /**
   * The site's places (internal networks, then the networks of static routes
   * through internal routers) with their address ranges, the routes by block,
   * and the internal address space: made once, read per rule.
   */
  private internalRanges(): NonNullable<Compiler['internalCache']> {
    if (this.internalCache) return this.internalCache;
    const places: Place[] = this.ctx.site.internalNetworks.flatMap((id) => {
      const network = this.ctx.networkById.get(id);
      return network ? [{ network, range: blockRange(network.block) }] : [];
    });
    const routes = new BlockIndex<RoutedBlock>();
    for (const route of internalRoutes(this.ctx.firewall)) {
      const parsed = parseCidr(route.network);
      const iface = this.ctx.interfaceByName.get(route.interface);
      if (!parsed.ok || !iface) continue;
      places.push({ route: { cidr: route.network, iface: iface.key }, range: blockRange(parsed.block) });
      routes.add(parsed.block, { last: blockLast(parsed.block), prefix: parsed.block.prefix, iface: iface.key });
    }
    this.internalCache = { places, routes, space: rangesOfCidrs(this.ctx.site.policy.internal) };
    return this.internalCache;
  }

  /** The smallest static route through an internal router whose network holds all of `ranges`. */
  private routeHolding(routes: BlockIndex<RoutedBlock>, ranges: Ranges): RoutedBlock | undefined {
    const lo = ranges[0]?.[0];
    const hi = ranges[ranges.length - 1]?.[1];
    if (lo === undefined || hi === undefined) return undefined;
    return routes.containing(lo).find((r) => r.last >= hi);
  }

  /** How a destination object is named. */
  destination(object: PolicyObject): Endpoint {
    let known = this.destinations.get(object);
    if (known === undefined) this.destinations.set(object, (known = this.destinationOf(object)));
    return known;
  }

  private destinationOf(object: PolicyObject): Endpoint {
    const network = object.network ? this.ctx.networkById.get(object.network) : undefined;
    if (object.kind === 'network' && network) return this.networkEndpoint(network, object);
    if (object.kind === 'address') return { kind: 'address', value: object.name };
    return this.alias(object);
  }
}

/** What tells two endpoints apart, as a string. */
function endpointKey(endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case 'any':
      return 'any';
    case 'network':
      return `network ${endpoint.value}`;
    case 'address':
      return `address ${endpoint.not === true ? '!' : ''}${endpoint.value}`;
    case 'alias':
      return `alias ${endpoint.not === true ? '!' : ''}${endpoint.name}`;
  }
}

const compiled = new WeakMap<OpnsenseContext, CompiledPolicy>();

/** The filter rules of a site, in evaluation order, and the aliases they name. */
export function compilePolicy(ctx: OpnsenseContext): CompiledPolicy {
  const known = compiled.get(ctx);
  if (known) return known;
  const compiler = new Compiler(ctx);
  const out: FilterRule[] = [];
  const zones = new Map(ctx.site.policy.zones.map((z) => [z.name, z]));
  const portForwards = new Map<string, PortForward>();
  const forwardSources = new Map<string, Endpoint>();
  for (const p of ctx.firewall.nat.portForwards) {
    if (portForwards.has(p.name)) continue;
    portForwards.set(p.name, p);
    forwardSources.set(p.name, compiler.openSource('forward', p.name, p.sources));
  }
  const frontendSource = (rule: PolicyRule): Endpoint => (rule.sources.length > 0 ? compiler.openSource('frontend', rule.name.replace(/^haproxy-/, ''), rule.sources) : { kind: 'any' });
  for (const rule of ctx.site.policy.rules) {
    let n = 0;
    // Every rule of one shape, its fields named: spreading each rule's parts into a new object was a third of compiling 20,000 rules.
    const push = (r: Omit<FilterRule, 'uuid' | 'log'>) =>
      out.push({
        uuid: ctx.uuid('filter-rule', `${rule.name}/${n++}`),
        action: r.action,
        interface: r.interface,
        protocol: r.protocol,
        source: r.source,
        destination: r.destination,
        port: r.port,
        log: rule.log,
        description: r.description,
        associatedRuleId: r.associatedRuleId,
        directReplies: r.directReplies,
      });
    const protocol = rule.proto === 'any' ? undefined : rule.proto;
    const ports = protocol && protocol !== 'icmp' && rule.ports.length > 0 ? rule.ports : [undefined];

    if (rule.from.kind === 'wan') {
      const to = rule.to.kind === 'wan-address' ? ctx.interfaceByName.get(rule.to.interface) : undefined;
      if (!to) continue;
      // The WAN's network is the upstream router's LAN: its hosts (a -lan WireGuard client, a browser) reach
      // the firewall directly, and their replies must go straight back, not through the router. gen's firewall
      // has one WAN, so the routing table sends the internet's replies to the WAN's gateway all the same.
      const directReplies = ctx.site.policy.upstreamLan.length > 0 ? true : undefined;
      const pf = rule.portForward ? portForwards.get(rule.portForward) : undefined;
      if (pf) {
        push({
          action: 'pass',
          interface: to.key,
          protocol: pf.proto,
          source: forwardSources.get(pf.name)!,
          destination: { kind: 'address', value: pf.target },
          port: pf.targetPort,
          description: describeRule(rule),
          // The legacy NAT rule names its filter rule; the Destination NAT model (26.1 on) keeps no such link.
          associatedRuleId: ctx.release.forms.portForwards === 'legacy' ? portForwardRuleId(ctx, pf.name) : undefined,
          directReplies,
        });
        continue;
      }
      // A HAProxy frontend's from: sources (the other derived passes have none).
      const source = frontendSource(rule);
      for (const port of ports) {
        push({ action: rule.action, interface: to.key, protocol, source, destination: { kind: 'network', value: `${to.key}ip` }, port, description: describeRule(rule), directReplies });
      }
      continue;
    }

    const to = rule.to;
    let destinations: { endpoint: Endpoint; action: FilterRule['action']; suffix?: string }[];
    const zone = to.kind === 'zone' && rule.destinations.length > 1 ? zones.get(to.zone) : undefined;
    if (zone) {
      destinations = [{ endpoint: compiler.zone(zone), action: rule.action }];
    } else if (to.kind === 'zone' || to.kind === 'object') {
      destinations = rule.destinations.map((o) => ({ endpoint: compiler.destination(o), action: rule.action }));
    } else if (to.kind === 'any') {
      destinations = [{ endpoint: { kind: 'any' }, action: rule.action }];
    } else if (to.kind === 'self') {
      destinations = [{ endpoint: { kind: 'network', value: '(self)' }, action: rule.action }];
    } else if (to.kind === 'internet') {
      destinations =
        rule.action === 'pass'
          ? [
              // The firewall's own addresses too: its WAN address is in no internal network,
              // and would otherwise open the web GUI and SSH to an internet-only zone.
              { endpoint: { kind: 'network', value: '(self)' }, action: 'block', suffix: 'block the firewall itself' },
              { endpoint: compiler.internal(), action: 'block', suffix: 'block internal networks' },
              { endpoint: { kind: 'any' }, action: 'pass', suffix: 'pass the internet' },
            ]
          : [{ endpoint: Object.assign({}, compiler.internal(), { not: true }), action: rule.action }];
    } else {
      const iface = ctx.interfaceByName.get(to.interface);
      destinations = iface ? [{ endpoint: { kind: 'network', value: `${iface.key}ip` }, action: rule.action }] : [];
    }
    // Two members entering on the same interface under the same name give one rule. A rule with
    // one placement (most: one zone, one network) has nothing to tell apart, and makes no key.
    const all = rule.sources.length === 1 ? compiler.placements(rule.sources[0]!) : rule.sources.flatMap((o) => compiler.placements(o));
    const seen = all.length > 1 ? new Set<string>() : undefined;
    const placements = !seen
      ? all
      : all.filter((p) => {
          const key = `${p.iface}|${endpointKey(p.endpoint)}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
    for (const placement of placements) {
      for (const destination of destinations) {
        for (const port of ports) {
          push({ interface: placement.iface, protocol, source: placement.endpoint, action: destination.action, destination: destination.endpoint, port, description: describeRule(rule, destination.suffix) });
        }
      }
    }
  }
  const result = { rules: out, aliases: [...compiler.aliases.values()], forwardSources };
  compiled.set(ctx, result);
  return result;
}

/** The associated-rule-id linking a port forward and its pass rule. */
export function portForwardRuleId(ctx: OpnsenseContext, name: string): string {
  return `nat_${uniqueId(ctx.site.name, 'port-forward', name)}`;
}

