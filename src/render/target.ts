// A render target turns the resolved model into files under out/.
import type { OutputSink, PartsWriter } from '../io/tree-files.js';
import type { Model } from '../model.js';

export type { PartsWriter };

/**
 * Where a target puts each file it renders, by its path under out/: a Map,
 * or in a build the output tree itself, which writes each file as it comes
 * (src/emit.ts), so a target never reads back what it has put. A sink that
 * takes a long text in parts (a build, which writes or compares each part as it
 * comes) has setParts.
 */
export type OutputFiles = OutputSink;

export interface Target {
  name: string;
  render(model: Model, files: OutputFiles): void;
}

/**
 * Puts the text `write` hands over in parts, in order. A sink that takes
 * parts (a build) gets each as it is made: a text of megabytes (the
 * verification script of a large policy) is never one string, and each
 * part dies young, once written. Any other sink gets the text joined.
 */
export function setText(files: OutputFiles, path: string, write: PartsWriter): void {
  if (files.setParts) {
    files.setParts(path, write);
    return;
  }
  const parts: string[] = [];
  write((text) => parts.push(text));
  files.set(path, parts.join(''));
}
