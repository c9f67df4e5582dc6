// Inline suppression: `# gen-ignore RULE: reason` silences RULE for one
// YAML node: the node that starts on the comment's line (trailing comment)
// or on the next line with content (comment on its own line). A
// suppression needs a reason; one without, one for an unknown rule and one
// that silences nothing are themselves warnings.
import { isPair, isScalar, type LineCounter, Parser, visit, type Document, type Node } from 'yaml';
import type { Diagnostic, SourceLocation } from './diagnostics.js';
import { ruleById } from './rules/index.js';

export interface Suppression {
  rule: string;
  reason: string;
  location: SourceLocation;
  /** Lines (inclusive) of the node it applies to. */
  from: number;
  to: number;
}

const PATTERN = /^#\s*gen-ignore\s+([A-Za-z0-9/_-]+)\s*(?::\s*(.*?))?\s*$/;

/** Rules that describe a file gen cannot model: silencing them would hide broken output. */
const UNSUPPRESSIBLE = new Set(['load/read', 'load/yaml-syntax', 'load/duplicate-key', 'load/not-a-mapping', 'schema', 'ref/unknown', 'ip/invalid']);

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
  for (const token of new Parser().parse(text)) walk(token);
  return found;
}

/** For each line, the last line of the largest node or pair that starts on it. */
function nodeExtents(doc: Document, lines: LineCounter): Map<number, number> {
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
    Node(_, node) {
      if (isScalar(node) || node.range) note(node.range?.[0], node.range?.[1]);
    },
  });
  return extents;
}

export function findSuppressions(text: string, doc: Document, lines: LineCounter, file: string): Suppression[] {
  const extents = nodeExtents(doc, lines);
  const textLines = text.split('\n');
  const suppressions: Suppression[] = [];
  for (const comment of commentTokens(text)) {
    const match = PATTERN.exec(comment.source);
    if (!match) continue;
    const pos = lines.linePos(comment.offset);
    const lineText = textLines[pos.line - 1] ?? '';
    const ownLine = lineText.slice(0, pos.col - 1).trim() === '';
    let target = pos.line;
    if (ownLine) {
      target = pos.line + 1;
      while (target <= textLines.length && /^\s*(#.*)?$/.test(textLines[target - 1] ?? '')) target++;
    }
    suppressions.push({
      rule: match[1]!,
      reason: match[2] ?? '',
      location: { file, line: pos.line, col: pos.col },
      from: target,
      to: extents.get(target) ?? target,
    });
  }
  return suppressions;
}

export function applySuppressions(diagnostics: readonly Diagnostic[], suppressions: readonly Suppression[]): Diagnostic[] {
  const used = new Set<Suppression>();
  const kept = diagnostics.filter((d) => {
    if (UNSUPPRESSIBLE.has(d.rule)) return true;
    const match = suppressions.find((s) => s.rule === d.rule && s.reason !== '' && d.location.line >= s.from && d.location.line <= s.to);
    if (match) used.add(match);
    return !match;
  });
  for (const s of suppressions) {
    const rule = ruleById.get(s.rule);
    if (!rule || UNSUPPRESSIBLE.has(s.rule)) {
      kept.push(finding('suppress/unknown-rule', s, `gen-ignore names ${rule ? 'a rule that cannot be silenced' : 'no rule'}: "${s.rule}"`));
    } else if (s.reason === '') {
      kept.push(finding('suppress/missing-reason', s, `gen-ignore ${s.rule} has no reason, so it silences nothing`));
    } else if (!used.has(s)) {
      kept.push(finding('suppress/unused', s, `gen-ignore ${s.rule} silences nothing on the node it applies to (lines ${s.from}-${s.to})`));
    }
  }
  return kept;
}

function finding(rule: string, s: Suppression, message: string): Diagnostic {
  const definition = ruleById.get(rule)!;
  return { rule, severity: definition.severity, message, hint: definition.hint, location: s.location };
}
