// The one shape every stage reports problems in. A diagnostic always points
// at file:line:col of the YAML node that caused it.
import type { SourceLocation } from './location.js';

export type { SourceLocation } from './location.js';

export type Severity = 'error' | 'warning';

export interface RelatedLocation {
  message: string;
  location: SourceLocation;
}

export interface Diagnostic {
  rule: string;
  severity: Severity;
  message: string;
  hint?: string;
  location: SourceLocation;
  related?: RelatedLocation[];
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    cmp(a.location.file, b.location.file) ||
    a.location.line - b.location.line ||
    a.location.col - b.location.col ||
    cmp(a.rule, b.rule) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings };
}

/** Raised by a stage that cannot go on; carries located diagnostics, never a stack trace for the user. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
  }
}
