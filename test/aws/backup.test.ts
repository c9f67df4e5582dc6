// Backup wiring on the Proxmox side: PBS s3.cfg,
// datastore.cfg and prune.cfg, the PVE storage.cfg entry, parsed as Proxmox
// section config ("<type>: <id>", then tab-indented "<key> <value>" lines),
// and the steps, the only procedure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PBS_AUTH_ID_MAX } from '../../src/targets/pbs/access.js';
import { isPbsCalendarEvent } from '../../src/targets/pbs/calendar-event.js';
import { edit, lint, readExample, render } from '../helpers.js';
import { lineOf, lineOfKey } from '../yaml-lines.js';
import { PBS_S3_ENDPOINT, PBS_S3_REGION, parseSectionConfig } from './section-config.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { type FakeRequest, writeFakePbsTools } from './pbs-s3-endpoint-fakes.js';

removeTempDirsAfterAll();

const PBS_SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{2,31}$/;

/** A Proxmox property string: key=value,key=value. */
const propertyString = (text: string) => Object.fromEntries(text.split(',').map((kv) => kv.split('=') as [string, string]));

describe('scenario A backup wiring', async () => {
  const files = await render(readExample('homelab'));

  it('PBS S3 endpoint aws-s3-storage on the bucket region, secrets as placeholders', () => {
    const [endpoint, ...rest] = parseSectionConfig(files.get('home/pbs/s3.cfg')!);
    expect(rest).toEqual([]);
    expect(endpoint).toEqual({
      type: 's3-endpoint',
      id: 'aws-s3-storage',
      props: {
        'access-key': 'REPLACE-WITH-ACCESS-KEY-ID',
        // PBS fills {{bucket}} in: virtual-hosted style on the region's endpoint.
        endpoint: '{{bucket}}.s3.ap-northeast-2.amazonaws.com',
        region: 'ap-northeast-2',
        'secret-key': 'REPLACE-WITH-SECRET-ACCESS-KEY',
      },
    });
    expect(endpoint!.props.endpoint).toMatch(PBS_S3_ENDPOINT);
    expect(endpoint!.props.region).toMatch(PBS_S3_REGION);
    expect(endpoint!.id).toMatch(PBS_SAFE_ID);
    expect('https://s3.ap-northeast-2.amazonaws.com').not.toMatch(PBS_S3_ENDPOINT);
  });

  it('datastore vm-backup-s3 backed by the bucket through that endpoint, with a local cache path and a garbage collection schedule', () => {
    const [store] = parseSectionConfig(files.get('home/pbs/datastore.cfg')!);
    expect(store!.type).toBe('datastore');
    expect(store!.id).toBe('vm-backup-s3');
    expect(propertyString(store!.props.backend!)).toEqual({ type: 's3', client: 'aws-s3-storage', bucket: 'iksan-cloud-backup-20251129' });
    // PBS stores the --backend string of datastore create as it is (DataStoreConfig.backend is a String): the file shows that string.
    expect(files.get('home/pbs/steps.md')).toContain(` --backend ${store!.props.backend} `);
    expect(store!.props.path).toBe('/mnt/datastore/vm-backup-s3');
    expect(store!.props['gc-schedule']).toBe('daily');
    expect(isPbsCalendarEvent(store!.props['gc-schedule']!)).toBe(true);
    expect(Object.keys(store!.props)).toEqual([...Object.keys(store!.props)].sort());
  });

  it('a prune job for the datastore, keeping 7 daily, 4 weekly and 6 monthly backups by default', () => {
    const [job, ...rest] = parseSectionConfig(files.get('home/pbs/prune.cfg')!);
    expect(rest).toEqual([]);
    expect(job).toEqual({ type: 'prune', id: 'vm-backup-s3', props: { 'keep-daily': '7', 'keep-monthly': '6', 'keep-weekly': '4', schedule: 'daily', store: 'vm-backup-s3' } });
    expect(job!.id).toMatch(PBS_SAFE_ID);
    expect(isPbsCalendarEvent(job!.props.schedule!)).toBe(true);
  });

  it('PVE storage pbs-main points at the datastore with an API token; the secret is not in storage.cfg', () => {
    const [storage] = parseSectionConfig(files.get('home/proxmox/storage.cfg')!);
    // No fingerprint in the topology: no fingerprint line (pve-storage refuses any value but a SHA-256 fingerprint), a comment instead.
    expect(storage).toEqual({
      type: 'pbs',
      id: 'pbs-main',
      props: { datastore: 'vm-backup-s3', server: '10.0.0.20', content: 'backup', username: 'pve-backup@pbs!pve' },
    });
    expect(files.get('home/proxmox/storage.cfg')).toMatch(/^# No fingerprint line: the topology has no backup\.pbs\.fingerprint\./);
    expect(files.get('home/proxmox/storage.cfg')).not.toMatch(/password|root@pam/);
    const s3 = parseSectionConfig(files.get('home/pbs/s3.cfg')!)[0]!;
    const store = parseSectionConfig(files.get('home/pbs/datastore.cfg')!)[0]!;
    // The three files agree with each other.
    expect(propertyString(store.props.backend!).client).toBe(s3.id);
    expect(storage!.props.datastore).toBe(store.id);
  });

  it("storage.cfg's comment names the step of pbs/steps.md that adds the fingerprint, with and without the cache disk's step", async () => {
    const bare = edit(readExample('homelab'), ['sites', 0, 'backup', 'pbs', 'cache'], undefined);
    for (const built of [files, await render(bare)]) {
      const named = Number(/Step (\d+) of pbs\/steps\.md adds/.exec(built.get('home/proxmox/storage.cfg')!)![1]);
      const steps = built.get('home/pbs/steps.md')!;
      const step = steps.slice(steps.indexOf(`\n${named}. `), steps.indexOf(`\n${named + 1}. `) >= 0 ? steps.indexOf(`\n${named + 1}. `) : undefined);
      expect(step).toMatch(/pvesm add pbs pbs-main .*--fingerprint "\$\{PBS_FINGERPRINT/);
    }
  });

  it('the PBS address, remote and storage names come from the topology', async () => {
    let text = edit(readExample('homelab'), ['sites', 0, 'backup', 'pbs', 'address'], '10.0.0.30');
    text = edit(text, ['sites', 0, 'backup', 'pbs', 's3_remote'], 'offsite');
    text = edit(text, ['sites', 0, 'backup', 'pbs', 'pve_storage'], 'pbs-offsite');
    const changed = await render(text);
    expect(parseSectionConfig(changed.get('home/proxmox/storage.cfg')!)[0]).toMatchObject({ id: 'pbs-offsite', props: { server: '10.0.0.30' } });
    expect(parseSectionConfig(changed.get('home/pbs/s3.cfg')!)[0]!.id).toBe('offsite');
    expect(propertyString(parseSectionConfig(changed.get('home/pbs/datastore.cfg')!)[0]!.props.backend!).client).toBe('offsite');
  });

  it('without an address the server is a placeholder that the steps name', async () => {
    const pbs = ['sites', 0, 'backup', 'pbs'];
    // Without the VM there is no disk for the cache gen could add either.
    const text = edit(edit(edit(readExample('homelab'), [...pbs, 'address'], undefined), [...pbs, 'vm'], undefined), [...pbs, 'cache'], undefined);
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const changed = await render(text);
    expect(parseSectionConfig(changed.get('home/proxmox/storage.cfg')!)[0]!.props.server).toBe('REPLACE-WITH-PBS-ADDRESS');
    expect(changed.get('home/pbs/steps.md')).toContain('The topology gives no address for the backup server (backup.pbs.address): replace REPLACE-WITH-PBS-ADDRESS.');
  });

  it('no site without backup gets backup files', async () => {
    const vlan = await render(readExample('vlan-hosting'));
    expect([...vlan.keys()].filter((p) => p.includes('/pbs/') || p.endsWith('storage.cfg'))).toEqual([]);
  });
});

describe('the backup steps note', () => {
  const commands = (note: string) => [...note.matchAll(/^ {3}(proxmox-backup-manager|pvesm|aws|bash|read|terraform) .*$/gm)].map((m) => m[0].trim());

  it('is the only procedure: commands in order, the files labelled a reference not to copy', async () => {
    const note = (await render(readExample('homelab'))).get('home/pbs/steps.md')!;
    expect(commands(note)).toEqual([
      'aws iam create-access-key --user-name proxmox-backup-user',
      'proxmox-backup-manager disk list',
      'read -r CACHE_DISK',
      'proxmox-backup-manager disk fs create vm-backup-s3 --disk "${CACHE_DISK:?the name of the unused 100 GiB disk in disk list}" --filesystem ext4',
      'bash s3-endpoint.sh',
      'proxmox-backup-manager s3 check aws-s3-storage iksan-cloud-backup-20251129 --store-prefix vm-backup-s3',
      'proxmox-backup-manager datastore create vm-backup-s3 /mnt/datastore/vm-backup-s3 --backend type=s3,client=aws-s3-storage,bucket=iksan-cloud-backup-20251129 --gc-schedule daily',
      'proxmox-backup-manager prune-job create vm-backup-s3 --store vm-backup-s3 --schedule daily --keep-daily 7 --keep-weekly 4 --keep-monthly 6',
      'bash access.sh',
      'proxmox-backup-manager cert info | grep Fingerprint',
      'read -r PBS_FINGERPRINT',
      "pvesm add pbs pbs-main --server 10.0.0.20 --datastore vm-backup-s3 --username 'pve-backup@pbs!pve' --fingerprint \"${PBS_FINGERPRINT:?the fingerprint of step 4}\" --content backup --password",
      'bash backup-jobs.sh',
    ]);
    expect(note).toMatch(/reference of what the commands leave behind — do not copy them/);
    expect(note).toContain('| reference file (do not copy) | what the commands leave in |');
    for (const file of ['pbs/s3.cfg', 'pbs/datastore.cfg', 'pbs/prune.cfg', 'proxmox/storage.cfg']) expect(note).toMatch(new RegExp(`^\\| ${file} \\|`, 'm'));
    expect(note).not.toMatch(/goes to|mkdir|cp |copy .* to \/etc/);
    expect(note).toContain('stores it in /etc/pve/priv/storage/pbs-main.pw (mode 0600');
  });

  it('step 3 creates the endpoint with s3-endpoint.sh: the key typed in on the backup server, on no command line, never empty', async () => {
    // proxmox-backup-manager s3 endpoint create takes --secret-key as an argument only (proxmox-router cli/getopts.rs),
    // which ps shows to every local user: no command of the steps carries a key; s3-endpoint.sh reads it and sends it
    // to the API in a request body (test/aws/pbs-s3-endpoint.test.ts follows every program it starts).
    const files = await render(readExample('homelab'));
    const note = files.get('home/pbs/steps.md')!;
    const allBlocks = [...note.matchAll(/^ {3}```\n([\s\S]*?)^ {3}```$/gm)].map((m) => m[1]!);
    expect(allBlocks.join('')).not.toMatch(/--secret-key|--access-key|SECRET_ACCESS_KEY|ACCESS_KEY_ID/);
    const step = note.slice(note.indexOf('\n3. '), note.indexOf('\n4. '));
    const blocks = [...step.matchAll(/^ {3}```\n([\s\S]*?)^ {3}```$/gm)].map((m) => m[1]!.replace(/^ {3}/gm, ''));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.split('\n')[0]).toBe('bash s3-endpoint.sh');
    const dir = tempDir('gen-pbs-steps-');
    const log = tempDir('gen-pbs-steps-log-');
    writeFakePbsTools(dir);
    writeFileSync(join(dir, 's3-endpoint.sh'), files.get('home/pbs/s3-endpoint.sh')!);
    const run = (input: string) => {
      for (const f of ['pbm', 'curl']) rmSync(join(log, f), { force: true });
      const r = spawnSync('bash', ['-e', '-c', blocks.join('')], { cwd: dir, input, encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}`, HOME: log, GEN_FAKE_LOG: log } });
      const lines = (f: string) => (existsSync(join(log, f)) ? readFileSync(join(log, f), 'utf8').split('\n').filter(Boolean) : []);
      return { status: r.status, stderr: r.stderr, calls: lines('pbm'), requests: lines('curl').map((l) => JSON.parse(l) as FakeRequest) };
    };
    const typed = run('AKIAEXAMPLE\nsecret/with+chars\n');
    expect(typed.status, typed.stderr).toBe(0);
    expect(typed.requests.map((r) => r.fields.filter(([k]) => k.endsWith('-key')))).toEqual([[['access-key', 'AKIAEXAMPLE'], ['secret-key', 'secret/with+chars']]]);
    expect(typed.calls.filter((c) => c.includes('secret/with+chars'))).toEqual([]);
    expect(typed.calls.map((c) => c.split('|').slice(0, 2).join(' '))).toEqual(['s3 endpoint', 'user generate-token', 'acl update', 'user delete-token', 's3 check', 'datastore create', 'prune-job create']);
    for (const input of ['', 'AKIAEXAMPLE\n', '\nsecret\n']) {
      const empty = run(input);
      expect(empty.calls, JSON.stringify(input)).toEqual([]);
      expect(empty.requests).toEqual([]);
      expect(empty.stderr).toMatch(/s3-endpoint\.sh: no (AccessKeyId|SecretAccessKey) typed in: nothing changed/);
    }
    expect(step).toContain('An endpoint saved with a wrong key: run s3-endpoint.sh again, it replaces the key of endpoint aws-s3-storage.');
  });

  it('uses the topology fingerprint, and with pve_prune_backups prunes from Proxmox VE with the role that may', async () => {
    const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').slice(-2)).join(':');
    let text = edit(readExample('homelab'), ['sites', 0, 'backup', 'pbs', 'fingerprint'], fingerprint.toUpperCase());
    text = edit(text, ['sites', 0, 'backup', 'pbs', 'pve_prune_backups'], { keep_last: 3, keep_daily: 7 });
    text = edit(text, ['sites', 0, 'backup', 'pbs', 'prune'], { schedule: 'sat 02:00', keep_weekly: 8 });
    const files = await render(text);
    expect(parseSectionConfig(files.get('home/proxmox/storage.cfg')!)[0]!.props).toMatchObject({ fingerprint, 'prune-backups': 'keep-last=3,keep-daily=7' });
    expect(files.get('home/proxmox/storage.cfg')).not.toContain('#');
    expect(parseSectionConfig(files.get('home/pbs/prune.cfg')!)[0]!.props).toEqual({ 'keep-weekly': '8', schedule: 'sat 02:00', store: 'vm-backup-s3' });
    const note = files.get('home/pbs/steps.md')!;
    expect(commands(note)).toContain("proxmox-backup-manager prune-job create vm-backup-s3 --store vm-backup-s3 --schedule 'sat 02:00' --keep-weekly 8");
    expect(note).toContain("gives both DatastorePowerUser on the datastore only");
    expect(files.get('home/pbs/access.sh')).toContain(`proxmox-backup-manager acl update "/datastore/$store" 'DatastorePowerUser' --auth-id "$id"`);
    expect(commands(note)).toContain(
      `pvesm add pbs pbs-main --server 10.0.0.20 --datastore vm-backup-s3 --username 'pve-backup@pbs!pve' --fingerprint ${fingerprint} --content backup --prune-backups keep-last=3,keep-daily=7 --password`,
    );
    expect(commands(note)).not.toContain('read -r PBS_FINGERPRINT');
  });

  it('a prune job that keeps nothing in particular is refused at prune', async () => {
    const text = edit(readExample('homelab'), ['sites', 0, 'backup', 'pbs', 'prune'], { schedule: 'daily' });
    const found = (await lint(text)).filter((d) => d.severity === 'error');
    expect(found.map((d) => [d.rule, d.location.line])).toEqual([['schema', lineOfKey(text, ['sites', 0, 'backup', 'pbs', 'prune'])]]);
  });

  it('a keep count is written as the decimal digits Proxmox reads (an i64, no exponent), or refused at schema', async () => {
    const PBS = ['sites', 0, 'backup', 'pbs'];
    const I64_MAX = 2n ** 63n - 1n;
    // proxmox-schema parse_simple_value: `value_str.parse::<i64>()`; pve-common is_integer: /^[+-]?\d+$/.
    const readsAsCount = (text: string) => /^\d+$/.test(text) && BigInt(text) <= I64_MAX;
    const largest = 2 ** 53 - 1;
    const text = edit(edit(readExample('homelab'), [...PBS, 'prune'], { schedule: 'daily', keep_daily: largest }), [...PBS, 'pve_prune_backups'], { keep_last: largest });
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const files = await render(text);
    const daily = parseSectionConfig(files.get('home/pbs/prune.cfg')!)[0]!.props['keep-daily']!;
    expect(daily).toBe('9007199254740991');
    expect(readsAsCount(daily)).toBe(true);
    expect(parseSectionConfig(files.get('home/proxmox/storage.cfg')!)[0]!.props['prune-backups']).toBe('keep-last=9007199254740991');
    // Past 2^53 a count is no longer the one in the topology (2^53 + 1 reads as 2^53), and 1e21 would be written 1e+21.
    expect(readsAsCount(String(1e21))).toBe(false);
    for (const [path, value] of [
      [[...PBS, 'prune', 'keep_daily'], 1e21],
      [[...PBS, 'prune', 'keep_daily'], 2 ** 53],
      [[...PBS, 'pve_prune_backups', 'keep_last'], 1e21],
    ] as [(string | number)[], number][]) {
      const bad = edit(text, path, value);
      const found = (await lint(bad)).filter((d) => d.severity === 'error');
      expect(found.map((d) => [d.rule, d.location.line, d.message]), `${path.join('.')} ${value}`).toEqual([['schema', lineOf(bad, path), expect.stringContaining(`must be <= ${largest}`)]]);
    }
  });

  it('with a pgp_key, Terraform makes the key and the steps decrypt its secret from the outputs', async () => {
    const text = edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'access_key'], { pgp_key: 'keybase:pbsadmin' });
    expect(await lint(text)).toEqual([]);
    const files = await render(text);
    const note = files.get('home/pbs/steps.md')!;
    // Printed where the state and the GPG key are; s3-endpoint.sh of step 3 reads them in on the backup server.
    expect(commands(note).filter((c) => !c.includes('CACHE_DISK') && !c.includes(' disk ')).slice(0, 3)).toEqual([
      'terraform output -raw proxmox-backup-user_access_key_id; echo',
      'terraform output -raw proxmox-backup-user_encrypted_secret_access_key | base64 --decode | gpg --decrypt; echo',
      'bash s3-endpoint.sh',
    ]);
    expect(files.get('aws/terraform/outputs.tf')).toContain('output "proxmox-backup-user_encrypted_secret_access_key" {');
    expect(files.get('aws/terraform/outputs.tf')).not.toMatch(/\.secret\b/);
  });

  it('the outputs the steps read exist, also for a user name Terraform cannot take as it is', async () => {
    for (const name of ['pbs.backup', '2nd-backup']) {
      const text = edit(edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'access_key'], { pgp_key: 'keybase:pbsadmin' }), ['aws', 'iam', 'users', 0, 'name'], name);
      expect(await lint(text), name).toEqual([]);
      const files = await render(text);
      const outputs = files.get('aws/terraform/outputs.tf')!;
      const read = [...files.get('home/pbs/steps.md')!.matchAll(/terraform output -raw ([^ );]+)/g)].map((m) => m[1]!);
      expect(read, name).toHaveLength(2);
      for (const output of read) expect(outputs, `${name}: ${output}`).toContain(`output "${output}" {`);
    }
  });
});

describe('what is kept in the bucket', () => {
  const bucket = ['aws', 'buckets', 0];

  it('backup/bucket-lifecycle: a bucket backing PBS must expire old versions, or say why not', async () => {
    const text = edit(readExample('homelab'), [...bucket, 'noncurrent_days'], undefined);
    const found = (await lint(text)).filter((d) => d.rule === 'backup/bucket-lifecycle');
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      [
        'error',
        'bucket iksan-cloud-backup-20251129 backs the Proxmox Backup Server datastore of site home but never deletes old versions: set noncurrent_days (or keep_noncurrent_forever with a reason)',
        lineOf(text, [...bucket, 'name']),
      ],
    ]);
    expect(await lint(edit(text, [...bucket, 'keep_noncurrent_forever'], 'legal hold until 2030'))).toEqual([]);
    const both = edit(readExample('homelab'), [...bucket, 'keep_noncurrent_forever'], 'legal hold');
    expect((await lint(both)).map((d) => [d.rule, d.location.line])).toEqual([['backup/bucket-lifecycle', lineOf(both, [...bucket, 'keep_noncurrent_forever'])]]);
  });

  it('aws/access-key-in-state: access_key: true would put the secret in the state in plain text', async () => {
    const text = edit(readExample('homelab'), ['aws', 'iam', 'users', 0, 'access_key'], true);
    const found = (await lint(text)).filter((d) => d.rule === 'aws/access-key-in-state');
    expect(found.map((d) => [d.severity, d.location.line])).toEqual([['error', lineOf(text, ['aws', 'iam', 'users', 0, 'access_key'])]]);
  });
});

const rs = process.env.PROXMOX_RS_GIT && existsSync(process.env.PROXMOX_RS_GIT) ? process.env.PROXMOX_RS_GIT : undefined;

const show = (dir: string, spec: string) => {
  const r = spawnSync('git', ['--git-dir', dir, 'show', spec], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe.skipIf(!rs)(`keep counts against pbs-api-types and proxmox-schema${rs ? '' : ' (SKIPPED: PROXMOX_RS_GIT is not set)'}`, () => {

  it('each keep-* is an integer of at least 1 with no maximum, read from the file as an i64', () => {
    const types = show(rs!, 'HEAD:pbs-api-types/src/datastore.rs');
    for (const kind of ['LAST', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']) {
      const schema = new RegExp(`pub const PRUNE_SCHEMA_KEEP_${kind}: Schema =\\s*IntegerSchema::new\\("[^"]*"\\)\\s*\\.minimum\\(1\\)\\s*\\.schema\\(\\);`).exec(types);
      expect(schema, kind).not.toBeNull();
    }
    // The section-config parser reads each value with parse_simple_value: an integer is `str::parse::<i64>`, digits only.
    expect(show(rs!, 'HEAD:proxmox-schema/src/schema.rs')).toMatch(/Schema::Integer\(integer_schema\) => \{\s*let res: i64 = value_str\.parse\(\)\?;/);
  });
});

const pbsGit = process.env.PROXMOX_BACKUP_GIT && existsSync(process.env.PROXMOX_BACKUP_GIT) ? process.env.PROXMOX_BACKUP_GIT : undefined;

describe.skipIf(!rs || !pbsGit)(`the token id's length against proxmox-auth-api and proxmox-backup 4${rs && pbsGit ? '' : ' (SKIPPED: PROXMOX_RS_GIT or PROXMOX_BACKUP_GIT is not set)'}`, () => {
  it('a user id and an auth id (user@realm!token) are at most PBS_AUTH_ID_MAX characters, and acl update takes the auth id as one', () => {
    const types = show(rs!, 'HEAD:proxmox-auth-api/src/types.rs');
    for (const [type, title] of [['Userid', 'User ID'], ['Authid', 'Authentication ID']]) {
      expect(types, type).toMatch(new RegExp(`impl ApiType for ${type} \\{\\s*const API_SCHEMA: Schema = StringSchema::new\\("${title}"\\)\\s*\\.format\\(&\\w+\\)\\s*\\.min_length\\(3\\)\\s*\\.max_length\\(${PBS_AUTH_ID_MAX}\\)`));
    }
    const tag = spawnSync('git', ['--git-dir', pbsGit!, 'tag', '--list', 'v4.*', '--sort=-v:refname'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
    expect(tag).toMatch(/^v4\./);
    expect(show(pbsGit!, `${tag}:src/api2/access/acl.rs`)).toMatch(/"auth-id": \{\s*optional: true,\s*type: Authid,\s*\}/);
  });
});
