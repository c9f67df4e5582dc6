// The 1-based line of the YAML node at a path, to check where a diagnostic points.
import { LineCounter, parseDocument } from 'yaml';

export function lineOf(text: string, path: (string | number)[]): number {
  return positionOf(text, path).line;
}

/** The 1-based line and column of the YAML node at a path. */
export function positionOf(text: string, path: (string | number)[]): { line: number; col: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (!node?.range) throw new Error(`no node at ${path.join('.')}`);
  return lines.linePos(node.range[0]);
}

/** The line of the map key that names the last path segment. */
export function lineOfKey(text: string, path: (string | number)[]): number {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const parent = doc.getIn(path.slice(0, -1), true) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
  const key = parent?.items?.find((p) => String(p.key?.value) === String(path[path.length - 1]))?.key;
  if (!key?.range) throw new Error(`no key at ${path.join('.')}`);
  return lines.linePos(key.range[0]).line;
}
