// One client's wg-quick file: the peer's tunnel address with the tunnel's
// prefix, the instance's public key, the public or LAN endpoint, and the
// AllowedIPs: what the policy lets this peer reach. The same text is written
// to out/ (private key as a placeholder) and by `gen wg export` (real key).
import type { Model, Peer, Site, WireguardInstance } from '../../model.js';
import { slotted } from '../templates.js';
import { clientFileStem } from '../../targets/wireguard/names.js';
import { ini } from './ini-values.js';

/** The private key's place in out/, for the peer of a checked name. */
function privateKeyPlaceholder(name: string): string {
  return `<private key of ${name}: gen wg export writes it>`;
}

/** The pre-shared key's place in out/, for the peer of a checked name. */
function presharedKeyPlaceholder(name: string): string {
  return `<pre-shared key of ${name}: gen wg export writes it>`;
}

export function instanceKeyPlaceholder(instance: WireguardInstance): string {
  return `<public key of ${ini.name(instance.name)}: set public_key in the topology>`;
}

/** Out/ path of a client file, relative to out/. */
export function clientFilePath(site: Site, instance: WireguardInstance, peer: Peer, lan: boolean): string {
  return `${site.name}/wireguard/${clientFileStem(instance.name, peer.tunnelName, { lan, instancePrefix: site.wireguard.length > 1 })}.conf`;
}

/**
 * The options of gen wg's commands that name this instance (and so a peer of it): a peer's name is unique in its
 * instance only and an instance's in its site, so without them a command finds several and stops (exit 2).
 */
export function commandScope(model: Pick<Model, 'sites'>, site: Site, instance: WireguardInstance): string {
  return (model.sites.length > 1 ? ` --site ${site.name}` : '') + (site.wireguard.length > 1 ? ` --instance ${instance.name}` : '');
}

export interface ClientOptions {
  lan: boolean;
  /** The real private key; out/ gets a placeholder. */
  privateKey?: string;
  /** The real pre-shared key of a peer that has one (preshared_key); out/ gets a placeholder. */
  presharedKey?: string;
}

/**
 * Renders the client files of one instance. What every client of the
 * instance shares (names, endpoints, the instance's key, DNS) is validated
 * once, and each distinct AllowedIPs list once: thousands of peers reach the
 * same few networks, and validating each peer's copy again parsed the same
 * CIDRs for every peer.
 */
export function clientRenderer(model: Pick<Model, 'sites'>, site: Site, instance: WireguardInstance): (peer: Peer, options: ClientOptions) => string {
  // Validated on first use, as a single client file would: an endpoint no file names is never checked.
  const lazy = <T>(compute: () => T): (() => T) => {
    let value: { v: T } | undefined;
    return () => (value ??= { v: compute() }).v;
  };
  const endpoints = {
    lan: lazy(() => (instance.lanEndpoint !== undefined && instance.listenPort !== undefined ? `${ini.ipv4(instance.lanEndpoint)}:${ini.port(instance.listenPort)}` : undefined)),
    public: lazy(() => (instance.endpoint !== undefined && instance.endpointPort !== undefined ? `${ini.host(instance.endpoint)}:${ini.port(instance.endpointPort)}` : undefined)),
  };
  const shared = lazy(() => ({
    site: ini.name(site.name),
    instance: ini.name(instance.name),
    // After ini.name has checked the site's and the instance's names (the two fields above).
    scopeOptions: commandScope(model, site, instance),
    mtu: instance.mtu,
    // Only a full tunnel's: a DNS line in split tunnel sends every lookup into the tunnel (rule wg/dns-split-tunnel).
    dns: instance.clientDns.map(ini.ipv4).join(', '),
    serverKey: instance.publicKey !== undefined ? ini.key(instance.publicKey) : instanceKeyPlaceholder(instance),
  }));
  // Keyed by the text itself, so equal lists share one validation whether or not they are one array.
  const allowed = new Map<string, string>();
  const allowedIps = (list: readonly string[]): string => {
    const text = list.join(', ');
    if (!allowed.has(text)) allowed.set(text, list.map(ini.cidr).join(', '));
    return allowed.get(text)!;
  };
  // The fields every client of the instance shares, the endpoint of the kind (public or LAN) among them:
  // the template runs once per shape of the rest (see slotted), not once per client file.
  const renderer = (lan: boolean) =>
    lazy(() => {
      const common = shared();
      return slotted(
        'wireguard/client.conf.hbs',
        {
          site: common.site,
          instance: common.instance,
          scopeOptions: common.scopeOptions,
          mtu: common.mtu,
          dns: common.dns,
          serverKey: common.serverKey,
          via: lan ? 'LAN' : 'public',
          lan,
          endpoint: lan ? endpoints.lan() : endpoints.public(),
        },
        CLIENT_SLOTS,
      );
    });
  const renderers = { lan: renderer(true), public: renderer(false) };
  return (peer, options) => {
    // Checked in the order the file names them, as the template's fields were.
    shared();
    const name = ini.name(peer.name);
    const privateKey = options.privateKey !== undefined ? ini.key(options.privateKey) : privateKeyPlaceholder(name);
    const presharedKey = !peer.presharedKey ? '' : options.presharedKey !== undefined ? ini.key(options.presharedKey) : presharedKeyPlaceholder(name);
    const address = `${ini.ipv4(peer.address)}/${instance.prefix}`;
    const render = options.lan ? renderers.lan() : renderers.public();
    return render({ peer: name, privateKey, address, allowedIps: allowedIps(peer.allowedIps), keepalive: peer.keepalive, presharedKey });
  };
}

/** The fields of a client file that change from one peer to the next. */
const CLIENT_SLOTS = ['peer', 'privateKey', 'address', 'allowedIps', 'keepalive', 'presharedKey'] as const;

export function clientConfig(model: Pick<Model, 'sites'>, site: Site, instance: WireguardInstance, peer: Peer, options: ClientOptions): string {
  return clientRenderer(model, site, instance)(peer, options);
}
