// The texts of a build are held flat, whatever made them: a text built
// piece by piece (a template's output) is, in V8, a tree of its pieces until
// something reads it whole, and client files held that way took about three
// times their size until the emit stage read them. The check weighs what the
// texts hold on the heap against their length, not time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { renderAll } from '../../src/render/index.js';
import { modelOf } from '../helpers.js';

describe('the texts of a build', async () => {
  const model = await modelOf(toYaml(siteTopology({ peers: 4000 })));

  it('take about their length on the heap, not that of the pieces they were made from', async () => {
    // A collector to call: the test process runs without --expose-gc (the flag goes back at once, see xml-work.test.ts).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    const heap = async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
      return process.memoryUsage().heapUsed;
    };
    const files = renderAll(model);
    const clients = [...files.keys()].filter((path) => /^home\/wireguard\/peer-\d+\.conf$/.test(path));
    expect(clients).toHaveLength(4000);
    let length = 0;
    for (const path of clients) length += files.get(path)!.length;
    // What the client texts hold: the heap they leave behind when dropped (their paths stay, in `clients`).
    const before = await heap();
    for (const path of clients) files.set(path, '\n');
    const held = before - (await heap());
    // One byte a character (ASCII); a tree of pieces takes about three.
    expect(held / length, `${held} bytes for ${length} characters`).toBeLessThan(1.5);
  });
});
