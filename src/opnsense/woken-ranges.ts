// The box's dnsmasq DHCP ranges a merge wakes. gen enables dnsmasq for its
// own DHCP ranges (enable 1); on a box whose dnsmasq was off, the box's
// other ranges stay in the config (merge drops only those of gen's
// interfaces) and those dnsmasq.conf hands out leases from (servedRanges():
// on an assigned interface dnsmasq listens on and does not except from DHCP,
// or of no interface) start serving with it. A box that left a range there
// from a trial, with ISC or Kea serving that interface, then has two DHCP
// servers on it.
import { type XmlElement, attr, child } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { servedRanges } from './dnsmasq-ranges.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';

/**
 * A warning for each range of the box (a uuid `isGen` does not claim) that the merged config `root` serves, where the
 * box's dnsmasq was off (`wasEnabled` false) and the merge turned it on.
 */
export function wokenRanges(root: XmlElement, wasEnabled: boolean, isGen: (uuid: string) => boolean): string[] {
  if (wasEnabled || !dnsmasqEnabled(child(root, 'dnsmasq'))) return [];
  const messages: string[] = [];
  for (const range of servedRanges(root)) {
    if (isGen(attr(range, 'uuid') ?? '')) continue;
    const name = fieldText(range, 'interface');
    messages.push(
      `the box's dnsmasq DHCP range ${fieldText(range, 'start_addr')}-${fieldText(range, 'end_addr')} ${name ? `on ${name}` : 'of no interface'} starts serving: ` +
        `the box's dnsmasq was off and the merged config turns it on for the topology's DHCP; remove that range (Services › Dnsmasq DNS & DHCP › DHCP ranges) ` +
        `if another DHCP server answers ${name ? `on ${name}` : 'there'}`,
    );
  }
  return messages;
}
