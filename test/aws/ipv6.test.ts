// Security group rules from IPv6 networks: ::/0 is the whole internet too.
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { lint, lineOfText, readExample, render } from '../helpers.js';
import { parse, providerSchema } from './tf-validate.js';

/**
 * What hashicorp/aws refuses as cidr_ipv6: verify.ValidateIPv6CIDRBlock (internal/verify/validate.go,
 * through IPv6CIDRNetworkAddress in internal/framework/validators/cidr.go) reads the value with Go's
 * net.ParseCIDR and refuses it `if ipv4 := ip.To4(); ipv4 != nil`; Go's IP.To4 (src/net/ip.go) is not
 * nil for a 16-byte address whose first ten bytes are zero and the next two 0xff.
 */
const providerRefuses = (cidr: string): boolean => {
  const bytes = ipaddr.IPv6.parse(cidr.slice(0, cidr.lastIndexOf('/'))).toByteArray();
  return bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
};

const withV6 = (extra: string) =>
  readExample('aws-vpc').replace(
    '          - { proto: tcp, ports: [22], from_group: bastion, description: SSH from the bastion }\n',
    `          - { proto: tcp, ports: [22], from_group: bastion, description: SSH from the bastion }\n${extra}`,
  );

describe('IPv6 sources in security groups', () => {
  it('SSH from ::/0 is an error at the rule, like 0.0.0.0/0', async () => {
    const text = withV6('          - { proto: tcp, ports: [22], from: "::/0" }\n');
    const hits = (await lint(text)).filter((d) => d.rule === 'aws/open-admin-port');
    expect(hits.map((d) => [d.message, d.location.line])).toEqual([
      ['security group api opens 22 (SSH) to ::/0, the whole internet', text.split('\n').findIndex((l) => l.includes('from: "::/0"')) + 1],
    ]);
  });

  it('a public IPv6 rule becomes cidr_ipv6, an argument of the real provider schema', async () => {
    const files = await render(withV6('          - { proto: tcp, ports: [443], from: "::/0", public: Web API over IPv6 }\n'));
    const doc = await parse('security_groups.tf', files.get('aws/terraform/security_groups.tf')!);
    const rules = Object.values<any[]>(doc.resource.aws_vpc_security_group_ingress_rule).map(([r]) => r);
    const v6 = rules.filter((r) => r.cidr_ipv6 !== undefined);
    expect(v6.map((r) => [r.cidr_ipv6, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([['::/0', 443, 443, undefined]]);
    expect(providerSchema.aws_vpc_security_group_ingress_rule!.attributes).toContain('cidr_ipv6');
  });

  it('an ICMP rule from an IPv6 network is ICMPv6 (protocol 58) per type; from an IPv4 network it stays ICMP', async () => {
    const text = withV6('          - { proto: icmp, ports: [128], from: "2001:db8::/32", description: ping over IPv6 }\n          - { proto: icmp, ports: [8], from: 10.30.0.0/16, description: ping }\n');
    expect(await lint(text)).toEqual([]);
    const doc = await parse('security_groups.tf', (await render(text)).get('aws/terraform/security_groups.tf')!);
    const rules = Object.values<any[]>(doc.resource.aws_vpc_security_group_ingress_rule).map(([r]) => r);
    const icmp = rules.filter((r) => /^icmp/.test(r.ip_protocol)).map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv6 ?? r.cidr_ipv4]);
    expect(icmp).toEqual([
      ['icmpv6', 128, -1, '2001:db8::/32'],
      ['icmp', 8, -1, '10.30.0.0/16'],
    ]);
  });

  it('a policy test of ICMP from the internet is not let in by an ICMPv6 rule', async () => {
    let text = withV6('          - { proto: icmp, from: "::/0", public: ping over IPv6 }\n');
    text = text.replace(/^(\s+)tests:\n/m, (m, indent: string) => `${m}${indent}  - { from: internet, to: api, proto: icmp, expect: deny }\n`);
    expect(text).toContain('- { from: internet, to: api, proto: icmp, expect: deny }');
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const accept = text.replace('- { from: internet, to: api, proto: icmp, expect: deny }', '- { from: internet, to: api, proto: icmp, expect: accept }');
    expect((await lint(accept)).map((d) => d.rule)).toContain('policy/test-failed');
  });

  it('host bits in an IPv6 network are refused with the network named', async () => {
    const diagnostics = await lint(withV6('          - { proto: tcp, ports: [443], from: "2001:db8::1/32", public: x }\n'));
    expect(diagnostics.map((d) => [d.rule, d.message])).toEqual([['ip/invalid', '2001:db8::1/32 has host bits set: the network is 2001:db8::/32']]);
  });

  it('a written IPv6 network is kept in its compact form', async () => {
    const files = await render(withV6('          - { proto: tcp, ports: [443], from: "2001:0db8:0000::/48", public: partner }\n'));
    expect(files.get('aws/terraform/security_groups.tf')).toContain('cidr_ipv6         = "2001:db8::/48"');
  });

  it('an IPv4-compatible network (::a.b.c.d) is the network RFC 4291 and Go read, which the provider takes', async () => {
    const text = withV6('          - { proto: tcp, ports: [443], from: "::192.0.2.0/120", description: old tunnel }\n');
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const doc = await parse('security_groups.tf', (await render(text)).get('aws/terraform/security_groups.tf')!);
    const written = Object.values<any[]>(doc.resource.aws_vpc_security_group_ingress_rule).map(([r]) => r.cidr_ipv6).filter((c) => c !== undefined);
    // 0:0:0:0:0:0:c000:200, not ::ffff:192.0.2.0 (a network of IPv4-mapped addresses, which the provider refuses).
    expect(written).toEqual(['::c000:200/120']);
    expect(written.filter(providerRefuses)).toEqual([]);
  });

  it('an IPv4-mapped network is refused at the rule, with the IPv4 network it stands for', async () => {
    for (const [written, ipv4] of [
      ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
      ['::ffff:cb00:7107/128', '203.0.113.7/32'],
      ['::ffff:0:0/96', '0.0.0.0/0'],
    ] as const) {
      expect(providerRefuses(written)).toBe(true);
      const text = withV6(`          - { proto: tcp, ports: [443], from: "${written}", description: mapped }\n`);
      const hits = (await lint(text)).filter((d) => d.rule === 'aws/refused-value');
      const canonical = ipaddr.IPv6.parse(written.split('/')[0]!).toString() + written.slice(written.indexOf('/'));
      expect(hits.map((d) => [d.message, d.hint, d.location.line])).toEqual([
        [
          `a rule of security group api: ${canonical} is IPv4 ${ipv4} mapped into IPv6 (::ffff:0:0/96), which hashicorp/aws refuses as cidr_ipv6`,
          `Write from: ${ipv4}, the IPv4 network it stands for (no IPv6 packet carries an IPv4-mapped address).`,
          lineOfText(text, `from: "${written}"`),
        ],
      ]);
    }
    // A network around the mapped block, or beside it, is an IPv6 network the provider takes.
    for (const other of ['::/80', '::fffe:0:0/96', '64:ff9b::/96']) {
      expect(providerRefuses(other)).toBe(false);
      const text = withV6(`          - { proto: tcp, ports: [443], from: "${other}", description: other }\n`);
      expect((await lint(text)).filter((d) => d.rule === 'aws/refused-value')).toEqual([]);
    }
  });
});
