// gen init: a commented starter topology (one of the reference examples),
// with the schema line pointing at this installation's schema for editors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { packageRoot } from '../paths.js';

const EXAMPLES = {
  homelab: 'topology.yaml',
  'vlan-hosting': 'examples/vlan-hosting.yaml',
  'aws-vpc': 'examples/aws-vpc.yaml',
  'homelab-family': 'examples/homelab-family.yaml',
} as const;


export function starterTopology(example: keyof typeof EXAMPLES, target: string): string {
  const text = readFileSync(resolve(packageRoot, EXAMPLES[example]), 'utf8');
  let schema = relative(dirname(resolve(target)), resolve(packageRoot, 'schema/topology.schema.json')).split('\\').join('/');
  if (!schema.startsWith('.')) schema = `./${schema}`;
  const body = text.replace(/^# yaml-language-server: \$schema=.*\n/, '');
  return `# yaml-language-server: $schema=${schema}\n${body}`;
}

export function registerInitCommands(cli: Command, setExit: (code: number) => void): void {
  cli
    .command('init')
    .description('write a commented starter topology (with the schema line for editors)')
    .addOption(new Option('--example <name>', 'which reference topology to start from').choices(Object.keys(EXAMPLES)).default('homelab'))
    .option('-o, --output <file>', 'file to write', 'topology.yaml')
    .option('--force', 'overwrite an existing file')
    .action((options: { example: keyof typeof EXAMPLES; output: string; force?: boolean }) => {
      if (existsSync(options.output) && !options.force) {
        process.stderr.write(`gen: ${options.output} exists; use --force to overwrite it\n`);
        setExit(1);
        return;
      }
      writeFileSync(options.output, starterTopology(options.example, options.output));
      process.stdout.write(`gen: wrote ${options.output} (${options.example}); next: gen lint ${options.output}\n`);
      setExit(0);
    });
}
