// A base that is a node of an HA pair (<hasync>: pfsync and configuration
// sync, System › High Availability › Settings). The topology gives each
// interface one address and no CARP VIP, so it cannot describe a pair, and
// what the merge writes would break failover: the master's XMLRPC sync
// (rc.filter_synchronize) pushes the sections of the chosen sync items to
// the backup, replacing its lists, but no sync item carries <interfaces> or
// <vlans>; and DHCP hands out the node's own address as router and DNS
// server, not the CARP VIP clients must use to survive a failover.
import { contains, parseIPv4 } from '../net.js';
import { type XmlElement, attr, child, isElement, textOf } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';
import { baseVips, networkOf, vipName } from './vips.js';

/**
 * The sync items (id → config sections, dotted) that hold sections gen
 * writes, as core's and the plugins' *_xmlrpc_sync() name them (26.7.2:
 * pf.inc, wireguard.inc, dnsmasq.inc, core.inc; net/isc-dhcp, net/haproxy).
 */
const SYNC_SECTIONS: Record<string, string[]> = {
  rules: ['filter', 'OPNsense.Firewall.Filter.rules'],
  nat: ['nat', 'OPNsense.Firewall.Filter.snatrules'],
  aliases: ['aliases', 'OPNsense.Firewall.Alias'],
  ifgroups: ['ifgroups.ifgroupentry'],
  wireguard: ['OPNsense.wireguard'],
  dnsforwarder: ['dnsmasq'],
  dhcpd: ['dhcpd'],
  staticroutes: ['staticroutes', 'gateways', 'OPNsense.Gateways'],
  haproxy: ['OPNsense.HAProxy'],
  certs: ['cert'],
  cron: ['OPNsense.cron'],
};

/** The dotted paths of gen's sections and their containers (not items: elements with a uuid). */
function genPaths(sections: readonly XmlElement[]): Set<string> {
  const paths = new Set<string>();
  const walk = (node: XmlElement, path: string) => {
    paths.add(path);
    for (const c of node.children) if (isElement(c) && attr(c, 'uuid') === undefined && c.children.some(isElement)) walk(c, `${path}.${c.name}`);
  };
  for (const section of sections) walk(section, section.name);
  return paths;
}

/**
 * The DNS servers the merged DHCP names for interface `key` (ISC <dnsserver>, dnsmasq option 6):
 * gen's, or for ISC the base's entry's when gen names none (merge keeps them).
 */
function dnsServers(root: XmlElement, sections: readonly XmlElement[], key: string): string[] {
  const isc = sections.flatMap((s) => (s.name === 'dhcpd' ? s.children.filter(isElement).filter((c) => c.name === key) : []));
  const servers = (entry: XmlElement | undefined) => (entry?.children ?? []).filter(isElement).filter((c) => c.name === 'dnsserver').map((c) => textOf(c));
  const genIsc = isc.flatMap(servers);
  const fromIsc = genIsc.length === 0 && isc.length > 0 ? servers(child(child(root, 'dhcpd'), key)) : genIsc;
  const options = sections.flatMap((s) => (s.name === 'dnsmasq' ? s.children.filter(isElement).filter((c) => c.name === 'dhcp_options') : []));
  const fromDnsmasq = options.filter((o) => fieldText(o, 'interface') === key && fieldText(o, 'option') === '6').flatMap((o) => fieldText(o, 'value').split(','));
  return fromIsc.concat(fromDnsmasq).map((v) => v.trim());
}

/** What the base's HA settings make of gen's sections; none when the base is not a node of an HA pair. */
export function haProblems(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const hasync = child(root, 'hasync');
  const pfsync = fieldText(hasync, 'pfsyncinterface');
  const syncTo = fieldText(hasync, 'synchronizetoip');
  if (pfsync === '' && syncTo === '') return [];
  const settings = [pfsync ? `pfsync over ${pfsync}${fieldText(hasync, 'pfsyncpeerip') ? ` to ${fieldText(hasync, 'pfsyncpeerip')}` : ''}` : '', syncTo ? `configuration sync to ${syncTo}` : '']
    .filter(Boolean)
    .join(', ');
  const problems: string[] = [];
  const written = genPaths(sections);
  const items = fieldList(hasync, 'syncitems');
  const pushed = syncTo === '' ? [] : items.filter((id) => SYNC_SECTIONS[id]?.some((s) => written.has(s)));
  if (pushed.length > 0) {
    problems.push(
      `its sync items ${pushed.join(', ')} push gen's ${pushed.flatMap((id) => SYNC_SECTIONS[id]!.filter((s) => written.has(s))).join(', ')} to ${syncTo}, ` +
        "but no sync item carries the interface assignments and VLANs they name: the backup gets rules, DHCP and tunnels for interfaces it may not have, or has on other devices",
    );
  } else if (syncTo === '') {
    problems.push("it syncs no configuration itself (a backup node): the master's next sync replaces the sections of its sync items here");
  }
  const genInterfaces = sections.find((s) => s.name === 'interfaces');
  const served = new Set(sections.flatMap((s) => (s.name === 'dhcpd' ? s.children.filter(isElement).map((c) => c.name) : [])));
  for (const range of sections.flatMap((s) => (s.name === 'dnsmasq' ? s.children.filter(isElement).filter((c) => c.name === 'dhcp_ranges') : []))) served.add(fieldText(range, 'interface'));
  for (const key of served) {
    const network = networkOf(child(genInterfaces, key));
    if (!network) continue;
    for (const vip of baseVips(root)) {
      const address = parseIPv4(fieldText(vip, 'subnet'));
      if (fieldText(vip, 'mode') !== 'carp' || fieldText(vip, 'interface') !== key || address === undefined || !contains(network.block, address)) continue;
      // Merge keeps the router the base's ISC entry hands out (<gateway>); gen writes none.
      const isc = sections.some((s) => s.name === 'dhcpd' && child(s, key) !== undefined);
      const router = isc && fieldText(child(child(root, 'dhcpd'), key), 'gateway') === fieldText(vip, 'subnet');
      const dns = dnsServers(root, sections, key).includes(fieldText(vip, 'subnet'));
      if (router && dns) continue;
      const what = router ? 'DNS server' : dns ? 'router' : 'router and DNS server';
      problems.push(
        `gen's DHCP on ${key} hands out ${network.text}, this node's own address, as ${what}, not the ${vipName(vip)} (ISC dhcpd's "option routers" is the interface's primary address unless the entry sets a gateway, which the topology cannot and merge keeps from the base; dnsmasq's default router is the interface's address): ` +
          `after a failover the clients have no ${router ? 'DNS server' : 'router'}`,
      );
    }
  }
  return [
    `the base is a node of an HA pair (System › High Availability › Settings: ${settings}), which the topology cannot describe (one address per interface, no CARP VIPs): ${problems.join('; ')}. ` +
      'Merge into a firewall outside an HA pair, or take this one out of it first (clear its pfsync interface and Synchronize Config to IP)',
  ];
}
