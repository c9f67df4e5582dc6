// A lint rule: an id, a severity, a one-line doc and a fix hint, like
// ESLint's rule metadata. Rules with a `check` run on the resolved model;
// the others are reported by the stage that detects them (load, schema,
// resolve) and are listed here so every id has its documentation.
import type { Finding } from '../findings.js';
import type { Severity } from '../diagnostics.js';
import type { Model } from '../model.js';

export type RuleReport = (finding: Omit<Finding, 'rule'>) => void;

/** The reference topologies an example can start from (`gen init --example`). */
export type ExampleTopology = 'homelab' | 'vlan-hosting' | 'aws-vpc' | 'homelab-family';

/**
 * A finding shown twice: `bad` is reported, `good` is the same written so
 * that it is not. Both go into the `topology` example (homelab unless
 * named) at `where`:
 * - `sites[].haproxy`: the snippet's keys are set in that mapping (`[]` is
 *   the first item of a list, `[grafana]` the item of that name);
 * - `sites[].services[+]`: the snippet is a new item at the end of the list;
 * - `""`: the snippet's keys are set at the top level of the file.
 * With `text`, the snippet is YAML text that replaces the node at `where`
 * as written, for findings of the reader, which sees text before it has a
 * mapping to put keys in. `context` is placed alike before both, for a
 * finding that needs two places of the file (an instance and the interface
 * that assigns it).
 */
export interface RuleExample {
  topology?: ExampleTopology;
  context?: ExampleSnippet[];
  where: string;
  text?: boolean;
  bad: string;
  good: string;
}

export interface ExampleSnippet {
  where: string;
  snippet: string;
}

/** Where an example goes, in words: "in sites[].haproxy", "as the whole file", "in a new item of sites[].services, in the vlan-hosting example". */
export function exampleWhere(example: { topology?: ExampleTopology; where: string; text?: boolean }, code = (path: string) => path): string {
  const { where, text } = example;
  const node = where === '' ? (text ? 'as the whole file' : 'at the top level') : where.endsWith('[+]') ? `in a new item of ${code(where.slice(0, -3))}` : `${text ? 'as' : 'in'} ${code(where)}`;
  return example.topology && example.topology !== 'homelab' ? `${node}, in the ${example.topology} example` : node;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** One line: what the rule reports. */
  summary: string;
  /** Why it matters, for docs/rules.md. */
  why: string;
  /** How to fix a finding. */
  hint: string;
  /** Topology snippets: one the rule reports, and the same written so that it does not. */
  examples?: RuleExample[];
  /**
   * Why the rule has no example, for the few whose findings are about the
   * file or the secrets directory rather than what the topology says.
   */
  noExample?: string;
  check?: (model: Model, report: RuleReport) => void;
}
