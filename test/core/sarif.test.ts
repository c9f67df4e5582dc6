// gen lint --format sarif validates against the SARIF 2.1.0 schema
// (test/fixtures/sarif-schema-2.1.0.json, from @microsoft/jest-sarif, MIT).
import AjvDraft04 from 'ajv-draft-04';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSarif } from '../../src/sarif.js';
import { rules } from '../../src/rules/index.js';
import { lint, readExample, root } from '../helpers.js';

const schema = JSON.parse(readFileSync(join(root, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
const validate = ajv.compile(schema);

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
