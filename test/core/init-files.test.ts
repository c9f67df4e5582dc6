// gen init and the files it adds to (.gitignore, README.md, package.json):
// it changes only a regular file of the project, appends or inserts its own
// lines and leaves every other byte, the mode and the owner as they were;
// a link (to a key, /etc/passwd), a directory or a pipe there, a file gen
// may not write, or a package.json it cannot edit is refused before
// anything is written; a full disk or a kill leaves all or nothing that a
// new gen init cannot finish.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GITIGNORE_LINES } from '../../src/commands/init.js';
import { root } from '../helpers.js';
import { smallDisk } from '../hardening/full-disk.js';
import { isRoot, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
const VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;

function gen(args: string[], cwd: string, options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1', ...options.env }, uid: options.uid, gid: options.gid });
}

function scratch(): string {
  return tempDir('gen-init-files-');
}

const sorted = (dir: string) => readdirSync(dir).sort();
const GIT_LINES = GITIGNORE_LINES.filter((l) => !l.startsWith('#'));

describe('gen init writes no link and nothing outside the project', () => {
  for (const [file, args] of [
    ['.gitignore', ['init', '--install', 'global']],
    ['README.md', ['init', '--install', 'global']],
    ['package.json', ['init', '--install', 'dev']],
  ] as const) {
    it(`${file} linked to a private key: refused (exit 2), the key, its mode and the link as they were, nothing written`, () => {
      const outside = scratch();
      const key = join(outside, 'victim.key');
      writeFileSync(key, '{"FAKE PRIVATE KEY": 1}\n');
      chmodSync(key, 0o600);
      const before = statSync(key);
      const dir = scratch();
      symlinkSync(key, join(dir, file));
      const r = gen([...args], dir);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^gen: refusing to change ${file.replace('.', '\\.')}: it is a symbolic link \\(to ${key}\\), and gen init changes only a regular file there; replace the link with a regular file and run gen init again, or .+\\n$`));
      expect(readFileSync(key, 'utf8')).toBe('{"FAKE PRIVATE KEY": 1}\n');
      const after = statSync(key);
      expect([after.mode & 0o7777, after.uid, after.ino, after.mtimeMs]).toEqual([0o600, before.uid, before.ino, before.mtimeMs]);
      expect(readlinkSync(join(dir, file))).toBe(key);
      expect(sorted(dir)).toEqual([file]);
      expect(sorted(outside)).toEqual(['victim.key']);
    });
  }

  it('a link to nothing is refused too (gen would create its target)', () => {
    const dir = scratch();
    const target = join(scratch(), 'made-by-gen');
    symlinkSync(target, join(dir, '.gitignore'));
    const r = gen(['init', '--install', 'global'], dir);
    expect([r.status, r.stderr]).toEqual([2, expect.stringContaining(`refusing to change .gitignore: it is a symbolic link (to ${target})`)]);
    expect(sorted(dir)).toEqual(['.gitignore']);
    expect(lstatSync(target, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('a link whose file already has all gen would add is read and left alone', () => {
    const shared = scratch();
    writeFileSync(join(shared, 'gitignore'), `${GIT_LINES.join('\n')}\n`);
    const dir = scratch();
    symlinkSync(join(shared, 'gitignore'), join(dir, '.gitignore'));
    const r = gen(['init', '--install', 'global'], dir);
    expect([r.status, r.stderr]).toEqual([0, 'gen: wrote topology.yaml (homelab), README.md (how to run gen); next: gen lint topology.yaml && gen build topology.yaml\n']);
    expect(readlinkSync(join(dir, '.gitignore'))).toBe(join(shared, 'gitignore'));
    expect(readFileSync(join(shared, 'gitignore'), 'utf8')).toBe(`${GIT_LINES.join('\n')}\n`);
  });
});

describe('gen init reads every file it adds to before it writes anything', () => {
  for (const [file, make, kind] of [
    ['.gitignore', (p: string) => mkdirSync(p), 'a directory'],
    ['README.md', (p: string) => mkdirSync(p), 'a directory'],
    ['.gitignore', (p: string) => spawnSync('mkfifo', [p]), 'a named pipe'],
    ['package.json', (p: string) => mkdirSync(p), 'a directory'],
  ] as const) {
    it(`${file} that is ${kind}: refused naming it (exit 2), without waiting, and no topology written`, () => {
      const dir = scratch();
      make(join(dir, file));
      // package.json as a directory: the nearest one is looked for with --install dev.
      const r = gen(['init', '--install', file === 'package.json' ? 'dev' : 'global'], dir);
      expect(r.error).toBeUndefined();
      expect([r.status, r.stderr]).toEqual([2, `gen: cannot read ${file}: it is ${kind}, not a regular file; gen init adds to a regular file only: move it away, then run gen init again\n`]);
      expect(sorted(dir)).toEqual([file]);
      // So a second gen init is not refused for a topology the first one left.
      rmSync(join(dir, file), { recursive: true });
      expect(gen(['init', '--install', 'global'], dir).status).toBe(0);
    });
  }

  it.skipIf(!isRoot)(titled('a file gen may not write (mode 0444) is refused (exit 1) and stays read-only', isRoot ? undefined : 'needs root'), () => {
    const dir = scratch();
    writeFileSync(join(dir, '.gitignore'), 'mine\n');
    chmodSync(join(dir, '.gitignore'), 0o444);
    chownSync(dir, 65534, 65534);
    chownSync(join(dir, '.gitignore'), 65534, 65534);
    const r = gen(['init', '--install', 'global'], dir, { uid: 65534, gid: 65534, env: { HOME: dir } });
    expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/^gen: refusing to change \.gitignore: you may not write it \(mode 0444\); make it writable \(chmod u\+w \.gitignore\) and run gen init again, or add these lines yourself: \.secrets\/ /)]);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('mine\n');
    expect(statSync(join(dir, '.gitignore')).mode & 0o777).toBe(0o444);
    expect(sorted(dir)).toEqual(['.gitignore']);
  });
});

describe('gen init keeps what is in the files it adds to', () => {
  it('an existing .gitignore keeps its bytes, mode and owner; gen\'s lines follow, in its line ends', () => {
    const dir = scratch();
    // Not UTF-8 (a Latin-1 file name) and CRLF: bytes gen must not touch.
    const mine = Buffer.from('caf\xe9.txt\r\nnode_modules/\r\n.secrets/', 'latin1');
    writeFileSync(join(dir, '.gitignore'), mine);
    chmodSync(join(dir, '.gitignore'), 0o640);
    if (isRoot) chownSync(join(dir, '.gitignore'), 65534, 65534);
    const r = gen(['init', '--install', 'global'], dir);
    expect(r.status).toBe(0);
    const written = readFileSync(join(dir, '.gitignore'));
    expect(written.subarray(0, mine.length).equals(mine)).toBe(true);
    expect(written.subarray(mine.length).toString('utf8')).toBe(`\r\n# added by gen init\r\n${GIT_LINES.filter((l) => l !== '.secrets/').join('\r\n')}\r\n`);
    const stat = statSync(join(dir, '.gitignore'));
    expect(stat.mode & 0o7777).toBe(0o640);
    if (isRoot) expect([stat.uid, stat.gid]).toEqual([65534, 65534]);
    expect(sorted(dir)).toEqual(['.gitignore', 'README.md', 'topology.yaml']);
  });

  it('a README.md that is not UTF-8 keeps its bytes: the section is appended, nothing re-encoded', () => {
    const dir = scratch();
    const mine = Buffer.from([...Buffer.from('# infra \xff\xfe\n', 'latin1')]);
    writeFileSync(join(dir, 'README.md'), mine);
    chmodSync(join(dir, 'README.md'), 0o600);
    expect(gen(['init', '--install', 'global'], dir).status).toBe(0);
    const written = readFileSync(join(dir, 'README.md'));
    expect(written.subarray(0, mine.length).equals(mine)).toBe(true);
    expect(written.subarray(mine.length).toString('utf8')).toMatch(/^\n## Infrastructure\n[\s\S]*\n```sh\ngen lint topology\.yaml && gen build topology\.yaml\n```\n$/);
    expect(statSync(join(dir, 'README.md')).mode & 0o7777).toBe(0o600);
  });

  it('package.json: only gen\'s entries are inserted, in its indentation; numbers, escapes and order stay byte for byte', () => {
    const dir = scratch();
    const mine = '{\n\t"name": "x",\n\t"big": 12345678901234567890,\n\t"f": 1.0,\n\t"e": "\\u00e9\\/",\n\t"scripts": {\n\t\t"test": "true"\n\t}\n}\n';
    writeFileSync(join(dir, 'package.json'), mine);
    chmodSync(join(dir, 'package.json'), 0o664);
    const r = gen(['init', '--install', 'dev'], dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(
      '{\n\t"name": "x",\n\t"big": 12345678901234567890,\n\t"f": 1.0,\n\t"e": "\\u00e9\\/",\n\t"scripts": {\n\t\t"test": "true",\n' +
        '\t\t"topology:lint": "gen-topology lint --max-warnings 0",\n\t\t"topology:build": "gen-topology build",\n\t\t"topology:check": "gen-topology build --check",\n\t\t"topology:diff": "gen-topology diff"\n\t},\n' +
        `\t"devDependencies": {\n\t\t"gen-topology": "^${VERSION}"\n\t}\n}\n`,
    );
    expect(statSync(join(dir, 'package.json')).mode & 0o7777).toBe(0o664);
  });

  it('package.json with CRLF, a byte order mark and an empty devDependencies: gen\'s entries in its line ends', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'package.json'), '\uFEFF{\r\n  "name": "x",\r\n  "devDependencies": {},\r\n  "scripts": {"topology:lint": "mine", "topology:build": "mine", "topology:check": "mine"}\r\n}');
    expect(gen(['init', '--install', 'dev'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(
      `\uFEFF{\r\n  "name": "x",\r\n  "devDependencies": {\r\n    "gen-topology": "^${VERSION}"\r\n  },\r\n  "scripts": {"topology:lint": "mine", "topology:build": "mine", "topology:check": "mine", "topology:diff": "gen-topology diff"}\r\n}`,
    );
  });

  for (const [mine, what] of [
    ['{"scripts": "notobj"}', '"scripts" (line 1, column 13) is a string, not an object'],
    ['{\n  "name": "x",\n  "devDependencies": 5\n}\n', '"devDependencies" (line 3, column 22) is a number, not an object'],
    ['{"dependencies": ["gen-topology"]}', '"dependencies" (line 1, column 18) is an array, not an object'],
    ['{"scripts": null}', '"scripts" (line 1, column 13) is null, not an object'],
    ['"x"', 'it is a string, not a JSON object'],
  ] as const) {
    it(`package.json ${JSON.stringify(mine)}: refused (exit 1), naming where, and nothing written`, () => {
      const dir = scratch();
      writeFileSync(join(dir, 'package.json'), mine);
      const r = gen(['init', '--install', 'dev'], dir);
      expect([r.status, r.stderr]).toEqual([1, `gen: cannot add gen's scripts to package.json: ${what}; fix it, or choose --install global or npx\n`]);
      expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(mine);
      expect(sorted(dir)).toEqual(['package.json']);
    });
  }

  for (const [mine, where] of [
    ['{\n  "name": "x",\n  "scripts": {"build": "tsc",}\n}\n', '3:30: a property name in double quotes is expected'],
    ['{\n  "name": "x" // mine\n}\n', '2:15: JSON has no comments'],
    ['\uFEFF{\r\n  "name": "x"\r\n  "version": "1.0.0"\r\n}\r\n', '3:3: a "," is expected'],
    ['{\n  "name": "x",\n  "scripts": {\n    "a": "b"', '4:13: a "}" is expected'],
    ['{"description": "tab\there"}', '1:21: a control character in a string must be written as an escape'],
    ['', '1:1: a value is expected'],
  ] as const) {
    it(`package.json ${JSON.stringify(mine)}, not JSON: refused (exit 1) at its line and column, nothing written`, () => {
      const dir = scratch();
      writeFileSync(join(dir, 'package.json'), mine);
      const r = gen(['init', '--install', 'dev'], dir);
      expect([r.status, r.stderr]).toEqual([1, `gen: cannot add gen's scripts to package.json: it is not JSON: package.json:${where}; fix it, or choose --install global or npx\n`]);
      expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(mine);
      expect(sorted(dir)).toEqual(['package.json']);
    });
  }

  it('a package.json nested too deep to locate its fault in (100,000 arrays, cut): refused with JSON.parse\'s words (exit 1), no crash', () => {
    const dir = scratch();
    const mine = `{"a": ${'['.repeat(100_000)}`;
    writeFileSync(join(dir, 'package.json'), mine);
    const r = gen(['init', '--install', 'dev'], dir);
    let words = '';
    try {
      JSON.parse(mine);
    } catch (error) {
      words = (error as Error).message;
    }
    expect([r.status, r.stderr]).toEqual([1, `gen: cannot add gen's scripts to package.json: it is not JSON (${words}); fix it, or choose --install global or npx\n`]);
    expect(sorted(dir)).toEqual(['package.json']);
  });

  it('a package.json that is not UTF-8 is refused at its bad byte, not re-encoded', () => {
    const dir = scratch();
    const mine = Buffer.from('{\n  "name": "caf\xe9"\n}\n', 'latin1');
    writeFileSync(join(dir, 'package.json'), mine);
    const r = gen(['init', '--install', 'dev'], dir);
    expect([r.status, r.stderr]).toEqual([1, `gen: cannot add gen's scripts to package.json: it is not UTF-8 (byte 0xE9 at line 2, column 15); fix it, or choose --install global or npx\n`]);
    expect(readFileSync(join(dir, 'package.json')).equals(mine)).toBe(true);
    expect(sorted(dir)).toEqual(['package.json']);
  });
});

describe('gen init killed or on a full disk', () => {
  it('killed before the topology is in place: the next gen init finishes, each line once', () => {
    const dir = scratch();
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    writeFileSync(join(dir, 'README.md'), '# infra\n');
    const killed = gen(['init', '--install', 'global'], dir, { env: { GEN_TEST_CRASH_AT: 'before-rename:topology.yaml' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.tmp')).sort()).toEqual(['.gitignore', 'README.md']);
    const again = gen(['init', '--install', 'global'], dir);
    expect([again.status, again.stderr]).toEqual([0, 'gen: wrote topology.yaml (homelab); next: gen lint topology.yaml && gen build topology.yaml\n']);
    expect(sorted(dir)).toEqual(['.gitignore', 'README.md', 'topology.yaml']);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(`node_modules/\n${GITIGNORE_LINES.join('\n')}\n`);
    expect(readFileSync(join(dir, 'README.md'), 'utf8').match(/## Infrastructure/g)).toHaveLength(1);
  });

  it('killed before the first file is in place: everything as it was; the next gen init removes the temporary files', () => {
    const dir = scratch();
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    const killed = gen(['init', '--install', 'global'], dir, { env: { GEN_TEST_CRASH_AT: 'before-rename:.gitignore' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.tmp'))).toEqual(['.gitignore']);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(gen(['init', '--install', 'global'], dir).status).toBe(0);
    expect(sorted(dir)).toEqual(['.gitignore', 'README.md', 'topology.yaml']);
  });

  const whyRoot = isRoot ? undefined : 'needs root';
  describe.skipIf(whyRoot)(titled('on a full disk (a 64 KiB tmpfs)', whyRoot), () => {
    const { mount, fill } = smallDisk('gen-init-enospc-');

    it('at every amount of free space: all of it written or none, a failure one sentence with exit 1', () => {
      const outcomes = new Set<number>();
      const dir = join(mount, 'repo');
      // The starter topology is two pages; the .gitignore and README one each.
      for (let free = 0; free <= 5; free++) {
        for (const entry of readdirSync(mount)) rmSync(join(mount, entry), { recursive: true, force: true });
        mkdirSync(dir);
        writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
        writeFileSync(join(dir, 'README.md'), `# infra\n\n${'A line of the project\'s own README.\n'.repeat(100)}`);
        const readme = readFileSync(join(dir, 'README.md'));
        fill(free);
        const r = gen(['init', '--install', 'global'], dir);
        outcomes.add(r.status!);
        if (r.status === 0) {
          expect(sorted(dir)).toEqual(['.gitignore', 'README.md', 'topology.yaml']);
          expect(readFileSync(join(dir, 'README.md')).subarray(0, readme.length).equals(readme)).toBe(true);
        } else {
          expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/^gen: cannot write [^\n]+: no space left on the device \(ENOSPC\)\n$/)]);
          expect(sorted(dir)).toEqual(['.gitignore', 'README.md']);
          expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n');
          expect(readFileSync(join(dir, 'README.md')).equals(readme)).toBe(true);
        }
      }
      expect([...outcomes].sort()).toEqual([0, 1]);
    });
  });
});

describe('addToPackageJson: gen\'s entries inserted into the text', () => {
  const WANTED = { 'topology:lint': 'gen-topology lint', 'topology:build': 'gen-topology build' };
  const key = fc.oneof(fc.constantFrom('scripts', 'devDependencies', 'dependencies', 'name', 'topology:lint', 'gen-topology', 'a"b', 'é\\'), fc.string({ maxLength: 6 })).filter((k) => k !== '__proto__');
  const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
  }));
  const strings = fc.dictionary(key, fc.string({ maxLength: 8 }), { maxKeys: 3 });
  const packageJson = fc.record(
    { name: fc.string({ maxLength: 5 }), scripts: strings, devDependencies: strings, dependencies: strings, other: value },
    { requiredKeys: [] },
  );
  const layout = fc.record({ indent: fc.constantFrom(0, 2, 4, '\t'), crlf: fc.boolean(), newline: fc.boolean() });

  it('keeps every character of the file, in its line ends; adds exactly what is missing, after what is there; a second time adds nothing', async () => {
    const { addToPackageJson } = await import('../../src/commands/init-package-json.js');
    fc.assert(
      fc.property(packageJson, layout, (data, { indent, crlf, newline }) => {
        let text = JSON.stringify(data, null, indent) + (newline ? '\n' : '');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const edit = addToPackageJson(text, WANTED, 'gen-topology', '^1');
        const missing = Object.entries(WANTED).filter(([name]) => !Object.hasOwn(data.scripts ?? {}, name));
        const needsDependency = !Object.hasOwn(data.devDependencies ?? {}, 'gen-topology') && !Object.hasOwn(data.dependencies ?? {}, 'gen-topology');
        if (missing.length === 0 && !needsDependency) return edit === undefined;
        if (edit === undefined) return false;
        // What npm reads: the user's members in their order, then gen's.
        const expected: Record<string, unknown> = { ...data };
        if (missing.length) expected.scripts = { ...(data.scripts ?? {}), ...Object.fromEntries(missing) };
        if (needsDependency) expected.devDependencies = { ...(data.devDependencies ?? {}), 'gen-topology': '^1' };
        expect(JSON.stringify(JSON.parse(edit.text))).toBe(JSON.stringify(expected));
        expect(edit.added).toEqual([...missing.map(([name]) => name), ...(needsDependency ? ['devDependencies.gen-topology'] : [])]);
        // Every character of the file is still there, in its order.
        let at = 0;
        for (const c of edit.text) if (at < text.length && c === text[at]) at++;
        expect(at).toBe(text.length);
        if (text.includes('\r\n')) expect(edit.text).not.toMatch(/[^\r]\n/);
        expect(addToPackageJson(edit.text, WANTED, 'gen-topology', '^1')).toBeUndefined();
        return true;
      }),
      { numRuns: 1000 },
    );
  });

  it('a key given twice: the entries go into the one npm reads, the last', async () => {
    const { addToPackageJson } = await import('../../src/commands/init-package-json.js');
    const edit = addToPackageJson('{"scripts": {"a": "1"}, "scripts": {"b": "2"}, "dependencies": {"gen-topology": "1"}}', WANTED, 'gen-topology', '^1');
    expect(edit?.text).toBe('{"scripts": {"a": "1"}, "scripts": {"b": "2", "topology:lint": "gen-topology lint", "topology:build": "gen-topology build"}, "dependencies": {"gen-topology": "1"}}');
  });

  it('a value nested past any stack (100,000 arrays) is skipped, not recursed into', async () => {
    const { addToPackageJson } = await import('../../src/commands/init-package-json.js');
    const deep = `{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(addToPackageJson(deep, WANTED, 'gen-topology', '^1')?.text.endsWith(`${']'.repeat(100_000)}, "scripts": {"topology:lint": "gen-topology lint", "topology:build": "gen-topology build"}, "devDependencies": {"gen-topology": "^1"}}`)).toBe(true);
  });
});
