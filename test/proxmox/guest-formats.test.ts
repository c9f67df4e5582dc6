// gen's validators of Proxmox option values, held to the verdicts of the
// upstream format definitions (the case corpus that upstream-schema.test.ts
// also runs through Proxmox's own Perl), and the values gen builds with them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES, PRIVILEGES, isAclPath, isAdminRole, isPrivilege, verifyTokenId } from '../../src/targets/proxmox/access.js';
import {
  InvalidOptionError, dnsName, lxcNet, netKey, newDisk, parseLxcNet, parseQmNet, qmNet, verifyMac, volume,
} from '../../src/targets/proxmox/guest-formats.js';
import { INTENT_ROLES, intentGrants } from '../../src/targets/proxmox/intents.js';
import { derivedMac } from '../../src/targets/proxmox/mac.js';
import { root } from '../helpers.js';
import { CASES, genVerdict } from './pve-cases.js';

describe('option values against the upstream formats', () => {
  it.each(CASES.map((c) => [c.line, c.ok] as const))('%s → %s', (line, ok) => {
    expect(genVerdict(line)).toBe(ok);
  });
});

describe('the NIC strings gen writes', () => {
  it('writes a VM NIC as Proxmox prints it: model=MAC first, then the rest sorted', () => {
    expect(qmNet({ mac: '02:00:5e:10:00:01', bridge: 'vmbr1', tag: 10, firewall: false })).toBe('virtio=02:00:5E:10:00:01,bridge=vmbr1,firewall=0,tag=10');
    expect(qmNet({ mac: '02:00:5E:10:00:01', bridge: 'vmbr0' })).toBe('virtio=02:00:5E:10:00:01,bridge=vmbr0');
  });

  it('writes a container NIC as Proxmox prints it after parsing (type=veth added)', () => {
    expect(lxcNet({ name: 'eth0', mac: '02:00:5E:10:00:02', bridge: 'vmbr2', ip: '10.1.0.100/24', gateway: '10.1.0.1' })).toBe(
      'name=eth0,bridge=vmbr2,gw=10.1.0.1,hwaddr=02:00:5E:10:00:02,ip=10.1.0.100/24,type=veth',
    );
    expect(lxcNet({ name: 'eth0', mac: '02:00:5E:10:00:02', bridge: 'vmbr2', ip: '192.168.30.5/24', gateway: '192.168.30.1', tag: 30 })).toMatch(/,tag=30,type=veth$/);
  });

  it('refuses a value Proxmox would refuse instead of writing it', () => {
    expect(() => qmNet({ mac: '01:00:5E:10:00:01', bridge: 'vmbr0' })).toThrow(InvalidOptionError);
    expect(() => qmNet({ mac: '02:00:5E:10:00:01', bridge: "vmbr0'; reboot; '" })).toThrow(/bridge/);
    expect(() => qmNet({ mac: '02:00:5E:10:00:01', bridge: 'vmbr0', tag: 4095 })).toThrow(/tag/);
    expect(() => lxcNet({ name: 'eth0', mac: '02:00:5E:10:00:02', bridge: 'vmbr2', ip: '10.1.0.100/7' })).toThrow(/ip/);
    expect(() => netKey(32)).toThrow(InvalidOptionError);
    expect(netKey(31)).toBe('net31');
  });

  it('parses back exactly what it writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4094 }), fc.constantFrom('vmbr0', 'vmbr12', 'br-lan', 'lan_1'), fc.boolean(), (tag, bridge, firewall) => {
        const mac = derivedMac('s', 'g', `${tag}`);
        const text = qmNet({ mac, bridge, tag, firewall });
        const parsed = parseQmNet(text);
        expect(parsed).toEqual({ ok: true, value: { model: 'virtio', macaddr: mac, bridge, tag: String(tag), firewall: firewall ? '1' : '0' } });
        expect(parseLxcNet(lxcNet({ name: 'eth0', mac, bridge, ip: '10.0.0.2/24', tag })).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('derived MAC addresses', () => {
  it('are locally administered unicast and valid for Proxmox', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (site, guest, nic) => {
        const mac = derivedMac(site, guest, nic);
        const first = parseInt(mac.slice(0, 2), 16);
        expect(first & 0b10).toBe(0b10);
        expect(first & 0b01).toBe(0);
        expect(verifyMac(mac)).toBeUndefined();
        expect(mac).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
      }),
      { numRuns: 300 },
    );
  });

  it('are stable and differ per site, guest and NIC', () => {
    expect(derivedMac('home', 'opnsense', 'wan')).toBe(derivedMac('home', 'opnsense', 'wan'));
    const macs = new Set([derivedMac('home', 'opnsense', 'wan'), derivedMac('home', 'opnsense', 'lan'), derivedMac('home', 'pbs', 'wan'), derivedMac('office', 'opnsense', 'wan')]);
    expect(macs.size).toBe(4);
    // the separator keeps "a/bc" and "ab/c" apart
    expect(derivedMac('s', 'a', 'bc')).not.toBe(derivedMac('s', 'ab', 'c'));
  });
});

describe('other guest values', () => {
  it('allocates a new disk as STORAGE:GiB, never with a unit (which would name an existing volume)', () => {
    expect(newDisk('local-lvm', 50)).toBe('local-lvm:50');
    expect(() => newDisk('l', 50)).toThrow(/shorter than 2/);
    expect(() => newDisk('local-lvm', 0.5)).toThrow(InvalidOptionError);
  });

  it('takes ISO images and templates only as storage:content/file volumes', () => {
    expect(volume('local:iso/proxmox-backup-server_4.0-1.iso', 'iso')).toBe('local:iso/proxmox-backup-server_4.0-1.iso');
    expect(volume('local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst', 'vztmpl')).toMatch(/zst$/);
    expect(() => volume('local:iso/../../etc/passwd.iso', 'iso')).toThrow(InvalidOptionError);
    expect(() => volume('local:vztmpl/x.iso', 'vztmpl')).toThrow(InvalidOptionError);
  });

  it('needs DNS names for VM names and hostnames', () => {
    expect(dnsName('pbs')).toBe('pbs');
    expect(() => dnsName('opn_sense')).toThrow(/DNS name/);
  });
});

describe('PVE 9 privileges and roles', () => {
  it('has the 47 privileges of PVE 9, without VM.Monitor', () => {
    expect(PRIVILEGES).toHaveLength(47);
    expect(isPrivilege('VM.Monitor')).toBe(false);
    expect(PRIVILEGES).toContain('VM.GuestAgent.Unrestricted');
  });

  it('are the list docs/proxmox.md gives', () => {
    const doc = readFileSync(join(root, 'docs/proxmox.md'), 'utf8');
    const listed = doc.slice(doc.indexOf('### PVE 9 privileges')).split('\n').slice(1).join(' ').replace(/\(47\)\.?/, '').split(/[,\s]+/).filter(Boolean);
    expect(listed).toEqual(PRIVILEGES);
  });

  it('builds the built-in roles as create_roles does', () => {
    expect(BUILTIN_ROLES.get('PVEVMAdmin')).toHaveLength(23);
    expect(BUILTIN_ROLES.get('PVEVMAdmin')!.every((p) => p.startsWith('VM.'))).toBe(true);
    expect(BUILTIN_ROLES.get('PVEAdmin')).toHaveLength(40);
    expect(BUILTIN_ROLES.get('PVEAdmin')).not.toContain('Sys.Modify');
    expect(BUILTIN_ROLES.get('PVEAdmin')).not.toContain('Mapping.Modify');
    expect(BUILTIN_ROLES.get('PVETemplateUser')).toEqual(['VM.Audit', 'VM.Clone']);
    expect(BUILTIN_ROLES.get('PVEAuditor')).toEqual(['Datastore.Audit', 'Mapping.Audit', 'Pool.Audit', 'SDN.Audit', 'Sys.Audit', 'VM.Audit', 'VM.GuestAgent.Audit']);
    expect(BUILTIN_ROLES.get('Administrator')).toEqual(PRIVILEGES);
    expect([...BUILTIN_ROLES.keys()].filter(isAdminRole).sort()).toEqual(
      ['Administrator', 'PVEAdmin', 'PVEDatastoreAdmin', 'PVEMappingAdmin', 'PVEPoolAdmin', 'PVESDNAdmin', 'PVESysAdmin', 'PVEUserAdmin', 'PVEVMAdmin'],
    );
  });

  it('expands every intent to PVE 9 privileges, built-in roles and valid ACL paths', () => {
    for (const role of INTENT_ROLES) {
      expect(role.privileges.filter((p) => !isPrivilege(p)), role.name).toEqual([]);
      expect(role.name).not.toMatch(/^pve/i);
    }
    const scope = { pool: 'customers', templates: 'templates', storages: ['local-lvm'], bridges: [{ bridge: 'vmbr2', tag: 30 }, { bridge: 'vmbr1' }] };
    for (const intent of ['vm-provisioning', 'backup', 'monitoring'] as const) {
      for (const grant of intentGrants(intent, scope)) {
        expect(isAclPath(grant.path), grant.path).toBe(true);
        expect(BUILTIN_ROLES.has(grant.role) || INTENT_ROLES.some((r) => r.name === grant.role), grant.role).toBe(true);
      }
    }
    expect(intentGrants('vm-provisioning', scope).map((g) => `${g.path} ${g.role}`)).toEqual([
      '/pool/customers GenVmProvisioning',
      '/pool/templates PVETemplateUser',
      '/storage/local-lvm PVEDatastoreUser',
      '/sdn/zones/localnetwork/vmbr2/30 PVESDNUser',
      '/sdn/zones/localnetwork/vmbr1 PVESDNUser',
    ]);
    expect(intentGrants('backup', { storages: ['pbs-main'], bridges: [] }).map((g) => `${g.path} ${g.role}`)).toEqual(['/vms GenBackup', '/storage/pbs-main PVEDatastoreUser']);
  });

  it('never grants a root-only privilege or one that reaches beyond the purpose', () => {
    const all = INTENT_ROLES.flatMap((r) => r.privileges);
    for (const p of ['Sys.Modify', 'Sys.PowerMgmt', 'Sys.Console', 'Permissions.Modify', 'User.Modify', 'VM.Migrate', 'VM.GuestAgent.Unrestricted', 'Datastore.Allocate']) {
      expect(all).not.toContain(p);
    }
    expect(verifyTokenId('whmcs-api@pve!whmcs_token')).toBeUndefined();
  });
});
