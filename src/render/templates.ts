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

/** The helpers the templates in templates/ use (test/core/templates.test.ts reads them all). */
export const TEMPLATE_HELPERS: readonly string[] = ['each', 'if'];

/**
 * The templates' own environment, with only the helpers they use: every
 * call of a template wraps each helper of its environment anew (Handlebars'
 * runtime, `_setup`: addHelpers, passLookupPropertyOption), and the default
 * environment has eight, for each of 10,000 client files.
 */
const environment = Handlebars.create();
for (const name of Object.keys(environment.helpers)) if (!TEMPLATE_HELPERS.includes(name)) environment.unregisterHelper(name);

export function template(name: string): Handlebars.TemplateDelegate {
  let compiled = cache.get(name);
  if (!compiled) {
    const spec = precompiled?.[name];
    compiled = spec ? environment.template(spec) : environment.compile(readFileSync(join(packageRoot, 'templates', name), 'utf8'), TEMPLATE_OPTIONS);
    cache.set(name, compiled);
  }
  return compiled;
}
