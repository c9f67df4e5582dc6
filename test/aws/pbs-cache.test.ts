// The local cache of the S3 datastore: on a disk of its own on the backup
// server's VM, made and mounted by PBS's own `disk fs create` where
// `datastore create` is pointed at, or bounded by max-cache-size; and the
// warning when it would sit on the VM's root disk. PBS sizes the cache from
// the free space of the file system under it (proxmox-backup 4.2
// pbs-datastore/src/datastore.rs), so on the root disk it fills the system.
// The backend string is read as pbs-api-types reads it; with
// PROXMOX_RS_GIT (the proxmox repository) and PROXMOX_BACKUP_GIT (the
// proxmox-backup repository, newest v4 tag) the transcriptions below are
// checked against the upstream source.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample, render } from '../helpers.js';
import { lineOf, lineOfKey } from '../yaml-lines.js';
import { writeFakePbsTools } from './pbs-s3-endpoint-fakes.js';
import { apiBefore, gitDir, latestV4Tag, show } from './upstream-git.js';

const PBS = ['sites', 0, 'backup', 'pbs'];

/** pbs-api-types DATASTORE_MOUNT_DIR: where `disk fs create <name>` mounts (src/api2/node/disks/directory.rs). */
const DATASTORE_MOUNT_DIR = '/mnt/datastore';

/** The properties of pbs-api-types DatastoreBackendConfig (src/datastore.rs, pbs-api-types 1.0.15 of PBS 4.2). */
const BACKEND_PROPERTIES = ['type', 'client', 'bucket', 'max-cache-size'];

/** proxmox-human-byte HumanByte::from_str: strip_unit (B optional, "i" for IEC), then an f64. Bytes, or undefined when refused. */
function humanByte(text: string): number | undefined {
  let v = text.replace(/[bB]$/, '');
  const binary = v.endsWith('i');
  if (binary) v = v.slice(0, -1);
  const units: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };
  const unit = units[v.slice(-1).toLowerCase()];
  if (unit !== undefined) v = v.slice(0, -1);
  else if (binary) return undefined; // "i" without a unit letter: "64i" is no number
  v = v.trimEnd();
  if (!/^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return undefined;
  return Number(v) * (unit === undefined ? 1 : (binary ? 1024 : 1000) ** unit);
}

/** DatastoreBackendConfig::from_str: a property string with default key type; s3 needs client and bucket. */
function parseBackend(text: string): { ok: true; value: Record<string, string>; maxCacheBytes?: number } | { ok: false; error: string } {
  const value: Record<string, string> = {};
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    const [key, v] = eq < 0 ? ['type', item] : [item.slice(0, eq), item.slice(eq + 1)];
    if (!BACKEND_PROPERTIES.includes(key)) return { ok: false, error: `unknown property ${key}` };
    if (key in value) return { ok: false, error: `duplicate ${key}` };
    value[key] = v;
  }
  const type = value.type ?? 'filesystem';
  if (type !== 's3' && type !== 'filesystem') return { ok: false, error: `unknown backend type: ${type}` };
  if (type === 's3' && (value.client === undefined || value.bucket === undefined)) return { ok: false, error: 'missing option client or bucket, required for backend type s3' };
  if (type === 'filesystem' && (value.client ?? value.bucket ?? value['max-cache-size']) !== undefined) return { ok: false, error: 'additional option, not allowed for backend type filesystem' };
  if (value['max-cache-size'] === undefined) return { ok: true, value };
  const bytes = humanByte(value['max-cache-size']);
  return bytes === undefined ? { ok: false, error: `max-cache-size ${value['max-cache-size']}` } : { ok: true, value, maxCacheBytes: bytes };
}

const backendOf = (files: Map<string, string>) => /^\tbackend (.*)$/m.exec(files.get('home/pbs/datastore.cfg')!)![1]!;

