// The instance's side as a wg-quick file: for a plain Linux WireGuard host
// in place of the firewall, and to compare with `wg showconf` on it. The
// firewall itself gets the instance from its own target.
import type { Site, WireguardInstance } from '../../model.js';
import { template } from '../templates.js';
import { ini } from './ini-values.js';

export function instanceConfig(site: Site, instance: WireguardInstance, privateKey: string): string {
  return template('wireguard/instance.conf.hbs')({
    site: ini.name(site.name),
    instance: ini.name(instance.name),
    privateKey: ini.key(privateKey),
    listenPort: instance.listenPort !== undefined ? ini.port(instance.listenPort) : undefined,
    address: `${ini.ipv4(instance.address)}/${instance.prefix}`,
    mtu: instance.mtu,
    peers: instance.peers
      .filter((p) => p.enabled && p.publicKey !== undefined)
      .map((p) => ({ name: ini.name(p.name), role: ini.name(p.role), publicKey: ini.key(p.publicKey!), allowedIps: `${ini.ipv4(p.address)}/32` })),
  });
}
