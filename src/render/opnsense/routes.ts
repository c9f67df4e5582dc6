// Gateways (MVC //OPNsense/Gateways) and static routes (//staticroutes).
// Each interface with a static upstream gateway gets one, referenced by
// name from the interface (the WAN's is the default gateway); a DHCP WAN
// gets its dynamic gateway from OPNsense. A route's next hop reuses that
// gateway when it is the same address, else it gets its own, GW_<address>.
import type { FirewallInterface } from '../../model.js';
import { type Area, gatewayName, mvcFlag } from './context.js';
import { modelItem, modelSection, switchedOn } from './fields.js';

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
    // The first gateway with each address.
    const byAddress = new Map<string, Gateway>();
    for (const g of gateways) if (!byAddress.has(g.address)) byAddress.set(g.address, g);
    const routes = ctx.firewall.routes.map((route) => {
      let gateway = byAddress.get(route.via);
      if (!gateway) {
        const iface = ctx.interfaceByName.get(route.interface)!;
        gateway = { name: `GW_${route.via.replace(/\./g, '_')}`, description: `Next hop on ${iface.description}`, iface, address: route.via, isDefault: false };
        gateways.push(gateway);
        byAddress.set(gateway.address, gateway);
      }
      return modelItem(ctx, 'staticroutes', 'route', ctx.uuid('route', route.network), {
        network: route.network,
        gateway: gateway.name,
        descr: route.description,
        ...switchedOn(ctx, 'staticroutes', 'route'),
      });
    });
    // Both models even without items: an empty one tells merge to remove gen's items of an earlier merge (a route the
    // topology dropped would otherwise stay, naming a gateway this merge removes, and OPNsense refuse the model).
    const items = gateways.map((gw) =>
      modelItem(ctx, 'gateways', 'gateway_item', ctx.uuid('gateway', gw.name), {
        disabled: '0',
        name: gw.name,
        descr: gw.description,
        interface: gw.iface.key,
        ipprotocol: 'inet',
        gateway: gw.address,
        defaultgw: mvcFlag(gw.isDefault),
        fargw: '0',
        monitor_disable: '1',
        monitor: '',
        priority: '255',
        weight: '1',
      }),
    );
    return [...modelSection(ctx, 'gateways', { gateway_item: items }), ...modelSection(ctx, 'staticroutes', { route: routes })];
  },
};
