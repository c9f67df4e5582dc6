// A rebuild takes a long text in parts (src/emit.ts writeUpdate,
// src/io/rebuilt-parts.ts): compared part by part with the file out/ has,
// staged from its first difference on, never joined into one string nor
// encoded whole, and the tree's files, inodes and mtimes are those an
// update of whole texts leaves.
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EmitError, emitRendered } from '../../src/emit.js';
import { OLD_BYTES_WINDOW } from '../../src/io/rebuilt-parts.js';
import { stagesOf } from '../../src/io/staging.js';
import { Utf8Scratch } from '../../src/io/utf8-scratch.js';
import { type OutputFiles, setText } from '../../src/render/target.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { pause, stamps } from '../tree-stamps.js';

removeTempDirsAfterAll();

// 400 parts of about 1.6 KB (multi-byte characters among them): 650 KB, the old file read in three windows.
const base = Array.from({ length: 400 }, (_, i) => `line ${i} ü€😀 ${'x'.repeat(i % 7)}\n`.repeat(60));
const longestPart = (parts: readonly string[]): number => Math.max(...parts.map((part) => part.length));

/** A tree of two short files and two long ones, each written in parts. */
const tree =
  (one: readonly string[], two: readonly string[] = base, between?: (index: number) => void) =>
  (files: OutputFiles): void => {
    files.set('a.txt', 'a\n');
    setText(files, 'big/one.txt', (part) => one.forEach((text, index) => (between?.(index), part(text))));
    setText(files, 'big/two.txt', (part) => two.forEach((text) => part(text)));
    files.set('z.txt', 'z\n');
  };

/** What a build does with the texts: whether it wrote, how many long texts it was given whole, the longest string it encoded, the buffers it made of an old file's window or more. */
function watched(out: string, render: (files: OutputFiles) => void): { written: boolean; whole: number; longest: number; buffers: number } {
  const encode = vi.spyOn(Utf8Scratch.prototype, 'encode');
  const allocate = vi.spyOn(Buffer, 'allocUnsafe');
  let whole = 0;
  try {
    const { written } = emitRendered(out, (files) => {
      const set = files.set.bind(files);
      files.set = (path, text) => {
        if (path.startsWith('big/')) whole++;
        return set(path, text);
      };
      render(files);
    });
    return {
      written,
      whole,
      longest: Math.max(...encode.mock.calls.map(([text]) => text.length)),
      buffers: allocate.mock.calls.filter(([size]) => size >= OLD_BYTES_WINDOW).length,
    };
  } finally {
    encode.mockRestore();
    allocate.mockRestore();
  }
}

function built(parts: readonly string[] = base): string {
  const out = join(tempDir('gen-emit-parts-'), 'out');
  emitRendered(out, tree(parts));
  return out;
}

const verified = (out: string): string => execFileSync('sha256sum', ['--strict', '-c', '--quiet', 'MANIFEST'], { cwd: out, encoding: 'utf8' });

