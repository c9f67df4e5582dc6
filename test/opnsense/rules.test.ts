// Lint rules of the OPNsense target that guard what the box itself would
// refuse: each fires on its mistake (at the offending node) and stays
// quiet on the valid variant.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics.js';
import { edit, lint, readExample, lineOfText } from '../helpers.js';
import { doc, fragments, policyRules } from './support.js';

const cert = ['sites', 0, 'haproxy', 'certificates', 0] as const;
const frontend = ['sites', 0, 'haproxy', 'frontends', 0] as const;
const groups = ['sites', 0, 'firewall', 'groups'] as const;

function findings(diagnostics: Diagnostic[], rule: string): Diagnostic[] {
  return diagnostics.filter((d) => d.rule === rule);
}

const lineOf = (text: string, needle: string, after = ''): number => lineOfText(text, needle, { after });

describe('opnsense/acme-challenge', () => {
  const homelab = readExample('homelab');

  it('refuses DNS-01 without a provider, instead of guessing one', async () => {
    const yaml = edit(homelab, [...cert, 'dns_provider'], undefined);
    const [hit, ...rest] = findings(await lint(yaml), 'opnsense/acme-challenge');
    expect(rest).toEqual([]);
    expect(hit?.severity).toBe('error');
    expect(hit?.message).toBe('certificate wildcard uses DNS-01 but names no dns_provider');
    expect(hit?.location.line).toBe(lineOf(yaml, 'name: wildcard'));
  });

  it('refuses a provider that is neither known nor an acme.sh API name', async () => {
    const yaml = edit(homelab, [...cert, 'dns_provider'], 'linode');
    const [hit] = findings(await lint(yaml), 'opnsense/acme-challenge');
    expect(hit?.message).toMatch(/"linode" is not a DNS provider gen knows \(cloudflare, .*\) nor an acme\.sh API name/);
    expect(hit?.location.line).toBe(lineOf(yaml, 'dns_provider: linode'));
  });

  it('accepts a known provider and an acme.sh API name, and writes it as dns_service', async () => {
    expect(findings(await lint(homelab), 'opnsense/acme-challenge')).toEqual([]);
    const yaml = edit(homelab, [...cert, 'dns_provider'], 'dns_linode_v4');
    expect(findings(await lint(yaml), 'opnsense/acme-challenge')).toEqual([]);
    const validation = doc(await fragments(yaml, 'home'), 'acme.xml').OPNsense.AcmeClient.validations.validation[0];
    expect(validation.dns_service).toBe('dns_linode_v4');
  });

  it("refuses an acme.sh API name the release's ACME client does not list (its model refuses the validation)", async () => {
    const yaml = edit(homelab, [...cert, 'dns_provider'], 'dns_nosuchdns');
    const [hit, ...rest] = findings(await lint(yaml), 'opnsense/acme-challenge');
    expect(rest).toEqual([]);
    expect(hit?.message).toBe('certificate wildcard: the ACME client of OPNsense 26.7 offers no DNS service dns_nosuchdns, so OPNsense refuses the validation gen writes');
    expect(hit?.location.line).toBe(lineOf(yaml, 'dns_provider: dns_nosuchdns'));
  });

  it("refuses HTTP-01 for a wildcard name (Let's Encrypt validates those only by DNS)", async () => {
    const yaml = edit(homelab, [...cert, 'challenge'], 'http-01');
    const [hit] = findings(await lint(yaml), 'opnsense/acme-challenge');
    expect(hit?.message).toBe("certificate wildcard: *.example.com is a wildcard name, which Let's Encrypt validates only with DNS-01");
  });

  it('refuses HTTP-01 when no frontend with the certificate listens on port 80', async () => {
    let yaml = edit(homelab, cert, { name: 'wildcard', domain: 'www.example.com', challenge: 'http-01' });
    expect(findings(await lint(yaml), 'opnsense/acme-challenge')).toEqual([]);
    yaml = edit(yaml, [...frontend, 'http_redirect'], false);
    const [hit] = findings(await lint(yaml), 'opnsense/acme-challenge');
    expect(hit?.message).toBe('certificate wildcard uses HTTP-01, but no frontend with this certificate listens on port 80 (http_redirect)');
    // The fix names the frontend to change, first.
    expect(hit?.hint).toMatch(/^Set http_redirect: true on frontend https: /);
    const unused = edit(yaml, [...frontend, 'certificate'], undefined);
    expect(findings(await lint(unused), 'opnsense/acme-challenge')[0]?.hint).toBe('Use certificate wildcard on a frontend with http_redirect: true, or use challenge: dns-01 with a dns_provider.');
  });

  it('refuses HTTP-01 where the frontend with the certificate is itself on port 80: it speaks TLS there', async () => {
    const yaml = edit(edit(homelab, cert, { name: 'wildcard', domain: 'www.example.com', challenge: 'http-01' }), [...frontend, 'http_redirect'], false);
    const onPort80 = edit(yaml, [...frontend, 'bind'], '0.0.0.0:80');
    const [hit] = findings(await lint(onPort80), 'opnsense/acme-challenge');
    expect(hit?.message).toBe('certificate wildcard uses HTTP-01, but no frontend with this certificate listens on port 80 (http_redirect)');
    // The frontend on port 80 has the certificate: the plugin's template binds it with ssl, where plain HTTP fails.
    // (The homelab's policy test of HTTPS from the internet to the WAN then expects deny: nothing listens on 443.)
    let dns01 = edit(edit(homelab, [...frontend, 'http_redirect'], false), [...frontend, 'bind'], '0.0.0.0:80');
    const tests = parseYaml(dns01).sites[0].policy.tests as { from: string; to: string; port: number }[];
    dns01 = edit(dns01, ['sites', 0, 'policy', 'tests', tests.findIndex((t) => t.from === 'internet' && t.to === 'wan' && t.port === 443), 'expect'], 'deny');
    expect(findings(await lint(dns01), 'opnsense/acme-challenge')).toEqual([]);
    const written = [doc(await fragments(dns01, 'home'), 'haproxy.xml').OPNsense.HAProxy.frontends.frontend].flat().find((f) => f.name === 'https');
    expect([written.bind, written.ssl_enabled]).toEqual(['0.0.0.0:80', '1']);
  });

  it("each finding's fix is the one for that finding", async () => {
    const [none] = findings(await lint(edit(homelab, [...cert, 'dns_provider'], undefined)), 'opnsense/acme-challenge');
    expect(none?.hint).toMatch(/^Set dns_provider on certificate wildcard: cloudflare, /);
    const [wild] = findings(await lint(edit(homelab, [...cert, 'challenge'], 'http-01')), 'opnsense/acme-challenge');
    expect(wild?.hint).toBe('Set challenge: dns-01 and a dns_provider on certificate wildcard.');
  });
});

