// Proxmox VE backs up only through backup jobs (pve-manager
// PVE/API2/Backup.pm: /cluster/backup, /etc/pve/jobs.cfg `vzdump:` sections;
// PVE/Jobs/VZDump.pm runs them). A storage entry alone backs up nothing.
import type { Rule } from './rule.js';

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
];
