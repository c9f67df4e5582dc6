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
import { type XmlElement, attr, child } from '../render/opnsense/xml.js';
import type { Ipv6Switch, Release } from '../targets/opnsense/releases.js';
import { IPV6_TYPE_ADDRESS, type Ipv6TypeAddress, PPP_IPV6 } from '../targets/opnsense/address-types.js';
import { at, fieldText, phpEmpty } from './fields.js';

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
 * What an interface's <ipaddrv6> `text`, as written, gives it at run time on the box `root` of a release
 * (address-types.ts): only a type the release has a case for, and only with IPv6 on; else interface_configure()
 * takes its default case, interface_static6_configure(), and the text is a static address or none. A PPP link's
 * pppoev6 whatever the switch (interface_ppps_configure()).
 */
export function ipv6RunTime(root: XmlElement, text: string, ipv6: Ipv6Facts): Ipv6TypeAddress | undefined {
  if (text === PPP_IPV6) return 'device';
  if (!ipv6.ipv6Types.includes(text) || !ipv6Allowed(root, ipv6.ipv6Switch)) return undefined;
  return IPV6_TYPE_ADDRESS.get(text);
}
