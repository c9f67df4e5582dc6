// wg/mtu-overhead: the tunnel MTU plus WireGuard's overhead (60 bytes over
// IPv4, 80 over IPv6) must fit the WAN MTU; the warning names both values.
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';

const homelab = readExample('homelab');
const wg0 = ['sites', 0, 'wireguard', 0];
const wan = ['sites', 0, 'firewall', 'interfaces', 0];

async function findings(text: string) {
  return (await lint(text)).filter((d) => d.rule === 'wg/mtu-overhead');
}

describe('wg/mtu-overhead', () => {
  it('scenario A (MTU 1420 on a 1500 WAN, a host name as endpoint) fits', async () => {
    expect(await findings(homelab)).toEqual([]);
  });

  it('warns when the MTU leaves no room for the IPv6 overhead of a host name endpoint, naming both values', async () => {
    const text = edit(homelab, [...wg0, 'mtu'], 1440);
    const [finding, ...more] = await findings(text);
    expect(more).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toBe(
      "tunnel MTU 1440 of wg0 leaves no room for WireGuard's 80 bytes over IPv6 (the endpoint vpn.example.com may resolve to an IPv6 address) on the WAN MTU 1500: at most 1420",
    );
    expect(finding!.location.line).toBe(lineOf(text, [...wg0, 'mtu']));
  });

  it('an IPv4 endpoint needs 60 bytes', async () => {
    const text = edit(homelab, [...wg0, 'endpoint'], '203.0.113.7');
    expect(await findings(edit(text, [...wg0, 'mtu'], 1440))).toEqual([]);
    const [finding] = await findings(edit(text, [...wg0, 'mtu'], 1441));
    expect(finding!.message).toContain('60 bytes over IPv4 on the WAN MTU 1500: at most 1440');
  });

  it('a smaller WAN MTU (PPPoE, 1492) lowers the limit', async () => {
    const [finding] = await findings(edit(homelab, [...wan, 'mtu'], 1492));
    expect(finding!.message).toContain('tunnel MTU 1420 of wg0');
    expect(finding!.message).toContain('on the WAN MTU 1492: at most 1412');
  });
});
