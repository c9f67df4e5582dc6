// Handlebars templates from templates/. HTML escaping is off: each target
// escapes for its own format (XML, HCL, INI) through helpers, or validates.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';

const cache = new Map<string, Handlebars.TemplateDelegate>();
const templatesDir = new URL('../../templates/', import.meta.url);

export function template(name: string): Handlebars.TemplateDelegate {
  let compiled = cache.get(name);
  if (!compiled) {
    const source = readFileSync(new URL(name, templatesDir), 'utf8');
    compiled = Handlebars.compile(source, { noEscape: true, strict: true });
    cache.set(name, compiled);
  }
  return compiled;
}
