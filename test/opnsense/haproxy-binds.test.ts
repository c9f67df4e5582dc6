// The address of a HAProxy bind as HAProxy binds it (haproxyBinds), and the web GUI's listen interfaces' addresses as
// interface_configure() gives them (gui-listeners.ts), on small configs; with haproxy installed, HAProxy's own reading:
// Debian's, and that of each series the releases install where HAPROXY_BINARIES supplies it (haproxy-binaries.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guiConflicts, guiUncheckedBinds } from '../../src/opnsense/gui-listeners.js';
import { haproxyBinds } from '../../src/opnsense/haproxy-binds.js';
import { haproxyRefusals } from '../../src/opnsense/haproxy-refusals.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { DEBIAN_HAPROXY, HAPROXY_SERIES, type Haproxy, binarySeries, suppliedHaproxy, whyNoHaproxy } from './haproxy-binaries.js';

removeTempDirsAfterAll();

/** A box with the given <webgui> fields and <lan> fields, and an enabled HAProxy frontend `site` on `binds`. */
function box(webgui: string, lan: string, binds: string, system = '<ipv6allow>1</ipv6allow>'): string {
  return (
    `<?xml version="1.0"?>\n<opnsense><system>${system}<webgui><protocol>https</protocol>${webgui}</webgui></system>` +
    `<interfaces><lan><if>vtnet1</if><enable>1</enable>${lan}</lan></interfaces>` +
    `<OPNsense><HAProxy><general><enabled>1</enabled></general><frontends><frontend uuid="7c2d9a3e-5b1f-4c8d-9e0a-1f2b3c4d5e60">` +
    `<enabled>1</enabled><name>site</name><bind>${binds}</bind></frontend></frontends></HAProxy></OPNsense></opnsense>\n`
  );
}

/** The address each bind of `binds` takes (0.0.0.0 or :: for the wildcard), as haproxyBinds() reads it; the refused ones left out. */
function boundBy(binds: string): string[] {
  return haproxyBinds(parseXml(box('', '', binds)).root).map((b) => b.address || (b.family === 'inet' ? '0.0.0.0' : '::'));
}

/** Binds HAProxy refuses, with what it prints: the address (as str2sa_range() splits it off) or the port it names. */
const REFUSED: { form: string; says: string }[] = [
  ...['[fe80::1%lo]', 'fe80::1%1', '[0]', '[*]', '[]', ':', 'a*b'].map((address) => ({ form: `${address}:8443`, says: `invalid address: '${address}'` })),
  ...['0', '65536'].map((port) => ({ form: `127.0.0.1:${port}`, says: `invalid port '${port}'` })),
  { form: '127.0.0.1:8444-8443', says: "invalid port range '8444-8443'" },
];

