// The generated interfaces files against the real ifupdown2: a parse with
// Proxmox's settings for every file, and a bring-up inside User-Mode-Linux
// (the host kernel has no VLAN filtering) that shows the derived route and
// the bridge VLANs in the kernel's own tables. Each runs with Debian's
// ifupdown2 and with Proxmox VE 9's (ifupdown2-builds.ts).
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Network, Site } from '../../src/model.js';
import { formatIPv4 } from '../../src/net.js';
import { edit, modelOf, readExample, render, root } from '../helpers.js';
import { missing, titled, umlCannotRun } from '../system-tools.js';
import { builds, pveBuild, pvePatches, pveTree } from './ifupdown2-builds.js';
import { NIC, hostWithNic } from './nic-address.js';
import { BACKUP, BOND_MTU, LACP, bridgeOnBondVlan, bridgeOnBridgeVlan, bridgeOnVlanPort, hostOnBond, vlanNics } from './bond.js';
import { MGMT, hostOnJumboVlan, hostOnVlan, hostOnVlanWithRoutes } from './vlan-address.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const homelab = readExample('homelab');
const hosting = readExample('vlan-hosting');
const hostPath = ['sites', 0, 'proxmox', 'hosts', 0];
const work = tempDir('gen-ifupdown2-');

async function interfacesOf(yaml: string, name: string): Promise<string> {
  const files = await render(yaml);
  const [text] = [...files].filter(([path]) => path.endsWith('/interfaces')).map(([, t]) => t);
  const file = join(work, `${name}.interfaces`);
  writeFileSync(file, text!);
  return file;
}

const variants: Record<string, () => string> = {
  'scenario A': () => homelab,
  'scenario B': () => hosting,
  'A with jumbo frames on a bridge with a port and on one without': () =>
    edit(edit(homelab, [...hostPath, 'bridges', 0, 'mtu'], 9000), [...hostPath, 'bridges', 2, 'mtu'], 9000),
  'A with site-to-site networks and an MTU': () =>
    edit(edit(homelab, ['sites', 0, 'remote_networks'], [{ name: 'office', cidr: '172.16.0.0/16' }]), [...hostPath, 'bridges', 0, 'mtu'], 9000),
  'A with a description full of keywords': () =>
    edit(homelab, [...hostPath, 'bridges', 1, 'description'], 'x\u2028iface vmbr9 inet static\u0085 post-up reboot # "quoted"'),
  'B with two VLAN-aware bridges and explicit vids': () =>
    edit(edit(hosting, [...hostPath, 'bridges', 0, 'vlan_aware'], true), [...hostPath, 'bridges', 1, 'vids'], [10, 20, 30, '100-110']),
  'B with the host address in VLAN mgmt': () => hostOnVlan,
  'B with the host address in VLAN mgmt and routes through it': () => hostOnVlanWithRoutes,
  'B with the host address in VLAN mgmt on a jumbo-frame bridge': () => hostOnJumboVlan,
  'A with a NIC with an address of its own': () => hostWithNic,
  'B with a bridge on an LACP bond and an active-backup bond': () => hostOnBond,
  'B with a jumbo-frame bridge on a VLAN device of a NIC': () => bridgeOnVlanPort,
  'B with a jumbo-frame bridge on a VLAN device of a bond, and a NIC with an address': () => bridgeOnBondVlan,
  'B with a jumbo-frame bridge on a VLAN device of a jumbo-frame bridge': () => bridgeOnBridgeVlan(BOND_MTU),
  'B with VLAN devices with addresses on a bond and on a NIC': () => vlanNics,
};

const syncheckScript = join(root, 'test/scripts/ifupdown2-syncheck.sh');
const whyParse = missing(['ifup', 'ifquery', 'ip', 'unshare']);

