// gen lint and gen build. Data goes to stdout (lint's report, the list of
// stale files of build --check); progress, manual steps, notes and build's
// diagnostics go to stderr, so `gen build | ...` and redirections carry
// only data. -q shows errors only and no progress; --verbose says why each
// rule matters (lint) and names every file a build changes.
import { lstatSync } from 'node:fs';
import { resolve as absolute } from 'node:path';
import { Option, InvalidArgumentError, type Command } from 'commander';
import type { Diagnostic } from '../diagnostics.js';
import type { Difference } from '../stale.js';
import type { Format } from '../format.js';
import { withTopologyFile, topologyFile } from './topology-arg.js';
import { tuneV8For } from './v8-tuning.js';
import { lintTopology, topologyName } from './model.js';
import { defaultSecretsDir } from '../paths.js';
import { stdoutIsTerminal, writeStdout } from '../io/direct-stdout.js';

const EXIT_FINDINGS = 1;

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

export interface ReportOptions {
  format: Format;
  quiet?: boolean;
  verbose?: boolean;
}

interface LintOptions extends ReportOptions {
  file?: string;
  maxWarnings?: number;
}

interface BuildOptions extends ReportOptions {
  file?: string;
  out: string;
  check?: boolean;
}

function formatOption(): Option {
  return new Option('--format <format>', 'diagnostics format').choices(['pretty', 'json', 'github', 'sarif']).default('pretty');
}

function reportOptions(command: Command, verbose: string): Command {
  return command
    .addOption(formatOption())
    .addOption(new Option('-q, --quiet', 'report errors only, and no progress').conflicts('verbose'))
    .option('--verbose', verbose);
}

/** Diagnostics as the format prints them: errors only with -q; paths from the repository root for CI formats. */
async function report(diagnostics: readonly Diagnostic[], file: string, options: ReportOptions, stream: { isTTY?: boolean }): Promise<string> {
  const { formatDiagnostics } = await import('../format.js');
  const { colorFor } = await import('../io/terminal.js');
  let shown = options.quiet ? diagnostics.filter((d) => d.severity === 'error') : [...diagnostics];
  if ((options.format === 'github' || options.format === 'sarif') && file !== '-') {
    // GitHub resolves annotation and SARIF paths against the repository root, not the directory gen ran in.
    const { relativeTo, repositoryRoot } = await import('../io/repository-root.js');
    const root = repositoryRoot(file);
    const move = <T extends { location: Diagnostic['location'] }>(d: T): T => Object.assign({}, d, { location: Object.assign({}, d.location, { file: relativeTo(root, d.location.file) }) });
    shown = shown.map((d) => ({ ...move(d), ...(d.related ? { related: d.related.map(move) } : {}) }));
  }
  return formatDiagnostics(options.format, shown, { color: colorFor(stream), verbose: options.verbose });
}

/**
 * Whether something may be at `path`: false only when it surely is not. Without
 * a secrets directory (nothing at its path, not even a link) there is no stored
 * key to check and none that git tracks, and lint does not load the modules
 * that read keys (a few ms of a short run); any doubt takes the full check,
 * which reports what it finds.
 */
function mayExist(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

async function runLint(positional: string | undefined, options: LintOptions): Promise<number> {
  const file = topologyFile(positional, options);
  await tuneV8For(file);
  let diagnostics: Diagnostic[];
  // A lint cites no lines of the topology (generated files do): js-yaml need not note them.
  const reading = { lines: false };
  const secrets = file === '-' ? undefined : defaultSecretsDir(file);
  if (secrets === undefined || !mayExist(secrets)) diagnostics = (await lintTopology(file, undefined, reading)).diagnostics;
  else {
    // The stored keys are checked against the topology, and git must not track them.
    const { keyFindings } = await import('../wg/key-state.js');
    const { trackedSecretsDiagnostics } = await import('../io/tracked-secrets.js');
    const linted = await lintTopology(file, (model) => keyFindings(model, secrets), reading);
    const { compareDiagnostics } = await import('../diagnostics.js');
    diagnostics = [...linted.diagnostics, ...(await trackedSecretsDiagnostics(file, secrets))].sort(compareDiagnostics);
  }
  const { countBySeverity } = await import('../diagnostics.js');
  writeStdout(await report(diagnostics, file, options, { isTTY: stdoutIsTerminal() }));
  const { errors, warnings } = countBySeverity(diagnostics);
  if (errors > 0) return EXIT_FINDINGS;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    // In every format: stdout carries the report, and a CI log must say why warnings alone failed the step.
    process.stderr.write(`gen: ${warnings} warnings exceed --max-warnings ${options.maxWarnings}\n`);
    return EXIT_FINDINGS;
  }
  if (options.format === 'pretty' && !options.quiet && diagnostics.length === 0) writeStdout(`${topologyName(file)}: no problems\n`);
  return 0;
}


