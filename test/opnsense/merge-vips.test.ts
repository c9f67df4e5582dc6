// gen opnsense merge into boxes with virtual IPs (<virtualip><vip>) on the
// interfaces the topology readdresses: OPNsense configures each VIP as
// written (interfaces.inc: ifconfig <dev> <subnet>/<bits> alias [vhid N],
// choparp for Proxy ARP), and nothing refuses one outside its interface's
// network, so merge says so.
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { networkOf } from '../../src/opnsense/vips.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { child, childrenNamed, textOf } from '../../src/render/opnsense/xml.js';
import { contains, parseAddressWithPrefix, parseIPv4 } from '../../src/net.js';
import { readExample } from '../helpers.js';
import { type BoxVip, factorySample, releaseSections, withVips } from './support.js';

async function mergeInto(base: string, yaml = readExample('homelab'), release = '26.7') {
  const { sections, privateKey } = await releaseSections(yaml, release);
  const warnings: string[] = [];
  const run = (text: string) => mergeConfig(text, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
  return { run, warnings };
}

const LAN_VIPS: BoxVip[] = [
  { uuid: '6b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', mode: 'carp', interface: 'lan', subnet: '192.168.1.254', bits: 24, vhid: 1, descr: 'LAN gateway' },
  { uuid: '7c2e3d4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f', mode: 'ipalias', interface: 'lan', subnet: '192.168.1.10', bits: 32, descr: 'printer' },
  { uuid: '8d3f4e5a-6b7c-4d8e-af90-1b2c3d4e5f60', mode: 'proxyarp', interface: 'lan', subnet: '192.168.1.64', bits: 28 },
];

/** lan's network in the merged config, as OPNsense reads it (ipaddr/subnet). */
function lanNetwork(xml: string) {
  const lan = child(child(parseXml(xml).root, 'interfaces'), 'lan');
  return parseAddressWithPrefix(`${textOf(child(lan, 'ipaddr')).trim()}/${textOf(child(lan, 'subnet')).trim()}`)!;
}

describe('merge into a box with virtual IPs on an interface the topology readdresses', () => {
  it.each(['25.7', '26.7'])('OPNsense %s: each VIP left outside lan\'s new network is named, with its mode, interface, the new network and the fix', async (release) => {
    const base = withVips(factorySample(release), LAN_VIPS);
    const { run, warnings } = await mergeInto(base, readExample('homelab'), release);
    const merged = run(base);
    // The box's VIPs stay as they are (they are not gen's), and each lies outside lan's network now.
    expect(merged).toContain(/<virtualip[\s\S]*?<\/virtualip>/.exec(base)![0]);
    const network = lanNetwork(merged);
    const vips = childrenNamed(child(parseXml(merged).root, 'virtualip'), 'vip');
    expect(vips.map((v) => contains(network.block, parseIPv4(textOf(child(v, 'subnet')))!))).toEqual([false, false, false]);
    const about = (vip: string) => warnings.filter((w) => w.includes(vip));
    expect(about('CARP VIP 192.168.1.254/24 (vhid 1, "LAN gateway")')).toEqual([
      expect.stringMatching(new RegExp(`on lan lies in lan's old network 192\\.168\\.1\\.0/24, not in ${network.block.cidr.replace(/\./g, '\\.')}, .*alias vhid.*give it an address in ${network.block.cidr.replace(/\./g, '\\.')} \\(Interfaces › Virtual IPs › Settings, on both HA nodes\\)`)),
    ]);
    expect(about('IP alias 192.168.1.10/32')).toEqual([expect.stringMatching(/keeps the old network on lan beside the new one; give it an address in 10\.0\.0\.0\/24/)]);
    expect(about('Proxy ARP VIP 192.168.1.64/28')).toEqual([expect.stringMatching(/choparp still answers ARP for 192\.168\.1\.64\/28 on lan/)]);
    // A second merge: the base's interface is in the new network now, the VIPs stay outside it, and nothing changes.
    warnings.length = 0;
    expect(run(merged)).toBe(merged);
  });

  it('a VIP inside the new network, or one the box keeps outside an interface the topology does not readdress, is not reported', async () => {
    const vips: BoxVip[] = [
      { uuid: '9e4a5f6b-7c8d-4e9f-b0a1-2c3d4e5f6071', mode: 'carp', interface: 'lan', subnet: '10.0.0.254', bits: 24, vhid: 1 },
      // An ISP's extra block routed to the WAN address: outside the WAN's network on purpose.
      { uuid: 'af5b6a7c-8d9e-4fa0-81b2-3d4e5f607182', mode: 'ipalias', interface: 'wan', subnet: '198.51.100.9', bits: 32 },
    ];
    const base = withVips(factorySample('26.7'), vips);
    const { run, warnings } = await mergeInto(base);
    run(base);
    expect(warnings.filter((w) => /VIP|IP alias/.test(w))).toEqual([]);
  });

  it('a VIP holding the address the topology gives an interface is refused', async () => {
    const vips: BoxVip[] = [{ uuid: 'b06c7b8d-9eaf-40b1-92c3-4e5f60718293', mode: 'ipalias', interface: 'lan', subnet: '10.0.0.1', bits: 24, descr: 'old alias' }];
    const base = withVips(factorySample('26.7'), vips);
    const { run } = await mergeInto(base);
    expect(() => run(base)).toThrow(/the base's IP alias 10\.0\.0\.1\/24 \("old alias"\) on lan holds 10\.0\.0\.1, the address the topology gives lan: .*Interfaces › Virtual IPs › Settings/);
  });
});

// interface_static_configure() (interfaces.inc, 25.7 to 26.7) configures <ipaddr>/<subnet> as written: only an
// address is_ipaddrv4() takes, with a subnet FreeBSD's ifconfig takes (digits, at most 32; ip-address.ts).
describe('networkOf', () => {
  const of = (ipaddr: string, subnet: string) => networkOf(parseXml(`<lan><if>vtnet1</if><ipaddr>${ipaddr}</ipaddr><subnet>${subnet}</subnet></lan>`).root)?.block.cidr;

  it("reads an interface's address and subnet as written, as the box configures them", () => {
    expect(of('10.0.0.1', '24')).toBe('10.0.0.0/24');
    expect(of('10.0.0.1', '024')).toBe('10.0.0.0/24');
    for (const [ipaddr, subnet] of [[' 10.0.0.1', '24'], ['10.0.0.1 ', '24'], ['10.0.0.1', ' 24'], ['10.0.0.1', '24 '], ['010.0.0.1', '24'], ['10.0.0.1', '33'], ['10.0.0.1', '']]) {
      expect(of(ipaddr!, subnet!), JSON.stringify([ipaddr, subnet])).toBeUndefined();
    }
  });
});
