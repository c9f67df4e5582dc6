// gen's Proxmox knowledge against Proxmox VE's own Perl (qemu-server,
// pve-container, pve-access-control at the mirrors PVE_MIRROR locates):
// every option string gen writes is valid and already in the form Proxmox
// prints it, every container and VM config file gen writes reads back whole
// through pve-container's and qemu-server's own parsers (and their writers
// write it back as gen wrote it), storage.cfg through pve-storage's, gen's validators agree with Proxmox
// on every case of the corpus, and the privilege list and built-in roles
// are PVE's own.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES, PRIVILEGES } from '../../src/targets/proxmox/access.js';
import { INTENT_ROLES } from '../../src/targets/proxmox/intents.js';
import { createDrives, guestConfig, guestSettings } from '../../src/render/proxmox/guests.js';
import { edit, modelOf, readExample, render } from '../helpers.js';
import { CASES, genVerdict } from './pve-cases.js';
import { optcheck, pvePerl, stopOptcheck, whyNoUpstream } from './pve-perl.js';

const title = (what: string) => `${what}${whyNoUpstream ? ` (skipped: ${whyNoUpstream})` : ''}`;

/** Every guest option and access value the example topologies make gen write, as optcheck lines. */
async function generatedLines(): Promise<string[]> {
  const homelab = readExample('homelab');
  const variants = [
    homelab,
    readExample('vlan-hosting'),
    // a container on a VLAN network, with resources and create
    edit(readExample('vlan-hosting'), ['sites', 0, 'services', 0], {
      name: 'web1', network: 'websvc', address: '192.168.20.11', port: 80, container: 300,
      guest: { cores: 2, memory_mb: 1024, disk_gb: 8, onboot: true, create: true, template: 'local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst' },
    }),
  ];
  const lines: string[] = [];
  for (const text of variants) {
    const model = await modelOf(text);
    for (const site of model.sites) {
      for (const guest of site.guests) {
        const tool = guest.kind === 'vm' ? 'qm' : 'pct';
        for (const [key, value] of guestSettings(guest)) lines.push(`${tool} ${guest.id} ${key} ${value}`);
        if (guest.create) {
          // A VM's drives as qm create gets them (the second disk is what guests.sh gives a VM without it too).
          if (guest.kind === 'vm') for (const [key, value] of createDrives(guest)) lines.push(`qm ${guest.id} ${key} ${value}`);
          else lines.push(`pct ${guest.id} rootfs ${guest.storage}:${guest.diskGb}`);
          // What only creating sets (name, ostype, the CPU type, nesting, ...), from the review file.
          const settings = new Set(guestSettings(guest).map(([key]) => key));
          for (const m of guestConfig(guest).matchAll(/^(\w+): (.*)$/gm)) if (!settings.has(m[1]!)) lines.push(`${tool} ${guest.id} ${m[1]} ${m[2]}`);
        }
      }
      for (const token of site.apiTokens) {
        lines.push(`pveum-user ${token.user}`, `pveum-token ${token.tokenId}`);
        for (const grant of token.grants) lines.push(`pveum-acl-path ${grant.path}`);
      }
      for (const role of site.roles) lines.push(`pveum-role ${role.name}`, `pveum-priv ${role.privileges.join(',')}`);
    }
  }
  return lines;
}

/** Writes TEXT to PATH and runs the optcheck line KIND PATH: Proxmox's error for it (the check must fail). */
async function refusal(kind: string, path: string, text: string): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  const [result] = await optcheck([`${kind} ${path}`]);
  expect(result!.ok, result!.detail).toBe(false);
  return result!.detail;
}

/**
 * Renders each topology, writes its guest config files of KIND (lxc/ or qemu-server/) below DIR, and has
 * Proxmox read each (pct-conf / qm-conf): every file must read back with the same keys and values and be
 * written back as it is. The files, and the config Proxmox read from each.
 */
