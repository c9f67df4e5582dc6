// The host script's backup job check reads `pvesh get /cluster/backup/ID
// --output-format json` (pve-common CLIFormatter.pm: Perl JSON, utf8 and
// canonical, on one line; pve-manager PVE/API2/Backup.pm read_job) through
// the scripts' one JSON reader: a comment or notes template with quotes,
// backslashes, $(...) and non-ASCII text is compared as Proxmox VE stores
// it, shown as text, and never run.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobOptions } from '../../src/render/backup-jobs.js';
import { edit, modelOf, readExample, render } from '../helpers.js';
import { missing } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();
const work = tempDir('gen-verify-job-');

const COMMENT = `Nightly "all" \\ guests $(touch ${work}/owned) \`id\` 'q' é € 😀 "enabled":0`;
const NOTES = '{{guestname}}\\n"{{vmid}}" \\\\ $(id)';
const text = edit(readExample('homelab'), ['sites', 0, 'backup', 'pbs', 'pve_jobs'], [{ id: 'nightly', schedule: '21:00', guests: 'all', comment: COMMENT, notes_template: NOTES }]);
const site = (await modelOf(text)).sites[0]!;
const job = site.backup!.jobs[0]!;
const script = (await render(text)).get('home/verify/proxmox-pve.sh')!;

/** The job as pvesh prints it once backup-jobs.sh set it: its jobs.cfg section, a boolean as a number, keys sorted. */
function asRead(changes: Record<string, unknown> = {}): string {
  const read: Record<string, unknown> = { id: job.id, type: 'vzdump' };
  for (const [key, value] of jobOptions(job, site.backup!).set) read[key] = ['enabled', 'all', 'repeat-missed'].includes(key) ? Number(value) : value;
  Object.assign(read, changes);
  return JSON.stringify(Object.fromEntries(Object.entries(read).sort(([a], [b]) => (a < b ? -1 : 1))));
}

function run(pvesh: string): string[] {
  const dir = tempDir('gen-verify-job-run-');
  writeFileSync(join(dir, 'pvesh'), `#!/bin/sh\n${pvesh}\n`);
  chmodSync(join(dir, 'pvesh'), 0o755);
  writeFileSync(join(dir, 'check.sh'), script);
  const r = spawnSync('bash', [join(dir, 'check.sh')], { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
  return r.stdout.split('\n').filter((l) => l.includes(`backup job ${job.id} `));
}

const why = missing(['bash'], false);
describe.skipIf(why)(`the host script's backup job check${why ? ` (skipped: ${why})` : ''}`, () => {
  it('a job whose comment and notes hold quotes, backslashes and $(...) passes as backup-jobs.sh set it', () => {
    const file = join(work, 'job.json');
    writeFileSync(file, `${asRead()}\n`);
    expect(run(`cat ${file}`)).toEqual([expect.stringMatching(/^✓ backup job nightly /)]);
    expect(existsSync(join(work, 'owned'))).toBe(false);
  });

  it('a comment and a fleecing setting changed on the box: the job option differs, shown as text', () => {
    const file = join(work, 'changed.json');
    // fleecing's own enabled (VZDump/JobBase.pm decode_value: an object) is not the job's.
    writeFileSync(file, `${asRead({ comment: 'edited "by hand" \\ $(id)', fleecing: { enabled: 0, storage: 'local' } })}\n`);
    const lines = run(`cat ${file}`);
    expect(lines).toEqual([expect.stringMatching(/^✗ backup job nightly .*: pvesh get \/cluster\/backup\/nightly: comment "edited "by hand" \\ \$\(id\)", expected "Nightly "all" \\ guests \$\(touch .*\) `id` 'q' é € 😀 "enabled":0"$/)]);
    expect(existsSync(join(work, 'owned'))).toBe(false);
  });

  it('pvesh failing, or printing what is not JSON, fails the check with what it printed', () => {
    expect(run(`echo "No such job 'nightly'" >&2; exit 255`)).toEqual([expect.stringMatching(/: pvesh get \/cluster\/backup\/nightly: No such job 'nightly'$/)]);
    expect(run('echo "ipcc_send_rec[1] failed: Connection refused"')).toEqual([expect.stringMatching(/: pvesh get \/cluster\/backup\/nightly: ipcc_send_rec\[1\] failed: Connection refused$/)]);
  });
});
