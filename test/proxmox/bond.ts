// A Proxmox host on bonds (bonds[]), for the tests that read the interfaces
// file with Proxmox VE's and ifupdown2's own code: scenario B with its
// internal bridge on an LACP bond and jumbo frames, and an active-backup
// bond with an address of its own (a storage network), no bridge's port.
import { edit, readExample } from '../helpers.js';

const host = ['sites', 0, 'proxmox', 'hosts', 0];

export const LACP = { name: 'bond0', slaves: ['eno1', 'eno2'], mode: '802.3ad', xmit_hash_policy: 'layer3+4', description: 'LACP to the switch' };
export const BACKUP = { name: 'bond1', slaves: ['eno4', 'eno5'], mode: 'active-backup', primary: 'eno5', address: '10.98.0.11/24', mtu: 9000 };
export const BOND_MTU = 9000;

/** Scenario B with vmbr2 on bond0 (MTU 9000 from the bridge) and bond1 beside it. */
export const hostOnBond: string = edit(edit(edit(readExample('vlan-hosting'), [...host, 'bonds'], [LACP, BACKUP]), [...host, 'bridges', 1, 'ports'], [LACP.name]), [...host, 'bridges', 1, 'mtu'], BOND_MTU);
