// Inline suppressions applied at the check stage, which owns the rule
// registry: a `# gen-ignore RULE: reason` comment silences RULE on its node.
// A suppression needs a reason; one without, one for an unknown rule and one
// that silences nothing are themselves reported.
import type { Diagnostic } from '../diagnostics.js';
import { ruleById, similarRuleIds } from '../rules/index.js';
import { RETIRED_RULES } from '../rules/retired.js';
import type { Suppression } from './comments.js';

/** Rules that describe a file gen cannot model: silencing them would hide broken output. */
const UNSUPPRESSIBLE = new Set(['load/read', 'load/yaml-syntax', 'load/duplicate-key', 'load/not-a-mapping', 'load/character', 'schema', 'ref/unknown', 'ip/invalid', 'names/same-file']);

export function applySuppressions(diagnostics: readonly Diagnostic[], suppressions: readonly Suppression[]): Diagnostic[] {
  const used = new Set<Suppression>();
  const kept = diagnostics.filter((d) => {
    if (UNSUPPRESSIBLE.has(d.rule)) return true;
    const match = suppressions.find((s) => s.rule === d.rule && s.reason !== '' && d.location.line >= s.from && d.location.line <= s.to);
    if (match) used.add(match);
    return !match;
  });
  for (const s of suppressions) {
    if (s.malformed !== undefined) {
      kept.push(finding('suppress/malformed', s, `"${s.malformed}" is not a gen-ignore comment gen reads, so it silences nothing`, malformedHint(s.malformed)));
      continue;
    }
    const rule = ruleById.get(s.rule);
    if (!rule || UNSUPPRESSIBLE.has(s.rule)) {
      const near = rule ? [] : similarRuleIds(s.rule).filter((id) => !UNSUPPRESSIBLE.has(id));
      const retired = rule ? undefined : RETIRED_RULES.get(s.rule);
      const hint = rule
        ? `Fix what ${s.rule} reports and remove the comment: gen cannot model a file with that finding, so it cannot be silenced.`
        : retired
          ? `gen no longer has ${s.rule}: ${retired.now} reports its finding, at ${retired.at}. Remove this comment, and if the finding is still to be silenced, put # gen-ignore ${retired.now}: reason there.`
          : near.length
          ? `Did you mean ${near.slice(0, 3).join(' or ')}? Write the rule id as docs/rules.md has it.`
          : undefined;
      kept.push(finding('suppress/unknown-rule', s, `gen-ignore names ${rule ? 'a rule that cannot be silenced' : 'no rule'}: "${s.rule}"`, hint));
    } else if (s.reason === '') {
      kept.push(finding('suppress/missing-reason', s, `gen-ignore ${s.rule} has no reason, so it silences nothing`, `Write the reason after a colon: # gen-ignore ${s.rule}: why this is fine here`));
    } else if (!used.has(s)) {
      kept.push(finding('suppress/unused', s, `gen-ignore ${s.rule} silences nothing on the node it applies to (lines ${s.from}-${s.to})`));
    }
  }
  return kept;
}

/** The comment as gen reads it, when a rule id can be picked out of it (`# gen-ignore: wg/key-age old phone` → `# gen-ignore wg/key-age: old phone`). */
function malformedHint(text: string): string {
  const body = text.replace(/^#\s*gen-ignore\s*:?\s*/i, '');
  const id = /^([A-Za-z0-9_-]+\/[A-Za-z0-9/_-]+)\s*[:,;.-]*\s*(.*)$/.exec(body);
  const reason = id?.[2]?.replace(/^[-:]+\s*/, '') ?? '';
  return id && ruleById.has(id[1]!)
    ? `Write it as # gen-ignore ${id[1]}: ${reason || 'why this is fine here'}`
    : 'Write it as # gen-ignore RULE: reason (the rule id from docs/rules.md, a colon, then why this is fine here).';
}

function finding(rule: string, s: Suppression, message: string, hint?: string): Diagnostic {
  const definition = ruleById.get(rule)!;
  return { rule, severity: definition.severity, message, hint: hint ?? definition.hint, location: s.location };
}
