// The box's own static routes that gen's take over: a route to the same
// destination (merge's natural key, read as the kernel keeps it). OPNsense
// applies each route with `route delete` and `route add` in turn
// (system_routing_configure(), system.inc), so a destination has one route,
// and gen's replaces the box's; said when the box's went through another
// gateway, because its next hop goes.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { takenOver } from './identity.js';

/** A warning per box route (adopted: gen's route takes the box's UUID) whose gateway gen's route does not keep. */
export function routeTakeovers(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlyMap<string, string>): string[] {
  const genRoutes = sections.filter((s) => s.name === 'staticroutes').flatMap((s) => childrenNamed(s, 'route'));
  const out: string[] = [];
  for (const { ours, theirs } of takenOver(childrenNamed(child(root, 'staticroutes'), 'route'), genRoutes, adopted)) {
    if (fieldText(theirs, 'gateway') === fieldText(ours, 'gateway')) continue;
    out.push(
      `the box's own static route to ${fieldText(theirs, 'network')} through gateway ${fieldText(theirs, 'gateway')} is the route to ${fieldText(ours, 'network')} that gen writes: ` +
        `merge takes it over, and the traffic goes through ${fieldText(ours, 'gateway')} from now on (OPNsense keeps one route to a destination); ` +
        "to keep the box's next hop, set that route's via in the topology to its address",
    );
  }
  return out;
}
