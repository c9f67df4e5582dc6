// gen lint --format sarif validates against the SARIF 2.1.0 schema
// (test/fixtures/sarif-schema-2.1.0.json, from @microsoft/jest-sarif, MIT).
// A CommonJS module whose module.exports is the class and whose .default is the class too:
// TypeScript types the default import as the module, so the class is taken from .default.
import ajvDraft04 from 'ajv-draft-04';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { formatSarif } from '../../src/sarif.js';
import { rules } from '../../src/rules/index.js';
import { lint, readExample, root } from '../helpers.js';

const schema = JSON.parse(readFileSync(join(root, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new ajvDraft04.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

interface Link {
  text: string;
  dest: number;
}

// A consumer's reading of a plain-text message (SARIF 2.1.0 §3.11.6): '\\' before '\\', '[' or ']' makes it a
// literal; an unescaped '[' opens a link when "link text](integer)" follows, the link text holding no
// unescaped bracket. Returns the text as shown and the links in it.
function readMessage(text: string): { shown: string; links: Link[] } {
  const links: Link[] = [];
  let shown = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '\\' && /[\\[\]]/.test(text[i + 1] ?? '')) {
      shown += text[i + 1];
      i += 2;
      continue;
    }
    const link = c === '[' ? /^\[((?:[^\\[\]]|\\[\\[\]])*)\]\((\d+)\)/.exec(text.slice(i)) : null;
    if (link) {
      const linkText = link[1]!.replace(/\\([\\[\]])/g, '$1');
      links.push({ text: linkText, dest: Number(link[2]) });
      shown += linkText;
      i += link[0].length;
      continue;
    }
    shown += c;
    i++;
  }
  return { shown, links };
}

interface SarifResult {
  message: { text: string };
  relatedLocations?: { id: number; message: { text: string } }[];
}

/** The result shows the diagnostic's text unchanged and links each related location, by its id, exactly once. */
function expectLinked(result: SarifResult, d: Diagnostic): void {
  const related = d.related ?? [];
  const { shown, links } = readMessage(result.message.text);
  expect(shown).toBe([d.message].concat(related.map((r) => r.message), d.hint ? [`How to fix: ${d.hint}`] : []).join('\n'));
  const ids = (result.relatedLocations ?? []).map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(links.map((l) => l.dest).sort()).toEqual(ids.slice().sort());
  expect(links.map((l) => l.text)).toEqual(related.map((r) => r.message));
  for (const link of links) {
    const target = result.relatedLocations!.find((r) => r.id === link.dest)!;
    expect(readMessage(target.message.text)).toEqual({ shown: link.text, links: [] });
  }
}

describe('SARIF output', () => {
  it('validates against the SARIF 2.1.0 schema, with rule metadata and located results', async () => {
    const text = readExample('aws-vpc').replace('cidr: 10.30.2.0/24', 'cidr: 10.30.1.0/24').replace(/ *- \{ name: private-2c.*\n/, '');
    const diagnostics = await lint(text, 'examples/aws-vpc.yaml');
    const log = JSON.parse(formatSarif(diagnostics));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(rules.map((r) => r.id));
    expect(run.tool.driver.rules.find((r: { id: string }) => r.id === 'ip/overlap').help.text).toContain('How to fix');
    expect(run.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level])).toEqual([
      ['ip/overlap', 'error'],
      ['aws/tier-single-az', 'warning'],
    ]);
    const overlap = run.results[0];
    expect(overlap.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'examples/aws-vpc.yaml' }, region: { startLine: 15, startColumn: 55 } });
    expect(overlap.relatedLocations[0].physicalLocation.region).toEqual({ startLine: 14, startColumn: 55 });
    expect(run.tool.driver.rules[overlap.ruleIndex].id).toBe('ip/overlap');
    // GitHub code scanning shows a related location only where the message links it
    expect(diagnostics[0]!.related).toHaveLength(1);
    run.results.forEach((r: SarifResult, i: number) => expectLinked(r, diagnostics[i]!));
  });

  it("a value the topology quotes shows as written and forges no link", async () => {
    const text = readExample('aws-vpc').replace('name: public-2a,', "name: 'a[x](1)\\\\b]',");
    const diagnostics = await lint(text, 'examples/aws-vpc.yaml');
    expect(diagnostics.map((d) => d.rule)).toContain('schema');
    expect(diagnostics.some((d) => d.message.includes('a[x](1)\\'))).toBe(true);
    const log = JSON.parse(formatSarif(diagnostics));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    log.runs[0].results.forEach((r: SarifResult, i: number) => expectLinked(r, diagnostics[i]!));
  });

  it('brackets and backslashes in messages and related messages keep every link to its own location', () => {
    const at = (line: number) => ({ file: 'topology.yaml', line, col: 3 });
    const diagnostic: Diagnostic = {
      rule: 'ip/overlap',
      severity: 'error',
      message: 'net [a](2) \\[ends with \\',
      hint: 'rename [b](1)',
      location: at(4),
      related: [
        { message: 'x [y](2) \\ z]', location: at(7) },
        { message: '\\', location: at(9) },
        { message: '[', location: at(11) },
      ],
    };
    const log = JSON.parse(formatSarif([diagnostic]));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const result = log.runs[0].results[0];
    expectLinked(result, diagnostic);
    expect(result.relatedLocations.map((r: { physicalLocation: { region: { startLine: number } } }) => r.physicalLocation.region.startLine)).toEqual([7, 9, 11]);
  });

  it('a clean file is a valid log with no results', async () => {
    const log = JSON.parse(formatSarif(await lint(readExample('homelab'))));
    expect(validate(log)).toBe(true);
    expect(log.runs[0].results).toEqual([]);
  });

  it('the schema rejects a broken log (the check can fail)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });
});
