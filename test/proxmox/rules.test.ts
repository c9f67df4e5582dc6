import { describe, expect, it } from 'vitest';
import { edit, lint, readExample, render } from '../helpers.js';
import { lineOf, lineOfKey } from '../yaml-lines.js';
import { MGMT, hostOnVlan } from './vlan-address.js';

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

describe('a bridge MTU is written, never reported', () => {
  const homelab = readExample('homelab');
  const bridges = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges'];

  it('passes an MTU on a bridge without ports (guests plug in there and take it)', async () => {
    expect(await lint(edit(homelab, [...bridges, 2, 'mtu'], 9000))).toEqual([]);
  });

  it('refuses an MTU outside what Proxmox VE takes (1280-65520), at the value', async () => {
    const text = edit(homelab, [...bridges, 0, 'mtu'], 1000);
    const found = (await lint(text)).filter((d) => d.rule === 'schema');
    expect(found.map((d) => d.location.line)).toEqual([lineOf(text, [...bridges, 0, 'mtu'])]);
  });
});

describe('proxmox/vids-refused', () => {
  const rule = 'proxmox/vids-refused';

  it.each([
    [1, 'lists VLAN 1, the untagged native VLAN'],
    ['1-30', 'lists VLAN 1'],
    ['20-20', 'is a range of one tag (write 20)'],
  ])('refuses vids entry %s, at the entry', async (entry, message) => {
    const text = edit(hosting, [...vmbr2, 'vids'], [10, entry, 30]);
    const found = (await lint(text)).filter((d) => d.rule === rule);
    expect(found.map((d) => [d.severity, d.location.line])).toEqual([['error', lineOf(text, [...vmbr2, 'vids', 1])]]);
    expect(found[0]!.message).toContain(`bridge vmbr2: vids entry ${entry} ${message}`);
  });

  it('passes tags and ranges Proxmox VE takes', async () => {
    expect((await lint(edit(hosting, [...vmbr2, 'vids'], [10, 20, '30-40', '2-9']))).filter((d) => d.rule === rule)).toEqual([]);
  });
});

describe('proxmox/vlan-1-native', () => {
  const rule = 'proxmox/vlan-1-native';
  const mgmt = ['sites', 0, 'firewall', 'interfaces', 2];

  it('is an error for a firewall VLAN tagged 1 on a VLAN-aware bridge, at the tag', async () => {
    const text = edit(hosting, [...mgmt, 'vlan', 'tag'], 1);
    const found = (await lint(text)).filter((d) => d.rule === rule);
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', "VLAN mgmt: tag 1 is the untagged native VLAN of bridge pve vmbr2, so frames tagged 1 never reach the firewall's VLAN device", lineOf(text, [...mgmt, 'vlan', 'tag'])],
    ]);
    // The derived bridge-vids never list it, and no second finding says they should.
    expect((await lint(text)).filter((d) => d.rule === 'proxmox/bridge-missing-vlan')).toEqual([]);
  });

  it('passes VLAN tags 2-4094', async () => {
    expect((await lint(edit(hosting, [...mgmt, 'vlan', 'tag'], 2))).filter((d) => d.rule === rule)).toEqual([]);
  });
});

