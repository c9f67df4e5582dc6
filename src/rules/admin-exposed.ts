// The firewall's own web GUI and SSH against the policy: both listen on
// every address of the box unless their listen interfaces are limited
// (targets/opnsense/management.ts), so a pass from internet addresses to
// the firewall itself on their ports puts the admin login on the internet.
// A source of a few explicit addresses (an office's static block) is a
// choice an operator can make, and is a warning; more is an error.
import { describeAddresses } from '../flows.js';
import { size } from '../intervals.js';
import type { Model, PolicyRule, Site } from '../model.js';
import { ANTI_LOCKOUT_SETTING } from '../targets/opnsense/anti-lockout.js';
import { MANAGEMENT_LISTEN_SETTING, SSH_LOGIN_SETTING, loginPorts } from '../targets/opnsense/management.js';
import { type SelfPass, internetPassesToSelf, isOwnRule } from './internet-to-self.js';
import type { Rule, RuleReport } from './rule.js';

/** The most internet addresses an admin source may hold and be a warning: a /28, an office's static block. */
export const NARROW_ADMIN_SOURCE = 16;

/**
 * The rules that pass internet addresses to the web GUI's or SSH's ports:
 * the topology's own, and OPNsense's anti-lockout rule where it sits on
 * the WAN (a box with no other interface assigned).
 */
function adminPasses(site: Site): SelfPass[] {
  if (!site.firewall) return [];
  const antiLockout = site.policy.antiLockout;
  const candidate = (rule: PolicyRule) => isOwnRule(site, rule) || (rule === antiLockout && rule.from.kind === 'wan');
  return internetPassesToSelf(site, ['tcp'], loginPorts(site.firewall.antiLockout.ports), candidate);
}

function check(model: Model, report: RuleReport, narrow: boolean): void {
  for (const site of model.sites) {
    for (const { rule, ports, sources, everyone } of adminPasses(site)) {
      if ((size(sources) <= NARROW_ADMIN_SOURCE) !== narrow) continue;
      const list = `TCP ${ports.join(', ')}`;
      const from = everyone ? 'every internet address' : narrow ? describeAddresses(sources) : `internet addresses (${describeAddresses(sources)})`;
      if (rule === site.policy.antiLockout) {
        report({
          path: rule.path,
          message: `OPNsense's anti-lockout rule sits on the WAN (the box has no other interface assigned): it passes ${list} from ${from} to the firewall itself, before every policy rule, and the web GUI and SSH listen on every address`,
          hint: `Assign an inside interface (it becomes the anti-lockout rule's), or pass the admins to self on ${list} and then ${ANTI_LOCKOUT_SETTING} (firewall.anti_lockout.enabled: false).`,
        });
        continue;
      }
      report({
        path: rule.path,
        message: narrow
          ? `policy rule ${rule.name} passes ${list} from ${from} to the firewall itself: the web GUI's and SSH's logins face those internet addresses`
          : `policy rule ${rule.name} passes ${list} from ${from} to the firewall itself, and the web GUI and SSH listen on every address by default: their logins are open to the internet`,
      });
    }
  }
}

export const adminExposedRules: Rule[] = [
  {
    id: 'opnsense/admin-open',
    severity: 'error',
    summary: "A policy rule passes the firewall's web GUI or SSH ports from the internet (more than a /28 of it) to the firewall itself: the admin logins are open to the internet.",
    why:
      "OPNsense's web GUI (lighttpd) and SSH listen on every address of the box, the WAN's too, unless Listen Interfaces limits them, and neither limits who may connect: " +
      'the filter alone keeps the internet from the logins. A pass to self (or to any) on their ports (firewall.anti_lockout.ports; port 80 beside others is only the HTTP redirect) ' +
      'whose source holds a wide part of the internet, such as 0.0.0.0/0, lands on the WAN and hands the admin logins to every scanner and password guesser. ' +
      "OPNsense's anti-lockout rule does the same on a box with no interface but the WAN (it sits on lan, else the first optN, else wan). " +
      "gen's own WAN passes (HAProxy's frontends, WireGuard's port, port forwards) go to the listeners gen configures and are not counted.",
    hint:
      'Reach the web GUI and SSH from inside: an internal network, or the VPN (a WireGuard role to self on those ports). If an office must reach them from outside, name its static address alone ' +
      `(at most ${NARROW_ADMIN_SOURCE} addresses, reported as the warning opnsense/admin-exposed). If the rule is for another service on the firewall, leave out these ports, ` +
      `or limit the web GUI and SSH to the inside interfaces on the box (${MANAGEMENT_LISTEN_SETTING}) and silence this with # gen-ignore opnsense/admin-open: the reason.`,
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].policy.rules[+]',
        bad: '{ name: office-admin, from: 0.0.0.0/0, to: self, proto: tcp, ports: [8443], action: pass }',
        good: '{ name: office-admin, from: 203.0.113.7/32, to: self, proto: tcp, ports: [8443], action: pass }',
      },
    ],
    check: (model, report) => check(model, report, false),
  },
  {
    id: 'opnsense/admin-exposed',
    severity: 'warning',
    summary: "A policy rule passes the firewall's web GUI or SSH ports from a few internet addresses to the firewall itself: the admin logins face the internet there.",
    why:
      "OPNsense's web GUI and SSH listen on every address of the box unless Listen Interfaces limits them, so a pass from internet addresses to self on their ports reaches the logins. " +
      `A source of at most ${NARROW_ADMIN_SOURCE} addresses (an office's static address) is a legitimate choice, but the logins then depend on that address staying the admins' ` +
      '(a dynamic address handed to another customer, an office network shared with guests, a compromised host there): each of them reaches a password prompt, where a VPN puts a key before it.',
    hint:
      'Prefer the VPN: pass a WireGuard role to self on these ports and drop the outside source. If the address stays, make sure it is static and only the admins use it, ' +
      `allow SSH keys only (${SSH_LOGIN_SETTING}), and say why with # gen-ignore opnsense/admin-exposed: the reason.`,
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].policy.rules[+]',
        bad: '{ name: office-admin, from: 203.0.113.7/32, to: self, proto: tcp, ports: [8443], action: pass }',
        good: '{ name: office-admin, from: wg0/admin, to: self, proto: tcp, ports: [8443], action: pass }',
      },
    ],
    check: (model, report) => check(model, report, true),
  },
];
