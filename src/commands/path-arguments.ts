// Path arguments gen cannot use, refused before any command runs. A path
// given as "" names no file, yet Node takes it as the current
// directory: `--secrets ""` would read and write keys in whatever directory
// gen runs from, `--out ""` would aim the build there, and the others fail
// later with an error that names nothing. Every command refuses them first,
// as a usage error naming the option.
//
// A path with a byte that is not UTF-8 (a Latin-1 file name) cannot reach
// gen either: Node decodes the command line as UTF-8 and puts U+FFFD for
// such a byte, so gen would report the file missing, or write a file of
// another name. Refused too, naming the fix.
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../io/errors.js';

/** The value names of options that take a path (`--out <dir>`, `--base <backup.xml>`, ...). */
const PATH_VALUE = /<(?:dir|file|topology|backup\.xml|merged\.xml|ref-or-dir)>/;

/**
 * Whether a U+FFFD in an argument stands for bytes that are not UTF-8:
 * Linux shows the command line's bytes in /proc; elsewhere every U+FFFD is
 * taken for one (a file name with a real U+FFFD is all but unknown).
 */
function commandLineNotUtf8(): boolean {
  try {
    return !isUtf8(readFileSync('/proc/self/cmdline'));
  } catch {
    return true;
  }
}

function refuseUndecodable(what: string, value: unknown): void {
  if (typeof value !== 'string' || !value.includes('\uFFFD') || !commandLineNotUtf8()) return;
  throw new UsageError(
    `${what} ${value} has a byte that is not UTF-8, which Node.js reads as U+FFFD, so gen cannot name that path: use its UTF-8 name (convmv -f latin1 -t utf8 --notest renames a file), or a symbolic link with a UTF-8 name`,
  );
}

export function refuseUnusablePaths(command: Command): void {
  for (const option of command.options) {
    if (!PATH_VALUE.test(option.flags)) continue;
    const value: unknown = command.getOptionValue(option.attributeName());
    if (value === '') {
      throw new UsageError(`${option.long ?? option.flags} is empty: give it a value (an empty path would mean the current directory)`);
    }
    refuseUndecodable(option.long ?? option.flags, value);
  }
  command.registeredArguments.forEach((argument, i) => {
    if (argument.name() === 'file' && command.processedArgs[i] === '') {
      throw new UsageError('the topology file argument is empty: name the file, or leave the argument out for topology.yaml');
    }
    if (argument.name() === 'file') refuseUndecodable('the file', command.processedArgs[i]);
  });
}