describe('a bridge gateway must be reachable from the bridge (ip/address-outside-network)', () => {
  const homelab = readExample('homelab');
  const bridges = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges'];
  const rule = 'ip/address-outside-network';

  it('is an error for a gateway outside the bridge network, at the gateway', async () => {
    const text = edit(edit(homelab, [...bridges, 0, 'address'], '10.10.0.5/24'), [...bridges, 0, 'gateway'], '10.99.0.1');
    const found = (await lint(text)).filter((d) => d.rule === rule);
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', "bridge vmbr0: gateway 10.99.0.1 is outside the bridge's network 10.10.0.0/24, so the host cannot reach it", lineOf(text, [...bridges, 0, 'gateway'])],
    ]);
  });

  it('is an error for a gateway on a bridge where the host has no address', async () => {
    const text = edit(homelab, [...bridges, 2, 'gateway'], '10.1.0.1');
    const found = (await lint(text)).filter((d) => d.rule === rule);
    expect(found.map((d) => [d.message, d.location.line])).toEqual([
      ['bridge vmbr2: gateway 10.1.0.1 needs an address of the host on the bridge to be reached from', lineOf(text, [...bridges, 2, 'gateway'])],
    ]);
  });

  it('passes a gateway inside the bridge network', async () => {
    const text = edit(edit(homelab, [...bridges, 0, 'address'], '10.10.0.5/24'), [...bridges, 0, 'gateway'], '10.10.0.1');
    expect((await lint(text)).filter((d) => d.rule === rule)).toEqual([]);
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

describe('a host address in a network the firewall serves on a bridge', () => {
  const rule = 'proxmox/host-address-bridge';
  const hostVmbr1 = ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 0];

  it('passes the address on the bridge of its network, untagged or as a VLAN of it', async () => {
    expect(await lint(edit(hosting, [...vmbr2, 'address'], '192.168.1.5/24'))).toEqual([]);
    expect(await lint(hostOnVlan)).toEqual([]);
  });

  it('is an error on another bridge: the firewall serves lan on vmbr2, so the derived gateway on vmbr1 is unreachable', async () => {
    const text = edit(hosting, [...hostVmbr1, 'address'], '192.168.1.5/24');
    const found = await lint(text);
    expect(found.map((d) => d.rule)).toEqual([rule]);
    expect(found[0]!.severity).toBe('error');
    expect(found[0]!.message).toBe('bridge vmbr1: the host address 192.168.1.5/24 is in network lan (192.168.1.0/24), which the firewall serves on bridge vmbr2, so nothing of that network is reachable from vmbr1');
    expect(found[0]!.location.line).toBe(lineOf(text, [...hostVmbr1, 'address']));
  });

  it('is an error for a VLAN network too, on a bridge that is not its parent’s', async () => {
    // The address moves from vmbr2 (its VLAN device, in the example) to vmbr1.
    const found = await lint(edit(edit(hosting, [...vmbr2, 'address'], undefined), [...hostVmbr1, 'address'], MGMT.address));
    expect(found.map((d) => [d.rule, d.message.split(',')[0]])).toEqual([[rule, 'bridge vmbr1: the host address 192.168.10.5/24 is in network mgmt (192.168.10.0/24)']]);
  });

  it('reports a host address in a VLAN on a bridge that is not VLAN aware, or whose vids leave the tag out', async () => {
    const unaware = await lint(edit(hostOnVlan, [...vmbr2, 'vlan_aware'], false));
    expect(unaware.filter((d) => d.severity === 'error').map((d) => d.message)).toContain(`bridge vmbr2 must carry VLAN ${MGMT.tag} but is not VLAN aware`);
    const left = await lint(edit(hostOnVlan, [...vmbr2, 'vids'], [20, 30]));
    expect(left.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([`bridge vmbr2 must carry VLAN ${MGMT.tag} for the firewall, but its vids (20 30) leave it out`]);
  });
});

describe('proxmox/host-address-tunnel', () => {
  const rule = 'proxmox/host-address-tunnel';
  const homelab = readExample('homelab');
  const pve = ['sites', 0, 'proxmox', 'hosts', 0];
  const vmbr2Address = [...pve, 'bridges', 2, 'address'];
  it('passes scenario A and an address of the network the firewall serves on the bridge', async () => {
    expect((await lint(homelab)).filter((d) => d.rule === rule)).toEqual([]);
    expect((await lint(edit(homelab, vmbr2Address, '10.1.0.254/24'))).filter((d) => d.rule === rule)).toEqual([]);
  });

  it('is an error for an address in the WireGuard tunnel, which the host would take as on-link (the old service network became the tunnel)', async () => {
    const text = edit(homelab, vmbr2Address, '10.0.1.254/24');
    // Without the old address the host routes the tunnel through the firewall: the route the old address displaces.
    const interfaces = (await render(homelab)).get('home/proxmox/pve/interfaces')!;
    expect(interfaces).toContain('\tpost-up ip route replace 10.0.1.0/24 via 10.0.0.1\n');
    expect(interfaces).toContain('iface vmbr2 inet manual\n');
    const found = (await lint(text)).filter((d) => d.severity === 'error');
    expect(found.map((d) => d.rule)).toEqual([rule]);
    expect(found[0]!.message).toBe(
      'bridge vmbr2: the host address 10.0.1.254/24 is in wireguard (10.0.1.0/24), a WireGuard tunnel network, which no bridge carries: ' +
        'the host takes all of 10.0.1.0/24 as on-link on vmbr2, so it sends everything for that network, replies included, onto vmbr2 instead of through the firewall (10.0.0.1)',
    );
    expect(found[0]!.location.line).toBe(lineOf(text, vmbr2Address));
  });

  it('is an error for an address in a remote network of a site-to-site VPN', async () => {
    const text = edit(edit(homelab, ['sites', 0, 'remote_networks'], [{ name: 'office', cidr: '172.16.0.0/24' }]), vmbr2Address, '172.16.0.5/24');
    const found = (await lint(text)).filter((d) => d.rule === rule);
    expect(found.map((d) => d.message.split(', which')[0])).toEqual(['bridge vmbr2: the host address 172.16.0.5/24 is in office (172.16.0.0/24), a remote network of a site-to-site VPN']);
  });
});

describe('proxmox/vlan-device-name', () => {
  const rule = 'proxmox/vlan-device-name';
  const long = (name: string) => hostOnVlan.replace(/vmbr2\b/g, name);

  it('reports a bridge whose VLAN device for the host address would pass 15 characters, at the bridge name', async () => {
    const text = long('vmbr2-customers');
    const found = await lint(text);
    expect(found.map((d) => d.rule)).toEqual([rule]);
    expect(found[0]!.message).toBe(`bridge vmbr2-customers: the host address ${MGMT.address} is in VLAN ${MGMT.tag}, so it goes on VLAN device vmbr2-customers.${MGMT.tag}, longer than the 15 characters of a Linux interface name`);
    expect(found[0]!.location.line).toBe(lineOf(text, [...vmbr2, 'name']));
  });

  it('passes a name that leaves room for the tag (12 characters and ".10")', async () => {
    expect(await lint(long('vmbr2-hostin'))).toEqual([]);
  });
});


// A bridge without ports is `bridge-ports none`: an empty bridge only the host's own guests join (pve-common
// PVE/Network/Interfaces.pm; Proxmox VE's reading of gen's file: test/proxmox/pve-roundtrip.test.ts).
describe('a host gateway behind a bridge without ports', () => {
  const rule = 'proxmox/host-gateway-no-port';
  const homelab = readExample('homelab');
  const secondHost = (bridges: unknown[]) =>
    edit(edit(homelab, ['sites', 0, 'proxmox', 'hosts', 1], { name: 'pve2', ports: ['eno1', 'eno2'], bridges }), ['sites', 0, 'backup', 'pbs', 'vm', 'host'], 'pve');
  const errors = async (text: string) => (await lint(text)).filter((d) => d.severity === 'error' || d.rule === rule);

  it('passes the portless management bridge of the host that runs the firewall VM, and a second host whose bridge has its port', async () => {
    expect(await errors(homelab)).toEqual([]);
    expect(await errors(secondHost([{ name: 'vmbr1', ports: ['eno1'], address: '10.0.0.253/24' }]))).toEqual([]);
  });

  it("is an error on a second host: its default route goes to the firewall's address, and the firewall VM runs on the other host", async () => {
    const text = secondHost([{ name: 'vmbr1', address: '10.0.0.253/24' }]);
    const found = await errors(text);
    expect(found.map((d) => [d.rule, d.severity, d.location.line])).toEqual([[rule, 'error', lineOf(text, ['sites', 0, 'proxmox', 'hosts', 1, 'bridges', 0])]]);
    expect(found[0]!.message).toBe(
      "host pve2: bridge vmbr1 has no port (bridge-ports none), so its address 10.0.0.253/24 reaches only guests of pve2 on it, but the host's default route goes via 10.0.0.1 there: the firewall's address on management, and the firewall VM runs on host pve",
    );
  });

  it('reports the routes to the networks behind the firewall too, when the default route leaves through a bridge with a port', async () => {
    const found = await errors(secondHost([{ name: 'vmbr0', ports: ['eno1'], address: '192.168.0.11/24' }, { name: 'vmbr1', address: '10.0.0.253/24' }]));
    expect(found.map((d) => [d.rule, d.message.split(' there:')[0]!.split(', but ')[1]])).toEqual([[rule, "the host's routes go via 10.0.0.1"]]);
  });

  it('reports the upstream router as the gateway of a WAN bridge without ports', async () => {
    const found = await errors(secondHost([{ name: 'vmbr0', address: '192.168.0.11/24' }]));
    expect(found.map((d) => [d.rule, d.message.split(' there: ')[1]])).toEqual([[rule, 'the upstream router, outside the host']]);
  });
});
