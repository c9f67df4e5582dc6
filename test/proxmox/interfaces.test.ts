import { describe, expect, it } from 'vitest';
import { UnsafeValueError, cidr, ifname, ipv4, vid } from '../../src/render/proxmox/shell-values.js';
import { edit, readExample, render } from '../helpers.js';
import { option, parseInterfaces } from './interfaces-file.js';
import { MGMT, hostOnVlan, hostOnVlanWithRoutes } from './vlan-address.js';

const homelab = readExample('homelab');
const hosting = readExample('vlan-hosting');

describe('Proxmox interfaces for scenario A', async () => {
  const text = (await render(homelab)).get('home/proxmox/pve/interfaces')!;
  const file = parseInterfaces(text);

  it('has loopback, the physical port as manual and three bridges, all auto but the port', () => {
    expect([...file.stanzas.keys()]).toEqual(['lo', 'eno1', 'vmbr0', 'vmbr1', 'vmbr2']);
    expect(file.auto).toEqual(['lo', 'vmbr0', 'vmbr1', 'vmbr2']);
    expect(file.stanzas.get('lo')!.method).toBe('loopback');
    expect(file.stanzas.get('eno1')).toMatchObject({ family: 'inet', method: 'manual', options: [] });
    expect(file.sources).toEqual(['/etc/network/interfaces.d/*']);
  });

  it('gives vmbr0 the host address, the upstream gateway and the port', () => {
    const vmbr0 = file.stanzas.get('vmbr0')!;
    expect(vmbr0.method).toBe('static');
    expect(vmbr0.options).toEqual([
      ['address', '192.168.0.10/24'],
      ['gateway', '192.168.0.1'],
      ['bridge-ports', 'eno1'],
      ['bridge-stp', 'off'],
      ['bridge-fd', '0'],
    ]);
    expect(vmbr0.comments).toEqual(['External (WAN side, toward the NAT router)']);
  });

  it('gives vmbr1 the derived, idempotent return routes through the firewall: the tunnel, and the service network the host has no address on', () => {
    const vmbr1 = file.stanzas.get('vmbr1')!;
    expect(option(vmbr1, 'address')).toEqual(['10.0.0.254/24']);
    expect(option(vmbr1, 'gateway')).toEqual([]);
    expect(option(vmbr1, 'bridge-ports')).toEqual(['none']);
    expect(option(vmbr1, 'post-up')).toEqual(['ip route replace 10.0.1.0/24 via 10.0.0.1', 'ip route replace 10.1.0.0/24 via 10.0.0.1']);
    expect(option(vmbr1, 'post-down')).toEqual(['ip route del 10.0.1.0/24 via 10.0.0.1 || true', 'ip route del 10.1.0.0/24 via 10.0.0.1 || true']);
  });

  it('says in its header how to install it and that the Proxmox VE GUI rewrites it on its first Apply', () => {
    const header = text.split('\n\n')[0]!;
    expect(header).toMatch(/^# \/etc\/network\/interfaces of Proxmox VE host pve/);
    expect(header).toContain('/etc/network/interfaces.new');
    expect(header).toContain('`pvesh set /nodes/pve/network`');
    expect(header).toMatch(/GUI rewrites this file on its first Apply: it drops these\n# comments and writes its own header/);
  });

  it('leaves vmbr2 without an address and without VLANs', () => {
    const vmbr2 = file.stanzas.get('vmbr2')!;
    expect(vmbr2.method).toBe('manual');
    expect(vmbr2.options).toEqual([
      ['bridge-ports', 'none'],
      ['bridge-stp', 'off'],
      ['bridge-fd', '0'],
    ]);
  });

  it('is LF-only with a final newline and renders the same bytes twice', async () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('\r');
    expect((await render(homelab)).get('home/proxmox/pve/interfaces')).toBe(text);
  });
});

describe('Proxmox interfaces for other topologies', () => {
  // The file replaces the host's whole /etc/network/interfaces: Apply (ifreload -a) takes down what it does not
  // name and purges addresses it does not list (ifupdown2 address-purge), so a file without one cuts the host off.
  it('keeps an address for every host of every example', async () => {
    for (const name of ['homelab', 'vlan-hosting', 'homelab-family'] as const) {
      const files = [...(await render(readExample(name))).entries()].filter(([path]) => /\/proxmox\/[^/]+\/interfaces$/.test(path));
      expect(files.length, name).toBeGreaterThan(0);
      for (const [path, text] of files) {
        const addressed = [...parseInterfaces(text).stanzas.values()].filter((s) => s.method === 'static' && option(s, 'address').length > 0);
        expect(addressed.map((s) => s.name), path).not.toEqual([]);
      }
    }
  });

  it('makes the VLAN bridge of scenario B VLAN aware with the firewall VLANs as bridge-vids', async () => {
    const file = parseInterfaces((await render(hosting)).get('hosting/proxmox/pve/interfaces')!);
    expect(option(file.stanzas.get('vmbr2'), 'bridge-vlan-aware')).toEqual(['yes']);
    expect(option(file.stanzas.get('vmbr2'), 'bridge-vids')).toEqual(['10 20 30']);
    expect(option(file.stanzas.get('vmbr1'), 'bridge-vlan-aware')).toEqual([]);
    expect(option(file.stanzas.get('vmbr1'), 'bridge-ports')).toEqual(['eno3']);
    expect(file.stanzas.get('eno3')!.method).toBe('manual');
  });

  it('writes explicit vids as given, and 2-4094 for a VLAN-aware bridge without VLANs', async () => {
    let text = edit(hosting, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1, 'vids'], [10, 20, 30, '100-199']);
    text = edit(text, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 0, 'vlan_aware'], true);
    const file = parseInterfaces((await render(text)).get('hosting/proxmox/pve/interfaces')!);
    expect(option(file.stanzas.get('vmbr2'), 'bridge-vids')).toEqual(['10 20 30 100-199']);
    expect(option(file.stanzas.get('vmbr1'), 'bridge-vids')).toEqual(['2-4094']);
  });

  it('adds a route for every site-to-site remote network, sorted by address', async () => {
    const text = edit(homelab, ['sites', 0, 'remote_networks'], [
      { name: 'office', cidr: '172.16.0.0/16' },
      { name: 'branch', cidr: '10.50.0.0/24' },
    ]);
    const vmbr1 = parseInterfaces((await render(text)).get('home/proxmox/pve/interfaces')!).stanzas.get('vmbr1');
    expect(option(vmbr1, 'post-up')).toEqual([
      'ip route replace 10.0.1.0/24 via 10.0.0.1',
      'ip route replace 10.1.0.0/24 via 10.0.0.1',
      'ip route replace 10.50.0.0/24 via 10.0.0.1',
      'ip route replace 172.16.0.0/16 via 10.0.0.1',
    ]);
    expect(option(vmbr1, 'post-down')).toHaveLength(4);
  });

  it('needs no route when the host’s default gateway is the firewall itself', async () => {
    const text = edit(homelab, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 0, 'address'], undefined);
    const file = parseInterfaces((await render(text)).get('home/proxmox/pve/interfaces')!);
    expect(option(file.stanzas.get('vmbr1'), 'gateway')).toEqual(['10.0.0.1']);
    expect(option(file.stanzas.get('vmbr1'), 'post-up')).toEqual([]);
    expect(file.stanzas.get('vmbr0')!.method).toBe('manual');
  });

  it('writes a bridge MTU on the bridge, after its VLANs as Proxmox VE does, and on each of its ports', async () => {
    let text = edit(homelab, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 0, 'mtu'], 9000);
    text = edit(edit(text, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 2, 'mtu'], 9000), ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 2, 'vlan_aware'], true);
    const file = parseInterfaces((await render(text)).get('home/proxmox/pve/interfaces')!);
    expect(option(file.stanzas.get('eno1'), 'mtu')).toEqual(['9000']);
    expect(option(file.stanzas.get('vmbr0'), 'mtu')).toEqual(['9000']);
    expect(file.stanzas.get('vmbr2')!.options.map(([k]) => k)).toEqual(['bridge-ports', 'bridge-stp', 'bridge-fd', 'bridge-vlan-aware', 'bridge-vids', 'mtu']);
    expect(option(file.stanzas.get('vmbr2'), 'mtu')).toEqual(['9000']);
  });

  it('derives the same bridge-vids on every host whose bridge of that name carries the firewall trunk', async () => {
    const second = { name: 'pve2', ports: ['eno1'], bridges: [{ name: 'vmbr1', ports: ['eno1'] }, { name: 'vmbr2', ports: ['eno2'] }, { name: 'vmbr9' }] };
    let text = edit(hosting, ['sites', 0, 'proxmox', 'hosts', 1], second);
    text = edit(text, ['sites', 0, 'firewall', 'vm'], { host: 'pve' });
    const files = await render(text);
    const first = parseInterfaces(files.get('hosting/proxmox/pve/interfaces')!);
    const other = parseInterfaces(files.get('hosting/proxmox/pve2/interfaces')!);
    expect(option(other.stanzas.get('vmbr2'), 'bridge-vlan-aware')).toEqual(['yes']);
    expect(option(other.stanzas.get('vmbr2'), 'bridge-vids')).toEqual(option(first.stanzas.get('vmbr2'), 'bridge-vids'));
    expect(option(other.stanzas.get('vmbr2'), 'bridge-vids')).toEqual(['10 20 30']);
    expect(option(other.stanzas.get('vmbr9'), 'bridge-vlan-aware')).toEqual([]);
  });

  it('never lists VLAN 1 in derived bridge-vids: it is the untagged native VLAN', async () => {
    const text = edit(hosting, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 0, 'vlan_aware'], true);
    const file = parseInterfaces((await render(text)).get('hosting/proxmox/pve/interfaces')!);
    expect(option(file.stanzas.get('vmbr1'), 'bridge-vids')).toEqual(['2-4094']);
  });
});

