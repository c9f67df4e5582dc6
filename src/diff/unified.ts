// The unified diff of two generated trees (path → content), file by file.
import { createTwoFilesPatch, formatPatch, type StructuredPatch } from 'diff';

/**
 * The most line edits a file's diff looks for. jsdiff's Myers diff costs
 * lines × edits: an edit near the top of a 10,000-peer topology moves the
 * "declared at" line of every peer below it, and diffing those files took
 * six minutes. Past this, the file's hunk replaces all of its lines.
 */
const MAX_EDITS = 2000;

function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/** One hunk that replaces every line of `a` with every line of `b` (both non-empty or not), as jsdiff writes it. */
function wholeFilePatch(oldName: string, newName: string, a: string, b: string): string {
  const before = lines(a);
  const after = lines(b);
  const hunk: string[] = before.map((l) => `-${l}`);
  if (a !== '' && !a.endsWith('\n')) hunk.push('\\ No newline at end of file');
  for (const l of after) hunk.push(`+${l}`);
  if (b !== '' && !b.endsWith('\n')) hunk.push('\\ No newline at end of file');
  const patch: StructuredPatch = {
    oldFileName: oldName,
    newFileName: newName,
    oldHeader: undefined,
    newHeader: undefined,
    hunks: [{ oldStart: 1, oldLines: before.length, newStart: 1, newLines: after.length, lines: hunk }], // formatPatch writes an empty side as 0,0
  };
  return formatPatch(patch);
}

/** The unified diff of one file (a side that is undefined has no such file), under `prefix`. */
export function filePatch(path: string, a: string | undefined, b: string | undefined, prefix = 'out'): string {
  const oldName = a === undefined ? '/dev/null' : `a/${prefix}/${path}`;
  const newName = b === undefined ? '/dev/null' : `b/${prefix}/${path}`;
  const patch = createTwoFilesPatch(oldName, newName, a ?? '', b ?? '', undefined, undefined, { context: 3, maxEditLength: MAX_EDITS }) ?? wholeFilePatch(oldName, newName, a ?? '', b ?? '');
  return patch.replace(/^=+\n/, '');
}
