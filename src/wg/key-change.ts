// Changing a key pair touches two files: the private key in the secrets
// directory and the public key in the topology. Neither can be written
// together with the other, so the writes are ordered such that a kill or a
// full disk at any point leaves a pair that belongs together, and the next
// command finishes or undoes what was left half-done (under the topology
// lock, before it reads anything).
//
// A key gen makes (add-peer, rotate, keygen --instance), for key file K:
//   1. K.gen-new holds the new private key      crash point wg:key-staged
//   2. the topology holds the new public key     crash point wg:topology-written
//   3. K.gen-new is renamed over K               crash point wg:key-installed
// A kill before 2 leaves the old pair (K.gen-new is removed by recovery);
// after 2, K.gen-new matches the topology and recovery renames it over K.
// The old key is never removed before the topology no longer needs it.
//
// A key the device made (rotate --public-key), when K exists:
//   1. K is renamed to K.gen-old                 crash point wg:key-retired
//   2. the topology holds the new public key     crash point wg:topology-written
//   3. K.gen-old is removed
// A kill before 2 leaves K.gen-old matching the topology: recovery puts it
// back; after 2 it matches nothing and recovery removes it.
//
// A change of the topology alone (disable, enable, add-peer with the
// device's key) is one atomic rename (crash point before-rename:<file>).
// Every atomic write leaves at most a temporary file of a dead process,
// which the next write or the recovery removes. A failed write (ENOSPC,
// EROFS) is undone at once, before the error is reported.
import { lstatSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { removeStaleTemps, syncDirectory, tempFileOf } from '../io/atomic-write.js';
import { crashPoint } from '../io/crash-points.js';
import { makerRuns } from '../io/processes.js';
import type { Model } from '../model.js';
import { PEER_NAME, prepareSecret, readSecret, secretFile, secretsDirectoryExists, secretsDirectoryNames, writeSecret } from '../secrets.js';
import { instanceKeyPath, peerKeyPath } from '../paths.js';
import { isWireguardKey, publicKeyOf } from '../targets/wireguard/keys.js';
import { writeEdited } from './topology-file.js';

export const PENDING_SUFFIX = '.gen-new';
export const RETIRED_SUFFIX = '.gen-old';

export interface KeyChange {
  /** The secrets directory. */
  dir: string;
  /** The key file, relative to the secrets directory. */
  keyFile: string;
  /** The new private key, or undefined when the device made the key (gen then keeps none). */
  privateKey?: string;
  topology: string;
  /** The topology text with the new public key. */
  edited: string;
}

/** Writes a key change in the order described at the top of this file. */
export function commitKeyChange(change: KeyChange): void {
  const key = prepareSecret(change.dir, change.keyFile);
  // A key gen cannot read is never replaced, nor the file of a change that a write or a rename would take the place of:
  // it may be the only copy of a key, and which one gen cannot tell (readSecret refuses it with the fix).
  for (const suffix of ['', PENDING_SUFFIX, RETIRED_SUFFIX]) readSecret(change.dir, `${change.keyFile}${suffix}`);
  if (change.privateKey !== undefined) {
    const pending = `${change.keyFile}${PENDING_SUFFIX}`;
    writeSecret(change.dir, pending, change.privateKey);
    crashPoint('wg:key-staged');
    try {
      writeEdited(change.topology, change.edited);
    } catch (error) {
      rmSync(join(change.dir, pending), { force: true });
      throw error;
    }
    crashPoint('wg:topology-written');
    renameSync(join(change.dir, pending), key);
    syncDirectory(join(key, '..'));
    crashPoint('wg:key-installed');
    return;
  }
  if (lstatSync(key, { throwIfNoEntry: false }) === undefined) {
    writeEdited(change.topology, change.edited);
    crashPoint('wg:topology-written');
    return;
  }
  const retired = `${key}${RETIRED_SUFFIX}`;
  renameSync(key, retired);
  crashPoint('wg:key-retired');
  try {
    writeEdited(change.topology, change.edited);
  } catch (error) {
    renameSync(retired, key);
    throw error;
  }
  crashPoint('wg:topology-written');
  rmSync(retired, { force: true });
}

/** The public key the topology holds for a key file's owner; null when the owner is not in the topology. */
function ownerPublicKey(model: Model, relative: string): string | undefined | null {
  const parts = relative.split(sep);
  const site = model.sites.find((s) => s.name === parts[0]);
  if (!site || parts[1] !== 'wireguard') return null;
  if (parts.length === 3 && parts[2]!.endsWith('.key')) {
    const instance = site.wireguard.find((i) => `${i.name}.key` === parts[2]);
    return instance ? instance.publicKey : null;
  }
  if (parts.length === 5 && parts[3] === 'peers' && parts[4]!.endsWith('.key')) {
    const peer = site.wireguard.find((i) => i.name === parts[2])?.peers.find((p) => `${p.name}.key` === parts[4]);
    return peer ? peer.publicKey : null;
  }
  return null;
}

function publicKeyIn(file: string): string | undefined {
  try {
    const key = readFileSync(file, 'utf8').trim();
    return isWireguardKey(key) ? publicKeyOf(key) : undefined;
  } catch {
    return undefined;
  }
}

/** A directory of the secrets tree where gen keeps keys of the topology, and the names of the key files it writes there. */
export interface KeyDirectory {
  /** Relative to the secrets directory. */
  relative: string;
  /** Whether a name is one of gen's key files there (`<instance>.key`, `<peer>.key`), without the suffix of a key change. */
  isKey: (name: string) => boolean;
  /** Whether a name is a peer's pre-shared key there (`<peer>.psk`): written atomically, in no key change. */
  isPsk?: (name: string) => boolean;
}

const PEER_KEY = new RegExp(`${PEER_NAME.source.slice(0, -1)}\\.key$`);
const PEER_PSK = new RegExp(`${PEER_NAME.source.slice(0, -1)}\\.psk$`);

/** Whether a name in a peers directory is the key file of a peer (`<peer>.key`, without a key change's suffix). */
export function isPeerKeyName(name: string): boolean {
  return PEER_KEY.test(name);
}

/** Whether a name in a peers directory is the pre-shared key of a peer (`<peer>.psk`). */
export function isPeerPskName(name: string): boolean {
  return PEER_PSK.test(name);
}

/**
 * gen's key directories for the model's instances: `<site>/wireguard`
 * (the instances' keys) and `<site>/wireguard/<instance>/peers` (the peers'
 * keys, also of a peer the topology no longer or not yet has). Nothing
 * else of the secrets directory is gen's to look at.
 */
export function keyDirectories(model: Model): KeyDirectory[] {
  return model.sites.flatMap((site) => {
    if (site.wireguard.length === 0) return [];
    const instanceKeys = new Set(site.wireguard.map((i) => basename(instanceKeyPath(site.name, i.name))));
    return [
      { relative: dirname(instanceKeyPath(site.name, site.wireguard[0]!.name)), isKey: (name: string) => instanceKeys.has(name) },
      ...site.wireguard.map((i) => ({ relative: dirname(peerKeyPath(site.name, i.name, 'peer')), isKey: (name: string) => PEER_KEY.test(name), isPsk: (name: string) => PEER_PSK.test(name) })),
    ];
  });
}

/** The key file a name in a key directory stands for with its key-change suffix (pending, retired, or none); undefined when it is not gen's. */
function keyNameOf(directory: KeyDirectory, name: string): { key: string; suffix: '' | typeof PENDING_SUFFIX | typeof RETIRED_SUFFIX } | undefined {
  for (const suffix of [PENDING_SUFFIX, RETIRED_SUFFIX, ''] as const) {
    if (name.endsWith(suffix) && directory.isKey(name.slice(0, name.length - suffix.length))) return { key: name.slice(0, name.length - suffix.length), suffix };
  }
  return undefined;
}

/** The files of the secrets directory that hold gen's keys of the model (relative paths): key files and key changes. */
export function keyFilesOf(model: Model, dir: string): string[] {
  return keyDirectories(model).flatMap((directory) =>
    secretsDirectoryNames(dir, directory.relative)
      .filter((name) => keyNameOf(directory, name) !== undefined)
      .map((name) => join(directory.relative, name)),
  );
}

/** What a temporary file of a key holds, or part of it if the write was cut short: a key line. */
const KEY_TEXT = /^[A-Za-z0-9+/]{0,43}=?\n?$/;

/** A temporary file that a killed write of one of gen's keys (a pre-shared key too) left: private, ours, and at most a key line. */
function staleKeyTemp(file: string): boolean {
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile() || (stat.mode & 0o077) !== 0 || stat.uid !== process.getuid?.() || stat.size > 45) return false;
  return KEY_TEXT.test(readFileSync(file, 'latin1'));
}

