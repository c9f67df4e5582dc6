// Whether the box configures an assigned interface: interface_configure()
// (interfaces.inc, 25.7 to 26.7) returns at once unless
// isset($config['interfaces'][<key>]['enable']), present even empty or 0, so
// the device of a disabled interface gets none of its addresses, nor its IP
// alias VIPs (interface_ipalias_configure() asks the same). OPNsense's
// dnsmasq.conf template still names its device in interface=
// (helpers.physical_interfaces() reads only its <if>), but dnsmasq serves no
// DHCP on a device without an address (dhcp.c dhcp_packet(): "DHCP packet
// received on ... which has no address") nor advertises a range there
// (radv.c, dhcp6.c: by the device's addresses).
import { type XmlElement, child } from '../render/opnsense/xml.js';

/** Whether the assignment `entry` (<interfaces><key>) is enabled, as PHP's isset() sees its <enable>. */
export function interfaceEnabled(entry: XmlElement | undefined): boolean {
  return child(entry, 'enable') !== undefined;
}
