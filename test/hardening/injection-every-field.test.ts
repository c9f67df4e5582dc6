// The injection corpus (injection.ts) on every string field of the schema
// that no reference topology sets, through every-field.yaml: a topology that
// sets each optional field (the backup server's fingerprint and schedules,
// its PVE user and token, a container's template, API tokens with a role,
// HAProxy hosts, a VPC's route tables and site-to-site VPN, ...).
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/pipeline.js';
import { corpusFields, injectionCorpus, readTopology } from './injection.js';
import { schemaFieldOf, schemaStringFields } from './schema-strings.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

describe('the corpus reaches every string field of the schema', () => {
  it('every-field.yaml is a topology without errors: each field accepts a plain word there', async () => {
    const { diagnostics, model } = await lintText(readTopology('every-field'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(model).toBeDefined();
  });

  it('every string field of schema/topology.schema.json gets the hostile strings in some topology', () => {
    const tried = new Set(corpusFields().map((path) => schemaFieldOf(path)));
    const fields = schemaStringFields();
    // The walk finds the fields of every kind of object (a sanity floor: the schema has about 200).
    expect(fields.size).toBeGreaterThan(150);
    expect([...fields].filter((f) => !tried.has(f)).sort()).toEqual([]);
  });
});

injectionCorpus(['every-field']);
