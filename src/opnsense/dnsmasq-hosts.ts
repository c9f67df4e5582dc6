// The names the box's dnsmasq answers from its Hosts
// (Services › Dnsmasq DNS & DHCP › Hosts), and the addresses it answers them
// with. OPNsense writes each Host into /var/etc/dnsmasq-hosts, which
// dnsmasq.conf always reads (addn-hosts=), a line per address of its ip
// list: `<ip> <host>.<domain> <host>`, `<ip> <host>` without a domain, and `<ip> <alias>` for each of
// its aliases, which the model keeps as full names; a Host without a host
// name or a wildcard one (`*`) writes only its aliases' lines, and an
// address starting with `::` none (plugins.inc.d/dnsmasq.inc
// _dnsmasq_add_host_entries(), 25.7 to 26.7). A wildcard Host with an
// address gets address=/<domain>/<ip> per address in dnsmasq.conf, or
// address=/#/<ip> without a domain. dnsmasq answers a name of that file
// itself, with all its addresses of the asked type, before any server=,
// local= or address= of its domain. A gen DHCP host that takes over a box's
// (identity.ts adoptedUuids(): the one Host of the same host and domain, or
// MAC) keeps the box's fields gen leaves at the model's default, as merge
// decides (base-defaults.ts). The ISC DHCP static mappings and
// Kea DHCP reservations dnsmasq registers (isc-static-maps.ts,
// kea-reservations.ts) are names of that file too.
import { isGenUuid } from '../render/opnsense/ids.js';
import { withBaseDefaults } from './base-defaults.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { naturalKey } from './identity.js';
import { iscStaticNames } from './isc-static-maps.js';
import { keaStaticNames } from './kea-reservations.js';
import { ITEM_KEYS } from './item-keys.js';

/** A name or domain as dnsmasq compares it: without letter case or a final dot. */
export function nameKey(text: string): string {
  return text.toLowerCase().replace(/\.$/, '');
}

/** The keys merge finds a Host by: its uuid (`uuid`, as merge renames it) and its natural keys. */
function hostKeys(item: XmlElement, uuid = attr(item, 'uuid')): (string | undefined)[] {
  return [uuid, ...ITEM_KEYS.hosts!.map((fields) => naturalKey(item, fields))];
}

/**
 * The Hosts after the merge, each as a reader of its fields: the box's that gen does not replace (merge.ts
 * replacedBy(): the same uuid or natural key, or one of gen's uuids), and gen's, each with the fields of the box's
 * Host merge pairs it with (`adopted`: gen's uuid to the box's uuid it takes over; else the box's of the same uuid)
 * as merge keeps them (withBaseDefaults()).
 */
export function mergedHosts(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlyMap<string, string>): ((field: string) => string)[] {
  const gen = childrenNamed(sections.find((s) => s.name === 'dnsmasq'), 'hosts');
  const uuidOf = (g: XmlElement) => adopted.get(attr(g, 'uuid') ?? '') ?? attr(g, 'uuid');
  const keys = new Set<string | undefined>(gen.flatMap((g) => hostKeys(g, uuidOf(g))));
  keys.delete(undefined);
  const replaced = new Map<string, XmlElement>();
  const out: ((field: string) => string)[] = [];
  for (const b of childrenNamed(child(root, 'dnsmasq'), 'hosts')) {
    const uuid = attr(b, 'uuid');
    if (isGenUuid(uuid) || hostKeys(b).some((k) => keys.has(k))) {
      if (uuid !== undefined) replaced.set(uuid, b);
    } else {
      out.push((field) => fieldText(b, field));
    }
  }
  for (const g of gen) {
    const previous = replaced.get(uuidOf(g) ?? '');
    const merged = previous === undefined ? g : withBaseDefaults(g, previous);
    out.push((field) => fieldText(merged, field));
  }
  return out;
}

/**
 * What dnsmasq answers from its Hosts: the addresses of each name of its hosts file, and of each wildcard's domain
 * ('#' for none); `registered`: the names of that file an ISC DHCP static mapping or a Kea DHCP reservation puts there
 * (isc-static-maps.ts, kea-reservations.ts), each with what registers it.
 */
export interface DnsmasqHostAnswers {
  names: Map<string, string[]>;
  wildcards: Map<string, string[]>;
  registered: Map<string, string[]>;
}

function add(map: Map<string, string[]>, key: string, address: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [address]);
  else if (!list.includes(address)) list.push(address);
}

/** The box's dnsmasq Hosts and the static mappings and reservations it registers after the merge, as dnsmasq answers them. */
export function dnsmasqHostAnswers(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlyMap<string, string>): DnsmasqHostAnswers {
  const names = new Map<string, string[]>();
  const wildcards = new Map<string, string[]>();
  const registered = new Map<string, string[]>();
  for (const { name, address, by } of iscStaticNames(root, sections).concat(keaStaticNames(root))) {
    add(names, nameKey(name), address);
    add(registered, nameKey(name), by);
  }
  for (const field of mergedHosts(root, sections, adopted)) {
    const host = field('host');
    const domain = field('domain');
    // PHP's array_filter() drops '' and '0'.
    const ips = field('ip').split(',').filter((ip) => ip !== '' && ip !== '0');
    if (host === '*') for (const ip of ips) add(wildcards, domain === '' ? '#' : nameKey(domain), ip);
    const aliases = field('aliases').split(',').filter((a) => a !== '');
    for (const ip of ips) {
      if (ip.startsWith('::')) continue;
      if (host !== '' && host !== '*') add(names, nameKey(domain === '' ? host : `${host}.${domain}`), ip);
      for (const alias of aliases) add(names, nameKey(alias), ip);
    }
  }
  return { names, wildcards, registered };
}
