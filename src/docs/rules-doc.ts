// docs/rules.md is generated from the rule definitions, so the
// documentation cannot drift from what gen reports.
import type { Rule } from '../rules/rule.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function rulesMarkdown(rules: readonly Rule[]): string {
  const lines = [
    '# Lint rules',
    '',
    '<!-- Generated from src/rules/ by `npm run docs`; a test fails when this file is stale. -->',
    '',
    'Every diagnostic of `gen lint` and `gen build` carries one of these rule ids, with the',
    'file, line and column of the YAML node it is about. Errors stop `gen build`; warnings do',
    'not, unless `gen lint --max-warnings 0`.',
    '',
    '| rule | severity | reports |',
    '|---|---|---|',
    ...rules.map((r) => `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.severity} | ${cell(r.summary)} |`),
    '',
  ];
  for (const rule of rules) lines.push(...ruleMarkdown(rule));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** One rule's section: what it reports, why, how to fix, and its examples. */
export function ruleMarkdown(rule: Rule): string[] {
  const lines = [`## ${rule.id}`, '', `**${rule.severity}.** ${rule.summary}`, '', `Why it matters: ${rule.why}`, '', `How to fix: ${rule.hint}`, ''];
  for (const example of rule.examples ?? []) {
    lines.push(`Reported (in \`${example.where}\`):`, '', '```yaml', example.bad, '```', '', 'Clean:', '', '```yaml', example.good, '```', '');
  }
  return lines;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
