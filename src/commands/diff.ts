// gen diff: what a change to the topology does, first in words (from
// comparing the two resolved models), then as a unified diff of out/.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { maxInputBytes, readInputText, tooLarge, utf8Text } from '../io/read-input.js';
import { terminalLine, terminalText } from '../io/terminal.js';
import { lintTopology, topologyName } from './model.js';
import { DEFAULT_TOPOLOGY, topologyFile, withTopologyFile } from './topology-arg.js';
import type { Model } from '../model.js';

interface Base {
  label: string;
  text?: string;
}

/** The base topology: the file of the same name in DIR, or the file at a git revision (absent there: empty base, the file is new). */
async function readBase(file: string, base: string): Promise<Base> {
  if (existsSync(base) && statSync(base).isDirectory()) {
    const path = join(base, basename(file));
    // A directory without the topology is a mistake, not an empty base: everything would read as added.
    if (!existsSync(path)) throw new UsageError(`--base ${base} holds no ${basename(file)}: pass the directory that holds the base topology, or a git revision`);
    return { label: path, text: readInputText(path) };
  }
  if (base.startsWith('-') || /[\s\0]/.test(base)) throw new UsageError(`--base "${base}" is neither a directory nor a git revision`);
  // Loaded here: node:child_process (and node:net with it) is a good part of a short run's start.
  const { spawnSync } = await import('node:child_process');
  // As much output as gen reads from a file: Node's default (1 MiB) cut larger topologies off.
  const shown = spawnSync('git', ['show', `${base}:./${basename(file)}`], { cwd: dirname(file) || '.', maxBuffer: maxInputBytes() });
  const failure = (shown.error as NodeJS.ErrnoException | undefined)?.code;
  if (failure === 'ENOBUFS') throw tooLarge(`${file} at ${base}`);
  if (failure === 'ENOENT') throw new UsageError('git is not installed; pass --base DIR instead');
  if (shown.error) throw new UsageError(`cannot run git (${shown.error.message}); pass --base DIR instead`);
  if (shown.status !== 0) {
    const stderr = shown.stderr.toString('utf8');
    if (/does not exist in|exists on disk, but not in/.test(stderr)) return { label: `${base}:${file}`, text: undefined };
    if (/not a git repository/.test(stderr)) throw new UsageError(`${dirname(file) || '.'} is not in a git repository, so there is no ${base} to compare with: pass --base DIR, a directory that holds the base ${basename(file)}`);
    if (/invalid object name|unknown revision|bad revision/i.test(stderr)) throw new UsageError(`git knows no revision ${base} here${base === 'HEAD' ? ' (a repository with no commit yet)' : ''}: pass --base with a revision it has, or a directory that holds the base ${basename(file)}`);
    throw new UsageError(`cannot read ${file} at ${base} (git: ${stderr.trim().split('\n')[0]}); pass --base with another revision, or a directory that holds the base ${basename(file)}`);
  }
  return { label: `${base}:${file}`, text: utf8Text(shown.stdout, `${base}:${file}`) };
}

class UsageError extends Error {}

interface DiffOptions {
  file?: string;
  base: string;
  patch: boolean;
  exitCode?: boolean;
}

export function registerDiffCommands(cli: Command, setExit: (code: number) => void): void {
  withTopologyFile(cli.command('diff').description('what a topology change does: in words, then as a unified diff of the generated files'))
    .option('--base <ref-or-dir>', 'git revision, or a directory holding the base topology file', 'HEAD')
    .option('--no-patch', 'only the words, no unified diff')
    .option('--exit-code', 'exit 1 when the generated files change (with --no-patch too), 0 when they do not (as git diff --exit-code)')
    .action(async (positional: string | undefined, options: DiffOptions) => {
      const file = topologyFile(positional, options);
      // Two models and both trees' renders: on a large topology (either side), V8 is tuned as for a build (v8-tuning.ts).
      const { tuneV8For, tuneV8ForBase } = await import('./v8-tuning.js');
      await tuneV8For(file, true);
      const name = topologyName(file);
      // A topology with errors still shows what can be compared; the errors follow, and the exit code is 1.
      const { diagnostics, model } = await lintTopology(file);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      let base: Base;
      try {
        base = await readBase(file === '-' ? DEFAULT_TOPOLOGY : file, options.base);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`gen: ${terminalText(error.message)}\n`);
        setExit(2);
        return;
      }
      await tuneV8ForBase(base.text);
      const { lintText } = await import('../pipeline.js');
      const { STDIN_NAME } = await import('../io/read-input.js');
      let baseModel: Model | undefined;
      if (base.text !== undefined) {
        // Read under the working file's name, for its diagnostics (generated files call every topology topology.yaml).
        const linted = await lintText(base.text, file === '-' ? STDIN_NAME : file);
        baseModel = linted.diagnostics.some((d) => d.severity === 'error') ? undefined : linted.model;
        if (!baseModel) process.stderr.write(`gen: the base topology ${terminalLine(base.label)} has errors; comparing against an empty topology\n`);
      }
      let changed = false;
      let words: string[] = [];
      if (model) {
        const { describeChanges } = await import('../diff/facts.js');
        words = describeChanges(baseModel, model);
        changed = words.length > 0;
        // The words and the diff quote the topologies' values (descriptions may hold C1 and bidirectional controls, which a terminal acts on): shown as \uXXXX.
        const label = `${terminalLine(base.label)} → ${terminalLine(name)}`;
        process.stdout.write(words.length ? `Changes (${label}):\n${words.map((w) => `- ${terminalLine(w)}\n`).join('')}` : `No change to the resolved topology (${label}).\n`);
      }
      // --exit-code answers for the generated files, with --no-patch too: the words name only part of what a change does.
      // So does --no-patch alone when there are no words: "No change" must not be the last word on a changed tree.
      if ((options.patch || options.exitCode || words.length === 0) && model && errors.length === 0) {
        const { renderInto } = await import('../render/index.js');
        const { changedFiles } = await import('../diff/changed-files.js');
        const { filePatch } = await import('../diff/unified.js');
        // Only the files that differ are held, and each one's diff is written as it is made (see changed-files.ts).
        const files = changedFiles(baseModel && ((sink) => renderInto(baseModel!, sink)), (sink) => renderInto(model, sink));
        if (files.length > 0) {
          changed = true;
          if (options.patch) {
            process.stdout.write('\n');
            for (const file of files) process.stdout.write(terminalText(filePatch(file.path, file.before, file.after)));
          } else if (words.length === 0) process.stdout.write('The generated files change all the same: run without --no-patch to see how.\n');
        }
      }
      if (errors.length > 0) {
        const { formatDiagnostics } = await import('../format.js');
        const { colorFor } = await import('../io/terminal.js');
        process.stderr.write(formatDiagnostics('pretty', diagnostics, { color: colorFor(process.stderr) }));
        process.stderr.write(`gen: ${terminalLine(name)} has errors; ${model ? 'the words above are what could be compared, and no unified diff was made' : 'nothing could be compared'}\n`);
        setExit(1);
        return;
      }
      setExit(options.exitCode && changed ? 1 : 0);
    });
}
