// The box's own dnsmasq Hosts whose MAC list holds the MAC of one of gen's DHCP reservations. A Host's MAC field is
// a list (Dnsmasq.xml, 25.7 to 26.7: MacAddressField, AsList), and OPNsense keeps no MAC unique across Hosts
// (Dnsmasq.php checks their addresses only). merge takes over a box's Host of gen's MAC only when its list is that
// one MAC (item-keys.ts); one of more MACs stays beside gen's, as replacing it would drop the operator's others.
// OPNsense's template writes a dhcp-host line per Host in the config's order (templates/OPNsense/Dnsmasq/dnsmasq.conf);
// dnsmasq puts each line it reads first in its list (option.c, --dhcp-host) and gives a client the first there of
// its client id, else of its MAC, whose IPv4 address is in the client's network or that has none
// (dhcp-common.c find_config_match(), is_config_in_context(); 2.90 to 2.92): of two lines of one MAC, the one written
// last. A box's Host that reserves gen's address too makes dnsmasq refuse to start (dnsmasq-refusals.ts).
// The template writes a Host's client id as id:<client id> (a colon-separated hex field, Dnsmasq.xml), which option.c
// reads as those bytes; a client that sends option 61 is matched by it before any MAC (rfc2131.c dhcp_reply(), unless
// dhcp-ignore-clid, which the template never writes), and for an Ethernet MAC most send 01 and the MAC (RFC 2132 9.14;
// Windows, busybox udhcpc unless -C). So a box's Host of client id 01:<gen's MAC> takes gen's client wherever its line
// is for the client's network, whatever its MACs.
import { type Block, blockOf, contains, parseIPv4 } from '../net.js';
import { addToList } from '../arrays.js';
import { type XmlElement, attr, child, childrenNamed, firstChildren } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { clientIdOf, clientIdOfLine, hostAddresses, hostLabel, hostMacs } from './dnsmasq-dhcp-hosts.js';
import { networkOf } from './vips.js';

/** The IPv4 address of a Host's dhcp-host line: option.c keeps the last one it reads. */
function ipv4Of(host: XmlElement): string | undefined {
  return hostAddresses(host).filter((ip) => parseIPv4(ip) !== undefined).at(-1);
}

/**
 * A warning for each Host of the box's own (not `isGen`) in the merged config `root` whose dhcp-host line names the
 * MAC of one of gen's, or the client id a client of that MAC sends, and that dnsmasq weighs against gen's for a client
 * of gen's network: one without an address (is_config_in_context(): every network's), or with another IPv4 address in
 * that network.
 */
