// A port forward open to named sources only (from:): OPNsense matches the source in the forward's rdr and in its
// pass rule (opnsense/core ForwardRule.php, FilterRule.php), so a flow from any other address is not redirected and
// meets no pass. Policy tests, flows and lint must say so, and a source that never arrives on the forward's interface
// is reported.
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow, flowEnd, flowVerdicts } from '../../src/flows.js';
import type { Site } from '../../src/model.js';
import { parseIPv4 } from '../../src/net.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { type XmlElement, child, textOf } from '../../src/render/opnsense/xml.js';
import { renderPlan } from '../../src/render/plan.js';
import { edit, lint, modelOf, readExample } from '../helpers.js';

const SITE = ['sites', 0];
const FORWARD = SITE.concat('firewall', 'nat', 'port_forwards');
const ssh = (from?: string[]) => [Object.assign({ name: 'ssh-office', proto: 'tcp', port: 2222, address: '10.1.0.120', target_port: 22 }, from ? { from } : {})];
const siteOf = async (yaml: string): Promise<Site> => (await modelOf(yaml)).sites[0]!;
const wanAddress = (site: Site) => flowEnd(site, { name: 'f', from: 'internet', to: 'wan', proto: 'tcp', expect: 'accept', path: [] }, 'to');
const at = (site: Site, source: string, port = 2222) => flowVerdicts(site, [[parseIPv4(source)!, parseIPv4(source)!]], wanAddress(site), 'tcp', port)[0]!;

