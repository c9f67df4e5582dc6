// The PVE storage's login to the Proxmox Backup Server: a dedicated user and
// token with DatastoreBackup on the datastore instead of root@pam, created by
// pbs/access.sh (run here on fake-pve.pl), whose secret is printed once and
// goes to the storage's password file.
import { describe, expect, it } from 'vitest';
import { readExample, render } from '../helpers.js';
import { FakeNode } from './fake-node.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

const homelab = readExample('homelab');

describe('the PVE storage logs in to PBS with its own token', async () => {
  const files = await render(homelab);

  it('uses the token pve-backup@pbs!pve instead of root@pam', () => {
    expect(files.get('home/proxmox/storage.cfg')).toContain('\tusername pve-backup@pbs!pve\n');
    const steps = files.get('home/pbs/steps.md')!;
    expect(steps).not.toContain('root@pam');
    expect(steps).toContain("--username 'pve-backup@pbs!pve'");
    expect(steps).toContain('run pbs/access.sh');
  });

  it('pbs/access.sh gives user and token DatastoreBackup on the datastore only, and the secret goes to the storage', () => {
    const n = new FakeNode({ node: 'pbs' });
    try {
      const script = files.get('home/pbs/access.sh')!;
      const run = n.run(script);
      expect(run.stderr).toBe('');
      expect(run.stdout.match(/PBS-SECRET-pve-[0-9a-f-]+/g)).toHaveLength(1);
      expect(run.stdout).toContain('it is the password of storage pbs-main: pvesm set pbs-main --password asks for it and keeps it in /etc/pve/priv/storage/pbs-main.pw (mode 0600)');
      const pbs = n.state.pbs;
      expect(pbs.users).toEqual(['pve-backup@pbs']);
      expect(pbs.tokens).toEqual(['pve-backup@pbs!pve']);
      expect(pbs.acls).toEqual([
        { path: '/datastore/vm-backup-s3', roleid: 'DatastoreBackup', ugid: 'pve-backup@pbs' },
        { path: '/datastore/vm-backup-s3', roleid: 'DatastoreBackup', ugid: 'pve-backup@pbs!pve' },
      ]);
      const again = n.run(script);
      expect(again.status).toBe(0);
      expect(again.stdout).not.toContain('SECRET');
      expect(again.stdout).not.toContain('not in the topology');
      expect(n.state.pbs).toEqual(pbs);
      expect(n.leftovers).toEqual([]);
    } finally {
      n.remove();
    }
  });

  // verify/pbs.sh checks what access.sh grants: it fails on a backup server where access.sh was not run, passes after.
  it('verify/pbs.sh fails the storage login check until access.sh has run, then passes it', () => {
    const n = new FakeNode({ node: 'pbs' });
    try {
      const verify = files.get('home/verify/pbs.sh')!;
      const line = (out: string) => out.split('\n').find((l) => l.includes('pve-backup@pbs and its token pve-backup@pbs!pve have DatastoreBackup on /datastore/vm-backup-s3'));
      expect(line(n.run(verify).stdout)).toMatch(/^✗ .*: no DatastoreBackup for pve-backup@pbs; no DatastoreBackup for pve-backup@pbs!pve$/);
      expect(n.run(files.get('home/pbs/access.sh')!).status).toBe(0);
      expect(line(n.run(verify).stdout)).toMatch(/^✓ /);
    } finally {
      n.remove();
    }
  });

  // acl update adds a role beside the others (pbs-config acl.rs insert_user_role): the token of a topology that
  // pruned from Proxmox VE keeps DatastorePowerUser, and prune with it, once the topology no longer does.
  it('reports a role of the user or token on the datastore that the topology no longer gives, with the command that removes it', () => {
    const store = '/datastore/vm-backup-s3';
    const left = [
      { path: store, roleid: 'DatastorePowerUser', ugid: 'pve-backup@pbs!pve' },
      // Another id's role, and the token's role elsewhere: not this script's.
      { path: store, roleid: 'DatastoreAudit', ugid: 'monitor@pbs' },
      { path: '/datastore/other', roleid: 'DatastoreAdmin', ugid: 'pve-backup@pbs!pve' },
    ];
    const n = new FakeNode({ node: 'pbs', pbs: { users: ['pve-backup@pbs'], tokens: ['pve-backup@pbs!pve'], acls: left } });
    try {
      const run = n.run(files.get('home/pbs/access.sh')!);
      expect([run.status, run.stderr]).toEqual([0, '']);
      const reported = run.stdout.split('\n').filter((l) => l.includes('not in the topology'));
      const remove = "proxmox-backup-manager acl update /datastore/vm-backup-s3 DatastorePowerUser --auth-id 'pve-backup@pbs!pve' --delete";
      expect(reported).toEqual([`acl ${store}: DatastorePowerUser for pve-backup@pbs!pve is not in the topology; remove it with: ${remove}`]);
      // Reported, never removed here; the command given removes it.
      expect(n.state.pbs.acls).toContainEqual(left[0]);
      expect(n.run(remove).status).toBe(0);
      expect(n.state.pbs.acls).not.toContainEqual(left[0]);
      expect(n.run(files.get('home/pbs/access.sh')!).stdout).not.toContain('not in the topology');
    } finally {
      n.remove();
    }
  });
});
