// apply-interfaces.sh on a stand-in node: ifquery is ifupdown2's own (it
// parses gen's file and the node's current one), ip, uname, id and pvesh
// are stand-ins printing the node's state as the real ones print it, and
// /etc/network and /etc/pve are directories of the test. Names resolve as on
// the node: the script runs in a user, mount and network namespace of its
// own, where the node's hosts file is /etc/hosts and glibc's getaddrinfo
// (Perl's, getent's) reads it, and the namespace's own addresses are those
// AI_ADDRCONFIG looks at. A node holding
// an address that gen's file does not carry (the installer's address, a
// second address on vmbr0 that corosync uses) is refused with that address
// named and nothing installed; with --allow-drop, or on a node whose
// addresses are all in gen's file, the file is installed and applied as the
// GUI does. The addresses come from the model, so they follow the topology.
// In User-Mode-Linux, the same on a real ifupdown2 bring-up: what the script
// lists is what ifreload -a takes away.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/model.js';
import { addressInterface } from '../../src/targets/proxmox/interfaces.js';
import { modelOf, readExample, render, root } from '../helpers.js';
import { missing, titled, umlCannotRun } from '../system-tools.js';
import { builds } from './ifupdown2-builds.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const STAND_INS: Record<string, string> = {
  // ip -o addr show scope global | ip -o link show up, from the node's files.
  ip: '#!/bin/sh\ncase "$*" in\n  "-o addr show scope global") cat "$NODE/addr" ;;\n  "-o link show up") cat "$NODE/links" ;;\n  "-o -d link show") cat "$NODE/all" ;;\n  *) echo "ip stand-in: $*" >&2; exit 2 ;;\nesac\n',
  uname: '#!/bin/sh\n[ "$1" = -n ] && cat "$NODE/name"\n',
  id: '#!/bin/sh\necho 0\n',
  // The GUI's Apply as the API runs it: rename interfaces.new over interfaces (ifreload -a is not the stand-in's business).
  pvesh: '#!/bin/sh\necho "pvesh $*" >> "$NODE/log"\n[ "$1 $2" = "set /nodes/$(cat "$NODE/name")/network" ] || exit 2\nmv "$NODE/etc/network/interfaces.new" "$NODE/etc/network/interfaces"\n',
};

interface Node {
  name: string;
  /** The node's current /etc/network/interfaces. */
  interfaces: string;
  /** Addresses with prefix, by device, as `ip addr` lists them. */
  addresses: [string, string][];
  up: string[];
  hosts: [string, string][];
  corosync?: string;
  /** /etc/pve/.members as pmxcfs writes it in a cluster. */
  members?: string;
  /** `ip -o -d link show` of the node; by default, a line of each device up or with an address. */
  links?: string;
  /** The bridge each device up is a port of (`master` in `ip link`), by device. */
  masters?: Record<string, string>;
  /** systemd .link files pve-network-interface-pinning wrote (/usr/local/lib/systemd/network), by file name. */
  pins?: Record<string, string>;
  /** Addresses with prefix the network namespace the script runs in has (on lo): what AI_ADDRCONFIG sees. None by default. */
  configured?: string[];
}

/**
 * Runs bash with ARGS in a user, mount and network namespace of its own: HOSTS bind-mounted on /etc/hosts,
 * CONFIGURED (addresses with prefix) on lo, the stand-ins in STAND_INS first in PATH (after the setup, which
 * uses the real ip).
 */
const IN_NAMESPACE = [
  'unshare', '--user', '--map-root-user', '--mount', '--net', 'sh', '-c',
  'set -e; ip link set lo up; for a in $CONFIGURED; do ip addr add "$a" dev lo; done; mount --bind "$HOSTS" /etc/hosts; PATH="$STAND_INS:$PATH" exec "$@"',
  'sh',
];

/**
 * root's PATH on a Proxmox VE node. ifquery starts with `#!/usr/bin/env python3`: on the node that is
 * Debian's Python, which the test's own PATH may put behind another python3 (a version manager's
 * shim that starts a shell and a dozen processes for every ifquery: 0.4 s of each of the script's two).
 */
const NODE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const work = tempDir('gen-apply-interfaces-');
let count = 0;

