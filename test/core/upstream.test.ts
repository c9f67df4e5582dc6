// The upstream (NAT) router's port forwards: derived from what listens on
// the firewall's WAN, overridden only in external port and description;
// steps.md whenever the router exists; the three ways they can be wrong.
import { describe, expect, it } from 'vitest';
import { upstreamRules } from '../../src/rules/upstream.js';
import { edit, lineOfText, lint, modelOf, readExample, render } from '../helpers.js';

const A = ['sites', 0] as const;
const homelab = readExample('homelab');
const UPSTREAM = [...A, 'firewall', 'upstream'] as const;

describe('derived forwards', () => {
  it('one per WAN listener: WireGuard, the HAProxy frontend and its HTTP redirect, a WAN port forward', async () => {
    const yaml = edit(homelab, [...A, 'firewall', 'nat', 'port_forwards'], [{ name: 'games', proto: 'tcp/udp', port: '27015-27016', service: 'grafana' }]);
    const site = (await modelOf(edit(yaml, [...A, 'policy', 'tests'], []))).sites[0]!;
    expect(site.upstream!.forwards.map((f) => [f.proto, f.externalPort, f.port, f.listener, f.description])).toEqual([
      ['udp', '51820', '51820', 'WireGuard instance wg0', 'WireGuard to the firewall WAN address'],
      ['tcp', '80', '80', 'HAProxy frontend https', undefined],
      ['tcp', '443', '443', 'HAProxy frontend https', undefined],
      ['tcp/udp', '27015-27016', '27015-27016', 'port forward games', undefined],
    ]);
    expect((await render(edit(yaml, [...A, 'policy', 'tests'], []))).get('home/steps.md')).toContain(
      '1. On the upstream router (the NAT router in front of the firewall; gen does not manage it): forward TCP/UDP 27015-27016 to 192.168.0.2 (port forward games).',
    );
  });

  it('a WireGuard endpoint port is the external port; an override maps it to the listen port', async () => {
    let yaml = edit(homelab, [...A, 'wireguard', 0, 'endpoint_port'], 443);
    yaml = edit(yaml, [...UPSTREAM, 'port_forwards', 0, 'external_port'], 443);
    // HAProxy on 8443, without the redirect from port 80, which would send clients to 443 (haproxy/redirect-target).
    yaml = edit(edit(yaml, [...A, 'haproxy', 'frontends', 0, 'bind'], '0.0.0.0:8443'), [...A, 'haproxy', 'frontends', 0, 'http_redirect'], undefined);
    yaml = edit(yaml, [...A, 'policy', 'tests'], []);
    expect(await lint(yaml)).toEqual([]);
    const steps = (await render(yaml)).get('home/steps.md')!;
    expect(steps).toContain('forward UDP 443 to 192.168.0.2 port 51820 (WireGuard instance wg0: WireGuard to the firewall WAN address).');
    expect(steps).toContain('forward TCP 8443 to 192.168.0.2 (HAProxy frontend https).');
  });

  it('steps.md is written whenever the router exists: declared, or implied by a private WAN address', async () => {
    const implied = await render(edit(homelab, UPSTREAM as unknown as string[], undefined));
    expect(implied.get('home/steps.md')).toContain('1. On the upstream router: forward UDP 51820 to 192.168.0.2 (WireGuard instance wg0).');
    // Nothing listening: the step says so, so that old forwards get removed.
    let quiet = edit(readExample('vlan-hosting'), [...UPSTREAM], { description: 'the ISP modem' });
    quiet = edit(edit(quiet, [...A, 'haproxy'], undefined), [...A, 'policy', 'tests'], []);
    expect((await render(quiet)).get('hosting/steps.md')).toContain('1. On the upstream router (the ISP modem): no port needs forwarding to the firewall; remove any forward to it left from before.');
    // A WAN that gets its address by DHCP (an ISP modem, maybe bridged): no router assumed, so no router step
    // (the ACME client's steps stay: the site has a DNS-01 certificate).
    const steps = (await render(readExample('vlan-hosting'))).get('hosting/steps.md')!;
    expect(steps.match(/^1\. .*$/gm)).toEqual([
      expect.stringMatching(/^1\. On the firewall, once the configuration is restored and before any certificate is issued: Services › ACME Client › Challenge Types, /),
      expect.stringMatching(/^1\. On the firewall, once the configuration is restored: Services › ACME Client › Certificates: issue each certificate once/),
    ]);
    expect((await render(edit(edit(readExample('vlan-hosting'), [...A, 'haproxy'], undefined), [...A, 'policy', 'tests'], []))).has('hosting/steps.md')).toBe(false);
  });
});

