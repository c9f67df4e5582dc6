// Policy tests in the topology: flows with the verdict they must get.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluateFirewallFlow, evaluateSecurityGroupFlow, flowParts, internetSources, vpcBlockOf } from '../../src/flows.js';
import type { Ranges } from '../../src/intervals.js';
import { siteMatches } from '../../src/resolve/matches.js';
import { edit, lint, modelOf, readExample } from '../helpers.js';

describe('firewall flows (scenario A)', async () => {
  const model = await modelOf(readExample('homelab'));
  const site = model.sites[0]!;
  const flow = (from: string, to: string, proto: 'tcp' | 'udp', port: number) => evaluateFirewallFlow(site, { name: 'f', from, to, proto, port, expect: 'accept', path: [] });

  it('decides by the first matching compiled rule', () => {
    expect(flow('vpn', 'service', 'tcp', 80)).toEqual([{ verdict: 'accept', decidedBy: 'policy rule vpn-to-service', path: ['sites', 0, 'policy', 'rules', 1] }]);
    expect(flow('internet', 'wan', 'udp', 51820)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'WireGuard instance wg0' })]);
    expect(flow('internet', 'wan', 'tcp', 443)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'HAProxy frontend https' })]);
  });

  it('an internet-only zone is blocked from internal networks by its own rule', () => {
    expect(flow('service', 'management', 'tcp', 22)).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule service-internet-only' })]);
    expect(flow('service', 'internet', 'tcp', 443)).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule service-internet-only' })]);
    // The firewall itself, its WAN address included, is not "internet".
    expect(flow('service', 'wan', 'tcp', 443)).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule service-internet-only' })]);
  });

  it('whatever no rule passes is denied by default', () => {
    expect(flow('internet', 'wan', 'tcp', 22)).toEqual([{ verdict: 'deny', decidedBy: 'the default deny' }]);
    expect(flow('internet', 'management', 'tcp', 22)).toEqual([{ verdict: 'deny', decidedBy: 'the default deny' }]);
  });
});

describe('policy tests fail lint when the verdict differs', () => {
  it('names the rule that decided, at the test', async () => {
    const text = readExample('homelab').replace(
      '{ from: service, to: management, proto: tcp, port: 22, expect: deny }',
      '{ from: service, to: management, proto: tcp, port: 22, expect: accept }',
    );
    const diagnostics = await lint(text);
    expect(diagnostics.map((d) => [d.rule, d.message])).toEqual([
      ['policy/test-failed', 'flow service to management tcp 22: expected accept, got deny by policy rule service-internet-only'],
    ]);
    const line = text.split('\n').findIndex((l) => l.includes('expect: accept }') && l.includes('from: service, to: management')) + 1;
    expect(diagnostics[0]!.location.line).toBe(line);
    expect(diagnostics[0]!.related?.[0]?.location.line).toBe(text.split('\n').findIndex((l) => l.includes('- name: service-internet-only')) + 1);
  });

  it('catches a policy change that opens the WAN', async () => {
    const text = readExample('homelab').replace(
      '        - { name: management-out, from: management, to: any, action: pass }',
      '        - { name: management-out, from: management, to: any, action: pass }\n        - { name: oops, from: service, to: any, action: pass }',
    );
    const messages = (await lint(text)).map((d) => [d.rule, d.message]);
    expect(messages).toEqual([
      // The rule it was meant to leave in charge now never matches.
      ['policy/shadowed', 'policy rule service-internet-only can never match: policy rule oops before it matches all of its traffic'],
      ['policy/test-failed', 'flow service to management tcp 22: expected deny, got accept by policy rule oops'],
      ['policy/test-failed', 'flow service to vpn tcp 22: expected deny, got accept by policy rule oops'],
      ['policy/test-failed', 'flow service to wan tcp 443: expected deny, got accept by policy rule oops'],
      ['policy/test-failed', 'flow service to 192.168.0.50 tcp 80: expected deny, got accept by policy rule oops'],
    ]);
  });

  it('an unknown zone in a test is a dangling reference', async () => {
    const text = readExample('homelab').replace('{ from: service, to: vpn, proto: tcp', '{ from: service, to: vpm, proto: tcp');
    expect((await lint(text)).map((d) => d.rule)).toEqual(['ref/unknown']);
  });
});

