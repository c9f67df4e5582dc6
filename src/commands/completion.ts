// gen completion and gen man: shell completion scripts and the manual
// page, made from the same command definitions as --help.
import { Argument, type Command } from 'commander';
import { PACKAGE_NAME, packageVersion } from '../paths.js';

/** The names gen is installed under. */
export const PROGRAMS = ['gen', PACKAGE_NAME] as const;

export const MAN_INFO = {
  // The date of the manual's last revision; the page carries it, not the build's.
  date: '2026-11-28',
  summary: 'compile one topology file into Proxmox, OPNsense, WireGuard and AWS configuration',
  exitStatus: [
    ['0', 'success: a clean topology, a current out/, no change (gen diff --exit-code)'],
    ['1', 'findings (errors, or more warnings than --max-warnings), a stale out/ (build --check), a change (diff --exit-code), a problem of the environment (no space, no permission, another gen editing the topology), or what a gen wg command refuses to do to the topology or the keys (a peer name that is taken, a role with no free address, a key that exists, without --force)'],
    ['2', 'a usage error (an unknown option or command, a missing file, an ambiguous name, a refused -o path, a GEN_ variable below that is no value of its form), or an internal error'],
  ],
  environment: [
    ['NO_COLOR', 'no colours in diagnostics and QR codes (https://no-color.org)'],
    ['FORCE_COLOR', 'colours even when the output is not a terminal (0 or false: never)'],
    ['GITHUB_WORKSPACE', 'the root that --format github and sarif paths are relative to (else the git work tree)'],
    ['GEN_MAX_INPUT_BYTES', 'the largest input file gen reads, in bytes (default 16 MiB)'],
    ['GEN_LOCK_WAIT_MS', 'how long a command waits for another that edits the topology, and a build for another that writes the same output directory, in milliseconds (default 10000)'],
    ['GEN_TODAY', 'the day (YYYY-MM-DD) gen lint and gen wg list count key ages from (default: today, UTC)'],
    ['GEN_DOT_TIMEOUT_MS', 'how long Graphviz dot may draw gen graph -o FILE.svg or .png, in milliseconds (default 120000)'],
    ['GEN_DEBUG', 'print the stack of an internal error'],
  ],
  files: [
    ['topology.yaml', 'the topology, the default [file] of every command'],
    ['.secrets/', 'private keys beside the topology: directories 0700, files 0600, never in git'],
    ['out/', 'the generated files, with out/MANIFEST listing their sha256'],
  ],
  seeAlso: 'wg(8), wg-quick(8), the documentation in docs/ of the gen-topology package',
} as const;

export function registerCompletionCommands(cli: Command, setExit: (code: number) => void): void {
  cli
    .command('completion')
    .description('print the shell completion script: source <(gen completion bash), or zsh; gen completion fish | source')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { bashCompletion, commandSpec, fishCompletion, zshCompletion } = await import('../docs/command-line.js');
      const spec = commandSpec(cli);
      process.stdout.write({ bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell](spec, PROGRAMS));
      setExit(0);
    });

  cli
    .command('man')
    .description('print the manual page (roff): man -l <(gen man)')
    .action(async () => {
      const { commandSpec, manPage } = await import('../docs/command-line.js');
      process.stdout.write(manPage(commandSpec(cli), Object.assign({}, MAN_INFO, { version: packageVersion() })));
      setExit(0);
    });
}
