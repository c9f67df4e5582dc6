// Inline suppression, as the loader reads it: `# gen-ignore RULE: reason`
// silences RULE for one YAML node: the node that starts on the comment's
// line (trailing comment) or on the next line with content (comment on its
// own line). A block mapping or list counts only as an item of a list (see
// nodeExtents). The loader only finds the comments and the lines they cover;
// whether RULE exists and what it silences is the check stage's business
// (suppress/apply.ts), since the check stage owns the rule registry.
import type { Document, LineCounter, Node } from 'yaml';
import { yamlLibrary } from '../yaml-library.js';
import type { SourceLocation } from '../location.js';
import type { NodePositions } from '../yaml-positions.js';

export interface Suppression {
  rule: string;
  reason: string;
  location: SourceLocation;
  /** Lines (inclusive) of the node it applies to. */
  from: number;
  to: number;
  /** A comment that begins as a suppression but is not one gen can read (`# gen-ignore: RULE`, a reason without its colon): its text. */
  malformed?: string;
}

const PATTERN = /^#\s*gen-ignore\s+([A-Za-z0-9/_-]+)\s*(?::\s*(.*?))?\s*$/;
// What a comment meant as a suppression begins with; one that starts so but
// does not match PATTERN silenced nothing, and is reported rather than ignored.
const MEANT = /^#\s*gen-ignore(?![A-Za-z0-9_-])/i;
const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

function commentTokens(text: string): { offset: number; source: string }[] {
  const found: { offset: number; source: string }[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value && typeof value === 'object') {
      const token = value as { type?: string; offset?: number; source?: string };
      if (token.type === 'comment' && typeof token.offset === 'number' && typeof token.source === 'string') {
        found.push({ offset: token.offset, source: token.source });
        return;
      }
      for (const child of Object.values(value)) walk(child);
    }
  };
  const { Parser } = yamlLibrary();
  for (const token of new Parser().parse(text)) walk(token);
  return found;
}

/**
 * For each line, the last line of the largest node or pair that starts on
 * it. A block mapping or list starts on the line of its first entry, but it
 * is that entry a comment there means, not all of them: such a collection
 * claims its first line only as an item of a list (`- name: a` is the
 * item). Before, a comment on the first rule of a list silenced the rule
 * on every rule of it, and one on a section's first key on the whole section.
 */
function nodeExtents(doc: Document, lines: LineCounter): Map<number, number> {
  const { isCollection, isPair, isScalar, isSeq, visit } = yamlLibrary();
  const extents = new Map<number, number>();
  const note = (start: number | undefined, end: number | undefined) => {
    if (start === undefined || end === undefined) return;
    const from = lines.linePos(start).line;
    const to = lines.linePos(Math.max(start, end - 1)).line;
    extents.set(from, Math.max(extents.get(from) ?? from, to));
  };
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair)) return;
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      note(key?.range?.[0], (value ?? key)?.range?.[1]);
    },
    Node(_, node, path) {
      if (isCollection(node) && !node.flow && !isSeq(path[path.length - 1])) return;
      if (isScalar(node) || node.range) note(node.range?.[0], node.range?.[1]);
    },
  });
  return extents;
}

/** The suppressions of a file read from the `yaml` library's document: for a file js-yaml's node positions do not cover. */
export function findSuppressions(text: string, doc: Document, lines: LineCounter, file: string): Suppression[] {
  return suppressionsFrom(text, file, commentTokens(text), (offset) => lines.linePos(offset), () => nodeExtents(doc, lines));
}

/**
 * The suppressions of a file, from js-yaml's node positions where the
 * loader has them: the comments are found by a scan for `gen-ignore`, and
 * the nodes they cover among the nodes around their lines. The `yaml`
 * library's document, which took six times the rest of a lint of a large
 * file, is built (`document`) only where those positions cannot say.
 */