/** Runs the script text on a node with the state given (under `wrapper`, e.g. strace, where given); returns its outcome and the node's files after. */
function runOn(script: string, interfaces: string, node: Node, args: string[] = [], wrapper: string[] = []) {
  const dir = join(work, String(count++));
  for (const d of ['bin', 'etc/network', 'etc/pve', 'copy']) mkdirSync(join(dir, d), { recursive: true });
  for (const [name, text] of Object.entries(STAND_INS)) {
    writeFileSync(join(dir, 'bin', name), text);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  writeFileSync(join(dir, 'name'), node.name);
  writeFileSync(join(dir, 'etc/network/interfaces'), node.interfaces);
  const devices = [...new Set(node.up.concat(node.addresses.map(([d]) => d)))];
  writeFileSync(join(dir, 'links'), node.up.map((d) => `${devices.indexOf(d) + 2}: ${d}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue${node.masters?.[d] ? ` master ${node.masters[d]}` : ''} state UP mode DEFAULT group default qlen 1000\\    link/ether bc:24:11:00:00:0${devices.indexOf(d)} brd ff:ff:ff:ff:ff:ff\n`).join(''));
  writeFileSync(join(dir, 'all'), node.links ?? devices.map((d, i) => ipLink(i + 2, d, `bc:24:11:00:00:0${i}`)).join(''));
  mkdirSync(join(dir, 'usr/local/lib/systemd/network'), { recursive: true });
  for (const [file, text] of Object.entries(node.pins ?? {})) writeFileSync(join(dir, 'usr/local/lib/systemd/network', file), text);
  writeFileSync(
    join(dir, 'addr'),
    node.addresses
      .map(([d, a], i) => `${devices.indexOf(d) + 2}: ${d}    ${a.includes(':') ? 'inet6' : 'inet'} ${a}${a.includes(':') ? '' : ' brd 255.255.255.255'} scope global ${i > 0 && node.addresses[i - 1]![0] === d ? 'secondary ' : ''}${d}\\       valid_lft forever preferred_lft forever\n`)
      .join(''),
  );
  writeFileSync(join(dir, 'hosts'), node.hosts.map(([a, n]) => `${a} ${n}\n`).join(''));
  writeFileSync(join(dir, 'log'), '');
  if (node.corosync !== undefined) writeFileSync(join(dir, 'etc/pve/corosync.conf'), node.corosync);
  if (node.members !== undefined) writeFileSync(join(dir, 'etc/pve/.members'), node.members);
  // The node's /etc is the test's: the script names no other path there.
  expect(script).toContain('/etc/network/interfaces.new');
  const local = script.replace(/\/etc\/(network|pve)\//g, `${dir}/etc/$1/`).replace(/\/usr\/local\/lib\/systemd\/network\//g, `${dir}/usr/local/lib/systemd/network/`);
  writeFileSync(join(dir, 'copy/apply-interfaces.sh'), local);
  writeFileSync(join(dir, 'copy/interfaces'), interfaces);
  const r = spawnSync(IN_NAMESPACE[0]!, IN_NAMESPACE.slice(1).concat(...wrapper, 'bash', join(dir, 'copy/apply-interfaces.sh'), ...args), {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: NODE_PATH, STAND_INS: join(dir, 'bin'), HOSTS: join(dir, 'hosts'), CONFIGURED: (node.configured ?? []).join(' '), NODE: dir },
  });
  const unlocal = (text: string) => text.split(`${dir}/etc/`).join('/etc/').split(`${dir}/usr/`).join('/usr/');
  return {
    status: r.status,
    stdout: unlocal(r.stdout),
    stderr: unlocal(r.stderr),
    live: readFileSync(join(dir, 'etc/network/interfaces'), 'utf8'),
    pending: existsSync(join(dir, 'etc/network/interfaces.new')),
    log: readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean),
  };
}

/** A line of `ip -o -d link show`: a NIC as the kernel lists it, with its altnames. */
function ipLink(index: number, name: string, mac: string, altnames: string[] = []): string {
  return `${index}: ${name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\\    link/ether ${mac} brd ff:ff:ff:ff:ff:ff promiscuity 0 allmulti 0 minmtu 68 maxmtu 9000 addrgenmode none numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ${altnames.map((a) => `\\    altname ${a} `).join('')}parentbus pci parentdev 0000:03:00.0\n`;
}

/** The host's own addresses, on the device gen's file puts them on. */
function genAddresses(host: Host): [string, string][] {
  return host.bridges.filter((b) => b.address !== undefined).map((b) => [addressInterface(b), `${b.address}/${b.prefix}`]);
}

/** What the Proxmox VE installer writes: vmbr0 on the first NIC, with the address given at install time. */
function installer(port: string, address: string, gateway: string): string {
  return `auto lo\niface lo inet loopback\n\niface ${port} inet manual\n\nauto vmbr0\niface vmbr0 inet static\n\taddress ${address}\n\tgateway ${gateway}\n\tbridge-ports ${port}\n\tbridge-stp off\n\tbridge-fd 0\n\nsource /etc/network/interfaces.d/*\n`;
}

/** corosync.conf with this node and another; TOTEM, lines of the totem section (ip_version, transport). */
const corosync = (node: string, ring0: string, totem: string[] = []) =>
  `totem {\n  cluster_name: home\n  config_version: 2\n  interface {\n    linknumber: 0\n  }\n${totem.map((l) => `  ${l}\n`).join('')}  version: 2\n}\n\nnodelist {\n  node {\n    name: other\n    nodeid: 2\n    ring0_addr: 192.168.0.99\n  }\n  node {\n    name: ${node}\n    nodeid: 1\n    quorum_votes: 1\n    ring0_addr: ${ring0}\n  }\n}\n`;

const why = missing(['ifquery', 'sha256sum', 'unshare', 'ip', 'perl'], false);

