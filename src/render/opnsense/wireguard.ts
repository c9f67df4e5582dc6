// WireGuard (MVC //OPNsense/wireguard): the general switch, each instance
// with its listen port, MTU and tunnel address, and one client per peer.
// The instance lists the UUIDs of its enabled peers; a disabled peer keeps
// its client entry (enabled 0) but is not linked. A peer without a public key
// has no entry: the Client model requires one (Client.xml, pubkey Required),
// and OPNsense's validation of the whole model refuses an empty one. The private key is a
// placeholder that `gen opnsense merge` fills from the secrets directory, and so
// is a peer's pre-shared key (psk) when the topology gives it one.
import type { Peer } from '../../model.js';
import { instanceKeyPath, peerPskPath } from '../../paths.js';
import { type Area, PRIVATE_KEY_PLACEHOLDER_PREFIX, mvcFlag } from './context.js';
import { itemsOf, modelItem, modelItems, modelSection } from './fields.js';

/** The placeholder text standing for an instance's private key. */
export function privateKeyPlaceholder(site: string, instance: string): string {
  return `${PRIVATE_KEY_PLACEHOLDER_PREFIX}${instanceKeyPath(site, instance).split('\\').join('/')}`;
}

/** The placeholder text standing for a peer's pre-shared key. */
export function presharedKeyPlaceholder(site: string, instance: string, peer: string): string {
  return `${PRIVATE_KEY_PLACEHOLDER_PREFIX}${peerPskPath(site, instance, peer).split('\\').join('/')}`;
}

/** A peer the instance lists: enabled and with a public key (OPNsense requires one). */
function linked(peer: Peer): boolean {
  return peer.enabled && peer.publicKey !== undefined;
}

export const wireguardArea: Area = {
  file: 'wireguard.xml',
  build(ctx) {
    const instances = ctx.site.wireguard;
    if (instances.length === 0) return [];
    // Each peer's uuid names its client item and is listed by its server: made once, it is a hash per peer, not two.
    const peerUuids = new Map<Peer, string>();
    const peerUuid = (instance: string, peer: Peer): string => {
      let uuid = peerUuids.get(peer);
      if (uuid === undefined) peerUuids.set(peer, (uuid = ctx.uuid('wireguard-peer', `${instance}/${peer.name}`)));
      return uuid;
    };
    const servers = instances.map((wg) =>
      modelItem(ctx, 'wireguardServer', 'servers.server', ctx.uuid('wireguard-instance', wg.name), {
        enabled: '1',
        name: wg.name,
        instance: wg.number,
        pubkey: wg.publicKey,
        privkey: privateKeyPlaceholder(ctx.site.name, wg.name),
        port: wg.listenPort,
        mtu: wg.mtu,
        dns: '',
        tunneladdress: `${wg.address}/${wg.prefix}`,
        disableroutes: '0',
        gateway: '',
        peers: wg.peers.filter(linked).map((p) => peerUuid(wg.name, p)).join(','),
        endpoint: wg.endpoint && `${wg.endpoint}:${wg.endpointPort ?? wg.listenPort ?? 51820}`,
        peer_dns: wg.dns.join(','),
      }),
    );
    const peers = instances.flatMap((wg) => wg.peers.filter((peer) => peer.publicKey !== undefined).map((peer) => ({ wg, peer })));
    const client = modelItems(ctx, 'wireguardClient', 'clients.client', {
      // None, as in gen's client files, but for a peer with preshared_key (its own value, below); merge keeps the one
      // of a box's peer gen takes over (wireguard-takeovers.ts).
      psk: '',
      serveraddress: '',
      serverport: '',
      // The keepalive is the client's (its file has it): on the firewall's side it would make the firewall wake
      // every road-warrior phone that often, and 0 ("none" in the topology) is below the model's minimum of 1
      // (Client.xml). Empty writes no PersistentKeepalive (wireguard-server.conf).
      keepalive: '',
    });
    const clients = itemsOf(ctx, peers, ({ wg, peer }) => {
      const values: Record<string, string | undefined> = { enabled: mvcFlag(linked(peer)), name: peer.name, pubkey: peer.publicKey, tunneladdress: `${peer.address}/32` };
      // Only where the peer has one: the others share the fixed empty psk, made once.
      if (peer.presharedKey) values.psk = presharedKeyPlaceholder(ctx.site.name, wg.name, peer.name);
      return client(peerUuid(wg.name, peer), values);
    });
    return [
      ...modelSection(ctx, 'wireguardGeneral', { enabled: '1' }),
      ...modelSection(ctx, 'wireguardServer', { servers: { server: servers } }),
      ...modelSection(ctx, 'wireguardClient', { clients: { client: clients } }),
    ];
  },
};
