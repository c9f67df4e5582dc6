// API tokens compiled to pveum commands: scenario B's WHMCS token with a
// least-privilege role, the access checks, and access.sh run on a node
// (fake-pve.pl): it creates what is missing, prints a token's secret once to
// the terminal and keeps it nowhere, changes nothing the second time, and
// reports ACL entries the topology no longer has instead of deleting them.
import { afterEach, describe, expect, it } from 'vitest';
import { VM_PROVISIONING_ROLE } from '../../src/targets/proxmox/intents.js';
import { edit, lint, modelOf, readExample, render } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { FakeNode } from './fake-node.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

const homelab = readExample('homelab');
const hosting = readExample('vlan-hosting');
const tokens = ['sites', 0, 'proxmox', 'api_tokens'];
const WHMCS = 'whmcs-api@pve!whmcs_token';

async function findings(text: string, rule: string) {
  return (await lint(text)).filter((d) => d.rule === rule).map((d) => ({ severity: d.severity, message: d.message, line: d.location.line }));
}

/** Scenario B's token as written by hand: PVEAdmin on /. */
const seedToken = edit(edit(edit(edit(edit(edit(hosting, [...tokens, 0, 'intent'], undefined), [...tokens, 0, 'pool'], undefined), [...tokens, 0, 'templates'], undefined), [...tokens, 0, 'networks'], undefined), [...tokens, 0, 'role'], 'PVEAdmin'), [...tokens, 0, 'path'], '/');

/** `acl PATH ROLE TYPE ID` lines of access.sh. */
function acls(script: string): string[] {
  return [...script.matchAll(/^acl '([^']+)' '([^']+)' (user|token) '([^']+)'/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);
}

describe('scenario B: the WHMCS token', async () => {
  const script = (await render(hosting)).get('hosting/proxmox/access.sh')!;

  it('gets a custom role with exactly the privileges a billing panel needs', () => {
    expect(script).toContain(`role 'GenVmProvisioning' '${[...VM_PROVISIONING_ROLE.privileges].sort().join(',')}'`);
    expect(VM_PROVISIONING_ROLE.privileges).toHaveLength(13);
    expect(script).not.toMatch(/PVEAdmin|Administrator|PVEVMAdmin/);
  });

  it('gets each role on the narrowest path, for the user and the privilege-separated token', () => {
    const paths = ['/pool/customers GenVmProvisioning', '/pool/templates PVETemplateUser', '/storage/local-lvm PVEDatastoreUser', '/sdn/zones/localnetwork/vmbr2/30 PVESDNUser'];
    expect(acls(script)).toEqual(paths.flatMap((p) => [`${p} user whmcs-api@pve`, `${p} token ${WHMCS}`]));
    expect(script).toContain(`token 'whmcs-api@pve' 'whmcs_token' 1 'WHMCS provisioning'`);
    expect(script).toContain(`pool 'customers'`);
  });

  it('is built from what the topology says: the VPS network is VLAN 30 on vmbr2', async () => {
    const model = await modelOf(edit(hosting, [...tokens, 0, 'networks'], ['vpssvc', 'lan']));
    expect(model.sites[0]!.apiTokens[0]!.grants.filter((g) => g.role === 'PVESDNUser').map((g) => g.path)).toEqual(['/sdn/zones/localnetwork/vmbr2/30', '/sdn/zones/localnetwork/vmbr2']);
  });

  it('gives a token without privilege separation no ACL of its own (it has its user\'s privileges)', async () => {
    const text = edit(hosting, [...tokens, 0, 'privilege_separation'], false);
    const s = (await render(text)).get('hosting/proxmox/access.sh')!;
    expect(acls(s).every((a) => a.includes(' user whmcs-api@pve'))).toBe(true);
    expect(s).toContain(`token 'whmcs-api@pve' 'whmcs_token' 0 `);
  });
});

