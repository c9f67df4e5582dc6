// The gen command line. Exit codes: 0 clean, 1 findings (errors, or too
// many warnings) and problems of the environment (a full disk, a file gen
// refuses to touch), 2 usage errors (a missing file, a refused output
// path) and internal errors. Heavy modules load lazily,
// inside the command that needs them, to keep start-up fast.
import { Command, CommanderError } from 'commander';
import { registerLintBuildCommands } from './commands/lint-build.js';
import { registerRulesCommands } from './commands/rules.js';
import { registerCompletionCommands } from './commands/completion.js';
import { registerWgCommands } from './commands/wg.js';
import { registerOpnsenseCommands } from './commands/opnsense.js';
import { registerDiffCommands } from './commands/diff.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerInitCommands } from './commands/init.js';
import { refuseUnusablePaths } from './commands/path-arguments.js';
import { refuseRepeatedOptions } from './commands/repeated-options.js';
import { packageVersion } from './paths.js';

const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

/**
 * The command line; given the command a run names, only what that run needs
 * of it: `gen lint` and `gen build`, the commands a user reruns most, are
 * parsed without setting up every other command (a few ms of a start).
 */
export function program(setExit: (code: number) => void, command?: string): Command {
  const cli = new Command('gen')
    .description('Compile one topology file into Proxmox, OPNsense, WireGuard and AWS configuration.')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run gen --help for usage)')
    .exitOverride()
    .hook('preAction', (_root, action) => refuseUnusablePaths(action));

  // Target-specific command groups (gen wg, gen opnsense, ...) register here.
  for (const register of command === 'lint' || command === 'build' ? [registerLintBuildCommands] : commandGroups) register(cli, setExit);
  refuseRepeatedOptions(cli);

  return cli;
}

type RegisterCommands = (cli: Command, setExit: (code: number) => void) => void;

/** Each entry adds a command group; the modules load their heavy parts lazily. */
const commandGroups: RegisterCommands[] = [registerLintBuildCommands, registerRulesCommands, registerWgCommands, registerOpnsenseCommands, registerGraphCommands, registerInitCommands, registerDiffCommands, registerCompletionCommands];

/** The sentence for a failure of standard output itself (a full disk behind a redirection). */
export { outputErrorSentence } from './io/errors.js';

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const cli = program((c) => {
    code = c;
  }, argv[0]);
  try {
    await cli.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors with 2.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const { ReportedError, isSystemError, stringLimitSentence, systemErrorSentence } = await import('./io/errors.js');
    // A message may quote a file's text, a command's answer or an argument: what a terminal would act on in it is shown as \uXXXX.
    const { terminalText } = await import('./io/terminal.js');
    if (error instanceof ReportedError) {
      process.stderr.write(`gen: ${terminalText(error.message)}\n`);
      return error.exitCode;
    }
    // The environment failed (a full disk, a read-only file system, a missing directory): one sentence, exit 1.
    if (isSystemError(error)) {
      process.stderr.write(`gen: ${terminalText(systemErrorSentence(error))}\n`);
      if (process.env.GEN_DEBUG) process.stderr.write(`${error.stack ?? ''}\n`);
      return EXIT_FINDINGS;
    }
    const limit = stringLimitSentence(error);
    if (limit) {
      process.stderr.write(`gen: ${limit}\n`);
      return EXIT_FINDINGS;
    }
    process.stderr.write(`gen: internal error: ${terminalText((error as Error).message)}\n`);
    if (process.env.GEN_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return EXIT_USAGE;
  }
}
