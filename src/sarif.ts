// SARIF 2.1.0 output for code-scanning tools (GitHub code scanning and
// others): every rule with its metadata and help, every finding located in
// the topology file.
import type { Diagnostic, SourceLocation } from './diagnostics.js';
import { packageVersion } from './paths.js';
import { rules } from './rules/index.js';

function level(severity: Diagnostic['severity']): 'error' | 'warning' {
  return severity === 'error' ? 'error' : 'warning';
}

/** A relative URI with forward slashes, as SARIF consumers resolve against the checkout. */
function uri(file: string): string {
  return file.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');
}

// SARIF 2.1.0 §3.11.6: a plain-text message links a location of its result as [text](id), and a
// backslash escapes '[', ']' and '\\'. Every such character of a message is escaped (as CodeQL's own
// output does), so a value the topology quotes can neither forge a link nor break one.
function plain(text: string): string {
  return text.replace(/[\\[\]]/g, '\\$&');
}

function physical(location: SourceLocation) {
  return { artifactLocation: { uri: uri(location.file) }, region: { startLine: location.line, startColumn: location.col } };
}

// GitHub code scanning shows a related location only where the result's message links it, by the
// location's id (unique within the result; the primary location has none).
function result(d: Diagnostic, ruleIndex: number | undefined) {
  const related = (d.related ?? []).map((r, i) => ({ id: i + 1, message: { text: plain(r.message) }, physicalLocation: physical(r.location) }));
  const links = related.map((r) => `\n[${r.message.text}](${r.id})`).join('');
  return {
    ruleId: d.rule,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    level: level(d.severity),
    message: { text: `${plain(d.message)}${links}${d.hint ? `\nHow to fix: ${plain(d.hint)}` : ''}` },
    locations: [{ physicalLocation: physical(d.location) }],
    ...(related.length ? { relatedLocations: related } : {}),
  };
}

export function formatSarif(diagnostics: readonly Diagnostic[]): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gen',
            version: packageVersion(),
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase()),
              shortDescription: { text: r.summary },
              fullDescription: { text: r.why },
              help: { text: `${r.why}\nHow to fix: ${r.hint}`, markdown: `${r.why}\n\n**How to fix:** ${r.hint}` },
              defaultConfiguration: { level: level(r.severity) },
            })),
          },
        },
        results: diagnostics.map((d) => result(d, index.get(d.rule))),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
