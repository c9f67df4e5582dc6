// Facts of Proxmox VE backup jobs (/cluster/backup, /etc/pve/jobs.cfg) and of
// the keep-* prune options that Proxmox VE and Proxmox Backup Server share.
// backup-jobs.sh sets the job options, the host's verify script reads them
// back, and the topology's schema offers the modes: all from this table.
import type { KeepOptions } from '../../model.js';

/** vzdump's backup modes (pve-guest-common PVE/VZDump/Common.pm, mode: enum), snapshot its default. */
export const BACKUP_MODES = ['snapshot', 'suspend', 'stop'] as const;

/** How the verify script compares a job option: as it stands, as a set of guest ids (in any order), or as a text shown quoted. */
export type JobOptionCompare = 'plain' | 'ids' | 'text';

export interface BackupJobOption {
  /** The option as jobs.cfg and pvesh name it. */
  key: string;
  /** What Proxmox VE takes when the job does not hold the option (pve-guest-common VZDump/Common.pm defaults; enabled, repeat-missed: pve-common Job/Registry.pm; storage: pve-manager PVE/VZDump.pm get_storage_param). */
  absent: string;
  compare: JobOptionCompare;
}

/** The job options gen manages, in the order the verify script's check takes them. */
export const BACKUP_JOB_OPTIONS: readonly BackupJobOption[] = [
  { key: 'storage', absent: 'local', compare: 'plain' },
  { key: 'schedule', absent: '', compare: 'plain' },
  { key: 'mode', absent: BACKUP_MODES[0], compare: 'plain' },
  { key: 'enabled', absent: '1', compare: 'plain' },
  { key: 'all', absent: '0', compare: 'plain' },
  { key: 'exclude', absent: '', compare: 'ids' },
  { key: 'pool', absent: '', compare: 'plain' },
  { key: 'vmid', absent: '', compare: 'ids' },
  { key: 'notes-template', absent: '', compare: 'text' },
  { key: 'repeat-missed', absent: '0', compare: 'plain' },
  { key: 'comment', absent: '', compare: 'text' },
];

/**
 * The keep-* prune options in Proxmox's order: pve-storage PVE/Storage/Plugin.pm $prune_backups_format
 * (prune-backups) and proxmox pbs-api-types src/jobs.rs KeepOptions (a PBS prune job) list them alike.
 */
export const KEEP_ORDER = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const satisfies readonly (keyof KeepOptions)[];