describe('descriptions stay inside their comment line', () => {
  it('cannot open a stanza or an option', async () => {
    // "$", "%" and "\\" are refused by proxmox/description-text (Mako template code).
    const nasty = 'x\u2028iface vmbr9 inet static\u0085 post-up reboot # "quoted"';
    const text = edit(homelab, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 2, 'description'], nasty);
    const file = parseInterfaces((await render(text)).get('home/proxmox/pve/interfaces')!);
    expect([...file.stanzas.keys()]).toEqual(['lo', 'eno1', 'vmbr0', 'vmbr1', 'vmbr2']);
    expect(file.stanzas.get('vmbr2')!.comments).toEqual(['x iface vmbr9 inet static  post-up reboot # "quoted"']);
    expect(option(file.stanzas.get('vmbr2'), 'post-up')).toEqual([]);
  });
});

describe('values for post-up lines and keywords are validated, not quoted', () => {
  it('passes addresses, networks, interface names and VLAN ranges', () => {
    expect(cidr('10.0.1.0/24')).toBe('10.0.1.0/24');
    expect(ipv4('10.0.0.1')).toBe('10.0.0.1');
    expect(ifname('vmbr0')).toBe('vmbr0');
    expect(vid('2-4094')).toBe('2-4094');
    expect(vid('20')).toBe('20');
  });

  it.each([
    () => cidr('10.0.1.0/24; reboot'),
    () => cidr('10.0.1.1/24'),
    () => ipv4('10.0.0.1 || rm -rf /'),
    () => ipv4('$(id)'),
    () => ifname('vmbr0\n\tpost-up reboot'),
    () => vid('4095'),
    () => vid('30-10'),
    // Proxmox VE's API refuses these (pve_verify_vlan_id_or_range): the GUI could not save the bridge.
    () => vid('1'),
    () => vid('1-100'),
    () => vid('20-20'),
  ])('refuses anything else (%#)', (f) => {
    expect(f).toThrow(UnsafeValueError);
  });
});

