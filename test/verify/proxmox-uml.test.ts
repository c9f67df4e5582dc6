// The Proxmox host's verification script on a real bring-up: the generated
// /etc/network/interfaces comes up with ifupdown2 inside User-Mode-Linux
// (test/scripts/uml-ifupdown2.sh), then the generated script runs there
// with the guest's own ip and bridge. Proxmox's qm, pct, pvesm and pvesh are
// stand-ins printing the guests, storage and backup jobs the topology describes, in
// Proxmox's formats (`qm config`: "netN: virtio=MAC,bridge=…"). Every check
// passes; a removed route, a port taken out of its bridge and a VLAN dropped
// from a trunk each fail the check that names them. Expectations come from
// the model, so they follow whatever routes the topology derives.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Host, Model, PbsBackup, PveBackupJob, Site } from '../../src/model.js';
import { jobOptions } from '../../src/render/backup-jobs.js';
import { renderAll } from '../../src/render/index.js';
import { shellWord } from '../../src/render/shell.js';
import { edit, lineOfText, modelOf, readExample, root } from '../helpers.js';
import { missing, titled, umlCannotRun } from '../system-tools.js';
import { builds, type Ifupdown2Build } from '../proxmox/ifupdown2-builds.js';
import { MGMT, hostOnVlan } from '../proxmox/vlan-address.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const work = tempDir('gen-verify-uml-');
const uml = join(root, 'test/scripts/uml-ifupdown2.sh');

/**
 * A job as `pvesh get /cluster/backup/ID --output-format json` prints it once backup-jobs.sh set it, with changes:
 * its jobs.cfg section (pve-manager PVE/API2/Backup.pm read_job) with id and type, a boolean as a number
 * (pve-common SectionConfig.pm check_value), keys sorted, on one line (CLIFormatter.pm print_api_result).
 */
