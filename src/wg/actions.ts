// What the `gen wg` commands do. Private keys go only to the secrets
// directory (0700, files 0600), to stdout when asked for, or to a 0600
// file outside the topology's directories; never into the topology file or
// out/. Every command runs under the topology's lock, reads the topology
// only then, and first repairs what a killed command left (key-change.ts).
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeCheckedFile } from '../io/atomic-write.js';
import { type LockOptions, withLock } from '../io/lock.js';
import { UsageError } from '../io/errors.js';
import { formatOfOutput } from '../io/output-format.js';
import { checkOutputPath, outputRulesFor } from '../io/output-path.js';
import { colorFor } from '../io/terminal.js';
import { requireTopologyFile } from '../io/read-input.js';
import { clientConfig, clientFilePath, commandScope } from '../render/wireguard/client-config.js';
import { instanceConfig } from '../render/wireguard/instance-config.js';
import { QrTooLargeError, TERMINAL_COLUMNS, pngQr, svgQr, terminalQr } from '../render/wireguard/qr.js';
import { PEER_NAME, readSecret, writeSecret } from '../secrets.js';
import { shellQuoted } from '../io/shell-quoted.js';
import { defaultSecretsDir, instanceKeyPath, peerKeyPath, peerPskPath } from '../paths.js';
import { checkSecretsPlace } from '../io/secrets-place.js';
import type { Model, Peer, Site, WireguardInstance } from '../model.js';
import { newPairCommand, storedPrivateKeys } from './key-state.js';
import { pskCommand, readPsk } from './psk.js';
import { clockDay, dayText } from '../io/days.js';
import { type Edit, editTopology } from './edit-topology.js';
import { commitKeyChange, recoverKeyChanges } from './key-change.js';
import { generateKeyPair, generatePresharedKey, isWireguardKey, publicKeyOf } from '../targets/wireguard/keys.js';
import { INTERFACE_NAME, windowsRefusal } from '../targets/wireguard/names.js';
import { findInstance, findInstanceWithRole, findPeer, type Scope } from './locate.js';
import { CommandError, type LoadedTopology, checkEdited, loadForEdit, loadFromStdin, saveEdited, writeEdited } from './topology-file.js';

export interface CommonOptions extends Scope {
  file: string;
  /** Defaults to .secrets beside the topology file. */
  secrets?: string;
}

export function secretsDir(options: CommonOptions): string {
  return options.secrets ?? defaultSecretsDir(options.file);
}

function note(text: string): void {
  process.stderr.write(`gen: ${text}\n`);
}

/** What is wrong with a --public-key value, in words that never repeat it (it may be a private key); undefined when it is a key. */
function publicKeyProblem(key: string): string | undefined {
  if (isWireguardKey(key)) return undefined;
  if (isWireguardKey(key.trim())) return 'it has white space (a space, tab or line break) at its start or end';
  if (/^\s*[A-Za-z][A-Za-z ]*=\s*\S/.test(key)) return 'it starts with a label (as in "PublicKey = ..."): give the key after it alone';
  if (/\s/.test(key)) return 'it has white space (a space, tab or line break) in it';
  if (key.length !== 44) return `it is ${key.length} characters long, not 44`;
  if (/[^A-Za-z0-9+/=]/.test(key)) return 'it has characters that are not base64';
  return 'it is not the base64 of 32 bytes (it must end in one "=")';
}

/** A --public-key value that is a key; a usage error naming what is wrong, never the value. */
function checkedPublicKey(key: string): string {
  const problem = publicKeyProblem(key);
  if (problem !== undefined) {
    throw new UsageError(`--public-key is not a WireGuard public key: ${problem}. A public key is 44 characters of base64, as \`wg pubkey\` prints it (the value is not shown here, since it may be a private key)`);
  }
  return key;
}

/**
 * Refuses a --public-key that is one of the private keys in the secrets
 * directory: pasted in the wrong place, it would be written into the
 * topology and every generated file that names the public key.
 */
