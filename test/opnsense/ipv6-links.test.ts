// Which links dnsmasq serves an IPv6 range on (Ipv6Links), as firewallDnsRanges() reads them, on small configs.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firewallDnsRanges } from '../../src/opnsense/dnsmasq-firewall-dns.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { child, textOf } from '../../src/render/opnsense/xml.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

/** A DHCPv6 range of `iface` (fields as OPNsense's model writes them). */
function range6(n: number, iface: string, start: string, end: string, extra: Record<string, string> = {}): string {
  const fields = { interface: iface, set_tag: '', start_addr: start, end_addr: end, constructor: '', mode: '', prefix_len: '', ra_mode: '', ...extra };
  return `<dhcp_ranges uuid="11111111-2222-4333-8444-2${n.toString(16).padStart(11, '0')}">${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</dhcp_ranges>`;
}

/** A box with IPv6 on ("Allow IPv6") whose interfaces optN (device vtnetN) have the static IPv6 address given, and whose dnsmasq serves DHCP on them. */
function box(addresses: Record<string, string>, dnsmasq: string): string {
  const interfaces = Object.entries(addresses).map(([key, a]) => `<${key}><if>vtnet${key.slice(3)}</if><enable>1</enable><ipaddrv6>${a.split('/')[0]}</ipaddrv6><subnetv6>${a.split('/')[1]}</subnetv6></${key}>`);
  return `<?xml version="1.0"?>\n<opnsense><system><ipv6allow>1</ipv6allow></system><interfaces>${interfaces.join('')}</interfaces><dnsmasq><enable>1</enable><port>0</port><interface>${Object.keys(addresses).join(',')}</interface>${dnsmasq}</dnsmasq></opnsense>\n`;
}

/** A DHCPv6 option 23 of an interface or a tag. */
function option23(n: number, iface: string, tag: string, value: string): string {
  return `<dhcp_options uuid="11111111-2222-4333-8444-3${n.toString(16).padStart(11, '0')}"><type>set</type><option/><option6>23</option6><interface>${iface}</interface><tag>${tag}</tag><value>${value}</value></dhcp_options>`;
}

/** The start of each range named, with its links (with the template's option6:23,[::] where `firewallDns6`), on OPNsense `release`. */
function named(config: string, firewallDns6 = true, release = '26.7'): string[] {
  return firewallDnsRanges(parseXml(config).root, firewallDns6, releaseFacts(release)!).map(({ range, on }) => `${textOf(child(range, 'start_addr'))} ${on.join(',')}`);
}

