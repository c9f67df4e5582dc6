// Backup wiring on the Proxmox side: Proxmox Backup Server's
// S3 endpoint, S3-backed datastore and its prune job, and the Proxmox VE
// storage entry that points at the datastore; where guests.sh gives the
// backup server's VM a disk for the datastore's local cache, the step that
// makes its file system at the cache's path. The commands in pbs/steps.md
// are the only procedure: `datastore create` does more than write
// datastore.cfg (it builds the local cache's chunk store, writes the .in-use
// marker to the bucket, checks atime), so the .cfg files, in Proxmox's
// section-config format ("<type>: <id>" then tab-indented "<key> <value>"
// lines, keys sorted as Proxmox writes them), are a reference of what the
// commands leave behind. Credentials are placeholders.
import type { Aws, KeepOptions, Model, PbsBackup, PveBackupJob } from '../model.js';
import { iamUserIds } from './aws/terraform/iam.js';
import { pveAuthId, pveStorageRole } from './pbs-access.js';
import type { OutputFiles } from './target.js';
import { selectionText } from './backup-jobs.js';
import { datastorePrefix } from '../targets/pbs/s3.js';
import { KEEP_ORDER } from '../targets/proxmox/backup-job.js';

export const ACCESS_KEY_PLACEHOLDER = 'REPLACE-WITH-ACCESS-KEY-ID';
export const SECRET_KEY_PLACEHOLDER = 'REPLACE-WITH-SECRET-ACCESS-KEY';
export const PBS_ADDRESS_PLACEHOLDER = 'REPLACE-WITH-PBS-ADDRESS';

/** Section-config values are the rest of the line: no line break or control character, no space at either end. */
function section(type: string, id: string, properties: [string, string][]): string {
  for (const [, value] of [['', id], ...properties]) {
    if (!/^[^\s\u0000-\u001f\u007f](?:[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f])?$/.test(value!)) throw new Error(`not a section-config value: ${JSON.stringify(value)}`);
  }
  return `${type}: ${id}\n${properties.map(([k, v]) => `\t${k} ${v}\n`).join('')}`;
}

/** PBS's endpoint template: virtual-hosted style, the bucket in the host name. */
export function pbsEndpoint(backup: PbsBackup): string {
  return `{{bucket}}.${backup.endpoint}`;
}

/** The local cache of the S3 datastore. */
export function cachePath(backup: PbsBackup): string {
  return `/mnt/datastore/${backup.datastore}`;
}

/** The prune options that keep something, as `keep-<kind>` and count, in Proxmox's order. */
export function keeps(keep: KeepOptions): [string, number][] {
  return KEEP_ORDER.flatMap((kind) => (keep[kind] === undefined ? [] : [[`keep-${kind}`, keep[kind]!] as [string, number]]));
}

export function s3Cfg(backup: PbsBackup): string {
  return section('s3-endpoint', backup.s3Remote, [
    ['access-key', ACCESS_KEY_PLACEHOLDER],
    ['endpoint', pbsEndpoint(backup)],
    ['region', backup.region],
    ['secret-key', SECRET_KEY_PLACEHOLDER],
  ]);
}

/**
 * The datastore's backend as `datastore create --backend` takes it; PBS keeps the string as given (DataStoreConfig.backend is a String).
 * max-cache-size is a HumanByte: "<n>GiB" is n × 2^30 bytes ("<n>G" would be 10^9).
 */
function backendValue(backup: PbsBackup): string {
  const max = backup.cache.maxSizeGb;
  return `type=s3,client=${backup.s3Remote},bucket=${backup.bucket}${max !== undefined ? `,max-cache-size=${max}GiB` : ''}`;
}

/** The disk gen adds to the backup server's VM for the cache, when it does. */
export interface CacheDisk {
  vm: number;
  key: string;
  gb: number;
}

/** The step that puts the cache on its own disk: PBS's `disk fs create` mounts the new file system at /mnt/datastore/<name>, the cache's path. */
function cacheDiskStep(n: number, backup: PbsBackup, disk: CacheDisk): string {
  const bytes = BigInt(disk.gb) << 30n;
  return [
    `${n}. On the Proxmox Backup Server, the disk of the datastore's local cache: guests.sh gave VM ${disk.vm} a disk of its own for it (${disk.key}, ${disk.gb} GiB), so the cache cannot fill the system disk. Find its name in the list (the disk of size ${bytes} whose \`used\` is \`unused\`, usually sdb) and type it in, on a line of its own; \`disk fs create\` refuses a disk in use, makes an ext4 file system on it and mounts it at ${cachePath(backup)}, at every boot (a systemd mount unit):`,
    '',
    '   ```',
    '   proxmox-backup-manager disk list',
    '   read -r CACHE_DISK',
    `   proxmox-backup-manager disk fs create ${word(backup.datastore)} --disk "\${CACHE_DISK:?the name of the unused ${disk.gb} GiB disk in disk list}" --filesystem ext4`,
    '   ```',
  ].join('\n');
}

