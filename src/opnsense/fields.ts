// Reading a config.xml item's fields as merge's modules compare and name them.
import { type XmlElement, child, isElement, textOf } from '../render/opnsense/xml.js';

/** The element at `path` below `root` (the first of each name), if there is one. */
export function at(root: XmlElement, path: readonly string[]): XmlElement | undefined {
  let node: XmlElement | undefined = root;
  for (const name of path) node = child(node, name);
  return node;
}

/** A field's text, trimmed; '' when the field is missing. */
export function fieldText(item: XmlElement | undefined, field: string): string {
  return textOf(child(item, field)).trim();
}

/**
 * A field's text as written, '' when the field is missing: OPNsense's PHP reads config.xml untrimmed
 * (Config::toArray()), so is_ipaddrv4(" 10.0.0.1") and a switch on " dhcp" see the spaces.
 */
export function fieldAsWritten(item: XmlElement | undefined, field: string): string {
  return textOf(child(item, field));
}

/** PHP's empty() of a config value, as OPNsense's legacy code tests one: '' and '0' are empty. */
export function phpEmpty(value: string): boolean {
  return value === '' || value === '0';
}

/** A field that lists values separated by commas (members, ports, interface keys), each trimmed; none when it is empty. */
export function fieldList(item: XmlElement | undefined, field: string): string[] {
  return fieldText(item, field).split(',').map((v) => v.trim()).filter(Boolean);
}

/** An interface assignment as a message names it: its key, with its description when it has one (`opt3 (vpssvc)`). */
export function assignmentName(entry: XmlElement): string {
  const descr = fieldText(entry, 'descr');
  return descr ? `${entry.name} (${descr})` : entry.name;
}

/**
 * The parts of a field that names MVC items by UUID, as OPNsense links them
 * (one UUID, or a comma-separated list), split as written (untrimmed); none
 * for any other field.
 */
export function uuidList(node: XmlElement): string[] {
  const only = node.children.length === 1 ? node.children[0]! : undefined;
  if (only === undefined || isElement(only) || !('text' in only) || !/[0-9a-f]{8}-/.test(only.text)) return [];
  return only.text.split(',');
}

/** A UUID as gen writes one (ids.ts), wherever it is in a text. */
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Whether the source text of an item nobody looked into holds one of the
 * UUIDs of `stale` (lower-case, as gen writes them): a field that names one
 * (uuidList: the whole text, or a part of a list between commas) holds it
 * as written, with no character of a UUID on either side, unless written
 * with character references (then the answer is yes).
 */
export function namesAny(item: XmlElement, stale: ReadonlyMap<string, unknown>): boolean {
  const text = item.raw;
  // A reference written with character references is not in the text as it is read: such an item is looked into.
  if (text === undefined || text.includes('&')) return true;
  for (const found of text.matchAll(UUID_IN_TEXT)) if (stale.has(found[0])) return true;
  return false;
}
