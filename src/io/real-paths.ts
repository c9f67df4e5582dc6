// Comparing paths as the file system sees them: through symbolic links,
// also for paths that do not exist yet.
import { realpathSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
export function realPath(path: string): string {
  const rest: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return [realpathSync(current), ...rest.reverse()].reduce((path, part) => join(path, part));
    } catch {
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      rest.push(current.slice(parent.length).replace(/^\//, ''));
      current = parent;
    }
  }
}

/** Whether `path` is `dir` or lies below it (both absolute). */
export function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}
