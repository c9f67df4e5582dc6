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
// local= or address= of its domain. The Hosts are read from the merged
// config, as merge writes them: a gen DHCP host that takes over a box's keeps
// the box's fields gen leaves at the model's default, and one that replaces a
// box's without taking it over leaves nothing of it. The ISC DHCP static
// mappings and Kea DHCP reservations dnsmasq registers (isc-static-maps.ts,
// kea-reservations.ts) are names of that file too.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { iscStaticNames } from './isc-static-maps.js';
import { keaStaticNames } from './kea-reservations.js';

/** A name or domain as dnsmasq compares it: without letter case or a final dot. */
export function nameKey(text: string): string {
  return text.toLowerCase().replace(/\.$/, '');
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

/** The dnsmasq Hosts of the merged config `root` and the static mappings and reservations it registers, as dnsmasq answers them. */
export function dnsmasqHostAnswers(root: XmlElement): DnsmasqHostAnswers {
  const names = new Map<string, string[]>();
  const wildcards = new Map<string, string[]>();
  const registered = new Map<string, string[]>();
  for (const { name, address, by } of iscStaticNames(root).concat(keaStaticNames(root))) {
    add(names, nameKey(name), address);
    add(registered, nameKey(name), by);
  }
  for (const item of childrenNamed(child(root, 'dnsmasq'), 'hosts')) {
    const host = fieldText(item, 'host');
    const domain = fieldText(item, 'domain');
    // PHP's array_filter() drops '' and '0'.
    const ips = fieldText(item, 'ip').split(',').filter((ip) => ip !== '' && ip !== '0');
    if (host === '*') for (const ip of ips) add(wildcards, domain === '' ? '#' : nameKey(domain), ip);
    const aliases = fieldText(item, 'aliases').split(',').filter((a) => a !== '');
    for (const ip of ips) {
      if (ip.startsWith('::')) continue;
      if (host !== '' && host !== '*') add(names, nameKey(domain === '' ? host : `${host}.${domain}`), ip);
      for (const alias of aliases) add(names, nameKey(alias), ip);
    }
  }
  return { names, wildcards, registered };
}
