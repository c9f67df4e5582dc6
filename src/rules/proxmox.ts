// Proxmox bridge settings that ifupdown2 cannot carry out as written, or that
// Proxmox VE's own API would refuse when the bridge is next edited in the GUI.
import { INTERFACE_NAME, TEMPLATE_CHARACTERS, addressInterface, addressedLinks, vidEntryProblem } from '../targets/proxmox/interfaces.js';
import type { Bridge, HostBond, HostNic, NetworkKind } from '../model.js';
import type { Path } from '../location.js';
import type { Rule } from './rule.js';
import { bridges, hosts } from './walk.js';

/** Networks that live behind the firewall on no link, by kind: a host address in one claims a link that does not exist. */
const BRIDGELESS: Partial<Record<NetworkKind, string>> = {
  vpn: 'a WireGuard tunnel network',
  remote: 'a remote network of a site-to-site VPN',
  vpc: 'a VPC',
  subnet: 'a VPC subnet',
};

export const proxmoxRules: Rule[] = [
  {
    id: 'proxmox/description-text',
    severity: 'error',
    summary: 'A bridge, NIC or bond description has "$", "%" or "\\", which ifupdown2 would read as template code.',
    why: "ifupdown2 runs /etc/network/interfaces through the Mako template engine first (template_enable=1 by default): ${...} in a comment is evaluated as Python, and a line starting with % is a control line.",
    hint: 'Leave "$", "%" and "\\" out of bridge, NIC and bond descriptions.',
    examples: [
      {
        where: 'sites[].proxmox.hosts[].bridges[vmbr2]',
        bad: 'name: vmbr2\ndescription: Service (containers, 100% of the SSD)',
        good: 'name: vmbr2\ndescription: Service (containers, all of the SSD)',
      },
    ],
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        if (bridge.description !== undefined && TEMPLATE_CHARACTERS.test(bridge.description)) {
          report({ path: bridge.path.concat('description'), message: `bridge ${bridge.name}: description "${bridge.description}" would be read as template code by ifupdown2` });
        }
      }
      for (const host of hosts(model)) {
        const devices: [string, { name: string; description?: string; path: Path }][] = host.nics.map((n) => ['NIC', n]);
        for (const bond of host.bonds) devices.push(['bond', bond]);
        for (const [kind, device] of devices) {
          if (device.description !== undefined && TEMPLATE_CHARACTERS.test(device.description)) {
            report({ path: device.path.concat('description'), message: `${kind} ${device.name}: description "${device.description}" would be read as template code by ifupdown2` });
          }
        }
      }
    },
  },
  {
    id: 'proxmox/nic-address-bridged',
    severity: 'error',
    summary: 'A NIC with an address of its own (nics[]), or a bond with an address, is also a port of a bridge, or a bridge.',
    why: "An address belongs on the bridge, not on its port: Proxmox VE's writer refuses the whole file (pve-common PVE/Network/Interfaces.pm: \"ip address can't be set on interface if bridged\"), so no network change can be saved in the GUI, and on the link the bridge takes the port's frames before its address sees them.",
    hint: "Take the NIC out of the bridge's ports (a corosync or storage link needs no bridge), or give the address to the bridge instead.",
    examples: [
      {
        where: 'sites[].proxmox.hosts[]',
        bad: 'nics:\n  - { name: eno1, description: corosync link 0, address: 10.99.0.11/24 }',
        good: 'nics:\n  - { name: eno2, description: corosync link 0, address: 10.99.0.11/24 }',
      },
    ],
    check(model, report) {
      for (const host of hosts(model)) {
        const taken = new Map<string, string>();
        for (const bridge of host.bridges) {
          taken.set(bridge.name, `a bridge of host ${host.name}`);
          for (const port of bridge.ports) if (!taken.has(port)) taken.set(port, `a port of bridge ${bridge.name}`);
        }
        for (const { kind, link } of addressedLinks(host)) {
          const other = taken.get(link.name);
          if (other !== undefined) report({ path: link.path.concat(kind === 'NIC' ? 'name' : 'address'), message: `${kind} ${link.name} has an address of its own but is ${other}` });
        }
      }
    },
  },
  {
    id: 'proxmox/port-in-two-bridges',
    severity: 'error',
    summary: 'A port is enslaved to two bridges of one host.',
    why: 'A device can be the port of one bridge only: ifupdown2 stops with "bridge port is enslaved to multiple interfaces" and neither bridge gets it reliably.',
    hint: 'Keep the port on one bridge; carry several networks on it as VLANs of a VLAN-aware bridge.',
    examples: [
      {
        where: 'sites[].proxmox.hosts[].bridges[vmbr1]',
        bad: 'name: vmbr1\ndescription: Management\nports: [eno1]',
        good: 'name: vmbr1\ndescription: Management',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const host of site.hosts) {
          const owner = new Map<string, string>();
          for (const bridge of host.bridges) {
            bridge.ports.forEach((port, i) => {
              const first = owner.get(port);
              if (first === undefined) owner.set(port, bridge.name);
              else report({ path: bridge.path.concat('ports', i), message: `port ${port} of bridge ${bridge.name} is already a port of bridge ${first}` });
            });
          }
        }
      }
    },
  },
  {
    id: 'proxmox/vids-without-vlan-aware',
    severity: 'warning',
    summary: 'A bridge lists vids but is explicitly not VLAN aware.',
    why: 'bridge-vids only act on a VLAN-aware bridge, so gen leaves them out of the file: the VLANs written in the topology are carried nowhere.',
    hint: 'Set vlan_aware: true, or remove vids.',
    examples: [
      {
        where: 'sites[].proxmox.hosts[].bridges[vmbr2]',
        bad: 'name: vmbr2\nvlan_aware: false\nvids: [20, 30]',
        good: 'name: vmbr2\nvlan_aware: true\nvids: [20, 30]',
      },
    ],
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        if (bridge.vidsExplicit && !bridge.vlanAware) {
          report({
            path: bridge.path.concat('vids'),
            key: true,
            message: `bridge ${bridge.name} has vids but vlan_aware: false`,
            hint: `Set vlan_aware: true on bridge ${bridge.name} to carry VLANs ${bridge.vids.join(', ')}, or remove its vids.`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/vids-refused',
    severity: 'error',
    summary: 'A bridge-vids entry that Proxmox VE\'s API refuses: VLAN 1, or a range of one tag.',
    why: "Proxmox VE's API takes bridge-vids tags 2-4094 and ranges from a lower to a higher tag. The file still loads, but the GUI then refuses to save any edit of the bridge. VLAN 1 is the bridge's untagged native VLAN (PVID 1), carried on every port without being listed.",
    hint: 'Leave VLAN 1 out (it is always there, untagged), and write a single VLAN as "20", not "20-20".',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.hosts[].bridges[vmbr2]',
        bad: 'name: vmbr2\nvlan_aware: true\nvids: [1, 10, 20, 30]',
        good: 'name: vmbr2\nvlan_aware: true\nvids: [10, 20, 30]',
      },
    ],
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        if (!bridge.vidsExplicit) continue;
        bridge.vids.forEach((entry, i) => {
          const problem = vidEntryProblem(entry);
          // Tags outside 1-4094 and backward ranges are vlan/tag-range's.
          if (problem?.kind !== 'vlan-1' && problem?.kind !== 'one-tag') return;
          report({
            path: bridge.path.concat('vids', i),
            message: `bridge ${bridge.name}: vids entry ${entry} ${problem.message}`,
            hint: problem.kind === 'vlan-1' ? `Remove VLAN 1 from vids entry ${entry} of bridge ${bridge.name}${entry.includes('-') ? ' (start the range at 2)' : ''}: the bridge carries it untagged anyway.` : `Write ${entry.split('-')[0]} instead of ${entry}.`,
          });
        });
      }
    },
  },
  {
    id: 'proxmox/host-no-address',
    severity: 'warning',
    summary: 'A Proxmox host has no address in the interfaces file gen writes for it.',
    why:
      "gen's file is the host's whole /etc/network/interfaces. Apply (pvesh set /nodes/<host>/network, the GUI's button) runs `ifreload -a`, which takes down every interface " +
      'the file no longer names (the bridge the installer made, with its address) and purges every address a stanza does not list (ifupdown2 address-purge, on by default); ' +
      'the next boot brings up only what the file says. A host without an address loses its web GUI, SSH, API and cluster links at once, and only its console is left. ' +
      "Bridges added by hand in the GUI (vmbr1 and vmbr2, say) leave the installer's management bridge in place; a topology that lists only them drops it.",
    hint: "Give the host the address it is managed at, on the bridge of that network (for a network the firewall serves as a VLAN, gen puts it on the bridge's VLAN device), or list the installer's management bridge with its ports and address.",
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.hosts[pve]',
        bad: 'name: pve\nports: [eno3]\nbridges:\n  - { name: vmbr1, ports: [eno3] }\n  - { name: vmbr2, vlan_aware: true }',
        good: 'name: pve\nports: [eno3]\nbridges:\n  - { name: vmbr1, ports: [eno3] }\n  - { name: vmbr2, vlan_aware: true, address: 192.168.10.5/24 }',
      },
    ],
    check(model, report) {
      for (const host of hosts(model)) {
        // A NIC's or bond's own address is one the node keeps too: reachable there, it is not cut off.
        if (host.bridges.some((b) => b.address !== undefined) || addressedLinks(host).length > 0) continue;
        report({
          path: host.path.concat('bridges'),
          message:
            `host ${host.name} has no address in the interfaces file gen writes: after Apply (ifreload -a) and at every boot it has no IPv4 address, ` +
            "since the file replaces the host's whole network configuration, the installer's management bridge included",
        });
      }
    },
  },
  {
    id: 'proxmox/host-unrouted',
    severity: 'warning',
    summary: 'A Proxmox host has addresses only outside the firewall, so it cannot reach the networks behind it.',
    why:
      "gen derives a host's routes to the firewall's networks via the firewall's address on a network the host shares with it from inside (a management bridge). " +
      "A host addressed only on the WAN side sends that traffic to its default gateway, the upstream router; a route via the firewall's WAN address would not help either, " +
      'since the WAN blocks private sources and the policy passes nothing in from the WAN. Backups to a PBS behind the firewall, or managing the guests there, then fail.',
    hint: 'Give the host an address on a bridge of a network the firewall serves (usually management); gen then derives its routes to the others.',
    examples: [
      {
        where: 'sites[].proxmox.hosts[pve].bridges[vmbr1]',
        text: true,
        bad: 'name: vmbr1\ndescription: Management, no address of the host',
        good: 'name: vmbr1\ndescription: Management\naddress: 10.0.0.254/24',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const host of site.hosts) {
          if (host.unrouted.length === 0) continue;
          report({
            path: host.path.concat('bridges'),
            message: `host ${host.name} has no address on a network behind the firewall, so it cannot reach ${host.unrouted.map((u) => `${u.network.split('/').pop()} (${u.cidr})`).join(', ')}: its traffic there goes to its default gateway`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/host-address-bridge',
    severity: 'error',
    summary: 'A Proxmox host address is on a bridge other than the one on which the firewall serves its network.',
    why:
      "The host's frames for that network stay on the bridge the address is on, while the firewall and the network's guests are on the other: " +
      'the gateway gen derives from the network (the firewall) cannot be reached, nor can anything else in the network, and the host is cut off.',
    hint: "Put the address on the bridge of the firewall's interface for the network (gen puts it on the bridge's VLAN device for a VLAN network), or use an address of a network served on this bridge.",
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].proxmox.hosts[pve]',
        bad: 'name: pve\nports: [eno3]\nbridges:\n  - { name: vmbr1, ports: [eno3], address: 192.168.1.5/24 }\n  - { name: vmbr2, vlan_aware: true }',
        good: 'name: pve\nports: [eno3]\nbridges:\n  - { name: vmbr1, ports: [eno3] }\n  - { name: vmbr2, vlan_aware: true, address: 192.168.1.5/24 }',
      },
    ],
    check(model, report) {
      for (const { site, bridge } of bridges(model)) {
        if (bridge.address === undefined || bridge.networkBridge === undefined || bridge.networkBridge === bridge.name) continue;
        const network = site.networks.find((n) => n.id === bridge.network);
        report({
          path: bridge.path.concat('address'),
          message: `bridge ${bridge.name}: the host address ${bridge.address}/${bridge.prefix} is in network ${network?.name ?? bridge.network} (${network?.cidr}), which the firewall serves on bridge ${bridge.networkBridge}, so nothing of that network is reachable from ${bridge.name}`,
          hint: `Move the address to bridge ${bridge.networkBridge}, or give bridge ${bridge.name} an address of a network served on it.`,
        });
      }
    },
  },
  {
    id: 'proxmox/host-address-tunnel',
    severity: 'error',
    summary: 'A Proxmox host address (on a bridge or a NIC) is in a network that no bridge carries: a WireGuard tunnel, a remote network of a site-to-site VPN, or a VPC.',
    why:
      'Linux makes the whole network of an address on-link on its device (the prefix route of every IPv4 address): the host sends what it has for that network onto the bridge, ' +
      'where nobody of the network is, instead of through the firewall, and gen writes no route through the firewall to a network the host has an address in. ' +
      "For the WireGuard tunnel this means that the host's replies to the VPN clients never reach them. " +
      'It happens when a network is renumbered and the host keeps its old address (an old service network given to the tunnel).',
    hint: 'Remove the address, or give the bridge an address of a network the firewall serves on it; gen then routes the host to that network through the firewall.',
    examples: [
      {
        where: 'sites[].proxmox.hosts[pve].bridges[vmbr2]',
        bad: 'name: vmbr2\ndescription: Service (containers)\naddress: 10.0.1.254/24',
        good: 'name: vmbr2\ndescription: Service (containers)',
      },
    ],
    check(model, report) {
      for (const host of hosts(model)) {
        // A NIC or bond with an address of its own takes its network on-link the same way.
        const devices = host.bridges.map((b): { kind: string; device: Bridge | HostNic | HostBond } => ({ kind: 'bridge', device: b })).concat(addressedLinks(host).map(({ kind, link }) => ({ kind, device: link })));
        for (const { kind, device } of devices) {
          if (device.address === undefined || device.network === undefined) continue;
          const network = model.networks.find((n) => n.id === device.network);
          const what = network ? BRIDGELESS[network.kind] : undefined;
          if (!network || what === undefined) continue;
          // The firewall address the host's other routes go through: where this network's route belongs too.
          const route = host.routes[0];
          report({
            path: device.path.concat('address'),
            message:
              `${kind} ${device.name}: the host address ${device.address}/${device.prefix} is in ${network.name} (${network.cidr}), ${what}, which no bridge carries: ` +
              `the host takes all of ${network.cidr} as on-link on ${device.name}, so it sends everything for that network, replies included, onto ${device.name} instead of through the firewall` +
              (route ? ` (${route.via})` : ''),
            hint: `Remove the address from ${kind} ${device.name} (a leftover of the network's old range?), or give it an address of a network the firewall serves on ${kind === 'bridge' ? device.name : 'a bridge'}.`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/vlan-device-name',
    severity: 'error',
    summary: "A host address in a VLAN network needs the bridge's VLAN device <bridge>.<tag>, and that name is longer than Linux allows.",
    why: 'gen puts such an address on the VLAN device named <bridge>.<tag>, the name from which ifupdown2 and Proxmox VE take the raw device and the VLAN id; a Linux interface name has at most 15 characters, so the device cannot exist.',
    hint: 'Shorten the bridge name (the usual vmbrN leaves room for any tag).',
    examples: [
      {
        topology: 'vlan-hosting',
        context: [{ where: 'sites[].firewall.interfaces[lan]', snippet: 'bridge: vmbr2-customers' }],
        where: 'sites[].proxmox.hosts[pve]',
        bad: 'name: pve\nports: [eno3]\nbridges:\n  - { name: vmbr1, ports: [eno3] }\n  - { name: vmbr2-customers, vlan_aware: true, address: 192.168.10.5/24 }',
        good: 'name: pve\nports: [eno3]\nbridges:\n  - { name: vmbr1, ports: [eno3] }\n  - { name: vmbr2-customers, vlan_aware: true, address: 192.168.1.5/24 }',
      },
    ],
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        const device = addressInterface(bridge);
        if (bridge.addressVlan === undefined || INTERFACE_NAME.test(device)) continue;
        report({
          path: bridge.path.concat('name'),
          message: `bridge ${bridge.name}: the host address ${bridge.address}/${bridge.prefix} is in VLAN ${bridge.addressVlan}, so it goes on VLAN device ${device}, longer than the 15 characters of a Linux interface name`,
          hint: `Give bridge ${bridge.name} a name of at most ${14 - String(bridge.addressVlan).length} characters (on every host of the site, and on the firewall's interfaces).`,
        });
      }
    },
  },
  {
    id: 'proxmox/vlan-1-native',
    severity: 'error',
    summary: 'A firewall VLAN with tag 1 rides on a VLAN-aware Proxmox bridge.',
    why: "VLAN 1 is a VLAN-aware bridge's native VLAN: every port has PVID 1 and sends it untagged, and Proxmox VE plugs a guest NIC without a tag as untagged member of VLAN 1. Frames tagged 1 reach the firewall VM untagged, on the parent interface, so its VLAN 1 device never receives anything.",
    hint: 'Give the VLAN another tag (2-4094), or put the network on the parent interface itself (untagged).',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].firewall.interfaces[mgmt]',
        bad: 'name: mgmt\nvlan: { parent: lan, tag: 1 }',
        good: 'name: mgmt\nvlan: { parent: lan, tag: 10 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const iface of site.firewall?.interfaces ?? []) {
          if (iface.vlan?.tag !== 1) continue;
          const parent = site.firewall!.interfaces.find((f) => f.name === iface.vlan!.parent);
          const carriers = site.hosts.flatMap((h) => h.bridges.filter((b) => b.name === parent?.bridge && b.vlanAware).map((b) => `${h.name} ${b.name}`));
          if (carriers.length === 0) continue;
          report({
            path: iface.path.concat('vlan', 'tag'),
            message: `VLAN ${iface.name}: tag 1 is the untagged native VLAN of bridge ${carriers.join(', ')}, so frames tagged 1 never reach the firewall's VLAN device`,
            hint: `Give VLAN ${iface.name} a tag from 2 to 4094, or put its network on interface ${iface.vlan!.parent} itself (untagged).`,
          });
        }
      }
    },
  },
];
