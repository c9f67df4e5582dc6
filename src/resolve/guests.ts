// The VMs and containers gen knows on a site: the firewall's VM (its NICs
// follow the interfaces, so that vtnetN is the interface with device
// vtnetN), the services' containers and VMs (one NIC on their network's
// bridge, tagged for a VLAN network), and the backup server's VM. Each NIC
// gets a MAC derived from stable names unless the topology keeps one; a
// container gets DNS servers (its own, else those DHCP clients of its
// network get), so that it never inherits the Proxmox host's resolvers.
import type { Path } from '../location.js';
import type { Firewall, FirewallInterface, Guest, GuestDns, GuestNic, Network, PbsBackup, Service } from '../model.js';
import { parseIPv4 } from '../net.js';
import { PBS_CACHE_DISK } from '../targets/proxmox/guest-formats.js';
import { derivedMac, normalMac } from '../targets/proxmox/mac.js';
import type { GuestInput, ServiceInput, SiteInput, VmInput } from '../topology.js';
import type { ResolveContext } from './context.js';
import { networksByBlock } from './services.js';

const DEFAULT_STORAGE = 'local-lvm';

interface SiteParts {
  firewall?: Firewall;
  hosts: readonly string[];
  networks: ReadonlyMap<string, Network>;
  services: readonly Service[];
  backup?: PbsBackup;
}

/** The site's parts, with the firewall's attachments and the interface of each network indexed once. */
type GuestParts = SiteParts & { attach: (network: string | undefined) => Attachment | undefined; interfaceOf: (network: string | undefined) => FirewallInterface | undefined };

export type Attachment = { bridge: string; tag?: number };

/**
 * Where a guest on a network plugs in: the bridge of the firewall interface
 * of the network, with the tag of a VLAN interface. The interfaces are
 * indexed once, for every guest and token of the site.
 */
export function attachments(firewall: Firewall | undefined, byNetwork = interfacesByNetwork(firewall)): (network: string | undefined) => Attachment | undefined {
  const byName = new Map<string, FirewallInterface>();
  for (const f of firewall?.interfaces ?? []) if (!byName.has(f.name)) byName.set(f.name, f);
  return (network) => {
    const iface = byNetwork.get(network);
    if (!iface) return undefined;
    if (iface.kind === 'vlan' && iface.vlan) {
      const parent = byName.get(iface.vlan.parent);
      return parent?.bridge !== undefined ? { bridge: parent.bridge, tag: iface.vlan.tag } : undefined;
    }
    return iface.bridge !== undefined ? { bridge: iface.bridge } : undefined;
  };
}

/** The firewall interface of each network: the first that is not a WireGuard one. */
function interfacesByNetwork(firewall: Firewall | undefined): Map<string | undefined, FirewallInterface> {
  const byNetwork = new Map<string | undefined, FirewallInterface>();
  for (const f of firewall?.interfaces ?? []) if (f.kind !== 'wireguard' && !byNetwork.has(f.network)) byNetwork.set(f.network, f);
  return byNetwork;
}

export function resolveGuests(input: SiteInput, site: string, path: Path, ctx: ResolveContext, siteParts: SiteParts): Guest[] {
  const byNetwork = interfacesByNetwork(siteParts.firewall);
  const parts: GuestParts = Object.assign({}, siteParts, { attach: attachments(siteParts.firewall, byNetwork), interfaceOf: (network: string | undefined) => byNetwork.get(network) });
  const guests: Guest[] = [];
  const onlyHost = parts.hosts.length === 1 ? parts.hosts[0] : undefined;
  const hosts = new Set(parts.hosts);
  const hostOf = (written: string | undefined, where: Path, what: string): string | undefined => {
    if (written !== undefined) return hosts.has(written) ? written : undefined;
    if (onlyHost === undefined) {
      ctx.report({
        rule: 'proxmox/guest-definition',
        path: where,
        message: `${what}: the site has ${parts.hosts.length ? 'several Proxmox hosts' : 'no Proxmox host'}; name the one it runs on (host)`,
        hint: parts.hosts.length ? `Set host on ${what} to one of ${parts.hosts.join(', ')}.` : 'Describe the Proxmox host under proxmox.hosts, or leave the guest id out if gen does not manage the guest.',
      });
    }
    return onlyHost;
  };

  const fwVm = input.firewall?.vm;
  if (parts.firewall && fwVm?.id !== undefined) {
    const vpath = path.concat('firewall', 'vm');
    guests.push(firewallGuest(parts.firewall, fwVm, site, vpath, hostOf(fwVm.host, vpath, 'the firewall VM')));
  }

  (input.services ?? []).forEach((serviceInput, i) => {
    const spath = path.concat('services', i);
    const service = parts.services[i]!;
    const guest = serviceGuest(serviceInput, service, site, spath, ctx, parts, hostOf);
    if (guest) guests.push(guest);
  });

  const pbsVm = input.backup?.pbs?.vm;
  if (pbsVm?.id !== undefined && parts.backup) {
    const vpath = path.concat('backup', 'pbs', 'vm');
    const address = parts.backup.address;
    const network = address !== undefined ? networksByBlock(parts.networks.values()).smallest(parseIPv4(address) ?? -1) : undefined;
    if (address === undefined) {
      ctx.report({
        rule: 'proxmox/guest-definition',
        path: vpath,
        key: true,
        message: 'the backup server VM needs backup.pbs.address to place its NIC on a network',
        hint: "Set backup.pbs.address to the backup server's address on one of the site's networks.",
      });
    }
    const vm = vmGuest(pbsVm, {
      name: 'pbs',
      purpose: 'backup-server',
      host: hostOf(pbsVm.host, vpath, 'the backup server VM'),
      site,
      path: vpath,
      network,
      address,
      mac: pbsVm.mac,
      parts,
    });
    // The datastore's cache gets a disk of its own only on a VM gen creates: on another, scsi1 may be anything (backup/cache-disk-vm).
    const cacheGb = input.backup?.pbs?.cache?.disk_gb;
    if (cacheGb !== undefined && vm.create) vm.dataDisk = { key: PBS_CACHE_DISK, gb: cacheGb, what: `the local cache of datastore ${parts.backup.datastore}` };
    guests.push(vm);
  }
  return guests;
}

