// The generated interfaces files through Proxmox VE's own code: pve-common's
// reader and writer (what the GUI does on any network edit, before Apply
// renames interfaces.new over interfaces), and the API's check of the bridge
// properties the GUI sends back when a bridge is edited. Every file must come
// back with every configuration line, and only the header comments replaced.
// Needs the pve-common git mirror (PVE_MIRROR=<dir holding proxmox+pve-common/repo>).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintText } from '../../src/pipeline.js';
import { renderAll } from '../../src/render/index.js';
import { edit, readExample, render, root } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { pvePerl, whyNoUpstream } from './pve-perl.js';
import { NIC, hostWithNic } from './nic-address.js';
import { BOND_MTU, bridgeOnBondVlan, bridgeOnBridgeVlan, bridgeOnVlanPort, hostOnBond, vlanNics } from './bond.js';
import { MGMT, hostOnJumboVlan, hostOnVlan, hostOnVlanWithRoutes } from './vlan-address.js';

const why = whyNoUpstream;
if (why) console.warn(`SKIPPED: Proxmox VE round-trip of the interfaces files: ${why}`);

const tool = join(root, 'test/tools/pve-perl');
const homelab = readExample('homelab');
const hosting = readExample('vlan-hosting');
const host = ['sites', 0, 'proxmox', 'hosts', 0];

const variants: Record<string, { yaml: () => string; file: string; nics?: string[] }> = {
  'scenario A': { yaml: () => homelab, file: 'home/proxmox/pve/interfaces' },
  'scenario B': { yaml: () => hosting, file: 'hosting/proxmox/pve/interfaces' },
  'A with jumbo frames on a bridge with a port and on one without': {
    yaml: () => edit(edit(homelab, [...host, 'bridges', 0, 'mtu'], 9000), [...host, 'bridges', 2, 'mtu'], 9000),
    file: 'home/proxmox/pve/interfaces',
  },
  'A with site-to-site networks': { yaml: () => edit(homelab, ['sites', 0, 'remote_networks'], [{ name: 'office', cidr: '172.16.0.0/16' }]), file: 'home/proxmox/pve/interfaces' },
  'B with explicit vids and a VLAN-aware bridge without VLANs': {
    yaml: () => edit(edit(hosting, [...host, 'bridges', 0, 'vlan_aware'], true), [...host, 'bridges', 1, 'vids'], [10, 20, 30, '100-110']),
    file: 'hosting/proxmox/pve/interfaces',
  },
  'B, second host carrying the same trunk': {
    yaml: () => edit(edit(hosting, ['sites', 0, 'proxmox', 'hosts', 1], { name: 'pve2', bridges: [{ name: 'vmbr2', ports: ['eno2'], mtu: 9000 }] }), ['sites', 0, 'firewall', 'vm'], { host: 'pve' }),
    file: 'hosting/proxmox/pve2/interfaces',
  },
  'B with the host address in VLAN mgmt': { yaml: () => hostOnVlan, file: 'hosting/proxmox/pve/interfaces' },
  'B with the host address in VLAN mgmt and routes through it': { yaml: () => hostOnVlanWithRoutes, file: 'hosting/proxmox/pve/interfaces' },
  'B with the host address in VLAN mgmt on a jumbo-frame bridge': { yaml: () => hostOnJumboVlan, file: 'hosting/proxmox/pve/interfaces' },
  'A with a NIC with an address of its own': { yaml: () => hostWithNic, file: 'home/proxmox/pve/interfaces' },
  'B with a bridge on an LACP bond and an active-backup bond': { yaml: () => hostOnBond, file: 'hosting/proxmox/pve/interfaces' },
  'B with a jumbo-frame bridge on a VLAN device of a NIC': { yaml: () => bridgeOnVlanPort, file: 'hosting/proxmox/pve/interfaces' },
  'B with a jumbo-frame bridge on a VLAN device of a bond, and a NIC with an address': { yaml: () => bridgeOnBondVlan, file: 'hosting/proxmox/pve/interfaces' },
  'B with a jumbo-frame bridge on a VLAN device of a jumbo-frame bridge': { yaml: () => bridgeOnBridgeVlan(BOND_MTU), file: 'hosting/proxmox/pve/interfaces' },
  'B with VLAN devices with addresses on a bond and on a NIC': { yaml: () => vlanNics, file: 'hosting/proxmox/pve/interfaces', nics: ['eno1', 'eno2', 'eno3', 'eno4'] },
};

