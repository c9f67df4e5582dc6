// bin/gen.js handles the errors of stdout and stderr (a closed pipe, a full
// disk) on the streams it is given, set up when the run first uses each: a
// lint that writes nothing to a piped stderr does not make that stream, nor
// load node:net for it.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

function scratch(): string {
  const dir = tempDir('gen-streams-');
  copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
  return dir;
}

describe('the standard streams of a run', () => {
  it('a lint with stdout in a file and stderr in a pipe (as under CI) loads no node:net when it has nothing to report', () => {
    const dir = scratch();
    const log = join(dir, 'modules.txt');
    const preload = join(dir, 'record.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, process.moduleLoadList.join('\\n')));\n`);
    const out = join(dir, 'report.txt');
    const r = spawnSync(process.execPath, ['--require', preload, bin, 'lint'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', openSync(out, 'w'), 'pipe'] });
    expect([r.status, r.stderr, readFileSync(out, 'utf8')]).toEqual([0, '', 'topology.yaml: no problems\n']);
    const modules = readFileSync(log, 'utf8').split('\n');
    expect(modules).toContain('NativeModule internal/fs/sync_write_stream');
    expect(modules).not.toContain('NativeModule net');
  });

  it('a closed stderr (gen build 2>&1 >/dev/null | head -0) ends the build done, with its own exit code', async () => {
    const dir = scratch();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [bin, 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.destroy();
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'out', 'MANIFEST'))).toBe(true);
  });

  it('a failing stdout is still one sentence on stderr once the run writes to it', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" lint > /dev/full`], { cwd: scratch(), encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([1, 'gen: cannot write to standard output: no space left on the device (ENOSPC)\n']);
  });
});
