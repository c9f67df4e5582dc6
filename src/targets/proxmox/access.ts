// Proxmox VE 9's access control: its privileges, its built-in roles and the
// formats of user, token and role ids and ACL paths, transcribed from
// pve-access-control 9.1.1 (src/PVE/AccessControl.pm, src/PVE/Auth/Plugin.pm,
// src/PVE/API2/Role.pm). test/proxmox/upstream-access.test.ts compares them
// with that code.

type Group = { root: string[]; admin: string[]; user: string[]; audit: string[] };

/**
 * AccessControl.pm $privgroups (lines 1054-1180): each category's privileges
 * split into root-only, admin, user and audit. PVE 9 dropped VM.Monitor
 * (commit 0706945, "privileges: drop VM.Monitor") for VM.GuestAgent.*.
 */
const PRIVILEGE_GROUPS: Record<string, Group> = {
  VM: {
    root: [],
    admin: ['VM.Config.Disk', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.HWType', 'VM.Config.Options', 'VM.Allocate', 'VM.Clone', 'VM.GuestAgent.Unrestricted', 'VM.Migrate', 'VM.Replicate', 'VM.Snapshot', 'VM.Snapshot.Rollback'],
    user: ['VM.Config.CDROM', 'VM.Config.Cloudinit', 'VM.Console', 'VM.Backup', 'VM.GuestAgent.FileRead', 'VM.GuestAgent.FileSystemMgmt', 'VM.GuestAgent.FileWrite', 'VM.PowerMgmt'],
    audit: ['VM.Audit', 'VM.GuestAgent.Audit'],
  },
  Sys: { root: ['Sys.PowerMgmt', 'Sys.Modify', 'Sys.Incoming', 'Sys.AccessNetwork'], admin: ['Sys.Console', 'Sys.Syslog'], user: [], audit: ['Sys.Audit'] },
  Datastore: { root: [], admin: ['Datastore.Allocate', 'Datastore.AllocateTemplate'], user: ['Datastore.AllocateSpace'], audit: ['Datastore.Audit'] },
  SDN: { root: [], admin: ['SDN.Allocate', 'SDN.Audit'], user: ['SDN.Use'], audit: ['SDN.Audit'] },
  User: { root: ['Realm.Allocate'], admin: ['User.Modify', 'Group.Allocate', 'Realm.AllocateUser'], user: [], audit: [] },
  Pool: { root: [], admin: ['Pool.Allocate'], user: ['Pool.Audit'], audit: ['Pool.Audit'] },
  Mapping: { root: [], admin: ['Mapping.Modify'], user: ['Mapping.Use'], audit: ['Mapping.Audit'] },
};

/** Every privilege PVE 9 knows ($valid_privs: the groups plus Permissions.Modify), sorted. */
export const PRIVILEGES: readonly string[] = [
  ...new Set(['Permissions.Modify', ...Object.values(PRIVILEGE_GROUPS).flatMap((g) => [...g.root, ...g.admin, ...g.user, ...g.audit])]),
].sort();

const PRIVILEGE_SET = new Set(PRIVILEGES);

export function isPrivilege(name: string): boolean {
  return PRIVILEGE_SET.has(name);
}

/** Privileges of older releases that PVE 9 refuses, with what replaced them. */
export const REMOVED_PRIVILEGES: Readonly<Record<string, string>> = {
  'VM.Monitor': 'PVE 9 removed VM.Monitor; guest agent access is VM.GuestAgent.Audit, .FileRead, .FileWrite, .FileSystemMgmt or .Unrestricted',
  'Permissions.Modify.All': 'not a privilege: Permissions.Modify',
};

/** The built-in roles, built the way create_roles (AccessControl.pm:1200-1236) builds them. */
function builtinRoles(): Map<string, string[]> {
  const roles = new Map<string, Set<string>>([
    ['NoAccess', new Set()],
    ['Administrator', new Set(PRIVILEGES)],
  ]);
  const add = (role: string, privs: readonly string[]) => {
    if (!roles.has(role)) roles.set(role, new Set());
    for (const p of privs) roles.get(role)!.add(p);
  };
  for (const [category, group] of Object.entries(PRIVILEGE_GROUPS)) {
    add(`PVE${category}Admin`, [...group.admin, ...group.user, ...group.audit]);
    add('PVEAdmin', [...group.admin, ...group.user, ...group.audit]);
    if (group.user.length) add(`PVE${category}User`, [...group.user, ...group.audit]);
    add('PVEAuditor', group.audit);
  }
  // Only Administrator, root@pam and PVEMappingAdmin may modify mappings.
  roles.get('PVEAdmin')!.delete('Mapping.Modify');
  roles.set('PVETemplateUser', new Set(['VM.Clone', 'VM.Audit']));
  return new Map([...roles].map(([name, privs]) => [name, [...privs].sort()]));
}

/** Built-in role → its privileges, sorted. */
export const BUILTIN_ROLES: ReadonlyMap<string, readonly string[]> = builtinRoles();

/** Built-in roles that administer something: on `/` they reach every guest, storage and node. */
export function isAdminRole(role: string): boolean {
  return role === 'Administrator' || (BUILTIN_ROLES.has(role) && /Admin$/.test(role));
}

/** The API refuses custom role ids in the PVE namespace (API2/Role.pm create_role, line 96). */
export function isReservedRoleName(name: string): boolean {
  return /^PVE/i.test(name);
}

/** verify_rolename (AccessControl.pm:1338). */
export function verifyRoleId(value: string): string | undefined {
  return /^[A-Za-z0-9.\-_]+$/.test(value) ? undefined : `role name '${value}' contains invalid characters`;
}

/** Auth/Plugin.pm: realm_regex and user_regex. */
const REALM = '[A-Za-z][A-Za-z0-9.\\-_]+';
const USER = '[^\\s:/]+';

/** verify_username (Auth/Plugin.pm:121-147): user@realm, 3 to 64 characters. */
export function verifyUserId(value: string): string | undefined {
  if (value.length < 3) return `user name '${value}' is too short`;
  if (value.length > 64) return `user name '${value}' is too long (${value.length} > 64)`;
  return new RegExp(`^(${USER})@(${REALM})$`).test(value) ? undefined : `value '${value}' does not look like a valid user name`;
}

/** The token part of a token id: the realm pattern (AccessControl.pm $token_subid_regex). */
export function verifyTokenName(value: string): string | undefined {
  return new RegExp(`^${REALM}$`).test(value) ? undefined : `'${value}' is not a valid token name (a letter, then letters, digits, '.', '-', '_')`;
}

/** pve-tokenid: user@realm!token (AccessControl.pm $token_full_regex, pve_verify_tokenid at 312). */
export function verifyTokenId(value: string): string | undefined {
  return new RegExp(`^((${USER})@(${REALM}))!(${REALM})$`).test(value) ? undefined : `value '${value}' does not look like a valid token ID`;
}

/** pve-priv-list: privileges separated by ',', ';' or white space (JSONSchema.pm "-list" formats, PVE::Tools::split_list). */
export function verifyPrivilegeList(value: string): string | undefined {
  const bad = value.split(/[;,\0\s]+/).filter((p) => p !== '' && !isPrivilege(p));
  return bad.length ? `invalid privilege '${bad[0]}'` : undefined;
}

/** normalize_path then check_path (AccessControl.pm:1262-1318): the ACL paths Proxmox accepts. */
export function isAclPath(value: string): boolean {
  let path = value.replace(/\/+/g, '/').replace(/\/$/, '') || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  if (!/^[A-Za-z0-9.\-_/]+$/.test(path)) return false;
  const id = '[A-Za-z0-9.\\-_]+';
  const alnum = '[A-Za-z0-9]+';
  const forms = [
    '/', '/access', '/access/groups', `/access/groups/${id}`, '/access/realm', `/access/realm/${id}`,
    '/nodes', `/nodes/${id}`, '/pool', `/pool/${id}(?:/${id}){0,2}`,
    '/sdn', '/sdn/controllers', '/sdn/controllers/[A-Za-z0-9_\\-]+', '/sdn/dns', `/sdn/dns/${alnum}`,
    '/sdn/fabrics', `/sdn/fabrics/${alnum}`, '/sdn/ipams', `/sdn/ipams/${alnum}`, '/sdn/prefix-lists', `/sdn/prefix-lists/${alnum}`,
    '/sdn/route-maps', `/sdn/route-maps/${alnum}`, '/sdn/zones', `/sdn/zones/${id}`, `/sdn/zones/${id}/${id}`, `/sdn/zones/${id}/${id}/[1-9][0-9]{0,3}`,
    '/storage', `/storage/${id}`, '/vms', '/vms/[1-9][0-9]{2,}', '/mapping', `/mapping/${id}`, `/mapping/${id}/${id}`,
  ];
  return new RegExp(`^(?:${forms.join('|')})$`).test(path);
}

/** verify_poolname (AccessControl.pm:1354-1370). */
export function verifyPoolId(value: string): string | undefined {
  return /^[A-Za-z0-9.\-_]+(?:\/[A-Za-z0-9.\-_]+){0,2}$/.test(value) ? undefined : `pool name '${value}' contains invalid characters`;
}

/** The SDN path a bridge (and VLAN tag) is checked on: plain Linux bridges are zone "localnetwork" (pve-guest-common GuestHelpers.pm check_vnet_access, 397-421). */
export const SDN_PREFIX = '/sdn/zones/localnetwork/';

export function bridgeAclPath(bridge: string, tag?: number): string {
  return `${SDN_PREFIX}${bridge}${tag !== undefined ? `/${tag}` : ''}`;
}
