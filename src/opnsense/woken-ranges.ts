// The box's dnsmasq DHCP ranges a merge wakes. gen enables dnsmasq for its
// own DHCP ranges (enable 1); on a box whose dnsmasq was off, the box's
// other ranges stay in the config (merge drops only those of gen's
// interfaces) and start serving with it: OPNsense's dnsmasq.conf template
// writes a dhcp-range (tag:<interface>) for every range and interface= for
// the dnsmasq/interface list (no line: every interface), less the DHCP
// exceptions of dhcp/no_interface, and dnsmasq hands out leases on each
// interface it listens on that a range names (a range without interface: on
// any of them). A box that left a range there from a trial, with ISC or Kea
// serving that interface, then has two DHCP servers on it.
import { type XmlElement, attr, child, childrenNamed, textOf } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';

/** Whether the dnsmasq of `root` (a config) is enabled. */
export function dnsmasqEnabled(root: XmlElement): boolean {
  return textOf(child(child(root, 'dnsmasq'), 'enable')) === '1';
}

/**
 * A warning for each range of the box (a uuid `isGen` does not claim) that the merged config `root` serves, where the
 * box's dnsmasq was off (`wasEnabled` false) and the merge turned it on.
 */
export function wokenRanges(root: XmlElement, wasEnabled: boolean, isGen: (uuid: string) => boolean): string[] {
  if (wasEnabled || !dnsmasqEnabled(root)) return [];
  const dnsmasq = child(root, 'dnsmasq');
  const listening = new Set(fieldList(dnsmasq, 'interface'));
  const excepted = new Set(fieldList(child(dnsmasq, 'dhcp'), 'no_interface'));
  const serves = (name: string) => (listening.size === 0 || listening.has(name)) && !excepted.has(name);
  const servesAny = listening.size === 0 || [...listening].some((each) => !excepted.has(each));
  const messages: string[] = [];
  for (const range of childrenNamed(dnsmasq, 'dhcp_ranges')) {
    if (isGen(attr(range, 'uuid') ?? '')) continue;
    const name = fieldText(range, 'interface');
    if (name === '' ? !servesAny : !serves(name)) continue;
    messages.push(
      `the box's dnsmasq DHCP range ${fieldText(range, 'start_addr')}-${fieldText(range, 'end_addr')} ${name ? `on ${name}` : 'of no interface'} starts serving: ` +
        `the box's dnsmasq was off and the merged config turns it on for the topology's DHCP; remove that range (Services › Dnsmasq DNS & DHCP › DHCP ranges) ` +
        `if another DHCP server answers ${name ? `on ${name}` : 'there'}`,
    );
  }
  return messages;
}