export function sharedMacs(root: XmlElement, isGen: (uuid: string) => boolean): string[] {
  const dnsmasq = child(root, 'dnsmasq');
  if (!dnsmasqEnabled(dnsmasq)) return [];
  const hosts = childrenNamed(dnsmasq, 'hosts');
  // The interfaces' networks by prefix length and network address (looked up per reservation, not searched).
  const networks = new Map<number, Map<number, Block>>();
  for (const entry of firstChildren(child(root, 'interfaces')).values()) {
    const block = networkOf(entry)?.block;
    if (block === undefined) continue;
    const byBase = networks.get(block.prefix) ?? new Map<number, Block>();
    networks.set(block.prefix, byBase);
    if (!byBase.has(block.base)) byBase.set(block.base, block);
  }
  const networkHolding = (address: number): Block | undefined => {
    for (const [prefix, byBase] of networks) {
      const block = byBase.get(blockOf(address, prefix).base);
      if (block !== undefined) return block;
    }
    return undefined;
  };
  // The positions of the box's own Hosts by each MAC and client id of their lines (looked up per reservation of gen's, not searched).
  const boxByMac = new Map<string, number[]>();
  const boxByClientId = new Map<string, number[]>();
  hosts.forEach((host, position) => {
    if (isGen(attr(host, 'uuid') ?? '')) return;
    for (const mac of hostMacs(host)) addToList(boxByMac, mac, position);
    const id = clientIdOfLine(host);
    if (id !== undefined) addToList(boxByClientId, id, position);
  });
  const out: string[] = [];
  hosts.forEach((ours, position) => {
    if (!isGen(attr(ours, 'uuid') ?? '')) return;
    const ip = ipv4Of(ours);
    const network = ip === undefined ? undefined : networkHolding(parseIPv4(ip)!);
    if (ip === undefined || network === undefined) return;
    const forNetwork = (p: number): boolean => {
      const theirs = ipv4Of(hosts[p]!);
      return theirs === undefined ? hostAddresses(hosts[p]!).length === 0 : theirs !== ip && contains(network, parseIPv4(theirs)!);
    };
    for (const mac of hostMacs(ours)) {
      // dnsmasq takes the first line of the client id in its list: the one written last (positions ascend).
      const byId = (boxByClientId.get(clientIdOf(mac)) ?? []).filter(forNetwork);
      for (const p of byId) out.push(saidOfClientId(hosts[p]!, ours, mac, network, hosts[byId.at(-1)!]!));
      const weighed = (boxByMac.get(mac) ?? []).filter(forNetwork);
      const last = weighed.reduce((a, b) => Math.max(a, b), position);
      for (const p of weighed) if (!byId.includes(p)) out.push(said(hosts[p]!, ours, mac, network, last === position ? undefined : hosts[last]!));
    }
  });
  return out;
}

/** How the box's Host `theirs` reserves in gen's network, as a warning says it. */
function reservesSaid(theirs: XmlElement): string {
  const reserves = ipv4Of(theirs);
  return reserves === undefined ? 'reserves no address, so its line is for every network' : `reserves ${reserves} in the same network`;
}

/** The warning of the box's Host `theirs` of the client id of gen's `ours`'s `mac`; `winner`: the box's Host of it dnsmasq takes. */
function saidOfClientId(theirs: XmlElement, ours: XmlElement, mac: string, network: Block, winner: XmlElement): string {
  const ip = ipv4Of(ours)!;
  const gets = ipv4Of(winner);
  return (
    `the box's ${hostLabel(theirs)} has the client id ${fieldText(theirs, 'client_id')}, the one a client of the MAC ${mac} of gen's DHCP reservation ${fieldText(ours, 'host')} (${ip}) sends ` +
    `unless told otherwise (Windows, busybox udhcpc), and ${reservesSaid(theirs)}: dnsmasq matches a client's client id before its MAC, so a client of ${network.cidr} that sends it ` +
    `gets the dhcp-host line of the box's ${hostLabel(winner)}${gets === undefined ? ', which reserves no address' : ` and ${gets}`}, not gen's reservation of ${ip}; ` +
    `remove the client id from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts), or the reservation from the topology`
  );
}

/** The warning of the box's Host `theirs` beside gen's `ours` of `mac`; `winner`: the box's Host dnsmasq takes, if not gen's. */
function said(theirs: XmlElement, ours: XmlElement, mac: string, network: Block, winner: XmlElement | undefined): string {
  const ip = ipv4Of(ours)!;
  const clientId = fieldText(theirs, 'client_id');
  const takes = winner
    ? `the box's ${hostLabel(winner)}, so the client does not get gen's reservation of ${ip}`
    : `gen's, so the box's Host no longer applies to ${mac} there`;
  return (
    `the box's ${hostLabel(theirs)} lists the MAC ${mac} of gen's DHCP reservation ${fieldText(ours, 'host')} (${ip}) and ` +
    `${reservesSaid(theirs)}: ` +
    `dnsmasq gives a client of ${network.cidr} the dhcp-host line of its MAC written last, ${takes}` +
    `${clientId !== '' && clientId !== '*' ? ` (and the box's whenever the client sends client id ${clientId}: dnsmasq matches client ids first)` : ''}; ` +
    `remove ${mac} from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts), or the reservation from the topology`
  );
}
