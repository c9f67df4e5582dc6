// gen init: a commented starter topology (one of the reference examples),
// with the schema line for editors, a .gitignore beside it that keeps the
// secrets directory and Terraform's state out of git (lines it lacks are
// added to an existing one), and how the project runs gen: scripts in
// package.json for a dev dependency, or a README section for a global or
// npx install (init-ways.ts). Nothing is removed from an existing file.
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { packageRoot } from '../paths.js';
import { WAYS, type Way, detectWay, nearest, packageJsonWith, readIfExists, readmeCommands, readmeWith, schemaPath } from './init-ways.js';
import { DEFAULT_TOPOLOGY } from './topology-arg.js';

const EXAMPLES = {
  homelab: 'topology.yaml',
  'vlan-hosting': 'examples/vlan-hosting.yaml',
  'aws-vpc': 'examples/aws-vpc.yaml',
  'homelab-family': 'examples/homelab-family.yaml',
} as const;

export function starterTopology(example: keyof typeof EXAMPLES, target: string): string {
  const text = readFileSync(resolve(packageRoot, EXAMPLES[example]), 'utf8');
  const body = text.replace(/^# yaml-language-server: \$schema=.*\n/, '');
  return `# yaml-language-server: $schema=${schemaPath(target)}\n${body}`;
}

/** What a repository with a topology must never commit. */
export const GITIGNORE_LINES = [
  '# private keys (gen wg): never in git',
  '.secrets/',
  '# Terraform state and working files in out/ (gen keeps them across builds)',
  '*.tfstate',
  '*.tfstate.*',
  '.terraform/',
  '*.auto.tfvars',
  '*.auto.tfvars.json',
  'terraform.tfvars',
  'terraform.tfvars.json',
];

/** The .gitignore with every line of GITIGNORE_LINES; undefined when `current` has them all. */
export function gitignoreWith(current: string | undefined): string | undefined {
  const have = new Set((current ?? '').split('\n').map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter((line) => !line.startsWith('#') && !have.has(line));
  if (missing.length === 0) return undefined;
  const lines = current === undefined || missing.length === GITIGNORE_LINES.filter((l) => !l.startsWith('#')).length ? GITIGNORE_LINES : ['# added by gen init', ...missing];
  const base = current === undefined || current === '' ? '' : current.endsWith('\n') ? current : `${current}\n`;
  return `${base}${lines.join('\n')}\n`;
}

interface InitOptions {
  example: keyof typeof EXAMPLES;
  file?: string;
  output?: string;
  install?: Way;
  force?: boolean;
}

export function registerInitCommands(cli: Command, setExit: (code: number) => void): void {
  cli
    .command('init')
    .description('write a commented starter topology (with the schema line for editors), a .gitignore for the keys and Terraform state, and how the project runs gen (package.json scripts or a README section)')
    .argument('[file]', `topology file to write (default: ${DEFAULT_TOPOLOGY}); - prints it to standard output`)
    .option('-f, --file <topology>', 'topology file to write, as [file]')
    .option('-o, --output <file>', 'topology file to write, as [file]')
    .addOption(new Option('--example <name>', 'which reference topology to start from').choices(Object.keys(EXAMPLES)).default('homelab'))
    .addOption(new Option('--install <way>', 'how the project runs gen: dev (package.json scripts), global or npx (a README section); default: how this gen was started').choices([...WAYS]))
    .option('--force', 'overwrite an existing topology file')
    .action(async (positional: string | undefined, options: InitOptions) => {
      const { UsageError } = await import('../io/errors.js');
      const named = [positional, options.file, options.output].filter((f): f is string => f !== undefined);
      if (new Set(named).size > 1) throw new UsageError(`several files to write given (${named.join(', ')}): name one`);
      const output = named[0] ?? DEFAULT_TOPOLOGY;
      if (output === '-') {
        process.stdout.write(starterTopology(options.example, DEFAULT_TOPOLOGY));
        setExit(0);
        return;
      }
      const { checkOutputPath } = await import('../io/output-path.js');
      const { writeCheckedFile, writeFileAtomic } = await import('../io/atomic-write.js');
      const { defaultSecretsDir } = await import('../secrets.js');
      const dir = dirname(output);
      // The new topology is the output: only the secrets directory and out/ beside it are off limits.
      const target = checkOutputPath(output, { secrets: defaultSecretsDir(output), outDir: join(dir, 'out'), force: options.force });
      const way = options.install ?? detectWay(dir);
      // package.json is read (and refused when broken) before anything is written.
      let packageJson: { path: string; text: string; added: string[] } | undefined;
      let readme: { path: string; text: string } | undefined;
      if (way === 'dev') {
        // Shown as the user would write it: relative to where gen runs.
        const path = relative(process.cwd(), join(nearest(dir, 'package.json') ?? dir, 'package.json')) || 'package.json';
        let next;
        try {
          next = packageJsonWith(readIfExists(path), relativeTopology(path, output));
        } catch (error) {
          throw new UsageError(`cannot add gen's scripts to ${path}: ${(error as Error).message}; fix it, or choose --install global or npx`);
        }
        if (next) packageJson = { path, ...next };
      } else {
        const path = join(dir, 'README.md');
        const text = readmeWith(readIfExists(path), way, basename(output));
        if (text !== undefined) readme = { path, text };
      }
      writeCheckedFile(target, starterTopology(options.example, output), 0o644, options.force === true);
      const wrote = [`${output} (${options.example})`];
      const gitignore = join(dir, '.gitignore');
      const existing = readIfExists(gitignore);
      const next = gitignoreWith(existing);
      if (next !== undefined) {
        writeFileAtomic(gitignore, next, 0o644);
        wrote.push(existing === undefined ? gitignore : `${gitignore} (added the secrets directory and Terraform state)`);
      }
      if (packageJson) {
        writeFileAtomic(packageJson.path, packageJson.text, 0o644);
        wrote.push(`${packageJson.path} (${packageJson.added.join(', ')})`);
      }
      if (readme) {
        writeFileAtomic(readme.path, readme.text, 0o644);
        wrote.push(`${readme.path} (how to run gen)`);
      }
      const then = way === 'dev' ? `npm install, then npm run topology:lint` : readmeCommands(way, output);
      process.stderr.write(`gen: wrote ${wrote.join(', ')}; next: ${then}\n`);
      setExit(0);
    });
}

/** The topology as the scripts of `packageJson` name it: relative to its directory. */
function relativeTopology(packageJson: string, topology: string): string {
  return relative(dirname(resolve(packageJson)), resolve(topology)).split(sep).join('/');
}
