import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, lint, readExample, render, rulesOf } from '../helpers.js';
import { parseWgQuick } from './wg-ini.js';

const homelab = readExample('homelab');
const wg0 = ['sites', 0, 'wireguard', 0];

describe('WireGuard client files for scenario A', async () => {
  const files = await render(homelab);

  it('writes a public and a LAN file for each enabled peer, none for a disabled one', () => {
    const names = [...files.keys()].filter((f) => f.startsWith('home/wireguard/')).sort();
    expect(names).toEqual([
      'home/wireguard/laptop-john-lan.conf',
      'home/wireguard/laptop-john.conf',
      'home/wireguard/mac-ws-lan.conf',
      'home/wireguard/mac-ws.conf',
      'home/wireguard/peers.md',
    ]);
  });

  it('fills [Interface] and [Peer] from the model', () => {
    const [iface, peer, ...rest] = parseWgQuick(files.get('home/wireguard/mac-ws.conf')!);
    expect(rest).toEqual([]);
    expect(iface!.name).toBe('Interface');
    expect(iface!.values).toEqual({
      PrivateKey: '<private key of mac-workstation: gen wg export writes it>',
      Address: '10.0.1.2/24',
      MTU: '1420',
    });
    expect(peer!.name).toBe('Peer');
    expect(peer!.values).toEqual({
      PublicKey: 'XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU=',
      Endpoint: 'vpn.example.com:51820',
      // Management (10.0.0.0/24) and the tunnel (10.0.1.0/24) join: the fewest prefixes.
      AllowedIPs: '10.0.0.0/23, 10.1.0.0/24',
      PersistentKeepalive: '25',
    });
  });

  it('points the LAN file at the firewall WAN address and the listen port', () => {
    const lanPeer = parseWgQuick(files.get('home/wireguard/laptop-john-lan.conf')!)[1]!;
    expect(lanPeer.values.Endpoint).toBe('192.168.0.2:51820');
    const [iface] = parseWgQuick(files.get('home/wireguard/laptop-john-lan.conf')!);
    expect(iface!.values.Address).toBe('10.0.1.3/24');
  });

  it('never holds anything that looks like a private key', () => {
    for (const [path, text] of files) {
      if (!path.endsWith('.conf')) continue;
      expect(text).not.toMatch(/PrivateKey\s*=\s*[A-Za-z0-9+/]{42}[A-Za-z0-9+/=]{2}/);
      expect(text).toMatch(/\n$/);
      expect(text).not.toMatch(/\r/);
    }
  });

  it('lists every peer in peers.md by address with the end of its key and its status', () => {
    const md = files.get('home/wireguard/peers.md')!;
    const rows = md
      .split('\n')
      .filter((l) => /^\| 10\.0\.1\.\d+ \|/.test(l))
      .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    expect(rows).toEqual([
      ['10.0.1.2', 'mac-workstation', 'workstation', '`...IbHP6zA=`', 'active', '10.0.0.0/23, 10.1.0.0/24'],
      ['10.0.1.3', 'laptop-john', 'workstation', '`...5j4Jk1U=`', 'active', '10.0.0.0/23, 10.1.0.0/24'],
      ['10.0.1.11', 'iphone-john', 'mobile', '`...s60YgyQ=`', 'disabled', '10.0.0.0/23, 10.1.0.0/24'],
    ]);
    expect(md).toContain('| workstation | 10.0.1.2 - 10.0.1.10 | 10.0.1.4 |');
    expect(md).toContain('| mobile | 10.0.1.11 - 10.0.1.50 | 10.0.1.12 |');
  });

  it('renders the same bytes twice', async () => {
    const again = await render(homelab);
    for (const [path, text] of files) if (path.includes('wireguard')) expect(again.get(path)).toBe(text);
  });
});