describe('Ipv6Links', () => {
  // complete_context6() (dhcp6.c) and add_prefixes() (radv.c) take a range on a link only where its start and its end
  // are in the network of an address of the link: one whose end is in another network is served on no link.
  it('serves a range whose end lies outside the network of its start on no link', () => {
    const addresses = { opt5: 'fd00:55::1/64', opt6: 'fd00:56::1/64' };
    expect(named(box(addresses, range6(1, 'opt5', 'fd00:55::1000', 'fd00:55::2000')))).toEqual(['fd00:55::1000 opt5']);
    expect(named(box(addresses, range6(1, 'opt5', 'fd00:55::1000', 'fd00:56::2000')))).toEqual([]);
    expect(named(box(addresses, range6(1, 'opt5', 'fd00:55::1000', 'fd00:56::2000', { ra_mode: 'slaac' })))).toEqual([]);
  });

  // An ra-stateless range hands out no address (dhcp6.c address6_allocate()); its clients' Information-request is
  // answered on every link the range is on, whatever its interface (rfc3315.c DHCP6IREQ never reads the range's
  // tag:<device>), with the tags of the request and the range's set tag only where it is the link's only range. opt5
  // and opt6 have a ULA only: the RDNSS of the router advertisement drops [::] there, DHCPv6 does not.
  it("answers an ra-stateless range's clients on its links, with its tag where it is the link's only range", () => {
    const addresses = { opt5: 'fd00:55::1/64', opt6: 'fd00:56::1/64' };
    const stateless = (n: number, iface: string, start: string, tag = '') => range6(n, iface, start, '', { ra_mode: 'ra-stateless', set_tag: tag });
    const tag = '11111111-2222-4333-8444-7a0000000001';
    // opt6's range in opt5's network, opt5's option 23 the firewall: named by opt5.
    expect(named(box(addresses, stateless(1, 'opt6', 'fd00:55::') + option23(1, 'opt5', '', '[::]')), false)).toEqual(['fd00:55:: opt5']);
    expect(named(box(addresses, stateless(1, 'opt6', 'fd00:55::') + option23(1, 'opt5', '', '[fd00::53]')), false)).toEqual([]);
    // Its tag's option 23 the firewall: named while it is the link's only DHCPv6 range, not beside another one.
    const tagged = stateless(1, 'opt5', 'fd00:55::', tag) + option23(1, '', tag, '[::]');
    expect(named(box(addresses, tagged), false)).toEqual(['fd00:55:: opt5']);
    expect(named(box(addresses, tagged + range6(2, 'opt5', 'fd00:55::1000', 'fd00:55::2000')), false)).toEqual([]);
    // A range advertised only (slaac) is no DHCPv6 range: it leaves the tag counting.
    expect(named(box(addresses, tagged + range6(2, 'opt5', 'fd00:55::', '', { ra_mode: 'slaac' })), false)).toEqual(['fd00:55:: opt5']);
  });

  // A disabled interface (no <enable>: interface_configure() asks isset()) has no address on its device: dnsmasq serves
  // no DHCP there and finds no range's link there, though OPNsense's template names its device in interface=.
  it('serves nothing on a disabled interface, and a range of no interface only on the enabled ones', () => {
    const addresses = { opt5: 'fd00:55::1/64', opt6: '2001:db8:56::1/64' };
    const disabled = (config: string) => config.replace('<opt6><if>vtnet6</if><enable>1</enable>', '<opt6><if>vtnet6</if>');
    const ranges6 = range6(1, 'opt6', '2001:db8:56::1000', '2001:db8:56::2000') + range6(2, 'opt6', '2001:db8:56::', '', { ra_mode: 'slaac' }) + option23(1, 'opt6', '', '[::]');
    expect(named(box(addresses, ranges6), false)).toEqual(['2001:db8:56::1000 opt6', '2001:db8:56:: opt6']);
    expect(disabled(box(addresses, ranges6))).not.toContain('<opt6><if>vtnet6</if><enable>');
    expect(named(disabled(box(addresses, ranges6)), false)).toEqual([]);
    // IPv4: opt6's own range, and one of no interface, whose clients get the firewall (0.0.0.0) on opt5 and 9.9.9.9 on
    // opt6: named only where opt6 serves none.
    const v4 = (config: string) =>
      config
        .replace('<ipaddrv6>fd00:55::1</ipaddrv6>', '<ipaddr>10.55.0.1</ipaddr><subnet>24</subnet><ipaddrv6>fd00:55::1</ipaddrv6>')
        .replace('<ipaddrv6>2001:db8:56::1</ipaddrv6>', '<ipaddr>10.56.0.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:56::1</ipaddrv6>');
    const option6 = (n: number, iface: string, value: string) =>
      `<dhcp_options uuid="11111111-2222-4333-8444-3${n.toString(16).padStart(11, '0')}"><type>set</type><option>6</option><option6/><interface>${iface}</interface><tag/><value>${value}</value></dhcp_options>`;
    const ranges4 = range6(3, 'opt6', '10.56.0.100', '10.56.0.199') + range6(4, '', '10.55.0.100', '10.55.0.199') + option6(1, 'opt6', '9.9.9.9');
    expect(named(v4(box(addresses, ranges4)))).toEqual([]);
    expect(named(disabled(v4(box(addresses, ranges4))))).toEqual(['10.55.0.100 ']);
  });

  // A static range (mode static: CONTEXT_STATIC) hands out no address but a Host's reservation in its network (or one
  // of no network part, in a range of prefix 64), with that Host's tag beside the request's and the range's. A client
  // without one gets none (NoAddrsAvail), unless another range of the link hands it one, and asks by
  // Information-request, answered on every link the range is on with the tag of the link's only range.
  it("answers a static range's clients by Information-request, and its reserved ones as a dynamic range's", () => {
    const addresses = { opt5: 'fd00:55::1/64', opt6: 'fd00:56::1/64' };
    const tag = '11111111-2222-4333-8444-7a0000000001';
    const host = (n: number, ip: string, hwaddr = '00:11:22:33:44:55', clientId = '') =>
      `<hosts uuid="11111111-2222-4333-8444-4${n.toString(16).padStart(11, '0')}"><host>h${n}</host><domain/><ip>${ip}</ip><client_id>${clientId}</client_id><hwaddr>${hwaddr}</hwaddr><set_tag/></hosts>`;
    const fixed = range6(1, 'opt5', 'fd00:55::', '', { mode: 'static', set_tag: tag }) + option23(1, '', tag, '[::]');
    const dynamic = range6(2, 'opt5', 'fd00:55::1000', 'fd00:55::2000');
    // Alone on its link: the Information-request takes its tag, whose option 23 is the firewall.
    expect(named(box(addresses, fixed), false)).toEqual(['fd00:55:: opt5']);
    // Beside a dynamic range, whose addresses its clients get (by no tag: no option 23), it has none but the reserved.
    expect(named(box(addresses, fixed + dynamic), false)).toEqual([]);
    expect(named(box(addresses, fixed + dynamic + host(1, 'fd00:55::5')), false)).toEqual(['fd00:55:: opt5']);
    expect(named(box(addresses, fixed + dynamic + host(1, '::5')), false)).toEqual(['fd00:55:: opt5']);
    expect(named(box(addresses, fixed + dynamic + host(1, 'fd00:55::5', '', 'id1')), false)).toEqual(['fd00:55:: opt5']);
    // A reservation in another network, or of a Host the template writes no dhcp-host for (no client id, no MAC).
    expect(named(box(addresses, fixed + dynamic + host(1, 'fd00:56::5')), false)).toEqual([]);
    expect(named(box(addresses, fixed + dynamic + host(1, 'fd00:55::5', '')), false)).toEqual([]);
    // Beside another static range its tag is not the link's: the Information-request has no option 23 line.
    expect(named(box(addresses, fixed + range6(3, 'opt5', 'fd00:55::', '', { mode: 'static' })), false)).toEqual([]);
    // A static range of opt6 in opt5's network: requests on opt5 do not carry tag:vtnet6, but its Information-request
    // is answered there, with opt5's option 23.
    const elsewhere = range6(1, 'opt6', 'fd00:55::', '', { mode: 'static' }) + option23(1, 'opt5', '', '[::]');
    expect(named(box(addresses, elsewhere), false)).toEqual(['fd00:55:: opt5']);
    expect(named(box(addresses, elsewhere.replace('<mode>static</mode>', '<mode></mode>').replace('<end_addr></end_addr>', '<end_addr>fd00:55::2000</end_addr>').replace('<start_addr>fd00:55::</start_addr>', '<start_addr>fd00:55::1000</start_addr>')), false)).toEqual([]);
  });

  // interface_configure() (interfaces.inc, 25.7 to 26.7) gives an interface a global IPv6 address the config does not
  // hold only for the run-time types (dhcp6, slaac, track6...); any other <ipaddrv6> goes to interface_static6_configure(),
  // which adds it only when is_ipaddrv6() takes it as written: "0", a zone after a global address, a prefix, a space
  // or linklocal (its link-local address only) leave the link without one, and a range of that interface on no link.
  it('takes an interface\'s IPv6 address as interface_configure() does: a run-time type, or what is_ipaddrv6() takes', () => {
    const on = (ipaddrv6: string) => named(box({ opt5: 'fd00:55::1/64' }, range6(1, 'opt5', 'fd00:55::1000', 'fd00:55::2000')).replace('<ipaddrv6>fd00:55::1</ipaddrv6>', `<ipaddrv6>${ipaddrv6}</ipaddrv6>`));
    for (const given of ['fd00:55::1', 'fd00:55:0::1', 'track6', 'dhcp6', 'slaac']) expect(on(given), given).toEqual(['fd00:55::1000 opt5']);
    for (const given of ['0', 'fd00:55::1%vtnet5', 'fd00:55::1/64', ' fd00:55::1', 'fd00:55::1 ', 'linklocal', 'none']) expect(on(given), given).toEqual([]);
  });

  // Only the types of the box's release, and only with IPv6 on: else interface_configure() takes its default case,
  // interface_static6_configure(), for which a type is no address (ipv6-allowed.ts). 25.7 has no idassoc6 case; 26.x
  // reads "Turn off IPv6" (a settings model without a version migrates from <system><ipv6allow>).
  it('takes a run-time IPv6 type only of the release, and only with IPv6 on', () => {
    const config = (ipaddrv6: string, system = '<ipv6allow>1</ipv6allow>') =>
      box({ opt5: 'fd00:55::1/64' }, range6(1, 'opt5', 'fd00:55::1000', 'fd00:55::2000')).replace('<ipaddrv6>fd00:55::1</ipaddrv6>', `<ipaddrv6>${ipaddrv6}</ipaddrv6>`).replace('<ipv6allow>1</ipv6allow>', system);
    expect(named(config('idassoc6'), true, '26.1')).toEqual(['fd00:55::1000 opt5']);
    expect(named(config('idassoc6'), true, '25.7')).toEqual([]);
    expect(named(config('track6'), true, '25.7')).toEqual(['fd00:55::1000 opt5']);
    for (const release of ['25.7', '26.1', '26.7']) expect(named(config('track6', ''), true, release), release).toEqual([]);
  });

  // A 26.x box whose Interfaces › Settings model has a version reads "Turn off IPv6" there and no longer
  // <system><ipv6allow>; 25.7 only the latter.
  it('reads the IPv6 switch of a migrated 26.x box from Interfaces › Settings, and 25.7\'s from <system><ipv6allow>', () => {
    const config = (disable: string, system: string) =>
      box({ opt5: 'fd00:55::1/64' }, range6(1, 'opt5', 'fd00:55::1000', 'fd00:55::2000'))
        .replace('<ipaddrv6>fd00:55::1</ipaddrv6>', '<ipaddrv6>track6</ipaddrv6>')
        .replace('<ipv6allow>1</ipv6allow>', system)
        .replace('</opnsense>', `<OPNsense><Interfaces><settings version="1.0.0"><disableipv6>${disable}</disableipv6></settings></Interfaces></OPNsense></opnsense>`);
    for (const release of ['26.1', '26.7']) {
      expect(named(config('1', '<ipv6allow>1</ipv6allow>'), true, release), release).toEqual([]);
      expect(named(config('0', ''), true, release), release).toEqual(['fd00:55::1000 opt5']);
    }
    expect(named(config('1', '<ipv6allow>1</ipv6allow>'), true, '25.7')).toEqual(['fd00:55::1000 opt5']);
    expect(named(config('0', ''), true, '25.7')).toEqual([]);
  });

  // dnsmasq serves the interface's <if> (the template's helpers.physical_interface()): 6rd and 6to4 put their address on
  // the <key>_stf device, not there; slaac and dhcp6 give a bridge without a link-local address none (address-types.ts),
  // track6 gives it one.
  it.each(['25.7', '26.1', '26.7'])('takes no run-time address of 6rd or 6to4, nor of slaac or dhcp6 on a bridge without a link-local address (%s)', (release) => {
    const config = (ipaddrv6: string, bridge?: string) => {
      const text = box({ opt5: 'fd00:55::1/64' }, range6(1, 'opt5', 'fd00:55::1000', 'fd00:55::2000')).replace('<ipaddrv6>fd00:55::1</ipaddrv6>', `<ipaddrv6>${ipaddrv6}</ipaddrv6>`);
      return bridge === undefined ? text : text.replace('<if>vtnet5</if>', '<if>bridge0</if>').replace('</interfaces>', `</interfaces><bridges><bridged><bridgeif>bridge0</bridgeif><members>opt6</members>${bridge}</bridged></bridges>`);
    };
    for (const type of ['6rd', '6to4']) expect(named(config(type), true, release), type).toEqual([]);
    for (const type of ['slaac', 'dhcp6']) {
      expect(named(config(type, ''), true, release), type).toEqual([]);
      expect(named(config(type, '<linklocal>1</linklocal>'), true, release), type).toEqual(['fd00:55::1000 opt5']);
    }
    expect(named(config('track6', ''), true, release)).toEqual(['fd00:55::1000 opt5']);
  });

  // dnsmasq itself refuses such a range (option.c: "inconsistent DHCPv6 range"), as it writes the line OPNsense's template
  // writes, and takes the one whose end is in the start's network.
  const why = missing(['dnsmasq'], false);
  it.skipIf(why)(titled('dnsmasq refuses a DHCPv6 range whose end is outside the network of its start', why), () => {
    const work = tempDir('gen-ipv6-links-');
    const check = (line: string) => {
      const file = join(work, 'dnsmasq.conf');
      writeFileSync(file, `port=0\n${line}\n`);
      const run = spawnSync('dnsmasq', ['--test', `--conf-file=${file}`], { encoding: 'utf8' });
      return [run.status, /inconsistent DHCPv6 range/.test(run.stderr)];
    };
    expect(check('dhcp-range=tag:vtnet5,fd00:55::1000,fd00:55::2000,64,1h')).toEqual([0, false]);
    expect(check('dhcp-range=tag:vtnet5,fd00:55::1000,fd00:56::2000,64,1h')).toEqual([1, true]);
  });
});
