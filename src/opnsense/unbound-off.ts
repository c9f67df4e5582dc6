// gen's Unbound host overrides on a box whose Unbound does not run: nothing
// answers them, and clients inside still reach HAProxy's host names only
// through the upstream router's NAT hairpin. OPNsense starts Unbound only
// when general.enabled is set (opnsense/core plugins.inc.d/unbound.inc
// unbound_enabled(), 25.7 to 26.7; the model's default is 0). A root the box
// has not migrated past 1.0.5 (none, or gen's unversioned one) takes that
// switch from the legacy <unbound><enable> instead (Unbound/Migrations/M1_0_5.php).
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';

/** The first model version whose root holds Unbound's switch itself. */
const SWITCH_IN_MODEL = [1, 0, 5];

function migratedPastSwitch(version: string | undefined): boolean {
  if (version === undefined) return false;
  const parts = version.split('.').map(Number);
  for (let i = 0; i < SWITCH_IN_MODEL.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== SWITCH_IN_MODEL[i]) return have > SWITCH_IN_MODEL[i]!;
  }
  return true;
}

function unboundRoot(root: XmlElement): XmlElement | undefined {
  return childrenNamed(root, 'OPNsense').map((o) => child(o, 'unboundplus')).find((u) => u !== undefined);
}

/** Whether the box's Unbound runs after the merged config's migrations. */
function unboundEnabled(root: XmlElement): boolean {
  const model = unboundRoot(root);
  if (model && migratedPastSwitch(attr(model, 'version'))) {
    const enabled = fieldText(child(model, 'general'), 'enabled');
    return enabled !== '' && enabled !== '0';
  }
  return child(child(root, 'unbound'), 'enable') !== undefined;
}

/** What answers DNS on the box instead: dnsmasq when it runs with its DNS on port 53 (an empty port is 53). */
function otherResolver(root: XmlElement): string {
  const dnsmasq = child(root, 'dnsmasq');
  const port = fieldText(dnsmasq, 'port');
  if (fieldText(dnsmasq, 'enable') === '1' && (port === '' || port === '53')) {
    return 'dnsmasq answers DNS on the box: enable Unbound (and move dnsmasq off port 53), or add the names in Services › Dnsmasq DNS & DHCP › Hosts';
  }
  return 'enable it in Services › Unbound DNS › General';
}

/** A warning when gen writes Unbound host overrides (gen's sections) and the box (the base) does not run Unbound. */
export function unansweredOverrides(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const hosts = sections
    .filter((s) => s.name === 'OPNsense')
    .flatMap((s) => childrenNamed(child(child(s, 'unboundplus'), 'hosts'), 'host'));
  if (hosts.length === 0 || unboundEnabled(root)) return [];
  const names = hosts.map((h) => `${fieldText(h, 'hostname')}.${fieldText(h, 'domain')} (${fieldText(h, 'rr')} ${fieldText(h, 'server')})`);
  return [
    `the box's Unbound DNS is disabled, so nothing answers gen's Unbound host overrides ${names.join(', ')}: clients inside still reach these names through the upstream router; ${otherResolver(root)}`,
  ];
}
