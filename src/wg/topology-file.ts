// Reading the topology file for a `gen wg` command (it must be free of
// errors: a command acts on a consistent model) and writing it back in
// place: atomically, keeping its mode and owner, through a symbolic link to the
// file it points to, and read back before success is reported.
import { readFileSync, statSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics.js';
import { formatDiagnostics } from '../format.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { deniedWriteMode } from '../io/may-write.js';
import { ReportedError } from '../io/errors.js';
import { STDIN_NAME, readInputText, readStdinText, requireTopologyFile } from '../io/read-input.js';
import type { Model } from '../model.js';
import { lintText } from '../pipeline.js';

export class CommandError extends ReportedError {}

export interface LoadedTopology {
  file: string;
  text: string;
  model: Model;
}

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** `tolerate`: rule ids whose errors the command itself fixes (it must be able to run to fix them). */
export async function loadForEdit(file: string, tolerate: readonly string[] = []): Promise<LoadedTopology> {
  requireTopologyFile(file);
  return loadedFrom(file, readInputText(file), tolerate);
}

/** The topology read from standard input, for the commands that only read it. */
export async function loadFromStdin(): Promise<LoadedTopology> {
  return loadedFrom(STDIN_NAME, await readStdinText());
}

async function loadedFrom(file: string, text: string, tolerate: readonly string[] = []): Promise<LoadedTopology> {
  const { diagnostics, model } = await lintText(text, file);
  const errors = errorsOf(diagnostics).filter((d) => !tolerate.includes(d.rule));
  if (errors.length || !model) {
    throw new CommandError(`${file} has errors; fix them first (gen lint ${file}):\n${formatDiagnostics('pretty', errors).trimEnd()}`);
  }
  return { file, text, model };
}

/** Refuses a topology the user may not write (read-only, another user's): a rename would replace it all the same. */
function requireWritable(file: string): void {
  const mode = deniedWriteMode(file);
  if (mode !== undefined) {
    throw new CommandError(`refusing to change ${file}: you may not write it (mode ${mode}); nothing was written. Make it writable (chmod u+w ${file}) and run the command again`);
  }
}

/**
 * Lints the edited text: a change that brings errors, or to a file the user
 * may not write, is refused before anything is written. `fixes`: the errors
 * of these rules the command is there to fix (a key shared by several sites
 * or peers); the edit may leave some of them only while it removes at least
 * one, so a key shared by three sites goes one site at a time, and an edit
 * that fixes none of them is refused as before.
 */
export async function checkEdited(file: string, text: string, fixes?: { original: string; rules: readonly string[] }): Promise<void> {
  requireWritable(file);
  const { diagnostics, model } = await lintText(text, file);
  let errors = errorsOf(diagnostics);
  const fixing = (d: Diagnostic) => fixes !== undefined && fixes.rules.includes(d.rule);
  const left = errors.filter(fixing).length;
  if (left > 0 && left < errorsOf((await lintText(fixes!.original, file)).diagnostics).filter(fixing).length) errors = errors.filter((d) => !fixing(d));
  if (errors.length || !model) throw new CommandError(`the change would break ${file}; nothing was written:\n${formatDiagnostics('pretty', errors).trimEnd()}`);
}

/** Writes the edited text over the file atomically (through a link), keeping its mode and, where the system allows, its owner; fails unless it landed. */
export function writeEdited(file: string, text: string): void {
  requireWritable(file);
  const { mode, uid, gid } = statSync(file);
  const written = writeFileAtomic(file, text, mode & 0o777, { uid, gid });
  if (readFileSync(written, 'utf8') !== text) throw new CommandError(`${file} does not hold the change after writing it; check the file system`);
}

export async function saveEdited(file: string, text: string): Promise<void> {
  await checkEdited(file, text);
  writeEdited(file, text);
}
