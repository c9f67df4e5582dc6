// The state of each WireGuard key gen keeps, against the topology: the
// private key in the secrets directory (read through the same hygiene
// checks as every key command) and the public key the topology names.
// `gen wg list` shows it; `gen lint` reports a stored key that does not
// belong to its public_key, which would otherwise surface only when a
// client file is exported or the firewall refuses the handshake.
import { lstatSync, statSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { Finding } from '../findings.js';
import type { Model, Peer, Site, WireguardInstance } from '../model.js';
import type { Path } from '../location.js';
import { PEER_NAME, SecretsError, readSecret, readSecretFile, secretFile, secretsDirectoryNames, secretsIn } from '../secrets.js';
import { instanceKeyPath, peerKeyPath } from '../paths.js';
import { isWireguardKey, publicKeyOf } from '../targets/wireguard/keys.js';
import { PENDING_SUFFIX, RETIRED_SUFFIX, isPeerKeyName, isPeerPskName, keyFilesOf } from './key-change.js';
import { pskFindings } from './psk.js';

/**
 * present: the stored private key belongs to the topology's public key;
 * missing: no private key here (the device made it, or it was lost);
 * mismatched: the stored key belongs to another public key (or is no key);
 * no-public-key: a stored key, and the topology names no public key.
 */
export type KeyState = 'present' | 'missing' | 'mismatched' | 'no-public-key';

export interface KeyInfo {
  state: KeyState;
  /** The key file, relative to the secrets directory. */
  keyFile: string;
  /** When the stored key was written: its last rotation (or creation) by gen. */
  written?: Date;
  /** A key change that a killed command left half-done, which the next gen wg command finishes. */
  pending: boolean;
}

/**
 * Whether a killed key change left its staged key beside the key file: a
 * private file that holds a key. Only that is gen's, and recovery finishes
 * or undoes it; a file of that name with anything else is left alone, so
 * it is no change that a command would finish.
 */
function stagedKey(dir: string, keyFile: string): boolean {
  const staged = readSecret(dir, `${keyFile}${PENDING_SUFFIX}`);
  return staged !== undefined && isWireguardKey(staged);
}

export function keyInfo(dir: string, keyFile: string, publicKey: string | undefined): KeyInfo {
  const privateKey = readSecret(dir, keyFile);
  const pending = stagedKey(dir, keyFile);
  if (privateKey === undefined) return { state: 'missing', keyFile, pending };
  const written = statSync(join(dir, keyFile)).mtime;
  if (publicKey === undefined) return { state: 'no-public-key', keyFile, written, pending };
  const matches = isWireguardKey(privateKey) && publicKeyOf(privateKey) === publicKey;
  return { state: matches ? 'present' : 'mismatched', keyFile, written, pending };
}

export interface KeyHolder {
  site: Site;
  instance: WireguardInstance;
  /** Undefined for the instance's own key. */
  peer?: Peer;
  info: KeyInfo;
}

/**
 * Every instance and peer key of the model; throws SecretsError when gen must
 * not read the secrets directory. `onlyStored` leaves out the keys whose
 * directory surely does not hold them (missing, no file to look at): `gen
 * lint` reports only stored keys, and a path, a holder and its state for
 * each of 100,000 peers was most of its look at the keys.
 */
export function keyHolders(model: Model, dir: string, onlyStored = false): KeyHolder[] {
  // Each directory is checked and listed once (the first throws SecretsError when gen must not read it),
  // in the order its first key comes; a key it surely does not hold is missing without a look at the file system.
  const listed = new Map<string, (name: string) => boolean>();
  const holdsIn = (parent: string) => {
    let holds = listed.get(parent);
    if (!holds) listed.set(parent, (holds = secretsIn(dir, parent)));
    return holds;
  };
  const mayHold = (holds: (name: string) => boolean, name: string) => holds(name) || holds(`${name}${PENDING_SUFFIX}`);
  const info = (keyFile: string, publicKey: string | undefined, may: boolean): KeyInfo =>
    may ? keyInfo(dir, keyFile, publicKey) : { state: 'missing', keyFile, pending: false };
  const out: KeyHolder[] = [];
  for (const site of model.sites) {
    for (const instance of site.wireguard) {
      const own = instanceKeyPath(site.name, instance.name);
      const ownMay = mayHold(holdsIn(dirname(own)), basename(own));
      if (ownMay || !onlyStored) out.push({ site, instance, info: info(own, instance.publicKey, ownMay) });
      if (instance.peers.length === 0) continue;
      // Names hold no path separator (the schema's name pattern): every peer key lies in one directory, as `<name>.key`.
      const holds = holdsIn(dirname(peerKeyPath(site.name, instance.name, instance.peers[0]!.name)));
      for (const peer of instance.peers) {
        const may = mayHold(holds, `${peer.name}.key`);
        if (may || !onlyStored) out.push({ site, instance, peer, info: info(peerKeyPath(site.name, instance.name, peer.name), peer.publicKey, may) });
      }
    }
  }
  return out;
}

/**
 * Every private key in gen's key directories of the model (keys, and the
 * keys of a change a killed command left), with its file relative to the
 * secrets directory; throws SecretsError when gen must not read there.
 */
export function storedPrivateKeys(model: Model, dir: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const keyFile of keyFilesOf(model, dir)) {
    const key = readSecretFile(dir, keyFile);
    if (key !== undefined && isWireguardKey(key) && !keys.has(key)) keys.set(key, keyFile);
  }
  return keys;
}