function refuseStoredPrivateKey(model: Model, dir: string, publicKey: string): void {
  const keyFile = storedPrivateKeys(model, dir).get(publicKey);
  if (keyFile === undefined) return;
  const path = join(dir, keyFile);
  throw new UsageError(
    `--public-key is a private key, not a public key: it is the one stored in ${path}; nothing was written. ` +
      `Give the public key the device shows (for this stored key, \`gen wg pubkey < ${path}\` prints it). ` +
      `The private key was on the command line, so it may be in the shell's history: make a new pair (${newPairCommand(keyFile, model)})`,
  );
}

/**
 * Errors about a shared key, which `gen wg rotate` (a peer's) and `gen wg
 * keygen --instance` (an instance's) fix and `gen wg list` shows: they may
 * not stop those commands, whose hints name them. The edited topology is
 * linted whole before it is written (checkEdited), so a run that leaves the
 * shared key in place is still refused.
 */
export const KEY_FINDINGS: readonly string[] = ['wg/duplicate-public-key', 'wg/instance-key-across-sites'];

/**
 * Runs a command on the topology under its lock: the topology is read once
 * the lock is held, after what a killed command left is repaired.
 */
export async function underLock<T>(options: CommonOptions, action: (loaded: LoadedTopology) => Promise<T>, lockOptions: LockOptions = {}, tolerate: readonly string[] = []): Promise<T> {
  // Never a key in an output tree: refused before any key is read or written.
  checkSecretsPlace(secretsDir(options), options.file, options.secrets !== undefined);
  // Standard input (read-only commands, with --secrets): no file to lock, and nothing beside it to repair.
  if (options.file === '-') return action(await loadFromStdin());
  requireTopologyFile(options.file);
  return withLock(
    options.file,
    async (held) => {
      const loaded = await loadForEdit(options.file, tolerate);
      // Without the lock (a read-only checkout) nothing can be half-done, and nothing could be repaired.
      if (held) recoverKeyChanges(loaded.model, secretsDir(options), options.file, note);
      return action(loaded);
    },
    lockOptions,
  );
}

/** Writes a file that holds a private key (-o): mode 0600, atomically, only where the rules allow. */
function writePrivateOutput(output: string, content: string | Buffer, options: CommonOptions & { force?: boolean }): void {
  const target = checkOutputPath(output, outputRulesFor(options.file, Object.assign({}, options, { stdout: true })));
  writeCheckedFile(target, content, 0o600, options.force === true, output);
}

/** After the note that names the file: a private key that `git add -A` would commit. */
async function warnIfGitExposed(output: string): Promise<void> {
  // Loaded here: node:child_process is a good part of a short run's start.
  const { gitExposureWarning } = await import('../io/git-exposed.js');
  const warning = gitExposureWarning(output, 'a private key');
  if (warning !== undefined) note(warning);
}

/**
 * After a key was written to the secrets directory: gen gives a secrets
 * directory it creates a .gitignore of `*`, but one made by hand (or
 * copied) has none, and in a git work tree that ignores it nowhere else
 * `git add -A` would commit the key. The key stays where it is (moving it
 * would lose the pair); the warning names the line that ignores the keys.
 */
async function warnIfKeyExposed(dir: string, keyFile: string, what = 'a private key'): Promise<void> {
  const { unignoredWorkTree } = await import('../io/git-exposed.js');
  const key = join(dir, keyFile);
  const root = unignoredWorkTree(key);
  if (root === undefined) return;
  note(
    `warning: ${key} holds ${what} and lies in the git work tree ${root}, where nothing ignores it: git add -A would commit it. ` +
      `Ignore the secrets directory before the next commit, as gen does for one it creates: echo '*' >> ${shellQuoted(join(dir, '.gitignore'))}`,
  );
}

/** A peer's pre-shared key from the secrets directory; refused with the fix when it is missing or no key. */
function presharedKeyOf(dir: string, site: Site, instance: WireguardInstance, peer: Peer, scope: string): string {
  const psk = readPsk(dir, site, instance, peer, scope);
  if ('problem' in psk) throw new CommandError(psk.problem);
  return psk.key;
}

