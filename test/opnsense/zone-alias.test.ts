// A rule to a zone of many networks is one filter rule to one network alias
// of the zone, on every release (legacy rules up to 26.1, MVC rules from
// 26.7): the filter grows with the rules, not with rules × networks. The
// checks count rules in the generated filter.xml for zones of 11 and 22
// networks.
import { describe, expect, it } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { doc, fragments, policyRules, text, withRelease } from './support.js';

/** The benchmark's site: the service zone holds the service network and `vlans` VLANs; `rules` rules from management to it. */
async function filterOf(vlans: number, release: string) {
  const files = await fragments(withRelease(toYaml(siteTopology({ vlans, rules: 3 })), release), 'home');
  const aliases: { name: string; type: string; content: string; description: string }[] = doc(files, 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias;
  return { rules: policyRules(files), aliases };
}

const rulesNamed = <R extends { descr: string }>(rules: R[], name: string) => rules.filter((r) => r.descr === `gen: policy rule ${name}`);

describe.each(['25.7', '26.1', '26.7'])('OPNsense %s: a zone of many networks as the destination', async (release) => {
  const [small, large] = [await filterOf(10, release), await filterOf(21, release)];

  it('is one alias of the zone, its networks in the fewest CIDR blocks', () => {
    const zone = large.aliases.filter((a) => a.name === 'gen_zone_service');
    expect(zone).toHaveLength(1);
    expect(zone[0]!.type).toBe('network');
    expect(zone[0]!.description).toBe('gen: zone service');
    // 10.1.0.0/24 and the VLANs 10.100.0.0/24 … 10.100.20.0/24.
    expect(text(zone[0]!.content).split('\n')).toEqual(['10.1.0.0/24', '10.100.0.0/20', '10.100.16.0/22', '10.100.20.0/24']);
    expect(text(small.aliases.find((a) => a.name === 'gen_zone_service')!.content).split('\n')).toEqual(['10.1.0.0/24', '10.100.0.0/21', '10.100.8.0/23']);
  });

  it('each rule to the zone is one filter rule naming the alias, for 11 networks as for 22', () => {
    for (const { rules } of [small, large]) {
      for (const name of ['vpn-to-service', 'generated-0', 'generated-1', 'generated-2']) {
        const compiled = rulesNamed(rules, name);
        expect(compiled, name).toHaveLength(1);
        expect(compiled[0].destination).toEqual(name === 'vpn-to-service' ? { address: 'gen_zone_service' } : { address: 'gen_zone_service', port: expect.any(String) });
      }
    }
    // Only rules from the zone grow with it: its networks enter on interfaces of their own.
    const fromZone = (rules: { descr: string }[]) => rules.filter((r) => r.descr.startsWith('gen: policy rule service-internet-only')).length;
    expect(large.rules.length - fromZone(large.rules)).toBe(small.rules.length - fromZone(small.rules));
  });

  it('a zone of one network stays that network, by its interface', () => {
    const [rule] = rulesNamed(large.rules, 'vpn-to-management');
    // management is the second interface, lan.
    expect(rule.destination).toEqual({ network: 'lan' });
    expect(large.aliases.some((a) => a.name === 'gen_zone_management')).toBe(false);
  });
});
