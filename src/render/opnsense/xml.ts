// A small XML element tree shared by the fragments and the merge. Every
// text and attribute value is escaped here and nowhere else, so no value
// from the topology can open an element, a CDATA section or a comment.
// Elements parsed from a base config keep their source text (`raw`) and
// are written back byte for byte unless something inside them changed.
import { forbiddenCharacter } from '../../targets/xml/chars.js';
import { addToList, appendAll } from '../../arrays.js';
import { TextParts } from '../parts.js';

export interface XmlElement {
  name: string;
  attrs: [string, string][];
  children: XmlNode[];
  /** Source text of a parsed element; dropped when the element changes. */
  raw?: string;
  /**
   * The model's default, written because OPNsense's templates read config.xml
   * without the model (a GUI save writes every field too), not a value gen
   * decides: merge keeps the value a base already has.
   */
  fill?: true;
}

export type XmlNode = XmlElement | { text: string } | { comment: string };

export class XmlTextError extends Error {}

export function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

/** An element with text content (empty text writes `<name/>`). */
export function leaf(name: string, value: string | number | undefined, attrs: [string, string][] = []): XmlElement {
  const text = value === undefined ? '' : String(value);
  return { name, attrs, children: text === '' ? [] : [{ text }] };
}

export function element(name: string, children: (XmlElement | undefined | false)[], attrs: [string, string][] = []): XmlElement {
  return { name, attrs, children: children.filter((c): c is XmlElement => c !== undefined && c !== false) };
}

/** Items of a list made one at a time as they are written: see StreamedElement. */
export class LazyItems {
  constructor(readonly make: () => Iterable<XmlElement>) {}
}

/**
 * An element whose children (some of them LazyItems) are made while it is
 * written, each garbage once written: the document of 20,000 filter rules
 * never holds their elements all at once (they were a tree of tens of
 * megabytes, kept until the whole file was written, and most of the
 * collector's work in a large build). Whatever reads `children` gets them
 * all, made then and kept, as any element's.
 */
export class StreamedElement implements XmlElement {
  #children: XmlNode[] | undefined;

  constructor(
    readonly name: string,
    readonly attrs: [string, string][],
    private readonly parts: readonly (XmlElement | LazyItems)[],
  ) {}

  get children(): XmlNode[] {
    return (this.#children ??= Array.from(this.each()));
  }

  /** Whether nothing asked for the children yet (they are then made as written). */
  get unmade(): boolean {
    return this.#children === undefined;
  }

  set children(children: XmlNode[]) {
    this.#children = children;
  }

  /** The children in order: those made already, or each made now. */
  *each(): Generator<XmlNode> {
    if (this.#children) {
      yield* this.#children;
      return;
    }
    for (const part of this.parts) {
      if (part instanceof LazyItems) yield* part.make();
      else yield part;
    }
  }
}

/**
 * An element parsed from a base config whose children are made when first
 * asked for (an item of a large backup: parse.ts, lazyItems). Until then it
 * is written from its source text, and nothing in it can have changed.
 */
export class LazyElement implements XmlElement {
  raw?: string;
  fill?: true;
  #children: XmlNode[] | undefined;

  constructor(
    readonly name: string,
    public attrs: [string, string][],
    private readonly make: () => XmlNode[],
    /** Whether an element inside it has a uuid (an item in an item): a walk for items must look into it. */
    readonly holdsItems: boolean,
  ) {}

