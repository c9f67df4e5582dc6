// What Proxmox VE 9 accepts for the guest options gen writes, transcribed
// from the upstream schema code (pve-common 9.2.1 src/PVE/JSONSchema.pm,
// qemu-server 9.2.6 src/PVE/QemuServer/Network.pm and src/PVE/QemuServer.pm,
// pve-container src/PVE/LXC/Config.pm). The renderer writes an option only
// after it passes these checks; test/proxmox/upstream-formats.test.ts runs the
// same cases through Proxmox's own Perl and expects the same verdicts.
import { parseIPv4 } from '../../net.js';
import { type Parsed, type PropertyFormat, parsePropertyString, printPropertyString } from './property-string.js';

/** pve-vmid: 100 to 999999999, no leading zero (JSONSchema.pm:64-73, pve_verify_vmid at 307). */
export const VMID_MIN = 100;
export const VMID_MAX = 999_999_999;

export function isVmid(value: number): boolean {
  return Number.isInteger(value) && /^[1-9][0-9]{2,8}$/.test(String(value));
}

/** net0 … net31 on VMs (QemuServer.pm $MAX_NETS = 32) and containers (LXC/Config.pm $MAX_LXC_NETWORKS = 32). */
export const MAX_NETS = 32;

/** The config key of NIC `index`: net0 … net31. */
export function netKey(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_NETS) throw new InvalidOptionError(`net${index}: Proxmox has net0 to net${MAX_NETS - 1} only`);
  return `net${index}`;
}

/** NIC models of pve-qm-net (QemuServer/Network.pm $nic_model_list). */
export const NIC_MODELS = [
  'e1000', 'e1000-82540em', 'e1000-82544gc', 'e1000-82545em', 'e1000e', 'i82551', 'i82557b', 'i82559er',
  'ne2k_isa', 'ne2k_pci', 'pcnet', 'rtl8139', 'virtio', 'vmxnet3',
] as const;

/** mac-addr: unicast, the I/G bit clear (pve_verify_mac_addr, JSONSchema.pm:456-466). */
export function verifyMac(value: string): string | undefined {
  return /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(value) ? undefined : 'value does not look like a valid unicast MAC address';
}

/** pve-bridge-id (parse_bridge_id, JSONSchema.pm:272-281). */
export function verifyBridgeId(value: string): string | undefined {
  return /^[-_.\w\d]+$/.test(value) ? undefined : `invalid bridge ID '${value}'`;
}

/** ipv4 (pve_verify_ipv4 with PVE::Tools' $IPV4RE: no leading zeros). */
export function verifyIpv4(value: string): string | undefined {
  return parseIPv4(value) !== undefined ? undefined : 'value does not look like a valid IPv4 address';
}

/** The prefixes pve_verify_cidrv4 takes (JSONSchema.pm: `$1 > 7`): a container's ip=ADDRESS/PREFIX refuses a network wider than a /8. */
export const CIDRV4_PREFIX = { min: 8, max: 32 } as const;

/** CIDRv4: an address with a prefix of 8 to 32 (pve_verify_cidrv4). */
export function verifyCidrv4(value: string): string | undefined {
  const match = /^([^/]+)\/(\d+)$/.exec(value);
  const ok = match !== null && parseIPv4(match[1]!) !== undefined && Number(match[2]) >= CIDRV4_PREFIX.min && Number(match[2]) <= CIDRV4_PREFIX.max;
  return ok ? undefined : 'value does not look like a valid IPv4 CIDR network';
}

/** pve-ipv4-config: dhcp, manual or CIDRv4 (pve_verify_ipv4_config). */
export function verifyIpv4Config(value: string): string | undefined {
  return /^(?:dhcp|manual)$/.test(value) || verifyCidrv4(value) === undefined ? undefined : 'value does not look like a valid ipv4 network configuration';
}

/** pve-storage-id (parse_id, JSONSchema.pm:287-300). */
export function verifyStorageId(value: string): string | undefined {
  if (value.length < 2) return `storage ID '${value}' cannot be shorter than 2 characters`;
  return /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(value) ? undefined : `storage ID '${value}' contains illegal characters`;
}

/** dns-name: a VM's name and a container's hostname (pve_verify_dns_name). */
export function verifyDnsName(value: string): string | undefined {
  const label = '([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)';
  return new RegExp(`^(${label}\\.)*${label}$`).test(value) ? undefined : 'value does not look like a valid DNS name';
}

