// OPNsense's anti-lockout rule against the policy: where a policy rule
// blocks the anti-lockout interface's traffic to the firewall itself, the
// box still passes the web GUI and SSH ports there, before that rule
// (targets/opnsense/anti-lockout.ts). The policy tests see the pass; this
// says so where the block is written, with the way to close the ports
// that does not lock the admins out.
import { partVerdicts } from '../flows.js';
import { ADDRESS_SPACE } from '../intervals.js';
import type { Path } from '../location.js';
import type { Site } from '../model.js';
import { siteMatches } from '../resolve/matches.js';
import { ANTI_LOCKOUT_RECOVERY, ANTI_LOCKOUT_SETTING } from '../targets/opnsense/anti-lockout.js';
import { loginPorts } from '../targets/opnsense/management.js';
import type { Rule } from './rule.js';

interface Overridden {
  /** The policy rule that blocks, by its origin. */
  decidedBy: string;
  path: Path;
  ports: number[];
}

/** The policy rules that would block some of the anti-lockout rule's traffic, with the ports where it passes it anyway. */
function overridden(site: Site): Overridden[] {
  const rule = site.policy.antiLockout;
  const match = rule && siteMatches(site).matches.find((m) => m.rule === rule);
  if (!site.firewall || !rule || !match) return [];
  const [sources, self] = match.box;
  const found = new Map<string, Overridden>();
  for (const port of site.firewall.antiLockout.ports) {
    for (const verdict of partVerdicts(site, sources, self, 'tcp', port, rule)) {
      // The default deny is no rule's intent: only a rule that blocks is overridden. A reflected port forward's
      // flow goes to its target, not to the firewall, and the anti-lockout rule never passes it.
      if (verdict.verdict !== 'deny' || verdict.path === undefined || verdict.reflected !== undefined) continue;
      const entry = found.get(verdict.decidedBy) ?? { decidedBy: verdict.decidedBy, path: verdict.path, ports: [] };
      entry.ports.push(port);
      found.set(verdict.decidedBy, entry);
    }
  }
  return [...found.values()];
}

/**
 * Whether anyone (an internal network, the VPN, an admin's address outside)
 * reaches the firewall's web GUI or SSH through a policy rule: a derived
 * pass to the WAN address on one of the ports is HAProxy's or a port
 * forward's, not the GUI's, and a pass to the GUI's HTTP redirect alone
 * lets nobody log in (loginPorts).
 */
function reachable(site: Site, ports: readonly number[]): boolean {
  const self = siteMatches(site).space.self;
  return loginPorts(ports).some((port) => partVerdicts(site, [ADDRESS_SPACE], self, 'tcp', port).some((v) => v.verdict === 'accept' && v.decidedBy.startsWith('policy rule ') && v.reflected === undefined));
}

