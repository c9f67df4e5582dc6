// DHCPv4: dnsmasq ranges, host reservations and the DNS option, or the ISC
// <dhcpd> form when the topology asks for it (a plugin from 26.1 on).
import type { FirewallInterface } from '../../model.js';
import { type Area, type OpnsenseContext } from './context.js';
import { modelItem, modelSection } from './fields.js';
import { type XmlElement, element, leaf } from './xml.js';

function served(ctx: OpnsenseContext): FirewallInterface[] {
  return ctx.firewall.interfaces.filter((i) => i.dhcp);
}

function dnsmasq(ctx: OpnsenseContext, interfaces: FirewallInterface[]): XmlElement[] {
  const ranges = interfaces.map((iface) =>
    modelItem(ctx, 'dnsmasq', 'dhcp_ranges', ctx.uuid('dhcp-range', iface.name), {
      interface: iface.key,
      start_addr: iface.dhcp!.from,
      end_addr: iface.dhcp!.to,
      lease_time: iface.dhcp!.leaseSeconds,
      description: iface.description,
    }),
  );
  // Ignore written, not left to the model's default: a box's Host merge takes over would keep its 1, with which
  // dnsmasq ignores the client (dhcp-host's `ignore`, CONFIG_DISABLE: option.c, rfc2131.c) and the reservation does nothing.
  const hosts = interfaces.flatMap((iface) =>
    iface.dhcp!.static.map((entry) =>
      modelItem(ctx, 'dnsmasq', 'hosts', ctx.uuid('dhcp-host', `${iface.name}/${entry.name}`), { host: entry.name, ip: entry.address, hwaddr: entry.mac, ignore: '0', descr: entry.description }),
    ),
  );
  // DNS servers handed out (DHCP option 6), when the topology names them.
  const options = interfaces
    .filter((iface) => iface.dhcp!.dns.length > 0)
    .map((iface) =>
      modelItem(ctx, 'dnsmasq', 'dhcp_options', ctx.uuid('dhcp-option', `${iface.name}/dns`), {
        type: 'set',
        option: '6',
        interface: iface.key,
        value: iface.dhcp!.dns.join(','),
        description: `DNS servers for ${iface.name}`,
      }),
    );
  // gen uses dnsmasq for DHCP only: port 0 keeps its DNS off, so it does not
  // fight Unbound for port 53 (an empty port would mean 53). Merge keeps a
  // port the backup already sets (opnsense/merge.ts, BASE_WINS_FIELDS).
  return modelSection(ctx, 'dnsmasq', { enable: '1', port: '0', interface: interfaces.map((i) => i.key).join(','), hosts, dhcp_ranges: ranges, dhcp_options: options });
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
    return ctx.firewall.dhcpServer === 'dnsmasq' ? dnsmasq(ctx, interfaces) : [isc(interfaces)];
  },
};
