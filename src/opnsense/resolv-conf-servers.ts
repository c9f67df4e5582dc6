// The servers the box's dnsmasq takes from /etc/resolv.conf, which it asks
// beside a domain override of every domain (`*`) unless no-resolv is set.
// OPNsense writes the file in system_resolvconf_generate() (src/etc/inc/
// system.inc, the same servers in 25.7, 26.1 and 26.7): `nameserver 127.0.0.1`
// first when a service answers DNS on port 53 and Do not use the local DNS
// service (dnslocalhost) is off, then, from get_nameservers(), the servers the
// dynamic interfaces were given when Allow DNS server list to be overridden
// (dnsallowoverride) is on, less those of the interfaces it excludes
// (dnsallowoverride_exclude), and the first eight DNS servers of System ›
// Settings › General (system/dnsserver) that are addresses. 26.1 on appends
// /etc/resolv.conf.local, a file of the box that no config holds. dnsmasq
// skips a server that is one of its own listening addresses on port 53
// (network.c check_servers(): "ignoring nameserver ... - local interface",
// 2.86 to 2.93): the loopback, which it always listens on (interface= adds
// it), and the addresses the box configures on the interfaces it listens on
// (all when none are chosen: listened-addresses.ts, which leaves out a
// disabled interface's and a Proxy ARP VIP); so with dnsmasq on port 53,
// 127.0.0.1 never joins its servers.
import { type XmlElement, child, childrenNamed, isElement, textOf } from '../render/opnsense/xml.js';
import { fieldList, fieldText, phpEmpty } from './fields.js';
import { addressKey, listenedAddresses } from './listened-addresses.js';
import { interfaceEnabled } from './interface-enabled.js';
import { isIpaddrAsWritten } from './ip-address.js';

/**
 * What gives an interface DNS servers for each dynamic address type (ifctl -n, read by get_nameservers()):
 * dhclient-script for DHCP, ppp-linkup.sh for the PPP links, dhcp6c_script.sh for DHCPv6 and rtsold_resolvconf.sh
 * for the servers router advertisements name (SLAAC).
 */
const DYNAMIC: Readonly<Record<string, string>> = {
  dhcp: 'DHCP',
  pppoe: 'PPPoE',
  pptp: 'PPTP',
  l2tp: 'L2TP',
  ppp: 'PPP',
  dhcp6: 'DHCPv6',
  slaac: 'router advertisements',
  pppoev6: 'PPPoE',
};

/**
 * The servers /etc/resolv.conf gives the box's dnsmasq on port 53, as the merged config `root` decides them, each as
 * a warning names it: an address of System › Settings › General's DNS servers as written, the servers a dynamic
 * interface is given (which gen cannot know) by what gives them. None when dnsmasq skips every one.
 */
export function resolvConfServers(root: XmlElement): string[] {
  const system = child(root, 'system');
  const interfaces = (child(root, 'interfaces')?.children ?? []).filter(isElement);
  const out: string[] = [];
  if (!phpEmpty(fieldText(system, 'dnsallowoverride'))) {
    const excluded = new Set(fieldList(system, 'dnsallowoverride_exclude'));
    for (const entry of interfaces) {
      if (excluded.has(entry.name) || !interfaceEnabled(entry)) continue;
      const given = new Set([DYNAMIC[fieldText(entry, 'ipaddr')], DYNAMIC[fieldText(entry, 'ipaddrv6')]].filter((g) => g !== undefined));
      if (given.size > 0) out.push(`the servers ${[...given].join(' and ')} gives interface ${entry.name}`);
    }
  }
  const own = listenedAddresses(root, new Set(fieldList(child(root, 'dnsmasq'), 'interface')));
  for (const server of childrenNamed(system, 'dnsserver').slice(0, 8)) {
    // get_nameservers() checks the text as written (Config::toArray() does not trim): " 9.9.9.9" is no server, but
    // is_ipaddr() takes "fd00::53 " (ip-address.ts), and dnsmasq reads the line's next word, up to a space, tab, CR
    // or LF (network.c reload_servers()).
    const text = textOf(server);
    const word = text.split(/[ \t\r\n]/)[0]!;
    if (!isIpaddrAsWritten(text) || own.has(addressKey(word))) continue;
    own.add(addressKey(word));
    out.push(word);
  }
  return out;
}
