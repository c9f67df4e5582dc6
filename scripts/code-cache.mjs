// Runs the bundle on the default topology (output discarded) and writes
// V8's code cache of everything that run compiled: `lint` records the one
// `gen lint` reads (a lint alone); without an argument, the one every other
// command reads, from a build into a new directory, a build into that
// directory again (which finds it current, as a user's rerun does) and a lint.
// Under V8's default flags, as a run of a small topology keeps them: the
// default topology is one (src/commands/v8-tuning.ts), else the cache
// would carry the changed flags and V8 would refuse it at every start.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFile, loadBundle } from '../bin/bundle-loader.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'dist/gen.cjs');
const command = process.argv[2];
const cache = cacheFile(file, command);
rmSync(cache, { force: true });
const { exports, script } = loadBundle(file, command);
const out = mkdtempSync(join(tmpdir(), 'gen-cache-'));
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;
// The builds' lock, stages and record of inputs (src/io/staging.ts) go to the per-user directory of this
// temporary directory, removed below, not of the system's, where the record would outlive its tree.
const tmp = process.env.TMPDIR;
process.env.TMPDIR = out;
try {
  const topology = join(root, 'topology.yaml');
  const runs = command === 'lint' ? [['lint', topology]] : [['build', topology, '--out', join(out, 'out')], ['build', topology, '--out', join(out, 'out')], ['lint', topology]];
  for (const args of runs) await exports.main(args);
} finally {
  process.stdout.write = write;
  if (tmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmp;
  rmSync(out, { recursive: true, force: true });
}
writeFileSync(cache, script.createCachedData());
