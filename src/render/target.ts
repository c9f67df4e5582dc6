// A render target turns the resolved model into files under out/.
import type { Model } from '../model.js';

/** Hands each part of a text, in order, to `part`. */
export type PartsWriter = (part: (text: string) => void) => void;

/**
 * Where a target puts each file it renders, by its path under out/: a Map,
 * or in a build the output tree itself, which writes each file as it comes
 * (src/emit.ts), so a target never reads back what it has put. A sink that
 * takes a long text in parts (a first build, which writes each part as it
 * comes) has setParts.
 */
export interface OutputFiles {
  set(path: string, text: string): unknown;
  setParts?(path: string, write: PartsWriter): unknown;
}

export interface Target {
  name: string;
  render(model: Model, files: OutputFiles): void;
}
