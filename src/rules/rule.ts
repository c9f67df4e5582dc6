// A lint rule: an id, a severity, a one-line doc and a fix hint, like
// ESLint's rule metadata. Rules with a `check` run on the resolved model;
// the others are reported by the stage that detects them (load, schema,
// resolve) and are listed here so every id has its documentation.
import type { Finding } from '../findings.js';
import type { Severity } from '../diagnostics.js';
import type { Model } from '../model.js';

export type RuleReport = (finding: Omit<Finding, 'rule'>) => void;

export interface Rule {
  id: string;
  severity: Severity;
  /** One line: what the rule reports. */
  summary: string;
  /** Why it matters, for docs/rules.md. */
  why: string;
  /** How to fix a finding. */
  hint: string;
  /**
   * Topology snippets: one the rule reports, and the same written so that it
   * does not; `where` is the mapping they go in (e.g. sites[].haproxy).
   */
  examples?: { where: string; bad: string; good: string }[];
  check?: (model: Model, report: RuleReport) => void;
}