/** pve-qm-net (QemuServer/Network.pm $net_fmt, lines 52-127). */
export const QM_NET_FORMAT: PropertyFormat = {
  macaddr: { type: 'string', optional: true, format: verifyMac },
  model: { type: 'string', defaultKey: true, enum: NIC_MODELS },
  ...Object.fromEntries(NIC_MODELS.map((m) => [m, { type: 'string' as const, keyAlias: 'model', alias: 'macaddr' }])),
  bridge: { type: 'string', optional: true, format: verifyBridgeId },
  queues: { type: 'integer', optional: true, minimum: 0, maximum: 64 },
  rate: { type: 'number', optional: true, minimum: 0 },
  tag: { type: 'integer', optional: true, minimum: 1, maximum: 4094 },
  trunks: { type: 'string', optional: true, pattern: /\d+(?:-\d+)?(?:;\d+(?:-\d+)?)*/ },
  firewall: { type: 'boolean', optional: true },
  link_down: { type: 'boolean', optional: true },
  mtu: { type: 'integer', optional: true, minimum: 1, maximum: 65520 },
  'host-tunnel': { type: 'boolean', optional: true },
};

/** pve-lxc-network (LXC/Config.pm $netconf_desc, lines 852-955). */
export const LXC_NET_FORMAT: PropertyFormat = {
  type: { type: 'string', optional: true, enum: ['veth'] },
  name: { type: 'string', pattern: /[-_.\w\d]+/ },
  bridge: { type: 'string', optional: true, pattern: /[-_.\w\d]+/ },
  hwaddr: { type: 'string', optional: true, format: verifyMac },
  mtu: { type: 'integer', optional: true, minimum: 64, maximum: 65535 },
  ip: { type: 'string', optional: true, format: verifyIpv4Config },
  gw: { type: 'string', optional: true, format: verifyIpv4 },
  ip6: { type: 'string', optional: true, format: (v) => (/^(?:auto|dhcp|manual)$/.test(v) ? undefined : 'gen writes no IPv6 configuration') },
  gw6: { type: 'string', optional: true, format: () => 'gen writes no IPv6 gateway' },
  firewall: { type: 'boolean', optional: true },
  tag: { type: 'integer', optional: true, minimum: 1, maximum: 4094 },
  trunks: { type: 'string', optional: true, pattern: /\d+(?:;\d+)*/ },
  rate: { type: 'number', optional: true },
  link_down: { type: 'boolean', optional: true },
  'host-managed': { type: 'boolean', optional: true },
};

export function parseQmNet(value: string): Parsed {
  return parsePropertyString(QM_NET_FORMAT, value);
}

export function parseLxcNet(value: string): Parsed {
  return parsePropertyString(LXC_NET_FORMAT, value);
}

export class InvalidOptionError extends Error {}

function checked(what: string, value: string, parse: (v: string) => Parsed): string {
  const parsed = parse(value);
  if (!parsed.ok) throw new InvalidOptionError(`${what} "${value}" is not valid for Proxmox: ${parsed.error}`);
  return value;
}

/** A VM NIC as gen writes it: always virtio with a pinned MAC (a NIC without one gets a new random MAC at every `qm set`). */
export interface VmNicOptions {
  mac: string;
  bridge: string;
  tag?: number;
  firewall?: boolean;
}

/** A VM's netN value in the form Proxmox prints it: `virtio=<MAC>,bridge=…[,firewall=0][,tag=N]`. */
export function qmNet(nic: VmNicOptions): string {
  const data: Record<string, string> = { model: 'virtio', macaddr: nic.mac.toUpperCase(), bridge: nic.bridge };
  if (nic.firewall !== undefined) data.firewall = nic.firewall ? '1' : '0';
  if (nic.tag !== undefined) data.tag = String(nic.tag);
  return checked('VM network device', printPropertyString(QM_NET_FORMAT, data), parseQmNet);
}

export interface CtNicOptions {
  name: string;
  mac: string;
  bridge: string;
  /** address/prefix */
  ip: string;
  gateway?: string;
  tag?: number;
}

/**
 * A container's netN value as Proxmox prints it after parsing, which adds
 * `type=veth` (LXC/Config.pm parse_lxc_network, line 1573): `name=eth0,
 * bridge=…,gw=…,hwaddr=…,ip=…/N[,tag=N],type=veth`.
 */
export function lxcNet(nic: CtNicOptions): string {
  const data: Record<string, string> = { name: nic.name, bridge: nic.bridge, hwaddr: nic.mac.toUpperCase(), ip: nic.ip, type: 'veth' };
  if (nic.gateway !== undefined) data.gw = nic.gateway;
  if (nic.tag !== undefined) data.tag = String(nic.tag);
  return checked('container network device', printPropertyString(LXC_NET_FORMAT, data), parseLxcNet);
}

