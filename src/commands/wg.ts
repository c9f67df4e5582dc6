// gen wg: WireGuard keys and peers. Key generation, adding, rotating,
// disabling and exporting peers; edits keep the topology file's comments
// and layout. The implementations load lazily.
import { type Command, Option } from 'commander';

const EXIT_FAILED = 1;

interface ScopeOptions {
  file: string;
  secrets?: string;
  site?: string;
  instance?: string;
}

function withScope(command: Command): Command {
  return command
    .option('-f, --file <topology>', 'topology file', 'topology.yaml')
    .option('--secrets <dir>', 'secrets directory (default: .secrets beside the topology file)')
    .option('--site <name>', 'site of the instance or peer')
    .option('--instance <name>', 'WireGuard instance (e.g. wg0)');
}

async function run(setExit: (code: number) => void, action: () => Promise<void> | void): Promise<void> {
  const { ReportedError } = await import('../io/errors.js');
  const { TopologyEditError } = await import('../wg/edit-topology.js');
  try {
    await action();
    setExit(0);
  } catch (error) {
    if (!(error instanceof ReportedError) && !(error instanceof TopologyEditError)) throw error;
    process.stderr.write(`gen: ${error.message}\n`);
    setExit(error instanceof ReportedError ? error.exitCode : EXIT_FAILED);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerWgCommands(cli: Command, setExit: (code: number) => void): void {
  const wg = cli.command('wg').description('WireGuard keys and peers: keygen, add-peer, export, rotate, disable, doctor');
  const actions = () => import('../wg/actions.js');

  withScope(
    wg
      .command('keygen')
      .description('print a new private key (as `wg genkey`); with --instance, make the instance key pair: private key to the secrets directory, public key into the topology')
      .option('--force', 'replace an existing instance key'),
  ).action(async (options: ScopeOptions & { force?: boolean }) => {
    await run(setExit, async () => {
      const a = await actions();
      if (options.instance === undefined) a.keygen();
      else await a.keygenInstance(options);
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
      .description("add a peer at the next free address of its role; its private key goes to the secrets directory unless it brings its own public key")
      .argument('<name>', 'peer name')
      .requiredOption('--role <role>', 'role whose address range the peer gets an address from')
      .option('--public-key <key>', 'public key made on the device (gen then keeps no private key)')
      .option('--description <text>', 'description of the peer')
      .option('--force', 'replace a leftover private key of the same name'),
  ).action(async (name: string, options: ScopeOptions & { role: string; publicKey?: string; description?: string; force?: boolean }) => {
    await run(setExit, async () => (await actions()).addPeer(name, options));
  });

  withScope(
    wg
      .command('export')
      .description('write the complete client file with its private key: to stdout, a 0600 file, or a QR code (terminal, or PNG/SVG with -o)')
      .argument('<name>', 'peer name')
      .option('--lan', 'the file for the LAN endpoint')
      .option('--qr', 'a QR code for the mobile apps')
      .option('-o, --output <file>', 'write to this file (mode 0600; not in the topology\'s out/ or secrets directory); .png or .svg writes a QR code')
      .option('--force', 'replace an existing file'),
  ).action(async (name: string, options: ScopeOptions & { lan?: boolean; qr?: boolean; output?: string; force?: boolean }) => {
    await run(setExit, async () => (await actions()).exportPeer(name, options));
  });

  withScope(
    wg
      .command('export-instance')
      .description("write the instance's side as a wg-quick file with its private key (for a plain Linux WireGuard host or to compare with `wg showconf`)")
      .option('-o, --output <file>', 'write to this file (mode 0600; not in the topology\'s out/ or secrets directory)')
      .option('--force', 'replace an existing file'),
  ).action(async (options: ScopeOptions & { output?: string; force?: boolean }) => {
    await run(setExit, async () => (await actions()).exportInstance(options));
  });

  withScope(
    wg
      .command('rotate')
      .description("replace a peer's key pair (or set the new public key made on the device)")
      .argument('<name>', 'peer name')
      .option('--public-key <key>', 'new public key made on the device'),
  ).action(async (name: string, options: ScopeOptions & { publicKey?: string }) => {
    await run(setExit, async () => (await actions()).rotate(name, options));
  });

  withScope(wg.command('disable').description('keep a peer in the topology but out of the running configuration').argument('<name>', 'peer name')).action(
    async (name: string, options: ScopeOptions) => {
      await run(setExit, async () => (await actions()).setEnabled(name, false, options));
    },
  );

  withScope(wg.command('enable').description('enable a disabled peer again').argument('<name>', 'peer name')).action(async (name: string, options: ScopeOptions) => {
    await run(setExit, async () => (await actions()).setEnabled(name, true, options));
  });

  withScope(
    wg
      .command('doctor')
      .description("on a client: check a client file (or a peer's running tunnel) against the topology, each finding with its fix")
      .argument('[file|name]', 'a wg-quick file, or a peer name; without it, every running tunnel of a peer of the topology')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (target: string | undefined, options: ScopeOptions & { format: 'text' | 'json' }) => {
    setExit(await (await import('../wg/doctor-command.js')).runDoctor(target, options));
  });
}
