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

function physical(location: SourceLocation) {
  return { artifactLocation: { uri: uri(location.file) }, region: { startLine: location.line, startColumn: location.col } };
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
        results: diagnostics.map((d) => ({
          ruleId: d.rule,
          ...(index.has(d.rule) ? { ruleIndex: index.get(d.rule) } : {}),
          level: level(d.severity),
          message: { text: d.hint ? `${d.message}\nHow to fix: ${d.hint}` : d.message },
          locations: [{ physicalLocation: physical(d.location) }],
          ...(d.related?.length
            ? { relatedLocations: d.related.map((r, i) => ({ id: i + 1, message: { text: r.message }, physicalLocation: physical(r.location) })) }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