/** A private key in gen's key directories of a site that belongs to no instance or peer the site has. */
export interface OrphanedKey {
  site: Site;
  /** The instance's name: one the site has, or one it no longer has (the name its key file or directory gives it). */
  instanceName: string;
  /** The site's instance of that name; undefined when the site no longer has it. */
  instance?: WireguardInstance;
  /** The name the file gives its peer; undefined for an instance's own key. */
  peer?: string;
  /** Relative to the secrets directory. */
  keyFile: string;
  /** For a pre-shared key: the peer of that name, which has no preshared_key (nor its instance), so nothing uses the key. */
  unusedBy?: Peer;
}

/**
 * The key files in a site's key directories that belong to nothing the
 * site has: a `<peer>.key` in an instance's peers directory that names no
 * peer of it, and what an instance the site no longer has left
 * (`<instance>.key`, and each `<peer>.key` in `<instance>/peers/`). They
 * stay when a peer or an instance is removed from the topology by hand
 * (gen writes keys, and removes none), or renamed; so does a peer's
 * pre-shared key (`<peer>.psk`), and it stays too when its peer's
 * preshared_key is removed: neither the firewall nor the client file has
 * it any more (unusedBy). A name that differs
 * from a peer's or an instance's in case only is that one's (one file
 * where case does not count). Only gen's layout is looked at, never
 * through a link; throws SecretsError when gen must not read there. A key
 * change's files (pending, retired) are the key commands' to finish.
 */