describe('opnsense/group-name', () => {
  const homelab = readExample('homelab');
  const group = (name: string, description?: string) => edit(homelab, groups, [{ name, members: ['management', 'service'], ...(description === undefined ? {} : { description }) }]);

  it('refuses a name ending in a digit, and one that shadows an interface or the WireGuard group', async () => {
    for (const [name, message] of [
      ['servers1', 'group servers1: OPNsense refuses a group name that ends in a digit'],
      ['lan', 'group lan has the name of an interface or of the WireGuard group'],
      ['wireguard', 'group wireguard has the name of an interface or of the WireGuard group'],
    ] as const) {
      const yaml = group(name);
      const hits = findings(await lint(yaml), 'opnsense/group-name');
      expect(hits.map((d) => d.message), name).toEqual([message]);
      expect(hits[0]!.location.line).toBe(lineOf(yaml, `name: ${name}`, 'groups:'));
    }
  });

  it('refuses description characters OPNsense does not allow in a group', async () => {
    for (const bad of ['Lab & servers', 'Lab 😀']) {
      const hits = findings(await lint(group('internal', bad)), 'opnsense/group-name');
      expect(hits.map((d) => d.message), bad).toEqual(['group internal: OPNsense allows only letters, digits, spaces, ".", "-", "," and "_" in a group description']);
    }
  });

  it('accepts a valid group (with a Korean description)', async () => {
    expect(findings(await lint(group('internal', 'Internal networks, 내부망')), 'opnsense/group-name')).toEqual([]);
  });
});

