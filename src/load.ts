// Stage 1: read the topology file as YAML, keeping every node's position so
// that later stages can point at file:line:col from a path into the data.
// The data comes from js-yaml, about ten times faster on large files. A
// finding is placed by a second js-yaml reading that notes where each node
// starts (src/yaml-positions.ts), which also places suppression comments;
// the `yaml` library's document is built only for what that reading declines, and
// its parser decides every file js-yaml refuses or where the two could
// read different data (aliases, null or collection keys), so every syntax
// error is located. js-yaml resolves scalars with YAML12_CORE_SCHEMA,
// exactly as `yaml` does; property tests (test/core/yaml-readers.test.ts)
// hold the two readers, their data and their positions, together.
// Layer: load. Imports only the shared leaves (README, Development): it
// knows no rule; unknown ids in gen-ignore comments are the check stage's.
import { type LoadOptions as LoadOptionsOfJsYaml, load as fastLoad } from 'js-yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { yamlLibrary } from './yaml-library.js';
import type { Diagnostic } from './diagnostics.js';
import { type Path, type SourceLocation, pathText } from './location.js';
import { suppressionsOf, type Suppression } from './suppress/comments.js';
import { YAML12_CORE_SCHEMA } from './yaml-core-schema.js';
import { positionsOf, type NodePositions } from './yaml-positions.js';
import { hasLooseContinuation } from './yaml-continuation.js';
import { printableText } from './yaml-printable.js';
import { lineIn, lineTreeOf, type LineNode } from './yaml-lines.js';
import { MAX_ALIAS_COUNT, aliasPastLimit, unresolvedAlias } from './yaml-alias-limit.js';
import { MAX_NESTING, deepFlowOffset, isStackOverflow, limitOffset, limitViolation, lineAndColumn } from './io/data-limits.js';
import { readFailure, readInputTextWithNul } from './io/read-input.js';
import { forbiddenCharacter, forbiddenKind } from './targets/xml/chars.js';

export interface Loaded {
  file: string;
  data: unknown;
  source: SourceMap;
  /** `# gen-ignore` comments. */
  suppressions: Suppression[];
}

export type LoadResult = { ok: true; loaded: Loaded } | { ok: false; diagnostics: Diagnostic[] };

/** How a topology is read. */
export interface LoadOptions {
  /**
   * Whether js-yaml notes the line of every mapping and list as it reads
   * (SourceMap.lineOf, which only generated files cite): its node events
   * take a fifth of the reading. Without them (gen lint), the first lineOf
   * reads the text again for them. Default true.
   */
  lines?: boolean;
  /** Called with the text as read, before it is parsed: a build fingerprints what its output is made from (src/commands/build-inputs.ts). */
  read?: (text: string) => void;
}

// logLevel: the library's warnings (a collection as a key) went to stderr
// through process.emitWarning; the schema reports such a key at its place.
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, strict: true, logLevel: 'error' } as const;

