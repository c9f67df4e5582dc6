// gen opnsense merge: puts the generated OPNsense sections into an
// operator's config.xml backup, fills in the WireGuard instance key from
// the secrets directory and writes a complete config to restore (0600,
// atomically, never over the base or the topology, nor into out/ or the
// secrets directory). The base must be UTF-8, as OPNsense writes it: gen
// keeps the bytes it does not manage only for that encoding.
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { terminalLine, terminalText } from '../io/terminal.js';
import { cleanModel } from './model.js';
import type { MergedConfig } from '../opnsense/merge.js';
import { fileArgumentText, fileOption, topologyFile } from './topology-arg.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

interface MergeCommandOptions {
  file: string;
  base: string;
  out: string;
  secrets?: string;
  site?: string;
  allowGuiPortConflict?: boolean;
  allowHa?: boolean;
  force?: boolean;
}

/** The base as text: UTF-8 only, declared so or not declared at all. */
function utf8Base(bytes: Buffer, file: string, utf8Text: (bytes: Uint8Array, file: string, fix: string) => string): string {
  const head = bytes.subarray(0, 200).toString('latin1');
  const declared = /^(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared)) {
    throw new MergeInputError(
      `${file} declares encoding ${declared}; gen merges UTF-8 backups only (OPNsense writes UTF-8) and would not keep its other bytes exactly: ` +
        `convert it (iconv -f ${declared} -t UTF-8) and change the declaration to UTF-8, or download the backup from the box again`,
    );
  }
  try {
    // TextDecoder drops a byte order mark, as it always did here.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Throws NotUtf8Error (reported as it is, exit 1): the first bad byte at its line and column.
    utf8Text(bytes, file, UTF8_FIX);
    throw new MergeInputError(`${file} is not UTF-8; ${UTF8_FIX}`);
  }
}

const UTF8_FIX = 'gen merges UTF-8 backups only, as OPNsense writes them: download the backup from the box again, or convert it (from Latin-1: iconv -f ISO-8859-1 -t UTF-8)';

class MergeInputError extends Error {}

