// The filter rules a set of sections writes, as pf will show them: the
// label of each (legacy rules: OPNsense's hash of the rule; MVC rules: the
// uuid), its description and its pf text. The verification script checks
// that each is loaded, and loaded as written. Read from the generated elements, so whatever shape the OPNsense
// target writes, the check looks for exactly that; read while each area's
// elements are at hand, so that a build need not keep them all.
import { legacyRuleLabel, mvcRuleLabel } from './pf-label.js';
import { pfRuleText } from './pf-text.js';
import { type XmlElement, child, childrenNamed, textOf } from './xml.js';

export interface WrittenRule {
  label: string;
  description: string;
  /** What pf shows for it, without the label (pf-text.ts). */
  pf: string[];
}

/** pf loads legacy <filter> rules before the MVC ones: the two lists, each in the order written. */
export interface WrittenRules {
  legacy: WrittenRule[];
  mvc: WrittenRule[];
}

function description(rule: XmlElement): string {
  return textOf(child(rule, 'descr') ?? child(rule, 'description'));
}

/** Adds the filter rules of `sections` (one area's, or all of a site's) to `into`; `devices`: interface key → device. */
export function addWrittenRules(sections: readonly XmlElement[], devices: ReadonlyMap<string, string>, into: WrittenRules): void {
  for (const section of sections) {
    if (section.name === 'filter') {
      for (const rule of childrenNamed(section, 'rule')) into.legacy.push({ label: legacyRuleLabel(rule), description: description(rule), pf: pfRuleText(rule, devices) });
    } else if (section.name === 'OPNsense') {
      for (const rule of childrenNamed(child(child(child(section, 'Firewall'), 'Filter'), 'rules'), 'rule')) {
        const label = mvcRuleLabel(rule);
        if (label !== undefined) into.mvc.push({ label, description: description(rule), pf: pfRuleText(rule, devices) });
      }
    }
  }
}
