// The anti-lockout rule the merged configuration gives the box, read as
// OPNsense reads it (filter_core_get_antilockout() in etc/inc/filter.lib.inc),
// against what the topology says of it: lint, policy tests and steps.md
// reason from the topology's firewall.anti_lockout, which only the base
// can confirm (its <system> is the operator's, and the merge keeps it).
import { type XmlElement, child, isElement, textOf } from '../render/opnsense/xml.js';
import { SSH_PORT, antiLockoutInterface } from '../targets/opnsense/anti-lockout.js';
import { webGuiPorts } from '../targets/opnsense/webgui.js';

/** What the topology says of the rule, and the interface key gen expects it on. */
export interface ExpectedAntiLockout {
  enabled: boolean;
  ports: readonly number[];
  interface?: string;
}

interface BoxAntiLockout {
  enabled: boolean;
  /** The web GUI's and SSH's ports, which the rule opens when it is on. */
  ports: number[];
  /** Whether SSH is enabled, so that its port is among `ports`. */
  ssh: boolean;
  interface?: string;
}

/** Set as PHP's isset() sees a config.xml element: present, even empty. */
const isSet = (node: XmlElement | undefined, name: string) => child(node, name) !== undefined;
const text = (node: XmlElement | undefined, name: string) => textOf(child(node, name)).trim();

function boxAntiLockout(root: XmlElement): BoxAntiLockout {
  const system = child(root, 'system');
  const webgui = child(system, 'webgui');
  const ssh = child(system, 'ssh');
  // filter.lib.inc compares the protocol with 'https': an empty one is http here.
  const { gui, redirect } = webGuiPorts({ https: text(webgui, 'protocol') === 'https', port: text(webgui, 'port'), redirectDisabled: isSet(webgui, 'disablehttpredirect') });
  const ports = redirect === undefined ? [gui] : [gui, redirect];
  const sshOn = isSet(ssh, 'enabled');
  if (sshOn) ports.push(Number(text(ssh, 'port')) || SSH_PORT);
  // Only interfaces that are not virtual (legacy_config_get_interfaces(['virtual' => false])).
  // PHP's loose != false: "" and "0" are false; an empty element is no interface (!empty($iface)).
  const virtual = (i: XmlElement) => !['', '0'].includes(text(i, 'virtual'));
  const keys = (child(root, 'interfaces')?.children ?? []).filter(isElement).filter((i) => i.children.some(isElement) && !virtual(i)).map((i) => i.name);
  return { enabled: !isSet(webgui, 'noantilockout'), ports: [...new Set(ports)].sort((a, b) => a - b), ssh: sshOn, interface: antiLockoutInterface(keys) };
}

/** Where the merged configuration's anti-lockout rule differs from the topology's: one message each. */
export function antiLockoutDifferences(root: XmlElement, expected: ExpectedAntiLockout): string[] {
  const box = boxAntiLockout(root);
  const out: string[] = [];
  const list = (ports: readonly number[]) => ports.join(', ');
  if (box.enabled && !expected.enabled) {
    out.push(
      `the base has OPNsense's anti-lockout rule on (TCP ${list(box.ports)} from ${box.interface ?? 'no interface'} to the firewall, before every policy rule); the topology says it is disabled: do the step in steps.md once the configuration is restored`,
    );
  } else if (!box.enabled && expected.enabled) {
    out.push('the base has the anti-lockout rule disabled (<webgui><noantilockout>); the topology says it is on: set firewall.anti_lockout.enabled: false, or gen lint and the policy tests count a pass the box does not make');
  }
  if (list(box.ports) !== list(expected.ports)) {
    out.push(
      `the base's ${box.ssh ? 'web GUI and SSH use' : 'web GUI uses (SSH is off)'} TCP ${list(box.ports)} (System › Settings › Administration), which the anti-lockout rule opens; the topology says ${list(expected.ports)}: set firewall.anti_lockout.ports: [${list(box.ports)}]`,
    );
  }
  if ((box.enabled || expected.enabled) && box.interface !== expected.interface) {
    out.push(`OPNsense puts the anti-lockout rule on ${box.interface ?? 'no interface'} of the merged configuration, not on ${expected.interface ?? 'none'} as gen assumed from the topology's interfaces`);
  }
  return out;
}
