// steps.md per site: what the operator must do by hand on devices gen does
// not manage (the NAT router's port forward).
import type { Model } from '../model.js';
import type { OutputFiles } from './target.js';
import { template } from './templates.js';

/** Markdown text on one line: no HTML, no line breaks, table pipes escaped. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

export function renderSteps(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    if (site.manualSteps.length === 0) continue;
    files.set(`${site.name}/steps.md`, template('steps.md.hbs')({ site: site.name, steps: site.manualSteps.map(markdownText) }));
  }
}
