// Where the local cache of the S3 datastore lives. PBS sizes the cache from
// the free space of the file system at its path (proxmox-backup 4.2
// pbs-datastore/src/datastore.rs: free space / 16 MiB, capped by the
// backend's max-cache-size), and Proxmox recommends a disk, partition or ZFS
// dataset of its own (docs/storage.rst): on the VM's root disk the cache
// grows until the operating system has no room left.
import type { Guest, PbsBackup } from '../model.js';
import type { Rule } from './rule.js';

/** The backup server's VM gen knows, if any. */
function pbsVm(guests: readonly Guest[]): Guest | undefined {
  return guests.find((g) => g.purpose === 'backup-server');
}

function rootDiskMessage(backup: PbsBackup, vm: Guest): string | undefined {
  const max = backup.cache.maxSizeGb;
  const where = `the local cache of datastore ${backup.datastore} (/mnt/datastore/${backup.datastore}) is on the root disk of VM ${vm.id}`;
  if (max === undefined) return `${where}, and without max-cache-size PBS sizes it from that disk's free space: the cache can fill the disk of the operating system`;
  if (vm.diskGb !== undefined && max >= vm.diskGb) return `${where}, and its max-cache-size of ${max} GiB is no less than the whole ${vm.diskGb} GiB disk: the cache can still fill it`;
  return undefined;
}

export const backupCacheRules: Rule[] = [
  {
    id: 'backup/cache-on-root-disk',
    severity: 'warning',
    summary: "The S3 datastore's local cache would sit on the backup server VM's root disk without a bound below its size.",
    why: 'Without max-cache-size, Proxmox Backup Server sizes the cache of an S3 datastore from the free space of the file system it is on. On the root disk of the VM the cache grows until the operating system has no room left (logs, the configuration, package upgrades fail). Proxmox recommends a disk, partition or ZFS dataset of its own, 64-128 GiB.',
    hint: 'Give the cache a disk of its own: cache: { disk_gb: 100 } under backup.pbs (the VM needs create: true); or bound it with cache.max_size_gb well below the root disk.',
    examples: [
      {
        where: 'sites[].backup.pbs',
        bad: 'cache: { max_size_gb: 64 }',
        good: 'cache: { disk_gb: 100, max_size_gb: 64 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const backup = site.backup;
        const vm = pbsVm(site.guests);
        if (!backup || !vm || backup.cache.diskGb !== undefined) continue;
        const message = rootDiskMessage(backup, vm);
        const bounded = backup.cache.maxSizeGb !== undefined;
        if (message) report({ path: bounded ? backup.path.concat('cache', 'max_size_gb') : vm.path, key: !bounded, message });
      }
    },
  },
  {
    id: 'backup/cache-disk-vm',
    severity: 'error',
    summary: 'backup.pbs.cache.disk_gb without a backup server VM that gen creates.',
    why: 'guests.sh adds the cache disk as the second disk (scsi1) of the VM the topology creates (backup.pbs.vm with create: true), where it knows scsi1 is its own. On a VM it did not create, scsi1 may be a disk holding something else.',
    hint: 'Set create: true on backup.pbs.vm (with its id and disk_gb), or leave disk_gb out and mount a disk of your own at /mnt/datastore/<datastore> before the datastore is created.',
    examples: [
      {
        where: 'sites[].backup.pbs',
        bad: 'vm: { id: 103, cores: 2, memory_mb: 4096, disk_gb: 50, onboot: true }',
        good: 'vm: { id: 103, cores: 2, memory_mb: 4096, disk_gb: 50, onboot: true, create: true }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const backup = site.backup;
        if (!backup || backup.cache.diskGb === undefined) continue;
        const vm = pbsVm(site.guests);
        if (vm?.create) continue;
        report({
          path: backup.path.concat('cache', 'disk_gb'),
          key: true,
          message: vm ? `cache.disk_gb: guests.sh adds the cache disk only to a VM it creates, and VM ${vm.id} has no create: true` : 'cache.disk_gb: guests.sh adds the cache disk to the backup server VM it creates, and backup.pbs has no vm with an id',
        });
      }
    },
  },
];
