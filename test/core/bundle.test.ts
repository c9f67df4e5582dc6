// The single-file bundle (fast start) behaves exactly like the modules.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
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

  it('builds the same files as the compiled modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-bundle-'));
    const run = (out: string, env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'build', '--out', join(dir, out)], { cwd: root, env: { ...process.env, ...env } });
    expect(run('bundled', {}).status).toBe(0);
    expect(run('modules', { GEN_NO_BUNDLE: '1' }).status).toBe(0);
    expect(tree(join(dir, 'bundled'))).toEqual(tree(join(dir, 'modules')));
  });
});
