// The pipeline: load → validate → resolve → check, then render → emit.
// Each stage stops the pipeline only when the next one cannot work on its
// output; everything found up to there is reported.
import { check } from './check.js';
import { compareDiagnostics, type Diagnostic } from './diagnostics.js';
import type { Finding } from './findings.js';
import { type LoadOptions, type LoadResult, loadTopologyFile, loadTopologyText } from './load.js';
import { type Model, type SourceLines, TOPOLOGY_IN_OUTPUT } from './model.js';
import { resolve } from './resolve/index.js';
import { validateTopology } from './validate.js';
import { appendAll } from './arrays.js';

export interface LintResult {
  diagnostics: Diagnostic[];
  /** The resolved model, when the file got that far. */
  model?: Model;
}

/** Findings that come from outside the topology (the stored keys), reported like the rules' own. */
export type ExtraFindings = (model: Model) => Finding[];

async function lintLoaded(loaded: LoadResult, extra?: ExtraFindings): Promise<LintResult> {
  if (!loaded.ok) return { diagnostics: loaded.diagnostics.sort(compareDiagnostics) };
  const validated = await validateTopology(loaded.loaded);
  if (!validated.ok) return { diagnostics: validated.diagnostics.sort(compareDiagnostics) };
  const findings: Finding[] = [];
  const model = resolve(validated.topology, (f) => findings.push(f));
  if (extra) appendAll(findings, extra(model));
  const diagnostics = check(model, loaded.loaded.source, findings, loaded.loaded.suppressions);
  // Not the file's own name: `gen build - < x.yaml` and a file named with a
  // backslash or a newline give the same scripts as topology.yaml does. Only
  // the lines: the model outlives the loaded text and data (a build renders
  // with it), and they would live as long.
  const lines: SourceLines = { file: TOPOLOGY_IN_OUTPUT, lineOf: loaded.loaded.source.lineFinder() };
  Object.defineProperty(model, 'source', { value: lines, enumerable: false });
  return { diagnostics: diagnostics.sort(compareDiagnostics), model };
}

export function lintFile(file: string, extra?: ExtraFindings, options?: LoadOptions): Promise<LintResult> {
  return lintLoaded(loadTopologyFile(file, file, options), extra);
}

/** Lints YAML text; `file` is the name diagnostics use. */
export function lintText(text: string, file = 'topology.yaml', extra?: ExtraFindings, options?: LoadOptions): Promise<LintResult> {
  return lintLoaded(loadTopologyText(text, file, options), extra);
}
