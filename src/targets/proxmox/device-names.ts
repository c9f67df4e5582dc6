// The network devices a Proxmox VE 9 host makes for a guest NIC, named from
// the guest id and the NIC's number, and when it makes each. Linux refuses
// an interface name of more than 15 characters (IFNAME_MAX, interfaces.ts),
// and a guest id may have nine digits (pve-vmid, up to 999999999).

/**
 * When Proxmox makes the device: at every start, when a NIC is plugged into
 * a running guest, or only while the NIC's Proxmox firewall is on.
 */
export type DeviceOccasion = 'start' | 'hotplug' | 'firewall';

export interface HostDevice {
  name: string;
  when: DeviceOccasion;
  /** What the device is, for a message. */
  what: string;
}

/**
 * The host-side devices of NIC `index` of guest `vmid` on a Linux bridge:
 * - a VM's tap device, at start and on hotplug alike (qemu-server
 *   QemuServer.pm print_netdev_full, which refuses a longer name itself);
 * - a container's host end, named by `lxc.net.N.veth.pair` at start
 *   (pve-container LXC.pm update_lxc_config), and its other end, which
 *   hotplug_net creates under a temporary name (`$veth . "p"`) before it
 *   moves it into the running container; PVE::Network::veth_create checks
 *   the length of the first name only;
 * - with the NIC's firewall on, the bridge, the veth pair and its peer that
 *   Proxmox puts between the NIC and its bridge (pve-common Network.pm
 *   $compute_fwbr_names, made by $create_firewall_bridge_linux).
 */
export function hostDevices(kind: 'vm' | 'ct', vmid: number, index: number): HostDevice[] {
  const firewall: HostDevice[] = [
    { name: `fwbr${vmid}i${index}`, when: 'firewall', what: 'the firewall bridge of the NIC' },
    { name: `fwln${vmid}i${index}`, when: 'firewall', what: 'the firewall bridge link of the NIC' },
    { name: `fwpr${vmid}p${index}`, when: 'firewall', what: 'the firewall bridge port of the NIC' },
  ];
  if (kind === 'vm') return [{ name: `tap${vmid}i${index}`, when: 'start', what: 'the tap device of the NIC' }, ...firewall];
  return [
    { name: `veth${vmid}i${index}`, when: 'start', what: 'the host end of the NIC' },
    { name: `veth${vmid}i${index}p`, when: 'hotplug', what: 'the container end of a NIC plugged in while it runs' },
    ...firewall,
  ];
}
