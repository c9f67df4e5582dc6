// The secrets directory (default .secrets/ beside the topology): private
// keys that never enter the topology or out/. gen creates it with mode 0700
// and a .gitignore of `*`, so `git add -A` in the user's repository leaves
// it out; key files are 0600. Like ssh, gen refuses a secrets directory or
// key that another user could swap or read: a symbolic link, a directory
// writable by group or others, a key readable or writable by them, or
// something owned by another user; the message says which chmod fixes it.
// Layout, relative to the directory:
//   <site>/wireguard/<instance>.key          the instance's private key
//   <site>/wireguard/<instance>/peers/<peer>.key  a peer's private key (when gen made it);
//                                            peer names are unique per instance only
//   <site>/wireguard/<instance>/peers/<peer>.psk  a peer's pre-shared key (preshared_key in the topology)
import { type Stats, accessSync, chmodSync, constants, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { writeFileAtomic } from './io/atomic-write.js';
import { ReportedError } from './io/errors.js';
import { shellQuoted } from './io/shell-quoted.js';


/** A peer name, as the schema takes it: it becomes a key file name, so it is checked before any path is built. */
export const PEER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** A secrets directory or key file that gen refuses to use. */
export class SecretsError extends ReportedError {}


function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

function ownUid(): number | undefined {
  return process.getuid?.();
}

function checkOwner(path: string, uid: number): void {
  const own = ownUid();
  if (own !== undefined && uid !== own && uid !== 0) {
    throw new SecretsError(`refusing ${path}: it belongs to another user (uid ${uid}), who could read or replace the keys: chown ${own} ${shellQuoted(path)}`);
  }
}

/** Checks one directory of the secrets tree; false when it does not exist. */
function checkDirectory(path: string): boolean {
  const stat = lstatIn(path);
  if (!stat) return false;
  if (stat.isSymbolicLink()) {
    throw new SecretsError(`refusing ${path}: it is a symbolic link, and keys are kept only in a real directory: replace the link by the directory it points to (mv, then chmod 700 ${shellQuoted(path)})`);
  }
  if (!stat.isDirectory()) throw new SecretsError(`refusing ${path}: it is not a directory`);
  checkOwner(path, stat.uid);
  if (stat.mode & 0o022) {
    throw new SecretsError(`refusing ${path}: it is writable by group or others (mode ${octal(stat.mode)}), so another user could replace a key: chmod 700 ${shellQuoted(path)}`);
  }
  return true;
}

/** A directory of the secrets tree this user may not use as a command needs: the chmod that lets it. */
function closedDirectory(dir: string, does: string): SecretsError {
  const stat = lstatSync(dir);
  return new SecretsError(`cannot ${does} ${dir} (mode ${octal(stat.mode)}, uid ${stat.uid}); nothing was written. Open it to yourself (${accessFix(dir, stat.uid, '700')}) and run the command again`);
}

/** The command that gives this user a file or directory of the secrets tree: its mode when the user owns it, else its owner's chown. */
function accessFix(path: string, uid: number, mode: string): string {
  const own = ownUid();
  return own !== undefined && uid !== own ? `its owner (uid ${uid}) can give it to you: chown ${own} ${shellQuoted(path)}` : `chmod ${mode} ${shellQuoted(path)}`;
}

/** lstat of a path in the secrets tree; a directory above it that this user may not search is refused with the fix. */
function lstatIn(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    throw closedDirectory(dirname(path), `look for ${path} in`);
  }
}

/** Checks a key file; false when it does not exist. */
function checkKeyFile(path: string): boolean {
  const stat = lstatIn(path);
  if (!stat) return false;
  if (stat.isSymbolicLink()) throw new SecretsError(`refusing ${path}: it is a symbolic link; a private key must be a regular file of its own (mode 0600)`);
  if (!stat.isFile()) {
    throw new SecretsError(`refusing ${path}: it is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}, where gen keeps a private key: move it away (mv ${shellQuoted(path)} ${shellQuoted(`${path}.away`)}) and run the command again`);
  }
  checkOwner(path, stat.uid);
  if (stat.mode & 0o077) {
    throw new SecretsError(`refusing ${path}: it is readable or writable by group or others (mode ${octal(stat.mode)}): chmod 600 ${shellQuoted(path)}`);
  }
  return true;
}

/** Whether the secrets directory exists; throws when gen must not use it (see the top of this file). */
export function secretsDirectoryExists(dir: string): boolean {
  return checkDirectory(dir);
}