/** The file without its leading comment block: what Proxmox VE's writer replaces with its own header. */
const body = (text: string) => text.replace(/^(#.*\n)+\n/, '');

describe.skipIf(why)(`Proxmox VE's own reader, writer and API check${why ? ` (SKIPPED: ${why})` : ''}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'gen-pve-roundtrip-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    env.PVE_PERL_CACHE = pvePerl().cache;
  }, 120_000);

  /** `nics`: the host's physical NICs, where the file does not name each (else those it names). */
  function roundTrip(text: string, name: string, nics?: string[]) {
    const file = join(work, `${name.replace(/\W+/g, '-')}.interfaces`);
    writeFileSync(file, text);
    const result = spawnSync('bash', [join(tool, 'run.sh')].concat(nics ? ['--nics', nics.join(',')] : [], [file]), { env, encoding: 'utf8' });
    return { status: result.status, report: result.stdout + result.stderr, rewrite: existsSync(`${file}.pve`) ? readFileSync(`${file}.pve`, 'utf8') : undefined };
  }

  it.each(Object.keys(variants))('%s: every line survives, the GUI can save every bridge, only the header differs', async (name) => {
    const text = (await render(variants[name]!.yaml())).get(variants[name]!.file)!;
    const { status, report, rewrite } = roundTrip(text, name, variants[name]!.nics);
    expect(report).not.toMatch(/^(LOST|CHANGED|ADDED|REORDERED|PVE (WARNING|REFUSED))/m);
    expect(report).toMatch(/^RESULT: OK /m);
    expect(status).toBe(0);
    expect(rewrite).toMatch(/^# network interface settings; autogenerated\n/);
    expect(body(rewrite!)).toBe(body(text));
  });

  it('reads the host address stanza as a VLAN of the bridge with the network’s tag, and nothing else as a VLAN', async () => {
    for (const yaml of [hostOnVlan, hostOnVlanWithRoutes]) {
      const text = (await render(yaml)).get('hosting/proxmox/pve/interfaces')!;
      const { report } = roundTrip(text, 'vlan-address');
      expect(report.match(/^PVE VLAN: .*$/gm)).toEqual([`PVE VLAN: ${MGMT.device} raw-device ${MGMT.bridge} id ${MGMT.tag} method static`]);
    }
    // The host's address in the untagged LAN of the same bridge: on the bridge itself, no VLAN device.
    const untagged = edit(hosting, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1, 'address'], '192.168.1.5/24');
    const plain = roundTrip((await render(untagged)).get('hosting/proxmox/pve/interfaces')!, 'no-vlan-address');
    expect(plain.report).not.toMatch(/^PVE VLAN:/m);
  });

  // A second host whose management bridge has no port, with the firewall VM on the first: Proxmox VE reads
  // gen's `bridge-ports none` as an empty bridge (Interfaces.pm: is_empty_bridge, no bridge_ports), a switch
  // only pve2's own guests join, while pve2's default route goes via the firewall's address on pve. gen
  // reports that (proxmox/host-gateway-no-port), and no longer once the bridge has its port.
  it('reads a second host’s bridge without ports as an empty bridge, and lint reports its gateway on another host', async () => {
    const pve2 = (ports?: string[]) =>
      edit(edit(homelab, ['sites', 0, 'proxmox', 'hosts', 1], { name: 'pve2', ports: ['eno1'], bridges: [{ name: 'vmbr1', ...(ports ? { ports } : {}), address: '10.0.0.253/24' }] }), ['sites', 0, 'backup', 'pbs', 'vm', 'host'], 'pve');
    // What gen makes of it (the model renders; a build stops at the error), and how Proxmox VE reads pve2's file.
    const read = async (yaml: string) => {
      const { diagnostics, model } = await lintText(yaml);
      const text = renderAll(model!).get('home/proxmox/pve2/interfaces')!;
      const bridge = roundTrip(text, `pve2-${yaml.length}`).report.match(/^PVE BRIDGE: vmbr1 .*$/m)?.[0];
      return { errors: diagnostics.filter((d) => d.severity === 'error').map((d) => [d.rule, d.location.line]), bridge, model: model! };
    };
    const without = await read(pve2());
    const site = without.model.sites[0]!;
    const firewallAddress = site.firewall!.interfaces.find((i) => i.bridge === 'vmbr1')!.address!;
    expect(site.guests.find((g) => g.purpose === 'firewall')!.host).toBe('pve');
    expect(without.bridge).toBe(`PVE BRIDGE: vmbr1 ports - address 10.0.0.253/24 gateway ${firewallAddress}`);
    expect(without.errors).toEqual([['proxmox/host-gateway-no-port', lineOf(pve2(), ['sites', 0, 'proxmox', 'hosts', 1, 'bridges', 0])]]);
    const withPort = await read(pve2(['eno1']));
    expect(withPort.bridge).toBe(`PVE BRIDGE: vmbr1 ports eno1 address 10.0.0.253/24 gateway ${firewallAddress}`);
    expect(withPort.errors).toEqual([]);
  });

  // pve-common PVE/Network/Interfaces.pm: every bondN is read as a bond; the writer marks each bond slave
  // `auto` (autostart), writes a bond read without slaves as `bond-slaves none` in mode balance-rr, and refuses
  // a bond whose MTU is below its bridge's (check_mtu) and a bond-primary that is no slave.
  it('keeps gen’s bonds, and shows what it makes of the bonds gen must not write', async () => {
    const text = (await render(hostOnBond)).get('hosting/proxmox/pve/interfaces')!;
    expect(roundTrip(text.replace(/^auto eno1\n/m, ''), 'bond-slave-not-auto').report).toMatch(/^ADDED: .*\bauto eno1\b/m);
    const bare = roundTrip(text.replace(/^iface bond0 inet manual\n(\t.*\n|#.*\n)*/m, 'iface bond0 inet manual\n').replace(/^auto bond0\n/m, ''), 'bond-without-slaves');
    expect(bare.report).toMatch(/^ADDED: iface bond0 inet: bond-slaves none$/m);
    expect(bare.report).toMatch(/^ADDED: iface bond0 inet: bond-mode balance-rr$/m);
    const lowMtu = roundTrip(text.replace(/(bond-mode 802\.3ad\n(\t.*\n)*?)\tmtu 9000\n/, '$1\tmtu 1500\n'), 'bond-mtu-below-bridge');
    expect(lowMtu.status).toBe(1);
    // Against the bridge or a slave, whichever check runs first (the writer walks a hash).
    expect(lowMtu.report).toMatch(/interface 'bond0' - mtu 1500 is lower than '(vmbr2|eno1|eno2)' - mtu 9000/);
    const primary = roundTrip(text.replace('bond-primary eno5', 'bond-primary eno3'), 'bond-primary-no-slave');
    expect(primary.report).toMatch(/bond 'bond1' - bond-primary interface is not a slave/);
  });

  // check_mtu of a VLAN against its raw device (one without an MTU counts as 1500): a bridge's MTU on its
  // port eno1.20 needs the same on eno1, which the file did not name before.
  it('takes a jumbo-frame bridge on a VLAN device port only with the MTU on the raw NIC too', async () => {
    const text = (await render(bridgeOnVlanPort)).get('hosting/proxmox/pve/interfaces')!;
    expect(text).toMatch(/\niface eno1 inet manual\n\tmtu 9000\n\niface eno1\.20 inet manual\n\tmtu 9000\n/);
    const withoutRaw = roundTrip(text.replace('iface eno1 inet manual\n\tmtu 9000\n\n', ''), 'vlan-port-raw-1500', ['eno1', 'eno3']);
    expect(withoutRaw.status).toBe(1);
    expect(withoutRaw.report).toMatch(/interface 'eno1' - mtu 1500 is lower than 'eno1\.20' - mtu 9000/);
  });

  // check_mtu of a VLAN against its raw device when that is a bridge: gen does not raise a bridge's MTU (every
  // guest on it takes it), so lint reports the port's bridge (proxmox/vlan-port-mtu) where the writer would refuse.
  it('refuses a jumbo-frame bridge on a VLAN device of a 1500 bridge, which lint reports at the MTU', async () => {
    for (const rawMtu of [undefined, 1500, BOND_MTU]) {
      const yaml = bridgeOnBridgeVlan(rawMtu);
      const { diagnostics, model } = await lintText(yaml);
      const text = renderAll(model!).get('hosting/proxmox/pve/interfaces')!;
      const { status, report } = roundTrip(text, `vlan-port-on-bridge-${rawMtu ?? 'none'}`);
      const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => [d.rule, d.location.line]);
      if (rawMtu === BOND_MTU) {
        expect(status, report).toBe(0);
        expect(errors).toEqual([]);
        continue;
      }
      expect(status).toBe(1);
      expect(report).toMatch(new RegExp(`interface 'vmbr2' - mtu ${rawMtu ?? 1500} is lower than 'vmbr2\\.40' - mtu ${BOND_MTU}`));
      expect(errors).toEqual([['proxmox/vlan-port-mtu', lineOf(yaml, [...host, 'bridges', 2, 'mtu'])]]);
    }
  });

  it('reads the VLAN device of a jumbo-frame bridge without an MTU of its own, which Proxmox VE checks against its bridge’s only when it has one', async () => {
    // pve-common PVE/Network/Interfaces.pm check_mtu: a VLAN's MTU must not exceed its raw device's (one
    // without counts as 1500); a VLAN without an MTU is not checked, and ifupdown2 gives it the bridge's.
    const text = (await render(hostOnJumboVlan)).get('hosting/proxmox/pve/interfaces')!;
    const vlan = /\nauto vmbr2\.10\n[^]*?\n\n/.exec(text)![0];
    expect(vlan).not.toMatch(/\bmtu\b/);
    expect(text).toMatch(/\niface vmbr2 inet manual\n(\t.*\n)*\tmtu 9000\n/);
    const withMtu = roundTrip(text.replace('iface vmbr2.10 inet static\n', 'iface vmbr2.10 inet static\n\tmtu 9000\n'), 'vlan-jumbo-mtu');
    expect(withMtu.status, withMtu.report).toBe(0);
    const aboveBridge = roundTrip(text.replace(/\tmtu 9000\n/g, '').replace('iface vmbr2.10 inet static\n', 'iface vmbr2.10 inet static\n\tmtu 9000\n'), 'vlan-mtu-above-bridge');
    expect(aboveBridge.status).toBe(1);
    expect(aboveBridge.report).toMatch(/interface 'vmbr2' - mtu 1500 is lower than 'vmbr2\.10' - mtu 9000/);
  });

  it('reads a NIC with an address of its own as a physical NIC, and refuses the file once that NIC is a bridge port (proxmox/nic-address-bridged)', async () => {
    const text = (await render(hostWithNic)).get('home/proxmox/pve/interfaces')!;
    expect(text).toMatch(new RegExp(`\\nauto ${NIC.name}\\niface ${NIC.name} inet static\\n\\taddress ${NIC.address}\\n`));
    const bridged = roundTrip(text.replace(/(\niface vmbr1 inet [a-z]+\n(\t.*\n)*?)\tbridge-ports none\n/, `$1\tbridge-ports ${NIC.name}\n`), 'nic-bridged');
    expect(bridged.status).toBe(1);
    expect(bridged.report).toMatch(new RegExp(`PVE REFUSED \\(write\\)[^\\n]*\\n\\s+iface ${NIC.name} - ip address can't be set on interface if bridged in vmbr1`));
  });

  it('refuses what gen must never write: a bridge MTU above its port’s, VLAN 1 and one-tag ranges in bridge-vids', async () => {
    const text = (await render(hosting)).get('hosting/proxmox/pve/interfaces')!;
    const mtu = roundTrip(text.replace('bridge-fd 0\n', 'bridge-fd 0\n\tmtu 9000\n'), 'bridge-mtu-above-port');
    expect(mtu.status).toBe(1);
    expect(mtu.report).toMatch(/PVE REFUSED \(write\)[^\n]*\n\s+interface 'eno3' - mtu 1500 is lower than 'vmbr1' - mtu 9000/);
    const vids = roundTrip(text.replace('bridge-vids 10 20 30', 'bridge-vids 1 10 20-20 30'), 'vids-1');
    expect(vids.status).toBe(1);
    expect(vids.report).toMatch(/^PVE REFUSED \(api\)[^\n]*vmbr2: bridge_vids: invalid format - invalid VLAN tag '1'$/m);
    const single = roundTrip(text.replace('bridge-vids 10 20 30', 'bridge-vids 10 20-20 30'), 'vids-one-tag');
    expect(single.report).toMatch(/^PVE REFUSED \(api\)[^\n]*vmbr2: bridge_vids: invalid format - VLAN range must go from lower to higher tag '20-20'$/m);
  });
});