for (const build of builds) {
const why = whyParse ?? build.why;
/** ifupdown2-syncheck.sh with this build; its exit status and both outputs. */
const syncheck = (args: string[]) => {
  const r = spawnSync(syncheckScript, args, { encoding: 'utf8', env: Object.assign({}, process.env, build.env()) });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

describe.skipIf(why)(titled(`${build.name} parses every generated file`, why), () => {
  it.each(Object.keys(variants))('%s: no error, no warning, every stanza parsed', async (name) => {
    const file = await interfacesOf(variants[name]!(), name.replace(/\W+/g, '-'));
    const result = syncheck([file]);
    expect(result.stderr + (result.status === 0 ? '' : result.stdout)).toBe('');
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { name: string; config: Record<string, string | string[]> }[];
    const expected = readFileSync(file, 'utf8').match(/^auto (\S+)$/gm)!.map((l) => l.slice(5));
    expect(parsed.map((s) => s.name)).toEqual(expected);
  });

  it('reads a NIC with an address of its own with that address and MTU', async () => {
    const result = syncheck([await interfacesOf(hostWithNic, 'nic-address')]);
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { name: string; addr_method?: string; config: Record<string, string | string[]> }[];
    const nic = parsed.find((s) => s.name === NIC.name)!;
    expect(nic.addr_method).toBe('static');
    expect(nic.config).toEqual({ address: NIC.address, mtu: String(NIC.mtu) });
  });

  it('reads the bonds with their slaves, mode, hash policy or primary, and MTU', async () => {
    const result = syncheck([await interfacesOf(hostOnBond, 'bonds')]);
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { name: string; config: Record<string, string | string[]> }[];
    const config = (name: string) => parsed.find((s) => s.name === name)!.config;
    expect(config(LACP.name)).toMatchObject({ 'bond-slaves': LACP.slaves.join(' '), 'bond-mode': LACP.mode, 'bond-xmit-hash-policy': LACP.xmit_hash_policy, mtu: String(BOND_MTU) });
    expect(config(BACKUP.name)).toMatchObject({ 'bond-slaves': BACKUP.slaves.join(' '), 'bond-mode': BACKUP.mode, 'bond-primary': BACKUP.primary, mtu: String(BACKUP.mtu) });
    for (const slave of LACP.slaves) expect(config(slave)).toEqual({ mtu: String(BOND_MTU) });
    expect(config('vmbr2')['bridge-ports']).toBe(LACP.name);
  });

  it('reports a broken file (the check can fail)', async () => {
    const file = await interfacesOf(homelab, 'broken');
    writeFileSync(file, readFileSync(file, 'utf8').replace('bridge-stp off', 'bridge-stp maybe'));
    const result = syncheck([file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/bridge-stp: invalid value "maybe"/);
  });

  it('checks many files in one run with --no-query, and names the broken one among good ones', async () => {
    const good = await interfacesOf(homelab, 'many-good');
    const broken = await interfacesOf(homelab, 'many-broken');
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('bridge-stp off', 'bridge-stp maybe'));
    const fine = syncheck(['--no-query', good, good]);
    expect(fine.stdout + fine.stderr).toBe('');
    expect(fine.status).toBe(0);
    const result = syncheck(['--no-query', good, broken, good]);
    expect(result.status).toBe(1);
    expect(result.stdout.match(/^FILE: .*$/gm)).toEqual([`FILE: ${realpathSync(broken)}`]);
    expect(result.stdout).toMatch(/bridge-stp: invalid value "maybe"/);
  });
});

}

describe.skipIf(pveBuild.why)(titled("Proxmox's patches on upstream ifupdown2 3.3.0", pveBuild.why), () => {
  it("every one of Proxmox's own patches applies, but the one for the package build (setup.py)", () => {
    const { applied, skipped } = pvePatches();
    expect(applied.filter((p) => p.startsWith('pve/')).length).toBeGreaterThan(0);
    expect(skipped.filter((p) => p.startsWith('pve/'))).toEqual(skipped.filter((p) => /^pve\/\d+-setup-/.test(p)));
  });

  it('comes with its modules compiled by this python3, whose cache a guest on a read-only root cannot write', () => {
    // Each module's bytecode where python3 looks for it, with what python3 checks before it takes it: its own
    // magic number, a timestamp-based file (flags 0), and the source's mtime and size as they are. Without it,
    // each ifupdown2 command in a guest compiled every module again.
    const check = [
      'import importlib.util, os, struct, sys',
      'for top in sys.argv[1:]:',
      '  for d, _, names in os.walk(top):',
      '    for n in names:',
      "      if not n.endswith('.py'): continue",
      '      src = os.path.join(d, n); pyc = importlib.util.cache_from_source(src)',
      "      st = os.stat(src)",
      "      ok = os.path.exists(pyc) and struct.unpack('<4sIII', open(pyc, 'rb').read(16)) == (importlib.util.MAGIC_NUMBER, 0, int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF)",
      "      print(('compiled ' if ok else 'missing ') + os.path.relpath(src, top))",
    ].join('\n');
    const r = spawnSync('python3', ['-c', check, join(pveTree(), 'share'), join(pveTree(), 'pylib')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.filter((l) => !l.startsWith('compiled '))).toEqual([]);
  });
});

const uml = join(root, 'test/scripts/uml-ifupdown2.sh');
const whyUml = missing(['linux.uml', 'modprobe', 'ifup', 'bridge']) ?? umlCannotRun();

for (const build of builds) {
const why = whyUml ?? build.why;
const tag = build === builds[0] ? '' : `-${builds.indexOf(build)}`;
// The bring-ups run in beforeAll, never at collection time: a skipped block collects without running anything.
describe.skipIf(why)(titled(`bring-up with ${build.name} inside User-Mode-Linux`, why), () => {
  const run = promisify(execFile);
  async function bringUp(yaml: string, name: string, probes: string[] = [], edit?: (text: string) => string, peer?: string, env: Record<string, string> = {}): Promise<(file: string) => string> {
    const file = await interfacesOf(yaml, `${name}${tag}`);
    if (edit) writeFileSync(file, edit(readFileSync(file, 'utf8')));
    const out = join(work, `uml-${name}${tag}`);
    try {
      await run(uml, [file, out, ...probes], { timeout: 660_000, env: Object.assign({}, process.env, build.env(), peer ? { PEER: peer } : {}, env) });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      throw new Error(`bring-up of ${name} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    return (f) => readFileSync(join(out, f), 'utf8');
  }
  // The firewall VM's NIC on vmbr2 is a tagless trunk port; as a bridge port it
  // shows which VLANs ifupdown2 lets through from the generated bridge-vids.
  const hostingWithTrunk = edit(hosting, [...hostPath, 'bridges', 1, 'ports'], ['tap102i1']);
  // Jumbo frames on the bridge with a port, and on one without (where guests' taps plug in).
  const jumbo = edit(edit(homelab, [...hostPath, 'bridges', 0, 'mtu'], 9000), [...hostPath, 'bridges', 2, 'mtu'], 9000);
  // One address inside every network of the firewall (not its own), to ask the kernel where it goes.
  const probeOf = (n: Network) => formatIPv4(n.block.base + 5);
  let site: Site;
  let firewallNetworks: Network[];
  let a: (file: string) => string;
  let b: (file: string) => string;
  let trunk: (file: string) => string;
  let mtu: (file: string) => string;
  // The host address in VLAN mgmt, with a trunk port to the firewall's VLAN
  // device (the far end of a veth pair); and the same file with the address
  // on the bridge itself, untagged, as gen wrote it before.
  const onVlan = edit(hostOnVlanWithRoutes, [...hostPath, 'bridges', 1, 'ports'], ['fwport']);
  const peer = `fwport,${MGMT.tag},${MGMT.firewall}/24`;
  const untagged = (text: string) =>
    text.replace(/\nauto vmbr2\.10\n[^]*?\n\n/, '\n').replace('iface vmbr2 inet manual\n', `iface vmbr2 inet static\n\taddress ${MGMT.address}\n`);
  let vlan: (file: string) => string;
  let bare: (file: string) => string;
  // The host address in VLAN mgmt on a jumbo-frame bridge: brought up, then the MTU lines taken out
  // and put back, each time applied with ifreload -a (the GUI's Apply). The kernel lowers a VLAN
  // device with its raw device but never raises it; ifupdown2 sets a VLAN without an `mtu` line to
  // its raw device's (addons/address.py, adjust_logical_dev_mtu, on by default).
  const mtuScript = join(work, 'vlan-mtu.sh');
  const mtuDrifts = join(work, 'vlan-mtu.drifts');
  const reload = (file: string) => `mount --bind ${file} /etc/network/interfaces && ifreload -a`;
  let jumboVlan: (file: string) => string;
  // Bonds over NICs, and a VLAN device of a NIC as the port of the VLAN-aware vmbr2 (docs/proxmox.md, VLANs).
  const vlanPortInAware = edit(edit(hosting, [...hostPath, 'bridges', 1, 'ports'], ['eno4.20']), [...hostPath, 'bridges', 1, 'mtu'], 9000);
  let bonds: (file: string) => string;
  let vlanPort: (file: string) => string;
  // Debian's ifupdown2 refuses the VLAN device port: the run fails, its files stay.
  const filesOf = (name: string) => () => (f: string) => readFileSync(join(work, `uml-${name}${tag}`, f), 'utf8');
  beforeAll(async () => {
    writeFileSync(mtuScript, `for d in ${MGMT.bridge} ${MGMT.device}; do echo "$d $(cat /sys/class/net/$d/mtu)"; done\n`);
    writeFileSync(mtuDrifts, `sed '/\\tmtu 9000$/d' /run/in/interfaces > /tmp/no-mtu && ${reload('/tmp/no-mtu')}\n${reload('/run/in/interfaces')}\n`);
    site = (await modelOf(homelab)).sites[0]!;
    firewallNetworks = site.networks;
    // All at once: uml-ifupdown2.sh runs as many guests at a time as the machine has cores (UML_SLOTS).
    [jumboVlan, a, b, trunk, mtu, vlan, bare, bonds, vlanPort] = await Promise.all([
      bringUp(edit(hostOnJumboVlan, [...hostPath, 'bridges', 1, 'ports'], ['fwport']), 'B-jumbo-vlan', [], undefined, undefined, { VERIFY: mtuScript, VERIFY_DRIFTS: mtuDrifts }),
      // Only scenario A is taken down again (IFDOWN, uml-ifupdown2.sh): the others' tests read the bring-up alone.
      bringUp(homelab, 'A', firewallNetworks.map(probeOf), undefined, undefined, { IFDOWN: '1' }),
      bringUp(hosting, 'B'),
      bringUp(hostingWithTrunk, 'B-trunk'),
      bringUp(jumbo, 'A-jumbo'),
      bringUp(onVlan, 'B-vlan-address', ['192.168.20.5'], undefined, peer),
      bringUp(onVlan, 'B-untagged-address', [], untagged, peer).catch(() => (f: string) => readFileSync(join(work, `uml-B-untagged-address${tag}`, f), 'utf8')),
      bringUp(hostOnBond, 'B-bonds'),
      bringUp(vlanPortInAware, 'B-vlan-port').catch(filesOf('B-vlan-port')),
    ]);
  }, 1_800_000);

  it('runs this build of ifupdown2', () => {
    expect(a('ifup-path.txt').trim()).toBe(build.env().IFUPDOWN2_TREE ? join(build.env().IFUPDOWN2_TREE!, 'share/ifupdown2/__main__.py') : realpathSync('/usr/sbin/ifup'));
  });

  it('bonds come up as bonds of the NICs they name, with their mode and MTU, the LACP one as a bridge port', () => {
    const links = JSON.parse(bonds('links.json')) as { ifname: string; mtu: number; master?: string; linkinfo?: { info_kind: string; info_data?: { mode?: string } } }[];
    const detailed = JSON.parse(bonds('bonds.json')) as typeof links;
    for (const bond of [LACP, BACKUP]) {
      expect(links.filter((l) => l.master === bond.name).map((l) => l.ifname).sort()).toEqual([...bond.slaves].sort());
      const found = detailed.find((l) => l.ifname === bond.name)!;
      expect(found.linkinfo!.info_data!.mode).toBe(bond.mode);
      expect(found.mtu).toBe('mtu' in bond ? bond.mtu : BOND_MTU);
    }
    expect(links.find((l) => l.ifname === LACP.name)!.master).toBe('vmbr2');
    expect(bonds('ifup-problems.log')).toBe('');
    expect(bonds('ifquery-check.rc').trim()).toBe('0');
  });

  it('a VLAN device as the port of a VLAN-aware bridge: Proxmox VE 9 carries the bridge’s VLANs on it; Debian’s 3.0.0 refuses it', () => {
    const ports = JSON.parse(vlanPort('bridge-vlan.json')) as { ifname: string; vlans: { vlan: number }[] }[];
    const vids = ports.find((p) => p.ifname === 'eno4.20')!.vlans.map((v) => v.vlan);
    if (build.env().IFUPDOWN2_TREE) {
      expect(vids).toEqual([1, 10, 20, 30]);
      expect(vlanPort('ifup-problems.log')).toBe('');
      expect(vlanPort('ifquery-check.rc').trim()).toBe('0');
    } else {
      expect(vids).toEqual([1]);
      expect(vlanPort('ifup-problems.log')).toContain('error: vmbr2: eno4.20: vlan sub-interface is not supported in a vlan-aware bridge');
    }
  });

  it('scenario A: the derived return route and the default gateway are in the routing table, and leave with ifdown', () => {
    const routes = a('route.txt').split('\n');
    expect(routes).toContain('10.0.1.0/24 via 10.0.0.1 dev vmbr1 ');
    expect(routes).toContain('10.1.0.0/24 via 10.0.0.1 dev vmbr1 ');
    expect(routes.some((r) => r.startsWith('default via 192.168.0.1 dev vmbr0'))).toBe(true);
    expect(a('route-after-down.txt')).not.toContain('10.0.1.0/24');
    expect(a('route-after-down.txt')).not.toContain('10.1.0.0/24');
    expect(a('ifdown.rc').trim()).toBe('0');
    expect(a('ifquery-check.rc').trim()).toBe('0');
    // A guest not asked to take its interfaces down ends without running ifdown.
    expect(() => b('ifdown.log')).toThrow(/ENOENT/);
  });

  it('scenario A: the host reaches every network of the firewall, directly where it has an address, else through the firewall, never through its default gateway', () => {
    const host = site.hosts[0]!;
    const firewallAddresses = new Set(site.firewall!.interfaces.flatMap((i) => (i.address ? [i.address] : [])));
    const lines = new Map(a('route-get.txt').trim().split('\n').map((l) => [l.split(' ')[0]!, l] as const));
    expect([...lines.keys()]).toEqual(firewallNetworks.map(probeOf));
    for (const network of firewallNetworks) {
      const line = lines.get(probeOf(network))!;
      const onLink = host.bridges.find((b) => b.network === network.id);
      if (onLink) expect(line, network.cidr).toMatch(new RegExp(` dev ${onLink.name} src `));
      else {
        const via = / via (\S+) /.exec(line)?.[1];
        expect(firewallAddresses.has(via!), `${network.cidr}: ${line}`).toBe(true);
      }
      expect(line).not.toContain(`via ${host.defaultGateway!.address} `);
    }
    expect(firewallNetworks.map((n) => n.cidr).sort()).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24', '192.168.0.0/24']);
  });

  it('a bridge MTU is the bridge’s and its ports’ MTU in the kernel, with or without ports', () => {
    const links = JSON.parse(mtu('links.json')) as { ifname: string; mtu: number }[];
    const byName = Object.fromEntries(links.map((l) => [l.ifname, l.mtu]));
    expect(byName).toMatchObject({ eno1: 9000, vmbr0: 9000, vmbr1: 1500, vmbr2: 9000 });
    expect(mtu('ifup-problems.log')).toBe('');
    expect(mtu('ifquery-check.rc').trim()).toBe('0');
  });

  it('a host address in VLAN mgmt on a jumbo-frame bridge: its VLAN device has the bridge’s MTU at bring-up and after each Apply, up and down, without an mtu line', () => {
    const mtus = (n: number) => Object.fromEntries(jumboVlan(`verify-${n}.out`).trim().split('\n').map((l) => l.split(' ')));
    expect(mtus(0)).toEqual({ [MGMT.bridge]: '9000', [MGMT.device]: '9000' });
    expect(mtus(1)).toEqual({ [MGMT.bridge]: '1500', [MGMT.device]: '1500' });
    expect(mtus(2)).toEqual({ [MGMT.bridge]: '9000', [MGMT.device]: '9000' });
    expect(jumboVlan('ifup-problems.log')).toBe('');
    expect(jumboVlan('ifquery-check.rc').trim()).toBe('0');
  });

  it('scenario B: vmbr2 comes up VLAN-filtering, vmbr1 not, with no message from ifupdown2', () => {
    const bridges = JSON.parse(b('bridges.json')) as { ifname: string; linkinfo: { info_data: { vlan_filtering: number } } }[];
    const filtering = Object.fromEntries(bridges.map((x) => [x.ifname, x.linkinfo.info_data.vlan_filtering]));
    expect(filtering).toEqual({ vmbr1: 0, vmbr2: 1 });
    expect(b('ifup-problems.log')).toBe('');
  });

  it('scenario B: a port on vmbr2 carries exactly the VLANs 10, 20 and 30 (bridge vlan)', () => {
    const ports = JSON.parse(trunk('bridge-vlan.json')) as { ifname: string; vlans: { vlan: number; vlanEnd?: number; flags?: string[] }[] }[];
    const tap = ports.find((p) => p.ifname === 'tap102i1')!;
    expect(tap.vlans.map((v) => (v.vlanEnd ? `${v.vlan}-${v.vlanEnd}` : String(v.vlan)))).toEqual(['1', '10', '20', '30']);
    expect(trunk('ifquery-check.rc').trim()).toBe('0');
  });

  it('a host address in VLAN mgmt: on vmbr2.10, a VLAN 10 device of vmbr2, with the routes through the firewall there; the bridge has none', () => {
    const vlans = JSON.parse(vlan('vlans.json')) as { ifname: string; link: string; operstate: string; linkinfo: { info_kind: string; info_data: { id: number } } }[];
    expect(vlans.map((v) => [v.ifname, v.link, v.linkinfo.info_kind, v.linkinfo.info_data.id, v.operstate])).toEqual([[MGMT.device, MGMT.bridge, 'vlan', MGMT.tag, 'UP']]);
    const addresses = new Map(vlan('addr.txt').trim().split('\n').map((l) => l.trim().split(/\s+/)).map((w) => [w[0]!.split('@')[0]!, w.slice(2)] as const));
    expect(addresses.get(MGMT.device)).toContain(MGMT.address);
    expect(addresses.get(MGMT.bridge)!.filter((a) => !a.startsWith('fe80:'))).toEqual([]);
    expect(vlan('route.txt').split('\n')).toContain(`192.168.20.0/24 via ${MGMT.firewall} dev ${MGMT.device} `);
    expect(vlan('route-get.txt')).toContain(`192.168.20.5 via ${MGMT.firewall} dev ${MGMT.device} `);
    expect(vlan('ifup-problems.log')).toBe('');
    expect(vlan('ifquery-check.rc').trim()).toBe('0');
  });

  it('a host address in VLAN mgmt: the bridge passes VLAN 10 tagged to the firewall’s VLAN device, which answers a ping; untagged on the bridge, nothing answers', () => {
    const ports = JSON.parse(vlan('bridge-vlan.json')) as { ifname: string; vlans: { vlan: number; flags?: string[] }[] }[];
    const self = ports.find((p) => p.ifname === MGMT.bridge)!;
    expect(self.vlans.find((v) => v.vlan === MGMT.tag)?.flags ?? []).toEqual([]);
    expect(vlan('ping.rc').trim()).toBe('0');
    expect(vlan('ping.txt')).toContain(`from ${MGMT.firewall}`);
    expect(bare('ping.rc').trim()).toBe('1');
    expect(bare('ping.txt')).toContain('100% packet loss');
  });
});
}
