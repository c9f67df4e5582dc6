// One consistent command line: every command takes its topology as [file]
// and -f alike (and - for standard input where it only reads it); -o
// chooses the format by extension; stdout carries data and stderr the
// rest; colours follow FORCE_COLOR and NO_COLOR; CI formats name paths
// from the repository root; -q and --verbose; exit codes CI can branch on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { main, program } from '../../src/cli.js';
import { edit, readExample, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

function gen(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, encoding: 'utf8', input: options.input, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITHUB_WORKSPACE: undefined, ...options.env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * main, which bin/gen.js exits with, run in this process in `dir`: its exit code and what it
 * wrote. For the checks of many commands, where a process each was most of the time; the
 * runs of bin/gen.js above them show the process's own part (exit code and streams).
 */
async function inProcess(dir: string, argv: string[]) {
  const cwd = process.cwd();
  process.chdir(dir);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const written = (spy: typeof stderr) => spy.mock.calls.map((c) => String(c[0])).join('');
  try {
    const code = await main(argv);
    return { code, stdout: written(stdout), stderr: written(stderr) };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.chdir(cwd);
  }
}

function scratch(text = readExample('aws-vpc')): string {
  const dir = tempDir('gen-cmdline-');
  writeFileSync(join(dir, 'topology.yaml'), text);
  return dir;
}

const broken = readExample('aws-vpc').replace('cidr: 10.30.2.0/24', 'cidr: 10.30.1.0/24');
const warning = readExample('aws-vpc').replace(/ *- \{ name: private-2c.*\n/, '');

function commands(command: Command, words: string[] = []): { words: string[]; command: Command }[] {
  return command.commands.flatMap((c) => [{ words: [...words, c.name()], command: c }, ...commands(c, [...words, c.name()])]);
}

describe('the topology argument', () => {
  const all = commands(program(() => {}));

  it('every command that reads a topology takes both [file] and -f, --file', () => {
    const withFile = all.filter(({ command }) => command.registeredArguments.some((a) => a.name() === 'file') || command.options.some((o) => o.long === '--file'));
    expect(withFile.map(({ words }) => words.join(' ')).sort()).toEqual(
      ['build', 'diff', 'graph', 'init', 'lint', 'opnsense merge', 'wg add-peer', 'wg disable', 'wg doctor', 'wg enable', 'wg export', 'wg export-instance', 'wg keygen', 'wg list', 'wg psk', 'wg rotate'].sort(),
    );
    for (const { words, command } of withFile) {
      expect(command.registeredArguments.map((a) => a.name()), words.join(' ')).toContain('file');
      expect(command.options.find((o) => o.long === '--file')?.short, words.join(' ')).toBe('-f');
    }
  });

  it('lint -f, lint [file] and both naming the same file agree; two different files are a usage error', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'other.yaml'), broken);
    expect(gen(['lint', '-f', 'topology.yaml'], { cwd: dir })).toMatchObject({ code: 0, stdout: 'topology.yaml: no problems\n' });
    expect(gen(['lint', 'topology.yaml', '--file', 'topology.yaml'], { cwd: dir }).code).toBe(0);
    expect(gen(['lint', '-f', 'other.yaml'], { cwd: dir }).code).toBe(1);
    expect(gen(['lint', 'topology.yaml', '-f', 'other.yaml'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'gen: two topology files given (topology.yaml and -f other.yaml): name one\n' });
    expect(gen(['wg', 'list', 'topology.yaml', '-f', 'other.yaml'], { cwd: dir }).code).toBe(2);
  });

  it('an option given twice with two values is a usage error naming both (the parser kept the last, silently); the same value twice is fine', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'other.yaml'), broken);
    // -f a -f b linted b only: "no problems" of a run that never read a.
    expect(gen(['lint', '-f', 'other.yaml', '-f', 'topology.yaml'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'gen: --file given twice (other.yaml and topology.yaml): give it once\n' });
    expect(gen(['lint', '-f', 'topology.yaml', '--file=topology.yaml'], { cwd: dir }).code).toBe(0);
    expect(gen(['build', '-o', 'one', '--out', 'two'], { cwd: dir })).toEqual({ code: 2, stdout: '', stderr: 'gen: --out given twice (one and two): give it once\n' });
    expect(readdirSync(dir).sort()).toEqual(['other.yaml', 'topology.yaml']);
    expect(gen(['lint', '--format', 'json', '--format', 'sarif'], { cwd: dir }).stderr).toBe('gen: --format given twice (json and sarif): give it once\n');
    // Every command of the program, down to the wg subcommands, is watched.
    for (const { words, command } of all) {
      for (const option of command.options.filter((o) => o.required && o.long !== '--file')) {
        const r = await inProcess(dir, words.concat([option.long!, 'a', option.long!, 'b']));
        expect([words.join(' '), r.code, r.stdout, r.stderr], option.long).toEqual([words.join(' '), 2, '', expect.stringMatching(new RegExp(`^(gen: ${option.long} given twice \\(a and b\\): give it once|error: option .* argument 'a' is invalid.*)\n`))]);
      }
    }
    // Nothing was written by any of them.
    expect(readdirSync(dir).sort()).toEqual(['other.yaml', 'topology.yaml']);
  });

  it('- reads the topology from standard input for the commands that only read it', () => {
    const dir = scratch('');
    expect(gen(['lint', '-'], { cwd: dir, input: readExample('aws-vpc') })).toMatchObject({ code: 0, stdout: '<stdin>: no problems\n' });
    const bad = gen(['lint', '-f', '-', '--format', 'json'], { cwd: dir, input: broken });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).diagnostics[0].location.file).toBe('<stdin>');
    expect(gen(['build', '-', '--out', 'built'], { cwd: dir, input: readExample('aws-vpc') }).code).toBe(0);
    expect(existsSync(join(dir, 'built', 'MANIFEST'))).toBe(true);
    expect(gen(['graph', '-'], { cwd: dir, input: readExample('aws-vpc') }).stdout).toMatch(/^flowchart LR\n/);
    const edit = gen(['wg', 'add-peer', 'x', '--role', 'mobile', '-'], { cwd: dir, input: readExample('homelab') });
    expect(edit).toEqual({ code: 2, stdout: '', stderr: 'gen: this command edits the topology file in place: name the topology file instead of -\n' });
    // The wg commands that only read it take it too, with the secrets directory named (it is found beside the file otherwise).
    expect(gen(['wg', 'list', '-'], { cwd: dir, input: readExample('homelab') })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'gen: with the topology on standard input (-), name its secrets directory with --secrets: it is found beside the topology file otherwise\n',
    });
    const list = gen(['wg', 'list', '-f', '-', '--secrets', 'keys', '--format', 'json'], { cwd: dir, input: readExample('homelab') });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).peers).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'laptop-john', address: '10.0.1.3' })]));
    const exported = gen(['wg', 'export', 'laptop-john', '-', '--secrets', 'keys'], { cwd: dir, input: readExample('homelab') });
    // No private key in keys/: export says so rather than writing a file without one.
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(/keys/);
  });
});