export function orphanedKeys(model: Model, dir: string): OrphanedKey[] {
  const out: OrphanedKey[] = [];
  const peerKeys = (relative: string) => secretsDirectoryNames(dir, relative).filter((name) => isPeerKeyName(name) || isPeerPskName(name)).sort();
  // '.key' and '.psk' alike.
  const nameOf = (keyName: string) => keyName.slice(0, -'.key'.length);
  for (const site of model.sites) {
    for (const instance of site.wireguard) {
      const relative = dirname(peerKeyPath(site.name, instance.name, 'peer'));
      const names = peerKeys(relative);
      if (names.length === 0) continue;
      const peers = new Map(instance.peers.map((peer) => [peer.name.toLowerCase(), peer]));
      for (const name of names) {
        const peer = peers.get(nameOf(name).toLowerCase());
        const keyFile = join(relative, name);
        if (!peer) out.push({ site, instanceName: instance.name, instance, peer: nameOf(name), keyFile });
        else if (isPeerPskName(name) && !peer.presharedKey) out.push({ site, instanceName: instance.name, instance, peer: nameOf(name), keyFile, unusedBy: peer });
      }
    }
    // <site>/wireguard: the instances' keys, and a directory of each instance's peers.
    const keys = dirname(instanceKeyPath(site.name, 'instance'));
    const instances = new Set(site.wireguard.map((instance) => instance.name.toLowerCase()));
    // Each instance the site no longer has, its own key first, then its peers' keys.
    const gone = new Map<string, { key?: string; peers?: true }>();
    const of = (name: string) => gone.get(name) ?? gone.set(name, {}).get(name)!;
    for (const name of secretsDirectoryNames(dir, keys)) {
      const instance = isPeerKeyName(name) ? nameOf(name) : name;
      if (instances.has(instance.toLowerCase()) || !PEER_NAME.test(instance)) continue;
      // Nothing through a link: a key is a regular file, an instance's peers a directory.
      const stat = lstatSync(join(dir, keys, name), { throwIfNoEntry: false });
      if (instance !== name && stat?.isFile()) of(instance).key = name;
      else if (instance === name && stat?.isDirectory()) of(instance).peers = true;
    }
    for (const name of [...gone.keys()].sort()) {
      const { key, peers } = gone.get(name)!;
      if (key !== undefined) out.push({ site, instanceName: name, keyFile: join(keys, key) });
      if (!peers) continue;
      const relative = dirname(peerKeyPath(site.name, name, 'peer'));
      for (const peerKey of peerKeys(relative)) out.push({ site, instanceName: name, peer: nameOf(peerKey), keyFile: join(relative, peerKey) });
    }
  }
  return out;
}

/** The command that makes a new pair for the owner of a key file (relative to the secrets directory: SITE/wireguard/...). */
export function newPairCommand(keyFile: string, model: Pick<Model, 'sites'>): string {
  const parts = keyFile.replace(new RegExp(`(${PENDING_SUFFIX}|${RETIRED_SUFFIX})$`), '').split(sep);
  const owner = parts[parts.length - 1]!.slice(0, -'.key'.length);
  // Instance and peer names repeat from site to site: with several, the command names the site, or it finds several and stops.
  const site = model.sites.length > 1 ? ` --site ${parts[0]}` : '';
  return parts.length === 3 ? `gen wg keygen --instance ${owner}${site} --force, then export every client file again` : `gen wg rotate ${owner} --instance ${parts[2]}${site}`;
}

/** The public_key of a key holder in the topology. */
function publicKeyOfHolder(h: Pick<KeyHolder, 'instance' | 'peer'>): string | undefined {
  return h.peer ? h.peer.publicKey : h.instance.publicKey;
}

/**
 * `gen lint`: a public_key that is a private key of the secrets directory
 * (pasted in the wrong place: published in out/ and on the firewall), a
 * stored key that does not belong to its public_key, a key that belongs
 * to no peer or instance of the topology, and a secrets directory gen
 * refuses. No message holds a key.
 */
