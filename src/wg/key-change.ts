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
import { lstatSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { removeStaleTemps, syncDirectory } from '../io/atomic-write.js';
import { crashPoint } from '../io/crash-points.js';
import { processAlive } from '../io/processes.js';
import type { Model } from '../model.js';
import { prepareSecret, secretFile, secretsDirectoryExists, writeSecret } from '../secrets.js';
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

/** Files under the secrets directory, relative to it (no links followed). */
function filesUnder(dir: string, prefix = ''): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(dir, prefix));
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const relative = prefix ? join(prefix, entry) : entry;
    const stat = lstatSync(join(dir, relative));
    return stat.isDirectory() ? filesUnder(dir, relative) : stat.isFile() ? [relative] : [];
  });
}

const TEMP = /^\.(.+)\.(\d+)-[0-9a-f]{12}\.tmp$/;

/**
 * Finishes or undoes key changes that a killed command left (see the top of
 * this file), and removes temporary files of dead processes. Runs under the
 * topology lock; `note` tells the user what was repaired.
 */
export function recoverKeyChanges(model: Model, dir: string, topology: string, note: (text: string) => void): void {
  removeStaleTemps(topology);
  // Never into a directory gen must not use (a link, writable by others): that throws first.
  if (!secretsDirectoryExists(dir)) return;
  for (const relative of filesUnder(dir)) {
    const name = relative.slice(relative.lastIndexOf(sep) + 1);
    const temp = TEMP.exec(name);
    if (temp) {
      if (!processAlive(Number(temp[2]))) rmSync(join(dir, relative), { force: true });
      continue;
    }
    const pending = relative.endsWith(PENDING_SUFFIX);
    const retired = relative.endsWith(RETIRED_SUFFIX);
    if (!pending && !retired) continue;
    const keyFile = relative.slice(0, -(pending ? PENDING_SUFFIX : RETIRED_SUFFIX).length);
    // Only a key file under gen's rules is touched (no link, private): the checks throw otherwise.
    if (secretFile(dir, relative) === undefined) continue;
    const wanted = ownerPublicKey(model, keyFile);
    const has = publicKeyIn(join(dir, relative));
    const key = join(dir, keyFile);
    if (pending) {
      if (has !== undefined && has === wanted) {
        secretFile(dir, keyFile);
        renameSync(join(dir, relative), key);
        note(`finished an interrupted key change: ${key} now holds the key of the topology's public key`);
      } else {
        rmSync(join(dir, relative), { force: true });
        note(`undid an interrupted key change: removed ${join(dir, relative)}, whose key the topology never got`);
      }
    } else if (wanted === null || has === undefined) {
      // Not gen's to decide: an owner no longer in the topology, or not a key.
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