describe('an empty path', () => {
  const all = commands(program(() => {}));
  /** Options that take a path, by their value name; an option with a new value name must be added to one list or the other. */
  const valueOptions = all.flatMap(({ words, command }) => command.options.filter((o) => (o.required || o.optional) && !o.argChoices).map((o) => ({ words, command, option: o })));
  const notPaths = ['--format', '--site', '--instance', '--role', '--public-key', '--description', '--tunnel-name', '--max-warnings', '--example', '--context'];

  it('every option that takes a value is either a path or one of the known others', () => {
    const paths = valueOptions.filter(({ option }) => !notPaths.includes(option.long!)).map(({ option }) => option.flags.replace(/^-\w, /, ''));
    expect([...new Set(paths)].sort()).toEqual(['--base <backup.xml>', '--base <ref-or-dir>', '--file <topology>', '--out <dir>', '--out <merged.xml>', '--output <file>', '--secrets <dir>']);
  });

  it('is a usage error for every path option and [file] argument of every command, before the command runs', async () => {
    const dir = scratch();
    const cases = [
      ...valueOptions.filter(({ option }) => !notPaths.includes(option.long!)).map(({ words, command, option }) => ({ words, command, extra: [option.long!, ''], what: option.long! })),
      ...all.filter(({ command }) => command.registeredArguments.some((a) => a.name() === 'file')).map(({ words, command }) => ({ words, command, extra: ['--', ''], what: 'the topology file argument' })),
    ];
    expect(cases.length).toBeGreaterThan(30);
    for (const { words, command, extra, what } of cases) {
      // The arguments before [file] and the required options get a placeholder value, so that only the empty path is wrong.
      const names = command.registeredArguments.map((a) => a.name());
      const before = names.slice(0, names.indexOf('file')).map(() => 'x');
      const required = command.options.filter((o) => o.mandatory && o.long !== extra[0]).flatMap((o) => [o.long!, 'x']);
      const argv = extra[0] === '--' ? [...words, ...required, '--', ...before, ''] : [...words, ...before, ...required, ...extra];
      const { code, stderr: written } = await inProcess(dir, argv);
      expect({ argv, code, written }).toEqual({ argv, code: 2, written: expect.stringMatching(new RegExp(`^gen: ${what} is empty: `)) });
    }
    // Nothing was written where an empty path would have pointed.
    expect(readdirSync(dir)).toEqual(['topology.yaml']);
  });
});

