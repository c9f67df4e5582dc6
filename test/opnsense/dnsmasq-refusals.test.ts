// When dnsmasqRefusals() speaks, on small configs; what dnsmasq itself refuses, on configs OPNsense's own template
// renders, is split-dns.test.ts's, and at each release's dnsmasq version dnsmasq-binaries.test.ts's too.
import { describe, expect, it } from 'vitest';
import { dnsmasqRefusals } from '../../src/opnsense/dnsmasq-refusals.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';

/** A config whose dnsmasq has `settings` and a range of prefix length 48 (refused), and two Hosts of one address with `macs`. */
function config(settings: string, macs: [string, string] = ['52:54:00:00:00:01', '52:54:00:00:00:02']): string {
  const range = '<dhcp_ranges uuid="11111111-2222-4333-8444-200000000001"><interface>opt5</interface><start_addr>fd00:55::1000</start_addr><end_addr>fd00:55::2000</end_addr><prefix_len>48</prefix_len><description/></dhcp_ranges>';
  const hosts = macs.map((mac, i) => `<hosts uuid="11111111-2222-4333-8444-10000000000${i}"><host>h${i}</host><ip>10.0.0.5</ip><client_id/><hwaddr>${mac}</hwaddr><descr/></hosts>`);
  return `<?xml version="1.0"?>\n<opnsense><dnsmasq>${settings}${range}${hosts.join('')}</dnsmasq></opnsense>\n`;
}

const refusals = (text: string, version = '2.93', release = '26.7') => dnsmasqRefusals(parseXml(text).root, version, releaseFacts(release)!);

