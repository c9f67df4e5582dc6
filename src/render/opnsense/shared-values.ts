// gen's own short values of one OPNsense render, shared between its items:
// interface, action, protocol and the aliases of a zone repeat across
// thousands of rules, and one frozen element serves them all (as the
// model's defaults do, without the default's mark). The table belongs to
// the render's context, so what one render learns about its fields never
// changes another's sharing, and it is freed with the render.
import { type XmlElement, leaf, sharedLeaf } from './xml.js';

/** Longer values are never shared. */
const SHARED_VALUE_LENGTH = 64;
/** The values a table holds before it starts again (which only loses some sharing): the topology bounds the rest. */
const SHARED_VALUES = 65_536;
/**
 * A field whose values seldom come back (a rule's sequence, its
 * description) only fills the table: its leaves are made plain once
 * SHARING_TRIAL of its values were made and fewer than half as many
 * lookups found one.
 */
const SHARING_TRIAL = 1024;

interface FieldSharing {
  byValue: Map<string, XmlElement>;
  made: number;
  reused: number;
  shared: boolean;
}

export class SharedValues {
  private readonly fields = new Map<string, FieldSharing>();
  private count = 0;

  /** The element `<name>value</name>`: shared with every earlier one of this field and value while the field is worth sharing. */
  leaf(name: string, value: string | number | undefined): XmlElement {
    const text = value === undefined ? '' : String(value);
    if (text.length > SHARED_VALUE_LENGTH) return leaf(name, text);
    if (this.count >= SHARED_VALUES) {
      this.fields.clear();
      this.count = 0;
    }
    let field = this.fields.get(name);
    if (!field) this.fields.set(name, (field = { byValue: new Map(), made: 0, reused: 0, shared: true }));
    if (!field.shared) return leaf(name, text);
    let known = field.byValue.get(text);
    if (known) {
      field.reused++;
      return known;
    }
    known = sharedLeaf(name, text);
    field.byValue.set(text, known);
    this.count++;
    if (++field.made >= SHARING_TRIAL && 2 * field.reused < field.made) {
      field.shared = false;
      this.count -= field.byValue.size;
      field.byValue.clear();
    }
    return known;
  }
}
