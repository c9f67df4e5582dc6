// The key commands killed at each crash point (a real SIGKILL: the child
// kills itself at the point named in GEN_TEST_CRASH_AT): every outcome is
// the old pair or the new pair of private key and topology public key,
// never a mix, never a lost key; the next command finishes or undoes what
// was left. The crash points are listed in src/wg/key-change.ts. On a full
// disk: key-full-disk.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/pipeline.js';
import { root } from '../helpers.js';
import { CASES, gen, here, inFlight, landed, pairOf, prepare, repaired } from './key-crash-support.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

describe('key commands killed at each crash point', () => {
  for (const c of CASES) {
    it.each(c.points)(`${c.name}, killed at %s: the old or the new pair, then repaired`, async (point) => {
      const dir = tempDir('gen-key-crash-');
      prepare(dir);
      const killed = gen(dir, c.args, { GEN_TEST_CRASH_AT: point });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      // Right after the kill the topology is whole and clean either way.
      expect((await lintText(readFileSync(join(dir, 'topology.yaml'), 'utf8'))).diagnostics).toEqual([]);
      const after = await repaired(dir, c);
      expect(landed(c.points, point) ? c.isNew(after) : c.isOld(after), JSON.stringify(after)).toBe(true);
      expect(inFlight(dir)).toEqual([]);
      // And the command works from there.
      if (!landed(c.points, point)) {
        const again = await here(dir, c.args);
        expect([again.code, again.stderr]).toEqual([0, expect.any(String)]);
        expect(c.isNew(pairOf(dir, c.owner))).toBe(true);
      }
    });
  }

  it('every crash point is reached (a wrong name would make the kill tests pass on nothing)', () => {
    const source = readFileSync(join(root, 'src/wg/key-change.ts'), 'utf8');
    for (const point of ['wg:key-staged', 'wg:topology-written', 'wg:key-installed', 'wg:key-retired']) expect(source).toContain(`crashPoint('${point}')`);
  });
});
