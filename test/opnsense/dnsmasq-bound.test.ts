// Where the box's dnsmasq answers DNS for the clients its DHCP serves (dnsmasqDnsAt()), and what firewallDnsRanges()
// makes of it: with Strict interface binding (bind-interfaces) only at the addresses of the interfaces it listens on,
// with the wildcard at any address a query of a listed device is sent to. The real dnsmasq shows both on the loopback:
// listening on lo, it answers a query to 127.0.0.2 (an address lo takes but does not hold) with the wildcard only.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { networkInterfaces, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { dnsmasqDnsAt } from '../../src/opnsense/dnsmasq-bound.js';
import { firewallDnsRanges } from '../../src/opnsense/dnsmasq-firewall-dns.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { child, textOf } from '../../src/render/opnsense/xml.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { freeUdpPort } from '../free-udp-port.js';

removeTempDirsAfterAll();

const TAG = '11111111-2222-4333-8444-7a0000000001';

/**
 * A box with opt5 (10.55.0.1/16, fd00:55::1/64, an IP alias 10.55.9.1 and a Proxy ARP VIP 10.55.8.1) and opt7
 * (10.57.0.1/24, fd00:57::1/64), whose dnsmasq `settings` (enable, port, strictbind, interface) serves a range of opt5
 * with a tag whose DNS option (6, or option6 23 for an IPv6 range) is `value`.
 */
function box(settings: string, value: string, ipv6 = false): string {
  const iface = (n: number, bits: number) =>
    `<opt${n}><if>vtnet${n}</if><enable>1</enable><ipaddr>10.5${n}.0.1</ipaddr><subnet>${bits}</subnet><ipaddrv6>fd00:5${n}::1</ipaddrv6><subnetv6>64</subnetv6></opt${n}>`;
  const vip = (n: number, mode: string, address: string) =>
    `<vip uuid="11111111-2222-4333-8444-90000000000${n}"><interface>opt5</interface><mode>${mode}</mode><subnet>${address}</subnet><subnet_bits>16</subnet_bits></vip>`;
  const [start, end] = ipv6 ? ['fd00:55::1000', 'fd00:55::2000'] : ['10.55.1.100', '10.55.1.199'];
  const range = `<dhcp_ranges uuid="11111111-2222-4333-8444-200000000001"><interface>opt5</interface><set_tag>${TAG}</set_tag><start_addr>${start}</start_addr><end_addr>${end}</end_addr></dhcp_ranges>`;
  const option = `<dhcp_options uuid="11111111-2222-4333-8444-300000000001"><type>set</type><option>${ipv6 ? '' : '6'}</option><option6>${ipv6 ? '23' : ''}</option6><interface/><tag>${TAG}</tag><value>${value}</value></dhcp_options>`;
  return (
    `<?xml version="1.0"?>\n<opnsense><interfaces>${iface(5, 16)}${iface(7, 24)}</interfaces><virtualip>${vip(1, 'ipalias', '10.55.9.1')}${vip(2, 'proxyarp', '10.55.8.1')}</virtualip>` +
    `<dnsmasq>${settings}${range}${option}</dnsmasq></opnsense>\n`
  );
}

/** The ranges firewallDnsRanges() names, each by its start and where. */
function named(config: string): string[] {
  return firewallDnsRanges(parseXml(config).root, true, releaseFacts('26.7')!).map(({ range, on }) => `${textOf(child(range, 'start_addr'))} ${on.join(',')}`);
}