/** The directories from the secrets directory down to the one holding `relative`. */
function directoriesTo(dir: string, relative: string): string[] {
  const dirs = [dir];
  const parts = dirname(relative).split(sep).filter((p) => p !== '' && p !== '.');
  for (const part of parts) dirs.push(join(dirs[dirs.length - 1]!, part));
  return dirs;
}

/** Checks the secrets tree down to `relative`; the path of the secret, or undefined when it does not exist. */
export function secretFile(dir: string, relative: string): string | undefined {
  for (const d of directoriesTo(dir, relative)) if (!checkDirectory(d)) return undefined;
  const file = join(dir, relative);
  return checkKeyFile(file) ? file : undefined;
}

/**
 * Which secrets a directory of the secrets tree (`relative`) may hold, after
 * the checks of secretFile on every directory down to it: a test that is
 * false only for a name surely not there. Reading a directory once answers
 * "is there a key?" for each of 100,000 peers without a system call each.
 * Names are compared without case (a file system that ignores case opens a
 * key by a name in another case); a directory gen may enter but not list
 * (mode 0300) answers "maybe" for every name, to be looked up one by one.
 */
export function secretsIn(dir: string, relative: string): (name: string) => boolean {
  for (const d of [...directoriesTo(dir, relative), join(dir, relative)]) if (!checkDirectory(d)) return () => false;
  let names: Set<string>;
  try {
    names = new Set(readdirSync(join(dir, relative)).map((n) => n.toLowerCase()));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') return () => true;
    throw error;
  }
  return (name) => names.has(name.toLowerCase());
}

/**
 * The names in one directory of the secrets tree (`relative`), after the
 * checks of secretFile on every directory down to it and on it: empty when
 * it does not exist or gen may enter but not list it. Only this directory
 * is read, nothing below it.
 */
export function secretsDirectoryNames(dir: string, relative: string): string[] {
  for (const d of [...directoriesTo(dir, relative), join(dir, relative)]) if (!checkDirectory(d)) return [];
  try {
    return readdirSync(join(dir, relative));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') return [];
    throw error;
  }
}

/**
 * The text of a checked key file. One this user may not read (mode 0000 or
 * 0200, or root's) is refused with the fix: gen can tell neither which key
 * it holds nor whether replacing it would lose the only copy of a key.
 */
function keyText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    const stat = lstatSync(file);
    throw new SecretsError(
      `cannot read ${file} (mode ${octal(stat.mode)}, uid ${stat.uid}): gen neither uses nor replaces a private key it cannot read. ` +
        `Make it readable (${accessFix(file, stat.uid, '600')}) and run the command again; to drop that key, remove the file (rm ${shellQuoted(file)})`,
    );
  }
}

/** Reads a key file in a directory that secretsDirectoryNames has checked: the file's own checks only. */
export function readSecretFile(dir: string, relative: string): string | undefined {
  const file = join(dir, relative);
  return checkKeyFile(file) ? keyText(file) : undefined;
}

export function readSecret(dir: string, relative: string): string | undefined {
  const file = secretFile(dir, relative);
  return file === undefined ? undefined : keyText(file);
}

export const SECRETS_GITIGNORE = '*\n';

/**
 * Checks the secrets tree down to `relative` and creates what is missing
 * (0700, whatever the umask); a secrets directory gen creates gets a
 * .gitignore of `*`. Returns the path of the secret.
 */
export function prepareSecret(dir: string, relative: string): string {
  for (const d of directoriesTo(dir, relative)) {
    if (checkDirectory(d)) continue;
    mkdirSync(d, { mode: 0o700 });
    chmodSync(d, 0o700);
    if (d === dir) writeFileSync(join(dir, '.gitignore'), SECRETS_GITIGNORE, { mode: 0o644, flag: 'wx' });
  }
  const file = join(dir, relative);
  checkKeyFile(file);
  // A key is written beside the file and renamed over it: refused here, before the topology changes, not halfway.
  try {
    accessSync(dirname(file), constants.W_OK | constants.X_OK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    throw closedDirectory(dirname(file), 'write a key into');
  }
  return file;
}

/** Writes a secret atomically with mode 0600, creating 0700 directories. */
export function writeSecret(dir: string, relative: string, value: string): void {
  writeFileAtomic(prepareSecret(dir, relative), `${value}\n`, 0o600);
}
