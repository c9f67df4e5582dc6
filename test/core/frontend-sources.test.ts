// A HAProxy frontend open to named sources only (from:): its derived WAN pass carries them as its source, so a flow
// from any other address to the frontend's ports meets no pass. Policy tests, flows, lint and gen diff say so, and a
// frontend where Let's Encrypt asks for an HTTP-01 challenge cannot be restricted (it validates from unpublished addresses).
import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../src/diff/facts.js';
import { flowEnd, flowVerdicts } from '../../src/flows.js';
import { buildGraph } from '../../src/graph/build.js';
import type { Site } from '../../src/model.js';
import { parseIPv4 } from '../../src/net.js';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { compilePolicy } from '../../src/render/opnsense/policy.js';
import { edit, lint, modelOf, readExample } from '../helpers.js';

const FRONTEND = ['sites', 0, 'haproxy', 'frontends', 0];
// Without the example's policy tests: "internet to wan tcp 443: accept" fails once the frontend is restricted, as it must.
const homelab = () => edit(readExample('homelab'), ['sites', 0, 'policy', 'tests'], []);
const restricted = (from: string[]) => edit(homelab(), FRONTEND.concat('from'), from);
const wanAddress = (site: Site) => flowEnd(site, { name: 'f', from: 'internet', to: 'wan', proto: 'tcp', expect: 'accept', path: [] }, 'to');
const at = (site: Site, source: string, port: number) => flowVerdicts(site, [[parseIPv4(source)!, parseIPv4(source)!]], wanAddress(site), 'tcp', port)[0]!;

describe('a HAProxy frontend open to named sources', () => {
  it('passes its ports from those sources only', async () => {
    const site = (await modelOf(restricted(['198.51.100.0/24']))).sites[0]!;
    for (const port of [443, 80]) {
      expect(at(site, '198.51.100.9', port)).toEqual(expect.objectContaining({ verdict: 'accept', decidedBy: 'HAProxy frontend https' }));
      expect(at(site, '203.0.113.9', port).verdict).toBe('deny');
    }
    const open = (await modelOf(homelab())).sites[0]!;
    expect(at(open, '203.0.113.9', 443).verdict).toBe('accept');
  });

  it('the pass rule gen writes carries the sources', async () => {
    const model = await modelOf(restricted(['198.51.100.0/24', '192.0.2.7']));
    const site = model.sites[0]!;
    const policy = compilePolicy(opnsenseContext(model, site, site.firewall!));
    const passes = policy.rules.filter((r) => r.description.startsWith('gen: HAProxy frontend https'));
    expect(passes.map((r) => r.port).sort()).toEqual(['443', '80']);
    const sources = passes.map((r) => (r.source.kind === 'alias' ? policy.aliases.find((a) => a.name === (r.source as { name: string }).name)?.content : r.source));
    expect(sources).toEqual([['192.0.2.7/32', '198.51.100.0/24'], ['192.0.2.7/32', '198.51.100.0/24']]);
  });

  it('gen graph labels the pass with its sources, and an open one without', async () => {
    const label = async (text: string) => buildGraph(await modelOf(text)).edges.filter((e) => e.from === 'internet' && e.label?.startsWith('tcp 80,443')).map((e) => e.label);
    const restrictedLabels = await label(restricted(['198.51.100.0/24', '192.0.2.7']));
    expect(restrictedLabels.length).toBeGreaterThan(0);
    for (const l of restrictedLabels) expect(l).toBe('tcp 80,443 from 198.51.100.0/24, 192.0.2.7');
    expect(await label(homelab())).toEqual(['tcp 80,443']);
  });

  it('lint: an inside source, an HTTP-01 challenge frontend; gen diff words', async () => {
    expect((await lint(restricted(['management', '198.51.100.0/24']))).filter((d) => d.rule === 'policy/forward-source').map((d) => d.message)).toEqual([
      expect.stringContaining('HAProxy frontend https is opened to zone management (management), whose addresses never arrive on interface wan'),
    ]);
    const http01 = edit(restricted(['198.51.100.0/24']), ['sites', 0, 'haproxy', 'certificates', 0], { name: 'wildcard', domain: 'www.example.com', challenge: 'http-01' });
    expect((await lint(http01)).filter((d) => d.rule === 'opnsense/acme-challenge').map((d) => d.message)).toEqual([expect.stringContaining('frontend https, where Let\'s Encrypt asks for the challenge on port 80, is open only to 198.51.100.0/24')]);
    const words = describeChanges(await modelOf(homelab()), await modelOf(restricted(['198.51.100.0/24'])));
    expect(words).toEqual(['HAProxy frontend https port 80 now open only to 198.51.100.0/24 (was any source)', 'HAProxy frontend https port 443 now open only to 198.51.100.0/24 (was any source)']);
  });
});
