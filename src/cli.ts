// The gen command line. Exit codes: 0 clean, 1 findings (errors, or too
// many warnings) and problems of the environment (a full disk, a file gen
// refuses to touch), 2 usage errors (a missing file, a refused output
// path) and internal errors. Heavy modules load lazily,
// inside the command that needs them, to keep start-up fast.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerWgCommands } from './commands/wg.js';
import { registerOpnsenseCommands } from './commands/opnsense.js';
import { registerDiffCommands } from './commands/diff.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerInitCommands } from './commands/init.js';
import type { Format } from './format.js';
import { packageVersion } from './paths.js';

const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;


function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

interface LintOptions {
  format: Format;
  maxWarnings?: number;
  color: boolean;
}

async function runLint(file: string, options: LintOptions): Promise<number> {
  const { requireInputFile } = await import('./io/read-input.js');
  requireInputFile(file, 'topology file');
  const { lintFile } = await import('./pipeline.js');
  const { formatDiagnostics } = await import('./format.js');
  const { countBySeverity } = await import('./diagnostics.js');
  const { trackedSecretsDiagnostics } = await import('./io/tracked-secrets.js');
  const { defaultSecretsDir } = await import('./secrets.js');
  const linted = await lintFile(file);
  const diagnostics = [...linted.diagnostics, ...trackedSecretsDiagnostics(file, defaultSecretsDir(file))];
  process.stdout.write(formatDiagnostics(options.format, diagnostics, options.color));
  const { errors, warnings } = countBySeverity(diagnostics);
  if (errors > 0) return EXIT_FINDINGS;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    if (options.format === 'pretty') process.stderr.write(`gen: ${warnings} warnings exceed --max-warnings ${options.maxWarnings}\n`);
    return EXIT_FINDINGS;
  }
  if (options.format === 'pretty' && diagnostics.length === 0) process.stdout.write(`${file}: no problems\n`);
  return 0;
}

async function runBuild(file: string, options: { out: string; format: Format; color: boolean; check?: boolean }): Promise<number> {
  const { requireInputFile } = await import('./io/read-input.js');
  requireInputFile(file, 'topology file');
  const { lintFile } = await import('./pipeline.js');
  const { formatDiagnostics } = await import('./format.js');
  const { countBySeverity } = await import('./diagnostics.js');
  const { diagnostics, model } = await lintFile(file);
  const { errors } = countBySeverity(diagnostics);
  // Diagnostics go to stderr so that build output stays clean on stdout.
  process.stderr.write(formatDiagnostics(options.format, diagnostics, options.color));
  if (errors > 0 || !model) {
    process.stderr.write(`gen: ${errors} error${errors === 1 ? '' : 's'}; nothing was written to ${options.out}\n`);
    return EXIT_FINDINGS;
  }
  const { renderAll } = await import('./render/index.js');
  const files = renderAll(model);
  if (options.check) {
    // --check reads and compares; it changes nothing on disk, not even what a killed build left.
    const { staleFiles } = await import('./stale.js');
    const { movedAside } = await import('./emit.js');
    const aside = movedAside(options.out);
    if (aside !== undefined) {
      process.stdout.write(`gen: ${options.out} is missing: a build that was killed moved it to ${aside}; run gen build to put it back and update it\n`);
      return EXIT_FINDINGS;
    }
    const differences = staleFiles(options.out, files);
    if (differences.length === 0) {
      process.stdout.write(`gen: ${options.out} is current\n`);
      return 0;
    }
    process.stdout.write(`gen: ${options.out} is stale; run gen build to update it:\n`);
    for (const d of differences) process.stdout.write(`  ${d.status.padEnd(7)} ${options.out}/${d.path}\n`);
    return EXIT_FINDINGS;
  }
  const { emitTree } = await import('./emit.js');
  const { defaultSecretsDir } = await import('./secrets.js');
  const written = emitTree(options.out, files, {
    protect: [
      { path: file, what: 'the topology file' },
      { path: defaultSecretsDir(file), what: 'the secrets directory' },
    ],
  });
  process.stdout.write(written ? `gen: wrote ${files.size + 1} files to ${options.out}\n` : `gen: ${options.out} is current (${files.size + 1} files)\n`);
  for (const site of model.sites) {
    for (const step of site.manualSteps) process.stdout.write(`gen: manual step (site ${site.name}): ${step}\n`);
  }
  return 0;
}

