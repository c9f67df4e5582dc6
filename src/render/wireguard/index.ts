// WireGuard client files per enabled peer (public endpoint, and LAN
// endpoint when the topology declares one, for a router that does not
// hairpin) and the
// peers.md inventory per site. Private keys never come here.
import type { Model } from '../../model.js';
import type { OutputFiles } from '../target.js';
import { clientFilePath, clientRenderer } from './client-config.js';
import { peersTable } from './peers-table.js';

export function renderWireguard(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    if (site.wireguard.length === 0) continue;
    for (const instance of site.wireguard) {
      const clientConfig = clientRenderer(model, site, instance);
      for (const peer of instance.peers) {
        if (!peer.enabled) continue;
        files.set(clientFilePath(site, instance, peer, false), clientConfig(peer, { lan: false }));
        if (instance.lanEndpoint !== undefined) files.set(clientFilePath(site, instance, peer, true), clientConfig(peer, { lan: true }));
      }
    }
    files.set(`${site.name}/wireguard/peers.md`, peersTable(site));
  }
}
