// WireGuard (MVC //OPNsense/wireguard): the general switch, each instance
// with its listen port, MTU and tunnel address, and one client per peer.
// The instance lists the UUIDs of its enabled peers; a disabled peer keeps
// its client entry (enabled 0) but is not linked. The private key is a
// placeholder that `gen opnsense merge` fills from the secrets directory.
import type { Peer } from '../../model.js';
import { instanceKeyPath } from '../../secrets.js';
import { type Area, PRIVATE_KEY_PLACEHOLDER_PREFIX, mvcFlag, uuidAttr, versionAttr } from './context.js';
import { element, leaf } from './xml.js';

/** The placeholder text standing for an instance's private key. */
export function privateKeyPlaceholder(site: string, instance: string): string {
  return `${PRIVATE_KEY_PLACEHOLDER_PREFIX}${instanceKeyPath(site, instance).split('\\').join('/')}`;
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
    const peerUuid = (instance: string, peer: string) => ctx.uuid('wireguard-peer', `${instance}/${peer}`);
    const servers = instances.map((wg) =>
      element(
        'server',
        [
          leaf('enabled', '1'),
          leaf('name', wg.name),
          leaf('instance', wg.number),
          leaf('pubkey', wg.publicKey),
          leaf('privkey', privateKeyPlaceholder(ctx.site.name, wg.name)),
          leaf('port', wg.listenPort),
          leaf('mtu', wg.mtu),
          leaf('dns', ''),
          leaf('tunneladdress', `${wg.address}/${wg.prefix}`),
          leaf('disableroutes', '0'),
          leaf('gateway', ''),
          leaf('peers', wg.peers.filter(linked).map((p) => peerUuid(wg.name, p.name)).join(',')),
          ctx.version('wireguardServer') === '1.0.1' ? leaf('debug', '0') : undefined,
          leaf('endpoint', wg.endpoint && `${wg.endpoint}:${wg.endpointPort ?? wg.listenPort ?? 51820}`),
          leaf('peer_dns', wg.dns.join(',')),
        ],
        uuidAttr(ctx.uuid('wireguard-instance', wg.name)),
      ),
    );
    const clients = instances.flatMap((wg) =>
      wg.peers.map((peer) =>
        element(
          'client',
          [
            leaf('enabled', mvcFlag(linked(peer))),
            leaf('name', peer.name),
            leaf('pubkey', peer.publicKey),
            leaf('psk', ''),
            leaf('tunneladdress', `${peer.address}/32`),
            leaf('serveraddress', ''),
            leaf('serverport', ''),
            leaf('keepalive', peer.keepalive),
          ],
          uuidAttr(peerUuid(wg.name, peer.name)),
        ),
      ),
    );
    return [
      element('OPNsense', [
        element('wireguard', [
          element('general', [leaf('enabled', '1')], versionAttr(ctx.version('wireguardGeneral'))),
          element('server', [element('servers', servers)], versionAttr(ctx.version('wireguardServer'))),
          element('client', [element('clients', clients)], versionAttr(ctx.version('wireguardClient'))),
        ]),
      ]),
    ];
  },
};
