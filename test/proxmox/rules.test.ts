import { describe, expect, it } from 'vitest';
import { edit, lint, readExample } from '../helpers.js';
import { lineOf, lineOfKey } from '../yaml-lines.js';

const hosting = readExample('vlan-hosting');
const vmbr2 = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1];

async function findings(text: string) {
  return (await lint(text)).filter((d) => d.rule === 'proxmox/bridge-missing-vlan');
}

describe('proxmox/bridge-missing-vlan', () => {
  it('passes scenario B: the VLANs are derived into bridge-vids', async () => {
    expect(await findings(hosting)).toEqual([]);
  });

  it('passes explicit vids that cover every firewall VLAN', async () => {
    expect(await findings(edit(hosting, [...vmbr2, 'vids'], ['10-30']))).toEqual([]);
  });

  it('is an error when the bridge the firewall VLANs ride on is not VLAN aware', async () => {
    const text = edit(hosting, [...vmbr2, 'vlan_aware'], false);
    const found = await findings(text);
    expect(found.map((d) => d.message)).toEqual([10, 20, 30].map((tag) => `bridge vmbr2 must carry VLAN ${tag} but is not VLAN aware`));
    expect(found.every((d) => d.severity === 'error' && d.location.line === lineOfKey(text, [...vmbr2, 'vlan_aware']))).toBe(true);
  });

  it('is an error when explicit bridge-vids leave a firewall VLAN out', async () => {
    const text = edit(hosting, [...vmbr2, 'vids'], [10, 30]);
    const [finding, ...more] = await findings(text);
    expect(more).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toBe('bridge vmbr2 must carry VLAN 20 for the firewall, but its vids (10 30) leave it out');
    expect([lineOf(text, [...vmbr2, 'vids']), lineOfKey(text, [...vmbr2, 'vids'])]).toContain(finding!.location.line);
  });
});

describe('proxmox/bridge-mtu-without-ports', () => {
  const homelab = readExample('homelab');
  const bridges = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges'];

  it('warns on an MTU for a bridge without ports', async () => {
    const text = edit(homelab, [...bridges, 2, 'mtu'], 9000);
    const found = (await lint(text)).filter((d) => d.rule === 'proxmox/bridge-mtu-without-ports');
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([['warning', 'bridge vmbr2 has no ports to carry its MTU 9000', lineOf(text, [...bridges, 2, 'mtu'])]]);
  });

  it('passes an MTU on a bridge with a port', async () => {
    const text = edit(homelab, [...bridges, 0, 'mtu'], 9000);
    expect((await lint(text)).filter((d) => d.rule === 'proxmox/bridge-mtu-without-ports')).toEqual([]);
  });
});

describe('proxmox/description-text', () => {
  it('refuses template syntax in a bridge description, at its line', async () => {
    const text = readExample('homelab').replace('description: Management\n', 'description: "Management ${__import__(\'os\').system(\'reboot\')}"\n');
    const hits = (await lint(text)).filter((d) => d.rule === 'proxmox/description-text');
    expect(hits.map((d) => d.location.line)).toEqual([text.split('\n').findIndex((l) => l.includes('__import__')) + 1]);
    expect(await lint(readExample('homelab'))).toEqual([]);
  });
});

describe('proxmox/port-in-two-bridges', () => {
  const homelab = readExample('homelab');
  const bridges = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges'];

  it('is an error when a port is enslaved to a second bridge, at that port', async () => {
    const text = edit(homelab, [...bridges, 1, 'ports'], ['eno1']);
    const found = (await lint(text)).filter((d) => d.rule === 'proxmox/port-in-two-bridges');
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', 'port eno1 of bridge vmbr1 is already a port of bridge vmbr0', lineOf(text, [...bridges, 1, 'ports', 0])],
    ]);
  });

  it('passes ports that each belong to one bridge', async () => {
    const text = edit(edit(homelab, ['sites', 0, 'proxmox', 'hosts', 0, 'ports'], ['eno1', 'eno2']), [...bridges, 1, 'ports'], ['eno2']);
    expect((await lint(text)).filter((d) => d.rule === 'proxmox/port-in-two-bridges')).toEqual([]);
  });
});

describe('proxmox/vids-without-vlan-aware', () => {
  const rule = 'proxmox/vids-without-vlan-aware';
  const vmbr1 = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 0];

  it('warns on vids for a bridge that is explicitly not VLAN aware, at the vids key', async () => {
    const text = edit(edit(hosting, [...vmbr1, 'vlan_aware'], false), [...vmbr1, 'vids'], [100]);
    const found = (await lint(text)).filter((d) => d.rule === rule);
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([['warning', 'bridge vmbr1 has vids but vlan_aware: false', lineOfKey(text, [...vmbr1, 'vids'])]]);
  });

  it('passes vids on a bridge that is VLAN aware, or left to be derived', async () => {
    expect((await lint(edit(hosting, [...vmbr1, 'vids'], [100]))).filter((d) => d.rule === rule)).toEqual([]);
    expect((await lint(edit(edit(hosting, [...vmbr1, 'vlan_aware'], true), [...vmbr1, 'vids'], [100]))).filter((d) => d.rule === rule)).toEqual([]);
  });
});
