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
import { bondStanzas } from './bonds.js';
import { portStanzas } from './ports.js';
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
  // A bridge MTU goes on the bridge and on each of its ports: ifupdown2 sets a
  // bridge without one to 1500 whatever its ports have (and guests' taps copy
  // the bridge's MTU), and Proxmox VE refuses a bridge whose MTU is above a port's.
  const { ports, bondPorts, bridgePorts } = portStanzas(host);
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
  return { site, host: host.name, ports, bonds: bondStanzas(host), bondPorts, bridges, bridgePorts, vlans };
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