/**
 * pct `nameserver` (LXC/Config.pm, format lxc-ip-with-ll-iface-list): a list
 * split as PVE::Tools::split_list splits (spaces, commas, semicolons), each
 * an IP address (verify_ip_with_ll_iface); gen's are IPv4. An empty list
 * passes the format, but gen never writes one: the host's resolvers would
 * stay.
 */
export function verifyNameserverList(value: string): string | undefined {
  const items = value.replace(/[,;]/g, ' ').trim().split(/\s+/).filter((item) => item !== '');
  return items.every((item) => verifyIpv4(item) === undefined) ? undefined : 'value does not look like a valid IP address';
}

/** A container's DNS servers as `pct set --nameserver` stores them (PVE::LXC verify_nameserver_list): space-separated. */
export function nameservers(servers: readonly string[]): string {
  const value = servers.join(' ');
  const error = servers.length === 0 ? 'no DNS server' : verifyNameserverList(value);
  if (error) throw new InvalidOptionError(`nameserver "${value}" is not valid for Proxmox: ${error}`);
  return value;
}

/** qm/pct `cores`: an integer of at least 1 (QemuServer.pm:415-421; pct allows up to 8192). */
export function cores(value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 8192) throw new InvalidOptionError(`cores ${value} is not valid for Proxmox (1-8192)`);
  return String(value);
}

/** qm `memory` ([current=]MiB, at least 16: QemuServer/Memory.pm:68-78) and pct `memory` (MiB, at least 16). */
export function memory(mb: number): string {
  if (!Number.isInteger(mb) || mb < 16) throw new InvalidOptionError(`memory ${mb} MiB is not valid for Proxmox (at least 16)`);
  return String(mb);
}

/** A boolean option as Proxmox prints it. */
export function flag(value: boolean): string {
  return value ? '1' : '0';
}

/**
 * A new disk on create: `STORAGE:SIZE` with SIZE in GiB and no unit
 * (NEW_DISK_RE, QemuServer/Drive.pm:159; `local-lvm:32G` would name an
 * existing volume "32G"). Containers read `rootfs` the same way.
 */
export function newDisk(storage: string, gib: number): string {
  const error = verifyStorageId(storage);
  if (error) throw new InvalidOptionError(error);
  if (!Number.isInteger(gib) || gib < 1) throw new InvalidOptionError(`disk size ${gib} GiB is not a whole number of GiB`);
  return `${storage}:${gib}`;
}

/** scsi0 … scsi30 (QemuServer/Drive.pm $MAX_SCSI_DISKS = 31). */
export const MAX_SCSI_DISKS = 31;

/** The config key of SCSI disk `index` of a VM. */
export function scsiKey(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SCSI_DISKS) throw new InvalidOptionError(`scsi${index}: Proxmox has scsi0 to scsi${MAX_SCSI_DISKS - 1} only`);
  return `scsi${index}`;
}

/** The backup server VM's second disk, for the datastore's local cache: the first disk (scsi0) holds the system. */
export const PBS_CACHE_DISK = scsiKey(1);

/** A disk size for `qm disk resize` / `pct resize` (`\d+G`, API2/Qemu.pm resize_vm). */
export function diskSize(gib: number): string {
  if (!Number.isInteger(gib) || gib < 1) throw new InvalidOptionError(`disk size ${gib} GiB is not a whole number of GiB`);
  return `${gib}G`;
}

/** A volume id on a storage: `local:iso/opnsense.iso`, `local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst`. */
export function volume(value: string, content: 'iso' | 'vztmpl'): string {
  const match = /^([^:]+):([^/]+)\/([A-Za-z0-9][A-Za-z0-9_.+-]*)$/.exec(value);
  // pve-storage's ISO_EXT_RE_0 and VZTMPL_EXT_RE_1 (PVE 9: a plain .tar is an OCI image; .tgz is no template name).
  const extension = content === 'iso' ? /\.(iso|img)$/i : /\.tar(\.(gz|xz|zst|bz2))?$/i;
  if (!match || verifyStorageId(match[1]!) !== undefined || match[2] !== content || !extension.test(match[3]!)) {
    throw new InvalidOptionError(`"${value}" is not a ${content === 'iso' ? 'ISO image' : 'container template'} volume (storage:${content}/file)`);
  }
  return value;
}

/** A VM's name or a container's hostname. */
export function dnsName(value: string): string {
  const error = verifyDnsName(value);
  if (error) throw new InvalidOptionError(`"${value}": ${error}`);
  return value;
}
