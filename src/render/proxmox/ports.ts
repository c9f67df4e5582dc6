// The stanzas of a host's NICs and VLAN device ports, and the MTU each lower device needs so that Proxmox VE's writer takes the file
// and the kernel can carry the bridge's frames (pve-common
// PVE/Network/Interfaces.pm check_mtu: a bridge's MTU must not be above a
// port's, a VLAN device's not above its raw device's; the kernel refuses a
// VLAN device an MTU above its raw device's). A bridge's MTU goes on each
// port; a port that is a VLAN device `<raw>.<tag>` passes it on to its raw
// device, and a bond to its slaves.
import type { Host, HostNic } from '../../model.js';
import { vlanRawDevice } from '../../targets/proxmox/interfaces.js';
import { commentText, ifname, ipv4, mtu } from './shell-values.js';

/** The MTU each port, VLAN raw device and bond needs (the largest asked of it); devices with none are absent. */
export function neededMtus(host: Host): Map<string, number> {
  const needs = new Map<string, number>();
  const need = (device: string, mtu: number): void => {
    if ((needs.get(device) ?? 0) >= mtu) return;
    needs.set(device, mtu);
    const raw = vlanRawDevice(device);
    if (raw !== undefined) need(raw, mtu);
  };
  for (const bridge of host.bridges) if (bridge.mtu !== undefined) for (const port of bridge.ports) need(port, bridge.mtu);
  // A VLAN device with an address of its own (eno2.30) and an MTU needs it on its raw device too.
  for (const nic of host.nics) if (nic.mtu !== undefined && vlanRawDevice(nic.name) !== undefined) need(nic.name, nic.mtu);
  for (const bond of host.bonds) {
    const mtu = bond.mtu ?? needs.get(bond.name);
    if (mtu !== undefined) for (const slave of bond.slaves) need(slave, mtu);
  }
  return needs;
}

interface PortStanza {
  name: string;
  auto?: boolean;
  mtu?: number;
  address?: string;
  comment?: string;
}

/** The devices the file gives a stanza of their own beside bridges, bonds and NICs with an address. */
function portNames(host: Host): { named: string[]; nics: Map<string, HostNic>; bridgeNames: Set<string>; bondNames: Set<string>; slaves: Set<string> } {
  const bridgeNames = new Set(host.bridges.map((b) => b.name));
  const bondNames = new Set(host.bonds.map((b) => b.name));
  const slaves = new Set(host.bonds.flatMap((bond) => bond.slaves));
  // Ports enslaved to bridges and bonds need a stanza too, even when the host's port list omits them,
  // and so does the NIC under a VLAN device (with the MTU the VLAN needs): Proxmox VE's GUI adds
  // one for every NIC the file does not name.
  const nics = new Map(host.nics.map((nic) => [nic.name, nic]));
  const listed = host.ports.concat(host.bridges.flatMap((b) => b.ports), [...slaves]);
  for (const device of listed.concat([...nics.keys()])) {
    const raw = vlanRawDevice(device);
    if (raw !== undefined) listed.push(raw);
  }
  const named = [...new Set(listed)].filter((p) => !bridgeNames.has(p) && !bondNames.has(p) && !nics.has(p));
  return { named, nics, bridgeNames, bondNames, slaves };
}

/**
 * The physical NICs a host's file names (bridge ports, bond slaves, VLAN raw
 * devices, NICs with an address): each must exist under that name on the node.
 */
export function physicalNics(host: Host): string[] {
  const { named, nics } = portNames(host);
  const addressed = [...nics.values()].filter((nic) => nic.address !== undefined).map((nic) => nic.name);
  return named.concat(addressed).filter((p) => vlanRawDevice(p) === undefined);
}

/**
 * The NICs (`manual`; a bond's slave `auto`, as Proxmox VE's writer marks
 * every bond slave; a NIC with an address of its own `auto` and `inet
 * static`), then the VLAN device ports, in the order Proxmox VE's writer
 * gives them: a VLAN device after every interface of its root device's kind
 * (pve-common PVE/Network/Interfaces.pm, lookup_type_prio), so one on a bond
 * (bondPorts) after the bonds and one on a bridge (bridgePorts) after the bridges.
 */
export function portStanzas(host: Host): { ports: PortStanza[]; bondPorts: PortStanza[]; bridgePorts: PortStanza[] } {
  const { named, nics, bridgeNames, bondNames, slaves } = portNames(host);
  const needs = neededMtus(host);
  const manual = (name: string): PortStanza => {
    const portMtu = needs.get(name);
    return { name: ifname(name), auto: slaves.has(name), mtu: portMtu !== undefined ? mtu(portMtu) : undefined };
  };
  // A NIC (or VLAN device) with an address of its own: auto, inet static, address, mtu, then its comment.
  const addressed = (nic: HostNic): PortStanza => ({
    name: ifname(nic.name),
    mtu: nic.mtu !== undefined ? mtu(nic.mtu) : undefined,
    address: `${ipv4(nic.address!)}/${nic.prefix}`,
    comment: nic.description !== undefined ? commentText(nic.description) : undefined,
  });
  const isVlan = (p: string) => vlanRawDevice(p) !== undefined;
  const root = (p: string) => p.split('.')[0]!;
  const onBond = (p: string) => bondNames.has(root(p));
  const onBridge = (p: string) => bridgeNames.has(root(p));
  const withAddress = [...nics.values()].filter((nic) => nic.address !== undefined);
  const vlans = named.filter(isVlan).map(manual).concat(withAddress.filter((nic) => isVlan(nic.name)).map(addressed));
  const ports = named.filter((p) => !isVlan(p)).map(manual).concat(withAddress.filter((nic) => !isVlan(nic.name)).map(addressed));
  return {
    ports: ports.concat(vlans.filter((s) => !onBond(s.name) && !onBridge(s.name))),
    bondPorts: vlans.filter((s) => onBond(s.name)),
    bridgePorts: vlans.filter((s) => onBridge(s.name)),
  };
}
