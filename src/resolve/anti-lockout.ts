// OPNsense's anti-lockout rule as a policy rule, so that policy tests,
// flows and lint judge the traffic the way the box does: it passes TCP
// from anything that arrives on the primary interface to the firewall
// itself on the web GUI and SSH ports, before any rule gen writes
// (targets/opnsense/anti-lockout.ts). gen does not write it; it is
// evaluated first and never compiled to a filter rule.
import type { Firewall, Network, PolicyObject, PolicyRule } from '../model.js';
import { internalRoutes } from './firewall.js';
import { rangesOfCidrs } from './matches.js';
import { networkObject } from './objects.js';
import { ANTI_LOCKOUT_RECOVERY, ANTI_LOCKOUT_SETTING, antiLockoutInterface } from '../targets/opnsense/anti-lockout.js';


/** The interface the box puts the rule on, by the keys gen assigns. */
export function antiLockoutOn(firewall: Firewall): Firewall['interfaces'][number] | undefined {
  const key = antiLockoutInterface(firewall.interfaces.map((i) => i.key));
  return firewall.interfaces.find((i) => i.key === key);
}

/** The rule while it is on; none when the topology says the box disables it. */
export function antiLockoutRule(firewall: Firewall, networks: ReadonlyMap<string, Network>): PolicyRule | undefined {
  const iface = antiLockoutOn(firewall);
  if (!firewall.antiLockout.enabled || !iface) return undefined;
  const ports = firewall.antiLockout.ports.map(String);
  return {
    name: 'anti-lockout',
    origin: `OPNsense's anti-lockout rule (TCP ${ports.join(', ')} from ${iface.name} to the firewall)`,
    // A WAN as the primary interface (no other one assigned) opens the ports to all that comes from outside.
    from: iface.isWan ? { kind: 'wan' } : { kind: 'object', name: iface.name },
    // Its "from any" on that interface: the interface's network and those behind routers on it (static routes), which
    // arrive there too.
    sources: iface.isWan
      ? []
      : [
          ...(iface.network !== undefined && networks.has(iface.network) ? [networkObject(networks.get(iface.network)!)] : []),
          ...internalRoutes(firewall)
            .filter((r) => r.interface === iface.name)
            .map((r): PolicyObject => ({ kind: 'address', name: r.network, cidrs: [r.network], ranges: rangesOfCidrs([r.network]) })),
        ],
    to: { kind: 'self' },
    destinations: [],
    proto: 'tcp',
    ports,
    action: 'pass',
    log: false,
    path: firewall.antiLockout.path,
  };
}

/**
 * The step that makes the box match a topology that says the rule is off:
 * noantilockout lives in <system>, which gen does not write and the merge
 * keeps as the base has it.
 */
export function antiLockoutSteps(firewall: Firewall): string[] {
  if (firewall.antiLockout.enabled) return [];
  const on = antiLockoutOn(firewall);
  const ports = firewall.antiLockout.ports.join(', ');
  return [
    `On the firewall, once the configuration is restored: ${ANTI_LOCKOUT_SETTING}, Save. The topology says the box runs without it; until then OPNsense passes TCP ${ports} ` +
      `from ${on?.name ?? 'its primary interface'} to the firewall before every policy rule. Do it from a host that a policy rule passes to self on the web GUI's port: ` +
      `without one this locks you out (undo: ${ANTI_LOCKOUT_RECOVERY}).`,
  ];
}