describe('proxmox/broad-token-role', () => {
  it("warns on a PVEAdmin on /, naming the intent that replaces it", async () => {
    expect(await findings(seedToken, 'proxmox/broad-token-role')).toEqual([
      {
        severity: 'warning',
        message: `token ${WHMCS}: role PVEAdmin on / grants 40 privileges on every guest, storage and node; intent: vm-provisioning grants what that purpose needs, on the narrowest paths`,
        line: lineOf(seedToken, [...tokens, 0, 'role']),
      },
    ]);
  });

  it('is silenced by a gen-ignore comment with a reason, and only with one', async () => {
    const silenced = seedToken.replace('          role: PVEAdmin', '          # gen-ignore proxmox/broad-token-role: a lab host with nothing else on it\n          role: PVEAdmin');
    expect(await lint(silenced)).toEqual([]);
    const noReason = seedToken.replace('          role: PVEAdmin', '          # gen-ignore proxmox/broad-token-role\n          role: PVEAdmin');
    expect((await lint(noReason)).map((d) => d.rule).sort()).toEqual(['proxmox/broad-token-role', 'suppress/missing-reason']);
  });

  it('passes narrow roles and admin roles on narrow paths', async () => {
    expect(await findings(edit(seedToken, [...tokens, 0, 'role'], 'PVEAuditor'), 'proxmox/broad-token-role')).toEqual([]);
    expect(await findings(edit(seedToken, [...tokens, 0, 'path'], '/pool/customers'), 'proxmox/broad-token-role')).toEqual([]);
    expect(await findings(hosting, 'proxmox/broad-token-role')).toEqual([]);
  });
});

describe('roles and paths', () => {
  const roles = ['sites', 0, 'proxmox', 'roles'];

  it('proxmox/unknown-role: a role neither built in nor defined', async () => {
    const text = edit(seedToken, [...tokens, 0, 'role'], 'VmOperator');
    expect((await findings(text, 'proxmox/unknown-role')).map((f) => f.message)).toEqual([`token ${WHMCS}: role VmOperator is not built in and not defined under proxmox.roles`]);
    const defined = edit(text, roles, [{ name: 'VmOperator', privileges: ['VM.Audit', 'VM.PowerMgmt'] }]);
    expect(await findings(defined, 'proxmox/unknown-role')).toEqual([]);
    const s = (await render(defined)).get('hosting/proxmox/access.sh')!;
    expect(s).toContain(`role 'VmOperator' 'VM.Audit,VM.PowerMgmt'`);
  });

  it('proxmox/role-name: ids in the PVE namespace, built-in ones and gen\'s own', async () => {
    const text = edit(hosting, roles, [{ name: 'pveOperator', privileges: ['VM.Audit'] }, { name: 'NoAccess', privileges: ['VM.Audit'] }, { name: 'GenVmProvisioning', privileges: ['VM.Audit'] }]);
    expect((await findings(text, 'proxmox/role-name')).map((f) => f.message)).toEqual([
      'role pveOperator: Proxmox refuses role ids starting with "PVE"',
      'role NoAccess is a built-in role',
      'role GenVmProvisioning is the role gen defines for an intent',
    ]);
  });

  it('proxmox/unknown-privilege: VM.Monitor, which PVE 9 removed, at its line', async () => {
    const text = edit(hosting, roles, [{ name: 'Watch', privileges: ['VM.Audit', 'VM.Monitor'] }]);
    expect(await findings(text, 'proxmox/unknown-privilege')).toEqual([
      {
        severity: 'error',
        message: 'role Watch: VM.Monitor is not a Proxmox VE 9 privilege (PVE 9 removed VM.Monitor; guest agent access is VM.GuestAgent.Audit, .FileRead, .FileWrite, .FileSystemMgmt or .Unrestricted)',
        line: lineOf(text, [...roles, 0, 'privileges', 1]),
      },
    ]);
  });

  it('proxmox/acl-path: a path Proxmox does not accept', async () => {
    const text = edit(seedToken, [...tokens, 0, 'path'], '/vms/99');
    expect((await findings(text, 'proxmox/acl-path')).map((f) => f.message)).toEqual([`token ${WHMCS}: Proxmox does not accept the ACL path /vms/99`]);
  });
});

