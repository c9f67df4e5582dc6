// gen rules: every lint rule with its documentation, or one rule's in full.
import { Option, type Command } from 'commander';
import { exampleWhere, type Rule } from '../rules/rule.js';

type RulesFormat = 'text' | 'markdown' | 'json';

function indented(label: string, text: string): string {
  return `  ${label} ${text}\n`;
}

/** One rule in full: what it reports, why, how to fix, and its examples. */
export function ruleText(rule: Rule): string {
  let text = `${rule.id} (${rule.severity})\n  ${rule.summary}\n\n${indented('Why it matters:', rule.why)}${indented('How to fix:', rule.hint)}`;
  const block = (snippet: string) => snippet.replace(/^/gm, '    ');
  if (rule.noExample) text += `\n  No example: ${rule.noExample}\n`;
  for (const example of rule.examples ?? []) {
    text += '\n';
    for (const given of example.context ?? []) text += `  Given (${exampleWhere(Object.assign({}, given, { topology: example.topology }))}):\n${block(given.snippet)}\n`;
    text += `  Reported (${exampleWhere(example)}):\n${block(example.bad)}\n  Clean:\n${block(example.good)}\n`;
  }
  return text;
}

function jsonOf(rule: Rule) {
  const { id, severity, summary, why, hint, examples, noExample } = rule;
  return { id, severity, summary, why, hint, ...(examples ? { examples } : {}), ...(noExample ? { noExample } : {}) };
}

export function registerRulesCommands(cli: Command, setExit: (code: number) => void): void {
  cli
    .command('rules')
    .description('list every lint rule with what it reports, why and how to fix it; with a rule id, that rule in full with its examples')
    .argument('[id]', 'a rule id, e.g. wg/duplicate-listen-port')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .action(async (id: string | undefined, options: { format: RulesFormat }) => {
      const { rules, ruleById, similarRuleIds } = await import('../rules/index.js');
      const { UsageError } = await import('../io/errors.js');
      if (id !== undefined) {
        const rule = ruleById.get(id);
        if (!rule) {
          const { RETIRED_RULES } = await import('../rules/retired.js');
          const retired = RETIRED_RULES.get(id);
          if (retired) throw new UsageError(`no rule ${id}: gen no longer has it; ${retired.now} reports its finding (gen rules ${retired.now})`);
          const near = similarRuleIds(id);
          throw new UsageError(`no rule ${id}${near.length ? ` (did you mean ${near.slice(0, 5).join(', ')}?)` : ''}; gen rules lists them all`);
        }
        if (options.format === 'json') process.stdout.write(`${JSON.stringify(jsonOf(rule), null, 2)}\n`);
        else if (options.format === 'markdown') {
          const { ruleMarkdown } = await import('../docs/rules-doc.js');
          process.stdout.write(`${ruleMarkdown(rule).join('\n').trimEnd()}\n`);
        } else process.stdout.write(ruleText(rule));
      } else if (options.format === 'markdown') {
        const { rulesMarkdown } = await import('../docs/rules-doc.js');
        process.stdout.write(rulesMarkdown(rules));
      } else if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify(rules.map(jsonOf), null, 2)}\n`);
      } else {
        process.stdout.write(rules.map((rule) => `${rule.id.padEnd(34)} ${rule.severity.padEnd(8)} ${rule.summary}\n${indented('why:', rule.why)}${indented('fix:', rule.hint)}`).join('\n'));
      }
      setExit(0);
    });
}
