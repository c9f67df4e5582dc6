// What resolve and the rules report: a rule id, the path of the offending
// node and a message. The check stage turns findings into located
// diagnostics with the rule's severity and fix hint.
import type { Path } from './location.js';

export interface Finding {
  rule: string;
  path: Path;
  message: string;
  /** Point at the key of the last path segment rather than its value. */
  key?: boolean;
  related?: { message: string; path: Path }[];
  /** A fix specific to this finding, shown instead of the rule's general one. */
  hint?: string;
}

export type Report = (finding: Finding) => void;
