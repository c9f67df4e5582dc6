// The topology a command works on: read from its file (or standard input
// for `-`), linted; and the resolved model for a command that needs a clean
// topology, showing the errors and what was not done when it has some.
import type { LoadOptions } from '../load.js';
import type { ExtraFindings, LintResult } from '../pipeline.js';
import type { Model } from '../model.js';

/** Lints the named topology; `-` reads standard input. A file that is not there is a usage error (exit 2). */
export async function lintTopology(file: string, extra?: ExtraFindings, options?: LoadOptions): Promise<LintResult> {
  const { NotUtf8Error, STDIN_NAME, readStdinText, requireTopologyFile } = await import('../io/read-input.js');
  const { lintFile, lintText } = await import('../pipeline.js');
  if (file === '-') {
    let text: string;
    try {
      text = await readStdinText();
    } catch (error) {
      if (!(error instanceof NotUtf8Error)) throw error;
      // Reported as the same finding a file gets, in every output format.
      const { readDiagnostic } = await import('../load.js');
      return { diagnostics: [readDiagnostic(error, STDIN_NAME)] };
    }
    return lintText(text, STDIN_NAME, extra, options);
  }
  requireTopologyFile(file, 'to read the topology from standard input, pass - in its place');
  return lintFile(file, extra, options);
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