describe('the backend string, read as pbs-api-types reads it', () => {
  it('the transcription refuses what PBS refuses', () => {
    expect(parseBackend('type=s3,client=a,bucket=b').ok).toBe(true);
    expect(parseBackend('type=s3,client=a').ok).toBe(false);
    expect(parseBackend('type=s3,client=a,bucket=b,cache-size=1G').ok).toBe(false);
    expect(parseBackend('max-cache-size=64GiB').ok).toBe(false);
    expect(humanByte('64GiB')).toBe(64 * 2 ** 30);
    expect(humanByte('64G')).toBe(64e9);
    expect(humanByte('64 GiB')).toBe(64 * 2 ** 30);
    expect(humanByte('64i')).toBeUndefined();
  });

  it('cache.max_size_gb is max-cache-size in GiB, in datastore.cfg and in the datastore create of the steps', async () => {
    const files = await render(edit(readExample('homelab'), [...PBS, 'cache'], { disk_gb: 100, max_size_gb: 80 }));
    const backend = backendOf(files);
    const parsed = parseBackend(backend);
    expect(parsed.ok && parsed.maxCacheBytes).toBe(80 * 2 ** 30);
    expect(parsed.ok && parsed.value).toMatchObject({ type: 's3', client: 'aws-s3-storage', bucket: 'iksan-cloud-backup-20251129' });
    expect(files.get('home/pbs/steps.md')).toContain(` --backend ${backend} `);
    expect(files.get('home/pbs/steps.md')).toContain('`max-cache-size` keeps it to 80 GiB.');
    // Without it, the backend has none, and PBS takes the free space of the cache's file system.
    const plain = parseBackend(backendOf(await render(readExample('homelab'))));
    expect(plain.ok && plain.maxCacheBytes).toBeUndefined();
  });
});

/** A proxmox-backup-manager that keeps a PBS's disks, mounts and datastores as the real one does for these sub-commands. */
const FAKE_MANAGER = `#!/usr/bin/env node
const fs = require('node:fs');
const file = process.env.FAKE_PBS;
const state = JSON.parse(fs.readFileSync(file, 'utf8'));
const [area, sub, ...rest] = process.argv.slice(2);
const opt = (name) => { const i = rest.indexOf('--' + name); return i < 0 ? undefined : rest[i + 1]; };
const fail = (m) => { process.stderr.write(m + '\\n'); process.exit(255); };
state.calls.push([area, sub, ...rest].join(' '));
if (area === 'disk' && sub === 'list') {
  for (const d of state.disks) console.log(d.name + ' ' + d.used + ' ' + d.size);
} else if (area === 'disk' && sub === 'fs' && rest[0] === 'create') {
  // api2/node/disks/directory.rs create_datastore_disk: an unused disk, mounted at DATASTORE_MOUNT_DIR/<name>.
  const disk = state.disks.find((d) => d.name === opt('disk'));
  if (!disk) fail("disk '" + opt('disk') + "' not found");
  if (disk.used !== 'unused') fail("disk '" + disk.name + "' is already in use.");
  if (!['ext4', 'xfs', undefined].includes(opt('filesystem'))) fail('filesystem: value not in enum');
  disk.used = 'mounted';
  state.mounts[${JSON.stringify(DATASTORE_MOUNT_DIR)} + '/' + rest[1]] = disk.name;
} else if (area === 's3' && sub === 'endpoint' && rest[0] === 'list') {
  console.log('[]');
} else if (area === 'user' && sub === 'generate-token') {
  console.log('Result: ' + JSON.stringify({ tokenid: rest[0] + '!' + rest[1], value: 'token-secret' }, null, 2));
} else if (area === 'datastore' && sub === 'create') {
  state.stores[rest[0]] = { path: rest[1], backend: opt('backend'), on: state.mounts[rest[1]] ?? 'root' };
}
fs.writeFileSync(file, JSON.stringify(state));
`;

