// peers.md: the peer inventory seed 002 kept by hand (address, name, role,
// end of the public key, status), plus each role's next free address.
import type { Site } from '../../model.js';
import { compareAddresses } from '../../net.js';
import { template } from '../templates.js';

/** Markdown text in a table cell: no HTML, no line breaks, pipes escaped. */
function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

export function peersTable(site: Site): string {
  const instances = site.wireguard.map((instance) => ({
    name: cell(instance.name),
    tunnel: cell(`${instance.address}/${instance.prefix}, ${instance.tunnel}`),
    listenPort: instance.listenPort ?? '(not set)',
    endpoint: instance.endpoint !== undefined && instance.endpointPort !== undefined ? cell(`${instance.endpoint}:${instance.endpointPort}`) : '-',
    lanEndpoint: instance.lanEndpoint !== undefined && instance.listenPort !== undefined ? cell(`${instance.lanEndpoint}:${instance.listenPort}`) : '-',
    peers: [...instance.peers]
      .sort((a, b) => compareAddresses(a.address, b.address) || a.name.localeCompare(b.name))
      .map((peer) => ({
        address: cell(peer.address),
        name: cell(peer.name),
        role: cell(peer.role),
        // The last 8 characters identify a key in `wg show` output without publishing it whole.
        key: peer.publicKey !== undefined ? `\`...${peer.publicKey.slice(-8)}\`` : '(none)',
        status: !peer.enabled ? 'disabled' : peer.publicKey === undefined ? 'no public key' : 'active',
        allowedIps: cell(peer.allowedIps.join(', ') || 'none'),
      })),
    roles: instance.roles.map((role) => ({
      name: cell(role.name),
      range: cell(`${role.from} - ${role.to}`),
      nextFree: instance.nextFree[role.name] ?? 'full',
    })),
  }));
  return template('wireguard/peers.md.hbs')({ site: cell(site.name), instances });
}
