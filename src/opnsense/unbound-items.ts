// Unbound host overrides as the merge reads them: the box's Unbound model
// (//OPNsense/unboundplus), its host items and gen's, an item's name and
// answer. One place for the merge checks on them (unbound-hosts.ts,
// unbound-off.ts, unbound-wildcards.ts, and dnsmasq-answer.ts for what the
// box's dnsmasq answers for gen's names).
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';

/** The box's Unbound model root, under whichever <OPNsense> holds it. */
export function boxUnbound(root: XmlElement): XmlElement | undefined {
  return childrenNamed(root, 'OPNsense').map((o) => child(o, 'unboundplus')).find((u) => u !== undefined);
}

/** The host override items of an Unbound model root. */
export function hostItems(unboundplus: XmlElement | undefined): XmlElement[] {
  return childrenNamed(child(unboundplus, 'hosts'), 'host');
}

/** gen's host override items, from its sections. */
export function genHostItems(sections: readonly XmlElement[]): XmlElement[] {
  return sections.filter((s) => s.name === 'OPNsense').flatMap((s) => hostItems(child(s, 'unboundplus')));
}

/** The name an override answers: host name and domain. */
export function hostName(host: XmlElement): string {
  return `${fieldText(host, 'hostname')}.${fieldText(host, 'domain')}`;
}

/** What an override answers: record type and address ("A 192.0.2.1"). */
export function hostAnswer(host: XmlElement): string {
  return `${fieldText(host, 'rr')} ${fieldText(host, 'server')}`;
}
