// The sources a port forward or a HAProxy frontend is open to (from:),
// named as policy rules name them: a zone (its members) or a policy object.
// OPNsense matches them where the packet arrives, on the interface of the
// forward (the rdr's "from" and its pass rule's source) or of the frontend
// (its pass rule's source): a source whose addresses never enter there (an
// internal network, a remote network behind a tunnel, for the WAN) would
// leave it open to nobody, so it is reported.
import { type Range, intersect, subtract } from '../intervals.js';
import type { Path } from '../location.js';
import type { Haproxy, PolicyObject, Zone } from '../model.js';
import { type ResolveContext, indexByName, pathTo } from './context.js';
import { rangesOfCidrs } from './matches.js';
import type { PolicyObjects } from './objects.js';
import { type SiteFacts, enteringOn } from './reflected.js';

/** Something opened to named sources: a port forward or a HAProxy frontend. */
interface Opening {
  name: string;
  interface: string;
  from?: string[];
  sources: PolicyObject[];
  path: Path;
}

/** Fills the sources of each port forward and frontend from its from: names, and reports one that cannot arrive on its interface. */
export function resolveForwardSources(site: SiteFacts, haproxy: Haproxy, zones: readonly Zone[], internal: readonly string[], objects: PolicyObjects, ctx: ResolveContext): void {
  const firewall = site.firewall;
  if (!firewall) return;
  const zoneIndex = indexByName(zones);
  const interfaces = indexByName(firewall.interfaces);
  const internalSpace = rangesOfCidrs(internal);
  const open = (opening: Opening, what: string) => {
    if (!opening.from) return;
    const iface = interfaces.get(opening.interface);
    // What arrives on the interface: on the WAN whatever is not the site's own; elsewhere its network and the routes through it.
    const arriving = (ranges: readonly Range[]) => (iface?.isWan ? subtract(ranges, internalSpace) : iface ? intersect(ranges, enteringOn(iface, site)) : ranges);
    const sources: PolicyObject[] = [];
    opening.from.forEach((name, n) => {
      const path = pathTo(opening.path, 'from', n);
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
          message: `${what} ${opening.name} is opened to ${zone ? `zone ${name} (${object.name})` : object.name}, whose addresses never arrive on interface ${opening.interface}: OPNsense matches the source where the packet enters`,
          hint: iface?.isWan
            ? `Name the address the source has on the internet (its public address or range), or use a policy rule from ${name} for traffic from inside.`
            : `Name a source on interface ${opening.interface}'s network, or open it on the interface ${name} arrives on.`,
        });
      }
    });
    opening.sources = sources;
  };
  for (const forward of firewall.nat.portForwards) open(forward, 'port forward');
  for (const frontend of haproxy.frontends) open(frontend, 'HAProxy frontend');
}