function formatOption(): Option {
  return new Option('--format <format>', 'diagnostics format').choices(['pretty', 'json', 'github', 'sarif']).default('pretty');
}

export function program(setExit: (code: number) => void): Command {
  const color = process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  const cli = new Command('gen')
    .description('Compile one topology file into Proxmox, OPNsense, WireGuard and AWS configuration.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run gen --help for usage)')
    .exitOverride();

  cli
    .command('lint')
    .description('check a topology file: schema, references, IP plan and policy rules')
    .argument('[file]', 'topology file', 'topology.yaml')
    .addOption(formatOption())
    .option('--max-warnings <n>', 'fail when there are more warnings than this', parseCount)
    .action(async (file: string, options: { format: Format; maxWarnings?: number }) => {
      setExit(await runLint(file, { ...options, color }));
    });

  cli
    .command('build')
    .description('lint, then write every generated file to the output directory (nothing is written on errors)')
    .argument('[file]', 'topology file', 'topology.yaml')
    .option('-o, --out <dir>', 'output directory', 'out')
    .option('--check', 'write nothing; exit 1 and list the files that differ when the output directory is stale')
    .addOption(formatOption())
    .action(async (file: string, options: { out: string; format: Format; check?: boolean }) => {
      setExit(await runBuild(file, { ...options, color: process.stderr.isTTY === true && !('NO_COLOR' in process.env) }));
    });

  cli
    .command('rules')
    .description('list every lint rule with its severity and documentation')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .action(async (options: { format: 'text' | 'markdown' | 'json' }) => {
      const { rules } = await import('./rules/index.js');
      if (options.format === 'markdown') {
        const { rulesMarkdown } = await import('./docs/rules-doc.js');
        process.stdout.write(rulesMarkdown(rules));
      } else if (options.format === 'json') {
        const list = rules.map(({ id, severity, summary, why, hint }) => ({ id, severity, summary, why, hint }));
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      } else {
        for (const rule of rules) process.stdout.write(`${rule.id.padEnd(34)} ${rule.severity.padEnd(8)} ${rule.summary}\n`);
      }
      setExit(0);
    });

  // Target-specific command groups (gen wg, gen opnsense, ...) register here.
  for (const register of commandGroups) register(cli, setExit);

  return cli;
}

type RegisterCommands = (cli: Command, setExit: (code: number) => void) => void;

/** Each entry adds a command group; the modules load their heavy parts lazily. */
const commandGroups: RegisterCommands[] = [registerWgCommands, registerOpnsenseCommands, registerGraphCommands, registerInitCommands, registerDiffCommands];

/** The sentence for a failure of standard output itself (a full disk behind a redirection). */
export { outputErrorSentence } from './io/errors.js';

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const cli = program((c) => {
    code = c;
  });
  try {
    await cli.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors with 2.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const { ReportedError, isSystemError, systemErrorSentence } = await import('./io/errors.js');
    if (error instanceof ReportedError) {
      process.stderr.write(`gen: ${error.message}\n`);
      return error.exitCode;
    }
    // The environment failed (a full disk, a read-only file system, a missing directory): one sentence, exit 1.
    if (isSystemError(error)) {
      process.stderr.write(`gen: ${systemErrorSentence(error)}\n`);
      if (process.env.GEN_DEBUG) process.stderr.write(`${error.stack ?? ''}\n`);
      return EXIT_FINDINGS;
    }
    process.stderr.write(`gen: internal error: ${(error as Error).message}\n`);
    if (process.env.GEN_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return EXIT_USAGE;
  }
}