/** Maps a path into the parsed data back to a position in the file. */
export class SourceMap {
  private parsed: { doc: Document; lines: LineCounter } | undefined;
  /** js-yaml's node positions (undefined until asked; null where that reading declines). */
  private positions: NodePositions | null | undefined;
  /** The fast reader's lines, once asked (lineOf). */
  private tree: LineNode | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
    parsed?: { doc: Document; lines: LineCounter },
    private readonly fast?: FastLines,
  ) {
    this.parsed = parsed;
  }

  /**
   * The line where the mapping or list at `path` starts (a scalar counts as
   * the collection that holds it): what a generated file cites as "declared
   * at". The fast reader's lines answer without the positions parser, which
   * takes seven times as long as the whole load on a large file.
   */
  lineOf(path: Path): number {
    if (!this.fast) return this.locate(path).line;
    return lineIn(this.lineTree(), path);
  }

  /**
   * lineOf, as a function that holds only the lines (src/yaml-lines.ts):
   * the model keeps it through the render, and this map the whole text and
   * data. A file the fast reader declines keeps this map (small files with
   * aliases or tags); one read without lines (gen lint) keeps its text, to
   * read them when first asked.
   */
  lineFinder(): (path: Path) => number {
    if (!this.fast) return (path) => this.locate(path).line;
    // Made outside this method: V8 gives the closures of one call one
    // context, and a closure that used `this` here would hold the map.
    if (this.tree === undefined && !this.fast.closed) return linesWhenAsked(this.text);
    return linesFrom(this.lineTree());
  }

  /**
   * The tree of lines, made once from the fast reader's; its list of lines
   * is dropped then. Made from the data the loader returns, it gives that
   * data's long strings copies of their own: the model takes them (names,
   * keys, addresses), and as slices of js-yaml's copy of the text they kept
   * all of it alive (4.7 MB for 10,000 peers).
   */
  private lineTree(): LineNode {
    if (this.tree === undefined) {
      const fast = this.fast!;
      // Read without lines (gen lint): the same text reads to the same data, now with them.
      this.tree = fast.closed ? lineTreeOf(fast.data, fast.closed, true) : linesOfText(this.text);
      fast.closed = undefined;
    }
    return this.tree;
  }

  /**
   * Before the data reaches the model: makes the tree of lines if the reading
   * noted them, and with it gives the data's long strings copies of their own
   * (see lineTree); skipped, the model's strings keep the text alive.
   */
  detachFromText(): void {
    if (this.fast?.closed) this.lineTree();
  }

  /** The YAML document with positions and comments, parsed on first use. */
  document(): { doc: Document; lines: LineCounter } {
    if (!this.parsed) {
      const { LineCounter, parseDocument } = yamlLibrary();
      const lines = new LineCounter();
      this.parsed = { doc: parseDocument(this.text, Object.assign({}, PARSE_OPTIONS, { lineCounter: lines })), lines };
    }
    return this.parsed;
  }

  /**
   * The position of the node at `path`; with `key`, the position of the map
   * key that names the last segment. A path that does not exist (a missing
   * property) resolves to the deepest node that does.
   */
  locate(path: Path, options: { key?: boolean } = {}): SourceLocation {
    // With js-yaml's data, its node positions answer first (src/yaml-positions.ts).
    const positions = this.nodePositions();
    const found = positions?.offsetOf(path, options.key === true);
    if (found !== undefined) return { file: this.file, ...positions!.lineAndColumn(found) };
    let node: unknown = this.document().doc.contents;
    const { isMap, isPair, isScalar, isSeq } = yamlLibrary();
    let offset = startOf(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        if (last && options.key) {
          offset = startOf(pair.key) ?? offset;
          break;
        }
        next = pair.value ?? pair.key;
        // A block mapping or list starts on the line after its key: a
        // finding about the whole collection reads better at the key.
        if (last && (isMap(next) || isSeq(next)) && !next.flow) {
          offset = startOf(pair.key) ?? offset;
          break;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      } else {
        break;
      }
      if (next === undefined || next === null) break;
      node = next;
      offset = startOf(node) ?? offset;
    }
    return this.at(offset);
  }

  /**
   * The plain (unquoted) scalar at `path` as written (a multi-line plain
   * scalar included); undefined where the value there is quoted, a block
   * scalar or not a scalar. Only an error asks (schema findings about a
   * value YAML read as a number or boolean).
   */
  plainScalarAt(path: Path): string | undefined {
    // As in locate, js-yaml's node positions answer first, and the `yaml`
    // library's document where they cannot: building it for one unquoted
    // number in 10,000 peers took nearly four times the rest of the lint.
    const range = this.nodePositions()?.plainScalarRange(path);
    if (range !== undefined) return range === null ? undefined : this.text.slice(range[0], range[1]);
    const node: unknown = this.document().doc.getIn(path, true);
    const { isScalar, Scalar } = yamlLibrary();
    if (!isScalar(node) || node.type !== Scalar.PLAIN || !node.range) return undefined;
    return this.text.slice(node.range[0], node.range[1]);
  }

  /** js-yaml's node positions, read on first use, for a file the fast reader read and while the `yaml` document is not built; else undefined. */
  nodePositions(): NodePositions | undefined {
    if (!this.fast || this.parsed) return undefined;
    if (this.positions === undefined) this.positions = positionsOf(this.text) ?? null;
    return this.positions ?? undefined;
  }

  at(offset: number): SourceLocation {
    const pos = this.document().lines.linePos(offset);
    return { file: this.file, line: pos.line, col: pos.col };
  }
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}

