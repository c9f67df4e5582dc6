// A box whose Unbound does not run, where gen relies on it: nothing answers
// gen's Unbound host overrides (clients inside still reach HAProxy's host
// names only through the upstream router's NAT hairpin). When Unbound runs
// is unbound-general.ts's; where the firewall that dnsmasq's DHCP hands out
// as DNS server is answered, firewall-dns-unanswered.ts's.
import type { XmlElement } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { genHostItems, hostAnswer, hostName } from './unbound-items.js';
import { dnsmasqAnswers, familyOf, genNamesOnPort53, passedOnWarning, wrongAnswerWarning } from './dnsmasq-answer.js';
import { nameKey } from './dnsmasq-hosts.js';
import { unboundEnabled } from './unbound-general.js';

/** What answers DNS on the box instead, and what to do. */
function otherResolver(root: XmlElement): string {
  if (dnsmasqAnswers(root)) {
    return "dnsmasq answers DNS on the box: enable Unbound (and move dnsmasq off port 53), or add the names in Services › Dnsmasq DNS & DHCP › Hosts with the addresses gen's overrides answer";
  }
  return 'enable it in Services › Unbound DNS › General';
}

/**
 * Warnings when the box (the base) does not run Unbound and gen relies on it: its Unbound host overrides (gen's
 * sections) go unanswered, except the names the box's dnsmasq answers on port 53 from its Hosts with exactly gen's
 * addresses (those it answers with others get a warning each, and so does one whose other record type dnsmasq passes
 * on to other servers; a domain override to Unbound reaches nothing, as Unbound does not run). `root` is the merged
 * config; `dnsmasqVersion`: the version of the box's dnsmasq (its release's).
 */
export function unansweredOverrides(root: XmlElement, sections: readonly XmlElement[], dnsmasqVersion: string): string[] {
  if (unboundEnabled(root)) return [];
  const out: string[] = [];
  const { unreached, wrong, passedOn } = genNamesOnPort53(root, sections, undefined, dnsmasqVersion);
  const hosts = genHostItems(sections).filter((h) => unreached.has(`${nameKey(hostName(h))} ${familyOf(fieldText(h, 'server'))}`));
  if (hosts.length > 0) {
    const names = hosts.map((h) => `${hostName(h)} (${hostAnswer(h)})`);
    out.push(
      `the box's Unbound DNS is disabled, so nothing answers gen's Unbound host overrides ${names.join(', ')}: clients inside still reach these names through the upstream router; ${otherResolver(root)}`,
    );
  }
  for (const w of wrong) out.push(wrongAnswerWarning(w, "the box's Unbound DNS is disabled"));
  const enable = 'enable Unbound in Services › Unbound DNS › General and forward its domain to it in Services › Dnsmasq DNS & DHCP › Domains, so that Unbound answers these queries';
  for (const p of passedOn) out.push(passedOnWarning(p, "the box's Unbound DNS is disabled", enable));
  return out;
}
