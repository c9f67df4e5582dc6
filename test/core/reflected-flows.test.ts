// A port forward with reflection (natreflection purenat): OPNsense repeats its rdr on every interface without a
// gateway (opnsense/core ForwardRule.php parseRdrRules(), reflectionInterfaces()), so a client inside that connects to
// the forward's interface address on the forwarded port reaches the target, and the filter decides on the client's
// interface as for the flow to the target and its port. Policy tests and the flows the rules ask must say so.
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow, flowEnd, flowVerdicts, pointFlowVerdicts } from '../../src/flows.js';
import type { Site } from '../../src/model.js';
import { parseIPv4 } from '../../src/net.js';
import { siteMatches } from '../../src/resolve/matches.js';
import { edit, lint, modelOf, readExample } from '../helpers.js';

const FORWARD = ['sites', 0, 'firewall', 'nat', 'port_forwards'];
const grafana = (reflection: boolean, port: number | string = 8080) => [{ name: 'grafana-in', proto: 'tcp', port, service: 'grafana', reflection }];
const siteOf = async (yaml: string): Promise<Site> => (await modelOf(yaml)).sites[0]!;
const flow = (site: Site, from: string, to: string, port: number, proto: 'tcp' | 'udp' = 'tcp') => evaluateFirewallFlow(site, { name: 'f', from, to, proto, port, expect: 'accept', path: [] });
const address = (text: string): [number, number][] => [[parseIPv4(text)!, parseIPv4(text)!]];
const wanAddress = (site: Site) => flowEnd(site, { name: 'f', from: 'internet', to: 'wan', proto: 'tcp', expect: 'accept', path: [] }, 'to');
/** The flow from a zone to the service's own address and port: what the reflected flow must be decided as. */
const direct = (site: Site, from: string, port: number) => flowVerdicts(site, flowEnd(site, { name: 'f', from, to: 'wan', proto: 'tcp', expect: 'accept', path: [] }, 'from'), address('10.1.0.120'), 'tcp', port);

describe('a reflected port forward (scenario A: static WAN behind the upstream router)', async () => {
  const reflected = await siteOf(edit(readExample('homelab'), FORWARD, grafana(true)));
  const plain = await siteOf(edit(readExample('homelab'), FORWARD, grafana(false)));

  it('decides a flow from inside to the WAN address on the forwarded port as the flow to the target, and says so', () => {
    for (const from of ['vpn', 'management', 'service']) {
      const [target] = direct(reflected, from, 3000);
      expect(flow(reflected, from, 'wan', 8080), from).toEqual([Object.assign({}, target, { reflected: 'reflected by port forward grafana-in to 10.1.0.120:3000' })]);
    }
    // The VPN may reach the service network: by the public address too.
    expect(flow(reflected, 'vpn', 'wan', 8080)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule vpn-to-service' })]);
    // Without reflection the connection is one to the firewall itself, which nothing passes from the VPN.
    expect(flow(plain, 'vpn', 'wan', 8080)).toEqual([{ verdict: 'deny', decidedBy: 'the default deny' }]);
  });

  it('leaves alone what enters on the WAN, other ports and protocols, and the firewall\'s other addresses', () => {
    for (const site of [reflected, plain]) {
      expect(flow(site, 'internet', 'wan', 8080)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'port forward grafana-in' })]);
      // The upstream router's LAN enters on the WAN, which has a gateway: only the forward's own rdr is there.
      const [upstreamLan] = flowVerdicts(site, address('192.168.0.50'), wanAddress(site), 'tcp', 8080);
      expect([upstreamLan!.decidedBy, upstreamLan!.reflected]).toEqual(['port forward grafana-in', undefined]);
    }
    expect(flow(reflected, 'vpn', 'wan', 8081)).toEqual(flow(plain, 'vpn', 'wan', 8081));
    expect(flow(reflected, 'vpn', 'wan', 8080, 'udp')).toEqual(flow(plain, 'vpn', 'wan', 8080, 'udp'));
    // To self: only the WAN address is reflected, the firewall's inside addresses stay the firewall's.
    const self = flow(reflected, 'vpn', 'self', 8080);
    expect(self.filter((v) => v.reflected !== undefined).map((v) => v.part)).toEqual(['10.0.1.0/24 → 192.168.0.2/32']);
    const wan = '10.0.1.0/24 → 192.168.0.2/32';
    expect(flow(plain, 'vpn', 'self', 8080).find((v) => v.part === wan)).toEqual(expect.objectContaining({ verdict: 'deny', decidedBy: 'the default deny' }));
    expect(self.filter((v) => v.reflected === undefined)).toEqual(flow(plain, 'vpn', 'self', 8080).filter((v) => v.part !== wan));
  });

  it('maps a forwarded range onto the target from its first port', async () => {
    const site = await siteOf(edit(readExample('homelab'), FORWARD, grafana(true, '8080-8081')));
    expect(flow(site, 'vpn', 'wan', 8081)[0]!.reflected).toBe('reflected by port forward grafana-in to 10.1.0.120:3001');
  });

  it('a policy test to the WAN address gets the verdict of the flow to the target, and the message says why', async () => {
    const yaml = edit(edit(readExample('homelab'), FORWARD, grafana(true)), ['sites', 0, 'policy', 'tests'], [{ from: 'vpn', to: 'wan', proto: 'tcp', port: 8080, expect: 'deny' }]);
    const failed = (await lint(yaml)).filter((d) => d.rule === 'policy/test-failed').map((d) => d.message);
    expect(failed).toEqual(['flow vpn to wan tcp 8080: expected deny, got accept by policy rule vpn-to-service, reflected by port forward grafana-in to 10.1.0.120:3000']);
  });

  it('the flows rules ask of single addresses see the reflection too', () => {
    const wan = siteMatches(reflected).space.interfaceAddress.get('wan')!;
    const [verdict] = pointFlowVerdicts(reflected, [{ from: parseIPv4('10.0.1.2')!, to: wan }], 'tcp', 8080);
    expect(verdict).toEqual(expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule vpn-to-service', reflected: 'reflected by port forward grafana-in to 10.1.0.120:3000' }));
  });
});

