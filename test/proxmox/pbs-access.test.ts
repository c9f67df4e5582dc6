// The PVE storage's login to the Proxmox Backup Server: a dedicated user and
// token with DatastoreBackup on the datastore instead of root@pam, created by
// pbs/access.sh (run here on fake-pve.pl), whose secret is printed once and
// goes to the storage's password file.
import { describe, expect, it } from 'vitest';
import { readExample, render } from '../helpers.js';
import { FakeNode } from './fake-node.js';

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
      expect(n.state.pbs).toEqual(pbs);
      expect(n.leftovers).toEqual([]);
    } finally {
      n.remove();
    }
  });
});
