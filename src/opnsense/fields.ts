// Reading a config.xml item's fields as merge's modules compare and name them.
import { type XmlElement, child, textOf } from '../render/opnsense/xml.js';

/** A field's text, trimmed; '' when the field is missing. */
export function fieldText(item: XmlElement | undefined, field: string): string {
  return textOf(child(item, field)).trim();
}

/** An interface assignment as a message names it: its key, with its description when it has one (`opt3 (vpssvc)`). */
export function assignmentName(entry: XmlElement): string {
  const descr = fieldText(entry, 'descr');
  return descr ? `${entry.name} (${descr})` : entry.name;
}