async function runMerge(options: MergeCommandOptions): Promise<number> {
  const { readSecret } = await import('../secrets.js');
  const { DEFAULT_SECRETS_DIR } = await import('../paths.js');
  const { siteSections } = await import('../render/opnsense/index.js');
  const { PRIVATE_KEY_PLACEHOLDER_PREFIX } = await import('../render/opnsense/context.js');
  const { MergeError, mergedConfig } = await import('../opnsense/merge.js');
  const { antiLockoutOn } = await import('../resolve/anti-lockout.js');
  const { joinedVpc } = await import('../opnsense/managed-rules.js');

  const model = await cleanModel(options.file, 'nothing was merged');
  if (!model) return EXIT_FAILED;
  const sites = model.sites.filter((s) => s.firewall);
  const site = options.site === undefined ? (sites.length === 1 ? sites[0] : undefined) : sites.find((s) => s.name === options.site);
  if (!site) {
    const known = sites.map((s) => s.name).join(', ') || 'none';
    // Naming no site, or one without a firewall, is a usage error.
    process.stderr.write(options.site === undefined ? `gen: choose a site with --site (sites with a firewall: ${known})\n` : `gen: site "${options.site}" has no firewall (sites with a firewall: ${known})\n`);
    return EXIT_USAGE;
  }
  const { readInputBytes, requireInputFile, utf8Text } = await import('../io/read-input.js');
  requireInputFile(options.base, 'backup file');
  const { checkOutputPath, outputRulesFor } = await import('../io/output-path.js');
  const secretsDir = options.secrets ?? join(dirname(options.file), DEFAULT_SECRETS_DIR);
  // Never a key in an output tree: refused before any key is read.
  const { checkSecretsPlace } = await import('../io/secrets-place.js');
  checkSecretsPlace(secretsDir, options.file, options.secrets !== undefined);
  const target = checkOutputPath(options.out, outputRulesFor(options.file, { secrets: secretsDir, force: options.force, inputs: [{ path: options.base, what: 'the base backup (--base)' }] }));
  let base: string;
  try {
    base = utf8Base(readInputBytes(options.base), options.base, utf8Text);
  } catch (error) {
    if (error instanceof MergeInputError) {
      process.stderr.write(`gen: ${terminalText(error.message)}\n`);
      return EXIT_FAILED;
    }
    throw error;
  }
  const sections = siteSections(model, site).flatMap((area) => area.sections);
  // The instance key is read under the topology's lock, after a half-done key change is repaired.
  const { withLock } = await import('../io/lock.js');
  const { recoverKeyChanges } = await import('../wg/key-change.js');
  let merged: MergedConfig;
  try {
    merged = await withLock(
      options.file,
      async (held) => {
        if (held) recoverKeyChanges(model, secretsDir, options.file, (text) => process.stderr.write(`gen: ${text}\n`));
        return mergedConfig(base, sections, {
          secret: (relative) => readSecret(secretsDir, relative),
          placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
          // The sections were made for this merge alone.
          ownSections: true,
          allowGuiPortConflict: options.allowGuiPortConflict,
          allowHa: options.allowHa,
          // What the box's dnsmasq answers for gen's names depends on the dnsmasq its release installs.
          release: site.firewall!.release,
          // Its traffic enters on enc0 even where the policy has no rule from it: merge names the box's rules there.
          joinedVpc: joinedVpc(model, site),
          // The DNS servers its full-tunnel client files name: merge says where the box answers none of them.
          tunnelDns: site.wireguard.map((w) => ({ instance: w.name, number: w.number, servers: w.clientDns, network: `${w.address}/${w.prefix}` })),
          antiLockout: Object.assign({}, site.firewall!.antiLockout, { interface: antiLockoutOn(site.firewall!)?.key }),
        });
      },
      { readOnly: true },
    );
  } catch (error) {
    if (error instanceof MergeError) {
      process.stderr.write(`gen: ${options.base}: ${terminalText(error.message)}\n`);
      return EXIT_FAILED;
    }
    throw error;
  }
  const { writeCheckedFile } = await import('../io/atomic-write.js');
  // Written in parts as it is made (a merged config can be hundreds of megabytes); the warnings once it is.
  writeCheckedFile(target, (write) => merged.write(write), 0o600, options.force === true, options.out);
  // A warning quotes the base's own names and descriptions: one line, nothing a terminal would act on.
  for (const message of merged.warnings) process.stderr.write(`gen: warning: ${terminalLine(message)}\n`);
  process.stderr.write(`gen: wrote ${options.out}: site ${site.name} merged into ${options.base}, mode 0600 (restore it whole: System > Configuration > Backups)\n`);
  const { gitExposureWarning } = await import('../io/git-exposed.js');
  const exposed = gitExposureWarning(options.out, "the WireGuard private keys and the box's own secrets");
  if (exposed !== undefined) process.stderr.write(`gen: ${exposed}\n`);
  return 0;
}

export function registerOpnsenseCommands(cli: Command, setExit: (code: number) => void): void {
  const opnsense = cli.command('opnsense').description('OPNsense: merge the generated configuration into a config.xml backup');
  fileOption(
    opnsense
      .command('merge')
      .description('merge the generated sections into a config.xml backup; fills the WireGuard private key from the secrets directory; writes the result with mode 0600')
      .argument('[file]', fileArgumentText(false)),
    false,
  )
    .requiredOption('--base <backup.xml>', 'config.xml downloaded from System > Configuration > Backups')
    .requiredOption('-o, --out <merged.xml>', 'where to write the merged config.xml')
    .option('--secrets <dir>', 'secrets directory (default: .secrets beside the topology file)')
    .option('--site <name>', 'site whose firewall to merge (needed when several sites have one)')
    .option('--allow-gui-port-conflict', 'merge even when an HAProxy frontend and the web GUI cannot both have a port (HAProxy would not start, or one takes the connections of the other)')
    .option('--allow-ha', 'merge into a node of an HA pair (pfsync or configuration sync set), which the topology cannot describe (failover would break)')
    .option('--force', 'replace an existing output file (never the base)')
    .action(async (positional: string | undefined, options: Omit<MergeCommandOptions, 'file'> & { file?: string }) => {
      const file = topologyFile(positional, options, 'reads the instance key in the secrets directory beside the topology file');
      setExit(await runMerge(Object.assign({}, options, { file })));
    });
}
