// Inline suppression, as the loader reads it: `# gen-ignore RULE: reason`
// silences RULE for one YAML node: the node that starts on the comment's
// line (trailing comment) or on the next line with content (comment on its
// own line). The loader only finds the comments and the lines they cover;
// whether RULE exists and what it silences is the check stage's business
// (suppress/apply.ts), since the check stage owns the rule registry.
import type { Document, LineCounter, Node } from 'yaml';
import { yamlLibrary } from '../yaml-library.js';
import type { SourceLocation } from '../location.js';

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

export function findSuppressions(text: string, doc: Document, lines: LineCounter, file: string): Suppression[] {
  const extents = nodeExtents(doc, lines);
  const textLines = text.split('\n');
  // For each line, the first line at or after it with content: made once,
  // from the end (skipping the rest of a block of comments for each comment
  // in it made 20,000 gen-ignore lines in a row take ten seconds).
  const contentFrom = new Int32Array(textLines.length + 2);
  contentFrom[textLines.length + 1] = textLines.length + 1;
  for (let line = textLines.length; line >= 1; line--) contentFrom[line] = BLANK_OR_COMMENT.test(textLines[line - 1]!) ? contentFrom[line + 1]! : line;
  const suppressions: Suppression[] = [];
  for (const comment of commentTokens(text)) {
    const match = PATTERN.exec(comment.source);
    if (!match && !MEANT.test(comment.source)) continue;
    const pos = lines.linePos(comment.offset);
    const lineText = textLines[pos.line - 1] ?? '';
    const ownLine = lineText.slice(0, pos.col - 1).trim() === '';
    const target = ownLine ? contentFrom[pos.line + 1]! : pos.line;
    const suppression: Suppression = {
      rule: match?.[1] ?? '',
      reason: match?.[2] ?? '',
      location: { file, line: pos.line, col: pos.col },
      from: target,
      to: extents.get(target) ?? target,
    };
    if (!match) suppression.malformed = comment.source.trim();
    suppressions.push(suppression);
  }
  return suppressions;
}
