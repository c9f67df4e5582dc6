// The sources a port forward is open to (from:), named as policy rules name
// them: a zone (its members) or a policy object. OPNsense matches them where
// the packet arrives, on the forward's interface (the rdr's "from" and its
// pass rule's source): a source whose addresses never enter there (an
// internal network, a remote network behind a tunnel, for a WAN forward)
// would leave the forward open to nobody, so it is reported.
import { type Range, intersect, subtract } from '../intervals.js';
import type { PolicyObject, Zone } from '../model.js';
import { type ResolveContext, indexByName, pathTo } from './context.js';
import { rangesOfCidrs } from './matches.js';
import type { PolicyObjects } from './objects.js';
import { type SiteFacts, enteringOn } from './reflected.js';

/** Fills each port forward's sources from its from: names, and reports one that cannot arrive on its interface. */
export function resolveForwardSources(site: SiteFacts, zones: readonly Zone[], internal: readonly string[], objects: PolicyObjects, ctx: ResolveContext): void {
  const firewall = site.firewall;
  if (!firewall) return;
  const zoneIndex = indexByName(zones);
  const interfaces = indexByName(firewall.interfaces);
  const internalSpace = rangesOfCidrs(internal);
  for (const forward of firewall.nat.portForwards) {
    if (!forward.from) continue;
    const iface = interfaces.get(forward.interface);
    // What arrives on the interface: on the WAN whatever is not the site's own; elsewhere its network and the routes through it.
    const arriving = (ranges: readonly Range[]) => (iface?.isWan ? subtract(ranges, internalSpace) : iface ? intersect(ranges, enteringOn(iface, site)) : ranges);
    const sources: PolicyObject[] = [];
    forward.from.forEach((name, n) => {
      const path = pathTo(forward.path, 'from', n);
      const zone = zoneIndex.get(name);
      const found = zone ? zone.members : [objects.lookup(name, path, [...zoneIndex.keys()])].filter((o): o is PolicyObject => o !== undefined);
      for (const object of found) {
        if (arriving(object.ranges).length > 0) {
          sources.push(object);
          continue;
        }
        ctx.report({
          rule: 'policy/forward-source',
          path,
          message: `port forward ${forward.name} is opened to ${zone ? `zone ${name} (${object.name})` : object.name}, whose addresses never arrive on interface ${forward.interface}: OPNsense matches the source where the packet enters`,
          hint: iface?.isWan
            ? `Name the address the source has on the internet (its public address or range), or use a policy rule from ${name} to the forward's target for traffic from inside.`
            : `Name a source on interface ${forward.interface}'s network, or forward on the interface ${name} arrives on.`,
        });
      }
    });
    forward.sources = sources;
  }
}
