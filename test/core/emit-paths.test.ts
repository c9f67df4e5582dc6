// An update of out/ looks at each file it did not change once (its status,
// to tell whether someone changed it since): the path of each is made
// without normalizing it (path.join for 10,000 files took 14 to 18 ms, a
// template 0.1 ms). The count of path.join calls is the measure, not time.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

vi.mock('node:path', async (original) => {
  const actual = await original<typeof import('node:path')>();
  return { ...actual, join: vi.fn(actual.join) };
});

// Test files share their worker's modules (isolate false): gen's modules are loaded anew here, after the mock.
vi.resetModules();
const path = await import('node:path');
const { emitTree } = await import('../../src/emit.js');

describe('an update of many files', () => {
  it('makes no normalized path for each file it leaves', () => {
    const files = new Map<string, string>(Array.from({ length: 2_000 }, (_, i) => [`site/wireguard/peer-${i}.conf`, `peer ${i}\n`]));
    const out = join(tempDir('gen-emit-paths-'), 'out');
    expect(emitTree(out, files)).toBe(true);
    vi.mocked(path.join).mockClear();
    expect(emitTree(out, new Map(files).set('site/wireguard/peer-7.conf', 'changed\n'))).toBe(true);
    // A few for the tree, its MANIFEST and the changed file; the old update joined out/ and each of the 2,000 paths.
    expect(vi.mocked(path.join).mock.calls.length).toBeLessThan(100);
    expect(readFileSync(join(out, 'site/wireguard/peer-7.conf'), 'utf8')).toBe('changed\n');
    expect(readFileSync(join(out, 'site/wireguard/peer-8.conf'), 'utf8')).toBe('peer 8\n');
    // A file changed by hand is still found through that path, and put back.
    writeFileSync(join(out, 'site/wireguard/peer-9.conf'), 'peer 0\n');
    expect(emitTree(out, new Map(files).set('site/wireguard/peer-7.conf', 'changed\n'))).toBe(true);
    expect(readFileSync(join(out, 'site/wireguard/peer-9.conf'), 'utf8')).toBe('peer 9\n');
  });
});
