// gen opnsense merge into boxes whose interfaces sit on links the topology
// cannot state: a PPPoE WAN (<ppps>) and a LAGG LAN (<laggs>).
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { child, serialize, textOf } from '../../src/render/opnsense/xml.js';
import { edit, readExample } from '../helpers.js';
import { factorySample, releaseSections, withLaggLan, withPppoeWan, withRoutesAndGroups } from './support.js';

const sample = factorySample;

async function mergeInto(base: string, yaml: string, release = '26.7') {
  const { sections, privateKey } = await releaseSections(yaml, release);
  const warnings: string[] = [];
  const run = (text: string) => mergeConfig(text, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
  return { run, warnings };
}

const wanOf = (xml: string) => child(child(parseXml(xml).root, 'interfaces'), 'wan');
const field = (node: ReturnType<typeof wanOf>, name: string) => textOf(child(node, name)).trim();

describe('merge into a box with a PPPoE WAN', () => {
  it.each(['25.7', '26.7'])('OPNsense %s: a dhcp WAN on the PPPoE port keeps the link, its <ppps> byte for byte, and a second merge changes nothing', async (release) => {
    const base = withPppoeWan(sample(release));
    const { run, warnings } = await mergeInto(base, readExample('vlan-hosting'), release);
    const merged = run(base);
    // OPNsense starts the link only while the key's device is the link and its address type pppoe (interface_ppps_configure).
    expect([field(wanOf(merged), 'if'), field(wanOf(merged), 'ipaddr')]).toEqual(['pppoe0', 'pppoe']);
    expect(field(wanOf(merged), 'blockpriv')).toBe('1');
    const ppps = /<ppps>[\s\S]*?<\/ppps>/.exec(base)![0];
    expect(merged).toContain(ppps);
    expect(warnings).toContain('kept a PPPoE link, pppoe0 over vtnet0, on wan: the topology\'s address: dhcp on vtnet0 stands for the address the link gets');
    expect(run(merged)).toBe(merged);
  });

  it('the topology naming the link device pppoe0 keeps it too', async () => {
    const base = withPppoeWan(sample('26.7'));
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 0, 'device'], 'pppoe0');
    // A VM's NICs are vtnetN (proxmox/firewall-nic-order): the box without a VM.
    const { run } = await mergeInto(base, edit(yaml, ['sites', 0, 'firewall', 'vm'], undefined));
    expect(field(wanOf(run(base)), 'ipaddr')).toBe('pppoe');
  });

  it('a static WAN address is refused, naming the link and what keeps it', async () => {
    const base = withPppoeWan(sample('26.7'));
    const { run } = await mergeInto(base, readExample('homelab'));
    expect(() => run(base)).toThrow(
      /the base's wan is a PPPoE link, pppoe0 over vtnet0 \(Interfaces › Devices › Point-to-Point\), which the topology cannot state: it gives wan the static address 192\.168\.0\.2 on vtnet0, .*set "address: dhcp" and device vtnet0/,
    );
  });
});

describe('merge into a box with a LAGG LAN', () => {
  it('a topology device that is a LAGG member is refused, with the LAGG named', async () => {
    const base = withLaggLan(sample('26.7'));
    const { run } = await mergeInto(base, readExample('vlan-hosting'));
    expect(() => run(base)).toThrow(/^vtnet1, lan's device and the parent of VLAN 10 \(vlan0\.10\) and .* is a member of the base's LAGG lagg0 \(LAN bond\): .*use device lagg0 in the topology/);
  });

  it('the LAGG itself as the device: the VLAN on it is the topology\'s, the LAGG stays byte for byte', async () => {
    const base = withLaggLan(sample('26.7'));
    const yaml = edit(edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'device'], 'lagg0'), ['sites', 0, 'firewall', 'vm'], undefined);
    const { run } = await mergeInto(base, yaml);
    const merged = run(base);
    expect(merged).toContain(/<laggs[\s\S]*?<\/laggs>/.exec(base)![0]);
    const lan = child(child(parseXml(merged).root, 'interfaces'), 'lan');
    expect(textOf(child(lan, 'if'))).toBe('lagg0');
    // The box's VLAN 10 on lagg0 is the same VLAN (parent and tag): it keeps its uuid.
    expect(serialize(child(parseXml(merged).root, 'vlans')!)).toMatch(/<vlan uuid="1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d">\s*<if>lagg0<\/if>\s*<tag>10<\/tag>/);
  });
});

