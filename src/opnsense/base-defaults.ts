// Which fields of a box's item survive when one of gen's takes it over, as
// merge.ts writes the merged item.
import { type XmlElement, attr, isElement } from '../render/opnsense/xml.js';

/**
 * Fields gen writes only because the model has them (its defaults) keep
 * the value the box's item has: what the operator set there (a cipher list,
 * the DNS API credentials of an ACME validation) survives a merge. The
 * result shares the elements of both (clone it to keep it).
 */
export function withBaseDefaults(item: XmlElement, previous: XmlElement): XmlElement {
  // The first of each name, as child() finds it: one pass over the box's item, not a search per field.
  const fields = new Map<string, XmlElement>();
  for (const c of previous.children) if (isElement(c) && !fields.has(c.name)) fields.set(c.name, c);
  const merged: XmlElement = {
    name: item.name,
    attrs: item.attrs,
    children: item.children.map((c) => {
      if (!isElement(c)) return c;
      const have = fields.get(c.name);
      if (!have) return c;
      if (c.fill) return have;
      return c.children.some(isElement) && attr(c, 'uuid') === undefined ? withBaseDefaults(c, have) : c;
    }),
  };
  if (item.fill) merged.fill = true;
  return merged;
}
