// opnsense/dhcp-dns-ignored: DHCP hands out every DNS server of dhcp.dns, but a
// client resolving through /etc/resolv.conf asks the first three only.
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample, render } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { withRelease } from './support.js';

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
