// A lint of a small topology loads no node:crypto (nor Web Crypto): loading
// it took a few milliseconds of a start that the lint itself barely
// exceeds. What loads it instead: the partition's words of a list of more
// than 128 rules (src/resolve/partition.ts), the sha256 of out/'s files and
// the keys, none of which a lint of a small topology needs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

/** Node's built-in modules that a run of gen loaded (process.moduleLoadList at exit), and its exit code. */
function builtins(args: string[], bundled: boolean): { code: number | null; modules: string[] } {
  const dir = tempDir('gen-builtins-');
  const log = join(dir, 'modules.txt');
  const preload = join(dir, 'record.cjs');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, process.moduleLoadList.join('\\n')));\n`);
  const env = Object.assign({}, process.env, { NO_COLOR: '1' });
  if (bundled) delete env.GEN_NO_BUNDLE;
  else env.GEN_NO_BUNDLE = '1';
  const r = spawnSync(process.execPath, ['--require', preload, bin].concat(args), { cwd: root, encoding: 'utf8', env });
  return { code: r.status, modules: readFileSync(log, 'utf8').split('\n') };
}

const crypto = (modules: string[]) => modules.filter((m) => /crypto/i.test(m));

describe('gen lint of a small topology', () => {
  for (const bundled of [true, false]) {
    it.skipIf(bundled && !existsSync(join(root, 'dist/gen.cjs')))(`loads no crypto module (${bundled ? 'the bundle' : 'the compiled modules'})`, () => {
      for (const file of Object.values(EXAMPLES)) {
        const run = builtins(['lint', file], bundled);
        expect(run.code, file).toBe(0);
        expect(run.modules).toContain('NativeModule fs');
        expect(crypto(run.modules), file).toEqual([]);
      }
      // The record sees crypto where a command uses it.
      expect(crypto(builtins(['wg', 'keygen'], bundled).modules)).toContain('NativeModule crypto');
    });
  }
});
