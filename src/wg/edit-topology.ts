// In-place edits of the topology file that keep its comments and layout
// byte for byte outside the edited spot. The yaml library's Document API
// finds the nodes and their source ranges; the change itself is spliced
// into the text (re-serialising the whole document would realign comments
// and re-pad flow collections). The result is read again and compared
// with the same edit made on the data: js-yaml's, as the loader reads it
// (three parses by the Document API took most of `gen wg add-peer` on a
// large file), or through the Document API where the loader would use
// that. If the splice did not produce exactly that data, the Document
// API's own output is used.
import { isDeepStrictEqual } from 'node:util';
import { type Document, isMap, isScalar, isSeq, parseDocument, stringify, visit, type YAMLMap, type YAMLSeq } from 'yaml';
import { readFast } from '../load.js';
import type { Path } from '../location.js';
import { lineIn, lineTreeOf } from '../yaml-lines.js';

type Scalar = string | number | boolean;

export class TopologyEditError extends Error {}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/**
 * One line that reads as `value`, whatever it is: the yaml library would
 * write a block scalar for text that starts like a document marker ("---",
 * "...") and fold text longer than 80 characters onto a second line, and
 * neither fits after `key: ` in the middle of a file. Then the splice read
 * back wrong and the whole file was written again by the Document API.
 */
function scalarText(value: Scalar): string {
  // Only the newline stringify ends with: trimEnd() also took a value's own last U+00A0 or U+2028.
  return stringify(value, { blockQuote: false, lineWidth: 0 }).replace(/\n$/, '');
}

/** The same, inside a flow collection, where , [ ] { } end a plain scalar: such text is double-quoted. */
function flowScalarText(value: Scalar): string {
  if (typeof value !== 'string' || !/[,[\]{}]/.test(value)) return scalarText(value);
  return stringify(value, { defaultStringType: 'QUOTE_DOUBLE', blockQuote: false, lineWidth: 0 }).replace(/\n$/, '');
}

function flowMapText(entries: [string, Scalar][]): string {
  return `{ ${entries.map(([k, v]) => `${k}: ${flowScalarText(v)}`).join(', ')} }`;
}

function blockMapLines(entries: [string, Scalar][], indent: string, firstPrefix: string): string {
  return entries.map(([k, v], i) => `${i === 0 ? firstPrefix : indent}${k}: ${scalarText(v)}\n`).join('');
}

function splice(text: string, at: number, remove: number, insert: string): string {
  return text.slice(0, at) + insert + text.slice(at + remove);
}

/** Block insertions go at a line start; the last line of a file may lack its newline. */
function lineStart(text: string, at: number): { at: number; lead: string } {
  return at > 0 && text[at - 1] !== '\n' ? { at, lead: '\n' } : { at, lead: '' };
}

function nodeAt(doc: Document, path: Path): unknown {
  return path.length === 0 ? doc.contents : doc.getIn(path as (string | number)[], true);
}

