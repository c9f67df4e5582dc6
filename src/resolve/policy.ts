// The firewall policy: zones of policy objects, and rules from a zone or
// an object to a zone, an object or a built-in target. The WAN passes that
// declared services need (WireGuard's port, HAProxy's listeners, port
// forwards) are derived here, so nobody forgets one.
import type { Path } from '../location.js';
import { IPSEC_WAN_PORTS } from '../targets/opnsense/ipsec.js';
import { intersect, normalize } from '../intervals.js';
import type { Firewall, FlowTest, Haproxy, Network, Policy, PolicyObject, PolicyRule, PortForward, RuleTarget, Vpc, WireguardInstance, Zone } from '../model.js';
import { parseIPv4 } from '../net.js';
import type { FlowTestInput, PolicyInput } from '../topology.js';
import { type ResolveContext, indexByName, knownNames, pathTo } from './context.js';
import { objectRanges, rulePorts } from './matches.js';
import type { PolicyObjects } from './objects.js';
import { type SiteFacts, enteringOn } from './reflected.js';

export const BUILTIN_TARGETS = ['any', 'internet', 'self'] as const;

/** A zone or one object, as a rule's source or destination names it. */
export type Endpoint = { zone: Zone; objects: PolicyObject[] } | { object: PolicyObject; objects: PolicyObject[] };

/**
 * Finds what `name` (written at `key` of `parent`) stands for: a zone first
 * (a zone is often named after its network), else a policy object. A zone's
 * endpoint is made once (`zoneEnds`), and the path of the name only for a
 * lookup, which may report it.
 */
export function endpointOf(name: string, parent: Path, key: string, zoneEnds: ReadonlyMap<string, Endpoint>, objects: PolicyObjects, candidates: readonly string[]): Endpoint | undefined {
  const zone = zoneEnds.get(name);
  if (zone) return zone;
  const object = objects.lookup(name, pathTo(parent, key), candidates);
  return object ? { object, objects: [object] } : undefined;
}

/** The names a zone's input lists (members and networks), the first few of them. */
function zoneHolds(zone: { members?: string[]; networks?: string[] }): string {
  const names = (zone.members ?? []).concat(zone.networks ?? []);
  return knownNames(names, names.length);
}

