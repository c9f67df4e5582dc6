// A config.xml element's children by name, read in one pass: merge looks
// up an element of the base for each of gen's (an interface key, a DHCP
// entry), and a search of the base's children for each made the work
// gen's entries × the base's.
import { addToList } from '../arrays.js';
import { type XmlElement, isElement } from '../render/opnsense/xml.js';

/** The first child element of each name, as child() finds it. */
export function firstChildren(node: XmlElement | undefined): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const c of node?.children ?? []) if (isElement(c) && !out.has(c.name)) out.set(c.name, c);
  return out;
}

/** Every child element of each name, in document order, as childrenNamed() finds them. */
export function childrenByName(node: XmlElement | undefined): Map<string, XmlElement[]> {
  const out = new Map<string, XmlElement[]>();
  for (const c of node?.children ?? []) if (isElement(c)) addToList(out, c.name, c);
  return out;
}