// HAProxy's str2ip2() (src/tools.c) resolves what inet_pton() refuses with getaddrinfo(), which reads an IPv4
// address as inet_aton() does, on glibc as on FreeBSD (explore_numeric()); the plugin's bind Mask lets these through.
describe('haproxyBinds', () => {
  it('reads an IPv4 address as HAProxy binds it: "0" is the wildcard, "127.1" and "0177.0.0.1" the loopback, "010.0.0.1" 8.0.0.1', () => {
    expect(boundBy('0:8443,127.1:8443,0177.0.0.1:8443,0x7f.0.0.1:8443,2130706433:8443,010.0.0.1:8443,10.0.0.1:8443,[fd00:0::1]:8443')).toEqual([
      '0.0.0.0',
      '127.0.0.1',
      '127.0.0.1',
      '127.0.0.1',
      '127.0.0.1',
      '8.0.0.1',
      '10.0.0.1',
      'fd00::1',
    ]);
    // Under ipv6@ none is an address HAProxy takes: refused, as an IPv4 address there is.
    expect(boundBy('ipv6@0:8443,ipv6@127.1:8443,ipv6@10.0.0.1:8443,ipv6@[::1]:8443')).toEqual(['::1']);
  });

  it('marks a host name as one, and no address in any form HAProxy takes', () => {
    const names = (binds: string) => haproxyBinds(parseXml(box('', '', binds)).root).map((b) => [b.address, b.name]);
    expect(names('localhost:8443,Gui.Example.org:8443,local_host-1:8443,127.1:8443,0x7f.0.0.1:8443,2130706433:8443,[::1]:8443,0:8443,*:8443,:8443,ipv6@:8443')).toEqual([
      ['localhost', true],
      ['gui.example.org', true],
      ['local_host-1', true],
      ['127.0.0.1', false],
      ['127.0.0.1', false],
      ['127.0.0.1', false],
      ['::1', false],
      ['', false],
      ['', false],
      ['', false],
      ['', false],
    ]);
  });

  // str2ip2() and str2sa_range() (src/tools.c; 2.6, 3.0 and 3.2 alike) refuse these, and HAProxy does not start.
  it('leaves out a bind HAProxy refuses: a zone, "[0]", "[*]" and "[]", "::" before the port, a name of other characters, port 0, 65536, a range backwards', () => {
    expect(boundBy(REFUSED.map((r) => r.form).join(','))).toEqual([]);
    // Near misses it takes: the same address without its zone, in brackets of four characters, a name, the last port.
    expect(boundBy('[fe80::1]:8443,[::]:8443,[127.1]:8443,local_host-1:8443,127.0.0.1:65535,127.0.0.1:8443-8443')).toEqual(['fe80::1', '::', '127.0.0.1', 'local_host-1', '127.0.0.1', '127.0.0.1']);
  });

  it('finds the web GUI behind those forms: a frontend on "0" beside a GUI on every interface, on "0177.1" beside its loopback, on "012.0.0.1" on lan\'s 10.0.0.1', () => {
    const conflicts = (webgui: string, binds: string) => guiConflicts(parseXml(box(webgui, '<ipaddr>10.0.0.1</ipaddr><subnet>24</subnet>', binds)).root, releaseFacts('26.7')!);
    expect(conflicts('<disablehttpredirect>1</disablehttpredirect>', '0:443')).toEqual([
      expect.stringMatching(/^HAProxy frontend site binds 0:443, but the web GUI \(TCP port 443\) listens on port 443 of every interface: HAProxy would not start/),
    ]);
    expect(conflicts('<port>8443</port><interfaces>lan</interfaces>', '0177.1:8443')).toEqual([
      expect.stringMatching(/^HAProxy frontend site binds 0177\.1:8443, but the web GUI \(TCP port 8443\) listens on port 8443 of 127\.0\.0\.1 \(the loopback/),
    ]);
    // Octal: 012 is 10, so lan's 10.0.0.1; 010 is 8.
    expect(conflicts('<port>8443</port><interfaces>lan</interfaces>', '012.0.0.1:8443')).toEqual([
      expect.stringMatching(/^HAProxy frontend site binds 012\.0\.0\.1:8443, but the web GUI \(TCP port 8443\) listens on port 8443 of 10\.0\.0\.1 \(one of lan's addresses/),
    ]);
    expect(conflicts('<port>8443</port><interfaces>lan</interfaces>', '010.0.0.1:8443')).toEqual([]);
  });
});

// interface_configure() (interfaces.inc, 25.7 to 26.7) gives an interface an address the config does not hold only
// for dhcp and the PPP types (IPv4), and dhcp6, slaac, pppoev6, 6rd, 6to4, track6, idassoc6 and linklocal (IPv6); any
// other text is a static address, configured when is_ipaddrv4()/is_ipaddrv6() takes it as written, else none.
describe('guiUncheckedBinds', () => {
  const unchecked = (lan: string, bind: string, release = '26.7', system?: string) =>
    guiUncheckedBinds(parseXml(box('<port>8443</port><interfaces>lan</interfaces>', lan, bind, system)).root, releaseFacts(release)!);

  it('says a listen interface of the GUI may take a frontend\'s address only where its type takes one at run time', () => {
    expect(unchecked('<ipaddr>dhcp</ipaddr>', '10.0.0.5:8443')).toEqual([expect.stringContaining('lan (<ipaddr>dhcp</ipaddr>) takes its address at run time: merge cannot tell whether that is 10.0.0.5')]);
    expect(unchecked('<ipaddrv6>track6</ipaddrv6>', '[fd00::5]:8443')).toEqual([expect.stringContaining('lan (<ipaddrv6>track6</ipaddrv6>) takes its address at run time')]);
    for (const lan of ['<ipaddr>10.0.0.256</ipaddr>', '<ipaddr>10.0.0.1/24</ipaddr>', '<ipaddr> dhcp</ipaddr>', '<ipaddr>0</ipaddr>', '<ipaddr>none</ipaddr>']) {
      expect(unchecked(lan, '10.0.0.5:8443'), lan).toEqual([]);
    }
    for (const lan of ['<ipaddrv6>fd00::1/64</ipaddrv6>', '<ipaddrv6>fd00::1%vtnet1</ipaddrv6>', '<ipaddrv6>0</ipaddrv6>']) {
      expect(unchecked(lan, '[fd00::5]:8443'), lan).toEqual([]);
    }
  });

  // The IPv6 types only of the box's release (idassoc6 from 26.1, linklocal from 25.7.8) and only with IPv6 on: else
  // interface_configure() takes its default case, interface_static6_configure(), for which a type is no address.
  it("says so of an IPv6 type only of the box's release, and only with IPv6 on", () => {
    const bind = '[fd00::5]:8443';
    const says = [expect.stringContaining('takes its address at run time')];
    expect(unchecked('<ipaddrv6>idassoc6</ipaddrv6>', bind, '26.1')).toEqual(says);
    expect(unchecked('<ipaddrv6>idassoc6</ipaddrv6>', bind, '25.7')).toEqual([]);
    expect(unchecked('<ipaddrv6>linklocal</ipaddrv6>', bind, '25.7.8')).toEqual(says);
    expect(unchecked('<ipaddrv6>linklocal</ipaddrv6>', bind, '25.7.7')).toEqual([]);
    for (const release of ['25.7', '26.1', '26.7']) {
      expect(unchecked('<ipaddrv6>track6</ipaddrv6>', bind, release), release).toEqual(says);
      expect(unchecked('<ipaddrv6>track6</ipaddrv6>', bind, release, ''), release).toEqual([]);
    }
    // IPv4 is no matter of the switch.
    expect(unchecked('<ipaddr>dhcp</ipaddr>', '10.0.0.5:8443', '26.7', '')).toEqual([expect.stringContaining('takes its address at run time')]);
  });

  // 26.1 on read "Turn off IPv6" (Interfaces › Settings, <disableipv6>) once its model has a version, whatever
  // <system><ipv6allow> says; 25.7 reads only <ipv6allow> (is_ipv6_allowed(), util.inc; ipv6-allowed.ts).
  it('reads the IPv6 switch of a migrated 26.x box from Interfaces › Settings, and 25.7\'s from <system><ipv6allow>', () => {
    const bind = '[fd00::5]:8443';
    const says = [expect.stringContaining('takes its address at run time')];
    const settings = (disable: string, system: string, release: string) =>
      guiUncheckedBinds(
        parseXml(
          box('<port>8443</port><interfaces>lan</interfaces>', '<ipaddrv6>track6</ipaddrv6>', bind, system).replace(
            '<OPNsense>',
            `<OPNsense><Interfaces><settings version="1.0.0"><disableipv6>${disable}</disableipv6></settings></Interfaces>`,
          ),
        ).root,
        releaseFacts(release)!,
      );
    for (const release of ['26.1', '26.7']) {
      expect(settings('1', '<ipv6allow>1</ipv6allow>', release), release).toEqual([]);
      expect(settings('0', '', release), release).toEqual(says);
      expect(settings('', '', release), release).toEqual(says);
    }
    expect(settings('1', '<ipv6allow>1</ipv6allow>', '25.7')).toEqual(says);
    expect(settings('0', '', '25.7')).toEqual([]);
  });

  // HAProxy resolves a bind's host name with getaddrinfo() when it starts (str2ip2(), src/tools.c): on the box that
  // reads its /etc/hosts and DNS, which merge does not see.
  it('says a frontend that binds a host name on a port of the GUI on chosen interfaces may bind one of its addresses, merge cannot tell', () => {
    const lan = '<ipaddr>10.0.0.1</ipaddr><subnet>24</subnet>';
    const said = unchecked(lan, 'LocalHost:8443');
    expect(said).toEqual([
      'HAProxy frontend site binds LocalHost:8443, and the web GUI (TCP port 8443) listens on port 8443 of the addresses of lan and the loopback: localhost is a host name, ' +
        "which HAProxy resolves when it starts (getaddrinfo(): the box's /etc/hosts, then its DNS; a name it cannot resolve stops HAProxy), so merge cannot tell whether it is one of them. " +
        'If it is, lighttpd sets no SO_REUSEPORT, so FreeBSD refuses the later of the two binds: HAProxy would not start, or the web GUI would not when it restarts; ' +
        'bind the frontend to an address instead of a name, or give the web GUI another TCP port (<webgui><port>) in System > Settings > Administration',
    ]);
    // guiConflicts compares addresses: a name is none of them, so it says nothing of it.
    expect(guiConflicts(parseXml(box('<port>8443</port><interfaces>lan</interfaces>', lan, 'localhost:8443')).root, releaseFacts('26.7')!)).toEqual([]);
    // Each port of the GUI a range holds (its HTTPS port and its redirect's 80); none outside them; an interface that takes its address at run time is named too.
    expect(unchecked(lan, 'gui.example.org:80-8443')).toEqual([expect.stringContaining('on port 8443 of'), expect.stringContaining("the web GUI's HTTP redirect listens on port 80 of")]);
    expect(unchecked(lan, 'localhost:9443')).toEqual([]);
    expect(unchecked('<ipaddr>dhcp</ipaddr>', 'localhost:8443')).toEqual([expect.stringContaining('of the addresses of lan and the loopback: localhost is a host name')]);
    // An address in any form HAProxy takes for one is no name.
    for (const bind of ['127.1:8443', '0x7f.0.0.1:8443', '[::1]:8443', '0:8443', '*:8443']) expect(unchecked(lan, bind).join('\n'), bind).not.toContain('host name');
    // A GUI on every interface: lighttpd binds the wildcards, beside which HAProxy may bind any one address (guiConflicts).
    expect(guiUncheckedBinds(parseXml(box('<port>8443</port>', lan, 'localhost:8443')).root, releaseFacts('26.7')!)).toEqual([]);
  });

  // 6rd's and 6to4's address is on the <key>_stf device, which webgui_configure_do()'s interfaces_addresses() reads
  // beside the interface's device (get_real_interface($interface, 'inet6')).
  it.each(['25.7', '26.1', '26.7'])('says so of 6rd and 6to4, whose address is on the _stf device (%s)', (release) => {
    for (const type of ['6rd', '6to4']) expect(unchecked(`<ipaddrv6>${type}</ipaddrv6>`, '[fd00::5]:8443', release), type).toEqual([expect.stringContaining('takes its address at run time')]);
  });

  // On a bridge without a link-local address, slaac, dhcp6 and linklocal give the interface none (address-types.ts);
  // track6 and 6rd still theirs.
  it.each(['25.7', '26.1', '26.7'])('says so of slaac, dhcp6 and linklocal only on a device with a link-local address (%s)', (release) => {
    const bind = '[fd00::5]:8443';
    const says = [expect.stringContaining('takes its address at run time')];
    const onBridge = (type: string, linklocal: string) => {
      const bridge = `</lan></interfaces><bridges><bridged><bridgeif>bridge0</bridgeif><members>opt1</members>${linklocal}</bridged></bridges>`;
      const text = box('<port>8443</port><interfaces>lan</interfaces>', `<ipaddrv6>${type}</ipaddrv6>`, bind).replace('<if>vtnet1</if>', '<if>bridge0</if>').replace('</lan></interfaces>', bridge);
      return guiUncheckedBinds(parseXml(text).root, releaseFacts(release)!);
    };
    for (const type of ['slaac', 'dhcp6', 'linklocal']) {
      expect(onBridge(type, ''), type).toEqual([]);
      expect(onBridge(type, '<linklocal>1</linklocal>'), type).toEqual(says);
      expect(unchecked(`<ipaddrv6>${type}</ipaddrv6>`, bind, release), type).toEqual(says);
    }
    for (const type of ['track6', '6rd']) expect(onBridge(type, ''), type).toEqual(says);
  });
});

const noProc = existsSync('/proc/net/tcp') ? undefined : 'needs /proc/net/tcp';

/** A TCP port free on the loopback now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** The IPv4 addresses listening on `port` (TCP) or bound to it unconnected (UDP), as the kernel lists them (/proc/net/tcp, udp: little-endian hex). */
function listening(port: number, transport: 'tcp' | 'udp' = 'tcp'): string[] {
  return readFileSync(`/proc/net/${transport}`, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 3 && (transport === 'tcp' ? f[3] === '0A' : f[2] === '00000000:0000') && Number.parseInt(f[1]!.split(':')[1]!, 16) === port)
    .map((f) => Buffer.from(f[1]!.split(':')[0]!, 'hex').reverse().join('.'));
}

/** Debian's HAProxy (2.6), and the supplied one of each series a release installs (haproxy-binaries.ts; QUIC from these only). */
const HAPROXIES: { haproxy: Haproxy; skip?: string }[] = [
  { haproxy: DEBIAN_HAPROXY, skip: missing(['haproxy'], false) ?? noProc },
  ...HAPROXY_SERIES.map((series) => ({ haproxy: suppliedHaproxy(series) ?? { name: `HAProxy ${series}`, binary: '', debian: false, series }, skip: whyNoHaproxy(series) ?? noProc })),
];
for (const { haproxy, skip } of HAPROXIES) {
  if (skip && !haproxy.debian) process.stderr.write(`\n*** skipped: ${haproxy.name} binds those forms as haproxyBinds() reads them: ${skip} ***\n\n`);
}

for (const { haproxy, skip } of HAPROXIES) {
  describe.skipIf(skip)(haproxy.debian ? titled(`${haproxy.name} binds those forms as haproxyBinds() reads them`, skip) : `${haproxy.name} binds those forms as haproxyBinds() reads them${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const config = (binds: string[], global: string[] = [], mode = 'tcp') =>
      ['global', '    log stdout local0', ...global.map((g) => `    ${g}`), 'defaults', `    mode ${mode}`, '    timeout client 5s', '    timeout server 5s', '    timeout connect 5s', 'frontend site', ...binds.map((b) => `    bind ${b}`), '    default_backend none', 'backend none', '    server s 127.0.0.1:1', ''].join('\n');

    /** Where HAProxy, run on `bind` at a free port, listens (TCP, or UDP for QUIC), beside haproxyBinds()' reading. */
    async function boundAt(form: string, transport: 'tcp' | 'udp', global: string[] = [], options = ''): Promise<{ bound: string[]; read: string[] }> {
      const work = tempDir('gen-haproxy-binds-');
      const port = await freePort();
      const file = join(work, 'haproxy.cfg');
      // (QUIC carries HTTP/3 only.)
      writeFileSync(file, config([`${form}:${port}${options}`], global, transport === 'udp' ? 'http' : 'tcp'));
      const check = spawnSync(haproxy.binary, ['-c', '-f', file], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const proxy = spawn(haproxy.binary, ['-db', '-f', file], { stdio: 'ignore' });
      try {
        let bound: string[] = [];
        for (let i = 0; i < 50 && bound.length === 0; i++) {
          await new Promise((done) => setTimeout(done, 100));
          bound = listening(port, transport);
        }
        return { bound, read: boundBy(`${form}:${port}`) };
      } finally {
        proxy.kill();
      }
    }

    if (!haproxy.debian) it(`is HAProxy ${haproxy.series}`, () => expect(binarySeries(haproxy.binary)).toBe(haproxy.series));

    it('binds "0" on the wildcard and "127.1", "0177.0.0.1", "0x7f.0.0.1", "2130706433" and "[127.1]" on the loopback', async () => {
      for (const form of ['0', '127.1', '0177.0.0.1', '0x7f.0.0.1', '2130706433', '[127.1]', '127.0.0.1']) {
        const { bound, read } = await boundAt(form, 'tcp');
        expect(bound, form).toEqual(read);
      }
    });

    it('refuses an IPv4 address of any of those forms under ipv6@, and the binds haproxyBinds() leaves out', () => {
      const file = join(tempDir('gen-haproxy-binds-'), 'haproxy.cfg');
      const forms = [
        ...['0', '127.1', '10.0.0.1'].map((address) => ({ form: `ipv6@${address}:8443`, says: `invalid address: '${address}'` })),
        ...REFUSED,
      ];
      for (const { form, says } of forms) {
        writeFileSync(file, config([form]));
        const check = spawnSync(haproxy.binary, ['-c', '-f', file], { encoding: 'utf8' });
        expect([check.status, check.stdout + check.stderr], form).toEqual([1, expect.stringContaining(says)]);
        expect(boundBy(form), form).toEqual([]);
      }
    });

    // The merge's warning quotes what HAProxy prints, as the plugin's template writes the bind (`bind <bind> name <bind>`).
    it("refuses each bind haproxyRefusals() names, printing what it quotes, and takes those it does not name", () => {
      const file = join(tempDir('gen-haproxy-binds-'), 'haproxy.cfg');
      const refused = REFUSED.map((r) => r.form).concat(['ipv6@10.0.0.1:8443', 'quic6@127.1:8443', 'quic4@[::1]:8443', '127.0.0.1::8443', '[::1]x:8443', '[0]:0', '127.0.0.1:1-65536', `${'a'.repeat(64)}.example:8443`, '127.0.0.1:8443,']);
      // Each entry of the list on its own line, as the template writes them, an empty one too.
      const lines = (form: string) => form.split(',').map((entry) => `${entry} name ${entry}`);
      for (const form of refused) {
        const said = haproxyRefusals(parseXml(box('', '', form)).root, () => false);
        expect(said, form).toHaveLength(1);
        const prints = /, which makes it print "(.*?)" \(/.exec(said[0]!)![1]!;
        writeFileSync(file, config(lines(form)));
        const check = spawnSync(haproxy.binary, ['-c', '-f', file], { encoding: 'utf8' });
        expect([check.status, check.stdout + check.stderr], form).toEqual([1, expect.stringContaining(`'bind' : ${prints}\n`)]);
      }
      for (const form of ['[::]:8443', '[fe80::1]:8443', '[127.1]:8443', '0:8443', '*:8443', '127.0.0.1:65535', '127.0.0.1:8443-8443', '0177.0.0.1:1-65535', 'ipv6@:8443', 'localhost:8443']) {
        expect(haproxyRefusals(parseXml(box('', '', form)).root, () => false), form).toEqual([]);
        writeFileSync(file, config(lines(form)));
        const check = spawnSync(haproxy.binary, ['-c', '-f', file], { encoding: 'utf8' });
        expect(check.status, `${form}: ${check.stdout}${check.stderr}`).toBe(0);
      }
    });

    // What the merge's warning on a host name says HAProxy does: it resolves the name when it starts, and stops on one it cannot
    // (getaddrinfo() answers .invalid with no address: RFC 6761; one try of a second at most, should a DNS server be asked).
    it('resolves a bind\'s host name when it starts, and refuses to start on one it cannot resolve', () => {
      const file = join(tempDir('gen-haproxy-binds-'), 'haproxy.cfg');
      const env = { ...process.env, RES_OPTIONS: 'timeout:1 attempts:1' };
      const run = (form: string) => {
        writeFileSync(file, config([`${form} name ${form}`]));
        return spawnSync(haproxy.binary, ['-c', '-f', file], { encoding: 'utf8', env });
      };
      const unresolved = run('gen-no-such-host.invalid:8443');
      expect([unresolved.status, unresolved.stdout + unresolved.stderr]).toEqual([1, expect.stringContaining("'bind' : invalid address: 'gen-no-such-host.invalid' in 'gen-no-such-host.invalid:8443'")]);
      expect(haproxyBinds(parseXml(box('', '', 'gen-no-such-host.invalid:8443')).root).map((b) => b.name)).toEqual([true]);
      // Resolved: localhost, which every /etc/hosts names.
      const resolved = run('localhost:8443');
      expect(resolved.status, resolved.stdout + resolved.stderr).toBe(0);
    });

    // QUIC: the box's HAProxy has it (the plugin's global section sets limited-quic, for OpenSSL without QUIC's API); Debian's has not.
    if (!haproxy.debian) it('binds quic4@ on UDP: "quic4@0" on the wildcard, "quic4@127.1" on the loopback', async () => {
      const pem = join(tempDir('gen-haproxy-binds-'), 'site.pem');
      const cert = selfSignedCertificate(['site.example.org']);
      writeFileSync(pem, cert.certificatePem + cert.privateKeyPem, { mode: 0o600 });
      for (const form of ['quic4@0', 'quic4@127.1']) {
        const { bound, read } = await boundAt(form, 'udp', ['limited-quic'], ` ssl crt ${pem} alpn h3`);
        expect(bound, form).toEqual(read);
        expect(haproxyBinds(parseXml(box('', '', `${form}:8443`)).root).map((b) => b.transport)).toEqual(['udp']);
      }
    });
  });
}
