// Limits on the shape of a topology, checked right after the YAML is read
// and before the schema, the resolver or any rule looks at it: nesting
// deeper than any topology needs would exhaust the stack of a recursive
// reader, and a value of megabytes only makes every later stage slow
// before the schema refuses it anyway (the longest value the schema allows
// is 255 characters).
import { CORE_SCHEMA, load } from 'js-yaml';

export const MAX_NESTING = 64;
export const MAX_VALUE_LENGTH = 4096;

export interface LimitViolation {
  path: (string | number)[];
  message: string;
  /** A value that holds itself (a YAML alias inside the node it names): `path` ends where it repeats. */
  loop?: true;
}

/**
 * Where the values on `path` from `data` first repeat one that holds them:
 * the path to that value, or undefined. Looked for only at the nesting
 * limit, so the walk keeps no set of the values it is inside.
 */
function loopIn(data: unknown, path: readonly (string | number)[]): (string | number)[] | undefined {
  const holders = new Set<unknown>([data]);
  let value = data;
  for (let i = 0; i < path.length; i++) {
    value = (value as Record<string | number, unknown>)[path[i]!];
    if (holders.has(value)) return path.slice(0, i + 1);
    holders.add(value);
  }
  return undefined;
}

/**
 * The first value past a limit, in document order. The walk recurses at
 * most MAX_NESTING levels (it stops there), and keeps one path that it
 * copies only for the violation it returns: a topology of 100,000 peers has
 * millions of values.
 */
export function limitViolation(data: unknown): LimitViolation | undefined {
  const path: (string | number)[] = [];
  const found = (message: string): LimitViolation => ({ path: [...path], message });
  const visit = (value: unknown): LimitViolation | undefined => {
    if (typeof value === 'string') {
      return value.length > MAX_VALUE_LENGTH ? found(`a value of ${value.length} characters; gen accepts at most ${MAX_VALUE_LENGTH} in one value`) : undefined;
    }
    if (value === null || typeof value !== 'object') return undefined;
    if (path.length >= MAX_NESTING) {
      const loop = loopIn(data, path);
      if (loop) return { path: loop, message: 'this alias repeats a node that holds it, so its value would never end', loop: true };
      return found(`nested too deeply (limit ${MAX_NESTING} levels)`);
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const violation = visit(value[i]);
        path.pop();
        if (violation) return violation;
      }
      return undefined;
    }
    // for-in, not Object.keys: a mapping's keys in the same order without a list of them made for each
    // of a topology's hundred thousand mappings (YAML data has no inherited enumerable keys).
    for (const key in value) {
      if (key.length > MAX_VALUE_LENGTH) return found(`a key of ${key.length} characters; gen accepts at most ${MAX_VALUE_LENGTH}`);
      path.push(key);
      const violation = visit((value as Record<string, unknown>)[key]);
      path.pop();
      if (violation) return violation;
    }
    return undefined;
  };
  return visit(data);
}

/**
 * Where flow collections ([ and {) first nest deeper than the limit, for a
 * file too deep for the parser to finish: quoted text and comments are
 * skipped. Undefined when they never do.
 */
export function deepFlowOffset(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_NESTING) return i;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/**
 * The offset of the first node past a limit, found by reading the text
 * again with js-yaml's node events (a fraction of the time the positions
 * parser would take on such a file); undefined when js-yaml cannot say.
 */
export function limitOffset(text: string): number | undefined {
  const open: number[] = [];
  let found: number | undefined;
  try {
    load(text, {
      schema: CORE_SCHEMA,
      listener(event, state) {
        if (event === 'open') {
          open.push(state.position);
          if (found === undefined && open.length > MAX_NESTING + 1) found = state.position;
          return;
        }
        const start = open.pop()!;
        if (found === undefined && typeof state.result === 'string' && state.result.length > MAX_VALUE_LENGTH) found = start;
      },
    });
  } catch {
    // positions up to the error are enough, or there are none
  }
  if (found === undefined) return undefined;
  while (found < text.length && /[ \t]/.test(text[found]!)) found++;
  return found;
}

/** 1-based line and column of an offset, without parsing. */
export function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  return lineLocator(text)(offset);
}

/**
 * Line and column of any offset of `text` (1-based, lines end at '\n', as
 * the `yaml` library's LineCounter counts them): the line starts are found
 * once, then each offset is a binary search.
 */
export function lineLocator(text: string): (offset: number) => { line: number; col: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  };
}

export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
