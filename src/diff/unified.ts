// The unified diff of two generated trees (path → content), file by file.
import { createTwoFilesPatch } from 'diff';

export function unifiedTreeDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, prefix = 'out'): string {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  let text = '';
  for (const path of paths) {
    const a = before.get(path);
    const b = after.get(path);
    if (a === b) continue;
    text += createTwoFilesPatch(a === undefined ? '/dev/null' : `a/${prefix}/${path}`, b === undefined ? '/dev/null' : `b/${prefix}/${path}`, a ?? '', b ?? '', undefined, undefined, { context: 3 }).replace(/^=+\n/, '');
  }
  return text;
}
