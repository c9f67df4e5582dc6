// A first build sets the mode of a staged file on its descriptor only where
// the directory's first file was not created 0644 already (the umask or a
// default ACL decides that, the same for every file of the directory): with
// the usual umask, 10,000 files cost no fchmod at all. The count of fchmod
// calls is the measure, not time; every file still ends up 0644.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', async (original) => {
  const actual = await original<typeof import('node:fs')>();
  return Object.assign({}, actual, { fchmodSync: vi.fn(actual.fchmodSync), fstatSync: vi.fn(actual.fstatSync) });
});

// Test files share their worker's modules (vitest.config.ts: isolate false): gen's modules are loaded
// anew here, after the mock, so that the counted functions are the ones gen calls.
vi.resetModules();
const fs = await import('node:fs');
const { emitTree } = await import('../../src/emit.js');

/** 1,000 files in three directories (and the root's MANIFEST). */
function tree(): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < 1000; i++) files.set(`${['a', 'b/c', 'b/d'][i % 3]}/f${i}.txt`, `file ${i}\n`);
  return files;
}

function build(mask: number): { dir: string; fchmods: number; fstats: number } {
  const dir = join(fs.mkdtempSync(join(tmpdir(), 'gen-staged-modes-')), 'out');
  vi.mocked(fs.fchmodSync).mockClear();
  vi.mocked(fs.fstatSync).mockClear();
  const previous = process.umask(mask);
  try {
    emitTree(dir, tree());
  } finally {
    process.umask(previous);
  }
  return { dir, fchmods: vi.mocked(fs.fchmodSync).mock.calls.length, fstats: vi.mocked(fs.fstatSync).mock.calls.length };
}

function modes(dir: string): Set<number> {
  const found = new Set<number>();
  for (const path of tree().keys()) found.add(fs.statSync(join(dir, path)).mode & 0o7777);
  found.add(fs.statSync(join(dir, 'MANIFEST')).mode & 0o7777);
  return found;
}

describe('the modes of a staged tree', () => {
  it('sets no mode where files are created 0644, and looks once per directory', () => {
    const { dir, fchmods, fstats } = build(0o022);
    expect(modes(dir)).toEqual(new Set([0o644]));
    expect(fchmods).toBe(0);
    // a, b/c, b/d and the root (MANIFEST).
    expect(fstats).toBeLessThanOrEqual(4);
    fs.rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('sets the mode of every file where the umask takes bits from 0644', () => {
    const { dir, fchmods } = build(0o077);
    expect(modes(dir)).toEqual(new Set([0o644]));
    expect(fchmods).toBe(1001);
    fs.rmSync(join(dir, '..'), { recursive: true, force: true });
  });
});
