// gen init: a commented starter topology (one of the reference examples),
// with the schema line pointing at this installation's schema for editors,
// and a .gitignore beside it that keeps the secrets directory and
// Terraform's state out of git (lines it lacks are added to an existing one).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { packageRoot } from '../paths.js';

const EXAMPLES = {
  homelab: 'topology.yaml',
  'vlan-hosting': 'examples/vlan-hosting.yaml',
  'aws-vpc': 'examples/aws-vpc.yaml',
} as const;


export function starterTopology(example: keyof typeof EXAMPLES, target: string): string {
  const text = readFileSync(resolve(packageRoot, EXAMPLES[example]), 'utf8');
  let schema = relative(dirname(resolve(target)), resolve(packageRoot, 'schema/topology.schema.json')).split('\\').join('/');
  if (!schema.startsWith('.')) schema = `./${schema}`;
  const body = text.replace(/^# yaml-language-server: \$schema=.*\n/, '');
  return `# yaml-language-server: $schema=${schema}\n${body}`;
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

export function registerInitCommands(cli: Command, setExit: (code: number) => void): void {
  cli
    .command('init')
    .description('write a commented starter topology (with the schema line for editors)')
    .addOption(new Option('--example <name>', 'which reference topology to start from').choices(Object.keys(EXAMPLES)).default('homelab'))
    .option('-o, --output <file>', 'file to write', 'topology.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (options: { example: keyof typeof EXAMPLES; output: string; force?: boolean }) => {
      const { checkOutputPath } = await import('../io/output-path.js');
      const { writeFileAtomic } = await import('../io/atomic-write.js');
      const { defaultSecretsDir } = await import('../secrets.js');
      const dir = dirname(options.output);
      // The new topology is the output: only the secrets directory and out/ beside it are off limits.
      const target = checkOutputPath(options.output, { secrets: defaultSecretsDir(options.output), outDir: join(dir, 'out'), force: options.force });
      writeFileAtomic(target, starterTopology(options.example, options.output), 0o644);
      const gitignore = join(dir, '.gitignore');
      const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : undefined;
      const next = gitignoreWith(current);
      if (next !== undefined) writeFileAtomic(gitignore, next, 0o644);
      process.stdout.write(`gen: wrote ${options.output} (${options.example})${next === undefined ? '' : current === undefined ? ` and ${gitignore}` : `; added the secrets directory and Terraform state to ${gitignore}`}; next: gen lint ${options.output}\n`);
      setExit(0);
    });
}
