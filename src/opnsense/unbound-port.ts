// A box whose Unbound listens on another port than 53: clients ask the
// firewall on 53 (what DHCP and the WireGuard client files hand out means
// port 53), so Unbound, and gen's host overrides in it, answer none of them.
// OPNsense writes `port: <general.port>` into unbound.conf
// (plugins.inc.d/unbound.inc unbound_generate_config(), 25.7 to 26.7; the
// model's general.port defaults to 53). A root the box has not migrated past
// 1.0.5 keeps it in the legacy <unbound><port>, which Migrations/M1_0_5.php
// moves into the model (an empty one becomes 53). Port 53 then belongs to
// dnsmasq only when the box runs dnsmasq's DNS there; it reaches Unbound's
// overrides only through a domain override that forwards their domain to the
// firewall's own Unbound port (templates/OPNsense/Dnsmasq/dnsmasq.conf:
// server=/<domain>/<ip>#<port>); /etc/resolv.conf, dnsmasq's other upstream,
// names no port.
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { fieldText } from './fields.js';
import { dnsmasqAnswers, migratedPastSwitch, unboundEnabled } from './unbound-off.js';
import { boxUnbound, genHostItems, hostName } from './unbound-items.js';

/** The port the box's Unbound listens on after the merged config's migrations. */
function unboundPort(root: XmlElement): string {
  const model = boxUnbound(root);
  const port = model && migratedPastSwitch(attr(model, 'version')) ? fieldText(child(model, 'general'), 'port') : fieldText(child(root, 'unbound'), 'port');
  return port === '' ? String(UNBOUND_PORT) : port;
}

/** Addresses of the box itself that a dnsmasq domain override can name to reach its Unbound. */
const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** Whether the box's dnsmasq forwards `name` to the firewall's own Unbound on `port` (the closest domain override wins). */
function dnsmasqForwards(root: XmlElement, name: string, port: string): boolean {
  let best: XmlElement | undefined;
  let length = -1;
  for (const o of childrenNamed(child(root, 'dnsmasq'), 'domainoverrides')) {
    const domain = fieldText(o, 'domain').toLowerCase().replace(/\.$/, '');
    if ((name === domain || name.endsWith(`.${domain}`)) && domain.length > length) [best, length] = [o, domain.length];
  }
  return best !== undefined && LOOPBACK.has(fieldText(best, 'ip')) && fieldText(best, 'port') === port;
}

/** A warning when the box's Unbound runs on another port than 53, so that no client reaches gen's host overrides. */
export function offPortOverrides(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const port = unboundPort(root);
  if (port === String(UNBOUND_PORT) || !unboundEnabled(root)) return [];
  const dnsmasq = dnsmasqAnswers(root);
  const names = genHostItems(sections).map((h) => hostName(h).toLowerCase()).filter((n) => !(dnsmasq && dnsmasqForwards(root, n, port)));
  if (names.length === 0) return [];
  const fix = dnsmasq
    ? `dnsmasq answers port 53 and sends these names elsewhere: forward their domain to 127.0.0.1 port ${port} in Services › Dnsmasq DNS & DHCP › Domain overrides, or add them in its Hosts`
    : `nothing answers DNS on port 53: set Listen Port to ${UNBOUND_PORT} in Services › Unbound DNS › General`;
  return [
    `the box's Unbound DNS listens on port ${port}, not ${UNBOUND_PORT}, where clients ask the firewall, so gen's Unbound host overrides ${names.join(', ')} answer no client inside and they still reach these names through the upstream router; ${fix}`,
  ];
}
