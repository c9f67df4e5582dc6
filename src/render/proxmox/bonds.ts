// A host's Linux bonds in /etc/network/interfaces, as Proxmox VE's writer
// writes one (pve-common PVE/Network/Interfaces.pm, __interface_to_string):
// its address (inet static) where it has one, bond-slaves, bond-miimon (100 when none was read), bond-mode, the hash
// policy only for balance-xor and 802.3ad, bond-primary only for
// active-backup, then the MTU and the comment.
import type { Host } from '../../model.js';
import { neededMtus } from './ports.js';
import { BOND_HASH_MODES, BOND_MODES, BOND_PRIMARY_MODE, BOND_XMIT_HASH_POLICIES, PVE_BOND_MIIMON } from '../../targets/proxmox/interfaces.js';
import { UnsafeValueError, commentText, ifname, ipv4, mtu } from './shell-values.js';

function oneOf(value: string, allowed: readonly string[], what: string): string {
  if (!allowed.includes(value)) throw new UnsafeValueError(`"${value}" is not a ${what} Proxmox VE takes`);
  return value;
}

export function bondStanzas(host: Host) {
  // A bond's MTU: its own, else the one of the bridge it (or its VLAN device)
  // is a port of: ifupdown2 would leave it at 1500, and Proxmox VE's writer
  // refuses a bridge whose MTU is above a port's.
  const needs = neededMtus(host);
  return host.bonds.map((bond) => {
    const effective = bond.mtu ?? needs.get(bond.name);
    return {
      name: ifname(bond.name),
      // An address of its own: no gateway and no routes, as a NIC's (nics).
      address: bond.address !== undefined ? `${ipv4(bond.address)}/${bond.prefix}` : undefined,
      slaves: bond.slaves.map(ifname).join(' '),
      miimon: PVE_BOND_MIIMON,
      mode: oneOf(bond.mode, BOND_MODES, 'bond mode'),
      // Proxmox VE's writer drops these lines with any other mode: written only where it keeps them.
      xmitHashPolicy: bond.xmitHashPolicy !== undefined && BOND_HASH_MODES.includes(bond.mode) ? oneOf(bond.xmitHashPolicy, BOND_XMIT_HASH_POLICIES, 'bond transmit hash policy') : undefined,
      primary: bond.primary !== undefined && bond.mode === BOND_PRIMARY_MODE ? ifname(bond.primary) : undefined,
      mtu: effective !== undefined ? mtu(effective) : undefined,
      comment: bond.description !== undefined ? commentText(bond.description) : undefined,
    };
  });
}
