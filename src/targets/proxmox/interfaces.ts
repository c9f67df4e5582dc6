// What Proxmox's /etc/network/interfaces (read by ifupdown2) accepts: the
// renderer validates every value against these before writing it, and the
// lint rules report a topology that would need anything else.
import type { HostBond, HostNic } from '../../model.js';

/** The longest Linux interface name: IFNAMSIZ is 16 bytes with the NUL (the kernel's dev_valid_name, iproute2's check_ifname). */
export const IFNAME_MAX = 15;

/** A Linux interface name, as gen writes one. */
export const INTERFACE_NAME = new RegExp(`^[A-Za-z][A-Za-z0-9_.-]{0,${IFNAME_MAX - 1}}$`);

/** `bridge-vids` entries: one id or a range "from-to". */
export const VID_ENTRY = /^(\d{1,4})(-(\d{1,4}))?$/;

/**
 * Whether a bridge's vids (ids and "from-to" ranges) include a tag: the
 * entries are read and merged once, then each tag is a binary search (a
 * bridge may carry thousands of VLANs, each of which is looked up).
 */
export function vidsCoverage(vids: readonly string[]): (tag: number) => boolean {
  const ranges: [number, number][] = [];
  for (const vid of vids) {
    const [from, to = from] = vid.split('-').map(Number);
    if (from !== undefined && to !== undefined && from <= to) ranges.push([from, to]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [from, to] of ranges) {
    if (ends.length > 0 && from <= ends[ends.length - 1]!) ends[ends.length - 1] = Math.max(ends[ends.length - 1]!, to);
    else {
      starts.push(from);
      ends.push(to);
    }
  }
  return (tag) => {
    let low = 0;
    let high = starts.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle]! <= tag) low = middle + 1;
      else high = middle - 1;
    }
    return high >= 0 && tag <= ends[high]!;
  };
}

/**
 * ifupdown2 runs the file through the Mako template engine
 * (template_enable=1 by default): `${...}` is evaluated as Python, a line
 * starting with `%` is a control line, and `\` escapes the next character.
 */
export const TEMPLATE_CHARACTERS = /[$%\\]/;

/**
 * Proxmox VE's API checks bridge-vids with pve_verify_vlan_id_or_range
 * (pve-common PVE/JSONSchema.pm): every tag 2-4094, a range from a lower to
 * a higher tag. VLAN 1 is the bridge's untagged native VLAN (default PVID
 * 1), carried on every port without being listed. A file with anything else
 * loads, but the GUI then refuses to save that bridge.
 */
export const PVE_VID_MIN = 2;
export const PVE_VID_MAX = 4094;

/** What a VLAN-aware bridge carries when nothing narrows it: Proxmox VE's own default. */
export const PVE_ALL_VIDS = `${PVE_VID_MIN}-${PVE_VID_MAX}`;

export interface VidProblem {
  /** vlan-1 and one-tag are Proxmox's own limits; the others are 802.1Q's or the format's. */
  kind: 'format' | 'outside' | 'vlan-1' | 'one-tag' | 'backward';
  message: string;
}

/** Why Proxmox VE's API refuses a bridge-vids entry, or undefined when it takes it. */
export function vidEntryProblem(entry: string): VidProblem | undefined {
  const match = VID_ENTRY.exec(entry);
  if (!match) return { kind: 'format', message: 'is not a VLAN id or a range "from-to"' };
  const from = Number(match[1]);
  const to = match[3] === undefined ? undefined : Number(match[3]);
  for (const tag of to === undefined ? [from] : [from, to]) {
    if (tag === 1) return { kind: 'vlan-1', message: 'lists VLAN 1, the untagged native VLAN (PVID 1) that every port carries without it being listed' };
    if (tag < PVE_VID_MIN || tag > PVE_VID_MAX) return { kind: 'outside', message: `has tag ${tag}, outside ${PVE_VID_MIN}-${PVE_VID_MAX}` };
  }
  if (to !== undefined && from === to) return { kind: 'one-tag', message: `is a range of one tag (write ${from})` };
  if (to !== undefined && from > to) return { kind: 'backward', message: 'is a range that does not go from a lower to a higher tag' };
  return undefined;
}

