// Gateways (MVC //OPNsense/Gateways) and static routes (//staticroutes).
// Each interface with a static upstream gateway gets one, referenced by
// name from the interface (the WAN's is the default gateway); a DHCP WAN
// gets its dynamic gateway from OPNsense. A route's next hop reuses that
// gateway when it is the same address, else it gets its own, GW_<address>.
import type { FirewallInterface } from '../../model.js';
import { type Area, gatewayName, mvcFlag, uuidAttr, versionAttr } from './context.js';
import { type XmlElement, element, leaf } from './xml.js';

interface Gateway {
  name: string;
  description: string;
  iface: FirewallInterface;
  address: string;
  isDefault: boolean;
}

export const routesArea: Area = {
  file: 'routes.xml',
  build(ctx) {
    const gateways: Gateway[] = ctx.firewall.interfaces
      .filter((i) => i.addressing === 'static' && i.gateway !== undefined)
      .map((iface) => ({ name: gatewayName(iface), description: `${iface.description} gateway`, iface, address: iface.gateway!, isDefault: iface.isWan }));
    const routes = ctx.firewall.routes.map((route) => {
      let gateway = gateways.find((g) => g.address === route.via);
      if (!gateway) {
        const iface = ctx.interfaceByName.get(route.interface)!;
        gateway = { name: `GW_${route.via.replace(/\./g, '_')}`, description: `Next hop on ${iface.description}`, iface, address: route.via, isDefault: false };
        gateways.push(gateway);
      }
      return element(
        'route',
        [leaf('network', route.network), leaf('gateway', gateway.name), leaf('descr', route.description), leaf('disabled', '0')],
        uuidAttr(ctx.uuid('route', route.network)),
      );
    });
    if (gateways.length === 0) return [];
    const sections: XmlElement[] = [
      element('OPNsense', [
        element(
          'Gateways',
          gateways.map((gw) =>
            element(
              'gateway_item',
              [
                leaf('disabled', '0'),
                leaf('name', gw.name),
                leaf('descr', gw.description),
                leaf('interface', gw.iface.key),
                leaf('ipprotocol', 'inet'),
                leaf('gateway', gw.address),
                leaf('defaultgw', mvcFlag(gw.isDefault)),
                leaf('fargw', '0'),
                leaf('monitor_disable', '1'),
                leaf('monitor', ''),
                leaf('priority', '255'),
                leaf('weight', '1'),
              ],
              uuidAttr(ctx.uuid('gateway', gw.name)),
            ),
          ),
          versionAttr(ctx.version('gateways')),
        ),
      ]),
    ];
    if (routes.length > 0) sections.push(element('staticroutes', routes, versionAttr(ctx.version('staticroutes'))));
    return sections;
  },
};
