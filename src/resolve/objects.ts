// The objects a site's policy can name, found by the name written in a
// zone, a rule or a test: a network (an interface's, the WireGuard tunnel,
// a remote network, the joined VPC or one of its subnets), an address or
// CIDR, a WireGuard peer, a role ("wg0/workstation": its address range) or
// a service (its address). A name that two kinds of object share is an
// error where it is used, never a silent choice.
import { type Range, blockRange, normalize, toCidrs } from '../intervals.js';
import type { Path } from '../location.js';
import type { Network, Peer, PolicyObject, Service, WireguardInstance } from '../model.js';
import { blockLast, parseIPv4 } from '../net.js';
import { type ResolveContext, knownNames } from './context.js';

/** A CIDR or a single address written as a policy object. */
const LITERAL = /^[0-9]{1,3}(\.[0-9]{1,3}){3}(\/[0-9]{1,2})?$/;
const ROLE = /^(wg(?:0|[1-9][0-9]{0,2}))\/(.+)$/;

/** What a name may stand for: described (for an ambiguous name) and made (for a used one) on demand. */
interface Candidate {
  readonly what: string;
  make(): PolicyObject;
}

/**
 * A WireGuard peer as a candidate: one small object per peer. A closure,
 * its context and a description string made for every peer were most of
 * what the index kept (10,000 peers, about 2 MB that each garbage
 * collection of the resolve stage copied), for names that zones and rules
 * seldom use and that are ambiguous even more seldom.
 */
class PeerCandidate implements Candidate {
  constructor(
    private readonly peer: Peer,
    private readonly instance: WireguardInstance,
    private readonly address: number,
  ) {}

  get what(): string {
    return `peer ${this.peer.name} of ${this.instance.name} (${this.peer.address})`;
  }

  make(): PolicyObject {
    return object('peer', this.peer.name, [[this.address, this.address]], { network: this.instance.network, instance: this.instance.name });
  }
}

export interface PolicyObjects {
  /**
   * The object `name` stands for; a dangling or ambiguous name is reported
   * at `path` (`extra` lists further accepted words, such as zone names).
   */
  lookup(name: string, path: Path, extra?: readonly string[]): PolicyObject | undefined;
  /** Whether `name` names some object (without reporting anything). */
  has(name: string): boolean;
}

/** The network that holds `ranges` best: the smallest one containing all of them. */
function holder(networks: readonly Network[], ranges: readonly Range[]): Network | undefined {
  if (ranges.length === 0) return undefined;
  const lo = ranges[0]![0];
  const hi = ranges[ranges.length - 1]![1];
  let best: Network | undefined;
  for (const network of networks) {
    if (network.block.base <= lo && blockLast(network.block) >= hi && (!best || network.block.prefix > best.block.prefix)) best = network;
  }
  return best;
}

function object(kind: PolicyObject['kind'], name: string, ranges: Range[], rest: Partial<PolicyObject> = {}): PolicyObject {
  return { kind, name, cidrs: toCidrs(ranges), ranges, ...rest };
}

/** A network as a policy object: what its name stands for in a rule, and what arrives from it on its interface. */
export function networkObject(network: Network): PolicyObject {
  return object('network', network.name, [blockRange(network.block)], { network: network.id });
}

const bySite = new WeakMap<object, PolicyObjects>();

/** Remembers a site's objects, for what is resolved after the site (the VPC's policy tests). */
export function rememberObjects(site: object, objects: PolicyObjects): void {
  bySite.set(site, objects);
}

export function objectsOfSite(site: object): PolicyObjects | undefined {
  return bySite.get(site);
}

export function policyObjects(
  ctx: ResolveContext,
  networks: readonly Network[],
  services: readonly Service[],
  wireguard: readonly WireguardInstance[],
): PolicyObjects {
  // A name's one candidate as it is, a list only for a name that several share: a list per peer was kept too.
  const byName = new Map<string, Candidate | Candidate[]>();
  const add = (name: string, candidate: Candidate) => {
    const known = byName.get(name);
    if (known === undefined) byName.set(name, candidate);
    else if (Array.isArray(known)) known.push(candidate);
    else byName.set(name, [known, candidate]);
  };
  for (const network of networks) {
    add(network.name, { what: `network ${network.name} (${network.cidr})`, make: () => networkObject(network) });
  }
  for (const service of services) {
    const address = parseIPv4(service.address);
    if (address === undefined) continue;
    add(service.name, {
      what: `service ${service.name} (${service.address})`,
      make: () => object('service', service.name, [[address, address]], { network: service.network, service: { proto: service.proto, port: service.port } }),
    });
  }
  const roles = new Map<string, Candidate>();
  for (const instance of wireguard) {
    // Indexed: a for-of steps an iterator per peer until V8 optimizes the loop (src/arrays.ts).
    for (let p = 0; p < instance.peers.length; p++) {
      const peer = instance.peers[p]!;
      const address = parseIPv4(peer.address);
      if (address === undefined) continue;
      add(peer.name, new PeerCandidate(peer, instance, address));
    }
    for (const role of instance.roles) {
      const name = `${instance.name}/${role.name}`;
      roles.set(name, { what: `role ${name}`, make: () => object('role', name, [[role.first, role.last]], { network: instance.network, instance: instance.name }) });
    }
  }

  const made = new Map<string, PolicyObject>();
  const literal = (name: string, path: Path): PolicyObject | undefined => {
    let ranges: Range[];
    if (name.includes('/')) {
      const block = ctx.cidr(name, path);
      if (!block) return undefined;
      ranges = [blockRange(block)];
    } else {
      const address = ctx.ipv4(name, path);
      if (address === undefined) return undefined;
      ranges = [[address, address]];
    }
    return object('address', name, normalize(ranges), { network: holder(networks, ranges)?.id });
  };

  return {
    has: (name) => LITERAL.test(name) || byName.has(name) || roles.has(name),
    lookup(name, path, extra = []) {
      const known = made.get(name);
      if (known) return known;
      let found: PolicyObject | undefined;
      if (LITERAL.test(name)) {
        found = literal(name, path);
      } else if (ROLE.test(name)) {
        const role = roles.get(name);
        if (!role) {
          const [, instance] = ROLE.exec(name)!;
          const instanceRoles = wireguard.find((w) => w.name === instance)?.roles ?? [];
          const names = instanceRoles.slice(0, 10).map((r) => `${instance}/${r.name}`);
          ctx.report({
            rule: 'ref/unknown',
            path,
            message: `role "${name}" does not exist${names.length ? ` (known: ${knownNames(names, instanceRoles.length)})` : instance && !wireguard.some((w) => w.name === instance) ? ` (no WireGuard instance ${instance})` : ''}`,
          });
          return undefined;
        }
        found = role.make();
      } else {
        const entry = byName.get(name);
        const candidates = entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
        if (candidates.length === 0) {
          // Peers can be thousands: name the kinds of object, and the short lists in full.
          const short = new Set([...extra, ...networks.map((n) => n.name), ...services.map((s) => s.name)]);
          ctx.report({
            rule: 'ref/unknown',
            path,
            message: `"${name}" is no ${extra.length ? 'zone, ' : ''}network, service, WireGuard peer, role (wg0/role) or address${short.size ? ` (known: ${knownNames(short, short.size)}, and the peers)` : ''}`,
          });
          return undefined;
        }
        if (candidates.length > 1) {
          ctx.report({ rule: 'policy/ambiguous-object', path, message: `"${name}" names ${candidates.map((c) => c.what).join(' and ')}` });
          return undefined;
        }
        found = candidates[0]!.make();
      }
      if (found) made.set(name, found);
      return found;
    },
  };
}
