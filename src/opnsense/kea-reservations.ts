// The Kea DHCP reservations the box's dnsmasq answers as names: with Register
// DHCP static mappings (dnsmasq.regdhcpstatic) set, OPNsense writes every
// entry of the static_mapping hook into dnsmasq's hosts file, and Kea's
// kea_staticmap() (plugins.inc.d/kea.inc, the same on 25.7, 26.1 and 26.7) is
// on that hook beside ISC's (isc-static-maps.ts). It reads the DHCPv4 model
// first and returns as soon as a model is not enabled: with Kea DHCPv4 off,
// no DHCPv6 reservation counts either. Every reservation with a host name
// PHP's FILTER_VALIDATE_DOMAIN takes and an address counts (a reservation has
// no enabled flag); an IPv4 one's domain is its own domain-name option, else
// its subnet's, when its subnet is found, and the system domain otherwise;
// an IPv6 one always gets the system domain. gen writes no Kea settings:
// the merged config holds the box's as they are.
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { at, fieldText, phpEmpty } from './fields.js';
import type { StaticName } from './isc-static-maps.js';

/**
 * PHP's filter_var($name, FILTER_VALIDATE_DOMAIN) without flags (ext/filter logical_filters.c
 * _php_filter_validate_domain()) of a name that is not empty: at most 253 characters without a final dot, no empty
 * label, none longer than 63.
 */
export function phpValidDomain(name: string): boolean {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  return text.length <= 253 && text.split('.').every((label) => label !== '' && label.length <= 63);
}

/** The option_data.domain_name of a Kea item, '' when it has none. */
function domainName(item: XmlElement | undefined): string {
  return fieldText(child(item, 'option_data'), 'domain_name');
}

/** The names the Kea reservations of the merged config `root` put into dnsmasq's hosts file: none unless its dnsmasq registers them. */
export function keaStaticNames(root: XmlElement): StaticName[] {
  if (phpEmpty(fieldText(child(root, 'dnsmasq'), 'regdhcpstatic'))) return [];
  const systemDomain = fieldText(child(root, 'system'), 'domain');
  const out: StaticName[] = [];
  for (const version of ['dhcp4', 'dhcp6'] as const) {
    const model = at(root, ['OPNsense', 'Kea', version]);
    // kea_staticmap() returns here: a DHCPv4 model that is off ends the DHCPv6 one's reservations too.
    if (phpEmpty(fieldText(child(model, 'general'), 'enabled'))) break;
    const subnets = new Map(childrenNamed(child(model, 'subnets'), 'subnet4').map((s) => [attr(s, 'uuid') ?? '', s]));
    for (const reservation of childrenNamed(child(model, 'reservations'), 'reservation')) {
      const hostname = fieldText(reservation, 'hostname');
      const address = fieldText(reservation, 'ip_address');
      if (phpEmpty(hostname) || phpEmpty(address) || !phpValidDomain(hostname)) continue;
      const subnet = version === 'dhcp4' ? subnets.get(fieldText(reservation, 'subnet')) : undefined;
      const domain = subnet === undefined ? '' : phpEmpty(domainName(reservation)) ? domainName(subnet) : domainName(reservation);
      out.push({ name: `${hostname}.${phpEmpty(domain) ? systemDomain : domain}`, address, by: 'Kea DHCP reservation' });
    }
  }
  return out;
}
