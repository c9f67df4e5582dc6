// js-yaml as gen's bundle has it (scripts/js-yaml-patch.mjs), loaded as a
// module of its own: what the bundle's loader does, tested on the modules.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Not from ./helpers.js: a test file mocks js-yaml with this module, and that one loads gen's loader, which imports js-yaml.
const root = join(fileURLToPath(import.meta.url), '../..');

/** The text of js-yaml's dist/js-yaml.mjs, the file the bundle patches. */
export function jsYamlText(): string {
  return readFileSync(join(createRequire(import.meta.url).resolve('js-yaml').replace(/index\.js$/, ''), 'dist/js-yaml.mjs'), 'utf8');
}

/** js-yaml with every patch the bundle makes. */
export async function bundledJsYaml(): Promise<typeof import('js-yaml')> {
  const { bundledJsYamlPatch } = (await import(join(root, 'scripts/js-yaml-patch.mjs'))) as { bundledJsYamlPatch: (text: string) => string };
  const dir = mkdtempSync(join(tmpdir(), 'gen-js-yaml-'));
  const file = join(dir, 'js-yaml.mjs');
  // Without its source map comment: the copy has no map beside it.
  writeFileSync(file, bundledJsYamlPatch(jsYamlText()).replace(/^\/\/# sourceMappingURL=.*$/m, ''));
  try {
    return (await import(pathToFileURL(file).href)) as typeof import('js-yaml');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
