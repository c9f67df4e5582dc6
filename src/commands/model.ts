// The topology a command works on: read from its file (or standard input
// for `-`), linted; and the resolved model for a command that needs a clean
// topology, showing the errors and what was not done when it has some.
import type { ExtraFindings, LintResult } from '../pipeline.js';
import type { Model } from '../model.js';

/** Lints the named topology; `-` reads standard input. A file that is not there is a usage error (exit 2). */
export async function lintTopology(file: string, extra?: ExtraFindings): Promise<LintResult> {
  const { STDIN_NAME, readStdinText, requireInputFile } = await import('../io/read-input.js');
  const { lintFile, lintText } = await import('../pipeline.js');
  if (file === '-') return lintText(await readStdinText(), STDIN_NAME, extra);
  requireInputFile(file, 'topology file');
  return lintFile(file, extra);
}

/** The name of the topology in messages: the file, or <stdin>. */
export function topologyName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

export async function cleanModel(file: string, notDone: string): Promise<Model | undefined> {
  const { diagnostics, model } = await lintTopology(file);
  if (model && !diagnostics.some((d) => d.severity === 'error')) return model;
  const { formatDiagnostics } = await import('../format.js');
  const { colorFor } = await import('../io/terminal.js');
  process.stderr.write(formatDiagnostics('pretty', diagnostics, { color: colorFor(process.stderr) }));
  process.stderr.write(`gen: ${topologyName(file)} has errors; ${notDone}\n`);
  return undefined;
}
