// A box whose Unbound listens on another port than 53: clients ask the
// firewall on 53 (what DHCP and the WireGuard client files hand out means
// port 53), so Unbound, and gen's host overrides in it, answer none of them.
// OPNsense writes `port: <general.port>` into unbound.conf
// (plugins.inc.d/unbound.inc unbound_generate_config(), 25.7 to 26.7; the
// model's general.port defaults to 53). A root the box has not migrated past
// 1.0.5 keeps it in the legacy <unbound><port>, which Migrations/M1_0_5.php
// moves into the model (an empty one becomes 53). Port 53 then belongs to
// dnsmasq only when the box runs dnsmasq's DNS there, which decides each name
// (dnsmasq-answer.ts). Unbound listens on every address of the box unless its
// Network Interfaces are set (active_interface): then on those interfaces'
// addresses and 127.0.0.1 (unbound.inc: interfaces_addresses() of lo0 and
// the listed interfaces, their IP alias and CARP VIPs included but those that
// deny service binding), so a forward to one of those reaches it as well as
// one to the loopback (listened-addresses.ts).
import { type XmlElement } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { unboundEnabled, unboundPort } from './unbound-general.js';
import { unboundBoundAddresses } from './unbound-bound.js';
import { dnsmasqAnswers, genNamesOnPort53, passedOnWarning, wrongAnswerWarning } from './dnsmasq-answer.js';

/**
 * Which servers of /etc/resolv.conf dnsmasq may ask beside its override of every domain to Unbound, and what keeps
 * it from them: Do not forward to system defined DNS servers (the template's no-resolv).
 */
function resolvNote(servers: readonly string[]): string {
  if (servers.length === 0) return '';
  return (
    `; beside its Domains override of every domain (*) to Unbound, dnsmasq asks the servers of /etc/resolv.conf, and any of them may answer: ${servers.join(', ')}; ` +
    'turn on Do not forward to system defined DNS servers in Services › Dnsmasq DNS & DHCP › General so that it asks Unbound only'
  );
}

/**
 * A warning when the box's Unbound runs on another port than 53, so that no client reaches gen's host overrides, and
 * one for each name dnsmasq answers on 53 from its Hosts with other addresses than gen's overrides of it. A name
 * dnsmasq answers from its Hosts with exactly those addresses is answered as gen means it, unless dnsmasq passes the
 * record type gen's overrides do not answer on to other servers than Unbound (PassedOn). `root` is the merged config;
 * `dnsmasqVersion`: the version of the box's dnsmasq (its release's).
 */
export function offPortOverrides(root: XmlElement, sections: readonly XmlElement[], dnsmasqVersion: string): string[] {
  const port = unboundPort(root);
  if (port === String(UNBOUND_PORT) || !unboundEnabled(root)) return [];
  const dnsmasq = dnsmasqAnswers(root);
  const { unreachedNames: names, wrong, passedOn, viaResolv } = genNamesOnPort53(root, sections, dnsmasq ? { port, addresses: unboundBoundAddresses(root) } : undefined, dnsmasqVersion);
  const why = `Unbound listens on port ${port}, which clients do not ask`;
  const out = wrong.map((w) => wrongAnswerWarning(w, why));
  const forward = `forward its domain to 127.0.0.1 port ${port} in Services › Dnsmasq DNS & DHCP › Domains, and to no other server, so that Unbound answers these queries`;
  for (const p of passedOn) out.push(passedOnWarning(p, why, forward));
  if (names.length === 0) return out;
  const fix = dnsmasq
    ? `dnsmasq answers port 53 and sends these names elsewhere or answers them itself: forward their domain to 127.0.0.1 port ${port} in Services › Dnsmasq DNS & DHCP › Domains, and to no other server (the names themselves where dnsmasq holds that domain as local), or add them in its Hosts with the addresses gen's overrides answer${resolvNote(viaResolv)}`
    : `nothing answers DNS on port 53: set Listen Port to ${UNBOUND_PORT} in Services › Unbound DNS › General`;
  return [
    `the box's Unbound DNS listens on port ${port}, not ${UNBOUND_PORT}, where clients ask the firewall, so gen's Unbound host overrides ${names.join(', ')} answer no client inside and they still reach these names through the upstream router; ${fix}`,
    ...out,
  ];
}