describe.skipIf(why)(`apply-interfaces.sh on a stand-in node${why ? ` (skipped: ${why})` : ''}`, () => {
  let host: Host;
  let script: string;
  let interfaces: string;
  let own: [string, string][];
  beforeAll(async () => {
    const text = readExample('homelab');
    const model = await modelOf(text);
    const site = model.sites[0]!;
    host = site.hosts[0]!;
    const files = await render(text);
    script = files.get(`${site.name}/proxmox/${host.name}/apply-interfaces.sh`)!;
    interfaces = files.get(`${site.name}/proxmox/${host.name}/interfaces`)!;
    own = genAddresses(host);
  });

  /** A node that already runs gen's file, with the devices of its stanzas up. */
  const current = (extra: [string, string][] = [], more: Partial<Node> = {}): Node =>
    Object.assign(
      { name: host.name, interfaces, addresses: own.concat(extra), up: host.bridges.map((b) => b.name).concat(host.ports), hosts: [[own[0]![1].split('/')[0]!, host.name]] as [string, string][] },
      more,
    );

  it("is written next to each host's interfaces file and names the node and the file's sha256", () => {
    expect(script).toBeDefined();
    expect(script).toContain(`for_node='${host.name}'`);
    expect(own.length).toBeGreaterThan(0);
  });

  it("applies without the flag on a node whose addresses are all in gen's file, and again on a second run", () => {
    const node = current();
    for (const round of [1, 2]) {
      const r = runOn(script, interfaces, node);
      expect(r.stderr, `round ${round}`).toBe('');
      expect(r.status).toBe(0);
      expect(r.log).toEqual([`pvesh set /nodes/${host.name}/network`]);
      expect(r.live).toBe(interfaces);
      expect(r.pending).toBe(false);
    }
  });

  it('refuses a node with an extra address on vmbr0, naming it, what corosync and the node name make of it, and installs nothing', () => {
    const [device, address] = own.find(([d]) => d === 'vmbr0')!;
    const extra = address.replace(/\.\d+\//, '.77/');
    // pmxcfs takes the first address (gen's); the name resolves to the extra one too.
    const node = current([['vmbr0', extra]], { corosync: corosync(host.name, extra.split('/')[0]!), hosts: [[own[0]![1].split('/')[0]!, host.name], [extra.split('/')[0]!, host.name]] });
    const r = runOn(script, interfaces, node);
    expect(r.status).toBe(1);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(listed).toEqual([
      `  vmbr0 ${extra} (inet): the new file does not list it on vmbr0, and Apply deletes it; corosync uses it: ring0_addr of node ${host.name} in /etc/pve/corosync.conf; node name ${host.name} resolves to it, and the other nodes reach ${host.name} there`,
    ]);
    expect(device).toBe('vmbr0');
    expect(r.stderr).toContain('--allow-drop');
    expect(r.log).toEqual([]);
    expect(r.pending).toBe(false);
    expect(r.live).toBe(interfaces);
  });

  it('with --allow-drop, installs and applies all the same', () => {
    const extra = own.find(([d]) => d === 'vmbr0')![1].replace(/\.\d+\//, '.77/');
    const r = runOn(script, interfaces, current([['vmbr0', extra]]), ['--allow-drop']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`vmbr0 ${extra} (inet)`);
    expect(r.log).toEqual([`pvesh set /nodes/${host.name}/network`]);
    expect(r.live).toBe(interfaces);
  });

  it("refuses the installer's configuration when the topology gives the node another address, and an interface Apply would take down", () => {
    const installed = '192.168.0.2/24';
    const live = `${installer('eno1', installed, '192.168.0.1')}\nauto vmbr9\niface vmbr9 inet manual\n\tbridge-ports none\n\tbridge-stp off\n\tbridge-fd 0\n`;
    const node: Node = { name: host.name, interfaces: live, addresses: [['vmbr0', installed]], up: ['eno1', 'vmbr0', 'vmbr9'], hosts: [['192.168.0.2', host.name]], corosync: corosync(host.name, host.name) };
    const r = runOn(script, interfaces, node);
    expect(r.status).toBe(1);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(listed).toEqual([
      `  vmbr0 ${installed} (inet): the new file does not list it on vmbr0, and Apply deletes it; corosync uses it: ring0_addr of node ${host.name} in /etc/pve/corosync.conf; node name ${host.name} resolves to it, and the other nodes reach ${host.name} there`,
      '  vmbr9: up now, and the new file does not name it: Apply takes it down, with the guest NICs on it',
    ]);
    // The node name still resolves to the installer's address: not a loss --allow-drop accepts.
    expect(r.stderr).toContain(`node name ${host.name} resolves to ${installed.split('/')[0]}, which the new file does not carry`);
    expect(r.log).toEqual([]);
    expect(r.live).toBe(live);
  });

  it("says that Apply leaves a bridge the new file does not name, and its address, while guest NICs are on it, as Proxmox VE's ifupdown2 does", () => {
    const live = `${installer('eno1', '192.168.0.2/24', '192.168.0.1')}\nauto vmbr9\niface vmbr9 inet static\n\taddress 10.9.0.1/24\n\tbridge-ports none\n\tbridge-stp off\n\tbridge-fd 0\n`;
    const up = ['eno1', 'vmbr0', 'vmbr9', 'tap100i0', 'veth101i0@if2', 'fwpr102p0@fwln102i0', 'tap103i0'];
    // tap103i0 is a guest NIC on vmbr0 (the new file names vmbr0), the others on vmbr9.
    const masters = { eno1: 'vmbr0', tap100i0: 'vmbr9', 'veth101i0@if2': 'vmbr9', 'fwpr102p0@fwln102i0': 'vmbr9', tap103i0: 'vmbr0' };
    const node: Node = { name: host.name, interfaces: live, addresses: own.concat([['vmbr9', '10.9.0.1/24']]), up, masters, hosts: [[own[0]![1].split('/')[0]!, host.name]] };
    const r = runOn(script, interfaces, node);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('  '))).toEqual([
      '  vmbr9 10.9.0.1/24 (inet): the new file does not name vmbr9, which Apply leaves up while guest NICs are on it, and it is gone at the next boot',
      "  vmbr9: up now with guest NICs on it (tap100i0 veth101i0 fwpr102p0), and the new file does not name it: Apply leaves it up while they are (Proxmox VE's ifupdown2 keeps such a bridge), and it is gone at the next boot, where guests on it fail to start",
    ]);
    expect(r.log).toEqual([]);
  });

  it('changes nothing on another node, or with an interfaces file that is not the one gen wrote with it', () => {
    const other = runOn(script, interfaces, current([], { name: 'pve2' }));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain(`this script is for node ${host.name}, not pve2`);
    const edited = runOn(script, `${interfaces}\nauto vmbr9\niface vmbr9 inet manual\n`, current());
    expect(edited.status).toBe(1);
    expect(edited.stderr).toContain('is not the interfaces file gen wrote with this script');
    for (const r of [other, edited]) expect(r.log).toEqual([]);
  });

  /** The /etc/hosts line the script asks for, parsed: [address, ...names]. */
  const hostsLine = (stderr: string) => {
    const m = /with this line in \/etc\/hosts in place of any other that names (\S+): (.*)$/m.exec(stderr);
    expect(m, stderr).not.toBeNull();
    expect(m![1]).toBe(host.name);
    return m![2]!.split(' ');
  };
  const fqdn = () => `${host.name}.home.arpa`;
  /** An installer-style hosts file: loopback, then the node's line "IP FQDN NAME". */
  const hosts = (address: string): [string, string][] => [['127.0.0.1', 'localhost'], [address, `${fqdn()} ${host.name}`]];

  it("applies when the node name resolves, past Debian's 127.0.1.1, to an address gen's file carries", () => {
    const r = runOn(script, interfaces, current([], { hosts: [['127.0.1.1', `${fqdn()} ${host.name}`]].concat(hosts(own[0]![1].split('/')[0]!)) as [string, string][] }));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.log).toEqual([`pvesh set /nodes/${host.name}/network`]);
  });

  it('refuses, even with --allow-drop, while the node name resolves only to loopback, naming the /etc/hosts line that fixes it', () => {
    const node = current([], { hosts: [['127.0.0.1', 'localhost'], ['127.0.1.1', `${fqdn()} ${host.name}`]] });
    for (const args of [[], ['--allow-drop']]) {
      const r = runOn(script, interfaces, node, args);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`node name ${host.name} resolves to no address but loopback`);
      expect(r.stderr).toContain("Unable to resolve node name '" + host.name + "' to a non-loopback IP address");
      expect(r.log).toEqual([]);
      expect(r.pending).toBe(false);
      // The line keeps the node's FQDN and gives it one of gen's addresses; with it, the file applies.
      const [address, ...names] = hostsLine(r.stderr);
      expect(names).toEqual([fqdn(), host.name]);
      expect(own.map(([, a]) => a.split('/')[0])).toContain(address);
      const fixed = runOn(script, interfaces, Object.assign({}, node, { hosts: [[address, names.join(' ')]] }), args);
      expect(fixed.stderr).toBe('');
      expect(fixed.status).toBe(0);
    }
  });

  it('refuses a node whose name resolves to the address Apply moves away, even with --allow-drop, until /etc/hosts names the new one', () => {
    // The topology moved the node's address: the old one is on vmbr0 now, and /etc/hosts names it.
    const [device, address] = own.find(([d]) => d === 'vmbr0')!;
    const old = address.replace(/\.\d+\//, '.77/');
    const node = current([], { addresses: own.filter(([d]) => d !== device).concat([[device, old]]), hosts: hosts(old.split('/')[0]!) });
    const r = runOn(script, interfaces, node, ['--allow-drop']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`node name ${host.name} resolves to ${old.split('/')[0]}, which the new file does not carry`);
    expect(r.log).toEqual([]);
    const [fix, ...names] = hostsLine(r.stderr);
    expect(names).toEqual([fqdn(), host.name]);
    expect(own.map(([, a]) => a.split('/')[0])).toContain(fix);
    // With the line in /etc/hosts, the move is a loss --allow-drop accepts.
    const fixed = runOn(script, interfaces, Object.assign({}, node, { hosts: hosts(fix!) }), ['--allow-drop']);
    expect(fixed.status).toBe(0);
    expect(fixed.stderr).toContain(`vmbr0 ${old} (inet)`);
    expect(fixed.log).toEqual([`pvesh set /nodes/${host.name}/network`]);
  });

  it("after Apply, names the restart of pve-cluster while pmxcfs still gives the other nodes the node's old address", () => {
    const [device, address] = own.find(([d]) => d === 'vmbr0')!;
    const old = address.replace(/\.\d+\//, '.77/').split('/')[0]!;
    const now = address.split('/')[0]!;
    // /etc/pve/.members as pmxcfs writes it (pve-cluster src/pmxcfs/status.c): this node's "ip" is the one it resolved at its start.
    const members = (ip: string) =>
      `{\n"nodename": "${host.name}",\n"version": 5,\n"cluster": { "name": "home", "version": 2, "nodes": 2, "quorate": 1 },\n"nodelist": {\n  "${host.name}2": { "id": 2, "online": 1, "ip": "192.168.0.99"},\n  "${host.name}": { "id": 1, "online": 1, "ip": "${ip}"}\n  }\n}\n`;
    const node = current([], { addresses: own.filter(([d]) => d !== device).concat([[device, `${old}/24`]]), hosts: hosts(now), members: members(old) });
    const r = runOn(script, interfaces, node, ['--allow-drop']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`pmxcfs still gives the other nodes ${old} as the address of ${host.name}: systemctl restart pve-cluster, and it takes ${now}`);
    // Once it announces the address the name resolves to, nothing to say.
    const restarted = runOn(script, interfaces, Object.assign({}, node, { members: members(now) }), ['--allow-drop']);
    expect(restarted.status).toBe(0);
    expect(restarted.stdout).not.toContain('pmxcfs still gives');
  });

  // pve-network-interface-pinning (pve-manager PVE/CLI/pve_network_interface_pinning.pm) writes this file and
  // renames the NIC with that MAC at the next boot.
  const pin = (name: string, mac: string) => ({ [`50-pmx-${name}.link`]: `[Match]\nMACAddress=${mac}\nType=ether\n\n[Link]\nName=${name}\n` });
  /** The node's links as `ip -o -d link show` gives them, the NIC of gen's vmbr0 as `nic` (with its altnames). */
  const linksWith = (nic: string, altnames: string[] = []) =>
    host.bridges
      .map((b) => b.name)
      .concat(host.ports.filter((p) => p !== port()))
      .map((d, i) => ipLink(i + 3, d, `bc:24:11:00:01:0${i}`))
      .join('')
      .concat(ipLink(2, nic, 'bc:24:11:aa:bb:cc', altnames));
  const port = () => host.bridges.find((b) => b.name === 'vmbr0')!.ports[0]!;

  it('refuses, even with --allow-drop, a file naming a NIC the node no longer has, naming it and the pinned names', () => {
    expect(host.ports).toContain(port());
    const node = current([], { links: linksWith('nic0'), pins: pin('nic0', 'BC:24:11:AA:BB:CC') });
    for (const args of [[], ['--allow-drop']]) {
      const r = runOn(script, interfaces, node, args);
      expect(r.status).toBe(1);
      const listed = r.stderr.split('\n').filter((l) => l.startsWith('  '));
      expect(listed).toEqual([`  ${port()}: this node has no NIC of that name (ip link); NICs pinned here (/usr/local/lib/systemd/network) that the new file does not name: nic0`]);
      expect(r.stderr).toContain('nothing changed');
      expect(r.log).toEqual([]);
      expect(r.pending).toBe(false);
    }
  });

  it('refuses a NIC that a pin renames at the next boot', () => {
    const pinned = runOn(script, interfaces, current([], { links: linksWith(port()), pins: pin('nic0', 'bc:24:11:aa:bb:cc') }));
    expect(pinned.status).toBe(1);
    expect(pinned.stderr).toContain(`  ${port()}: /usr/local/lib/systemd/network/50-pmx-nic0.link renames it (MAC bc:24:11:aa:bb:cc) to nic0 at the next boot`);
    expect(pinned.log).toEqual([]);
  });

  // pve-common PVE/Network/Interfaces.pm takes a NIC named by an altname as that NIC, but ifupdown2 does not:
  // its netlink cache knows a link by its name only, and it brings vmbr0 up without the port (the User-Mode-Linux
  // test below shows it on ifupdown2 itself).
  it("refuses, even with --allow-drop, a NIC the node has only as an altname, naming the NIC's name (or its pinned one)", () => {
    for (const args of [[], ['--allow-drop']]) {
      const alt = runOn(script, interfaces, current([], { links: linksWith('enx0', [port()]) }), args);
      expect(alt.status).toBe(1);
      expect(alt.stderr.split('\n').filter((l) => l.startsWith('  '))).toEqual([`  ${port()}: only an altname of enx0 (ip link), which ifupdown2 does not look up: name the NIC enx0`]);
      expect(alt.log).toEqual([]);
      expect(alt.pending).toBe(false);
    }
    const pinned = runOn(script, interfaces, current([], { links: linksWith('enx0', [port()]), pins: pin('nic0', 'bc:24:11:aa:bb:cc') }));
    expect(pinned.status).toBe(1);
    expect(pinned.stderr).toContain(`  ${port()}: only an altname of enx0 (ip link), which ifupdown2 does not look up: name the NIC nic0`);
  });

  // pmxcfs asks getaddrinfo without AI_ADDRCONFIG (pve-cluster pmxcfs.c lookup_node_ip: AI_V4MAPPED | AI_ALL);
  // getent ahosts asks with it, and on a node with no IPv6 address glibc then leaves out an IPv6 line of
  // /etc/hosts. pmxcfs takes that address, and the script must see it as pmxcfs does.
  it('on a node without IPv6, sees the IPv6 address pmxcfs takes from /etc/hosts, which getent ahosts does not', () => {
    const v6 = 'fd00:5::11';
    const node = current([], { hosts: [['127.0.0.1', 'localhost'], [v6, `${fqdn()} ${host.name}`]], configured: own.map(([, a]) => a) });
    // In the node's namespace, getent (AI_ADDRCONFIG) finds no address for the name; getaddrinfo as pmxcfs asks finds it.
    const dir = join(work, String(count++));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hosts'), node.hosts.map(([a, n]) => `${a} ${n}\n`).join(''));
    const env = { ...process.env, STAND_INS: dir, HOSTS: join(dir, 'hosts'), CONFIGURED: node.configured!.join(' ') };
    const getent = spawnSync(IN_NAMESPACE[0]!, IN_NAMESPACE.slice(1).concat('getent', 'ahosts', host.name), { encoding: 'utf8', env });
    expect([getent.status, getent.stdout]).toEqual([2, '']);
    const pmxcfs = spawnSync(IN_NAMESPACE[0]!, IN_NAMESPACE.slice(1).concat('perl', '-MSocket=:addrinfo', '-e', 'my ($e, @r) = getaddrinfo($ARGV[0], undef, { flags => AI_V4MAPPED | AI_ALL }); print join(" ", map { (getnameinfo($_->{addr}, NI_NUMERICHOST, NIx_NOSERV))[1] } @r), "\n"', host.name), { encoding: 'utf8', env });
    expect(pmxcfs.stdout.trim().split(' ')[0]).toBe(v6);
    const r = runOn(script, interfaces, node, ['--allow-drop']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`node name ${host.name} resolves to ${v6}, which the new file does not carry`);
    expect(r.stderr).not.toContain('no address but loopback');
    expect(hostsLine(r.stderr)).toEqual([own[0]![1].split('/')[0], fqdn(), host.name]);
    expect(r.log).toEqual([]);
  });

  // corosync resolves a ringN_addr name to one address (corosync exec/totemip.c totemip_parse): getaddrinfo with no
  // flags in the family of the totem section's ip_version, the first result, or for ipv4-6 / ipv6-4 the first of the
  // family named first; without ip_version ipv6-4, ipv4 with transport udp (exec/totemconfig.c totem_config_get_ip_version).
  /** The lines listed for the addresses Apply takes away, by address; and whether each says that corosync uses it. */
  const corosyncSays = (stderr: string, addresses: string[]) =>
    addresses.map((a) => {
      const line = stderr.split('\n').find((l) => l.startsWith(`  vmbr0 ${a} (`));
      expect(line, stderr).toBeDefined();
      return line!.includes(`corosync uses it: ring0_addr of node ${host.name} in /etc/pve/corosync.conf`);
    });
  const vmbr0 = () => own.find(([d]) => d === 'vmbr0')![1];

  it('takes, for a ring0_addr name with two IPv4 addresses, only the first, as corosync does', () => {
    const first = vmbr0().replace(/\.\d+\//, '.77/');
    const second = vmbr0().replace(/\.\d+\//, '.78/');
    const node = (order: string[]) =>
      current([['vmbr0', first], ['vmbr0', second]], {
        corosync: corosync(host.name, 'link0'),
        hosts: [[own[0]![1].split('/')[0]!, host.name] as [string, string]].concat(order.map((a) => [a.split('/')[0]!, 'link0'])),
      });
    expect(corosyncSays(runOn(script, interfaces, node([first, second])).stderr, [first, second])).toEqual([true, false]);
    expect(corosyncSays(runOn(script, interfaces, node([second, first])).stderr, [first, second])).toEqual([false, true]);
  });

  it('on a node without IPv6, sees the IPv6 address corosync takes for a ring0_addr name, which getent ahosts does not', () => {
    const v6 = 'fd00:5::11/64';
    const node = current([['vmbr0', v6]], {
      corosync: corosync(host.name, 'link0'),
      hosts: [[own[0]![1].split('/')[0]!, host.name], [v6.split('/')[0]!, 'link0']],
      configured: own.map(([, a]) => a),
    });
    const r = runOn(script, interfaces, node);
    expect(r.status).toBe(1);
    expect(corosyncSays(r.stderr, [v6])).toEqual([true]);
    expect(r.stderr).toContain(`  vmbr0 ${v6} (inet6): the new file does not list it on vmbr0, and Apply deletes it; corosync uses it`);
    expect(r.log).toEqual([]);
  });

  it("takes, for a ring0_addr name with both families, the one the totem section's ip_version (or its default) picks", () => {
    const v4 = vmbr0().replace(/\.\d+\//, '.77/');
    const v6 = 'fd00:5::11/64';
    const says = (totem: string[]) => {
      const node = current([['vmbr0', v4], ['vmbr0', v6]], {
        corosync: corosync(host.name, 'link0', totem),
        hosts: [[own[0]![1].split('/')[0]!, host.name], [v4.split('/')[0]!, 'link0'], [v6.split('/')[0]!, 'link0']],
        configured: own.map(([, a]) => a).concat('fd00:9::1/64'),
      });
      return corosyncSays(runOn(script, interfaces, node).stderr, [v4, v6]);
    };
    expect(says(['ip_version: ipv4'])).toEqual([true, false]);
    expect(says(['ip_version: ipv4-6'])).toEqual([true, false]);
    expect(says(['ip_version: ipv6'])).toEqual([false, true]);
    expect(says(['ip_version: ipv6-4'])).toEqual([false, true]);
    expect(says([])).toEqual([false, true]);
    expect(says(['transport: udp'])).toEqual([true, false]);
    expect(says(['transport: knet'])).toEqual([false, true]);
  });

  const noStrace = missing(['strace'], false);
  it.skipIf(noStrace)(titled('starts no process for each address the node has: as many with 2 extra addresses as with 12', noStrace), () => {
    const [, address] = own.find(([d]) => d === 'vmbr0')!;
    /** The processes (forks and threads) bash and what it starts made, by strace's trace of the run. */
    const created = (extra: number) => {
      const trace = join(work, `forks-${extra}`);
      const more = Array.from({ length: extra }, (_, i): [string, string] => ['vmbr0', address.replace(/\.\d+\//, `.${200 + i}/`)]);
      const r = runOn(script, interfaces, current(more), ['--allow-drop'], ['strace', '-f', '-qq', '-e', 'trace=fork,vfork,clone,clone3', '-o', trace]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('  vmbr0 '))).toHaveLength(extra);
      return readFileSync(trace, 'utf8').split('\n').filter((l) => /^\d+ +(fork|vfork|clone3?)\(/.test(l) && !/= -1 /.test(l)).length;
    };
    const few = created(2);
    expect(few).toBeGreaterThan(10);
    expect(created(12)).toBe(few);
  });

  it('refuses a node whose name resolves to an address it has nowhere, a stale /etc/hosts', () => {
    const r = runOn(script, interfaces, current([], { hosts: hosts('192.0.2.99') }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`node name ${host.name} resolves to 192.0.2.99, which the new file does not carry`);
    expect(r.log).toEqual([]);
  });
});

const whyUml = missing(['linux.uml', 'modprobe', 'ifup', 'ifquery', 'bridge', 'sha256sum']) ?? umlCannotRun();

for (const build of builds) {
const why = whyUml ?? build.why;
describe.skipIf(why)(titled(`apply-interfaces.sh on a node brought up by ${build.name} in User-Mode-Linux`, why), () => {
  const installed = '192.168.0.77/24';
  let host: Host;
  let own: [string, string][];
  const runs: Record<string, string> = {};
  beforeAll(async () => {
    const text = readExample('homelab');
    const site = (await modelOf(text)).sites[0]!;
    host = site.hosts[0]!;
    own = genAddresses(host);
    const files = await render(text);
    const dir = join(work, `uml-${builds.indexOf(build)}`);
    const stubs = join(dir, 'stubs');
    mkdirSync(stubs, { recursive: true });
    writeFileSync(join(stubs, 'apply-interfaces.sh'), files.get(`${site.name}/proxmox/${host.name}/apply-interfaces.sh`)!);
    writeFileSync(join(stubs, 'interfaces'), files.get(`${site.name}/proxmox/${host.name}/interfaces`)!);
    // The GUI's Apply as pve-manager's reload_network_config runs it.
    writeFileSync(join(stubs, 'pvesh'), `#!/bin/sh\n[ "$1 $2" = "set /nodes/$(uname -n)/network" ] || exit 2\nmv /etc/network/interfaces.new /etc/network/interfaces\nexec ifreload -a\n`);
    chmodSync(join(stubs, 'pvesh'), 0o755);
    // The node as the installer left it (its address is not the topology's), with a bridge made by hand.
    const port = host.bridges.find((b) => b.name === 'vmbr0')!.ports[0]!;
    writeFileSync(join(dir, 'interfaces'), `${installer(port, installed, '192.168.0.1')}\nauto vmbr9\niface vmbr9 inet manual\n\tbridge-ports none\n\tbridge-stp off\n\tbridge-fd 0\n`);
    // /etc/hosts as the installer wrote it: the node name resolves to the installer's address.
    writeFileSync(join(dir, 'hosts'), `127.0.0.1 localhost\n${installed.split('/')[0]} ${host.name}.home.arpa ${host.name}\n`);
    // Without the flag, with it, and again without it; the node's addresses and up links after each. After the
    // first run, /etc/hosts gets the line the script asks for in place of the node's.
    const driver = ['', '--allow-drop', ''].map((flag, n) =>
      [
        `echo '== run ${n}'`,
        `out=$(bash /run/in/stubs/apply-interfaces.sh ${flag} /run/in/stubs/interfaces 2>&1); rc=$?; printf '%s\\n' "$out"; echo "rc=$rc"`,
        ...(n === 0 ? [`fix=$(printf '%s\\n' "$out" | sed -n 's/.* in place of any other that names ${host.name}: //p')`, `printf '127.0.0.1 localhost\\n%s\\n' "$fix" > /etc/hosts`] : []),
        "echo '== addresses'",
        'ip -o addr show scope global',
        "echo '== up'",
        'ip -o link show up',
      ].join('\n'),
    );
    // Then the port NIC renamed, its old name kept as an altname (as udev keeps a predictable name): the script
    // again, and ifreload -a (Apply) as if it had not refused, with the bridge's ports after.
    const altname = [
      "echo '== run 3'",
      `ip link set ${port} down && ip link set ${port} name enx0 && ip link property add dev enx0 altname ${port} && ip link set enx0 up`,
      'out=$(bash /run/in/stubs/apply-interfaces.sh --allow-drop /run/in/stubs/interfaces 2>&1); rc=$?; printf \'%s\\n\' "$out"; echo "rc=$rc"',
      "echo '== ifreload'",
      'ifreload -a 2>&1',
      "echo '== ports'",
      'ip -o link show master vmbr0',
    ].join('\n');
    // Then the NIC's name back, and a bridge vmbr9 with an address added to the node's file and brought up, with a
    // guest NIC on it: the script with the flag, and the node's addresses and up links after its Apply.
    const guest = [
      "echo '== run 4'",
      `ip link set enx0 down && ip link property del dev enx0 altname ${port} && ip link set enx0 name ${port} && ip link set ${port} up`,
      "printf '\\nauto vmbr9\\niface vmbr9 inet static\\n\\taddress 10.9.0.1/24\\n\\tbridge-ports none\\n\\tbridge-stp off\\n\\tbridge-fd 0\\n' >> /etc/network/interfaces && ifreload -a",
      'ip link add tap100i0 type dummy && ip link set tap100i0 master vmbr9 up',
      'out=$(bash /run/in/stubs/apply-interfaces.sh --allow-drop /run/in/stubs/interfaces 2>&1); rc=$?; printf \'%s\\n\' "$out"; echo "rc=$rc"',
      "echo '== addresses'",
      'ip -o addr show scope global',
      "echo '== up'",
      'ip -o link show up',
    ].join('\n');
    writeFileSync(join(dir, 'driver.sh'), `${driver.join('\n')}\n${altname}\n${guest}\necho '== end'\n`);
    const out = join(dir, 'out');
    const env = Object.assign({}, process.env, build.env(), { ETCNET: host.name, HOSTS: join(dir, 'hosts'), VERIFY: join(dir, 'driver.sh'), VERIFY_STUBS: stubs });
    try {
      await promisify(execFile)(join(root, 'test/scripts/uml-ifupdown2.sh'), [join(dir, 'interfaces'), out], { timeout: 660_000, env });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      throw new Error(`bring-up failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    const text0 = readFileSync(join(out, 'verify-0.out'), 'utf8');
    for (const part of text0.split(/^== run /m).slice(1)) runs[part.slice(0, 1)] = part;
  }, 700_000);

  const section = (run: string, name: string) => runs[run]!.split(`== ${name}\n`)[1]!.split('\n==')[0]!;
  const addresses = (run: string) => section(run, 'addresses').split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(1, 4).filter((_, i) => i !== 1).join(' '));
  const up = (run: string) => section(run, 'up').split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]!);

  it("refuses the installer's address and hand-made bridge, naming both, and leaves the node as it was", () => {
    expect(runs['0']).toContain('rc=1');
    expect(runs['0']).toContain(`  vmbr0 ${installed} (inet): the new file does not list it on vmbr0, and Apply deletes it`);
    expect(runs['0']).toContain('  vmbr9: up now, and the new file does not name it: Apply takes it down, with the guest NICs on it');
    // The node name resolves (getaddrinfo, in the node's /etc/hosts) to the installer's address.
    expect(runs['0']).toContain(`node name ${host.name} resolves to ${installed.split('/')[0]}, which the new file does not carry`);
    expect(runs['0']).toMatch(new RegExp(`in place of any other that names ${host.name}: \\S+ ${host.name}\\.home\\.arpa ${host.name}\\n`));
    expect(addresses('0')).toEqual([`vmbr0 ${installed}`]);
    expect(up('0')).toContain('vmbr9');
  });

  it('with --allow-drop, ifreload -a takes away exactly what the script listed and brings up what the topology says', () => {
    expect(runs['1']).toContain('rc=0');
    expect(addresses('1').sort()).toEqual(own.map(([d, a]) => `${d} ${a}`).sort());
    expect(up('1')).not.toContain('vmbr9');
    for (const bridge of host.bridges) expect(up('1')).toContain(bridge.name);
  });

  it('refuses a port the node has only as an altname, which ifreload -a would leave out of its bridge', () => {
    const port = host.bridges.find((b) => b.name === 'vmbr0')!.ports[0]!;
    expect(runs['3']).toContain('rc=1');
    expect(runs['3']).toContain(`  ${port}: only an altname of enx0 (ip link), which ifupdown2 does not look up: name the NIC enx0`);
    // What Apply would have done: ifupdown2 does not find the port, and takes the NIC out of vmbr0.
    expect(section('3', 'ifreload')).toContain(`error: vmbr0: bridge port ${port} does not exist`);
    expect(runs['3']!.split('== ports\n')[1]!.split('== end')[0]!.trim()).toBe('');
  });

  it("a bridge the file does not name, with a guest NIC on it: the script says Apply leaves it and its address up; Proxmox VE's ifupdown2 does (Debian's removes it)", () => {
    expect(runs['4']).toContain('  vmbr9 10.9.0.1/24 (inet): the new file does not name vmbr9, which Apply leaves up while guest NICs are on it, and it is gone at the next boot');
    expect(runs['4']).toContain("  vmbr9: up now with guest NICs on it (tap100i0), and the new file does not name it: Apply leaves it up while they are (Proxmox VE's ifupdown2 keeps such a bridge)");
    expect(runs['4']).toContain('rc=0');
    const proxmox = build.env().IFUPDOWN2_TREE !== undefined;
    expect(addresses('4').includes('vmbr9 10.9.0.1/24')).toBe(proxmox);
    expect(up('4').includes('vmbr9')).toBe(proxmox);
  });

  it("applies again without the flag once the node's addresses are all in gen's file", () => {
    expect(runs['2']).toContain('rc=0');
    expect(runs['2']).not.toContain('would take away');
    expect(addresses('2').sort()).toEqual(own.map(([d, a]) => `${d} ${a}`).sort());
  });
});
}
