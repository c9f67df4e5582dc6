// Stage 5: every target renders its files from the resolved model.
import type { Model } from '../model.js';
import { renderPlan } from './plan.js';
import { renderSteps } from './steps.js';
import type { OutputFiles, Target } from './target.js';

export const targets: readonly Target[] = [
  { name: 'plan', render: renderPlan },
  { name: 'steps', render: renderSteps },
];

export function renderAll(model: Model): OutputFiles {
  const files: OutputFiles = new Map();
  for (const target of targets) target.render(model, files);
  return files;
}