describe('security group flows (scenario C)', async () => {
  const model = await modelOf(readExample('aws-vpc'));
  const vpc = model.aws!.vpc!;
  const block = vpcBlockOf(model)!;
  const flow = (from: string, to: string, port: number) => evaluateSecurityGroupFlow(vpc, block, { name: 'f', from, to, proto: 'tcp', port, expect: 'accept', path: [] });

  it('group references and CIDRs decide', () => {
    expect(flow('bastion', 'api', 22)).toMatchObject({ verdict: 'accept', decidedBy: 'security group api ingress from group bastion' });
    expect(flow('bastion', 'db', 5432)).toMatchObject({ verdict: 'deny', decidedBy: 'security group db (no ingress rule allows it)' });
    expect(flow('internet', 'api', 443)).toMatchObject({ verdict: 'accept', decidedBy: 'security group api ingress from 0.0.0.0/0' });
    expect(flow('203.0.113.10', 'bastion', 22)).toMatchObject({ verdict: 'accept' });
    expect(flow('203.0.113.11', 'bastion', 22)).toMatchObject({ verdict: 'deny' });
  });

  it('a flipped expectation fails lint', async () => {
    const text = readExample('aws-vpc').replace('{ from: bastion, to: db, proto: tcp, port: 5432, expect: deny }', '{ from: bastion, to: db, proto: tcp, port: 5432, expect: accept }');
    expect((await lint(text)).map((d) => [d.rule, d.message])).toEqual([
      ['policy/test-failed', 'flow bastion to db tcp 5432: expected accept, got deny by security group db (no ingress rule allows it)'],
    ]);
  });

  it('an explicit egress list of the source group is honoured', async () => {
    const text = readExample('aws-vpc').replace(
      '      - name: jenkins',
      '        egress:\n          - { proto: tcp, ports: [443], to: 0.0.0.0/0 }\n      - name: jenkins',
    );
    const messages = (await lint(text)).map((d) => d.message);
    expect(messages).toEqual(['flow api to db tcp 5432: expected accept, got deny by security group api egress (no rule allows it)']);
  });
});

describe('a flow query among many rules on other ports', () => {
  it('reads the addresses only of the rules on its protocol and port', async () => {
    // 600 rules from a zone to the firewall, each on a port of its own, ahead of the example's rules.
    const homelab = readExample('homelab');
    const rules = Array.from({ length: 600 }, (_, r) => ({ name: `port-${r}`, from: 'management', to: 'self', proto: 'tcp', ports: [2000 + r], action: 'pass' }));
    const text = edit(homelab, ['sites', 0, 'policy', 'rules'], rules.concat(parse(homelab).sites[0].policy.rules));
    const site = (await modelOf(text)).sites[0]!;
    const { matches, space } = siteMatches(site);
    // Each rule's sources counted as they are read (the matches are the site's, computed once).
    let reads = 0;
    const counted = (ranges: Ranges): Ranges =>
      new Proxy(ranges, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
          return Reflect.get(target, key, receiver);
        },
      });
    for (const m of matches) if (m.rule.name.startsWith('port-')) m.box[0] = counted(m.box[0]);
    const parts = flowParts(site, internetSources(site), space.self, 'udp', 53);
    expect(parts.length).toBeGreaterThan(0);
    expect(reads).toBe(0);
    // The rules of the query's port are read: the count sees them.
    flowParts(site, [[0, 2 ** 32 - 1]], space.self, 'tcp', 2000);
    expect(reads).toBeGreaterThan(0);
  });
});
