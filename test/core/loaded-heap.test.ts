// What the model keeps of the topology it was read from. A build renders
// with the model alive to its end, so whatever the model holds stays on the
// heap through the whole render: the lines generated files cite once kept
// the loaded text, js-yaml's data and its map of lines (14 MB for 10,000
// peers). The checks weigh what a collection frees and what a heap
// snapshot shows the model to reach, not time.
import { describe, expect, it } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import type { Path } from '../../src/location.js';
import { heldBy } from '../heap-graph.js';
import { loadTopologyText } from '../../src/load.js';
import { resolve } from '../../src/resolve/index.js';
import { validateTopology } from '../../src/validate.js';
import { collectedHeap, modelOf, readExample } from '../helpers.js';

/**
 * The heap once it stops shrinking: a text may stay reachable for a moment
 * after the lint that read it (16 MB freed 200 ms later, with other test
 * files running), whatever the model holds.
 */
async function settledHeap(): Promise<number> {
  let heap = await collectedHeap();
  for (let round = 0; round < 20; round++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await collectedHeap();
    if (Math.abs(next - heap) < 1 << 20) return next;
    heap = next;
  }
  return heap;
}

describe('the loaded topology, once the model is made', () => {
  it('is garbage but for the lines of its collections: a few bytes a peer', async () => {
    const peers = 8000;
    const text = toYaml(siteTopology({ peers }));
    let model: Awaited<ReturnType<typeof modelOf>> | undefined = await modelOf(text);
    const path: Path = model.sites[0]!.wireguard[0]!.peers[peers - 1]!.path;
    let lineOf: ((path: Path) => number) | undefined = model.source!.lineOf;
    // The last peer's line: its `- name:` line, counted in the text.
    const line = lineOf(path);
    expect(text.split('\n')[line - 1]).toMatch(new RegExp(`^\\s*- name: ${model.sites[0]!.wireguard[0]!.peers[peers - 1]!.name}$`));
    model = undefined;
    // The heap that only lineOf holds: what is freed when it goes too.
    const before = await settledHeap();
    expect(lineOf(path)).toBe(line);
    lineOf = undefined;
    const held = before - (await settledHeap());
    // A peer is one number in its list's tree (8 bytes; about 30 a peer in all, the rest of the tree and the
    // collector's noise); the text, the data and the map of lines held about 350.
    expect(held / peers, `${held} bytes for ${peers} peers`).toBeLessThan(100);
  });

  it("holds no string that holds js-yaml's copy of the text", async () => {
    // V8 cuts a string of 13 characters or more out of a longer one as a view that keeps the longer one alive: each
    // public key, as js-yaml read it, kept its copy of the whole text. A comment makes that copy weigh 16 MB.
    const comment = `# ${'x'.repeat(78)}\n`.repeat(200_000);
    const model = await modelOf(`${toYaml(siteTopology({ peers: 500 }))}${comment}`);
    const publicKey = model.sites[0]!.wireguard[0]!.peers[499]!.publicKey;
    expect(publicKey).toHaveLength(44);
    // The strings the model reaches, read from a heap snapshot: a view reaches the string it was cut from.
    const { strings } = await heldBy(model);
    const largest = Math.max(...strings.map((s) => s.size));
    // Its longest strings are its own: names, keys, addresses.
    expect(largest, `a string of ${largest} bytes for a text of ${comment.length}`).toBeLessThan(1024);
    // What the snapshot shows is the model's: its keys are among them.
    expect(strings.map((s) => s.text)).toContain(publicKey);
  });

  it("is not kept by the model through what a build reads later (the outbound NAT): a site's input goes", async () => {
    // The model and a weak reference to a site's input as js-yaml read it, made in a function of their own
    // so that nothing of this test holds the input.
    const made = async () => {
      const loaded = loadTopologyText(readExample('homelab-family'), 'topology.yaml');
      if (!loaded.ok) throw new Error('the example does not load');
      const validated = await validateTopology(loaded.loaded);
      if (!validated.ok) throw new Error('the example is not valid');
      const model = resolve(validated.topology, () => {});
      return { model, site: new WeakRef(validated.topology.sites![0]!) };
    };
    const { model, site } = await made();
    // The outbound NAT is derived when first read (a lint reads none): unread, as after a lint.
    expect(Object.getOwnPropertyDescriptor(model.sites[0]!.firewall!.nat, 'outbound')?.get).toBeTypeOf('function');
    await collectedHeap();
    expect(site.deref(), "the site's input, held by the model").toBeUndefined();
    // Read later, the NAT is what the policy gives.
    expect(model.sites[0]!.firewall!.nat.outbound).toBe('automatic');
  });
});
