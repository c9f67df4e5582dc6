// Loads the single-file bundle (dist/gen.cjs) with V8's code cache
// (dist/gen.cjs.cache), so a start skips compiling gen's code. A cache from
// another Node or V8 is rejected by V8 and the bundle compiles as usual.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

export function loadBundle(file) {
  const cacheFile = `${file}.cache`;
  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: existsSync(cacheFile) ? readFileSync(cacheFile) : undefined,
    // The bundle has no import() left (scripts/bundle.mjs rewrites them); should
    // one appear, the main loader serves it.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script };
}