describe('proxmox/token-definition', () => {
  it('needs an intent or a role', async () => {
    const text = edit(seedToken, [...tokens, 0, 'role'], undefined);
    expect((await findings(text, 'proxmox/token-definition')).map((f) => f.message)).toEqual([`token ${WHMCS} needs an intent (vm-provisioning, backup, monitoring) or a role`]);
  });

  it("needs what vm-provisioning needs, and nothing an intent does not use", async () => {
    const missing = edit(hosting, [...tokens, 0, 'templates'], undefined);
    expect((await findings(missing, 'proxmox/token-definition')).map((f) => f.message)).toEqual([
      'intent vm-provisioning needs templates: the pool its VMs live in, the pool of the templates it clones, the networks their NICs use',
    ]);
    const both = edit(hosting, [...tokens, 0, 'role'], 'PVEAdmin');
    expect((await findings(both, 'proxmox/token-definition')).map((f) => f.message)).toEqual(['intent vm-provisioning defines the roles itself: remove role (or the intent)']);
    const monitoring = edit(edit(edit(edit(hosting, [...tokens, 0, 'intent'], 'monitoring'), [...tokens, 0, 'templates'], undefined), [...tokens, 0, 'networks'], undefined), [...tokens, 0, 'pool'], 'customers');
    expect((await findings(monitoring, 'proxmox/token-definition')).map((f) => f.message)).toEqual(['intent monitoring does not use pool']);
  });

  it('refuses a network no VM can be on', async () => {
    const text = edit(homelab, ['sites', 0, 'proxmox', 'api_tokens'], [{ user: 'panel@pve', token: 'api', intent: 'vm-provisioning', pool: 'vms', templates: 'tpl', networks: ['wireguard'] }]);
    expect((await findings(text, 'proxmox/token-definition')).map((f) => f.message)).toEqual(['network wireguard has no Proxmox bridge a VM could use']);
  });

  it('refuses ids Proxmox refuses, in the schema', async () => {
    expect((await lint(edit(hosting, [...tokens, 0, 'token'], 't'))).map((d) => d.rule)).toContain('schema');
    expect((await lint(edit(hosting, [...tokens, 0, 'user'], 'whmcs@1pve'))).map((d) => d.rule)).toContain('schema');
  });
});

describe('backup and monitoring intents', () => {
  it('backs up to the PBS storage of the site by default, read-only monitoring on /', async () => {
    const text = edit(homelab, ['sites', 0, 'proxmox', 'api_tokens'], [
      { user: 'backup@pve', token: 'vzdump', intent: 'backup' },
      { user: 'monitor@pve', token: 'exporter', intent: 'monitoring' },
    ]);
    const model = await modelOf(text);
    expect(model.sites[0]!.apiTokens.map((t) => t.grants.map((g) => `${g.path} ${g.role}`))).toEqual([
      ['/vms GenBackup', '/storage/pbs-main PVEDatastoreUser'],
      ['/ GenMonitoring'],
    ]);
    expect(model.sites[0]!.roles.map((r) => `${r.name}: ${r.privileges.join(',')}`)).toEqual([
      'GenBackup: VM.Audit,VM.Backup',
      'GenMonitoring: Datastore.Audit,Pool.Audit,SDN.Audit,Sys.Audit,VM.Audit',
    ]);
  });
});