export function keygen(): void {
  process.stdout.write(`${generateKeyPair().privateKey}\n`);
}

export function pubkey(input: string): void {
  const key = input.trim();
  if (!isWireguardKey(key)) throw new CommandError('stdin is not a WireGuard private key (44 characters of base64)');
  process.stdout.write(`${publicKeyOf(key)}\n`);
}

/** Where a person writes an instance's public_key: after its port, or its address. */
const PUBLIC_KEY_AFTER = ['listen_port', 'address', 'name'];

/** Makes the instance's key pair: private key to the secrets directory, public key into the topology. */
export async function keygenInstance(options: CommonOptions & { force?: boolean }): Promise<void> {
  await underLock(options, async ({ text, model }) => {
    const { site, instance } = findInstance(model, options);
    const dir = secretsDir(options);
    const keyFile = instanceKeyPath(site.name, instance.name);
    if (!options.force) {
      if (readSecret(dir, keyFile) !== undefined) throw new CommandError(`${join(dir, keyFile)} exists; use --force to replace the instance's key pair`);
      // A public key without its private key here was made elsewhere: replacing it silently would cut off every client.
      if (instance.publicKey !== undefined) {
        throw new CommandError(
          `instance ${instance.name} already has a public_key in ${options.file}, and ${dir} holds no private key for it (made on the firewall, or kept elsewhere): ` +
            `keep it, or put its private key at ${join(dir, keyFile)}; to replace the pair, run gen wg keygen --instance ${instance.name} --force, then deploy and export every client file again`,
        );
      }
    }
    const pair = generateKeyPair();
    const edited = editTopology(text, [{ kind: 'set', path: instance.path.concat('public_key'), value: pair.publicKey, after: PUBLIC_KEY_AFTER }]);
    await checkEdited(options.file, edited, { original: text, rules: KEY_FINDINGS });
    commitKeyChange({ dir, keyFile, privateKey: pair.privateKey, topology: options.file, edited });
    note(`instance ${instance.name}: private key in ${join(dir, keyFile)}, public key set in ${options.file}`);
    await warnIfKeyExposed(dir, keyFile);
    process.stdout.write(`${pair.publicKey}\n`);
  }, {}, KEY_FINDINGS);
}

