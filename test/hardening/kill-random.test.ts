// gen build killed (SIGKILL) at random moments spread over a whole build:
// out/ is the previous tree, the new one, or a committed update that
// recovery completes into the new one; the next build repairs first, and
// Terraform's state is never lost.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitTree, recover } from '../../src/emit.js';
import { stagesOf } from '../../src/io/staging.js';
import { STATE, bin, committed, eachFileOfEither, gen, generated, previousFiles, same, setup, want } from './kill-support.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

const TRIALS = Number(process.env.KILL_TRIALS ?? 30);

function killedBuild(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'build', '--out', 'out'], { cwd: dir, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('gen build killed at random moments', () => {
  it(`${TRIALS} kills leave the previous tree, the new one, or an update that completes it; never lose Terraform's state`, { timeout: 900_000 }, async () => {
    // The topology is the next one throughout: each killed build goes from the previous tree to it.
    const dir = setup();
    const out = join(dir, 'out');
    // How long a whole build takes here, so the kills spread over all of it.
    const started = Date.now();
    const timing = gen(dir, ['build', '--out', 'timing']);
    expect(timing.status, timing.stderr).toBe(0);
    const duration = Date.now() - started;

    const seen = { previous: 0, next: 0, completed: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      await killedBuild(dir, Math.floor(((trial + 0.5) / TRIALS) * duration * 1.2));
      expect(readdirSync(dir).filter((e) => e.startsWith('.')), `trial ${trial}`).toEqual([]);
      const found = generated(out);
      if (same(found, want.previous)) seen.previous++;
      else if (same(found, want.next)) seen.next++;
      else {
        expect(eachFileOfEither(found) && committed(out) !== undefined, `trial ${trial}: out/ is neither the previous nor the new tree, nor an update in progress`).toBe(true);
        // The recovery every build begins with completes it.
        recover(out);
        expect(same(generated(out), want.next), `trial ${trial}`).toBe(true);
        seen.completed++;
      }
      // The next build (here in this process: kill.test.ts runs it as a command) repairs first,
      // then writes the previous tree again; the state stays.
      emitTree(out, previousFiles);
      expect(same(generated(out), want.previous), `trial ${trial}`).toBe(true);
      expect(readFileSync(join(out, 'aws/terraform/terraform.tfstate'), 'utf8')).toBe(STATE);
      expect(stagesOf(out), `trial ${trial}`).toEqual([]);
    }
    expect(seen.previous + seen.next + seen.completed).toBe(TRIALS);
  });
});
