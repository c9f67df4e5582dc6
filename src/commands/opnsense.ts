// gen opnsense merge: puts the generated OPNsense sections into an
// operator's config.xml backup, fills in the WireGuard instance key from
// the secrets directory and writes a complete config to restore (0600).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { cleanModel } from './model.js';

const EXIT_FAILED = 1;

interface MergeCommandOptions {
  file: string;
  base: string;
  out: string;
  secrets?: string;
  site?: string;
  allowGuiPortConflict?: boolean;
}

async function runMerge(options: MergeCommandOptions): Promise<number> {
  const { DEFAULT_SECRETS_DIR, readSecret } = await import('../secrets.js');
  const { siteSections } = await import('../render/opnsense/index.js');
  const { PRIVATE_KEY_PLACEHOLDER_PREFIX } = await import('../render/opnsense/context.js');
  const { MergeError, mergeConfig } = await import('../opnsense/merge.js');
  const { writePrivateFile } = await import('../opnsense/write.js');

  const model = await cleanModel(options.file, 'nothing was merged');
  if (!model) return EXIT_FAILED;
  const sites = model.sites.filter((s) => s.firewall);
  const site = options.site === undefined ? (sites.length === 1 ? sites[0] : undefined) : sites.find((s) => s.name === options.site);
  if (!site) {
    const known = sites.map((s) => s.name).join(', ') || 'none';
    process.stderr.write(options.site === undefined ? `gen: choose a site with --site (sites with a firewall: ${known})\n` : `gen: site "${options.site}" has no firewall (sites with a firewall: ${known})\n`);
    return EXIT_FAILED;
  }
  let base: string;
  try {
    base = readFileSync(options.base, 'utf8');
  } catch (error) {
    process.stderr.write(`gen: cannot read ${options.base}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return EXIT_FAILED;
  }
  const secretsDir = options.secrets ?? join(dirname(options.file), DEFAULT_SECRETS_DIR);
  const sections = siteSections(model, site).flatMap((area) => area.sections);
  try {
    const merged = mergeConfig(base, sections, {
      secret: (relative) => readSecret(secretsDir, relative),
      placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
      warn: (message) => process.stderr.write(`gen: warning: ${message}\n`),
      allowGuiPortConflict: options.allowGuiPortConflict,
    });
    writePrivateFile(options.out, merged);
  } catch (error) {
    if (error instanceof MergeError) {
      process.stderr.write(`gen: ${options.base}: ${error.message}\n`);
      return EXIT_FAILED;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    process.stderr.write(`gen: cannot write ${options.out}: ${code}\n`);
    return EXIT_FAILED;
  }
  process.stdout.write(`gen: merged site ${site.name} into ${options.out} (restore it whole: System > Configuration > Backups)\n`);
  return 0;
}

export function registerOpnsenseCommands(cli: Command, setExit: (code: number) => void): void {
  const opnsense = cli.command('opnsense').description('OPNsense: merge the generated configuration into a config.xml backup');
  opnsense
    .command('merge')
    .description('merge the generated sections into a config.xml backup; fills the WireGuard private key from the secrets directory; writes the result with mode 0600')
    .requiredOption('--base <backup.xml>', 'config.xml downloaded from System > Configuration > Backups')
    .requiredOption('-o, --out <merged.xml>', 'where to write the merged config.xml')
    .option('-f, --file <topology>', 'topology file', 'topology.yaml')
    .option('--secrets <dir>', 'secrets directory (default: .secrets beside the topology file)')
    .option('--site <name>', 'site whose firewall to merge (needed when several sites have one)')
    .option('--allow-gui-port-conflict', 'merge even when an HAProxy frontend binds a port the web GUI holds on every interface (HAProxy would not start)')
    .action(async (options: MergeCommandOptions) => {
      setExit(await runMerge(options));
    });
}
