// opnsense/open-resolver: a pass that lets internet addresses reach the firewall itself on DNS, where Unbound
// at its defaults answers every source (test/opnsense/opnsense-php.test.ts renders its access list upstream).
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow } from '../../src/flows.js';
import { internetPassesToSelf } from '../../src/rules/internet-to-self.js';
import { edit, lineOfText, lint, modelOf, readExample } from '../helpers.js';

/** The family homelab with `rule` ahead of lan-internet. */
const withRule = (rule: string, comment?: string) =>
  readExample('homelab-family').replace('        - { name: lan-internet,', `${comment === undefined ? '' : `        # ${comment}\n`}        - ${rule}\n        - { name: lan-internet,`);
const found = async (yaml: string) => (await lint(yaml)).filter((d) => d.rule === 'opnsense/open-resolver');

describe('opnsense/open-resolver', () => {
  it('reports a pass to self on DNS from 0.0.0.0/0 at the rule, once, over both protocols', async () => {
    const yaml = withRule('{ name: world-dns, from: 0.0.0.0/0, to: self, proto: tcp/udp, ports: [53], action: pass }');
    const hits = await found(yaml);
    expect(hits.map((d) => [d.severity, d.location.line])).toEqual([['error', lineOfText(yaml, 'name: world-dns')]]);
    expect(hits[0]!.message).toBe('policy rule world-dns passes DNS (UDP, TCP 53) from internet addresses to the firewall itself, and Unbound there answers every source by default: the firewall becomes an open resolver');
    // The policy itself says the internet gets in: the lint and the flow evaluator agree.
    const site = (await modelOf(withRule('{ name: world-dns, from: 0.0.0.0/0, to: self, proto: tcp/udp, ports: [53], action: pass }', 'gen-ignore opnsense/open-resolver: the box refuses them'))).sites[0]!;
    const flow = { name: 'world', from: 'internet', to: 'self', proto: 'udp' as const, port: 53, expect: 'deny' as const, path: [] };
    expect(evaluateFirewallFlow(site, flow)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule world-dns' })]);
  });

  it('names the internet part of a source and a destination of any, over one protocol', async () => {
    const hits = await found(withRule('{ name: partner, from: 198.51.100.0/24, to: any, proto: udp, action: pass }'));
    expect(hits.map((d) => d.message)).toEqual([
      'policy rule partner passes DNS (UDP 53) from internet addresses (198.51.100.0/24) to the firewall itself, and Unbound there answers every source by default: the firewall becomes an open resolver',
    ]);
  });

  it('leaves alone DNS from internal networks, from the private upstream LAN, and other ports from the internet', async () => {
    expect(await found(readExample('homelab-family'))).toEqual([]);
    expect(await found(withRule('{ name: router-lan-dns, from: 192.168.1.0/24, to: self, proto: tcp/udp, ports: [53], action: pass }'))).toEqual([]);
    expect(await found(withRule('{ name: world-ping, from: 0.0.0.0/0, to: self, proto: icmp, action: pass }'))).toEqual([]);
    // A port forward of DNS on the WAN goes to the forwarded host, not to Unbound.
    const forwarded = edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'dns', proto: 'udp', port: 53, service: 'grafana', target_port: 53 }]);
    expect((await lint(forwarded)).filter((d) => d.rule === 'opnsense/open-resolver' || d.severity === 'error').map((d) => d.rule)).toEqual([]);
  });

  it('is silenced where the operator restricted Unbound on the box', async () => {
    const yaml = withRule('{ name: world-dns, from: 0.0.0.0/0, to: self, proto: udp, ports: [53], action: pass }', 'gen-ignore opnsense/open-resolver: Unbound refuses all but the LAN (Access Lists)');
    const diagnostics = await lint(yaml);
    expect(diagnostics.filter((d) => d.rule.startsWith('suppress/') || d.rule === 'opnsense/open-resolver')).toEqual([]);
    // Silenced, not absent: the same rule without the comment is reported.
    expect(await found(yaml.replace(/^ +# gen-ignore .*\n/m, ''))).toHaveLength(1);
  });

  it('finds the passing rule without looking every rule up by its origin', async () => {
    // 600 rules of the topology on other ports, behind a pass of DNS from the internet.
    const others = Array.from({ length: 600 }, (_, r) => `{ name: other-${r}, from: lan, to: self, proto: tcp, ports: [${2000 + r}], action: pass }`).join('\n        - ');
    const site = (await modelOf(withRule(`{ name: world-dns, from: 0.0.0.0/0, to: self, proto: udp, ports: [53], action: pass }\n        - ${others}`, 'gen-ignore opnsense/open-resolver: in a test'))).sites[0]!;
    let reads = 0;
    for (const rule of site.policy.rules) {
      const origin = rule.origin;
      Object.defineProperty(rule, 'origin', { get: () => (reads++, origin) });
    }
    expect(internetPassesToSelf(site, ['udp', 'tcp'], [53]).map((p) => p.rule.name)).toEqual(['world-dns']);
    // The verdicts of the few cells read the origins of their rules; the other 600 rules are never asked.
    expect(reads).toBeLessThan(20);
  });
});
