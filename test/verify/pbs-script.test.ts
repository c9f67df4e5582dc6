// The backup server's verification script against proxmox-backup-manager's
// output (json-pretty, as serde_json prints it: two-space indent): the S3
// endpoint, the datastore on its bucket, and `s3 check`. Each drift fails
// the check that names it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keeps } from '../../src/render/backup.js';
import { renderAll } from '../../src/render/index.js';
import { lineOfText, modelOf, readExample } from '../helpers.js';
import { missing } from '../system-tools.js';

const text = readExample('homelab');
const model = await modelOf(text);
const backup = model.sites[0]!.backup!;
const script = renderAll(model).get('home/verify/pbs.sh')!;
const work = mkdtempSync(join(tmpdir(), 'gen-verify-pbs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface State {
  endpoints: Record<string, unknown>[];
  datastore?: Record<string, unknown>;
  prune?: Record<string, unknown>;
  acl: Record<string, unknown>[];
  /** The cache's disk mounted at the datastore's path (steps.md's disk fs create). */
  mounted?: boolean;
  check: { status: number; output: string };
  /** What s3 endpoint list prints on stderr when it fails (s3.cfg unreadable or broken). */
  endpointsError?: string;
  /** What s3 endpoint list prints in place of the endpoints' JSON. */
  endpointsText?: string;
}

function healthy(): State {
  return {
    endpoints: [
      { id: 'other', endpoint: 'minio.lan', 'access-key': 'AKIAOTHER', 'path-style': true },
      { id: backup.s3Remote, endpoint: `{{bucket}}.${backup.endpoint}`, region: backup.region, 'access-key': 'AKIAEXAMPLEKEY' },
    ],
    datastore: { name: backup.datastore, path: `/mnt/datastore/${backup.datastore}`, backend: `bucket=${backup.bucket},client=${backup.s3Remote},type=s3`, 'gc-schedule': 'daily' },
    // What steps.md's prune-job create and access.sh's acl update leave (pbs-api-types PruneJobConfig, AclListItem).
    prune: { id: backup.datastore, store: backup.datastore, schedule: backup.prune.schedule, ...keepFields(backup.prune.keep) },
    acl: [
      { path: '/', ugid: 'admin@pbs', ugid_type: 'user', propagate: true, roleid: 'Admin' },
      { path: `/datastore/${backup.datastore}`, ugid: tokenUser, ugid_type: 'user', propagate: true, roleid: 'DatastoreBackup' },
      { path: `/datastore/${backup.datastore}`, ugid: `${tokenUser}!${backup.token.name}`, ugid_type: 'user', propagate: true, roleid: 'DatastoreBackup' },
    ],
    mounted: true,
    check: { status: 0, output: '' },
  };
}

const tokenUser = backup.token.user;
function keepFields(keep: typeof backup.prune.keep): Record<string, number> {
  return Object.fromEntries(Object.entries(keep).map(([kind, n]) => [`keep-${kind}`, n]));
}

let n = 0;
function run(state: State, args: string[] = []): { status: number; stdout: string; calls: string[] } {
  const dir = join(work, `run-${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'endpoints.json'), state.endpointsText ?? `${JSON.stringify(state.endpoints, null, 2)}\n`);
  if (state.endpointsError !== undefined) writeFileSync(join(dir, 'endpoints.err'), state.endpointsError);
  if (state.datastore) writeFileSync(join(dir, 'datastore.json'), `${JSON.stringify(state.datastore, null, 2)}\n`);
  writeFileSync(join(dir, 'check.out'), state.check.output);
  if (state.prune) writeFileSync(join(dir, 'prune.json'), `${JSON.stringify(state.prune, null, 2)}\n`);
  writeFileSync(join(dir, 'acl.json'), `${JSON.stringify(state.acl)}\n`);
  const stub = join(dir, 'proxmox-backup-manager');
  writeFileSync(
    stub,
    `#!/bin/sh
D=${dir}
echo "$*" >> "$D/calls"
case "$1 $2 $3" in
  "s3 endpoint list") if [ -f "$D/endpoints.err" ]; then cat "$D/endpoints.err" >&2; exit 255; fi; cat "$D/endpoints.json" ;;
  "datastore show ${backup.datastore}") if [ -f "$D/datastore.json" ]; then cat "$D/datastore.json"; else echo "Error: unable to parse datastore config - no such datastore '$3'" >&2; exit 255; fi ;;
  "prune-job show ${backup.datastore}") if [ -f "$D/prune.json" ]; then cat "$D/prune.json"; else echo "Error: no such prune '$3'" >&2; exit 255; fi ;;
  "acl list --output-format") [ "$4" = json ] && cat "$D/acl.json" ;;
  "s3 check ${backup.s3Remote}") cat "$D/check.out"; exit ${state.check.status} ;;
  *) echo "Error: unknown command" >&2; exit 255 ;;