describe('opnsense/dhcp-host-name', () => {
  const reservation = (name: string) =>
    edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'static'], [{ name, mac: 'aa:bb:cc:dd:ee:01', address: '192.168.1.10' }]);

  it('refuses a reservation name with "_" (not a host name), at the name', async () => {
    const yaml = reservation('nas_1');
    const hits = findings(await lint(yaml), 'opnsense/dhcp-host-name');
    expect(hits.map((d) => d.message)).toEqual(['DHCP reservation nas_1 on lan is not a host name (letters, digits and "-" between dots)']);
    expect(hits[0]!.location.line).toBe(lineOf(yaml, 'name: nas_1'));
  });

  it('accepts host names, also dotted ones', async () => {
    for (const name of ['nas-1', 'nas.lab']) expect(findings(await lint(reservation(name)), 'opnsense/dhcp-host-name'), name).toEqual([]);
  });
});

describe('opnsense/rule-source-unplaced', () => {
  const withOffice = (yaml: string) => {
    let text = edit(yaml, ['sites', 0, 'remote_networks'], [{ name: 'office', cidr: '10.50.0.0/24' }]);
    text = edit(text, ['sites', 0, 'policy', 'zones', 3], { name: 'branch', networks: ['office'] });
    return edit(text, ['sites', 0, 'policy', 'rules', 3], { name: 'branch-to-mgmt', from: 'branch', to: 'mgmt', action: 'pass' });
  };

  it('warns when a rule comes from a remote network on a site without WireGuard, and writes no rule for it', async () => {
    const yaml = withOffice(readExample('vlan-hosting'));
    const hits = findings(await lint(yaml), 'opnsense/rule-source-unplaced');
    expect(hits.map((d) => [d.severity, d.message])).toEqual([
      ['warning', 'rule branch-to-mgmt: traffic from office (10.50.0.0/24) enters through no interface gen knows; no filter rule is written for it'],
    ]);
    expect(hits[0]!.location.line).toBe(lineOf(yaml, 'name: branch-to-mgmt'));
    const rules = policyRules(await fragments(yaml, 'hosting'));
    expect(rules.filter((r: { descr: string }) => r.descr.includes('branch-to-mgmt'))).toEqual([]);
  });

  it('also for one address of the remote network', async () => {
    let yaml = withOffice(readExample('vlan-hosting'));
    yaml = edit(yaml, ['sites', 0, 'policy', 'rules', 3], { name: 'printer-to-mgmt', from: '10.50.0.9', to: 'mgmt', proto: 'tcp', ports: [631], action: 'pass' });
    expect(findings(await lint(yaml), 'opnsense/rule-source-unplaced').map((d) => d.message)).toEqual([
      'rule printer-to-mgmt: traffic from 10.50.0.9 (in office) enters through no interface gen knows; no filter rule is written for it',
    ]);
  });

  it('is quiet where WireGuard carries it (scenario A)', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'remote_networks'], [{ name: 'office', cidr: '10.50.0.0/24' }]);
    let text = edit(yaml, ['sites', 0, 'policy', 'zones', 3], { name: 'branch', networks: ['office'] });
    text = edit(text, ['sites', 0, 'policy', 'rules', 5], { name: 'branch-to-service', from: 'branch', to: 'service', action: 'pass' });
    expect(findings(await lint(text), 'opnsense/rule-source-unplaced')).toEqual([]);
    const rules = policyRules(await fragments(text, 'home'));
    expect(rules.filter((r: { descr: string }) => r.descr === 'gen: policy rule branch-to-service').map((r: { interface: string }) => r.interface)).toEqual(['wireguard']);
  });
});

