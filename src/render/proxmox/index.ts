// /etc/network/interfaces per Proxmox host, in the order Proxmox VE's own
// writer uses: loopback, physical ports `manual` (a NIC with an address of
// its own `auto` and `inet static`, a bond's slave `auto`), bonds, bridges with STP off and no
// forward delay, VLAN-aware bridges with their bridge-vids, the MTU, the host
// address and gateway, and the derived routes to networks behind the
// firewall as post-up/post-down lines (the return routes). An
// address in a VLAN network goes, with its gateway and routes, on the
// bridge's VLAN device (vmbr2.10) after the bridges: untagged on the
// VLAN-aware bridge it would be in VLAN 1, which the firewall never sees.
// Routes use `ip route replace`: ifreload re-runs every post-up on each Apply and never
// runs the post-down of a changed stanza, so the route must be idempotent.
import type { Bridge, Host, Model } from '../../model.js';
import { addressInterface } from '../../targets/proxmox/interfaces.js';
import type { OutputFiles } from '../target.js';
import { template } from '../templates.js';
import { applyInterfacesPath, applyInterfacesScript } from './apply-interfaces.js';
import { bondMtu, bondStanzas } from './bonds.js';
import { cidr, commentText, ifname, ipv4, mtu, vid } from './shell-values.js';

export function interfacesPath(site: string, host: string): string {
  return `${site}/proxmox/${host}/interfaces`;
}

/** The host's address on a bridge, with the default gateway and the routes that leave through it. */
function hostAddress(host: Host, bridge: Bridge) {
  const gateway = host.defaultGateway?.bridge === bridge.name ? ipv4(host.defaultGateway.address) : undefined;
  const routes = host.routes.filter((r) => r.bridge === bridge.name).map((r) => ({ destination: cidr(r.destination), via: ipv4(r.via) }));
  return {
    method: bridge.address !== undefined ? 'static' : 'manual',
    address: bridge.address !== undefined ? `${ipv4(bridge.address)}/${bridge.prefix}` : undefined,
    gateway,
    routes,
  };
}

function hostData(site: string, host: Host) {
  const bridgeNames = new Set(host.bridges.map((b) => b.name));
  const bondOf = new Map(host.bonds.flatMap((bond) => bond.slaves.map((slave) => [slave, bond] as const)));
  const bondNames = new Set(host.bonds.map((b) => b.name));
  // Ports enslaved to bridges and bonds need a stanza too, even when the host's port list omits them.
  const portNames = [...new Set(host.ports.concat(host.bridges.flatMap((b) => b.ports), [...bondOf.keys()]))].filter((p) => !bridgeNames.has(p) && !bondNames.has(p));
  // A bridge MTU goes on the bridge and on each of its ports: ifupdown2 sets a
  // bridge without one to 1500 whatever its ports have (and guests' taps copy
  // the bridge's MTU), and Proxmox VE refuses a bridge whose MTU is above a port's.
  // A bond's slave takes the bond's MTU, and is `auto`, as Proxmox VE's writer
  // marks every bond slave (autostart) when it saves the file.
  const nics = new Map(host.nics.map((nic) => [nic.name, nic]));
  const ports: { name: string; auto?: boolean; mtu?: number; address?: string; comment?: string }[] = portNames.filter((name) => !nics.has(name)).map((name) => {
    const bond = bondOf.get(name);
    const portMtu = bond !== undefined ? bondMtu(host, bond) : host.bridges.find((b) => b.ports.includes(name))?.mtu;
    return { name: ifname(name), auto: bond !== undefined, mtu: portMtu !== undefined ? mtu(portMtu) : undefined };
  });
  // A NIC with an address of its own, written among the ports as Proxmox VE's
  // writer orders an `eth`: auto, inet static, address, mtu, then its comment.
  for (const nic of nics.values()) {
    if (nic.address === undefined) continue;
    ports.push({
      name: ifname(nic.name),
      mtu: nic.mtu !== undefined ? mtu(nic.mtu) : undefined,
      address: `${ipv4(nic.address)}/${nic.prefix}`,
      comment: nic.description !== undefined ? commentText(nic.description) : undefined,
    });
  }
  const bridges = host.bridges.map((bridge) => {
    return Object.assign(bridge.addressVlan !== undefined ? { method: 'manual' } : hostAddress(host, bridge), {
      name: ifname(bridge.name),
      ports: bridge.ports.length ? bridge.ports.map(ifname).join(' ') : 'none',
      vlanAware: bridge.vlanAware,
      vids: bridge.vids.map(vid).join(' '),
      mtu: bridge.mtu !== undefined ? mtu(bridge.mtu) : undefined,
      comment: bridge.description !== undefined ? commentText(bridge.description) : undefined,
    });
  });
  // After every bridge, as Proxmox VE's writer orders a bridge's VLAN devices.
  const vlans = host.bridges.filter((b) => b.addressVlan !== undefined).map((bridge) => Object.assign(hostAddress(host, bridge), { name: ifname(addressInterface(bridge)) }));
  return { site, host: host.name, ports, bonds: bondStanzas(host), bridges, vlans };
}

export function renderProxmox(model: Model, files: OutputFiles): void {
  const render = template('proxmox/interfaces.hbs');
  for (const site of model.sites) {
    for (const host of site.hosts) {
      const interfaces = render(hostData(site.name, host));
      files.set(interfacesPath(site.name, host.name), interfaces);
      files.set(applyInterfacesPath(site.name, host.name), applyInterfacesScript(site.name, host, interfaces));
    }
  }
}
