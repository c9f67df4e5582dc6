// Builds dist/gen.cjs: the CLI, its libraries, the precompiled schema
// validator and every template precompiled, in one file; then records V8's
// code cache for it by running gen once. Start-up then costs one file read
// and no compilation of gen's code.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Handlebars from 'handlebars';
import { bundledJsYamlPatch } from './js-yaml-patch.mjs';
import { WRAPPER_HEAD, WRAPPER_TAIL, cacheFile } from '../bin/bundle-loader.js';

// Where the bundle's sha256 goes: 64 characters, as many as the hash has, found once in the bundle.
const IDENTITY_PLACE = 'gen-bundle-identity-'.padEnd(64, '-');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

function files(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

// Must match TEMPLATE_OPTIONS in src/render/templates.ts.
const options = { noEscape: true, strict: true };
const templates = files(join(root, 'templates'))
  .filter((f) => f.endsWith('.hbs'))
  .sort()
  .map((f) => `  ${JSON.stringify(relative(join(root, 'templates'), f).split('\\').join('/'))}: ${Handlebars.precompile(readFileSync(f, 'utf8'), options)},`);

const inject = join(dist, 'bundle-inject.mjs');
writeFileSync(
  inject,
  `import validator from './schema-validator.js';\nglobalThis.__genSchemaValidator = validator;\nglobalThis.__genTemplates = {\n${templates.join('\n')}\n};\n`,
);

// The libraries whose bundled text a plugin below changed: each must be, or the build stops.
const patchedFiles = new Set();

// commander requires node:child_process when it loads, for subcommands that
// are executables of their own, which gen has none of; that module (and
// node:net with it) was a good part of a short run's start. The bundle's
// commander loads it when it would spawn one.
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (text.split(COMMANDER_CHILD_PROCESS).length !== 2) throw new Error(`${args.path} no longer has the line: ${COMMANDER_CHILD_PROCESS}`);
      const uses = [...text.matchAll(/\bchildProcess\.(\w+)/g)].map((m) => m[1]);
      if (uses.some((name) => name !== 'spawn')) throw new Error(`${args.path} uses more of node:child_process than spawn: ${[...new Set(uses)].join(', ')}`);
      const lazy = "const childProcess = { spawn: (command, args, options) => require('node:child_process').spawn(command, args, options) };";
      patchedFiles.add('commander');
      return { contents: text.replace(COMMANDER_CHILD_PROCESS, lazy), loader: 'js' };
    });
  },
};

// src/yaml-library.ts loads the yaml library at its first use through node:module's createRequire,
// whose loading starts Node's ES module loader: in the bundle, a require of the bundled library there.
const YAML_LIBRARY_IMPORT = "import { createRequire } from 'node:module';";
const YAML_LIBRARY_REQUIRE = "createRequire(import.meta.url)('yaml')";
const bundledYamlLibrary = {
  name: 'yaml-library-require',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]dist[\\/]yaml-library\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      for (const line of [YAML_LIBRARY_IMPORT, YAML_LIBRARY_REQUIRE]) {
        if (text.split(line).length !== 2) throw new Error(`${args.path} no longer has exactly once: ${line}`);
      }
      patchedFiles.add('yaml-library');
      return { contents: text.replace(YAML_LIBRARY_IMPORT, '').replace(YAML_LIBRARY_REQUIRE, "require('yaml')"), loader: 'js' };
    });
  },
};

// js-yaml's tables of keys, made only where a mapping is, its copies of the state, made only where a tag or an anchor is, and its input read in place when gen gives it with its end (scripts/js-yaml-patch.mjs).
const lazyKeyTables = {
  name: 'js-yaml-lazy-key-tables',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]js-yaml[\\/]dist[\\/]js-yaml\.mjs$/ }, (args) => {
      const contents = bundledJsYamlPatch(readFileSync(args.path, 'utf8'));
      patchedFiles.add('js-yaml');
      return { contents, loader: 'js' };
    });
  },
};

// bin/gen.js runs dist/gen.cjs when it is there: a build that stops below leaves none (the modules in dist/ run instead).
const bundlePath = join(dist, 'gen.cjs');
const caches = [undefined, 'lint'].map((command) => cacheFile(bundlePath, command));
rmSync(bundlePath, { force: true });
for (const cache of caches) rmSync(cache, { force: true });

