// Stage 2: JSON Schema validation of the loaded data. The validator is
// precompiled by scripts/compile-schema.mjs (ajv standalone) so start-up
// does not pay for compiling the schema; errors are mapped to file:line:col.
// Layer: validate. Imports the load stage and the shared leaves.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorObject } from 'ajv';
import { packageRoot } from './paths.js';
import type { Diagnostic } from './diagnostics.js';
import type { Loaded } from './load.js';
import { type Path, pathText } from './location.js';
import type { Topology } from './topology.js';

type ValidateFunction = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

let compiled: ValidateFunction | undefined;

async function validator(): Promise<ValidateFunction> {
  if (compiled) return compiled;
  // The bundle carries the validator; otherwise it is dist/schema-validator.js.
  const bundled = (globalThis as { __genSchemaValidator?: ValidateFunction }).__genSchemaValidator;
  if (bundled) return (compiled = bundled);
  const url = pathToFileURL(join(packageRoot, 'dist', 'schema-validator.js'));
  const module = (await import(url.href)) as { default: ValidateFunction };
  compiled = module.default;
  return compiled;
}

export type ValidateResult = { ok: true; topology: Topology } | { ok: false; diagnostics: Diagnostic[] };

export async function validateTopology(loaded: Loaded): Promise<ValidateResult> {
  const validate = await validator();
  if (validate(loaded.data)) return { ok: true, topology: loaded.data as Topology };
  return { ok: false, diagnostics: schemaDiagnostics(validate.errors ?? [], loaded) };
}

export function schemaDiagnostics(errors: readonly ErrorObject[], loaded: Loaded): Diagnostic[] {
  // An anyOf failure says it best with the schema's own description; the
  // failures of each alternative at the same spot are noise.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    if (anyOfPaths.has(error.instancePath) && error.keyword !== 'anyOf') continue;
    const path = pointerToPath(error.instancePath);
    const described = describe(error, path);
    const { message, keyPath } = described;
    const key = `${error.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const location = loaded.source.locate(keyPath ?? path, { key: keyPath !== undefined });
    diagnostics.push({ rule: 'schema', severity: 'error', message, hint: unquotedHint(error, loaded, path) ?? described.hint, location });
  }
  return diagnostics;
}

/**
 * A text written without quotes that YAML read as a number or a boolean
 * (`release: 26.10` is the number 26.1, `name: no` is false): the fix is the
 * quotes, around the text as written, which the value no longer shows.
 */
function unquotedHint(error: ErrorObject, loaded: Loaded, path: Path): string | undefined {
  const types = [(error.params as { type?: unknown }).type].flat();
  if (error.keyword !== 'type' || !types.includes('string') || (typeof error.data !== 'number' && typeof error.data !== 'boolean')) return undefined;
  const written = loaded.source.plainScalarAt(path);
  if (written === undefined) return undefined;
  const read = String(error.data);
  return `Put the value in quotes: "${written}". Without them YAML reads ${written} as the ${typeof error.data} ${read}${written !== read ? ', not the text you wrote' : ''}.`;
}

function describe(error: ErrorObject, path: Path): { message: string; hint: string; keyPath?: Path } {
  const where = path.length ? pathText(path) : 'the topology';
  const params = error.params as Record<string, unknown>;
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  switch (error.keyword) {
    case 'required':
      return {
        message: `${where}: missing required property "${String(params.missingProperty)}"`,
        hint: `Add "${String(params.missingProperty)}" here (see schema/topology.schema.json).`,
      };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const close = closest(name, allowed);
      return {
        message: `${where}: unknown property "${name}"`,
        hint: close ? `Did you mean "${close}"? Allowed here: ${allowed.join(', ')}.` : `Allowed here: ${allowed.join(', ')}.`,
        keyPath: path.concat(name),
      };
    }
    case 'enum':
      return {
        message: `${where}: ${show(error.data)} is not one of ${(params.allowedValues as unknown[]).map(show).join(', ')}`,
        hint: 'Use one of the listed values.',
      };
    case 'const':
      return { message: `${where}: must be ${show(params.allowedValue)}, not ${show(error.data)}`, hint: 'Use the value shown.' };
    case 'type':
      return { message: `${where}: expected ${String(params.type)}, got ${typeName(error.data)}`, hint: description ?? 'Fix the value type.' };
    case 'pattern':
    case 'anyOf':
      return {
        message: `${where}: ${show(error.data)} is not valid here`,
        hint: description ?? 'See schema/topology.schema.json for the accepted form.',
      };
    default:
      return { message: `${where}: ${show(error.data)} ${error.message ?? 'is not valid'}`, hint: description ?? 'See schema/topology.schema.json.' };
  }
}


export function pointerToPath(pointer: string): Path {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

function show(value: unknown): string {
  // JSON writes Infinity (1e400) and NaN (.nan) as null.
  const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data (!!binary)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'object' ? 'a mapping' : typeof value;
}

/** The allowed name nearest to a misspelt one (edit distance ≤ 2), if any. */
function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
