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
import { type XmlElement, child, childrenNamed, firstChildren, isElement } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';

/** Which assigned interfaces `root`'s dnsmasq serves DHCP on, and whether it serves any device at all (every one, without an interface list). */
function serving(root: XmlElement): { serves: (name: string) => boolean; servesAny: boolean } {
  const dnsmasq = child(root, 'dnsmasq');
  const devices = assignedDevices(root);
  const assigned = (name: string) => devices.has(name);
  const listed = fieldList(dnsmasq, 'interface');
  const listening = new Set(listed.filter(assigned));
  const excepted = new Set(fieldList(child(dnsmasq, 'dhcp'), 'no_interface'));
  const serves = (name: string) => assigned(name) && (listed.length === 0 || listening.has(name)) && !excepted.has(name);
  return { serves, servesAny: listed.length === 0 || [...listening].some((each) => !excepted.has(each)) };
}

/** The device of each assigned interface of `root` (its <if>), by interface key; looked up once, not per range. */
export function assignedDevices(root: XmlElement): Map<string, string> {
  const devices = new Map<string, string>();
  for (const [name, assignment] of firstChildren(child(root, 'interfaces'))) {
    const device = fieldText(assignment, 'if');
    if (device !== '') devices.set(name, device);
  }
  return devices;
}

/** The ranges of `root`'s dnsmasq (whether it runs or not) that its dnsmasq.conf hands out leases from. */
export function servedRanges(root: XmlElement): XmlElement[] {
  const { serves, servesAny } = serving(root);
  return childrenNamed(child(root, 'dnsmasq'), 'dhcp_ranges').filter((range) => {
    const name = fieldText(range, 'interface');
    return name === '' ? servesAny : serves(name);
  });
}

/** The assigned interfaces of `root` its dnsmasq serves DHCP on: those a range of no interface may serve clients of. */
export function servedInterfaces(root: XmlElement): string[] {
  const { serves } = serving(root);
  return (child(root, 'interfaces')?.children ?? []).filter(isElement).map((e) => e.name).filter(serves);
}
