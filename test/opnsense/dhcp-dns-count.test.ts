// opnsense/dhcp-dns-ignored: DHCP hands out every DNS server of dhcp.dns, but a
// client resolving through /etc/resolv.conf asks the first three only.
import { describe, expect, it } from 'vitest';
import { ISC_DHCP_PAGE_DNS_SERVERS } from '../../src/targets/opnsense/isc-dhcp-page.js';
import { edit, lint, readExample, render } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { upstreamFile, upstreamMirrors, withRelease } from './support.js';

const rule = 'opnsense/dhcp-dns-ignored';
const hosting = readExample('vlan-hosting');
const websvc = ['sites', 0, 'firewall', 'interfaces', 3] as const;
const dns = [...websvc, 'dhcp', 'dns'];
const found = async (text: string) => (await lint(text)).filter((d) => d.rule === rule);

describe(rule, () => {
  it('passes three servers', async () => {
    expect(await found(edit(hosting, dns, ['1.1.1.1', '9.9.9.9', '1.0.0.1']))).toEqual([]);
  });

  it('warns at the fourth, naming the ones such a client never asks', async () => {
    const text = edit(hosting, dns, ['1.1.1.1', '9.9.9.9', '1.0.0.1', '149.112.112.112', '8.8.8.8']);
    expect((await found(text)).map((d) => ({ severity: d.severity, message: d.message, hint: d.hint, line: d.location.line }))).toEqual([
      {
        severity: 'warning',
        message: 'DHCP on websvc hands out 5 DNS servers (1.1.1.1, 9.9.9.9, 1.0.0.1, 149.112.112.112, 8.8.8.8), but a client that resolves through /etc/resolv.conf reads the first 3 only, so it never asks 149.112.112.112, 8.8.8.8',
        hint: 'List at most 3 in dhcp.dns on interface websvc, the ones clients should ask (e.g. [1.1.1.1, 9.9.9.9, 1.0.0.1]).',
        line: lineOf(text, [...dns, 3]),
      },
    ]);
  });

  // A container without guest.dns gets dhcp.dns as pct nameserver: the same cause, so one finding, at dhcp.dns, naming it.
  it('names the containers that inherit the list, in one finding for the one cause', async () => {
    const services = ['sites', 0, 'services'];
    const web1 = edit(hosting, [...services, 0, 'container'], 300);
    const text = edit(web1, dns, ['1.1.1.1', '9.9.9.9', '1.0.0.1', '149.112.112.112', '8.8.8.8']);
    const all = await lint(text);
    expect(all.filter((d) => /dns-ignored/.test(d.rule)).map((d) => ({ rule: d.rule, message: d.message, hint: d.hint, line: d.location.line, related: d.related?.map((r) => [r.message, r.location.line]) }))).toEqual([
      {
        rule,
        message:
          'DHCP on websvc hands out 5 DNS servers (1.1.1.1, 9.9.9.9, 1.0.0.1, 149.112.112.112, 8.8.8.8), but a client that resolves through /etc/resolv.conf reads the first 3 only, so it never asks 149.112.112.112, 8.8.8.8, nor does CT 300 (web1), which gets them all as nameserver',
        hint: 'List at most 3 in dhcp.dns on interface websvc, the ones clients should ask (e.g. [1.1.1.1, 9.9.9.9, 1.0.0.1]).',
        line: lineOf(text, [...dns, 3]),
        related: [['CT 300 (web1), without guest.dns', lineOf(text, [...services, 0])]],
      },
    ]);
    // pct nameserver holds all five: pve-container writes each into resolv.conf (Setup/Base.pm set_dns).
    expect((await render(text)).get('hosting/proxmox/pve/lxc/300.conf')).toMatch(/^nameserver: 1.1.1.1 9.9.9.9 1.0.0.1 149.112.112.112 8.8.8.8$/m);
    // The container's own guest.dns (at most three, by the schema) wins: the finding is the DHCP clients' alone.
    const own = edit(text, [...services, 0, 'guest'], { dns: ['9.9.9.9'] });
    expect((await found(own)).map((d) => [d.message, d.related])).toEqual([
      ['DHCP on websvc hands out 5 DNS servers (1.1.1.1, 9.9.9.9, 1.0.0.1, 149.112.112.112, 8.8.8.8), but a client that resolves through /etc/resolv.conf reads the first 3 only, so it never asks 149.112.112.112, 8.8.8.8', undefined],
    ]);
  });

  // The servers reach the DHCP server as written, in order, with either server gen writes for.
  it.each(['dnsmasq', 'isc'])('writes all four for %s, which hands every one out: the warning is about the client', async (server) => {
    const four = ['1.1.1.1', '9.9.9.9', '1.0.0.1', '149.112.112.112'];
    const text = edit(withRelease(edit(hosting, dns, four), '25.7'), ['sites', 0, 'firewall', 'dhcp_server'], server);
    expect(await found(text)).toHaveLength(1);
    const xml = (await render(text)).get('hosting/opnsense/dhcp.xml')!;
    if (server === 'dnsmasq') expect(xml).toContain(`<value>${four.join(',')}</value>`);
    else expect(xml.match(/<dnsserver>[^<]*<\/dnsserver>/g)).toEqual(expect.arrayContaining(four.map((a) => `<dnsserver>${a}</dnsserver>`)));
  });
});

