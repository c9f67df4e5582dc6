// One client's wg-quick file: the peer's tunnel address with the tunnel's
// prefix, the instance's public key, the public or LAN endpoint, and the
// AllowedIPs: what the policy lets this peer reach. The same text is written
// to out/ (private key as a placeholder) and by `gen wg export` (real key).
import type { Peer, Site, WireguardInstance } from '../../model.js';
import { template } from '../templates.js';
import { clientFileStem } from '../../targets/wireguard/names.js';
import { ini } from './ini-values.js';

export function privateKeyPlaceholder(peer: Peer): string {
  return `<private key of ${ini.name(peer.name)}: gen wg export writes it>`;
}

export function instanceKeyPlaceholder(instance: WireguardInstance): string {
  return `<public key of ${ini.name(instance.name)}: set public_key in the topology>`;
}

/** Out/ path of a client file, relative to out/. */
export function clientFilePath(site: Site, instance: WireguardInstance, peer: Peer, lan: boolean): string {
  return `${site.name}/wireguard/${clientFileStem(instance.name, peer.tunnelName, { lan, instancePrefix: site.wireguard.length > 1 })}.conf`;
}

export interface ClientOptions {
  lan: boolean;
  /** The real private key; out/ gets a placeholder. */
  privateKey?: string;
}

export function clientConfig(site: Site, instance: WireguardInstance, peer: Peer, options: ClientOptions): string {
  const endpoint = options.lan
    ? instance.lanEndpoint !== undefined && instance.listenPort !== undefined
      ? `${ini.ipv4(instance.lanEndpoint)}:${ini.port(instance.listenPort)}`
      : undefined
    : instance.endpoint !== undefined && instance.endpointPort !== undefined
      ? `${ini.host(instance.endpoint)}:${ini.port(instance.endpointPort)}`
      : undefined;
  return template('wireguard/client.conf.hbs')({
    site: ini.name(site.name),
    instance: ini.name(instance.name),
    peer: ini.name(peer.name),
    via: options.lan ? 'LAN' : 'public',
    // Peer names are unique per instance only: with several, export needs the instance.
    instanceOption: site.wireguard.length > 1 ? ` --instance ${ini.name(instance.name)}` : '',
    lan: options.lan,
    privateKey: options.privateKey !== undefined ? ini.key(options.privateKey) : privateKeyPlaceholder(peer),
    address: `${ini.ipv4(peer.address)}/${instance.prefix}`,
    mtu: instance.mtu,
    // A DNS line in split tunnel sends every lookup into the tunnel (rule wg/dns-split-tunnel).
    dns: instance.tunnel === 'full' ? instance.dns.map(ini.ipv4).join(', ') : '',
    serverKey: instance.publicKey !== undefined ? ini.key(instance.publicKey) : instanceKeyPlaceholder(instance),
    endpoint,
    allowedIps: peer.allowedIps.map(ini.cidr).join(', '),
    keepalive: peer.keepalive,
  });
}