export function loadTopologyFile(file: string, displayName = file, options: LoadOptions = {}): LoadResult {
  let read: { text: string; withNul?: string };
  try {
    read = readInputTextWithNul(file);
  } catch (error) {
    return { ok: false, diagnostics: [readDiagnostic(error, displayName)] };
  }
  return loadTopologyText(read.text, displayName, options, read.withNul);
}

/** The finding for a topology that could not be read (missing, too large, not UTF-8: there, at its first bad byte). */
export function readDiagnostic(error: unknown, displayName: string): Diagnostic {
  const { rule, message, line, col, hint } = readFailure(error, displayName);
  return {
    rule,
    severity: 'error',
    message,
    hint: hint ?? (rule === 'load/limit' ? 'A topology is a few kilobytes to a few megabytes: check that this is the right file.' : 'Pass the path of a topology file, or run gen in the folder that holds topology.yaml.'),
    location: { file: displayName, line: line ?? 1, col: col ?? 1 },
  };
}

/**
 * Files the positions parser must read: those with aliases (they can expand
 * exponentially, and that parser bounds them), and those with a mapping key
 * that is not a plain scalar or that is null, where js-yaml and `yaml` would
 * name the key differently (`null: x` is "null" to one and "" to the other,
 * `[a, b]: x` is "a,b" to one and "[ a, b ]" to the other), and those with
 * a tag (`!` alone, or a tag before an implicit key, is read differently).
 * An implicit key sits on one line, so a collection key always shows as `]`
 * or `}` before a `:`, an explicit one as a `?` indicator. Matching more
 * than needed only costs speed. A quoted value or a flow collection that
 * goes on to a line indented too little is no sign here: js-yaml reads
 * it and YAML 1.2 does not (hasLooseContinuation, src/yaml-continuation.ts).
 */
