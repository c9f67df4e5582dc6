// Kill-safe writes: gen build killed with SIGKILL at random moments leaves
// out/ equal to the previous or the new complete tree, never a mix; what a
// kill leaves half-done is repaired by the next gen run, before it looks.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { stagedName } from '../../src/emit.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExample, root, readTree as tree } from '../helpers.js';

const bin = join(root, 'bin/gen.js');
const TRIALS = Number(process.env.KILL_TRIALS ?? 50);

function build(dir: string, topology: string, out: string): void {
  writeFileSync(join(dir, 'topology.yaml'), topology);
  const r = spawnSync(process.execPath, [bin, 'build', '--out', out], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

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

describe('kill-safe writes', () => {
  it(`${TRIALS} builds killed at random moments never leave a mix`, { timeout: 900_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-kill-'));
    cpSync(join(root, 'schema'), join(dir, 'schema'), { recursive: true });
    const previous = readExample('homelab');
    const next = previous.replace('address: 10.0.1.3\n', 'address: 10.0.1.4\n');
    build(dir, next, 'expected-next');
    build(dir, previous, 'expected-previous');
    const want = { previous: tree(join(dir, 'expected-previous')), next: tree(join(dir, 'expected-next')) };
    expect(want.previous).not.toEqual(want.next);

    // How long a whole build takes here, so the kills spread over all of it.
    const started = Date.now();
    build(dir, next, 'timing');
    const duration = Date.now() - started;

    const seen = { previous: 0, next: 0, moved: 0 };
    // Every staged tree of this out/ starts with this.
    const staged = stagedName(join(dir, 'out'), 'tmp', 0).replace(/tmp-0-$/, '');
    build(dir, previous, 'out');
    for (let trial = 0; trial < TRIALS; trial++) {
      writeFileSync(join(dir, 'topology.yaml'), next);
      await killedBuild(dir, Math.floor(((trial + 0.5) / TRIALS) * duration * 1.2));
      // Right after the kill: nothing staged beside out/, and out/ is one whole tree; only a
      // kill in the instant between the two renames leaves it moved aside, for the next run.
      expect(readdirSync(dir).filter((e) => e.startsWith('.')), `trial ${trial}`).toEqual([]);
      const moved = !existsSync(join(dir, 'out'));
      if (moved) seen.moved++;
      // The next gen run repairs first (here: a read-only check), and clears what the kill left.
      spawnSync(process.execPath, [bin, 'build', '--check', '--out', 'out'], { cwd: dir });
      const leftovers = readdirSync(tmpdir()).filter((e) => e.startsWith(staged));
      expect(leftovers, `trial ${trial}`).toEqual([]);
      const found = tree(join(dir, 'out'));
      if (JSON.stringify([...found]) === JSON.stringify([...want.previous])) seen.previous++;
      else if (JSON.stringify([...found]) === JSON.stringify([...want.next]) && !moved) {
        seen.next++;
        build(dir, previous, 'out');
      } else throw new Error(`trial ${trial}: out/ is neither the previous nor the new tree`);
    }
    expect(seen.previous + seen.next).toBe(TRIALS);
  });
});
