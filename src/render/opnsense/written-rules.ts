// The filter rules a set of sections writes, as pf will show them: the
// label of each (legacy rules: OPNsense's hash of the rule; MVC rules: the
// uuid), its description and its pf text. The verification script checks
// that each is loaded, and loaded as written. Read from the generated elements, so whatever shape the OPNsense
// target writes, the check looks for exactly that; read while each area's
// elements are at hand, so that a build need not keep them all.
import { legacyRuleLabel, mvcRuleLabel } from './pf-label.js';
import { pfRuleText, ruleChildren, ruleFieldText } from './pf-text.js';
import { type StreamVisitor, StreamedElement, type XmlElement, type XmlNode, child, isElement } from './xml.js';

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


/** The elements that hold filter rules in `sections`: legacy <filter>, and MVC OPNsense/Firewall/Filter/rules. */
function containers(sections: readonly XmlElement[]): { legacy: XmlElement[]; mvc: XmlElement[] } {
  const legacy: XmlElement[] = [];
  const mvc: XmlElement[] = [];
  for (const section of sections) {
    if (section.name === 'filter') legacy.push(section);
    else if (section.name === 'OPNsense') {
      const rules = child(child(child(section, 'Firewall'), 'Filter'), 'rules');
      if (rules) mvc.push(rules);
    }
  }
  return { legacy, mvc };
}

/** Adds one child of a container of filter rules, if it is a rule (and, MVC, has its label). */
function addRule(node: XmlNode, legacy: boolean, devices: ReadonlyMap<string, string>, into: WrittenRules): void {
  if (!isElement(node) || node.name !== 'rule') return;
  const label = legacy ? legacyRuleLabel(node) : mvcRuleLabel(node);
  if (label === undefined) return;
  const c = ruleChildren(node);
  (legacy ? into.legacy : into.mvc).push({ label, description: ruleFieldText(c.descr ?? c.description), pf: pfRuleText(node, devices, c) });
}

/** Adds the filter rules of `sections` (one area's, or all of a site's) to `into`; `devices`: interface key → device. */
export function addWrittenRules(sections: readonly XmlElement[], devices: ReadonlyMap<string, string>, into: WrittenRules): void {
  const { legacy, mvc } = containers(sections);
  for (const container of legacy) for (const node of container.children) addRule(node, true, devices, into);
  for (const container of mvc) for (const node of container.children) addRule(node, false, devices, into);
}

/**
 * The same for sections about to be written: the rules of a container whose
 * children are made as it is written (a StreamedElement) are read by the
 * visitor returned, each while it is written; those of any other now.
 */
export function writtenRulesVisitor(sections: readonly XmlElement[], devices: ReadonlyMap<string, string>, into: WrittenRules): StreamVisitor {
  const { legacy, mvc } = containers(sections);
  const streamed = new Map<XmlElement, boolean>();
  for (const [list, isLegacy] of [[legacy, true], [mvc, false]] as const) {
    for (const container of list) {
      if (container instanceof StreamedElement && container.unmade) streamed.set(container, isLegacy);
      else for (const node of container.children) addRule(node, isLegacy, devices, into);
    }
  }
  return (node, parent) => {
    const isLegacy = streamed.get(parent);
    if (isLegacy !== undefined) addRule(node, isLegacy, devices, into);
  };
}