describe('dnsmasqDnsAt', () => {
  const strict = '<enable>1</enable><strictbind>1</strictbind><interface>opt5</interface>';
  it('binds the addresses of the listed interfaces with Strict interface binding, and answers at every one with the wildcard', () => {
    const at = (settings: string) => {
      const { links, every, written } = dnsmasqDnsAt(parseXml(box(settings, '0.0.0.0')).root);
      return { links, every, written: [...written].sort() };
    };
    expect(at(strict)).toEqual({ links: true, every: false, written: ['10.55.0.1', '10.55.9.1', 'fd00:55::1'] });
    // The template writes bind-interfaces for exactly 1; with no interface= line every device is listed.
    for (const settings of [strict.replace('<strictbind>1<', '<strictbind>0<'), strict.replace('<strictbind>1<', '<strictbind> 1 <'), strict.replace('opt5', '')]) {
      expect(at(settings), settings).toEqual({ links: true, every: true, written: [] });
    }
    // No DNS on port 53: nowhere.
    expect(at(strict.replace('<enable>1</enable>', '<enable>1</enable><port>0</port>'))).toEqual({ links: false, every: false, written: [] });
    expect(at(strict.replace('<enable>1</enable>', '<enable>1</enable><port>5353</port>'))).toEqual({ links: false, every: false, written: [] });
  });

  it("names a range whose DNS option hands out only addresses dnsmasq binds none of, with Strict interface binding alone", () => {
    const strict = '<enable>1</enable><strictbind>1</strictbind><interface>opt5</interface>';
    // opt7's address: not bound.
    expect(named(box(strict, '10.57.0.1'))).toEqual(['10.55.1.100 opt5']);
    // A Proxy ARP VIP of opt5 is no address of the box (choparp answers ARP for it; what reaches it is routed on, or
    // NATed to a server gen does not know), so a line naming it names another server, as does opt7's address while
    // opt7 is disabled (interface_configure() gives its device no address).
    expect(named(box(strict, '10.55.8.1,10.57.0.1'))).toEqual([]);
    expect(named(box(strict, '10.57.0.1').replace('<opt7><if>vtnet7</if><enable>1</enable>', '<opt7><if>vtnet7</if>'))).toEqual([]);
    expect(named(box(strict, '[fd00:57::1]', true))).toEqual(['fd00:55::1000 opt5']);
    // opt5's own, its IP alias, the firewall's 0.0.0.0 and [::], or one of them beside opt7's: answered.
    for (const value of ['10.55.0.1', '10.55.9.1', '0.0.0.0', '10.57.0.1,10.55.0.1']) expect(named(box(strict, value)), value).toEqual([]);
    for (const value of ['[fd00:55::1]', '[::]', '[fe80::]', '[fd00:57::1],[::]']) expect(named(box(strict, value, true)), value).toEqual([]);
    // The wildcard answers every address a query of opt5 is sent to; with dnsmasq's DNS off nothing answers.
    expect(named(box(strict.replace('<strictbind>1<', '<strictbind>0<'), '10.57.0.1'))).toEqual([]);
    expect(named(box(strict.replace('opt5', 'opt5,opt7'), '10.57.0.1'))).toEqual([]);
    expect(named(box(`${strict}<port>0</port>`, '10.55.0.1'))).toEqual(['10.55.1.100 opt5']);
    // A disabled opt7 listed as well: its device has no address, so dnsmasq binds none there and 10.57.0.1 is no
    // address of the box at all.
    expect(named(box(strict.replace('opt5', 'opt5,opt7'), '10.57.0.1').replace('<opt7><if>vtnet7</if><enable>1</enable>', '<opt7><if>vtnet7</if>'))).toEqual([]);
  });

  // Unbound on port 53 answers the firewall handed out where dnsmasq does not (its DNS off here): at every address with
  // no Network Interfaces chosen (interface: 0.0.0.0 and ::), else at the addresses of the chosen interfaces' devices,
  // their link-local ones and IP alias VIPs included, but a VIP that denies service binding (unbound.inc).
  it('takes the firewall handed out as answered where Unbound answers DNS on port 53', () => {
    const off = '<enable>1</enable><port>0</port><interface>opt5</interface>';
    const unbound = (general: string) => (config: string) =>
      config.replace('</opnsense>', `<OPNsense><unboundplus version="1.0.15"><general>${general}</general></unboundplus></OPNsense></opnsense>`);
    const on = (ifaces: string) => unbound(`<enabled>1</enabled><port>53</port><active_interface>${ifaces}</active_interface>`);
    const v4 = (value: string, edit: (c: string) => string) => named(edit(box(off, value)));
    const v6 = (value: string, edit: (c: string) => string) => named(edit(box(off, value, true)));
    expect(v4('0.0.0.0', (c) => c)).toEqual(['10.55.1.100 opt5']);
    expect(v4('0.0.0.0', unbound('<enabled>0</enabled><port>53</port>'))).toEqual(['10.55.1.100 opt5']);
    expect(v4('0.0.0.0', unbound('<enabled>1</enabled><port>53</port>'))).toEqual([]);
    expect(v4('10.57.0.1', unbound('<enabled>1</enabled>'))).toEqual([]);
    // On another port it answers no client.
    expect(v4('0.0.0.0', unbound('<enabled>1</enabled><port>5353</port>'))).toEqual(['10.55.1.100 opt5']);
    // On opt5: the link's own address, its IP alias and its link-local address; not opt7's.
    for (const value of ['0.0.0.0', '10.55.0.1', '10.55.9.1']) expect(v4(value, on('opt5')), value).toEqual([]);
    expect(v4('10.57.0.1', on('opt5'))).toEqual(['10.55.1.100 opt5']);
    for (const value of ['[::]', '[fe80::]', '[fd00:55::1]']) expect(v6(value, on('opt5')), value).toEqual([]);
    expect(v6('[fd00:57::1]', on('opt5'))).toEqual(['fd00:55::1000 opt5']);
    // On opt7 alone: opt7's addresses written out, not opt5's link.
    expect(v4('10.57.0.1', on('opt7'))).toEqual([]);
    for (const value of ['0.0.0.0', '10.55.0.1']) expect(v4(value, on('opt7')), value).toEqual(['10.55.1.100 opt5']);
    for (const value of ['[::]', '[fe80::]']) expect(v6(value, on('opt7')), value).toEqual(['fd00:55::1000 opt5']);
    expect(v6('[fd00:57::1]', on('opt7'))).toEqual([]);
    // A VIP denying service binding is no interface: line; a disabled opt7 has no address to bind.
    expect(v4('10.55.9.1', (c) => on('opt5')(c).replace('<mode>ipalias</mode>', '<mode>ipalias</mode><nobind>1</nobind>'))).toEqual(['10.55.1.100 opt5']);
    expect(v4('10.57.0.1', (c) => on('opt7')(c).replace('<opt7><if>vtnet7</if><enable>1</enable>', '<opt7><if>vtnet7</if>'))).toEqual([]);
    // With dnsmasq's Strict interface binding on opt5 and Unbound on opt7 both bind the loopback's port 53 (dnsmasq adds
    // lo to its list), so Unbound does not start beside dnsmasq (dns-port-clash.ts): dnsmasq answers opt5's link and
    // address, nothing opt7's. Unbound on every address binds the wildcard beside dnsmasq's addresses, and answers it.
    const strictOn5 = '<enable>1</enable><strictbind>1</strictbind><interface>opt5</interface>';
    for (const value of ['0.0.0.0', '10.55.0.1,10.57.0.1']) expect(named(on('opt7')(box(strictOn5, value))), value).toEqual([]);
    expect(named(on('opt7')(box(strictOn5, '10.57.0.1')))).toEqual(['10.55.1.100 opt5']);
    expect(named(unbound('<enabled>1</enabled><port>53</port>')(box(strictOn5, '10.57.0.1')))).toEqual([]);
  });

  // The real dnsmasq, listening on lo: with bind-interfaces it binds lo's 127.0.0.1 and a query to 127.0.0.2 (which lo
  // receives) reaches no socket; with the wildcard the query, arriving on lo, is answered.
  const why = missing(['dnsmasq'], false);
  it.skipIf(why)(titled('dnsmasq answers a query to an address it does not hold on a listed device with the wildcard only', why), async () => {
    const work = tempDir('gen-dnsmasq-bound-');
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
    const answers = async (bind: boolean): Promise<Record<string, boolean>> => {
      const port = await freeUdpPort();
      const conf = join(work, `${bind ? 'bound' : 'wildcard'}.conf`);
      writeFileSync(conf, [`port=${port}`, 'interface=lo', ...(bind ? ['bind-interfaces'] : []), 'no-resolv', 'no-hosts', 'pid-file=', 'address=/probe.test/192.0.2.7', ''].join('\n'));
      const daemon = spawn('dnsmasq', ['-k', '-C', conf, `--user=${userInfo().username}`, `--group=${group}`], { stdio: 'ignore' });
      try {
        let ready = false;
        for (let attempt = 0; attempt < 40 && !ready; attempt++) ready = await asked('127.0.0.1', port, 250);
        expect(ready, 'dnsmasq did not start').toBe(true);
        return { '127.0.0.1': true, '127.0.0.2': await asked('127.0.0.2', port, 1500) };
      } finally {
        daemon.kill();
      }
    };
    expect(await answers(false)).toEqual({ '127.0.0.1': true, '127.0.0.2': true });
    expect(await answers(true)).toEqual({ '127.0.0.1': true, '127.0.0.2': false });
  });

  // The real dnsmasq with bind-interfaces and another device listed binds the loopback's addresses too (network.c
  // iface_allowed() adds lo to the list), so a resolver of the box that binds lo0's addresses (Unbound on chosen Network
  // Interfaces) cannot bind the same port there.
  const device = Object.entries(networkInterfaces()).find(([, addresses]) => addresses?.some((a) => !a.internal && a.family === 'IPv4'))?.[0];
  const whyDevice = why ?? (device === undefined ? 'no device with an IPv4 address but the loopback' : undefined);
  it.skipIf(whyDevice)(titled("dnsmasq with bind-interfaces binds the loopback's addresses beside those of the devices listed", whyDevice), async () => {
    const work = tempDir('gen-dnsmasq-bound-lo-');
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
    const port = await freeUdpPort();
    const conf = join(work, 'bound.conf');
    writeFileSync(conf, [`port=${port}`, `interface=${device}`, 'bind-interfaces', 'no-resolv', 'no-hosts', 'pid-file=', 'address=/probe.test/192.0.2.7', ''].join('\n'));
    const daemon = spawn('dnsmasq', ['-k', '-C', conf, `--user=${userInfo().username}`, `--group=${group}`], { stdio: 'ignore' });
    try {
      let ready = false;
      for (let attempt = 0; attempt < 40 && !ready; attempt++) ready = await asked('127.0.0.1', port, 250);
      expect(ready, 'dnsmasq did not answer on 127.0.0.1').toBe(true);
      // A second socket on 127.0.0.1 and that port, as Unbound's would be, is refused.
      const second = createSocket('udp4');
      const refused = await new Promise<string>((done) => {
        second.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
        second.bind(port, '127.0.0.1', () => done('bound'));
      });
      second.close();
      expect(refused).toBe('EADDRINUSE');
    } finally {
      daemon.kill();
    }
  });

  // A domain override of dnsmasq's own address and port reaches nothing: check_servers() ignores it (unbound-unheard.ts:
  // Unbound on chosen interfaces and dnsmasq's wildcard, both on port 53), while one of another port is used.
  it.skipIf(why)(titled("dnsmasq ignores a domain's server at its own address and port, the loopback's", why), async () => {
    const work = tempDir('gen-dnsmasq-bound-own-');
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
    const port = await freeUdpPort();
    const conf = join(work, 'own.conf');
    const lines = [`port=${port}`, 'interface=lo', 'no-resolv', 'no-hosts', 'pid-file=', 'log-facility=-', `server=/example.org/127.0.0.1#${port}`, `server=/example.net/127.0.0.1#${port + 1}`];
    writeFileSync(conf, [...lines, 'address=/probe.test/192.0.2.7', ''].join('\n'));
    const daemon = spawn('dnsmasq', ['-k', '-C', conf, `--user=${userInfo().username}`, `--group=${group}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    daemon.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      let ready = false;
      for (let attempt = 0; attempt < 40 && !ready; attempt++) ready = await asked('127.0.0.1', port, 250);
      expect(ready, 'dnsmasq did not start').toBe(true);
      expect(log).toMatch(/ignoring nameserver 127\.0\.0\.1 - local interface/);
      expect(log).toContain(`using nameserver 127.0.0.1#${port + 1} for domain example.net`);
      expect(log).not.toContain('for domain example.org');
    } finally {
      daemon.kill();
    }
  });
});

/** Whether a DNS server answers an A query for probe.test sent to `address`:`port` with 192.0.2.7 within `ms`. */
function asked(address: string, port: number, ms: number): Promise<boolean> {
  const query = Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, ...Buffer.from('probe'), 4, ...Buffer.from('test'), 0, 0, 1, 0, 1]);
  return new Promise((done) => {
    const socket = createSocket('udp4');
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      done(answered);
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on('message', (m) => finish(m.readUInt16BE(0) === 0x1234 && m.subarray(-4).equals(Buffer.from([192, 0, 2, 7]))));
    socket.on('error', () => undefined);
    socket.send(query, port, address);
  });
}
