// A path given as "" names no file, yet Node takes it as the current
// directory: `--secrets ""` would read and write keys in whatever directory
// gen runs from, `--out ""` would aim the build there, and the others fail
// later with an error that names nothing. Every command refuses them first,
// as a usage error naming the option.
import type { Command } from 'commander';
import { UsageError } from '../io/errors.js';

/** The value names of options that take a path (`--out <dir>`, `--base <backup.xml>`, ...). */
const PATH_VALUE = /<(?:dir|file|topology|backup\.xml|merged\.xml|ref-or-dir)>/;

export function refuseEmptyPaths(command: Command): void {
  for (const option of command.options) {
    if (!PATH_VALUE.test(option.flags)) continue;
    if (command.getOptionValue(option.attributeName()) === '') {
      throw new UsageError(`${option.long ?? option.flags} is empty: give it a value (an empty path would mean the current directory)`);
    }
  }
  command.registeredArguments.forEach((argument, i) => {
    if (argument.name() === 'file' && command.processedArgs[i] === '') {
      throw new UsageError('the topology file argument is empty: name the file, or leave the argument out for topology.yaml');
    }
  });
}
