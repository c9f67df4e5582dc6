// Handlebars templates from templates/. HTML escaping is off: each target
// escapes for its own format (XML, HCL, INI) through helpers, or validates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../paths.js';

type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** The bundle (scripts/bundle.mjs) carries every template precompiled here. */
const precompiled = (globalThis as { __genTemplates?: Record<string, TemplateSpecification> }).__genTemplates;

export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;

export function template(name: string): Handlebars.TemplateDelegate {
  let compiled = cache.get(name);
  if (!compiled) {
    const spec = precompiled?.[name];
    compiled = spec ? Handlebars.template(spec) : Handlebars.compile(readFileSync(join(packageRoot, 'templates', name), 'utf8'), TEMPLATE_OPTIONS);
    cache.set(name, compiled);
  }
  return compiled;
}
