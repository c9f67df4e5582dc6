// The interfaces dnsmasq is told to listen on whose device has no address
// when it starts, which end it under strict interface binding. OPNsense's
// dnsmasq.conf template (25.7 to 26.7) writes bind-interfaces when
// <dnsmasq><strictbind> is exactly 1 (dnsmasq-bound.ts), never bind-dynamic,
// and interface= with the devices of <dnsmasq><interface>
// (helpers.physical_interfaces(): one without an <if> is left out). With
// bind-interfaces and without bind-dynamic, dnsmasq dies at start with
// "unknown interface <device>" for a listed name that matched no address
// (dnsmasq.c main(): INAME_USED, which network.c iface_check() sets as
// enumerate_interfaces() passes each IPv4 and IPv6 address of each device,
// link-local ones too, through iface_allowed(); the same at 2.90 to 2.92).
// dnsmasq --test only reads the file, so it says nothing of this.
// Named here is only a device the merged config gives no address and nothing
// brings up: a disabled interface's (interface_configure() and
// interface_ppps_configure() return for it: interface-enabled.ts) that no
// enabled interface shares, whose addresses no other service sets (WireGuard
// instances, wg-service-control.php; OpenVPN, ovpns/ovpnc; GIF and GRE
// tunnels, _interfaces_gre_configure(); IPsec VTIs; loopbacks) and which no
// VLAN, QinQ, LAGG, bridge, PPP link, tunnel or VXLAN names: interfaces.inc
// brings those devices up, where FreeBSD may give them an IPv6 link-local
// address, which dnsmasq counts.
// An enabled interface's device counts as addressed whatever its address
// types, none included: interface_configure() brings it up (`ifconfig <device>
// inet6 -accept_rtadv -no_dad ... up`, never ifdisabled), FreeBSD's
// auto_linklocal gives it a link-local address as it comes up, which
// interfaces_addresses_flush() never deletes, and dnsmasq counts it while
// tentative too (iface_allowed() calls iface_check() before it looks at the
// flags). Only a device FreeBSD gave none (the sysctl off as it attached, a
// device without multicast) would end dnsmasq, which the config does not say.
// But a bridge FreeBSD gives no link-local address (nd6_ifattach() clears
// auto_linklocal on an IFT_BRIDGE device), and OPNsense turns it off again on
// each bridge without "Enable link-local address" (<bridges><bridged>
// <linklocal>: _interfaces_bridge_configure(), `ifconfig <bridge> inet6
// -auto_linklocal`): such a bridge has an address only where its interface is
// enabled with an address type (IPv4 or IPv6) or carries an IP alias or CARP
// VIP (listened-addresses.ts). Named too: a listed enabled interface on one
// with neither, and a disabled one on it, which nothing brings up with an
// address.
import { type XmlElement, child, childrenNamed, isElement, textOf } from '../render/opnsense/xml.js';
import { at, fieldList, fieldText, phpEmpty } from './fields.js';
import { interfaceEnabled } from './interface-enabled.js';
import { listenedAddresses } from './listened-addresses.js';

/** Devices another service addresses whatever the assignment's switch says. */
const SELF_ADDRESSED = /^(lo|wg|ovpn[sc]|gif|gre|ipsec)\d+$/;

/** The sections whose items name devices (or assignments) that OPNsense creates or brings up. */
const DEVICE_USERS: readonly (readonly string[])[] = [['vlans'], ['qinqs'], ['laggs'], ['bridges'], ['ppps'], ['gres'], ['gifs'], ['OPNsense', 'Interfaces']];

/** Every comma-separated word of the text below `node`, into `words`. */
function addWords(node: XmlElement | undefined, words: Set<string>): void {
  for (const each of node?.children ?? []) {
    if (isElement(each)) addWords(each, words);
    else if ('text' in each) for (const word of each.text.split(',')) words.add(word.trim());
  }
}

/** A listed interface whose device has no address as dnsmasq starts; `bridge`: enabled, on a bridge without a link-local address. */
export interface Unaddressed {
  entry: XmlElement;
  bridge: boolean;
}

/** The devices of the box's bridges without "Enable link-local address" (PHP's empty()). */
function bridgesWithoutLinkLocal(root: XmlElement): Set<string> {
  return new Set(childrenNamed(child(root, 'bridges'), 'bridged').filter((b) => phpEmpty(fieldText(b, 'linklocal'))).map((b) => fieldText(b, 'bridgeif')));
}

/** Whether the enabled assignment `entry` gets no address: no address type of either family, no IP alias or CARP VIP. */
function addressless(root: XmlElement, entry: XmlElement): boolean {
  // listenedAddresses() holds the loopback's two beside the interface's.
  return phpEmpty(fieldText(entry, 'ipaddr')) && phpEmpty(fieldText(entry, 'ipaddrv6')) && listenedAddresses(root, new Set([entry.name])).size === 2;
}

/**
 * The assignments (<interfaces><key>) of the listed interfaces of `root`'s dnsmasq whose device has no address when
 * dnsmasq starts, so that with bind-interfaces it dies on their interface= name; none without strict binding or a list.
 */
export function unaddressedListened(root: XmlElement): Unaddressed[] {
  const dnsmasq = child(root, 'dnsmasq');
  const listed = fieldList(dnsmasq, 'interface');
  if (textOf(child(dnsmasq, 'strictbind')) !== '1' || listed.length === 0) return [];
  const interfaces = child(root, 'interfaces');
  const addressed = new Set((interfaces?.children.filter(isElement) ?? []).filter(interfaceEnabled).map((e) => fieldText(e, 'if')));
  const named = new Set<string>();
  for (const path of DEVICE_USERS) addWords(at(root, path), named);
  const bare = bridgesWithoutLinkLocal(root);
  const out: Unaddressed[] = [];
  for (const key of new Set(listed)) {
    const entry = child(interfaces, key);
    const device = fieldText(entry, 'if');
    if (device === '') continue;
    if (bare.has(device)) {
      const enabled = interfaceEnabled(entry);
      if (!enabled || addressless(root, entry!)) out.push({ entry: entry!, bridge: enabled });
      continue;
    }
    if (addressed.has(device) || SELF_ADDRESSED.test(device) || named.has(device) || named.has(key)) continue;
    out.push({ entry: entry!, bridge: false });
  }
  return out;
}
