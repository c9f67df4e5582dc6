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
  /** A lint of the default topology with stdout as given and stderr in a pipe, and the modules Node loaded for it. */
  function lintWith(stdout: number | 'pipe', args: string[] = []) {
    const dir = scratch();
    const log = join(dir, 'modules.txt');
    const preload = join(dir, 'record.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, process.moduleLoadList.join('\\n')));\n`);
    const r = spawnSync(process.execPath, ['--require', preload, bin, 'lint', ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', stdout, 'pipe'] });
    return { ...r, modules: readFileSync(log, 'utf8').split('\n') };
  }

  it('a lint with stdout in a file and stderr in a pipe (as under CI) loads no node:net when it has nothing to report', () => {
    const out = join(tempDir('gen-streams-out-'), 'report.txt');
    const r = lintWith(openSync(out, 'w'));
    expect([r.status, r.stderr, readFileSync(out, 'utf8')]).toEqual([0, '', 'topology.yaml: no problems\n']);
    expect(r.modules).not.toContain('NativeModule net');
  });

  it('a lint writes its report to a file or /dev/null without making the stream Node has for it (node:stream and some twenty modules)', () => {
    // Node serves such an output with a SyncWriteStream, which only calls
    // writeSync; making it loaded node:stream with the modules behind it.
    const dir = tempDir('gen-streams-out-');
    for (const args of [[], ['--format', 'json']]) {
      const out = join(dir, `report-${args.length}.txt`);
      const file = lintWith(openSync(out, 'w'), args);
      const piped = lintWith('pipe', args);
      // The same report as through Node's stream (a pipe keeps it).
      expect([file.status, file.stderr, readFileSync(out, 'utf8')]).toEqual([0, '', piped.stdout]);
      expect(piped.modules).toContain('NativeModule stream');
      const devNull = lintWith(openSync('/dev/null', 'w'), args);
      expect([devNull.status, devNull.stderr]).toEqual([0, '']);
      for (const run of [file, devNull]) {
        expect(run.modules).not.toContain('NativeModule stream');
        expect(run.modules).not.toContain('NativeModule internal/fs/sync_write_stream');
      }
    }
    expect(readFileSync(join(dir, 'report-0.txt'), 'utf8')).toBe('topology.yaml: no problems\n');
  });

  it('a file that refuses the report (opened for reading only) is one sentence on stderr, as a failing stream is', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'read-only.txt'), '');
    for (const command of ['lint', 'rules']) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" ${command} 1< read-only.txt`], { cwd: dir, encoding: 'utf8' });
      expect([r.status, r.stderr], command).toEqual([1, 'gen: cannot write to standard output: ebadf (EBADF)\n']);
    }
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