export async function addPeer(name: string, options: CommonOptions & { role: string; publicKey?: string; description?: string; tunnelName?: string; presharedKey?: boolean; qr?: boolean; force?: boolean }): Promise<void> {
  // The name becomes a file name in the secrets directory: check it before any path is built.
  if (!PEER_NAME.test(name)) throw new UsageError(`${JSON.stringify(name)} is not a peer name (letters, digits, '_', '.', '-'; starts with a letter or digit; at most 63 characters)`);
  const publicKeyGiven = options.publicKey === undefined ? undefined : checkedPublicKey(options.publicKey);
  if (options.qr && publicKeyGiven !== undefined) throw new UsageError('--qr shows a client file with its private key, and with --public-key the private key stays on the device: leave out one of them');
  const qr = await underLock(options, async ({ text, model }) => {
    const { site, instance } = findInstanceWithRole(model, options, options.role);
    if (instance.peers.some((p) => p.name === name)) throw new CommandError(`instance ${instance.name} already has a peer named ${name}`);
    const dir = secretsDir(options);
    if (publicKeyGiven !== undefined) refuseStoredPrivateKey(model, dir, publicKeyGiven);
    if (options.qr && instance.publicKey === undefined) throw new CommandError(`instance ${instance.name} has no public_key yet, so no client file can be made: run gen wg keygen --instance ${instance.name} first`);
    const address = instance.nextFree[options.role];
    if (!address) throw new CommandError(`role ${options.role} of ${instance.name} has no free address left`);

    const keyFile = peerKeyPath(site.name, instance.name, name);
    const pair = publicKeyGiven === undefined ? generateKeyPair() : undefined;
    const publicKey = pair?.publicKey ?? publicKeyGiven!;
    if (pair && readSecret(dir, keyFile) !== undefined && !options.force) throw new CommandError(`${join(dir, keyFile)} exists (an earlier peer of that name?); use --force to replace it`);
    // The instance's preshared_key gives the peer one too; --preshared-key writes the peer's own where the instance has none.
    const pskFile = options.presharedKey || instance.presharedKey ? peerPskPath(site.name, instance.name, name) : undefined;
    if (pskFile !== undefined && readSecret(dir, pskFile) !== undefined && !options.force) throw new CommandError(`${join(dir, pskFile)} exists (an earlier peer of that name?); use --force to replace it`);

    const entries: [string, string | boolean][] = [
      ['name', name],
      ...(options.tunnelName === undefined ? [] : [['tunnel_name', options.tunnelName] as [string, string]]),
      ['role', options.role],
      ['address', address],
      ['public_key', publicKey],
    ];
    if (instance.keyRotationDays !== undefined) entries.push(['key_date', dayText(clockDay())]);
    if (options.presharedKey && !instance.presharedKey) entries.push(['preshared_key', true]);
    if (options.description !== undefined) entries.push(['description', options.description]);
    const edited = editTopology(text, [{ kind: 'append', path: instance.path.concat('peers'), entries }]);
    await checkEdited(options.file, edited);
    // The pre-shared key first: one the topology does not name yet is unused, a topology that names a missing one stops merge.
    const presharedKey = pskFile === undefined ? undefined : generatePresharedKey();
    if (pskFile !== undefined) writeSecret(dir, pskFile, presharedKey!);
    try {
      if (pair) commitKeyChange({ dir, keyFile, privateKey: pair.privateKey, topology: options.file, edited });
      else writeEdited(options.file, edited);
    } catch (error) {
      if (pskFile !== undefined) rmSync(join(dir, pskFile), { force: true });
      throw error;
    }
    note(
      `added peer ${name} (${options.role}) at ${address} to ${instance.name}; ` +
        (pair ? `private key in ${join(dir, keyFile)}` : 'its private key stays on the device') +
        (pskFile === undefined ? '' : `; pre-shared key in ${join(dir, pskFile)}`),
    );
    if (pair) await warnIfKeyExposed(dir, keyFile);
    if (pskFile !== undefined) await warnIfKeyExposed(dir, pskFile, 'a pre-shared key');
    if (!options.qr || !pair) {
      process.stdout.write(`${address}\n`);
      return undefined;
    }
    // The client file of the peer as it now is in the topology.
    const { peer } = findPeer((await loadForEdit(options.file)).model, name, { site: site.name, instance: instance.name });
    return { config: clientConfig(model, site, instance, peer, { lan: false, privateKey: pair.privateKey, presharedKey }), file: fileCommand(model, site, instance, peer, false) };
  });
  if (qr !== undefined) {
    await withQr(qr, `peer ${name} is added, but its client file`, async () => printTerminalQr(qr.config));
    note(`scan it in the WireGuard app (Add tunnel, Scan from QR code); rebuild and deploy so the firewall knows the peer`);
  }
}

/** The command that writes a peer's client file under the name gen gives it in out/. */
function fileCommand(model: Model, site: Site, instance: WireguardInstance, peer: Peer, lan: boolean): string {
  return `gen wg export ${peer.name}${commandScope(model, site, instance)}${lan ? ' --lan' : ''} -o ${basename(clientFilePath(site, instance, peer, lan))}`;
}

/** Makes a QR code of a client file; one too large for any QR code is refused with the command that writes the file instead. */
async function withQr<T>(client: { config: string; file: string }, what: string, make: () => Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (error) {
    if (!(error instanceof QrTooLargeError)) throw error;
    throw new CommandError(`${what} is ${error.bytes} bytes without its comment lines, more than a QR code holds: write it to a file (${client.file}) and copy that to the device`);
  }
}