export const SIGNS_FOR_POSITIONS_PARSER = {
  alias: /(^|[\s[{,:-])\*[^\s,\]}]/m,
  collectionKey: /[\]}][ \t]*:/,
  explicitKey: /(^|[\s,[{])\?(\s|$)/m,
  tag: /(^|[\s,[{])!/m,
};
export const NULL_KEY = /(^|[\s,[{])(~|null|Null|NULL)?[ \t]*:(?=[\s,\]}]|$)/m;

/**
 * Whether the text shows any sign above, or a value that goes on to a line
 * indented too little. Each sign is found by indexOf of
 * its character and a look at its neighbours: the patterns, which start
 * with an alternation, made the regex engine try every position (a
 * quarter of a second for the four on a 46 MiB topology).
 * test/core/yaml-readers.test.ts holds each scan against its pattern.
 */
export function needsPositionsParser(text: string): boolean {
  return hasAlias(text) || hasCollectionKey(text) || hasExplicitKey(text) || hasNullKey(text) || hasTag(text) || hasLooseContinuation(text);
}

const WHITESPACE = /\s/;
const isSpace = (c: string | undefined) => c !== undefined && WHITESPACE.test(c);
/** Whether position `i` starts the text or a line, or follows whitespace or one of `signs` (the `(^|[\s…])` of a pattern). */
const follows = (text: string, i: number, signs: string) => i === 0 || isSpace(text[i - 1]) || signs.includes(text[i - 1]!);

/**
 * Whether the character at `k` is whitespace as \s reads it: by its code
 * below 128, where a regex test of a one-character string per colon was
 * most of hasNullKey's time; by the regex above.
 */
function spaceAt(text: string, k: number): boolean {
  const code = text.charCodeAt(k);
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return code === code && WHITESPACE.test(text[k]!);
}

/** Whether `char` occurs at a position that `fits`. */
function occurs(text: string, char: string, fits: (i: number) => boolean): boolean {
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) if (fits(i)) return true;
  return false;
}

export function hasAlias(text: string): boolean {
  return occurs(text, '*', (i) => follows(text, i, '[{,:-') && i + 1 < text.length && !isSpace(text[i + 1]) && !',]}'.includes(text[i + 1]!));
}

export function hasCollectionKey(text: string): boolean {
  const colonAfter = (i: number) => {
    let k = i + 1;
    while (text[k] === ' ' || text[k] === '\t') k++;
    return text[k] === ':';
  };
  return occurs(text, ']', colonAfter) || occurs(text, '}', colonAfter);
}

export function hasExplicitKey(text: string): boolean {
  return occurs(text, '?', (i) => follows(text, i, ',[{') && (i + 1 === text.length || isSpace(text[i + 1])));
}

export function hasTag(text: string): boolean {
  return occurs(text, '!', (i) => follows(text, i, ',[{'));
}
const NULL_WORDS = ['~', 'null', 'Null', 'NULL'];

/**
 * NULL_KEY.test(text), by a scan from colon to colon: the regex engine
 * tries the pattern at every character, which took most of a second on a
 * 46 MiB topology. Each colon that NULL_KEY could end on is checked the
 * way the pattern reads backwards from it (test/core/yaml-readers.test.ts
 * holds the two against each other).
 */
export function hasNullKey(text: string): boolean {
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    const after = text.charCodeAt(i + 1);
    // Past the end (NaN), whitespace, or , ] }: the colon can end a key.
    if (after === after && after !== 0x2c && after !== 0x5d && after !== 0x7d && !spaceAt(text, i + 1)) continue;
    // Whitespace right before the colon is itself a boundary (and [ \t]* may be empty).
    if (keyBoundary(text, i - 1)) return true;
    // Every null word ends in ~, l or L: a key ending otherwise (name:, address:) is no null word, and most
    // colons of a topology end such a key. Four comparisons of the text per colon were most of this scan.
    const last = text.charCodeAt(i - 1);
    if (last !== 0x7e && last !== 0x6c && last !== 0x4c) continue;
    if (nullWordEndsAt(text, i)) return true;
  }
  return false;
}

/** Whether position `k` is before the text or holds what may precede a key: `,`, `[`, `{` or whitespace. */
function keyBoundary(text: string, k: number): boolean {
  if (k < 0) return true;
  const code = text.charCodeAt(k);
  return code === 0x2c || code === 0x5b || code === 0x7b || spaceAt(text, k);
}

/** Whether a null word (`~`, `null`, …) after a boundary ends at `end`; a loop, not a closure per colon (half a million in a large topology). */
function nullWordEndsAt(text: string, end: number): boolean {
  for (let n = 0; n < NULL_WORDS.length; n++) {
    const w = NULL_WORDS[n]!;
    if (end >= w.length && text.startsWith(w, end - w.length) && keyBoundary(text, end - w.length - 1)) return true;
  }
  return false;
}

/**
 * js-yaml's options, and the text with the NUL that js-yaml ends its input
 * with: the bundle's js-yaml reads that string in place of making it, a
 * copy of the whole text (scripts/js-yaml-patch.mjs); and whether the text
 * has no character js-yaml refuses in a scalar (printableText), which the
 * bundle's js-yaml then does not test each scalar for. js-yaml itself
 * ignores both.
 */
type GivenInputOptions = LoadOptionsOfJsYaml & { inputWithNul?: string; printable?: boolean };

/**
 * js-yaml's data, and when they were asked for, every mapping and list it
 * built and its first line (1-based), alternating, in the order it closed
 * them (src/yaml-lines.ts reads them in that order).
 */
interface FastLines {
  data: unknown;
  closed?: unknown[];
  /** The text has no character of src/yaml-printable.ts (nor one that no generated file can hold). */
  printable: boolean;
}

/** The fast path: js-yaml's data, or undefined when the positions parser must decide; `withNul` as loadTopologyText takes it. */
export function readFast(text: string, withLines = true, withNul?: string): FastLines | undefined {
  if (needsPositionsParser(text)) return undefined;
  // js-yaml reports where each node opens (a block collection at the line
  // of its key, as SourceMap.locate does) and what it closed with.
  const closed: unknown[] = [];
  const open: number[] = [];
  const listener = (event: 'open' | 'close', state: { line: number; result: unknown }) => {
    if (event === 'open') open.push(state.line);
    else {
      const line = open.pop()!;
      if (state.result !== null && typeof state.result === 'object') closed.push(state.result, line + 1);
    }
  };
  const printable = printableText(text);
  try {
    if (!withLines) return { data: fastLoad(text, { schema: YAML12_CORE_SCHEMA, inputWithNul: withNul, printable } as GivenInputOptions), printable };
    return { data: fastLoad(text, { schema: YAML12_CORE_SCHEMA, listener, inputWithNul: withNul, printable } as GivenInputOptions), closed, printable };
  } catch (error) {
    // Past js-yaml's maxDepth (100 levels), or thousands of levels: past
    // gen's limit too. The positions parser would build them all first
    // (4 million levels in 8 MB ran out of memory).
    if (isStackOverflow(error) || (error instanceof Error && error.name === 'YAMLException' && error.message.startsWith('nesting exceeded maxDepth'))) throw new NestedTooDeeply();
    return undefined;
  }
}

function linesFrom(tree: LineNode): (path: Path) => number {
  return (path) => lineIn(tree, path);
}

function linesWhenAsked(text: string): (path: Path) => number {
  let tree: LineNode | undefined;
  return (path) => lineIn((tree ??= linesOfText(text)), path);
}

/** The lines of a text the fast reader has read before (without them). */
function linesOfText(text: string): LineNode {
  const read = readFast(text);
  // Data of its own, dropped once read: its strings need no copies.
  return read?.closed ? lineTreeOf(read.data, read.closed, false) : 1;
}

/** A text js-yaml could not read for its nesting. */
export class NestedTooDeeply extends Error {}

/** `withNul`: the text with a NUL character after it, which `text` is a view into (readInputTextWithNul). */
export function loadTopologyText(text: string, file: string, options: LoadOptions = {}, withNul?: string): LoadResult {
  options.read?.(text);
  let fast: FastLines | undefined;
  try {
    fast = readFast(text, options.lines ?? true, withNul);
  } catch (error) {
    if (error instanceof NestedTooDeeply) return tooDeep(text, file);
    throw error;
  }
  if (fast) return loaded(fast.data, text, new SourceMap(file, text, undefined, fast), file, fast.printable);
  const { LineCounter, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, Object.assign({}, PARSE_OPTIONS, { lineCounter: lines }));
  } catch (error) {
    if (!isStackOverflow(error)) throw error;
    return refusedBefore(text, file) ?? tooDeep(text, file);
  }
  if (doc.errors.some((e) => isStackOverflow(e) || /call stack/i.test(e.message))) return refusedBefore(text, file) ?? tooDeep(text, file);
  const source = new SourceMap(file, text, { doc, lines });
  const diagnostics: Diagnostic[] = [];
  for (const error of doc.errors) {
    const duplicate = error.code === 'DUPLICATE_KEY';
    // The library's own words for a stream name its API ("please use YAML.parseAllDocuments()"), not the user's fix.
    const stream = error.code === 'MULTIPLE_DOCS';
    // A quote that YAML 1.2 sees unclosed is most often one closed on a later line indented too little.
    const quote = error.code === 'MISSING_CHAR' && /^Missing closing ["']quote/.test(error.message);
    diagnostics.push({
      rule: duplicate ? 'load/duplicate-key' : 'load/yaml-syntax',
      severity: 'error',
      message: stream ? 'a second YAML document starts here; a topology file is one document' : firstLine(error.message),
      hint: duplicate
        ? 'Each key may appear once in a mapping: remove or merge the repeated key.'
        : stream
          ? STREAM_HINT
          : quote
            ? QUOTE_HINT
            : SYNTAX_HINT,
      location: source.at(error.pos[0]),
    });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  let data: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (isStackOverflow(error)) return tooDeep(text, file);
    const unresolved = unresolvedAlias(doc);
    return {
      ok: false,
      diagnostics: [
        unresolved !== undefined
          ? {
              rule: 'load/yaml-syntax',
              severity: 'error',
              message: firstLine((error as Error).message),
              hint: 'An alias (*name) repeats a node anchored earlier in the file (&name): set the anchor on a node above this alias, or write the value out.',
              location: source.at(unresolved),
            }
          : {
              rule: 'load/yaml-syntax',
              severity: 'error',
              message: firstLine((error as Error).message),
              hint: `Reduce the use of YAML aliases and anchors: gen expands at most ${MAX_ALIAS_COUNT} uses of them.`,
              location: source.at(aliasPastLimit(doc) ?? 0),
            },
      ],
    };
  }
  return loaded(data, text, source, file);
}

/** `printable`: the text is known to hold no character of src/yaml-printable.ts. */
function loaded(data: unknown, text: string, source: SourceMap, file: string, printable = false): LoadResult {
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      diagnostics: [
        {
          rule: 'load/not-a-mapping',
          severity: 'error',
          message: 'the topology must be a YAML mapping (version, name, sites, aws)',
          hint: 'Start from `gen init` or the README example.',
          location: source.locate([]),
        },
      ],
    };
  }
  const violation = limitViolation(data);
  if (violation) {
    const offset = limitOffset(text);
    const location = offset === undefined ? locateSafely(source, violation.path) : { file, ...lineAndColumn(text, offset) };
    return { ok: false, diagnostics: [violation.loop ? loopDiagnostic(text, location) : limitDiagnostic(violation.message, location)] };
  }
  const unwritable = unwritableStrings(data, text, printable);
  if (unwritable.length > 0) return { ok: false, diagnostics: unwritable.map((found) => characterDiagnostic(found, source)) };
  // Only when a suppression may exist; js-yaml's node positions place them (src/suppress/comments.ts).
  const suppressions = text.includes('gen-ignore') ? suppressionsOf(text, file, source.nodePositions(), () => source.document()) : [];
  source.detachFromText();
  return { ok: true, loaded: { file, data, source, suppressions } };
}

