// The texts of a build are held flat, whatever made them: a text built
// piece by piece (a template's output) is, in V8, a tree of its pieces until
// something reads it whole, and client files held that way took about three
// times their size until the emit stage read them. The check weighs what the
// texts hold on the heap against their length, not time.
import { describe, expect, it } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { renderAll } from '../../src/render/index.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { checkTree } from '../../src/stale.js';
import { collectedHeap, modelOf } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

describe('the texts of a build', async () => {
  const model = await modelOf(toYaml(siteTopology({ peers: 4000 })));

  it('take about their length on the heap, not that of the pieces they were made from', async () => {
    // The heap a collection leaves varies by a few MB from one collection to the next (other garbage, the
    // collector's own pages), so the texts are weighed three times, each from a fresh render, and the least
    // weight counts: noise only adds, and texts held as trees of pieces weigh about three bytes a character
    // every time.
    const ratios: string[] = [];
    let least = Infinity;
    for (let trial = 0; trial < 3; trial++) {
      const files = renderAll(model);
      const clients = [...files.keys()].filter((path) => /^home\/wireguard\/peer-\d+\.conf$/.test(path));
      expect(clients).toHaveLength(4000);
      let length = 0;
      for (const path of clients) length += files.get(path)!.length;
      // What the client texts hold: the heap they leave behind when dropped (their paths stay, in `clients`).
      const before = await collectedHeap();
      for (const path of clients) files.set(path, '\n');
      const held = before - (await collectedHeap());
      ratios.push(`${held} bytes for ${length} characters`);
      least = Math.min(least, held / length);
    }
    // One byte a character (ASCII); a tree of pieces takes about three.
    expect(least, ratios.join('; ')).toBeLessThan(1.5);
  });
});

describe('gen build --check', () => {
  it('compares each text with out/ as it comes and keeps none of them', () => {
    // A synchronous collection: the render hands its files in one call.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const out = tempDir('gen-check-');
    const count = 160;
    const size = 256 * 1024;
    // Flat one-byte strings of 256 KiB each on V8's heap (repeat() makes a tree of shared pieces, which weighs
    // nothing; Node makes a string of more than about 1 MB from a buffer outside the heap): 40 MiB if something keeps them.
    const text = (i: number) => `${Buffer.alloc(size - 1, 'abcdefgh'[i % 8]!).toString('latin1')}\n`;
    // out/ holds the same files (the last one changed), so that each is read and compared, not only found missing.
    mkdirSync(join(out, 't'));
    for (let i = 0; i < count; i++) writeFileSync(join(out, 't', `${i}.txt`), i === count - 1 ? 'other\n' : text(i));
    let grown = 0;
    const differences = checkTree(out, (files) => {
      const before = heap();
      for (let i = 0; i < count; i++) files.set(`t/${i}.txt`, text(i));
      grown = heap() - before;
    });
    expect(differences).toEqual([
      { path: 'MANIFEST', status: 'missing' },
      { path: `t/${count - 1}.txt`, status: 'changed' },
    ]);
    expect(grown).toBeLessThan(32 * size);
  });
});