export function resolvePolicy(
  input: PolicyInput | undefined,
  site: string,
  path: Path,
  ctx: ResolveContext,
  objects: PolicyObjects,
  networks: { internal: readonly Pick<Network, 'block' | 'cidr'>[]; upstreamLan: readonly Pick<Network, 'block' | 'cidr'>[] },
): Policy {
  const zoneInputs = input?.zones ?? [];
  const zones: Zone[] = zoneInputs.map((zone, i) => {
    const zpath = path.concat('zones', i);
    ctx.name('zone', `site ${site}`, zone.name, zpath);
    if ((BUILTIN_TARGETS as readonly string[]).includes(zone.name)) {
      ctx.report({ rule: 'policy/reserved-zone-name', path: zpath.concat('name'), message: `"${zone.name}" is a built-in target and cannot name a zone` });
    }
    const members = (['members', 'networks'] as const).flatMap((key) =>
      (zone[key] ?? []).flatMap((name, n) => {
        // A zone holds policy objects only: a zone's name there (its own, a loop) is no object, and "is no network" would not say why.
        const other = objects.has(name) ? undefined : zoneInputs.find((z) => z.name === name);
        if (other) {
          const named = other === zone ? 'itself' : `zone ${name}`;
          ctx.report({
            rule: 'ref/unknown',
            path: zpath.concat(key, n),
            message: `zone ${zone.name} names ${named} among its ${key}: a zone holds networks, services, WireGuard peers, roles (wg0/role) and addresses, not zones`,
            hint: other === zone ? `Remove "${name}" from the ${key} of zone ${zone.name}.` : `List what zone ${name} holds here instead (${zoneHolds(other)}).`,
          });
          return [];
        }
        const found = objects.lookup(name, zpath.concat(key, n));
        return found ? [found] : [];
      }),
    );
    if (zone.members === undefined && zone.networks === undefined) {
      ctx.report({ rule: 'schema', path: zpath, key: true, message: `zone ${zone.name} needs members (its policy objects)` });
    }
    return { name: zone.name, members, description: zone.description, path: zpath };
  });
  const zoneEnds = new Map<string, Endpoint>();
  for (const [name, zone] of indexByName(zones)) zoneEnds.set(name, { zone, objects: zone.members });
  // What a name that is neither zone nor object could have meant, listed once (not per rule).
  const zoneNames = [...zoneEnds.keys()];
  const targetNames = zoneNames.concat(BUILTIN_TARGETS);

  const rules: PolicyRule[] = [];
  const scope = `site ${site}`;
  // One `from`/`to` per zone, object or built-in target, and one list per single port, shared by
  // every rule that names it (none changes them): 20,000 rules made 60,000 small objects and lists,
  // which the model keeps, so every garbage collection of the resolve stage copied them.
  const ends = new Map<object, { kind: 'zone'; zone: string } | { kind: 'object'; name: string }>();
  const endOf = (found: Endpoint) => {
    const key = 'zone' in found ? found.zone : found.object;
    let end = ends.get(key);
    if (!end) ends.set(key, (end = 'zone' in found ? { kind: 'zone', zone: found.zone.name } : { kind: 'object', name: found.object.name }));
    return end;
  };
  const builtins = { any: { kind: 'any' }, internet: { kind: 'internet' }, self: { kind: 'self' } } as const;
  const noPorts: string[] = [];
  const onePort = new Map<string | number, string[]>();
  const portsOf = (ports: readonly (string | number)[]) => {
    if (ports.length !== 1) return ports.length === 0 ? noPorts : ports.map(String);
    let list = onePort.get(ports[0]!);
    if (!list) onePort.set(ports[0]!, (list = [String(ports[0])]));
    return list;
  };
  const inputs = input?.rules ?? [];
  for (let i = 0; i < inputs.length; i++) {
    const rule = inputs[i]!;
    const rpath = pathTo(path, 'rules', i);
    ctx.name('policy rule', scope, rule.name, rpath);
    const from = endpointOf(rule.from, rpath, 'from', zoneEnds, objects, zoneNames);
    let to: RuleTarget | undefined;
    let destinations: PolicyObject[] = [];
    if (rule.to === 'any' || rule.to === 'internet' || rule.to === 'self') {
      to = builtins[rule.to];
    } else {
      const found = endpointOf(rule.to, rpath, 'to', zoneEnds, objects, targetNames);
      if (found) {
        to = endOf(found);
        destinations = found.objects;
      }
    }
    if (!from || !to) continue;
    // A rule to one service means that service: its protocol and port, unless the rule says otherwise.
    const service = to.kind === 'object' ? destinations[0]?.service : undefined;
    const proto = rule.proto ?? service?.proto ?? 'any';
    const ports = rule.ports ?? (rule.proto === undefined && service?.port !== undefined ? [service.port] : []);
    rules.push({
      name: rule.name,
      origin: `policy rule ${rule.name}`,
      from: endOf(from),
      sources: from.objects,
      to,
      destinations,
      proto,
      ports: portsOf(ports),
      action: rule.action,
      log: rule.log ?? false,
      description: rule.description,
      path: rpath,
    });
  }

  const tests = (input?.tests ?? []).map((test, i) => {
    const tpath = path.concat('tests', i);
    const from = test.from === 'internet' ? undefined : endpointOf(test.from, tpath, 'from', zoneEnds, objects, zoneNames.concat('internet'));
    const to = ['wan', 'self', 'internet'].includes(test.to) ? undefined : endpointOf(test.to, tpath, 'to', zoneEnds, objects, zoneNames.concat('wan', 'self', 'internet'));
    return Object.assign(flowTest(test, tpath), { fromObjects: from?.objects, toObjects: to?.objects });
  });

  // In address order, each once (a route may name an interface's network).
  const cidrs = (list: readonly Pick<Network, 'block' | 'cidr'>[]) => [...new Set([...list].sort((a, b) => a.block.base - b.block.base).map((n) => n.cidr))];
  return { default: 'deny', zones, rules, tests, internal: cidrs(networks.internal), upstreamLan: cidrs(networks.upstreamLan) };
}