describe('opnsense/haproxy-bind', () => {
  const homelab = readExample('homelab');
  const second = (bind: string, redirect = false) =>
    edit(homelab, ['sites', 0, 'haproxy', 'frontends', 1], { name: 'alt', bind, interface: 'wan', default_backend: 'web', http_redirect: redirect });

  it('refuses a second listener on a port another one binds on every address', async () => {
    const yaml = second('192.168.0.2:80');
    const hits = findings(await lint(yaml), 'opnsense/haproxy-bind');
    expect(hits.map((d) => d.message)).toEqual(['frontend alt listens on 192.168.0.2:80, which the HTTP redirect of frontend https already binds (0.0.0.0:80)']);
    expect(hits[0]!.location.line).toBe(lineOf(yaml, 'bind: 192.168.0.2:80'));
  });

  it('refuses a redirect on a port the frontend itself has', async () => {
    const yaml = edit(edit(homelab, [...frontend, 'bind'], '0.0.0.0:80'), [...frontend, 'certificate'], undefined);
    expect(findings(await lint(yaml), 'opnsense/haproxy-bind').map((d) => d.message)).toEqual([
      'the HTTP redirect of frontend https listens on 0.0.0.0:80, which frontend https already binds (0.0.0.0:80)',
    ]);
  });

  it('names, for each listener, the first earlier one it clashes with, among many', async () => {
    // The rule once searched every earlier listener for each; it now looks them up by port and address.
    const binds = ['10.0.0.1:443', '0.0.0.0:8443', '10.0.0.1:8443', '0.0.0.0:443', '10.0.0.2:443', '10.0.0.2:443', '10.0.0.3:9000', '0.0.0.0:9000', '10.0.0.3:9000'];
    const frontends = binds.map((bind, i) => ({ name: `f${i}`, bind, interface: 'wan', default_backend: 'web', http_redirect: i === 6 }));
    const yaml = edit(homelab, ['sites', 0, 'haproxy', 'frontends'], frontends);
    // The rule's meaning, written as a search: the first earlier listener on the
    // port, on the same address or where either binds every address.
    const listeners = frontends.flatMap((f) => {
      const [address, port] = f.bind.split(':');
      const own = { what: `frontend ${f.name}`, address: address!, port: Number(port) };
      return f.http_redirect ? [own, { what: `the HTTP redirect of frontend ${f.name}`, address: address!, port: 80 }] : [own];
    });
    const expected = listeners.flatMap((l, i) => {
      const clash = listeners.slice(0, i).find((o) => o.port === l.port && (o.address === l.address || o.address === '0.0.0.0' || l.address === '0.0.0.0'));
      return clash ? [`${l.what} listens on ${l.address}:${l.port}, which ${clash.what} already binds (${clash.address}:${clash.port})`] : [];
    });
    expect(expected.length).toBeGreaterThan(4);
    expect(findings(await lint(yaml), 'opnsense/haproxy-bind').map((d) => d.message)).toEqual(expected);
  });

  it('accepts other ports', async () => {
    expect(findings(await lint(homelab), 'opnsense/haproxy-bind')).toEqual([]);
    expect(findings(await lint(second('0.0.0.0:8443')), 'opnsense/haproxy-bind')).toEqual([]);
  });
});

