// Proxmox VE backs up only through backup jobs (pve-manager PVE/API2/Backup.pm,
// /cluster/backup): the topology's pve_jobs, proxmox/backup-jobs.sh that makes
// them (run on fake-pve.pl, whose /cluster/backup follows Backup.pm's create
// and update), its options against the parameters of Backup.pm's create_job
// and update_job and pve-guest-common's vzdump options (read from the
// mirrors PVE_MIRROR locates), and the rule that finds a site without a job.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notesTemplateProblems } from '../../src/resolve/backup-jobs.js';
import { edit, lineOfText, lint, modelOf, readExample, render } from '../helpers.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';
import { FakeNode } from './fake-node.js';

removeTempDirsAfterAll();

const homelab = readExample('homelab');
const JOBS = ['sites', 0, 'backup', 'pbs', 'pve_jobs'];

/** The `job ID UNSET OPTIONS...` calls of the script, as bash splits them. */
function calls(script: string): string[][] {
  const lines = script.split('\n').filter((l) => l.startsWith('job '));
  const out = execFileSync('bash', ['-c', `job() { printf '%s\\0' "$@"; printf '\\1'; }\n${lines.join('\n')}`], { encoding: 'utf8' });
  return out
    .split('\u0001')
    .filter(Boolean)
    .map((c) => c.split('\u0000').slice(0, -1));
}

/** --key value pairs of a pvesh argument list. */
function pairs(args: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < args.length; i += 2) {
    expect(args[i]).toMatch(/^--[a-z][a-z-]*$/);
    out.push([args[i]!.slice(2), args[i + 1]!]);
  }
  return out;
}

const mirror = process.env.PVE_MIRROR;
const haveUpstream = !!mirror && ['pve-manager', 'pve-guest-common', 'pve-common'].every((r) => existsSync(join(mirror, `proxmox+${r}/repo`)));
const show = (repo: string, path: string) => execFileSync('git', ['-C', join(mirror!, `proxmox+${repo}/repo`), 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 1 << 26 });

/** The keys at one indentation of a Perl hash literal's text. */
const keysAt = (text: string, indent: number) => new Set([...text.matchAll(new RegExp(`^ {${indent}}'?([a-z][a-z0-9-]*)'? =>`, 'gm'))].map((m) => m[1]!));

function between(text: string, start: string, end: string): string {
  const i = text.indexOf(start);
  expect(i, start).toBeGreaterThanOrEqual(0);
  return text.slice(i, text.indexOf(end, i));
}

/** What /cluster/backup takes, from pve-manager's and pve-guest-common's source. */
function upstreamApi() {
  const common = show('pve-guest-common', 'src/PVE/VZDump/Common.pm');
  const confdesc = between(common, 'my $confdesc = {', '\n};\n');
  const backup = show('pve-manager', 'PVE/API2/Backup.pm');
  const params = (name: string) => new Set([...keysAt(confdesc, 4), ...keysAt(between(backup, `name => '${name}'`, 'code => sub'), 12)]);
  const configId = /our \$CONFIGID_RE = qr\/(.+)\/i;/.exec(show('pve-common', 'src/PVE/JSONSchema.pm'))![1]!;
  return {
    create: params('create_job'),
    update: params('update_job'),
    deletable: new Set([...keysAt(confdesc, 4), ...keysAt(between(backup, 'my $deletable = {', '};'), 16)]),
    modes: [...between(confdesc, '    mode => {', '},').matchAll(/'([a-z]+)'/g)].map((m) => m[1]),
    configId: new RegExp(`^${configId}$`, 'i'),
    jobIdMax: Number(/'pve-backup-jobid',\s*\{[^}]*maxLength => (\d+)/.exec(show('pve-manager', 'PVE/VZDump.pm'))![1]),
  };
}

