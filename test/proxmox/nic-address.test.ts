// A NIC with an address of its own (nics[]): the corosync or storage link
// on a dedicated NIC that Proxmox VE writes `auto eno2` / `iface eno2 inet
// static` / `address ...` (pve-common PVE/Network/Interfaces.pm
// __interface_to_string for an `eth`). Before, every host port was written
// `inet manual`, and Apply (ifreload -a) removed such an address.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edit, lint, modelOf, readExample, render } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { option, parseInterfaces } from './interfaces-file.js';
import { NIC, hostWithNic } from './nic-address.js';

const homelab = readExample('homelab');
const host = ['sites', 0, 'proxmox', 'hosts', 0];
const withNics = (nics: unknown[]) => edit(homelab, [...host, 'nics'], nics);
const errorsOf = async (text: string) => (await lint(text)).filter((d) => d.severity === 'error').map((d) => [d.rule, d.location.line]);

describe('a NIC with an address of its own', async () => {
  const files = await render(hostWithNic);
  const text = files.get('home/proxmox/pve/interfaces')!;
  const file = parseInterfaces(text);

  it('is written as Proxmox VE writes an eth: auto, inet static, address, mtu, then its comment, among the ports', () => {
    expect([...file.stanzas.keys()]).toEqual(['lo', 'eno1', NIC.name, 'vmbr0', 'vmbr1', 'vmbr2']);
    expect(file.auto).toEqual(['lo', NIC.name, 'vmbr0', 'vmbr1', 'vmbr2']);
    expect(file.stanzas.get(NIC.name)).toMatchObject({
      family: 'inet',
      method: 'static',
      options: [
        ['address', NIC.address],
        ['mtu', String(NIC.mtu)],
      ],
      comments: [NIC.description],
    });
  });

  it('leaves the default route and the return routes where they were', async () => {
    const before = parseInterfaces((await render(homelab)).get('home/proxmox/pve/interfaces')!);
    for (const bridge of ['vmbr0', 'vmbr1', 'vmbr2']) expect(file.stanzas.get(bridge)).toEqual(before.stanzas.get(bridge));
    expect(option(file.stanzas.get(NIC.name)!, 'gateway')).toEqual([]);
  });

  it('is in the model with its address, prefix and MTU', async () => {
    const model = await modelOf(hostWithNic);
    expect(model.sites[0]!.hosts[0]!.nics.map(({ name, address, prefix, mtu, network }) => ({ name, address, prefix, mtu, network }))).toEqual([
      { name: NIC.name, address: NIC.address.split('/')[0], prefix: 24, mtu: NIC.mtu, network: undefined },
    ]);
  });

  it('in a network behind the firewall it is on-link: no route via the firewall replaces its connected route', async () => {
    const routesOf = async (yaml: string) => (await modelOf(yaml)).sites[0]!.hosts[0]!.routes.map((r) => r.destination);
    const before = await routesOf(homelab);
    expect(before).toContain('10.1.0.0/24');
    expect(await routesOf(withNics([{ name: 'eno2', address: '10.1.0.50/24' }]))).toEqual(before.filter((d) => d !== '10.1.0.0/24'));
  });

  it('the verify script checks it up, in no bridge, with exactly its address and its MTU, against the box', () => {
    const script = files.get('home/verify/proxmox-pve.sh')!;
    const bin = mkdtempSync(join(tmpdir(), 'gen-nic-verify-'));
    try {
      // `ip` as the box answers it: eno2 up with the address, or in a bridge without it.
      const run = (link: string, address: string) => {
        writeFileSync(
          join(bin, 'ip'),
          `#!/bin/sh\ncase "$*" in\n*"link show dev eno2"*) echo '3: eno2: <BROADCAST,MULTICAST,UP,LOWER_UP> ${link}' ;;\n*"addr show dev eno2"*) [ -z '${address}' ] || echo '3: eno2    inet ${address} brd 10.99.0.255 scope global eno2' ;;\n*) exit 1 ;;\nesac\n`,
        );
        chmodSync(join(bin, 'ip'), 0o755);
        const out = spawnSync('bash', ['-c', script], { env: { PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' }).stdout;
        return out.split('\n').filter((l) => / eno2 /.test(l));
      };
      const line = lineOf(hostWithNic, [...host, 'nics', 0]);
      expect(run('mtu 9000 qdisc mq state UP mode DEFAULT', NIC.address)).toEqual([
        `✓ eno2 is up, in no bridge, with exactly the address ${NIC.address} (topology.yaml:${line})`,
        `✓ eno2 has MTU ${NIC.mtu} (topology.yaml:${line})`,
      ]);
      expect(run('mtu 1500 qdisc mq master vmbr1 state UP mode DEFAULT', '')).toEqual([
        `✗ eno2 is up, in no bridge, with exactly the address ${NIC.address} (topology.yaml:${line}): in vmbr1; IPv4 none, not ${NIC.address}`,
        `✗ eno2 has MTU ${NIC.mtu} (topology.yaml:${line}): eno2 has MTU 1500`,
      ]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('the schema takes a physical NIC (or a VLAN device of a NIC or bond) with an address and nothing else', () => {
  it.each([
    ['a bond', { name: 'bond0', address: '10.99.0.11/24' }],
    ['a bridge', { name: 'vmbr9', address: '10.99.0.11/24' }],
    ['a VLAN device of a bridge', { name: 'vmbr0.50', address: '10.99.0.11/24' }],
    ['loopback', { name: 'lo', address: '10.99.0.11/24' }],
    ['an address without prefix', { name: 'eno2', address: '10.99.0.11' }],
    ['a gateway', { name: 'eno2', address: '10.99.0.11/24', gateway: '10.99.0.1' }],
    ['no address', { name: 'eno2' }],
    ['an MTU Proxmox VE refuses', { name: 'eno2', address: '10.99.0.11/24', mtu: 70000 }],
  ])('refuses %s', async (_, nic) => {
    expect((await errorsOf(withNics([nic]))).map(([rule]) => rule)).toEqual(['schema']);
  });
});

describe('the address is checked like every host address', () => {
  const at = (text: string, key: string) => lineOf(text, [...host, 'nics', 0, key]);

  it('ip/duplicate-address: the address of a bridge', async () => {
    const text = withNics([{ name: 'eno2', address: '10.0.0.254/24' }]);
    expect(await errorsOf(text)).toEqual([['ip/duplicate-address', at(text, 'address')]]);
  });

  it('ip/reserved-address: the network address of a known network', async () => {
    const text = withNics([{ name: 'eno2', address: '10.0.0.0/24' }]);
    expect(await errorsOf(text)).toEqual([['ip/reserved-address', at(text, 'address')]]);
  });

  it('ip/prefix-mismatch: a prefix other than its network’s', async () => {
    const text = withNics([{ name: 'eno2', address: '10.0.0.50/16' }]);
    expect((await lint(text)).filter((d) => d.rule === 'ip/prefix-mismatch').map((d) => [d.message, d.location.line])).toEqual([
      ['NIC eno2: 10.0.0.50/16 has prefix /16 but its network management is 10.0.0.0/24', at(text, 'address')],
    ]);
  });

  it('proxmox/host-address-tunnel: in the WireGuard tunnel, which no link carries', async () => {
    const text = withNics([{ name: 'eno2', address: '10.0.1.254/24' }]);
    expect((await lint(text)).filter((d) => d.severity === 'error').map((d) => [d.rule, d.message.split(':')[0], d.location.line])).toEqual([
      ['proxmox/host-address-tunnel', 'NIC eno2', at(text, 'address')],
    ]);
  });

  it('names/duplicate: one NIC twice', async () => {
    expect((await errorsOf(withNics([NIC, Object.assign({}, NIC, { address: '10.98.0.11/24' })]))).map(([rule]) => rule)).toEqual(['names/duplicate']);
  });

  it('proxmox/description-text: template characters in its description', async () => {
    const text = withNics([{ name: 'eno2', address: '10.99.0.11/24', description: 'link ${reboot}' }]);
    expect(await errorsOf(text)).toEqual([['proxmox/description-text', at(text, 'description')]]);
  });
});

describe('proxmox/nic-address-bridged', () => {
  it('is an error when the NIC is a port of a bridge (Proxmox VE refuses the file), at its name', async () => {
    const text = withNics([{ name: 'eno1', address: '10.99.0.11/24' }]);
    expect((await lint(text)).filter((d) => d.severity === 'error').map((d) => [d.rule, d.message, d.location.line])).toEqual([
      ['proxmox/nic-address-bridged', 'NIC eno1 has an address of its own but is a port of bridge vmbr0', lineOf(text, [...host, 'nics', 0, 'name'])],
    ]);
  });

  it('is an error when the NIC has the name of a bridge', async () => {
    const text = edit(withNics([{ name: 'lan0', address: '10.99.0.11/24' }]), [...host, 'bridges', 2, 'name'], 'lan0');
    expect((await lint(text)).filter((d) => d.rule === 'proxmox/nic-address-bridged').map((d) => d.message)).toEqual(['NIC lan0 has an address of its own but is a bridge of host pve']);
  });

  it('passes a NIC that is also listed in ports, and in no bridge: one stanza, static', async () => {
    const text = edit(withNics([NIC]), [...host, 'ports'], ['eno1', 'eno2']);
    expect(await errorsOf(text)).toEqual([]);
    const file = parseInterfaces((await render(text)).get('home/proxmox/pve/interfaces')!);
    expect([...file.stanzas.keys()].filter((n) => n === 'eno2')).toHaveLength(1);
    expect(file.stanzas.get('eno2')!.method).toBe('static');
  });
});

describe('proxmox/host-no-address', () => {
  // The vlan-hosting host without its management address: the file gives it no address at all.
  const bare = edit(readExample('vlan-hosting'), ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1, 'address'], undefined);
  const rulesOf = async (text: string) => (await lint(text)).map((d) => d.rule);

  it('is not reported for a host whose only address is a NIC of its own: the node keeps it after Apply', async () => {
    expect(await rulesOf(bare)).toContain('proxmox/host-no-address');
    const withNic = edit(bare, ['sites', 0, 'proxmox', 'hosts', 0, 'nics'], [{ name: 'eno2', address: '10.99.0.11/24' }]);
    expect(await rulesOf(withNic)).not.toContain('proxmox/host-no-address');
  });
});