describe('a port forward open to named sources', () => {
  it('passes the flow from its sources and denies the internet\'s others', async () => {
    const site = await siteOf(edit(readExample('homelab'), FORWARD, ssh(['198.51.100.7', '203.0.113.0/28'])));
    expect(at(site, '198.51.100.7')).toEqual(expect.objectContaining({ verdict: 'accept', decidedBy: 'port forward ssh-office' }));
    expect(at(site, '203.0.113.15')).toEqual(expect.objectContaining({ verdict: 'accept', decidedBy: 'port forward ssh-office' }));
    expect(at(site, '198.51.100.8')).toEqual(expect.objectContaining({ verdict: 'deny' }));
    expect(at(site, '203.0.113.16')).toEqual(expect.objectContaining({ verdict: 'deny' }));
    // The internet as a whole: its other addresses are denied, so some part of the flow is.
    const internet = evaluateFirewallFlow(site, { name: 'f', from: 'internet', to: 'wan', proto: 'tcp', port: 2222, expect: 'accept', path: [] });
    expect(internet.map((v) => v.verdict)).toContain('deny');
    expect(internet.map((v) => v.verdict)).toContain('accept');
    // Without from: the forward is open to any source, as before.
    const open = await siteOf(edit(readExample('homelab'), FORWARD, ssh()));
    expect(at(open, '198.51.100.8')).toEqual(expect.objectContaining({ verdict: 'accept', decidedBy: 'port forward ssh-office' }));
  });

  it('policy tests from another source to the forward are denied, from its source accepted', async () => {
    const tests = [
      { name: 'office-ssh', from: '198.51.100.7', to: 'wan', proto: 'tcp', port: 2222, expect: 'accept' },
      { name: 'stranger-ssh', from: '198.51.100.99', to: 'wan', proto: 'tcp', port: 2222, expect: 'deny' },
    ];
    const yaml = edit(edit(readExample('homelab'), FORWARD, ssh(['198.51.100.7'])), SITE.concat('policy', 'tests'), tests);
    expect((await lint(yaml)).filter((d) => d.severity === 'error' || d.rule === 'policy/test-failed')).toEqual([]);
    // The same tests fail on a forward open to all: the stranger's flow is accepted.
    const open = edit(edit(readExample('homelab'), FORWARD, ssh()), SITE.concat('policy', 'tests'), tests);
    expect((await lint(open)).filter((d) => d.rule === 'policy/test-failed').map((d) => d.message.split(':')[0])).toEqual([expect.stringContaining('stranger-ssh')]);
  });

  it('takes zones and policy objects, and reports a source that never arrives on the interface', async () => {
    const withZone = edit(edit(readExample('homelab'), FORWARD, ssh(['partners'])), SITE.concat('policy', 'zones', 3), { name: 'partners', members: ['192.0.2.0/24', '198.51.100.7'] });
    const site = await siteOf(withZone);
    expect(at(site, '192.0.2.200')).toEqual(expect.objectContaining({ verdict: 'accept' }));
    expect(at(site, '198.51.100.8')).toEqual(expect.objectContaining({ verdict: 'deny' }));
    // The VPN's tunnel and the service network are inside: their packets never enter on the WAN.
    const inside = (await lint(edit(readExample('homelab'), FORWARD, ssh(['198.51.100.7', 'vpn', 'service'])))).filter((d) => d.rule === 'policy/forward-source');
    expect(inside.map((d) => d.severity)).toEqual(['error', 'error']);
    expect(inside.map((d) => / opened to ([^,]+),/.exec(d.message)?.[1])).toEqual(['zone vpn (wireguard)', 'zone service (service)']);
    expect(inside[0]!.message).toContain('never arrive on interface wan');
    // A name that is no object nor zone is the usual unknown reference.
    expect((await lint(edit(readExample('homelab'), FORWARD, ssh(['office-typo'])))).map((d) => d.rule)).toContain('ref/unknown');
  });

  // Without PHP: the NAT rule and its pass as gen writes them on each form (the PHP test compiles them with OPNsense's own code).
  it.each([['25.7', 'legacy'], ['26.1', 'dnat'], ['26.7', 'dnat']])('OPNsense %s: the NAT rule and its pass rule carry the sources (%s NAT form)', async (release, form) => {
    const yaml = edit(edit(readExample('homelab'), FORWARD, ssh(['198.51.100.7', '203.0.113.0/28'])), SITE.concat('firewall', 'release'), release);
    const model = await modelOf(yaml);
    const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    const all = (node: XmlElement, name: string): XmlElement[] => (node.children ?? []).flatMap((c) => ('name' in c ? (c.name === name ? [c] : all(c, name)) : []));
    const found = (name: string) => sections.flatMap((s) => (s.name === name ? [s] : all(s, name)));
    const text = (node: XmlElement | undefined, ...path: string[]) => textOf(path.reduce<XmlElement | undefined>((n, p) => child(n, p), node)).trim();
    const aliases = new Map(found('alias').map((a) => [text(a, 'name'), text(a, 'content').split(/\s+/).sort()]));
    const forward = found('rule').find((r) => text(r, 'descr') === 'gen: port forward ssh-office' && child(r, 'target'));
    expect(forward).toBeDefined();
    const natSource = form === 'legacy' ? text(forward, 'source', 'address') : text(forward, 'source', 'network');
    if (form === 'legacy') expect(child(child(forward, 'source'), 'any')).toBeUndefined();
    expect(aliases.get(natSource)).toEqual(['198.51.100.7/32', '203.0.113.0/28']);
    const pass = found('rule').find((r) => r !== forward && (text(r, 'descr') || text(r, 'description')) === 'gen: port forward ssh-office');
    const passSource = release === '26.7' ? text(pass, 'source_net') : text(pass, 'source', 'address');
    expect(passSource).toBe(natSource);
    // plan.json lists the forward's sources as written.
    let plan = '';
    renderPlan(model, { set: (_: string, content: string) => (plan = content) } as never);
    const forwards = (JSON.parse(plan) as { sites: { firewall: { nat: { portForwards: { name: string; from?: string[] }[] } } }[] }).sites[0]!.firewall.nat.portForwards;
    expect(forwards.find((f) => f.name === 'ssh-office')!.from).toEqual(['198.51.100.7', '203.0.113.0/28']);
  });
});
