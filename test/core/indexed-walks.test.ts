// The walks of every peer, rule, name and address in the resolve and check
// stages run once per run, mostly before V8 optimizes them: a for-of there
// steps an array iterator per item, an object each (a cold for-of over
// 30,000 items took 10 ms, an indexed loop 4 ms). These walks step none:
// their iterator steps do not grow with the topology.
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { appendAll } from '../../src/arrays.js';
import { compileMatches, policySpace } from '../../src/resolve/matches.js';
import { partitionLeaves } from '../../src/resolve/partition.js';
import { tunnelLeavesWan } from '../../src/resolve/tunnel-egress.js';
import { resolveWireguardInstance } from '../../src/resolve/wireguard.js';
import { ResolveContext } from '../../src/resolve/context.js';
import { ruleById } from '../../src/rules/index.js';
import { countMethodCalls, modelOf } from '../helpers.js';

const WALKS = ['names/duplicate', 'names/same-file', 'wg/client-file-name', 'ports/range', 'wg/peer-outside-tunnel', 'wg/peer-outside-role', 'ip/reserved-address', 'ip/duplicate-address', 'policy/shadowed', 'policy/redundant', 'opnsense/peer-without-key'];
const ARRAY_ITERATOR = Object.getPrototypeOf([][Symbol.iterator]()) as object;

/** The array iterator steps of the walks over a topology of `n` peers and 2n rules, and their findings. */
async function steps(n: number): Promise<{ steps: number; findings: number }> {
  const model = await modelOf(toYaml(scaleTopology({ peers: n, rules: 2 * n, vlans: 10 })));
  const site = model.sites[0]!;
  let findings = 0;
  const { calls } = countMethodCalls(ARRAY_ITERATOR, ['next'], () => {
    for (const id of WALKS) ruleById.get(id)!.check!(model, () => findings++);
    const space = policySpace(site.policy, site.firewall, site.wireguard);
    const matches = compileMatches(site.policy, space);
    tunnelLeavesWan({ space, matches }, site.wireguard[0]!);
    partitionLeaves(matches.map((m) => m.box), [[[0, 2 ** 32]], [[0, 2 ** 32]], [[0, 3]], [[0, 65535]]], [1]);
    appendAll([], model.names);
  });
  // Resolving the instance again (its next free address per role walks every peer): its steps, apart from the rules'.
  const input = scaleTopology({ peers: n, rules: 0, vlans: 1 }).sites[0].wireguard[0];
  const again = countMethodCalls(ARRAY_ITERATOR, ['next'], () => resolveWireguardInstance(input, 'home', ['sites', 0, 'wireguard', 0], new ResolveContext(() => findings++), undefined));
  return { steps: calls + again.calls, findings };
}

describe('the walks of every peer, rule, name and address', () => {
  it('step no array iterator per item', async () => {
    const small = await steps(500);
    const large = await steps(4000);
    expect([small.findings, large.findings]).toEqual([0, 0]);
    // The few short lists that are still walked with for-of (sites, instances, a zone's members) do not grow with the peers and rules.
    expect(large.steps).toBe(small.steps);
  });
});