describe('access.sh on a node', async () => {
  const script = (await render(hosting)).get('hosting/proxmox/access.sh')!;
  const nodes: FakeNode[] = [];
  afterEach(() => nodes.splice(0).forEach((n) => n.remove()));
  const node = (state: ConstructorParameters<typeof FakeNode>[0]) => {
    const n = new FakeNode(state);
    nodes.push(n);
    return n;
  };

  it('creates role, pools, user, token and ACLs; the secret only reaches the terminal, once', () => {
    const n = node({ node: 'pve' });
    const run = n.run(script);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.match(/SECRET-whmcs_token-[0-9a-f-]+/g)).toHaveLength(1);
    expect(run.stdout).toContain(`token ${WHMCS}: create. Proxmox prints its secret below, once: enter it where the token is used (WHMCS provisioning), as the password of ${WHMCS}. It is stored nowhere else.`);
    expect(n.leftovers).toEqual([]);
    const state = n.state;
    expect(state.roles.GenVmProvisioning).toBe([...VM_PROVISIONING_ROLE.privileges].sort().join(','));
    expect(state.pools.sort()).toEqual(['customers', 'templates']);
    expect(state.users['whmcs-api@pve']!.tokens.whmcs_token).toEqual({ privsep: 1 });
    expect(state.acls.map((a) => `${a.path} ${a.roleid} ${a.type} ${a.ugid}`)).toEqual(acls(script));

    const changes = n.log.length;
    const again = n.run(script);
    expect(again.status).toBe(0);
    expect(n.log).toHaveLength(changes);
    expect(again.stdout).not.toContain('SECRET');
    expect(again.stdout).toContain('role GenVmProvisioning: unchanged');
    expect(again.stdout).toContain(`token ${WHMCS}: unchanged`);
  });

  // clone_vm checks the source's NICs (check_bridge_access) and disks (Datastore.AllocateSpace, the template's own
  // storage for a linked clone): a template outside the token's grants is refused to the panel.
  it('checks the templates of the pool as cloning does, and says what one the token cannot clone is on', () => {
    const empty = node({ node: 'pve' }).run(script);
    expect(empty.status).toBe(0);
    expect(empty.stdout).toContain('pool templates: no template in it yet: put the templates the panel clones into it (pvesh set /pools --poolid templates --vms <id>), with NICs on vmbr2 VLAN 30, disks on local-lvm');
    const n = node({
      node: 'pve',
      pools: ['customers', 'templates'],
      poolVms: { templates: [9000, 9001, 9002] },
      qemu: {
        // As the panel needs it: VLAN 30 on vmbr2, the disk and EFI disk on local-lvm, a cloud-init drive anywhere.
        '9000': { name: 'debian13', template: '1', net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr2,tag=30', scsi0: 'local-lvm:base-9000-disk-0,size=8G', efidisk0: 'local-lvm:base-9000-disk-1,efitype=4m,size=4M', ide2: 'local:vm-9000-cloudinit,media=cdrom' },
        // As the GUI makes a VM: vmbr0 untagged, a disk on another storage.
        '9001': { name: 'ubuntu', template: '1', net0: 'virtio=BC:24:11:00:00:02,bridge=vmbr0', scsi0: 'local-zfs:base-9001-disk-0,size=8G' },
        // The VPS bridge untagged (the panel sets the tag after cloning) and a trunk with a VLAN the token has not.
        '9002': { name: 'alma', template: '1', net0: 'virtio=BC:24:11:00:00:03,bridge=vmbr2', net1: 'virtio=BC:24:11:00:00:04,bridge=vmbr2,trunks=30;40', scsi0: 'local-lvm:base-9002-disk-0,size=8G' },
      },
    });
    const run = n.run(script);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => / in pool templates/.test(l));
    expect(lines).toEqual([
      'template 9000 (debian13) in pool templates: its NICs and disks are on networks and storages the token may use',
      'template 9001 (ubuntu) in pool templates: the token cannot clone it, as Proxmox checks the NICs and disks of the source: net0 is on vmbr0 untagged (SDN.Use on /sdn/zones/localnetwork/vmbr0); scsi0 is on storage local-zfs (Datastore.AllocateSpace on /storage/local-zfs for a linked clone, the default for a template; a full clone checks the storage it is given). Move them to what the token may use, or give the token that network or storage',
      'template 9002 (alma) in pool templates: the token cannot clone it, as Proxmox checks the NICs and disks of the source: net0 is on vmbr2 untagged (SDN.Use on /sdn/zones/localnetwork/vmbr2); net1 is on vmbr2 VLAN 40 (SDN.Use on /sdn/zones/localnetwork/vmbr2/40). Move them to what the token may use, or give the token that network or storage',
    ]);
    // Reported, never changed.
    expect(n.state.qemu['9001']!.net0).toBe('virtio=BC:24:11:00:00:02,bridge=vmbr0');
    expect(n.log.filter((l) => /^qm /.test(l))).toEqual([]);
  });

  it("puts a drifted role's privileges back and reports ACL entries it does not have, without removing them", () => {
    const n = node({
      node: 'pve',
      roles: { GenVmProvisioning: 'VM.Allocate,VM.Migrate' },
      users: { 'whmcs-api@pve': { tokens: { whmcs_token: { privsep: 1 } } } },
      acls: [{ path: '/', type: 'token', ugid: WHMCS, roleid: 'PVEAdmin', propagate: 1 }],
    });
    const run = n.run(script);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('role GenVmProvisioning: privileges VM.Allocate,VM.Migrate -> ');
    expect(n.state.roles.GenVmProvisioning).not.toContain('VM.Migrate');
    expect(run.stdout).toContain(`acl /: PVEAdmin for ${WHMCS} is not in the topology; remove it with: pveum acl delete / --roles PVEAdmin --tokens '${WHMCS}'`);
    expect(n.state.acls).toContainEqual({ path: '/', type: 'token', ugid: WHMCS, roleid: 'PVEAdmin', propagate: 1 });
    expect(run.stdout).not.toContain('SECRET');
  });
});
