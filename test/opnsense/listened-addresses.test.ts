import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIpaddr, isIpaddrAsWritten, isIpaddrV4, isIpaddrV6 } from '../../src/opnsense/ip-address.js';
import { listenedAddresses } from '../../src/opnsense/listened-addresses.js';
import { resolvConfServers } from '../../src/opnsense/resolv-conf-servers.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { hasCommand, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { UPSTREAM_RELEASES, upstreamFile } from './support.js';

removeTempDirsAfterAll();

const coreGit = process.env.OPNSENSE_CORE_GIT;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
if (why) process.stderr.write(`\n*** skipped: is_ipaddrv4() and is_ipaddrv6() of util.inc: ${why} ***\n\n`);

/** Each text's [is_ipaddrv4(), is_ipaddrv6()] as util.inc (with IPv6.inc, Net_IPv6) of `tag` says. */
function upstreamSays(tag: string, texts: readonly string[]): [boolean, boolean][] {
  const work = tempDir('gen-is-ipaddr-');
  for (const path of ['src/etc/inc/util.inc', 'src/etc/inc/IPv6.inc', 'src/opnsense/mvc/app/library/OPNsense/Core/Shell.php']) {
    const local = join(work, path.replace('src/opnsense/mvc/', 'src/etc/inc/'));
    mkdirSync(dirname(local), { recursive: true });
    writeFileSync(local, upstreamFile(coreGit!, tag, path));
  }
  const probe = join(work, 'probe.php');
  writeFileSync(probe, "<?php\nrequire_once 'util.inc';\nforeach (json_decode(stream_get_contents(STDIN)) as $a) { echo json_encode([is_ipaddrv4($a), is_ipaddrv6($a)]), \"\\n\"; }\n");
  const r = spawnSync('php', ['-d', `include_path=${join(work, 'src/etc/inc')}`, probe], { input: JSON.stringify(texts), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  // Net_IPv6::checkIPv6() falls off its end (null) for an IPv6 part of 6 groups before no dotted quad.
  return r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as unknown[]).map(Boolean) as [boolean, boolean]);
}

