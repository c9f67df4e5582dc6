// Kill-safe builds: gen build killed with SIGKILL at each named crash
// point (the child kills itself there, GEN_TEST_CRASH_AT) leaves out/
// equal to the previous or the new complete tree, or a committed update
// that the next build (its recovery, before anything else) completes into
// the new tree; Terraform's state survives every kill. `gen build --check`
// changes nothing of that; the next `gen build` repairs it first. A kill
// after each single file of an update: kill-steps.test.ts; at random
// moments: kill-random.test.ts.
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStage, stagesOf } from '../../src/io/staging.js';
import { readTree as tree } from '../helpers.js';
import { stageOwnedBy, tag } from '../lock-owner.js';
import { STATE, afterPlanInParts, committed, eachFileOfEither, gen, generated, next, same, setup, want } from './kill-support.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

// emit:staging:5: killed while the files are rendered, each staged (or found unchanged) as it comes;
// afterPlanInParts: once plan.json, taken in parts and compared part by part with out/'s, is staged.
const CRASH_POINTS = ['emit:staging:5', afterPlanInParts, 'emit:staged', 'emit:committed', 'emit:applying:0', 'emit:applied'];

describe('gen build killed at each crash point', () => {
  it('the update changes plan.json, which a build writes in parts', () => {
    expect(want.next.get('plan.json')).not.toBe(want.previous.get('plan.json'));
    expect(afterPlanInParts).not.toBe('emit:staging:-1');
  });

  it.each(CRASH_POINTS)('%s: a consistent out/, kept by --check, repaired by the next build', (point) => {
    const dir = setup();
    const out = join(dir, 'out');
    const killed = gen(dir, ['build', '--out', 'out'], { GEN_TEST_CRASH_AT: point });
    expect(killed.signal).toBe('SIGKILL');
    // Nothing half-written beside out/ (the staging directory is in the per-user temporary directory).
    expect(readdirSync(dir).filter((e) => e.startsWith('.'))).toEqual([]);
    const stages = stagesOf(out);
    expect(stages).toHaveLength(1);
    expect(statSync(stages[0]!.path).mode & 0o777).toBe(0o700);
    const found = generated(out);
    if (point === 'emit:applied') expect(same(found, want.next)).toBe(true);
    else if (point === 'emit:applying:0') expect([same(found, want.previous), same(found, want.next), eachFileOfEither(found)]).toEqual([false, false, true]);
    else expect(same(found, want.previous)).toBe(true);
    expect(committed(out) !== undefined).toBe(!point.startsWith('emit:stag'));
    expect(readFileSync(join(out, 'aws/terraform/terraform.tfstate'), 'utf8')).toBe(STATE);

    // --check reads only: it reports, and the staging directory stays as it is.
    const before = JSON.stringify([[...tree(out)], readdirSync(stages[0]!.path).sort()]);
    const check = gen(dir, ['build', '--check', '--out', 'out']);
    expect(check.status).toBe(point === 'emit:applied' ? 0 : 1);
    expect(JSON.stringify([[...tree(out)], readdirSync(stages[0]!.path).sort()])).toBe(before);

    const repaired = gen(dir, ['build', '--out', 'out']);
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(same(generated(out), want.next)).toBe(true);
    expect(readFileSync(join(out, 'aws/terraform/terraform.tfstate'), 'utf8')).toBe(STATE);
    expect(stagesOf(out)).toEqual([]);
  });

  it('emit:staging:5, emit:staged and emit:applied of a first build: no out/, or the whole new one', () => {
    for (const point of ['emit:staging:5', 'emit:staged', 'emit:applied']) {
      const dir = setup();
      const out = join(dir, 'fresh');
      const killed = gen(dir, ['build', '--out', 'fresh'], { GEN_TEST_CRASH_AT: point });
      expect(killed.signal).toBe('SIGKILL');
      if (point !== 'emit:applied') expect(existsSync(out)).toBe(false);
      else expect(same(tree(out), want.next)).toBe(true);
      expect(stagesOf(out)).toHaveLength(1);
      const repaired = gen(dir, ['build', '--out', 'fresh']);
      expect(repaired.status, repaired.stderr).toBe(0);
      expect(same(tree(out), want.next)).toBe(true);
      expect(stagesOf(out)).toEqual([]);
    }
  });
});

describe('a tree that an earlier version of gen moved aside', () => {
  it('is named by --check and put back by the next build, with its Terraform state', () => {
    const dir = setup();
    const out = join(dir, 'out');
    // An earlier gen swapped whole trees: killed between its renames, it left out/ as old/ in its staging directory.
    const made = createStage(out);
    const stage = stageOwnedBy(made, tag(999999999, false));
    renameSync(made, stage);
    renameSync(out, join(stage, 'old'));
    const check = gen(dir, ['build', '--check', '--out', 'out']);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/out is missing: a build that was killed moved it to .*old; run gen build/);
    expect(existsSync(join(stage, 'old'))).toBe(true);
    const repaired = gen(dir, ['build', '--out', 'out']);
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(same(generated(out), want.next)).toBe(true);
    expect(readFileSync(join(out, 'aws/terraform/terraform.tfstate'), 'utf8')).toBe(STATE);
    expect(stagesOf(out)).toEqual([]);
  });
});
