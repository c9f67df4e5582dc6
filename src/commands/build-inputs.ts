// Everything the files of a build depend on, as one sha256, so that a
// rerun whose inputs made the current output tree renders nothing
// (src/emit.ts, `current`). Rendering reads the resolved model only, and
// the model is made from the topology's text alone (not its file's name or
// place: the output names it topology.yaml whatever it is called; the
// secrets are read by gen opnsense merge and gen wg, never by a build). The
// rest is gen itself and what its code runs on: the bundle (its sha256,
// written in by scripts/bundle.mjs), Node and its libraries (V8's regular
// expressions read ICU's Unicode data), the options Node runs with, and
// ICU's default locale, which follows LC_ALL, LC_MESSAGES and LANG: no code
// of gen's orders or formats by locale (test/core/locale-free.test.ts), but
// a tree made under one locale is not taken as made under another. GEN_TODAY and the clock's day change lint's findings
// (key ages), which every build prints, never a rendered file. The output
// directory's path is part of it too, though no file names it.
import { createHash } from 'node:crypto';

/** Written into the bundle by scripts/bundle.mjs (esbuild's define); a free name elsewhere. */
declare const __GEN_BUNDLE_IDENTITY__: string | undefined;

/**
 * The sha256 of the bundle that runs; undefined for the compiled modules in
 * dist/ (GEN_NO_BUNDLE, or no bundle), whose files can change one by one:
 * no record of inputs then, and every build renders.
 */
export function genIdentity(): string | undefined {
  return typeof __GEN_BUNDLE_IDENTITY__ === 'string' ? __GEN_BUNDLE_IDENTITY__ : undefined;
}

/** The environment variables that can change a rendered byte (see the top of this file). */
export const RENDER_ENVIRONMENT: readonly string[] = ['LC_ALL', 'LC_MESSAGES', 'LANG', 'NODE_ICU_DATA', 'NODE_OPTIONS'];

/** The fingerprint of a build of `text` into `target` (an absolute path); undefined where gen has no identity. */
export function buildInputs(text: string, target: string): string | undefined {
  const identity = genIdentity();
  if (identity === undefined) return undefined;
  const hash = createHash('sha256');
  // One JSON line (no newline inside), then the text as it is.
  hash.update(`${JSON.stringify(['gen build inputs 1', identity, process.versions, process.execArgv, RENDER_ENVIRONMENT.map((name) => process.env[name] ?? null), target])}\n`);
  hash.update(text);
  return hash.digest('hex');
}
