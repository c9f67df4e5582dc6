import { describe, expect, it } from 'vitest';
import { isIpaddr, isIpaddrV4, isIpaddrV6 } from '../../src/opnsense/ip-address.js';
import { listenedAddresses } from '../../src/opnsense/listened-addresses.js';
import { resolvConfServers } from '../../src/opnsense/resolv-conf-servers.js';
import { parseXml } from '../../src/opnsense/parse.js';

// OPNsense's is_ipaddrv4() and is_ipaddrv6() (src/etc/inc/util.inc, 25.7 to 26.7) decide whether
// interface_static_configure() and interface_static6_configure() configure <ipaddr> and <ipaddrv6>.
describe('isIpaddr', () => {
  it('takes a dotted quad ip2long() gives back unchanged and an IPv6 address with a zone only after a link-local one', () => {
    for (const text of ['10.0.0.1', '0.0.0.0', '255.255.255.255']) expect(isIpaddrV4(text), text).toBe(true);
    for (const text of ['0', '10.1', '010.0.0.1', '0x0a.0.0.1', '10.0.0.256', '10.0.0.1/24', ' 10.0.0.1', 'fd00::1', '']) expect(isIpaddrV4(text), text).toBe(false);
    for (const text of ['fd00::1', 'FD00::1', '::', '::ffff:10.0.0.1', 'fe80::1%em0']) expect(isIpaddrV6(text), text).toBe(true);
    for (const text of ['0', '10.0.0.1', 'fd00::1/64', 'fd00::1%em0', 'fd00::g', '']) expect(isIpaddrV6(text), text).toBe(false);
    expect(['10.0.0.1', 'fd00::1', '0', 'dhcp'].map(isIpaddr)).toEqual([true, true, false, false]);
  });
});

describe('listenedAddresses', () => {
  const box = (fields: string) => parseXml(`<?xml version="1.0"?>\n<opnsense><interfaces><lan><if>vtnet1</if><enable>1</enable>${fields}</lan></interfaces></opnsense>\n`).root;
  const own = (fields: string) => [...listenedAddresses(box(fields), new Set())];

  it('counts only the addresses the box configures: an IPv4 one in ipaddr, an IPv6 one in ipaddrv6', () => {
    expect(own('<ipaddr>10.0.0.1</ipaddr><subnet>24</subnet><ipaddrv6>fd00:0::1</ipaddrv6><subnetv6>64</subnetv6>')).toEqual(['127.0.0.1', '::1', '10.0.0.1', 'fd00::1']);
    for (const fields of ['<ipaddr>0</ipaddr><ipaddrv6>0</ipaddrv6>', '<ipaddr>10.1</ipaddr>', '<ipaddr>fd00::1</ipaddr>', '<ipaddrv6>10.0.0.1</ipaddrv6>', '<ipaddrv6>fd00::1%vtnet1</ipaddrv6>', '<ipaddr>dhcp</ipaddr><ipaddrv6>track6</ipaddrv6>']) {
      expect(own(fields), fields).toEqual(['127.0.0.1', '::1']);
    }
  });

  // get_nameservers() (system.inc) skips a System DNS server is_ipaddr() refuses: a zone after an address that is not link-local.
  it('takes a System DNS server into /etc/resolv.conf only as is_ipaddr() says', () => {
    const servers = (server: string) => resolvConfServers(parseXml(`<?xml version="1.0"?>\n<opnsense><system><dnsserver>${server}</dnsserver></system></opnsense>\n`).root);
    expect(['fe80::53%vtnet1', 'fd00::53%vtnet1', '9.9.9.9', '9.9.9'].flatMap(servers)).toEqual(['fe80::53%vtnet1', '9.9.9.9']);
  });
});
