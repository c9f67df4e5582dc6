// The gateways of a config (MVC //OPNsense/Gateways) and the box's own that
// hold the address of one of gen's. merge takes a box's gateway over by its
// name (item-keys.ts); OPNsense's model keeps each gateway address once
// (Routing/Gateways.xml, 25.7 to 26.7: a UniqueConstraint on `gateway`,
// "This gateway IP address already exists."), so one of another name at the
// address of gen's stays beside it, and the box refuses to save either.
import { isGenUuid } from '../render/opnsense/ids.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';

/** The MVC gateways of a config (//OPNsense/Gateways). */
export function gatewaysOf(root: XmlElement | undefined): XmlElement[] {
  return childrenNamed(child(child(root, 'OPNsense'), 'Gateways'), 'gateway_item');
}

/** A warning for each gateway of the box's own (not of an earlier merge) at the address of a gateway of gen's `sections` of another name. */
export function gatewayAddressClashes(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const gens = sections.filter((s) => s.name === 'OPNsense').flatMap((s) => childrenNamed(child(s, 'Gateways'), 'gateway_item'));
  const byAddress = new Map(gens.map((g) => [fieldText(g, 'gateway'), fieldText(g, 'name')] as const));
  const out: string[] = [];
  for (const box of gatewaysOf(root)) {
    const address = fieldText(box, 'gateway');
    const gen = byAddress.get(address);
    if (gen === undefined || address === '' || isGenUuid(attr(box, 'uuid')) || fieldText(box, 'name') === gen) continue;
    out.push(
      `the box's gateway ${fieldText(box, 'name')} has the address ${address} of gen's gateway ${gen}: OPNsense keeps each gateway address once, and refuses to save either of them ("This gateway IP address already exists.") while both are there; ` +
        `move the box's routes and gateway groups to ${gen} and remove its gateway ${fieldText(box, 'name')} (System › Gateways › Configuration)`,
    );
  }
  return out;
}
