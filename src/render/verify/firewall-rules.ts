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
    // The origin ends at the first " (" or ": " that ends an origin, or at the end: one origin holds " (" itself
    // (the site-to-site VPN's "... (IKE, NAT traversal)"). Compared, not filtered into a list: two arrays per rule
    // of 20,000; most rules are found at their first end.
    let from = 0;
    for (;;) {
      const open = text.indexOf(' (', from);
      const colon = text.indexOf(': ', from);
      const end = open < 0 ? colon : colon < 0 ? open : Math.min(open, colon);
      if (end < 0) return origins.get(text);
      const found = origins.get(text.slice(0, end));
      if (found) return found;
      from = end + 1;
    }
  };
  return writtenFilterRules(model, site).map((r) => ({ label: r.label, description: r.description, pf: r.pf, origin: originOf(r.description) }));
}
