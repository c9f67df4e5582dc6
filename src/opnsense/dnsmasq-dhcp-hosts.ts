// The Hosts (Services › Dnsmasq DNS & DHCP › Hosts) OPNsense's dnsmasq.conf
// template (25.7 to 26.7) writes a dhcp-host= line for: those with a client
// id or a MAC address with a colon, with set:<its tag> and its addresses, an
// IPv6 one in brackets. dnsmasq reserves those addresses for the client
// (dhcpv6-reservations.ts) and refuses an IPv4 address two such lines
// reserve (dnsmasq-refusals.ts).
import { type XmlElement, attr } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';

/** Whether the template writes a dhcp-host line for the Host `host`. */
export function writesDhcpHost(host: XmlElement): boolean {
  return fieldText(host, 'client_id') !== '' || fieldText(host, 'hwaddr').includes(':');
}

/** The Host's addresses as dnsmasq reads them from its line: as typed, an IPv6 one without its brackets. */
export function hostAddresses(host: XmlElement): string[] {
  return fieldList(host, 'ip').map((each) => each.replace(/^\[(.*)\]$/, '$1'));
}

/**
 * The MACs of the Host's dhcp-host line as dnsmasq reads them, in one letter case: the entries of its MAC list
 * (comma separated, each checked by PHP's FILTER_VALIDATE_MAC: Base/FieldTypes/MacAddressField.php) with a ':'.
 * option.c reads another word as a name, or as a number of seconds.
 */
export function hostMacs(host: XmlElement): string[] {
  if (!writesDhcpHost(host)) return [];
  return fieldList(host, 'hwaddr').map((each) => each.toLowerCase()).filter((each) => each.includes(':'));
}

/**
 * The entries of a Host's MAC list without a ':' (the model takes 52-54-00-aa-bb-cc and 5254.00aa.bbcc too): no
 * dhcp-host line for a Host of only those and no client id, and on a line dnsmasq reads each as a name.
 */
export function macsWithoutColons(host: XmlElement): string[] {
  return fieldList(host, 'hwaddr').filter((each) => !each.includes(':'));
}

/** A MAC of another form the model takes (52-54-00-aa-bb-cc, 5254.00aa.bbcc) as dnsmasq reads one: with colons. */
export function withColons(mac: string): string {
  return (mac.replace(/[^0-9a-fA-F]/g, '').match(/../g) ?? []).join(':');
}

/** The client id a client of the Ethernet MAC `mac` sends by default: hardware type 1, then the MAC (RFC 2132 9.14). */
export function clientIdOf(mac: string): string {
  return `01:${mac}`;
}

/** The client id of a Host's dhcp-host line as dnsmasq compares its bytes (one letter case), if it has one ('*' is none). */
export function clientIdOfLine(host: XmlElement): string | undefined {
  const id = fieldText(host, 'client_id').toLowerCase();
  return id === '' || id === '*' ? undefined : id;
}

/** A Host as a message names it: its description, else its uuid, with its name and MACs (else its client id). */
export function hostLabel(host: XmlElement): string {
  const description = fieldText(host, 'descr');
  const shown = [fieldText(host, 'host'), fieldText(host, 'hwaddr') || fieldText(host, 'client_id')].filter(Boolean).join(' ');
  return `Host ${description ? JSON.stringify(description) : (attr(host, 'uuid') ?? '(no uuid)')} (${shown})`;
}