export const antiLockoutRules: Rule[] = [
  {
    id: 'policy/lockout',
    severity: 'error',
    summary: "The topology says the box runs without OPNsense's anti-lockout rule, but no policy rule passes anyone to the firewall on its web GUI or SSH ports.",
    why:
      'With the anti-lockout rule off, the policy alone decides who reaches the web GUI and SSH; with no pass to self on those ports from anywhere (an internal network, the VPN, an admin address), ' +
      'the restored configuration locks every admin out, and only the console can undo it.',
    hint: `Pass the admins (their network, a VPN role, an address) to self on the web GUI and SSH ports, or keep the rule: firewall.anti_lockout.enabled: true (undo on the box: ${ANTI_LOCKOUT_RECOVERY}).`,
    examples: [
      {
        topology: 'vlan-hosting',
        context: [
          { where: 'sites[].policy.rules[lan-out]', snippet: '{ name: lan-dns, from: lan, to: self, proto: tcp/udp, ports: [53], action: pass }' },
          { where: 'sites[].policy.rules[mgmt-out]', snippet: '{ name: mgmt-dns, from: mgmt, to: self, proto: tcp/udp, ports: [53], action: pass }' },
          { where: 'sites[].policy.rules[+]', snippet: '{ name: lan-out, from: lan, to: internet, action: pass }' },
          { where: 'sites[].policy.rules[+]', snippet: '{ name: mgmt-ssh, from: mgmt, to: hosting, proto: tcp, ports: [22], action: pass }' },
        ],
        where: 'sites[].firewall',
        bad: 'anti_lockout: { enabled: false, ports: [8443] }',
        good: 'anti_lockout: { enabled: true, ports: [8443] }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const firewall = site.firewall;
        if (!firewall || firewall.antiLockout.enabled) continue;
        if (reachable(site, firewall.antiLockout.ports)) continue;
        report({
          path: firewall.antiLockout.path.concat('enabled'),
          message: `the anti-lockout rule is off, and no policy rule passes anyone to the firewall on TCP ${firewall.antiLockout.ports.join(', ')}: the restored configuration would lock every admin out`,
        });
      }
    },
  },
  {
    id: 'policy/anti-lockout-open',
    severity: 'warning',
    summary: "A policy rule blocks traffic to the firewall itself that OPNsense's anti-lockout rule passes first: the web GUI and SSH stay open there.",
    why:
      'Unless it is disabled, OPNsense passes TCP to its own addresses on the web GUI and SSH ports from anything on its primary interface (lan, else the first optN, else wan), ' +
      'at priority 5, ahead of every rule in the configuration (filter_core_get_antilockout() in filter.lib.inc). A rule that closes the firewall to that network, ' +
      'or to: internet for a zone on it, blocks everything else but not those ports; whoever reads the policy believes the web GUI is closed.',
    hint:
      `Either make the policy say what the box does: pass that network to self on those ports before the blocking rule. Or make the box do what the policy says: ` +
      `pass the admins to self on those ports first, restore, log in through that rule, then ${ANTI_LOCKOUT_SETTING} and set firewall.anti_lockout.enabled: false. ` +
      `Disabling it with no such pass locks you out (undo: ${ANTI_LOCKOUT_RECOVERY}).`,
    examples: [
      {
        topology: 'vlan-hosting',
        context: [
          { where: 'sites[].policy.rules[lan-out]', snippet: '{ name: lan-dns, from: lan, to: self, proto: tcp/udp, ports: [53], action: pass }' },
          { where: 'sites[].policy.rules[+]', snippet: '{ name: lan-internet, from: lan, to: internet, action: pass }' },
        ],
        where: 'sites[].firewall',
        bad: 'anti_lockout: { enabled: true }',
        good: 'anti_lockout: { enabled: false }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const rule = site.policy.antiLockout;
        if (!rule || !site.firewall) continue;
        const iface = rule.from.kind === 'object' ? rule.from.name : 'wan';
        for (const { decidedBy, path, ports } of overridden(site)) {
          const list = ports.join(', ');
          report({
            path,
            message:
              `${decidedBy} blocks ${iface} from the firewall itself, but OPNsense's anti-lockout rule passes TCP ${list} from ${iface} to the firewall before it: ` +
              `the web GUI and SSH stay open to all of ${iface}`,
            related: [{ message: `OPNsense's anti-lockout rule (TCP ${site.firewall.antiLockout.ports.join(', ')})`, path: site.firewall.antiLockout.path }],
            hint:
              `If ${iface} may reach them, say so: pass ${iface} to self on TCP ${list} before ${decidedBy}. To close them: pass the admins to self on TCP ${list} before ${decidedBy}, ` +
              `restore the configuration and log in through that rule, then ${ANTI_LOCKOUT_SETTING} and set firewall.anti_lockout.enabled: false; ` +
              `disabling it with no such pass locks you out (undo: ${ANTI_LOCKOUT_RECOVERY}). If the box's web GUI or SSH use other ports, list them in firewall.anti_lockout.ports.`,
          });
        }
      }
    },
  },
];
