// Commands that edit the topology and the secrets run one at a time: an
// exclusive lock file beside the topology, taken over when its process is
// gone, reported with its pid after a bounded wait. Real processes, started
// together.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { root } from '../helpers.js';
import { BOOT, owner, startOf } from '../lock-owner.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

function scratch(): { dir: string; topology: string; secrets: string } {
  const dir = tempDir('gen-lock-');
  copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
  return { dir, topology: join(dir, 'topology.yaml'), secrets: join(dir, '.secrets') };
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function peers(topology: string): { name: string; address: string; public_key: string }[] {
  return parse(readFileSync(topology, 'utf8')).sites[0].wireguard[0].peers;
}

/** Every file under a directory, relative. */
function files(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)]));
}

function sleeper(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

describe('the topology lock', () => {
  it('four add-peer runs at once: four peers at four addresses, four keys, nothing lost or orphaned', async () => {
    const { dir, topology, secrets } = scratch();
    const before = peers(topology).length;
    const names = ['kp1', 'kp2', 'kp3', 'kp4'];
    // Each waits for the others: on a machine busy with other work that can take longer than the default 10 s.
    const results = await Promise.all(names.map((n) => run(['wg', 'add-peer', n, '--role', 'workstation'], dir, { GEN_LOCK_WAIT_MS: '120000' })));
    for (const r of results) expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('added peer')]);
    const addresses = results.map((r) => r.stdout.trim());
    expect(new Set(addresses).size).toBe(4);
    const after = peers(topology);
    expect(after.length).toBe(before + 4);
    for (const name of names) {
      const peer = after.find((p) => p.name === name)!;
      expect(addresses).toContain(peer.address);
      const key = readFileSync(join(secrets, 'home/wireguard/wg0/peers', `${name}.key`), 'utf8').trim();
      expect(publicKeyOf(key)).toBe(peer.public_key);
    }
    expect(files(secrets).sort()).toEqual(['.gitignore', ...names.map((n) => `home/wireguard/wg0/peers/${n}.key`)].sort());
    expect(readdirSync(dir).sort()).toEqual(['.secrets', 'topology.yaml']);
  });

  it('waits for a live holder, then names it and changes nothing', async () => {
    const { dir, topology } = scratch();
    const holder = sleeper();
    try {
      writeFileSync(join(dir, '.topology.yaml.lock'), `${holder.pid} 0123456789abcdef\n`);
      const original = readFileSync(topology, 'utf8');
      const started = Date.now();
      const r = await run(['wg', 'add-peer', 'kp', '--role', 'workstation'], dir, { GEN_LOCK_WAIT_MS: '400' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect([r.code, r.stderr]).toEqual([1, `gen: another gen is editing topology.yaml (pid ${holder.pid}); try again when it has finished, or remove ${join(dir, '.topology.yaml.lock')} if no gen is running\n`]);
      expect(readFileSync(topology, 'utf8')).toBe(original);
      expect(existsSync(join(dir, '.secrets'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that is gone, and of one killed before it wrote its pid', async () => {
    const { dir, topology } = scratch();
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(dir, '.topology.yaml.lock'), `${gone} 0123456789abcdef\n`);
    expect((await run(['wg', 'add-peer', 'kp1', '--role', 'workstation'], dir, { GEN_LOCK_WAIT_MS: '0' })).code).toBe(0);
    writeFileSync(join(dir, '.topology.yaml.lock'), '');
    utimesSync(join(dir, '.topology.yaml.lock'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect((await run(['wg', 'add-peer', 'kp2', '--role', 'workstation'], dir, { GEN_LOCK_WAIT_MS: '0' })).code).toBe(0);
    expect(peers(topology).map((p) => p.name)).toEqual(expect.arrayContaining(['kp1', 'kp2']));
    expect(existsSync(join(dir, '.topology.yaml.lock'))).toBe(false);
  });

  it.skipIf(!BOOT)('takes over the lock of a run killed in a container, whose pid is another live process now', async () => {
    const { dir, topology } = scratch();
    // Its PID namespace's inode given to this one since: its pid is this test's parent now, which started at another time.
    writeFileSync(join(dir, '.topology.yaml.lock'), owner(process.ppid, { start: startOf(process.ppid) + 1 }));
    const r = await run(['wg', 'add-peer', 'kp1', '--role', 'workstation'], dir, { GEN_LOCK_WAIT_MS: '0' });
    expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('added peer')]);
    expect(peers(topology).map((p) => p.name)).toContain('kp1');
    expect(existsSync(join(dir, '.topology.yaml.lock'))).toBe(false);
  });

  it('serialises the commands that read keys too, and a symbolic link shares the lock of its target', async () => {
    const { dir } = scratch();
    symlinkSync('topology.yaml', join(dir, 'link.yaml'));
    expect((await run(['wg', 'add-peer', 'kp', '--role', 'workstation', '-f', 'link.yaml'], dir)).code).toBe(0);
    const holder = sleeper();
    try {
      writeFileSync(join(dir, '.topology.yaml.lock'), `${holder.pid} 0123456789abcdef\n`);
      for (const args of [['wg', 'export', 'kp', '-f', 'link.yaml'], ['wg', 'rotate', 'kp', '-f', 'link.yaml'], ['wg', 'disable', 'kp']]) {
        const r = await run(args, dir, { GEN_LOCK_WAIT_MS: '0' });
        expect([args[1], r.code, r.stderr]).toEqual([args[1], 1, expect.stringContaining(`(pid ${holder.pid})`)]);
      }
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
