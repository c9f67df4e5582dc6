// The pipeline: load → validate → resolve → check, then render → emit.
// Each stage stops the pipeline only when the next one cannot work on its
// output; everything found up to there is reported.
import { check } from './check.js';
import { compareDiagnostics, type Diagnostic } from './diagnostics.js';
import type { Finding } from './findings.js';
import { loadTopologyFile } from './load.js';
import type { Model } from './model.js';
import { resolve } from './resolve/index.js';
import { validateTopology } from './validate.js';

export interface LintResult {
  diagnostics: Diagnostic[];
  /** The resolved model, when the file got that far. */
  model?: Model;
}

export async function lintFile(file: string): Promise<LintResult> {
  const loaded = loadTopologyFile(file);
  if (!loaded.ok) return { diagnostics: loaded.diagnostics.sort(compareDiagnostics) };
  const validated = await validateTopology(loaded.loaded);
  if (!validated.ok) return { diagnostics: validated.diagnostics.sort(compareDiagnostics) };
  const findings: Finding[] = [];
  const model = resolve(validated.topology, (f) => findings.push(f));
  return { diagnostics: check(model, loaded.loaded.source, findings), model };
}
