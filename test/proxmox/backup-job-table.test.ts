// The facts of Proxmox VE backup jobs and of the keep-* prune options stand
// once, in targets/proxmox/backup-job.ts: the schema offers its modes and
// keep_* keys, backup-jobs.sh sets only the options it lists, and the host's
// verify script checks each of them. The table itself is held against the
// upstream sources (the mirrors PVE_MIRROR locates).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobOptions } from '../../src/render/backup-jobs.js';
import { BACKUP_JOB_OPTIONS, BACKUP_MODES, KEEP_ORDER } from '../../src/targets/proxmox/backup-job.js';
import { edit, modelOf, readExample, render, root } from '../helpers.js';

const homelab = readExample('homelab');
const JOBS = ['sites', 0, 'backup', 'pbs', 'pve_jobs'];
const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));

const mirror = process.env.PVE_MIRROR;
const repo = (name: string) => (mirror ? join(mirror, name, 'repo') : '');
const have = (names: readonly string[]) => !!mirror && names.every((n) => existsSync(repo(n)));
const show = (name: string, path: string) => execFileSync('git', ['-C', repo(name), 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
const skipped = (names: readonly string[]) => (have(names) ? '' : ` (skipped: PVE_MIRROR has no ${names.join(', ')})`);

/** Jobs of every kind: all guests with and without exclude, a pool, a list; options on and off. */
const VARIANT_JOBS = [
  { id: 'nightly' },
  { id: 'some', exclude: [104], comment: 'all but one', repeat_missed: true },
  { id: 'web', guests: ['traefik', 104], mode: 'stop', notes_template: '' },
  { id: 'pooled', guests: { pool: 'prod/web' }, enabled: false, mode: 'suspend' },
];

describe('the backup job table', () => {
  it('the schema offers the modes and keep_* options of the table, its first mode the default', () => {
    const job = schema.$defs.pveBackupJob.properties;
    expect(job.mode.enum).toEqual([...BACKUP_MODES]);
    expect(job.mode.default).toBe(BACKUP_MODES[0]);
    const keeps = KEEP_ORDER.map((kind) => `keep_${kind}`);
    expect(Object.keys(schema.$defs.keepOptions.properties)).toEqual(keeps);
    expect(Object.keys(schema.$defs.pruneJob.properties).filter((k) => k.startsWith('keep_'))).toEqual(keeps);
  });

  it("backup-jobs.sh sets or unsets only options of the table, and the verify script checks each of them with the job's value", async () => {
    const text = edit(homelab, JOBS, VARIANT_JOBS);
    const site = (await modelOf(text)).sites[0]!;
    const keys = BACKUP_JOB_OPTIONS.map((o) => o.key);
    const verify = (await render(text)).get('home/verify/proxmox-pve.sh')!;
    const header = /^backup_job_check\(\) \{ # what where id (.*)$/m.exec(verify)![1]!.split(' ');
    expect(header).toEqual(keys);
    // Each job_option call reads the argument of its option in the header's order.
    const checked = [...verify.matchAll(/job_option ([a-z-]+) "\$\{?(\d+)\}?"/g)].map((m) => [m[1], Number(m[2]) - 3]);
    expect(checked).toEqual(keys.map((k, i) => [k, i + 1]));
    for (const job of site.backup!.jobs) {
      const { set, unset } = jobOptions(job, site.backup!);
      for (const [key] of set) expect(keys, key).toContain(key);
      for (const key of unset) expect(keys, key).toContain(key);
      expect(verify).toContain(`backup_job_check 'backup job ${job.id} `);
    }
  });

  const guestCommon = ['proxmox+pve-guest-common'];
  it.skipIf(!have(guestCommon))(`modes and defaults are vzdump's${skipped(guestCommon)}`, () => {
    const common = show(guestCommon[0]!, 'src/PVE/VZDump/Common.pm');
    const mode = /\n {4}mode => \{([^}]*)\}/.exec(common)![1]!;
    expect([...(/enum => \[([^\]]*)\]/.exec(mode)![1]!.matchAll(/'([a-z]+)'/g))].map((m) => m[1])).toEqual([...BACKUP_MODES]);
    for (const o of BACKUP_JOB_OPTIONS) {
      const option = new RegExp(`\\n {4}'?${o.key}'? => \\{([^}]*)\\}`).exec(common)?.[1];
      const upstreamDefault = option === undefined ? undefined : /default => '?([^',]*)'?,/.exec(option)?.[1];
      if (upstreamDefault !== undefined) expect([o.key, o.absent]).toEqual([o.key, upstreamDefault]);
    }
  });

  const keepRepos = ['proxmox+pve-storage', 'pve-loong64-port+proxmox'];
  it.skipIf(!have(keepRepos))(`keep-* options in the order of Proxmox VE's prune-backups and PBS's KeepOptions${skipped(keepRepos)}`, () => {
    const format = /our \$prune_backups_format = \{([\s\S]*?)\n\};/.exec(show(keepRepos[0]!, 'src/PVE/Storage/Plugin.pm'))![1]!;
    expect([...format.matchAll(/^ {4}'keep-([a-z]+)' =>/gm)].map((m) => m[1]).filter((k) => k !== 'all')).toEqual([...KEEP_ORDER]);
    const keepOptions = /pub struct KeepOptions \{([\s\S]*?)\n\}/.exec(show(keepRepos[1]!, 'pbs-api-types/src/jobs.rs'))![1]!;
    expect([...keepOptions.matchAll(/pub keep_([a-z]+):/g)].map((m) => m[1])).toEqual([...KEEP_ORDER]);
  });
});
