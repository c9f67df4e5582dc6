// gen build killed (SIGKILL) after each single file of an update: every
// step leaves each file of out/ the previous or the new one, and a
// committed update that recovery, which every build begins with, completes
// into the whole new tree, with Terraform's state untouched.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitTree, recover } from '../../src/emit.js';
import { stagesOf } from '../../src/io/staging.js';
import { committed, eachFileOfEither, gen, generated, previousFiles, same, setup, want } from './kill-support.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

describe('gen build killed after each single file of an update', () => {
  it('every step leaves a committed update that recovery completes into the new tree', () => {
    const dir = setup();
    const out = join(dir, 'out');
    const stateInode = statSync(join(out, 'aws/terraform/terraform.tfstate')).ino;
    let steps = 0;
    for (; ; steps++) {
      const killed = gen(dir, ['build', '--out', 'out'], { GEN_TEST_CRASH_AT: `emit:applying:${steps}` });
      if (killed.signal !== 'SIGKILL') {
        // Past the last step: the build ran to its end.
        expect(killed.status, killed.stderr).toBe(0);
        expect(same(generated(out), want.next)).toBe(true);
        break;
      }
      expect(eachFileOfEither(generated(out)), `step ${steps}`).toBe(true);
      expect(committed(out), `step ${steps}`).toBeDefined();
      // What the next build does first: out/ is then the whole new tree.
      expect(recover(out)).toEqual([]);
      expect(same(generated(out), want.next), `step ${steps}`).toBe(true);
      expect(stagesOf(out)).toEqual([]);
      expect(statSync(join(out, 'aws/terraform/terraform.tfstate')).ino).toBe(stateInode);
      // Back to the previous tree for the next step, as an incremental build.
      expect(emitTree(out, previousFiles)).toBe(true);
      expect(same(generated(out), want.previous)).toBe(true);
    }
    // Two removals, then the changed and the new files: each was a step of its own.
    const written = [...want.next].filter(([path, content]) => path !== 'MANIFEST' && want.previous.get(path) !== content).length;
    expect(steps).toBe(2 + written);
  });
});