/** Addresses and near misses, and the same with whitespace after them; before them only where is_ipaddr() takes none. */
const ADDRESSES = ['10.0.0.1', '0.0.0.0', '0', '10.1', '010.0.0.1', '0x0a.0.0.1', '10.0.0.256', '10.0.0.1/24', 'fd00::1', 'FD00::1', 'fd00::53', 'fd00::ab', 'fd00::1234', 'fd00::123', 'fd00::0053', 'fd00::1e2', '::', '::1', 'fd00::', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1', 'fd00::10.0.0.1', 'fe80::1%em0', 'fe80::53', 'fd00::1%em0', 'fd00::1/64', 'fd00::g', '1::2::3', 'dhcp', ''];
const TEXTS = [...ADDRESSES.flatMap((a) => [a, ...[' ', '\n', '\t', '  ', '   ', '\r', ' \n', '\n\n', '\v', '\f'].map((w) => a + w)]), ' 10.0.0.1', ' fd00::53', '\n  fd00::1\n'];

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

  it.skipIf(why).each(UPSTREAM_RELEASES)(titled('$tag: says what is_ipaddrv4() and is_ipaddrv6() of util.inc say, whitespace after the address too', why), ({ tag }) => {
    const says = upstreamSays(tag, TEXTS);
    const blank = /\s/;
    expect(TEXTS.filter((t) => !blank.test(t)).map((t) => [t, isIpaddrV4(t), isIpaddrV6(t)])).toEqual(TEXTS.flatMap((t, i) => (blank.test(t) ? [] : [[t, ...says[i]!]])));
    expect(TEXTS.map((t) => [t, isIpaddrAsWritten(t)])).toEqual(TEXTS.map((t, i) => [t, says[i]![0] || says[i]![1]]));
    // Some do: the last group's "53 " is the number 53 to PHP's ==, "ab " is no number.
    expect(['fd00::53 ', 'fd00::53\n', '::ffff:10.0.0.1\n', 'fd00::ab ', '::ffff:10.0.0.1 ', '10.0.0.1 '].map(isIpaddrAsWritten)).toEqual([true, true, true, false, false, false]);
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

  // Config::toArray() hands config.xml's text to interface_static_configure() untrimmed, and is_ipaddrv4(" 10.0.0.1") is false.
  it('reads an interface\'s address as written: one with a space around it is none', () => {
    for (const fields of ['<ipaddr> 10.0.0.1</ipaddr><subnet>24</subnet>', '<ipaddr>10.0.0.1 </ipaddr><subnet>24</subnet>', '<ipaddrv6>\n  fd00::1\n</ipaddrv6><subnetv6>64</subnetv6>']) {
      expect(own(fields), fields).toEqual(['127.0.0.1', '::1']);
    }
    // The subnet as written too: in_getaddr() wants a digit first, setifprefixlen()'s strtol() skips leading blanks.
    expect(own('<ipaddr>10.0.0.1</ipaddr><subnet> 24</subnet>')).toEqual(['127.0.0.1', '::1']);
    expect(own('<ipaddrv6>fd00::1</ipaddrv6><subnetv6> 64</subnetv6>')).toEqual(['127.0.0.1', '::1', 'fd00::1']);
  });

  // interface_static_configure() and interface_static6_configure() return without a subnet, and ifconfig refuses an
  // IPv4 one that is not 0 to 32 in digits, or an IPv6 one strtol() reads as 0 or over 128 (ip-address.ts).
  it('counts a static address only with a subnet ifconfig takes', () => {
    const v4 = (subnet: string) => own(`<ipaddr>10.0.0.1</ipaddr>${subnet}`).includes('10.0.0.1');
    const v6 = (subnet: string) => own(`<ipaddrv6>fd00::1</ipaddrv6>${subnet}`).includes('fd00::1');
    for (const subnet of ['<subnet>24</subnet>', '<subnet>0</subnet>', '<subnet>32</subnet>', '<subnet>024</subnet>']) expect(v4(subnet), subnet).toBe(true);
    for (const subnet of ['', '<subnet/>', '<subnet>33</subnet>', '<subnet>24x</subnet>', '<subnet>+24</subnet>', '<subnet>255.255.255.0</subnet>', '<subnetv6>24</subnetv6>']) expect(v4(subnet), subnet).toBe(false);
    for (const subnet of ['<subnetv6>64</subnetv6>', '<subnetv6>128</subnetv6>', '<subnetv6>+64</subnetv6>', '<subnetv6>64abc</subnetv6>', '<subnetv6>4294967360</subnetv6>']) expect(v6(subnet), subnet).toBe(true);
    for (const subnet of ['', '<subnetv6/>', '<subnetv6>0</subnetv6>', '<subnetv6>abc</subnetv6>', '<subnetv6>129</subnetv6>', '<subnetv6>-64</subnetv6>', '<subnetv6>99999999999999999999</subnetv6>', '<subnet>64</subnet>']) {
      expect(v6(subnet), subnet).toBe(false);
    }
  });

  // get_nameservers() (system.inc) skips a System DNS server is_ipaddr() refuses: a zone after an address that is not link-local.
  it('takes a System DNS server into /etc/resolv.conf only as is_ipaddr() says', () => {
    const servers = (server: string) => resolvConfServers(parseXml(`<?xml version="1.0"?>\n<opnsense><system><dnsserver>${server}</dnsserver></system></opnsense>\n`).root);
    expect(['fe80::53%vtnet1', 'fd00::53%vtnet1', '9.9.9.9', '9.9.9'].flatMap(servers)).toEqual(['fe80::53%vtnet1', '9.9.9.9']);
    // As written (Config::toArray() does not trim): is_ipaddr(" 9.9.9.9") is false, is_ipaddr("fd00::53 ") true, and
    // dnsmasq reads "nameserver fd00::53 " as fd00::53.
    expect([' 9.9.9.9', '9.9.9.9 ', ' fd00::53', 'fd00::ab '].flatMap(servers)).toEqual([]);
    expect(['fd00::53 ', 'fd00::54\n'].flatMap(servers)).toEqual(['fd00::53', 'fd00::54']);
  });
});
