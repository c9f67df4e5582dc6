// /etc/network/interfaces per Proxmox host, as Proxmox VE 8 writes it:
// loopback, physical ports `manual`, bridges with STP off and no forward
// delay, VLAN-aware bridges with their bridge-vids, the host address and
// gateway, and the derived routes to networks behind the firewall as
// idempotent post-up/post-down lines (seed 002 problems 7 and 8).
import type { Host, Model } from '../../model.js';
import type { OutputFiles } from '../target.js';
import { template } from '../templates.js';
import { cidr, commentText, ifname, ipv4, vid } from './shell-values.js';

export function interfacesPath(site: string, host: string): string {
  return `${site}/proxmox/${host}/interfaces`;
}

function hostData(site: string, host: Host) {
  const bridgeNames = new Set(host.bridges.map((b) => b.name));
  // Ports enslaved to bridges need a stanza too, even when the host's port list omits them.
  const portNames = [...new Set([...host.ports, ...host.bridges.flatMap((b) => b.ports)])].filter((p) => !bridgeNames.has(p));
  // A bridge takes its MTU from its ports (ifupdown2 refuses one on the bridge
  // itself), so a bridge MTU is written on its ports.
  const ports = portNames.map((name) => ({ name: ifname(name), mtu: host.bridges.find((b) => b.ports.includes(name))?.mtu }));
  const bridges = host.bridges.map((bridge) => {
    const gateway = host.defaultGateway?.bridge === bridge.name ? ipv4(host.defaultGateway.address) : undefined;
    const routes = host.routes
      .filter((r) => r.bridge === bridge.name)
      .map((r) => ({ destination: cidr(r.destination), via: ipv4(r.via) }));
    return {
      name: ifname(bridge.name),
      method: bridge.address !== undefined ? 'static' : 'manual',
      address: bridge.address !== undefined ? `${ipv4(bridge.address)}/${bridge.prefix}` : undefined,
      gateway,
      ports: bridge.ports.length ? bridge.ports.map(ifname).join(' ') : 'none',
      vlanAware: bridge.vlanAware,
      vids: bridge.vids.map(vid).join(' '),
      routes,
      comment: bridge.description !== undefined ? commentText(bridge.description) : undefined,
    };
  });
  return { site, host: host.name, ports, bridges };
}

export function renderProxmox(model: Model, files: OutputFiles): void {
  const render = template('proxmox/interfaces.hbs');
  for (const site of model.sites) {
    for (const host of site.hosts) files.set(interfacesPath(site.name, host.name), render(hostData(site.name, host)));
  }
}
