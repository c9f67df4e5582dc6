// What a start of `gen lint` and `gen build` sets up: only what the run
// needs, so that a rerun on a small topology costs little more than Node's
// own start. Guarded by what is loaded and set up, not by time.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

const bundle = join(root, 'dist/gen.cjs');

describe.skipIf(!existsSync(bundle))('the code caches of the bundle', () => {
  it('gen lint reads one recorded by a lint alone, smaller than the one of every other command, and V8 accepts both', () => {
    const lintCache = `${bundle}.lint.cache`;
    expect(existsSync(lintCache)).toBe(true);
    // V8 reads a whole cache at start: the lint's holds nothing that only a build compiles.
    expect(statSync(lintCache).size).toBeLessThan(0.9 * statSync(`${bundle}.cache`).size);
    for (const command of ['lint', 'build']) {
      // In a process of its own, as gen starts: V8 refuses a cache whose flags differ.
      const loader = JSON.stringify(join(root, 'bin/bundle-loader.js'));
      const probe = `const { cacheFile, loadBundle } = require(${loader}); const { script } = loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(command)}); process.stdout.write(cacheFile(${JSON.stringify(bundle)}, ${JSON.stringify(command)}) + ' ' + script.cachedDataRejected);`;
      const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${command === 'lint' ? lintCache : `${bundle}.cache`} false`);
    }
  });
});
