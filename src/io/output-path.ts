// Where a command may write the file named by -o. Never over the topology,
// never into the secrets directory (keys live there under gen's rules) or
// into an output tree gen writes (out/ is reviewed and committed: a
// private key must not land there), never over the base it reads, and not
// over an existing file unless --force says so. The path is resolved
// through symbolic links first, so a link cannot lead around the checks.
import { closeSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { MANIFEST_MARK_LINES, markLineOf } from '../manifest.js';
import { MANIFEST } from '../paths.js';
import { DEFAULT_SECRETS_DIR, defaultSecretsDir } from '../paths.js';
import { ReportedError, UsageError, reasonOf } from './errors.js';
import { realPath, within } from './real-paths.js';

export interface OutputRules {
  /** The topology file of the command (none for gen init, which writes it). */
  topology?: string;
  /** The secrets directory of the command. */
  secrets: string;
  /** The default output tree (out/ beside the topology). */
  outDir: string;
  /** Files the command reads, which it must not overwrite (e.g. --base). */
  inputs?: readonly { path: string; what: string }[];
  force?: boolean;
  /** Whether the command writes to standard output when -o is left out (gen opnsense merge and gen init do not). */
  stdout?: boolean;
}

/** The rules for a command on `topology`: its secrets directory (.secrets beside it unless given) and out/ beside it. */
export function outputRulesFor(topology: string, options: { secrets?: string; force?: boolean; inputs?: OutputRules['inputs']; stdout?: boolean } = {}): OutputRules {
  return { topology, secrets: options.secrets ?? defaultSecretsDir(topology), outDir: join(dirname(topology), 'out'), force: options.force, inputs: options.inputs, stdout: options.stdout };
}

/** The longest of gen's mark lines, in bytes (they are ASCII): as much of a MANIFEST as is read to know it. */
const MARK_BYTES = MANIFEST_MARK_LINES.reduce((longest, line) => Math.max(longest, line.length), 0);

/** Whether `dir` holds a MANIFEST gen wrote (its first line is a mark of gen's, this version's or an earlier one's); a MANIFEST that is no regular file is not read. */
export function holdsGenManifest(dir: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(join(dir, MANIFEST)).isFile()) return false;
    fd = openSync(join(dir, MANIFEST), 'r');
    const head = Buffer.alloc(MARK_BYTES);
    const read = readSync(fd, head, 0, MARK_BYTES, 0);
    // latin1: one character per byte, so a byte that is not ASCII matches no mark.
    return markLineOf(head.toString('latin1', 0, read)) !== undefined;
  } catch {
    // no MANIFEST here, or none gen can read
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The nearest directory at or above `dir` that holds a MANIFEST gen wrote. */
export function outputTreeAbove(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (holdsGenManifest(current)) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * Checks where `-o FILE` would write and returns the real path to write
 * (the target of a link); throws UsageError when refused, and a plain
 * error when the directory does not exist.
 */
export function checkOutputPath(output: string, rules: OutputRules): string {
  // `-o -` means standard output to the user; a file named "-" would surprise them (./- names one).
  if (output === '-') throw new UsageError(`refusing to write -: -o names a file, not standard output; ${rules.stdout ? 'leave out -o to write to standard output' : 'name the file to write'}`);
  const parent = dirname(resolve(output));
  let parentReal: string;
  try {
    parentReal = realpathSync(parent);
  } catch (error) {
    throw new ReportedError(`cannot write ${output}: its directory ${dirname(output)} ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be used: ${reasonOf(error as NodeJS.ErrnoException)}`}`);
  }
  const refuse = (why: string): never => {
    throw new UsageError(`refusing to write ${output}: ${why}`);
  };
  let target = join(parentReal, basename(output));
  // Said like a failed write of `output` (its directory may be a regular file: ENOTDIR), not as the stat of the real path.
  const entry = (path: string) => {
    try {
      return lstatSync(path, { throwIfNoEntry: false });
    } catch (error) {
      throw new ReportedError(`cannot write ${output}: ${reasonOf(error as NodeJS.ErrnoException)}`);
    }
  };
  if (entry(target)?.isSymbolicLink()) {
    try {
      target = realpathSync(target);
    } catch {
      refuse('it is a symbolic link to nothing');
    }
  }
  if (rules.topology !== undefined && target === realPath(rules.topology)) refuse('it is the topology file');
  for (const input of rules.inputs ?? []) if (target === realPath(input.path)) refuse(`it is ${input.what}, which this command reads`);
  if (within(target, realPath(rules.secrets))) refuse(`it is inside the secrets directory ${rules.secrets}, where gen keeps only its own key files`);
  if (target.split(sep).includes(DEFAULT_SECRETS_DIR)) refuse(`it is inside a secrets directory (${DEFAULT_SECRETS_DIR}), where gen keeps only its own key files`);
  const tree = outputTreeAbove(dirname(target));
  if (within(target, realPath(rules.outDir)) || tree !== undefined) {
    refuse(`it is inside the output tree ${tree ?? rules.outDir}, which gen replaces on every build and which is committed: write it elsewhere`);
  }
  const existing = entry(target);
  if (existing?.isDirectory()) refuse('it is a directory');
  // A device or a pipe would be replaced by a regular file, not written to.
  if (existing && !existing.isFile()) refuse(`it is not a regular file${rules.stdout ? ' (leave out -o to write to standard output)' : ''}`);
  if (existing && !rules.force) refuse('it exists; use --force to replace it');
  return target;
}
