// Proxmox Backup Server 4 access for the Proxmox VE storage: the ids PBS
// accepts (proxmox-auth-api src/types.rs, proxmox-schema SAFE_ID_REGEX_STR)
// and the role that lets PVE back up and restore without pruning
// (pbs-api-types src/acl.rs ROLE_DATASTORE_BACKUP = Datastore.Backup).
// A token's privileges are its own ACL entries intersected with its user's
// (proxmox-backup pbs-config/src/cached_user_info.rs), so both get the role.

/** DatastoreBackup: backup, and restore of the groups it owns; no prune, no removal. */
export const PVE_STORAGE_ROLE = 'DatastoreBackup';

/** DatastorePowerUser adds Datastore.Prune, which prune-backups on the Proxmox VE side needs. */
export const PVE_PRUNING_STORAGE_ROLE = 'DatastorePowerUser';

/** proxmox-schema SAFE_ID_REGEX_STR (src/api_types.rs): the ids of datastores, S3 endpoints, jobs, realms and token names. */
export const PBS_SAFE_ID = '[A-Za-z0-9_][A-Za-z0-9._\\-]*';

/** user@realm: a name without white space, ':', '/' or control characters, 3 to 64 characters; realm 2 to 32. */
export function verifyPbsUserId(value: string): string | undefined {
  const match = new RegExp(`^([^\\s:/\\u0000-\\u001f\\u007f]+)@(${PBS_SAFE_ID})$`).exec(value);
  if (!match || value.length < 3 || value.length > 64 || match[2]!.length < 2 || match[2]!.length > 32) return `'${value}' is not a Proxmox Backup Server user id`;
  return undefined;
}

/** A token name: a safe id of 3 to 64 characters (PROXMOX_TOKEN_NAME_SCHEMA). */
export function verifyPbsTokenName(value: string): string | undefined {
  return new RegExp(`^${PBS_SAFE_ID}$`).test(value) && value.length >= 3 && value.length <= 64 ? undefined : `'${value}' is not a Proxmox Backup Server token name`;
}

/** user@realm!token, as `acl update --auth-id` takes it: at most 64 characters (proxmox-auth-api Authid::API_SCHEMA). */
export const PBS_AUTH_ID_MAX = 64;

/** A datastore name: a safe id of 3 to 32 characters (pbs-api-types DATASTORE_SCHEMA). */
export function verifyDatastoreName(value: string): string | undefined {
  return new RegExp(`^${PBS_SAFE_ID}$`).test(value) && value.length >= 3 && value.length <= 32 ? undefined : `'${value}' is not a datastore name`;
}