function resources(input: GuestInput): Pick<Guest, 'cores' | 'memoryMb' | 'diskGb' | 'storage' | 'onboot' | 'create' | 'iso'> {
  return {
    cores: input.cores,
    memoryMb: input.memory_mb,
    diskGb: input.disk_gb,
    storage: input.storage ?? DEFAULT_STORAGE,
    onboot: input.onboot,
    create: input.create ?? false,
    iso: input.iso,
  };
}

/** virtio NICs in netN order: FreeBSD numbers them vtnet0, vtnet1, … by PCI slot, which follows netN (qemu-server PCI.pm get_pci_addr_map). */
function vtnetNumber(device: string): number {
  const match = /^vtnet(\d+)$/.exec(device);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

function firewallGuest(firewall: Firewall, vm: NonNullable<NonNullable<SiteInput['firewall']>['vm']>, site: string, path: Path, host: string | undefined): Guest {
  const devices = firewall.interfaces.filter((f) => f.kind === 'device');
  const byDevice = new Map(devices.map((f) => [f.device, f]));
  let nics: GuestNic[];
  if (vm.nics) {
    nics = vm.nics.map((nic, index) => {
      const iface = byDevice.get(`vtnet${index}`);
      const label = iface?.name ?? `net${index}`;
      return {
        index,
        label,
        bridge: nic.bridge,
        tag: nic.tag,
        mac: nic.mac !== undefined ? normalMac(nic.mac) : derivedMac(site, firewall.name, label),
        macExplicit: nic.mac !== undefined,
        firewall: false,
        interface: iface?.name,
        device: `vtnet${index}`,
        network: iface?.network,
        gatewayExplicit: false,
        path: path.concat('nics', index),
      };
    });
  } else {
    const ordered = devices
      .map((f, position) => ({ f, position }))
      .filter(({ f }) => f.bridge !== undefined)
      .sort((a, b) => vtnetNumber(a.f.device) - vtnetNumber(b.f.device) || a.position - b.position);
    nics = ordered.map(({ f }, index) => ({
      index,
      label: f.name,
      bridge: f.bridge,
      mac: derivedMac(site, firewall.name, f.name),
      macExplicit: false,
      firewall: false,
      interface: f.name,
      device: f.device,
      network: f.network,
      gatewayExplicit: false,
      path: f.path,
    }));
  }
  return { kind: 'vm', id: vm.id!, name: firewall.name, purpose: 'firewall', host, ...resources(vm), ostype: 'other', nics, notes: [], path };
}

function serviceGuest(
  input: ServiceInput,
  service: Service,
  site: string,
  path: Path,
  ctx: ResolveContext,
  parts: GuestParts,
  hostOf: (written: string | undefined, where: Path, what: string) => string | undefined,
): Guest | undefined {
  if (input.container !== undefined && input.vm !== undefined) {
    ctx.report({
      rule: 'proxmox/guest-definition',
      path: path.concat('vm'),
      key: true,
      message: `service ${input.name} is a container (${input.container}) and a VM (${input.vm}): a service runs in one guest`,
      hint: `Keep container: ${input.container} or vm: ${input.vm} on service ${input.name}, not both.`,
    });
  }
  if (input.container === undefined && input.vm === undefined) {
    if (input.guest !== undefined) {
      ctx.report({
        rule: 'proxmox/guest-definition',
        path: path.concat('guest'),
        key: true,
        message: `service ${input.name} has guest settings but no container or vm id`,
        hint: `Give service ${input.name} its guest id (container: or vm:), or remove guest if gen does not manage its guest.`,
      });
    }
    return undefined;
  }
  const guestInput = input.guest ?? {};
  const network = service.network !== undefined ? parts.networks.get(service.network) : undefined;
  const host = hostOf(input.host, path, `service ${input.name}`);
  if (input.container === undefined) {
    if (guestInput.gateway !== undefined) {
      ctx.report({
        rule: 'proxmox/guest-definition',
        path: path.concat('guest', 'gateway'),
        key: true,
        message: `service ${input.name} is a VM: gen cannot set a VM's gateway (configure it inside the VM)`,
        hint: `Remove guest.gateway from service ${input.name}, and set the gateway in the VM's own network settings.`,
      });
    }
    if (guestInput.dns !== undefined) {
      ctx.report({
        rule: 'proxmox/guest-definition',
        path: path.concat('guest', 'dns'),
        key: true,
        message: `service ${input.name} is a VM: gen cannot set a VM's DNS servers (configure them inside the VM)`,
        hint: `Remove guest.dns from service ${input.name}, and set the resolvers in the VM's own network settings.`,
      });
    }
    if (guestInput.template !== undefined) {
      ctx.report({
        rule: 'proxmox/guest-definition',
        path: path.concat('guest', 'template'),
        key: true,
        message: `service ${input.name} is a VM: template is for containers (a VM installs from iso)`,
        hint: `Replace guest.template of service ${input.name} with iso (the installer image), or make the service a container.`,
      });
    }
    return vmGuest(
      Object.assign({}, guestInput, { id: input.vm }),
      { name: input.name, purpose: 'service', host, site, path, network, address: input.address, mac: guestInput.mac, parts },
    );
  }
  if (guestInput.iso !== undefined) {
    ctx.report({
      rule: 'proxmox/guest-definition',
      path: path.concat('guest', 'iso'),
      key: true,
      message: `service ${input.name} is a container: iso is for VMs (a container is created from a template)`,
      hint: `Replace guest.iso of service ${input.name} with template (a container template such as local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst), or make the service a VM.`,
    });
  }
  const at = parts.attach(network?.id);
  const nic: GuestNic = {
    index: 0,
    label: network?.name ?? 'net0',
    bridge: at?.bridge,
    tag: at?.tag,
    mac: guestInput.mac !== undefined ? normalMac(guestInput.mac) : derivedMac(site, input.name, 'net0'),
    macExplicit: guestInput.mac !== undefined,
    network: network?.id,
    address: input.address,
    prefix: network?.block.prefix,
    gateway: guestInput.gateway ?? network?.firewallAddress,
    gatewayExplicit: guestInput.gateway !== undefined,
    path,
  };
  return {
    kind: 'ct',
    id: input.container,
    name: input.name,
    purpose: 'service',
    host,
    ...resources(guestInput),
    template: guestInput.template,
    nics: network ? [nic] : [],
    dns: containerDns(guestInput.dns, path, network, parts.interfaceOf(network?.id)),
    notes: [],
    path,
  };
}

/**
 * A container's DNS servers: its own guest.dns, else what DHCP clients of
 * its network get (the dhcp.dns of the network's firewall interface, else
 * the firewall's address there, where OPNsense's Unbound answers). None
 * where the network has no firewall address (a network without a bridge,
 * which proxmox/guest-network reports): pve-container then copies the
 * host's resolvers in, as it does for every container without nameserver.
 */
function containerDns(dns: string[] | undefined, path: Path, network: Network | undefined, iface: FirewallInterface | undefined): GuestDns | undefined {
  if (dns !== undefined && dns.length > 0) return { servers: [...dns], from: 'guest', path: path.concat('guest', 'dns') };
  if (!network) return undefined;
  const dhcp = iface?.dhcp;
  if (dhcp && dhcp.dns.length > 0) return { servers: [...dhcp.dns], from: 'dhcp', path: dhcp.path.concat('dns'), interface: iface!.name };
  if (network.firewallAddress === undefined) return undefined;
  return { servers: [network.firewallAddress], from: 'firewall', path: network.path, interface: iface?.name };
}

function vmGuest(
  input: VmInput,
  o: { name: string; purpose: Guest['purpose']; host: string | undefined; site: string; path: Path; network: Network | undefined; address: string | undefined; mac: string | undefined; parts: GuestParts },
): Guest {
  const at = o.parts.attach(o.network?.id);
  const nics: GuestNic[] = o.network
    ? [
        {
          index: 0,
          label: o.network.name,
          bridge: at?.bridge,
          tag: at?.tag,
          mac: o.mac !== undefined ? normalMac(o.mac) : derivedMac(o.site, o.name, 'net0'),
          macExplicit: o.mac !== undefined,
          network: o.network.id,
          address: o.address,
          prefix: o.network.block.prefix,
          gateway: o.network.firewallAddress,
          gatewayExplicit: false,
          path: o.path,
        },
      ]
    : [];
  const notes = o.network && o.address !== undefined
    ? [`inside the VM: address ${o.address}/${o.network.block.prefix}${o.network.firewallAddress ? `, gateway ${o.network.firewallAddress}` : ''} (gen cannot set the address inside a VM)`]
    : [];
  return { kind: 'vm', id: input.id!, name: o.name, purpose: o.purpose, host: o.host, ...resources(input), ostype: 'l26', nics, notes, path: o.path };
}
