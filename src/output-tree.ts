// What gen may do with an existing output directory. gen replaces a
// directory only when it can prove that it wrote it: a MANIFEST of exactly
// gen's form with gen's mark, listing every file in it. The only other
// entries allowed are Terraform's own files in a directory where gen writes
// .tf files (state, .terraform/, tfvars): they are the user's, and every
// build carries them over. A .git anywhere means a repository, never gen's.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { type DirEntry, type EntryKind, entriesOf } from './io/dir-entries.js';
import { join } from 'node:path';
import { MANIFEST_MARK, parseManifest, sha256 } from './manifest.js';
import { MANIFEST } from './paths.js';
import { isTerraformConfigFile, isTerraformWorkingEntry } from './targets/terraform/working-files.js';

export class NotOwnedError extends Error {
  constructor(
    dir: string,
    /** What shows that gen did not write the directory. */
    readonly reason: string,
  ) {
    super(`refusing to replace ${dir}: ${reason}. gen replaces only a directory it wrote, whose MANIFEST (with gen's first line) lists every file: move it away, or choose another --out directory`);
  }
}

export interface OwnedTree {
  /** The text of its MANIFEST ('' for an empty directory). */
  manifest: string;
  /** path → sha256, as MANIFEST lists them. */
  listed: Map<string, string>;
  /** Terraform's entries (relative paths of the top entry in a working directory), kept across builds. */
  working: string[];
}

/** Directories (relative paths) where a set of files has .tf files: Terraform working directories. */
export function terraformDirs(paths: Iterable<string>): Set<string> {
  const dirs = new Set<string>();
  for (const path of paths) if (isTerraformConfigFile(path)) dirs.add(path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
  return dirs;
}

/** The Terraform entry that `path` is or lies in (e.g. "aws/terraform/.terraform"), if any. */
export function workingEntryOf(path: string, tfDirs: ReadonlySet<string>): string | undefined {
  for (const dir of tfDirs) {
    const rest = dir === '' ? path : path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : undefined;
    if (rest === undefined) continue;
    const first = rest.split('/')[0]!;
    if (isTerraformWorkingEntry(first)) return dir === '' ? first : `${dir}/${first}`;
  }
  return undefined;
}

type Kind = EntryKind;

function kindOf(path: string): Kind {
  const stat = lstatSync(path);
  return stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : stat.isSymbolicLink() ? 'link' : 'other';
}

const byName = (a: DirEntry, b: DirEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A directory's entries under `dir`, depth first, sorted; `skip` names entries not to descend into. A name that is not UTF-8 is never descended into. */
export function walk(dir: string, visit: (relative: string, kind: Kind) => 'skip' | void, prefix = ''): void {
  for (const entry of entriesOf(dir).sort(byName)) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (visit(relative, entry.kind) === 'skip') continue;
    if (entry.kind === 'dir') walk(join(dir, entry.name), visit, relative);
  }
}

/** What a refusal says about an entry of this kind. */
const KIND_NOTE: Partial<Record<Kind, string>> = { link: ' (a symbolic link)', 'not-utf8': ' (a name that is not UTF-8)' };

function refuse(dir: string, what: string): never {
  throw new NotOwnedError(dir, what);
}

/**
 * Proves that gen wrote `dir` (see the top of this file) and returns what
 * its MANIFEST lists; an empty directory is gen's too. With `verify`,
 * every listed file must also still have its sha256 (used before adopting
 * a tree that a killed run moved aside).
 */
export function ownedTree(dir: string, options: { verify?: boolean } = {}): OwnedTree {
  const entries = readdirSync(dir);
  if (entries.length === 0) return { manifest: '', listed: new Map(), working: [] };
  let text: string | undefined;
  try {
    if (kindOf(join(dir, MANIFEST)) === 'file') text = readFileSync(join(dir, MANIFEST), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text === undefined) refuse(dir, `it is not empty and has no ${MANIFEST}`);
  const listed = parseManifest(text);
  if (!listed) {
    // sha256sum lines without the mark: an earlier gen's tree, or anyone's checksums.
    if (text !== '' && parseManifest(`${MANIFEST_MARK}\n${text}`)) {
      refuse(dir, `its ${MANIFEST} has sha256sum lines but not gen's first line: an earlier gen wrote it, or someone else did (if it is gen's output, remove the directory once)`);
    }
    refuse(dir, `its ${MANIFEST} is not one gen writes (gen's first line and sha256sum lines)`);
  }
  const tfDirs = terraformDirs(listed.keys());
  const directories = new Set<string>();
  for (const path of listed.keys()) for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) directories.add(path.slice(0, i));
  const working: string[] = [];
  walk(dir, (relative, kind) => {
    const name = relative.slice(relative.lastIndexOf('/') + 1);
    if (name === '.git') refuse(dir, `it holds a git repository (${relative})`);
    const entry = workingEntryOf(relative, tfDirs);
    if (entry !== undefined) {
      if (entry === relative) working.push(relative);
      // Terraform's own tree (providers, modules): neither gen's nor checked.
      return 'skip';
    }
    if (relative === MANIFEST) return;
    if (kind === 'dir') {
      if (directories.has(relative) || emptyTree(join(dir, relative))) return;
      refuse(dir, `it holds ${relative}/, which its ${MANIFEST} does not list`);
    }
    if (kind !== 'file' || !listed.has(relative)) refuse(dir, `it holds ${relative}${KIND_NOTE[kind] ?? ''}, which its ${MANIFEST} does not list`);
    if (options.verify && sha256(readFileSync(join(dir, relative))) !== listed.get(relative)) refuse(dir, `${relative} does not match its sha256 in ${MANIFEST}`);
  });
  if (options.verify) for (const path of listed.keys()) if (lstatSync(join(dir, path), { throwIfNoEntry: false }) === undefined) refuse(dir, `${path}, listed in its ${MANIFEST}, is missing`);
  return { manifest: text, listed, working };
}

/** A directory with no file anywhere below it (empty directories only). */
export function emptyTree(dir: string): boolean {
  let empty = true;
  walk(dir, (_, kind) => {
    if (kind !== 'dir') empty = false;
  });
  return empty;
}