async function runBuild(positional: string | undefined, options: BuildOptions): Promise<number> {
  const file = topologyFile(positional, options);
  await tuneV8For(file, true);
  const progress = (line: string) => {
    if (!options.quiet) process.stderr.write(`gen: ${line}\n`);
  };
  const { buildInputs } = await import('./build-inputs.js');
  // The text is fingerprinted as it is read, before it is parsed: the model is made from exactly that text.
  let inputs: string | undefined;
  const { diagnostics, model } = await lintTopology(file, undefined, { read: (text) => void (inputs = buildInputs(text, absolute(options.out))) });
  const { countBySeverity } = await import('../diagnostics.js');
  const { errors } = countBySeverity(diagnostics);
  // Diagnostics go to stderr, so that stdout carries only data.
  process.stderr.write(await report(diagnostics, file, options, process.stderr));
  if (errors > 0 || !model) {
    process.stderr.write(`gen: ${errors} error${errors === 1 ? '' : 's'}; nothing was written to ${options.out}\n`);
    return EXIT_FINDINGS;
  }
  if (options.check) {
    const { renderInto } = await import('../render/index.js');
    const { checkTree, differenceDetail } = await import('../stale.js');
    // --check reads and compares; it changes nothing on disk, not even what a killed build left.
    const { movedAside } = await import('../emit.js');
    const aside = movedAside(options.out);
    if (aside !== undefined) {
      process.stderr.write(`gen: ${options.out} is missing: a build that was killed moved it to ${aside}; run gen build to put it back and update it\n`);
      return EXIT_FINDINGS;
    }
    // Each file is compared with out/ as it is rendered, then dropped: the check never holds the tree.
    const differences = checkTree(options.out, (files) => renderInto(model, files));
    if (differences.length === 0) {
      progress(`${options.out} is current`);
      return 0;
    }
    process.stderr.write(`gen: ${options.out} is stale; run gen build to update it:\n`);
    // A file someone put in out/ may have any name: shown as text.
    const { terminalLine } = await import('../io/terminal.js');
    for (const d of differences) process.stdout.write(`  ${d.status.padEnd(7)} ${terminalLine(`${options.out}/${d.path}${differenceDetail(d)}`)}\n`);
    return EXIT_FINDINGS;
  }
  const { emitRendered } = await import('../emit.js');
  const emitOptions = {
    protect: [...(file === '-' ? [] : [{ path: file, what: 'the topology file' }]), { path: defaultSecretsDir(file), what: 'the secrets directory' }],
    // Inputs that made out/ as it is: nothing is rendered (src/emit.ts).
    inputs,
  };
  // Each file goes to out/ (or its stage) as it is rendered: the build never holds its whole output.
  // --verbose compares each with out/ on its way there (out/ changes only once the last has come).
  let changes: Difference[] = [];
  const { renderInto } = await import('../render/index.js');
  const { bothSinks, checkTree, differenceDetail } = await import('../stale.js');
  const emitted = emitRendered(
    options.out,
    (files) => {
      if (!options.verbose) renderInto(model, files);
      else changes = checkTree(options.out, (compare) => renderInto(model, bothSinks(compare, files)));
    },
    emitOptions,
  );
  for (const d of changes) progress(`${{ missing: 'added', changed: 'changed', extra: 'removed' }[d.status].padEnd(7)} ${options.out}/${d.path}${differenceDetail(d)}`);
  progress(emitted.written ? `wrote ${emitted.files} files to ${options.out}` : `${options.out} is current (${emitted.files} files)`);
  for (const site of model.sites) {
    for (const step of site.manualSteps) progress(`manual step (site ${site.name}): ${step}`);
  }
  for (const note of model.aws?.vpc?.notes ?? []) progress(`note (aws): ${note}`);
  return 0;
}

export function registerLintBuildCommands(cli: Command, setExit: (code: number) => void): void {
  reportOptions(
    withTopologyFile(cli.command('lint').description('check a topology file: schema, references, IP plan and policy rules, and the stored keys against the topology')),
    'say why each rule matters',
  )
    .option('--max-warnings <n>', 'fail when there are more warnings than this', parseCount)
    .action(async (file: string | undefined, options: LintOptions) => {
      setExit(await runLint(file, options));
    });

  reportOptions(
    withTopologyFile(cli.command('build').description('lint, then write every generated file to the output directory (nothing is written on errors)'))
      .option('-o, --out <dir>', 'output directory', 'out')
      .option('--check', 'write nothing; exit 1 and list the files that differ when the output directory is stale'),
    'say why each rule matters; name every file the build changes',
  ).action(async (file: string | undefined, options: BuildOptions) => {
    setExit(await runBuild(file, options));
  });
}
