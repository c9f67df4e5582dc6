// A small XML element tree shared by the fragments and the merge. Every
// text and attribute value is escaped here and nowhere else, so no value
// from the topology can open an element, a CDATA section or a comment.
// Elements parsed from a base config keep their source text (`raw`) and
// are written back byte for byte unless something inside them changed.
import { forbiddenCharacter } from '../../targets/xml/chars.js';

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

function checkChars(value: string): void {
  const bad = forbiddenCharacter(value);
  if (bad) throw new XmlTextError(`${bad} cannot appear in an XML document`);
}

export function escapeText(value: string): string {
  checkChars(value);
  if (!/[&<>\r\t]/.test(value)) return value;
  // ">" is escaped too, so "]]>" can never end up in the output; CR and
  // tab are written as references because parsers normalise them.
  return value.replace(/[&<>\r\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;', '\t': '&#9;' })[c]!);
}

export function escapeAttribute(value: string): string {
  checkChars(value);
  if (!/[&<>"\r\n\t]/.test(value)) return value;
  return value.replace(/[&<>"\r\n\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' })[c]!);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function startTag(node: XmlElement): string {
  if (!NAME.test(node.name)) throw new XmlTextError(`"${node.name}" is not an element name`);
  if (node.attrs.length === 0) return `<${node.name}`;
  let attrs = '';
  for (let i = 0; i < node.attrs.length; i++) {
    const k = node.attrs[i]![0];
    if (!NAME.test(k)) throw new XmlTextError(`"${k}" is not an attribute name`);
    attrs += ` ${k}="${escapeAttribute(node.attrs[i]![1])}"`;
  }
  return `<${node.name}${attrs}`;
}

/** Text content of an element (concatenated text children). */
export function textOf(node: XmlElement | undefined): string {
  if (!node) return '';
  return node.children.map((c) => ('text' in c ? c.text : '')).join('');
}

export function child(node: XmlElement | undefined, name: string): XmlElement | undefined {
  return node?.children.find((c): c is XmlElement => isElement(c) && c.name === name);
}

export function childrenNamed(node: XmlElement | undefined, name: string): XmlElement[] {
  return (node?.children ?? []).filter((c): c is XmlElement => isElement(c) && c.name === name);
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

// The text of a frozen leaf (a field shared by many items, see
// render/opnsense/fields.ts): it cannot change, and a leaf's text does not
// depend on its depth, so it is made once; with the line break and the
// indentation before it, once per depth (one piece per field, not two).
const frozenText = new WeakMap<XmlElement, string>();
const indentedFrozenText: WeakMap<XmlElement, string>[] = [];

/** Writes an element indented by `depth` levels of two spaces (OPNsense's own layout). */
export function serialize(node: XmlElement, depth = 0): string {
  // Every piece goes to one list, joined once: a string per level, each
  // joined from its children, copied a 38 MB filter section once per level.
  const out: string[] = [];
  write(node, depth, out);
  return out.join('');
}

function write(node: XmlElement, depth: number, out: string[]): void {
  if (node.raw !== undefined) {
    out.push(node.raw);
    return;
  }
  const frozen = Object.isFrozen(node);
  if (frozen) {
    const known = frozenText.get(node);
    if (known !== undefined) {
      out.push(known);
      return;
    }
  }
  // One pass over the children (a 20,000-rule filter has a million leaves:
  // filtering and mapping each one's children made four arrays per leaf).
  // Indexed loops: for-of over a frozen list of children made an iterator
  // result per child (125 MB of garbage for 20,000 rules).
  const children = node.children;
  let text = '';
  let elements = false;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if ('text' in c) text += c.text;
    else elements = true;
  }
  if (!elements) {
    const written = leafText(node, text);
    if (frozen) frozenText.set(node, written);
    out.push(written);
    return;
  }
  const pad = padding(depth);
  const inner = padding(depth + 1);
  out.push(startTag(node), '>');
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if ('text' in c) continue;
    if ('comment' in c) {
      if (c.comment.includes('--') || c.comment.endsWith('-')) throw new XmlTextError('a comment cannot contain "--"');
      checkChars(c.comment);
      out.push(inner, `<!--${c.comment}-->`);
    } else {
      const indented = (indentedFrozenText[depth + 1] ??= new WeakMap());
      const known = indented.get(c);
      if (known !== undefined) {
        out.push(known);
        continue;
      }
      const at = out.length;
      out.push(inner);
      write(c, depth + 1, out);
      // A frozen leaf wrote one piece: keep it with its indentation for the next item that shares it.
      if (out.length === at + 2 && frozenText.has(c)) indented.set(c, inner + out[at + 1]!);
    }
  }
  out.push(pad, `</${node.name}>`);
}

// A line break and the indentation of each depth, made once: the list of
// pieces holds the same string a million times, not a million strings.
const paddings: string[] = [];
function padding(depth: number): string {
  return (paddings[depth] ??= `\n${'  '.repeat(depth)}`);
}

function leafText(node: XmlElement, text: string): string {
  return text === '' ? `${startTag(node)}/>` : `${startTag(node)}>${escapeText(text)}</${node.name}>`;
}

/** A standalone document: declaration, root, final newline. */
export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0"?>\n${serialize(root)}\n`;
}
