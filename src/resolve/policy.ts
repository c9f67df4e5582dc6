// The firewall policy: zones resolve to networks, rules to zones. The WAN
// passes that declared services need (WireGuard's port, HAProxy's
// listeners, port forwards) are derived here, so nobody forgets one.
import type { Path } from '../location.js';
import type { Firewall, FlowTest, Haproxy, Network, Policy, PolicyRule, RuleTarget, WireguardInstance, Zone } from '../model.js';
import type { FlowTestInput, PolicyInput } from '../topology.js';
import { type ResolveContext, indexByName } from './context.js';

export const BUILTIN_TARGETS = ['any', 'internet', 'self'] as const;

export function resolvePolicy(
  input: PolicyInput | undefined,
  site: string,
  path: Path,
  ctx: ResolveContext,
  networks: ReadonlyMap<string, Network>,
  internalNetworks: readonly string[],
): Policy {
  const zones: Zone[] = (input?.zones ?? []).map((zone, i) => {
    const zpath = [...path, 'zones', i];
    ctx.name('zone', `site ${site}`, zone.name, zpath);
    if ((BUILTIN_TARGETS as readonly string[]).includes(zone.name)) {
      ctx.report({ rule: 'policy/reserved-zone-name', path: [...zpath, 'name'], message: `"${zone.name}" is a built-in target and cannot name a zone` });
    }
    const ids = zone.networks.flatMap((name, n) => {
      const network = ctx.lookup(networks, name, 'network', [...zpath, 'networks', n]);
      return network ? [network.id] : [];
    });
    return { name: zone.name, networks: ids, description: zone.description, path: zpath };
  });
  const zoneIndex = indexByName(zones);

  const rules: PolicyRule[] = (input?.rules ?? []).flatMap((rule, i) => {
    const rpath = [...path, 'rules', i];
    ctx.name('policy rule', `site ${site}`, rule.name, rpath);
    const from = ctx.lookup(zoneIndex, rule.from, 'zone', [...rpath, 'from']);
    let to: RuleTarget | undefined;
    let toNetworks: string[] = [];
    if (rule.to === 'any' || rule.to === 'internet' || rule.to === 'self') {
      to = { kind: rule.to };
      toNetworks = rule.to === 'any' ? [...internalNetworks] : [];
    } else {
      const zone = ctx.lookup(zoneIndex, rule.to, 'zone (or any, internet, self)', [...rpath, 'to']);
      if (zone) {
        to = { kind: 'zone', zone: zone.name };
        toNetworks = zone.networks;
      }
    }
    if (!from || !to) return [];
    return [
      {
        name: rule.name,
        origin: `policy rule ${rule.name}`,
        from: { kind: 'zone' as const, zone: from.name },
        fromNetworks: from.networks,
        to,
        toNetworks,
        proto: rule.proto ?? 'any',
        ports: (rule.ports ?? []).map(String),
        action: rule.action,
        log: rule.log ?? false,
        description: rule.description,
        path: rpath,
      },
    ];
  });

  const tests = (input?.tests ?? []).map((test, i) => {
    const tpath = [...path, 'tests', i];
    if (test.from !== 'internet') ctx.lookup(zoneIndex, test.from, 'zone (or internet)', [...tpath, 'from']);
    if (!['wan', 'self', 'internet'].includes(test.to)) ctx.lookup(zoneIndex, test.to, 'zone (or wan, self, internet)', [...tpath, 'to']);
    return flowTest(test, tpath);
  });

  return { default: 'deny', zones, rules, tests };
}

/** WAN pass rules implied by what the topology exposes, in a fixed order. */
export function derivedWanRules(firewall: Firewall, wireguard: readonly WireguardInstance[], haproxy: Haproxy): PolicyRule[] {
  const wan = firewall.interfaces.find((i) => i.isWan);
  if (!wan) return [];
  const rules: PolicyRule[] = [];
  const base = { from: { kind: 'wan' as const }, fromNetworks: [], toNetworks: [], action: 'pass' as const, log: false };
  for (const instance of wireguard) {
    if (instance.listenPort === undefined) continue;
    rules.push({
      ...base,
      name: `wireguard-${instance.name}`,
      origin: `WireGuard instance ${instance.name}`,
      to: { kind: 'wan-address', interface: wan.name },
      proto: 'udp',
      ports: [String(instance.listenPort)],
      path: [...instance.path, 'listen_port'],
    });
  }
  for (const frontend of haproxy.frontends) {
    const ports = [...(frontend.httpRedirect ? [80] : []), frontend.port].sort((a, b) => a - b).map(String);
    rules.push({
      ...base,
      name: `haproxy-${frontend.name}`,
      origin: `HAProxy frontend ${frontend.name}`,
      to: { kind: 'wan-address', interface: frontend.interface },
      proto: 'tcp',
      ports,
      path: frontend.path,
    });
  }
  for (const pf of firewall.nat.portForwards) {
    rules.push({
      ...base,
      name: `port-forward-${pf.name}`,
      origin: `port forward ${pf.name}`,
      to: { kind: 'wan-address', interface: pf.interface },
      proto: pf.proto,
      ports: [pf.port],
      portForward: pf.name,
      path: pf.path,
    });
  }
  return rules;
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
