// The WireGuard rules: each fails on a topology that has the problem
// and passes on scenario A, which has none of them.
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { edit, lint, readExample } from '../helpers.js';
import { lineOf, lineOfKey } from '../yaml-lines.js';
import { NTPD_UDP, UNBOUND_UDP } from '../../src/targets/opnsense/udp-services.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { child, textOf } from '../../src/render/opnsense/xml.js';
import { UPSTREAM_RELEASES, factorySample } from '../opnsense/support.js';

const homelab = readExample('homelab');
const wg0 = ['sites', 0, 'wireguard', 0];

function only(diagnostics: Diagnostic[], rule: string): Diagnostic[] {
  return diagnostics.filter((d) => d.rule === rule);
}

describe('WireGuard lint rules', async () => {
  const clean = await lint(homelab);

  it('scenario A has no WireGuard or address findings', () => {
    expect(clean.filter((d) => d.rule.startsWith('wg/') || d.rule === 'ip/duplicate-address')).toEqual([]);
  });

  it('an instance name with a leading zero is a schema error: OPNsense names the device wg<instance number>', async () => {
    // Wireguard/FieldTypes/ServerField.php (26.7.2): interface = "wg{$node->instance}": wg01 would be instance 1, device wg1.
    for (const name of ['wg01', 'wg007', 'wg00']) {
      let text = edit(homelab, [...wg0, 'name'], name);
      text = text.replace(/wireguard: wg0\b/g, `wireguard: ${name}`).replace(/\bwg0\//g, `${name}/`);
      const found = (await lint(text)).filter((d) => d.severity === 'error');
      expect(found.map((d) => d.rule), name).toContain('schema');
      expect(found.find((d) => d.rule === 'schema')!.location.line, name).toBe(lineOf(text, [...wg0, 'name']));
    }
    for (const name of ['wg0', 'wg1', 'wg10', 'wg255']) {
      const text = edit(homelab, [...wg0, 'name'], name).replace(/wireguard: wg0\b/g, `wireguard: ${name}`).replace(/\bwg0\//g, `${name}/`);
      expect((await lint(text)).filter((d) => d.severity === 'error'), name).toEqual([]);
      expect(`wg${Number(name.slice(2))}`).toBe(name);
    }
  });

  it('wg/full-tunnel warns on tunnel: full', async () => {
    const text = edit(homelab, [...wg0, 'tunnel'], 'full');
    const [finding, ...more] = only(await lint(text), 'wg/full-tunnel');
    expect(more).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toContain('0.0.0.0/0');
    expect(finding!.location.line).toBe(lineOf(text, [...wg0, 'tunnel']));
  });

  it('wg/dns-split-tunnel warns on a DNS server in split tunnel, not in full tunnel', async () => {
    const split = edit(homelab, [...wg0, 'dns'], ['10.0.0.1']);
    const [finding] = only(await lint(split), 'wg/dns-split-tunnel');
    expect(finding!.severity).toBe('warning');
    expect(finding!.location.line).toBe(lineOfKey(split, [...wg0, 'dns']));
    expect(only(await lint(edit(split, [...wg0, 'tunnel'], 'full')), 'wg/dns-split-tunnel')).toEqual([]);
  });

  it('wg/full-tunnel-no-internet: a full tunnel whose clients the policy passes to no internet address, as the policy tests see it', async () => {
    // Scenario A passes the VPN to its own networks only: in a full tunnel every other destination is dropped.
    const full = edit(homelab, [...wg0, 'tunnel'], 'full');
    const rules = parse(full).sites[0].policy.rules;
    // The flow evaluator of policy tests agrees: a peer's web traffic to the internet is denied.
    const probe = (peer: string) => ({ from: peer, to: 'internet', proto: 'tcp', port: 443, expect: 'accept' });
    const probed = (text: string) => edit(text, ['sites', 0, 'policy', 'tests'], [probe('mac-workstation'), probe('laptop-john')]);
    const failedTests = async (text: string) => (await lint(probed(text))).filter((d) => d.rule === 'policy/test-failed').length;
    const [finding, ...more] = only(await lint(full), 'wg/full-tunnel-no-internet');
    expect(more).toEqual([]);
    expect([finding!.severity, finding!.location.line]).toEqual(['warning', lineOf(full, [...wg0, 'tunnel'])]);
    expect(finding!.message).toBe('wg0 is a full tunnel, but no pass rule lets its clients reach the internet: connected, they reach nothing outside the site');
    expect(finding!.hint).toContain('from: wireguard, to: internet, action: pass');
    expect(await failedTests(full)).toBe(2);
    // The fix the hint names.
    const fixed = edit(full, ['sites', 0, 'policy', 'rules'], [...rules, { name: 'wg0-internet', from: 'wireguard', to: 'internet', action: 'pass' }]);
    expect(only(await lint(fixed), 'wg/full-tunnel-no-internet')).toEqual([]);
    expect(await failedTests(fixed)).toBe(0);
    // One peer let out: the other is reported at its name.
    const one = edit(full, ['sites', 0, 'policy', 'rules'], [...rules, { name: 'mac-internet', from: 'mac-workstation', to: 'internet', action: 'pass' }]);
    expect(only(await lint(one), 'wg/full-tunnel-no-internet').map((d) => [d.message, d.location.line])).toEqual([
      ['peer laptop-john of full-tunnel wg0 may reach no internet address: connected, it reaches nothing outside the site', lineOf(one, [...wg0, 'peers', 1, 'name'])],
    ]);
    expect(await failedTests(one)).toBe(1);
    // A split tunnel routes the internet outside the tunnel: nothing to report.
    expect(only(await lint(homelab), 'wg/full-tunnel-no-internet')).toEqual([]);
  });

  it('wg/full-tunnel-dns-blocked: a DNS server of a full tunnel that the policy does not pass UDP 53 to from its clients', async () => {
    const full = edit(homelab, [...wg0, 'tunnel'], 'full');
    const rules = parse(full).sites[0].policy.rules;
    const withDns = (text: string, dns: string[]) => edit(text, [...wg0, 'dns'], dns);
    // The flow evaluator of policy tests: a lookup from each peer to each server.
    const failedLookups = async (text: string) => {
      const servers: string[] = parse(text).sites[0].wireguard[0].dns;
      const tests = ['mac-workstation', 'laptop-john'].flatMap((from) => servers.map((to) => ({ from, to, proto: 'udp', port: 53, expect: 'accept' })));
      return (await lint(edit(text, ['sites', 0, 'policy', 'tests'], tests))).filter((d) => d.rule === 'policy/test-failed').length;
    };
    // The firewall on the management network and on the tunnel itself: the VPN may reach both.
    const inside = withDns(full, ['10.0.0.1', '10.0.1.1']);
    expect(only(await lint(inside), 'wg/full-tunnel-dns-blocked')).toEqual([]);
    expect(await failedLookups(inside)).toBe(0);
    // Public resolvers: the homelab policy passes the VPN to nothing outside.
    const outside = withDns(full, ['1.1.1.1', '9.9.9.9']);
    const found = only(await lint(outside), 'wg/full-tunnel-dns-blocked');
    expect(found.map((d) => [d.severity, d.location.line, d.location.col])).toEqual([
      ['error', lineOf(outside, [...wg0, 'dns', 0]), outside.split('\n')[lineOf(outside, [...wg0, 'dns', 0]) - 1]!.indexOf('1.1.1.1') + 1],
      ['error', lineOf(outside, [...wg0, 'dns', 1]), outside.split('\n')[lineOf(outside, [...wg0, 'dns', 1]) - 1]!.indexOf('9.9.9.9') + 1],
    ]);
    expect(found[0]!.message).toBe('full-tunnel wg0 gives its clients 1.1.1.1 as DNS server, but the default deny blocks DNS (UDP 53) from them to it: connected, they resolve no name');
    expect(found[0]!.hint).toContain('{ name: wg0-dns, from: wireguard, to: 1.1.1.1, proto: tcp/udp, ports: [53], action: pass }');
    expect(await failedLookups(outside)).toBe(4);
    // One reachable server left: the blocked one costs a timeout, not every name.
    const mixed = withDns(full, ['1.1.1.1', '10.0.0.1']);
    expect(only(await lint(mixed), 'wg/full-tunnel-dns-blocked').map((d) => d.message)).toEqual([
      'full-tunnel wg0 gives its clients 1.1.1.1 as DNS server, but the default deny blocks DNS (UDP 53) from them to it: every lookup that tries it waits for it to time out',
    ]);
    // The VPN let out to the internet, but a block of DNS to the outside first: the block is named.
    const blockDns = { name: 'vpn-no-outside-dns', from: 'vpn', to: 'internet', proto: 'tcp/udp', ports: [53], action: 'block' };
    const out = { name: 'vpn-internet', from: 'vpn', to: 'internet', action: 'pass' };
    const passed = edit(outside, ['sites', 0, 'policy', 'rules'], [...rules, out]);
    expect(only(await lint(passed), 'wg/full-tunnel-dns-blocked')).toEqual([]);
    expect(await failedLookups(passed)).toBe(0);
    const blocked = edit(outside, ['sites', 0, 'policy', 'rules'], [blockDns, ...rules, out]);
    expect(only(await lint(blocked), 'wg/full-tunnel-dns-blocked').map((d) => d.message)).toEqual([
      'full-tunnel wg0 gives its clients 1.1.1.1 as DNS server, but policy rule vpn-no-outside-dns blocks DNS (UDP 53) from them to it: connected, they resolve no name',
      'full-tunnel wg0 gives its clients 9.9.9.9 as DNS server, but policy rule vpn-no-outside-dns blocks DNS (UDP 53) from them to it: connected, they resolve no name',
    ]);
    expect(await failedLookups(blocked)).toBe(4);
  });

  it('wg/reach-without-pass is an error when the VPN may reach a network no rule passes', async () => {
    const rules = parse(homelab).sites[0].policy.rules.filter((r: { name: string }) => r.name !== 'vpn-to-service');
    let text = edit(homelab, ['sites', 0, 'policy', 'rules'], rules);
    text = edit(text, [...wg0, 'reach'], ['management', 'service']);
    const findings = only(await lint(text), 'wg/reach-without-pass');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('error');
    expect(findings[0]!.message).toContain('10.1.0.0/24');
    expect(findings[0]!.location.line).toBe(lineOf(text, [...wg0, 'reach', 1]));
    // With the pass rule back, the same reach list is fine.
    expect(only(await lint(edit(homelab, [...wg0, 'reach'], ['management', 'service'])), 'wg/reach-without-pass')).toEqual([]);
  });

  it('wg/reach-without-pass sees a block of all traffic before the pass rule (first match), not a block of one port', async () => {
    const rules = parse(homelab).sites[0].policy.rules;
    const block = (extra: object) => ({ name: 'vpn-not-service', from: 'vpn', to: 'service', action: 'block', ...extra });
    const reach = edit(homelab, [...wg0, 'reach'], ['management', 'service']);
    const blocked = edit(reach, ['sites', 0, 'policy', 'rules'], [block({}), ...rules]);
    expect(only(await lint(blocked), 'wg/reach-without-pass').map((d) => d.message)).toEqual([
      'wg0 clients route 10.1.0.0/24 into the tunnel, but no pass rule lets mac-workstation, laptop-john reach it',
    ]);
    const onePort = edit(reach, ['sites', 0, 'policy', 'rules'], [block({ proto: 'tcp', ports: [5432] }), ...rules]);
    expect((await lint(onePort)).filter((d) => d.severity === 'error')).toEqual([]);
    const after = edit(reach, ['sites', 0, 'policy', 'rules'], [...rules, block({})]);
    expect((await lint(after)).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('listen_port is required by the schema: OPNsense would otherwise pick a random port', async () => {
    const text = edit(homelab, [...wg0, 'listen_port'], undefined);
    const [finding, ...rest] = await lint(text);
    expect(rest).toEqual([]);
    expect([finding!.rule, finding!.severity, finding!.message]).toEqual(['schema', 'error', 'sites[0].wireguard[0]: missing required property "listen_port"']);
    expect(finding!.location.line).toBe(lineOf(text, [...wg0, 'name']));
  });

  it('wg/duplicate-public-key is an error for a key used twice, at the second use', async () => {
    const copied = edit(homelab, [...wg0, 'peers', 1, 'public_key'], 'LwFL1l029Twp5lFs2/wACC5A1C5KZQG73r1hIbHP6zA=');
    const found = only(await lint(copied), 'wg/duplicate-public-key');
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', 'peer laptop-john of wg0 has the public key of peer mac-workstation of wg0', lineOf(copied, [...wg0, 'peers', 1, 'public_key'])],
    ]);
    const server = edit(homelab, [...wg0, 'peers', 2, 'public_key'], 'XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU=');
    expect(only(await lint(server), 'wg/duplicate-public-key').map((d) => d.message)).toEqual(['peer iphone-john of wg0 has the public key of instance wg0']);
    expect(only(clean, 'wg/duplicate-public-key')).toEqual([]);
  });

  it('wg/duplicate-public-key is an error for a second instance with the first one\'s key (OPNsense does not refuse it)', async () => {
    // opnsense/core 26.7.2 models/OPNsense/Wireguard/Server.xml: pubkey is a Base64Field without UniqueConstraint (Client.xml's has one).
    const instanceKey = parse(homelab).sites[0].wireguard[0].public_key as string;
    const second = { name: 'wg1', listen_port: 51821, address: '10.0.2.1/24', public_key: instanceKey, endpoint: 'vpn2.example.com' };
    const text = edit(edit(homelab, ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' }), ['sites', 0, 'wireguard', 1], second);
    const found = only(await lint(text), 'wg/duplicate-public-key');
    expect(found.map((d) => [d.severity, d.location.line, d.related?.map((r) => r.location.line)])).toEqual([
      ['error', lineOf(text, ['sites', 0, 'wireguard', 1, 'public_key']), [lineOf(text, [...wg0, 'public_key'])]],
    ]);
    expect(found[0]!.message).toMatch(/^instance wg1 has the public key of instance wg0/);
    const own = edit(text, ['sites', 0, 'wireguard', 1, 'public_key'], 'HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=');
    expect(only(await lint(own), 'wg/duplicate-public-key')).toEqual([]);
  });

  it('ip/duplicate-address is an error when two peers share an address', async () => {
    const text = edit(homelab, [...wg0, 'peers', 1, 'address'], '10.0.1.2');
    const [finding, ...more] = only(await lint(text), 'ip/duplicate-address');
    expect(more).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toBe('peer laptop-john uses 10.0.1.2, already used by peer mac-workstation');
    expect(finding!.location.line).toBe(lineOf(text, [...wg0, 'peers', 1, 'address']));
    expect(finding!.related?.[0]?.location.line).toBe(lineOf(text, [...wg0, 'peers', 0, 'address']));
  });

  it('ip/duplicate-address is an error when a peer takes the firewall tunnel address', async () => {
    const text = edit(homelab, [...wg0, 'peers', 0, 'address'], '10.0.1.1');
    expect(only(await lint(text), 'ip/duplicate-address').map((d) => d.message)).toEqual(['peer mac-workstation uses 10.0.1.1, already used by WireGuard instance wg0']);
  });
});

describe('what the client files need from the instance', () => {
  it('wg/instance-public-key warns when peers exist but the instance has no public_key', async () => {
    const text = edit(homelab, [...wg0, 'public_key'], undefined);
    const found = (await lint(text)).filter((d) => d.rule === 'wg/instance-public-key');
    expect(found.map((d) => [d.severity, d.location.line])).toEqual([['warning', lineOf(text, [...wg0, 'name'])]]);
    expect((await lint(homelab)).filter((d) => d.rule === 'wg/instance-public-key')).toEqual([]);
  });

  it('wg/endpoint-missing warns when peers exist but the instance has no endpoint', async () => {
    const text = edit(homelab, [...wg0, 'endpoint'], undefined);
    const found = (await lint(text)).filter((d) => d.rule === 'wg/endpoint-missing');
    expect(found.map((d) => [d.severity, d.location.line])).toEqual([['warning', lineOf(text, [...wg0, 'name'])]]);
    expect((await lint(homelab)).filter((d) => d.rule === 'wg/endpoint-missing')).toEqual([]);
  });

  it('wg/reach-empty stays quiet for scenario A, whose clients reach three networks', async () => {
    expect((await lint(homelab)).filter((d) => d.rule === 'wg/reach-empty')).toEqual([]);
  });
});

describe('wg/client-file-name', () => {
  const rule = 'wg/client-file-name';
  const mac = [...wg0, 'peers', 0];

  it('is an error when -lan pushes the file name past 15 characters, at the peer name', async () => {
    const text = edit(homelab, [...mac, 'tunnel_name'], undefined);
    const found = only(await lint(text), rule);
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', 'peer mac-workstation: client file mac-workstation-lan.conf would not import, its name has 19 characters (at most 15)', lineOf(text, [...mac, 'name'])],
    ]);
  });

  it('counts the instance prefix of a site with two instances, at the tunnel_name', async () => {
    const second = { name: 'wg1', listen_port: 51821, address: '10.0.2.1/24', peers: [] };
    let text = edit(homelab, ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' });
    text = edit(edit(text, ['sites', 0, 'wireguard', 1], second), [...mac, 'tunnel_name'], 'mac-studio');
    const found = only(await lint(text), rule);
    expect(found.map((d) => [d.message, d.location.line])).toEqual([
      ['peer mac-workstation: client file wg0-mac-studio-lan.conf would not import, its name has 18 characters (at most 15)', lineOf(text, [...mac, 'tunnel_name'])],
      ['peer laptop-john: client file wg0-laptop-john-lan.conf would not import, its name has 19 characters (at most 15)', lineOf(text, [...wg0, 'peers', 1, 'name'])],
    ]);
  });

  it('is an error for a name the Windows app refuses: a reserved device name before the first ".", or a "." at either end', async () => {
    const found = async (tunnelName: string) => {
      const text = edit(homelab, [...mac, 'tunnel_name'], tunnelName);
      return only(await lint(text), rule).map((d) => [d.message, d.location.line === lineOf(text, [...mac, 'tunnel_name'])]);
    };
    const refused = (stem: string, why: string) => [`peer mac-workstation: client file ${stem}.conf would not import in the WireGuard Windows app ("Tunnel name is not valid"): ${why}`, true];
    // -lan makes aux-lan, which Windows takes; a name with a "." keeps its reserved part in both files.
    expect(await found('aux')).toEqual([refused('aux', 'AUX is a device name Windows reserves')]);
    expect(await found('Com1.home')).toEqual([refused('Com1.home-lan', 'COM1 is a device name Windows reserves'), refused('Com1.home', 'COM1 is a device name Windows reserves')]);
    expect(await found('mac.')).toEqual([refused('mac.', 'it ends with "."')]);
    for (const fine of ['auxiliary', 'com10', 'lpt', 'mac.home', 'nul-vpn']) expect(await found(fine), fine).toEqual([]);
  });

  it('passes scenario A, where every file name fits, and a disabled peer whose files are not written', async () => {
    expect(only(await lint(homelab), rule)).toEqual([]);
    const text = edit(edit(homelab, [...mac, 'tunnel_name'], undefined), [...mac, 'enabled'], false);
    expect(only(await lint(text), rule)).toEqual([]);
  });
});

describe('wg/duplicate-listen-port', () => {
  const rule = 'wg/duplicate-listen-port';
  const withSecond = (port: number) => {
    const second = { name: 'wg1', listen_port: port, address: '10.0.2.1/24', peers: [] };
    const text = edit(homelab, ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' });
    return edit(text, ['sites', 0, 'wireguard', 1], second);
  };

  it('is an error for a second instance on the same port, at its listen_port', async () => {
    const text = withSecond(51820);
    const found = only(await lint(text), rule);
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', 'WireGuard instance wg1 listens on UDP 51820, as instance wg0 does', lineOf(text, ['sites', 0, 'wireguard', 1, 'listen_port'])],
    ]);
    expect(found[0]!.related?.[0]?.location.line).toBe(lineOf(text, [...wg0, 'listen_port']));
  });

  it('passes two instances on their own ports', async () => {
    expect(only(await lint(withSecond(51821)), rule)).toEqual([]);
  });
});

// A WireGuard instance beside a UDP service of the firewall: wg(4) binds its
// port on every address without SO_REUSEPORT (if_wg.c wg_socket_bind()), so
// FreeBSD refuses it while Unbound, ntpd or the DHCP server holds the port.
describe("wg/duplicate-listen-port: the firewall's own UDP services", () => {
  const rule = 'wg/duplicate-listen-port';
  const family = readExample('homelab-family');
  const onPort = (text: string, port: number) => edit(text, [...wg0, 'listen_port'], port);

  it.each(['25.7', '26.1', '26.7'])("the factory config of %s runs Unbound and ntpd, the services on 53 and 123 gen leaves as they are", (release) => {
    const box = parseXml(factorySample(release)).root;
    // <unbound><enable> (migrated to unboundplus general.enabled), and <system><timeservers>, which ntpd_enabled() tests.
    expect(textOf(child(child(box, 'unbound'), 'enable'))).toBe('1');
    expect(textOf(child(child(box, 'system'), 'timeservers'))).toMatch(/\S/);
  });

  it.each([
    [UNBOUND_UDP.port, /^WireGuard instance wg0 listens on UDP 53, which Unbound \(OPNsense's DNS resolver, on from the factory\) holds on every address of the firewall$/],
    [NTPD_UDP.port, /^WireGuard instance wg0 listens on UDP 123, which ntpd \(OPNsense's time service, on from the factory\) holds on every address of the firewall$/],
  ])('is an error for an instance on UDP %s, naming the service, at its listen_port', async (port, message) => {
    const text = onPort(homelab, port);
    const found = only(await lint(text), rule);
    expect(found.map((d) => [d.severity, d.location.line])).toEqual([['error', lineOf(text, [...wg0, 'listen_port'])]]);
    expect(found[0]!.message).toMatch(message);
    expect(found[0]!.hint).toBe('Set listen_port to another port on wg0 (51820 is the convention).');
  });

  it("reports 67 where gen turns a DHCP server on, naming it, with the interface it serves", async () => {
    expect(only(await lint(onPort(homelab, 67)), rule)).toEqual([]);
    const dhcp = ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'];
    expect(parse(family).sites[0].firewall.interfaces[1].dhcp).toBeDefined();
    for (const [server, name] of [['dnsmasq', 'dnsmasq'], ['isc', 'ISC dhcpd']] as const) {
      const text = onPort(edit(family, ['sites', 0, 'firewall', 'dhcp_server'], server), 67);
      const found = only(await lint(text), rule);
      expect(found.map((d) => [d.message, d.location.line]), server).toEqual([
        [`WireGuard instance wg0 listens on UDP 67, which the DHCP server gen turns on (${name}) holds on every address of the firewall`, lineOf(text, [...wg0, 'listen_port'])],
      ]);
      expect(found[0]!.related?.map((r) => [r.message, r.location.line])).toEqual([['the DHCP server serves lan here', lineOfKey(text, dhcp)]]);
    }
  });

  it('passes the ports next to them', async () => {
    for (const port of [52, 54, 122, 124]) expect(only(await lint(onPort(homelab, port)), rule), String(port)).toEqual([]);
    expect(only(await lint(onPort(family, 68)), rule)).toEqual([]);
  });

  // The facts behind the finding, in each release gen targets: Unbound binds every address on its default port and
  // starts, with the DHCP servers, before WireGuard at boot; ntpd runs whenever time servers are set.
  const coreGit = process.env.OPNSENSE_CORE_GIT;
  const pluginsGit = process.env.OPNSENSE_PLUGINS_GIT;
  describe.skipIf(!coreGit || !pluginsGit)(`in OPNsense's code${!coreGit || !pluginsGit ? ' (skipped: OPNSENSE_CORE_GIT or OPNSENSE_PLUGINS_GIT is not set)' : ''}`, () => {
    const show = (git: string, tag: string, path: string) => {
      const r = spawnSync('git', ['--git-dir', git, 'show', `${tag}:${path}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${tag}:${path}: ${r.stderr}`);
      return r.stdout;
    };
    const hook = (source: string, name: string) => new RegExp(`'${name}' => \\['([\\w:]+)`).exec(source)?.[1];

    it.each(UPSTREAM_RELEASES.map((r) => r.tag))('%s', (tag) => {
      const unbound = show(coreGit!, tag, 'src/etc/inc/plugins.inc.d/unbound.inc');
      const model = show(coreGit!, tag, 'src/opnsense/mvc/app/models/OPNsense/Unbound/Unbound.xml');
      expect(/<port type="PortField">\s*<Default>(\d+)<\/Default>/.exec(model)?.[1]).toBe(String(UNBOUND_UDP.port));
      // No listen interface chosen (the factory's): every address.
      expect(/\} else \{\s*\$bindints \.= "interface: 0\.0\.0\.0\\n";/.test(unbound)).toBe(true);
      const ntpd = show(coreGit!, tag, 'src/etc/inc/plugins.inc.d/ntpd.inc');
      expect(/function ntpd_enabled\(\)\s*\{\s*global \$config;\s*return isset\(\$config\['system'\]\['timeservers'\]\);/.test(ntpd)).toBe(true);
      // Without <ntpd><interface> no "interface ignore wildcard" line is written.
      expect(/if \(!empty\(\$config\['ntpd'\]\['interface'\]\)\) \{[^]*?interface ignore wildcard/.test(ntpd)).toBe(true);
      const boot = show(coreGit!, tag, 'src/etc/rc.bootup');
      const at = (stage: string) => boot.indexOf(`plugins_configure('${stage}', true);`);
      expect(at('dhcp')).toBeGreaterThan(0);
      expect(at('dns')).toBeLessThan(at('vpn'));
      expect(at('dhcp')).toBeLessThan(at('vpn'));
      expect(hook(show(coreGit!, tag, 'src/etc/inc/plugins.inc.d/wireguard.inc'), 'vpn')).toBe('wireguard_configure_do');
      expect(hook(unbound, 'dns')).toBe('unbound_configure_do');
      expect(hook(show(coreGit!, tag, 'src/etc/inc/plugins.inc.d/dnsmasq.inc'), 'dns')).toBe('dnsmasq_configure_do');
      // ISC dhcpd: in core up to 25.7, a plugin from 26.1.
      const isc = tag.startsWith('25.') ? show(coreGit!, tag, 'src/etc/inc/plugins.inc.d/dhcpd.inc') : show(pluginsGit!, tag, 'net/isc-dhcp/src/etc/inc/plugins.inc.d/dhcpd.inc');
      expect(hook(isc, 'dhcp')).toBe('dhcpd_dhcp_configure:3');
    });
  });
});

describe('endpoint: a host clients can resolve', () => {
  it.each(['*.example.com', 'vpn.*', '999.1.1.1', 'vpn..example.com'])('refuses %s at the endpoint (schema)', async (endpoint) => {
    const text = edit(homelab, [...wg0, 'endpoint'], endpoint);
    const found = (await lint(text)).filter((d) => d.rule === 'schema');
    expect(found.map((d) => d.location.line)).toEqual([lineOf(text, [...wg0, 'endpoint'])]);
  });

  it.each(['vpn.example.com', 'vpn-1.example.co.uk', 'localhost', '203.0.113.7'])('takes %s', async (endpoint) => {
    expect(await lint(edit(homelab, [...wg0, 'endpoint'], endpoint))).toEqual([]);
  });
});
