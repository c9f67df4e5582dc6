// gen opnsense merge into a node of an HA pair (<hasync>): the topology has
// one address per interface and no CARP VIP, the master's XMLRPC sync pushes
// the sections of its sync items (rc.filter_synchronize, *_xmlrpc_sync) but
// no sync item carries <interfaces> or <vlans>, and DHCP hands out the
// node's own address as router. merge refuses, naming what would break.
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { child, childrenNamed, textOf } from '../../src/render/opnsense/xml.js';
import { parse as parseYaml } from 'yaml';
import { edit } from '../helpers.js';
import { everyItem, factorySample, releaseSections, withHaSync, withVips } from './support.js';

async function mergeInto(base: string, yaml: string, allowHa = false, release = '26.7') {
  const { sections, privateKey } = await releaseSections(yaml, release);
  const warnings: string[] = [];
  const run = (text: string) =>
    mergeConfig(text, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true, allowHa, warn: (m) => warnings.push(m) });
  return { run, warnings };
}

const CARP_LAN = { uuid: 'c17d8c9e-afb0-41c2-a3d4-5f6071829304', mode: 'carp' as const, interface: 'lan', subnet: '10.0.0.254', bits: 24, vhid: 1, descr: 'LAN gateway' };
const MASTER = { pfsync: 'lan', peer: '10.0.0.2', syncTo: '10.0.0.2', items: ['rules', 'nat', 'aliases', 'wireguard', 'virtualip'] };

