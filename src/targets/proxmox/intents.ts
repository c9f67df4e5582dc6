// Least privilege for Proxmox VE API tokens, the way src/targets/aws/iam.ts
// does it for AWS: a token declares what it is for, and the intent expands to
// the ACL entries that purpose needs, each on the narrowest path and with the
// privileges the API endpoints involved check there. Sources are
// qemu-server 9.2.6 (src/PVE/API2/Qemu.pm), pve-guest-common
// (src/PVE/GuestHelpers.pm), pve-manager (PVE/API2/*.pm) at the commits in
// docs/proxmox.md.
import { bridgeAclPath } from './access.js';

export type Intent = 'vm-provisioning' | 'backup' | 'monitoring';

export const INTENTS: readonly Intent[] = ['vm-provisioning', 'backup', 'monitoring'];

/** A role gen defines: its id never starts with "PVE" (API2/Role.pm refuses that). */
export interface IntentRole {
  name: string;
  privileges: readonly string[];
}

/**
 * On the pool of the VMs a billing panel creates and manages (pool ACLs
 * reach every member VM: RPCEnvironment.pm compile_acl_path, "poolroles").
 * - VM.Allocate: create_vm and clone_vm with `pool` check it on /pool/<pool>
 *   (API2/Qemu.pm:1309-1311, 4343-4347); destroy_vm on /vms/<id> (2785).
 * - VM.Config.CPU, .Memory, .HWType, .Options, .Network, .Cloudinit, .Disk,
 *   .CDROM: update_vm per option group ($check_vm_modify_config_perm,
 *   API2/Qemu.pm:995-1050, groups 789-862); resize_vm needs .Disk (5939).
 * - VM.PowerMgmt: vm_start, vm_stop, vm_shutdown, vm_reboot (3494, 3682, 3857, 3973).
 * - VM.Audit: vm_config, vm_status (1787, 3426).
 * - VM.Console: vncproxy, termproxy (2940, 3155), the customer's console.
 * - VM.GuestAgent.Audit: the guest agent's network-get-interfaces and info
 *   (API2/Qemu/Agent.pm), how a panel learns a VM's addresses.
 * Not granted: VM.Clone (only on templates), VM.Migrate, VM.Snapshot,
 * VM.Backup, the other VM.GuestAgent privileges, every Sys privilege.
 */
export const VM_PROVISIONING_ROLE: IntentRole = {
  name: 'GenVmProvisioning',
  privileges: [
    'VM.Allocate', 'VM.Audit', 'VM.Config.CDROM', 'VM.Config.CPU', 'VM.Config.Cloudinit', 'VM.Config.Disk',
    'VM.Config.HWType', 'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.Options', 'VM.Console',
    'VM.GuestAgent.Audit', 'VM.PowerMgmt',
  ],
};

/**
 * On the guests a backup tool backs up: VM.Backup is what vzdump checks on
 * each guest (pve-manager PVE/VZDump.pm:1418, described at
 * PVE/API2/VZDump.pm:43); VM.Audit lists them (cluster resources,
 * PVE/API2/Cluster.pm:588). The backup storage gets PVEDatastoreUser
 * (Datastore.AllocateSpace, checked at PVE/API2/VZDump.pm:126, and
 * Datastore.Audit).
 * Not granted: Datastore.Allocate (only for a prune-backups parameter: prune
 * on the Proxmox Backup Server) and Sys.Modify (bwlimit, ionice, stop mode).
 */
export const BACKUP_ROLE: IntentRole = { name: 'GenBackup', privileges: ['VM.Audit', 'VM.Backup'] };

/**
 * Read-only monitoring on `/`: the audit privileges GET /cluster/resources
 * checks per entry (PVE/API2/Cluster.pm: Pool.Audit 538, VM.Audit 588,
 * Sys.Audit 622, Datastore.Audit 647, SDN.Audit 673), which is what
 * exporters read. Not granted: VM.GuestAgent.Audit (it runs commands in
 * guests) and Mapping.Audit.
 */
export const MONITORING_ROLE: IntentRole = { name: 'GenMonitoring', privileges: ['Datastore.Audit', 'Pool.Audit', 'SDN.Audit', 'Sys.Audit', 'VM.Audit'] };

export const INTENT_ROLES: readonly IntentRole[] = [VM_PROVISIONING_ROLE, BACKUP_ROLE, MONITORING_ROLE];

/** One ACL entry: a role (built-in or gen's) on a path. */
export interface Grant {
  path: string;
  role: string;
  /** Why this path: one line for the generated script. */
  reason: string;
}

export interface IntentScope {
  /** vm-provisioning: the pool its VMs live in; backup: the pool it backs up (all guests when absent). */
  pool?: string;
  /** vm-provisioning: the pool of the templates it clones. */
  templates?: string;
  /** vm-provisioning: storages for new disks; backup: the backup storage. */
  storages: readonly string[];
  /** vm-provisioning: the bridges (with VLAN tag) its VMs' NICs use. */
  bridges: readonly { bridge: string; tag?: number }[];
}

/** The ACL entries an intent needs, each path and role once. */
export function intentGrants(intent: Intent, scope: IntentScope): Grant[] {
  const seen = new Set<string>();
  return grantsOf(intent, scope).filter((g) => !seen.has(`${g.path} ${g.role}`) && seen.add(`${g.path} ${g.role}`));
}

function grantsOf(intent: Intent, scope: IntentScope): Grant[] {
  switch (intent) {
    case 'vm-provisioning':
      return [
        { path: `/pool/${scope.pool}`, role: VM_PROVISIONING_ROLE.name, reason: 'the VMs it creates and manages' },
        // clone_vm checks VM.Clone on the source (API2/Qemu.pm:4342); PVETemplateUser is exactly VM.Clone and VM.Audit.
        { path: `/pool/${scope.templates}`, role: 'PVETemplateUser', reason: 'the templates it clones' },
        // New disks: Datastore.AllocateSpace on the target storage (API2/Qemu.pm $check_storage_access_clone, 282-325).
        ...scope.storages.map((s) => ({ path: `/storage/${s}`, role: 'PVEDatastoreUser', reason: 'storage for new disks' })),
        // Every NIC: SDN.Use on the bridge, or on bridge/tag for a tagged NIC (GuestHelpers.pm check_vnet_access).
        ...scope.bridges.map((b) => ({ path: bridgeAclPath(b.bridge, b.tag), role: 'PVESDNUser', reason: `NICs on ${b.bridge}${b.tag !== undefined ? ` VLAN ${b.tag}` : ''}` })),
      ];
    case 'backup':
      return [
        { path: scope.pool !== undefined ? `/pool/${scope.pool}` : '/vms', role: BACKUP_ROLE.name, reason: 'the guests it backs up' },
        ...scope.storages.map((s) => ({ path: `/storage/${s}`, role: 'PVEDatastoreUser', reason: 'the backup storage' })),
      ];
    case 'monitoring':
      return [{ path: '/', role: MONITORING_ROLE.name, reason: 'read-only status of everything' }];
  }
}

/** The intent that replaces a broad built-in role, when one fits. */
export function replacingIntent(role: string): Intent | undefined {
  if (role === 'Administrator' || role === 'PVEAdmin' || role === 'PVEVMAdmin') return 'vm-provisioning';
  if (role === 'PVEDatastoreAdmin') return 'backup';
  if (role === 'PVESysAdmin') return 'monitoring';
  return undefined;
}
