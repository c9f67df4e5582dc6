// <interfaces>: assignments by key. WAN static with its gateway (by name)
// or DHCP; a WireGuard device is assigned and enabled with no IP
// configuration (OPNsense refuses one on tunnel devices).
import type { FirewallInterface } from '../../model.js';
import { type Area, gatewayName } from './context.js';
import { type XmlElement, element, leaf } from './xml.js';

/** The interface fields gen owns; merge replaces these and keeps the rest of an assignment. */
export const MANAGED_INTERFACE_FIELDS = ['if', 'descr', 'enable', 'ipaddr', 'subnet', 'gateway', 'mtu', 'blockpriv', 'blockbogons'];
/** Fields a tunnel assignment must not have. */
export const TUNNEL_FORBIDDEN_FIELDS = ['ipaddrv6', 'subnetv6', 'gatewayv6', 'track6-interface', 'track6-prefix-id', 'dhcp6-ia-pd-len', 'dhcphostname'];

function assignment(iface: FirewallInterface): XmlElement {
  const staticAddress = iface.addressing === 'static';
  return element(iface.key, [
    leaf('if', iface.device),
    leaf('descr', iface.description),
    leaf('enable', '1'),
    iface.addressing === 'dhcp' ? leaf('ipaddr', 'dhcp') : staticAddress ? leaf('ipaddr', iface.address) : undefined,
    staticAddress ? leaf('subnet', iface.prefix) : undefined,
    staticAddress && iface.gateway !== undefined ? leaf('gateway', gatewayName(iface)) : undefined,
    iface.mtu !== undefined ? leaf('mtu', iface.mtu) : undefined,
    iface.blockPrivate ? leaf('blockpriv', '1') : undefined,
    iface.blockBogons ? leaf('blockbogons', '1') : undefined,
  ]);
}

export const interfacesArea: Area = {
  file: 'interfaces.xml',
  build: (ctx) => [element('interfaces', ctx.firewall.interfaces.map(assignment))],
};
