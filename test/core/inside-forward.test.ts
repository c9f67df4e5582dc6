// A port forward on an internal interface (interface: management): OPNsense writes its rdr on that interface
// (opnsense/core 26.7.2 ForwardRule.php: "rdr on <interface> ... from <source> to (<interface>)"), and its pass rule
// there, so the clients that enter on that interface and connect to its address on the forwarded port reach the
// target; the internet enters on the WAN and meets no such rdr. Policy tests, flows and lint must decide so.
import { describe, expect, it } from 'vitest';
import { flowVerdicts } from '../../src/flows.js';
import type { Site } from '../../src/model.js';
import { parseIPv4 } from '../../src/net.js';
import { edit, lint, modelOf, readExample } from '../helpers.js';

const SITE = ['sites', 0];
const FORWARD = SITE.concat('firewall', 'nat', 'port_forwards');
const inside = (extra: object = {}) => [Object.assign({ name: 'grafana-lan', interface: 'management', proto: 'tcp', port: 8080, service: 'grafana' }, extra)];
const siteOf = async (yaml: string): Promise<Site> => (await modelOf(yaml)).sites[0]!;
const one = (text: string): [number, number][] => [[parseIPv4(text)!, parseIPv4(text)!]];
const at = (site: Site, source: string, to: string, port = 8080) => flowVerdicts(site, one(source), one(to), 'tcp', port)[0]!;

describe('a port forward on an internal interface', () => {
  it("redirects the interface's own clients to the target, and not the internet", async () => {
    const site = await siteOf(edit(readExample('homelab'), FORWARD, inside()));
    // A management host to the management interface's address: redirected to grafana, passed by the forward's rule.
    expect(at(site, '10.0.0.50', '10.0.0.1')).toEqual(expect.objectContaining({ verdict: 'accept', decidedBy: 'port forward grafana-lan', reflected: 'redirected by port forward grafana-lan to 10.1.0.120:3000' }));
    // The internet never enters on the management interface: no rdr, and nothing passes it to an internal address.
    expect(at(site, '198.51.100.7', '10.0.0.1').verdict).toBe('deny');
    // The service network's hosts enter on their own interface, where the forward has no rdr (no reflection).
    expect(at(site, '10.1.0.50', '10.0.0.1').verdict).toBe('deny');
  });

  it('with from:, only those of its clients', async () => {
    const site = await siteOf(edit(readExample('homelab'), FORWARD, inside({ from: ['10.0.0.50'] })));
    expect(at(site, '10.0.0.50', '10.0.0.1')).toEqual(expect.objectContaining({ verdict: 'accept', decidedBy: 'port forward grafana-lan' }));
    // Another management host is not redirected: its flow is one to the firewall itself, which management-out passes.
    const other = at(site, '10.0.0.51', '10.0.0.1');
    expect([other.verdict, other.decidedBy, other.reflected]).toEqual(['accept', 'policy rule management-out', undefined]);
    // A public address never enters on the management interface.
    const outside = (await lint(edit(readExample('homelab'), FORWARD, inside({ from: ['198.51.100.7'] })))).filter((d) => d.rule === 'policy/forward-source');
    expect(outside.map((d) => d.message)).toEqual([expect.stringContaining('never arrive on interface management')]);
  });

  it('policy tests from the interface to its address are decided as the redirected flow', async () => {
    const tests = [
      { name: 'lan-grafana', from: 'management', to: '10.0.0.1', proto: 'tcp', port: 8080, expect: 'accept' },
      { name: 'world-lan-grafana', from: 'internet', to: '10.0.0.1', proto: 'tcp', port: 8080, expect: 'deny' },
    ];
    const yaml = edit(edit(readExample('homelab'), FORWARD, inside()), SITE.concat('policy', 'tests'), tests);
    expect((await lint(yaml)).filter((d) => d.severity === 'error' || d.rule === 'policy/test-failed')).toEqual([]);
  });

  it('a reflected WAN forward with from: reflects none but those sources (the rdr names them)', async () => {
    const reflecting = [{ name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana', reflection: true, from: ['198.51.100.7'] }];
    const site = await siteOf(edit(readExample('homelab'), FORWARD, reflecting));
    const wan = parseIPv4('192.168.0.2')!;
    const vpn = flowVerdicts(site, one('10.0.1.5'), [[wan, wan]], 'tcp', 8080)[0]!;
    expect([vpn.verdict, vpn.reflected]).toEqual(['deny', undefined]);
  });
});
