// A box's Host whose dhcp-host line dnsmasq takes with a MAC written with dashes or dotted groups, which option.c reads
// as a name (dnsmasq-source.test.ts): named per dnsmasq version; what dnsmasq refuses is dnsmasq-refusals.test.ts's.
import { describe, expect, it } from 'vitest';
import { namedMacs } from '../../src/opnsense/dnsmasq-named-macs.js';
import { parseXml } from '../../src/opnsense/parse.js';

const host = (n: number, name: string, ip: string, macs: string, extra = '') =>
  `<hosts uuid="11111111-2222-4333-8444-70000000000${n}"><host>${name}</host><ip>${ip}</ip><client_id/><hwaddr>${macs}</hwaddr>${extra}<descr/></hosts>`;
const warned = (hosts: string, version: string, enable = '1') =>
  namedMacs(parseXml(`<?xml version="1.0"?>\n<opnsense><dnsmasq><enable>${enable}</enable><port>0</port>${hosts}</dnsmasq></opnsense>\n`).root, version);
const fix = (macs: string) => `; write the Host's MACs with colons (${macs}) in Services › Dnsmasq DNS & DHCP › Hosts`;

describe('namedMacs', () => {
  it("names a Host without a name whose one MAC without colons dnsmasq reads as its name, at every version, with the fix", () => {
    for (const version of ['2.90', '2.91', '2.92rel2', '2.93']) {
      expect(warned(host(1, '', '10.0.0.9', '52:54:00:00:00:09,52-54-00-AA-BB-CC'), version)).toEqual([
        `the box's Host 11111111-2222-4333-8444-700000000001 (52:54:00:00:00:09,52-54-00-AA-BB-CC) lists 52-54-00-AA-BB-CC without colons, and OPNsense's template writes its MACs as they are on its dhcp-host line: ` +
          `dnsmasq ${version} takes a word as a MAC only with a ':', so it reads 52-54-00-AA-BB-CC as a name, not a MAC: a client of it does not get the Host's reservation of 10.0.0.9, ` +
          `and the Host's other clients (52:54:00:00:00:09) get 52-54-00-AA-BB-CC as their name${fix('52:54:00:AA:BB:CC')}`,
      ]);
      // No address: what the client misses is the rest of the Host; a dotted MAC is a name too.
      expect(warned(host(2, '', '', '5254.00aa.bbcc', '<lease_time>600</lease_time>').replace('<client_id/>', '<client_id>01:02:03</client_id>'), version)).toEqual([
        expect.stringMatching(new RegExp(`reads 5254\\.00aa\\.bbcc as a name, not a MAC: a client of it gets none of the Host's name, lease time, tag or ignore, and the Host's other clients \\(01:02:03\\) get 5254\\.00aa\\.bbcc as their name${fix('52:54:00:aa:bb:cc').replace(/[().]/g, '\\$&')}$`)),
      ]);
    }
  });

  it('leaves a line dnsmasq refuses to dnsmasqRefusals, a Host without a line to linelessHosts, and a dnsmasq that does not run', () => {
    const twoNames = host(1, 'nas', '10.0.0.9', '52:54:00:00:00:09,52-54-00-aa-bb-cc');
    const twoMacs = host(2, '', '10.0.0.8', '52:54:00:00:00:08,5254.00aa.bbcd,52-54-00-dd-ee-ff');
    const signed = host(3, '', '10.0.0.7', '52:54:00:00:00:07,52-54-00-aa-bb-ce', '<lease_time>-60</lease_time>');
    // From 2.91 each is a second name word, which refuses the line.
    for (const version of ['2.91', '2.92rel2', '2.93']) expect(warned(twoNames + twoMacs + signed, version)).toEqual([]);
    // 2.90 keeps the last name word: the Host's own name, else the last such MAC; a signed lease it refuses.
    expect(warned(twoNames + twoMacs + signed, '2.90')).toEqual([
      expect.stringMatching(/^the box's Host \S+ \(nas .*\) lists 52-54-00-aa-bb-cc without colons, .* dnsmasq 2\.90 .* reads 52-54-00-aa-bb-cc as a name, not a MAC: a client of it does not get the Host's reservation of 10\.0\.0\.9; write /),
      expect.stringMatching(/reads 5254\.00aa\.bbcd, 52-54-00-dd-ee-ff as names, not MACs: a client of them does not get the Host's reservation of 10\.0\.0\.8, and the Host's other clients \(52:54:00:00:00:08\) get 52-54-00-dd-ee-ff as their name; write the Host's MACs with colons \(52:54:00:aa:bb:cd,52:54:00:dd:ee:ff\)/),
    ]);
    const lineless = host(4, '', '10.0.0.6', '52-54-00-aa-bb-cf');
    const colons = host(5, '', '10.0.0.5', '52:54:00:00:00:05');
    for (const version of ['2.90', '2.93']) expect(warned(lineless + colons, version)).toEqual([]);
    expect(warned(host(1, '', '10.0.0.9', '52:54:00:00:00:09,52-54-00-AA-BB-CC'), '2.93', '0')).toEqual([]);
  });
});
