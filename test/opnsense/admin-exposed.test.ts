// opnsense/admin-open and opnsense/admin-exposed: a pass that lets internet
// addresses reach the firewall itself on the web GUI's or SSH's ports, where
// lighttpd and sshd listen on every address unless their listen interfaces
// are limited (targets/opnsense/management.ts).
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow, flowVerdicts, internetSources } from '../../src/flows.js';
import { siteMatches } from '../../src/resolve/matches.js';
import { edit, lineOfText, lint, modelOf, readExample } from '../helpers.js';

const ADMIN = ['opnsense/admin-open', 'opnsense/admin-exposed'];

/** The family homelab (web GUI on 8443, SSH on 22) with `rule` ahead of lan-internet. */
const withRule = (rule: string, comment?: string) =>
  readExample('homelab-family').replace('        - { name: lan-internet,', `${comment === undefined ? '' : `        # ${comment}\n`}        - ${rule}\n        - { name: lan-internet,`);
/** The same with `rule` last, after the LAN's pass to the internet (which keeps the LAN from the firewall). */
const lastRule = (rule: string, comment: string) =>
  readExample('homelab-family').replace(/^( +- \{ name: servers-internet,.*\n)/m, `$1        # ${comment}\n        - ${rule}\n`);
const found = async (yaml: string) => (await lint(yaml)).filter((d) => ADMIN.includes(d.rule));

/** A box with only a WAN: OPNsense puts its anti-lockout rule there. */
const wanOnly = (antiLockout: string, rules: string) => `version: 1
name: edge
sites:
  - name: edge
    firewall:
      name: opnsense
      release: "26.7"
      interfaces:
        - { name: wan, device: vtnet0, address: 203.0.113.2/24, gateway: 203.0.113.1 }
      anti_lockout: ${antiLockout}
    policy:
      rules:
        - { name: ping, from: 203.0.113.0/24, to: self, proto: icmp, action: pass }
${rules}`;

describe('opnsense/admin-open', () => {
  it('reports a pass from 0.0.0.0/0 to self on the GUI and SSH ports at the rule, once, as an error', async () => {
    const yaml = withRule('{ name: world-admin, from: 0.0.0.0/0, to: self, proto: tcp, ports: [22, 8443], action: pass }');
    const hits = await found(yaml);
    expect(hits.map((d) => [d.rule, d.severity, d.location.line])).toEqual([['opnsense/admin-open', 'error', lineOfText(yaml, 'name: world-admin')]]);
    expect(hits[0]!.message).toBe(
      'policy rule world-admin passes TCP 22, 8443 from every internet address to the firewall itself, and the web GUI and SSH listen on every address by default: their logins are open to the internet',
    );
    // The policy itself lets the internet in: the lint and the flow evaluator agree.
    const site = (await modelOf(lastRule('{ name: world-admin, from: 0.0.0.0/0, to: self, proto: tcp, ports: [8443], action: pass }', 'gen-ignore opnsense/admin-open: limited on the box'))).sites[0]!;
    const flow = { name: 'world', from: 'internet', to: 'wan', proto: 'tcp' as const, port: 8443, expect: 'deny' as const, path: [] };
    expect(evaluateFirewallFlow(site, flow)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule world-admin' })]);
  });

  it('names the internet part of a wider source, through to: any and a rule of every port', async () => {
    const hits = await found(withRule('{ name: partner, from: 198.51.100.0/27, to: any, proto: tcp, action: pass }'));
    expect(hits.map((d) => [d.rule, d.message])).toEqual([
      ['opnsense/admin-open', 'policy rule partner passes TCP 22, 8443 from internet addresses (198.51.100.0/27) to the firewall itself, and the web GUI and SSH listen on every address by default: their logins are open to the internet'],
    ]);
  });

  it("follows the topology's ports, and leaves the GUI's HTTP redirect alone", async () => {
    // SSH moved to 2222: a pass to 22 reaches nothing, one to 2222 reaches sshd.
    const moved = (ports: string) => wanOnly('{ enabled: false, ports: [80, 443, 2222] }', `        - { name: world, from: 0.0.0.0/0, to: self, proto: tcp, ports: [${ports}], action: pass }\n`);
    expect((await found(moved('22'))).map((d) => d.rule)).toEqual([]);
    expect((await found(moved('80'))).map((d) => d.rule)).toEqual([]);
    expect((await found(moved('2222'))).map((d) => d.message)).toEqual([
      'policy rule world passes TCP 2222 from every internet address to the firewall itself, and the web GUI and SSH listen on every address by default: their logins are open to the internet',
    ]);
    // An http web GUI on 80 alone is a login.
    const http = wanOnly('{ enabled: false, ports: [80] }', '        - { name: world, from: 0.0.0.0/0, to: self, proto: tcp, ports: [80], action: pass }\n');
    expect((await found(http)).map((d) => d.rule)).toEqual(['opnsense/admin-open']);
  });

  it("reports OPNsense's anti-lockout rule on the WAN of a box with no other interface, at firewall.anti_lockout", async () => {
    const yaml = wanOnly('{ enabled: true, ports: [22, 80, 443] }', '');
    const hits = await found(yaml);
    expect(hits.map((d) => [d.rule, d.location.line])).toEqual([['opnsense/admin-open', lineOfText(yaml, 'anti_lockout:')]]);
    expect(hits[0]!.message).toContain("OPNsense's anti-lockout rule sits on the WAN");
    expect(hits[0]!.message).toContain('passes TCP 22, 443 from every internet address');
    // Disabled, it passes nothing.
    expect(await found(wanOnly('{ enabled: false, ports: [22, 80, 443] }', ''))).toEqual([]);
  });

  it("leaves alone gen's own WAN passes (HAProxy on the GUI's default ports, WireGuard), the LAN-side anti-lockout rule and internal admins", async () => {
    // The homelab keeps the default ports (22, 80, 443) while HAProxy holds 443 and 80 on the WAN.
    const homelab = readExample('homelab');
    const site = (await modelOf(homelab)).sites[0]!;
    const self = siteMatches(site).space.self;
    const deciders = (port: number) => flowVerdicts(site, internetSources(site), self, 'tcp', port).filter((v) => v.verdict === 'accept').map((v) => v.decidedBy);
    expect(deciders(443).some((d) => d.startsWith('HAProxy frontend'))).toBe(true);
    expect(site.firewall!.antiLockout).toMatchObject({ enabled: true, ports: [22, 80, 443] });
    expect(await found(homelab)).toEqual([]);
    // The family homelab: HAProxy on 443 and 80, WireGuard on 51820, admins from inside and through the VPN.
    expect(await found(readExample('homelab-family'))).toEqual([]);
    // The upstream router's LAN is private: no internet source.
    expect(await found(withRule('{ name: router-lan-admin, from: 192.168.1.0/24, to: self, proto: tcp, ports: [22, 8443], action: pass }'))).toEqual([]);
    // A port forward of SSH goes to the forwarded host (the example's flow test of SSH from outside then fails: it says so).
    const forwarded = edit(homelab, ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'ssh', proto: 'tcp', port: 22, service: 'grafana', target_port: 22 }]);
    expect((await lint(forwarded)).filter((d) => ADMIN.includes(d.rule) || (d.severity === 'error' && d.rule !== 'policy/test-failed')).map((d) => d.rule)).toEqual([]);
  });

  it('is silenced where the operator limited the listen interfaces on the box', async () => {
    const yaml = withRule('{ name: world-admin, from: 0.0.0.0/0, to: self, proto: tcp, ports: [8443], action: pass }', 'gen-ignore opnsense/admin-open: the web GUI listens on the LAN only');
    expect((await lint(yaml)).filter((d) => d.rule.startsWith('suppress/') || ADMIN.includes(d.rule))).toEqual([]);
    expect(await found(yaml.replace(/^ +# gen-ignore .*\n/m, ''))).toHaveLength(1);
  });
});

describe('opnsense/admin-exposed', () => {
  it("warns for a few explicit addresses (an office's static block), up to a /28, and names them", async () => {
    const office = withRule('{ name: office-admin, from: 203.0.113.7/32, to: self, proto: tcp, ports: [22, 8443], action: pass }');
    const hits = await found(office);
    expect(hits.map((d) => [d.rule, d.severity, d.location.line])).toEqual([['opnsense/admin-exposed', 'warning', lineOfText(office, 'name: office-admin')]]);
    expect(hits[0]!.message).toBe("policy rule office-admin passes TCP 22, 8443 from 203.0.113.7/32 to the firewall itself: the web GUI's and SSH's logins face those internet addresses");
    const block = async (cidr: string) => (await found(withRule(`{ name: office-admin, from: ${cidr}, to: self, proto: tcp, ports: [22], action: pass }`))).map((d) => d.rule);
    expect(await block('203.0.113.0/28')).toEqual(['opnsense/admin-exposed']);
    expect(await block('203.0.113.0/27')).toEqual(['opnsense/admin-open']);
  });

  it('counts only the internet addresses a rule lets in: the private ones of its source are none', async () => {
    // 10.10.0.0/24 (the LAN) and one public address: the public one is what reaches the login from outside.
    const yaml = withRule('{ name: mixed, from: office, to: self, proto: tcp, ports: [8443], action: pass }').replace('      zones:\n', '      zones:\n        - { name: office, members: [lan, 203.0.113.7] }\n');
    expect((await found(yaml)).map((d) => [d.rule, d.message])).toEqual([
      ['opnsense/admin-exposed', "policy rule mixed passes TCP 8443 from 203.0.113.7/32 to the firewall itself: the web GUI's and SSH's logins face those internet addresses"],
    ]);
  });
});