describe('a path that is not UTF-8', () => {
  /** gen run by the shell, so that an argument can hold bytes that are not UTF-8 (printf's octal escapes). */
  const viaShell = (cwd: string, args: string) => {
    const r = spawnSync('sh', ['-c', `exec "$0" "$1" ${args}`, process.execPath, bin], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.status, stderr: r.stderr };
  };

  it('is a usage error naming the fix, for [file], -f and -o: never "no such file" for a file that is there, nor a file written under another name', () => {
    const dir = scratch();
    // A Latin-1 name: é is the byte 0xE9 (octal 351), which Node reads as U+FFFD.
    const latin1 = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('café.yaml', 'latin1')]);
    writeFileSync(latin1, readExample('aws-vpc'));
    const before = readdirSync(dir, { encoding: 'buffer' }).map((name) => name.toString('hex')).sort();
    const cases = [
      ['lint "$(printf \'caf\\351.yaml\')"', 'the file'],
      ['lint -f "$(printf \'caf\\351.yaml\')"', '--file'],
      ['build topology.yaml -o "$(printf \'out\\351\')"', '--out'],
      ['init "$(printf \'new\\351.yaml\')"', 'the file'],
    ] as const;
    for (const [args, what] of cases) {
      const r = viaShell(dir, args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: expect.stringMatching(new RegExp(`^gen: ${what} \\S*\uFFFD\\S* has a byte that is not UTF-8, which Node\\.js reads as U\\+FFFD, so gen cannot name that path: use its UTF-8 name`)) });
    }
    // Nothing was written, under the name asked for or the one Node made of it.
    expect(readdirSync(dir, { encoding: 'buffer' }).map((name) => name.toString('hex')).sort()).toEqual(before);
  });

  it.runIf(existsSync('/proc/self/cmdline'))('a name that holds U+FFFD itself (valid UTF-8) is a name like any other', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'odd\uFFFD.yaml'), readExample('aws-vpc'));
    expect(viaShell(dir, 'lint -q "$(printf \'odd\\357\\277\\275.yaml\')"')).toEqual({ code: 0, stderr: '' });
  });
});

