#!/usr/bin/env node
// Entry point of the gen command: the bundle built by `npm run build` when
// it is there (fast start), otherwise the compiled modules in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/gen.cjs', import.meta.url));
let main;
if (existsSync(bundle) && !process.env.GEN_NO_BUNDLE) {
  const { loadBundle } = await import('./bundle-loader.js');
  ({ main } = loadBundle(bundle).exports);
} else {
  ({ main } = await import('../dist/cli.js'));
}
process.exitCode = await main(process.argv.slice(2));
