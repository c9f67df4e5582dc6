// The host devices Proxmox makes for a guest NIC, against the longest guest
// id and NIC number Proxmox allows, and the kernel's own limit on their names.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostDevices } from '../../src/targets/proxmox/device-names.js';
import { IFNAME_MAX } from '../../src/targets/proxmox/interfaces.js';
import { MAX_NETS, VMID_MAX, VMID_MIN } from '../../src/targets/proxmox/guest-formats.js';
import { missing } from '../system-tools.js';

describe('hostDevices', () => {
  it('gives every NIC gen defines a start name of at most 15 characters, for any guest id: its guests always start', () => {
    // The longest names: the most digits, the highest NIC number. gen's VMs have net0 to net31, its containers net0 only.
    const longest = [...[0, 9, MAX_NETS - 1].map((index) => ['vm', index] as const), ['ct', 0] as const];
    for (const [kind, index] of longest) {
      const start = hostDevices(kind, VMID_MAX, index).filter((d) => d.when === 'start');
      expect(start.length).toBe(1);
      expect(start[0]!.name.length).toBeLessThanOrEqual(IFNAME_MAX);
    }
    expect(hostDevices('vm', VMID_MAX, MAX_NETS - 1).find((d) => d.when === 'start')!.name).toBe('tap999999999i31');
    // A container NIC from net10 on would not start with a nine-digit id: gen gives containers net0 only.
    expect(hostDevices('ct', VMID_MAX, 10).find((d) => d.when === 'start')!.name.length).toBe(IFNAME_MAX + 1);
  });

  it("overflows only a container's hotplug end at net0 with nine digits, and the firewall's devices from net10 on", () => {
    const over = (kind: 'vm' | 'ct', vmid: number, index: number) => hostDevices(kind, vmid, index).filter((d) => d.name.length > IFNAME_MAX).map((d) => `${d.when} ${d.name}`);
    expect(over('ct', 100_000_000, 0)).toEqual(['hotplug veth100000000i0p']);
    expect(over('ct', 99_999_999, 0)).toEqual([]);
    expect(over('vm', VMID_MAX, 0)).toEqual([]);
    expect(over('vm', VMID_MAX, 10)).toEqual(['firewall fwbr999999999i10', 'firewall fwln999999999i10', 'firewall fwpr999999999p10']);
    expect(over('ct', VMID_MIN, MAX_NETS - 1)).toEqual([]);
  });
});

// In a user and network namespace of its own: the kernel's and iproute2's verdict, without touching the host's devices.
const why = missing(['unshare', 'ip'], false);

describe.skipIf(why)(`the kernel on the names${why ? ` (skipped: ${why})` : ''}`, () => {
  const addVeth = (name: string, peer: string) =>
    spawnSync('unshare', ['--user', '--map-root-user', '--net', 'ip', 'link', 'add', 'name', name, 'type', 'veth', 'peer', 'name', peer], { encoding: 'utf8' });

  it('takes a veth pair named as a container NIC of a nine-digit id at start, and refuses its hotplug end', () => {
    const devices = hostDevices('ct', VMID_MAX, 0);
    const name = (when: string) => devices.find((d) => d.when === when)!.name;
    const firewallPeer = devices.find((d) => d.name.startsWith('fwpr'))!.name;
    const started = addVeth(name('start'), firewallPeer);
    expect(started.stderr).toBe('');
    expect(started.status).toBe(0);
    const hotplug = addVeth(name('start'), name('hotplug'));
    expect(hotplug.status).not.toBe(0);
    expect(hotplug.stderr).toContain(`"${name('hotplug')}" is wrong: "name" not a valid ifname`);
  });
});
