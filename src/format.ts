// Diagnostic output formats for `gen lint`: pretty (people), json (tools),
// github (workflow command annotations), sarif (code scanning).
import { countBySeverity, type Diagnostic } from './diagnostics.js';
import { ruleById } from './rules/index.js';
import { formatSarif } from './sarif.js';
import { terminalLine, terminalText } from './io/terminal.js';

export interface FormatOptions {
  color?: boolean;
  /** Pretty format: each finding also says why its rule matters. */
  verbose?: boolean;
}

export const FORMATS = ['pretty', 'json', 'github', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

function where(d: { location: Diagnostic['location'] }): string {
  return `${d.location.file}:${d.location.line}:${d.location.col}`;
}

// A message quotes the topology's values (a name a reference does not find, a value the schema refuses):
// the YAML may hold C1 and bidirectional controls, which a terminal acts on. Each is shown as \uXXXX.
const shown = (text: string) => terminalLine(text);

export function formatPretty(diagnostics: readonly Diagnostic[], options: FormatOptions = {}): string {
  const color = options.color === true;
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const d of diagnostics) {
    const severity = d.severity === 'error' ? paint(31, 'error') : paint(33, 'warning');
    lines.push(`${shown(where(d))}: ${severity} ${shown(d.message)}  ${paint(2, `[${d.rule}]`)}`);
    for (const r of d.related ?? []) lines.push(`  ${shown(where(r))}: ${shown(r.message)}`);
    if (d.hint) lines.push(`  ${paint(2, 'fix:')} ${shown(d.hint)}`);
    const why = options.verbose ? ruleById.get(d.rule)?.why : undefined;
    if (why !== undefined) lines.push(`  ${paint(2, 'why:')} ${why}`);
  }
  const { errors, warnings } = countBySeverity(diagnostics);
  if (diagnostics.length) lines.push('', `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  const { errors, warnings } = countBySeverity(diagnostics);
  return `${JSON.stringify({ errors, warnings, diagnostics }, null, 2)}\n`;
}

// GitHub workflow commands: data escapes %, CR, LF; properties also : and ,.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const { file, line, col } = d.location;
      const related = (d.related ?? []).map((r) => `\n${where(r)}: ${r.message}`).join('');
      const message = `${d.message}${related}${d.hint ? `\nfix: ${d.hint}` : ''}`;
      return `::${d.severity} file=${escapeProperty(file)},line=${line},col=${col},title=${escapeProperty(d.rule)}::${escapeData(message)}\n`;
    })
    .join('');
}

export function formatDiagnostics(format: Format, diagnostics: readonly Diagnostic[], options: FormatOptions = {}): string {
  // JSON and SARIF get such characters as JSON escapes (the same document); a workflow command as text.
  switch (format) {
    case 'sarif':
      return terminalText(formatSarif(diagnostics));
    case 'json':
      return terminalText(formatJson(diagnostics));
    case 'github':
      return terminalText(formatGithub(diagnostics));
    default:
      return formatPretty(diagnostics, options);
  }
}
