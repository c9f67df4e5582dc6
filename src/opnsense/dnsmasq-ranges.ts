// The DHCP ranges the dnsmasq of a config hands out leases from, as OPNsense's
// dnsmasq.conf template writes them (templates/OPNsense/Dnsmasq/dnsmasq.conf,
// 25.7 to 26.7): a dhcp-range line for every range, tagged with its
// interface's device (helpers.physical_interface(): the interface key itself
// where no assignment names one, a tag no request carries); interface= for
// the dnsmasq/interface list and no-dhcp-interface= for dhcp/no_interface,
// each of the assigned interfaces only (helpers.physical_interfaces() skips
// the others; an empty list writes no interface= line: every interface).
// dnsmasq hands out leases from a tagged range on the device it listens on
// and does not except from DHCP, and from a range without interface on any
// such device.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';

/** The ranges of `root`'s dnsmasq (whether it runs or not) that its dnsmasq.conf hands out leases from. */
export function servedRanges(root: XmlElement): XmlElement[] {
  const dnsmasq = child(root, 'dnsmasq');
  const interfaces = child(root, 'interfaces');
  const assigned = (name: string) => fieldText(child(interfaces, name), 'if') !== '';
  const listed = fieldList(dnsmasq, 'interface');
  const listening = new Set(listed.filter(assigned));
  const excepted = new Set(fieldList(child(dnsmasq, 'dhcp'), 'no_interface'));
  const serves = (name: string) => assigned(name) && (listed.length === 0 || listening.has(name)) && !excepted.has(name);
  const servesAny = listed.length === 0 || [...listening].some((each) => !excepted.has(each));
  return childrenNamed(dnsmasq, 'dhcp_ranges').filter((range) => {
    const name = fieldText(range, 'interface');
    return name === '' ? servesAny : serves(name);
  });
}
