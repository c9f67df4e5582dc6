#!/usr/bin/env node
// Entry point of the gen command: the bundle built by `npm run build` when
// it is there (fast start), otherwise the compiled modules in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/gen.cjs', import.meta.url));
let main;
let outputErrorSentence;
if (existsSync(bundle) && !process.env.GEN_NO_BUNDLE) {
  const { loadBundle } = await import('./bundle-loader.js');
  ({ main, outputErrorSentence } = loadBundle(bundle).exports);
} else {
  ({ main, outputErrorSentence } = await import('../dist/cli.js'));
}
// A reader that stops early (gen build | head -1) closes the pipe: the run
// goes on quietly, without its output, and ends with its own exit code.
// Any other failure of stdout (a full disk behind a redirection) is one
// sentence on stderr; a failing stderr leaves nothing to report to.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') return;
  process.stderr.write(`gen: ${outputErrorSentence(error)}\n`);
  process.exit(1);
});
process.stderr.on('error', () => {});
process.exitCode = await main(process.argv.slice(2));
