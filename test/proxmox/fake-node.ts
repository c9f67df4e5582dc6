// Runs a generated script against fake-pve.pl: a directory with the
// node's state and a bin/ of symlinks named after the Proxmox commands.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../helpers.js';
import { tempDir } from '../temp-dirs.js';

export interface NodeState {
  node: string;
  qemu: Record<string, Record<string, string>>;
  lxc: Record<string, Record<string, string>>;
  running: number[];
  /** VMs QEMU holds paused (qm status: paused): not stopped either. */
  paused?: number[];
  /** Changes Proxmox holds until the guest restarts (`qm|pct pending`), by kind and id. */
  pending?: { qemu?: Record<string, Record<string, string>>; lxc?: Record<string, Record<string, string>> };
  roles: Record<string, string>;
  users: Record<string, { comment?: string; tokens: Record<string, { privsep: number }> }>;
  pools: string[];
  /** The VMs of each pool, by pool: this node's, from qemu. */
  poolVms?: Record<string, number[]>;
  acls: { path: string; type: string; ugid: string; roleid: string; propagate: number }[];
  pbs: { users: string[]; tokens: string[]; acls: { path: string; roleid: string; ugid: string }[] };
  /** Guests of other nodes of the cluster, by id (what /cluster/resources lists besides this node's). */
  elsewhere?: Record<string, { node: string; type: 'qemu' | 'lxc' }>;
  /** The volids each storage lists, by storage and content type (iso, vztmpl, ...). */
  storage?: Record<string, Record<string, string[]>>;
  /** Proxmox VE backup jobs (/cluster/backup), by id: their options as pvesh got them. */
  backupJobs?: Record<string, Record<string, string>>;
  /** A resize that fails as qm's does: a message, exit 0, the size unchanged (a lock held by a backup). */
  resizeFails?: boolean;
}

const COMMANDS = ['qm', 'pct', 'pveum', 'pvesh', 'proxmox-backup-manager', 'uname'];

export class FakeNode {
  readonly dir = tempDir('gen-fake-pve-');

  constructor(state: Partial<NodeState> & { node: string }) {
    const fake = join(root, 'test/proxmox/fake-pve.pl');
    mkdirSync(join(this.dir, 'bin'));
    for (const c of COMMANDS) symlinkSync(fake, join(this.dir, 'bin', c));
    mkdirSync(join(this.dir, 'work'));
    const full: NodeState = { qemu: {}, lxc: {}, running: [], roles: {}, users: {}, pools: [], acls: [], pbs: { users: [], tokens: [], acls: [] }, ...state };
    writeFileSync(join(this.dir, 'state.json'), JSON.stringify(full));
    writeFileSync(join(this.dir, 'log'), '');
  }

  get state(): NodeState {
    return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8')) as NodeState;
  }

  /** The commands that changed something, in order. */
  get log(): string[] {
    return readFileSync(join(this.dir, 'log'), 'utf8').split('\n').filter(Boolean);
  }

  /** Runs the script text with bash in an empty working directory. */
  run(script: string): { status: number; stdout: string; stderr: string } {
    const file = join(this.dir, 'script.sh');
    writeFileSync(file, script, { mode: 0o700 });
    const r = spawnSync('bash', [file], {
      cwd: join(this.dir, 'work'),
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(this.dir, 'bin')}:${process.env.PATH}`, FAKE_PVE: this.dir },
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Files a run left in its working directory. */
  get leftovers(): string[] {
    return readdirSync(join(this.dir, 'work'));
  }
}