/** Prints a QR code for the terminal; says so when it is wider than the terminal. */
function printTerminalQr(config: string): void {
  const qr = terminalQr(config, colorFor(process.stdout));
  process.stdout.write(qr.text);
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  if (qr.width > (columns ?? TERMINAL_COLUMNS)) note(`the QR code is ${qr.width} columns wide, more than the terminal's ${columns ?? TERMINAL_COLUMNS}: widen it, or write an image with -o NAME.png`);
}

export async function rotate(name: string, options: CommonOptions & { publicKey?: string }): Promise<void> {
  const publicKeyGiven = options.publicKey === undefined ? undefined : checkedPublicKey(options.publicKey);
  await underLock(options, async ({ text, model }) => {
    const { site, instance, peer } = findPeer(model, name, options);
    const dir = secretsDir(options);
    if (publicKeyGiven !== undefined) refuseStoredPrivateKey(model, dir, publicKeyGiven);
    const pair = publicKeyGiven === undefined ? generateKeyPair() : undefined;
    const publicKey = pair?.publicKey ?? publicKeyGiven!;
    const edits: Edit[] = [{ kind: 'set', path: peer.path.concat('public_key'), value: publicKey }];
    // The day of the new pair, for the instance's rotation policy (wg/key-age); a recorded day is kept true without one too.
    if (instance.keyRotationDays !== undefined || peer.keyDate !== undefined) edits.push({ kind: 'set', path: peer.path.concat('key_date'), value: dayText(clockDay()), after: ['public_key'] });
    const edited = editTopology(text, edits);
    const keyFile = peerKeyPath(site.name, instance.name, peer.name);
    await checkEdited(options.file, edited, { original: text, rules: KEY_FINDINGS });
    // The device made the new key: the old private key goes once the topology no longer names it.
    commitKeyChange({ dir, keyFile, privateKey: pair?.privateKey, topology: options.file, edited });
    // The pre-shared key stays (see gen wg psk): a key change is crash-safe for one key file and the topology, not a third file.
    const psk = peer.presharedKey ? ` Its pre-shared key stays; to renew it too, run ${pskCommand(peer, commandScope(model, site, instance), true)}.` : '';
    note(`peer ${name}: new public key ...${publicKey.slice(-8)}; ${pair ? `private key in ${join(dir, keyFile)}` : 'its private key stays on the device'}. Rebuild and deploy, then export the new client file.${psk}`);
    if (pair) await warnIfKeyExposed(dir, keyFile);
  }, {}, KEY_FINDINGS);
}

/**
 * `gen wg psk NAME --print`: the peer's pre-shared key on standard output
 * and nowhere else, for a device that made its own key and so gets no
 * client file (its PresharedKey is typed or pasted on the device), as
 * `wg genpsk` prints one. A regular file on standard output is refused: the
 * key is in the secrets directory already (0600), and a copy made by a
 * redirect takes the shell's mode (0644 under the usual umask) wherever it
 * points, out/ or a git work tree included. A terminal, a pipe (to a
 * clipboard tool) or /dev/null take it.
 */
async function printPsk(name: string, options: CommonOptions): Promise<void> {
  const { stdoutIsRegularFile } = await import('../io/direct-stdout.js');
  const key = await underLock(
    options,
    async ({ model }) => {
      const { site, instance, peer } = findPeer(model, name, options);
      const scope = commandScope(model, site, instance);
      if (!peer.presharedKey) throw new CommandError(`peer ${name} of ${instance.name} has no preshared_key, so no pre-shared key to print: ${pskCommand(peer, scope, false)} makes one and sets it`);
      const dir = secretsDir(options);
      if (stdoutIsRegularFile()) {
        throw new CommandError(
          `refusing to print the pre-shared key of ${name} into a file (standard output is a regular file): it is in ${join(dir, peerPskPath(site.name, instance.name, peer.name))} already, mode 0600. ` +
            'Print it to the terminal, or pipe it to the tool that takes it (a clipboard tool, qrencode)',
        );
      }
      return presharedKeyOf(dir, site, instance, peer, scope);
    },
    { readOnly: true },
  );
  process.stdout.write(`${key}\n`);
}

