// OPNsense's anti-lockout rule in gen's view of the policy: it passes TCP
// to the firewall on the web GUI and SSH ports from the primary interface
// before every rule gen writes (filter.lib.inc, 26.7.2), so policy tests,
// flows and lint count it first, and a policy that closes the firewall to
// that network is warned about.
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow } from '../../src/flows.js';
import type { FlowTest, Site } from '../../src/model.js';
import { analysePolicy } from '../../src/rules/policy.js';
import { parseIPv4 } from '../../src/net.js';
import { antiLockoutInterface } from '../../src/targets/opnsense/anti-lockout.js';
import { edit, lint, modelOf, readExample, render } from '../helpers.js';

const A = ['sites', 0] as const;
/** The family homelab before its anti-lockout rule is disabled on the box (the GUI on 8443, SSH on 22). */
const familyWithAntiLockout = () => edit(readExample('homelab-family'), [...A, 'firewall', 'anti_lockout'], { ports: [22, 8443] });
/** The same without its policy test of the web GUI from the lan, which then fails. */
const withoutGuiTest = (text: string) => text.replace(/\n +- \{ from: 10\.10\.0\.23, to: self, proto: tcp, port: 8443, expect: deny \}[^\n]*/, '');
/** A flow to the firewall from a zone, or from one address. */
function flow(site: Site, from: string, port: number): FlowTest {
  const address = parseIPv4(from);
  const fromObjects = address === undefined ? undefined : [{ kind: 'address' as const, name: from, cidrs: [`${from}/32`], ranges: [[address, address] as [number, number]] }];
  return { name: 'f', from, to: 'self', proto: 'tcp', port, expect: 'deny', fromObjects, path: [] };
}

