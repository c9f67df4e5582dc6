// What a start of `gen lint` and `gen build` sets up: only what the run
// needs, so that a rerun on a small topology costs little more than Node's
// own start. Guarded by what is loaded and set up, not by time.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { program } from '../../src/cli.js';
import { root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
const bundle = join(root, 'dist/gen.cjs');

/** Every command of a command line, as its words (`wg rotate`). */
function commandWords(command: Command, words: string[] = []): string[] {
  return command.commands.flatMap((c) => {
    const own = words.concat(c.name());
    return [own.join(' ')].concat(commandWords(c, own));
  });
}

/** What commander prints for `args`, and how it ends. */
function parsed(cli: Command, args: string[]): string {
  let text = '';
  const capture = (s: string) => {
    text += s;
  };
  cli.configureOutput({ writeOut: capture, writeErr: capture });
  try {
    cli.parse(args, { from: 'user' });
  } catch (error) {
    text += `\n[${(error as { code?: string }).code}]`;
  }
  return text;
}

describe('the command line of a run', () => {
  it('sets up lint and build alone for a run of either', () => {
    const all = commandWords(program(() => {}));
    // Every other command group stays out of a lint's or a build's start.
    expect(all.length).toBeGreaterThan(10);
    for (const command of ['lint', 'build']) expect(commandWords(program(() => {}, command))).toEqual(['lint', 'build']);
    // Any other first word gets the whole command line.
    expect(commandWords(program(() => {}, 'wg'))).toEqual(all);
    expect(commandWords(program(() => {}, 'help'))).toEqual(all);
  });

  it('answers lint and build command lines as the whole command line does', () => {
    const lines = [
      ['lint', '--help'],
      ['build', '--help'],
      ['lint', '--bogus'],
      ['build', '--out'],
      ['lint', '--formt', 'json'],
      ['lint', '--format', 'nope'],
      ['lint', 'a.yaml', 'b.yaml'],
      ['build', '--verbose', '-q'],
    ];
    for (const args of lines) expect(parsed(program(() => {}, args[0]), args), args.join(' ')).toBe(parsed(program(() => {}), args));
  });
});

describe('gen lint without a secrets directory', () => {
  /** The modules of dist/ that a run of the compiled modules loads, relative to dist/. */
  function loadedModules(args: string[], cwd: string): { code: number | null; stdout: string; modules: string[] } {
    const dir = tempDir('gen-modules-');
    const log = join(dir, 'loaded.txt');
    writeFileSync(log, '');
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const found = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, found.url + '\\n');\n  return found;\n}\n`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const env = Object.assign({}, process.env, { GEN_NO_BUNDLE: '1', NO_COLOR: '1' });
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, bin].concat(args), { cwd, encoding: 'utf8', env });
    const dist = `${pathToFileURL(join(root, 'dist')).href}/`;
    const modules = readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith(dist))
      .map((url) => url.slice(dist.length));
    return { code: r.status, stdout: r.stdout, modules };
  }

  it('loads none of the modules that read, write or track keys; with one, it checks the keys', () => {
    const dir = tempDir('gen-no-secrets-');
    cpSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
    const keyModules = ['wg/key-state.js', 'wg/key-change.js', 'wg/topology-file.js', 'io/tracked-secrets.js'];
    const without = loadedModules(['lint'], dir);
    expect([without.code, without.stdout]).toEqual([0, 'topology.yaml: no problems\n']);
    expect(without.modules).toContain('pipeline.js');
    for (const m of keyModules) expect(without.modules, m).not.toContain(m);
    // A stored key that is not the topology's: the check runs and reports it.
    const keys = join(dir, '.secrets', 'home', 'wireguard');
    mkdirSync(keys, { recursive: true, mode: 0o700 });
    const key = spawnSync(process.execPath, [bin, 'wg', 'keygen'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(keys, 'wg0.key'), key, { mode: 0o600 });
    const withKeys = loadedModules(['lint', '--format', 'json'], dir);
    expect(withKeys.code).toBe(1);
    expect((JSON.parse(withKeys.stdout) as { diagnostics: { rule: string }[] }).diagnostics.map((d) => d.rule)).toEqual(['secrets/key-mismatch']);
    expect(withKeys.modules).toContain('wg/key-state.js');
  });
});

describe.skipIf(!existsSync(bundle))('the code caches of the bundle', () => {
  it('gen lint reads one recorded by a lint alone, smaller than the one of every other command, and V8 accepts both', () => {
    const lintCache = `${bundle}.lint.cache`;
    expect(existsSync(lintCache)).toBe(true);
    // V8 reads a whole cache at start: the lint's holds nothing that only a build compiles.
    expect(statSync(lintCache).size).toBeLessThan(0.9 * statSync(`${bundle}.cache`).size);
    for (const command of ['lint', 'build']) {
      // In a process of its own, as gen starts: V8 refuses a cache whose flags differ.
      const loader = JSON.stringify(join(root, 'bin/bundle-loader.js'));
      const probe = `const { cacheFile, loadBundle } = require(${loader}); const { script } = loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(command)}); process.stdout.write(cacheFile(${JSON.stringify(bundle)}, ${JSON.stringify(command)}) + ' ' + script.cachedDataRejected);`;
      const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${command === 'lint' ? lintCache : `${bundle}.cache`} false`);
    }
  });
});
