// gen wg: WireGuard keys and peers. Key generation, adding, listing,
// rotating, disabling and exporting peers; edits keep the topology file's
// comments and layout. The implementations load lazily.
import { Option, type Command } from 'commander';
import { ReportedError, UsageError } from '../io/errors.js';
import { fileArgumentText, fileOption, topologyFile } from './topology-arg.js';

const EXIT_FAILED = 1;
interface ScopeOptions {
  file?: string;
  secrets?: string;
  site?: string;
  instance?: string;
}

/** The topology file, secrets directory and instance options every `gen wg` command on a topology takes. */
/** `reading`: the command only reads the topology, so it takes it on standard input too (with --secrets; see scopedReading). */
function withScope(command: Command, reading = false): Command {
  return fileOption(command.argument('[file]', fileArgumentText(reading)), reading)
    .option('--secrets <dir>', 'secrets directory (default: .secrets beside the topology file)')
    .option('--site <name>', 'site of the instance or peer (when the topology has several)')
    .option('--instance <name>', 'WireGuard instance (e.g. wg0), when the site has several');
}

/** The options of a command line with its topology file settled; `-` is refused: the keys live beside the file. */
function scoped<T extends ScopeOptions>(positional: string | undefined, options: T, does: string): T & { file: string } {
  return Object.assign({}, options, { file: topologyFile(positional, options, does) });
}

const EDITS = 'edits the topology file in place';
/** For the commands that only read the topology: `-` reads it from standard input, and then the keys' directory must be named. */
function scopedReading<T extends ScopeOptions>(positional: string | undefined, options: T): T & { file: string } {
  const file = topologyFile(positional, options);
  if (file === '-' && options.secrets === undefined) throw new UsageError('with the topology on standard input (-), name its secrets directory with --secrets: it is found beside the topology file otherwise');
  return Object.assign({}, options, { file });
}

/** For the commands that take --secrets without reading keys: a secrets directory in an output tree is refused all the same. */
async function checkGivenSecrets(secrets: string, topology: string): Promise<void> {
  (await import('../io/secrets-place.js')).checkSecretsPlace(secrets, topology, true);
}

async function run(setExit: (code: number) => void, action: () => Promise<void> | void): Promise<void> {
  const { ReportedError } = await import('../io/errors.js');
  const { TopologyEditError } = await import('../wg/edit-topology.js');
  const { terminalText } = await import('../io/terminal.js');
  try {
    await action();
    setExit(0);
  } catch (error) {
    if (!(error instanceof ReportedError) && !(error instanceof TopologyEditError)) throw error;
    process.stderr.write(`gen: ${terminalText(error.message)}\n`);
    setExit(error instanceof ReportedError ? error.exitCode : EXIT_FAILED);
  }
}

/** The most of standard input `gen wg pubkey` reads: a key is 44 characters, with room for the spaces and line ends around it. */
const KEY_INPUT_LIMIT = 4096;

