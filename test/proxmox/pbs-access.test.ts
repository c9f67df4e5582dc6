// The PVE storage's login to the Proxmox Backup Server: a dedicated user and
// token with DatastoreBackup on the datastore instead of root@pam, created by
// pbs/access.sh (run here on fake-pve.pl), whose secret is printed once and
// goes to the storage's password file.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pbsAccessScript } from '../../src/render/pbs-access.js';
import { verifyPbsUserId } from '../../src/targets/pbs/access.js';
import { modelOf, readExample, render } from '../helpers.js';
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

// proxmox-backup-manager prints serde_json::to_string of the API's answer (proxmox-router cli/format.rs
// format_and_print_result_full): a '"' or '\' in a value is escaped, a '{' or '}' is not. PBS takes such
// characters in a user name (proxmox-auth-api types.rs USER_NAME_REGEX_STR: no white space, ':', '/' or control
// characters), and so does verifyPbsUserId; access.sh reads each value at its place (json_flat).
describe('pbs/access.sh reads the backup server\'s JSON at its place', async () => {
  const model = await modelOf(homelab);
  const backup = model.sites.find((s) => s.backup)!.backup!;
  const script = (user: string, pvePrune = false) => pbsAccessScript('home', Object.assign({}, backup, { pvePrune, token: Object.assign({}, backup.token, { user }) }));

  for (const user of ['pve"backup@pbs', "pve'backup@pbs", 'pve\\backup@pbs', 'pve}{backup@pbs', 'pvé-backup@pbs']) {
    it(`finds user ${user} and its token where they are, and a role of theirs the topology no longer gives`, () => {
      expect(verifyPbsUserId(user)).toBeUndefined();
      const store = `/datastore/${backup.datastore}`;
      const stale = { path: store, roleid: 'DatastorePowerUser', ugid: `${user}!pve` };
      const n = new FakeNode({ node: 'pbs', pbs: { users: [user], tokens: [`${user}!pve`], acls: [stale, { path: store, roleid: 'DatastoreAdmin', ugid: 'other@pbs' }] } });
      try {
        const run = n.run(script(user));
        expect([run.status, run.stderr]).toEqual([0, '']);
        expect(run.stdout).toContain(`user ${user}: exists`);
        expect(run.stdout).toContain(`token ${user}!pve: exists`);
        expect(n.state.pbs.users).toEqual([user]);
        expect(n.state.pbs.tokens).toEqual([`${user}!pve`]);
        const reported = run.stdout.split('\n').filter((l) => l.includes('not in the topology'));
        expect(reported).toHaveLength(1);
        // The command it names, run as printed, removes that role and no other.
        const remove = reported[0]!.split('remove it with: ')[1]!;
        expect(n.run(remove).status).toBe(0);
        expect(n.state.pbs.acls).not.toContainEqual(stale);
        expect(n.state.pbs.acls).toContainEqual({ path: store, roleid: 'DatastoreBackup', ugid: `${user}!pve` });
      } finally {
        n.remove();
      }
    });
  }

  // --output-format json-pretty and another key order: the same answers (json_flat reads any layout).
  it('reads a pretty-printed answer with its keys in another order the same way', () => {
    const user = 'pve-backup@pbs';
    const n = new FakeNode({ node: 'pbs', pbs: { users: [user, `${user}2`], tokens: [`${user}!pve`], acls: [{ path: `/datastore/${backup.datastore}`, roleid: 'DatastorePowerUser', ugid: user }] } });
    try {
      const bin = join(n.dir, 'bin');
      mkdirSync(join(n.dir, 'real'));
      renameSync(join(bin, 'proxmox-backup-manager'), join(n.dir, 'real', 'proxmox-backup-manager'));
      const reformat = 'const t=require("fs").readFileSync(0,"utf8");if(!t.trim())process.exit(0);const r=(v)=>Array.isArray(v)?v.map(r):v&&typeof v==="object"?Object.fromEntries(Object.entries(v).reverse().map(([k,x])=>[k,r(x)])):v;process.stdout.write(JSON.stringify(r(JSON.parse(t)),null,2)+"\\n")';
      writeFileSync(join(bin, 'proxmox-backup-manager'), `#!/bin/bash\nset -o pipefail\n"$FAKE_PVE/real/proxmox-backup-manager" "$@" | ${JSON.stringify(process.execPath)} -e '${reformat}'\n`);
      chmodSync(join(bin, 'proxmox-backup-manager'), 0o755);
      const run = n.run(script(user));
      expect([run.status, run.stderr]).toEqual([0, '']);
      expect(run.stdout).toContain(`user ${user}: exists`);
      expect(run.stdout).toContain(`token ${user}!pve: exists`);
      expect(run.stdout.split('\n').filter((l) => l.includes('not in the topology'))).toEqual([
        `acl /datastore/${backup.datastore}: DatastorePowerUser for ${user} is not in the topology; remove it with: proxmox-backup-manager acl update /datastore/${backup.datastore} DatastorePowerUser --auth-id '${user}' --delete`,
      ]);
    } finally {
      n.remove();
    }
  });

  it('stops with the command\'s message when an answer is not JSON', () => {
    const n = new FakeNode({ node: 'pbs' });
    try {
      // bin/ holds symlinks to fake-pve.pl: the stand-in replaces the link, never writes through it.
      rmSync(join(n.dir, 'bin', 'proxmox-backup-manager'));
      writeFileSync(join(n.dir, 'bin', 'proxmox-backup-manager'), '#!/bin/sh\necho \'[{"userid":"pve-backup@pbs"\'\n', { mode: 0o755 });
      const run = n.run(script('pve-backup@pbs'));
      expect(run.status).not.toBe(0);
      expect(run.stderr).toBe('access.sh: proxmox-backup-manager user list: not JSON: [{"userid":"pve-backup@pbs"\n');
      expect(run.stdout).not.toContain('create');
    } finally {
      n.remove();
    }
  });

  // proxmox-backup-manager prints its error on stderr and exits non-zero (255): the script names the command and
  // the error, and stops before it creates anything.
  it('stops with the command and its error when proxmox-backup-manager fails', () => {
    const n = new FakeNode({ node: 'pbs' });
    try {
      rmSync(join(n.dir, 'bin', 'proxmox-backup-manager'));
      writeFileSync(join(n.dir, 'bin', 'proxmox-backup-manager'), "#!/bin/sh\necho \"Error: unable to open file '/etc/proxmox-backup/user.cfg' - Permission denied (os error 13)\" >&2\nexit 255\n", { mode: 0o755 });
      const run = n.run(script('pve-backup@pbs'));
      expect(run.status).toBe(1);
      expect(run.stderr).toBe("access.sh: proxmox-backup-manager user list: Error: unable to open file '/etc/proxmox-backup/user.cfg' - Permission denied (os error 13)\n");
      expect(run.stdout).toBe('');
    } finally {
      n.remove();
    }
  });

  // One reader of the backup server's answers: pbs/access.sh and verify/pbs.sh run the same pbm_json.
  it('runs the same pbm_json as the verification script', async () => {
    const files = await render(homelab);
    const definition = (text: string) => {
      const at = text.indexOf('\npbm_json() {');
      expect(at).toBeGreaterThan(0);
      return text.slice(at, text.indexOf('\n}\n', at) + 3);
    };
    const access = definition(files.get('home/pbs/access.sh')!);
    expect(access).toContain('proxmox-backup-manager "$@" --output-format json');
    expect(definition(files.get('home/verify/pbs.sh')!)).toBe(access);
    // Defined once in each script.
    for (const file of ['home/pbs/access.sh', 'home/verify/pbs.sh']) expect(files.get(file)!.split('\npbm_json() {')).toHaveLength(2);
  });
});
