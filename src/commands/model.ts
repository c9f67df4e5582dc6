// The resolved model for a command that needs a clean topology: lint it,
// and when it has errors, show them and say what was not done.
import type { Model } from '../model.js';

export async function cleanModel(file: string, notDone: string): Promise<Model | undefined> {
  // A file that is not there is a usage error (exit 2), not a finding.
  const { requireInputFile } = await import('../io/read-input.js');
  requireInputFile(file, 'topology file');
  const { lintFile } = await import('../pipeline.js');
  const { diagnostics, model } = await lintFile(file);
  if (model && !diagnostics.some((d) => d.severity === 'error')) return model;
  const { formatDiagnostics } = await import('../format.js');
  process.stderr.write(formatDiagnostics('pretty', diagnostics));
  process.stderr.write(`gen: ${file} has errors; ${notDone}\n`);
  return undefined;
}
