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
import { type XmlElement, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { fieldText, phpEmpty } from './fields.js';

/** A static mapping as dnsmasq's hosts file names it: its full name and address, and what the box calls the item that registers it. */
export interface StaticName {
  name: string;
  address: string;
  by: 'ISC DHCP static mapping' | 'Kea DHCP reservation';
}

/**
 * The ISC entries of each interface after the merge: gen's replace the box's of the same interface
 * (merge.ts mergeIscDhcp()), and a box's entry goes where gen serves that interface's DHCP with dnsmasq
 * (dropIscEntries(): the first entry of the interface per range).
 */
function mergedIscEntries(root: XmlElement, sections: readonly XmlElement[]): XmlElement[] {
  const genEntries = sections.find((s) => s.name === 'dhcpd')?.children.filter(isElement) ?? [];
  const genKeys = new Set(genEntries.map((e) => e.name));
  const dropped = new Map<string, number>();
  for (const range of childrenNamed(sections.find((s) => s.name === 'dnsmasq'), 'dhcp_ranges')) {
    const key = fieldText(range, 'interface');
    dropped.set(key, (dropped.get(key) ?? 0) + 1);
  }
  const out: XmlElement[] = [];
  for (const entry of child(root, 'dhcpd')?.children.filter(isElement) ?? []) {
    const left = dropped.get(entry.name) ?? 0;
    if (left > 0) dropped.set(entry.name, left - 1);
    else if (!genKeys.has(entry.name)) out.push(entry);
  }
  return out.concat(genEntries);
}

/** The names ISC static mappings put into dnsmasq's hosts file after the merge: none unless the box's dnsmasq registers them. */
export function iscStaticNames(root: XmlElement, sections: readonly XmlElement[]): StaticName[] {
  if (phpEmpty(fieldText(child(root, 'dnsmasq'), 'regdhcpstatic'))) return [];
  const systemDomain = fieldText(child(root, 'system'), 'domain');
  const out: StaticName[] = [];
  const families: [XmlElement[], 'ipaddr' | 'ipaddrv6'][] = [
    [mergedIscEntries(root, sections), 'ipaddr'],
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