/** The end of the line that holds `offset` (after its newline), or the end of the text. */
function endOfLine(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

/** The entry of `map` whose key is `key`. */
function pairOf(map: YAMLMap, key: string) {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
}

/**
 * Inserts `key: value` into the mapping at `mapPath`: on the line after the
 * first of `after` that the block mapping has with a one-line value (where
 * a person would write it), else as its last entry.
 */
function spliceNewKey(text: string, map: YAMLMap, key: string, valueText: string, after: readonly string[] = []): string | undefined {
  const [start, valueEnd, end] = map.range ?? [];
  if (start === undefined || valueEnd === undefined || end === undefined) return undefined;
  if (!map.flow) {
    for (const sibling of after) {
      const pair = pairOf(map, sibling);
      const keyStart = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
      const value = pair?.value;
      if (keyStart === undefined || !isScalar(value) || !value.range) continue;
      // Only a value on its key's line: a block scalar or a comment block below it is left as it is.
      if (text.slice(keyStart, value.range[1]).includes('\n')) continue;
      const at = endOfLine(text, value.range[1]);
      const lead = text[at - 1] === '\n' ? '' : '\n';
      return splice(text, at, 0, `${lead}${' '.repeat(column(text, keyStart))}${key}: ${valueText}\n`);
    }
  }
  if (map.flow) {
    const close = text.lastIndexOf('}', valueEnd);
    if (close < start) return undefined;
    let at = close;
    while (text[at - 1] === ' ') at--;
    return splice(text, at, 0, `${map.items.length ? ', ' : ''}${key}: ${valueText}`);
  }
  const firstKey = map.items[0]?.key;
  const keyStart = isScalar(firstKey) ? firstKey.range?.[0] : undefined;
  if (keyStart === undefined) return undefined;
  const indent = ' '.repeat(column(text, keyStart));
  const { at, lead } = lineStart(text, end);
  return splice(text, at, 0, `${lead}${indent}${key}: ${valueText}\n`);
}

function spliceSet(text: string, doc: Document, path: Path, value: Scalar, after?: readonly string[]): string | undefined {
  const node = nodeAt(doc, path);
  const parent = nodeAt(doc, path.slice(0, -1));
  const valueText = (isMap(parent) || isSeq(parent)) && parent.flow ? flowScalarText(value) : scalarText(value);
  if (isScalar(node) && node.range) return splice(text, node.range[0], node.range[1] - node.range[0], valueText);
  if (node !== undefined) return undefined;
  if (!isMap(parent)) return undefined;
  return spliceNewKey(text, parent, String(path[path.length - 1]), valueText, after);
}

/** Removes `key: value` from its mapping: the whole line in a block mapping, the entry and its comma in a flow one. */
function spliceDelete(text: string, doc: Document, path: Path): string | undefined {
  const parent = nodeAt(doc, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  const pair = pairOf(parent, String(path[path.length - 1]));
  if (!pair) return text;
  const keyStart = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  const value = pair.value;
  if (keyStart === undefined || !isScalar(value) || !value.range) return undefined;
  if (parent.flow) {
    const next = text.slice(value.range[1]).match(/^\s*,\s*/);
    if (next) return splice(text, keyStart, value.range[1] + next[0].length - keyStart, '');
    const before = text.slice(0, keyStart).match(/,\s*$/);
    return before ? splice(text, keyStart - before[0].length, value.range[1] - keyStart + before[0].length, '') : undefined;
  }
  const lineStartAt = text.lastIndexOf('\n', keyStart - 1) + 1;
  // The key must start its line (not `- enabled: true`, the first entry of a list item).
  if (text.slice(lineStartAt, keyStart).trim() !== '') return undefined;
  return splice(text, lineStartAt, endOfLine(text, value.range[1]) - lineStartAt, '');
}

function spliceAppend(text: string, doc: Document, seqPath: Path, entries: [string, Scalar][]): string | undefined {
  const seq = nodeAt(doc, seqPath);
  if (seq === undefined) {
    const parent = nodeAt(doc, seqPath.slice(0, -1));
    if (!isMap(parent) || parent.flow) return undefined;
    const key = String(seqPath[seqPath.length - 1]);
    const firstKey = parent.items[0]?.key;
    const keyStart = isScalar(firstKey) ? firstKey.range?.[0] : undefined;
    if (keyStart === undefined || !parent.range) return undefined;
    const indent = ' '.repeat(column(text, keyStart) + 2);
    const { at, lead } = lineStart(text, parent.range[2]);
    return splice(text, at, 0, `${lead}${' '.repeat(column(text, keyStart))}${key}:\n${blockMapLines(entries, `${indent}  `, `${indent}- `)}`);
  }
  if (!isSeq(seq) || !seq.range) return undefined;
  const items = (seq as YAMLSeq).items;
  if (seq.flow) {
    const close = text.lastIndexOf(']', seq.range[1]);
    if (close < seq.range[0]) return undefined;
    let at = close;
    while (text[at - 1] === ' ') at--;
    return splice(text, at, 0, `${items.length ? ', ' : ''}${flowMapText(entries)}`);
  }
  const last = items[items.length - 1];
  const dash = text.lastIndexOf('-', (last as { range?: number[] } | undefined)?.range?.[0] ?? seq.range[0]);
  const indent = ' '.repeat(column(text, Math.max(dash, seq.range[0])));
  const { at, lead } = lineStart(text, seq.range[2]);
  const item = isMap(last) && last.flow ? `${indent}- ${flowMapText(entries)}\n` : blockMapLines(entries, `${indent}  `, `${indent}- `);
  return splice(text, at, 0, `${lead}${item}`);
}

export type Edit =
  /** `after`: for a new key, the sibling keys it goes after, in order of preference. */
  | { kind: 'set'; path: Path; value: Scalar; after?: readonly string[] }
  | { kind: 'delete'; path: Path }
  | { kind: 'append'; path: Path; entries: [string, Scalar][] };

/**
 * Applies edits one after the other; returns the new text. `whole` parses
 * the whole document for each edit, as before editedPart (the tests hold
 * the two to the same text).
 */
export function editTopology(text: string, edits: readonly Edit[], options: { whole?: boolean } = {}): string {
  // A file whose every line ends in \r\n (a Windows checkout) keeps them: the edits write \n, and
  // lines of both kinds in one file show as changed in every editor and diff that keeps what it reads.
  const crlf = text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
  let current = crlf ? text.replace(/\r\n/g, '\n') : text;
  for (const edit of edits) current = applyOne(current, edit, options.whole === true);
  return crlf ? current.replace(/\n/g, '\r\n') : current;
}

/**
 * The edit made on the data js-yaml reads (the loader's fast reader, which
 * reads what the `yaml` library reads on such files): undefined where the
 * edit would have to create a collection on the way, which the Document
 * API does in its own manner, or where the file is one the loader leaves
 * to the `yaml` library.
 */
function editedData(text: string, edit: Edit, data?: unknown): unknown {
  // Only the data is compared: no lines. Data already read is edited in place.
  const read = data === undefined ? readFast(text, false) : { data };
  if (!read) return undefined;
  // The mapping or list that holds the edited key (for an append, the list's own key).
  const parent = dataAt(read.data, edit.path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return undefined;
  const container = parent as Record<string | number, unknown>;
  const key = edit.path[edit.path.length - 1]!;
  if (edit.kind === 'set') {
    if (Array.isArray(container) && (typeof key !== 'number' || key > container.length)) return undefined;
    container[key] = edit.value;
  } else if (edit.kind === 'delete') {
    if (Array.isArray(container)) return undefined;
    delete container[key];
  } else {
    const entry = Object.fromEntries(edit.entries);
    const list = Array.isArray(container) ? undefined : container[key];
    if (Array.isArray(list)) list.push(entry);
    else if (list === undefined && !Array.isArray(container)) container[key] = [entry];
    else return undefined;
  }
  return read.data;
}

/** Whether `spliced` reads as `text` with the edit made: on js-yaml's data where it can say, else through the Document API. */
function splicedRight(text: string, spliced: string, edit: Edit, data?: unknown): boolean {
  const expected = editedData(text, edit, data);
  const reread = expected === undefined ? undefined : readFast(spliced, false);
  if (expected !== undefined && reread) return isDeepStrictEqual(reread.data, expected);
  const reparsed = parseDocument(spliced);
  return reparsed.errors.length === 0 && isDeepStrictEqual(reparsed.toJS(), expectedDocument(text, edit).toJS());
}

/** The edit made through the Document API. */
function expectedDocument(text: string, edit: Edit): Document {
  const expected = parseDocument(text);
  if (edit.kind === 'set') {
    expected.setIn(edit.path as (string | number)[], edit.value);
  } else if (edit.kind === 'delete') {
    expected.deleteIn(edit.path as (string | number)[]);
  } else {
    const node = expected.createNode(Object.fromEntries(edit.entries));
    if (expected.hasIn(edit.path as (string | number)[])) expected.addIn(edit.path as (string | number)[], node);
    else expected.setIn(edit.path as (string | number)[], expected.createNode([Object.fromEntries(edit.entries)]));
  }
  return expected;
}

/** The splice of `edit` into `text`, with the nodes of `doc` (which hold their ranges in `text`) at `path` for the edit's own. */
function spliced(text: string, doc: Document, edit: Edit, path: Path): string | undefined {
  return edit.kind === 'set' ? spliceSet(text, doc, path, edit.value, edit.after) : edit.kind === 'delete' ? spliceDelete(text, doc, path) : spliceAppend(text, doc, path, edit.entries);
}

/** The value at `path` of js-yaml's data. */
function dataAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

/** The offset where line `line` (1-based) starts, or -1 past the end. */
function lineOffset(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) {
    at = text.indexOf('\n', at) + 1;
    if (at === 0) return -1;
  }
  return at;
}

/** The indentation of the line that starts at `at`, or undefined for a blank or comment line (neither ends a block). */
function indentOf(text: string, at: number): number | undefined {
  let i = at;
  while (text[i] === ' ') i++;
  return i >= text.length || text[i] === '\n' || text[i] === '\r' || text[i] === '#' ? undefined : i - at;
}

/**
 * The column (as an offset in `text`) where the node on the line starting
 * at `from` begins: a list item's dash (`segment` a number), or the key
 * `segment` (after the dashes of the list items the line opens); undefined
 * where the line does not start so.
 */
function columnOf(text: string, from: number, segment: string | number): number | undefined {
  let column = from;
  while (text[column] === ' ') column++;
  if (typeof segment === 'number') return text[column] === '-' ? column : undefined;
  while (text[column] === '-' && text[column + 1] === ' ') for (column += 1; text[column] === ' '; ) column++;
  const key = text.slice(column, endOfLine(text, column));
  return key.startsWith(`${segment}:`) || key.startsWith(`"${segment}":`) || key.startsWith(`'${segment}':`) ? column : undefined;
}

/**
 * The end of the node whose first line starts at `from`, its column
 * `indent`: the lines indented deeper, and the blank and comment lines
 * between; with `dashes`, also lines at the column that start with a dash
 * (a list's items, where a list under a key puts them at the key's column).
 */
function extentOf(text: string, from: number, indent: number, dashes: boolean): number {
  let to = endOfLine(text, from);
  for (let line = to; line < text.length; line = endOfLine(text, line)) {
    const deeper = indentOf(text, line);
    if (deeper === undefined || deeper > indent || (dashes && deeper === indent && text[line + deeper] === '-')) to = endOfLine(text, line);
    else break;
  }
  return to;
}

/**
 * The part of `text` the edit needs, parsed by the Document API alone, its
 * nodes' ranges moved to where they are in `text`; `path` is the edit's
 * own path in it. That part is the parent the edit changes, or for an
 * append to a block list the list's last item (where the new one goes
 * after); never the whole list of 10,000 peers, nor the rules beside it.
 * A collection starts on the line js-yaml noted (a list item at its dash,
 * a mapping's value at its key) and runs over every line indented deeper
 * than that column (a list under a key may also put its dashes at the
 * key's column), and the blank and comment lines between. What comes
 * before the column on the first line (the dashes of the list items the
 * line opens; for a parent that is a list item, its own dash) becomes
 * spaces, so that every offset stays the same; where the edit sets or
 * deletes a key of a mapping, the collections below its other keys become
 * blank lines too. Undefined where the file is one the loader leaves to
 * the `yaml` library, the edit is at the top, or the part does not read
 * alone: the whole document is parsed then.
 */
export function editedPart(text: string, edit: Edit, read = readFast(text)): { doc: Document; path: Path; from: number; to: number } | undefined {
  if (!read?.closed) return undefined;
  const list = edit.kind === 'append' ? dataAt(read.data, edit.path) : undefined;
  const anchor = Array.isArray(list) ? edit.path : edit.path.slice(0, -1);
  const value = dataAt(read.data, anchor);
  if (anchor.length === 0 || value === null || typeof value !== 'object') return undefined;
  const lastItem = Array.isArray(list) ? list[list.length - 1] : undefined;
  // After a list's last item (a collection, so its line is known): the part is a list of that item alone.
  const after = lastItem !== null && typeof lastItem === 'object';
  const at = after ? anchor.concat((list as unknown[]).length - 1) : anchor;
  const last = at[at.length - 1]!;
  const tree = lineTreeOf(read.data, read.closed, false);
  const from = lineOffset(text, lineIn(tree, at));
  const column = from < 0 ? undefined : columnOf(text, from, last);
  if (column === undefined) return undefined;
  // Lines at the column that go on with the collection: the dashes of a list (its items, or a list under a key).
  const to = extentOf(text, from, column - from, after || (typeof last === 'string' && Array.isArray(value)));
  // Before the column, spaces; the dash of a parent that is a list item too, so the part is the item itself.
  const blank = typeof last === 'number' && !after ? column + 1 : column;
  let part = ' '.repeat(blank - from) + text.slice(blank, to);
  // A mapping the edit sets or deletes a key of: the lists and mappings below its other keys (an instance's peers) become blank lines
  // after their key (read as empty), so the Document API reads the mapping's own lines only; offsets stay.
  if (!after && !Array.isArray(value)) {
    const edited = edit.path[anchor.length];
    for (const [key, child] of Object.entries(value)) {
      if (key === edited || child === null || typeof child !== 'object') continue;
      const start = lineOffset(text, lineIn(tree, anchor.concat(key)));
      const keyColumn = start < from || start >= to ? undefined : columnOf(text, start, key);
      if (keyColumn === undefined) continue;
      const below = endOfLine(text, start);
      const end = extentOf(text, start, keyColumn - start, Array.isArray(child));
      if (end > below) part = part.slice(0, below - from) + text.slice(below, end).replace(/[^\n]/g, ' ') + part.slice(end - from);
    }
  }
  const doc = parseDocument(part);
  if (doc.errors.length > 0) return undefined;
  visit(doc, {
    Node(_, node) {
      if (node.range) node.range = [node.range[0] + from, node.range[1] + from, node.range[2] + from];
    },
  });
  const head: Path = typeof last === 'number' ? [] : [last];
  return { doc, path: head.concat(edit.path.slice(anchor.length)), from, to };
}

/** The splice of `edit` made with the part of the text editedPart reads, before it is checked; undefined where there is none. */
export function partSplice(text: string, edit: Edit, read = readFast(text)): string | undefined {
  const part = editedPart(text, edit, read);
  return part && spliced(text, part.doc, edit, part.path);
}

/** How many edits parsed the whole document (test/wireguard/edit-part.test.ts holds gen's own edits of its examples to none). */
export const wholeDocumentEdits = { count: 0 };

function applyOne(text: string, edit: Edit, whole: boolean): string {
  // js-yaml reads the text once: for the part's lines, then (its data edited in place) for the check.
  const read = whole ? undefined : readFast(text);
  const viaPart = read && partSplice(text, edit, read);
  if (viaPart !== undefined && splicedRight(text, viaPart, edit, read!.data)) return viaPart;
  wholeDocumentEdits.count++;
  const doc = parseDocument(text);
  if (doc.errors.length) throw new TopologyEditError(`the topology file does not parse: ${doc.errors[0]!.message}`);
  const result = spliced(text, doc, edit, edit.path);
  if (result !== undefined && splicedRight(text, result, edit)) return result;
  return expectedDocument(text, edit).toString({ flowCollectionPadding: false, lineWidth: 0 });
}