describe('which WAN address and which interfaces reflect', () => {
  it('a DHCP WAN: the address it gets', async () => {
    const yaml = edit(edit(edit(readExample('homelab'), FORWARD, grafana(true)), ['sites', 0, 'firewall', 'interfaces', 0, 'address'], 'dhcp'), ['sites', 0, 'firewall', 'interfaces', 0, 'gateway'], undefined);
    // No upstream router, no WireGuard client on its LAN: neither needs a static WAN, nor a test of its LAN.
    const site = await siteOf(yaml.replace(/\n {6}upstream:\n(?: {8}.*\n)+/, '\n').replace(/\n +lan_endpoint: true[^\n]*/, '').replace(/\n +- \{ from: service, to: 192\.168\.0\.50[^\n]*/, ''));
    expect(wanAddress(site)).toEqual([[2 ** 32, 2 ** 32]]);
    expect(flow(site, 'vpn', 'wan', 8080)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule vpn-to-service', reflected: 'reflected by port forward grafana-in to 10.1.0.120:3000' })]);
  });

  it('not an interface with a gateway of its own (OPNsense gives it one: reflectionInterfaces() skips it)', async () => {
    const base = edit(readExample('homelab'), FORWARD, grafana(true));
    const withGateway = await siteOf(edit(base, ['sites', 0, 'firewall', 'interfaces', 1, 'gateway'], '10.0.0.254'));
    const without = await siteOf(base);
    expect(flow(without, 'management', 'wan', 8080)[0]!.reflected).toBeDefined();
    expect(flow(withGateway, 'management', 'wan', 8080)[0]!.reflected).toBeUndefined();
    // The other interfaces still reflect.
    expect(flow(withGateway, 'vpn', 'wan', 8080)[0]!.reflected).toBeDefined();
  });
});

describe('the rules about the firewall\'s own ports', () => {
  it('a reflected forward on the web GUI\'s port reaches its target, not the GUI: it lets no admin in', async () => {
    // Scenario B with only DNS and a pass of mgmt to web1's port, and web1 forwarded from the GUI's port with reflection.
    const rules = [
      { name: 'lan-dns', from: 'lan', to: 'self', proto: 'tcp/udp', ports: [53], action: 'pass' },
      { name: 'mgmt-dns', from: 'mgmt', to: 'self', proto: 'tcp/udp', ports: [53], action: 'pass' },
      { name: 'hosting-dns', from: 'hosting', to: 'internet', proto: 'tcp/udp', ports: [53], action: 'pass' },
      { name: 'mgmt-web', from: 'mgmt', to: 'web1', action: 'pass' },
    ];
    const forward = [{ name: 'web-in', proto: 'tcp', port: 8443, service: 'web1', reflection: true }];
    let yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'policy', 'rules'], rules);
    yaml = edit(edit(yaml, ['sites', 0, 'policy', 'tests'], []), ['sites', 0, 'firewall', 'nat', 'port_forwards'], forward);
    yaml = edit(yaml, ['sites', 0, 'firewall', 'anti_lockout'], { enabled: false, ports: [8443] });
    const diagnostics = await lint(yaml);
    const site = (await modelOf(edit(yaml, ['sites', 0, 'firewall', 'anti_lockout'], { enabled: true, ports: [8443] }))).sites[0]!;
    // mgmt reaches web1 by the WAN address on 8443, by its pass to web1...
    const mgmt = flowEnd(site, { name: 'f', from: 'mgmt', to: 'wan', proto: 'tcp', expect: 'accept', path: [] }, 'from');
    expect(flowVerdicts(site, mgmt, wanAddress(site), 'tcp', 8443)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule mgmt-web', reflected: expect.stringContaining(':80') })]);
    // ...which is no pass to the GUI: without the anti-lockout rule every admin is locked out.
    expect(diagnostics.filter((d) => d.rule === 'policy/lockout').map((d) => d.message)).toEqual([
      'the anti-lockout rule is off, and no policy rule passes anyone to the firewall on TCP 8443: the restored configuration would lock every admin out',
    ]);
  });
});