describe('the cache on a disk of its own', () => {
  it("guests.sh adds it; the steps make its file system where datastore create puts the cache, and PBS's datastore create takes the backend", async () => {
    const files = await render(readExample('homelab'));
    expect(files.get('home/proxmox/pve/guests.sh')).toMatch(/^ *add_disk qm 103 'scsi1' 'local-lvm:100' 100 {2}# the local cache of datastore vm-backup-s3$/m);
    const note = files.get('home/pbs/steps.md')!;
    const blocksOf = (step: number) => {
      const text = note.slice(note.indexOf(`\n${step}. `), note.indexOf(`\n${step + 1}. `));
      return [...text.matchAll(/^ {3}```\n([\s\S]*?)^ {3}```$/gm)].map((m) => m[1]!.replace(/^ {3}/gm, ''));
    };
    const dir = mkdtempSync(join(tmpdir(), 'gen-pbs-cache-'));
    try {
      // s3-endpoint.sh of step 3 runs with the fakes of its own test, this proxmox-backup-manager in place of theirs.
      writeFakePbsTools(dir);
      mkdirSync(join(dir, 'log'));
      writeFileSync(join(dir, 's3-endpoint.sh'), files.get('home/pbs/s3-endpoint.sh')!);
      writeFileSync(join(dir, 'proxmox-backup-manager'), FAKE_MANAGER, { mode: 0o755 });
      const state = join(dir, 'state.json');
      const run = (disks: { name: string; used: string; size: number }[], input: string) => {
        writeFileSync(state, JSON.stringify({ disks, mounts: {}, stores: {}, calls: [] }));
        const script = [...blocksOf(2), ...blocksOf(3)].join('');
        const r = spawnSync('bash', ['-e', '-c', script], { cwd: dir, input, encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}`, FAKE_PBS: state, GEN_FAKE_LOG: join(dir, 'log'), HOME: dir } });
        return { ...r, state: JSON.parse(readFileSync(state, 'utf8')) };
      };
      // The VM as guests.sh made it: the system disk in use, the cache disk of 100 GiB unused.
      const vm = [{ name: 'sda', used: 'lvm', size: 50 * 2 ** 30 }, { name: 'sdb', used: 'unused', size: 100 * 2 ** 30 }];
      const done = run(vm, 'sdb\nAKIAEXAMPLE\nsecret\n');
      expect(done.status, done.stderr).toBe(0);
      expect(done.state.calls.map((c: string) => c.split(' ').slice(0, 2).join(' '))).toEqual(['disk list', 'disk fs', 's3 endpoint', 'user generate-token', 'acl update', 'user delete-token', 's3 check', 'datastore create', 'prune-job create']);
      // The steps name the disk by the size guests.sh gave it.
      expect(note).toContain(`the disk of size ${100 * 2 ** 30} whose \`used\` is \`unused\``);
      // datastore create puts the cache on the file system of the cache disk, not on the root disk.
      expect(done.state.stores['vm-backup-s3']).toEqual({ path: `${DATASTORE_MOUNT_DIR}/vm-backup-s3`, backend: backendOf(files), on: 'sdb' });
      expect(parseBackend(done.state.stores['vm-backup-s3'].backend).ok).toBe(true);
      // The system disk is refused, and nothing after it runs; no name typed in stops the steps too.
      const used = run(vm, 'sda\nAKIAEXAMPLE\nsecret\n');
      expect(used.status).not.toBe(0);
      expect(used.stderr).toContain("disk 'sda' is already in use.");
      expect(used.state.stores).toEqual({});
      const none = run(vm, '\n');
      expect(none.stderr).toContain('CACHE_DISK: the name of the unused 100 GiB disk in disk list');
      expect(none.state.calls).toEqual(['disk list']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('backup/cache-on-root-disk and backup/cache-disk-vm', () => {
  const homelab = readExample('homelab');

  it('warns when the cache would sit on the root disk of the VM gen knows, unbounded or bounded by no less than the disk', async () => {
    const bare = edit(homelab, [...PBS, 'cache'], undefined);
    const found = await lint(bare);
    expect(found.map((d) => [d.rule, d.severity, d.location.line])).toEqual([['backup/cache-on-root-disk', 'warning', lineOfKey(bare, [...PBS, 'vm'])]]);
    expect(found[0]!.message).toContain('without max-cache-size PBS sizes it from that disk');
    // Steps without a cache disk say where a disk of its own goes.
    expect((await render(bare)).get('home/pbs/steps.md')).toContain('mount it at /mnt/datastore/vm-backup-s3 first (`proxmox-backup-manager disk fs create vm-backup-s3 --disk <disk>` does)');
    const big = edit(homelab, [...PBS, 'cache'], { max_size_gb: 50 });
    expect((await lint(big)).map((d) => [d.rule, d.location.line])).toEqual([['backup/cache-on-root-disk', lineOf(big, [...PBS, 'cache', 'max_size_gb'])]]);
    expect(await lint(edit(homelab, [...PBS, 'cache'], { max_size_gb: 32 }))).toEqual([]);
    // A backup server gen knows no VM of is not judged.
    expect(await lint(edit(edit(bare, [...PBS, 'vm'], undefined), [...PBS, 'address'], undefined))).toEqual([]);
  });

  it('refuses a cache disk for a VM gen does not create, or no VM', async () => {
    const existing = edit(homelab, [...PBS, 'vm', 'create'], false);
    const found = (await lint(existing)).filter((d) => d.severity === 'error');
    expect(found.map((d) => [d.rule, d.location.line])).toEqual([['backup/cache-disk-vm', lineOfKey(existing, [...PBS, 'cache', 'disk_gb'])]]);
    const none = edit(homelab, [...PBS, 'vm'], undefined);
    expect((await lint(none)).filter((d) => d.severity === 'error').map((d) => d.rule)).toEqual(['backup/cache-disk-vm']);
  });
});

const rs = gitDir('PROXMOX_RS_GIT');
const backup = gitDir('PROXMOX_BACKUP_GIT');

describe.skipIf(!rs)(`the transcriptions against pbs-api-types${rs ? '' : ' (SKIPPED: PROXMOX_RS_GIT is not set)'}`, () => {
  it('DatastoreBackendConfig has exactly these properties, max-cache-size a HumanByte; DATASTORE_MOUNT_DIR is /mnt/datastore', () => {
    const source = show(rs!, 'HEAD:pbs-api-types/src/datastore.rs');
    const api = apiBefore(source, 'pub struct DatastoreBackendConfig {');
    expect([...api.matchAll(/^ {8}(\w+|"[\w-]+"): \{/gm)].map((m) => m[1]!.replace(/"/g, ''))).toEqual(BACKEND_PROPERTIES);
    expect(api).toMatch(/"max-cache-size": \{\s*type: HumanByte,/);
    expect(api).toContain('default_key: "type"');
    expect(source).toContain(`pub const DATASTORE_MOUNT_DIR: &str = "${DATASTORE_MOUNT_DIR}";`);
    const human = show(rs!, 'HEAD:proxmox-human-byte/src/lib.rs');
    expect(human).toContain("'g' | 'G' if binary => { unit = SizeUnit::Gibi; true }");
    expect(human).toContain('SizeUnit::Gibi => 1024.0 * 1024.0 * 1024.0,');
  });
});

describe.skipIf(!backup)(`the cache steps against proxmox-backup 4${backup ? '' : ' (SKIPPED: PROXMOX_BACKUP_GIT is not set)'}`, () => {
  const tag = backup ? latestV4Tag(backup) : '';

  it('disk fs create NAME --disk --filesystem ext4 exists and mounts at DATASTORE_MOUNT_DIR/NAME; disk list lists disks', () => {
    expect(tag).toMatch(/^v4\./);
    const cli = show(backup!, `${tag}:src/bin/proxmox_backup_manager/disk.rs`);
    expect(cli).toMatch(/\.insert\("list", CliCommand::new\(&API_METHOD_LIST_DISKS\)\)/);
    expect(cli).toMatch(/\.insert\("fs", filesystem_commands\(\)\)/);
    expect(cli).toMatch(/"create",\s*CliCommand::new\(&API_METHOD_CREATE_DATASTORE_DISK\)\s*\.arg_param\(&\["name"\]\)/);
    const create = apiBefore(cli, 'async fn create_datastore_disk(');
    expect([...create.matchAll(/^ {12}(\w+|"[\w-]+"): \{/gm)].map((m) => m[1]!.replace(/"/g, ''))).toEqual(['name', 'disk', 'add-datastore', 'filesystem']);
    expect(create).toContain('Will be mounted under `/mnt/datastore/<name>`.');
    expect(show(backup!, `${tag}:src/tools/disks/mod.rs`)).toMatch(/#\[serde\(rename_all = "lowercase"\)\]\s*\/\/\/ A file system type supported by our tooling\.\s*pub enum FileSystemType \{\s*\/\/\/ Linux Ext4\s*Ext4,/);
    const api = show(backup!, `${tag}:src/api2/node/disks/directory.rs`);
    expect(api).toContain('if info.used != DiskUsageType::Unused {');
    expect(api).toContain('let mount_point = format!("{}/{}", DATASTORE_MOUNT_DIR, &name);');
  });

  it('datastore create takes the mounted file system for an S3 cache, and the cache is sized from its free space up to max-cache-size', () => {
    const create = show(backup!, `${tag}:src/api2/config/datastore.rs`);
    // Only a filesystem datastore needs an empty path; the new file system's lost+found is no obstacle either way.
    expect(create).toMatch(/if !reuse_datastore && backend_type == DatastoreBackendType::Filesystem \{\s*if let Ok\(dir\) = std::fs::read_dir\(&path\)/);
    const store = show(backup!, `${tag}:pbs-datastore/src/datastore.rs`);
    expect(store).toMatch(/cache_capacity = fs_info\.available \/ \(16 \* 1024 \* 1024\);/);
    expect(store).toMatch(/let max_cache_capacity = max_cache_size\.as_u64\(\) \/ \(16 \* 1024 \* 1024\);\s*cache_capacity = cache_capacity\.min\(max_cache_capacity\);/);
  });
});
