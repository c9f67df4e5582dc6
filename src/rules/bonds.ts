// A host's Linux bonds as Proxmox VE's writer (pve-common
// PVE/Network/Interfaces.pm) takes them: the GUI saves the whole file on any
// network edit, so a bond it refuses or rewrites breaks every later change.
import type { Host, HostBond } from '../model.js';
import { BOND_HASH_MODES, BOND_NAME, BOND_PRIMARY_MODE, vlanRawDevice } from '../targets/proxmox/interfaces.js';
import type { Rule, RuleReport } from './rule.js';
import { hosts } from './walk.js';

/** What else of the host a bond's slave is, or undefined when it is free to enslave. */
function slaveConflicts(host: Host): (bond: HostBond, slave: string) => string | undefined {
  const taken = new Map<string, string>();
  for (const bridge of host.bridges) {
    taken.set(bridge.name, `bridge ${bridge.name}`);
    for (const port of bridge.ports) if (!taken.has(port)) taken.set(port, `a port of bridge ${bridge.name}`);
  }
  for (const nic of host.nics) if (!taken.has(nic.name)) taken.set(nic.name, 'a NIC with an address of its own (nics)');
  for (const bond of host.bonds) taken.set(bond.name, `bond ${bond.name}`);
  const slaveOf = new Map<string, string>();
  return (bond, slave) => {
    if (slave === 'lo' || slave.includes('.')) return 'not a physical NIC';
    const other = taken.get(slave);
    if (other !== undefined) return other;
    const first = slaveOf.get(slave);
    if (first !== undefined) return first === bond.name ? `listed twice in bond ${bond.name}` : `a slave of bond ${first}`;
    slaveOf.set(slave, bond.name);
    return undefined;
  };
}

function checkBond(host: Host, bond: HostBond, conflict: (bond: HostBond, slave: string) => string | undefined, report: RuleReport): void {
  bond.slaves.forEach((slave, i) => {
    const other = conflict(bond, slave);
    if (other !== undefined) report({ path: bond.path.concat('slaves', i), message: `bond ${bond.name}: slave ${slave} is ${other}` });
  });
  if (bond.primary !== undefined && bond.mode !== BOND_PRIMARY_MODE) {
    report({ path: bond.path.concat('primary'), message: `bond ${bond.name}: primary is only for mode ${BOND_PRIMARY_MODE}; Proxmox VE drops it from a ${bond.mode} bond` });
  } else if (bond.primary !== undefined && !bond.slaves.includes(bond.primary)) {
    report({ path: bond.path.concat('primary'), message: `bond ${bond.name}: primary ${bond.primary} is not one of its slaves` });
  }
  if (bond.xmitHashPolicy !== undefined && !BOND_HASH_MODES.includes(bond.mode)) {
    report({ path: bond.path.concat('xmit_hash_policy'), message: `bond ${bond.name}: xmit_hash_policy is only for mode ${BOND_HASH_MODES.join(' or ')}; Proxmox VE drops it from a ${bond.mode} bond` });
  }
  // A port on the bond itself, or on a VLAN device of it (bond0.20), whose MTU the bond carries.
  for (const bridge of host.bridges) {
    const port = bridge.ports.find((p) => p === bond.name || vlanRawDevice(p) === bond.name);
    if (port === undefined || bond.mtu === undefined || bridge.mtu === undefined || bond.mtu >= bridge.mtu) continue;
    report({ path: bond.path.concat('mtu'), message: `bond ${bond.name}: MTU ${bond.mtu} is below the MTU ${bridge.mtu} of bridge ${bridge.name}, ` + (port === bond.name ? 'whose port it is' : `whose port ${port} is a VLAN of it`) });
  }
}

export const bondRules: Rule[] = [
  {
    id: 'proxmox/bond-port-unknown',
    severity: 'error',
    summary: 'A bridge port or host port is named like a bond (bondN), but the host has no bond of that name (bonds[]).',
    why: "gen would write the bond as a bare `iface bondN inet manual` without slaves: Apply (ifreload -a) leaves the bond without its NICs, so the bridge on it loses its uplink, and Proxmox VE's writer turns the stanza into a balance-rr bond with `bond-slaves none` at the next GUI edit (pve-common PVE/Network/Interfaces.pm reads every bondN as a bond).",
    hint: 'Describe the bond under the host\'s bonds (name, slaves, mode), e.g. { name: bond0, slaves: [eno1, eno2], mode: 802.3ad }.',
    examples: [
      {
        where: 'sites[].proxmox.hosts[]',
        bad: 'ports: [eno1, bond0]',
        good: 'ports: [eno1, bond0]\nbonds:\n  - { name: bond0, slaves: [eno2, eno3], mode: 802.3ad }',
      },
    ],
    check(model, report) {
      for (const host of hosts(model)) {
        const known = new Set(host.bonds.map((b) => b.name));
        const unknown = (port: string) => BOND_NAME.test(port) && !known.has(port);
        host.ports.forEach((port, i) => {
          if (unknown(port)) report({ path: host.path.concat('ports', i), message: `host ${host.name}: port ${port} is no bond of the host (bonds)` });
        });
        for (const bridge of host.bridges) {
          bridge.ports.forEach((port, i) => {
            if (unknown(port)) report({ path: bridge.path.concat('ports', i), message: `bridge ${bridge.name}: port ${port} is no bond of host ${host.name} (bonds)` });
          });
        }
      }
    },
  },
  {
    id: 'proxmox/bond-definition',
    severity: 'error',
    summary: "A bond that Proxmox VE's writer refuses or rewrites: a slave that is not a free physical NIC, a primary or hash policy its mode does not take, an MTU below its bridge's.",
    why: "Proxmox VE's writer (pve-common PVE/Network/Interfaces.pm) refuses a file with a slave that is also a bridge port (\"port is already used\"), a slave that is no NIC or bond, a bond-primary that is no slave, or a bond whose MTU is below its bridge's; then no network change can be saved in the GUI. It silently drops bond-xmit-hash-policy except for balance-xor and 802.3ad, and bond-primary except for active-backup.",
    hint: 'Enslave NICs that nothing else uses; set xmit_hash_policy only for 802.3ad or balance-xor, primary only for active-backup and to one of the slaves; give the bond at least its bridge\'s MTU (or none: it then takes the bridge\'s).',
    examples: [
      {
        where: 'sites[].proxmox.hosts[]',
        bad: 'bonds:\n  - { name: bond0, slaves: [eno1, eno2], mode: 802.3ad }',
        good: 'bonds:\n  - { name: bond0, slaves: [eno2, eno3], mode: 802.3ad }',
      },
    ],
    check(model, report) {
      for (const host of hosts(model)) {
        const conflict = slaveConflicts(host);
        for (const bond of host.bonds) checkBond(host, bond, conflict, report);
      }
    },
  },
];