// opnsense/isc-dhcp-dns-dropped: ISC DHCP's interface page has two DNS server fields and rebuilds the list from them on save.
describe('opnsense/isc-dhcp-dns-dropped', () => {
  const isc = (text: string) => edit(withRelease(text, '25.7'), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
  const dropped = async (text: string) => (await lint(text)).filter((d) => d.rule === 'opnsense/isc-dhcp-dns-dropped');

  it('passes two servers with ISC, and three with dnsmasq', async () => {
    expect(await dropped(isc(edit(hosting, dns, ['1.1.1.1', '9.9.9.9'])))).toEqual([]);
    expect(await dropped(withRelease(edit(hosting, dns, ['1.1.1.1', '9.9.9.9', '1.0.0.1']), '25.7'))).toEqual([]);
  });

  it('warns at the third with ISC, naming the servers a save of the page drops', async () => {
    const text = isc(edit(hosting, dns, ['1.1.1.1', '9.9.9.9', '1.0.0.1']));
    expect((await dropped(text)).map((d) => ({ severity: d.severity, message: d.message, hint: d.hint, line: d.location.line }))).toEqual([
      {
        severity: 'warning',
        message: 'ISC DHCP on websvc hands out 3 DNS servers, but its page keeps 2: the first save of the ISC DHCPv4 page of websvc drops 1.0.0.1',
        hint: 'List at most 2 in dhcp.dns on interface websvc (e.g. [1.1.1.1, 9.9.9.9]), or set dhcp_server: dnsmasq.',
        line: lineOf(text, [...dns, 2]),
      },
    ]);
  });

  const { core, plugins, why } = upstreamMirrors("ISC DHCP's interface page in the upstream tags");
  describe.skipIf(why !== undefined)(`services_dhcp.php in the upstream tags${why ? ` (skipped: ${why})` : ''}`, () => {
    it.each([
      ['25.7.11', () => upstreamFile(core!, '25.7.11', 'src/www/services_dhcp.php')],
      ['26.1.11', () => upstreamFile(plugins!, '26.1.11', 'net/isc-dhcp/src/www/services_dhcp.php')],
      ['26.7.2', () => upstreamFile(plugins!, '26.7.2', 'net/isc-dhcp/src/www/services_dhcp.php')],
    ])('%s: a save empties the list and fills it from the page\'s fields, as many as the rule counts', (_tag, read) => {
      const php = read();
      const save = /\$dhcpdconf\['dnsserver'\] = \[\];((?:\s*if \(!empty\(\$pconfig\['dns\d'\]\)\) \{\s*\$dhcpdconf\['dnsserver'\]\[\] = \$pconfig\['dns\d'\];\s*\})+)/.exec(php);
      expect(save).not.toBeNull();
      const fields = [...save![1]!.matchAll(/\$dhcpdconf\['dnsserver'\]\[\] = \$pconfig\['(dns\d)'\]/g)].map((m) => m[1]);
      expect(fields).toHaveLength(ISC_DHCP_PAGE_DNS_SERVERS);
      // The page shows an input for each of them and no other.
      expect([...php.matchAll(/<input name="(dns\d)"/g)].map((m) => m[1])).toEqual(fields);
      // The page reads nothing else into the list.
      expect(php.match(/\$dhcpdconf\['dnsserver'\]\[\] = /g)).toHaveLength(ISC_DHCP_PAGE_DNS_SERVERS);
    });
  });
});