/**
 * Makes a peer's pre-shared key in the secrets directory and sets
 * preshared_key: true on the peer (unless its instance's already gives it
 * one). The key is written first: a kill between the two leaves a key the
 * topology does not ask for yet, which the next run replaces with --force.
 */
export async function psk(name: string, options: CommonOptions & { force?: boolean; print?: boolean }): Promise<void> {
  if (options.print) {
    if (options.force) throw new UsageError(`--print prints the pre-shared key the secrets directory has, and --force replaces it: run gen wg psk ${name} --force first, then --print`);
    return printPsk(name, options);
  }
  await underLock(options, async ({ text, model }) => {
    const { site, instance, peer } = findPeer(model, name, options);
    const dir = secretsDir(options);
    const pskFile = peerPskPath(site.name, instance.name, peer.name);
    if (readSecret(dir, pskFile) !== undefined && !options.force) {
      throw new CommandError(`${join(dir, pskFile)} exists; use --force to replace the pre-shared key of ${name} (then deploy and export its client file again)`);
    }
    const edited = peer.presharedKey ? undefined : editTopology(text, [{ kind: 'set', path: peer.path.concat('preshared_key'), value: true, after: ['key_date', 'public_key'] }]);
    if (edited !== undefined) await checkEdited(options.file, edited);
    writeSecret(dir, pskFile, generatePresharedKey());
    if (edited !== undefined) writeEdited(options.file, edited);
    note(`peer ${name}: pre-shared key in ${join(dir, pskFile)}${edited === undefined ? '' : `, preshared_key: true set in ${options.file}`}. Rebuild and deploy, then export its client file again.`);
    await warnIfKeyExposed(dir, pskFile, 'a pre-shared key');
  });
}

export async function setEnabled(name: string, enabled: boolean, options: CommonOptions): Promise<void> {
  await underLock(options, async ({ text, model }) => {
    const { peer } = findPeer(model, name, options);
    if (peer.enabled === enabled) {
      note(`peer ${name} is already ${enabled ? 'enabled' : 'disabled'}`);
      return;
    }
    // Enabled is the default: enabling removes the key rather than writing enabled: true.
    const change: Edit = enabled ? { kind: 'delete', path: peer.path.concat('enabled') } : { kind: 'set', path: peer.path.concat('enabled'), value: false };
    await saveEdited(options.file, editTopology(text, [change]));
    note(`peer ${name} ${enabled ? 'enabled' : 'disabled'} in ${options.file}`);
  });
}

const EXPORT_FORMATS = {
  '.conf': { format: 'conf', what: 'the client file' },
  '.png': { format: 'png', what: 'a QR code image' },
  '.svg': { format: 'svg', what: 'a QR code drawing' },
} as const;