describe('opnsense/acme-private-name', () => {
  const homelab = readExample('homelab');

  it("refuses a name under a suffix no public CA issues for, at the name (Let's Encrypt cannot issue *.ikscloud.local)", async () => {
    for (const [domain, suffix] of [['*.ikscloud.local', 'local'], ['nas.home.arpa', 'home.arpa'], ['gw.corp.internal', 'internal'], ['router.lan', 'lan']] as const) {
      const yaml = edit(homelab, [...cert, 'domain'], domain);
      const [hit, ...rest] = findings(await lint(yaml), 'opnsense/acme-private-name');
      expect(rest, domain).toEqual([]);
      expect(hit, domain).toMatchObject({ severity: 'error', message: `certificate wildcard: ${domain} is under .${suffix}, which is not in the public DNS, so Let's Encrypt cannot issue it` });
      expect(hit!.location.line).toBe(lineOf(yaml, domain, 'certificates:'));
    }
  });

  it('checks the alternative names too, and accepts public names (also one that merely contains "local")', async () => {
    const yaml = edit(homelab, [...cert, 'alt_names'], ['example.com', 'intranet.local']);
    expect(findings(await lint(yaml), 'opnsense/acme-private-name').map((d) => d.message)).toEqual([
      "certificate wildcard: intranet.local is under .local, which is not in the public DNS, so Let's Encrypt cannot issue it",
    ]);
    expect(findings(await lint(edit(homelab, [...cert, 'domain'], '*.local.example.com')), 'opnsense/acme-private-name')).toEqual([]);
    expect(findings(await lint(readExample('vlan-hosting')), 'opnsense/acme-private-name')).toEqual([]);
  });
});

