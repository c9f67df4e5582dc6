// writeCheckedFile: the write of a path a command checked earlier (-o). It
// creates the file only where nothing is, replaces only a regular file, and
// never writes through a symbolic link that appeared since the check.
import { chmodSync, chownSync, lstatSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageWrite, writeCheckedFile } from '../../src/io/atomic-write.js';
import { writeEdited } from '../../src/wg/topology-file.js';
import { isRoot } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

function scratch(): string {
  return tempDir('gen-checked-');
}

describe('writeCheckedFile', () => {
  it('creates a missing file with exactly its mode and leaves no temporary file', () => {
    const dir = scratch();
    const file = join(dir, 'out.conf');
    const mask = process.umask(0o077);
    try {
      writeCheckedFile(file, 'new\n', 0o644, false);
    } finally {
      process.umask(mask);
    }
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(statSync(file).nlink).toBe(1);
    expect(readdirSync(dir)).toEqual(['out.conf']);
  });

  it('writes content handed over in parts; a writer that fails part-way leaves the file as it was and no temporary file', () => {
    const dir = scratch();
    const file = join(dir, 'merged.xml');
    writeFileSync(file, 'old\n');
    const parts = ['<opnsense>', 'é'.repeat(70_000), '</opnsense>\n'];
    writeCheckedFile(file, (write) => parts.forEach(write), 0o600, true);
    expect(readFileSync(file, 'utf8')).toBe(parts.join(''));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() =>
      writeCheckedFile(
        file,
        (write) => {
          write('<opnsense>');
          throw new Error('a value XML cannot hold');
        },
        0o600,
        true,
      ),
    ).toThrow('a value XML cannot hold');
    expect(readFileSync(file, 'utf8')).toBe(parts.join(''));
    expect(readdirSync(dir)).toEqual(['merged.xml']);
  });

  it('without replace: a file or link that appeared is refused and kept', () => {
    const dir = scratch();
    const file = join(dir, 'out.conf');
    writeFileSync(file, 'theirs\n');
    expect(() => writeCheckedFile(file, 'new\n', 0o600, false)).toThrow(/a file appeared there while gen was working; nothing was written/);
    expect(readFileSync(file, 'utf8')).toBe('theirs\n');
    const secret = join(dir, 'secret.key');
    writeFileSync(secret, 'key\n');
    const link = join(dir, 'link.conf');
    symlinkSync(secret, link);
    expect(() => writeCheckedFile(link, 'new\n', 0o600, false)).toThrow(/a symbolic link appeared there/);
    expect(readFileSync(secret, 'utf8')).toBe('key\n');
    expect(readdirSync(dir).sort()).toEqual(['link.conf', 'out.conf', 'secret.key']);
  });

  it('with replace: a regular file is replaced; a link is refused, its target never written', () => {
    const dir = scratch();
    const file = join(dir, 'out.conf');
    writeFileSync(file, 'old\n');
    writeCheckedFile(file, 'new\n', 0o600, true);
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    const secret = join(dir, 'secret.key');
    writeFileSync(secret, 'key\n');
    const link = join(dir, 'link.conf');
    symlinkSync(secret, link);
    expect(() => writeCheckedFile(link, 'new\n', 0o600, true)).toThrow(/a symbolic link appeared there/);
    expect(readFileSync(secret, 'utf8')).toBe('key\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

/** A file of user 65534 (nobody), with `mode`. */
function othersFile(file: string, text: string, mode: number): string {
  writeFileSync(file, text);
  chmodSync(file, mode);
  chownSync(file, 65534, 65534);
  return file;
}

describe('stageWrite of a file read before', () => {
  it('replaces it only while it is the same file: a change or a link put there since is refused and kept', () => {
    const dir = scratch();
    const file = join(dir, '.gitignore');
    writeFileSync(file, 'mine\n');
    const read = statSync(file);
    const staged = stageWrite(file, 'mine\nadded\n', 0o644, read);
    // Nothing changes before the commit; the temporary file waits beside it.
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(readdirSync(dir)).toHaveLength(2);
    staged.commit();
    expect(readFileSync(file, 'utf8')).toBe('mine\nadded\n');
    expect(readdirSync(dir)).toEqual(['.gitignore']);

    const again = statSync(file);
    const late = stageWrite(file, 'gen\n', 0o644, again);
    writeFileSync(file, 'edited meanwhile\n');
    expect(() => late.commit()).toThrow(/^refusing to write .*\.gitignore: it changed \(or was replaced\) while gen was working; nothing was written$/);
    expect(readFileSync(file, 'utf8')).toBe('edited meanwhile\n');
    expect(readdirSync(dir)).toEqual(['.gitignore']);

    const secret = join(dir, 'secret.key');
    writeFileSync(secret, 'key\n');
    const beforeLink = statSync(file);
    const linked = stageWrite(file, 'gen\n', 0o644, beforeLink);
    renameSync(file, join(dir, 'moved'));
    symlinkSync(secret, file);
    expect(() => linked.commit()).toThrow(/a symbolic link appeared there while gen was working/);
    expect(readFileSync(secret, 'utf8')).toBe('key\n');
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'moved', 'secret.key']);
  });

  it('discard leaves the path as it was and no temporary file', () => {
    const dir = scratch();
    const staged = stageWrite(join(dir, 'new'), 'x', 0o644, 'nothing');
    staged.discard();
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(!isRoot)('keeps the owner it is given (root), and the mode', () => {
    const dir = scratch();
    const file = othersFile(join(dir, 'README.md'), 'mine\n', 0o640);
    const read = statSync(file);
    stageWrite(file, 'mine\nmore\n', read.mode & 0o7777, read, { uid: read.uid, gid: read.gid }).commit();
    const after = statSync(file);
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
  });

  it.skipIf(!isRoot)('a gen wg command\'s topology keeps its owner and mode (root editing a user\'s file)', () => {
    const dir = scratch();
    const file = othersFile(join(dir, 'topology.yaml'), 'version: 1\n', 0o660);
    writeEdited(file, 'version: 1\nname: x\n');
    const after = statSync(file);
    expect([readFileSync(file, 'utf8'), after.uid, after.gid, after.mode & 0o7777]).toEqual(['version: 1\nname: x\n', 65534, 65534, 0o660]);
  });
});
