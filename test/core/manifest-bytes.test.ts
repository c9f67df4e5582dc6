// A build encodes its MANIFEST once, a block of lines at a time, into the
// bytes it writes and hashes: made as one text first, the MANIFEST of 100,000 peers
// was a string per line, their join, then two encodings of the 10 MB text
// (one to write it, one for the sha256 in the record of inputs). The
// measure is what the encoders and the hash are handed, not time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

vi.mock('node:crypto', async (original) => {
  const actual = await original<typeof import('node:crypto')>();
  return { ...actual, hash: vi.fn(actual.hash), createHash: vi.fn(actual.createHash) };
});

// Test files share their worker's modules (isolate false): gen's modules are loaded anew here, after the mock.
vi.resetModules();
const crypto = await import('node:crypto');
const { emitTree } = await import('../../src/emit.js');
const { MANIFEST_MARK, manifestBytes, manifestOf, sha256 } = await import('../../src/manifest.js');
const { staleFiles } = await import('../../src/stale.js');

afterEach(() => vi.restoreAllMocks());

const bufferWrite = Buffer.prototype.write;

/** The longest text handed to a UTF-8 encoder (Buffer's write) or to sha256 while `run` runs. */
function longestTextEncoded(run: () => void): number {
  let longest = 0;
  const see = (value: unknown): void => {
    if (typeof value === 'string') longest = Math.max(longest, value.length);
  };
  const spy = vi.spyOn(Buffer.prototype, 'write').mockImplementation(function (this: Buffer, ...args: unknown[]) {
    see(args[0]);
    return (bufferWrite as (...args: unknown[]) => number).apply(this, args);
  });
  const actualHash = vi.mocked(crypto.hash).getMockImplementation()!;
  vi.mocked(crypto.hash).mockImplementation((algorithm, data, ...rest) => {
    see(data);
    return actualHash(algorithm, data, ...rest);
  });
  const actualCreateHash = vi.mocked(crypto.createHash).getMockImplementation()!;
  vi.mocked(crypto.createHash).mockImplementation((...args) => {
    const hasher = actualCreateHash(...args);
    const update = hasher.update.bind(hasher);
    hasher.update = ((data: string | NodeJS.ArrayBufferView, ...rest: []) => {
      see(data);
      return update(data, ...rest);
    }) as typeof hasher.update;
    return hasher;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
    vi.mocked(crypto.hash).mockImplementation(actualHash);
    vi.mocked(crypto.createHash).mockImplementation(actualCreateHash);
  }
  return longest;
}

describe('the MANIFEST of a tree', () => {
  it('is the UTF-8 of its mark and one sha256sum line per file, by UTF-16 code unit', () => {
    const paths = ['site/b.conf', 'site/a-b/x', 'site/a/x', 'site/é.conf', 'site/日本.conf', 'site/😀.conf', 'site/\uffff.conf', 'site/Z.conf'];
    const hashes = new Map(paths.map((path) => [path, sha256(path)]));
    const expected = `${MANIFEST_MARK}\n${[...paths]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((path) => `${sha256(path)}  ${path}\n`)
      .join('')}`;
    expect(manifestBytes(hashes).equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(manifestOf(hashes)).toBe(expected);
    // '-' (0x2d) comes before '/' (0x2f), and a surrogate pair (0xd83d) before U+FFFF.
    expect(expected.split('\n').map((line) => line.slice(66)).slice(1, -1)).toEqual(['site/Z.conf', 'site/a-b/x', 'site/a/x', 'site/b.conf', 'site/é.conf', 'site/日本.conf', 'site/😀.conf', 'site/\uffff.conf']);
  });

  it('is encoded a block of lines at a time by a build and by a check, never as one text', () => {
    const files = new Map<string, string>(Array.from({ length: 5_000 }, (_, i) => [`site/wireguard/peer-${i}.conf`, `peer ${i}\n`]));
    const out = join(tempDir('gen-manifest-bytes-'), 'out');
    const longest = longestTextEncoded(() => expect(emitTree(out, files)).toBe(true));
    const manifest = readFileSync(join(out, 'MANIFEST'), 'utf8');
    expect(manifest.split('\n')).toHaveLength(5_002);
    expect(manifest).toContain(`${sha256('peer 4999\n')}  site/wireguard/peer-4999.conf\n`);
    // A block of 1,024 lines (about 98,000 characters): the MANIFEST (about 480,000) as one string was handed to both.
    expect(longest).toBeLessThan(manifest.length / 4);
    expect(longestTextEncoded(() => expect(staleFiles(out, files)).toEqual([]))).toBeLessThan(manifest.length / 4);
    // An update (whose journal names the previous MANIFEST by the sha256 of the text it read) writes these bytes, and
    // the next build finds them as they are without making the text.
    const changed = new Map(files).set('site/wireguard/peer-7.conf', 'changed\n');
    expect(emitTree(out, changed)).toBe(true);
    expect(readFileSync(join(out, 'MANIFEST')).equals(manifestBytes(new Map([...changed].map(([path, text]) => [path, sha256(text)]))))).toBe(true);
    expect(longestTextEncoded(() => expect(emitTree(out, changed)).toBe(false))).toBeLessThan(manifest.length / 4);
  });
});