describe('merge into a node of an HA pair', () => {
  it.each(['isc', 'dnsmasq'])('the master (%s DHCP) is refused, naming the sync items that push gen\'s sections, and the router DHCP hands out instead of the CARP VIP', async (server) => {
    const yaml = edit(everyItem(), ['sites', 0, 'firewall', 'dhcp_server'], server);
    const base = withHaSync(withVips(factorySample('26.7'), [CARP_LAN]), MASTER);
    const { run } = await mergeInto(base, yaml);
    let message = '';
    expect(() => {
      try {
        run(base);
      } catch (error) {
        message = (error as Error).message;
        throw error;
      }
    }).toThrow();
    expect(message).toContain('the base is a node of an HA pair (System › High Availability › Settings: pfsync over lan to 10.0.0.2, configuration sync to 10.0.0.2)');
    expect(message).toMatch(/its sync items rules, nat, aliases, wireguard push gen's filter, OPNsense\.Firewall\.Filter\.rules, .*OPNsense\.wireguard to 10\.0\.0\.2, but no sync item carries the interface assignments and VLANs/);
    expect(message).toContain(`gen's DHCP on lan hands out 10.0.0.1, this node's own address, as router and DNS server, not the CARP VIP 10.0.0.254/24 (vhid 1, "LAN gateway")`);
    expect(message).toMatch(/\(--allow-ha merges anyway\)$/);
  });

  it('--allow-ha merges, with the same words as a warning; the merged DHCP names no router, so OPNsense hands out the interface address, not the VIP', async () => {
    const yaml = edit(everyItem(), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
    const base = withHaSync(withVips(factorySample('26.7'), [CARP_LAN]), MASTER);
    const { run, warnings } = await mergeInto(base, yaml, true);
    const merged = parseXml(run(base)).root;
    expect(warnings.filter((w) => w.startsWith('the base is a node of an HA pair'))).toHaveLength(1);
    // ISC dhcpd writes "option routers" from <gateway>, else the interface's primary address (net/isc-dhcp dhcpd.inc).
    const lan = child(child(merged, 'dhcpd'), 'lan');
    expect(lan).toBeDefined();
    expect(textOf(child(lan, 'gateway')).trim()).toBe('');
    const dns = childrenNamed(lan!, 'dnsserver').map((d) => textOf(d).trim());
    expect(dns).not.toContain(CARP_LAN.subnet);
  });

  it('a backup node (pfsync only, no sync target) is refused too: the master\'s sync replaces what its items hold', async () => {
    const base = withHaSync(factorySample('26.7'), { pfsync: 'lan', peer: '10.0.0.1', syncTo: '', items: [] });
    const { run } = await mergeInto(base, everyItem());
    expect(() => run(base)).toThrow(/pfsync over lan to 10\.0\.0\.1\).*a backup node/);
  });

  it('a box whose HA settings are cleared merges as any other', async () => {
    const base = withHaSync(factorySample('26.7'), { pfsync: '', peer: '', syncTo: '', items: ['rules'] });
    const { run, warnings } = await mergeInto(base, everyItem());
    run(base);
    expect(warnings.filter((w) => w.includes('HA pair'))).toEqual([]);
  });
});

describe('merge into a node of an HA pair whose topology hands out the VIP as DNS server', () => {
  it('only the router is named', async () => {
    const yaml = edit(everyItem(), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'dns'], [CARP_LAN.subnet]);
    const base = withHaSync(withVips(factorySample('26.7'), [CARP_LAN]), MASTER);
    const { run } = await mergeInto(base, yaml);
    expect(() => run(base)).toThrow(/hands out 10\.0\.0\.1, this node's own address, as router, not the CARP VIP/);
  });
});

/** The base's ISC DHCP on the LAN as an HA master has it (Services › ISC DHCPv4 › LAN: gateway, DNS servers, failover peer and split). */
function withHaDhcp(config: string, dns: string): string {
  const lan =
    `    <lan>\n      <enable>1</enable>\n      <range>\n        <from>10.0.0.100</from>\n        <to>10.0.0.199</to>\n      </range>\n      <gateway>${CARP_LAN.subnet}</gateway>\n` +
    `      <dnsserver>${dns}</dnsserver>\n      <failover_peerip>10.0.0.2</failover_peerip>\n      <failover_split>200</failover_split>\n    </lan>\n`;
  return config.replace(/<\/opnsense>\n?$/, `  <dhcpd>\n${lan}  </dhcpd>\n</opnsense>\n`);
}

describe('merge into an HA master whose ISC DHCP hands out the CARP VIP', () => {
  const field = (entry: ReturnType<typeof child>, name: string) => childrenNamed(entry!, name).map((c) => textOf(c).trim());

  it('keeps the base entry\'s router and failover peer, which dhcpd.inc builds "option routers" and the failover peer from; the topology\'s DNS servers win', async () => {
    const yaml = edit(everyItem(), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
    const base = withHaDhcp(withHaSync(withVips(factorySample('26.7'), [CARP_LAN]), MASTER), CARP_LAN.subnet);
    const { run, warnings } = await mergeInto(base, yaml, true);
    const lan = child(child(parseXml(run(base)).root, 'dhcpd'), 'lan');
    expect(field(lan, 'gateway')).toEqual([CARP_LAN.subnet]);
    expect(field(lan, 'failover_peerip')).toEqual(['10.0.0.2']);
    expect(field(lan, 'failover_split')).toEqual(['200']);
    expect(field(lan, 'dnsserver')).toEqual(parseYaml(yaml).sites[0].firewall.interfaces[1].dhcp.dns);
    expect(field(lan, 'range').length).toBe(1);
    // The router is the VIP now; the topology's DNS server is still the node's own address.
    const ha = warnings.filter((w) => w.startsWith('the base is a node of an HA pair'));
    expect(ha).toHaveLength(1);
    expect(ha[0]).toContain("hands out 10.0.0.1, this node's own address, as DNS server, not the CARP VIP");
    expect(ha[0]).toContain('after a failover the clients have no DNS server');
  });

  it('keeps the base entry\'s DNS servers where the topology names none, and then names no DHCP problem', async () => {
    let yaml = edit(everyItem(), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
    yaml = edit(yaml, ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'dns'], []);
    const base = withHaDhcp(withHaSync(withVips(factorySample('26.7'), [CARP_LAN]), MASTER), CARP_LAN.subnet);
    const { run, warnings } = await mergeInto(base, yaml, true);
    const lan = child(child(parseXml(run(base)).root, 'dhcpd'), 'lan');
    expect(field(lan, 'dnsserver')).toEqual([CARP_LAN.subnet]);
    expect(field(lan, 'gateway')).toEqual([CARP_LAN.subnet]);
    expect(warnings.filter((w) => w.includes("gen's DHCP on lan"))).toEqual([]);
  });
});
