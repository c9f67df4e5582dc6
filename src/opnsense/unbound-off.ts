// A box whose Unbound does not run, where gen relies on it: nothing answers
// gen's Unbound host overrides (clients inside still reach HAProxy's host
// names only through the upstream router's NAT hairpin). When Unbound is
// enabled is unbound-general.ts's, when dnsmasq holds its port 53 instead
// dns-port-clash.ts's; where the firewall that dnsmasq's DHCP hands out as
// DNS server is answered, firewall-dns-unanswered.ts's.
import type { XmlElement } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { genHostItems, hostAnswer, hostName } from './unbound-items.js';
import { dnsmasqAnswers, familyOf, genNamesOnPort53, passedOnWarning, wrongAnswerWarning } from './dnsmasq-answer.js';
import { nameKey } from './dnsmasq-hosts.js';
import { unboundEnabled } from './unbound-general.js';
import { unboundOutstarted } from './dns-port-clash.js';

/** What answers DNS on the box instead, and what to do; `outstarted`: Unbound is enabled, but dnsmasq holds its port. */
function otherResolver(root: XmlElement, outstarted: boolean): string {
  if (outstarted) {
    return "dnsmasq holds port 53: set its Listen port to 0 in Services › Dnsmasq DNS & DHCP › General, or add the names in its Hosts with the addresses gen's overrides answer";
  }
  if (dnsmasqAnswers(root)) {
    return "dnsmasq answers DNS on the box: enable Unbound (and move dnsmasq off port 53), or add the names in Services › Dnsmasq DNS & DHCP › Hosts with the addresses gen's overrides answer";
  }
  return 'enable it in Services › Unbound DNS › General';
}

/**
 * Warnings when the box (the base) does not run Unbound and gen relies on it (disabled, or not started beside dnsmasq
 * on port 53): its Unbound host overrides (gen's
 * sections) go unanswered, except the names the box's dnsmasq answers on port 53 from its Hosts with exactly gen's
 * addresses (those it answers with others get a warning each, and so does one whose other record type dnsmasq passes
 * on to other servers; a domain override to Unbound reaches nothing, as Unbound does not run). `root` is the merged
 * config; `dnsmasqVersion`: the version of the box's dnsmasq (its release's).
 */
export function unansweredOverrides(root: XmlElement, sections: readonly XmlElement[], dnsmasqVersion: string): string[] {
  const outstarted = unboundOutstarted(root);
  if (unboundEnabled(root) && !outstarted) return [];
  const down = outstarted ? "the box's Unbound DNS does not start beside dnsmasq, which holds port 53" : "the box's Unbound DNS is disabled";
  const out: string[] = [];
  const { unreached, wrong, passedOn } = genNamesOnPort53(root, sections, undefined, dnsmasqVersion);
  const hosts = genHostItems(sections).filter((h) => unreached.has(`${nameKey(hostName(h))} ${familyOf(fieldText(h, 'server'))}`));
  if (hosts.length > 0) {
    const names = hosts.map((h) => `${hostName(h)} (${hostAnswer(h)})`);
    out.push(
      `${down}, so nothing answers gen's Unbound host overrides ${names.join(', ')}: clients inside still reach these names through the upstream router; ${otherResolver(root, outstarted)}`,
    );
  }
  for (const w of wrong) out.push(wrongAnswerWarning(w, down));
  const enable = outstarted
    ? 'set Listen port to 0 in Services › Dnsmasq DNS & DHCP › General, so that Unbound answers these queries'
    : 'enable Unbound in Services › Unbound DNS › General and forward its domain to it in Services › Dnsmasq DNS & DHCP › Domains, so that Unbound answers these queries';
  for (const p of passedOn) out.push(passedOnWarning(p, down, enable));
  return out;
}
