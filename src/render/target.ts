// A render target turns the resolved model into files under out/.
import type { OutputSink, PartsWriter } from '../io/tree-files.js';
import type { Model } from '../model.js';

export type { PartsWriter };

/**
 * Where a target puts each file it renders, by its path under out/: a Map,
 * or in a build the output tree itself, which writes each file as it comes
 * (src/emit.ts), so a target never reads back what it has put. A sink that
 * takes a long text in parts (a first build, which writes each part as it
 * comes) has setParts.
 */
export type OutputFiles = OutputSink;

export interface Target {
  name: string;
  render(model: Model, files: OutputFiles): void;
}

/** A part this long is handed to the output as it is; shorter ones next to each other are joined first (one write each). */
const LONG_PART = 1 << 16;

/**
 * Puts the text made of `parts`, in order. A sink that takes parts (a
 * first build) gets each long part as it is: a text made of a few long
 * strings (a verification script around the data of its rules) is never
 * copied into one string (which the output then copies again: 13 MB for
 * 20,000 rules, two bytes a character where the script has a "▸", and
 * garbage at once). Any other sink gets the text joined.
 */
export function setTextParts(files: OutputFiles, path: string, parts: readonly string[]): void {
  if (!files.setParts) {
    files.set(path, parts.join(''));
    return;
  }
  files.setParts(path, (part) => {
    let start = 0;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i]!.length < LONG_PART) continue;
      if (i > start) part(parts.slice(start, i).join(''));
      part(parts[i]!);
      start = i + 1;
    }
    if (start < parts.length) part(parts.slice(start).join(''));
  });
}
