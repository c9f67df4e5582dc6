// Replacing a file by a rename needs write permission on its directory
// only (rename(2)), so an atomic write would replace a read-only file, or
// one of another user in a shared directory (which then becomes the
// writer's), as readily as the user's own. gen changes a file in place only
// when the user may write the file itself.
import { accessSync, constants, statSync } from 'node:fs';
import { ReportedError, reasonOf } from './errors.js';

/** The file's mode (as 0444) when the user may not write it; undefined when they may, or when the write itself will say why not (a read-only file system). */
export function deniedWriteMode(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');
    if (code === 'EROFS') return undefined;
    throw new ReportedError(`cannot write ${path}: ${reasonOf(error as NodeJS.ErrnoException)}`);
  }
}
