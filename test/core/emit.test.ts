// Atomic, deterministic output trees with a verifiable MANIFEST, replaced
// only when gen can prove it wrote them.
import { execFileSync, spawn } from 'node:child_process';
import { type PathOrFileDescriptor, chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { BinaryToTextEncoding } from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { emitRendered, emitTree, EmitError, manifest, recover } from '../../src/emit.js';
import { EARLIER_MANIFEST_MARKS, MANIFEST_MARK, MANIFEST_MARK_LINES, parseManifest, sha256 } from '../../src/manifest.js';
import { holdsGenManifest } from '../../src/io/output-path.js';
import { buildLockOf, createStage, stagesOf } from '../../src/io/staging.js';
import { ArrivingFiles, StagedDirectory } from '../../src/io/tree-files.js';
import { UTF8_PIECE } from '../../src/io/utf8-scratch.js';
import { ownedTree } from '../../src/output-tree.js';
import { readExample, render } from '../helpers.js';
import { stageOwnedBy, tag } from '../lock-owner.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { pause, stamps } from '../tree-stamps.js';

removeTempDirsAfterAll();

function scratch(): string {
  return tempDir('gen-emit-');
}

const umask = (mask: number, action: () => void) => {
  const previous = process.umask(mask);
  try {
    action();
  } finally {
    process.umask(previous);
  }
};

describe('emitTree', () => {
  it('writes every file and a MANIFEST that sha256sum verifies, with gen\'s mark as its first line', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'alpha\n'], ['site/b/c.conf', 'gamma\n']]));
    expect(readFileSync(join(out, 'site/b/c.conf'), 'utf8')).toBe('gamma\n');
    const lines = readFileSync(join(out, 'MANIFEST'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(MANIFEST_MARK);
    expect(lines.slice(1).map((l) => l.split('  ')[1])).toEqual(['a.txt', 'site/b/c.conf']);
    expect(lines[1]).toMatch(/^[0-9a-f]{64}  a\.txt$/);
    const verified = execFileSync('sha256sum', ['--strict', '-c', 'MANIFEST'], { cwd: out, encoding: 'utf8' });
    expect(verified).toBe('a.txt: OK\nsite/b/c.conf: OK\n');
    expect(statSync(out).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('writes each file\'s own UTF-8 bytes, whatever the sizes and characters of the files written before it', () => {
    // One buffer encodes every file: it grows past its first 64 KiB, and a
    // short file after a long one must not carry the long one's tail.
    const files = new Map([
      ['a-short.txt', 'é\n'],
      ['b-long.txt', `${'ü€😀'.repeat(40_000)}\n`],
      ['c-short.txt', 'x\n'],
      ['d-empty-line.txt', '\n'],
      ['e-longer.txt', `${'a'.repeat(300_000)}\n`],
      ['f-short.txt', '漢字\n'],
    ]);
    const out = join(scratch(), 'out');
    emitTree(out, files);
    for (const [path, content] of files) {
      expect(readFileSync(join(out, path)).equals(Buffer.from(content, 'utf8')), path).toBe(true);
      expect(statSync(join(out, path)).size, path).toBe(Buffer.byteLength(content));
    }
    expect(execFileSync('sha256sum', ['--strict', '-c', 'MANIFEST'], { cwd: out, encoding: 'utf8' }).split('\n').filter(Boolean)).toHaveLength(files.size);
    // The same through the update path (changed files only).
    const changed = new Map(files).set('c-short.txt', `${'ж'.repeat(50_000)}\n`).set('b-long.txt', 'now short\n');
    emitTree(out, changed);
    for (const [path, content] of changed) expect(readFileSync(join(out, path), 'utf8'), path).toBe(content);
    expect(execFileSync('sha256sum', ['--strict', '-c', 'MANIFEST'], { cwd: out, encoding: 'utf8' }).split('\n').filter(Boolean)).toHaveLength(changed.size);
  });

  it('hashes the bytes it encodes: no file is hashed as a string, which would encode it a second time', () => {
    // node:crypto's exports, replaced where gen's modules see them (syncBuiltinESMExports).
    const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const original = crypto.hash;
    const hashed: unknown[] = [];
    crypto.hash = ((algorithm: string, data: string | Uint8Array, encoding: BinaryToTextEncoding) => {
      hashed.push(data);
      return original(algorithm, data, encoding);
    }) as typeof crypto.hash;
    syncBuiltinESMExports();
    const files = new Map([
      ['a.txt', 'é\n'],
      ['site/b.conf', `${'ü'.repeat(70_000)}\n`],
    ]);
    const out = join(scratch(), 'out');
    try {
      emitTree(out, files);
      emitTree(out, new Map(files).set('a.txt', 'changed\n'));
    } finally {
      crypto.hash = original;
      syncBuiltinESMExports();
    }
    // Each build hashes every file; the update also hashes the MANIFEST it replaces (its journal names it).
    expect(hashed.length).toBeGreaterThanOrEqual(4);
    expect(hashed.filter((data) => typeof data === 'string' && !data.startsWith(MANIFEST_MARK))).toEqual([]);
  });

  it('measures no text apart from encoding it, in a build and in an update of 2,000 files', () => {
    const files = new Map(Array.from({ length: 2000 }, (_, i) => [`site/peer-${i}.conf`, `peer ${i} é\n`.repeat(1 + (i % 7))] as const));
    const out = join(scratch(), 'out');
    const byteLength = vi.spyOn(Buffer, 'byteLength');
    try {
      emitTree(out, files);
      emitTree(out, new Map(files).set('site/peer-7.conf', 'changed\n'));
      // Encoding each text into a buffer with room for it, and an update's check of each file's size, measured every text again.
      expect(byteLength.mock.calls.length).toBeLessThan(10);
    } finally {
      byteLength.mockRestore();
    }
    expect(readFileSync(join(out, 'site/peer-7.conf'), 'utf8')).toBe('changed\n');
    expect(readFileSync(join(out, 'site/peer-8.conf'), 'utf8')).toBe(files.get('site/peer-8.conf'));
    expect(parseManifest(readFileSync(join(out, 'MANIFEST'), 'utf8'))!.get('site/peer-8.conf')).toBe(sha256(Buffer.from(files.get('site/peer-8.conf')!, 'utf8')));
  });

  it('sorts the paths once per build and per update of 2,000 files: the MANIFEST and the digest of sizes share the order', () => {
    const files = new Map<string, string>(Array.from({ length: 2000 }, (_, i) => [`site/peer-${(i * 7919) % 2000}.conf`, `peer ${i}\n`]));
    const out = join(scratch(), 'out');
    const sort = vi.spyOn(Array.prototype, 'sort');
    // Sorts of every path (a directory's entries are sorted too, by name: those are not paths).
    const sortsOfAll = () => sort.mock.contexts.filter((list) => (list as unknown[]).length === files.size && String((list as unknown[])[0]).startsWith('site/')).length;
    try {
      emitTree(out, files);
      expect(sortsOfAll()).toBe(1);
      emitTree(out, new Map(files).set('site/peer-7.conf', 'changed\n'));
      expect(sortsOfAll()).toBe(2);
    } finally {
      sort.mockRestore();
    }
    const listed = [...parseManifest(readFileSync(join(out, 'MANIFEST'), 'utf8'))!.keys()];
    expect(listed).toEqual([...files.keys()].sort());
  });

  it('encodes a long file a piece at a time, never half of a surrogate pair, with the bytes and sha256 of the whole', () => {
    // The filter rules of 10,000 peers are one 38 MB text: encoded whole, it kept a buffer of that size to the end.
    const piece = UTF8_PIECE;
    const chars = Array.from({ length: 4 * piece + 10 }, (_, i) => 'aé€'[i % 3]!);
    const put = (at: number, text: string) => chars.splice(at, text.length, ...text);
    put(piece - 1, '😀'); // a pair across the first cut
    put(2 * piece - 1, '\ud83dx'); // a lone high surrogate where the second cut falls
    put(3 * piece, '\ude00'); // a lone low surrogate just after the third
    const long = `${chars.join('')}\n`;
    const files = new Map([['big/filter.xml', long], ['small.txt', 'é\n']]);
    const out = join(scratch(), 'out');
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      emitTree(out, files);
      // The update path hashes every file first, then writes the changed ones.
      emitTree(out, new Map(files).set('small.txt', 'changed\n').set('big/filter.xml', `x${long}`));
      const largest = Math.max(...allocUnsafe.mock.calls.map(([size]) => size));
      expect(largest).toBeLessThanOrEqual(3 * piece);
    } finally {
      allocUnsafe.mockRestore();
    }
    expect(readFileSync(join(out, 'big/filter.xml')).equals(Buffer.from(`x${long}`, 'utf8'))).toBe(true);
    expect(parseManifest(readFileSync(join(out, 'MANIFEST'), 'utf8'))!.get('big/filter.xml')).toBe(sha256(Buffer.from(`x${long}`, 'utf8')));
    const fresh = join(scratch(), 'out');
    emitTree(fresh, files);
    expect(readFileSync(join(fresh, 'big/filter.xml')).equals(Buffer.from(long, 'utf8'))).toBe(true);
    expect(execFileSync('sha256sum', ['--strict', '-c', 'MANIFEST'], { cwd: fresh, encoding: 'utf8' })).toBe('big/filter.xml: OK\nsmall.txt: OK\n');
  });

  it('creates every directory 0755 and every file 0644 whatever the umask', () => {
    for (const mask of [0o000, 0o077]) {
      const dir = scratch();
      umask(mask, () => emitTree(join(dir, 'deep/out'), new Map([['aws/terraform/x.tf', 'x\n'], ['a.txt', 'a\n']])));
      for (const d of ['deep', 'deep/out', 'deep/out/aws', 'deep/out/aws/terraform']) expect([d, statSync(join(dir, d)).mode & 0o777]).toEqual([d, 0o755]);
      for (const f of ['deep/out/a.txt', 'deep/out/aws/terraform/x.tf', 'deep/out/MANIFEST']) expect([f, statSync(join(dir, f)).mode & 0o777]).toEqual([f, 0o644]);
    }
  });

  it('removes files an earlier build produced and this one does not', () => {
    const out = join(scratch(), 'out');
    emitTree(out, new Map([['old.txt', 'x\n'], ['keep.txt', 'y\n']]));
    emitTree(out, new Map([['keep.txt', 'y\n']]));
    expect(readdirSync(out).sort()).toEqual(['MANIFEST', 'keep.txt']);
  });

  it('refuses paths that leave the tree, and files without a final newline', () => {
    const out = join(scratch(), 'out');
    expect(() => emitTree(out, new Map([['../evil', 'x\n']]))).toThrow(/not a plain relative path/);
    expect(() => emitTree(out, new Map([['/etc/x', 'x\n']]))).toThrow(/not a plain relative path/);
    expect(() => emitTree(out, new Map([['a', 'no newline']]))).toThrow(/final|newline/);
    expect(existsSync(out)).toBe(false);
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

  it('manifest() is sorted and stable, and parseManifest() reads it back', () => {
    const a = manifest(new Map([['b', 'x\n'], ['a', 'y\n']]));
    const b = manifest(new Map([['a', 'y\n'], ['b', 'x\n']]));
    expect(a).toBe(b);
    expect(a.split('\n')[1]).toMatch(/  a$/);
    expect([...parseManifest(a)!.keys()]).toEqual(['a', 'b']);
    expect(parseManifest(manifest(new Map()))).toEqual(new Map());
  });
});

describe('incremental updates: only what changed is written', () => {
  it('a one-peer change gives new mtimes to the changed files only; removed files disappear, new ones appear', async () => {
    const previous = readExample('homelab');
    const next = previous.replace('address: 10.0.1.3\n', 'address: 10.0.1.4\n').replace('- name: laptop-john\n', '- name: laptop-jane\n');
    const [before, after] = [await render(previous), await render(next)];
    const out = join(scratch(), 'out');
    expect(emitTree(out, before)).toBe(true);
    const old = stamps(out);
    pause(20);
    expect(emitTree(out, after)).toBe(true);
    const now = stamps(out);
    const changed = [...after.keys()].filter((path) => before.has(path) && before.get(path) !== after.get(path));
    const added = [...after.keys()].filter((path) => !before.has(path));
    const removed = [...before.keys()].filter((path) => !after.has(path));
    expect(changed.length).toBeGreaterThan(0);
    expect(added.sort()).toEqual(['home/wireguard/laptop-jane-lan.conf', 'home/wireguard/laptop-jane.conf']);
    expect(removed.sort()).toEqual(['home/wireguard/laptop-john-lan.conf', 'home/wireguard/laptop-john.conf']);
    const touched = [...now.keys()].filter((path) => JSON.stringify(now.get(path)) !== JSON.stringify(old.get(path)));
    expect(touched.sort()).toEqual([...changed, ...added, 'MANIFEST'].sort());
    expect(touched.length).toBeLessThan(now.size / 2);
    for (const path of removed) expect(existsSync(join(out, path))).toBe(false);
    expect([...now.keys()].sort()).toEqual([...after.keys(), 'MANIFEST'].sort());
    for (const [path, content] of after) expect(readFileSync(join(out, path), 'utf8')).toBe(content);
    expect(execFileSync('sha256sum', ['--strict', '-c', '--quiet', 'MANIFEST'], { cwd: out, encoding: 'utf8' })).toBe('');
    expect(stagesOf(out)).toEqual([]);
  });

  it('reads no file of out/ back in the next build: its MANIFEST is stamped after every file it lists, by a first build and by an update', () => {
    // node:fs's exports, replaced where gen's modules see them (syncBuiltinESMExports).
    const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
    const out = join(scratch(), 'out');
    const readBack = (action: () => boolean): { written: boolean; read: string[] } => {
      const original = fs.readFileSync;
      const read: string[] = [];
      fs.readFileSync = ((path: PathOrFileDescriptor, ...rest: never[]) => {
        read.push(String(path));
        return original(path, ...rest);
      }) as typeof fs.readFileSync;
      syncBuiltinESMExports();
      try {
        const written = action();
        return { written, read: read.filter((path) => path.startsWith(`${out}/`) && path !== join(out, 'MANIFEST')) };
      } finally {
        fs.readFileSync = original;
        syncBuiltinESMExports();
      }
    };
    const files = new Map([['a.txt', 'alpha\n'], ['big/plan.json', '{"peer": 1}\n'.repeat(100_000)], ['b.txt', 'bravo\n']]);
    // Written within a tick of the clock that stamps a ctime: the files and the MANIFEST shared one, and each was read back.
    emitTree(out, files);
    expect(readBack(() => emitTree(out, files.set('a.txt', 'alpha 2\n')))).toEqual({ written: true, read: [] });
    expect(readBack(() => emitTree(out, files.set('big/plan.json', '{"peer": 2}\n'.repeat(100_000))))).toEqual({ written: true, read: [] });
    expect(readBack(() => emitTree(out, files))).toEqual({ written: false, read: [] });
    const stamped = lstatSync(join(out, 'MANIFEST')).ctimeMs;
    for (const path of files.keys()) expect(lstatSync(join(out, path)).ctimeMs, path).toBeLessThan(stamped);
    for (const [path, content] of files) expect(readFileSync(join(out, path), 'utf8'), path).toBe(content);
    expect(execFileSync('sha256sum', ['--strict', '-c', '--quiet', 'MANIFEST'], { cwd: out, encoding: 'utf8' })).toBe('');
  });

  it('rewrites a file changed by hand since the build, even one of the same size, and one whose mode changed', () => {
    const out = join(scratch(), 'out');
    const files = new Map([['a.txt', 'alpha\n'], ['b.txt', 'bravo\n'], ['c.txt', 'charlie\n']]);
    emitTree(out, files);
    pause(20);
    writeFileSync(join(out, 'a.txt'), 'ALPHA\n');
    // Unreadable by others (what a default ACL gives); a checkout's 0664 or 0666 is the same tree (test/core/stale.test.ts).
    chmodSync(join(out, 'b.txt'), 0o600);
    const untouched = statSync(join(out, 'c.txt'));
    expect(emitTree(out, files)).toBe(true);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(statSync(join(out, 'b.txt')).mode & 0o777).toBe(0o644);
    expect([statSync(join(out, 'c.txt')).ino, statSync(join(out, 'c.txt')).mtimeMs]).toEqual([untouched.ino, untouched.mtimeMs]);
    // Repaired: the next build finds nothing to do.
    expect(emitTree(out, files)).toBe(false);
  });

  it('turns a file into a directory and back, and removes directories left empty', () => {
    const out = join(scratch(), 'out');
    emitTree(out, new Map([['a', 'file\n'], ['x/y/z.txt', 'deep\n']]));
    emitTree(out, new Map([['a/b', 'below\n'], ['w.txt', 'w\n']]));
    expect(readFileSync(join(out, 'a/b'), 'utf8')).toBe('below\n');
    expect(existsSync(join(out, 'x'))).toBe(false);
    emitTree(out, new Map([['a', 'file again\n']]));
    expect(readFileSync(join(out, 'a'), 'utf8')).toBe('file again\n');
    expect(readdirSync(out).sort()).toEqual(['MANIFEST', 'a']);
    expect(() => ownedTree(out, { verify: true })).not.toThrow();
  });
});

describe('files taken as they are rendered', () => {
  /** The files in this process's stage of `out` (its new/ directory), or undefined when there is none. */
  const staged = (out: string): string[] | undefined => {
    const stage = stagesOf(out).find((s) => s.maker.pid === process.pid);
    if (!stage) return undefined;
    const found: string[] = [];
    const walk = (dir: string, prefix: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
        else found.push(`${prefix}${entry.name}`);
      }
    };
    walk(join(stage.path, 'new'), '');
    return found.sort();
  };

  it('writes each file into the stage before the next one is rendered, and stages only the changed files of an update', () => {
    const out = join(scratch(), 'out');
    const texts = Array.from({ length: 50 }, (_, i) => [`site/f-${i}.txt`, `file ${i} é\n`.repeat(1 + i)] as const);
    const seen: (string[] | undefined)[] = [];
    const first = emitRendered(out, (files) => {
      for (const [path, text] of texts) {
        files.set(path, text);
        seen.push(staged(out));
      }
    });
    expect(first).toEqual({ written: true, files: 51 });
    // After the i-th file, exactly the first i+1 are in the stage (a build held every text until the last was rendered).
    expect(seen).toEqual(texts.map((_, i) => texts.slice(0, i + 1).map(([path]) => path).sort()));
    for (const [path, text] of texts) expect(readFileSync(join(out, path), 'utf8')).toBe(text);
    expect(execFileSync('sha256sum', ['--strict', '-c', '--quiet', 'MANIFEST'], { cwd: out, encoding: 'utf8' })).toBe('');

    // An update: no stage until a file differs, then only the files that differ.
    seen.length = 0;
    const update = emitRendered(out, (files) => {
      for (const [path, text] of texts) {
        files.set(path, path.endsWith('-7.txt') || path.endsWith('-30.txt') ? `new ${text}` : text);
        seen.push(staged(out));
      }
    });
    expect(update).toEqual({ written: true, files: 51 });
    expect(seen.slice(0, 7)).toEqual(Array(7).fill(undefined));
    expect(seen.slice(7, 30)).toEqual(Array(23).fill(['site/f-7.txt']));
    expect(seen.slice(30)).toEqual(Array(20).fill(['site/f-30.txt', 'site/f-7.txt']));
    expect(readFileSync(join(out, 'site/f-30.txt'), 'utf8')).toBe(`new ${texts[30]![1]}`);
    expect(execFileSync('sha256sum', ['--strict', '-c', '--quiet', 'MANIFEST'], { cwd: out, encoding: 'utf8' })).toBe('');
    expect(stagesOf(out)).toEqual([]);
  });

  it('leaves out/ as it was, and no stage, when a renderer fails; its error comes through as it is', () => {
    const out = join(scratch(), 'out');
    emitTree(out, new Map([['a.txt', 'a\n']]));
    const before = stamps(out);
    const renderer = new Error('a renderer failed');
    expect(() => emitRendered(out, (files) => {
      files.set('a.txt', 'changed\n');
      files.set('b.txt', 'b\n');
      throw renderer;
    })).toThrow(renderer);
    // A file system error of a renderer (a template it could not read) is its own, not one of out/.
    const missing = join(scratch(), 'missing.hbs');
    let thrown: unknown;
    try {
      emitRendered(out, () => readFileSync(missing));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'ENOENT', path: missing });
    expect(stamps(out)).toEqual(before);
    expect(stagesOf(out)).toEqual([]);
    const fresh = join(scratch(), 'fresh');
    expect(() => emitRendered(fresh, (files) => {
      files.set('a.txt', 'a\n');
      throw renderer;
    })).toThrow(renderer);
    expect(existsSync(fresh)).toBe(false);
    expect(stagesOf(fresh)).toEqual([]);
  });

  it('writes a text given in parts part by part, with the bytes and sha256 of the whole', () => {
    const out = join(scratch(), 'out');
    const parts = Array.from({ length: 40 }, (_, i) => `part ${i} ü€😀\n`.repeat(500 + i));
    const staged = (): number => {
      const stage = stagesOf(out).find((s) => s.maker.pid === process.pid)!;
      return statSync(join(stage.path, 'new/big/parts.txt')).size;
    };
    const sizes: number[] = [];
    emitRendered(out, (files) => {
      files.set('a.txt', 'a\n');
      files.setParts!('big/parts.txt', (part) => {
        for (const text of parts) {
          part(text);
          sizes.push(staged());
        }
      });
    });
    // Each part is in the file before the next is made.
    expect(sizes).toEqual(parts.map((_, i) => Buffer.byteLength(parts.slice(0, i + 1).join(''))));
    const whole = parts.join('');
    expect(readFileSync(join(out, 'big/parts.txt')).equals(Buffer.from(whole, 'utf8'))).toBe(true);
    expect(parseManifest(readFileSync(join(out, 'MANIFEST'), 'utf8'))!.get('big/parts.txt')).toBe(sha256(Buffer.from(whole, 'utf8')));
    // An update takes parts too (test/core/emit-parts.test.ts), and a text given whole is the same file.
    let offered: unknown = 'not rendered';
    expect(emitRendered(out, (files) => {
      offered = files.setParts;
      files.set('a.txt', 'a\n');
      files.set('big/parts.txt', whole);
    }).written).toBe(false);
    expect(offered).toBeTypeOf('function');
  });

  it('refuses a text in parts without a final newline, or with CR LF, also where one part ends and the next begins', () => {
    for (const parts of [['a\n', 'b'], ['a\r', '\nb\n'], ['a\r\n', 'b\n'], [], ['', '']]) {
      const out = join(scratch(), 'out');
      expect(() => emitRendered(out, (files) => files.setParts!('x.txt', (part) => parts.forEach((text) => part(text)))), JSON.stringify(parts)).toThrow(/x\.txt must use LF line ends and end with a newline/);
      expect(existsSync(out)).toBe(false);
      expect(stagesOf(out)).toEqual([]);
    }
    const out = join(scratch(), 'out');
    emitRendered(out, (files) => files.setParts!('x.txt', (part) => ['a\r', 'b\n', '', 'c\n', ''].forEach((text) => part(text))));
    expect(readFileSync(join(out, 'x.txt'), 'utf8')).toBe('a\rb\nc\n');
  });

  it("passes a renderer's error while it makes a part through as it is", () => {
    const out = join(scratch(), 'out');
    const missing = join(scratch(), 'missing.hbs');
    let thrown: unknown;
    try {
      emitRendered(out, (files) => files.setParts!('x.txt', (part) => {
        part('a\n');
        part(readFileSync(missing, 'utf8'));
      }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'ENOENT', path: missing });
    expect(existsSync(out)).toBe(false);
    expect(stagesOf(out)).toEqual([]);
  });

  it('checks each path as it comes without splitting it, and the directories above a file once for a run of files in one directory', () => {
    const paths = Array.from({ length: 2000 }, (_, i) => `site/wireguard/peer-${i}.conf`);
    const split = vi.spyOn(String.prototype, 'split');
    const lower = vi.spyOn(String.prototype, 'toLowerCase');
    try {
      const files = new ArrivingFiles(() => 'hash');
      for (const path of paths) files.set(path, 'x\n');
      // Before: a split per path, and the lower case of the path and of each directory above it (3 per path).
      expect(split.mock.calls.length).toBe(0);
      expect(lower.mock.calls.length).toBeLessThan(paths.length + 10);
    } finally {
      split.mockRestore();
      lower.mockRestore();
    }
    // Whatever the order, a file named like a directory of other files (but for case) is refused, and so is a path given twice.
    const refused = [
      [['x/a', 'x/b', 'X'], /X and x\/a, a file and a directory/],
      [['X', 'x/a', 'x/b'], /X and x\/a, a file and a directory/],
      [['x/y/a', 'x/y/b', 'x/Y'], /x\/Y and x\/y\/a, a file and a directory/],
      [['x/a', 'y/b', 'x/c', 'x/A'], /x\/a and x\/A, one file/],
      [['x/A', 'y/b', 'x/a'], /x\/A and x\/a, one file/],
      [['x', 'X/a'], /x and X\/a, a file and a directory/],
      [['X/a', 'x'], /x and X\/a, a file and a directory/],
      [['a/B', 'a/B'], /a\/B twice/],
      [['x/a', 'y/b', 'x/a'], /x\/a twice/],
    ] as const;
    for (const [list, message] of refused) {
      const files = new ArrivingFiles(() => 'hash');
      expect(() => list.forEach((path) => files.set(path, 'x\n')), list.join(' ')).toThrow(message);
    }
    for (const path of ['a//b', 'a/./b', 'a/../b', '/a', 'a/', '.', '..', 'a\\b', 'a\0b']) expect(() => new ArrivingFiles(() => 'hash').set(path, 'x\n'), path).toThrow(/not a plain relative path/);
    for (const path of ['a/.b/c', 'a/b..', '...', '.x']) expect(() => new ArrivingFiles(() => 'hash').set(path, 'x\n'), path).not.toThrow();
  });

  it('keeps a lower-case path once, in the map of the files taken: no second map of every path for the check of case', () => {
    const paths = Array.from({ length: 2000 }, (_, i) => `site/wireguard/peer-${i}.conf`);
    const set = vi.spyOn(Map.prototype, 'set');
    let files: ArrivingFiles;
    try {
      files = new ArrivingFiles(() => 'hash');
      for (const path of paths) files.set(path, 'x\n');
      // Before: each path's lower case entered in a map of its own too (4,000 entries).
      expect(set.mock.calls.length).toBeLessThan(paths.length + 10);
    } finally {
      set.mockRestore();
    }
    expect(files.hashes.size).toBe(paths.length);
    // Still refused after them: one of them in capitals, and one of them again.
    expect(() => files.set('site/wireguard/PEER-7.conf', 'x\n')).toThrow(/site\/wireguard\/peer-7\.conf and site\/wireguard\/PEER-7\.conf, one file/);
    expect(() => files.set('site/wireguard/peer-7.conf', 'x\n')).toThrow(/peer-7\.conf twice/);
  });

  it('writes a run of files into one directory without looking its directory up again for each file', () => {
    const files = Array.from({ length: 2000 }, (_, i) => [`site/wireguard/peer-${i}.conf`, `peer ${i}\n`] as const);
    // Back to a directory written before, a file at the top, one deeper: each where it belongs, whatever the umask.
    const more = [['site/peers.md', 'table\n'], ['site/wireguard/late.conf', 'late\n'], ['top.txt', 'top\n'], ['site/wireguard/deeper/x.conf', 'x\n'], ['top2.txt', 'top2\n']] as const;
    for (const mask of [0o022, 0o077]) {
      const root = join(scratch(), 'stage');
      umask(mask, () => {
        const staged = new StagedDirectory(root);
        const get = vi.spyOn(Map.prototype, 'get');
        const has = vi.spyOn(Map.prototype, 'has');
        try {
          for (const [path, text] of files) staged.write(path, (each) => each(Buffer.from(text)));
          // Before: the directory's path made again for each file, and looked up twice (4,000 lookups).
          expect(get.mock.calls.length + has.mock.calls.length).toBeLessThan(10);
        } finally {
          get.mockRestore();
          has.mockRestore();
        }
        for (const [path, text] of more) staged.write(path, (each) => each(Buffer.from(text)));
      });
      for (const [path, text] of [...files.slice(0, 3), ...files.slice(-1), ...more]) {
        expect([path, readFileSync(join(root, path), 'utf8'), statSync(join(root, path)).mode & 0o777]).toEqual([path, text, 0o644]);
      }
      expect(readdirSync(join(root, 'site/wireguard'))).toHaveLength(files.length + 2);
      for (const d of ['', 'site', 'site/wireguard', 'site/wireguard/deeper']) expect([d, statSync(join(root, d)).mode & 0o777]).toEqual([d, 0o755]);
    }
  });

  it('refuses a file given twice: it may be written already', () => {
    const out = join(scratch(), 'out');
    expect(() => emitRendered(out, (files) => {
      files.set('a.txt', 'one\n');
      files.set('a.txt', 'two\n');
    })).toThrow(/internal: a target wrote a\.txt twice/);
    expect(existsSync(out)).toBe(false);
    expect(stagesOf(out)).toEqual([]);
  });
});

describe('one build at a time', () => {
  const files = new Map([['a.txt', 'one\n']]);

  it('waits for the build that holds the lock, then names it', () => {
    const out = join(scratch(), 'out');
    emitTree(out, files);
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const lock = buildLockOf(out);
    const wait = process.env.GEN_LOCK_WAIT_MS;
    process.env.GEN_LOCK_WAIT_MS = '200';
    try {
      writeFileSync(lock, `${sleeper.pid} 0123456789abcdef\n`);
      expect(() => emitTree(out, new Map([['a.txt', 'two\n']]))).toThrow(new RegExp(`another gen build is writing .*out \\(pid ${sleeper.pid}\\); try again when it has finished; remove .* if no gen is running`));
      expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('one\n');
    } finally {
      sleeper.kill('SIGKILL');
      if (wait === undefined) delete process.env.GEN_LOCK_WAIT_MS;
      else process.env.GEN_LOCK_WAIT_MS = wait;
    }
    rmSync(lock);
  });

  it('waits for a build of the same tree named through a symbolic link in its path', () => {
    const real = scratch();
    const link = `${real}-link`;
    symlinkSync(real, link);
    emitTree(join(real, 'out'), files);
    expect(buildLockOf(join(link, 'out'))).toBe(buildLockOf(join(real, 'out')));
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const wait = process.env.GEN_LOCK_WAIT_MS;
    process.env.GEN_LOCK_WAIT_MS = '200';
    const lock = buildLockOf(join(real, 'out'));
    try {
      writeFileSync(lock, `${sleeper.pid} 0123456789abcdef\n`);
      expect(() => emitTree(join(link, 'out'), new Map([['a.txt', 'two\n']]))).toThrow(/another gen build is writing/);
    } finally {
      sleeper.kill('SIGKILL');
      if (wait === undefined) delete process.env.GEN_LOCK_WAIT_MS;
      else process.env.GEN_LOCK_WAIT_MS = wait;
      rmSync(lock);
      rmSync(link);
    }
  });

  it("takes over the lock of a killed build and gives it back", () => {
    const out = join(scratch(), 'out');
    emitTree(out, files);
    const lock = buildLockOf(out);
    writeFileSync(lock, '999999999 0123456789abcdef\n');
    expect(emitTree(out, new Map([['a.txt', 'two\n']]))).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });
});

/** A committed update of a killed run, as it left it: the staged files, the MANIFEST and the journal. */
function committedUpdate(out: string, staged: Map<string, string>, journal: { base: string; remove: string[] }): string {
  const made = createStage(out);
  const stage = stageOwnedBy(made, tag(999999996, false));
  renameSync(made, stage);
  for (const [path, content] of staged) {
    mkdirSync(join(stage, 'apply', path, '..'), { recursive: true });
    writeFileSync(join(stage, 'apply', path), content);
  }
  writeFileSync(join(stage, 'journal'), JSON.stringify(journal));
  return stage;
}

describe('recovery of a committed update', () => {
  const before = new Map([['a.txt', 'one\n'], ['sub/b.txt', 'bee\n'], ['sub/c.txt', 'sea\n']]);
  const after = new Map([['a.txt', 'two\n'], ['sub/b.txt', 'bee\n']]);

  it('completes it into the new tree', () => {
    const out = join(scratch(), 'out');
    emitTree(out, before);
    const stage = committedUpdate(out, new Map([['a.txt', 'two\n'], ['MANIFEST', manifest(after)]]), { base: sha256(manifest(before)), remove: ['sub/c.txt'] });
    expect(recover(out)).toEqual([]);
    expect(existsSync(stage)).toBe(false);
    expect(readdirSync(join(out, 'sub'))).toEqual(['b.txt']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('two\n');
    expect(readFileSync(join(out, 'MANIFEST'), 'utf8')).toBe(manifest(after));
  });

  it('drops it when out/ has changed since, or is gone', () => {
    const out = join(scratch(), 'out');
    emitTree(out, before);
    const stage = committedUpdate(out, new Map([['a.txt', 'two\n'], ['MANIFEST', manifest(after)]]), { base: sha256('another tree'), remove: ['sub/c.txt'] });
    const warnings: string[] = [];
    recover(out, (w) => warnings.push(w));
    expect(warnings).toEqual([expect.stringMatching(/left an update of .*out, which has changed since; gen dropped the update/)]);
    expect(existsSync(stage)).toBe(false);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(out, 'sub/c.txt'), 'utf8')).toBe('sea\n');
    const gone = committedUpdate(out, new Map([['MANIFEST', manifest(after)]]), { base: sha256(manifest(before)), remove: [] });
    rmSync(out, { recursive: true });
    recover(out);
    expect([existsSync(gone), existsSync(out)]).toEqual([false, false]);
  });

  it('leaves one whose journal it cannot read, and one with a path that leaves the tree', () => {
    const out = join(scratch(), 'out');
    emitTree(out, before);
    const escaping = committedUpdate(out, new Map([['MANIFEST', manifest(after)]]), { base: sha256(manifest(before)), remove: ['../victim'] });
    writeFileSync(join(out, '..', 'victim'), 'mine\n');
    const warnings: string[] = [];
    recover(out, (w) => warnings.push(w));
    expect(warnings).toEqual([expect.stringMatching(/holds an update of .*out without a journal gen can read; gen left it there/)]);
    expect(existsSync(escaping)).toBe(true);
    expect(readFileSync(join(out, '..', 'victim'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'MANIFEST'), 'utf8')).toBe(manifest(before));
  });

  it('never follows a symbolic link put in out/ since the kill', () => {
    const out = join(scratch(), 'out');
    emitTree(out, before);
    const elsewhere = scratch();
    writeFileSync(join(elsewhere, 'c.txt'), 'mine\n');
    writeFileSync(join(elsewhere, 'b.txt'), 'mine too\n');
    rmSync(join(out, 'sub'), { recursive: true });
    symlinkSync(elsewhere, join(out, 'sub'));
    committedUpdate(out, new Map([['sub/b.txt', 'bee again\n'], ['MANIFEST', manifest(after)]]), { base: sha256(manifest(before)), remove: ['sub/c.txt'] });
    expect(() => recover(out)).toThrow(/cannot write into .*out\/sub: it is not a directory \(a symbolic link\)/);
    expect(readFileSync(join(elsewhere, 'c.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(elsewhere, 'b.txt'), 'utf8')).toBe('mine too\n');
  });
});

describe('ownership: gen replaces only a directory it can prove it wrote', () => {
  const files = new Map([['a.txt', 'a\n'], ['sub/b.txt', 'b\n']]);

  function built(): string {
    const out = join(scratch(), 'out');
    emitTree(out, files);
    return out;
  }

  it.each([
    ['an empty MANIFEST (touch MANIFEST)', ''],
    ['a MANIFEST of sha256sum lines without gen\'s mark', manifest(new Map([['precious.txt', 'mine\n']])).split('\n').slice(1).join('\n')],
    ['gen\'s mark followed by something else', `${MANIFEST_MARK}\nnot a checksum line\n`],
    ['unsorted lines', manifest(new Map([['precious.txt', 'mine\n'], ['a', 'x\n']])).replace(/^(.*\n)(.*  a\n)(.*  precious\.txt\n)$/, '$1$3$2')],
    ['a path that leaves the tree', `${MANIFEST_MARK}\n${'0'.repeat(64)}  ../x\n`],
  ])('refuses a directory with %s', (_, text) => {
    const out = join(scratch(), 'home');
    mkdirSync(out);
    writeFileSync(join(out, 'precious.txt'), 'mine\n');
    writeFileSync(join(out, 'MANIFEST'), text);
    expect(() => emitTree(out, files)).toThrow(/refusing to replace .*home: its MANIFEST (is not one gen writes|has sha256sum lines but not gen's first line)/);
    expect(readFileSync(join(out, 'precious.txt'), 'utf8')).toBe('mine\n');
  });

  it.each(EARLIER_MANIFEST_MARKS)('a tree an earlier gen wrote (first line %j) is gen\'s: a build updates it in place, with today\'s mark', (mark) => {
    const out = built();
    writeFileSync(join(out, 'MANIFEST'), readFileSync(join(out, 'MANIFEST'), 'utf8').replace(`${MANIFEST_MARK}\n`, `${mark}\n`));
    expect(parseManifest(readFileSync(join(out, 'MANIFEST'), 'utf8'))).toEqual(new Map([['a.txt', sha256('a\n')], ['sub/b.txt', sha256('b\n')]]));
    expect(holdsGenManifest(out)).toBe(true);
    const kept = statSync(join(out, 'sub/b.txt'));
    const after = new Map([['a.txt', 'changed\n'], ['sub/b.txt', 'b\n']]);
    emitTree(out, after);
    expect(readFileSync(join(out, 'MANIFEST'), 'utf8')).toBe(manifest(after));
    expect(readFileSync(join(out, 'MANIFEST'), 'utf8').startsWith(`${MANIFEST_MARK}\n`)).toBe(true);
    expect(execFileSync('sha256sum', ['--strict', '-c', 'MANIFEST'], { cwd: out, encoding: 'utf8' })).toBe('a.txt: OK\nsub/b.txt: OK\n');
    // What the mark says: the file that did not change is not rewritten.
    expect([statSync(join(out, 'sub/b.txt')).ino, statSync(join(out, 'sub/b.txt')).mtimeMs]).toEqual([kept.ino, kept.mtimeMs]);
  });

  it("every mark gen wrote is one ASCII line, and a MANIFEST is gen's only when it starts with one of them, newline included", () => {
    expect(MANIFEST_MARK_LINES).toEqual([MANIFEST_MARK, ...EARLIER_MANIFEST_MARKS].map((mark) => `${mark}\n`));
    expect(new Set(MANIFEST_MARK_LINES).size).toBe(MANIFEST_MARK_LINES.length);
    for (const line of MANIFEST_MARK_LINES) expect(line).toMatch(/^# gen output tree: [\x20-\x7e]+\n$/);
    const dir = scratch();
    const holds = (text: string): boolean => {
      writeFileSync(join(dir, 'MANIFEST'), text);
      return holdsGenManifest(dir);
    };
    for (const line of MANIFEST_MARK_LINES) {
      expect(holds(line)).toBe(true);
      expect(holds(`${line}${'0'.repeat(64)}  a.txt\n`)).toBe(true);
      expect(holds(line.slice(0, -1))).toBe(false);
      expect(holds(`${line.slice(0, -2)}\n`)).toBe(false);
      expect(holds(` ${line}`)).toBe(false);
    }
    expect(holds('')).toBe(false);
  });

  it('refuses a directory without MANIFEST', () => {
    const out = join(scratch(), 'home');
    mkdirSync(out);
    writeFileSync(join(out, 'precious.txt'), 'mine\n');
    expect(() => emitTree(out, files)).toThrow(/it is not empty and has no MANIFEST/);
    expect(readFileSync(join(out, 'precious.txt'), 'utf8')).toBe('mine\n');
  });

  it('refuses a tree of gen with a file its MANIFEST does not list, and names the first one', () => {
    const out = built();
    writeFileSync(join(out, 'README'), 'notes\n');
    writeFileSync(join(out, 'sub', 'zz-notes'), 'notes\n');
    expect(() => emitTree(out, new Map([['a.txt', 'changed\n']]))).toThrow(/refusing to replace .*out: it holds README, which its MANIFEST does not list\. gen replaces only a directory it wrote/);
    expect(readFileSync(join(out, 'README'), 'utf8')).toBe('notes\n');
  });

  it('refuses a tree with a symbolic link where its MANIFEST lists a file', () => {
    const out = built();
    const elsewhere = join(scratch(), 'b.txt');
    writeFileSync(elsewhere, 'b\n');
    renameSync(join(out, 'sub/b.txt'), join(out, 'moved'));
    symlinkSync(elsewhere, join(out, 'sub/b.txt'));
    expect(() => emitTree(out, new Map([['a.txt', 'changed\n']]))).toThrow(/moved, which its MANIFEST does not list/);
    renameSync(join(out, 'moved'), join(scratch(), 'x'));
    expect(() => emitTree(out, new Map([['a.txt', 'changed\n']]))).toThrow(/sub\/b\.txt \(a symbolic link\)/);
  });

  it('refuses a tree that holds a git repository at any depth', () => {
    const out = built();
    mkdirSync(join(out, 'sub', '.git'));
    expect(() => emitTree(out, new Map([['a.txt', 'changed\n']]))).toThrow(/it holds a git repository \(sub\/\.git\)/);
    expect(existsSync(join(out, 'sub', '.git'))).toBe(true);
  });

  it('refuses an output directory that holds the topology or the secrets, even when it is gen\'s', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'topology.yaml'), 'x\n');
    const protect = [
      { path: join(dir, 'topology.yaml'), what: 'the topology file' },
      { path: join(dir, '.secrets'), what: 'the secrets directory' },
    ];
    expect(() => emitTree(dir, files, { protect })).toThrow(/refusing to write to .*: it holds the topology file .*topology\.yaml/);
    expect(() => emitTree(join(dir, '.secrets'), files, { protect })).toThrow(/it holds the secrets directory/);
    expect(() => emitTree(join(dir, '.secrets', 'deeper'), files, { protect })).not.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['.secrets', 'topology.yaml']);
  });

  it('accepts a tree whose files match its MANIFEST, empty directories, and an empty directory', () => {
    const out = built();
    mkdirSync(join(out, 'empty', 'nested'), { recursive: true });
    expect(emitTree(out, new Map([['a.txt', 'changed\n']]))).toBe(true);
    const empty = join(scratch(), 'empty');
    mkdirSync(empty);
    expect(emitTree(empty, files)).toBe(true);
  });

  it('ownedTree with verify also checks every sha256', () => {
    const out = built();
    expect(() => ownedTree(out, { verify: true })).not.toThrow();
    writeFileSync(join(out, 'a.txt'), 'tampered\n');
    expect(() => ownedTree(out, { verify: true })).toThrow(/a\.txt does not match its sha256/);
  });
});

describe("Terraform's working files in out/ are the user's: carried across builds", () => {
  const tf = (extra = '') => new Map([['aws/terraform/main.tf', `resource "x" "y" {}\n${extra}`], ['plan.json', '{}\n']]);

  function withState(): { out: string; inode: number } {
    const out = join(scratch(), 'out');
    emitTree(out, tf());
    const wd = join(out, 'aws/terraform');
    writeFileSync(join(wd, 'terraform.tfstate'), '{"serial": 7}\n', { mode: 0o600 });
    writeFileSync(join(wd, 'terraform.tfstate.backup'), '{"serial": 6}\n');
    mkdirSync(join(wd, '.terraform/providers/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64'), { recursive: true });
    writeFileSync(join(wd, '.terraform/providers/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64/terraform-provider-aws'), 'ELF\n', { mode: 0o755 });
    symlinkSync('/nonexistent/plugin-cache/aws', join(wd, '.terraform/providers/cached'));
    writeFileSync(join(wd, '.terraform.lock.hcl'), '# lock\n');
    writeFileSync(join(wd, 'secret.auto.tfvars'), 'x = 1\n');
    writeFileSync(join(wd, 'terraform.tfvars'), 'y = 2\n');
    mkdirSync(join(wd, 'terraform.tfstate.d/staging'), { recursive: true });
    writeFileSync(join(wd, 'terraform.tfstate.d/staging/terraform.tfstate'), '{"serial": 1}\n');
    return { out, inode: statSync(join(wd, 'terraform.tfstate')).ino };
  }

  it('keeps state, .terraform/, the lock file and tfvars, as the same files, outside MANIFEST', () => {
    const { out, inode } = withState();
    expect(emitTree(out, tf('# changed\n'))).toBe(true);
    const wd = join(out, 'aws/terraform');
    expect(readFileSync(join(wd, 'main.tf'), 'utf8')).toContain('# changed');
    expect(readFileSync(join(wd, 'terraform.tfstate'), 'utf8')).toBe('{"serial": 7}\n');
    expect(statSync(join(wd, 'terraform.tfstate')).ino).toBe(inode);
    expect(statSync(join(wd, 'terraform.tfstate')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(wd, 'terraform.tfstate.backup'), 'utf8')).toBe('{"serial": 6}\n');
    expect(readFileSync(join(wd, '.terraform/providers/registry.terraform.io/hashicorp/aws/6.25.0/linux_amd64/terraform-provider-aws'), 'utf8')).toBe('ELF\n');
    expect(lstatSync(join(wd, '.terraform/providers/cached')).isSymbolicLink()).toBe(true);
    for (const f of ['.terraform.lock.hcl', 'secret.auto.tfvars', 'terraform.tfvars', 'terraform.tfstate.d/staging/terraform.tfstate']) expect(existsSync(join(wd, f)), f).toBe(true);
    const listed = readFileSync(join(out, 'MANIFEST'), 'utf8');
    expect(listed).not.toMatch(/tfstate|\.terraform|tfvars/);
    expect(execFileSync('sha256sum', ['--strict', '-c', '--quiet', 'MANIFEST'], { cwd: out, encoding: 'utf8' })).toBe('');
  });

  it('an unchanged build still counts as current with them', () => {
    const { out } = withState();
    expect(emitTree(out, tf())).toBe(false);
  });

  it('refuses a build that would drop the directory that holds them', () => {
    const { out } = withState();
    expect(() => emitTree(out, new Map([['plan.json', '{}\n']]))).toThrow(EmitError);
    expect(() => emitTree(out, new Map([['plan.json', '{}\n']]))).toThrow(/aws\/terraform\/\.terraform, Terraform's file|aws\/terraform\/terraform\.tfstate, Terraform's state/);
    expect(readFileSync(join(out, 'aws/terraform/terraform.tfstate'), 'utf8')).toBe('{"serial": 7}\n');
  });

  it('only beside .tf files: elsewhere a tfstate is a file MANIFEST does not list', () => {
    const out = join(scratch(), 'out');
    emitTree(out, tf());
    writeFileSync(join(out, 'terraform.tfstate'), '{}\n');
    expect(() => emitTree(out, tf('# changed\n'))).toThrow(/it holds terraform\.tfstate, which its MANIFEST does not list/);
  });
});

describe('staging and recovery', () => {
  it('stages in a private directory this process made, leaving nothing beside out/', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'one\n']]));
    emitTree(out, new Map([['a.txt', 'two\n']]));
    expect(readdirSync(dir)).toEqual(['out']);
    expect(stagesOf(out)).toEqual([]);
    const stage = createStage(out);
    expect(statSync(stage).mode & 0o777).toBe(0o700);
    expect(statSync(stage).uid).toBe(process.getuid!());
    expect(stagesOf(out).map((s) => s.path)).toEqual([stage]);
    recover(out);
    expect(existsSync(stage)).toBe(false);
  });

  it('puts back an out/ that a dead run moved aside, when it matches its MANIFEST', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'previous\n']]));
    const stage = createStage(out);
    // The stage of a dead process of an earlier gen (a pid alone): the pid in its name is far above pid_max.
    const dead = stageOwnedBy(stage, tag(999999999, false));
    renameSync(stage, dead);
    renameSync(out, join(dead, 'old'));
    mkdirSync(join(dead, 'new'));
    writeFileSync(join(dead, 'new', 'a.txt'), 'half\n');
    recover(out);
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('previous\n');
    expect(existsSync(dead)).toBe(false);
  });

  it('does not adopt a moved-aside tree that no longer matches its MANIFEST, and builds no new out/ over it', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'previous\n']]));
    const dead = stageOwnedBy(createStage(out), tag(999999998, false));
    mkdirSync(dead, { mode: 0o700 });
    renameSync(out, join(dead, 'old'));
    writeFileSync(join(dead, 'old', 'a.txt'), 'planted\n');
    expect(recover(out)).toEqual([`${join(dead, 'old')} (moved aside by a build that was killed, but a.txt does not match its sha256 in MANIFEST)`]);
    expect(existsSync(out)).toBe(false);
    expect(() => emitTree(out, new Map([['a.txt', 'next\n']]))).toThrow(/out is missing, and the previous one is still at .*old \(moved aside by a build that was killed, but a\.txt does not match/);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(join(dead, 'old', 'a.txt'), 'utf8')).toBe('planted\n');
  });

  it('waits for a running build between its renames, and never writes over its moved-aside tree', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'previous\n']]));
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const running = stageOwnedBy(createStage(out), tag(sleeper.pid!, false));
      mkdirSync(running, { mode: 0o700 });
      renameSync(out, join(running, 'old'));
      expect(() => emitTree(out, new Map([['a.txt', 'next\n']]))).toThrow(new RegExp(`still at .*old \\(process ${sleeper.pid} still runs`));
      expect(readFileSync(join(running, 'old', 'a.txt'), 'utf8')).toBe('previous\n');
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('leaves staging directories that are not private alone', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    emitTree(out, new Map([['a.txt', 'previous\n']]));
    const open = stageOwnedBy(createStage(out), tag(999999997, false));
    mkdirSync(join(open, 'old'), { recursive: true });
    chmodSync(open, 0o755);
    expect(stagesOf(out).map((s) => s.path)).not.toContain(open);
    recover(out);
    expect(existsSync(open)).toBe(true);
  });
});
