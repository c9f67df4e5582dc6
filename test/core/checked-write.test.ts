// writeCheckedFile: the write of a path a command checked earlier (-o). It
// creates the file only where nothing is, replaces only a regular file, and
// never writes through a symbolic link that appeared since the check.
import { lstatSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCheckedFile } from '../../src/io/atomic-write.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'gen-checked-'));
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
