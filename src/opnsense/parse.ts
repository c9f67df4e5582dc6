// A strict, small XML parser for OPNsense config.xml backups. It keeps the
// source text of every element, so that merge can write untouched sections
// back byte for byte. DTDs are refused (no entity expansion, no external
// references); only the five predefined entities and character references
// are decoded.
import { type XmlElement, type XmlNode, LazyElement } from '../render/opnsense/xml.js';
import { forbiddenCharacter, forbiddenCharacterIndex, forbiddenKind } from '../targets/xml/chars.js';

export class XmlParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

/**
 * Well-formed XML that merge could not write back exactly: OPNsense writes
 * none of it (a processing instruction inside the root, text or CDATA
 * beside elements), and a merge would drop it from a section it rewrites.
 */
export class XmlUnkeptError extends XmlParseError {}

export interface ParsedDocument {
  /** Text before the root element (declaration, comments), verbatim. */
  prolog: string;
  root: XmlElement;
  /** Text after the root element, verbatim. */
  epilog: string;
}

// Names and whitespace are told by character code: a regular expression
// tried on a one-character string for every character of a 40 MB backup
// was most of reading it.

/** What the predicates below decide, as expressions (the specification; a test holds each predicate to its expression over every code unit). */
export const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
export const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;

/** [A-Za-z_:\u00C0-\uFFFF] */
export function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || (c >= 0xc0 && c <= 0xffff);
}

/** [A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF] */
export function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0xb7;
}

/** What /\s/ matches: the ASCII blanks at once, the others through the expression. */
export function isSpace(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos);
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x80 && /\s/.test(text[pos]!));
}
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const MAX_DEPTH = 200;

/** How a document is read. */
export interface ParseOptions {
  /**
   * Items (elements with a uuid attribute, below the root) are checked as
   * every element is, but their children are made only when first asked
   * for (LazyElement): a merge into its own earlier result of 100,000 peers
   * read 425 MB into some 15 million elements, past V8's heap, and looks
   * into few of them.
   */
  lazyItems?: boolean;
}

