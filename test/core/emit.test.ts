// Atomic, deterministic output trees with a verifiable MANIFEST.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitTree, EmitError, manifest, recover, stagedName } from '../../src/emit.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'gen-emit-'));
}

describe('emitTree', () => {
  it('writes every file and a MANIFEST that sha256sum verifies', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'alpha\n'], ['site/b/c.conf', 'gamma\n']]));
    expect(readFileSync(join(out, 'site/b/c.conf'), 'utf8')).toBe('gamma\n');
    const lines = readFileSync(join(out, 'MANIFEST'), 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split('  ')[1])).toEqual(['a.txt', 'site/b/c.conf']);
    expect(lines[0]).toMatch(/^[0-9a-f]{64}  a\.txt$/);
    const verified = execFileSync('sha256sum', ['-c', 'MANIFEST'], { cwd: out, encoding: 'utf8' });
    expect(verified).toBe('a.txt: OK\nsite/b/c.conf: OK\n');
    expect(statSync(out).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('removes files an earlier build produced and this one does not', () => {
    const out = join(scratch(), 'out');
    emitTree(out, new Map([['old.txt', 'x\n'], ['keep.txt', 'y\n']]));
    emitTree(out, new Map([['keep.txt', 'y\n']]));
    expect(readdirSync(out).sort()).toEqual(['MANIFEST', 'keep.txt']);
  });

  it('refuses to replace a directory gen did not write', () => {
    const dir = scratch();
    const out = join(dir, 'home');
    mkdirSync(out);
    writeFileSync(join(out, 'precious.txt'), 'mine\n');
    expect(() => emitTree(out, new Map([['a.txt', 'a\n']]))).toThrow(EmitError);
    expect(readFileSync(join(out, 'precious.txt'), 'utf8')).toBe('mine\n');
  });

  it('refuses paths that leave the tree, and files without a final newline', () => {
    const out = join(scratch(), 'out');
    expect(() => emitTree(out, new Map([['../evil', 'x\n']]))).toThrow(/not a plain relative path/);
    expect(() => emitTree(out, new Map([['/etc/x', 'x\n']]))).toThrow(/not a plain relative path/);
    expect(() => emitTree(out, new Map([['a', 'no newline']]))).toThrow(/final|newline/);
    expect(existsSync(out)).toBe(false);
  });

  it('repairs what a run killed between its two renames left behind', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'previous\n']]));
    // A dead process (pid far above pid_max) moved out/ aside and left its new tree.
    const staging = tmpdir();
    const old = join(staging, `${stagedName(out, 'old', 999999999)}abcdef`);
    const half = join(staging, `${stagedName(out, 'tmp', 999999999)}ghijkl`);
    renameSync(out, old);
    mkdirSync(half);
    writeFileSync(join(half, 'a.txt'), 'half\n');
    recover(out);
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('previous\n');
    expect([existsSync(old), existsSync(half)]).toEqual([false, false]);
  });

  it('stages in the system temporary directory, leaving nothing beside out/', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'one\n']]));
    emitTree(out, new Map([['a.txt', 'two\n']]));
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readdirSync(tmpdir()).filter((e) => e.startsWith(stagedName(out, 'tmp', process.pid).slice(0, 18)))).toEqual([]);
  });

  it('leaves an unchanged tree untouched', () => {
    const out = join(scratch(), 'out');
    const files = new Map([['a.txt', 'same\n']]);
    expect(emitTree(out, files)).toBe(true);
    const before = statSync(join(out, 'a.txt'));
    expect(emitTree(out, files)).toBe(false);
    const after = statSync(join(out, 'a.txt'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(emitTree(out, new Map([['a.txt', 'changed\n']]))).toBe(true);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('changed\n');
  });

  it('manifest() is sorted and stable', () => {
    const a = manifest(new Map([['b', 'x\n'], ['a', 'y\n']]));
    const b = manifest(new Map([['a', 'y\n'], ['b', 'x\n']]));
    expect(a).toBe(b);
    expect(a.split('\n')[0]).toMatch(/  a$/);
  });
});
