// The link dnsmasq advertises an IPv6 range on, as radv.c decides it: not by
// the range's tag:<device> (a filter of DHCPv6 requests, which radv.c never
// reads) but by the interfaces' addresses. add_prefixes() takes a range into
// the router advertisement of every interface with an address (of a prefix
// length no longer than the range's) in the range's network, start and end; a constructor:
// range is a template that construct_worker() (dhcp6.c) copies, tag and all,
// into a range of each permanent global or ULA address of the interface it
// names, so it is on that interface. Both only on an interface dnsmasq does
// DHCP on (iface_check(), no-dhcp-interface=). OPNsense's dnsmasq.conf
// template (25.7 to 26.7) writes a range's prefix_len (64 unless set) and
// constructor:<device> of its constructor field. The addresses an interface
// has are the config's: its static ipaddrv6/subnetv6 (only what
// is_ipaddrv6() takes: ip-address.ts) and its IP alias and CARP VIPs (added
// to its device with their own prefix); one whose IPv6 type addresses its
// device at run time (track6, idassoc6, dhcp6, slaac: ipv6-allowed.ts) gets
// an address the config does not hold, taken here as a global one in the
// network of the ranges of that interface. Not 6rd or 6to4: their address is
// on the <key>_stf device (interface_6rd_configure(),
// interface_6to4_configure()), and the template names the interface's <if>
// (helpers.physical_interface()) in interface=, tag: and constructor:. Nor
// slaac or dhcp6 on a bridge without a link-local address, which gives them
// none. A disabled interface's device has none of them (interface-enabled.ts).
// Whether a link has a global address and a ULA decides what [::] and
// [fd00::] in its RDNSS become (radv.c).
import { type XmlElement, child, firstChildren } from '../render/opnsense/xml.js';
import { fieldAsWritten, fieldText } from './fields.js';
import { baseVips } from './vips.js';
import { interfaceEnabled } from './interface-enabled.js';
import { isIpaddrV6 } from './ip-address.js';
import { type Ipv6Facts, ipv6RunTime } from './ipv6-allowed.js';
import { parseIPv6 } from '../net.js';

/** An IPv6 address of an interface: its bytes and prefix length. */
interface Address6 {
  bytes: number[];
  bits: number;
}

/** The IPv6 addresses of an interface: the config's, and whether it has one the config does not hold. */
interface Addresses6 {
  known: Address6[];
  dynamic: boolean;
}

/** `bytes` with every bit past the first `bits` cleared, as a key. */
export function networkKey(bytes: readonly number[], bits: number): string {
  return bytes.map((b, i) => (i * 8 >= bits ? 0 : i * 8 + 8 <= bits ? b : b & (0xff << (8 - (bits - i * 8))))).join('.');
}

function address6(text: string, bits: string): Address6 | undefined {
  const prefix = Number(bits);
  const address = parseIPv6(text);
  if (address === undefined || bits === '' || !Number.isInteger(prefix) || prefix < 0 || prefix > 128) return undefined;
  return { bytes: address.toByteArray(), bits: prefix };
}

/** Whether an address is a ULA (fc00::/7: radv.c IN6_IS_ADDR_ULA). */
function isUla(a: Address6): boolean {
  return (a.bytes[0]! & 0xfe) === 0xfc;
}

/** Whether an address is link-local (fe80::/10), which add_prefixes() keeps apart. */
function isLinkLocal(a: Address6): boolean {
  return a.bytes[0] === 0xfe && (a.bytes[1]! & 0xc0) === 0x80;
}

/** The links of the box's interfaces dnsmasq does DHCP on (`served`: their keys), with their IPv6 addresses. */
export class Ipv6Links {
  private readonly addresses = new Map<string, Addresses6>();
  /** By prefix length: the served interfaces with an address in each network of that length. */
  private readonly byNetwork = new Map<number, Map<string, string[]>>();

  constructor(root: XmlElement, served: readonly string[], ipv6: Ipv6Facts) {
    const interfaces = firstChildren(child(root, 'interfaces'));
    for (const key of served) {
      const entry = interfaces.get(key);
      if (!interfaceEnabled(entry)) continue;
      // interface_static6_configure() adds the address is_ipaddrv6() takes, as written; "0", "fd00::1/64" or a zone on a
      // global address give the interface none, and only the release's run-time types with IPv6 on one the config
      // does not hold (ipv6-allowed.ts; linklocal only its link-local address).
      const text = fieldAsWritten(entry, 'ipaddrv6');
      const own = isIpaddrV6(text) ? address6(text, fieldText(entry, 'subnetv6')) : undefined;
      this.addresses.set(key, { known: own ? [own] : [], dynamic: ipv6RunTime(root, entry, ipv6) === 'device' });
    }
    for (const vip of baseVips(root)) {
      const on = this.addresses.get(fieldText(vip, 'interface'));
      const a = address6(fieldText(vip, 'subnet'), fieldText(vip, 'subnet_bits'));
      if (on && a && ['ipalias', 'carp'].includes(fieldText(vip, 'mode'))) on.known.push(a);
    }
  }

  /** The served interfaces with an address of prefix length at most `bits` in `bytes`' network of that length. */
  private holding(bytes: readonly number[], bits: number): string[] {
    let networks = this.byNetwork.get(bits);
    if (!networks) {
      networks = new Map();
      for (const [key, { known }] of this.addresses) {
        for (const a of known) {
          if (a.bits > bits) continue;
          const net = networkKey(a.bytes, bits);
          const list = networks.get(net);
          if (!list) networks.set(net, [key]);
          else if (list.at(-1) !== key) list.push(key);
        }
      }
      this.byNetwork.set(bits, networks);
    }
    return networks.get(networkKey(bytes, bits)) ?? [];
  }

  /** The interfaces (keys) whose router advertisements carry `range` where it is advertised. */
  linksOf(range: XmlElement): string[] {
    const constructor = fieldText(range, 'constructor');
    if (constructor !== '') {
      const on = this.addresses.get(constructor);
      return on && (on.dynamic || on.known.length > 0) ? [constructor] : [];
    }
    const [start, end] = [fieldText(range, 'start_addr'), fieldText(range, 'end_addr')];
    const bits = Number(fieldText(range, 'prefix_len') || '64');
    const startBytes = parseIPv6(start)?.toByteArray();
    if (startBytes === undefined || !Number.isInteger(bits)) return [];
    // Both add_prefixes() and complete_context6() want the end address (the start where there is none) in the
    // interface's network too; option.c refuses such a range outright ("inconsistent DHCPv6 range").
    const endBytes = end === '' ? startBytes : parseIPv6(end)?.toByteArray();
    if (endBytes === undefined || networkKey(endBytes, bits) !== networkKey(startBytes, bits)) return [];
    const links = this.holding(startBytes, bits);
    const iface = fieldText(range, 'interface');
    return this.addresses.get(iface)?.dynamic && !links.includes(iface) ? [...links, iface] : links;
  }

  /** Whether `key`'s link has a global address (not ULA, not link-local) and a ULA: those [::] and [fd00::] become in its RDNSS. */
  kinds(key: string): { global: boolean; ula: boolean } {
    const on = this.addresses.get(key);
    const known = on?.known.filter((a) => !isLinkLocal(a)) ?? [];
    return { global: on?.dynamic === true || known.some((a) => !isUla(a)), ula: known.some(isUla) };
  }
}
