// The filter rules gen writes for a site, as pf will show them: the label
// of each (legacy rules: OPNsense's hash of the rule; MVC rules: the uuid),
// its description, and the topology rule that produced it. Read from the
// generated sections, so whatever shape the OPNsense target writes, the
// check looks for exactly that.
import type { Model, PolicyRule, Site } from '../../model.js';
import { siteSections } from '../opnsense/index.js';
import { legacyRuleLabel, mvcRuleLabel } from '../opnsense/pf-label.js';
import { type XmlElement, child, childrenNamed, textOf } from '../opnsense/xml.js';

export interface ExpectedRule {
  label: string;
  description: string;
  /** The topology rule it was compiled from, when known. */
  origin?: PolicyRule;
}

function describeRule(rule: XmlElement): string {
  return textOf(child(rule, 'descr') ?? child(rule, 'description'));
}

/** Filter rules in the order gen writes them: legacy <filter><rule>, then MVC //OPNsense/Firewall/Filter rules. */
export function expectedRules(model: Model, site: Site): ExpectedRule[] {
  const sections = siteSections(model, site).flatMap((a) => a.sections);
  const legacy = sections.filter((s) => s.name === 'filter').flatMap((f) => childrenNamed(f, 'rule'));
  const mvc = sections
    .filter((s) => s.name === 'OPNsense')
    .flatMap((s) => childrenNamed(child(child(child(s, 'Firewall'), 'Filter'), 'rules'), 'rule'));
  // A compiled rule's description starts with "gen: <origin>", then " (" or ": " (describeRule()).
  const origins = new Map<string, PolicyRule>();
  for (const rule of site.policy.rules) if (!origins.has(rule.origin)) origins.set(rule.origin, rule);
  const originOf = (description: string): PolicyRule | undefined => {
    if (!description.startsWith('gen: ')) return undefined;
    const text = description.slice(5);
    const ends = [text.indexOf(' ('), text.indexOf(': ')].filter((i) => i >= 0);
    return origins.get(ends.length ? text.slice(0, Math.min(ends[0]!, ends[1] ?? Infinity)) : text);
  };
  return [
    ...legacy.map((r) => ({ label: legacyRuleLabel(r), description: describeRule(r), origin: originOf(describeRule(r)) })),
    ...mvc.flatMap((r) => {
      const label = mvcRuleLabel(r);
      return label === undefined ? [] : [{ label, description: describeRule(r), origin: originOf(describeRule(r)) }];
    }),
  ];
}