export async function exportPeer(name: string, options: CommonOptions & { lan?: boolean; qr?: boolean; output?: string; force?: boolean }): Promise<void> {
  const output = options.output;
  // Refuse a bad -o before reading any key: an extension gen does not write, or a place it must not.
  if (output !== undefined) checkOutputPath(output, outputRulesFor(options.file, Object.assign({}, options, { stdout: true })));
  const chosen = output === undefined ? undefined : formatOfOutput(output, EXPORT_FORMATS, 'gen wg export');
  if (options.qr && chosen?.format === 'conf') throw new UsageError(`--qr asks for a QR code, but -o ${output} names a client file: use -o NAME.png or NAME.svg for a QR code image`);
  const rendered = await underLock(options, async ({ model }) => {
    const { site, instance, peer } = findPeer(model, name, options);
    const scope = commandScope(model, site, instance);
    if (!peer.enabled) throw new CommandError(`peer ${name} is disabled; enable it first (gen wg enable ${name}${scope})`);
    if (instance.publicKey === undefined) throw new CommandError(`instance ${instance.name} has no public_key (gen wg keygen --instance ${instance.name}${model.sites.length > 1 ? ` --site ${site.name}` : ''})`);
    if (options.lan && instance.lanEndpoint === undefined) throw new CommandError(`instance ${instance.name} has no lan_endpoint, so there is no LAN client file`);
    const dir = secretsDir(options);
    const privateKey = readSecret(dir, peerKeyPath(site.name, instance.name, peer.name));
    if (privateKey === undefined) {
      throw new CommandError(`no private key for ${name} in ${dir}: the peer brought its own key (its client file is completed on the device), or run gen wg rotate ${name}${scope}`);
    }
    if (!isWireguardKey(privateKey)) throw new CommandError(`${join(dir, peerKeyPath(site.name, instance.name, peer.name))} does not hold a WireGuard key`);
    if (publicKeyOf(privateKey) !== peer.publicKey) {
      throw new CommandError(`the private key of ${name} in ${dir} does not belong to the public_key in ${options.file} (rotated elsewhere?)`);
    }
    const presharedKey = peer.presharedKey ? presharedKeyOf(dir, site, instance, peer, scope) : undefined;
    return { config: clientConfig(model, site, instance, peer, { lan: options.lan === true, privateKey, presharedKey }), file: fileCommand(model, site, instance, peer, options.lan === true) };
  }, { readOnly: true });
  const what = `the client file of ${name}`;
  if (output === undefined || chosen === undefined) {
    if (options.qr) await withQr(rendered, what, async () => printTerminalQr(rendered.config));
    else process.stdout.write(rendered.config);
    return;
  }
  const content = chosen.format === 'png' ? await withQr(rendered, what, () => pngQr(rendered.config)) : chosen.format === 'svg' ? await withQr(rendered, what, () => svgQr(rendered.config)) : rendered.config;
  writePrivateOutput(output, content, options);
  note(`wrote ${output} (${chosen.what} of ${name}, with its private key; mode 0600)`);
  await warnIfGitExposed(output);
  // wg-quick names the interface after the file and refuses other names; the apps name the tunnel after it.
  const stem = basename(output).slice(0, -'.conf'.length);
  if (chosen.format === 'conf' && !INTERFACE_NAME.test(stem)) {
    note(`wg-quick takes the interface name from the file name (at most 15 characters: letters, digits, _=+.-): save it as e.g. wg0.conf for \`wg-quick up\``);
  } else if (chosen.format === 'conf' && windowsRefusal(stem) !== undefined) {
    note(`the WireGuard Windows app takes the tunnel name from the file name and refuses ${stem} ("Tunnel name is not valid": ${windowsRefusal(stem)}): save it under another name to import it there`);
  }
}

/** The instance's side as a wg-quick file, with its private key from the secrets directory. */
export async function exportInstance(options: CommonOptions & { output?: string; force?: boolean }): Promise<void> {
  if (options.output !== undefined) checkOutputPath(options.output, outputRulesFor(options.file, Object.assign({}, options, { stdout: true })));
  const config = await underLock(options, async ({ model }) => {
    const { site, instance } = findInstance(model, options);
    const dir = secretsDir(options);
    const privateKey = readSecret(dir, instanceKeyPath(site.name, instance.name));
    if (privateKey === undefined || !isWireguardKey(privateKey)) throw new CommandError(`no private key for ${instance.name} in ${dir} (gen wg keygen --instance ${instance.name})`);
    if (instance.publicKey !== undefined && publicKeyOf(privateKey) !== instance.publicKey) {
      throw new CommandError(`the private key of ${instance.name} in ${dir} does not belong to its public_key in ${options.file}`);
    }
    const scope = commandScope(model, site, instance);
    return instanceConfig(site, instance, privateKey, (peer) => presharedKeyOf(dir, site, instance, peer, scope));
  }, { readOnly: true });
  if (options.output === undefined) process.stdout.write(config);
  else {
    writePrivateOutput(options.output, config, options);
    note(`wrote ${options.output} (the wg-quick file of the instance, with its private key; mode 0600)`);
    await warnIfGitExposed(options.output);
  }
}