/**
 * Proxmox VE's API takes an MTU of 1280-65520 (pve-manager PVE/API2/Network.pm),
 * and its writer refuses a bridge whose MTU is above a port's
 * (pve-common PVE/Network/Interfaces.pm check_mtu; a port without one counts as 1500).
 */
export const PVE_MTU_MIN = 1280;
export const PVE_MTU_MAX = 65520;
/** The MTU check_mtu counts for an interface without an mtu line. */
export const PVE_MTU_DEFAULT = 1500;

/**
 * The interface that holds a bridge's host address: the bridge itself, or
 * for an address in a VLAN network its VLAN device `<bridge>.<tag>`, which
 * ifupdown2 and Proxmox VE both read as a VLAN of raw device <bridge>.
 */
export function addressInterface(bridge: { name: string; addressVlan?: number }): string {
  return bridge.addressVlan !== undefined ? `${bridge.name}.${bridge.addressVlan}` : bridge.name;
}

/**
 * Proxmox VE reads an interface as a Linux bond only by its name `bondN`
 * (pve-common PVE/Network/Interfaces.pm, read_etc_network_interfaces), and
 * writes it with `bond-miimon 100` when none was read.
 */
export const BOND_NAME = /^bond\d+$/;
export const PVE_BOND_MIIMON = 100;

/** The bond modes Proxmox VE's writer knows ($bond_modes), also ifupdown2's bond-mode values. */
export const BOND_MODES: readonly string[] = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];

/** The transmit hash policies Proxmox VE's API takes (pve-manager PVE/API2/Network.pm, bond_xmit_hash_policy). */
export const BOND_XMIT_HASH_POLICIES: readonly string[] = ['layer2', 'layer2+3', 'layer3+4'];

/** Modes with which Proxmox VE's writer keeps bond-xmit-hash-policy (it drops the line with any other). */
export const BOND_HASH_MODES: readonly string[] = ['balance-xor', '802.3ad'];

/**
 * What the switch the slaves connect to must have for a bond mode (the
 * kernel's Documentation/networking/bonding.rst, "Switch Configuration":
 * 802.3ad needs the ports configured as an 802.3ad aggregation; balance-rr,
 * balance-xor and broadcast need them grouped, an "etherchannel" or "trunk
 * group"; active-backup, balance-tlb and balance-alb need nothing).
 */
export const BOND_SWITCH_GROUP: Readonly<Record<string, 'lacp' | 'static' | undefined>> = {
  '802.3ad': 'lacp',
  'balance-rr': 'static',
  'balance-xor': 'static',
  broadcast: 'static',
};

/** The one mode with which Proxmox VE's writer keeps bond-primary. */
export const BOND_PRIMARY_MODE = 'active-backup';

/**
 * The host's devices with an address of their own outside any bridge: NICs
 * (nics) and bonds with an address. Each takes its network on-link, and the
 * node keeps its address through Apply only when the file lists it.
 */
export function addressedLinks(host: { nics: readonly HostNic[]; bonds: readonly HostBond[] }): { kind: 'NIC' | 'bond'; link: HostNic | HostBond }[] {
  const links: { kind: 'NIC' | 'bond'; link: HostNic | HostBond }[] = host.nics.filter((n) => n.address !== undefined).map((link) => ({ kind: 'NIC', link }));
  for (const link of host.bonds) if (link.address !== undefined) links.push({ kind: 'bond', link });
  return links;
}

/** Every address of the host in its file, with prefix: its bridges' (in their order), then its NICs' and bonds' own. */
export function hostAddresses(host: { bridges: readonly { address?: string }[]; nics: readonly HostNic[]; bonds: readonly HostBond[] }): string[] {
  const addresses = host.bridges.flatMap((b) => (b.address !== undefined ? [b.address] : []));
  for (const { link } of addressedLinks(host)) addresses.push(link.address!);
  return addresses;
}

/** The raw device of a VLAN device name `<raw>.<tag>` (eno1 of eno1.20), as Proxmox VE and ifupdown2 read it; undefined for any other name. */
export function vlanRawDevice(name: string): string | undefined {
  return /^(.+)\.\d+$/.exec(name)?.[1];
}
