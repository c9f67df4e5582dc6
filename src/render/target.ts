// A render target turns the resolved model into files under out/.
import type { Model } from '../model.js';

/**
 * Where a target puts each file it renders, by its path under out/: a Map,
 * or in a build the output tree itself, which writes each file as it comes
 * (src/emit.ts), so a target never reads back what it has put.
 */
export interface OutputFiles {
  set(path: string, text: string): unknown;
}

export interface Target {
  name: string;
  render(model: Model, files: OutputFiles): void;
}
