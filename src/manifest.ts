// out/MANIFEST: the sha256 of every generated file in `sha256sum` format,
// so `cd out && sha256sum -c MANIFEST` verifies a tree.
import { createHash } from 'node:crypto';

export const MANIFEST = 'MANIFEST';

/** sha256sum-format manifest of every file, sorted by path. */
export function manifest(files: ReadonlyMap<string, string>): string {
  return [...files.keys()]
    .sort()
    .map((path) => `${createHash('sha256').update(files.get(path)!, 'utf8').digest('hex')}  ${path}\n`)
    .join('');
}
