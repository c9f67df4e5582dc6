// The yaml library, loaded when first used. gen reads a topology with
// js-yaml when it can (src/load.ts readFast); the yaml library parses only
// what js-yaml cannot place (aliases, tags, odd keys, suppression comments)
// and a diagnostic's position in such a text. Imported statically, its
// seventy-odd modules were set up at the start of every lint that then used
// none of them. In the bundle, the require of the library is the bundle's
// own (scripts/bundle.mjs): node:module would start Node's ES module loader.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let library: typeof Yaml | undefined;

/** The yaml library's exports. */
export function yamlLibrary(): typeof Yaml {
  return (library ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}
