// Static routes in the policy: a network behind a router on an internal
// network (firewall.routes) sends its traffic in on that router's
// interface, so a rule from it sits there (pf's `pass in … on <if>` matches
// only packets entering <if>); and it is internal, so `internet` leaves it
// out. A private WAN's network, the upstream router's LAN, is no internet
// either. The pf lines OPNsense makes of these rules are checked in
// opnsense-php.test.ts.
import { describe, expect, it } from 'vitest';
import { type Verdict, evaluateFirewallFlow } from '../../src/flows.js';
import type { Site } from '../../src/model.js';
import { edit, lint, modelOf } from '../helpers.js';
import { type Xml, doc, fragments, policyRules, text, withLabRoute, withRelease } from './support.js';

/** The verdicts on one of a site's policy tests, named by its ends (its ends resolved with the test). */
function verdicts(site: Site, from: string, to: string): Verdict[] {
  const test = site.policy.tests.find((t) => t.from === from && t.to === to);
  if (!test) throw new Error(`no policy test from ${from} to ${to}`);
  return evaluateFirewallFlow(site, test);
}

describe('a static route through a router on an internal network', () => {
  const yaml = withLabRoute();
  const model = () => modelOf(yaml).then((m) => m.sites[0]!);

  it('lints clean: its policy tests hold', async () => {
    expect(await lint(yaml)).toEqual([]);
  });

  it.each(['25.7', '26.1', '26.7'])('%s: a rule from inside the routed network sits on the router\'s interface; a CIDR holding it is split there and the WAN', async (release) => {
    const rules: Xml[] = policyRules(await fragments(withRelease(withLabRoute(false), release), 'home'));
    const of = (name: string) => rules.filter((r) => text(r.descr) === `gen: policy rule ${name}`).map((r) => [r.interface, r.source.address ?? r.source.network, r.destination.network]);
    // 10.0.0.5 is on management (lan): not the WAN, where the lab's packets never enter.
    expect(of('lab-in')).toEqual([['lan', '172.16.5.0/24', 'opt1']]);
    expect(of('lab-ping')).toEqual([
      ['lan', '172.16.0.0/16', 'opt1'],
      ['wan', '172.0.0.0/8', 'opt1'],
    ]);
  });

  it('is internal: in policy.internal and gen_internal_networks; a route through the WAN gateway is not', async () => {
    const site = await model();
    expect(site.policy.internal).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24', '172.16.0.0/16']);
    const aliases: Xml[] = doc(await fragments(yaml, 'home'), 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias;
    const internal = aliases.find((a) => a.name === 'gen_internal_networks')!;
    expect(String(internal.content).split('\n')).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24', '172.16.0.0/16', '192.168.0.0/24']);
  });

  it('flows agree with the placement: the lab reaches service where the rule passes it; the internet-only zone reaches neither the lab nor the upstream LAN', async () => {
    const site = await model();
    // (The firewall's own address on service is the anti-lockout rule's on its ports: the lab arrives on lan, its primary interface.)
    const lab = verdicts(site, '172.16.5.7', 'service');
    expect(lab.map((v) => v.verdict)).toEqual(lab.map(() => 'accept'));
    expect(lab.filter((v) => v.decidedBy === 'policy rule lab-in')).toHaveLength(1);
    expect(lab.filter((v) => v.decidedBy !== 'policy rule lab-in').map((v) => v.part)).toEqual(lab.length > 1 ? ['172.16.5.7/32 → 10.1.0.1/32'] : []);
    expect(verdicts(site, 'service', '172.16.5.7')).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule service-internet-only' })]);
    expect(verdicts(site, 'service', '192.168.0.50')).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule service-internet-only' })]);
    expect(verdicts(site, 'service', '203.0.113.5')).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule service-internet-only' })]);
  });
});

describe("a private WAN's network, the upstream router's LAN", () => {
  it('is no internet for a rule to internet, yet what arrives on the WAN from it still meets the WAN passes', async () => {
    const site = (await modelOf(withLabRoute())).sites[0]!;
    expect(site.policy.upstreamLan).toEqual(['192.168.0.0/24']);
    // The upstream router itself too: the internet lies behind it, not on it.
    expect(verdicts(site, 'service', '192.168.0.1')).toEqual([expect.objectContaining({ verdict: 'deny' })]);
    // Clients on the upstream LAN reach WireGuard on the WAN address (lan_endpoint).
    expect(verdicts(site, '192.168.0.50', 'wan')).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'WireGuard instance wg0' })]);
  });

  it('a public WAN network is the internet: an internet-only zone reaches it', async () => {
    let yaml = edit(withLabRoute(), ['sites', 0, 'firewall', 'interfaces', 0, 'address'], '198.51.100.2/24');
    yaml = edit(yaml, ['sites', 0, 'firewall', 'interfaces', 0, 'gateway'], '198.51.100.1');
    yaml = edit(yaml, ['sites', 0, 'firewall', 'routes'], [{ network: '172.16.0.0/16', via: '10.0.0.5' }]);
    yaml = edit(yaml, ['sites', 0, 'policy', 'tests'], [{ from: 'service', to: '198.51.100.50', proto: 'tcp', port: 443, expect: 'accept' }]);
    expect((await lint(yaml)).filter((d) => d.rule === 'policy/test-failed')).toEqual([]);
    const pub = (await modelOf(yaml)).sites[0]!;
    expect(pub.policy.upstreamLan).toEqual([]);
    expect(verdicts(pub, 'service', '198.51.100.50')).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule service-internet-only' })]);
    const aliases: Xml[] = doc(await fragments(yaml, 'home'), 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias;
    expect(text(aliases.find((a) => a.name === 'gen_internal_networks')!.description)).toBe('gen: internal networks of site home');
  });
});
