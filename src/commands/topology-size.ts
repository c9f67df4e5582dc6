// Whether a topology is large enough for a run to tune V8 for it (the
// inlining budget, the heap's growth), decided before it is read.
import { statSync } from 'node:fs';

/**
 * Standard input (its size is not known beforehand), or a file of `bytes`
 * or more. An unreadable file counts as small: lintTopology reports it.
 */
export function topologyOfAtLeast(file: string, bytes: number): boolean {
  if (file === '-') return true;
  try {
    return (statSync(file, { throwIfNoEntry: false })?.size ?? 0) >= bytes;
  } catch {
    return false;
  }
}
