// names/duplicate looks each name up in the names of its kind, scope and
// site: the map of those is found once per run of names that share them
// (an instance's peers, a policy's rules), not by three look-ups per name.
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { ruleById } from '../../src/rules/index.js';
import { countMethodCalls, modelOf } from '../helpers.js';

describe('names/duplicate', () => {
  it('asks one map per name, and a few more per run of names of one kind and scope', async () => {
    const model = await modelOf(toYaml(scaleTopology({ peers: 3000, rules: 6000, vlans: 10 })));
    // Two of the peers named alike: still found.
    const peers = model.sites[0]!.wireguard[0]!.peers;
    const names = model.names.filter((n) => n.kind === 'WireGuard peer');
    names[names.length - 1]!.name = peers[0]!.name;
    const found: string[] = [];
    const { calls } = countMethodCalls(Map.prototype, ['get'], () => ruleById.get('names/duplicate')!.check!(model, (f) => found.push(f.message)));
    expect(found).toEqual([`WireGuard peer "${peers[0]!.name}" is declared twice in instance wg0`]);
    expect(model.names.length).toBeGreaterThan(9000);
    // Four look-ups per name before.
    expect(calls).toBeLessThan(1.1 * model.names.length);
  });
});
