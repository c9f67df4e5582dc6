// `gen opnsense merge` of a large topology: the merged config.xml is handed
// to the file in parts (never one string, nor one list of its pieces), and
// gen's items go into the merged tree as they are when the merge owns its
// sections (the command's are made for it), not copied. At 100,000 peers
// the one string and the copies took over 4.7 GB. The checks count joined
// pieces and weigh what the merged tree holds, not time; the owned merge
// writes the same bytes as the copying one, from any base.
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { type MergeOptions, mergeConfig, mergedConfig } from '../../src/opnsense/merge.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import type { XmlElement } from '../../src/render/opnsense/xml.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { collectedHeap, edit, modelOf, readExample } from '../helpers.js';
import { hostsTopology } from './haproxy-topology.js';
import { factorySample, withBoxCa, withRelease, withRoutesAndGroups } from './support.js';

const pair = generateKeyPair();
const STAND_IN = selfSignedCertificate(['stand-in.example']);
const options = (more: Partial<MergeOptions> = {}): MergeOptions =>
  Object.assign({ secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: () => {} }, more);

function withKey(yaml: string): string {
  return yaml.includes('\n    wireguard:') ? edit(yaml, ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey) : yaml;
}

/** The topology with one more peer on its first instance: a copy of the last one, at the next address, with a key of its own. */
function larger(yaml: string): string {
  const site = (parse(yaml) as { sites: { wireguard?: { peers?: Record<string, unknown>[] }[] }[] }).sites[0]!;
  const peers = site.wireguard?.[0]?.peers ?? [];
  const last = peers[peers.length - 1]!;
  const octets = String(last.address).split('.');
  const address = [...octets.slice(0, 3), Number(octets[3]) + 1].join('.');
  const peer = { name: 'extra-peer', role: last.role, address, public_key: generateKeyPair().publicKey };
  return edit(yaml, ['sites', 0, 'wireguard', 0, 'peers'], [...peers, peer]);
}

/** Sections made anew for each merge, as the command makes them. */
async function sectionsOf(yaml: string): Promise<XmlElement[]> {
  const model = await modelOf(yaml);
  return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
}

const RULES = 2000;
const PEERS = 500;

describe(`a merge of ${PEERS} peers and ${RULES} rules`, async () => {
  const yaml = withKey(toYaml(siteTopology({ peers: PEERS, rules: RULES })));
  const base = withBoxCa(factorySample('26.7'));

  it('hands its text over in parts: the same config as one string, never joined from one list of its pieces', async () => {
    const whole = mergeConfig(base, await sectionsOf(yaml), options());
    const merged = mergedConfig(base, await sectionsOf(yaml), options({ ownSections: true }));
    const parts: string[] = [];
    const join = vi.spyOn(Array.prototype, 'join');
    try {
      merged.write((part) => parts.push(part));
      // Each part is joined from a bounded list of pieces (a tag or leaf joins its own few): none from the whole document's.
      expect(Math.max(...join.mock.contexts.map((list) => (list as unknown[]).length))).toBeLessThanOrEqual(4096 + 64);
    } finally {
      join.mockRestore();
    }
    expect(parts.join('')).toBe(whole);
    expect(parts.length).toBeGreaterThan(10);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(whole.length / 10);
    expect(whole.match(/<rule uuid="/g)?.length).toBeGreaterThanOrEqual(RULES);
  });

  it("puts gen's own items into the merged tree when it owns the sections, and copies of them when it does not", async () => {
    // What the merged tree holds beyond the sections (held throughout), per rule; weighed three times, the least counting.
    const weigh = async (own: boolean): Promise<number> => {
      const weights: number[] = [];
      for (let trial = 0; trial < 3; trial++) {
        const sections = await sectionsOf(yaml);
        let merged: ReturnType<typeof mergedConfig> | undefined = mergedConfig(base, sections, options({ ownSections: own }));
        const before = await collectedHeap();
        merged = undefined;
        weights.push((before - (await collectedHeap())) / RULES);
        expect(sections.length).toBeGreaterThan(0);
      }
      return Math.min(...weights);
    };
    const owned = await weigh(true);
    const copied = await weigh(false);
    // A copied MVC rule is some kilobytes of elements; the owned tree adds the factory config and little else.
    expect(copied, `bytes per rule, copied: ${copied}`).toBeGreaterThan(1000);
    expect(owned, `bytes per rule, owned: ${owned}`).toBeLessThan(copied / 4);
  });

  it('merged into its own earlier result, holds the items it keeps as their text, not their fields', async () => {
    // The earlier result is the base a box gives back after a restore: every rule and peer in it is gen's, and kept.
    const earlier = mergeConfig(base, await sectionsOf(yaml), options());
    const weights: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      let merged: ReturnType<typeof mergedConfig> | undefined = mergedConfig(earlier, await sectionsOf(yaml), options({ ownSections: true }));
      const before = await collectedHeap();
      const parts: string[] = [];
      merged.write((part) => parts.push(part));
      expect(parts.join('')).toBe(earlier);
      merged = undefined;
      weights.push((before - (await collectedHeap())) / RULES);
    }
    // Read whole, a rule's 50-odd fields are some 10 KB of elements; an item kept as its text is a few hundred bytes.
    const weight = Math.min(...weights);
    expect(weight, `bytes per rule: ${weight}`).toBeLessThan(1500);
  });
});

describe('a merge that owns its sections writes what a copying merge writes', () => {
  // Name, topology, and whether it has WireGuard peers (vlan-hosting has none: no merge of one more peer before it).
  const topologies: [string, string, boolean][] = [
    ['homelab', readExample('homelab'), true],
    ['homelab-family', readExample('homelab-family'), true],
    ['vlan-hosting', readExample('vlan-hosting'), false],
    ['routes and groups', withRoutesAndGroups(), true],
    ['HAProxy hosts', hostsTopology(), true],
  ];
  describe.each(['25.7', '26.1', '26.7'])('OPNsense %s', (release) => {
    it.each(topologies)('%s: into the factory config, into its own result, and into the result of the topology with one more peer', async (_name, topology, peers) => {
      const yaml = withKey(withRelease(topology, release));
      const factory = withBoxCa(factorySample(release));
      const copied = mergeConfig(factory, await sectionsOf(yaml), options());
      expect(mergeConfig(factory, await sectionsOf(yaml), options({ ownSections: true }))).toBe(copied);
      // Again into its own result (gen's items of the earlier merge replaced by the same ones): nothing changes.
      expect(mergeConfig(copied, await sectionsOf(yaml), options({ ownSections: true }))).toBe(copied);
      if (!peers) return;
      // Into a box that an earlier merge of the topology with one more peer wrote (the others' items replaced, that one's stale).
      const other = mergeConfig(factory, await sectionsOf(larger(yaml)), options());
      expect(other).toContain('extra-peer');
      expect(mergeConfig(other, await sectionsOf(yaml), options({ ownSections: true }))).toBe(mergeConfig(other, await sectionsOf(yaml), options()));
    });
  });
});
