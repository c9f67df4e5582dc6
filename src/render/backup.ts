// Backup wiring on the Proxmox side (seed 001 §4): the Proxmox Backup Server
// S3 endpoint (s3.cfg) and S3-backed datastore (datastore.cfg), and the
// Proxmox VE storage.cfg entry that points at that datastore. Both files use
// the Proxmox section-config format: "<type>: <id>" then tab-indented
// "<key> <value>" lines. Credentials are placeholders: the access key comes
// from the IAM user, the PBS password goes to /etc/pve/priv/storage/ via pvesm.
import type { Aws, Model, PbsBackup } from '../model.js';
import { pveAuthId } from './pbs-access.js';
import type { OutputFiles } from './target.js';

export const ACCESS_KEY_PLACEHOLDER = 'REPLACE-WITH-ACCESS-KEY-ID';
export const SECRET_KEY_PLACEHOLDER = 'REPLACE-WITH-SECRET-ACCESS-KEY';
export const PBS_ADDRESS_PLACEHOLDER = 'REPLACE-WITH-PBS-ADDRESS';

/** Section-config values are one token per line: names and addresses here already match narrow patterns. */
function section(type: string, id: string, properties: [string, string][]): string {
  for (const [, value] of [['', id], ...properties]) {
    if (!/^[^\s\u0000-\u001f\u007f]+$/.test(value!)) throw new Error(`not a section-config value: ${JSON.stringify(value)}`);
  }
  return `${type}: ${id}\n${properties.map(([k, v]) => `\t${k} ${v}\n`).join('')}`;
}

/** PBS's endpoint template: virtual-hosted style, the bucket in the host name. */
export function pbsEndpoint(backup: PbsBackup): string {
  return `{{bucket}}.${backup.endpoint}`;
}

export function s3Cfg(backup: PbsBackup): string {
  return section('s3-endpoint', backup.s3Remote, [
    ['access-key', ACCESS_KEY_PLACEHOLDER],
    ['endpoint', pbsEndpoint(backup)],
    ['region', backup.region],
    ['secret-key', SECRET_KEY_PLACEHOLDER],
  ]);
}

export function datastoreCfg(backup: PbsBackup): string {
  return section('datastore', backup.datastore, [
    ['backend', `bucket=${backup.bucket},client=${backup.s3Remote},type=s3`],
    // An S3 datastore keeps its local cache here.
    ['path', `/mnt/datastore/${backup.datastore}`],
  ]);
}

export function pveStorageCfg(backup: PbsBackup): string {
  return section('pbs', backup.pveStorage, [
    ['datastore', backup.datastore],
    ['server', backup.address ?? PBS_ADDRESS_PLACEHOLDER],
    ['content', 'backup'],
    ['username', pveAuthId(backup)],
  ]);
}

/** A word for a shell command line: these values match narrow name patterns; anything else is refused, not quoted. */
function word(value: string): string {
  if (!/^[A-Za-z0-9_.@{}/:=,+!-]+$/.test(value)) throw new Error(`not a plain shell word: ${JSON.stringify(value)}`);
  return /[{!]/.test(value) ? `'${value}'` : value;
}

/** How the placeholders are replaced without a secret ever entering a file gen writes. */
export function backupSteps(site: string, backup: PbsBackup, aws: Aws | undefined): string {
  const user = aws?.users.find((u) => u.name === backup.iamUser);
  const keySource = !user
    ? 'create an access key for an IAM user with a backup-writer intent on the bucket (IAM console › Users › Security credentials › Create access key)'
    : user.accessKey
      ? `run \`terraform output -raw ${user.name}_access_key_id\` and \`terraform output -raw ${user.name}_secret_access_key\` in out/aws/terraform/`
      : `create an access key for IAM user \`${user.name}\` in the IAM console (Users › Security credentials › Create access key), or set \`access_key: true\` on the user to get it from Terraform`;
  const cache = `/mnt/datastore/${backup.datastore}`;
  return [
    `# Backup wiring of site ${site}: Proxmox Backup Server on S3`,
    '',
    `| file | goes to |`,
    `|---|---|`,
    `| pbs/s3.cfg | /etc/proxmox-backup/s3.cfg on the Proxmox Backup Server |`,
    `| pbs/datastore.cfg | /etc/proxmox-backup/datastore.cfg on the Proxmox Backup Server |`,
    `| proxmox/storage.cfg | /etc/pve/storage.cfg (the entry ${backup.pveStorage}) on a Proxmox VE node |`,
    `| pbs/access.sh | run on the Proxmox Backup Server: the user and token Proxmox VE logs in with (DatastoreBackup on ${backup.datastore} only) |`,
    '',
    'Secrets are placeholders in these files. Fill them in with commands, never by committing them:',
    '',
    `1. Access key: ${keySource}.`,
    `2. On the Proxmox Backup Server (4.0 or later), with that key:`,
    '',
    '   ```',
    `   proxmox-backup-manager s3 endpoint create ${word(backup.s3Remote)} --endpoint ${word(pbsEndpoint(backup))} --region ${word(backup.region)} --access-key "$ACCESS_KEY_ID" --secret-key "$SECRET_ACCESS_KEY"`,
    `   mkdir -p ${word(cache)}`,
    `   proxmox-backup-manager datastore create ${word(backup.datastore)} ${word(cache)} --backend ${word(`type=s3,client=${backup.s3Remote},bucket=${backup.bucket}`)}`,
    '   ```',
    '',
    `   ${cache} is the local cache of the S3 datastore: put it on a local disk.`,
    `3. On the Proxmox Backup Server: run pbs/access.sh. It creates the user and token Proxmox VE logs in with; the token's secret, printed once, is the storage's password below.`,
    `4. On a Proxmox VE node: add the storage entry, then its password (the token's secret) and the server's certificate fingerprint (from \`proxmox-backup-manager cert info\` on the backup server):`,
    '',
    '   ```',
    `   pvesm add pbs ${word(backup.pveStorage)} --server ${word(backup.address ?? PBS_ADDRESS_PLACEHOLDER)} --datastore ${word(backup.datastore)} --username ${word(pveAuthId(backup))} --content backup --password --fingerprint "$PBS_FINGERPRINT"`,
    '   ```',
    '',
    ...(backup.address === undefined ? [`   The topology gives no address for the backup server (backup.pbs.address): replace ${PBS_ADDRESS_PLACEHOLDER}.`, ''] : []),
  ].join('\n');
}

export function renderBackup(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    const backup = site.backup;
    if (!backup) continue;
    files.set(`${site.name}/pbs/s3.cfg`, s3Cfg(backup));
    files.set(`${site.name}/pbs/datastore.cfg`, datastoreCfg(backup));
    files.set(`${site.name}/pbs/steps.md`, backupSteps(site.name, backup, model.aws));
    files.set(`${site.name}/proxmox/storage.cfg`, pveStorageCfg(backup));
  }
}
