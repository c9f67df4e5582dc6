// The Proxmox host's verification script starts no process to read what
// another printed: bash's own matching reads the output of ip, bridge, qm,
// pct and pvesh, and each guest's configuration is asked for once. Every
// process costs on a node (qm and pct are Perl programs that load Proxmox
// VE's libraries), and far more in the emulated hosts of
// test/verify/proxmox-uml.test.ts, where a run that started about 105
// processes (45 of them sed, 20 tr) took 15 to 45 s. The tests count the
// commands a run starts, not its time: every command on PATH is reached
// through a directory of stand-ins that note their command line and run the
// real one. The run is in a user, network and mount namespace of its own whose
// bridges, ports, addresses, routes and /etc/hosts are the topology's, so that the checks
// that pass are counted as well as those that fail.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host, Model } from '../../src/model.js';
import { renderAll } from '../../src/render/index.js';
import { edit, modelOf, readExample } from '../helpers.js';
import { FakeNode } from '../proxmox/fake-node.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

/** Commands the script may start: the box's own tools, perl for getaddrinfo, and awk (the report, JSON, the node name). */
const QUERIES = new Set(['ip', 'bridge', 'qm', 'pct', 'pvesm', 'pvesh', 'perl', 'awk']);

const NOTE = `#!/bin/sh
# Notes the command line, then runs the command of this name on REAL_PATH.
set -f
name=\${0##*/}
printf '%s\\0' "$name $*" >> "$COMMAND_LOG"
IFS=:
for dir in $REAL_PATH; do
  if [ -x "$dir/$name" ]; then exec "$dir/$name" "$@"; fi
done
echo "$name: not found" >&2
exit 127
`;

/** A directory of stand-ins for every command in `dirs`, each noting its command line (NOTE). */
function noting(dirs: string[]): string {
  const dir = tempDir('gen-noted-commands-');
  const note = join(dir, '.note');
  writeFileSync(note, NOTE);
  chmodSync(note, 0o755);
  const names = new Set<string>();
  for (const d of dirs) if (existsSync(d)) for (const name of readdirSync(d)) names.add(name);
  for (const name of names) if (!name.startsWith('.')) symlinkSync(note, join(dir, name));
  return dir;
}

/**
 * Shell commands that give the namespace the host's bridges, ports, addresses and routes. A port is one end of a
 * veth pair, and no bridge filters VLANs: kernels that run these tests may lack dummy devices and VLAN filtering,
 * and a check that fails starts the same processes as one that passes, but for the guests' pending changes.
 */
function hostDevices(host: Host): string[] {
  const out: string[] = [];
  let pairs = 0;
  for (const bridge of host.bridges) {
    out.push(`ip link add ${bridge.name} type bridge`);
    for (const port of bridge.ports) out.push(`ip link add ${port} type veth peer name peer${pairs++}`, `ip link set ${port} master ${bridge.name} up`);
    out.push(`ip link set ${bridge.name} up`);
    if (bridge.address !== undefined && bridge.addressVlan === undefined) out.push(`ip addr add ${bridge.address}/${bridge.prefix} dev ${bridge.name}`);
  }
  // A route through a VLAN device (an address in a VLAN) has no device here: left out, its check fails.
  const route = (to: string, via: string, dev: string) => `{ ip route add ${to} via ${via} dev ${dev} onlink 2>/dev/null || :; }`;
  for (const r of host.routes) out.push(route(r.destination, r.via, r.bridge));
  if (host.defaultGateway) out.push(route('default', host.defaultGateway.address, host.defaultGateway.bridge));
  return out;
}

interface Started {
  /** Each command line the run started, in order. */
  lines: string[];
  /** How many of each command. */
  count: Map<string, number>;
  stdout: string;
}

const nodes: FakeNode[] = [];
afterEach(() => nodes.splice(0).forEach((n) => n.remove()));

