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
import type { Ipv6Switch } from '../targets/opnsense/releases.js';
import { at, fieldText, phpEmpty } from './fields.js';

/** Whether interface_configure() on a release of `ipv6Switch` takes the IPv6 types of `root`'s interfaces. */
export function ipv6Allowed(root: XmlElement, ipv6Switch: Ipv6Switch): boolean {
  const allowed = child(child(root, 'system'), 'ipv6allow') !== undefined;
  if (ipv6Switch === 'ipv6allow') return allowed;
  const settings = at(root, ['OPNsense', 'Interfaces', 'settings']);
  if (settings === undefined || attr(settings, 'version') === undefined) return allowed;
  return phpEmpty(fieldText(settings, 'disableipv6'));
}
