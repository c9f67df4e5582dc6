// A render target turns the resolved model into files under out/.
import type { Model } from '../model.js';

/** Relative path under out/ → file content. */
export type OutputFiles = Map<string, string>;

export interface Target {
  name: string;
  render(model: Model, files: OutputFiles): void;
}
