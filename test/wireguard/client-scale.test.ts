// Client files of many peers: every client of an instance routes the same
// few networks, so the CIDRs of AllowedIPs are parsed once per distinct
// list, not once per peer. The checks count parses (a spy on the parser that
// resolve and render call), not time: twice the peers must parse no more.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import * as net from '../../src/net.js';
import { renderWireguard } from '../../src/render/wireguard/index.js';
import { lintText } from '../../src/pipeline.js';
import { parseWgQuick } from './wg-ini.js';

type Tunnel = 'split' | 'full' | 'reach';

/** A site with `peers` peers and 20 VLANs in the service zone; its clients route in the way `tunnel` says. */
function topology(peers: number, tunnel: Tunnel): string {
  const site = siteTopology({ peers, vlans: 20 });
  const wg = site.sites[0].wireguard[0];
  if (tunnel === 'full') Object.assign(wg, { tunnel: 'full', dns: ['10.0.0.1'] });
  if (tunnel === 'reach') wg.reach = ['management', 'service'];
  return toYaml(site);
}

/** Lints and renders; the CIDR parses each stage made, and the client files. */
async function build(peers: number, tunnel: Tunnel) {
  const parse = vi.spyOn(net, 'parseCidr');
  const { model, diagnostics } = await lintText(topology(peers, tunnel), 'topology.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const lintParses = parse.mock.calls.length;
  parse.mockClear();
  const files = new Map<string, string>();
  renderWireguard(model!, files);
  const renderParses = parse.mock.calls.length;
  parse.mockRestore();
  const clients = [...files].filter(([path]) => /^home\/wireguard\/peer-\d+\.conf$/.test(path)).map(([, text]) => parseWgQuick(text)[1]!.values.AllowedIPs);
  return { lintParses, renderParses, clients };
}

afterEach(() => vi.restoreAllMocks());

describe.each<Tunnel>(['split', 'full', 'reach'])('AllowedIPs of 200 and 400 peers (%s tunnel)', async (tunnel) => {
  const [small, large] = [await build(200, tunnel), await build(400, tunnel)];

  it('every client file routes the same networks', () => {
    expect(large.clients).toHaveLength(400);
    const expected = {
      full: '0.0.0.0/0, ::/0',
      // Management, the service network and the 20 VLANs 10.100.0.0–10.100.19.0 in the fewest prefixes.
      split: '10.0.0.0/24, 10.1.0.0/24, 10.100.0.0/20, 10.100.16.0/22',
      reach: '10.0.0.0/24, 10.1.0.0/24, 10.100.0.0/20, 10.100.16.0/22',
    }[tunnel];
    expect(new Set(large.clients)).toEqual(new Set([expected]));
  });

  it('the client files parse each CIDR of the one distinct list once, whatever the number of peers', () => {
    expect(large.renderParses).toBe(small.renderParses);
    // The IPv6 half of a full tunnel has a parser of its own.
    expect(large.renderParses).toBe(tunnel === 'full' ? 1 : 4);
  });

  it('lint parses no more CIDRs for twice the peers', () => {
    expect(large.lintParses, `${small.lintParses} → ${large.lintParses}`).toBe(small.lintParses);
  });
});
