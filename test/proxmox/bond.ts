// A Proxmox host on bonds (bonds[]), for the tests that read the interfaces
// file with Proxmox VE's and ifupdown2's own code: scenario B with its
// internal bridge on an LACP bond and jumbo frames, and an active-backup
// bond with an address of its own (a storage network), no bridge's port.
import { edit, readExample } from '../helpers.js';

const host = ['sites', 0, 'proxmox', 'hosts', 0];

export const LACP = { name: 'bond0', slaves: ['eno1', 'eno2'], mode: '802.3ad', xmit_hash_policy: 'layer3+4', description: 'LACP to the switch' };
export const BACKUP = { name: 'bond1', slaves: ['eno4', 'eno5'], mode: 'active-backup', primary: 'eno5', address: '10.98.0.11/24', mtu: 9000 };
export const BOND_MTU = 9000;

// A VLAN device port goes on a bridge that is not VLAN aware (vmbr1): the Debian ifupdown2 3.0.0 the
// tests run refuses it in a VLAN-aware one ("vlan sub-interface is not supported in a vlan-aware
// bridge"); Proxmox VE 9's ifupdown2 3.3.0 allows it (docs/proxmox.md, VLANs).

/** Scenario B with vmbr1 on VLAN 20 of NIC eno1 (eno1.20), with jumbo frames. */
export const bridgeOnVlanPort: string = edit(edit(readExample('vlan-hosting'), [...host, 'bridges', 0, 'ports'], ['eno1.20']), [...host, 'bridges', 0, 'mtu'], BOND_MTU);

/** Scenario B with vmbr1 on VLAN 20 of bond0 (bond0.20), with jumbo frames, and eno0 with an address of its own. */
export const bridgeOnBondVlan: string = edit(
  edit(edit(edit(readExample('vlan-hosting'), [...host, 'bonds'], [LACP]), [...host, 'bridges', 0, 'ports'], [`${LACP.name}.20`]), [...host, 'bridges', 0, 'mtu'], BOND_MTU),
  [...host, 'nics'],
  [{ name: 'eno0', address: '10.99.0.11/24' }],
);

/** Scenario B with a jumbo-frame vmbr3 on VLAN 40 of bridge vmbr2 (vmbr2.40), whose MTU is `rawMtu` (none: 1500). */
export function bridgeOnBridgeVlan(rawMtu?: number): string {
  const yaml = edit(readExample('vlan-hosting'), [...host, 'bridges', 2], { name: 'vmbr3', ports: ['vmbr2.40'], mtu: BOND_MTU });
  return rawMtu === undefined ? yaml : edit(yaml, [...host, 'bridges', 1, 'mtu'], rawMtu);
}

/** Scenario B with vmbr2 on bond0 (MTU 9000 from the bridge) and bond1 beside it. */
export const hostOnBond: string = edit(edit(edit(readExample('vlan-hosting'), [...host, 'bonds'], [LACP, BACKUP]), [...host, 'bridges', 1, 'ports'], [LACP.name]), [...host, 'bridges', 1, 'mtu'], BOND_MTU);

export const STORAGE = { name: 'bond0.30', address: '10.98.0.11/24', mtu: 9000, description: 'storage' };
export const COROSYNC = { name: 'eno4.40', address: '10.97.0.11/24', description: 'corosync' };

/** Scenario B with VLAN devices with addresses of their own: storage on VLAN 30 of bond0, corosync on VLAN 40 of eno4. */
export const vlanNics: string = edit(edit(readExample('vlan-hosting'), [...host, 'bonds'], [{ name: 'bond0', slaves: ['eno1', 'eno2'], mode: '802.3ad' }]), [...host, 'nics'], [STORAGE, COROSYNC]);
