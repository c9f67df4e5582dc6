// The -lan client files (for an upstream router that does not hairpin) must send their handshakes to the firewall itself.
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample, render } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { parseWgQuick } from './wg-ini.js';

const rule = 'wg/lan-endpoint-address';
const homelab = readExample('homelab');
const lanEndpoint = ['sites', 0, 'wireguard', 0, 'lan_endpoint'];

/** The addresses the firewall has, as its interfaces.xml assigns them. */
function firewallAddresses(files: Map<string, string>): string[] {
  return [...files.get('home/opnsense/interfaces.xml')!.matchAll(/<ipaddr>([0-9.]+)<\/ipaddr>/g)].map((m) => m[1]!);
}

function lanFileEndpoint(files: Map<string, string>): string {
  const peer = parseWgQuick(files.get('home/wireguard/mac-ws-lan.conf')!).find((s) => s.name === 'Peer')!;
  return String(peer.values.Endpoint).split(':')[0]!;
}

describe('wg/lan-endpoint-address', () => {
  it('passes true and the firewall’s own addresses: the -lan file then names an address the firewall has', async () => {
    for (const value of [true, '192.168.0.2', '10.0.0.1']) {
      const text = edit(homelab, lanEndpoint, value);
      expect((await lint(text)).filter((d) => d.rule === rule)).toEqual([]);
      const files = await render(text);
      expect(firewallAddresses(files)).toContain(lanFileEndpoint(files));
    }
  });

  it.each([
    ['192.168.0.1', "the upstream router's address (the WAN gateway)"],
    ['192.168.0.10', 'the address of host pve bridge vmbr0'],
    ['10.0.0.254', 'the address of host pve bridge vmbr1'],
    ['192.168.0.3', 'no address of the firewall: its address in wan is 192.168.0.2'],
    ['10.0.1.1', 'in the tunnel network of wg0 (10.0.1.0/24), reached only through a tunnel'],
    ['203.0.113.7', "a public address, which clients on the router's LAN reach only through NAT hairpin"],
    ['172.16.0.9', 'no address of the firewall (192.168.0.2, 10.0.0.1, 10.1.0.1)'],
  ])('is an error for %s, which no interface of the firewall has', async (address, what) => {
    const text = edit(homelab, lanEndpoint, address);
    const errors = (await lint(text)).filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.rule, d.message])).toEqual([[rule, `lan_endpoint ${address} of wg0 is ${what}, so the handshakes of its -lan clients never reach the firewall`]]);
    expect(errors[0]!.location.line).toBe(lineOf(text, lanEndpoint));
    expect(errors[0]!.hint).toBe("Set lan_endpoint: true (the firewall's WAN address 192.168.0.2), or the firewall's own address on the clients' network.");
  });

  it('takes an address outside the firewall’s networks as the address of a DHCP WAN, which gen does not know', async () => {
    const dhcp = homelab.replace('address: 192.168.0.2/24\n          gateway: 192.168.0.1', 'address: dhcp');
    expect((await lint(edit(dhcp, lanEndpoint, '192.168.0.2'))).filter((d) => d.rule === rule)).toEqual([]);
    expect((await lint(edit(dhcp, lanEndpoint, '10.0.0.254'))).filter((d) => d.rule === rule).length).toBe(1);
  });
});
