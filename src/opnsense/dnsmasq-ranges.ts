// The DHCP ranges the dnsmasq of a config hands out leases from, as OPNsense's
// dnsmasq.conf template writes them (templates/OPNsense/Dnsmasq/dnsmasq.conf,
// 25.7 to 26.7): a dhcp-range line for every range, tagged with its
// interface's device (helpers.physical_interface(): the interface key itself
// where no assignment names one, a tag no request carries); interface= for
// the dnsmasq/interface list and no-dhcp-interface= for dhcp/no_interface,
// each of the assigned interfaces only (helpers.physical_interfaces() skips
// the others; an empty list writes no interface= line: every interface; a
// list of only unassigned keys an empty interface=, an interface of no name
// that matches no device (option.c if_names_add(), network.c iface_check()):
// none).
// dnsmasq hands out leases from a tagged range on the device it listens on
// and does not except from DHCP, and from a range without interface on any
// such device; not on the device of a disabled interface, which has no
// address (interface-enabled.ts), though interface= names it.
import { type XmlElement, child, childrenNamed, firstChildren } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';
import { interfaceEnabled } from './interface-enabled.js';

/** What `root`'s dnsmasq serves DHCP on, read once: the assigned interfaces' devices, the ranges and the interfaces. */
export interface ServedDhcp {
  /** The device of each assigned interface (its <if>), by interface key. */
  devices: Map<string, string>;
  /** The ranges (whether dnsmasq runs or not) its dnsmasq.conf hands out leases from. */
  ranges: XmlElement[];
  /** The assigned, enabled interfaces it serves DHCP on: those a range of no interface may serve clients of. */
  interfaces: string[];
}

/** What `root`'s dnsmasq serves DHCP on (ServedDhcp). */
export function servedDhcp(root: XmlElement): ServedDhcp {
  const dnsmasq = child(root, 'dnsmasq');
  const devices = new Map<string, string>();
  const enabled = new Set<string>();
  for (const [name, assignment] of firstChildren(child(root, 'interfaces'))) {
    const device = fieldText(assignment, 'if');
    if (device !== '') devices.set(name, device);
    if (interfaceEnabled(assignment)) enabled.add(name);
  }
  const listed = fieldList(dnsmasq, 'interface');
  const listening = new Set(listed.filter((name) => devices.has(name)));
  const excepted = new Set(fieldList(child(dnsmasq, 'dhcp'), 'no_interface'));
  const serves = (name: string) => devices.has(name) && enabled.has(name) && (listed.length === 0 || listening.has(name)) && !excepted.has(name);
  const servesAny = [...devices.keys()].some(serves);
  const ranges = childrenNamed(dnsmasq, 'dhcp_ranges').filter((range) => {
    const name = fieldText(range, 'interface');
    return name === '' ? servesAny : serves(name);
  });
  return { devices, ranges, interfaces: [...devices.keys()].filter(serves) };
}

/** The ranges of `root`'s dnsmasq (whether it runs or not) that its dnsmasq.conf hands out leases from. */
export function servedRanges(root: XmlElement): XmlElement[] {
  return servedDhcp(root).ranges;
}