interface UnwritableString {
  path: Path;
  /** The key at `path` holds it, not its value. */
  key: boolean;
  /** U+XXXX */
  character: string;
}

/**
 * Every key and string value that holds a character no generated file can
 * hold (src/targets/xml/chars.ts), in document order: one check for every
 * target, so that plan.json and each file say the same. Such a character
 * reaches the data only from a YAML escape ("\udc00", "\a") or as
 * written, so a text with neither is not walked at all; `printable`, the
 * fast reader's scan of the text (src/yaml-printable.ts) has found none
 * written.
 */
function unwritableStrings(data: unknown, text: string, printable: boolean): UnwritableString[] {
  if (!text.includes('\\') && (printable || forbiddenCharacter(text) === undefined)) return [];
  const found: UnwritableString[] = [];
  const path: (string | number)[] = [];
  const check = (value: string, key: boolean) => {
    const character = forbiddenCharacter(value);
    if (character) found.push({ path: [...path], key, character });
  };
  // At most MAX_NESTING levels deep: limitViolation has checked the data.
  const visit = (value: unknown): void => {
    if (typeof value === 'string') return check(value, false);
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i]);
        path.pop();
      }
      return;
    }
    for (const key of Object.keys(value)) {
      path.push(key);
      check(key, true);
      visit((value as Record<string, unknown>)[key]);
      path.pop();
    }
  };
  visit(data);
  return found;
}

