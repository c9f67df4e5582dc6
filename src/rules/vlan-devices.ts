// A VLAN device with an address of its own (nics[]: eno2.30, bond0.30) on a
// raw device Proxmox VE's writer and the kernel take (pve-common
// PVE/Network/Interfaces.pm, __write_etc_network_interfaces "check vlan").
import { BOND_NAME, PVE_VID_MAX, vlanRawDevice } from '../targets/proxmox/interfaces.js';
import type { Host, HostNic } from '../model.js';
import type { Rule } from './rule.js';
import { hosts } from './walk.js';

/** Why the VLAN device cannot be on its raw device, or undefined when it can. */
function rawProblem(host: Host, nic: HostNic, raw: string): string | undefined {
  const tag = Number(nic.name.slice(raw.length + 1));
  if (tag < 1 || tag > PVE_VID_MAX) return `VLAN ${tag} is outside 1-${PVE_VID_MAX}`;
  if (host.bridges.some((b) => b.name === raw)) return `${raw} is a bridge: give the bridge the address (in a VLAN network the firewall serves there, gen puts it on ${nic.name})`;
  const bond = host.bonds.find((b) => b.name === raw);
  if (BOND_NAME.test(raw) && bond === undefined) return `${raw} is no bond of host ${host.name} (bonds)`;
  const master = host.bonds.find((b) => b.slaves.includes(raw));
  if (master !== undefined) return `${raw} is a slave of bond ${master.name}, which takes all its frames: put the VLAN on ${master.name}`;
  if (bond?.mtu !== undefined && nic.mtu !== undefined && nic.mtu > bond.mtu) return `its MTU ${nic.mtu} is above the MTU ${bond.mtu} of bond ${raw}`;
  return undefined;
}

export const vlanDeviceRules: Rule[] = [
  {
    id: 'proxmox/vlan-device-raw',
    severity: 'error',
    summary: 'A VLAN device with an address of its own (nics[], e.g. eno2.30) has a raw device Proxmox VE or the kernel does not take.',
    why: "Proxmox VE's writer refuses a VLAN whose parent is missing (\"unable to find parent\"), whose id is above 4094, or whose MTU is above its parent's (check_mtu), and then no network change can be saved in the GUI. A VLAN on a bond's slave never receives: the bond takes the slave's frames. A VLAN of a bridge is where gen puts a bridge's address in a VLAN network it knows.",
    hint: 'Put the VLAN device on a physical NIC or a bond of the host (bonds), with a tag of 1-4094 and no larger MTU than the bond; for a bridge, give the bridge the address.',
    examples: [
      {
        where: 'sites[].proxmox.hosts[]',
        bad: 'nics:\n  - { name: bond1.30, description: storage, address: 10.98.0.11/24 }',
        good: 'bonds:\n  - { name: bond1, slaves: [eno2, eno3], mode: active-backup }\nnics:\n  - { name: bond1.30, description: storage, address: 10.98.0.11/24 }',
      },
    ],
    check(model, report) {
      for (const host of hosts(model)) {
        for (const nic of host.nics) {
          const raw = vlanRawDevice(nic.name);
          const problem = raw !== undefined ? rawProblem(host, nic, raw) : undefined;
          if (problem !== undefined) report({ path: nic.path.concat('name'), message: `NIC ${nic.name}: ${problem}` });
        }
      }
    },
  },
];
