// How every command takes its topology file: a positional [file] and
// -f, --file alike (the same file twice is fine, two different ones are a
// usage error), topology.yaml when neither is given; `-` reads standard
// input where the command only reads the topology.
import type { Command } from 'commander';
import { UsageError } from '../io/errors.js';

export const DEFAULT_TOPOLOGY = 'topology.yaml';

/** Adds -f, --file; the positional [file] is declared by the command, after its other arguments. */
export function fileOption(command: Command, stdin: boolean): Command {
  return command.option('-f, --file <topology>', `topology file, as [file] (default: ${DEFAULT_TOPOLOGY})${stdin ? '; - reads standard input' : ''}`);
}

export function fileArgumentText(stdin: boolean): string {
  return `topology file (default: ${DEFAULT_TOPOLOGY})${stdin ? '; - reads standard input' : ''}`;
}

/** Adds [file] and -f, --file to a command. */
export function withTopologyFile(command: Command, stdin = true): Command {
  return fileOption(command.argument('[file]', fileArgumentText(stdin)), stdin);
}

/** The topology file a command line names; `editing` names what the command does that needs a real file. */
export function topologyFile(positional: string | undefined, options: { file?: string }, needsFile?: string): string {
  if (positional !== undefined && options.file !== undefined && positional !== options.file) {
    throw new UsageError(`two topology files given (${positional} and -f ${options.file}): name one`);
  }
  const file = positional ?? options.file ?? DEFAULT_TOPOLOGY;
  if (file === '-' && needsFile !== undefined) throw new UsageError(`this command ${needsFile}: name the topology file instead of -`);
  return file;
}
