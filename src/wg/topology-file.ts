// Reading the topology file for a `gen wg` command (it must be free of
// errors: a command acts on a consistent model) and writing it back in place.
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { formatDiagnostics } from '../format.js';
import type { Model } from '../model.js';
import { lintText } from '../pipeline.js';

export class CommandError extends Error {}

export interface LoadedTopology {
  file: string;
  text: string;
  model: Model;
}

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

export async function loadForEdit(file: string): Promise<LoadedTopology> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'EIO'}`);
  }
  const { diagnostics, model } = await lintText(text, file);
  const errors = errorsOf(diagnostics);
  if (errors.length || !model) {
    throw new CommandError(`${file} has errors; fix them first (gen lint ${file}):\n${formatDiagnostics('pretty', errors).trimEnd()}`);
  }
  return { file, text, model };
}

/** Lints the edited text: a change that brings errors is refused before anything is written. */
export async function checkEdited(file: string, text: string): Promise<void> {
  const { diagnostics, model } = await lintText(text, file);
  const errors = errorsOf(diagnostics);
  if (errors.length || !model) throw new CommandError(`the change would break ${file}; nothing was written:\n${formatDiagnostics('pretty', errors).trimEnd()}`);
}

/** Writes the edited text over the file atomically, keeping its mode. */
export function writeEdited(file: string, text: string): void {
  const mode = statSync(file).mode & 0o777;
  const tmp = join(dirname(file), `.${process.pid}.topology.tmp`);
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export async function saveEdited(file: string, text: string): Promise<void> {
  await checkEdited(file, text);
  writeEdited(file, text);
}
