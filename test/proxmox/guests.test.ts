// guests.sh and the review files: what gen writes for scenario A's OPNsense
// VM, containers and backup server VM, and scenario B's firewall VM; and
// what the script does on a node (fake-pve.pl keeps its state): it sets
// exactly the topology's settings, prints each change, creates only what the
// topology says to create, changes nothing when run again, and stops before
// unplugging a running firewall's NIC.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePropertyString } from '../../src/targets/proxmox/property-string.js';
import { LXC_NET_FORMAT, QM_NET_FORMAT } from '../../src/targets/proxmox/guest-formats.js';
import { derivedMac } from '../../src/targets/proxmox/mac.js';
import { edit, lint, readExample, render } from '../helpers.js';
import { FakeNode, type NodeState } from './fake-node.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

const homelab = readExample('homelab');
const hosting = readExample('vlan-hosting');

/** A review file's `key: value` lines. */
function config(text: string): Record<string, string> {
  return Object.fromEntries(text.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
}

function net(value: string, format = QM_NET_FORMAT): Record<string, string> {
  const parsed = parsePropertyString(format, value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** The settings guests.sh applies: `ensure[_nic] TOOL ID KEY 'VALUE'` lines. */
function ensured(script: string): { tool: string; id: string; key: string; value: string }[] {
  return [...script.matchAll(/^ *ensure(?:_nic)? (qm|pct) (\d+) (\S+) '([^']*)'/gm)].map((m) => ({ tool: m[1]!, id: m[2]!, key: m[3]!, value: m[4]! }));
}

describe('scenario A', async () => {
  const files = await render(homelab);
  const script = files.get('home/proxmox/pve/guests.sh')!;

  it("gives the OPNsense VM one NIC per bridged interface, netN on the bridge of the interface with device vtnetN", () => {
    const vm = config(files.get('home/proxmox/pve/qemu-server/102.conf')!);
    expect(Object.keys(vm)).toEqual(['cores', 'memory', 'net0', 'net1', 'net2', 'onboot']);
    expect([vm.cores, vm.memory, vm.onboot]).toEqual(['2', '4096', '1']);
    expect([0, 1, 2].map((i) => net(vm[`net${i}`]!))).toEqual([
      { model: 'virtio', macaddr: derivedMac('home', 'opnsense', 'wan'), bridge: 'vmbr0', firewall: '0' },
      { model: 'virtio', macaddr: derivedMac('home', 'opnsense', 'management'), bridge: 'vmbr1', firewall: '0' },
      { model: 'virtio', macaddr: derivedMac('home', 'opnsense', 'service'), bridge: 'vmbr2', firewall: '0' },
    ]);
    expect(script).toMatch(/^  ensure_nic qm 102 net1 '[^']+' 'bridge tag firewall'  # management, vtnet1$/m);
  });

  it('puts each service container on the Service bridge with its address and the firewall as gateway', () => {
    for (const [id, name, address] of [['200', 'traefik', '10.1.0.100'], ['210', 'postgres', '10.1.0.110'], ['211', 'valkey', '10.1.0.111']] as const) {
      const ct = config(files.get(`home/proxmox/pve/lxc/${id}.conf`)!);
      expect(Object.keys(ct)).toEqual(['nameserver', 'net0']);
      expect(net(ct.net0!, LXC_NET_FORMAT)).toEqual({ name: 'eth0', bridge: 'vmbr2', gw: '10.1.0.1', hwaddr: derivedMac('home', name, 'net0'), ip: `${address}/24`, type: 'veth' });
    }
    // grafana has no container: nothing is written for it
    expect([...files.keys()].filter((f) => f.includes('/lxc/'))).toHaveLength(3);
  });

  it("creates the backup server's VM (2 cores, 4 GB, 50 GB) on the management bridge, with a second disk for the datastore's cache", () => {
    expect(script).toContain("qm create 103 --name 'pbs' --ostype 'l26' --cpu 'x86-64-v2-AES' --scsihw 'virtio-scsi-single' --scsi0 'local-lvm:50' --scsi1 'local-lvm:100' --ide2 'local:iso/proxmox-backup-server_4.0-1.iso,media=cdrom'");
    const vm = config(files.get('home/proxmox/pve/qemu-server/103.conf')!);
    expect(net(vm.net0!)).toEqual({ model: 'virtio', macaddr: derivedMac('home', 'pbs', 'net0'), bridge: 'vmbr1' });
    expect([vm.cores, vm.memory]).toEqual(['2', '4096']);
    expect(script).toContain("echo 'VM 103 (pbs): inside the VM: address 10.0.0.20/24, gateway 10.0.0.1");
  });

  it("fills the backup server's address into storage.cfg", () => {
    expect(files.get('home/proxmox/storage.cfg')).toContain('\tserver 10.0.0.20\n');
    expect(files.get('home/proxmox/storage.cfg')).not.toContain('REPLACE-WITH-PBS-ADDRESS');
  });

  it('applies in guests.sh exactly the settings of the review files', () => {
    const fromScript = ensured(script);
    for (const [path, text] of files) {
      const m = /\/(qemu-server|lxc)\/(\d+)\.conf$/.exec(path);
      if (!m) continue;
      const settings = config(text);
      const created = m[2] === '103' ? ['name', 'ostype', 'cpu', 'scsihw'] : [];
      const applied = Object.fromEntries(fromScript.filter((s) => s.id === m[2]).map((s) => [s.key, s.value]));
      expect(Object.fromEntries(Object.entries(settings).filter(([k]) => !created.includes(k))), path).toEqual(applied);
    }
  });

  it('starts with strict mode and refuses another node', () => {
    expect(script.split('\n').slice(0, 8)).toContain('set -euo pipefail');
    const node = new FakeNode({ node: 'other' });
    const run = node.run(script);
    node.remove();
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('guests.sh: this script is for node pve, not other\n');
  });
});

describe("a container's DNS servers", async () => {
  const files = await render(homelab);
  const script = files.get('home/proxmox/pve/guests.sh')!;
  /** The addresses of a container's nameserver, as pve-container splits them (PVE::Tools::split_list). */
  const servers = (value: string | undefined) => (value ?? '').split(/[\s,;]+/).filter(Boolean);

  it("are written, so that pve-container does not copy the host's resolvers in: scenario A's service containers ask public resolvers", () => {
    for (const id of ['200', '210', '211']) {
      expect(servers(config(files.get(`home/proxmox/pve/lxc/${id}.conf`)!).nameserver), id).toEqual(['1.1.1.1', '9.9.9.9']);
      expect(ensured(script).filter((s) => s.id === id && s.key === 'nameserver').map((s) => servers(s.value))).toEqual([['1.1.1.1', '9.9.9.9']]);
    }
    // Not for a VM: gen writes no cloud-init, so a VM's resolvers are set inside it.
    for (const id of ['102', '103']) expect(config(files.get(`home/proxmox/pve/qemu-server/${id}.conf`)!).nameserver, id).toBeUndefined();
  });

  it("are, without guest.dns, what DHCP clients of the network get: its dhcp.dns, else the firewall's address there", async () => {
    const lxc = async (text: string, site: string, id: number) => servers(config((await render(text)).get(`${site}/proxmox/pve/lxc/${id}.conf`)!).nameserver);
    // web1 on websvc, whose DHCP hands out public resolvers; its own guest.dns wins.
    const web1 = edit(hosting, ['sites', 0, 'services', 0, 'container'], 300);
    expect(await lxc(web1, 'hosting', 300)).toEqual(['1.1.1.1', '9.9.9.9']);
    expect(await lxc(edit(web1, ['sites', 0, 'services', 0, 'guest'], { dns: ['9.9.9.9'] }), 'hosting', 300)).toEqual(['9.9.9.9']);
    // mgmt has DHCP without dns: its clients, and the container, ask the firewall.
    const ops = edit(hosting, ['sites', 0, 'services', 2], { name: 'ops', network: 'mgmt', address: '192.168.10.20', port: 9000, container: 310 });
    expect(await lxc(ops, 'hosting', 310)).toEqual(['192.168.10.1']);
    // Scenario A's management network has no DHCP: the firewall there, which management may reach.
    const admin = edit(homelab, ['sites', 0, 'services', 3], { name: 'grafana', network: 'management', address: '10.0.0.30', port: 3000, container: 220 });
    expect(await lxc(admin, 'home', 220)).toEqual(['10.0.0.1']);
  });

  it('are set on the node, replacing what the container had, and left alone on the second run', () => {
    const node = homeNode();
    // One container already has a resolver of its own: the NAT router, which the service zone may not reach.
    const state = node.state;
    state.lxc['210']!.nameserver = '192.168.0.1';
    writeFileSync(join(node.dir, 'state.json'), JSON.stringify(state));
    try {
      const first = node.run(script);
      expect(first.stderr).toBe('');
      expect(first.stdout).toContain('pct 200: nameserver: (unset) -> 1.1.1.1 9.9.9.9');
      expect(first.stdout).toContain('pct 210: nameserver: 192.168.0.1 -> 1.1.1.1 9.9.9.9');
      expect(node.log).toContain('pct set 210 --nameserver 1.1.1.1 9.9.9.9');
      for (const id of ['200', '210', '211']) expect(servers(node.state.lxc[id]!.nameserver), id).toEqual(['1.1.1.1', '9.9.9.9']);
      const changes = node.log.length;
      const second = node.run(script);
      expect(second.stdout).toContain('pct 210: nameserver unchanged');
      expect(node.log).toHaveLength(changes);
    } finally {
      node.remove();
    }
  });
});

describe('scenario B', async () => {
  const files = await render(hosting);

  it('gives the firewall VM net0 on the WAN bridge and net1 on the VLAN trunk bridge', () => {
    const vm = config(files.get('hosting/proxmox/pve/qemu-server/100.conf')!);
    expect([net(vm.net0!).bridge, net(vm.net1!).bridge]).toEqual(['vmbr1', 'vmbr2']);
    expect(net(vm.net1!).tag).toBeUndefined();
  });

  it('tags a container on a VLAN network with the VLAN on the parent bridge', async () => {
    const text = edit(hosting, ['sites', 0, 'services', 0, 'container'], 301);
    const ct = config((await render(text)).get('hosting/proxmox/pve/lxc/301.conf')!);
    expect(net(ct.net0!, LXC_NET_FORMAT)).toMatchObject({ bridge: 'vmbr2', tag: '20', ip: '192.168.20.11/24', gw: '192.168.20.1' });
  });
});

/** The problems a run of guests.sh that changed nothing names: its error lines but the last, which says so. */
function problems(run: { status: number; stderr: string }): string[] {
  expect(run.status).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines.at(-1)).toBe(`guests.sh: nothing changed: ${lines.length - 1} problem(s) above; run guests.sh again once they are solved.`);
  return lines.slice(0, -1);
}

const PBS_ISO = 'local:iso/proxmox-backup-server_4.0-1.iso';
const DEBIAN_TEMPLATE = 'local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst';

/** A node as hand work left it: VM 102 with Proxmox's own MACs and an extra NIC, the three containers. */
function homeNode(overrides: Partial<NodeState> = {}): FakeNode {
  return new FakeNode({
    node: 'pve',
    qemu: {
      102: {
        boot: 'order=scsi0', cores: '1', memory: '2048', name: 'opnsense', ostype: 'other', scsi0: 'local-lvm:vm-102-disk-0,size=32G',
        net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1', net1: 'virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=1', net2: 'virtio=BC:24:11:00:00:03,bridge=vmbr2,firewall=1',
        net3: 'virtio=BC:24:11:00:00:04,bridge=vmbr0',
      },
    },
    lxc: Object.fromEntries(['200', '210', '211'].map((id) => [id, { hostname: `ct${id}`, memory: '512', rootfs: `local-lvm:vm-${id}-disk-0,size=8G`, net0: `name=eth0,bridge=vmbr2,hwaddr=BC:24:11:00:02:${id.slice(1)},ip=dhcp,type=veth` }])),
    // What the guests the topology creates are made from: the backup server's installer, a container template.
    storage: { local: { iso: [PBS_ISO], vztmpl: [DEBIAN_TEMPLATE] } },
    ...overrides,
  });
}

describe('guests.sh on a node', async () => {
  const files = await render(homelab);
  const script = files.get('home/proxmox/pve/guests.sh')!;
  const nodes: FakeNode[] = [];
  afterEach(() => nodes.splice(0).forEach((n) => n.remove()));
  const node = (overrides?: Partial<NodeState>) => {
    const n = homeNode(overrides);
    nodes.push(n);
    return n;
  };

  it('sets the topology, prints every change, and changes nothing the second time', () => {
    const n = node();
    const first = n.run(script);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('qm 102: net1: virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=1 -> virtio=');
    expect(first.stdout).toContain('qm 102: cores: 1 -> 2');
    expect(first.stdout).toContain('qm 103: create on node pve');
    expect(first.stdout).toContain('qm 102: net3 is not in the topology: left as it is');
    const state = n.state;
    // the settings of the review files, and everything else as it was
    for (const [id, kind] of [['102', 'qemu-server'], ['200', 'lxc'], ['103', 'qemu-server']] as const) {
      const expected = config(files.get(`home/proxmox/pve/${kind}/${id}.conf`)!);
      const actual = kind === 'lxc' ? state.lxc[id]! : state.qemu[id]!;
      for (const [key, value] of Object.entries(expected)) expect(actual[key], `${id} ${key}`).toBe(value);
    }
    expect(state.qemu['102']!.scsi0).toBe('local-lvm:vm-102-disk-0,size=32G');
    expect(state.qemu['102']!.net3).toBe('virtio=BC:24:11:00:00:04,bridge=vmbr0');
    expect(state.lxc['200']!.hostname).toBe('ct200');
    expect(state.qemu['103']!.scsi0).toBe('local-lvm:vm-103-disk-0,size=50G');
    expect(state.qemu['103']!.scsi1).toBe('local-lvm:vm-103-disk-1,size=100G');

    const changes = n.log.length;
    const second = n.run(script);
    expect(second.status).toBe(0);
    expect(n.log).toHaveLength(changes);
    expect(n.state).toEqual(state);
    expect(second.stdout.split('\n').filter((l) => l.includes(' -> ') || l.includes('create'))).toEqual([]);
    expect(second.stdout).toContain('qm 102: net0 unchanged');
  });

  it('stops before changing the MAC of a running VM, which would unplug its NIC', () => {
    const n = node({ running: [102] });
    const run = n.run(script);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('guests.sh: VM 102 is running and net0 changes virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1 to virtio=');
    expect(n.log.filter((l) => l.includes(' --net'))).toEqual([]);
    // Paused is not stopped: the NIC would be unplugged all the same.
    const paused = node({ paused: [102] });
    const held = paused.run(script);
    expect(held.status).toBe(1);
    expect(held.stderr).toContain('guests.sh: VM 102 is paused and net0 changes');
    expect(paused.log.filter((l) => l.includes(' --net'))).toEqual([]);
  });

  it('keeps MACs written in the topology, so a running VM is only re-bridged, never unplugged', async () => {
    const macs = ['BC:24:11:00:00:01', 'BC:24:11:00:00:02', 'BC:24:11:00:00:03'];
    const text = edit(homelab, ['sites', 0, 'firewall', 'vm', 'nics'], ['vmbr0', 'vmbr1', 'vmbr2'].map((bridge, i) => ({ bridge, mac: macs[i] })));
    const n = node({ running: [102] });
    const run = n.run((await render(text)).get('home/proxmox/pve/guests.sh')!);
    expect(run.stderr).toBe('');
    expect(n.state.qemu['102']!.net1).toBe('virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0');
  });

  it('keeps what gen does not manage on a NIC: multiqueue and MTU on the running firewall, a service guest\'s Proxmox firewall', async () => {
    // qemu-server's vmconfig_update_net unplugs a running VM's NIC when its model, MAC, queues or MTU change; gen
    // decides the model, MAC, bridge, tag (and the firewall VM's Proxmox firewall: off), and keeps the rest.
    const macs = ['BC:24:11:00:00:01', 'BC:24:11:00:00:02', 'BC:24:11:00:00:03'];
    const text = edit(homelab, ['sites', 0, 'firewall', 'vm', 'nics'], ['vmbr0', 'vmbr1', 'vmbr2'].map((bridge, i) => ({ bridge, mac: macs[i] })));
    const own = render(text);
    const s = node({ running: [102] }).state;
    s.qemu['102']!.net1 = 'virtio=bc:24:11:00:00:02,bridge=vmbr9,firewall=1,mtu=1,queues=4';
    const m = node(s);
    const run = m.run((await own).get('home/proxmox/pve/guests.sh')!);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The MAC as the node spells it, gen's bridge and firewall, the node's MTU and queues.
    expect(m.state.qemu['102']!.net1).toBe('virtio=bc:24:11:00:00:02,bridge=vmbr1,firewall=0,mtu=1,queues=4');
    const again = m.run((await own).get('home/proxmox/pve/guests.sh')!);
    expect(again.stdout).toContain('qm 102: net1 unchanged');
    // A service container's firewall=1 and IPv6 stay; its bridge and address are gen's.
    const state = node().state;
    state.lxc['200']!.net0 = `name=eth0,bridge=vmbr9,firewall=1,hwaddr=${derivedMac('home', 'traefik', 'net0')},ip=dhcp,ip6=auto,type=veth`;
    const c = node(state);
    expect(c.run(script).status).toBe(0);
    expect(c.state.lxc['200']!.net0).toBe(`name=eth0,bridge=vmbr2,gw=10.1.0.1,hwaddr=${derivedMac('home', 'traefik', 'net0')},ip=10.1.0.100/24,type=veth,firewall=1,ip6=auto`);
  });

  it('stops before giving a bridge to a running VM NIC in user-mode networking, which Proxmox unplugs', async () => {
    // qemu-server vmconfig_update_net: `!($newnet->{bridge} && $oldnet->{bridge})` takes the unplug path.
    const macs = ['BC:24:11:00:00:01', 'BC:24:11:00:00:02', 'BC:24:11:00:00:03'];
    const text = edit(homelab, ['sites', 0, 'firewall', 'vm', 'nics'], ['vmbr0', 'vmbr1', 'vmbr2'].map((bridge, i) => ({ bridge, mac: macs[i] })));
    const state = node({ running: [102] }).state;
    state.qemu['102']!.net2 = 'virtio=BC:24:11:00:00:03';
    const n = node(state);
    const run = n.run((await render(text)).get('home/proxmox/pve/guests.sh')!);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('guests.sh: VM 102 is running and net2 changes virtio=BC:24:11:00:00:03 to virtio=BC:24:11:00:00:03,bridge=vmbr2,firewall=0');
    expect(n.state.qemu['102']!.net2).toBe('virtio=BC:24:11:00:00:03');
  });

  it('stops before changing the MAC of a running container, whose veth Proxmox would delete and re-create', () => {
    const n = node({ running: [200] });
    const run = n.run(script);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^guests\.sh: CT 200 is running and net0 changes name=eth0,bridge=vmbr2,hwaddr=BC:24:11:00:02:00,ip=dhcp,type=veth to name=eth0,/);
    expect(n.log.filter((l) => l.startsWith('pct set 200 --net0'))).toEqual([]);
  });

  it('refuses to touch a guest that does not exist unless the topology says create', () => {
    const n = node({ lxc: {} });
    const before = n.state;
    expect(problems(n.run(script))).toEqual(
      ['CT 200 (traefik)', 'CT 210 (postgres)', 'CT 211 (valkey)'].map((ct) => `guests.sh: ${ct} does not exist on node pve: create it, or set create: true for it in the topology`),
    );
    expect(n.log).toEqual([]);
    expect(n.state).toEqual(before);
  });

  it('checks every guest before changing any: a later guest that cannot be set up leaves the earlier ones as they were', () => {
    // VM 102 needs changes (cores, memory, MACs) and comes first; CT 211 is missing and the topology does not create it.
    const lxc = homeNode().state.lxc;
    delete lxc['211'];
    const n = node({ lxc });
    const before = n.state;
    const run = n.run(script);
    expect(n.log).toEqual([]);
    expect(n.state).toEqual(before);
    expect(problems(run)).toEqual(['guests.sh: CT 211 (valkey) does not exist on node pve: create it, or set create: true for it in the topology']);
    // Every problem at once, whatever its kind: a running container whose MAC would change (its veth re-created),
    // the id of the VM to create held on another node, a missing container.
    const all = node({ lxc, running: [210], elsewhere: { 103: { node: 'pve2', type: 'qemu' } } });
    const found = problems(all.run(script));
    expect(found).toHaveLength(3);
    expect(found[0]).toBe("guests.sh: VM 103 (pbs) is not on node pve: id 103 is VM 103 on node pve2. Give the topology that guest's node (host) and kind (vm or container), or a free id.");
    expect(found[1]).toMatch(/^guests\.sh: CT 210 is running and net0 changes name=eth0,bridge=vmbr2,hwaddr=BC:24:11:00:02:10,ip=dhcp,type=veth to name=eth0,.*Shut it down \(pct shutdown 210\) and run guests\.sh again\.$/);
    expect(found[2]).toContain('CT 211 (valkey) does not exist on node pve');
    expect(all.log).toEqual([]);
    // Once the problems are solved, the same script applies everything.
    const fixed = node();
    expect(fixed.run(script).status).toBe(0);
    expect(fixed.log.length).toBeGreaterThan(0);
  });

  it('changes nothing on another guest at the id the topology creates a guest at', async () => {
    // qm config reads the id's config whatever guest it is (AbstractConfig load_config), and qm set and
    // qm disk resize change it: the guest created with --name pbs is pbs only while it has that name.
    const other = { name: 'legacy-web', cores: '1', memory: '1024', scsi0: 'local-lvm:vm-103-disk-0,size=20G', net0: 'virtio=BC:24:11:00:00:09,bridge=vmbr2' };
    const n = node({ qemu: { ...homeNode().state.qemu, 103: { ...other } } });
    expect(problems(n.run(script))).toEqual([
      'guests.sh: VM 103 is legacy-web, not pbs: another guest has the id the topology creates pbs at, and guests.sh changes nothing on it. Give pbs a free id in the topology; or, if this is pbs, rename it (qm set 103 --name pbs).',
    ]);
    expect(n.state.qemu['103']).toEqual(other);
    expect(n.log.filter((l) => / 103 /.test(l))).toEqual([]);
    // A container the topology creates, at an id a container without a hostname holds.
    const text = edit(homelab, ['sites', 0, 'services', 3], {
      name: 'grafana', network: 'service', address: '10.1.0.120', port: 3000, container: 220,
      guest: { disk_gb: 8, create: true, template: 'local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst', dns: ['1.1.1.1'] },
    });
    const ct = { rootfs: 'local-lvm:vm-220-disk-0,size=4G', net0: 'name=eth0,bridge=vmbr1,hwaddr=BC:24:11:00:02:20,ip=dhcp,type=veth' };
    const c = node({ lxc: { ...homeNode().state.lxc, 220: { ...ct } } });
    const held = c.run((await render(text)).get('home/proxmox/pve/guests.sh')!);
    expect(held.status).toBe(1);
    expect(held.stderr).toContain('guests.sh: CT 220 is (unnamed), not grafana: another guest has the id');
    expect(held.stderr).toContain('(pct set 220 --hostname grafana)');
    expect(c.state.lxc['220']).toEqual(ct);
  });

  it('says where an id is when another node or kind has it, and creates nothing there', () => {
    // qm config / pct config read this node's guests of their kind only (AbstractConfig load_config);
    // ids are cluster-wide (qm create: create_and_lock_config, pve-cluster check_vmid_unused).
    const { qemu } = homeNode().state;
    const migrated = node({ qemu: {}, elsewhere: { 102: { node: 'pve2', type: 'qemu' } } });
    expect(problems(migrated.run(script))).toEqual([
      "guests.sh: VM 102 (opnsense) is not on node pve: id 102 is VM 102 on node pve2. Give the topology that guest's node (host) and kind (vm or container), or a free id.",
    ]);
    // A container's id held by a VM of this node; the id of a VM to create held on another node.
    const lxc = homeNode().state.lxc;
    delete lxc['200'];
    expect(problems(node({ qemu: { ...qemu, 200: { name: 'old' } }, lxc }).run(script))).toEqual([
      "guests.sh: CT 200 (traefik) is not on node pve: id 200 is VM 200 on node pve. Give the topology that guest's node (host) and kind (vm or container), or a free id.",
    ]);
    const elsewhere = node({ elsewhere: { 103: { node: 'pve2', type: 'lxc' } } });
    expect(problems(elsewhere.run(script))).toEqual([
      "guests.sh: VM 103 (pbs) is not on node pve: id 103 is CT 103 on node pve2. Give the topology that guest's node (host) and kind (vm or container), or a free id.",
    ]);
    expect(elsewhere.log).toEqual([]);
  });

  it('creates nothing while the installer ISO or the container template of a guest to create is not on its storage', async () => {
    // qm create and pct create fail on a missing one only in the apply phase (qemu-server API2/Qemu.pm
    // create_disks: "volume ... does not exist"; pve-container LXC/Create.pm: "can't find file"), after the
    // guests before were changed: the check phase looks for it among the storage's ISO images / templates.
    expect(script).toContain(`--ide2 '${PBS_ISO},media=cdrom'`);
    const noIso = node({ storage: { local: { iso: ['local:iso/opnsense-26.7.iso'], vztmpl: [DEBIAN_TEMPLATE] } } });
    const before = noIso.state;
    expect(problems(noIso.run(script))).toEqual([
      `guests.sh: VM 103 (pbs) cannot be created: storage local on node pve has no ISO image ${PBS_ISO} (pvesm list local --content iso). Put it there (a storage with content iso), or name one it has in the topology.`,
    ]);
    expect(noIso.log).toEqual([]);
    expect(noIso.state).toEqual(before);
    // A storage the node does not have: Proxmox's own message.
    const noStorage = node({ storage: {} });
    expect(problems(noStorage.run(script))).toEqual([
      "guests.sh: VM 103 (pbs) cannot be created: the ISO images of storage local on node pve cannot be listed: storage 'local' does not exist",
    ]);
    // Only a guest still to create needs it: once VM 103 exists, its ISO may be gone.
    const pbs = { name: 'pbs', ostype: 'l26', cpu: 'x86-64-v2-AES', scsihw: 'virtio-scsi-single', scsi0: 'local-lvm:vm-103-disk-0,size=50G' };
    expect(node({ qemu: { ...homeNode().state.qemu, 103: pbs }, storage: {} }).run(script).status).toBe(0);
    // A container's template, the same way.
    const text = edit(homelab, ['sites', 0, 'services', 3], {
      name: 'grafana', network: 'service', address: '10.1.0.120', port: 3000, container: 220,
      guest: { disk_gb: 8, create: true, template: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst', dns: ['1.1.1.1'] },
    });
    const noTemplate = node();
    expect(problems(noTemplate.run((await render(text)).get('home/proxmox/pve/guests.sh')!))).toEqual([
      'guests.sh: CT 220 (grafana) cannot be created: storage local on node pve has no container template local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst (pvesm list local --content vztmpl). Put it there (a storage with content vztmpl), or name one it has in the topology.',
    ]);
    expect(noTemplate.log).toEqual([]);
  });

  it('grows a smaller disk to disk_gb and leaves a bigger one alone', async () => {
    const text = edit(homelab, ['sites', 0, 'firewall', 'vm', 'disk_gb'], 40);
    const grow = (await render(text)).get('home/proxmox/pve/guests.sh')!;
    const n = node();
    expect(n.run(grow).stdout).toContain('qm 102: scsi0 32G -> 40G');
    expect(n.state.qemu['102']!.scsi0).toBe('local-lvm:vm-102-disk-0,size=40G');
    const bigger = node({ qemu: { 102: { scsi0: 'local-lvm:vm-102-disk-0,size=64G' } } });
    expect(bigger.run(grow).stdout).toContain('qm 102: scsi0 is 64G, more than 40G: left as it is (Proxmox cannot shrink a disk)');
    expect(bigger.log.filter((l) => l.includes('resize'))).toEqual([]);
    // qm exits 0 when the resize fails: the script reads the size back and stops.
    const locked = node({ resizeFails: true });
    const run = locked.run(grow);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('guests.sh: qm 102: scsi0 is still 32G after the resize to 40G');
  });

  it("gives the backup server's VM made without one the cache disk, grows a smaller one, and never replaces it", () => {
    // VM 103 as an earlier guests.sh created it: the system disk only.
    const pbs = { name: 'pbs', ostype: 'l26', cpu: 'x86-64-v2-AES', scsihw: 'virtio-scsi-single', scsi0: 'local-lvm:vm-103-disk-0,size=50G' };
    const n = node({ qemu: { ...homeNode().state.qemu, 103: pbs } });
    const run = n.run(script);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('qm 103: scsi1: (unset) -> new disk local-lvm:100');
    // STORAGE:SIZE on a free key is what makes qemu-server allocate a volume (Drive.pm NEW_DISK_RE).
    expect(n.log).toContain('qm set 103 --scsi1 local-lvm:100');
    expect(n.state.qemu['103']!.scsi1).toBe('local-lvm:vm-103-disk-1,size=100G');
    expect(n.state.qemu['103']!.scsi0).toBe(pbs.scsi0);
    const changes = n.log.length;
    expect(n.run(script).stdout).toContain('qm 103: scsi1 size unchanged');
    expect(n.log).toHaveLength(changes);
    // A smaller cache disk grows; it is never set anew (that would allocate an empty one and detach the cache).
    const small = node({ qemu: { ...homeNode().state.qemu, 103: { ...pbs, scsi1: 'local-lvm:vm-103-disk-1,size=64G' } } });
    expect(small.run(script).stdout).toContain('qm 103: scsi1 64G -> 100G');
    expect(small.log.filter((l) => l.includes('scsi1'))).toEqual(['qm disk resize 103 scsi1 100G']);
  });

  it('takes the template names pve-storage takes: a .tar (an OCI image) builds, a .tgz is a schema error at its line', async () => {
    // pve-storage (PVE 9) VZTMPL_EXT_RE_1: .tar, or .tar.gz/.xz/.zst/.bz2; nothing else is a template.
    const grafana = (template: string) =>
      edit(homelab, ['sites', 0, 'services', 3], { name: 'grafana', network: 'service', address: '10.1.0.120', port: 3000, container: 220, guest: { disk_gb: 8, create: true, template, dns: ['1.1.1.1'] } });
    const oci = await render(grafana('local:vztmpl/grafana-oss_latest.tar'));
    expect(oci.get('home/proxmox/pve/guests.sh')).toContain("pct create 220 'local:vztmpl/grafana-oss_latest.tar' --hostname 'grafana'");
    const tgz = grafana('local:vztmpl/debian-12-standard_12.7-1_amd64.tgz');
    const found = (await lint(tgz)).filter((d) => d.severity === 'error');
    expect(found.map((d) => [d.rule, d.location.line])).toEqual([['schema', tgz.split('\n').findIndex((l) => l.includes('.tgz')) + 1]]);
  });

  it('creates a container from its template with the settings of the topology', async () => {
    const text = edit(homelab, ['sites', 0, 'services', 3], {
      name: 'grafana', network: 'service', address: '10.1.0.120', port: 3000, container: 220,
      guest: { cores: 1, memory_mb: 1024, disk_gb: 8, onboot: true, create: true, template: 'local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst', dns: ['1.1.1.1', '9.9.9.9'] },
    });
    const n = node();
    const run = n.run((await render(text)).get('home/proxmox/pve/guests.sh')!);
    expect(run.status).toBe(0);
    // Its DNS servers are part of the create command: the first resolv.conf pve-container writes is theirs.
    expect(n.log).toContain("pct create 220 local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst --hostname grafana --rootfs local-lvm:8 --unprivileged 1 --features nesting=1 --nameserver 1.1.1.1 9.9.9.9");
    expect(run.stdout).toContain('pct 220: nameserver unchanged');
    expect(n.state.lxc['220']).toMatchObject({ cores: '1', memory: '1024', onboot: '1', nameserver: '1.1.1.1 9.9.9.9', net0: `name=eth0,bridge=vmbr2,gw=10.1.0.1,hwaddr=${derivedMac('home', 'grafana', 'net0')},ip=10.1.0.120/24,type=veth` });
  });
});
