// Passes OPNsense adds on its own before gen's rules, in gen's view of the
// policy: on an interface it serves DHCP on, "allow access to DHCP server"
// passes UDP 67 to the firewall (filter.lib.inc, seen in the pf ruleset
// OPNsense 26.7.2 compiles from a merged family homelab: "pass in quick on
// <lan> proto udp from any port 68 to (self) port 67"). Policy tests judged
// those flows denied by the rule that blocks the firewall itself.
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow } from '../../src/flows.js';
import type { FlowTest, Site } from '../../src/model.js';
import { parseIPv4 } from '../../src/net.js';
import { edit, lint, modelOf, readExample } from '../helpers.js';

function toFirewall(from: string, port: number, to = 'self', proto: FlowTest['proto'] = 'udp'): FlowTest {
  const address = parseIPv4(from);
  const fromObjects = address === undefined ? undefined : [{ kind: 'address' as const, name: from, cidrs: [`${from}/32`], ranges: [[address, address] as [number, number]] }];
  return { name: 'f', from, to, proto, port, expect: 'deny', fromObjects, path: [] };
}

const verdicts = (site: Site, from: string, port: number) => evaluateFirewallFlow(site, toFirewall(from, port)).map((v) => [v.verdict, v.decidedBy]);

describe("OPNsense's DHCP server passes", () => {
  it('pass UDP 67 to the firewall from a network it serves DHCP on, before the rule that blocks the firewall', async () => {
    const site = (await modelOf(readExample('homelab-family'))).sites[0]!;
    expect(site.firewall!.interfaces.filter((i) => i.dhcp).map((i) => i.name)).toEqual(['lan']);
    expect(verdicts(site, '10.10.0.23', 67)).toEqual([['accept', `OPNsense's "allow access to DHCP server" on lan`]]);
    // Only port 67, and only where the firewall serves DHCP.
    expect(verdicts(site, '10.10.0.23', 68)).toEqual([['deny', 'policy rule lan-internet']]);
    expect(verdicts(site, '10.10.20.10', 67)).toEqual([['deny', 'policy rule servers-internet']]);
  });

  it('a policy test of DHCP from the served network holds as accept, and is never written as a filter rule', async () => {
    const yaml = readExample('homelab-family');
    const tests = ['sites', 0, 'policy', 'tests'];
    const withTest = edit(yaml, [...tests, 0], { from: '10.10.0.23', to: 'self', proto: 'udp', port: 67, expect: 'accept' });
    expect((await lint(withTest)).filter((d) => d.rule === 'policy/test-failed')).toEqual([]);
    const model = await modelOf(yaml);
    expect(model.sites[0]!.policy.rules.map((r) => r.name)).not.toContain('dhcp-server-lan');
    expect(model.sites[0]!.policy.automatic?.map((r) => r.name)).toEqual(['dhcp-server-lan']);
  });

  it("makes a topology's own DHCP pass to the firewall dead (policy/shadowed names the box's rule), and is never reported itself", async () => {
    const yaml = readExample('homelab-family');
    const withRule = edit(yaml, ['sites', 0, 'policy', 'rules', 0], { name: 'lan-dhcp', from: 'lan', to: 'self', proto: 'udp', ports: [67], action: 'pass' });
    const found = (await lint(withRule)).filter((d) => d.rule === 'policy/shadowed' || d.rule === 'policy/redundant');
    expect(found.map((d) => [d.rule, d.message])).toEqual([['policy/shadowed', expect.stringMatching(/^policy rule lan-dhcp .*OPNsense's "allow access to DHCP server" on lan/)]]);
  });

});

describe("the WAN's Block private networks", () => {
  // vlan-hosting's WAN takes its address by DHCP from the ISP modem: "Block private networks" is on (OPNsense's
  // "block in quick on <wan> from 192.168.0.0/16 to any", before gen's pass to HAProxy).
  const https = (site: Site, from: string) => evaluateFirewallFlow(site, toFirewall(from, 443, 'wan', 'tcp')).map((v) => [v.verdict, v.decidedBy]);

  it('drops a private source on the WAN before the pass to HAProxy; the internet (its public addresses) still reaches it', async () => {
    const site = (await modelOf(readExample('vlan-hosting'))).sites[0]!;
    expect(site.firewall!.interfaces.find((i) => i.isWan)!.blockPrivate).toBe(true);
    for (const from of ['192.168.0.50', '10.5.5.5', '100.64.1.1']) expect(https(site, from), from).toEqual([['deny', `OPNsense's "Block private networks" on wan`]]);
    expect(https(site, '203.0.113.7')).toEqual([['accept', 'HAProxy frontend https']]);
    expect(https(site, 'internet')).toEqual([['accept', 'HAProxy frontend https']]);
  });

  it('passes the private source where the WAN does not block private networks (scenario A, or block_private: false)', async () => {
    const open = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 0, 'block_private'], false);
    expect(https((await modelOf(open)).sites[0]!, '192.168.0.50')).toEqual([['accept', 'HAProxy frontend https']]);
    const homelab = (await modelOf(readExample('homelab'))).sites[0]!;
    expect(homelab.firewall!.interfaces.find((i) => i.isWan)!.blockPrivate).toBe(false);
    expect(https(homelab, '192.168.0.50')).toEqual([['accept', 'HAProxy frontend https']]);
  });
});
