// When dnsmasqRefusals() speaks, on small configs; what dnsmasq itself refuses, on configs OPNsense's own template
// renders, is split-dns.test.ts's.
import { describe, expect, it } from 'vitest';
import { dnsmasqRefusals } from '../../src/opnsense/dnsmasq-refusals.js';
import { parseXml } from '../../src/opnsense/parse.js';

/** A config whose dnsmasq has `settings` and a range of prefix length 48 (refused), and two Hosts of one address with `macs`. */
function config(settings: string, macs: [string, string] = ['52:54:00:00:00:01', '52:54:00:00:00:02']): string {
  const range = '<dhcp_ranges uuid="11111111-2222-4333-8444-200000000001"><interface>opt5</interface><start_addr>fd00:55::1000</start_addr><end_addr>fd00:55::2000</end_addr><prefix_len>48</prefix_len><description/></dhcp_ranges>';
  const hosts = macs.map((mac, i) => `<hosts uuid="11111111-2222-4333-8444-10000000000${i}"><host>h${i}</host><ip>10.0.0.5</ip><client_id/><hwaddr>${mac}</hwaddr><descr/></hosts>`);
  return `<?xml version="1.0"?>\n<opnsense><dnsmasq>${settings}${range}${hosts.join('')}</dnsmasq></opnsense>\n`;
}

const refusals = (text: string) => dnsmasqRefusals(parseXml(text).root);

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
});