export function keyFindings(model: Model, dir: string): Finding[] {
  let holders: KeyHolder[];
  let stored: Map<string, string>;
  let orphaned: OrphanedKey[];
  let psks: Finding[];
  try {
    holders = keyHolders(model, dir, true);
    stored = storedPrivateKeys(model, dir);
    orphaned = orphanedKeys(model, dir);
    psks = pskFindings(model, dir);
  } catch (error) {
    if (!(error instanceof SecretsError)) throw error;
    return [{ rule: 'secrets/unsafe', path: [], message: error.message }];
  }
  const published = (h: Pick<KeyHolder, 'instance' | 'peer'>) => {
    const key = publicKeyOfHolder(h);
    return key === undefined ? undefined : stored.get(key);
  };
  // A published key is any key of the topology, stored or not: looked up only when some key is stored.
  const owners: Pick<KeyHolder, 'instance' | 'peer'>[] = [];
  if (stored.size > 0) {
    for (const site of model.sites) {
      for (const instance of site.wireguard) {
        if (instance.publicKey !== undefined && stored.has(instance.publicKey)) owners.push({ instance });
        for (const peer of instance.peers) if (peer.publicKey !== undefined && stored.has(peer.publicKey)) owners.push({ instance, peer });
      }
    }
  }
  const publishedFindings = owners.flatMap((h): Finding[] => {
    const keyFile = published(h);
    if (keyFile === undefined) return [];
    const owner = h.peer ? `peer ${h.peer.name} of ${h.instance.name}` : `instance ${h.instance.name}`;
    const keyPath = join(dir, keyFile);
    return [
      {
        rule: 'secrets/private-key-in-topology',
        path: (h.peer?.path ?? h.instance.path).concat('public_key'),
        message: `the public_key of ${owner} is a private key: the one stored in ${keyPath}`,
        hint:
          `Set public_key to the public key (\`gen wg pubkey < ${keyPath}\` prints the one of that stored key; a device shows its own), ` +
          `and make a new pair for the key that was published with the topology: ${newPairCommand(keyFile, model)}.`,
      },
    ];
  });
  // A published key is reported as such, not also as a mismatch.
  return psks.concat(publishedFindings, holders
    .filter((h) => h.info.state === 'mismatched' && published(h) === undefined)
    .map((h): Finding => {
      const owner = h.peer ? `peer ${h.peer.name} of ${h.instance.name}` : `instance ${h.instance.name}`;
      const path: Path = (h.peer?.path ?? h.instance.path).concat('public_key');
      const keyPath = join(dir, h.info.keyFile);
      const site = model.sites.length > 1 ? ` --site ${h.site.name}` : '';
      const newPair = h.peer ? `gen wg rotate ${h.peer.name} --instance ${h.instance.name}${site}` : `gen wg keygen --instance ${h.instance.name}${site} --force (then export every client file again)`;
      const interrupted = h.info.pending ? '; a key change was interrupted: any gen wg command on this topology finishes it' : '';
      return {
        rule: 'secrets/key-mismatch',
        path,
        message: `the private key of ${owner} in ${keyPath} does not belong to this public_key${interrupted}`,
        hint:
          `If this public_key is right, put its private key back at ${keyPath}, or make a new pair: ${newPair}; ` +
          `if the stored key is right, set public_key to what \`gen wg pubkey < ${keyPath}\` prints.`,
      };
    }), orphaned.map((o): Finding => {
      const keyPath = join(dir, o.keyFile);
      const owner = o.instance
        ? `a peer ${o.peer!} that ${o.instance.name}`
        : o.peer === undefined
          ? `an instance ${o.instanceName} that site ${o.site.name}`
          : `peer ${o.peer} of an instance ${o.instanceName} that site ${o.site.name}`;
      const gone = o.peer ?? o.instanceName;
      const path = o.instance ? o.instance.path.concat('peers') : o.site.path.concat('wireguard');
      if (o.unusedBy) {
        return {
          rule: 'secrets/orphaned-key',
          path: o.unusedBy.path,
          message: `${keyPath} is the pre-shared key of peer ${o.unusedBy.name} of ${o.instanceName}, which has no preshared_key: nothing uses it`,
          hint: `If ${o.unusedBy.name} should have it, set preshared_key: true on the peer again (then rebuild, deploy and export its client file again); if not, delete the key file (rm ${keyPath}).`,
        };
      }
      if (o.keyFile.endsWith('.psk')) {
        return {
          rule: 'secrets/orphaned-key',
          path,
          message: `${keyPath} is the pre-shared key of ${owner} no longer has (or never had)`,
          hint: `If ${gone} is gone for good, delete the key file (rm ${keyPath}); if it was renamed, rename the file to the new name's .psk; to add ${gone} back with this key, put its entry back with preshared_key: true.`,
        };
      }
      return {
        rule: 'secrets/orphaned-key',
        path,
        message: `${keyPath} is the private key of ${owner} no longer has (or never had)`,
        hint:
          `If ${gone} is gone for good, delete the key file (rm ${keyPath}); if it was renamed, rename the file to the new name's .key; ` +
          `to add ${gone} back with this key, put its entry back with the public key \`gen wg pubkey < ${keyPath}\` prints.`,
      };
    }));
}