esac
`,
  );
  chmodSync(stub, 0o755);
  // findmnt as util-linux answers: --mountpoint prints the source only for a mount point (exit 1 otherwise),
  // --target the mount point of the file system that holds the path.
  const findmnt = join(dir, 'findmnt');
  writeFileSync(
    findmnt,
    `#!/bin/sh
case "$*" in
  *"--mountpoint /mnt/datastore/${backup.datastore}") ${state.mounted ? 'echo /dev/sdb1' : 'exit 1'} ;;
  *"--target /mnt/datastore/${backup.datastore}") ${state.mounted ? `echo /mnt/datastore/${backup.datastore}` : 'echo /'} ;;
  *) exit 1 ;;
esac
`,
  );
  chmodSync(findmnt, 0o755);
  writeFileSync(join(dir, 'pbs.sh'), script);
  const r = spawnSync('bash', [join(dir, 'pbs.sh'), ...args], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
  const calls = existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trimEnd().split('\n') : [];
  return { status: r.status ?? -1, stdout: r.stdout + r.stderr, calls };
}

const failures = (out: string) => out.split('\n').filter((l) => l.startsWith('✗'));
const why = missing(['bash', 'shellcheck'], false);

describe('the backup server script says what it changes', () => {
  it('its header names the requests s3 check sends and what they leave, where the other scripts change nothing', () => {
    const header = script.split('\n').slice(0, 5).join('\n');
    // proxmox-backup's s3 check: HeadBucket, PUT, GET, DELETE of .s3-client-test, counted under the datastore's counter id.
    expect(header).toContain("HeadBucket, then PUT, GET and DELETE of an empty test object, .s3-client-test, under the datastore's prefix");
    expect(header).toContain("they count in the datastore's own S3 request statistics");
    expect(header).toContain('an empty noncurrent version and a delete marker');
    expect(header).toContain('--no-s3-check leaves the bucket alone');
    expect(header).not.toContain('changes nothing.');
    expect(renderAll(model).get('home/verify/proxmox-pve.sh')!).toContain("# It only reads the box's state and changes nothing.");
  });
});

describe.skipIf(why)(`backup server verification script${why ? ` (skipped: ${why})` : ''}`, () => {
  const where = `topology.yaml:${lineOfText(text, 'pbs:')}`;

  it('passes shellcheck, and every check passes on the server the topology describes', () => {
    const file = join(work, 'pbs.sh');
    writeFileSync(file, script);
    expect(spawnSync('shellcheck', [file], { encoding: 'utf8' }).stdout).toBe('');
    const r = run(healthy());
    expect(failures(r.stdout), r.stdout).toEqual([]);
    expect(r.stdout).toContain(`✓ S3 endpoint ${backup.s3Remote} is {{bucket}}.${backup.endpoint} in ${backup.region} (${where})`);
    expect(r.stdout).toContain(`✓ datastore ${backup.datastore} keeps its chunks in bucket ${backup.bucket} through ${backup.s3Remote} (${where})`);
    expect(r.status).toBe(0);
  });

  it('an endpoint in another region, a datastore on another bucket, a bucket out of reach', () => {
    const state = healthy();
    state.endpoints[1]!.region = 'eu-central-1';
    state.datastore!.backend = `bucket=old-bucket,client=${backup.s3Remote},type=s3`;
    state.check = { status: 1, output: 'Error: head bucket failed - 403 Forbidden\n' };
    const r = run(state);
    expect(failures(r.stdout)).toEqual([
      `✗ S3 endpoint ${backup.s3Remote} is {{bucket}}.${backup.endpoint} in ${backup.region} (${where}): region eu-central-1`,
      `✗ datastore ${backup.datastore} keeps its chunks in bucket ${backup.bucket} through ${backup.s3Remote} (${where}): backend bucket=old-bucket,client=${backup.s3Remote},type=s3 lacks bucket=${backup.bucket}`,
      `✗ the bucket ${backup.bucket} is reachable with the endpoint's credentials (s3 check) (${where}): Error: head bucket failed - 403 Forbidden`,
    ]);
    expect(r.status).toBe(1);
  });

  it('--no-s3-check runs every check but s3 check, which alone sends requests to the bucket', () => {
    const all = run(healthy());
    expect(all.calls.filter((c) => c.startsWith('s3 check '))).toEqual([`s3 check ${backup.s3Remote} ${backup.bucket} --store-prefix ${backup.datastore}`]);
    const quiet = run(healthy(), ['--no-s3-check']);
    expect(quiet.calls.filter((c) => c.startsWith('s3 check '))).toEqual([]);
    expect(quiet.stdout.split('\n').filter((l) => l.startsWith('✓'))).toHaveLength(6);
    expect(quiet.stdout).toContain('all 6 checks pass');
    expect(quiet.status).toBe(0);
    expect(run(healthy(), ['--no-s3-chek']).status).toBe(2);
  });

  it('no endpoint and no datastore at all', () => {
    const r = run({ endpoints: [], acl: [], check: { status: 255, output: "Error: no such s3 client 'x'\n" } });
    expect(failures(r.stdout)).toEqual([
      expect.stringMatching(/: no S3 endpoint aws-s3-storage \(proxmox-backup-manager s3 endpoint list\)$/),
      expect.stringMatching(/^✗ the local cache \/mnt\/datastore\/vm-backup-s3 is a file system of its own .*: \/mnt\/datastore\/vm-backup-s3 is no mount point: it is on the file system of \/$/),
      expect.stringMatching(/: Error: unable to parse datastore config - no such datastore 'vm-backup-s3'$/),
      expect.stringMatching(/^✗ datastore vm-backup-s3 runs garbage collection .*: Error: unable to parse datastore config - no such datastore 'vm-backup-s3'$/),
      expect.stringMatching(/^✗ prune job vm-backup-s3 .*: Error: no such prune 'vm-backup-s3'$/),
      expect.stringMatching(/^✗ pve-backup@pbs and its token .*: no DatastoreBackup for pve-backup@pbs; no DatastoreBackup for pve-backup@pbs!pve$/),
      expect.stringMatching(/\(s3 check\) \(topology\.yaml:\d+\): Error: no such s3 client 'x'$/),
    ]);
  });

  // steps.md creates the prune job with the datastore (step 3) and runs access.sh (step 4); a box where either
  // was skipped keeps every backup forever, or refuses Proxmox VE's login, and must not pass.
  it('a datastore without garbage collection, a missing or drifted prune job, the storage user or token without its role', () => {
    const keep = keeps(backup.prune.keep);
    expect(keep.length).toBeGreaterThan(0);
    const [firstKey, firstCount] = keep[0]!;

    const noGc = healthy();
    delete noGc.datastore!['gc-schedule'];
    expect(failures(run(noGc).stdout)).toEqual([`✗ datastore ${backup.datastore} runs garbage collection on schedule ${backup.gcSchedule} (${where}): gc-schedule none`]);

    const noPrune = healthy();
    delete noPrune.prune;
    expect(failures(run(noPrune).stdout)).toEqual([expect.stringMatching(new RegExp(`^✗ prune job ${backup.datastore} prunes datastore ${backup.datastore} on schedule ${backup.prune.schedule}, ${firstKey} ${firstCount}.*: Error: no such prune '${backup.datastore}'$`))]);

    const drifted = healthy();
    Object.assign(drifted.prune!, { schedule: 'weekly', disable: true, [firstKey]: firstCount + 1, 'keep-last': 3 });
    expect(failures(run(drifted).stdout)).toEqual([
      expect.stringMatching(new RegExp(`: schedule weekly; disabled; keep-last 3; .*${firstKey} ${firstCount + 1}`)),
    ]);

    const noAccess = healthy();
    noAccess.acl = noAccess.acl.filter((e) => e.ugid !== `${tokenUser}!${backup.token.name}`);
    noAccess.acl.push({ path: `/datastore/${backup.datastore}`, ugid: `${tokenUser}!${backup.token.name}`, ugid_type: 'user', propagate: true, roleid: 'DatastoreReader' });
    const r = run(noAccess);
    expect(failures(r.stdout)).toEqual([`✗ ${tokenUser} and its token ${tokenUser}!${backup.token.name} have DatastoreBackup on /datastore/${backup.datastore} (${where}): no DatastoreBackup for ${tokenUser}!${backup.token.name}`]);
    expect(r.status).toBe(1);
  });

  // steps.md's disk fs create mounts the cache disk guests.sh adds; skipped, datastore create makes the directory on
  // the system disk, and the cache fills it.
  it('a cache directory on the system disk, where steps.md mounts a disk of its own', () => {
    const disk = model.sites[0]!.guests.find((g) => g.purpose === 'backup-server')!.dataDisk!;
    const state = healthy();
    state.mounted = false;
    const r = run(state);
    expect(failures(r.stdout)).toEqual([
      `✗ the local cache /mnt/datastore/${backup.datastore} is a file system of its own (the ${disk.gb} GiB disk ${disk.key}) (${where}): /mnt/datastore/${backup.datastore} is no mount point: it is on the file system of /`,
    ]);
    expect(r.status).toBe(1);
  });

  // proxmox-backup src/api2/config/s3.rs list_s3_client_config: s3::config()? fails on an unreadable or broken
  // s3.cfg, and the command prints the error and exits non-zero: the check says so, not that no endpoint exists.
  it('an endpoint list that fails names the error, not a missing endpoint', () => {
    const state = healthy();
    state.endpointsError = "Error: unable to open file '/etc/proxmox-backup/s3.cfg' - Permission denied (os error 13)\n";
    expect(failures(run(state).stdout)).toEqual([
      `✗ S3 endpoint ${backup.s3Remote} is {{bucket}}.${backup.endpoint} in ${backup.region} (${where}): proxmox-backup-manager s3 endpoint list: Error: unable to open file '/etc/proxmox-backup/s3.cfg' - Permission denied (os error 13)`,
    ]);
  });

  // An answer cut off (the command killed mid-write): json_flat has read part of it when it fails, and the check
  // names the text that is not JSON, on its own line, never json_flat's lines of the part it read.
  it('an endpoint list that is not JSON fails its check with that text, on one line', () => {
    const state = healthy();
    const whole = JSON.stringify(state.endpoints);
    state.endpointsText = whole.slice(0, whole.indexOf('"endpoint"'));
    expect(failures(run(state).stdout)).toEqual([
      `✗ S3 endpoint ${backup.s3Remote} is {{bucket}}.${backup.endpoint} in ${backup.region} (${where}): proxmox-backup-manager s3 endpoint list: not JSON: ${state.endpointsText}`,
    ]);
  });

  // Comments are free text (pbs-api-types SINGLE_LINE_COMMENT_SCHEMA: no control characters, quotes allowed): a
  // key, a quote or $(...) in one is text, never the value of another key, and never run.
  it('keys, quotes and $(...) inside values neither pass nor break a check', () => {
    const hostile = `x", "id": "${backup.s3Remote}", "region": "${backup.region}", "gc-schedule": "daily", "disable": true, "ns": "" $(touch ${work}/owned) \`id\` \\`;
    const state = healthy();
    state.endpoints = [{ id: 'other', endpoint: hostile, region: hostile, comment: hostile }];
    delete state.datastore!['gc-schedule'];
    state.datastore!.comment = hostile;
    Object.assign(state.prune!, { comment: hostile, ns: hostile });
    state.acl.push({ path: hostile, ugid: hostile, ugid_type: 'user', propagate: true, roleid: hostile });
    const r = run(state);
    expect(failures(r.stdout)).toEqual([
      `✗ S3 endpoint ${backup.s3Remote} is {{bucket}}.${backup.endpoint} in ${backup.region} (${where}): no S3 endpoint ${backup.s3Remote} (proxmox-backup-manager s3 endpoint list)`,
      `✗ datastore ${backup.datastore} runs garbage collection on schedule ${backup.gcSchedule} (${where}): gc-schedule none`,
      expect.stringMatching(new RegExp(`^✗ prune job ${backup.datastore} .*: namespace x", "id": .* \\$\\(touch .*\\) \`id\` \\\\ only$`)),
    ]);
    expect(existsSync(join(work, 'owned'))).toBe(false);
  });
});
