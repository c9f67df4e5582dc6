// The floor a build is compared with: a plain Node script that writes a
// tree whose files and contents are given, and does nothing else. It reads
// the prepared list (index.json: path, mode, length of each file, in the
// order of contents.bin, their bytes end to end) and writes every file
// under the output directory with plain mkdir and writeFile.
// Usage: node bench/floor.mjs <list directory> <output directory>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [list, out] = process.argv.slice(2);
const files = JSON.parse(readFileSync(join(list, 'index.json'), 'utf8'));
const contents = readFileSync(join(list, 'contents.bin'));
const made = new Set();
let offset = 0;
for (const { path, mode, length } of files) {
  const target = join(out, path);
  const dir = dirname(target);
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  writeFileSync(target, contents.subarray(offset, offset + length), { mode });
  offset += length;
}