describe('WireGuard client files for other topologies', () => {
  it('gives a full tunnel every IPv4 and IPv6 destination (0.0.0.0/0, ::/0) and its DNS servers', async () => {
    let text = edit(homelab, [...wg0, 'tunnel'], 'full');
    text = edit(text, [...wg0, 'dns'], ['10.0.0.1']);
    const [iface, peer] = parseWgQuick((await render(text)).get('home/wireguard/laptop-john.conf')!);
    expect(iface!.values.DNS).toBe('10.0.0.1');
    expect(peer!.values.AllowedIPs).toBe('0.0.0.0/0, ::/0');
  });

  it('writes no DNS line in split tunnel even when dns is set (the lint warns)', async () => {
    const text = edit(homelab, [...wg0, 'dns'], ['10.0.0.1']);
    expect(rulesOf(await lint(text))).toContain('wg/dns-split-tunnel');
    expect((await render(text)).get('home/wireguard/laptop-john.conf')).not.toMatch(/^DNS/m);
  });

  it('uses the public endpoint port, a peer keepalive of its own, and no LAN file without lan_endpoint', async () => {
    let text = edit(homelab, [...wg0, 'endpoint_port'], 4500);
    text = edit(text, [...wg0, 'lan_endpoint'], undefined);
    text = edit(text, [...wg0, 'peers', 0, 'keepalive'], 0);
    const files = await render(text);
    expect(files.has('home/wireguard/mac-ws-lan.conf')).toBe(false);
    const peer = parseWgQuick(files.get('home/wireguard/mac-ws.conf')!)[1]!;
    expect(peer.values.Endpoint).toBe('vpn.example.com:4500');
    expect(peer.values.PersistentKeepalive).toBeUndefined();
    expect(parseWgQuick(files.get('home/wireguard/laptop-john.conf')!)[1]!.values.PersistentKeepalive).toBe('25');
  });

  it('sorts AllowedIPs by address whatever order reach lists them in, each address once, in the fewest prefixes', async () => {
    const text = edit(homelab, [...wg0, 'reach'], ['vpn', 'service', 'management', 'service']);
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const peer = parseWgQuick((await render(text)).get('home/wireguard/laptop-john.conf')!)[1]!;
    expect(peer.values.AllowedIPs).toBe('10.0.0.0/23, 10.1.0.0/24');
  });

  it('derives AllowedIPs from the policy: a network the VPN may not reach is left out', async () => {
    const policy = parse(homelab).sites[0].policy;
    let text = edit(homelab, ['sites', 0, 'policy', 'rules'], policy.rules.filter((r: { name: string }) => r.name !== 'vpn-to-service'));
    // The topology's own policy tests expect that flow to pass: drop them with the rule.
    if (policy.tests) text = edit(text, ['sites', 0, 'policy', 'tests'], policy.tests.filter((t: { from: string; to: string }) => !(t.from === 'vpn' && t.to === 'service')));
    const peer = parseWgQuick((await render(text)).get('home/wireguard/laptop-john.conf')!)[1]!;
    expect(peer.values.AllowedIPs).toBe('10.0.0.0/23');
  });

  it('refuses a description that would break out of its line, before anything is rendered', async () => {
    const text = edit(homelab, [...wg0, 'peers', 0, 'description'], 'x\n[Peer]\nAllowedIPs = 0.0.0.0/0');
    const diagnostics = await lint(text);
    expect(diagnostics.some((d) => d.severity === 'error' && d.location.line > 1)).toBe(true);
  });

  it('writes no WireGuard files for a site without an instance', async () => {
    const files = await render(readExample('vlan-hosting'));
    expect([...files.keys()].filter((f) => f.includes('/wireguard/'))).toEqual([]);
  });
});

describe('a site with two WireGuard instances', () => {
  it('names the client files after the instance too, since peer names are unique per instance only', async () => {
    const second = {
      name: 'wg1',
      listen_port: 51821,
      address: '10.0.2.1/24',
      public_key: 'HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=',
      endpoint: 'vpn2.example.com',
      roles: [{ name: 'workstation', from: '10.0.2.2', to: '10.0.2.10' }],
      peers: [{ name: 'mac-workstation', tunnel_name: 'mac-ws', role: 'workstation', address: '10.0.2.2', public_key: generateKeyPair().publicKey }],
    };
    const assigned = edit(homelab, ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' });
    // With the instance prefix, wg0-laptop-john-lan would be 19 characters: too long for wg-quick.
    const text = edit(edit(assigned, ['sites', 0, 'wireguard', 1], second), [...wg0, 'peers', 1, 'tunnel_name'], 'john');
    const files = await render(text);
    const names = [...files.keys()].filter((f) => f.startsWith('home/wireguard/')).sort();
    expect(names).toContain('home/wireguard/wg0-mac-ws.conf');
    expect(names).toContain('home/wireguard/wg0-mac-ws-lan.conf');
    expect(names).toContain('home/wireguard/wg1-mac-ws.conf');
    expect(names).not.toContain('home/wireguard/wg1-mac-ws-lan.conf');
    const [iface, peer] = parseWgQuick(files.get('home/wireguard/wg1-mac-ws.conf')!);
    expect(iface!.values.Address).toBe('10.0.2.2/24');
    expect(peer!.values.Endpoint).toBe('vpn2.example.com:51821');
    expect(files.get('home/wireguard/peers.md')).toContain('## wg1');
    expect(files.get('home/wireguard/wg1-mac-ws.conf')).toContain('`gen wg export mac-workstation --instance wg1` fills in the private key');
    expect(files.get('home/wireguard/wg0-mac-ws-lan.conf')).toContain('`gen wg export mac-workstation --instance wg0 --lan` fills in');
    // wg1 is in no zone, so its clients may reach nothing: no AllowedIPs line (and a warning).
    expect(peer!.values.AllowedIPs).toBeUndefined();
    expect((await lint(text)).filter((d) => d.rule === 'wg/reach-empty').map((d) => d.message)).toEqual(['clients of wg1 may reach nothing: no pass rule from the tunnel, its roles or its peers']);
  });
});
