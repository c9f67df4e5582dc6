// The outbound NAT mode merge writes decides whether the box's own outbound
// rules still translate anything: OPNsense registers manual outbound rules,
// legacy <nat><outbound><rule> and the Filter model's source NAT rules alike,
// only in hybrid and advanced mode (filter.inc, filter_configure_sync; pf.inc,
// pf_firewall; 25.7 to 26.7). Merge keeps those rules, so a mode that turns
// them off must be said: a box in hybrid or advanced mode would otherwise
// lose its own translations (a static port, a no-NAT exception, a translation
// to a virtual IP) without a word.
import { OUTBOUND_MODE } from '../render/opnsense/nat.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { at, fieldText } from './fields.js';

/** The modes in which OPNsense applies manual outbound rules. */
const APPLIES_MANUAL_RULES: readonly string[] = [OUTBOUND_MODE.hybrid, OUTBOUND_MODE.manual];

/** The topology's word for an OPNsense mode (advanced is "manual"). */
function topologyMode(mode: string): string {
  return Object.entries(OUTBOUND_MODE).find(([, value]) => value === mode)?.[0] ?? mode;
}

/** The base's own enabled outbound rules (none of gen's sections), by description. */
function ownRules(root: XmlElement, written: ReadonlySet<string>): string[] {
  // A legacy rule is off when <disabled> is not empty() in PHP (SNatRule: parseIsComment).
  const legacy = childrenNamed(at(root, ['nat', 'outbound']), 'rule').filter((r) => ['', '0'].includes(fieldText(r, 'disabled')));
  const mvc = childrenNamed(at(root, ['OPNsense', 'Firewall', 'Filter', 'snatrules']), 'rule').filter((r) => fieldText(r, 'enabled') !== '0');
  return legacy
    .concat(mvc)
    .filter((r) => !written.has(attr(r, 'uuid') ?? ''))
    .map((r) => fieldText(r, 'descr') || fieldText(r, 'description') || 'without a description');
}

/**
 * Warns when the base applies outbound rules of its own (hybrid or advanced
 * mode) and the mode of gen's `<nat>` section does not. Called before the
 * sections are merged (the base's mode as the box has it), after the rules
 * merge removes are gone; `written`: the uuids of gen's sections.
 */
export function warnOutboundModeChange(root: XmlElement, sections: readonly XmlElement[], written: ReadonlySet<string>, warn: (message: string) => void): void {
  const nat = sections.find((s) => s.name === 'nat');
  const mode = fieldText(child(nat, 'outbound'), 'mode');
  const before = fieldText(at(root, ['nat', 'outbound']), 'mode');
  if (mode === '' || APPLIES_MANUAL_RULES.includes(mode) || !APPLIES_MANUAL_RULES.includes(before)) return;
  const rules = ownRules(root, written);
  if (rules.length === 0) return;
  warn(
    `the base's outbound NAT is in ${topologyMode(before)} mode with rules of its own (${rules.map((d) => `"${d}"`).join(', ')}), which OPNsense applies only in hybrid and manual mode; ` +
      `the topology's mode ${topologyMode(mode)} turns them off (they stay in the configuration and translate nothing): set firewall.nat.outbound: hybrid to keep them, or remove them on the box`,
  );
}
