// Whether the box takes its interfaces' IPv6 types: interface_configure()
// (interfaces.inc) switches on <ipaddrv6> only with IPv6 on, else takes its
// default case as for 'none', interface_static6_configure(), which still
// configures a static IPv6 address (a type it never reads). 25.7 asks
// isset($config['system']['ipv6allow']) (Interfaces › Settings, "Allow
// IPv6"); 26.1 on is_ipv6_allowed() (util.inc), empty() of
// <OPNsense><Interfaces><settings><disableipv6> ("Turn off IPv6"). A 26.x
// config whose settings model has no version yet gets it from the model's
// migration SET1_0_0 as OPNsense loads it: disableipv6 1 where
// <system><ipv6allow> is absent.
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import type { Ipv6Switch, Release } from '../targets/opnsense/releases.js';
import { IPV6_TYPE_ADDRESS, type Ipv6TypeAddress, PPP_IPV6 } from '../targets/opnsense/address-types.js';
import { at, fieldAsWritten, fieldText, phpEmpty } from './fields.js';

/** What interface_configure() of a release does with IPv6: whether it is on, and the types it has a case for. */
export type Ipv6Facts = Pick<Release, 'ipv6Switch' | 'ipv6Types'>;

/** Whether interface_configure() on a release of `ipv6Switch` takes the IPv6 types of `root`'s interfaces. */
export function ipv6Allowed(root: XmlElement, ipv6Switch: Ipv6Switch): boolean {
  const allowed = child(child(root, 'system'), 'ipv6allow') !== undefined;
  if (ipv6Switch === 'ipv6allow') return allowed;
  const settings = at(root, ['OPNsense', 'Interfaces', 'settings']);
  if (settings === undefined || attr(settings, 'version') === undefined) return allowed;
  return phpEmpty(fieldText(settings, 'disableipv6'));
}

/**
 * The devices of `root`'s bridges without "Enable link-local address" (PHP's empty() of <linklocal>), which have no
 * IPv6 link-local address: FreeBSD gives a bridge none (nd6_ifattach() clears auto_linklocal on IFT_BRIDGE), and
 * _interfaces_bridge_configure() (interfaces.inc, 25.7 to 26.7) runs `ifconfig <bridge> inet6 -auto_linklocal` on each
 * such bridge, and nothing else in OPNsense turns it on.
 */
export function bridgesWithoutLinkLocal(root: XmlElement): Set<string> {
  return new Set(childrenNamed(child(root, 'bridges'), 'bridged').filter((b) => phpEmpty(fieldText(b, 'linklocal'))).map((b) => fieldText(b, 'bridgeif')));
}

/**
 * What the <ipaddrv6> of the assignment `entry`, as written, gives it at run time on the box `root` of a release
 * (address-types.ts): only a type the release has a case for, and only with IPv6 on; else interface_configure()
 * takes its default case, interface_static6_configure(), and the text is a static address or none. A PPP link's
 * pppoev6 whatever the switch (interface_ppps_configure()). On a device without a link-local address (a bridge
 * without one), nothing of slaac, dhcp6 or linklocal, whose address is or comes from that link-local one.
 */
export function ipv6RunTime(root: XmlElement, entry: XmlElement | undefined, ipv6: Ipv6Facts): Exclude<Ipv6TypeAddress, 'from-link-local'> | undefined {
  const text = fieldAsWritten(entry, 'ipaddrv6');
  if (text === PPP_IPV6) return 'device';
  if (!ipv6.ipv6Types.includes(text) || !ipv6Allowed(root, ipv6.ipv6Switch)) return undefined;
  const kind = IPV6_TYPE_ADDRESS.get(text);
  if (kind === 'device' || kind === 'stf' || kind === undefined) return kind;
  if (bridgesWithoutLinkLocal(root).has(fieldText(entry, 'if'))) return undefined;
  return kind === 'from-link-local' ? 'device' : kind;
}