describe('merge into a box with gateway groups', () => {
  // As System › Gateways › Group writes a group: 26.7's model (/gateways/gateway_group+, tiers item…item5, names
  // comma separated), and up to 26.1 one <item> per member, "name|tier|vip".
  const groups: Record<string, string> = {
    '26.7': '<gateway_group uuid="8f4a5b6c-7d8e-4f9a-b0c1-2d3e4f5a6b7c"><name>FAILOVER</name><item>GW_10_0_0_5</item><item2>WAN_GW</item2><item3/><item4/><item5/><trigger>down</trigger><poolopts/><descr/></gateway_group>',
    '25.7': '<gateway_group><name>FAILOVER</name><item>GW_10_0_0_5|1|address</item><item>WAN_GW|2|address</item><trigger>down</trigger><descr/></gateway_group>',
  };
  it.each(['25.7', '26.7'])("OPNsense %s: a group of the box's naming a gateway of gen's that the topology dropped is reported", async (release) => {
    const first = await mergeInto(sample(release), withRoutesAndGroups(), release);
    const merged = first.run(sample(release)).replace(/<\/opnsense>\n?$/, `  <gateways>${groups[release]}</gateways>\n</opnsense>\n`);
    const again = await mergeInto(merged, readExample('homelab'), release);
    again.run(merged);
    expect(again.warnings.filter((w) => w.includes('gateway group'))).toEqual([
      "the box's gateway group FAILOVER names gateway GW_10_0_0_5, which an earlier merge wrote and the topology no longer has: the group has no such member now (and from 26.7 OPNsense's gateway group model refuses it until it is changed); remove it from the group (System › Gateways › Group), or put the next hop back in the topology",
    ]);
  });
});

