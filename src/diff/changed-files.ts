// The files that differ between two generated trees, without holding
// either tree: `gen diff` of 100,000 peers held both (4.4 GB for a change
// of one key, next to V8's 4 GB heap limit) and built the whole patch as
// one string. Each side is rendered into a sink that keeps a sha256 per
// file; the texts of the files that differ are kept as the second side
// renders, and from a second rendering of the first side when some file
// there differs (a render is pure: the same model gives the same files).
// Layer: diff (with facts.ts and unified.ts).
import type { OutputSink } from '../io/tree-files.js';
import { Utf8Scratch } from '../io/utf8-scratch.js';
import { sha256Of, sha256OfParts } from '../manifest.js';

/** A file that differs: its text before (undefined where it is new) and after (undefined where it is gone). */
export interface ChangedFile {
  path: string;
  before?: string;
  after?: string;
}

/** Renders a tree into the sink it is given, file by file. */
export type TreeRender = (files: OutputSink) => void;

/** A sink that hands each file's sha256 to `take`, a long text's taken a part at a time (never one string). */
function hashing(encoder: Utf8Scratch, take: (path: string, hash: string) => void): OutputSink {
  return {
    set: (path, text) => take(path, sha256Of(text, encoder)),
    setParts: (path, write) => take(path, sha256OfParts(write, encoder, () => {})),
  };
}

/** The files that differ between the tree `before` renders (none without it) and the one `after` renders, by path. */
export function changedFiles(before: TreeRender | undefined, after: TreeRender): ChangedFile[] {
  const encoder = new Utf8Scratch();
  const hashes = new Map<string, string>();
  before?.(hashing(encoder, (path, hash) => hashes.set(path, hash)));
  const changed = new Map<string, ChangedFile>();
  const made = new Set<string>();
  const afterText = (path: string, text: () => string, hash: string) => {
    made.add(path);
    if (hashes.get(path) !== hash) changed.set(path, { path, after: text() });
  };
  after({
    set: (path, text) => afterText(path, () => text, sha256Of(text, encoder)),
    // A long text's parts are held only until its hash says whether it differs.
    setParts(path, write) {
      const parts: string[] = [];
      const hash = sha256OfParts((part) => write((text) => {
        parts.push(text);
        part(text);
      }), encoder, () => {});
      // Joined only where it differs: plan.json of 100,000 peers is 165 MB.
      afterText(path, () => parts.join(''), hash);
    },
  });
  let again = false;
  for (const path of hashes.keys()) {
    if (!made.has(path)) changed.set(path, { path });
    if (changed.has(path)) again = true;
  }
  if (again) {
    const take = (path: string, text: () => string) => {
      const file = changed.get(path);
      if (file) file.before = text();
    };
    before!({
      set: (path, text) => take(path, () => text),
      // A file that does not differ is rendered and dropped, part by part.
      setParts(path, write) {
        const parts: string[] | undefined = changed.has(path) ? [] : undefined;
        write((text) => parts?.push(text));
        take(path, () => parts!.join(''));
      },
    });
  }
  return [...changed.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
