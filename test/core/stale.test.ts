// `gen build --check` and `gen build` judge a tree alike: by the bytes a
// build writes and by the files' mode, whatever masks the mode of a new file
// (the umask, or a default ACL of the directory above out/).
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitTree } from '../../src/emit.js';
import type { OutputSink } from '../../src/io/tree-files.js';
import { bothSinks, checkTree, staleFiles } from '../../src/stale.js';
import { readExample, readTree, root } from '../helpers.js';
import { hasCommand, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
/** The files of the default topology's build: the lines of the committed out/MANIFEST. */
const FILES = readFileSync(join(root, 'out/MANIFEST'), 'utf8').split('\n').filter(Boolean).length;

function gen(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const modes = (dir: string) => new Map([...readTree(dir).keys()].map((path) => [path, statSync(join(dir, path)).mode & 0o7777]));

/**
 * A directory with the default ACL `u::rwx,g::---,o::---` (what setfacl -d
 * -m g::-,o::- sets): a file created in it gets mode 0600 whatever the
 * umask. Set through its extended attribute, as setfacl does (setfacl is
 * rarely installed; python3 has os.setxattr). A reason instead when this
 * machine cannot: no python3, or a file system without POSIX ACLs.
 */
function defaultAclDirectory(): { dir: string } | { why: string } {
  if (!hasCommand('python3')) return { why: 'needs python3 (it sets the default ACL, as setfacl would)' };
  const reasons: string[] = [];
  for (const base of [tmpdir(), '/dev/shm']) {
    if (!existsSync(base)) continue;
    const dir = mkdtempSync(join(base, 'gen-acl-'));
    const set = spawnSync(
      'python3',
      [
        '-c',
        [
          'import os, struct, sys',
          "entry = lambda tag, perm: struct.pack('<HHI', tag, perm, 0xffffffff)",
          "os.setxattr(sys.argv[1], 'system.posix_acl_default', struct.pack('<I', 2) + entry(0x01, 7) + entry(0x04, 0) + entry(0x20, 0))",
        ].join('\n'),
        dir,
      ],
      { encoding: 'utf8' },
    );
    if (set.status === 0) {
      // The kernel honours it: a file asked for with 0644 comes out 0600.
      const probe = join(dir, 'probe');
      closeSync(openSync(probe, 'wx', 0o644));
      const mode = statSync(probe).mode & 0o777;
      rmSync(probe);
      if (mode === 0o600) return { dir };
      reasons.push(`${base}: a file came out ${mode.toString(8)}`);
    } else {
      reasons.push(`${base}: ${set.stderr.trim().split('\n').pop()}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { why: `needs a file system with POSIX default ACLs for the temporary directory or /dev/shm (${reasons.join('; ')})` };
}

describe('gen build --check compares what gen build compares', () => {
  it('reports a file whose mode was changed, with its mode; build puts 0644 back and then both call the tree current', () => {
    const dir = tempDir('gen-stale-');
    writeFileSync(join(dir, 'topology.yaml'), readExample('homelab'));
    expect(gen(['build', '-q'], dir).code).toBe(0);
    chmodSync(join(dir, 'out/plan.json'), 0o600);
    const before = readTree(join(dir, 'out'));
    const check = gen(['build', '--check'], dir);
    expect([check.code, check.stdout, check.stderr]).toEqual([1, '  changed out/plan.json (mode 0600, not 0644)\n', 'gen: out is stale; run gen build to update it:\n']);
    // Bytes unchanged, and --check wrote nothing.
    expect(readTree(join(dir, 'out'))).toEqual(before);
    expect(statSync(join(dir, 'out/plan.json')).mode & 0o777).toBe(0o600);
    expect(gen(['build', '--verbose'], dir).stderr).toContain(`gen: changed out/plan.json (mode 0600, not 0644)\ngen: wrote ${FILES} files to out\n`);
    expect(statSync(join(dir, 'out/plan.json')).mode & 0o777).toBe(0o644);
    expect(gen(['build', '--check'], dir)).toMatchObject({ code: 0, stdout: '' });
    expect(gen(['build'], dir).stderr).toContain(`gen: out is current (${FILES} files)\n`);
  });

  it('calls a tree checked out under umask 002 or 000 current (git records only the executable bit), and an executable file stale', () => {
    const dir = tempDir('gen-stale-');
    writeFileSync(join(dir, 'topology.yaml'), readExample('homelab'));
    expect(gen(['build', '-q'], dir).code).toBe(0);
    // What a clone under umask 002 (Debian's usual) or 000 (a CI runner) gives.
    for (const [file, mode] of [['out/plan.json', 0o664], ['out/MANIFEST', 0o666]] as const) chmodSync(join(dir, file), mode);
    expect(gen(['build', '--check'], dir)).toMatchObject({ code: 0, stdout: '' });
    expect(gen(['build'], dir).stderr).toContain(`gen: out is current (${FILES} files)\n`);
    expect(statSync(join(dir, 'out/plan.json')).mode & 0o777).toBe(0o664);
    chmodSync(join(dir, 'out/plan.json'), 0o755);
    expect(gen(['build', '--check'], dir)).toMatchObject({ code: 1, stdout: '  changed out/plan.json (mode 0755, not 0644)\n' });
    rmSync(dir, { recursive: true, force: true });
  });

  const acl = defaultAclDirectory();
  const why = 'why' in acl ? acl.why : undefined;
  it.skipIf(why !== undefined)(titled('writes every file 0644 under a default ACL that makes new files 0600, so a second build finds it current', why), () => {
    const { dir } = acl as { dir: string };
    try {
      writeFileSync(join(dir, 'topology.yaml'), readExample('homelab'));
      // Staged under the same ACL, wherever TMPDIR is on this machine.
      const env = { TMPDIR: dir };
      expect(gen(['build', '-q'], dir, env).code).toBe(0);
      const written = modes(join(dir, 'out'));
      expect(written.size).toBe(FILES);
      expect([...written].filter(([, mode]) => mode !== 0o644)).toEqual([]);
      expect(gen(['build', '--check'], dir, env)).toMatchObject({ code: 0, stdout: '' });
      expect(gen(['build'], dir, env).stderr).toContain(`gen: out is current (${FILES} files)\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a name in out/ that is not UTF-8 (a Latin-1 file or directory name) is refused and listed by its bytes, not reported as missing', () => {
    const dir = tempDir('gen-stale-');
    writeFileSync(join(dir, 'topology.yaml'), readExample('homelab'));
    expect(gen(['build', '-q'], dir).code).toBe(0);
    const manifest = readFileSync(join(dir, 'out/MANIFEST'));
    // "café.txt" with é as the Latin-1 byte 0xE9: Node reads such a name with U+FFFD, a name no file has.
    const name = Buffer.from('café.txt', 'latin1');
    const path = Buffer.concat([Buffer.from(`${join(dir, 'out')}/`), name]);
    const shown = `caf\\x${name[3]!.toString(16).toUpperCase()}.txt`;
    for (const make of [() => writeFileSync(path, 'notes\n'), () => mkdirSync(path)]) {
      make();
      const build = gen(['build', '-q'], dir);
      expect(build.code).toBe(2);
      expect(build.stderr).toContain(`gen: refusing to replace out: it holds ${shown} (a name that is not UTF-8), which its MANIFEST does not list`);
      const check = gen(['build', '--check', '-q'], dir);
      expect([check.code, check.stdout]).toEqual([1, `  extra   out/${shown}\n`]);
      // Nothing was written or removed.
      expect(readFileSync(join(dir, 'out/MANIFEST'))).toEqual(manifest);
      expect(readdirSync(join(dir, 'out'), { encoding: 'buffer' }).filter((entry) => entry.equals(name))).toHaveLength(1);
      rmSync(path, { recursive: true });
    }
    expect(gen(['build', '--check', '-q'], dir).code).toBe(0);
  });

  it('compares the bytes a build writes: a text a build encodes with a replacement character is current', () => {
    // A lone surrogate has no UTF-8 form: it is written (and hashed) as
    // U+FFFD, as every encoder does. Lint refuses one in a topology
    // (load/character); were a target to make one, --check must still agree
    // with build.
    const out = join(tempDir('gen-stale-'), 'out');
    const files = new Map([['steps.md', 'ISP box \udc00\n'], ['plain.txt', 'x\n']]);
    emitTree(out, files);
    expect(readFileSync(join(out, 'steps.md'))).toEqual(Buffer.from('ISP box \uFFFD\n', 'utf8'));
    expect(emitTree(out, files)).toBe(false);
    expect(staleFiles(out, files)).toEqual([]);
    writeFileSync(join(out, 'steps.md'), 'ISP box ?\n');
    expect(staleFiles(out, files)).toEqual([{ path: 'steps.md', status: 'changed' }]);
  });

  it('compares a text handed over in parts with out/ piece by piece: the same bytes are current, one byte changed, cut short or longer is not', () => {
    const out = join(tempDir('gen-stale-'), 'out');
    // Parts longer than one encoding piece (UTF8_PIECE characters) and one that straddles two pieces with a character of 3 bytes.
    const parts = ['a'.repeat(300_000), '\u20ac'.repeat(70_000), 'end\n'];
    const text = parts.join('');
    emitTree(out, new Map([['long.txt', text], ['short.txt', 'x\n']]));
    const inParts = (write: string[]) => (sink: OutputSink) => {
      sink.setParts!('long.txt', (part) => {
        for (const piece of write) part(piece);
      });
      sink.set('short.txt', 'x\n');
    };
    expect(checkTree(out, inParts(parts))).toEqual([]);
    const changed = [{ path: 'MANIFEST', status: 'changed' }, { path: 'long.txt', status: 'changed' }];
    expect(checkTree(out, inParts([parts[0]!, `${parts[1]!.slice(0, -1)}\u20ad`, parts[2]!]))).toEqual(changed);
    expect(checkTree(out, inParts([parts[0]!, parts[1]!, 'en\n']))).toEqual(changed);
    expect(checkTree(out, inParts([parts[0]!, parts[1]!, 'end\n\n']))).toEqual(changed);
    expect(checkTree(out, inParts([parts[0]!, 'x\n']))).toEqual(changed);
    writeFileSync(join(out, 'long.txt'), `${text.slice(0, 100_000)}b${text.slice(100_001)}`);
    expect(checkTree(out, inParts(parts))).toEqual([{ path: 'long.txt', status: 'changed' }]);
  });

  it('gen build --verbose hands each file to the comparison and to the build: a text in parts reaches both part by part, its writer run once', () => {
    const seen = (name: string, log: string[]): OutputSink => ({
      set: (path, text) => log.push(`${name} set ${path} ${text.length}`),
      setParts: (path, write) => {
        log.push(`${name} parts ${path}`);
        write((text) => log.push(`${name} part ${text}`));
      },
    });
    const log: string[] = [];
    let runs = 0;
    const both = bothSinks(seen('compare', log), seen('build', log));
    both.set('a.txt', 'x\n');
    both.setParts!('b.txt', (part) => {
      runs++;
      part('one ');
      part('two\n');
    });
    expect(runs).toBe(1);
    expect(log).toEqual(['compare set a.txt 2', 'build set a.txt 2', 'compare parts b.txt', 'build parts b.txt', 'compare part one ', 'build part one ', 'compare part two\n', 'build part two\n']);
    // A build that takes whole texts only (an update of out/) gets no parts: the renderer hands the whole text to both.
    expect(bothSinks(seen('compare', []), { set: () => undefined }).setParts).toBeUndefined();
  });

  it('reports a file where out/ had a directory as extra and the files below it as missing, as a build sees the tree', () => {
    const out = join(tempDir('gen-stale-'), 'out');
    const files = new Map([['sub/a.txt', 'a\n'], ['sub/deeper/b.txt', 'b\n'], ['top.txt', 't\n']]);
    emitTree(out, files);
    rmSync(join(out, 'sub'), { recursive: true });
    writeFileSync(join(out, 'sub'), 'in the way\n');
    expect(staleFiles(out, files)).toEqual([
      { path: 'sub', status: 'extra' },
      { path: 'sub/a.txt', status: 'missing' },
      { path: 'sub/deeper/b.txt', status: 'missing' },
    ]);
  });
  it('a directory of out/ replaced by a link to itself is a link like any other: listed as extra, with the files below it missing', () => {
    const out = join(tempDir('gen-stale-'), 'out');
    const files = new Map([['sub/a.txt', 'a\n'], ['sub/deeper/b.txt', 'b\n'], ['top.txt', 't\n']]);
    emitTree(out, files);
    rmSync(join(out, 'sub'), { recursive: true });
    // Reading sub/a.txt through it fails with ELOOP: the comparison must not try.
    symlinkSync('sub', join(out, 'sub'));
    expect(staleFiles(out, files)).toEqual([
      { path: 'sub', status: 'extra' },
      { path: 'sub/a.txt', status: 'missing' },
      { path: 'sub/deeper/b.txt', status: 'missing' },
    ]);
  });

  it('reads nothing through a link in out/ to a directory elsewhere: its files are missing, never opened', () => {
    const base = tempDir('gen-stale-');
    const out = join(base, 'out');
    // Long enough that reading it shows in the process's read count; the same bytes a build writes, so a comparison would read all of it.
    const big = `${'x'.repeat(8 * 1024 * 1024)}\n`;
    const files = new Map([['sub/big.txt', big], ['top.txt', 't\n']]);
    emitTree(out, files);
    renameSync(join(out, 'sub'), join(base, 'elsewhere'));
    symlinkSync(join(base, 'elsewhere'), join(out, 'sub'));
    // Bytes this process has read (Linux): the comparison runs synchronously, nothing else reads meanwhile.
    const readSoFar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
    const before = readSoFar();
    const differences = staleFiles(out, files);
    const read = readSoFar() - before;
    expect(differences).toEqual([
      { path: 'sub', status: 'extra' },
      { path: 'sub/big.txt', status: 'missing' },
    ]);
    expect(read).toBeLessThan(1024 * 1024);
    // The count does see such a read: the same comparison of the file in place reads it.
    renameSync(join(base, 'elsewhere'), join(base, 'moved'));
    rmSync(join(out, 'sub'));
    renameSync(join(base, 'moved'), join(out, 'sub'));
    const again = readSoFar();
    expect(staleFiles(out, files)).toEqual([]);
    expect(readSoFar() - again).toBeGreaterThan(big.length);
  });
});
