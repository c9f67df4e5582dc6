// The backup server's verification script against proxmox-backup-manager's
// output (json-pretty, as serde_json prints it: two-space indent): the S3
// endpoint, the datastore on its bucket, and `s3 check`. Each drift fails
// the check that names it.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
  check: { status: number; output: string };
}

function healthy(): State {
  return {
    endpoints: [
      { id: 'other', endpoint: 'minio.lan', 'access-key': 'AKIAOTHER', 'path-style': true },
      { id: backup.s3Remote, endpoint: `{{bucket}}.${backup.endpoint}`, region: backup.region, 'access-key': 'AKIAEXAMPLEKEY' },
    ],
    datastore: { name: backup.datastore, path: `/mnt/datastore/${backup.datastore}`, backend: `bucket=${backup.bucket},client=${backup.s3Remote},type=s3`, 'gc-schedule': 'daily' },
    check: { status: 0, output: '' },
  };
}

let n = 0;
function run(state: State, args: string[] = []): { status: number; stdout: string; calls: string[] } {
  const dir = join(work, `run-${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'endpoints.json'), `${JSON.stringify(state.endpoints, null, 2)}\n`);
  if (state.datastore) writeFileSync(join(dir, 'datastore.json'), `${JSON.stringify(state.datastore, null, 2)}\n`);
  writeFileSync(join(dir, 'check.out'), state.check.output);
  const stub = join(dir, 'proxmox-backup-manager');
  writeFileSync(
    stub,
    `#!/bin/sh
D=${dir}
echo "$*" >> "$D/calls"
case "$1 $2 $3" in
  "s3 endpoint list") cat "$D/endpoints.json" ;;
  "datastore show ${backup.datastore}") if [ -f "$D/datastore.json" ]; then cat "$D/datastore.json"; else echo "Error: unable to parse datastore config - no such datastore '$3'" >&2; exit 255; fi ;;
  "s3 check ${backup.s3Remote}") cat "$D/check.out"; exit ${state.check.status} ;;
  *) echo "Error: unknown command" >&2; exit 255 ;;
esac
`,
  );
  chmodSync(stub, 0o755);
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
    expect(quiet.stdout.split('\n').filter((l) => l.startsWith('✓'))).toHaveLength(2);
    expect(quiet.stdout).toContain('all 2 checks pass');
    expect(quiet.status).toBe(0);
    expect(run(healthy(), ['--no-s3-chek']).status).toBe(2);
  });

  it('no endpoint and no datastore at all', () => {
    const r = run({ endpoints: [], check: { status: 255, output: "Error: no such s3 client 'x'\n" } });
    expect(failures(r.stdout)).toEqual([
      expect.stringMatching(/: no S3 endpoint aws-s3-storage \(proxmox-backup-manager s3 endpoint list\)$/),
      expect.stringMatching(/: Error: unable to parse datastore config - no such datastore 'vm-backup-s3'$/),
      expect.stringMatching(/\(s3 check\) \(topology\.yaml:\d+\): Error: no such s3 client 'x'$/),
    ]);
  });
});