  get children(): XmlNode[] {
    return (this.#children ??= this.make());
  }

  set children(children: XmlNode[]) {
    this.#children = children;
  }

  /** Whether nothing asked for the children yet. */
  get unmade(): boolean {
    return this.#children === undefined;
  }

  /**
   * Lets the children made go, to be made again if asked for: only while
   * the element is still its source text (nothing in it changed), and only
   * where nothing else holds them (a merge that looked into an item and
   * keeps it as it was).
   */
  release(): void {
    if (this.#children !== undefined && intact(this)) this.#children = undefined;
  }
}

/** Whether a walk for items (elements with a uuid) can pass `node` by: an item nobody looked into that holds none. */
export function holdsNoItems(node: XmlElement): boolean {
  return node instanceof LazyElement && node.unmade && !node.holdsItems;
}

/** Whether an element and every element in it are still their source text (a change deletes `raw` where it is made). */
function intact(node: XmlElement): boolean {
  if (node.raw === undefined) return false;
  if (node instanceof LazyElement && node.unmade) return true;
  for (const c of node.children) if (isElement(c) && !intact(c)) return false;
  return true;
}

/** An element of `parts` (undefined ones left out): a plain one, or a StreamedElement when some of them are made when written. */
export function elementOf(name: string, parts: readonly (XmlElement | LazyItems | readonly XmlElement[] | undefined)[], attrs: [string, string][] = []): XmlElement {
  const flat: (XmlElement | LazyItems)[] = [];
  for (const part of parts) {
    if (Array.isArray(part)) appendAll(flat, part as readonly XmlElement[]);
    else if (part !== undefined) flat.push(part as XmlElement | LazyItems);
  }
  if (!flat.some((part) => part instanceof LazyItems)) return { name, attrs, children: flat as XmlElement[] };
  return new StreamedElement(name, attrs, flat);
}

function checkChars(value: string): void {
  const bad = forbiddenCharacter(value);
  if (bad) throw new XmlTextError(`${bad} cannot appear in an XML document`);
}

// What makes a text or attribute value more than itself: a character XML cannot hold (forbiddenCharacter
// looks at each control character and surrogate), or one written as a reference. One scan of most values
// (a rule's uuid, its description, a field's value), not one for each question.
const TEXT_SPECIAL = /[\u0000-\u001F&<>\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTRIBUTE_SPECIAL = /[\u0000-\u001F&<>"\uD800-\uDFFF\uFFFE\uFFFF]/;

export function escapeText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  checkChars(value);
  if (!/[&<>\r\t]/.test(value)) return value;
  // ">" is escaped too, so "]]>" can never end up in the output; CR and
  // tab are written as references because parsers normalise them.
  return value.replace(/[&<>\r\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;', '\t': '&#9;' })[c]!);
}

export function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_SPECIAL.test(value)) return value;
  checkChars(value);
  if (!/[&<>"\r\n\t]/.test(value)) return value;
  return value.replace(/[&<>"\r\n\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' })[c]!);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** An element's start tag up to `end` (its '>', '/>', or more text after it), one flat string. */
function startTag(node: XmlElement, end = ''): string {
  if (!NAME.test(node.name)) throw new XmlTextError(`"${node.name}" is not an element name`);
  if (node.attrs.length === 0) return `<${node.name}${end}`;
  // Joined, one flat string: made with +, a start tag (or a leaf's text, leafText) is a rope of its
  // parts in V8, one more to walk when the part it is added to is flattened.
  const parts = ['<', node.name];
  for (let i = 0; i < node.attrs.length; i++) {
    const k = node.attrs[i]![0];
    if (!NAME.test(k)) throw new XmlTextError(`"${k}" is not an attribute name`);
    parts.push(' ', k, '="', escapeAttribute(node.attrs[i]![1]), '"');
  }
  parts.push(end);
  return parts.join('');
}

/** Text content of an element (concatenated text children). */
export function textOf(node: XmlElement | undefined): string {
  if (!node) return '';
  // Most elements hold one text node: no array and join for each of a 20,000-rule filter's fields.
  const only = node.children.length === 1 ? node.children[0]! : undefined;
  if (only) return 'text' in only ? only.text : '';
  return node.children.map((c) => ('text' in c ? c.text : '')).join('');
}

export function child(node: XmlElement | undefined, name: string): XmlElement | undefined {
  return node?.children.find((c): c is XmlElement => isElement(c) && c.name === name);
}

export function childrenNamed(node: XmlElement | undefined, name: string): XmlElement[] {
  return (node?.children ?? []).filter((c): c is XmlElement => isElement(c) && c.name === name);
}

/**
 * The first child element of each name, as child() finds it, read in one
 * pass: for looking up many names of one element (a search per name made
 * the merge's work gen's entries × the base's).
 */
export function firstChildren(node: XmlElement | undefined): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const c of node?.children ?? []) if (isElement(c) && !out.has(c.name)) out.set(c.name, c);
  return out;
}

/** Every child element of each name, in document order, as childrenNamed() finds them, read in one pass. */
export function childrenByName(node: XmlElement | undefined): Map<string, XmlElement[]> {
  const out = new Map<string, XmlElement[]>();
  for (const c of node?.children ?? []) if (isElement(c)) addToList(out, c.name, c);
  return out;
}

export function attr(node: XmlElement, name: string): string | undefined {
  return node.attrs.find(([k]) => k === name)?.[1];
}

export function setAttr(node: XmlElement, name: string, value: string): void {
  const existing = node.attrs.find(([k]) => k === name);
  if (existing?.[1] === value) return;
  if (existing) existing[1] = value;
  else node.attrs.push([name, value]);
  delete node.raw;
}

/** Writes an element indented by `depth` levels of two spaces (OPNsense's own layout). */
export function serialize(node: XmlElement, depth = 0): string {
  // Every piece goes to one writer of parts, joined once: a string per level,
  // each joined from its children, copied a 38 MB filter section once per level.
  const out = new TextParts();
  write(node, depth, out, {});
  return out.text();
}

/**
 * The same text as serialize, handed to `part` in consecutive parts of
 * about PART characters (render/parts.ts): a merged config of 100,000 peers
 * is 425 MB, and its pieces held in one list until one join took gigabytes.
 */
export function serializeParts(node: XmlElement, part: (text: string) => void): void {
  const out = new TextParts(part);
  write(node, 0, out, {});
  out.end();
}

/**
 * Whether `node`, written where `raw` was read (at the depth its last
 * line's indentation shows), is exactly `raw`: then it is the same element
 * whatever sameCanonicalText would find, told without reading `raw`.
 */
export function writesAs(node: XmlElement, raw: string): boolean {
  const lastLine = raw.lastIndexOf('\n');
  const depth = lastLine < 0 ? 0 : (raw.length - lastLine - 1 - `</${node.name}>`.length) / 2;
  if (!Number.isInteger(depth) || depth < 0) return false;
  return serialize(node, depth) === raw;
}

/**
 * Whether two elements are written the same from their children, whatever
 * source text either was parsed with (its `raw`), found without writing
 * them: the same name and attributes, and the same text (a leaf) or the
 * same element and comment children (any other, whose text is not
 * written). Escaping is one to one, so equal text writes equal text.
 */
export function sameCanonicalText(a: XmlElement, b: XmlElement): boolean {
  if (a === b) return true;
  if (a.name !== b.name || a.attrs.length !== b.attrs.length) return false;
  for (let i = 0; i < a.attrs.length; i++) {
    if (a.attrs[i]![0] !== b.attrs[i]![0] || a.attrs[i]![1] !== b.attrs[i]![1]) return false;
  }
  const textA = leafContent(a);
  const textB = leafContent(b);
  if (textA !== undefined || textB !== undefined) return textA === textB;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.children.length && 'text' in a.children[i]!) i++;
    while (j < b.children.length && 'text' in b.children[j]!) j++;
    if (i === a.children.length || j === b.children.length) return i === a.children.length && j === b.children.length;
    const x = a.children[i++]!;
    const y = b.children[j++]!;
    if ('comment' in x || 'comment' in y) {
      if (!('comment' in x && 'comment' in y) || x.comment !== y.comment) return false;
    } else if (!sameCanonicalText(x as XmlElement, y as XmlElement)) {
      return false;
    }
  }
}

// Loops are indexed: for-of over a frozen list of children made an iterator
// result per child (125 MB of garbage for 20,000 rules).
function write(node: XmlElement, depth: number, out: TextParts, how: Writing): void {
  if (node.raw !== undefined) {
    out.add(node.raw);
    return;
  }
  if (node instanceof StreamedElement && node.unmade) {
    writeStreamed(node, depth, out, how);
    return;
  }
  if (node instanceof LaidOutItem && node.unmade) {
    writeLaidOut(node, depth, out);
    return;
  }
  const text = leafContent(node);
  if (text !== undefined) {
    out.add(leafText(node, text));
    return;
  }
  out.add(startTag(node, '>'));
  const children = node.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    // Model defaults next to each other are one piece: the run's text is
    // made once. An MVC filter rule has 56 fields, gen sets a dozen.
    if (c instanceof SharedLeaf && c.fill) {
      let run = c.runAt(depth + 1);
      for (let next = children[i + 1]; next instanceof SharedLeaf && next.fill; next = children[++i + 1]) run = run.then(next, depth + 1);
      out.add(run.text);
    } else {
      writeChild(c, depth + 1, out, how);
    }
    // A part may end after any child: a long document is handed over between its items.
    out.mayEnd();
  }
  out.add(padding(depth));
  out.add(`</${node.name}>`);
}

/** A child on its own line at `depth`: a comment, a shared leaf or an element (a text child is its parent's). */
function writeChild(c: XmlNode, depth: number, out: TextParts, how: Writing): void {
  if ('text' in c) return;
  if ('comment' in c) {
    if (c.comment.includes('--') || c.comment.endsWith('-')) throw new XmlTextError('a comment cannot contain "--"');
    checkChars(c.comment);
    out.add(padding(depth));
    out.add(`<!--${c.comment}-->`);
  } else if (c instanceof SharedLeaf) {
    out.add(c.textAt(depth));
  } else {
    out.add(padding(depth));
    write(c, depth, out, how);
  }
}

/** Called with each child of a StreamedElement as it is written, and the element. */
export type StreamVisitor = (child: XmlNode, parent: XmlElement) => void;

/** How a document is written: `visit` sees each child of a StreamedElement. */
interface Writing {
  visit?: StreamVisitor;
}

/**
 * A StreamedElement whose children were not asked for: each made, handed to
 * `visit`, written, then left to the collector. Its children are elements
 * (see elementOf): with none it is `<name/>`, as any element without children.
 */
function writeStreamed(node: StreamedElement, depth: number, out: TextParts, how: Writing): void {
  let any = false;
  for (const c of node.each()) {
    // The start tag is written with the first child: `<name/>` when there is none.
    if (!any) {
      out.add(startTag(node, '>'));
      any = true;
    }
    how.visit?.(c, node);
    writeChild(c, depth + 1, out, how);
    out.mayEnd();
  }
  if (!any) {
    out.add(startTag(node, '/>'));
    return;
  }
  out.add(padding(depth));
  out.add(`</${node.name}>`);
}

/**
 * A leaf's text (an element with no element or comment child), or
 * undefined. One pass over the children: a 20,000-rule filter has a million
 * leaves, and filtering and mapping each one's children made four arrays
 * per leaf.
 */
function leafContent(node: XmlElement): string | undefined {
  let text = '';
  for (let i = 0; i < node.children.length; i++) {
    const c = node.children[i]!;
    if (!('text' in c)) return undefined;
    text += c.text;
  }
  return text;
}

/**
 * A leaf shared by many items (a field at the model's default, a short
 * value gen repeats; see render/opnsense/fields.ts), frozen: it cannot
 * change, so its text after the line break and indentation of a depth is
 * made once per depth, one piece per field instead of two. The texts are a
 * private field, read without a lookup (a WeakMap lookup per field was a
 * tenth of writing 20,000 rules); the element compares and copies as a
 * plain one.
 */
class SharedLeaf implements XmlElement {
  readonly #texts: string[] = [];
  /** Runs of defaults that start with this one, by depth (defaults only). */
  readonly #runs: (DefaultRun | undefined)[] = [];
  declare fill?: true;

  constructor(
    readonly name: string,
    readonly attrs: [string, string][],
    readonly children: XmlNode[],
    fill: boolean,
  ) {
    if (fill) this.fill = true;
  }

  textAt(depth: number): string {
    return (this.#texts[depth] ??= padding(depth) + leafText(this, leafContent(this) ?? ''));
  }

  /** This default alone, at `depth`: the start of the runs it begins. */
  runAt(depth: number): DefaultRun {
    return (this.#runs[depth] ??= new DefaultRun(this.textAt(depth)));
  }
}

/**
 * The text of consecutive model defaults at one depth, and the longer runs
 * that follow it. Defaults come from the models' field lists, so the runs
 * are bounded by the models, not by the items: gen's own values (a rule's
 * sequence is new for every rule) never join a run. Each text is joined
 * once into a flat string (a string made with + would be walked again at
 * every join of a document).
 */
class DefaultRun {
  readonly #next = new Map<SharedLeaf, DefaultRun>();
  // The run asked for last: after a given run, items of one model have the
  // same next default (the model's next field), so this answers without a lookup.
  #lastLeaf: SharedLeaf | undefined;
  #lastRun: DefaultRun | undefined;

  constructor(readonly text: string) {}

  then(leaf: SharedLeaf, depth: number): DefaultRun {
    if (leaf === this.#lastLeaf) return this.#lastRun!;
    let run = this.#next.get(leaf);
    if (!run) this.#next.set(leaf, (run = new DefaultRun([this.text, leaf.textAt(depth)].join(''))));
    this.#lastLeaf = leaf;
    this.#lastRun = run;
    return run;
  }
}

/**
 * Where the fields of items of one model list are (a model whose fields
 * are all leaves: an MVC filter rule, a WireGuard client): every item has
 * the same constant fields (the model's defaults, the values gen gives
 * every item) in the same places, and its own values at `slots`. The
 * text of each run of constants between two slots, and the tags of each
 * slot, are made once per depth by the writer from the model's elements
 * (checked as any); an item's own values are escaped as they are written.
 * An item is then its start tag, its runs and its values: not 56 children
 * made, looked at and written one by one, for each of 20,000 rules.
 */
export class ItemLayout {
  /** For each field's position, the index of its slot, or -1 for a constant. */
  readonly slotAt: readonly number[];
  /** Each field's name, and the text of each constant (a slot's is the item's). */
  readonly names: readonly string[];
  readonly texts: readonly string[];
  readonly #written: (WrittenLayout | undefined)[] = [];

  constructor(
    readonly name: string,
    /** One leaf per field; those at slots are never written (the item's own values take their places). */
    readonly base: readonly XmlElement[],
    /** The positions of the items' own values, ascending. */
    readonly slots: readonly number[],
  ) {
    const slotAt = base.map(() => -1);
    slots.forEach((position, k) => (slotAt[position] = k));
    this.slotAt = slotAt;
    this.names = base.map((field) => field.name);
    this.texts = base.map((field) => leafContent(field) ?? '');
  }

  /** The runs and tags at `depth`. */
  writtenAt(depth: number): WrittenLayout {
    return (this.#written[depth] ??= this.#write(depth));
  }

  #write(depth: number): WrittenLayout {
    const runs: string[] = [];
    let from = 0;
    for (const end of [...this.slots, this.base.length]) {
      const out = new TextParts();
      for (let i = from; i < end; i++) writeChild(this.base[i]!, depth, out, WHOLE);
      runs.push(out.text());
      from = end + 1;
    }
    // A slot's tags as its leaf's: `<name/>` when empty, else `<name>` and `</name>` around the escaped value.
    const tags = this.slots.map((i) => startTag({ name: this.names[i]!, attrs: [], children: [] }));
    // The item's end tag, at its own depth, follows the last run.
    const end = `${runs.at(-1)!}${padding(depth - 1)}</${this.name}>`;
    const last = this.slots.length - 1;
    const after = (k: number): string => (k === last ? end : runs[k + 1]!);
    return {
      first: `>${runs[0]!}`,
      empty: tags.map((tag, k) => `${padding(depth)}${tag}/>${after(k)}`),
      open: tags.map((tag) => `${padding(depth)}${tag}>`),
      close: this.slots.map((i, k) => `</${this.names[i]!}>${after(k)}`),
      end,
    };
  }
}

/**
 * An item's text but its start tag's name and attributes and its own
 * values, in as few pieces as there are values: each piece a value's is
 * added with (an item of 20,000 is written with one add per value).
 */
interface WrittenLayout {
  /** The end of the start tag, and the constants before the first slot. */
  first: string;
  /** Each slot's line when its value is empty, and its tags around a value; each followed by the constants up to the next slot (after the last: the item's end tag). */
  empty: readonly string[];
  open: readonly string[];
  close: readonly string[];
  /** The constants after the last slot and the item's end tag. */
  end: string;
}

/**
 * An item of an ItemLayout: its own values, in slot order. Its children
 * are made when first asked for (a reader of the tree gets them as any
 * element's: the constants, and a leaf of each value in its place); until
 * then it is written from the layout, and read by field (fieldText).
 */
export class LaidOutItem implements XmlElement {
  readonly name: string;
  #children: XmlNode[] | undefined;

  constructor(
    readonly layout: ItemLayout,
    readonly attrs: [string, string][],
    readonly values: readonly string[],
  ) {
    this.name = layout.name;
  }

  get children(): XmlNode[] {
    if (this.#children === undefined) {
      const children: XmlNode[] = this.layout.base.slice();
      for (let k = 0; k < this.values.length; k++) {
        const i = this.layout.slots[k]!;
        children[i] = leaf(this.layout.names[i]!, this.values[k]);
      }
      this.#children = children;
    }
    return this.#children;
  }

  set children(children: XmlNode[]) {
    this.#children = children;
  }

  /** Whether nothing asked for the children yet. */
  get unmade(): boolean {
    return this.#children === undefined;
  }

  /** The text of the field at position `i` of the layout (read while the children are unmade). */
  fieldText(i: number): string {
    const k = this.layout.slotAt[i]!;
    return k < 0 ? this.layout.texts[i]! : this.values[k]!;
  }
}

/** Writing with nothing to visit and no parts: leaves and runs of leaves. */
const WHOLE: Writing = {};

/** A LaidOutItem whose children were not asked for: the start tag, then runs of constants and the item's values in turn. */
function writeLaidOut(node: LaidOutItem, depth: number, out: TextParts): void {
  const { first, empty, open, close, end } = node.layout.writtenAt(depth + 1);
  out.add(startTag(node, first));
  const values = node.values;
  for (let k = 0; k < values.length; k++) {
    const value = values[k]!;
    out.add(value === '' ? empty[k]! : open[k]! + escapeText(value) + close[k]!);
  }
  if (values.length === 0) out.add(end);
}

/** A leaf that many items share, frozen with its text: empty text writes `<name/>`. */
export function sharedLeaf(name: string, value: string, fill = false): XmlElement {
  const children = Object.freeze(value === '' ? [] : [Object.freeze({ text: value })]) as XmlNode[];
  return Object.freeze(new SharedLeaf(name, Object.freeze([]) as unknown as [string, string][], children, fill));
}

// A line break and the indentation of each depth, made once: the list of
// pieces holds the same string a million times, not a million strings.
const paddings: string[] = [];
function padding(depth: number): string {
  return (paddings[depth] ??= `\n${'  '.repeat(depth)}`);
}

function leafText(node: XmlElement, text: string): string {
  return text === '' ? `${startTag(node)}/>` : [startTag(node), '>', escapeText(text), '</', node.name, '>'].join('');
}

/**
 * A standalone document: declaration, root, final newline. Its parts are
 * joined once into one flat string: a string made by adding to the
 * serialized root would be copied whole again when it is hashed and
 * written (20,000 rules are a 40 MB file).
 */
export function xmlDocument(root: XmlElement, visit?: StreamVisitor): string {
  const out = new TextParts();
  out.add('<?xml version="1.0"?>\n');
  write(root, 0, out, { visit });
  out.add('\n');
  return out.text();
}

/**
 * The same document handed to `part` in consecutive parts of about PART
 * characters (render/parts.ts), each ending after a child element (a filter
 * rule, or a field of one): the text of 20,000 rules is never one 38 MB
 * string, nor its pieces one list.
 */
export function xmlDocumentParts(root: XmlElement, part: (text: string) => void, visit?: StreamVisitor): void {
  const out = new TextParts(part);
  out.add('<?xml version="1.0"?>\n');
  write(root, 0, out, { visit });
  out.add('\n');
  out.end();
}
