// A VLAN device with an address of its own (nics[]: eno4.40, bond0.30): a
// storage or corosync VLAN on a NIC or a bond. Before, a NIC name with a dot
// was refused, and such a network could not be described (Apply purged its
// address). pve-roundtrip.test.ts and ifupdown2.test.ts read the file with
// Proxmox VE's and ifupdown2's own code.
import { describe, expect, it } from 'vitest';
import { edit, lint, render } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { COROSYNC, STORAGE, vlanNics } from './bond.js';
import { option, parseInterfaces } from './interfaces-file.js';

const host = ['sites', 0, 'proxmox', 'hosts', 0];
const errorsOf = async (text: string) => (await lint(text)).filter((d) => d.severity === 'error').map((d) => [d.rule, d.location.line]);

describe('a VLAN device with an address of its own', async () => {
  const file = parseInterfaces((await render(vlanNics)).get('hosting/proxmox/pve/interfaces')!);
  const names = [...file.stanzas.keys()];

  it('is written static with its address, after the interfaces of its raw device’s kind, as Proxmox VE orders a VLAN', () => {
    // eno4, the NIC under eno4.40, `manual` (the GUI adds a stanza for every NIC the file does not name).
    expect(names).toEqual(['lo', 'eno3', 'eno1', 'eno2', 'eno4', COROSYNC.name, 'bond0', STORAGE.name, 'vmbr1', 'vmbr2', 'vmbr2.10']);
    expect(file.stanzas.get('eno4')).toMatchObject({ method: 'manual', options: [] });
    for (const nic of [STORAGE, COROSYNC]) {
      expect(file.auto).toContain(nic.name);
      expect(file.stanzas.get(nic.name)).toMatchObject({ method: 'static', comments: [nic.description] });
      expect(option(file.stanzas.get(nic.name)!, 'address')).toEqual([nic.address]);
    }
  });

  it('puts its MTU on its raw bond and the bond’s slaves too (Proxmox VE refuses a VLAN above its parent’s MTU)', () => {
    for (const name of [STORAGE.name, 'bond0', 'eno1', 'eno2']) expect(option(file.stanzas.get(name)!, 'mtu'), name).toEqual([String(STORAGE.mtu)]);
  });

  it('lints clean, and the verify script checks it in no bridge with exactly its address', async () => {
    expect(await errorsOf(vlanNics)).toEqual([]);
    const script = (await render(vlanNics)).get('hosting/verify/proxmox-pve.sh')!;
    expect(script).toContain(`nic_check '${STORAGE.name} is up, in no bridge, with exactly the address ${STORAGE.address}'`);
  });

  it.each([
    ['on a bond the host does not have', 'bond7.30'],
    ['on a bond’s slave', 'eno1.30'],
    ['with VLAN 0', 'eno4.0'],
    ['with VLAN 4095', 'eno4.4095'],
  ])('is an error %s (proxmox/vlan-device-raw)', async (_, name) => {
    const text = edit(vlanNics, [...host, 'nics', 1, 'name'], name);
    expect(await errorsOf(text)).toEqual([['proxmox/vlan-device-raw', lineOf(text, [...host, 'nics', 1, 'name'])]]);
  });

  it('is an error on a bridge, and with an MTU above its bond’s (proxmox/vlan-device-raw)', async () => {
    const onBridge = edit(vlanNics, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 0, 'name'], 'lan0');
    const text = edit(onBridge, [...host, 'nics', 1, 'name'], 'lan0.40');
    expect((await errorsOf(text)).filter(([rule]) => rule === 'proxmox/vlan-device-raw')).toEqual([['proxmox/vlan-device-raw', lineOf(text, [...host, 'nics', 1, 'name'])]]);
    const low = edit(vlanNics, [...host, 'bonds', 0, 'mtu'], 1500);
    expect(await errorsOf(low)).toEqual([['proxmox/vlan-device-raw', lineOf(low, [...host, 'nics', 0, 'name'])]]);
  });

  it('refuses in the schema a VLAN of vmbr… or lo, a tag of five digits, a name over 15 characters', async () => {
    for (const name of ['vmbr0.30', 'lo.5', 'eno4.12345', 'enp129s0f1np1.30']) {
      const errors = await errorsOf(edit(vlanNics, [...host, 'nics', 1, 'name'], name));
      expect(errors.length, name).toBeGreaterThan(0);
      expect(errors.every(([rule]) => rule === 'schema'), `${name}: ${JSON.stringify(errors)}`).toBe(true);
    }
  });
});