describe('a rebuild takes a long text in parts', () => {
  it('never joins it nor encodes more than a part at once, with one buffer for the old files; an unchanged tree keeps every inode and mtime', () => {
    const out = built();
    const before = stamps(out);
    expect(watched(out, tree(base))).toEqual({ written: false, whole: 0, longest: longestPart(base), buffers: 1 });
    expect(stamps(out)).toEqual(before);
    expect(stagesOf(out)).toEqual([]);
  });

  const edited = (index: number, edit: (part: string) => string): string[] => base.map((part, i) => (i === index ? edit(part) : part));
  const variants: [string, string[]][] = [
    ['changed in its middle, same size', edited(200, (part) => part.replace('xxx', 'xyx'))],
    ['changed in its middle, fewer bytes', edited(200, (part) => part.replace('ü', 'u'))],
    ['changed in its first part', edited(0, (part) => `L${part.slice(1)}`)],
    ['changed in its last byte but the newline', edited(399, (part) => `${part.slice(0, -2)}!\n`)],
    ['shorter by its last part', base.slice(0, -1)],
    ['shorter within its last part', edited(399, (part) => part.slice(0, part.indexOf('\n') + 1))],
    ['longer by a part', [...base, 'more\n']],
    ['longer within its last part', edited(399, (part) => `${part}more\n`)],
  ];
  it.each(variants)('%s: staged whole and exact, the other files kept', (_, parts) => {
    const out = built();
    const before = stamps(out);
    expect(watched(out, tree(parts))).toEqual({ written: true, whole: 0, longest: longestPart(parts), buffers: 1 });
    expect(readFileSync(join(out, 'big/one.txt')).equals(Buffer.from(parts.join(''), 'utf8'))).toBe(true);
    const after = stamps(out);
    expect(after.get('big/one.txt')![0]).not.toBe(before.get('big/one.txt')![0]);
    for (const path of ['a.txt', 'big/two.txt', 'z.txt']) expect(after.get(path), path).toEqual(before.get(path));
    expect(verified(out)).toBe('');
    expect(stagesOf(out)).toEqual([]);
    expect(emitRendered(out, tree(parts)).written).toBe(false);
  });

  it('stages a long text out/ lacks, or whose file has another mode, as it comes', () => {
    const out = built();
    const one = join(out, 'big/one.txt');
    const two = join(out, 'big/two.txt');
    rmSync(one);
    chmodSync(two, 0o600);
    expect(watched(out, tree(base))).toEqual({ written: true, whole: 0, longest: longestPart(base), buffers: 1 });
    for (const file of [one, two]) expect(readFileSync(file).equals(Buffer.from(base.join(''), 'utf8')), file).toBe(true);
    expect(lstatSync(two).mode & 0o777).toBe(0o644);
    expect(verified(out)).toBe('');
    expect(emitRendered(out, tree(base)).written).toBe(false);
  });

  it('rewrites a long file changed by hand since the build, and keeps one read back equal (its MANIFEST restamped after it)', () => {
    const out = built();
    pause(20);
    // The same size, one byte changed in the middle.
    const file = join(out, 'big/one.txt');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = 0x21;
    writeFileSync(file, bytes);
    const before = stamps(out);
    expect(emitRendered(out, tree(base)).written).toBe(true);
    expect(readFileSync(file).equals(Buffer.from(base.join(''), 'utf8'))).toBe(true);
    expect(stamps(out).get('big/two.txt')).toEqual(before.get('big/two.txt'));
    // A change of status only (what a checkout does): read back, equal, kept; the MANIFEST is stamped after it, so the next build reads nothing back.
    pause(20);
    chmodSync(join(out, 'big/two.txt'), 0o644);
    const kept = stamps(out);
    expect(emitRendered(out, tree(base)).written).toBe(false);
    expect(stamps(out)).toEqual(kept);
    expect(lstatSync(join(out, 'MANIFEST')).ctimeMs).toBeGreaterThan(lstatSync(join(out, 'big/two.txt')).ctimeMs);
    expect(verified(out)).toBe('');
  });

  it('stages a long file changed by hand into what the build now renders: equal to the end, but not what the MANIFEST lists', () => {
    const out = built();
    const parts = edited(200, (part) => part.replace('xxx', 'xyx'));
    const file = join(out, 'big/one.txt');
    writeFileSync(file, parts.join(''));
    const before = lstatSync(file);
    expect(emitRendered(out, tree(parts)).written).toBe(true);
    // Copied whole from the old file into the stage, then moved over it.
    expect(lstatSync(file).ino).not.toBe(before.ino);
    expect(readFileSync(file).equals(Buffer.from(parts.join(''), 'utf8'))).toBe(true);
    expect(verified(out)).toBe('');
  });

  it('refuses an old file changed while it was compared: the equal bytes it copies are checked', () => {
    const out = built();
    const file = join(out, 'big/one.txt');
    const before = stamps(out);
    const parts = edited(300, (part) => part.replace('xxx', 'xyx'));
    // Its first byte changes once the first parts were found equal; the difference at part 300 copies them from the old file.
    const render = tree(parts, base, (index) => {
      if (index === 100) writeFileSync(file, 'L', { flag: 'r+' });
    });
    expect(() => emitRendered(out, render)).toThrow(new EmitError(`cannot update ${out}/big/one.txt: it changed while gen read it; build again when nothing else writes to it`));
    expect(stagesOf(out)).toEqual([]);
    expect(stamps(out).get('big/two.txt')).toEqual(before.get('big/two.txt'));
    // Rewritten by the next build.
    expect(emitRendered(out, tree(parts)).written).toBe(true);
    expect(readFileSync(file).equals(Buffer.from(parts.join(''), 'utf8'))).toBe(true);
  });
});
