// The instance's side as a wg-quick file: for a plain Linux WireGuard host
// in place of the firewall, and to compare with `wg showconf` on it. The
// firewall itself gets the instance from its own target.
import type { Peer, Site, WireguardInstance } from '../../model.js';
import { template } from '../templates.js';
import { ini } from './ini-values.js';

/** `presharedKey`: the pre-shared key of each peer that has one (preshared_key), from the secrets directory. */
export function instanceConfig(site: Site, instance: WireguardInstance, privateKey: string, presharedKey: (peer: Peer) => string | undefined = () => undefined): string {
  return template('wireguard/instance.conf.hbs')({
    site: ini.name(site.name),
    instance: ini.name(instance.name),
    privateKey: ini.key(privateKey),
    listenPort: instance.listenPort !== undefined ? ini.port(instance.listenPort) : undefined,
    address: `${ini.ipv4(instance.address)}/${instance.prefix}`,
    mtu: instance.mtu,
    peers: instance.peers
      .filter((p) => p.enabled && p.publicKey !== undefined)
      .map((p) => {
        const psk = p.presharedKey ? presharedKey(p) : undefined;
        return { name: ini.name(p.name), role: ini.name(p.role), publicKey: ini.key(p.publicKey!), presharedKey: psk === undefined ? undefined : ini.key(psk), allowedIps: `${ini.ipv4(p.address)}/32` };
      }),
  });
}