export function suppressionsOf(text: string, file: string, positions: NodePositions | undefined, document: () => { doc: Document; lines: LineCounter }): Suppression[] {
  if (!positions) {
    const { doc, lines } = document();
    return findSuppressions(text, doc, lines, file);
  }
  return suppressionsFrom(
    text,
    file,
    scannedComments(text, positions),
    (offset) => positions.lineAndColumn(offset),
    (targets) => positions.lineExtents(targets) ?? nodeExtents(document().doc, document().lines),
  );
}

/**
 * The comments that may be suppressions, as the `yaml` library's lexer
 * reads them (from '#' to the end of the line, without a CR before the
 * LF): a '#' that starts the line or follows a blank, is in no scalar, and
 * is the first such on its line (in `# a # gen-ignore x` the second is text).
 */
function scannedComments(text: string, positions: NodePositions): { offset: number; source: string }[] {
  // Each '#' of each line with a gen-ignore, in any case (MEANT decides).
  const marks: number[] = [];
  // Not a search of text.toLowerCase(): a few characters change length in it ('İ'), and the offsets with them.
  const word = /gen-ignore/gi;
  let lineEnd = -1;
  for (let found = word.exec(text); found; found = word.exec(text)) {
    const at = found.index;
    if (at < lineEnd) continue;
    const lineStart = text.lastIndexOf('\n', at) + 1;
    lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    for (let hash = text.indexOf('#', lineStart); hash >= 0 && hash < lineEnd; hash = text.indexOf('#', hash + 1)) {
      if (hash === 0 || isBlankAt(text, hash - 1)) marks.push(hash);
    }
  }
  const inside = positions.insideScalars(marks);
  const found: { offset: number; source: string }[] = [];
  let line = -1;
  for (let k = 0; k < marks.length; k++) {
    const offset = marks[k]!;
    if (inside[k]) continue;
    const start = text.lastIndexOf('\n', offset) + 1;
    if (start === line) continue;
    line = start;
    let stop = text.indexOf('\n', offset);
    if (stop < 0) stop = text.length;
    else if (text[stop - 1] === '\r') stop--;
    found.push({ offset, source: text.slice(offset, stop) });
  }
  return found;
}

function isBlankAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function suppressionsFrom(
  text: string,
  file: string,
  comments: { offset: number; source: string }[],
  place: (offset: number) => { line: number; col: number },
  extentsOf: (lines: number[]) => Map<number, number>,
): Suppression[] {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineText = (line: number) => (line > lineStarts.length ? '' : text.slice(lineStarts[line - 1]!, line < lineStarts.length ? lineStarts[line]! - 1 : text.length));
  // The first line at or after `line` with content. Asked in ascending
  // order, a later question inside the lines the last one skipped has its
  // answer: each line is read once (skipping the rest of a block of
  // comments for each comment in it made 20,000 gen-ignore lines in a row
  // take ten seconds).
  let asked = Infinity;
  let answer = 0;
  const contentFrom = (line: number): number => {
    if (line >= asked && line <= answer) return answer;
    asked = line;
    answer = line;
    while (answer <= lineStarts.length && BLANK_OR_COMMENT.test(lineText(answer))) answer++;
    return answer;
  };
  const suppressions: Suppression[] = [];
  for (const comment of comments) {
    const match = PATTERN.exec(comment.source);
    if (!match && !MEANT.test(comment.source)) continue;
    const pos = place(comment.offset);
    const ownLine = lineText(pos.line).slice(0, pos.col - 1).trim() === '';
    const target = ownLine ? contentFrom(pos.line + 1) : pos.line;
    const suppression: Suppression = {
      rule: match?.[1] ?? '',
      reason: match?.[2] ?? '',
      location: { file, line: pos.line, col: pos.col },
      from: target,
      to: target,
    };
    if (!match) suppression.malformed = comment.source.trim();
    suppressions.push(suppression);
  }
  if (suppressions.length === 0) return suppressions;
  const extents = extentsOf([...new Set(suppressions.map((s) => s.from))].sort((a, b) => a - b));
  for (const suppression of suppressions) suppression.to = extents.get(suppression.from) ?? suppression.from;
  return suppressions;
}
