// The single-file bundle (fast start) behaves exactly like the modules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, readTree as tree } from '../helpers.js';

const bundle = join(root, 'dist/gen.cjs');

describe.skipIf(!existsSync(bundle))('bundle', () => {
  it('V8 accepts its code cache on this Node', async () => {
    const { loadBundle } = (await import(join(root, 'bin/bundle-loader.js'))) as { loadBundle: (f: string) => { script: { cachedDataRejected?: boolean } } };
    expect(loadBundle(bundle).script.cachedDataRejected).toBe(false);
  });

  it('starts without Node\'s ES module loader and with no UTF-8 decoding of the bundle', () => {
    // gen.js and bundle-loader.js are CommonJS and the bundle needs no
    // import(): loading the ES module loader (for an ES module entry, or by
    // node:module's createRequire) cost a tenth of a short run.
    const dir = mkdtempSync(join(tmpdir(), 'gen-start-'));
    const preload = join(dir, 'report.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeSync(2, '\\nloaded: ' + JSON.stringify(process.moduleLoadList.filter((m) => m.includes('esm/loader'))) + '\\n'));\n`);
    for (const args of [['lint'], ['--version']]) {
      const r = spawnSync(process.execPath, ['-r', preload, join(root, 'bin/gen.js'), ...args], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('\nloaded: []\n');
    }
    // The loader reads it as latin1, which is the same string only for ASCII.
    expect(readFileSync(bundle).every((byte) => byte < 0x80)).toBe(true);
  });

  it('builds the same files as the compiled modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-bundle-'));
    const run = (out: string, env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'build', '--out', join(dir, out)], { cwd: root, env: { ...process.env, ...env } });
    expect(run('bundled', {}).status).toBe(0);
    expect(run('modules', { GEN_NO_BUNDLE: '1' }).status).toBe(0);
    expect(tree(join(dir, 'bundled'))).toEqual(tree(join(dir, 'modules')));
  });
});