describe('a host address in a VLAN network goes on the bridge’s VLAN device', () => {
  const fileOf = async (yaml: string) => parseInterfaces((await render(yaml)).get('hosting/proxmox/pve/interfaces')!);

  it('leaves the VLAN-aware bridge without address (untagged, it would be VLAN 1), carrying the tag', async () => {
    const file = await fileOf(hostOnVlan);
    const bridge = file.stanzas.get(MGMT.bridge)!;
    expect(bridge.method).toBe('manual');
    expect(option(bridge, 'address')).toEqual([]);
    expect(option(bridge, 'gateway')).toEqual([]);
    expect(option(bridge, 'bridge-vlan-aware')).toEqual(['yes']);
    expect(option(bridge, 'bridge-vids')[0]!.split(' ')).toContain(String(MGMT.tag));
  });

  it('writes auto <bridge>.<tag>, static, with the address and the firewall on the VLAN as gateway, after the bridges', async () => {
    const file = await fileOf(hostOnVlan);
    expect([...file.stanzas.keys()]).toEqual(['lo', 'eno3', 'vmbr1', 'vmbr2', MGMT.device]);
    expect(file.auto).toContain(MGMT.device);
    expect(file.stanzas.get(MGMT.device)).toMatchObject({ family: 'inet', method: 'static', options: [['address', MGMT.address], ['gateway', MGMT.firewall]] });
  });

  it('puts the routes through the firewall on the VLAN device too', async () => {
    const file = await fileOf(hostOnVlanWithRoutes);
    const device = file.stanzas.get(MGMT.device)!;
    expect(option(device, 'gateway')).toEqual([]);
    expect(option(device, 'post-up')).toEqual(['192.168.1.0/24', '192.168.20.0/24', '192.168.30.0/24'].map((n) => `ip route replace ${n} via ${MGMT.firewall}`));
    expect(option(device, 'post-down')).toHaveLength(3);
    expect(option(file.stanzas.get(MGMT.bridge), 'post-up')).toEqual([]);
    expect(option(file.stanzas.get('vmbr1'), 'gateway')).toEqual(['203.0.113.1']);
  });

  it('keeps an untagged network’s address on the bridge itself', async () => {
    const file = await fileOf(edit(hostOnVlan, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1, 'address'], '192.168.1.5/24'));
    expect(file.stanzas.get(MGMT.bridge)).toMatchObject({ method: 'static' });
    expect(option(file.stanzas.get(MGMT.bridge), 'address')).toEqual(['192.168.1.5/24']);
    expect(file.stanzas.has(MGMT.device)).toBe(false);
  });
});