/**
 * Standard input for `gen wg pubkey`, refused past KEY_INPUT_LIMIT: read
 * whole, `< /dev/zero` grew without end and an input past Node's string
 * limit (about 512 MiB) ended in "internal error".
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    length += (chunk as Buffer).length;
    if (length > KEY_INPUT_LIMIT) throw new ReportedError(`stdin is not a WireGuard private key (44 characters of base64): it holds more than ${KEY_INPUT_LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function registerWgCommands(cli: Command, setExit: (code: number) => void): void {
  const wg = cli.command('wg').description('WireGuard keys and peers: keygen, pubkey, add-peer, list, export, export-instance, rotate, psk, disable, enable, doctor');
  const actions = () => import('../wg/actions.js');

  withScope(
    wg
      .command('keygen')
      .description('print a new private key (as `wg genkey`); with --instance, make the instance key pair: private key to the secrets directory, public key into the topology')
      .option('--force', 'replace the instance key pair that the secrets directory or the topology already has'),
  ).action(async (positional: string | undefined, options: ScopeOptions & { force?: boolean }) => {
    await run(setExit, async () => {
      const a = await actions();
      if (options.instance !== undefined) await a.keygenInstance(scoped(positional, options, EDITS));
      else {
        // The key goes to stdout, but a --secrets in an output tree is refused like everywhere.
        if (options.secrets !== undefined) await checkGivenSecrets(options.secrets, topologyFile(positional, options));
        a.keygen();
      }
    });
  });

  wg.command('pubkey')
    .description('read a private key on stdin and print its public key (as `wg pubkey`)')
    .action(async () => {
      await run(setExit, async () => (await actions()).pubkey(await readStdin()));
    });

  withScope(
    wg
      .command('add-peer')
      .description('add a peer at the next free address of its role (the instance is the one that has the role); its private key goes to the secrets directory unless it brings its own public key')
      .argument('<name>', 'peer name')
      .requiredOption('--role <role>', 'role whose address range the peer gets an address from')
      .option('--public-key <key>', 'public key made on the device (gen then keeps no private key)')
      .option('--description <text>', 'description of the peer')
      .option('--tunnel-name <name>', "the client's tunnel name, when the peer's name would make a file name wg-quick refuses (at most 15 characters with -lan and an instance prefix)")
      .option('--preshared-key', "give the peer a pre-shared key (preshared_key: true): made in the secrets directory, written into its client file and the firewall's peer")
      .option('--qr', 'then print the QR code of its client file for the mobile apps (as gen wg export NAME --qr)')
      .option('--force', 'replace a leftover private or pre-shared key of the same name'),
  ).action(async (name: string, positional: string | undefined, options: ScopeOptions & { role: string; publicKey?: string; description?: string; tunnelName?: string; presharedKey?: boolean; qr?: boolean; force?: boolean }) => {
    await run(setExit, async () => (await actions()).addPeer(name, scoped(positional, options, EDITS)));
  });

  withScope(
    wg
      .command('list')
      .description('list the peers: name, role, address, enabled, the state of the private key (present, missing, mismatched), of the pre-shared key of a peer where it has preshared_key (present, missing, invalid), when it was written and, with key_rotation_days, when it falls due; then the stored keys nothing uses (orphaned): of peers and instances the topology no longer has, and the pre-shared key of a peer without preshared_key')
      .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table')),
    true,
  ).action(async (positional: string | undefined, options: ScopeOptions & { format: 'table' | 'json' }) => {
    await run(setExit, async () => (await import('../wg/list.js')).listPeers(scopedReading(positional, options)));
  });

  withScope(
    wg
      .command('export')
      .description('write the complete client file with its private key: to stdout, a 0600 file (-o NAME.conf), a QR code in the terminal (--qr) or in an image (-o NAME.png, -o NAME.svg)')
      .argument('<name>', 'peer name')
      .option('--lan', 'the file for the LAN endpoint')
      .option('--qr', 'a QR code in the terminal for the mobile apps')
      .option('-o, --output <file>', "write to this file, mode 0600, not in the topology's out/ or secrets directory: .conf (the client file), .png or .svg (a QR code)")
      .option('--force', 'replace an existing file'),
    true,
  ).action(async (name: string, positional: string | undefined, options: ScopeOptions & { lan?: boolean; qr?: boolean; output?: string; force?: boolean }) => {
    await run(setExit, async () => (await actions()).exportPeer(name, scopedReading(positional, options)));
  });

  withScope(
    wg
      .command('export-instance')
      .description("write the instance's side as a wg-quick file with its private key (for a plain Linux WireGuard host or to compare with `wg showconf`)")
      .option('-o, --output <file>', "write to this file (mode 0600; not in the topology's out/ or secrets directory)")
      .option('--force', 'replace an existing file'),
    true,
  ).action(async (positional: string | undefined, options: ScopeOptions & { output?: string; force?: boolean }) => {
    await run(setExit, async () => (await actions()).exportInstance(scopedReading(positional, options)));
  });

  withScope(
    wg
      .command('rotate')
      .description("replace a peer's key pair (or set the new public key made on the device)")
      .argument('<name>', 'peer name')
      .option('--public-key <key>', 'new public key made on the device'),
  ).action(async (name: string, positional: string | undefined, options: ScopeOptions & { publicKey?: string }) => {
    await run(setExit, async () => (await actions()).rotate(name, scoped(positional, options, EDITS)));
  });

  withScope(
    wg
      .command('psk')
      .description("make a peer's pre-shared key in the secrets directory and set preshared_key: true on it (rotate keeps a pre-shared key; this renews it with --force)")
      .argument('<name>', 'peer name')
      .option('--force', 'replace the pre-shared key the secrets directory already has')
      .option('--print', "print the peer's pre-shared key to stdout, nothing else (for a device that made its own key: its PresharedKey); refused when stdout is a file"),
  ).action(async (name: string, positional: string | undefined, options: ScopeOptions & { force?: boolean; print?: boolean }) => {
    await run(setExit, async () => (await actions()).psk(name, options.print ? scopedReading(positional, options) : scoped(positional, options, EDITS)));
  });

  withScope(wg.command('disable').description('keep a peer in the topology but out of the running configuration (sets enabled: false)').argument('<name>', 'peer name')).action(
    async (name: string, positional: string | undefined, options: ScopeOptions) => {
      await run(setExit, async () => (await actions()).setEnabled(name, false, scoped(positional, options, EDITS)));
    },
  );

  withScope(wg.command('enable').description('enable a disabled peer again (removes enabled: false)').argument('<name>', 'peer name')).action(
    async (name: string, positional: string | undefined, options: ScopeOptions) => {
      await run(setExit, async () => (await actions()).setEnabled(name, true, scoped(positional, options, EDITS)));
    },
  );

  withScope(
    wg
      .command('doctor')
      .description("on a client: check a client file (or a peer's running tunnel) against the topology, each finding with its fix")
      .argument('[target]', 'a wg-quick file, or a peer name; without it, every running tunnel of a peer of the topology')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (target: string | undefined, positional: string | undefined, options: ScopeOptions & { format: 'text' | 'json' }) => {
    let code = 0;
    await run(setExit, async () => {
      const scope = scoped(positional, options, 'compares the running tunnels with the topology file');
      if (options.secrets !== undefined) await checkGivenSecrets(options.secrets, scope.file);
      code = await (await import('../wg/doctor-command.js')).runDoctor(target, scope);
    });
    // A finding that fails is exit 1; an error was reported and set by run().
    if (code !== 0) setExit(code);
  });
}
