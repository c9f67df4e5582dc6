// Compiling a large policy to filter rules: what each rule's source and
// destination are called (an interface net or an alias) is worked out once
// per object and zone, not once per rule. The checks count the endpoints
// made and the lookups done, not time.
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { lintText } from '../../src/pipeline.js';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { compilePolicy } from '../../src/render/opnsense/policy.js';
import { countMethodCalls } from '../helpers.js';

describe('the filter rules of 2,000 policy rules', async () => {
  const { model, diagnostics } = await lintText(toYaml(scaleTopology({ peers: 20, rules: 2000, vlans: 4 })), 'topology.yaml');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const site = model!.sites[0]!;
  const compile = () => compilePolicy(opnsenseContext(model!, site, site.firewall!));

  it('share one endpoint per object or zone they name', () => {
    const { rules, aliases } = compile();
    expect(rules.length).toBeGreaterThan(2000);
    // Each rule made its own: two endpoints per rule.
    const endpoints = new Set(rules.flatMap((r) => [r.source, r.destination]));
    const objects = new Set(site.policy.rules.flatMap((r) => [...r.sources, ...r.destinations]));
    expect(endpoints.size).toBeLessThanOrEqual(objects.size + site.policy.zones.length + 20);
    // Named as ever: the blocks from management to the zone service and from the VPN to the zone apps.
    const generated = rules.filter((r) => r.description.startsWith('gen: policy rule generated-'));
    expect(generated).toHaveLength(2000);
    expect(new Set(generated.map((r) => JSON.stringify([r.interface, r.source, r.destination])))).toEqual(
      new Set([
        JSON.stringify(['lan', { kind: 'network', value: 'lan' }, { kind: 'alias', name: 'gen_zone_service' }]),
        JSON.stringify(['wireguard', { kind: 'alias', name: 'gen_net_wireguard' }, { kind: 'alias', name: 'gen_zone_apps' }]),
      ]),
    );
    // Every alias a rule names is listed.
    const listed = new Set(aliases.map((a) => a.name));
    for (const rule of rules) for (const end of [rule.source, rule.destination]) if (end.kind === 'alias') expect(listed.has(end.name), end.name).toBe(true);
  });

  it("look up an alias's name once per object, not once per rule", () => {
    // Four lookups a rule: its zone, its source's placements, its destination, the namespace of its uuid. Each
    // rule's source and destination also looked up the network, the interface on it and the key of its alias: six.
    const { result, calls } = countMethodCalls(Map.prototype, ['get'], compile);
    expect(result.rules.length).toBeGreaterThan(2000);
    expect(calls).toBeLessThan(4 * result.rules.length + 100);
  });
});