await build({
  entryPoints: [join(dist, 'cli.js')],
  plugins: [lazyChildProcess, lazyKeyTables, bundledYamlLibrary],
  outfile: join(dist, 'gen.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  inject: [inject],
  // Every template is precompiled into the bundle: the runtime is enough, and
  // skipping the template compiler saves most of the start-up.
  // jsonc-parser's main is a UMD module whose require() calls esbuild cannot
  // follow (the bundle would look for ./impl/format beside it): its ES modules instead.
  alias: { handlebars: 'handlebars/runtime', 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  // The bundle's own sha256 goes in its place below (src/commands/build-inputs.ts).
  define: { 'import.meta.url': '__genImportMetaUrl', __GEN_BUNDLE_IDENTITY__: JSON.stringify(IDENTITY_PLACE) },
  banner: { js: 'const __genImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  minifyWhitespace: true,
  minifySyntax: true,
  // Short local names: the bundle is a quarter smaller (2.51 to 1.93 MB), and each start reads it
  // whole into a fresh buffer and a string, whose page faults are slow on a virtual machine: a lint
  // of the default topology about 9 ms faster. Properties keep their names; a stack trace
  // (GEN_DEBUG) names gen's functions when gen runs from its modules (GEN_NO_BUNDLE=1).
  minifyIdentifiers: true,
  legalComments: 'none',
  logLevel: 'warning',
});
rmSync(inject);
/** Stops the build, removing the bundle that failed a check. */
function refuse(message) {
  rmSync(bundlePath, { force: true });
  for (const cache of caches) rmSync(cache, { force: true });
  throw new Error(message);
}
for (const name of ['commander', 'js-yaml', 'yaml-library']) if (!patchedFiles.has(name)) refuse(`the bundle's ${name} was not patched: the library is no longer loaded from the file the patch expects`);

// import() of a Node built-in stays an import() in CommonJS output, and a
// vm.Script cannot serve it without an experimental flag: make it require().
const bundled = readFileSync(bundlePath, 'utf8').replace(
  /\bimport\((["'])(node:[a-z0-9_/]+)\1\)/g,
  (_, q, name) => `Promise.resolve({ ...require(${q}${name}${q}), default: require(${q}${name}${q}) })`,
);
const left = /\bimport\((["'])[^"']+\1\)/.exec(bundled);
if (left) refuse(`the bundle still has a dynamic import: ${left[0]}`);
// bin/bundle-loader.js reads the bundle as latin1 (no UTF-8 decode): esbuild
// writes ASCII by default (charset), and this keeps it so.
// It also hands the bundle its own require, which is right for built-in modules only.
const foreign = [...bundled.matchAll(/\brequire\(([^)]*)\)/g)].map((m) => m[1]).filter((arg) => !/^"[^"]+"$/.test(arg) || !isBuiltin(JSON.parse(arg)));
if (foreign.length) refuse(`the bundle requires more than Node's built-in modules: ${[...new Set(foreign)].join(', ')}`);
const wide = /[^\x00-\x7f]/.exec(bundled);
if (wide) refuse(`the bundle has a character outside ASCII at ${wide.index}: bin/bundle-loader.js reads it as latin1`);
// Written inside the function expression bin/bundle-loader.js compiles, so that it compiles the text as read.
const wrapped = `${WRAPPER_HEAD}${bundled}${WRAPPER_TAIL}`;
// The bundle's identity: the sha256 of its text with the place for it, so that a build of
// other code, templates or schema (a new gen) never takes the record of an older one's inputs.
if (wrapped.split(IDENTITY_PLACE).length !== 2) refuse(`the bundle does not hold its identity's place exactly once: ${IDENTITY_PLACE}`);
const identity = createHash('sha256').update(wrapped).digest('hex');
writeFileSync(bundlePath, wrapped.replace(IDENTITY_PLACE, identity));

// Record each code cache after real runs, so the functions a run compiles are in it:
// each in a process of its own, which compiled nothing else.
for (const command of [[], ['lint']]) {
  const made = spawnSync(process.execPath, [join(root, 'scripts/code-cache.mjs')].concat(command), { cwd: root, encoding: 'utf8' });
  if (made.status !== 0) refuse(`code cache: ${made.stderr}`);
}