describe('opnsense/dhcp-dns-blocked', () => {
  const hosting = readExample('vlan-hosting');
  const websvc = ['sites', 0, 'firewall', 'interfaces', 3, 'dhcp'] as const;

  it('refuses DHCP that hands out the firewall as resolver to a zone the policy keeps off the firewall (internet only)', async () => {
    const yaml = edit(hosting, websvc, {});
    const [hit, ...rest] = findings(await lint(yaml), 'opnsense/dhcp-dns-blocked');
    expect(rest).toEqual([]);
    expect(hit).toMatchObject({
      severity: 'error',
      message:
        'DHCP on websvc gives its clients the firewall (192.168.20.1) as DNS server, but policy rule hosting-internet-only blocks DNS from websvc to the firewall: set dns: to resolvers the network may reach, or pass UDP/TCP 53 to self first',
    });
    // dns: naming the firewall itself is the same mistake.
    const own = edit(hosting, [...websvc, 'dns'], ['192.168.20.1']);
    expect(findings(await lint(own), 'opnsense/dhcp-dns-blocked')).toHaveLength(1);
  });

  it('judges each network on its own when several share the check: only the one whose DNS is blocked', async () => {
    let yaml = edit(hosting, websvc, {});
    yaml = edit(yaml, ['sites', 0, 'firewall', 'interfaces', 4, 'dhcp'], {});
    yaml = edit(yaml, ['sites', 0, 'policy', 'rules'], [
      { name: 'lan-out', from: 'lan', to: 'any', action: 'pass' },
      { name: 'mgmt-out', from: 'mgmt', to: 'any', action: 'pass' },
      { name: 'vps-dns', from: 'vpssvc', to: 'self', proto: 'udp', ports: [53], action: 'pass' },
      { name: 'hosting-internet-only', from: 'hosting', to: 'internet', action: 'pass' },
    ]);
    expect(findings(await lint(yaml), 'opnsense/dhcp-dns-blocked').map((f) => f.message)).toEqual([
      'DHCP on websvc gives its clients the firewall (192.168.20.1) as DNS server, but policy rule hosting-internet-only blocks DNS from websvc to the firewall: set dns: to resolvers the network may reach, or pass UDP/TCP 53 to self first',
    ]);
    // Without the pass, both: each names its own network and address.
    const both = edit(yaml, ['sites', 0, 'policy', 'rules', 2], { name: 'vps-dns', from: 'vpssvc', to: 'self', proto: 'udp', ports: [54], action: 'pass' });
    expect(findings(await lint(both), 'opnsense/dhcp-dns-blocked').map((f) => f.message.split(' as DNS')[0])).toEqual([
      'DHCP on websvc gives its clients the firewall (192.168.20.1)',
      'DHCP on vpssvc gives its clients the firewall (192.168.30.1)',
    ]);
  });

  it('accepts public resolvers, a rule that passes DNS to the firewall first, and zones that may reach it', async () => {
    expect(findings(await lint(hosting), 'opnsense/dhcp-dns-blocked')).toEqual([]);
    let yaml = edit(hosting, websvc, {});
    yaml = edit(yaml, ['sites', 0, 'policy', 'rules'], [
      { name: 'lan-out', from: 'lan', to: 'any', action: 'pass' },
      { name: 'mgmt-out', from: 'mgmt', to: 'any', action: 'pass' },
      { name: 'hosting-dns', from: 'hosting', to: 'self', proto: 'udp', ports: [53], action: 'pass' },
      { name: 'hosting-internet-only', from: 'hosting', to: 'internet', action: 'pass' },
    ]);
    expect(findings(await lint(yaml), 'opnsense/dhcp-dns-blocked')).toEqual([]);
  });

  const vpssvcDhcp = ['sites', 0, 'firewall', 'interfaces', 4, 'dhcp'] as const;
  /** The example's rules with a DNS pass of the hosting zone before its internet-only rule. */
  const withDnsPass = (yaml: string, pass: object) =>
    edit(yaml, ['sites', 0, 'policy', 'rules'], [
      { name: 'lan-out', from: 'lan', to: 'any', action: 'pass' },
      { name: 'mgmt-out', from: 'mgmt', to: 'any', action: 'pass' },
      Object.assign({ proto: 'tcp/udp', ports: [53], action: 'pass' }, pass),
      { name: 'hosting-internet-only', from: 'hosting', to: 'internet', action: 'pass' },
    ]);

  it('judges the server handed out, not every address of the firewall: a pass to the interface address alone is enough', async () => {
    // The hosting zone may reach websvc's own address for DNS, and no other address of the firewall.
    const yaml = withDnsPass(edit(hosting, websvc, {}), { name: 'websvc-dns', from: 'hosting', to: '192.168.20.1/32' });
    expect(findings(await lint(yaml), 'opnsense/dhcp-dns-blocked')).toEqual([]);
    // vpssvc's clients would ask the firewall at 192.168.30.1, which that pass does not name.
    const vps = edit(yaml, vpssvcDhcp, {});
    expect(findings(await lint(vps), 'opnsense/dhcp-dns-blocked').map((f) => f.message)).toEqual([
      'DHCP on vpssvc gives its clients the firewall (192.168.30.1) as DNS server, but policy rule hosting-internet-only blocks DNS from vpssvc to the firewall: set dns: to resolvers the network may reach, or pass UDP/TCP 53 to self first',
    ]);
  });

  it('refuses a resolver outside the firewall that the policy blocks, at its entry of dns:', async () => {
    // 192.168.10.53 is on mgmt: an internal network, which to: internet keeps the hosting zone off.
    const yaml = edit(hosting, [...websvc, 'dns'], ['1.1.1.1', '192.168.10.53']);
    const [hit, ...rest] = findings(await lint(yaml), 'opnsense/dhcp-dns-blocked');
    expect(rest).toEqual([]);
    expect(hit).toMatchObject({
      severity: 'error',
      message:
        'DHCP on websvc gives its clients 192.168.10.53 as DNS server, but policy rule hosting-internet-only blocks DNS (UDP 53) from websvc to 192.168.10.53: set dns: to resolvers the network may reach, or pass UDP/TCP 53 to 192.168.10.53 first',
      hint: 'Set dhcp.dns on interface websvc to resolvers it may reach (e.g. [1.1.1.1, 9.9.9.9]), or add a rule passing UDP and TCP 53 from websvc to 192.168.10.53 before policy rule hosting-internet-only.',
    });
    expect(hit?.location.line).toBe(lineOf(yaml, '192.168.10.53'));
    // A resolver on the clients' own network is reached on its bridge, not through the firewall.
    const local = edit(hosting, [...websvc, 'dns'], ['192.168.20.53']);
    expect(findings(await lint(local), 'opnsense/dhcp-dns-blocked')).toEqual([]);
  });

  it('judges the reservations too, not only the pool', async () => {
    // A pass from the pool alone: the reserved host outside it is still blocked.
    const pool = { from: '192.168.30.100', to: '192.168.30.103' };
    const yaml = withDnsPass(edit(hosting, vpssvcDhcp, pool), { name: 'pool-dns', from: '192.168.30.100/30', to: 'self' });
    expect(findings(await lint(yaml), 'opnsense/dhcp-dns-blocked')).toEqual([]);
    const reserved = edit(yaml, vpssvcDhcp, Object.assign({ static: [{ name: 'db', mac: '02:00:00:00:00:01', address: '192.168.30.20' }] }, pool));
    expect(findings(await lint(reserved), 'opnsense/dhcp-dns-blocked').map((f) => f.message)).toEqual([
      'DHCP on vpssvc gives its clients the firewall (192.168.30.1) as DNS server, but policy rule hosting-internet-only blocks DNS from vpssvc to the firewall: set dns: to resolvers the network may reach, or pass UDP/TCP 53 to self first',
    ]);
  });
});

