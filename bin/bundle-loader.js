// Loads the single-file bundle (dist/gen.cjs) with V8's code cache, so a
// start skips compiling gen's code. A cache from another Node or V8 is
// rejected by V8 and the bundle compiles as usual.
// `gen lint` has a cache of its own (dist/gen.cjs.lint.cache), recorded by a
// lint alone: V8 reads a whole cache at start, and the shared one
// (dist/gen.cjs.cache) also holds all that a build compiles, a quarter
// more to read for a lint that runs none of it.
// It sets no V8 flag: V8 accepts a code cache only under the flags it was
// recorded with (V8's defaults, scripts/code-cache.mjs), and a change of
// them makes it refuse Node's caches of its own modules too
// (src/commands/v8-tuning.ts).
// CommonJS (bin/package.json), like gen.js: a start then needs no ES module loader.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { dirname } = require('node:path');
const vm = require('node:vm');

/**
 * The bundle is written inside this function expression (scripts/bundle.mjs), which Node's
 * module wrapper would add: V8 compiles the file's text as it was read. A text with the
 * wrapper added here would be a second string of the bundle's size (2.4 MB), flattened
 * into a third before V8 compiles it: some 800 pages of memory touched at each start,
 * 20 to 30 ms of a lint of the default topology on a virtual machine whose page faults
 * are slow (0.32 s against 0.30 s).
 */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_TAIL = '\n})';

/** The code cache for a run of `command` (the first argument of gen), or for any command. */
function cacheFile(file, command) {
  return command === 'lint' ? `${file}.lint.cache` : `${file}.cache`;
}

function loadBundle(file, command) {
  const cache = cacheFile(file, command);
  // The bundle is ASCII (scripts/bundle.mjs checks it): read as latin1, the
  // bytes become the string without a UTF-8 decode.
  const text = readFileSync(file, 'latin1');
  // A bundle of an earlier build, written without the wrapper, still runs.
  const source = text.startsWith(WRAPPER_HEAD) && text.endsWith(WRAPPER_TAIL) ? text : `${WRAPPER_HEAD}${text}${WRAPPER_TAIL}`;
  const script = new vm.Script(source, {
    filename: file,
    cachedData: existsSync(cache) ? readFileSync(cache) : undefined,
    // The bundle has no import() left (scripts/bundle.mjs rewrites them); should
    // one appear, the main loader serves it.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  // The bundle requires Node's built-in modules only (scripts/bundle.mjs checks
  // it), which this module's require serves as well as one made for the bundle
  // would: createRequire is in node:module, whose loading starts the ES module
  // loader.
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
  return { exports: module.exports, script };
}

module.exports = { WRAPPER_HEAD, WRAPPER_TAIL, cacheFile, loadBundle };