export function parseXml(text: string, options: ParseOptions = {}): ParsedDocument {
  const lazyItems = options.lazyItems === true;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const located = (Kind: typeof XmlParseError, message: string, at: number): XmlParseError => {
    const before = text.slice(0, at).split('\n');
    return new Kind(message, before.length, before[before.length - 1]!.length + 1);
  };
  const fail = (message: string, at = pos): never => {
    throw located(XmlParseError, message, at);
  };
  const unkept = (message: string, at: number): never => {
    throw located(XmlUnkeptError, message, at);
  };
  /** The end of the comment at pos; "--" inside one is not XML (and no writer could put it back). */
  const commentEnd = (): number => {
    const end = text.indexOf('-->', pos + 4);
    if (end < 0) fail('unterminated comment');
    const dashes = text.indexOf('--', pos + 4);
    if (dashes < end) fail('"--" is not allowed inside a comment', dashes);
    return end;
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, pos)) fail(`expected "${s}"`);
    pos += s.length;
  };
  const skipSpace = () => {
    while (pos < text.length && isSpace(text, pos)) pos++;
  };
  const readName = (): string => {
    const start = pos;
    if (!isNameStart(text.charCodeAt(pos))) fail('expected a name');
    while (pos < text.length && isNameChar(text.charCodeAt(pos))) pos++;
    return text.slice(start, pos);
  };
  const decode = (raw: string, at: number): string => {
    // Most text has no reference: nothing to scan for.
    if (raw.indexOf('&') < 0) return raw;
    return raw.replace(/&([^;&\s]*);?/g, (match, body: string) => {
      if (!match.endsWith(';')) return fail('"&" must start an entity such as &amp;', at);
      if (body.startsWith('#')) {
        const hex = body.startsWith('#x');
        const digits = body.slice(hex ? 2 : 1);
        const code = (hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits) ? parseInt(digits, hex ? 16 : 10) : NaN;
        const char = code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
        // XML 1.0 Char: no NUL and other C0 controls, surrogates, U+FFFE/U+FFFF, even as references.
        if (char === undefined || forbiddenCharacter(char) !== undefined) return fail(`&${body}; is not a character XML allows`, at);
        return char;
      }
      const value = ENTITIES[body];
      return value ?? fail(`unknown entity &${body};`, at);
    });
  };
  // Layout text kept only where an element has no element children; an item's children are tidied as they are made.
  const tidy = (node: XmlElement): void => {
    if (node.children.some((c) => 'name' in c)) node.children = node.children.filter((c) => !('text' in c) || c.text.trim() !== '');
    for (const c of node.children) if ('name' in c && !(c instanceof LazyElement && c.unmade)) tidy(c);
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (text.startsWith('<!--', pos)) {
        pos = commentEnd() + 3;
      } else if (text.startsWith('<!DOCTYPE', pos)) {
        fail('a DOCTYPE is not allowed in an OPNsense configuration');
      } else return;
    }
  };

  /** How many items (elements with a uuid) were read so far. */
  let items = 0;
  /**
   * The element at pos. With `build` false its content is read and checked
   * only (the children of an item made later); with `eager`, the element
   * itself is made whole even if it is an item (its children being made).
   */
  const parseElement = (depth: number, build = true, eager = false): XmlElement => {
    const start = pos;
    // OPNsense nests a dozen levels; a limit keeps a hostile file from exhausting the stack.
    if (depth > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH} levels`);
    expect('<');
    const name = readName();
    const attrs: [string, string][] = [];
    for (;;) {
      const hadSpace = isSpace(text, pos);
      skipSpace();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        if (attrs.some(([k]) => k === 'uuid')) items++;
        return { name, attrs, children: [], raw: text.slice(start, pos) };
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      if (!hadSpace) fail('expected whitespace, ">" or "/>"');
      const attrName = readName();
      skipSpace();
      expect('=');
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      const end = text.indexOf(quote!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const rawValue = text.slice(pos + 1, end);
      if (rawValue.includes('<')) fail('"<" in an attribute value');
      if (attrs.some(([k]) => k === attrName)) fail(`duplicate attribute ${attrName}`);
      attrs.push([attrName, decode(rawValue, pos)]);
      pos = end + 1;
    }
    const isItem = attrs.some(([k]) => k === 'uuid');
    if (isItem) items++;
    if (build && !eager && lazyItems && depth > 0 && isItem) {
      const before = items;
      parseContent(name, start, depth, false);
      const made = (): XmlNode[] => {
        pos = start;
        const whole = parseElement(depth, true, true);
        tidy(whole);
        return whole.children;
      };
      const item = new LazyElement(name, attrs, made, items > before);
      item.raw = text.slice(start, pos);
      return item;
    }
    const children = parseContent(name, start, depth, build);
    return { name, attrs, children, raw: text.slice(start, pos) };
  };

  /** The content of the element <name> opened at `start`, up to and with its end tag; its children when `build`. */
  const parseContent = (name: string, start: number, depth: number, build: boolean): XmlNode[] => {
    const children: XmlNode[] = [];
    // Where content that only a leaf may hold (text, CDATA) first appeared, and whether an element did.
    let content = -1;
    let element = -1;
    for (;;) {
      if (pos >= text.length) fail(`element <${name}> is not closed`, start);
      if (text.startsWith('</', pos)) {
        if (content >= 0 && element >= 0) unkept(`text beside the elements of <${name}>: OPNsense writes none there, and a merge would drop it`, content);
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`closing tag </${closing}> does not match <${name}>`);
        skipSpace();
        expect('>');
        return children;
      }
      if (text.startsWith('<!--', pos)) {
        const end = commentEnd();
        if (build) children.push({ comment: text.slice(pos + 4, end) });
        pos = end + 3;
      } else if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos + 9);
        if (end < 0) fail('unterminated CDATA section');
        if (content < 0) content = pos;
        if (build) children.push({ text: text.slice(pos + 9, end) });
        pos = end + 3;
      } else if (text.startsWith('<?', pos)) {
        unkept(`a processing instruction inside <${name}>: OPNsense writes none, and a merge would drop it`, pos);
      } else if (text[pos] === '<') {
        if (element < 0) element = pos;
        const inner = parseElement(depth + 1, build);
        if (build) children.push(inner);
      } else {
        const next = text.indexOf('<', pos);
        const end = next < 0 ? text.length : next;
        const raw = text.slice(pos, end);
        if (raw.includes(']]>')) fail('"]]>" is not allowed in text');
        const decoded = decode(raw, pos);
        // Whitespace between elements is layout, not content.
        if (decoded.trim() !== '' && content < 0) content = pos + raw.length - raw.trimStart().length;
        if (build && (decoded.trim() !== '' || !children.some((c) => 'name' in c))) children.push({ text: decoded });
        pos = end;
      }
    }
  };

  // A raw control character (a NUL from a damaged download) is not XML: OPNsense's loader
  // (simplexml) refuses the whole file, so a merge must not carry it into the config to restore.
  const raw = forbiddenCharacterIndex(text);
  if (raw >= 0) {
    const character = forbiddenCharacter(text.slice(raw, raw + 2))!;
    fail(`${character} (${forbiddenKind(character)}) is not a character XML allows, and OPNsense cannot load a config.xml that holds it: remove it, or download the backup from the box again`, raw);
  }
  skipMisc();
  if (text[pos] !== '<') fail('expected the root element');
  const prolog = text.slice(0, pos);
  const root = parseElement(0);
  const rootEnd = pos;
  skipMisc();
  if (pos < text.length) fail('content after the root element');
  tidy(root);
  return { prolog, root, epilog: text.slice(rootEnd) };
}