describe('opnsense/dhcp-dns-tcp-blocked', () => {
  const hosting = readExample('vlan-hosting');
  const rules = ['sites', 0, 'policy', 'rules'] as const;
  const udpOnly = (proto: string) =>
    edit(hosting, rules, [
      { name: 'lan-out', from: 'lan', to: 'any', action: 'pass' },
      { name: 'mgmt-out', from: 'mgmt', to: 'any', action: 'pass' },
      { name: 'hosting-https', from: 'hosting', to: 'internet', proto: 'tcp', ports: [443], action: 'pass' },
      { name: 'hosting-internet-only', from: 'hosting', to: 'internet', proto, action: 'pass' },
    ]);

  it('warns for each resolver reached over UDP only, at its entry of dns:', async () => {
    const yaml = udpOnly('udp');
    const hits = findings(await lint(yaml), 'opnsense/dhcp-dns-tcp-blocked');
    expect(hits.map((h) => [h.severity, h.message, h.location.line])).toEqual([
      ['warning', 'DHCP on websvc gives its clients 1.1.1.1 as DNS server: DNS to it passes over UDP, but the default deny blocks it over TCP 53, so lookups whose answers do not fit a UDP packet fail', lineOf(yaml, '1.1.1.1')],
      ['warning', 'DHCP on websvc gives its clients 9.9.9.9 as DNS server: DNS to it passes over UDP, but the default deny blocks it over TCP 53, so lookups whose answers do not fit a UDP packet fail', lineOf(yaml, '1.1.1.1')],
      ['warning', 'DHCP on vpssvc gives its clients 1.1.1.1 as DNS server: DNS to it passes over UDP, but the default deny blocks it over TCP 53, so lookups whose answers do not fit a UDP packet fail', lineOf(yaml, '1.1.1.1', 'name: vpssvc')],
      ['warning', 'DHCP on vpssvc gives its clients 9.9.9.9 as DNS server: DNS to it passes over UDP, but the default deny blocks it over TCP 53, so lookups whose answers do not fit a UDP packet fail', lineOf(yaml, '1.1.1.1', 'name: vpssvc')],
    ]);
    expect(hits[0]!.hint).toBe('Pass TCP 53 too from websvc (its zone) to 1.1.1.1, e.g. proto: tcp/udp.');
    // Blocked over UDP too: that is the error, not this warning.
    expect(findings(await lint(udpOnly('icmp')), 'opnsense/dhcp-dns-tcp-blocked')).toEqual([]);
    expect(findings(await lint(udpOnly('icmp')), 'opnsense/dhcp-dns-blocked')).toHaveLength(4);
  });

  it('is quiet where TCP passes as well', async () => {
    expect(findings(await lint(udpOnly('tcp/udp')), 'opnsense/dhcp-dns-tcp-blocked')).toEqual([]);
    expect(findings(await lint(hosting), 'opnsense/dhcp-dns-tcp-blocked')).toEqual([]);
  });
});
