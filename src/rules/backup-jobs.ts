// Proxmox VE backs up only through backup jobs (pve-manager
// PVE/API2/Backup.pm: /cluster/backup, /etc/pve/jobs.cfg `vzdump:` sections;
// PVE/Jobs/VZDump.pm runs them). A storage entry alone backs up nothing.
import type { Site } from '../model.js';
import type { Rule } from './rule.js';

/** The pools gen creates (a vm-provisioning token's) and those its tokens' ACLs name (a backup token's pool). */
function knownPools(site: Site): string[] {
  const pools = new Set(site.pools);
  for (const token of site.apiTokens) for (const grant of token.grants) if (grant.path.startsWith('/pool/')) pools.add(grant.path.slice('/pool/'.length));
  return [...pools].sort();
}

export const backupJobRules: Rule[] = [
  {
    id: 'backup/no-job',
    severity: 'warning',
    summary: 'The site backs up to Proxmox Backup Server, but no Proxmox VE backup job writes to it.',
    why: "Proxmox VE makes backups only when a backup job runs (Datacenter › Backup, /etc/pve/jobs.cfg). The storage entry, the datastore, its prune job and its garbage collection alone back up nothing: the datastore stays empty until someone adds a job by hand, and nothing in the topology says that one is missing.",
    hint: 'Declare the jobs under backup.pbs.pve_jobs, e.g. pve_jobs: [{ id: nightly, schedule: "21:00" }] (all guests but the backup server, mode snapshot); proxmox/backup-jobs.sh creates them.',
    examples: [
      {
        where: 'sites[].backup.pbs',
        bad: 'pve_jobs: []',
        good: 'pve_jobs: [{ id: nightly, schedule: "21:00" }]',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const backup = site.backup;
        if (!backup || backup.jobs.length) continue;
        report({ path: backup.path, key: true, message: `Proxmox VE backs up nothing to ${backup.pveStorage}: backup.pbs has no pve_jobs, and Proxmox VE backs up only through backup jobs` });
      }
    },
  },
  {
    id: 'backup/job-pool-unknown',
    severity: 'warning',
    summary: 'A Proxmox VE backup job backs up a pool that gen neither creates nor names anywhere else.',
    why: "Proxmox VE refuses a backup job over a pool that does not exist (pve-manager PVE/API2/Backup.pm create_job and update_job call check_pool_exist: \"pool 'NAME' does not exist\"), so backup-jobs.sh stops at that job. gen creates only the pools of vm-provisioning tokens (proxmox/access.sh); a pool it does not know of is a typo or one to create by hand first.",
    hint: 'Name a pool gen knows (a vm-provisioning token\'s pool or templates, a backup token\'s pool), or create it (`pveum pool add NAME`) before running backup-jobs.sh.',
    examples: [
      {
        context: [{ where: 'sites[].proxmox', snippet: 'api_tokens: [{ user: backup@pve, token: vzdump, intent: backup, pool: production }]' }],
        where: 'sites[].backup.pbs.pve_jobs[+]',
        bad: '{ id: production, guests: { pool: prod } }',
        good: '{ id: production, guests: { pool: production } }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const jobs = (site.backup?.jobs ?? []).filter((job) => job.selection.kind === 'pool');
        const known = jobs.length ? knownPools(site) : [];
        for (const job of jobs) {
          if (job.selection.kind !== 'pool') continue;
          if (known.includes(job.selection.pool)) continue;
          report({
            path: job.path.concat('guests', 'pool'),
            message: `backup job ${job.id} backs up pool ${job.selection.pool}, which gen neither creates nor knows of: Proxmox VE refuses a job over a pool that does not exist, and backup-jobs.sh stops there`,
            hint: `${known.length ? `gen knows of pool ${known.join(', ')}; name one of them, or create` : 'Create'} pool ${job.selection.pool} (pveum pool add ${job.selection.pool}) before running backup-jobs.sh.`,
          });
        }
      }
    },
  },
];
