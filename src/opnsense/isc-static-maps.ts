// The ISC DHCP static mappings the box's dnsmasq answers as names: with
// Register DHCP static mappings (dnsmasq.regdhcpstatic) set, OPNsense writes
// each static mapping with a host name and an address into dnsmasq's hosts
// file, `<ip> <hostname>.<domain> <hostname>` (plugins.inc.d/dnsmasq.inc
// _dnsmasq_add_host_entries(), 25.7 to 26.7, from the static_mapping hook:
// dhcpd_staticmap() of core's dhcpd.inc on 25.7, of the os-isc-dhcp plugin's
// from 26.1). Only the mappings of an interface whose ISC server is enabled
// count; the domain is the mapping's, else the interface entry's (the first
// of a list; for IPv6 the domain search lists before them), else the system
// domain. An IPv6 mapping of an interface that tracks a delegated prefix is
// that prefix joined with its suffix, which the config does not hold: left out.
// The entries are read from the merged config, as merge writes them (gen's
// replace the box's of their interface; a box's goes where gen's dnsmasq
// serves that interface's DHCP or its range left the interface's network).
import { type XmlElement, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { fieldText, phpEmpty } from './fields.js';

/** A static mapping as dnsmasq's hosts file names it: its full name and address, and what the box calls the item that registers it. */
export interface StaticName {
  name: string;
  address: string;
  by: 'ISC DHCP static mapping' | 'Kea DHCP reservation';
}

/** The names the ISC static mappings of the merged config `root` put into dnsmasq's hosts file: none unless its dnsmasq registers them. */
export function iscStaticNames(root: XmlElement): StaticName[] {
  if (phpEmpty(fieldText(child(root, 'dnsmasq'), 'regdhcpstatic'))) return [];
  const systemDomain = fieldText(child(root, 'system'), 'domain');
  const out: StaticName[] = [];
  const families: [XmlElement[], 'ipaddr' | 'ipaddrv6'][] = [
    [child(root, 'dhcpd')?.children.filter(isElement) ?? [], 'ipaddr'],
    [child(root, 'dhcpdv6')?.children.filter(isElement) ?? [], 'ipaddrv6'],
  ];
  // The interfaces that track a delegated prefix, read once.
  const tracking = new Set((child(root, 'interfaces')?.children.filter(isElement) ?? []).filter((i) => child(i, 'track6-interface') !== undefined || child(i, 'dhcpd6track6allowoverride') !== undefined).map((i) => i.name));
  for (const [entries, field] of families) {
    for (const entry of entries) {
      if (child(entry, 'enable') === undefined || (field === 'ipaddrv6' && tracking.has(entry.name))) continue;
      for (const map of childrenNamed(entry, 'staticmap')) {
        const hostname = fieldText(map, 'hostname');
        const address = fieldText(map, field);
        if (phpEmpty(hostname) || phpEmpty(address)) continue;
        const lists = field === 'ipaddrv6' ? ['domainsearchlist', 'domain'] : ['domain'];
        const domain = [map, entry].flatMap((e) => lists.map((f) => fieldText(e, f))).find((d) => !phpEmpty(d));
        out.push({ name: `${hostname}.${domain === undefined ? systemDomain : domain.split(/[ ;]+/)[0]!}`, address, by: 'ISC DHCP static mapping' });
      }
    }
  }
  return out;
}