// Drawings (-o x.svg, x.png) need Graphviz: test/core/graph.test.ts has them, so that this file needs no real tool.
describe('-o chooses the format by its extension', () => {
  it('gen graph -o: .mmd, .md, .dot and .gv as text; an unknown extension, an existing file or a contradicting --format is refused', () => {
    const dir = scratch();
    const cases: [string, RegExp, string][] = [
      ['g.mmd', /^flowchart LR\n/, 'Mermaid'],
      ['g.md', /^# aws-vpc\n\n.*\n\n```mermaid\nflowchart LR\n[\s\S]*```\n$/, 'Mermaid in Markdown'],
      ['g.dot', /^digraph /, 'Graphviz DOT'],
      ['g.gv', /^digraph /, 'Graphviz DOT'],
    ];
    for (const [file, content, what] of cases) {
      const r = gen(['graph', '-o', file], { cwd: dir });
      expect([file, r.code, r.stdout]).toEqual([file, 0, '']);
      expect(r.stderr).toMatch(new RegExp(`^gen: wrote ${file.replace('.', '\\.')} \\(${what}, [\\d.]+ (bytes|KiB)\\)\\n$`));
      expect(readFileSync(join(dir, file), 'utf8')).toMatch(content);
    }
    const jpg = gen(['graph', '-o', 'g.jpg'], { cwd: dir });
    expect(jpg).toEqual({ code: 2, stdout: '', stderr: expect.stringContaining('gen: refusing to write g.jpg: gen graph writes .svg (an SVG drawing), .png (a PNG drawing), .dot (Graphviz DOT), .gv (Graphviz DOT), .mmd (Mermaid), .md (Mermaid in Markdown)') });
    expect(existsSync(join(dir, 'g.jpg'))).toBe(false);
    expect(gen(['graph', '-o', 'g.mmd'], { cwd: dir })).toMatchObject({ code: 2, stderr: 'gen: refusing to write g.mmd: it exists; use --force to replace it\n' });
    expect(gen(['graph', '-o', 'g.mmd', '--force'], { cwd: dir }).code).toBe(0);
    expect(gen(['graph', '--format', 'dot', '-o', 'x.svg'], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining('--format dot does not match -o x.svg') });
    expect(existsSync(join(dir, 'x.svg'))).toBe(false);
  });
});

// Every command that writes -o FILE: the same refusals and the same words as build.
describe('-o names a file', () => {
  const writers: [string, string[]][] = [
    ['graph', ['graph']],
    ['init', ['init', '--force']],
    ['wg export', ['wg', 'export', 'dad-laptop']],
    ['wg export-instance', ['wg', 'export-instance']],
    ['opnsense merge', ['opnsense', 'merge', '--base', 'config.xml']],
  ];
  function writerDir(): string {
    const dir = scratch(readExample('homelab-family'));
    writeFileSync(join(dir, 'config.xml'), readFileSync(join(root, 'test/opnsense/models/26.7/config.xml.sample')));
    writeFileSync(join(dir, 'afile'), '');
    return dir;
  }

  it('-o - is refused (it is no file name, and a file named - would be written in its place); leaving out -o is how to get standard output', () => {
    const dir = writerDir();
    for (const [name, args] of writers) {
      if (name === 'init') continue; // gen init -o - prints the topology: its [file] argument takes - for that
      const r = gen(args.concat(['-o', '-']), { cwd: dir });
      expect([name, r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([name, 2, '', expect.stringMatching(/^gen: refusing to write -: /)]);
      expect([name, readdirSync(dir).includes('-')]).toEqual([name, false]);
    }
  });

  it('a path under a regular file is said as build says it: "cannot write" the path as given, never a read of the absolute path', () => {
    const dir = writerDir();
    const built = gen(['build', '-o', 'afile/sub'], { cwd: dir });
    expect([built.code, built.stderr]).toEqual([1, 'gen: cannot write afile/sub: a part of the path is not a directory (ENOTDIR)\n']);
    for (const [name, args] of writers) {
      const r = gen(args.concat(['-o', 'afile/x.conf']), { cwd: dir });
      expect([name, r.code, r.stderr]).toEqual([name, 1, built.stderr.replace('afile/sub', 'afile/x.conf')]);
    }
  });

  // sysfs takes no new files (EACCES, or EROFS where it is mounted read-only), for root too.
  it.skipIf(!existsSync('/sys/kernel'))('a write that fails names the -o path as given, not its real path', () => {
    const dir = writerDir();
    const r = gen(['graph', join(dir, 'topology.yaml'), '-o', 'x.mmd'], { cwd: '/sys' });
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/^gen: cannot write x\.mmd: [^/]*\(E[A-Z]+\)\n$/)]);
  });
});