describe('dnsmasqRefusals', () => {
  it('speaks only of a dnsmasq that runs', () => {
    for (const off of ['', '<enable>0</enable>', '<enable/>']) expect(refusals(config(off))).toEqual([]);
    expect(refusals(config('<enable>1</enable><port>0</port>'))).toEqual([
      expect.stringMatching(/^dnsmasq refuses to start with the merged config: the DHCP range 11111111-2222-4333-8444-200000000001 \(fd00:55::1000-fd00:55::2000\) makes it print "prefix length must be at least 64" .*no DHCP \(the topology's included\)\. Set its prefix length to 64/),
      expect.stringMatching(/the Host 11111111-2222-4333-8444-100000000001 \(h1 52:54:00:00:00:02\) makes it print "duplicate dhcp-host IP address 10\.0\.0\.5" \(the Host 11111111-2222-4333-8444-100000000000 \(h0 52:54:00:00:00:01\) reserves 10\.0\.0\.5 too\)/),
    ]);
  });

  // Its DNS goes with it where it answers any (an empty port is 53 to the model); a Host of no client id and a MAC
  // without ':' gets no dhcp-host line (the template skips it), so its address is no one's.
  it('names the DNS port it leaves unanswered, and only the Hosts the template writes a dhcp-host line of', () => {
    expect(refusals(config('<enable>1</enable><port/>'))[0]).toContain('no DHCP (the topology\'s included) and no DNS on port 53.');
    expect(refusals(config('<enable>1</enable><port>5353</port>'))[0]).toContain('and no DNS on port 5353.');
    expect(refusals(config('<enable>1</enable><port>0</port>', ['525400000001', '52:54:00:00:00:02']))).toHaveLength(1);
  });

  // Each a DHCP option of the box (description: what dnsmasq prints for its line, or 'taken'), every other one given a
  // value as the model saves it; the real dnsmasq's verdict on the lines OPNsense's template writes is split-dns.test.ts's.
  const options: [type: string, option: string, option6: string, value: string, prints: string][] = [
    ['set', '42', '', 'ntp.example.com', 'bad IP address'],
    ['set', '150', '', 'tftp-box', 'bad IP address'],
    ['match', '42', '', 'abc', 'bad IP address'],
    ['set', '44', '', '10.0.0', 'bad IPv4 address'],
    // Any option whose value reads as addresses, and a quoted address is text.
    ['set', '224', '', '1.2', 'bad IPv4 address'],
    ['set', '6', '', '"10.0.0.53"', 'bad IP address'],
    ['set', '119', '', `${'a'.repeat(64)}.example`, 'bad domain in dhcp-option'],
    ['set', '', '27', 'nis.example', 'bad IPv6 address'],
    ['set', '', '23', '[fd00::g]', 'bad IPv6 address'],
    ['set', '', '56', `${'n'.repeat(64)}.example`, 'bad domain in dhcp-option'],
    ['set', '252', '', 'x'.repeat(256), 'dhcp-option too long'],
    ['set', '252', '', '"http://wpad.example/wpad.dat', 'missing "'],
    // Taken: addresses, with a comment after a space; a name where dnsmasq's table wants one; text; a time; hex; a
    // quoted string; IPv6 addresses with or without brackets; an NTP server by name; names with capitals (IDN).
    ['set', '42', '', '10.0.0.1, 10.0.0.2 #primary', 'taken'],
    ['set', '66', '', 'tftp-box.example', 'taken'],
    ['set', '15', '', '1.2.3', 'taken'],
    ['set', '58', '', '1.2.3', 'taken'],
    ['set', '43', '', '01:02:0a', 'taken'],
    ['set', '252', '', '"http://wpad.example/wpad.dat"', 'taken'],
    ['set', '252', '', 'y'.repeat(255), 'taken'],
    ['set', '', '23', '[fd00::1],fd00::2', 'taken'],
    ['set', '', '56', 'ntp.example', 'taken'],
    ['set', '119', '', 'Lan.Example, example.org', 'taken'],
    // A line the template does not write: no option number, no value, no type it knows.
    ['set', '', '', 'ntp.example.com', 'taken'],
    ['set', '42', '', '', 'taken'],
    ['other', '42', '', 'ntp.example.com', 'taken'],
  ];
  const withOptions = (list: typeof options) =>
    config(
      '<enable>1</enable><port>0</port>' +
        list
          .map(([type, option, option6, value, prints], i) => {
            const text = value.replace(/&/g, '&amp;').replace(/</g, '&lt;');
            return `<dhcp_options uuid="11111111-2222-4333-8444-3${i.toString(16).padStart(11, '0')}"><type>${type}</type><option>${option}</option><option6>${option6}</option6><interface/><tag/><set_tag/><value>${text}</value><force/><description>case ${i}</description></dhcp_options>`;
          })
          .join(''),
    );

  it("names each DHCP option whose value dnsmasq refuses, with what it prints, and no other", () => {
    const warned = refusals(withOptions(options)).filter((w) => w.includes('DHCP option'));
    const said = warned.map((w) => /the DHCP option "case (\d+)" \(.*?\) makes it print "(.*?)" \(/.exec(w)!.slice(1));
    expect(said.map(([i, prints]) => [options[Number(i)]![4], prints])).toEqual(options.filter((o) => o[4] !== 'taken').map((o) => [o[4], o[4]]));
    expect(warned[0]).toMatch(/^dnsmasq refuses to start with the merged config: the DHCP option "case 0" \(option 42, value "ntp\.example\.com"\) makes it print "bad IP address" \(option 42 takes IPv4 addresses only, .*\)\. Give it IPv4 addresses separated by commas, or remove it \(Services › Dnsmasq DNS & DHCP › DHCP options\)$/);
    expect(warned[2]).toContain('(a match on option 42, value "abc")');
  });

  // dnsmasq 2.92 added option 92 (associated-ip) to its table as addresses: a name there is refused from 2.92 on.
  it("reads an option's value by the table of the box's dnsmasq version", () => {
    const associated = withOptions([['set', '92', '', 'host.example', 'bad IP address']]);
    expect(refusals(associated, '2.91').filter((w) => w.includes('DHCP option'))).toEqual([]);
    for (const version of ['2.92', '2.92rel2', '2.93']) expect(refusals(associated, version).filter((w) => w.includes('DHCP option'))).toHaveLength(1);
  });
});


// A listed interface whose device has no address when dnsmasq starts under Strict interface binding (dnsmasq-unaddressed.ts);
// what dnsmasq itself does with one is split-dns.test.ts's. Near misses: a device another enabled interface addresses,
// one another service addresses (a WireGuard instance's), one OPNsense brings up as a VLAN's parent or a bridge's
// member, an assignment without a device, strict binding not exactly 1.
describe('dnsmasqRefusals on the listed interfaces', () => {
  const box = (strictbind: string, listed: string, interfaces: string, more = '') =>
    `<?xml version="1.0"?>\n<opnsense><interfaces>${interfaces}</interfaces>${more}<dnsmasq><enable>1</enable><port>0</port><interface>${listed}</interface><strictbind>${strictbind}</strictbind></dnsmasq></opnsense>\n`;
  const assigned = (key: string, device: string, enabled: boolean) => `<${key}><if>${device}</if>${enabled ? '<enable>1</enable><ipaddr>10.0.0.1</ipaddr><subnet>24</subnet>' : ''}<descr>${key}d</descr></${key}>`;
  const printed = (text: string) => refusals(text).map((w) => /makes it print "(.*?)" \(/.exec(w)![1]!);

  it('names a disabled interface whose device nothing else addresses or brings up, and no near miss', () => {
    const own = assigned('opt5', 'vtnet5', false) + assigned('opt6', 'vtnet6', true);
    expect(printed(box('1', 'opt5,opt6', own))).toEqual(['unknown interface vtnet5']);
    expect(refusals(box('1', 'opt5', own))[0]).toMatch(/^dnsmasq refuses to start with the merged config: the listed interface opt5 \(opt5d\) makes it print "unknown interface vtnet5" \(.*so vtnet5 has none\).*Enable the interface \(Interfaces › opt5d\), .* \(Services › Dnsmasq DNS & DHCP › General\)$/);
    expect(printed(box('1', 'opt5', assigned('opt5', 'vtnet5', false).replace('<descr>opt5d</descr>', '')))[0]).toBe('unknown interface vtnet5');
    expect(refusals(box('1', 'opt5', assigned('opt5', 'vtnet5', false).replace('<descr>opt5d</descr>', '')))[0]).toContain('(Interfaces › OPT5)');
    for (const [strictbind, listed] of [['0', 'opt5'], ['', 'opt5'], [' 1', 'opt5'], ['1', '']] as const) expect(printed(box(strictbind, listed, own))).toEqual([]);
    expect(printed(box('1', 'opt5', own + assigned('opt7', 'vtnet5', true)))).toEqual([]);
    expect(printed(box('1', 'opt5', assigned('opt5', 'wg0', false)))).toEqual([]);
    expect(printed(box('1', 'opt5', own, '<vlans><vlan><if>vtnet5</if><tag>10</tag><vlanif>vlan0.10</vlanif></vlan></vlans>'))).toEqual([]);
    expect(printed(box('1', 'opt5', own, '<bridges><bridged><members>opt6,opt5</members><bridgeif>bridge0</bridgeif></bridged></bridges>'))).toEqual([]);
    expect(printed(box('1', 'opt5,opt8', own))).toEqual(['unknown interface vtnet5']);
    expect(printed(box('1', 'opt5', '<opt5><enable>1</enable></opt5>'))).toEqual([]);
  });

  // A bridge has a link-local address only with "Enable link-local address" (_interfaces_bridge_configure()), so an
  // enabled interface on one has an address only with an address type or an IP alias or CARP VIP.
  it('names an interface on a bridge without a link-local address that has no address, and no near miss', () => {
    const bridge = (linklocal: string) => `<bridges><bridged><bridgeif>bridge0</bridgeif><members>opt6</members>${linklocal}</bridged></bridges>`;
    const onBridge = (fields: string) => `<opt5><if>bridge0</if><enable>1</enable>${fields}<descr>br</descr></opt5>`;
    const vip = (mode: string) => `<virtualip><vip><interface>opt5</interface><mode>${mode}</mode><subnet>10.5.0.1</subnet><subnet_bits>24</subnet_bits></vip></virtualip>`;
    const [warning] = refusals(box('1', 'opt5', onBridge(''), bridge('')));
    expect(warning).toMatch(/^dnsmasq refuses to start with the merged config: the listed interface opt5 \(br\) makes it print "unknown interface bridge0" \(.*the interface has no IPv4 or IPv6 address type, IP alias or CARP VIP, and bridge0 is a bridge without a link-local address, so it has none\).*Give the interface an address \(Interfaces › br\), enable the link-local address of bridge0 \(Interfaces › Devices › Bridge\), .* \(Services › Dnsmasq DNS & DHCP › General\)$/);
    // "0" is no address type (PHP's empty()) and no address as is_ipaddrv4() or is_ipaddrv6() says (util.inc), so
    // interface_static_configure() and interface_static6_configure() configure none, though ipaddr.js reads it as 0.0.0.0.
    for (const [fields, more] of [
      ['<ipaddr/><ipaddrv6/>', bridge('<linklocal>0</linklocal>')],
      ['', bridge('') + vip('proxyarp')],
      ['<ipaddr>0</ipaddr><subnet>24</subnet>', bridge('')],
      ['<ipaddrv6>0</ipaddrv6><subnetv6>64</subnetv6>', bridge('')],
    ] as const) {
      expect(printed(box('1', 'opt5', onBridge(fields), more)), fields + more).toEqual(['unknown interface bridge0']);
    }
    // Disabled on it: named as any disabled interface.
    expect(refusals(box('1', 'opt5', assigned('opt5', 'bridge0', false), bridge('')))[0]).toContain('the interface is disabled, so bridge0 has none');
    // Near misses: the bridge's link-local address on, an address of either type (a dynamic one too), an IP alias or CARP VIP.
    for (const [fields, more] of [
      ['', bridge('<linklocal>1</linklocal>')],
      ['<ipaddr>10.5.0.1</ipaddr><subnet>24</subnet>', bridge('')],
      ['<ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>64</subnetv6>', bridge('')],
      ['<ipaddrv6>fe80::1%bridge0</ipaddrv6><subnetv6>64</subnetv6>', bridge('')],
      ['<ipaddr>dhcp</ipaddr>', bridge('')],
      ['<ipaddrv6>track6</ipaddrv6>', bridge('') + '<system><ipv6allow>1</ipv6allow></system>'],
      ['', bridge('') + vip('ipalias')],
      ['', bridge('') + vip('carp')],
    ] as const) {
      expect(printed(box('1', 'opt5', onBridge(fields), more)), fields + more).toEqual([]);
    }
    expect(printed(box('0', 'opt5', onBridge(''), bridge('')))).toEqual([]);
  });

  // interface_configure() switches on <ipaddrv6> only with IPv6 on, else takes its default, interface_static6_configure(),
  // which configures a static address and nothing of a type (ipv6-allowed.ts): 25.7 reads <system><ipv6allow> (present,
  // even empty), 26.x Interfaces › Settings' disableipv6, or, before that model's migration, <system><ipv6allow> as it does.
  describe('with IPv6 off', () => {
    const bridge = '<bridges><bridged><bridgeif>bridge0</bridgeif><members>opt6</members></bridged></bridges>';
    const onBridge = (fields: string) => `<opt5><if>bridge0</if><enable>1</enable>${fields}<descr>br</descr></opt5>`;
    const allow = '<system><ipv6allow/></system>';
    const settings = (disable: string, version = ' version="1.0.0"') => `<OPNsense><Interfaces><settings${version}><disableipv6>${disable}</disableipv6></settings></Interfaces></OPNsense>`;
    const named = (fields: string, more: string, release: string) => refusals(box('1', 'opt5', onBridge(fields), bridge + more), '2.93', release).map((w) => /makes it print "(.*?)" \((.*?)\), although/.exec(w)!.slice(1));
    const dynamic = (release: string) => ['slaac', 'dhcp6', 'track6', ...(release === '25.7' ? [] : ['idassoc6'])];

    it('names an interface on a bridge whose only address type is a dynamic IPv6 one, per release', () => {
      for (const release of ['25.7', '26.1', '26.7']) {
        const [off, on] = release === '25.7' ? ['', allow] : [settings('1'), settings('0')];
        for (const type of dynamic(release)) {
          const fields = `<ipaddrv6>${type}</ipaddrv6>`;
          const check = release === '25.7' ? '"Allow IPv6" unchecked' : '"Turn off IPv6" checked';
          expect(named(fields, off, release), `${release} ${type}`).toEqual([
            ['unknown interface bridge0', `with Strict interface binding dnsmasq binds the addresses of each listed device as it starts, and OPNsense configures no address of the interface's IPv6 type ${type}, which OPNsense skips with IPv6 off (${check}), and it has no IP alias or CARP VIP, and bridge0 is a bridge without a link-local address, so it has none`],
          ]);
          // With IPv6 on, slaac and dhcp6 still give the bridge nothing (address-types.ts); track6 and idassoc6 address it.
          expect(named(fields, on, release).length, `${release} ${type}`).toBe(['slaac', 'dhcp6'].includes(type) ? 1 : 0);
        }
        expect(refusals(box('1', 'opt5', onBridge('<ipaddrv6>track6</ipaddrv6>'), bridge + off), '2.93', release)[0]).toContain('Give the interface an address (Interfaces › br), turn IPv6 on (Interfaces › Settings), enable the link-local address');
        // linklocal, 6rd, slaac and dhcp6 are skipped too, but would address no such bridge with IPv6 on: no such fix.
        for (const type of ['linklocal', '6rd', 'slaac', 'dhcp6']) {
          const [warning] = refusals(box('1', 'opt5', onBridge(`<ipaddrv6>${type}</ipaddrv6>`), bridge + off), '2.93', release);
          expect(warning, `${release} ${type}`).toContain(`IPv6 type ${type}, which OPNsense skips with IPv6 off`);
          expect(warning, `${release} ${type}`).toContain('Give the interface an address (Interfaces › br), enable the link-local address');
        }
        // A static IPv6 address is configured with IPv6 off too, as are IPv4 dhcp, a static IPv4 address and a VIP.
        for (const fields of ['<ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>64</subnetv6>', '<ipaddr>dhcp</ipaddr><ipaddrv6>dhcp6</ipaddrv6>', '<ipaddr>10.5.0.1</ipaddr><subnet>24</subnet><ipaddrv6>slaac</ipaddrv6>']) {
          expect(named(fields, off, release), `${release} ${fields}`).toEqual([]);
        }
      }
    });

    it("reads 25.7's switch from <system><ipv6allow> and 26.x's from Interfaces › Settings, migrated from it where the model has no version", () => {
      // track6 addresses the bridge with IPv6 on (slaac and dhcp6 do not: address-types.ts).
      const fields = '<ipaddrv6>track6</ipaddrv6>';
      // 25.7: the element's presence alone; Interfaces › Settings is no model of 25.7.
      for (const more of ['', settings('0'), settings('')]) expect(named(fields, more, '25.7'), more).toHaveLength(1);
      for (const more of [allow, '<system><ipv6allow>0</ipv6allow></system>', allow + settings('1')]) expect(named(fields, more, '25.7'), more).toEqual([]);
      for (const release of ['26.1', '26.7']) {
        for (const more of [settings('1'), allow + settings('1'), '', settings('0', ''), settings('', '')]) expect(named(fields, more, release), `${release} ${more}`).toHaveLength(1);
        for (const more of [settings('0'), settings(''), allow, allow + settings('1', '')]) expect(named(fields, more, release), `${release} ${more}`).toEqual([]);
      }
    });
  });

  // slaac and dhcp6 address the device from its link-local address (FreeBSD's in6_ifadd(), dhcp6c's source address:
  // address-types.ts), which a bridge without "Enable link-local address" lacks; track6 (idassoc6 from 26.1) without it.
  it.each(['25.7', '26.1', '26.7'])('names slaac and dhcp6 on a bridge without a link-local address with IPv6 on, not track6 (%s)', (release) => {
    const bridge = (linklocal: string) => `<bridges><bridged><bridgeif>bridge0</bridgeif><members>opt6</members>${linklocal}</bridged></bridges><system><ipv6allow>1</ipv6allow></system>`;
    const onBridge = (type: string) => `<opt5><if>bridge0</if><enable>1</enable><ipaddrv6>${type}</ipaddrv6><descr>br</descr></opt5>`;
    for (const type of ['slaac', 'dhcp6']) {
      const [warning, ...more] = refusals(box('1', 'opt5', onBridge(type), bridge('')), '2.93', release);
      expect(more, type).toEqual([]);
      expect(warning, type).toContain(`"unknown interface bridge0" (with Strict interface binding dnsmasq binds the addresses of each listed device as it starts, and OPNsense configures no address of the interface's IPv6 type ${type}, whose `);
      expect(warning, type).toContain('Give the interface an address (Interfaces › br), enable the link-local address of bridge0 (Interfaces › Devices › Bridge), take it out');
      expect(refusals(box('1', 'opt5', onBridge(type), bridge('<linklocal>1</linklocal>')), '2.93', release), type).toEqual([]);
    }
    for (const type of ['track6', ...(release === '25.7' ? [] : ['idassoc6'])]) expect(refusals(box('1', 'opt5', onBridge(type), bridge('')), '2.93', release), type).toEqual([]);
  });

  // What interface_configure() configures on the bridge of each text: IPv4 dhcp or a static address with a subnet
  // ifconfig takes; the IPv6 types whose case addresses the device without its link-local address (track6, idassoc6
  // only where the release has its case) or a static address with a prefix length ifconfig takes; not slaac or dhcp6
  // (FreeBSD's SLAAC and dhcp6c need the link-local address: address-types.ts), linklocal (it only brings the device
  // up), 6rd or 6to4 (their <key>_stf device), nor text that is no type of its case and no address.
  it('names an interface on a bridge whose address types OPNsense configures nothing of there, per release', () => {
    const bridge = '<bridges><bridged><bridgeif>bridge0</bridgeif><members>opt6</members></bridged></bridges><system><ipv6allow>1</ipv6allow></system>';
    const onBridge = (fields: string) => `<opt5><if>bridge0</if><enable>1</enable>${fields}<descr>br</descr></opt5>`;
    const types = (fields: string, release = '26.7') =>
      refusals(box('1', 'opt5', onBridge(fields), bridge), '2.93', release).map((w) => /OPNsense configures no address of the interface's (.*), and it has no IP alias or CARP VIP, and bridge0/.exec(w)?.[1]);
    for (const release of ['25.7', '26.1', '26.7']) {
      for (const [fields, words] of [
        ['<ipaddr>pppoe</ipaddr>', 'IPv4 type "pppoe", which is neither dhcp nor an address'],
        ['<ipaddr>static</ipaddr><subnet>24</subnet>', 'IPv4 type "static", which is neither dhcp nor an address'],
        ['<ipaddr>10.5.0.1</ipaddr>', 'IPv4 address 10.5.0.1 with subnet "", which ifconfig refuses'],
        ['<ipaddr>10.5.0.1</ipaddr><subnet>33</subnet>', 'IPv4 address 10.5.0.1 with subnet "33", which ifconfig refuses'],
        ['<ipaddr>10.5.0.1</ipaddr><subnet>24x</subnet>', 'IPv4 address 10.5.0.1 with subnet "24x", which ifconfig refuses'],
        ['<ipaddrv6>static</ipaddrv6><subnetv6>64</subnetv6>', 'IPv6 type "static", which interface_configure() has no case for and is no address'],
        ['<ipaddrv6>pppoev6</ipaddrv6>', 'IPv6 type "pppoev6", which interface_configure() has no case for and is no address'],
        ['<ipaddrv6>fd00:5::1</ipaddrv6>', 'IPv6 address fd00:5::1 with prefix length "", which ifconfig refuses'],
        ['<ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>0</subnetv6>', 'IPv6 address fd00:5::1 with prefix length "0", which ifconfig refuses'],
        ['<ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>abc</subnetv6>', 'IPv6 address fd00:5::1 with prefix length "abc", which ifconfig refuses'],
        ['<ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>129</subnetv6>', 'IPv6 address fd00:5::1 with prefix length "129", which ifconfig refuses'],
        ['<ipaddrv6>linklocal</ipaddrv6>', 'IPv6 type linklocal, which only brings bridge0 up'],
        ['<ipaddrv6>slaac</ipaddrv6>', 'IPv6 type slaac, whose address FreeBSD forms from a link-local address bridge0 lacks'],
        ['<ipaddrv6>dhcp6</ipaddrv6>', 'IPv6 type dhcp6, whose DHCPv6 client sends from a link-local address bridge0 lacks'],
        ['<ipaddr>none</ipaddr><ipaddrv6>dhcp6</ipaddrv6>', 'IPv4 type "none", which is neither dhcp nor an address or IPv6 type dhcp6, whose DHCPv6 client sends from a link-local address bridge0 lacks'],
        ['<ipaddrv6>6rd</ipaddrv6>', 'IPv6 type 6rd, which addresses the opt5_stf device, not bridge0'],
        ['<ipaddrv6>6to4</ipaddrv6>', 'IPv6 type 6to4, which addresses the opt5_stf device, not bridge0'],
        ['<ipaddr>none</ipaddr><ipaddrv6>6rd</ipaddrv6>', 'IPv4 type "none", which is neither dhcp nor an address or IPv6 type 6rd, which addresses the opt5_stf device, not bridge0'],
      ] as const) {
        expect(types(fields, release), `${release} ${fields}`).toEqual([words]);
      }
      // Near misses: subnets ifconfig reads as one, a static address of the other family beside the text.
      for (const fields of [
        '<ipaddr>10.5.0.1</ipaddr><subnet>0</subnet>',
        '<ipaddr>10.5.0.1</ipaddr><subnet>024</subnet>',
        '<ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>64abc</subnetv6>',
        '<ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>+64</subnetv6>',
        '<ipaddr>pppoe</ipaddr><ipaddrv6>fd00:5::1</ipaddrv6><subnetv6>64</subnetv6>',
        '<ipaddr>10.5.0.1</ipaddr><subnet>24</subnet><ipaddrv6>linklocal</ipaddrv6>',
        '<ipaddr>10.5.0.1</ipaddr><subnet>24</subnet><ipaddrv6>slaac</ipaddrv6>',
        '<ipaddr>dhcp</ipaddr><ipaddrv6>dhcp6</ipaddrv6>',
        '<ipaddrv6>track6</ipaddrv6>',
      ]) {
        expect(types(fields, release), `${release} ${fields}`).toEqual([]);
      }
      // slaac and dhcp6 where the bridge has its link-local address: it has one anyway.
      for (const type of ['slaac', 'dhcp6']) {
        expect(refusals(box('1', 'opt5', onBridge(`<ipaddrv6>${type}</ipaddrv6>`), bridge.replace('</members>', '</members><linklocal>1</linklocal>')), '2.93', release), `${release} ${type}`).toEqual([]);
      }
    }
    // idassoc6 has its case from 26.1 on; 25.7 takes the default, which configures nothing of it.
    expect(types('<ipaddrv6>idassoc6</ipaddrv6>', '25.7')).toEqual(['IPv6 type "idassoc6", which interface_configure() has no case for and is no address']);
    for (const release of ['26.1', '26.7']) expect(types('<ipaddrv6>idassoc6</ipaddrv6>', release), release).toEqual([]);
    // linklocal has its case from 25.7.8 on; before, the default, which configures nothing of it either.
    expect(types('<ipaddrv6>linklocal</ipaddrv6>', '25.7.7')).toEqual(['IPv6 type "linklocal", which interface_configure() has no case for and is no address']);
  });
});

// A Host's lease time with a sign (an IntegerField takes one) is a second word of a name to dnsmasq: 2.90 refuses it as
// a name, 2.91 on as a second one where the Host has a name (dnsmasq-source.test.ts; the real 2.90 is split-dns.test.ts's).
describe('dnsmasqRefusals on a Host lease time', () => {
  const host = (name: string, ip: string, lease: string, mac = '52:54:00:00:00:09') =>
    `<hosts uuid="11111111-2222-4333-8444-50000000000${lease.length}"><host>${name}</host><ip>${ip}</ip><client_id/><hwaddr>${mac}</hwaddr><lease_time>${lease}</lease_time><descr/></hosts>`;
  const printed = (hosts: string, version: string) =>
    refusals(`<?xml version="1.0"?>\n<opnsense><dnsmasq><enable>1</enable><port>0</port>${hosts}</dnsmasq></opnsense>\n`, version).map((w) => /makes it print "(.*?)" \((.*?)\), although/.exec(w)!.slice(1));

  it("words the refusal by the release's dnsmasq version, and takes a lease of digits", () => {
    expect(printed(host('kiosk', '', '-60'), '2.90')).toEqual([['bad DHCP host name', 'its lease time -60 is not a number of seconds, so dnsmasq 2.90 reads it as its name']]);
    for (const version of ['2.91', '2.92rel2', '2.93']) expect(printed(host('kiosk', '', '-60'), version)).toEqual([['DHCP host has multiple names', `its lease time -60 is not a number of seconds, so dnsmasq ${version} reads it as a second name`]]);
    for (const version of ['2.90', '2.91']) expect(printed(host('', '10.0.0.9', '+3600'), version).map(([p]) => p)).toEqual(['bad DHCP host name']);
    for (const lease of ['', '0', '3600']) expect(printed(host('kiosk', '10.0.0.9', lease), '2.91')).toEqual([]);
    // Without a dhcp-host line (a MAC without ':'), nothing; a line dnsmasq refuses at an address first, once.
    expect(printed(host('kiosk', '', '-60', '525400000009'), '2.91')).toEqual([]);
    expect(printed(host('a', '10.0.0.9', '') + host('b', '10.0.0.9', '-1', '52:54:00:00:00:08'), '2.91').map(([p]) => p)).toEqual(['duplicate dhcp-host IP address 10.0.0.9']);
  });

  // Its MACs come first on the line, each a word; option.c reads a word without ':' as a name, and the model takes a MAC
  // in the forms FILTER_VALIDATE_MAC does (dashes, dotted groups): from 2.91 a second name word refuses the line.
  it('names a Host whose MAC list holds a MAC without colons beside a name, from 2.91', () => {
    const multiple = (why: string) => [['DHCP host has multiple names', why]];
    const macHost = (name: string, ip: string, macs: string, lease = '') => host(name, ip, lease, macs).replace(/uuid="[^"]*"/, `uuid="11111111-2222-4333-8444-6${macs.length.toString(16).padStart(11, '0')}"`);
    for (const version of ['2.91', '2.93']) {
      expect(printed(macHost('nas', '10.0.0.9', '52:54:00:00:00:09,52-54-00-AA-BB-CC'), version)).toEqual(
        multiple(`dnsmasq ${version} takes a word as a MAC only with a ':', so it reads 52-54-00-AA-BB-CC as the Host's name, and then its name nas as a second`),
      );
      // Two such MACs: refused at the second, before its address, which it then never reserves.
      const two = macHost('', '10.0.0.9', '52:54:00:00:00:09,5254.00aa.bbcc,52-54-00-dd-ee-ff');
      expect(printed(two + macHost('b', '10.0.0.9', '52:54:00:00:00:08'), version)).toEqual(
        multiple(`dnsmasq ${version} takes a word as a MAC only with a ':', so it reads 5254.00aa.bbcc as the Host's name, and then 52-54-00-dd-ee-ff as a second`),
      );
      // Without a name of its own, one such MAC is the name; a signed lease is then a second.
      expect(printed(macHost('', '10.0.0.9', '52:54:00:00:00:09,52-54-00-aa-bb-cc'), version)).toEqual([]);
      expect(printed(macHost('', '10.0.0.9', '52:54:00:00:00:09,52-54-00-aa-bb-cc', '-60'), version)).toEqual(
        multiple(`its lease time -60 is not a number of seconds, so dnsmasq ${version} reads it as a second name`),
      );
    }
    // The fix names each MAC with colons.
    const [warning] = refusals(`<?xml version="1.0"?>\n<opnsense><dnsmasq><enable>1</enable><port>0</port>${macHost('nas', '', '52:54:00:00:00:09,5254.00aa.bbcc')}</dnsmasq></opnsense>\n`, '2.91');
    expect(warning).toMatch(/Write the Host's MACs with colons \(52:54:00:aa:bb:cc\) \(Services › Dnsmasq DNS & DHCP › Hosts\)$/);
    // 2.90 overwrites the name it read first: no refusal.
    expect(printed(macHost('nas', '10.0.0.9', '52:54:00:00:00:09,52-54-00-aa-bb-cc'), '2.90')).toEqual([]);
    expect(printed(macHost('', '10.0.0.9', '52:54:00:00:00:09,5254.00aa.bbcc,52-54-00-dd-ee-ff'), '2.90')).toEqual([]);
  });
});
