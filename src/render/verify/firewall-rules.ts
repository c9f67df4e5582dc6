// The filter rules gen writes for a site, as pf will show them (see
// render/opnsense/written-rules.ts), each with the topology rule that
// produced it.
import type { Model, PolicyRule, Site } from '../../model.js';
import { writtenFilterRules } from '../opnsense/index.js';

export interface ExpectedRule {
  label: string;
  description: string;
  /** What pf shows for it, without the label: one line per rule pf makes of it. */
  pf: string[];
  /** The topology rule it was compiled from, when known. */
  origin?: PolicyRule;
}

/** Filter rules in the order gen writes them: legacy <filter><rule>, then MVC //OPNsense/Firewall/Filter rules. */
export function expectedRules(model: Model, site: Site): ExpectedRule[] {
  // A compiled rule's description starts with "gen: <origin>", then " (" or ": " (describeRule()).
  const origins = new Map<string, PolicyRule>();
  for (const rule of site.policy.rules) if (!origins.has(rule.origin)) origins.set(rule.origin, rule);
  const originOf = (description: string): PolicyRule | undefined => {
    if (!description.startsWith('gen: ')) return undefined;
    const text = description.slice(5);
    const ends = [text.indexOf(' ('), text.indexOf(': ')].filter((i) => i >= 0);
    return origins.get(ends.length ? text.slice(0, Math.min(ends[0]!, ends[1] ?? Infinity)) : text);
  };
  return writtenFilterRules(model, site).map((r) => ({ label: r.label, description: r.description, pf: r.pf, origin: originOf(r.description) }));
}
