// The record of a build's inputs (src/io/inputs-record.ts) is written after
// the MANIFEST is in place and names that MANIFEST: a build killed between
// the two, or while the record itself is written, leaves the record of the
// previous tree, which no longer applies to out/, and the next build
// renders. gen without its bundle keeps no record.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputsRecord } from '../../src/io/inputs-record.js';
import { inputsRecordOf } from '../../src/io/staging.js';
import { sha256 } from '../../src/manifest.js';
import { root } from '../helpers.js';
import { gen, generated, next, previous, same, setup, want } from './kill-support.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bundled = existsSync(join(root, 'dist/gen.cjs'));

/** The sha256 of out/'s MANIFEST. */
const manifestOf = (out: string) => sha256(readFileSync(join(out, 'MANIFEST'), 'utf8'));

/** out/ built by the bundle from the previous topology, and the record of that build. */
function builtFromPrevious(): { dir: string; out: string; record: string; before: string } {
  const dir = setup();
  const out = join(dir, 'out');
  const record = inputsRecordOf(out)!;
  writeFileSync(join(dir, 'topology.yaml'), previous);
  expect(gen(dir, ['build', '--out', 'out']).status).toBe(0);
  expect(readInputsRecord(record)?.manifest).toBe(manifestOf(out));
  return { dir, out, record, before: readFileSync(record, 'utf8') };
}

describe.skipIf(!bundled)('gen build killed around the record of its inputs', () => {
  it('between the MANIFEST and the record: the next build of the previous inputs renders the previous tree again', () => {
    const { dir, out, record, before } = builtFromPrevious();

    writeFileSync(join(dir, 'topology.yaml'), next);
    const killed = gen(dir, ['build', '--out', 'out'], { GEN_TEST_CRASH_AT: 'emit:applied' });
    expect(killed.signal).toBe('SIGKILL');
    expect(same(generated(out), want.next)).toBe(true);
    // The record of the previous inputs stays, naming the previous MANIFEST.
    expect(readFileSync(record, 'utf8')).toBe(before);

    writeFileSync(join(dir, 'topology.yaml'), previous);
    const rebuilt = gen(dir, ['build', '--out', 'out']);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toContain('gen: wrote ');
    expect(same(generated(out), want.previous)).toBe(true);
    expect(readInputsRecord(record)?.manifest).toBe(manifestOf(out));
    expect(gen(dir, ['build', '--out', 'out']).stderr).toContain('gen: out is current');
  });

  it('while the record is written: the previous record stays, and the next build renders and records', () => {
    const { dir, out, record, before } = builtFromPrevious();

    writeFileSync(join(dir, 'topology.yaml'), next);
    const killed = gen(dir, ['build', '--out', 'out'], { GEN_TEST_CRASH_AT: `before-rename:${basename(record)}` });
    expect(killed.signal).toBe('SIGKILL');
    expect(same(generated(out), want.next)).toBe(true);
    expect(readFileSync(record, 'utf8')).toBe(before);
    expect(readInputsRecord(record)?.manifest).not.toBe(manifestOf(out));

    const rebuilt = gen(dir, ['build', '--out', 'out']);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(same(generated(out), want.next)).toBe(true);
    expect(readInputsRecord(record)?.manifest).toBe(manifestOf(out));
    // The killed writer's temporary file is gone with the next write.
    expect(readdirSync(dirname(record)).filter((name) => name.includes(basename(record)) && name !== basename(record))).toEqual([]);
  });

  it('gen without its bundle (GEN_NO_BUNDLE) keeps no record, and builds as before', () => {
    const dir = setup();
    const out = join(dir, 'out');
    const built = gen(dir, ['build', '--out', 'out'], { GEN_NO_BUNDLE: '1' });
    expect(built.status, built.stderr).toBe(0);
    expect(same(generated(out), want.next)).toBe(true);
    expect(existsSync(inputsRecordOf(out)!)).toBe(false);
    expect(gen(dir, ['build', '--out', 'out']).status).toBe(0);
    expect(existsSync(inputsRecordOf(out)!)).toBe(true);
  });
});

describe.skipIf(!bundled)('the bundle\'s identity', () => {
  it('is the sha256 of the bundle with the place it is written in', () => {
    const text = readFileSync(join(root, 'dist/gen.cjs'), 'latin1');
    const place = 'gen-bundle-identity-'.padEnd(64, '-');
    const identities = [...text.matchAll(/"([0-9a-f]{64})"/g)].map((m) => m[1]!).filter((hash) => sha256(text.replace(hash, place)) === hash);
    expect(identities).toHaveLength(1);
  });
});
