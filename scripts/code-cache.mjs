// Runs the bundle once on the default topology (output discarded) and writes
// V8's code cache of everything that run compiled to dist/gen.cjs.cache.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../bin/bundle-loader.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'dist/gen.cjs');
rmSync(`${file}.cache`, { force: true });
const { exports, script } = loadBundle(file);
const out = mkdtempSync(join(tmpdir(), 'gen-cache-'));
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;
try {
  await exports.main(['build', join(root, 'topology.yaml'), '--out', join(out, 'out')]);
  await exports.main(['lint', join(root, 'topology.yaml')]);
} finally {
  process.stdout.write = write;
  rmSync(out, { recursive: true, force: true });
}
writeFileSync(`${file}.cache`, script.createCachedData());