describe('upstream rules', () => {
  it('upstream/forward-unused: a written forward with nothing listening behind it', async () => {
    const yaml = edit(homelab, [...UPSTREAM, 'port_forwards', 1], { proto: 'tcp', port: 8080, description: 'old web server' });
    const found = (await lint(yaml)).filter((d) => d.rule === 'upstream/forward-unused');
    expect(found.map((d) => [d.severity, d.message])).toEqual([
      ['warning', "the upstream router's forward of TCP 8080 reaches nothing: no WireGuard instance, HAProxy frontend or port forward listens on WAN port 8080"],
    ]);
    expect(found[0]!.location.line).toBe(lineOfText(yaml, 'port: 8080'));
  });

  it('upstream/duplicate-external-port: two listeners on one external port', async () => {
    let yaml = edit(homelab, [...UPSTREAM, 'port_forwards', 1], { proto: 'tcp', port: 80, external_port: 443 });
    yaml = edit(yaml, [...A, 'policy', 'tests'], []);
    const found = (await lint(yaml)).filter((d) => d.rule === 'upstream/duplicate-external-port');
    expect(found.map((d) => [d.severity, d.message])).toEqual([
      ['error', 'the upstream router can forward TCP 443 to one place only, but HAProxy frontend https (WAN port 80) and HAProxy frontend https (WAN port 443) both need it'],
    ]);
    expect(found[0]!.location.line).toBe(lineOfText(yaml, 'external_port: 443'));
  });

  it('upstream/duplicate-external-port works on the forwards, not on every port number', async () => {
    // It set up two covers of 100,000 numbers (3 MB of typed arrays) for each
    // site with forwards: most of what a lint of the default topology allocated.
    const model = await modelOf(edit(homelab, [...A, 'policy', 'tests'], []));
    const rule = upstreamRules.find((r) => r.id === 'upstream/duplicate-external-port')!;
    const forwards = model.sites[0]!.upstream!.forwards.length;
    const Int32 = globalThis.Int32Array;
    let elements = 0;
    globalThis.Int32Array = class extends Int32 {
      constructor(...args: unknown[]) {
        super(...(args as [number]));
        elements += this.length;
      }
    } as Int32ArrayConstructor;
    const found: unknown[] = [];
    try {
      rule.check!(model, (finding) => found.push(finding));
    } finally {
      globalThis.Int32Array = Int32;
    }
    expect(found).toEqual([]);
    expect(forwards).toBeGreaterThan(0);
    // Two covers (TCP and UDP) over at most two pieces per forward: a segment tree and a union-find each.
    expect(elements).toBeGreaterThan(0);
    expect(elements).toBeLessThanOrEqual(2 * (2 * 4 * forwards + 2 * forwards + 1));
  });

  it('upstream/listener-unforwarded: WireGuard clients connect to a port the router does not forward', async () => {
    const yaml = edit(homelab, [...UPSTREAM, 'port_forwards', 0, 'external_port'], 51999);
    const found = (await lint(yaml)).filter((d) => d.rule === 'upstream/listener-unforwarded');
    expect(found.map((d) => [d.severity, d.message])).toEqual([
      ['error', 'clients of wg0 connect to port 51820, but the upstream router forwards UDP 51999 to it, and nothing forwards 51820'],
    ]);
  });
});
