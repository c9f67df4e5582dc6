// Where the merged box's dnsmasq DHCP hands out the firewall as DNS server at
// addresses no resolver of the box answers on port 53 (firewallDnsRanges():
// neither dnsmasq nor Unbound there), the clients it serves there resolve no
// name. Why, and what to change, is said of each resolver: Unbound disabled,
// on another port, or listening on chosen interfaces (unbound-bound.ts), or
// not started beside dnsmasq on port 53 (dns-port-clash.ts);
// dnsmasq's DNS off or bound to the addresses of its interfaces
// (dnsmasq-bound.ts).
import { type XmlElement, child } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { dnsmasqAnswers } from './dnsmasq-answer.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { type HeardBy, firewallDnsRanges } from './dnsmasq-firewall-dns.js';
import type { Ipv6Facts } from './ipv6-allowed.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { unboundEnabled, unboundPort } from './unbound-general.js';
import { unboundInterfaces } from './unbound-bound.js';
import { unboundOutstarted } from './dns-port-clash.js';

/**
 * Where the merged config's dnsmasq (`root`) hands out the firewall as DNS server at addresses no resolver answers
 * DNS at (firewallDnsRanges(): the ranges its dnsmasq.conf serves whose DNS option line is the firewall, the template's
 * own or one valued 0.0.0.0 or [::], or the box's addresses written out; the template writes option6:23,[::] only
 * where `firewallDns6`): each interface its clients are on (its IPv6 ranges' as `<interface> (IPv6)`: the links
 * dnsmasq serves it on by DHCPv6 and advertises it on), and each IPv4 range of no interface by its addresses (named
 * only where it hands out the firewall on every interface). `by`: where that resolver does not answer, whether the
 * other does or not.
 */
export function firewallAsDns(root: XmlElement, firewallDns6: boolean, ipv6: Ipv6Facts, by: HeardBy = 'either'): string[] {
  if (!dnsmasqEnabled(child(root, 'dnsmasq'))) return [];
  return [
    ...new Set(
      firewallDnsRanges(root, firewallDns6, ipv6, by).flatMap(({ range, on }) => {
        if (on.length === 0) return [`the range ${fieldText(range, 'start_addr')}-${fieldText(range, 'end_addr')} of no interface (on every interface it serves)`];
        return fieldText(range, 'start_addr').includes(':') ? on.map((name) => `${name} (IPv6)`) : on;
      }),
    ),
  ];
}

/**
 * Why the box's Unbound does not answer those clients on port 53, and what makes it; where it listens on chosen
 * Network Interfaces, `add` names what to add to them (the interfaces those clients ask at).
 */
export function unboundCause(root: XmlElement, add = 'those interfaces'): { why: string; fix: string } {
  const general = 'Services › Unbound DNS › General';
  if (!unboundEnabled(root)) return { why: "the box's Unbound DNS is disabled", fix: `enable Unbound in ${general}` };
  if (unboundOutstarted(root)) {
    return {
      why: "the box's Unbound DNS does not start beside dnsmasq, which holds port 53 at the addresses both bind",
      fix: `choose no Network Interfaces (all) in ${general}, so that Unbound binds the wildcard beside dnsmasq's addresses and answers at the others`,
    };
  }
  const port = unboundPort(root);
  if (port !== String(UNBOUND_PORT)) return { why: `the box's Unbound DNS answers only on port ${port}, not ${UNBOUND_PORT}`, fix: `set Listen Port to ${UNBOUND_PORT} in ${general}` };
  return {
    why: `the box's Unbound DNS answers only at the addresses of its Network Interfaces ${unboundInterfaces(root).join(', ')}`,
    fix: `add ${add} to Network Interfaces (or choose none, for all) in ${general}`,
  };
}

/**
 * A warning when the DHCP the box serves with dnsmasq hands out the firewall as DNS server where neither Unbound nor
 * dnsmasq answers DNS on port 53. `root` is the merged config; `firewallDns6`: whether its release's dnsmasq.conf
 * hands out the firewall as IPv6 DNS server by default; `ipv6`: its IPv6 facts (ipv6-allowed.ts).
 */
export function unansweredFirewallDns(root: XmlElement, firewallDns6: boolean, ipv6: Ipv6Facts): string[] {
  const served = firewallAsDns(root, firewallDns6, ipv6);
  if (served.length === 0) return [];
  const unbound = unboundCause(root);
  if (!dnsmasqAnswers(root)) {
    return [
      `${unbound.why} and dnsmasq answers no DNS on port 53, but dnsmasq's DHCP hands out the firewall's address as DNS server on ${served.join(', ')}: ` +
        `clients there resolve no name; ${unbound.fix}, or name the DNS servers in the interface's dhcp.dns ` +
        "(a range of the box's own: in a DHCP option 6 for it, an IPv6 range: a DHCPv6 option 23, Services › Dnsmasq DNS & DHCP › DHCP options)",
    ];
  }
  return [
    `${unbound.why} and dnsmasq, with Strict interface binding, answers DNS only at the addresses of the interfaces it listens on, ` +
      `but dnsmasq's DHCP hands out the firewall's address as DNS server on ${served.join(', ')}: clients there resolve no name, as it hands out addresses of other interfaces; ` +
      'hand out an address of their own interface (0.0.0.0 or [::], the default, in the DHCP option) in Services › Dnsmasq DNS & DHCP › DHCP options, add those interfaces to ' +
      `Interface or turn off Strict interface binding in Services › Dnsmasq DNS & DHCP › General, or ${unbound.fix}`,
  ];
}