async function guestConfigs(kind: 'pct-conf' | 'qm-conf', variants: readonly string[], dir: string) {
  const pattern = kind === 'pct-conf' ? /\/lxc\/\d+\.conf$/ : /\/qemu-server\/\d+\.conf$/;
  const files: { path: string; text: string }[] = [];
  for (const [v, text] of variants.entries()) {
    for (const [name, content] of await render(text)) {
      if (!pattern.test(name)) continue;
      const path = join(dir, String(v), name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      files.push({ path, text: content });
    }
  }
  const results = await optcheck(files.map((f) => `${kind} ${f.path}`));
  expect(results.filter((r) => !r.ok)).toEqual([]);
  const keyValues = (items: string[], separator: string) => Object.fromEntries(items.map((kv) => [kv.slice(0, kv.indexOf(separator)), kv.slice(kv.indexOf(separator) + separator.length)]));
  const parsed = results.map((r) => keyValues(r.detail.replace(/^parsed: /, '').split(' | '), '='));
  // Proxmox reads each line as gen wrote it: the same keys and values.
  parsed.forEach((conf, i) => expect(conf, files[i]!.path).toEqual(keyValues(files[i]!.text.trimEnd().split('\n'), ': ')));
  return { files, parsed };
}

/** Proxmox's verdict on FILE's lines in reverse order: its writer puts them back in its own order. */
async function reorderedRefusal(kind: 'pct-conf' | 'qm-conf', path: string, file: { text: string }): Promise<void> {
  const reordered = file.text.split('\n').reverse().join('\n').trimStart() + '\n';
  expect(await refusal(kind, path, reordered)).toBe(`Proxmox writes it back as: ${file.text.replace(/\n/g, '\\n')}`);
}

describe.skipIf(whyNoUpstream)(title("Proxmox VE's own schema code"), () => {
  afterAll(stopOptcheck);

  it('extracts the upstream code', () => {
    expect(pvePerl().commits).toMatch(/^qemu-server [0-9a-f]{40} /m);
  });

  it('accepts every option gen writes, already in the form Proxmox prints it', async () => {
    const lines = await generatedLines();
    expect(lines.filter((l) => l.includes(' net0 ')).length).toBeGreaterThan(4);
    expect(lines.filter((l) => / \d+ nameserver /.test(l))).toContain('pct 200 nameserver 1.1.1.1 9.9.9.9');
    expect(lines).toContain('qm 103 scsi1 local-lvm:100');
    const results = await optcheck(lines);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // The installer ISO of the backup server's VM: qemu-server's drive parser reads it as a CD-ROM with an
    // ISO image, the only form create_vm takes an iso volume in.
    const ide2 = results.filter((r) => / ide2 /.test(r.line));
    expect(ide2.map((r) => r.line)).toEqual(['qm 103 ide2 local:iso/proxmox-backup-server_4.0-1.iso,media=cdrom']);
    expect(ide2[0]!.detail).toMatch(/^drive: file=local:iso\/proxmox-backup-server_4\.0-1\.iso media=cdrom vtype=iso$/);
    for (const r of results) {
      const printed = /^prints as: (.*)$/.exec(r.detail);
      if (printed) expect(printed[1], r.line).toBe(r.line.split(' ').slice(3).join(' '));
    }
    expect(results.filter((r) => r.detail.startsWith('prints as:')).length).toBe(lines.filter((l) => / net\d+ /.test(l)).length);
  });

  it("reads every container config gen writes with Proxmox's own parser, its DNS servers included, and its writer writes it back byte for byte", async () => {
    // The lxc/<id>.conf review files of scenario A (guest.dns), and scenario B's containers on a DHCP
    // network with dns (dhcp.dns) and on one without (the firewall): parse_pct_config, strict, as
    // /etc/pve files are read.
    const hosting = edit(readExample('vlan-hosting'), ['sites', 0, 'services', 0, 'container'], 300);
    const variants = [
      readExample('homelab'),
      hosting,
      edit(hosting, ['sites', 0, 'services', 2], { name: 'ops', network: 'mgmt', address: '192.168.10.20', port: 9000, container: 310 }),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'gen-pct-conf-'));
    try {
      const { files, parsed } = await guestConfigs('pct-conf', variants, dir);
      expect(files).toHaveLength(6);
      expect(parsed.map((conf) => conf.nameserver)).toEqual([...Array(5).fill('1.1.1.1 9.9.9.9'), '192.168.10.1']);
      // and the check can fail: a host name is no DNS server for Proxmox,
      expect(await refusal('pct-conf', join(dir, 'bad', 'lxc', '300.conf'), 'nameserver: 1.1.1.1 dns.example.com\n')).toContain("unable to parse value of 'nameserver'");
      // and the same lines in another order are not what write_pct_config writes.
      await reorderedRefusal('pct-conf', join(dir, 'bad', 'lxc', '301.conf'), files[0]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads every VM config gen writes with qemu-server's own parser, and its writer writes it back byte for byte", async () => {
    // parse_vm_config, strict, as /etc/pve/qemu-server files are read, then write_vm_config, which every later
    // change (the GUI, qm set) writes the file with: the review file is the lines Proxmox keeps, in its order.
    // Scenario A (the firewall VM, the backup server's VM gen creates), scenario B (the firewall VM on a
    // tagged network's parent), and a created firewall VM and a created service VM on a VLAN network.
    const hosting = readExample('vlan-hosting');
    const iso = 'local:iso/OPNsense-26.7-dvd-amd64.iso';
    let created = edit(hosting, ['sites', 0, 'firewall', 'vm'], { id: 100, cores: 2, memory_mb: 4096, disk_gb: 40, onboot: true, create: true, iso });
    created = edit(created, ['sites', 0, 'services', 0], {
      name: 'web1', network: 'websvc', address: '192.168.20.11', port: 80, vm: 300,
      guest: { cores: 2, memory_mb: 2048, disk_gb: 16, onboot: true, create: true, iso: 'local:iso/debian-13.1.0-amd64-netinst.iso' },
    });
    const variants = [readExample('homelab'), hosting, created];
    const dir = mkdtempSync(join(tmpdir(), 'gen-qm-conf-'));
    try {
      const { files, parsed } = await guestConfigs('qm-conf', variants, dir);
      expect(files.map((f) => f.path.slice(dir.length))).toEqual([
        '/0/home/proxmox/pve/qemu-server/102.conf', '/0/home/proxmox/pve/qemu-server/103.conf',
        '/1/hosting/proxmox/pve/qemu-server/100.conf',
        '/2/hosting/proxmox/pve/qemu-server/100.conf', '/2/hosting/proxmox/pve/qemu-server/300.conf',
      ]);
      // The created VMs: the firewall as "other" (FreeBSD), the service VM's NIC tagged with its VLAN.
      expect(parsed[3]).toMatchObject({ name: 'opnsense', ostype: 'other', cpu: 'x86-64-v2-AES', scsihw: 'virtio-scsi-single' });
      expect(parsed[4]).toMatchObject({ name: 'web1', ostype: 'l26' });
      expect(parsed[4]!.net0).toMatch(/^virtio=[0-9A-F:]{17},bridge=vmbr2,tag=20$/);
      // and the check can fail: the same lines in another order are not what write_vm_config writes.
      await reorderedRefusal('qm-conf', join(dir, 'bad', 'qemu-server', '103.conf'), files[1]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads every storage.cfg gen writes with pve-storage's own parser, a fingerprint or none, an address or none, prune-backups at the largest count", async () => {
    // PVE::Storage::Plugin->parse_config, which /etc/pve/storage.cfg is read with: a value its plugin's
    // schema refuses (PBSPlugin: fingerprint-sha256) is dropped with a warning, which optcheck makes an error.
    const homelab = readExample('homelab');
    const pbs = ['sites', 0, 'backup', 'pbs'];
    const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7 + 3).toString(16).padStart(2, '0')).join(':');
    const variants = {
      'no fingerprint': homelab,
      fingerprint: edit(homelab, [...pbs, 'fingerprint'], fingerprint.toUpperCase()),
      // (Without the VM gen creates, the cache disk it would add goes too: backup/cache-disk-vm.)
      'no address': edit(edit(edit(homelab, [...pbs, 'address'], undefined), [...pbs, 'vm'], undefined), [...pbs, 'cache'], undefined),
      // The largest count the topology schema takes.
      'prune-backups': edit(homelab, [...pbs, 'pve_prune_backups'], { keep_last: 2 ** 53 - 1, keep_daily: 7 }),
    };
    const dir = mkdtempSync(join(tmpdir(), 'gen-storage-cfg-'));
    try {
      const paths: Record<string, string> = {};
      for (const [name, text] of Object.entries(variants)) {
        paths[name] = join(dir, `${name.replace(/\W+/g, '-')}.cfg`);
        writeFileSync(paths[name]!, (await render(text)).get('home/proxmox/storage.cfg')!);
      }
      const results = await optcheck(Object.values(paths).map((p) => `storage-cfg ${p}`));
      expect(results.filter((r) => !r.ok)).toEqual([]);
      const entry = (r: (typeof results)[number]) => {
        const m = /^parsed: pbs: pbs-main (.*)$/.exec(r.detail);
        expect(m, r.detail).not.toBeNull();
        return Object.fromEntries(m![1]!.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      };
      const [none, given, noAddress, pruning] = results.map(entry);
      expect(none).toMatchObject({ datastore: 'vm-backup-s3', server: '10.0.0.20', content: 'backup', username: 'pve-backup@pbs!pve' });
      expect(none!.fingerprint).toBeUndefined();
      // The topology's fingerprint reaches Proxmox as it is written (gen writes it lower case; PBS compares without case).
      expect(given!.fingerprint).toBe(fingerprint);
      expect(noAddress!.server).toBe('REPLACE-WITH-PBS-ADDRESS');
      expect(pruning!['prune-backups']).toBe('keep-last=9007199254740991,keep-daily=7');
      // A count past 2^53 - 1 would be written as JavaScript prints it: 1e21 as 1e+21, which pve-common's is_integer refuses.
      const exponent = 'pbs: pbs-main\n\tdatastore d\n\tserver 10.0.0.20\n\tprune-backups keep-last=1e+21\n';
      expect(await refusal('storage-cfg', join(dir, 'exponent.cfg'), exponent)).toContain('prune-backups');
      // and the check can fail: a placeholder is no fingerprint for pve-storage.
      const placeholder = 'pbs: pbs-main\n\tdatastore d\n\tserver 10.0.0.20\n\tfingerprint REPLACE-WITH-PBS-FINGERPRINT\n';
      expect(await refusal('storage-cfg', join(dir, 'bad.cfg'), placeholder)).toContain("unable to parse value of 'fingerprint'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives every case of the corpus the verdict gen's validators give it", async () => {
    const results = await optcheck(CASES.map((c) => c.line));
    const disagreements = results.filter((r, i) => r.ok !== CASES[i]!.ok).map((r) => `${r.line} => Proxmox ${r.ok ? 'OK' : r.detail}`);
    expect(disagreements).toEqual([]);
    // and gen's validators agree with the same verdicts (also checked offline in guest-formats.test.ts)
    expect(CASES.filter((c) => genVerdict(c.line) !== c.ok).map((c) => c.line)).toEqual([]);
  });

  it("knows PVE 9's privileges exactly", async () => {
    const [result] = await optcheck(['pveum-privileges']);
    expect(result!.detail).toBe(`list: ${PRIVILEGES.join(',')}`);
  });

  it('knows every built-in role and its privileges', async () => {
    const [names] = await optcheck(['pveum-builtin-roles']);
    expect(names!.detail).toBe(`list: ${[...BUILTIN_ROLES.keys()].sort().join(',')}`);
    const roles = [...BUILTIN_ROLES.keys()];
    const results = await optcheck(roles.map((r) => `pveum-builtin-role ${r}`));
    results.forEach((r, i) => expect(r.detail, roles[i]).toBe(`list: ${BUILTIN_ROLES.get(roles[i]!)!.join(',')}`));
  });

  it("accepts the intents' roles and privileges", async () => {
    const results = await optcheck(INTENT_ROLES.flatMap((r) => [`pveum-role ${r.name}`, `pveum-priv ${r.privileges.join(',')}`]));
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('refuses what gen must refuse (the check can fail)', async () => {
    const results = await optcheck(['qm 102 net32 virtio=02:00:5E:10:00:01,bridge=vmbr0', 'pveum-role PVEVMAdmin', 'pveum-priv VM.Monitor', 'pveum-acl-path /vms/99']);
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false]);
    expect(results[2]!.detail).toContain("invalid privilege 'VM.Monitor'");
  });
});
