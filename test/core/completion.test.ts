// Shell completion and the manual page come from the command definitions:
// the scripts complete in the real shells what `gen --help` lists, and the
// manual page passes mandoc's checker and groff, and is current.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
const gen = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

function script(shell: string): string {
  const r = gen('completion', shell);
  expect(r.status).toBe(0);
  const file = join(tempDir('gen-completion-'), `gen.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

/** Runs the bash completion function for a command line whose last word is being completed. */
function bashComplete(file: string, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `source "$0"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _gen_completion gen "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "\${COMPREPLY[@]}"`, file], { encoding: 'utf8', cwd: root });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('gen completion bash', () => {
  it('registers for both names and completes commands, options and their values', () => {
    const file = script('bash');
    const registered = spawnSync('bash', ['-c', 'source "$0"; complete -p gen gen-topology', file], { encoding: 'utf8' });
    expect(registered.stdout).toBe('complete -o filenames -F _gen_completion gen\ncomplete -o filenames -F _gen_completion gen-topology\n');
    expect(bashComplete(file, ['gen', ''])).toEqual(['lint', 'build', 'rules', 'wg', 'opnsense', 'graph', 'init', 'diff', 'completion', 'man']);
    expect(bashComplete(file, ['gen', 'wg', 'ex'])).toEqual(['export', 'export-instance']);
    expect(bashComplete(file, ['gen', 'lint', '--format', ''])).toEqual(['pretty', 'json', 'github', 'sarif']);
    expect(bashComplete(file, ['gen', 'wg', 'export', 'laptop', '--'])).toEqual(['--lan', '--qr', '--output', '--force', '--file', '--secrets', '--site', '--instance', '--help']);
    expect(bashComplete(file, ['gen', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // A topology file: file names.
    expect(bashComplete(file, ['gen', 'lint', 'topo'])).toEqual(['topology.yaml']);
    expect(bashComplete(file, ['gen', 'build', '-f', 'topo'])).toEqual(['topology.yaml']);
    // A value that is not a file is left to the user.
    expect(bashComplete(file, ['gen', 'wg', 'add-peer', 'x', '--role', ''])).toEqual([]);
  });
});

const zshMissing = missing(['zsh'], false);
describe.skipIf(zshMissing)(titled('gen completion zsh', zshMissing), () => {
  it('registers through bashcompinit and offers the same candidates', () => {
    const file = script('zsh');
    const r = spawnSync(
      'zsh',
      ['-c', 'autoload -U compinit && compinit -u; source "$0"; print -r -- "${_comps[gen]} | ${_comps[gen-topology]}"; COMP_WORDS=(gen wg ex); COMP_CWORD=2; _gen_completion gen ex wg; print -rl -- "${COMPREPLY[@]}"', file],
      { encoding: 'utf8', cwd: root },
    );
    expect(r.stderr).toBe('');
    const [registered, ...candidates] = r.stdout.trim().split('\n');
    expect(registered).toBe('_bash_complete -o filenames -F _gen_completion | _bash_complete -o filenames -F _gen_completion');
    // zsh's completion system filters by the word typed; the function offers the subcommands of wg.
    expect(candidates).toEqual(expect.arrayContaining(['export', 'export-instance']));
    expect(candidates).not.toContain('lint');
  });
});

const fishMissing = missing(['fish'], false);
describe.skipIf(fishMissing)(titled('gen completion fish', fishMissing), () => {
  it('completes commands with their descriptions, and option values', () => {
    const file = script('fish');
    const complete = (line: string) => spawnSync('fish', ['-c', `source $argv[1]; complete -C '${line}'`, file], { encoding: 'utf8', cwd: root }).stdout.trim().split('\n');
    expect(complete('gen wg ex').map((l) => l.split('\t')[0])).toEqual(['export', 'export-instance']);
    expect(complete('gen wg ex')[0]).toMatch(/^export\twrite the complete client file/);
    expect(complete('gen-topology lint --format ').map((l) => l.split('\t')[0])).toEqual(['github', 'json', 'pretty', 'sarif']);
    expect(complete('gen ').map((l) => l.split('\t')[0])).toEqual(['build', 'completion', 'diff', 'graph', 'init', 'lint', 'man', 'opnsense', 'rules', 'wg']);
  });
});

describe('gen man', () => {
  it('is the committed man/gen.1 (regenerate with `npm run docs`), with every command and option', () => {
    const page = gen('man').stdout;
    expect(readFileSync(join(root, 'man/gen.1'), 'utf8')).toBe(page);
    expect(readFileSync(join(root, 'man/gen-topology.1'), 'utf8')).toBe('.so man1/gen.1\n');
    for (const usage of ['gen lint [options] [file]', 'gen wg export [options] <name> [file]', 'gen opnsense merge [options] [file]', 'gen completion [options] <shell>']) {
      expect(page).toContain(`.SS "${usage.replace(/-/g, '\\-')}"`);
    }
    expect(page).toContain('.B \\-\\-exit\\-code');
  });

  it('names in ENVIRONMENT every variable gen reads', () => {
    const page = gen('man').stdout;
    const environment = /^\.SH ENVIRONMENT\n([\s\S]*?)^\.SH /m.exec(page)![1]!;
    const named = [...environment.matchAll(/^\.B (\S+)$/gm)].map((m) => m[1]!.replace(/\\-/g, '-'));
    const read = new Set<string>();
    for (const file of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      // process.env.NAME, or a number read through envWholeNumber('NAME', ...).
      for (const m of readFileSync(join(root, 'src', file), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)|\benvWholeNumber\('([A-Z][A-Z0-9_]*)'/g)) read.add((m[1] ?? m[2])!);
    }
    expect(read.size).toBeGreaterThan(5);
    expect([...read].filter((name) => !named.includes(name)).sort()).toEqual([]);
  });

  const mandocMissing = missing(['mandoc'], false);
  it.skipIf(mandocMissing)(titled('passes mandoc -T lint without a message', mandocMissing), () => {
    const r = spawnSync('mandoc', ['-T', 'lint', '-W', 'style', join(root, 'man/gen.1')], { encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  const manMissing = missing(['groff', 'man'], false);
  it.skipIf(manMissing)(titled('renders with groff and man without a warning', manMissing), () => {
    const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', join(root, 'man/gen.1')], { encoding: 'utf8' });
    expect([groff.status, groff.stderr]).toEqual([0, '']);
    const man = spawnSync('man', ['-l', join(root, 'man/gen.1')], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' } });
    expect(man.status).toBe(0);
    expect(man.stdout).toMatch(/^GEN\(1\) +User Commands +GEN\(1\)\n/);
    expect(man.stdout).toContain('gen wg list [options] [file]');
  });

  it.skipIf(manMissing)(titled('opens under both command names where npm links the pages (share/man/man1 of its prefix)', manMissing), () => {
    // As `npm i -g` links the package's "man" entries (test/core/package.test.ts checks that it does).
    const manDir = join(tempDir('gen-man-'), 'share/man');
    mkdirSync(join(manDir, 'man1'), { recursive: true });
    for (const page of ['gen.1', 'gen-topology.1']) symlinkSync(join(root, 'man', page), join(manDir, 'man1', page));
    for (const name of ['gen', 'gen-topology']) {
      const man = spawnSync('man', [name], { encoding: 'utf8', env: { ...process.env, MANPATH: manDir, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' } });
      expect([man.status, man.stderr]).toEqual([0, '']);
      expect(man.stdout).toMatch(/^GEN\(1\) +User Commands +GEN\(1\)\n/);
    }
  });
});
