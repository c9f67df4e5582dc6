// A box whose Unbound listens on another port than 53: clients ask the
// firewall on 53 (what DHCP and the WireGuard client files hand out means
// port 53), so Unbound, and gen's host overrides in it, answer none of them.
// OPNsense writes `port: <general.port>` into unbound.conf
// (plugins.inc.d/unbound.inc unbound_generate_config(), 25.7 to 26.7; the
// model's general.port defaults to 53). A root the box has not migrated past
// 1.0.5 keeps it in the legacy <unbound><port>, which Migrations/M1_0_5.php
// moves into the model (an empty one becomes 53). Port 53 then belongs to
// dnsmasq only when the box runs dnsmasq's DNS there; it reaches Unbound's
// overrides only through the domain overrides of their domain, when each of
// them forwards to the firewall's own Unbound port
// (templates/OPNsense/Dnsmasq/dnsmasq.conf: server=/<domain>/<ip>#<port>);
// /etc/resolv.conf, dnsmasq's other upstream, names no port. Unbound
// listens on every address of the box unless its Network Interfaces are set
// (active_interface): then on those interfaces'
// addresses and 127.0.0.1 (unbound.inc: interfaces_addresses() of lo0 and
// the listed interfaces, VIPs included), so a forward to one of those reaches
// it as well as one to the loopback. The box keeps an IPv6 address as it was
// typed, and dnsmasq parses it: two spellings of one address are compared as
// one.
import ipaddr from 'ipaddr.js';
import { type XmlElement, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { fieldList, fieldText } from './fields.js';
import { baseVips } from './vips.js';
import { dnsmasqAnswers, unboundEnabled, unboundGeneral } from './unbound-off.js';
import { genHostItems, hostName } from './unbound-items.js';

/** The port the box's Unbound listens on after the merged config's migrations. */
function unboundPort(root: XmlElement): string {
  const port = fieldText(unboundGeneral(root).settings, 'port');
  return port === '' ? String(UNBOUND_PORT) : port;
}

/** An address as compared here: an IPv6 one in its compact form (fd00:0::9 is fd00::9), another as written. */
function addressKey(text: string): string {
  const lower = text.toLowerCase();
  return ipaddr.IPv6.isValid(lower) ? ipaddr.IPv6.parse(lower).toString() : lower;
}

/**
 * Addresses of the box on which its Unbound answers, as a dnsmasq domain
 * override can name them: the loopback, and the static addresses and VIPs of
 * the interfaces Unbound listens on (all when none are chosen), gen's
 * interface entries standing for the base's of the same key.
 */
function unboundAddresses(root: XmlElement, sections: readonly XmlElement[]): Set<string> {
  const listening = new Set(fieldList(unboundGeneral(root).settings, 'active_interface'));
  const heard = (key: string) => listening.size === 0 || listening.has(key);
  const entries = new Map<string, XmlElement>();
  for (const parent of [child(root, 'interfaces'), ...sections.filter((s) => s.name === 'interfaces')]) {
    for (const entry of parent?.children.filter(isElement) ?? []) entries.set(entry.name, entry);
  }
  const addresses = new Set(['127.0.0.1', '::1']);
  for (const [key, entry] of entries) {
    if (!heard(key)) continue;
    for (const field of ['ipaddr', 'ipaddrv6']) addresses.add(addressKey(fieldText(entry, field)));
  }
  for (const vip of baseVips(root)) if (heard(fieldText(vip, 'interface'))) addresses.add(addressKey(fieldText(vip, 'subnet')));
  addresses.delete('');
  return addresses;
}

/**
 * A domain override's server address and port as OPNsense's model reads them: an ip of the older form,
 * `127.0.0.1#5353` or with `@<source address>`, is split on load, the port replacing <port> (the model's ip is its
 * last field for that reason: Dnsmasq/FieldTypes/DomainIPField.php, 25.7 to 26.7, when a `#` or `@` stands after
 * the first two characters).
 */
function overrideServer(o: XmlElement): { ip: string; port: string } {
  const ip = fieldText(o, 'ip');
  const port = fieldText(o, 'port');
  if (ip.indexOf('#') <= 1 && ip.indexOf('@') <= 1) return { ip, port };
  const [address, legacyPort] = ip.split('@')[0]!.split('#');
  return { ip: address!, port: legacyPort ?? port };
}

/**
 * Whether the box's dnsmasq forwards `name` only to the firewall's own Unbound on `port`: every domain override of
 * the closest domain that writes a server= line must. The template writes one line for each override, in the order
 * of their sequence (dnsmasq.conf: server=/<domain>/<ip>#<port>, no switch to leave one out), and dnsmasq takes all
 * the servers of the longest matching domain as one group (domain-match.c lookup_domain(), filter_servers()) and
 * may send a query to any of them (forward.c forward_query()): by default to all of them every 50 queries or 20
 * seconds, then to the one that answered first; with Strict order (strict-order) to the first, and on to the next
 * when that one refuses or fails, or the client asks again. One with an ipset and no address writes only its ipset=
 * line ("if override.ip or not override.ipset"), so it is none of the group.
 */
function dnsmasqForwards(root: XmlElement, name: string, port: string, unbound: ReadonlySet<string>): boolean {
  let closest: { ip: string; port: string }[] = [];
  let length = -1;
  for (const o of childrenNamed(child(root, 'dnsmasq'), 'domainoverrides')) {
    const domain = fieldText(o, 'domain').toLowerCase().replace(/\.$/, '');
    if (!(name === domain || name.endsWith(`.${domain}`)) || domain.length < length) continue;
    const server = overrideServer(o);
    if (server.ip === '' && fieldText(o, 'ipset') !== '') continue;
    if (domain.length > length) [closest, length] = [[], domain.length];
    closest.push(server);
  }
  return closest.length > 0 && closest.every((s) => unbound.has(addressKey(s.ip)) && s.port === port);
}

/** A warning when the box's Unbound runs on another port than 53, so that no client reaches gen's host overrides. */
export function offPortOverrides(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const port = unboundPort(root);
  if (port === String(UNBOUND_PORT) || !unboundEnabled(root)) return [];
  const dnsmasq = dnsmasqAnswers(root);
  const unbound = dnsmasq ? unboundAddresses(root, sections) : new Set<string>();
  const names = genHostItems(sections).map((h) => hostName(h).toLowerCase()).filter((n) => !(dnsmasq && dnsmasqForwards(root, n, port, unbound)));
  if (names.length === 0) return [];
  const fix = dnsmasq
    ? `dnsmasq answers port 53 and sends these names elsewhere: forward their domain to 127.0.0.1 port ${port} in Services › Dnsmasq DNS & DHCP › Domains, and to no other server, or add them in its Hosts`
    : `nothing answers DNS on port 53: set Listen Port to ${UNBOUND_PORT} in Services › Unbound DNS › General`;
  return [
    `the box's Unbound DNS listens on port ${port}, not ${UNBOUND_PORT}, where clients ask the firewall, so gen's Unbound host overrides ${names.join(', ')} answer no client inside and they still reach these names through the upstream router; ${fix}`,
  ];
}