function characterDiagnostic({ path, key, character }: UnwritableString, source: SourceMap): Diagnostic {
  const kind = forbiddenKind(character);
  // A key on the way may hold such a character too: shown escaped (JSON writes a lone surrogate as \udXXX), never as itself.
  const shownPath = path.map((part) => (typeof part === 'string' && forbiddenCharacter(part) !== undefined ? JSON.stringify(part) : part));
  const where = key ? `the key ${JSON.stringify(path[path.length - 1])} of ${path.length > 1 ? pathText(shownPath.slice(0, -1)) : 'the topology'}` : pathText(shownPath);
  const hint = kind.includes('surrogate')
    ? 'Remove the escape, or write the whole character: as itself, as one escape of eight digits ("\\U0001F600"), or as both halves of its pair ("\\uD83D\\uDE00").'
    : kind === 'a noncharacter'
      ? 'Remove it: U+FFFE and U+FFFF are not characters at all (a YAML escape such as "\\uFFFF").'
      : 'Remove it (a YAML escape such as "\\a", "\\e" or "\\x07" in a double-quoted value): values are text, and no file gen writes may hold a control character other than tab and line ends.';
  return {
    rule: 'load/character',
    severity: 'error',
    message: `${where} holds ${character}, ${kind}: no generated file can hold it`,
    hint,
    location: source.locate(path, { key }),
  };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function limitDiagnostic(message: string, location: SourceLocation): Diagnostic {
  return { rule: 'load/limit', severity: 'error', message, hint: 'No topology needs this: check that this is the right file, and simplify the value or the nesting.', location };
}

/**
 * An alias inside the node it repeats (`zones: &z [{ networks: *z }]`,
 * `firewall: &fw { <<: *fw }`): YAML lets it be written, and its value
 * holds itself without end. Named by the alias and its anchor, in the
 * words the file uses, at the alias.
 */
function loopDiagnostic(text: string, location: SourceLocation): Diagnostic {
  const lineStart = text.split('\n', location.line - 1).reduce((offset, line) => offset + line.length + 1, 0);
  const name = /^\*([^\s,[\]{}]+)/.exec(text.slice(lineStart + location.col - 1))?.[1];
  let anchor = name === undefined ? -1 : text.lastIndexOf(`&${name}`, lineStart + location.col - 1);
  // Not an anchor whose name only starts with this one (&z for *z, not &zone).
  while (anchor >= 0 && /[^\s,[\]{}]/.test(text.charAt(anchor + name!.length + 1))) anchor = text.lastIndexOf(`&${name}`, anchor - 1);
  const alias = name === undefined ? 'this alias' : `the alias *${name}`;
  const anchored = anchor < 0 ? 'its anchor' : `&${name} (line ${lineAndColumn(text, anchor).line})`;
  // Valid YAML (a graph may hold itself), but no value gen can read: the limit on nesting is where it shows.
  return {
    rule: 'load/limit',
    severity: 'error',
    message: `${alias} lies inside the node it repeats, ${anchored}: the value would hold itself without end`,
    hint: `An alias repeats the node its anchor marks, whole: point ${alias} at a node that does not hold it, or write the value out here.`,
    location,
  };
}

const SYNTAX_HINT = 'Fix the YAML syntax at this position (indentation, quotes, a missing ":" or "-").';
const QUOTE_HINT =
  'Close the quote on this line, or indent every line the quoted value goes on to more than the key or "-" it belongs to: YAML ends the value at a line indented less, even one that looks like a comment.';
const STREAM_HINT = 'Remove the "---" or "..." line that ends the first document and what follows it, or move what follows into the first document (one "---" before the first key is fine).';

/**
 * A file the `yaml` library could not finish for its depth, where js-yaml
 * stops earlier at a syntax error: that error, where js-yaml finds it. A
 * tab in the indentation of a large topology is one: the library reads
 * each line after it one level deeper, and 160,000 of them ran out of
 * stack, which said "nested too deeply" at 1:1. Only for a file js-yaml
 * reads for the loader (no alias, tag or odd key, needsPositionsParser):
 * elsewhere js-yaml may refuse what is valid.
 */
function refusedBefore(text: string, file: string): LoadResult | undefined {
  if (needsPositionsParser(text)) return undefined;
  try {
    fastLoad(text, { schema: YAML12_CORE_SCHEMA });
    return undefined;
  } catch (error) {
    const { name, message, reason, mark } = error as { name?: string; message?: string; reason?: string; mark?: { position?: number } };
    if (isStackOverflow(error) || name !== 'YAMLException' || mark?.position === undefined || message?.startsWith('nesting exceeded maxDepth')) return undefined;
    const location = { file, ...lineAndColumn(text, mark.position) };
    return { ok: false, diagnostics: [{ rule: 'load/yaml-syntax', severity: 'error', message: reason ?? firstLine(message ?? ''), hint: SYNTAX_HINT, location }] };
  }
}

/** A file nested deeper than the YAML reader's stack: located at the first bracket past the limit. */
function tooDeep(text: string, file: string): LoadResult {
  // Flow brackets are counted in the text; block nesting is found by js-yaml's node events.
  const location = { file, ...lineAndColumn(text, deepFlowOffset(text) ?? limitOffset(text) ?? 0) };
  return { ok: false, diagnostics: [limitDiagnostic(`nested too deeply (limit ${MAX_NESTING} levels)`, location)] };
}

/** The position of a path; a document too deep to parse for positions points at its start. */
function locateSafely(source: SourceMap, path: Path): SourceLocation {
  try {
    return source.locate(path);
  } catch (error) {
    if (isStackOverflow(error)) return source.at(0);
    throw error;
  }
}
