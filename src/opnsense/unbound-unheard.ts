// A box whose Unbound runs on port 53 but listens on chosen Network
// Interfaces only (unbound-bound.ts), while dnsmasq's DHCP hands out the
// firewall as DNS server at addresses it does not bind: there dnsmasq's DNS
// answers instead (its wildcard beside Unbound's addresses: dns-port-clash.ts),
// and those clients reach gen's Unbound host overrides only as dnsmasq answers
// the names (dnsmasq-answer.ts). A domain override reaches Unbound only at an
// address of Unbound's that is none of dnsmasq's own: dnsmasq ignores a server
// of its own address and port ("ignoring nameserver ... - local interface",
// network.c check_servers()), the loopback's among them, which it adds to any
// list of interfaces. Where nothing answers those clients at all,
// firewall-dns-unanswered.ts says so.
import { type XmlElement } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { dnsmasqAnswers, genNamesOnPort53, passedOnWarning, wrongAnswerWarning } from './dnsmasq-answer.js';
import { dnsmasqBoundAddresses } from './dnsmasq-bound.js';
import { unboundOutstarted } from './dns-port-clash.js';
import { firewallAsDns } from './firewall-dns-unanswered.js';
import type { Ipv6Facts } from './ipv6-allowed.js';
import { unboundBoundAddresses, unboundInterfaces } from './unbound-bound.js';
import { unboundEnabled, unboundPort } from './unbound-general.js';

/**
 * Warnings when the box's Unbound answers on port 53 at the addresses of its Network Interfaces only, and dnsmasq's
 * DHCP hands out the firewall elsewhere, where dnsmasq answers DNS: the names of gen's Unbound host overrides dnsmasq
 * neither answers with gen's addresses nor forwards to Unbound, and each it answers with other addresses. `root` is
 * the merged config; `firewallDns6`: whether its release's dnsmasq.conf hands out the firewall as IPv6 DNS server by
 * default; `dnsmasqVersion`: the version of the box's dnsmasq; `ipv6`: its release's IPv6 facts (which interfaces take an
 * IPv6 address at run time: ipv6-allowed.ts).
 */
export function unheardOverrides(root: XmlElement, sections: readonly XmlElement[], firewallDns6: boolean, dnsmasqVersion: string, ipv6: Ipv6Facts): string[] {
  const interfaces = unboundInterfaces(root);
  if (!unboundEnabled(root) || unboundPort(root) !== String(UNBOUND_PORT) || interfaces.length === 0 || unboundOutstarted(root) || !dnsmasqAnswers(root)) return [];
  // Where Unbound does not answer those clients, less where nothing does (firewall-dns-unanswered.ts names those).
  const unanswered = new Set(firewallAsDns(root, firewallDns6, ipv6));
  const places = firewallAsDns(root, firewallDns6, ipv6, 'unbound').filter((p) => !unanswered.has(p));
  if (places.length === 0) return [];
  const own = dnsmasqBoundAddresses(root);
  const reach = [...unboundBoundAddresses(root)].filter((a) => !own.has(a));
  const { unreachedNames: names, wrong, passedOn } = genNamesOnPort53(root, sections, { port: String(UNBOUND_PORT), addresses: new Set(reach) }, dnsmasqVersion);
  const general = 'Services › Unbound DNS › General';
  const add = `add those interfaces to Network Interfaces in ${general} (Unbound then binds their addresses beside dnsmasq's wildcard)`;
  const why = `Unbound answers only at the addresses of its Network Interfaces ${interfaces.join(', ')}, not where dnsmasq's DHCP hands out the firewall on ${places.join(', ')}`;
  const out: string[] = [];
  if (names.length > 0) {
    const forward =
      reach.length > 0
        ? `, or forward their domain to ${reach.join(' or ')} port ${UNBOUND_PORT} in Services › Dnsmasq DNS & DHCP › Domains, and to no other server (dnsmasq ignores a server at an address of its own, the loopback's among them)`
        : '';
    out.push(
      `the box's Unbound DNS answers only at the addresses of its Network Interfaces ${interfaces.join(', ')}, but dnsmasq's DHCP hands out the firewall's address as DNS server on ${places.join(', ')}, ` +
        `where dnsmasq answers DNS on port ${UNBOUND_PORT} instead: clients there do not reach gen's Unbound host overrides ${names.join(', ')} and still reach these names through the upstream router; ` +
        `${add}${forward}, or add the names in Services › Dnsmasq DNS & DHCP › Hosts with the addresses gen's overrides answer`,
    );
  }
  for (const w of wrong) out.push(wrongAnswerWarning(w, why));
  for (const p of passedOn) out.push(passedOnWarning(p, why, add));
  return out;
}