describe('Proxmox VE backup jobs', async () => {
  const files = await render(homelab);
  const script = files.get('home/proxmox/backup-jobs.sh')!;

  it('the default topology has a nightly job over all guests but the backup server itself', async () => {
    const site = (await modelOf(homelab)).sites[0]!;
    const server = site.guests.find((g) => g.purpose === 'backup-server')!;
    expect(site.backup!.jobs.map((j) => [j.id, j.schedule, j.mode, j.selection, j.notesTemplate])).toEqual([['nightly', '21:00', 'snapshot', { kind: 'all', exclude: [server.id] }, '{{guestname}}']]);
    const [call] = calls(script);
    expect(pairs(call!.slice(2))).toEqual(
      expect.arrayContaining([
        ['storage', site.backup!.pveStorage],
        ['all', '1'],
        ['exclude', String(server.id)],
        ['schedule', '21:00'],
      ]),
    );
    expect(files.get('home/pbs/steps.md')).toMatch(new RegExp(`run proxmox/backup-jobs\\.sh[^\\n]*leaves out VM ${server.id}, the backup server itself`));
  });

  it('without backup.pbs.vm gen cannot tell the backup server from other guests, and the steps say to exclude it', async () => {
    const text = edit(homelab, ['sites', 0, 'backup', 'pbs', 'vm'], undefined);
    // (cache.disk_gb needs the VM gen creates.)
    const site = (await modelOf(edit(text, ['sites', 0, 'backup', 'pbs', 'cache'], undefined))).sites[0]!;
    expect(site.backup!.jobs[0]!.selection).toEqual({ kind: 'all', exclude: [] });
    const steps = (await render(edit(text, ['sites', 0, 'backup', 'pbs', 'cache'], undefined))).get('home/pbs/steps.md')!;
    expect(steps).toContain('The topology gives no VM id for the backup server (backup.pbs.vm): if it runs as a guest of this cluster, add its id to the exclude');
  });

  it.skipIf(!haveUpstream)(`every option is a parameter of create_job and update_job, with a value they take${haveUpstream ? '' : ' (skipped: PVE_MIRROR has no pve-manager, pve-guest-common, pve-common)'}`, async () => {
    const api = upstreamApi();
    const variants = [
      script,
      (
        await render(
          edit(homelab, JOBS, [
            { id: 'web', guests: ['traefik', 104], mode: 'stop', notes_template: '' },
            { id: 'pooled', guests: { pool: 'prod/web' }, repeat_missed: true, enabled: false },
          ]),
        )
      ).get('home/proxmox/backup-jobs.sh')!,
    ];
    let seen = 0;
    for (const text of variants) {
      for (const [id, unset, ...args] of calls(text)) {
        seen++;
        expect(id).toMatch(api.configId);
        expect(id!.length).toBeLessThanOrEqual(api.jobIdMax);
        for (const key of unset!.split(',').filter(Boolean)) expect(api.deletable, key).toContain(key);
        for (const [key, value] of pairs(args)) {
          expect(api.create, key).toContain(key);
          expect(api.update, key).toContain(key);
          if (key === 'mode') expect(api.modes).toContain(value);
          if (key === 'vmid' || key === 'exclude') expect(value).toMatch(/^\d+(,\d+)*$/);
          if (key === 'notes-template') expect(notesTemplateProblems(value)).toBeUndefined();
        }
      }
    }
    expect(seen).toBe(3);
  });

  it('creates the jobs on a node, and run again sets them back to what the topology says', async () => {
    const n = new FakeNode({ node: 'pve' });
    const first = n.run(script);
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('backup job nightly: create');
    const created = n.state.backupJobs!.nightly!;
    expect(created).toMatchObject({ storage: 'pbs-main', schedule: '21:00', mode: 'snapshot', all: '1', exclude: '103', 'notes-template': '{{guestname}}', enabled: '1' });
    const again = n.run(script);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain('backup job nightly: update');
    expect(n.state.backupJobs!.nightly).toEqual(created);
    // The topology now names the guests, with no notes and no comment: the update drops all, exclude, notes and comment.
    const changed = (await render(edit(homelab, JOBS, [{ id: 'nightly', guests: ['traefik'], notes_template: '' }]))).get('home/proxmox/backup-jobs.sh')!;
    const third = n.run(changed);
    expect(third.stderr).toBe('');
    const traefik = (await modelOf(homelab)).sites[0]!.guests.find((g) => g.name === 'traefik')!;
    expect(n.state.backupJobs!.nightly).toEqual({ storage: 'pbs-main', schedule: '21:00', mode: 'snapshot', enabled: '1', vmid: String(traefik.id) });
  });

  it('fake-pve.pl prints a job as read_job returns it: its jobs.cfg section, booleans as numbers, enabled 1 when unset', () => {
    const n = new FakeNode({ node: 'pve' });
    expect(n.run(script).stderr).toBe('');
    // pve-common SectionConfig.pm check_value returns a boolean as "$value + 0"; Job/Registry.pm parse_config sets enabled //= 1.
    const got = JSON.parse(n.run('pvesh get /cluster/backup/nightly --output-format json').stdout) as Record<string, unknown>;
    expect(got).toMatchObject({ id: 'nightly', type: 'vzdump', enabled: 1, all: 1, exclude: '103', mode: 'snapshot' });
    expect(n.run('pvesh set /cluster/backup/nightly --delete enabled --repeat-missed 1').stderr).toBe('');
    expect(JSON.parse(n.run('pvesh get /cluster/backup/nightly --output-format json').stdout)).toMatchObject({ enabled: 1, 'repeat-missed': 1 });
  });

  describe("the host's verify script checks the job as backup-jobs.sh sets it", () => {
    const verify = files.get('home/verify/proxmox-pve.sh')!;
    const where = `topology.yaml:${lineOfText(homelab, '- { id: nightly')}`;
    const what = `backup job nightly (enabled, snapshot mode) backs up all guests but 103 to pbs-main on schedule 21:00, as backup-jobs.sh sets it (${where})`;
    // The script with its backup job checks alone (the others would only take time here).
    const jobChecks = (text: string) => text.split('\n').filter((l) => !/^ {2}[a-z_]+_check '/.test(l) || l.startsWith('  backup_job_check ')).join('\n');
    const check = (n: FakeNode, verifyScript = verify) => n.run(jobChecks(verifyScript)).stdout.split('\n').filter((l) => l.slice(2).startsWith('backup job '));

    it('fails without the job, passes once backup-jobs.sh made it', () => {
      const n = new FakeNode({ node: 'pve' });
      expect(check(n)).toEqual([`✗ ${what}: pvesh get /cluster/backup/nightly: No such job 'nightly'`]);
      expect(n.run(script).stderr).toBe('');
      expect(check(n)).toEqual([`✓ ${what}`]);
    });

    // Each as the GUI (PUT /cluster/backup/nightly, update_job) changes it, and the difference the check names.
    const changes: [string, string][] = [
      ['--schedule "sat 02:00" --delete storage', 'storage local, expected pbs-main; schedule sat 02:00, expected 21:00'],
      ['--enabled 0', 'enabled 0, expected 1'],
      ['--mode stop', 'mode stop, expected snapshot'],
      ['--delete exclude', 'exclude not set, expected 103'],
      ['--exclude 104,103', 'exclude 103,104, expected 103'],
      ['--vmid 103', 'all 0, expected 1; exclude not set, expected 103; vmid 103, expected not set'],
      ['--pool prod', 'all 0, expected 1; exclude not set, expected 103; pool prod, expected not set'],
      ['--notes-template "{{vmid}} on {{node}}"', 'notes-template "{{vmid}} on {{node}}", expected "{{guestname}}"'],
      ['--delete notes-template', 'notes-template not set, expected "{{guestname}}"'],
      ['--repeat-missed 1', 'repeat-missed 1, expected 0'],
      ['--comment "by hand"', 'comment "by hand", expected "All guests to the backup server (gen)"'],
      ['--delete comment', 'comment not set, expected "All guests to the backup server (gen)"'],
    ];
    it.each(changes)('fails on pvesh set %s', (change, found) => {
      const n = new FakeNode({ node: 'pve' });
      expect(n.run(script).stderr).toBe('');
      expect(n.run(`pvesh set /cluster/backup/nightly ${change}`).stderr).toBe('');
      expect(check(n)).toEqual([`✗ ${what}: pvesh get /cluster/backup/nightly: ${found}`]);
      // backup-jobs.sh run again sets the job back.
      expect(n.run(script).stderr).toBe('');
      expect(check(n)).toEqual([`✓ ${what}`]);
    });

    it("reads the job's own enabled and storage, not fleecing's (an object with keys of the same names)", () => {
      const n = new FakeNode({ node: 'pve' });
      expect(n.run(script).stderr).toBe('');
      expect(n.run('pvesh set /cluster/backup/nightly --fleecing enabled=0,storage=local-lvm').stderr).toBe('');
      expect(n.run('pvesh get /cluster/backup/nightly --output-format json').stdout).toContain('"fleecing":{"enabled":0,"storage":"local-lvm"}');
      expect(check(n)).toEqual([`✓ ${what}`]);
      expect(n.run('pvesh set /cluster/backup/nightly --fleecing 1 --enabled 0 --delete storage').stderr).toBe('');
      expect(check(n)).toEqual([`✗ ${what}: pvesh get /cluster/backup/nightly: storage local, expected pbs-main; enabled 0, expected 1`]);
    });

    it('a job of listed guests, disabled, with repeat-missed and a comment with quotes and backslashes: passes as created, in any order of the ids', async () => {
      const text = edit(homelab, JOBS, [{ id: 'web', guests: [104, 'traefik'], mode: 'stop', enabled: false, repeat_missed: true, notes_template: 'a\\nb "{{vmid}}"', comment: 'say "hi" \\ é' }]);
      const out = await render(text);
      const ids = (await modelOf(text)).sites[0]!.backup!.jobs[0]!.selection;
      expect(ids.kind).toBe('vmid');
      const vmids = ids.kind === 'vmid' ? ids.vmids : [];
      const n = new FakeNode({ node: 'pve' });
      expect(n.run(out.get('home/proxmox/backup-jobs.sh')!).stderr).toBe('');
      const lines = () => check(n, out.get('home/verify/proxmox-pve.sh')!);
      expect(lines()).toEqual([expect.stringMatching(/^✓ backup job web \(disabled, stop mode\) backs up guests /)]);
      expect(n.run(`pvesh set /cluster/backup/web --vmid '${[...vmids].reverse().join(';')}'`).stderr).toBe('');
      expect(lines()[0]).toMatch(/^✓/);
      expect(n.run(`pvesh set /cluster/backup/web --vmid '${vmids[0]}' --enabled 1 --delete repeat-missed --comment 'say "hi" \\'`).stderr).toBe('');
      // The values as they are (the JSON reader decodes them), not JSON-escaped.
      expect(lines()[0]).toMatch(
        new RegExp(`: pvesh get /cluster/backup/web: enabled 1, expected 0; vmid ${vmids[0]}, expected ${[...vmids].sort((a, b) => a - b).join(',')}; repeat-missed 0, expected 1; comment "say "hi" \\\\", expected "say "hi" \\\\ é"$`),
      );
    });
  });

  it('refuses what Proxmox VE refuses, at the job in the topology', async () => {
    const cases: [unknown, string, RegExp][] = [
      [[{ id: 'a1', schedule: 'daily 03:00' }], 'schema', /not a calendar event Proxmox VE takes/],
      [[{ id: 'a1', notes_template: '{{name}} \\t' }], 'schema', /unknown escape sequence '\\t', variable 'name'/],
      [[{ id: 'a1', guests: ['pbs'] }], 'schema', /VM 103 is the backup server itself/],
      [[{ id: 'a1', guests: ['nope'] }], 'ref/unknown', /guest "nope" does not exist/],
      [[{ id: 'a1', guests: { pool: 'p' }, exclude: [104] }], 'schema', /exclude goes only with guests: all/],
      [[{ id: 'a1' }, { id: 'a1' }], 'names/duplicate', /a1/],
      [[{ id: '1st' }], 'schema', /./],
    ];
    for (const [jobs, rule, message] of cases) {
      const found = (await lint(edit(homelab, JOBS, jobs))).filter((d) => d.severity === 'error');
      expect(
        found.map((d) => d.rule),
        JSON.stringify(jobs),
      ).toContain(rule);
      expect(found.find((d) => d.rule === rule)!.message).toMatch(message);
    }
  });

  it('warns of a job over a pool gen neither creates nor knows of: create_job and update_job refuse a pool that does not exist', async () => {
    if (haveUpstream) {
      const backup = show('pve-manager', 'PVE/API2/Backup.pm');
      for (const name of ['create_job', 'update_job']) expect(between(backup, `name => '${name}'`, '__PACKAGE__->register_method'), name).toMatch(/->check_pool_exist\(\$pool\)/);
    }
    const pooled = (pool: string) => [{ id: 'pooled', guests: { pool } }];
    const found = async (text: string) => (await lint(text)).filter((d) => d.rule === 'backup/job-pool-unknown');
    const unknown = edit(homelab, JOBS, pooled('prod'));
    expect((await found(unknown)).map((d) => [d.severity, d.location.line, d.hint])).toEqual([
      ['warning', lineOfText(unknown, 'pool: prod'), 'Create pool prod (pveum pool add prod) before running backup-jobs.sh.'],
    ]);
    // A vm-provisioning token's pools (access.sh creates them) and a backup token's pool are pools gen knows of.
    const tokens = edit(edit(homelab, ['sites', 0, 'proxmox', 'api_tokens'], [
      { user: 'panel@pve', token: 'whmcs', intent: 'vm-provisioning', pool: 'customers', templates: 'templates', networks: ['management'] },
      { user: 'backup@pve', token: 'vzdump', intent: 'backup', pool: 'prod' },
    ]), JOBS, pooled('customers'));
    expect(await found(tokens)).toEqual([]);
    expect(await found(edit(tokens, JOBS, pooled('templates')))).toEqual([]);
    expect(await found(edit(tokens, JOBS, pooled('prod')))).toEqual([]);
    const typo = edit(tokens, JOBS, pooled('customer'));
    expect((await found(typo)).map((d) => d.hint)).toEqual(['gen knows of pool customers, prod, templates; name one of them, or create pool customer (pveum pool add customer) before running backup-jobs.sh.']);
  });

  it('warns of a site that backs up to the backup server without any job', async () => {
    const none = await lint(edit(homelab, JOBS, undefined));
    expect(none.filter((d) => d.rule === 'backup/no-job').map((d) => [d.severity, d.message])).toEqual([['warning', expect.stringContaining('Proxmox VE backs up nothing to pbs-main')]]);
    expect((await lint(homelab)).filter((d) => d.rule === 'backup/no-job')).toEqual([]);
    expect((await render(edit(homelab, JOBS, undefined))).get('home/pbs/steps.md')).toContain('No Proxmox VE backup job');
  });
});
