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
// enabled with an address type interface_configure() configures on it, or
// carries an IP alias or CARP VIP (listened-addresses.ts). That is IPv4 dhcp
// or a static address ifconfig takes (interface_static_configure()), a static
// IPv6 address ifconfig takes, with IPv6 off too (the default case,
// interface_static6_configure()), and, only with IPv6 on (ipv6-allowed.ts),
// the IPv6 types whose case addresses the device without its link-local
// address: track6, and idassoc6 where the release has its case (26.1 on; 25.7
// takes the default, which configures nothing of it). Not slaac or dhcp6 (their
// address comes from the link-local one: address-types.ts), nor linklocal (its
// case only runs `ifconfig <device> inet6 -ifdisabled up`, which gives a
// device without auto_linklocal none), nor 6rd or 6to4 (they address the
// <key>_stf device they create), nor any other text (pppoe and the like
// without a PPP link of the device, an address without a subnet ifconfig
// takes). Named too: a listed enabled interface on one with none of these, and
// a disabled one on it, which nothing brings up with an address.
import { type XmlElement, child, isElement, textOf } from '../render/opnsense/xml.js';
import { IPV6_TYPE_ADDRESS, PPP_IPV6 } from '../targets/opnsense/address-types.js';
import { at, fieldAsWritten, fieldList, fieldText, phpEmpty } from './fields.js';
import { interfaceEnabled } from './interface-enabled.js';
import { isIpaddrV4, isIpaddrV6 } from './ip-address.js';
import { type Ipv6Facts, bridgesWithoutLinkLocal, ipv6Allowed, ipv6RunTime } from './ipv6-allowed.js';
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

/**
 * A listed interface whose device has no address as dnsmasq starts; `bridge`: enabled, on a bridge without a link-local
 * address, with `types`: its address types OPNsense configures nothing of there, in words (none: it has none), and
 * `ipv6Off`: one of them an IPv6 type that would address it, skipped because IPv6 is off.
 */
export interface Unaddressed {
  entry: XmlElement;
  bridge: boolean;
  types: string[];
  ipv6Off: boolean;
}


/**
 * The address types of the enabled assignment `entry` on a bridge without a link-local address, in words, when
 * OPNsense configures no address of them, nor an IP alias or CARP VIP, on its device; undefined when it configures one.
 */
function unconfiguredTypes(root: XmlElement, entry: XmlElement, ipv6: Ipv6Facts): Pick<Unaddressed, 'types' | 'ipv6Off'> | undefined {
  // As written, as OPNsense's PHP reads them (listened-addresses.ts).
  const v4 = fieldAsWritten(entry, 'ipaddr');
  const v6 = fieldAsWritten(entry, 'ipaddrv6');
  // IPv4 dhcp, and an IPv6 type whose case of interface_configure() addresses the device itself (ipv6RunTime(): of the
  // release, with IPv6 on, and not by its link-local address), address the bridge; the PPP types address their PPP
  // link's device, not it.
  if (v4 === 'dhcp' || (v6 !== PPP_IPV6 && ipv6RunTime(root, entry, ipv6) === 'device')) return undefined;
  // listenedAddresses() holds the loopback's two beside the interface's static addresses and VIPs.
  if (listenedAddresses(root, new Set([entry.name])).size > 2) return undefined;
  const device = fieldText(entry, 'if');
  const types: string[] = [];
  if (isIpaddrV4(v4)) types.push(`IPv4 address ${v4} with subnet "${fieldText(entry, 'subnet')}", which ifconfig refuses`);
  else if (!phpEmpty(v4)) types.push(`IPv4 type "${v4}", which is neither dhcp nor an address`);
  const off = !ipv6Allowed(root, ipv6.ipv6Switch) && ipv6.ipv6Types.includes(v6);
  if (isIpaddrV6(v6)) types.push(`IPv6 address ${v6} with prefix length "${fieldText(entry, 'subnetv6')}", which ifconfig refuses`);
  else if (phpEmpty(v6)) return { types, ipv6Off: false };
  else if (!ipv6.ipv6Types.includes(v6)) types.push(`IPv6 type "${v6}", which interface_configure() has no case for and is no address`);
  else if (off) types.push(`IPv6 type ${v6}, which OPNsense skips with IPv6 off (${ipv6.ipv6Switch === 'ipv6allow' ? '"Allow IPv6" unchecked' : '"Turn off IPv6" checked'})`);
  else if (v6 === 'linklocal') types.push(`IPv6 type linklocal, which only brings ${device} up`);
  else if (v6 === 'slaac') types.push(`IPv6 type slaac, whose address FreeBSD forms from a link-local address ${device} lacks`);
  else if (v6 === 'dhcp6') types.push(`IPv6 type dhcp6, whose DHCPv6 client sends from a link-local address ${device} lacks`);
  else types.push(`IPv6 type ${v6}, which addresses the ${entry.name}_stf device, not ${device}`);
  return { types, ipv6Off: off && IPV6_TYPE_ADDRESS.get(v6) === 'device' };
}

/**
 * The assignments (<interfaces><key>) of the listed interfaces of `root`'s dnsmasq whose device has no address when
 * dnsmasq starts, so that with bind-interfaces it dies on their interface= name; none without strict binding or a list.
 */
export function unaddressedListened(root: XmlElement, ipv6: Ipv6Facts): Unaddressed[] {
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
      if (!interfaceEnabled(entry)) out.push({ entry: entry!, bridge: false, types: [], ipv6Off: false });
      else {
        const unconfigured = unconfiguredTypes(root, entry!, ipv6);
        if (unconfigured) out.push({ entry: entry!, bridge: true, ...unconfigured });
      }
      continue;
    }
    if (addressed.has(device) || SELF_ADDRESSED.test(device) || named.has(device) || named.has(key)) continue;
    out.push({ entry: entry!, bridge: false, types: [], ipv6Off: false });
  }
  return out;
}