describe("OPNsense's anti-lockout rule", () => {
  it('sits on lan, else the first optN in natural order, else wan (get_primary_interface_from_list)', () => {
    expect(antiLockoutInterface(['wan', 'opt1', 'lan'])).toBe('lan');
    expect(antiLockoutInterface(['wan', 'opt10', 'opt2'])).toBe('opt2');
    expect(antiLockoutInterface(['wan'])).toBe('wan');
    expect(antiLockoutInterface([])).toBeUndefined();
  });

  it('decides a flow from the lan to the web GUI before the policy rule that blocks it', async () => {
    const site = (await modelOf(withoutGuiTest(familyWithAntiLockout()))).sites[0]!;
    expect(evaluateFirewallFlow(site, flow(site, '10.10.0.23', 8443))).toEqual([
      expect.objectContaining({ verdict: 'accept', decidedBy: "OPNsense's anti-lockout rule (TCP 22, 8443 from lan to the firewall)" }),
    ]);
    // Not on its other ports, nor from another interface, nor from the WireGuard tunnel.
    expect(evaluateFirewallFlow(site, flow(site, '10.10.0.23', 443))).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule lan-internet' })]);
    expect(evaluateFirewallFlow(site, flow(site, 'servers', 8443))).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule servers-internet' })]);
    expect(evaluateFirewallFlow(site, flow(site, '10.10.99.11', 22))).toEqual([{ verdict: 'deny', decidedBy: 'the default deny' }]);
  });

  it('fails a policy test that expects the web GUI closed to the lan, naming the rule, and warns at the rule that blocks', async () => {
    const diagnostics = await lint(familyWithAntiLockout());
    expect(diagnostics.map((d) => [d.severity, d.rule, d.message])).toEqual([
      [
        'warning',
        'policy/anti-lockout-open',
        "policy rule lan-internet blocks lan from the firewall itself, but OPNsense's anti-lockout rule passes TCP 22, 8443 from lan to the firewall before it: the web GUI and SSH stay open to all of lan",
      ],
      ['error', 'policy/test-failed', "flow 10.10.0.23 to self tcp 8443: expected deny, got accept by OPNsense's anti-lockout rule (TCP 22, 8443 from lan to the firewall)"],
    ]);
    const [warning, failed] = diagnostics;
    expect(warning!.hint).toContain('Firewall › Settings › Advanced › Disable anti-lockout');
    expect(warning!.hint).toMatch(/no such pass locks you out/);
    expect(failed!.hint).toContain('Firewall › Settings › Advanced › Disable anti-lockout');
  });

  it('takes the default ports (web GUI 443 with its redirect on 80, SSH 22) when the topology names none', async () => {
    const yaml = edit(readExample('homelab-family'), [...A, 'firewall', 'anti_lockout'], {});
    const warning = (await lint(yaml)).find((d) => d.rule === 'policy/anti-lockout-open');
    expect(warning?.message).toContain('passes TCP 22, 80, 443 from lan');
  });

  it('leaves the admins pass that must exist before it is disabled alone: it is not reported shadowed', async () => {
    const site = (await modelOf(withoutGuiTest(familyWithAntiLockout()))).sites[0]!;
    const admins = analysePolicy(site).rules.find((r) => r.rule.name === 'admins-firewall')!;
    expect([admins.shadowed, admins.redundant]).toEqual([false, false]);
  });

  it('is not reported where no policy rule closes the firewall to that network', async () => {
    // Scenario A: management (lan) passes to any; the vlan-hosting lan too.
    for (const name of ['homelab', 'vlan-hosting'] as const) expect((await lint(readExample(name))).map((d) => d.rule)).not.toContain('policy/anti-lockout-open');
  });

  it('once disabled, the policy decides, and steps.md says to disable it on the box', async () => {
    const yaml = readExample('homelab-family');
    expect(await lint(yaml)).toEqual([]);
    const site = (await modelOf(yaml)).sites[0]!;
    expect(site.policy.antiLockout).toBeUndefined();
    expect(evaluateFirewallFlow(site, flow(site, '10.10.0.23', 8443))).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule lan-internet' })]);
    const steps = (await render(yaml)).get('home/steps.md')!;
    expect(steps).toContain('Firewall › Settings › Advanced › Disable anti-lockout, Save');
    expect(steps).toContain('OPNsense passes TCP 22, 8443 from lan to the firewall before every policy rule');
    expect(steps).toMatch(/locks you out \(undo: at the console, option 2/);
    // While it is on there is nothing to do on the box.
    expect((await render(withoutGuiTest(familyWithAntiLockout()))).get('home/steps.md')).not.toContain('anti-lockout');
  });

  it('policy/lockout: with the rule off, something inside must reach the firewall on its GUI or SSH port, or every admin is locked out', async () => {
    // vlan-hosting whose rules reach no internal network on 8443: DNS to self, the lan to the internet, mgmt to hosting on 22 only.
    let text = readExample('vlan-hosting')
      .replace('{ name: lan-out, from: lan, to: any, action: pass }', '{ name: lan-dns, from: lan, to: self, proto: tcp/udp, ports: [53], action: pass }')
      .replace('{ name: mgmt-out, from: mgmt, to: any, action: pass }', '{ name: mgmt-dns, from: mgmt, to: self, proto: tcp/udp, ports: [53], action: pass }\n        - { name: lan-out, from: lan, to: internet, action: pass }\n        - { name: mgmt-ssh, from: mgmt, to: hosting, proto: tcp, ports: [22], action: pass }');
    text = edit(text, [...A, 'firewall', 'anti_lockout'], { enabled: false, ports: [8443] });
    const found = (await lint(text)).filter((d) => d.rule === 'policy/lockout');
    expect(found.map((d) => [d.severity, d.message])).toEqual([
      ['error', 'the anti-lockout rule is off, and no policy rule passes anyone to the firewall on TCP 8443: the restored configuration would lock every admin out'],
    ]);
    expect(found[0]!.location.line).toBe(text.split('\n').findIndex((l) => l.includes('enabled: false')) + 1);
    // SSH on the list: mgmt reaches the firewall's own address on hosting at 22 (pf's hosting:network holds it).
    expect((await lint(edit(text, [...A, 'firewall', 'anti_lockout', 'ports'], [22, 8443]))).filter((d) => d.rule === 'policy/lockout')).toEqual([]);
    // Not ways in: a pass on 80 beside 443 (the GUI's redirect to 443), and HAProxy's WAN pass on 443 (vlan-hosting serves it).
    const redirect = edit(edit(text, [...A, 'firewall', 'anti_lockout', 'ports'], [80, 443]), [...A, 'policy', 'rules', 5], { name: 'mgmt-http', from: 'mgmt', to: 'self', proto: 'tcp', ports: [80], action: 'pass' });
    expect((await lint(redirect)).filter((d) => d.rule === 'policy/lockout').map((d) => d.message)).toEqual([expect.stringContaining('on TCP 80, 443: the restored configuration would lock every admin out')]);
    const haproxy = edit(text, [...A, 'firewall', 'anti_lockout', 'ports'], [443]);
    expect((await lint(haproxy)).filter((d) => d.rule === 'policy/lockout')).toHaveLength(1);
    // An admin's address outside, passed to SSH, is a way in too.
    const outside = edit(text, [...A, 'policy', 'rules', 5], { name: 'outside-admin', from: '203.0.113.10', to: 'self', proto: 'tcp', ports: [8443], action: 'pass' });
    expect((await lint(outside)).filter((d) => d.rule === 'policy/lockout')).toEqual([]);
    // The rule on: nothing to report.
    expect((await lint(edit(text, [...A, 'firewall', 'anti_lockout', 'enabled'], true))).filter((d) => d.rule === 'policy/lockout')).toEqual([]);
    // The family homelab without its admins-firewall pass: admins-manage still reaches the firewall's management address.
    const family = readExample('homelab-family').replace(/\n +- \{ name: admins-firewall,[^\n]*/, '');
    expect((await lint(family)).filter((d) => d.rule === 'policy/lockout')).toEqual([]);
  });

  it('covers what arrives on the primary interface from behind a router there (a static route), as its "from any" does', async () => {
    // Scenario A: management is lan; a lab behind 10.0.0.5 on it. The lab's traffic to the firewall's GUI enters on lan.
    let text = edit(readExample('homelab'), [...A, 'firewall', 'routes'], [{ network: '172.16.0.0/16', via: '10.0.0.5' }]);
    text = edit(text, [...A, 'firewall', 'anti_lockout'], { ports: [443] });
    const site = (await modelOf(text)).sites[0]!;
    expect(evaluateFirewallFlow(site, flow(site, '172.16.5.7', 443))).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: expect.stringContaining("OPNsense's anti-lockout rule") })]);
    expect(evaluateFirewallFlow(site, flow(site, '10.0.0.7', 443))).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: expect.stringContaining("OPNsense's anti-lockout rule") })]);
  });
});
