// Errors a command reports to the user as one plain sentence, never as an
// "internal error": a usage mistake (exit 2), and a problem of the
// environment or of the input that the user fixes (exit 1), such as a full
// disk, a read-only file system or a file gen refuses to touch.

/** An error whose message is meant for the user as it is; exit 1 unless said otherwise. */
export class ReportedError extends Error {
  readonly exitCode: number = 1;
}

/** A command line that cannot work: a missing file, an ambiguous name, a refused output path. Exit 2. */
export class UsageError extends ReportedError {
  override readonly exitCode: number = 2;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EFBIG: 'the file is too large for the file system',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the directory is not empty',
  EBUSY: 'it is busy (a mount point?)',
  EXDEV: 'it is on another file system',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'an input/output error',
  ETXTBSY: 'the file is busy',
};

/**
 * Node's limit on one string (about 512 MiB): a file gen would write is
 * built as one string, so a topology far beyond the benchmark's 200,000
 * rules (a 380 MB filter section) meets it. An environment limit, said in
 * one sentence, not an internal error.
 */
export function stringLimitSentence(error: unknown): string | undefined {
  if (!(error instanceof RangeError) || !/invalid string length/i.test(error.message)) return undefined;
  return 'a file to write would be longer than Node.js can hold in one string (about 512 MiB): the topology is too large to compile at once; split its sites or rules into several topologies';
}

/** A failed call of node:fs (or of a child process), recognised by its error code. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

const VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  fsync: 'write',
  close: 'write',
  copyfile: 'copy',
  mkdir: 'create the directory',
  mkdtemp: 'create a directory in',
  rename: 'rename',
  link: 'link',
  symlink: 'link',
  unlink: 'remove',
  rmdir: 'remove',
  rm: 'remove',
  scandir: 'list',
  opendir: 'list',
  stat: 'read',
  lstat: 'read',
  fstat: 'read',
  chmod: 'change the mode of',
  fchmod: 'change the mode of',
  realpath: 'resolve',
  access: 'read',
};

/** The reason part of a system error: "no space left on the device (ENOSPC)". */
export function reasonOf(error: NodeJS.ErrnoException): string {
  const code = error.code ?? 'EIO';
  return `${REASONS[code] ?? code.toLowerCase()} (${code})`;
}

/** One sentence for a failed system call: "cannot write out/x: no space left on the device (ENOSPC)". */
export function systemErrorSentence(error: NodeJS.ErrnoException, what?: string): string {
  // libuv's name for getcwd(): the directory the shell is in was removed (or is unreadable).
  if (error.syscall === 'uv_cwd') {
    return error.code === 'ENOENT'
      ? `the current directory no longer exists (it was removed after the shell entered it): cd to an existing directory and run gen again (${error.code})`
      : `cannot read the current directory: ${reasonOf(error)}`;
  }
  const verb = VERBS[error.syscall ?? ''] ?? error.syscall ?? 'use';
  const path = what ?? error.path ?? (error.syscall === 'write' ? 'the output' : undefined);
  const dest = (error as { dest?: string }).dest;
  const target = dest && what === undefined ? `${path ?? ''} to ${dest}` : path;
  return `cannot ${verb}${target ? ` ${target}` : ''}: ${reasonOf(error)}`;
}

/** A failure of standard output itself, e.g. a redirection to a full disk. */
export function outputErrorSentence(error: NodeJS.ErrnoException): string {
  return `cannot write to standard output: ${reasonOf(error)}`;
}
