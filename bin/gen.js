#!/usr/bin/env node
// Entry point of the gen command: the bundle built by `npm run build` when
// it is there (fast start), otherwise the compiled modules in dist/.
// CommonJS (bin/package.json): Node starts it without its ES module loader,
// which the bundle does not need (about a tenth of a short run).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * Calls `prepare` with process[name] (stdout or stderr) when the run first
 * uses it. Node makes the stream on first use, loading what its kind needs:
 * node:net for a pipe, a few milliseconds of a lint, whose stderr (a pipe
 * under CI) stays unused when the topology has no problem. Without Node's
 * getter (another runtime), the stream is prepared at once.
 */
function whenMade(name, prepare) {
  const node = Object.getOwnPropertyDescriptor(process, name);
  if (!node || typeof node.get !== 'function' || !node.configurable) {
    prepare(process[name]);
    return;
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: node.enumerable,
    get() {
      // Node's getter makes the stream once and keeps it: it answers every later use.
      Object.defineProperty(process, name, node);
      const stream = node.get.call(process);
      prepare(stream);
      return stream;
    },
  });
}

async function start() {
  const bundle = join(__dirname, '../dist/gen.cjs');
  const { main, outputErrorSentence } =
    existsSync(bundle) && !process.env.GEN_NO_BUNDLE
      ? require('./bundle-loader.js').loadBundle(bundle, process.argv[2]).exports
      : await import(pathToFileURL(join(__dirname, '../dist/cli.js')).href);
  // A reader that stops early (gen build | head -1) closes the pipe: the run
  // goes on quietly, without its output, and ends with its own exit code.
  // Any other failure of stdout (a full disk behind a redirection) is one
  // sentence on stderr; a failing stderr leaves nothing to report to.
  whenMade('stdout', (stdout) =>
    stdout.on('error', (error) => {
      if (error.code === 'EPIPE') return;
      process.stderr.write(`gen: ${outputErrorSentence(error)}\n`);
      process.exit(1);
    }),
  );
  whenMade('stderr', (stderr) => stderr.on('error', () => {}));
  process.exitCode = await main(process.argv.slice(2));
}

start();
