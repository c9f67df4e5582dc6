// wg/keepalive-range: a PersistentKeepalive between 10 and 60 seconds (wg(8)
// suggests 25 s; over 60 s NAT mappings expire between keepalives, under 10 s
// the packets buy nothing), 0 (off) aside; the instance's value where a
// client file takes it, a peer's own where it sets one.
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';

const homelab = readExample('homelab');
const wg0 = ['sites', 0, 'wireguard', 0];

async function findings(text: string) {
  return (await lint(text)).filter((d) => d.rule === 'wg/keepalive-range');
}

describe('wg/keepalive-range', () => {
  it('takes 25 (scenario A), 0 and the ends of the range, 10 and 60', async () => {
    expect(await findings(homelab)).toEqual([]);
    for (const seconds of [0, 10, 25, 60]) expect(await findings(edit(homelab, [...wg0, 'keepalive'], seconds)), `keepalive ${seconds}`).toEqual([]);
  });

  it("warns of the instance's 61 or 300 (NAT mappings expire) and 9 or 1 (traffic for nothing), at its keepalive", async () => {
    for (const seconds of [61, 300]) {
      const text = edit(homelab, [...wg0, 'keepalive'], seconds);
      const [finding, ...more] = await findings(text);
      expect(more).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(finding!.message).toBe(
        `keepalive ${seconds} of wg0 (every client file that does not set its own): a NAT router that drops an idle UDP mapping after 60 to 120 s forgets the client between two keepalives, and the firewall can no longer reach it`,
      );
      expect(finding!.location.line).toBe(lineOf(text, [...wg0, 'keepalive']));
    }
    for (const seconds of [1, 9]) {
      const [finding] = await findings(edit(homelab, [...wg0, 'keepalive'], seconds));
      expect(finding!.message).toContain(`a packet every ${seconds} s keeps no mapping open longer than one every 25 s does`);
    }
  });

  it("warns of a peer's own value at the peer, and of one equal to the instance's once, at the instance", async () => {
    const peer = [...wg0, 'peers', 0];
    const text = edit(homelab, [...peer, 'keepalive'], 5);
    const [finding, ...more] = await findings(text);
    expect(more).toEqual([]);
    expect(finding!.message).toMatch(/^keepalive 5 of peer \S+: a packet every 5 s/);
    expect(finding!.location.line).toBe(lineOf(text, [...peer, 'keepalive']));
    // A peer that sets the instance's own value out of range: one finding, the instance's; a peer that turns it off: none.
    const both = edit(edit(homelab, [...wg0, 'keepalive'], 120), [...peer, 'keepalive'], 120);
    expect((await findings(both)).map((f) => f.location.line)).toEqual([lineOf(both, [...wg0, 'keepalive'])]);
    expect(await findings(edit(edit(homelab, [...wg0, 'keepalive'], 25), [...peer, 'keepalive'], 0))).toEqual([]);
  });
});