/** WAN pass rules implied by what the topology exposes, in a fixed order. */
export function derivedWanRules(firewall: Firewall, wireguard: readonly WireguardInstance[], haproxy: Haproxy, networks: readonly Network[], vpc?: Vpc): PolicyRule[] {
  const wan = firewall.interfaces.find((i) => i.isWan);
  if (!wan) return [];
  const rules: PolicyRule[] = [];
  // The common fields, then each rule's own, through Object.assign: a literal
  // that spreads the common ones and then names fields defines each of those
  // through V8's runtime (test/core/object-spreads.test.ts), and a site can
  // forward thousands of ports.
  const wanRule = (fields: Omit<PolicyRule, 'from' | 'sources' | 'destinations' | 'action' | 'log'>): PolicyRule =>
    Object.assign({ from: { kind: 'wan' as const }, sources: [], destinations: [], action: 'pass' as const, log: false }, fields);
  for (const instance of wireguard) {
    if (instance.listenPort === undefined) continue;
    rules.push(
      wanRule({
        name: `wireguard-${instance.name}`,
        origin: `WireGuard instance ${instance.name}`,
        to: { kind: 'wan-address', interface: wan.name },
        proto: 'udp',
        ports: [String(instance.listenPort)],
        path: instance.path.concat('listen_port'),
      }),
    );
  }
  for (const frontend of haproxy.frontends) {
    const ports = [...(frontend.httpRedirect ? [80] : []), frontend.port].sort((a, b) => a - b).map(String);
    rules.push(
      Object.assign(wanRule({
        name: `haproxy-${frontend.name}`,
        origin: `HAProxy frontend ${frontend.name}`,
        to: { kind: 'wan-address', interface: frontend.interface },
        proto: 'tcp',
        ports,
        path: frontend.path,
      }),
      // Open to its from: sources only (none: any).
      { sources: frontend.sources }),
    );
  }
  if (vpc?.siteToSite) {
    // The site-to-site VPN's IKE and its NAT traversal (ipsec-steps.md forces UDP encapsulation, so no ESP): OPNsense
    // adds WAN rules only for legacy tunnels (ipsec.inc ipsec_firewall(); its settings say connections need their own),
    // and a rule made by hand on the WAN would go with the next merge. From any address: AWS's outside addresses are
    // known only after terraform apply, and IKE authenticates the peer.
    rules.push(
      wanRule({
        name: 'ipsec-aws',
        origin: `site-to-site VPN to AWS VPC ${vpc.name} (IKE, NAT traversal)`,
        to: { kind: 'wan-address', interface: wan.name },
        proto: 'udp',
        ports: IPSEC_WAN_PORTS.map(String),
        path: vpc.siteToSite.path,
      }),
    );
  }
  for (const pf of firewall.nat.portForwards) {
    rules.push(
      Object.assign(wanRule({
        name: `port-forward-${pf.name}`,
        origin: `port forward ${pf.name}`,
        to: { kind: 'wan-address', interface: pf.interface },
        proto: pf.proto,
        ports: [pf.port],
        portForward: pf.name,
        path: pf.path,
      }),
      // Open to its from: sources only (none: any); the matches take those of them that arrive from outside, as for Block private networks.
      { sources: pf.sources, redirected: redirectedOn(pf, { firewall, wireguard, networks }) }),
    );
  }
  return rules;
}

/**
 * What the pass of a forward on an internal interface matches: OPNsense
 * writes its rdr and its pass on that interface (ForwardRule.php), so they
 * meet the sources that enter there, redirected to the target's ports; the
 * internet enters on the WAN and meets neither. Undefined for a WAN forward.
 */
function redirectedOn(pf: PortForward, site: SiteFacts): PolicyRule['redirected'] {
  const iface = site.firewall!.interfaces.find((i) => i.name === pf.interface);
  const target = parseIPv4(pf.target);
  if (!iface || iface.isWan || target === undefined) return undefined;
  const entering = normalize(enteringOn(iface, site));
  return {
    sources: pf.sources.length > 0 ? intersect(entering, objectRanges(pf.sources)) : entering,
    target: [[target, target]],
    ports: rulePorts({ proto: pf.proto, ports: [pf.targetPort] }),
  };
}

export function flowTest(test: FlowTestInput, path: Path): FlowTest {
  const port = test.port === undefined ? '' : ` ${test.port}`;
  return {
    name: test.name ?? `${test.from} to ${test.to} ${test.proto}${port}`,
    from: test.from,
    to: test.to,
    proto: test.proto,
    port: test.port,
    expect: test.expect,
    path,
  };
}
