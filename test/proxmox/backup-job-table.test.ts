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

/** The entries of a Perl hash of property schemas (the keys at its least indent), each with its text. */
function perlProperties(hash: string): Map<string, string> {
  const lines = hash.split('\n');
  const keyLine = /^( *)'?([a-z][a-z-]*)'? => /;
  const indent = Math.min(...lines.filter((l) => keyLine.test(l)).map((l) => keyLine.exec(l)![1]!.length));
  const entries = new Map<string, string>();
  let key: string | undefined;
  for (const line of lines) {
    const m = keyLine.exec(line);
    if (m && m[1]!.length === indent) entries.set((key = m[2]!), '');
    if (key !== undefined) entries.set(key, `${entries.get(key)!}${line}\n`);
  }
  return entries;
}

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

  const jobRepos = ['proxmox+pve-guest-common', 'proxmox+pve-common', 'proxmox+pve-manager'];
  it.skipIf(!have(jobRepos))(`modes and defaults are those of vzdump and of a job in jobs.cfg${skipped(jobRepos)}`, () => {
    const common = show(jobRepos[0]!, 'src/PVE/VZDump/Common.pm');
    const mode = /\n {4}mode => \{([^}]*)\}/.exec(common)![1]!;
    expect([...(/enum => \[([^\]]*)\]/.exec(mode)![1]!.matchAll(/'([a-z]+)'/g))].map((m) => m[1])).toEqual([...BACKUP_MODES]);
    // A job's options are vzdump's ($confdesc) and those every job has (Job/Registry.pm propertyList: enabled, schedule, comment, repeat-missed).
    const vzdump = perlProperties(/\nmy \$confdesc = \{([\s\S]*?)\n\};/.exec(common)![1]!);
    const job = perlProperties(/\n {4}propertyList => \{([\s\S]*?)\n {4}\},/.exec(show(jobRepos[1]!, 'src/PVE/Job/Registry.pm'))![1]!);
    // storage is a get_standard_option without a default: vzdump takes local (PVE/VZDump.pm get_storage_param) unless a dumpdir is set.
    const storage = /\nsub get_storage_param \{(?:\n(?: .*)?)*?\n {4}return \$param->\{storage\} \|\| '([^']+)';/.exec(show(jobRepos[2]!, 'PVE/VZDump.pm'))![1]!;
    const fallback: Record<string, string> = { storage };
    // The options that have no default at all, and why none is needed: a job without them has no value, the table's ''.
    const noDefault: Record<string, string> = {
      schedule: 'required (no optional flag): every job in jobs.cfg holds one',
      exclude: 'a list of guests: absent, none is excluded',
      pool: 'a selection: absent, the job selects by all or vmid',
      vmid: 'a selection: absent, the job selects by all or pool',
      'notes-template': 'absent, the backups get no notes',
      comment: 'absent, the job has no description',
    };
    const keys = BACKUP_JOB_OPTIONS.map((o) => o.key);
    expect(Object.keys(noDefault).filter((k) => !keys.includes(k))).toEqual([]);
    expect(job.get('schedule')).not.toMatch(/optional => 1/);
    for (const o of BACKUP_JOB_OPTIONS) {
      const defined = [vzdump.get(o.key), job.get(o.key)].filter((d): d is string => d !== undefined);
      expect([o.key, defined.length]).toEqual([o.key, 1]);
      const defaults = [...defined[0]!.matchAll(/\bdefault => '?([^',]*)'?,/g)].map((m) => m[1]!);
      expect(defaults.length, o.key).toBeLessThanOrEqual(1);
      const upstream = defaults[0] ?? fallback[o.key];
      if (upstream === undefined) expect([o.key, noDefault[o.key] !== undefined, o.absent]).toEqual([o.key, true, '']);
      else expect([o.key, noDefault[o.key], o.absent]).toEqual([o.key, undefined, upstream]);
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
