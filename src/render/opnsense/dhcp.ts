// DHCPv4: dnsmasq ranges and host reservations (25.7 and later), or the
// ISC <dhcpd> form for older releases or when the topology asks for it.
import type { FirewallInterface } from '../../model.js';
import { type Area, type OpnsenseContext, uuidAttr, versionAttr } from './context.js';
import { type XmlElement, element, leaf } from './xml.js';

function served(ctx: OpnsenseContext): FirewallInterface[] {
  return ctx.firewall.interfaces.filter((i) => i.dhcp);
}

function dnsmasq(ctx: OpnsenseContext, interfaces: FirewallInterface[]): XmlElement {
  const ranges = interfaces.map((iface) =>
    element(
      'dhcp_ranges',
      [
        leaf('interface', iface.key),
        leaf('start_addr', iface.dhcp!.from),
        leaf('end_addr', iface.dhcp!.to),
        leaf('lease_time', iface.dhcp!.leaseSeconds),
        leaf('description', iface.description),
      ],
      uuidAttr(ctx.uuid('dhcp-range', iface.name)),
    ),
  );
  const hosts = interfaces.flatMap((iface) =>
    iface.dhcp!.static.map((entry) =>
      element(
        'hosts',
        [leaf('host', entry.name), leaf('ip', entry.address), leaf('hwaddr', entry.mac), leaf('descr', entry.description)],
        uuidAttr(ctx.uuid('dhcp-host', `${iface.name}/${entry.name}`)),
      ),
    ),
  );
  // DNS servers handed out (DHCP option 6), when the topology names them.
  const options = interfaces
    .filter((iface) => iface.dhcp!.dns.length > 0)
    .map((iface) =>
      element(
        'dhcp_options',
        [leaf('type', 'set'), leaf('option', '6'), leaf('interface', iface.key), leaf('value', iface.dhcp!.dns.join(',')), leaf('description', `DNS servers for ${iface.name}`)],
        uuidAttr(ctx.uuid('dhcp-option', `${iface.name}/dns`)),
      ),
    );
  // gen uses dnsmasq for DHCP only: port 0 keeps its DNS off, so it does not
  // fight Unbound for port 53 (an empty port would mean 53). Merge keeps a
  // port the backup already sets.
  return element(
    'dnsmasq',
    [leaf('enable', '1'), leaf('port', '0'), leaf('interface', interfaces.map((i) => i.key).join(',')), ...hosts, ...ranges, ...options],
    versionAttr(ctx.version('dnsmasq')),
  );
}

function isc(interfaces: FirewallInterface[]): XmlElement {
  return element(
    'dhcpd',
    interfaces.map((iface) => {
      const dhcp = iface.dhcp!;
      return element(iface.key, [
        leaf('enable', '1'),
        element('range', [leaf('from', dhcp.from), leaf('to', dhcp.to)]),
        ...dhcp.dns.map((dns) => leaf('dnsserver', dns)),
        dhcp.leaseSeconds !== undefined ? leaf('defaultleasetime', dhcp.leaseSeconds) : undefined,
        ...dhcp.static.map((entry) =>
          element('staticmap', [leaf('mac', entry.mac), leaf('ipaddr', entry.address), leaf('hostname', entry.name), leaf('descr', entry.description)]),
        ),
      ]);
    }),
  );
}

export const dhcpArea: Area = {
  file: 'dhcp.xml',
  build(ctx) {
    const interfaces = served(ctx);
    if (interfaces.length === 0) return [];
    return [ctx.firewall.dhcpServer === 'dnsmasq' ? dnsmasq(ctx, interfaces) : isc(interfaces)];
  },
};