describe("merge into a box with a gateway of its own at gen's gateway address", () => {
  // As System › Gateways › Configuration writes one; the topology's WAN gateway is 192.168.0.1 (gen's WAN_GW).
  const gateway = (name: string, address: string) =>
    `<Gateways version="1.0.0"><gateway_item uuid="5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"><disabled>0</disabled><name>${name}</name><descr>ISP router</descr><interface>wan</interface><ipprotocol>inet</ipprotocol><gateway>${address}</gateway><defaultgw>1</defaultgw><fargw>0</fargw><monitor_disable>1</monitor_disable><monitor/><priority>255</priority><weight>1</weight></gateway_item></Gateways>`;
  const withGateway = (name: string, address: string) => sample('26.7').replace('<OPNsense>', `<OPNsense>${gateway(name, address)}`);

  it('another name at the same address is reported: OPNsense keeps each gateway address once (Gateways.xml UniqueConstraint)', async () => {
    const base = withGateway('ISP', '192.168.0.1');
    const { run, warnings } = await mergeInto(base, readExample('homelab'));
    const merged = run(base);
    const gateways = [...merged.matchAll(/<gateway_item uuid="[^"]+">[\s\S]*?<name>([^<]*)<\/name>[\s\S]*?<gateway>([^<]*)<\/gateway>/g)].map((m) => [m[1], m[2]]);
    expect(gateways).toEqual([['ISP', '192.168.0.1'], ['WAN_GW', '192.168.0.1']]);
    expect(warnings.filter((w) => w.includes('gateway ISP'))).toEqual([
      'the box\'s gateway ISP has the address 192.168.0.1 of gen\'s gateway WAN_GW: OPNsense keeps each gateway address once, and refuses to save either of them ("This gateway IP address already exists.") while both are there; move the box\'s routes and gateway groups to WAN_GW and remove its gateway ISP (System › Gateways › Configuration)',
    ]);
  });

  it("one of gen's name is taken over, and one at another address stays unreported", async () => {
    for (const [name, address] of [['WAN_GW', '192.168.0.1'], ['ISP', '192.168.0.254']]) {
      const base = withGateway(name!, address!);
      const { run, warnings } = await mergeInto(base, readExample('homelab'));
      run(base);
      expect(warnings.filter((w) => w.includes('gateway address once'))).toEqual([]);
    }
  });
});

describe("merge into a box with a VLAN of its own under gen's device name", () => {
  it('a VLAN on another parent named like the topology\'s is refused, not moved', async () => {
    const vlan = (parent: string, tag: number, uuid: string) =>
      `<vlans version="1.0.0"><vlan uuid="${uuid}"><if>${parent}</if><tag>${tag}</tag><pcp>0</pcp><proto/><descr>IoT spare</descr><vlanif>vlan0.20</vlanif></vlan></vlans>`;
    const withVlan = (xml: string) => sample('26.7').replace(/<\/opnsense>\n?$/, `  ${xml}\n</opnsense>\n`);
    const base = withVlan(vlan('vtnet6', 20, '4d5e6f7a-8b9c-4d4e-9f5a-6b7c8d9e0f1a'));
    const { run } = await mergeInto(base, readExample('vlan-hosting'));
    expect(() => run(base)).toThrow(/^the base has a VLAN device vlan0\.20 \(IoT spare\), tag 20 on vtnet6, but the topology's vlan0\.20 is tag 20 on vtnet1; .*rename or remove it/);
    // The same VLAN (parent and tag) is the topology's, and keeps its uuid.
    const same = withVlan(vlan('vtnet1', 20, '4d5e6f7a-8b9c-4d4e-9f5a-6b7c8d9e0f1a'));
    expect(run(same)).toMatch(/<vlan uuid="4d5e6f7a-8b9c-4d4e-9f5a-6b7c8d9e0f1a">\s*<if>vtnet1<\/if>\s*<tag>20<\/tag>/);
  });
});

describe('merge into a box with an interface group named like one of the topology\'s', () => {
  const group = (members: string, uuid: string) =>
    `<ifgroups version="1.0.0"><ifgroupentry uuid="${uuid}"><ifname>internal</ifname><members>${members}</members><nogroup>0</nogroup><sequence>0</sequence><descr>Box internal</descr></ifgroupentry></ifgroups>`;
  const withGroup = (xml: string) => sample('26.7').replace(/<\/opnsense>\n?$/, `  ${xml}\n</opnsense>\n`);

  it('a group of the box\'s own with members the topology\'s has not is refused, naming them', async () => {
    const base = withGroup(group('lan,opt6', '9a5b6c7d-8e9f-4a0b-81c2-3d4e5f6a7b8c'));
    const { run } = await mergeInto(base, withRoutesAndGroups());
    expect(() => run(base)).toThrow(/^the base has an interface group internal \(Box internal\) of lan, opt6, and the topology's group of that name has lan, opt1: a merge would take opt6 out of it/);
  });

  it('one whose members the topology\'s group lists is taken over with its uuid', async () => {
    const base = withGroup(group('lan', '9a5b6c7d-8e9f-4a0b-81c2-3d4e5f6a7b8c'));
    const { run } = await mergeInto(base, withRoutesAndGroups());
    expect(run(base)).toMatch(/<ifgroupentry uuid="9a5b6c7d-8e9f-4a0b-81c2-3d4e5f6a7b8c">\s*<ifname>internal<\/ifname>\s*<members>lan,opt1<\/members>/);
  });
});
