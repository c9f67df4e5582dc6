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
// (item-keys.ts: same uuid, host and domain, or MAC) keeps the box's
// fields gen leaves at the model's default. The ISC DHCP static mappings and
// Kea DHCP reservations dnsmasq registers (isc-static-maps.ts,
// kea-reservations.ts) are names of that file too.
import { isGenUuid } from '../render/opnsense/ids.js';
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

/** A field of gen's `item`, or of the box's item it takes over where `item` leaves it at the model's default. */
function mergedField(item: XmlElement, box: XmlElement | undefined, field: string): string {
  return child(item, field)?.fill && box !== undefined && child(box, field) !== undefined ? fieldText(box, field) : fieldText(item, field);
}

/** The keys merge finds a Host by: its uuid and its natural keys. */
function hostKeys(item: XmlElement): (string | undefined)[] {
  return [attr(item, 'uuid'), ...ITEM_KEYS.hosts!.map((fields) => naturalKey(item, fields))];
}

/** The Hosts after the merge, each as a reader of its fields: the box's that gen does not take over, and gen's. */
function mergedHosts(root: XmlElement, sections: readonly XmlElement[]): ((field: string) => string)[] {
  const gen = childrenNamed(sections.find((s) => s.name === 'dnsmasq'), 'hosts');
  const byKey = new Map<string, XmlElement>();
  for (const g of gen) for (const key of hostKeys(g)) if (key !== undefined && !byKey.has(key)) byKey.set(key, g);
  const takenOver = new Map<XmlElement, XmlElement>();
  const out: ((field: string) => string)[] = [];
  for (const b of childrenNamed(child(root, 'dnsmasq'), 'hosts')) {
    const g = hostKeys(b).map((k) => (k === undefined ? undefined : byKey.get(k))).find((x) => x !== undefined);
    if (g !== undefined) {
      if (!takenOver.has(g)) takenOver.set(g, b);
    } else if (!isGenUuid(attr(b, 'uuid'))) {
      out.push((field) => fieldText(b, field));
    }
  }
  for (const g of gen) out.push((field) => mergedField(g, takenOver.get(g), field));
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
export function dnsmasqHostAnswers(root: XmlElement, sections: readonly XmlElement[]): DnsmasqHostAnswers {
  const names = new Map<string, string[]>();
  const wildcards = new Map<string, string[]>();
  const registered = new Map<string, string[]>();
  for (const { name, address, by } of iscStaticNames(root, sections).concat(keaStaticNames(root))) {
    add(names, nameKey(name), address);
    add(registered, nameKey(name), by);
  }
  for (const field of mergedHosts(root, sections)) {
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