function jobAsRead(job: PveBackupJob, backup: PbsBackup, changes: Record<string, string | number> = {}): string {
  const read: Record<string, string | number> = { id: job.id, type: 'vzdump' };
  for (const [key, value] of jobOptions(job, backup).set) read[key] = ['enabled', 'all', 'repeat-missed'].includes(key) ? Number(value) : value;
  Object.assign(read, changes);
  return JSON.stringify(Object.fromEntries(Object.entries(read).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** qm, pct, pvesm and pvesh as Proxmox VE prints their output, for the guests, storage and backup jobs of the topology. */
function proxmoxStandIns(dir: string, site: Site): string {
  mkdirSync(dir, { recursive: true });
  const vms = new Map<number, string[]>();
  const cts = new Map<number, string[]>();
  const firewall = site.firewall;
  if (firewall?.vm?.id !== undefined) {
    const nics = firewall.interfaces.filter((i) => i.kind === 'device' && i.bridge !== undefined).sort((a, b) => a.device.localeCompare(b.device, 'en', { numeric: true }));
    vms.set(firewall.vm.id, nics.map((i, n) => `net${n}: virtio=BC:24:11:00:01:0${n},bridge=${i.bridge},firewall=0`));
  }
  for (const service of site.services) {
    const iface = site.firewall?.interfaces.find((i) => i.network === service.network);
    const bridge = iface?.bridge ?? site.firewall?.interfaces.find((i) => i.name === iface?.vlan?.parent)?.bridge;
    const tag = iface?.vlan ? `,tag=${iface.vlan.tag}` : '';
    if (service.container !== undefined) {
      const dns = site.guests.find((g) => g.kind === 'ct' && g.id === service.container)?.dns;
      cts.set(service.container, [
        `net0: name=eth0,bridge=${bridge},firewall=1,gw=${iface?.address},hwaddr=BC:24:11:00:02:01,ip=${service.address}/${iface?.prefix}${tag},type=veth`,
        // What guests.sh set, unless a drift wrote other servers into /tmp/gen-ns-ID (as a hand `pct set --nameserver` would).
        ...(dns ? [`nameserver: $(cat /tmp/gen-ns-${service.container} 2>/dev/null || echo '${dns.servers.join(' ')}')`] : []),
      ]);
    }
    if (service.vm !== undefined) vms.set(service.vm, [`net0: virtio=BC:24:11:00:03:01,bridge=${bridge}${tag}`]);
  }
  // The backup server's VM, on the bridge of the network its address is on.
  for (const guest of site.guests.filter((g) => g.purpose === 'backup-server')) {
    vms.set(guest.id, guest.nics.map((nic) => `net${nic.index}: virtio=BC:24:11:00:04:0${nic.index},bridge=${nic.bridge}${nic.tag !== undefined ? `,tag=${nic.tag}` : ''}`));
  }
  const tool = (name: string, configs: Map<number, string[]>) =>
    [
      '#!/bin/sh',
      `# ${name} config ID, as Proxmox VE prints it`,
      'case "$1 $2" in',
      ...[...configs].map(([id, lines]) => `  "config ${id}") printf '%s\\n' 'cores: 2' ${lines.map((l) => (l.startsWith('nameserver: ') ? `"${l}"` : `'${l}'`)).join(' ')} ;;`),
      `  *) echo "Configuration file 'nodes/pve/${name === 'qm' ? 'qemu-server' : 'lxc'}/$2.conf' does not exist" >&2; exit 2 ;;`,
      'esac',
      '',
    ].join('\n');
  writeFileSync(join(dir, 'qm'), tool('qm', vms));
  writeFileSync(join(dir, 'pct'), tool('pct', cts));
  const storage = site.backup?.pveStorage ?? 'none';
  writeFileSync(
    join(dir, 'pvesm'),
    `#!/bin/sh\n# pvesm status --storage ID\nprintf '%s\\n' 'Name             Type     Status           Total            Used       Available        %' '${storage.padEnd(16)} pbs     active      1073741824       104857600       968884224    9.77%'\n`,
  );
  // pvesh get /cluster/backup/ID --output-format json: the job as backup-jobs.sh made it, unless a drift wrote
  // another into /tmp/gen-job-ID (as a change in the GUI would).
  const jobs = (site.backup?.jobs ?? []).map((job) => `  "get /cluster/backup/${job.id}") cat /tmp/gen-job-${job.id} 2>/dev/null || printf '%s\\n' ${shellWord(jobAsRead(job, site.backup!))} ;;`);
  writeFileSync(join(dir, 'pvesh'), ['#!/bin/sh', 'case "$1 $2" in', ...jobs, `  *) echo "No such job '\${2##*/}'" >&2; exit 255 ;;`, 'esac', ''].join('\n'));
  for (const f of ['qm', 'pct', 'pvesm', 'pvesh']) chmodSync(join(dir, f), 0o755);
  return dir;
}

interface Runs {
  verify: { rc: number; out: string }[];
  /** What each drift printed, by its number (from 1). */
  drifts?: string[];
}

const run = promisify(execFile);

async function verifyInUml(build: Ifupdown2Build, model: Model, name: string, drifts: string[]): Promise<Runs> {
  const site = model.sites[0]!;
  const host = site.hosts[0]!;
  const files = renderAll(model);
  const dir = join(work, `${name}-${builds.indexOf(build)}`);
  mkdirSync(dir, { recursive: true });
  const interfaces = join(dir, 'interfaces');
  const script = join(dir, 'verify.sh');
  const driftFile = join(dir, 'drifts');
  writeFileSync(interfaces, files.get(`${site.name}/proxmox/${host.name}/interfaces`)!);
  writeFileSync(script, files.get(`${site.name}/verify/proxmox-${host.name}.sh`)!);
  writeFileSync(driftFile, drifts.map((d) => `${d}\n`).join(''));
  // /etc/hosts as the installer writes it ("IP FQDN NAME"), with an address of the host.
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, `127.0.0.1 localhost\n${host.bridges.find((br) => br.address !== undefined)!.address} ${host.name}.home.arpa ${host.name}\n`);
  const out = join(dir, 'out');
  // Scenario A runs the script five times, beside the other bring-ups; a run with other work on both cores once
  // passed the script's default of 600 s: the bring-ups get 1,200.
  const env = Object.assign({}, process.env, build.env(), { HOSTS: hosts, VERIFY: script, VERIFY_STUBS: proxmoxStandIns(join(dir, 'stubs'), site), VERIFY_DRIFTS: driftFile, UML_TIMEOUT: '1200' });
  try {
    await run(uml, [interfaces, out], { timeout: 1_260_000, env });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`bring-up of ${name} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return {
    verify: [0, ...drifts.map((_, i) => i + 1)].map((n) => ({
      rc: Number(readFileSync(join(out, `verify-${n}.rc`), 'utf8').trim()),
      out: readFileSync(join(out, `verify-${n}.out`), 'utf8'),
    })),
    drifts: ['', ...drifts.map((_, i) => readFileSync(join(out, `drift-${i + 1}.log`), 'utf8'))],
  };
}

/** A VLAN the topology does not name, sent untagged by a port in a drift. */
const EXTRA_UNTAGGED = 99;

/** An address of no interface, on the node name's only line of /etc/hosts once IPv6 is off. */
const IPV6_ONLY = 'fd00:5::11';

/** A drift: /etc/hosts gives the host's name only the address given (installer style, "IP FQDN NAME"). */
function hostsDrift(model: Model, address: string): string {
  const name = model.sites[0]!.hosts[0]!.name;
  return `printf '127.0.0.1 localhost\\n${address} ${name}.home.arpa ${name}\\n' > /etc/hosts`;
}

function failures(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('✗'));
}

const whyUml = missing(['linux.uml', 'modprobe', 'ifup', 'bridge']) ?? umlCannotRun();

for (const build of builds) {
const why = whyUml ?? build.why;
describe.skipIf(why)(titled(`the Proxmox host's script on a bring-up by ${build.name} in User-Mode-Linux`, why), () => {
  const homelab = readExample('homelab');
  const hostPath = ['sites', 0, 'proxmox', 'hosts', 0];
  const trunkYaml = edit(readExample('vlan-hosting'), [...hostPath, 'bridges', 1, 'ports'], ['eno4']);
  // The bring-ups run before the tests, not while they are collected: without the tools the tests are skipped, and nothing runs.
  let modelA: Model;
  let backup: PbsBackup;
  let job: PveBackupJob;
  let route: Host['routes'][number] | undefined;
  let portBridge: Host['bridges'][number];
  let trunk: Host['bridges'][number];
  let dropped: number;
  let native: number;
  let a: Runs;
  let b: Runs;
  let v: Runs;
  let modelB: Model;
  let modelV: Model;
  beforeAll(async () => {
    modelA = await modelOf(homelab);
    backup = modelA.sites[0]!.backup!;
    job = backup.jobs[0]!;
    const hostA = modelA.sites[0]!.hosts[0]!;
    route = hostA.routes[0];
    portBridge = hostA.bridges.find((br) => br.ports.length > 0)!;
    modelB = await modelOf(trunkYaml);
    trunk = modelB.sites[0]!.hosts[0]!.bridges.find((br) => br.vlanAware)!;
    dropped = trunk.requiredVlans[1]!;
    native = trunk.requiredVlans[0]!;
    modelV = await modelOf(hostOnVlan);
    [a, b, v] = await Promise.all([
      verifyInUml(build, modelA, 'A', [
        `ip route del ${route!.destination}`,
        `ip link set ${portBridge.ports[0]} nomaster`,
        'echo 192.168.0.1 > /tmp/gen-ns-200',
        // The job disabled and switched to stop mode in the GUI.
        `printf '%s\\n' ${shellWord(jobAsRead(job, backup, { enabled: 0, mode: 'stop' }))} > /tmp/gen-job-${job.id}`,
      ]),
      // Then the node name only on Debian's 127.0.1.1 line. Then IPv6 off and the node name only on an IPv6
      // line: getent ahosts (AI_ADDRCONFIG) finds no address on a node without IPv6, pmxcfs takes that one.
      // Then the dropped VLAN back, VLAN 1 gone from the port, the first VLAN its PVID (still sent tagged) and
      // VLAN 99 sent untagged: the first row of the port's VLAN table is no longer VLAN 1.
      verifyInUml(build, modelB, 'B', [
        `bridge vlan del dev eno4 vid ${dropped}`,
        hostsDrift(modelB, '127.0.1.1'),
        `for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do [ ! -w "$f" ] || echo 1 > "$f"; done; ${hostsDrift(modelB, IPV6_ONLY)}; getent ahosts ${modelB.sites[0]!.hosts[0]!.name} || echo "getent ahosts: status $?"`,
        `bridge vlan add dev eno4 vid ${dropped} && bridge vlan del dev eno4 vid 1 && bridge vlan add dev eno4 vid ${native} pvid && bridge vlan add dev eno4 vid ${EXTRA_UNTAGGED} untagged`,
        // The fix docs/verify.md gives for both: apply the interfaces file again, as ifreload -a reads it on a node.
        'mount --bind /run/in/interfaces /etc/network/interfaces && ifreload -a',
      ]),
      // The address moved from the VLAN device onto the bridge: untagged, in VLAN 1.
      // Then the node name on an address the host does not have. Then the bridge no longer carrying the VLAN itself.
      verifyInUml(build, modelV, 'B-vlan-address', [
        `ip addr del ${MGMT.address} dev ${MGMT.device} && ip addr add ${MGMT.address} dev ${MGMT.bridge}`,
        hostsDrift(modelV, '192.0.2.99'),
        `bridge vlan del dev ${MGMT.bridge} vid ${MGMT.tag} self`,
      ]),
    ]);
  }, 1_400_000);

  it('scenario A: every check passes on the generated interfaces file', () => {
    const [healthy] = a.verify;
    expect(failures(healthy!.out), healthy!.out).toEqual([]);
    expect(healthy!.rc).toBe(0);
    const network = modelA.networks.find((n) => n.id === route!.network)!;
    expect(healthy!.out).toContain(`✓ ${route!.destination} (${network.name}, behind the firewall) is routed via ${route!.via} on ${route!.bridge}`);
    expect(healthy!.out).toContain(`✓ firewall VM 102: vtnet1 (management) is on vmbr1`);
    expect(healthy!.out).toContain(`✓ VM 103 (backup server pbs) has a NIC on vmbr1 (topology.yaml:${lineOfText(homelab, 'vm: { id: 103')})`);
    expect(healthy!.out).toMatch(/✓ container 200 \(traefik\) has a NIC on vmbr2 with 10\.1\.0\.100 \(topology\.yaml:\d+\)/);
    expect(healthy!.out).toMatch(/\nall \d+ checks pass\n$/);
  });

  it('the node name resolves as pmxcfs resolves it; only to loopback, or to an address the host lacks, fails, naming the /etc/hosts line', () => {
    // With IPv6 off, the real getent finds no address for the node name (glibc's AI_ADDRCONFIG), where the check finds IPV6_ONLY.
    expect(b.drifts![3]).toBe('getent ahosts: status 2\n');
    const ipv6Only = { verify: [b.verify[0]!, undefined, b.verify[3]!] };
    for (const [model, runs, found] of [[modelB, b, 'no address but loopback'], [modelV, v, '192\\.0\\.2\\.99'], [modelB, ipv6Only, IPV6_ONLY]] as const) {
      const [healthy, , run] = runs.verify;
      const host = model.sites[0]!.hosts[0]!;
      const what = `node name ${host.name} resolves to an address of the host (pmxcfs's node address) (topology.yaml:${model.source!.lineOf(host.path)})`;
      expect(healthy!.out).toContain(`✓ ${what}`);
      const addresses = host.bridges.map((br) => br.address).concat(host.nics.map((n) => n.address));
      // The drifts before are still there: the check's own line.
      const failed = failures(run!.out).filter((l) => l.startsWith(`✗ node name ${host.name} `));
      expect(failed, run!.out).toHaveLength(1);
      const m = new RegExp(`^✗ ${what.replace(/[().]/g, '\\$&')}: getaddrinfo ${host.name} \\(as pmxcfs asks\\): ${found}; /etc/hosts needs the line "(\\S+) ${host.name}\\.home\\.arpa ${host.name}" in place of any other that names ${host.name}, then systemctl restart pve-cluster$`).exec(failed[0]!);
      expect(m, failed[0]).not.toBeNull();
      expect(addresses).toContain(m![1]);
      expect(run!.rc).toBe(1);
    }
  });

  it('scenario A: a removed route fails the check that names it, at the line of the network it leads to', () => {
    const [, removed] = a.verify;
    const network = modelA.networks.find((n) => n.id === route!.network)!;
    const declared = `topology.yaml:${modelA.source!.lineOf(network.path)}`;
    expect(failures(removed!.out)).toEqual([expect.stringMatching(new RegExp(`^✗ ${route!.destination.replace(/\./g, '\\.')} \\(${network.name}, behind the firewall\\) is routed via ${route!.via.replace(/\./g, '\\.')} on ${route!.bridge} \\(${declared}\\): ip route get `))]);
    expect(removed!.rc).toBe(1);
  });

  it('scenario A: a port taken out of its bridge', () => {
    const [, , unplugged] = a.verify;
    const declared = `topology.yaml:${lineOfText(homelab, `- name: ${portBridge.name}`)}`;
    expect(failures(unplugged!.out)).toContain(`✗ ${portBridge.name} bridges ${portBridge.ports.join(', ')} (${declared}): ${portBridge.ports[0]} is in no bridge`);
  });

  it("scenario A: each container's DNS servers are checked, and other servers set by hand fail the check at their declaration", () => {
    const [healthy, , , resolver] = a.verify;
    const traefik = modelA.sites[0]!.guests.find((g) => g.kind === 'ct' && g.id === 200)!;
    const servers = traefik.dns!.servers;
    const declared = `topology.yaml:${modelA.source!.lineOf(traefik.dns!.path)}`;
    expect(healthy!.out).toContain(`✓ container 200 (traefik) resolves through ${servers.join(', ')} (${declared})`);
    expect(failures(resolver!.out)).toContain(`✗ container 200 (traefik) resolves through ${servers.join(', ')} (${declared}): pct config 200 --current: nameserver 192.168.0.1`);
    expect(resolver!.rc).toBe(1);
  });

  it('scenario A: the backup job passes as backup-jobs.sh made it, and fails, naming each difference, when disabled and switched to stop mode', () => {
    const [healthy, , , , changed] = a.verify;
    const declared = `topology.yaml:${modelA.source!.lineOf(job.path)}`;
    const what = `backup job ${job.id} (enabled, ${job.mode} mode) backs up all guests but 103 to ${backup.pveStorage} on schedule ${job.schedule}, as backup-jobs.sh sets it (${declared})`;
    expect(healthy!.out).toContain(`✓ ${what}`);
    expect(failures(changed!.out)).toContain(`✗ ${what}: pvesh get /cluster/backup/${job.id}: mode stop, expected ${job.mode}; enabled 0, expected 1`);
    expect(changed!.rc).toBe(1);
  });

  it('scenario B: a VLAN-aware bridge whose port carries the firewall VLANs passes, and fails when one is dropped', () => {
    const [healthy, drifted] = b.verify;
    expect(failures(healthy!.out), healthy!.out).toEqual([]);
    const vids = trunk.requiredVlans.join(' ');
    expect(healthy!.out).toContain(`✓ ${trunk.name} is VLAN-aware, its ports carry exactly VLANs ${vids} tagged and VLAN 1 untagged (topology.yaml:`);
    expect(failures(drifted!.out)).toEqual([
      expect.stringContaining(`✗ ${trunk.name} is VLAN-aware, its ports carry exactly VLANs ${vids} tagged and VLAN 1 untagged (topology.yaml:`),
    ]);
    expect(failures(drifted!.out)[0]).toMatch(new RegExp(`\\): eno4 carries ${trunk.requiredVlans.filter((v) => v !== dropped).join(' ')}$`));
  });

  it("scenario B: a port's PVID other than VLAN 1, or another VLAN sent untagged, fails, naming them; its tagged VLANs still read in full", () => {
    const [, , , , changed] = b.verify;
    const what = `✗ ${trunk.name} is VLAN-aware, its ports carry exactly VLANs ${trunk.requiredVlans.join(' ')} tagged and VLAN 1 untagged (topology.yaml:`;
    // The drifts before are still there: the check's own line.
    const failed = failures(changed!.out).filter((l) => l.startsWith(what));
    expect(failed, changed!.out).toHaveLength(1);
    // Not "carries": the tagged VLANs are those of the topology, the one now first in the table (the PVID) too.
    expect(failed[0]).toMatch(new RegExp(`\\): eno4 sends ${EXTRA_UNTAGGED} untagged, not 1; eno4 PVID ${native}, not 1$`));
  });

  it("scenario B: the fix the report gives, applying the interfaces file again (ifreload -a), puts the port's VLANs, PVID and untagged VLAN back", () => {
    const [, , , , changed, reloaded] = b.verify;
    const what = `${trunk.name} is VLAN-aware, its ports carry exactly VLANs ${trunk.requiredVlans.join(' ')} tagged and VLAN 1 untagged (topology.yaml:`;
    expect(failures(changed!.out).some((l) => l.startsWith(`✗ ${what}`))).toBe(true);
    expect(b.drifts![5], 'ifreload -a').toBe('');
    expect(reloaded!.out).toContain(`✓ ${what}`);
    // What the other drifts changed outside the interfaces file (the node name in /etc/hosts) still fails, and only that.
    expect(failures(reloaded!.out).filter((l) => !l.startsWith('✗ node name ')), reloaded!.out).toEqual([]);
  });

  it('a host address in a VLAN: its VLAN device and the default route through it pass; the address on the bare bridge fails the checks that name them', () => {
    const [healthy, moved] = v.verify;
    expect(failures(healthy!.out), healthy!.out).toEqual([]);
    expect(healthy!.out).toContain(`✓ ${MGMT.bridge} is an up bridge with no address`);
    expect(healthy!.out).toContain(`✓ ${MGMT.device} is VLAN ${MGMT.tag} of ${MGMT.bridge}, which ${MGMT.bridge} carries itself, up with exactly the address ${MGMT.address}`);
    expect(healthy!.out).toContain(`✓ the default route goes via ${MGMT.firewall} on ${MGMT.device}`);
    const failed = failures(moved!.out);
    expect(failed).toHaveLength(3);
    expect(failed[0]).toMatch(new RegExp(`^✗ ${MGMT.bridge} is an up bridge with no address \\(topology.yaml:\\d+\\): IPv4 ${MGMT.address}, not none$`));
    expect(failed[1]).toMatch(new RegExp(`^✗ ${MGMT.device} is VLAN ${MGMT.tag} of ${MGMT.bridge}, which ${MGMT.bridge} carries itself, up with exactly the address ${MGMT.address} \\(topology.yaml:\\d+\\): IPv4 none, not ${MGMT.address}$`));
    expect(failed[2]).toMatch(new RegExp(`^✗ the default route goes via ${MGMT.firewall} on ${MGMT.device} `));
    expect(moved!.rc).toBe(1);
  });

  it("a host address in a VLAN: the VLAN-aware bridge no longer carrying the VLAN itself fails the VLAN device's check, naming what it carries", () => {
    const [, moved, , dropped] = v.verify;
    expect(v.drifts![3]).toBe('');
    // The drifts before are still there: every failure is the same but the VLAN device's, which adds the VLAN.
    const before = failures(moved!.out);
    const after = failures(dropped!.out).filter((l) => !l.startsWith('✗ node name '));
    expect(after).toHaveLength(before.length);
    const device = `✗ ${MGMT.device} is VLAN ${MGMT.tag} of ${MGMT.bridge}, `;
    expect(after.filter((l) => !l.startsWith(device))).toEqual(before.filter((l) => !l.startsWith(device)));
    expect(after.find((l) => l.startsWith(device))).toMatch(
      new RegExp(`\\): IPv4 none, not ${MGMT.address}; ${MGMT.bridge} does not carry VLAN ${MGMT.tag} itself \\(it carries none\\)$`),
    );
    expect(dropped!.rc).toBe(1);
  });
});
}
