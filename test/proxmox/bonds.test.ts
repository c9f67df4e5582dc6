// Linux bonds of a Proxmox host (bonds[]), written as Proxmox VE's writer
// writes them (pve-common PVE/Network/Interfaces.pm __interface_to_string and
// __write_etc_network_interfaces): before, a bond could not be described, and
// a bridge port `bond0` was written as a bare `iface bond0 inet manual`
// without slaves. pve-roundtrip.test.ts and ifupdown2.test.ts read the same
// files with Proxmox VE's and ifupdown2's own code.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edit, lint, modelOf, readExample, render } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { BACKUP, BOND_MTU, LACP, bridgeOnBondVlan, bridgeOnVlanPort, hostOnBond } from './bond.js';
import { option, parseInterfaces } from './interfaces-file.js';

const hosting = readExample('vlan-hosting');
const host = ['sites', 0, 'proxmox', 'hosts', 0];
const withBonds = (bonds: unknown[], yaml = hosting) => edit(yaml, [...host, 'bonds'], bonds);
const errorsOf = async (text: string) => (await lint(text)).filter((d) => d.severity === 'error').map((d) => [d.rule, d.location.line]);

describe('a bond', async () => {
  const text = (await render(hostOnBond)).get('hosting/proxmox/pve/interfaces')!;
  const file = parseInterfaces(text);

  it('is written after the NICs and before the bridges, its slaves auto, as Proxmox VE orders and marks them', () => {
    expect([...file.stanzas.keys()]).toEqual(['lo', 'eno3', ...LACP.slaves, ...BACKUP.slaves, LACP.name, BACKUP.name, 'vmbr1', 'vmbr2', 'vmbr2.10']);
    for (const name of [...LACP.slaves, ...BACKUP.slaves, LACP.name, BACKUP.name]) expect(file.auto).toContain(name);
    expect(file.auto).not.toContain('eno3');
  });

  it('has its slaves, miimon 100, its mode, the hash policy or the primary its mode takes, the MTU and its comment', () => {
    expect(file.stanzas.get(LACP.name)).toMatchObject({
      method: 'manual',
      options: [
        ['bond-slaves', LACP.slaves.join(' ')],
        ['bond-miimon', '100'],
        ['bond-mode', LACP.mode],
        ['bond-xmit-hash-policy', LACP.xmit_hash_policy],
        ['mtu', String(BOND_MTU)],
      ],
      comments: [LACP.description],
    });
    expect(file.stanzas.get(BACKUP.name)!.method).toBe('static');
    expect(file.stanzas.get(BACKUP.name)!.options).toEqual([
      ['address', BACKUP.address],
      ['bond-slaves', BACKUP.slaves.join(' ')],
      ['bond-miimon', '100'],
      ['bond-mode', BACKUP.mode],
      ['bond-primary', BACKUP.primary],
      ['mtu', String(BACKUP.mtu)],
    ]);
  });

  it('is the bridge’s port, and takes the bridge’s MTU onto itself and its slaves', async () => {
    expect(option(file.stanzas.get('vmbr2')!, 'bridge-ports')).toEqual([LACP.name]);
    for (const slave of LACP.slaves) expect(option(file.stanzas.get(slave)!, 'mtu')).toEqual([String(BOND_MTU)]);
    const without = parseInterfaces((await render(edit(hostOnBond, [...host, 'bridges', 1, 'mtu'], undefined))).get('hosting/proxmox/pve/interfaces')!);
    for (const name of [LACP.name, ...LACP.slaves]) expect(option(without.stanzas.get(name)!, 'mtu')).toEqual([]);
  });

  it("the node name may resolve to a bond's own address: the verify script counts it among the host's", async () => {
    // Only the bond carries an address: it is the one /etc/hosts should give the node name, and the check accepts it.
    const bondOnly = edit(hostOnBond, [...host, 'bridges', 1, 'address'], undefined);
    const script = (await render(bondOnly)).get('hosting/verify/proxmox-pve.sh')!;
    const call = script.split('\n').find((l) => l.trimStart().startsWith('node_name_check '));
    expect(call).toBeDefined();
    // The call's words as bash reads them: what, where, node, the host's addresses, the address for /etc/hosts.
    const words = spawnSync('bash', ['-c', `words() { printf '%s\\n' "$@"; }; words ${call!.trim().slice('node_name_check '.length)}`], { encoding: 'utf8' }).stdout.split('\n');
    expect(words[3]!.split(' ')).toContain(BACKUP.address.split('/')[0]);
    expect(words[4]).toBe(BACKUP.address.split('/')[0]);
  });

  it('the verify script checks it up, in its mode and hash policy, with exactly its slaves and their MTU, against the box', async () => {
    const script = (await render(hostOnBond)).get('hosting/verify/proxmox-pve.sh')!;
    const bin = mkdtempSync(join(tmpdir(), 'gen-bond-verify-'));
    try {
      // `ip` as the box answers it (iproute2's -o -d line of a bond; the devices enslaved to it).
      const run = (mode: string, slaves: string[], slaveMtu: number) => {
        const enslaved = slaves.map((s, i) => `${i + 3}: ${s}: <BROADCAST,MULTICAST,SLAVE,UP,LOWER_UP> mtu ${slaveMtu} qdisc mq master bond0 state UP mode DEFAULT`).join('\\n');
        writeFileSync(
          join(bin, 'ip'),
          `#!/bin/sh\ncase "$*" in\n` +
            `"-o -d link show dev bond0") echo '5: bond0: <BROADCAST,MULTICAST,MASTER,UP,LOWER_UP> mtu 9000 qdisc noqueue master vmbr2 state UP mode DEFAULT\\    link/ether 02:00:00:00:00:05 brd ff:ff:ff:ff:ff:ff promiscuity 1 \\    bond mode ${mode} miimon 100 updelay 0 downdelay 0 xmit_hash_policy layer3+4 resend_igmp 1 lacp_rate slow' ;;\n` +
            `"-o link show master bond0") printf '${enslaved}\\n' ;;\n` +
            `"-o link show dev bond0") echo '5: bond0: <UP> mtu 9000 qdisc noqueue' ;;\n` +
            `"-o link show dev eno"*) echo "9: \${5}: <UP> mtu ${slaveMtu} qdisc mq master bond0" ;;\n` +
            `*) exit 1 ;;\nesac\n`,
        );
        chmodSync(join(bin, 'ip'), 0o755);
        const out = spawnSync('bash', ['-c', script], { env: { PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' }).stdout;
        return out.split('\n').filter((l) => /^\S bond0 (is|and) /.test(l));
      };
      const line = lineOf(hostOnBond, [...host, 'bonds', 0]);
      const what = `bond0 is an up bond in mode 802.3ad, xmit_hash_policy layer3+4 of exactly eno1 eno2 (topology.yaml:${line})`;
      const mtu = `bond0 and its slaves have MTU ${BOND_MTU} (topology.yaml:${line})`;
      expect(run('802.3ad', LACP.slaves, BOND_MTU)).toEqual([`✓ ${what}`, `✓ ${mtu}`]);
      expect(run('balance-rr', ['eno1'], 1500)).toEqual([`✗ ${what}: mode balance-rr, not 802.3ad; slaves eno1, not eno1 eno2`, `✗ ${mtu}: eno1 has MTU 1500; eno2 has MTU 1500`]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("the verify script checks an active-backup bond's primary as the kernel has it (ip -d: primary NAME)", async () => {
    const script = (await render(hostOnBond)).get('hosting/verify/proxmox-pve.sh')!;
    // The primary the interfaces file gives the bond, read back from it: the script must expect that one.
    const stanza = parseInterfaces((await render(hostOnBond)).get('hosting/proxmox/pve/interfaces')!).stanzas.get(BACKUP.name)!;
    expect(option(stanza, 'bond-primary')).toEqual([BACKUP.primary]);
    const other = BACKUP.slaves.find((s) => s !== BACKUP.primary)!;
    const bin = mkdtempSync(join(tmpdir(), 'gen-bond-primary-'));
    try {
      // iproute2's -o -d line of an active-backup bond (ip/iplink_bond.c bond_print_opt: "primary %s" only when one is set).
      const run = (primary: string | undefined) => {
        writeFileSync(
          join(bin, 'ip'),
          `#!/bin/sh\ncase "$*" in\n` +
            `"-o -d link show dev ${BACKUP.name}") echo '6: ${BACKUP.name}: <BROADCAST,MULTICAST,MASTER,UP,LOWER_UP> mtu 9000 qdisc noqueue state UP mode DEFAULT\\    link/ether 02:00:00:00:00:06 brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    bond mode active-backup active_slave ${primary ?? other} miimon 100 updelay 0 downdelay 0 use_carrier 1 arp_interval 0 arp_validate none arp_all_targets any ${primary ? `primary ${primary} ` : ''}primary_reselect always fail_over_mac none xmit_hash_policy layer2 resend_igmp 1' ;;\n` +
            `"-o link show master ${BACKUP.name}") printf '${BACKUP.slaves.map((s, i) => `${i + 3}: ${s}: <SLAVE,UP> mtu 9000 master ${BACKUP.name}`).join('\\n')}\\n' ;;\n` +
            `*) exit 1 ;;\nesac\n`,
        );
        chmodSync(join(bin, 'ip'), 0o755);
        const out = spawnSync('bash', ['-c', script], { env: { PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' }).stdout;
        return out.split('\n').filter((l) => l.slice(2).startsWith(`${BACKUP.name} is an up bond`));
      };
      const what = `${BACKUP.name} is an up bond in mode active-backup of exactly ${BACKUP.slaves.join(' ')}, primary ${BACKUP.primary} (topology.yaml:${lineOf(hostOnBond, [...host, 'bonds', 1])})`;
      expect(run(BACKUP.primary)).toEqual([`✓ ${what}`]);
      expect(run(other)).toEqual([`✗ ${what}: primary ${other}, not ${BACKUP.primary}`]);
      expect(run(undefined)).toEqual([`✗ ${what}: primary none, not ${BACKUP.primary}`]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('with an address of its own, keeps it on-link (no route via the firewall), counts as the host’s address, and is checked by the verify script', async () => {
    const homelab = readExample('homelab');
    const routesOf = async (yaml: string) => (await modelOf(yaml)).sites[0]!.hosts[0]!.routes.map((r) => r.destination);
    const before = await routesOf(homelab);
    expect(before).toContain('10.1.0.0/24');
    const storage = edit(homelab, [...host, 'bonds'], [Object.assign({}, BACKUP, { slaves: ['eno2', 'eno3'], primary: 'eno3', address: '10.1.0.50/24' })]);
    expect(await routesOf(storage)).toEqual(before.filter((d) => d !== '10.1.0.0/24'));
    // Without any bridge address, the bond's is the one the node is reached at.
    const only = edit(hostOnBond, [...host, 'bridges', 1, 'address'], undefined);
    expect((await lint(only)).filter((d) => d.rule === 'proxmox/host-no-address')).toEqual([]);
    expect((await lint(edit(only, [...host, 'bonds', 1, 'address'], undefined))).filter((d) => d.rule === 'proxmox/host-no-address')).toHaveLength(1);
    const script = (await render(hostOnBond)).get('hosting/verify/proxmox-pve.sh')!;
    expect(script).toContain(`nic_check 'bond1 is up, in no bridge, with exactly the address ${BACKUP.address}'`);
  });

  it('with an address, as a bridge’s port is an error (proxmox/nic-address-bridged): Proxmox VE refuses such a file', async () => {
    const bridged = edit(hostOnBond, [...host, 'bonds', 0, 'address'], '10.97.0.11/24');
    expect(await errorsOf(bridged)).toEqual([['proxmox/nic-address-bridged', lineOf(bridged, [...host, 'bonds', 0, 'address'])]]);
  });

  it('lints clean as written', async () => {
    expect(await errorsOf(hostOnBond)).toEqual([]);
  });
});

// Proxmox VE's writer refuses a VLAN device whose MTU is above its raw device's (check_mtu; one without
// counts as 1500), and the kernel will not set it: a bridge's MTU on a VLAN device port goes on down.
describe("a bond's switch side, in steps.md", () => {
  // The kernel's bonding.rst, "Switch Configuration": 802.3ad needs an 802.3ad aggregation on the switch, balance-rr,
  // balance-xor and broadcast a static group; active-backup, balance-tlb and balance-alb nothing.
  const stepsOf = async (yaml: string) => (await render(yaml)).get('hosting/steps.md') ?? '';
  const stepLines = (text: string) => text.split('\n').filter((l) => l.startsWith('1. ') && l.includes('switch'));

  it('names the LACP group an 802.3ad bond needs, with its NICs and host, and nothing for an active-backup bond', async () => {
    const lines = stepLines(await stepsOf(hostOnBond));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the switch ports of ${LACP.slaves.join(', ')} on Proxmox host pve one LACP (IEEE 802.3ad) link aggregation group`);
    expect(lines[0]).toContain('bond bond0 carries');
    // The bond takes its mode at Apply: the switch's group changes with it, not long before (gen diff names an old group).
    expect(lines[0]).toContain("in the same maintenance window as applying pve's interfaces file");
    expect(lines[0]).toContain('in place of any group they have for another mode (gen diff names it)');
    for (const slave of BACKUP.slaves) expect(lines[0]).not.toContain(slave);
  });

  it.each(['balance-rr', 'balance-xor', 'broadcast'])('names a static group for mode %s', async (mode) => {
    const lines = stepLines(await stepsOf(withBonds([Object.assign({}, LACP, { mode, xmit_hash_policy: mode === 'balance-xor' ? 'layer2' : undefined })], hostOnBond)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('one static link aggregation group (no LACP');
    expect(lines[0]).toContain(`Bond mode ${mode} sends from one MAC address on every port`);
  });

  it.each(['active-backup', 'balance-tlb', 'balance-alb'])('asks nothing of the switch for mode %s', async (mode) => {
    expect(stepLines(await stepsOf(withBonds([{ name: 'bond0', slaves: LACP.slaves, mode }], hostOnBond)))).toEqual([]);
  });
});

describe('a bridge on a VLAN device port', () => {
  const mtus = (file: ReturnType<typeof parseInterfaces>) => Object.fromEntries([...file.stanzas].map(([name, s]) => [name, option(s, 'mtu')[0]]));

  it('puts the bridge’s MTU on the VLAN device and its raw NIC, written before it', async () => {
    const file = parseInterfaces((await render(bridgeOnVlanPort)).get('hosting/proxmox/pve/interfaces')!);
    const names = [...file.stanzas.keys()];
    expect(names.indexOf('eno1')).toBeLessThan(names.indexOf('eno1.20'));
    expect(mtus(file)).toMatchObject({ eno1: String(BOND_MTU), 'eno1.20': String(BOND_MTU), vmbr1: String(BOND_MTU) });
  });

  it('on a bond’s VLAN device, on the bond and its slaves', async () => {
    const yaml = bridgeOnBondVlan;
    expect(await errorsOf(yaml)).toEqual([]);
    const file = parseInterfaces((await render(yaml)).get('hosting/proxmox/pve/interfaces')!);
    const names = [...file.stanzas.keys()];
    // After the bond and the NIC with an address, as Proxmox VE's writer orders a bond's VLAN.
    expect(names.indexOf('bond0.20')).toBe(names.indexOf('bond0') + 1);
    expect(names.indexOf('eno0')).toBeLessThan(names.indexOf('bond0'));
    expect(mtus(file)).toMatchObject({ 'bond0.20': String(BOND_MTU), bond0: String(BOND_MTU), eno1: String(BOND_MTU), eno2: String(BOND_MTU) });
    const low = edit(yaml, [...host, 'bonds', 0, 'mtu'], 1500);
    expect(await errorsOf(low)).toEqual([['proxmox/bond-definition', lineOf(low, [...host, 'bonds', 0, 'mtu'])]]);
  });
});

describe('lint of bonds', () => {
  it('reports a bridge port or host port named like a bond that the host does not have (proxmox/bond-port-unknown)', async () => {
    const onBridge = edit(hosting, [...host, 'bridges', 1, 'ports'], ['bond0']);
    expect(await errorsOf(onBridge)).toEqual([['proxmox/bond-port-unknown', lineOf(onBridge, [...host, 'bridges', 1, 'ports', 0])]]);
    const onHost = edit(hosting, [...host, 'ports'], ['eno3', 'bond7']);
    expect(await errorsOf(onHost)).toEqual([['proxmox/bond-port-unknown', lineOf(onHost, [...host, 'ports', 1])]]);
    expect(await errorsOf(withBonds([LACP], onBridge))).toEqual([]);
  });

  it.each([
    ['a bridge port', { slaves: ['eno3', 'eno2'] }, ['slaves', 0]],
    ['a bridge', { slaves: ['vmbr1'] }, ['slaves', 0]],
    ['a VLAN device', { slaves: ['eno1.20'] }, ['slaves', 0]],
    ['listed twice', { slaves: ['eno1', 'eno1'] }, ['slaves', 1]],
    ['a primary with another mode', { primary: 'eno1' }, ['primary']],
    ['a primary that is no slave', { mode: 'active-backup', xmit_hash_policy: undefined, primary: 'eno5' }, ['primary']],
    ['a hash policy with another mode', { mode: 'active-backup' }, ['xmit_hash_policy']],
    ['an MTU below its bridge’s', { mtu: 1500 }, ['mtu']],
  ])('reports %s (proxmox/bond-definition)', async (_, change, at) => {
    const yaml = edit(withBonds([Object.assign({}, LACP, change)]), [...host, 'bridges', 1, 'mtu'], 9000);
    const bridged = edit(yaml, [...host, 'bridges', 1, 'ports'], [LACP.name]);
    expect(await errorsOf(bridged)).toEqual([['proxmox/bond-definition', lineOf(bridged, [...host, 'bonds', 0, ...at])]]);
  });

  it('reports a slave of another bond, and a NIC with an address as a slave', async () => {
    const twice = withBonds([LACP, Object.assign({}, BACKUP, { slaves: ['eno2', 'eno5'], primary: 'eno5' })]);
    expect(await errorsOf(twice)).toEqual([['proxmox/bond-definition', lineOf(twice, [...host, 'bonds', 1, 'slaves', 0])]]);
    const nic = edit(withBonds([LACP]), [...host, 'nics'], [{ name: 'eno1', address: '10.99.0.11/24' }]);
    expect(await errorsOf(nic)).toEqual([['proxmox/bond-definition', lineOf(nic, [...host, 'bonds', 0, 'slaves', 0])]]);
  });

  it('reports template characters in a bond’s description (proxmox/description-text), which ifupdown2 would run through Mako', async () => {
    const text = withBonds([Object.assign({}, LACP, { description: 'LACP ${reboot} 100% up' })]);
    expect(await errorsOf(text)).toEqual([['proxmox/description-text', lineOf(text, [...host, 'bonds', 0, 'description'])]]);
  });

  it('reports one bond name twice (names/duplicate)', async () => {
    const text = withBonds([LACP, Object.assign({}, BACKUP, { name: LACP.name })]);
    expect((await errorsOf(text)).map(([rule]) => rule)).toContain('names/duplicate');
  });

  it('refuses in the schema a bond not named bondN, without slaves or mode, with a mode or policy Proxmox VE does not know, or an address without prefix', async () => {
    for (const bond of [
      Object.assign({}, LACP, { name: 'lacp0' }),
      Object.assign({}, LACP, { slaves: [] }),
      { name: 'bond0', slaves: ['eno1'] },
      Object.assign({}, LACP, { mode: 'lacp' }),
      Object.assign({}, LACP, { xmit_hash_policy: 'encap3+4' }),
      Object.assign({}, LACP, { address: '10.99.0.11' }),
    ]) {
      const yaml = withBonds([bond]);
      const errors = await errorsOf(yaml);
      expect(errors.length, JSON.stringify(bond)).toBeGreaterThan(0);
      expect(errors.every(([rule]) => rule === 'schema'), JSON.stringify(errors)).toBe(true);
    }
  });
});
