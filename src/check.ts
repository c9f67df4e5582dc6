// Stage 4: run every rule on the resolved model, turn findings (from
// resolve and from the rules) into located diagnostics, and apply the
// file's `gen-ignore` comments. This stage owns the rule registry: only it
// knows which rule ids exist.
// Layer: check. Imports resolve, target knowledge and the layers below;
// never renderers, whose facts about a target live in src/targets/.
import { compareDiagnostics, type Diagnostic } from './diagnostics.js';
import type { Finding } from './findings.js';
import type { SourceMap } from './load.js';
import type { Model } from './model.js';
import { ruleById, rules } from './rules/index.js';
import { applySuppressions } from './suppress/apply.js';
import type { Suppression } from './suppress/comments.js';

export function toDiagnostic(finding: Finding, source: SourceMap): Diagnostic {
  const rule = ruleById.get(finding.rule);
  if (!rule) throw new Error(`finding with unregistered rule id ${finding.rule}`);
  const diagnostic: Diagnostic = {
    rule: rule.id,
    severity: rule.severity,
    message: finding.message,
    hint: finding.hint ?? rule.hint,
    location: source.locate(finding.path, { key: finding.key }),
  };
  if (finding.related?.length) {
    diagnostic.related = finding.related.map((r) => ({ message: r.message, location: source.locate(r.path) }));
  }
  return diagnostic;
}

export function check(model: Model, source: SourceMap, resolveFindings: readonly Finding[], suppressions: readonly Suppression[] = []): Diagnostic[] {
  const findings: Finding[] = [...resolveFindings];
  for (const rule of rules) {
    rule.check?.(model, (finding) => findings.push(Object.assign({}, finding, { rule: rule.id })));
  }
  return applySuppressions(findings.map((f) => toDiagnostic(f, source)), suppressions).sort(compareDiagnostics);
}
