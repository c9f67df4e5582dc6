// What a start of `gen lint` and `gen build` sets up: only what the run
// needs, so that a rerun on a small topology costs little more than Node's
// own start. Guarded by what is loaded and set up, not by time.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { program } from '../../src/cli.js';
import { root } from '../helpers.js';

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