/** Runs the host's script on a fake node with the guests guests.sh sets, in a namespace with the host's devices. */
function runNoted(model: Model, files: Map<string, string>): Started {
  const site = model.sites[0]!;
  const host = site.hosts[0]!;
  // Every guest there, stopped, as a user made it; guests.sh then sets what the topology says.
  const here = site.guests.filter((g) => g.host === host.name);
  const qemu = Object.fromEntries(here.filter((g) => g.kind === 'vm').map((g) => [g.id, { cores: '1', memory: '2048', name: g.name, scsi0: `local-lvm:vm-${g.id}-disk-0,size=64G` }]));
  const lxc = Object.fromEntries(
    here.filter((g) => g.kind === 'ct').map((g) => [g.id, { hostname: g.name, memory: '512', rootfs: `local-lvm:vm-${g.id}-disk-0,size=8G`, net0: 'name=eth0,bridge=vmbr0,ip=dhcp,type=veth' }]),
  );
  const node = new FakeNode({ node: host.name, qemu, lxc });
  nodes.push(node);
  for (const converge of [`${site.name}/proxmox/${host.name}/guests.sh`, `${site.name}/proxmox/backup-jobs.sh`]) {
    const script = files.get(converge);
    if (script !== undefined) expect(node.run(script).stderr, converge).toBe('');
  }
  const realPath = [join(node.dir, 'bin'), ...(process.env.PATH ?? '').split(delimiter), '/sbin', '/bin', '/usr/sbin', '/usr/bin'].join(':');
  const noted = noting(realPath.split(':'));
  const log = join(tempDir('gen-noted-log-'), 'log');
  writeFileSync(log, '');
  const script = join(node.dir, 'verify.sh');
  writeFileSync(script, files.get(`${site.name}/verify/proxmox-${host.name}.sh`)!);
  // /etc/hosts as the installer writes it, and no name server: a lookup must not wait for one behind the routes.
  const hosts = join(node.dir, 'hosts');
  writeFileSync(hosts, `127.0.0.1 localhost\n${host.bridges.find((b) => b.address !== undefined)!.address} ${host.name}.home.arpa ${host.name}\n`);
  const resolv = join(node.dir, 'resolv.conf');
  writeFileSync(resolv, '');
  const setup = [`mount --bind ${hosts} /etc/hosts`, `mount --bind ${resolv} /etc/resolv.conf`, ...hostDevices(host)].join(' && ');
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--net', '--mount', '/bin/bash', '-c', `${setup} && PATH=$NOTED:$PATH exec /bin/bash "$0"`, script], {
    cwd: join(node.dir, 'work'),
    encoding: 'utf8',
    env: { ...process.env, PATH: realPath, NOTED: noted, REAL_PATH: realPath, COMMAND_LOG: log, FAKE_PVE: node.dir },
  });
  expect(r.stderr).toBe('');
  const lines = readFileSync(log, 'utf8').split('\0').filter(Boolean);
  const count = new Map<string, number>();
  for (const line of lines) count.set(line.split(' ')[0]!, (count.get(line.split(' ')[0]!) ?? 0) + 1);
  return { lines, count, stdout: r.stdout };
}

const why = missing(['unshare', 'ip', 'bridge', 'perl'], false);

describe.skipIf(why)(titled("the Proxmox host's script starts only the processes that ask the box", why), () => {
  it('homelab: no sed, tr, sort or other text tool; each guest asked for its configuration once; awk for the report, the node name and the job', async () => {
    const model = await modelOf(readExample('homelab'));
    const files = renderAll(model);
    const site = model.sites[0]!;
    const run = runNoted(model, files);
    // The bridges, the port and the routes the namespace has pass their checks.
    for (const bridge of site.hosts[0]!.bridges) expect(run.stdout).toMatch(new RegExp(`^✓ ${bridge.name} is an up bridge`, 'm'));
    expect(run.stdout).toMatch(/^✓ the default route goes via/m);
    expect(run.stdout).toMatch(/^✓ firewall VM \d+: vtnet1/m);
    expect(run.stdout).toMatch(/^✓ backup job /m);
    expect(run.stdout).toMatch(/^✓ node name /m);
    expect([...run.count.keys()].filter((c) => !QUERIES.has(c))).toEqual([]);
    expect(run.count.get('awk')).toBe(1 + 2 + (site.backup?.jobs.length ?? 0));
    expect(run.count.get('perl')).toBe(1);
    const guests = site.guests.filter((g) => g.host === site.hosts[0]!.name && g.nics.some((n) => n.bridge !== undefined));
    expect(guests.length).toBeGreaterThan(3);
    for (const guest of guests) {
      const asked = run.lines.filter((l) => l === `${guest.kind === 'ct' ? 'pct' : 'qm'} config ${guest.id} --current`);
      expect(asked, `${guest.kind} ${guest.id}`).toHaveLength(1);
    }
    // No command line twice: a device's state is read once per check that needs it.
    expect(run.lines.length).toBe(new Set(run.lines).size);
  });

  it('a VLAN-aware trunk: its ports read with one bridge command each, and no text tool', async () => {
    // The hosting example with its second bridge on a port of its own: a trunk of the firewall's VLANs.
    const model = await modelOf(edit(readExample('vlan-hosting'), ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1, 'ports'], ['eno4']));
    const host = model.sites[0]!.hosts[0]!;
    const trunk = host.bridges.find((b) => b.vlanAware && b.ports.length > 0);
    expect(trunk).toBeDefined();
    const run = runNoted(model, renderAll(model));
    expect([...run.count.keys()].filter((c) => !QUERIES.has(c))).toEqual([]);
    for (const port of trunk!.ports) expect(run.lines.filter((l) => l === `bridge -compressvlans vlan show dev ${port}`)).toHaveLength(1);
    expect(run.stdout).toMatch(new RegExp(`^✓ ${trunk!.name} bridges `, 'm'));
  });
});