describe('stdout carries data; colours; CI paths; -q and --verbose', () => {
  it('build writes progress and manual steps to stderr only', () => {
    const dir = scratch(readExample('homelab'));
    const r = gen(['build'], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toMatch(/^gen: wrote \d+ files to out\ngen: manual step \(site home\): /);
  });

  it('FORCE_COLOR paints diagnostics even into a pipe, NO_COLOR and FORCE_COLOR=0 do not', () => {
    const dir = scratch(broken);
    expect(gen(['lint'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).toContain('\u001b[31merror\u001b[0m');
    expect(gen(['lint'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '0' } }).stdout).not.toContain('\u001b[');
    expect(gen(['lint'], { cwd: dir, env: { NO_COLOR: '1' } }).stdout).not.toContain('\u001b[');
    expect(gen(['lint'], { cwd: dir, env: { NO_COLOR: undefined } }).stdout).not.toContain('\u001b[');
  });

  it('--format github and sarif name the file from the repository root, or from GITHUB_WORKSPACE', () => {
    const repo = tempDir('gen-repo-');
    expect(spawnSync('git', ['init', '-q'], { cwd: repo }).status).toBe(0);
    mkdirSync(join(repo, 'infra'));
    writeFileSync(join(repo, 'infra', 'topology.yaml'), broken);
    const github = gen(['lint', '--format', 'github'], { cwd: join(repo, 'infra') });
    expect(github.stdout).toMatch(/^::error file=infra\/topology\.yaml,line=15,col=55,title=ip\/overlap::.*%0Ainfra\/topology\.yaml:14:55: /);
    const sarif = JSON.parse(gen(['lint', '--format', 'sarif'], { cwd: join(repo, 'infra') }).stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('infra/topology.yaml');
    expect(gen(['lint', '--format', 'github'], { cwd: join(repo, 'infra'), env: { GITHUB_WORKSPACE: join(repo, 'infra') } }).stdout).toMatch(/^::error file=topology\.yaml,/);
    // Pretty output keeps the path as given, for the person at the terminal.
    expect(gen(['lint'], { cwd: join(repo, 'infra') }).stdout).toMatch(/^topology\.yaml:15:55: /);
  });

  it('--format github and sarif name a topology outside the repository so that it is found from the repository root', () => {
    const repo = tempDir('gen-repo-');
    mkdirSync(join(repo, 'infra'));
    const elsewhere = join(tempDir('gen-elsewhere-'), 'topology.yaml');
    writeFileSync(elsewhere, broken);
    // Given relative to the current directory, which is not the root the consumers read paths from.
    const given = relative(join(repo, 'infra'), elsewhere);
    const run = (format: string) => gen(['lint', given, '--format', format], { cwd: join(repo, 'infra'), env: { GITHUB_WORKSPACE: repo } }).stdout;
    // The runner makes an annotation's file relative to the workspace when it can, and reads a relative one from there.
    const file = /^::error file=([^,]*),/.exec(run('github'))![1]!.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
    expect(resolve(repo, file)).toBe(elsewhere);
    // Code scanning and the upload action read a URI reference from the repository root.
    const sarif = JSON.parse(run('sarif'));
    const uris = [sarif.runs[0].results[0].locations[0], sarif.runs[0].results[0].relatedLocations[0]].map((l) => l.physicalLocation.artifactLocation.uri as string);
    for (const uri of uris) expect(fileURLToPath(new URL(uri, pathToFileURL(`${repo}/`)))).toBe(elsewhere);
  });

  it('lint -q reports errors only; --verbose adds why each rule matters', () => {
    const dir = scratch(warning);
    expect(gen(['lint', '-q'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(gen(['lint', '-q', '--max-warnings', '0'], { cwd: dir }).code).toBe(1);
    const verbose = gen(['lint', '--verbose'], { cwd: dir });
    expect(verbose.stdout).toMatch(/warning tier private lives only in ap-northeast-2a.*\n  fix: .*\n  why: .+/);
    writeFileSync(join(dir, 'topology.yaml'), broken.replace(/ *- \{ name: private-2c.*\n/, ''));
    const quiet = gen(['lint', '--quiet'], { cwd: dir });
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toContain('error subnet public-2c');
    expect(quiet.stdout).not.toContain('warning tier');
    expect(quiet.stdout).toContain('1 error, 0 warnings');
    expect(gen(['lint', '-q', '--verbose'], { cwd: dir }).code).toBe(2);
  });

  it('build -q prints nothing on success; --verbose names every file it adds, changes or removes', () => {
    const dir = scratch();
    expect(gen(['build', '-q'], { cwd: dir })).toEqual({ code: 0, stdout: '', stderr: '' });
    writeFileSync(join(dir, 'topology.yaml'), readExample('aws-vpc').replace('name: aws-vpc', 'name: aws-vpc-2'));
    const verbose = gen(['build', '--verbose'], { cwd: dir });
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/^gen: changed out\/MANIFEST\n/m);
    expect(verbose.stderr).toMatch(/^gen: changed out\/plan\.json\n/m);
    expect(verbose.stderr).toMatch(/^gen: wrote \d+ files to out\n/m);
  });
});

describe('gen diff for CI', () => {
  function repoWithChange(after: string, before = readExample('aws-vpc')): string {
    const dir = scratch(before);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q');
    git('add', 'topology.yaml');
    expect(git('commit', '-qm', 'base').status).toBe(0);
    writeFileSync(join(dir, 'topology.yaml'), after);
    return dir;
  }

  it('--exit-code: 0 without a change, 1 with one; without it 0 either way', () => {
    const same = repoWithChange(readExample('aws-vpc'));
    expect(gen(['diff', '--exit-code'], { cwd: same })).toMatchObject({ code: 0, stdout: 'No change to the resolved topology (HEAD:topology.yaml → topology.yaml).\n' });
    const changed = repoWithChange(readExample('aws-vpc').replace('name: aws-vpc', 'name: aws-vpc-2'));
    expect(gen(['diff', '--exit-code'], { cwd: changed })).toMatchObject({ code: 1, stdout: expect.stringContaining('+++ b/out/plan.json') });
    expect(gen(['diff'], { cwd: changed }).code).toBe(0);
  });

  it('--exit-code answers for the generated files with --no-patch too, where the words do not name the change', () => {
    // A rule's description changes its filter rule's descr; the words summarise what the policy does and say nothing of it.
    const before = readExample('homelab');
    const dir = repoWithChange(edit(before, ['sites', 0, 'policy', 'rules', 0, 'description'], 'VPN clients reach the management network'), before);
    expect(gen(['diff', '--exit-code', '--no-patch'], { cwd: dir })).toMatchObject({
      code: 1,
      stdout: 'No change to the resolved topology (HEAD:topology.yaml → topology.yaml).\nThe generated files change all the same: run without --no-patch to see how.\n',
    });
    expect(gen(['diff', '--exit-code'], { cwd: dir })).toMatchObject({ code: 1, stdout: expect.stringContaining('VPN clients reach the management network') });
    // Without --exit-code too: "No change" is not the last word on files that change.
    expect(gen(['diff', '--no-patch'], { cwd: dir })).toMatchObject({
      code: 0,
      stdout: 'No change to the resolved topology (HEAD:topology.yaml → topology.yaml).\nThe generated files change all the same: run without --no-patch to see how.\n',
    });
    const same = repoWithChange(before, before);
    expect(gen(['diff', '--exit-code', '--no-patch'], { cwd: same })).toMatchObject({ code: 0, stdout: 'No change to the resolved topology (HEAD:topology.yaml → topology.yaml).\n' });
  });

  it('--exit-code: 0 for an unchanged topology whose outputs name their source lines (verification scripts)', () => {
    for (const example of ['homelab', 'vlan-hosting', 'homelab-family'] as const) {
      const text = readExample(example);
      const r = gen(['diff', '--exit-code'], { cwd: repoWithChange(text, text) });
      expect([r.code, r.stdout], example).toEqual([0, 'No change to the resolved topology (HEAD:topology.yaml → topology.yaml).\n']);
    }
  });

  it('a topology with errors shows the words that can be compared, then the errors, exit 1', () => {
    const dir = repoWithChange(broken);
    const r = gen(['diff', '--exit-code'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Changes \(HEAD:topology\.yaml → topology\.yaml\):\n- .*10\.30\.1\.0\/24/);
    expect(r.stdout).not.toContain('+++');
    expect(r.stderr).toMatch(/topology\.yaml:15:55: error subnet public-2c[\s\S]*gen: topology\.yaml has errors; the words above are what could be compared, and no unified diff was made\n$/);
    const unreadable = repoWithChange('version: 1\nname: [\n');
    const none = gen(['diff'], { cwd: unreadable });
    expect([none.code, none.stdout]).toEqual([1, '']);
    expect(none.stderr).toContain('nothing could be compared');
  });
});

describe('gen rules', () => {
  it('gen rules ID prints one rule in full: what, why, how to fix, examples', () => {
    const r = gen(['rules', 'ip/overlap']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ip\/overlap \(error\)\n  .+\n\n  Why it matters: .+\n  How to fix: .+\n/);
    const json = JSON.parse(gen(['rules', 'opnsense/acme-challenge', '--format', 'json']).stdout);
    expect(json).toMatchObject({ id: 'opnsense/acme-challenge', severity: 'error' });
    expect(json.examples.length).toBeGreaterThan(0);
    expect(gen(['rules', 'opnsense/acme-challenge']).stdout).toMatch(/\n  Reported \(in sites\[\]\.haproxy\):\n {4}.+[\s\S]*\n  Clean:\n {4}/);
    expect(gen(['rules', 'overlap'])).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^gen: no rule overlap \(did you mean ip\/overlap[,?]/) });
    // A rule gen no longer has names the one that reports its finding now.
    expect(gen(['rules', 'proxmox/guest-dns-ignored'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'gen: no rule proxmox/guest-dns-ignored: gen no longer has it; opnsense/dhcp-dns-ignored reports its finding (gen rules opnsense/dhcp-dns-ignored)\n',
    });
  });

  it('gen rules ID shows each example where it goes: what is given first, then the reported and the clean snippet', () => {
    expect(gen(['rules', 'wg/duplicate-listen-port']).stdout).toContain(
      '\n  Given (in a new item of sites[].firewall.interfaces, in the homelab-family example):\n    { name: guests, wireguard: wg1 }\n' +
        '  Reported (in a new item of sites[].wireguard, in the homelab-family example):\n    { name: wg1, listen_port: 51820, ',
    );
    expect(gen(['rules', 'load/duplicate-key']).stdout).toContain('\n  Reported (as sites[].wireguard[].peers[laptop-john]):\n    name: laptop-john\n    role: workstation\n');
    expect(gen(['rules', 'load/read']).stdout).toContain('\n  No example: The finding is about the file itself');
  });

  it('gen rules in text shows why and fix for every rule, as its help promises', () => {
    const text = gen(['rules']).stdout;
    const json = JSON.parse(gen(['rules', '--format', 'json']).stdout) as { id: string; why: string; hint: string }[];
    for (const rule of json) expect(text).toContain(`  why: ${rule.why}\n  fix: ${rule.hint}\n`);
  });
});