/** What the steps say of the cache's place and size. */
function cacheNote(backup: PbsBackup, disk: CacheDisk | undefined): string {
  const path = cachePath(backup);
  const max = backup.cache.maxSizeGb;
  const bound = max !== undefined ? `\`max-cache-size\` keeps it to ${max} GiB.` : `Without \`max-cache-size\` (backup.pbs.cache.max_size_gb) PBS sizes it from the free space of its file system.`;
  if (disk) return `${path} is the local cache of the S3 datastore, on the disk of step 2. ${bound}`;
  return `${path} is the local cache of the S3 datastore. Proxmox recommends a disk, partition or ZFS dataset of its own with 64-128 GiB, not already holding a datastore: mount it at ${path} first (\`proxmox-backup-manager disk fs create ${word(backup.datastore)} --disk <disk>\` does). ${bound}`;
}

export function datastoreCfg(backup: PbsBackup): string {
  return section('datastore', backup.datastore, [
    ['backend', backendValue(backup)],
    ['gc-schedule', backup.gcSchedule],
    ['path', cachePath(backup)],
  ]);
}

/** The prune job has the datastore's name as its id. */
export function pruneCfg(backup: PbsBackup): string {
  const entries: [string, string][] = [...keeps(backup.prune.keep).map(([k, v]) => [k, String(v)] as [string, string]), ['schedule', backup.prune.schedule], ['store', backup.datastore]];
  // Byte order, as PBS writes the keys (a sorted map), not locale order.
  return section('prune', backup.datastore, entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** prune-backups as Proxmox VE writes it: keep-<kind>=N, comma-separated. */
function pruneBackups(keep: KeepOptions): string {
  return keeps(keep)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The numbers of the steps of pbs/steps.md: the cache disk's step comes before the datastore's and moves the ones after it down by one. */
function stepNumbers(disk: CacheDisk | undefined): { store: number; access: number; storage: number } {
  const store = disk ? 3 : 2;
  return { store, access: store + 1, storage: store + 2 };
}

/**
 * Without backup.pbs.fingerprint the entry has no fingerprint line: pve-storage takes only a SHA-256
 * fingerprint there (PBSPlugin.pm, standard option fingerprint-sha256), and its parser drops any other
 * value with a warning. A comment (SectionConfig skips `#` lines) says how the entry gets one.
 */
export function pveStorageCfg(backup: PbsBackup, disk?: CacheDisk): string {
  const note =
    backup.fingerprint === undefined
      ? [
          "# No fingerprint line: the topology has no backup.pbs.fingerprint. Without one, Proxmox VE trusts the backup server's",
          `# certificate only when a CA the node trusts signed it (a new backup server's is self-signed). Step ${stepNumbers(disk).storage} of pbs/steps.md adds`,
          "# the fingerprint 'proxmox-backup-manager cert info' prints on the backup server; or set backup.pbs.fingerprint to it.",
        ]
      : [];
  return `${note.map((line) => `${line}\n`).join('')}${section('pbs', backup.pveStorage, [
    ['datastore', backup.datastore],
    ['server', backup.address ?? PBS_ADDRESS_PLACEHOLDER],
    ['content', 'backup'],
    ...(backup.fingerprint !== undefined ? [['fingerprint', backup.fingerprint] as [string, string]] : []),
    ...(backup.pvePrune ? [['prune-backups', pruneBackups(backup.pvePrune)] as [string, string]] : []),
    ['username', pveAuthId(backup)],
  ])}`;
}

/** A word for a shell command line: values match narrow patterns; anything else is refused, not escaped. Quoted where the shell would read it. */
function word(value: string): string {
  if (!/^[A-Za-z0-9_.@{}/:=,+!*~ -]+$/.test(value)) throw new Error(`not a plain shell word: ${JSON.stringify(value)}`);
  return /[{}!* ~]/.test(value) ? `'${value}'` : value;
}

function accessKeyStep(backup: PbsBackup, aws: Aws | undefined, use: number): string {
  const user = aws?.users.find((u) => u.name === backup.iamUser);
  if (!user) return 'Access key: create one for an IAM user with a backup-writer intent on the bucket (IAM console › Users › Security credentials › Create access key).';
  if (typeof user.accessKey === 'object') {
    // The outputs are named after the user's Terraform identifier, not its IAM name.
    const id = iamUserIds(aws!).get(user.name)!;
    return [
      `Access key: Terraform made it and stored only its secret encrypted to the user's pgp_key. In out/aws/terraform/, where the state and your GPG key are, print its AccessKeyId and SecretAccessKey for step ${use}:`,
      '',
      '   ```',
      `   terraform output -raw ${id}_access_key_id; echo`,
      `   terraform output -raw ${id}_encrypted_secret_access_key | base64 --decode | gpg --decrypt; echo`,
      '   ```',
    ].join('\n');
  }
  return [
    `Access key: Terraform makes none, so its secret never enters Terraform state. Create it once the user exists, and keep the answer only until step ${use}:`,
    '',
    '   ```',
    `   aws iam create-access-key --user-name ${word(user.name)}`,
    '   ```',
    '',
    `   (or IAM console › Users › Security credentials › Create access key). Step ${use} asks for its AccessKeyId and SecretAccessKey.`,
  ].join('\n');
}

/** What a job backs up, in words. */
/** Proxmox VE backs up only through backup jobs (pve-manager PVE/API2/Backup.pm, /cluster/backup): the step that creates them, or says there is none. */
function jobsStep(n: number, backup: PbsBackup, server: number | undefined): string {
  if (!backup.jobs.length) {
    return `${n}. No Proxmox VE backup job: the topology has no backup.pbs.pve_jobs, so Proxmox VE backs up nothing to ${backup.pveStorage} and the prune job and garbage collection run on an empty datastore. Add one (Datacenter › Backup › Add, storage ${backup.pveStorage}), or declare it under backup.pbs.pve_jobs and build again.`;
  }
  const serverNote =
    server !== undefined
      ? ` A job over all guests leaves out VM ${server}, the backup server itself (its backup would go into its own datastore).`
      : ' The topology gives no VM id for the backup server (backup.pbs.vm): if it runs as a guest of this cluster, add its id to the exclude of each job over all guests, or it backs itself up into its own datastore.';
  return [
    `${n}. On a Proxmox VE node, the backup jobs (cluster-wide, /etc/pve/jobs.cfg): run proxmox/backup-jobs.sh. It creates each job, or updates the one with its id; run again, it changes them back to what the topology says.${serverNote}`,
    '',
    '   ```',
    '   bash backup-jobs.sh',
    '   ```',
    '',
    ...backup.jobs.map((job) => `   - ${job.id}: ${selectionText(job)} to ${backup.pveStorage}, schedule \`${job.schedule}\`, mode ${job.mode}${job.enabled ? '' : ' (disabled)'}`),
  ].join('\n');
}

/** The only procedure: commands, in order; the .cfg files are what they leave behind. */
export function backupSteps(site: string, backup: PbsBackup, aws: Aws | undefined, disk?: CacheDisk, server?: number): string {
  const { store, access, storage } = stepNumbers(disk);
  const token = pveAuthId(backup);
  const role = pveStorageRole(backup);
  const pruneJob = [`proxmox-backup-manager prune-job create ${word(backup.datastore)} --store ${word(backup.datastore)} --schedule ${word(backup.prune.schedule)}`, ...keeps(backup.prune.keep).map(([k, v]) => `--${k} ${v}`)].join(' ');
  const pvesm = [
    `pvesm add pbs ${word(backup.pveStorage)} --server ${word(backup.address ?? PBS_ADDRESS_PLACEHOLDER)} --datastore ${word(backup.datastore)}`,
    `--username ${word(token)} --fingerprint ${backup.fingerprint !== undefined ? word(backup.fingerprint) : `"\${PBS_FINGERPRINT:?the fingerprint of step ${access}}"`} --content backup`,
    ...(backup.pvePrune ? [`--prune-backups ${word(pruneBackups(backup.pvePrune))}`] : []),
    '--password',
  ].join(' ');
  return [
    `# Backup wiring of site ${site}: Proxmox Backup Server on S3`,
    '',
    'Run the commands below, in this order: they are the whole procedure. The files beside this one are a',
    '**reference of what the commands leave behind — do not copy them** into /etc: `datastore create` also',
    "builds the chunk store of the local cache, writes the datastore's `.in-use` marker to the bucket and checks",
    'that the cache keeps access times, which a copied datastore.cfg skips (the datastore is then unusable), and',
    'the commands would then fail on ids that already exist.',
    '',
    '| reference file (do not copy) | what the commands leave in |',
    '|---|---|',
    `| pbs/s3.cfg | /etc/proxmox-backup/s3.cfg on the Proxmox Backup Server (the keys are placeholders here) |`,
    `| pbs/datastore.cfg | /etc/proxmox-backup/datastore.cfg |`,
    `| pbs/prune.cfg | /etc/proxmox-backup/prune.cfg |`,
    `| proxmox/storage.cfg | the entry ${backup.pveStorage} of /etc/pve/storage.cfg on the Proxmox VE cluster |`,
    '',
    `pbs/s3-endpoint.sh is a script to run (step ${store}), not a reference file; so are pbs/access.sh (step ${access})${backup.jobs.length ? ` and proxmox/backup-jobs.sh (step ${storage + 1})` : ''}.`,
    '',
    `1. ${accessKeyStep(backup, aws, store)}`,
    ...(disk ? [cacheDiskStep(2, backup, disk)] : []),
    // The key is typed in on the backup server, the machine that uses it, into s3-endpoint.sh: `s3 endpoint create`
    // takes the secret only as an argument, which `ps` shows to every local user (targets/pbs/s3-endpoint-api.ts).
    `${store}. On the Proxmox Backup Server (4.0 or later). First the S3 endpoint: run pbs/s3-endpoint.sh. It asks for the access key of step 1 (the secret is not shown; an empty key stops it) and hands it to the backup server's API in a request body, never on a command line, where \`ps\` would show it to every local user (\`proxmox-backup-manager s3 endpoint create\` takes it there only). It uses curl and openssl (\`apt install curl openssl\` if one is missing). Then a check of the bucket under the datastore's prefix, the datastore with its garbage collection (\`--gc-schedule\`: only garbage collection deletes chunks from the bucket), and its prune job:`,
    '',
    '   ```',
    '   bash s3-endpoint.sh',
    `   proxmox-backup-manager s3 check ${word(backup.s3Remote)} ${word(backup.bucket)} --store-prefix ${word(backup.datastore)}`,
    `   proxmox-backup-manager datastore create ${word(backup.datastore)} ${word(cachePath(backup))} --backend ${word(backendValue(backup))} --gc-schedule ${word(backup.gcSchedule)}`,
    `   ${pruneJob}`,
    '   ```',
    '',
    `   ${cacheNote(backup, disk)} The access key may only touch \`${backup.bucket}/${datastorePrefix(backup.datastore)}\`: \`s3 check\` needs \`--store-prefix\`. An endpoint saved with a wrong key: run s3-endpoint.sh again, it replaces the key of endpoint ${backup.s3Remote}.`,
    `${access}. On the Proxmox Backup Server: run pbs/access.sh. It creates the user and API token Proxmox VE logs in with (${token}) and gives both ${role} on the datastore only (a token has at most its user's rights); the backup server prints the token's secret once, when the token is created: it is the password of the next step. Then read the server's certificate fingerprint:`,
    '',
    '   ```',
    '   bash access.sh',
    '   proxmox-backup-manager cert info | grep Fingerprint',
    '   ```',
    '',
    ...(backup.fingerprint !== undefined
      ? [`${storage}. On a Proxmox VE node, the storage entry:`, '', '   ```']
      : [
          // Read on the node that runs pvesm, like the keys of the datastore's step; an empty one stops the command.
          `${storage}. On a Proxmox VE node, the storage entry. The topology has no fingerprint (backup.pbs.fingerprint): first the one step ${access} printed (the \`XX:XX:…\` after \`Fingerprint (sha256):\`), typed or pasted as a line of its own:`,
          '',
          '   ```',
          '   read -r PBS_FINGERPRINT',
          '   ```',
          '',
          '   Then:',
          '',
          '   ```',
        ]),
    `   ${pvesm}`,
    '   ```',
    '',
    `   \`--password\` asks for the token secret and stores it in /etc/pve/priv/storage/${backup.pveStorage}.pw (mode 0600, readable by root only); it never enters storage.cfg.${backup.pvePrune ? '' : ` Proxmox VE keeps every backup; the prune job of step ${store} decides what goes.`}`,
    '',
    jobsStep(storage + 1, backup, server),
    '',
    ...(backup.address === undefined ? [`The topology gives no address for the backup server (backup.pbs.address): replace ${PBS_ADDRESS_PLACEHOLDER}.`, ''] : []),
  ].join('\n');
}

export function renderBackup(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    const backup = site.backup;
    if (!backup) continue;
    files.set(`${site.name}/pbs/s3.cfg`, s3Cfg(backup));
    files.set(`${site.name}/pbs/datastore.cfg`, datastoreCfg(backup));
    files.set(`${site.name}/pbs/prune.cfg`, pruneCfg(backup));
    const vm = site.guests.find((g) => g.purpose === 'backup-server' && g.dataDisk);
    const disk = vm?.dataDisk ? { vm: vm.id, key: vm.dataDisk.key, gb: vm.dataDisk.gb } : undefined;
    const server = site.guests.find((g) => g.purpose === 'backup-server')?.id;
    files.set(`${site.name}/pbs/steps.md`, backupSteps(site.name, backup, model.aws, disk, server));
    files.set(`${site.name}/proxmox/storage.cfg`, pveStorageCfg(backup, disk));
  }
}