/**
 * Finishes or undoes key changes that a killed command left (see the top of
 * this file), and removes temporary files that killed writes of keys left.
 * Only gen's key directories of the topology are read (keyDirectories),
 * and only files with the names of gen's keys there are touched: a pending
 * key that is not a key, any other file, and anything elsewhere in the
 * secrets directory stay. Runs under the topology lock; `note` tells the
 * user what was repaired.
 */
export function recoverKeyChanges(model: Model, dir: string, topology: string, note: (text: string) => void): void {
  removeStaleTemps(topology);
  // Never into a directory gen must not use (a link, writable by others): that throws first.
  if (!secretsDirectoryExists(dir)) return;
  for (const directory of keyDirectories(model)) {
    for (const name of secretsDirectoryNames(dir, directory.relative)) {
      const relative = join(directory.relative, name);
      const temp = tempFileOf(name);
      if (temp) {
        const ours = keyNameOf(directory, temp.file) !== undefined || directory.isPsk?.(temp.file) === true;
        if (ours && !makerRuns(temp.writer) && staleKeyTemp(join(dir, relative))) rmSync(join(dir, relative), { force: true });
        continue;
      }
      const change = keyNameOf(directory, name);
      if (change === undefined || change.suffix === '') continue;
      const keyFile = join(directory.relative, change.key);
      // Only a key file under gen's rules is touched (no link, private): the checks throw otherwise.
      if (secretFile(dir, relative) === undefined) continue;
      const wanted = ownerPublicKey(model, keyFile);
      const has = publicKeyIn(join(dir, relative));
      // Not a key: not something gen wrote, whatever its name.
      if (has === undefined) continue;
      const key = join(dir, keyFile);
      if (change.suffix === PENDING_SUFFIX) {
        if (has === wanted) {
          secretFile(dir, keyFile);
          renameSync(join(dir, relative), key);
          note(`finished an interrupted key change: ${key} now holds the key of the topology's public key`);
        } else {
          rmSync(join(dir, relative), { force: true });
          note(`undid an interrupted key change: removed ${join(dir, relative)}, whose key the topology never got`);
        }
      } else if (wanted === null) {
        // Not gen's to decide: an owner no longer in the topology.
        continue;
      } else if (has === wanted) {
        if (publicKeyIn(key) === wanted) rmSync(join(dir, relative), { force: true });
        else {
          secretFile(dir, keyFile);
          renameSync(join(dir, relative), key);
          note(`undid an interrupted key change: ${key} holds the topology's key again`);
        }
      } else {
        rmSync(join(dir, relative), { force: true });
        note(`finished an interrupted key change: removed the retired key ${join(dir, relative)}`);
      }
    }
  }
}
