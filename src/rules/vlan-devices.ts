// A VLAN device with an address of its own (nics[]: eno2.30, bond0.30), or a
// bridge's VLAN device port (vmbr2.40), on a raw device Proxmox VE's writer
// and the kernel take (pve-common PVE/Network/Interfaces.pm,
// __write_etc_network_interfaces "check vlan").
import { BOND_NAME, PVE_MTU_DEFAULT, PVE_VID_MAX, vlanRawDevice } from '../targets/proxmox/interfaces.js';
import type { Bridge, Host, HostNic } from '../model.js';
import type { Rule } from './rule.js';
import { bridges, hosts } from './walk.js';

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

/** The bridge a VLAN device name (vmbr2.40, or vmbr2.40.50) is stacked on, if any. */
function rawBridge(host: Host, device: string): Bridge | undefined {
  for (let raw = vlanRawDevice(device); raw !== undefined; raw = vlanRawDevice(raw)) {
    const bridge = host.bridges.find((b) => b.name === raw);
    if (bridge !== undefined) return bridge;
  }
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
  {
    id: 'proxmox/vlan-port-mtu',
    severity: 'error',
    summary: "A bridge's MTU is above the MTU of the bridge under its VLAN device port (vmbr2.40 as a port of a jumbo-frame vmbr3 while vmbr2 has 1500).",
    why: "gen writes the bridge's MTU on each of its ports; a port that is a VLAN of a NIC or bond passes it on to that device, but not to a bridge, whose MTU is every guest's on it. Proxmox VE's writer then refuses the whole file (check_mtu in \"check vlan\": \"interface 'vmbr2' - mtu 1500 is lower than 'vmbr2.40' - mtu 9000\"; a bridge without an mtu line counts as 1500), so no network change can be saved in the GUI, and the kernel will not give a VLAN device an MTU above its raw device's.",
    hint: 'Give the bridge under the VLAN device at least the same MTU (and its ports with it), or lower this bridge\'s MTU to that bridge\'s.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.hosts[pve].bridges[+]',
        bad: 'name: vmbr3\nports: [vmbr2.40]\nmtu: 9000',
        good: 'name: vmbr3\nports: [vmbr2.40]',
      },
    ],
    check(model, report) {
      for (const { host, bridge } of bridges(model)) {
        const raws = bridge.ports.map((port) => ({ port, raw: rawBridge(host, port) }));
        for (const { port, raw } of raws) {
          const rawMtu = raw?.mtu ?? PVE_MTU_DEFAULT;
          if (raw === undefined || bridge.mtu === undefined || rawMtu >= bridge.mtu) continue;
          report({
            path: bridge.path.concat('mtu'),
            message: `bridge ${bridge.name}: MTU ${bridge.mtu} is above the MTU ${rawMtu} of bridge ${raw.name}${raw.mtu === undefined ? ' (no mtu given)' : ''}, on which its port ${port} is a VLAN device`,
            hint: `Give bridge ${raw.name} mtu: ${bridge.mtu} (and its ports with it), or bridge ${bridge.name} at most mtu: ${rawMtu}.`,
          });
        }
      }
    },
  },
];
