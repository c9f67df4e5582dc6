// The lock records its owner's boot, PID namespace and start time beside
// its pid, so that a lock left by a run killed in a container is taken over
// even where its pid names another live process now (in the next container
// PID 1, or the new run itself), and a live owner is still waited for.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockBusyError, acquireLockSync } from '../../src/io/lock.js';
import { BOOT, canUnshare, killSleepers, owner, pidnsOf, sleeper, sleeperBelow, startOf, tag, until } from '../lock-owner.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

function lockFile(): string {
  return join(tempDir('gen-lock-owner-'), '.topology.yaml.lock');
}

/** Takes the lock without waiting: true if taken (and given back), false if its holder is live. */
function takes(lock: string): boolean {
  try {
    acquireLockSync(lock, (holder) => `held by ${holder}`)();
    return true;
  } catch (error) {
    if (error instanceof LockBusyError) return false;
    throw error;
  }
}

describe.skipIf(!BOOT)('the lock tells its owner from another process with the same pid', () => {
  let wait: string | undefined;
  beforeEach(() => {
    wait = process.env.GEN_LOCK_WAIT_MS;
    process.env.GEN_LOCK_WAIT_MS = '0';
  });
  afterEach(() => {
    killSleepers();
    if (wait === undefined) delete process.env.GEN_LOCK_WAIT_MS;
    else process.env.GEN_LOCK_WAIT_MS = wait;
  });

  it('records its pid, the boot id, the inode of its PID namespace and its start time', () => {
    const lock = lockFile();
    const release = acquireLockSync(lock, () => 'busy');
    const text = readFileSync(lock, 'utf8');
    release();
    expect(existsSync(lock)).toBe(false);
    const [pid, nonce, ...fields] = text.trimEnd().split(' ');
    expect([Number(pid), nonce, fields]).toEqual([process.pid, expect.stringMatching(/^[0-9a-f]{16}$/), [`boot=${BOOT}`, `pidns=${pidnsOf('self')}`, `start=${startOf(process.pid)}`]]);
  });

  it('takes over a lock of a killed run whose pid is alive now as another process', () => {
    // A killed container's run, its PID namespace's inode since given to this one: the pid is this test's parent now.
    const lock = lockFile();
    writeFileSync(lock, owner(process.ppid, { start: startOf(process.ppid) - 1 }));
    expect(takes(lock)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    // ... in a PID namespace that is gone, its pid PID 1 here, or this run's own pid.
    for (const pid of [1, process.pid]) {
      writeFileSync(lock, owner(pid, { pidns: pidnsOf('self') + 1, start: 0 }));
      expect(takes(lock), `pid ${pid}`).toBe(true);
    }
    // ... before the machine restarted: pid and start time of a live process, another boot.
    const other = sleeper();
    writeFileSync(lock, owner(other.pid!, { boot: BOOT.replace(/^./, (c) => (c === '0' ? '1' : '0')) }));
    expect(takes(lock)).toBe(true);
    expect(readdirSync(join(lock, '..'))).toEqual([]);
  });

  it('waits for a live owner, and for one that wrote no identity or only part of it (then the pid decides)', () => {
    const lock = lockFile();
    const live = sleeper();
    for (const text of [owner(live.pid!), `${live.pid} 0123456789abcdef\n`, owner(live.pid!).slice(0, -4)]) {
      writeFileSync(lock, text);
      expect(takes(lock), text).toBe(false);
      expect(readFileSync(lock, 'utf8')).toBe(text);
    }
  });

  it.skipIf(!canUnshare)('waits for a live owner in a PID namespace below this one, and takes its lock once it is gone', () => {
    const lock = lockFile();
    // A run in a container this one sees into: PID 1 of its own namespace, its pid another number here.
    const inner = sleeperBelow();
    expect(readFileSync(`/proc/${inner}/status`, 'utf8')).toMatch(new RegExp(`^NSpid:\\s+${inner}\\s+1$`, 'm'));
    writeFileSync(lock, owner(1, { pidns: pidnsOf(inner), start: startOf(inner) }));
    expect(takes(lock)).toBe(false);
    // The same run once its container is gone.
    process.kill(inner, 'SIGKILL');
    until(() => (existsSync(`/proc/${inner}`) ? undefined : true));
    expect(takes(lock)).toBe(true);
  });

  it("removes the copies of stale locks that runs killed while moving one aside left, once it holds the lock, and keeps a live run's", () => {
    const lock = lockFile();
    const dir = join(lock, '..');
    const gone = spawnSync('true').pid!;
    const live = sleeper().pid!;
    const left = [`${tag(gone, { start: 1 })}-0123abcd`, `${gone}-89abcdef`].map((t) => `.topology.yaml.lock.stale-${t}`);
    const kept = [`.topology.yaml.lock.stale-${tag(live)}-0123abcd`, '.topology.yaml.lock.stale-notes', 'other.lock.stale-1-0123abcd'];
    for (const name of left.concat(kept)) writeFileSync(join(dir, name), owner(live));
    expect(takes(lock)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(kept.slice().sort());
  });
});
