// docs/rules.md is generated from the rule definitions, so the
// documentation cannot drift from what gen reports.
import { exampleWhere, type Rule } from '../rules/rule.js';
import { appendAll } from '../arrays.js';

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
    "Each rule's examples show a snippet gen reports and the same snippet written so that it",
    'does not, placed in the homelab example unless another one is named (`gen init --example',
    'NAME` writes each): `sites[]` is the first site, `[wg0]` the item named wg0. A "Given"',
    'snippet goes in first, alike for both. A test lints every example.',
    '',
    '| rule | severity | reports |',
    '|---|---|---|',
    ...rules.map((r) => `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.severity} | ${cell(r.summary)} |`),
    '',
  ];
  for (const rule of rules) appendAll(lines, ruleMarkdown(rule));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** One rule's section: what it reports, why, how to fix, and its examples. */
export function ruleMarkdown(rule: Rule): string[] {
  const lines = [`## ${rule.id}`, '', `**${rule.severity}.** ${rule.summary}`, '', `Why it matters: ${rule.why}`, '', `How to fix: ${rule.hint}`, ''];
  const code = (path: string) => `\`${path}\``;
  if (rule.noExample) lines.push(`No example: ${rule.noExample}`, '');
  for (const example of rule.examples ?? []) {
    for (const given of example.context ?? []) lines.push(`Given (${exampleWhere(Object.assign({}, given, { topology: example.topology }), code)}):`, '', '```yaml', given.snippet, '```', '');
    lines.push(`Reported (${exampleWhere(example, code)}):`, '', '```yaml', example.bad, '```', '', 'Clean:', '', '```yaml', example.good, '```', '');
  }
  return lines;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
