// A lock file's owner line and the maker in a staging directory's or a
// temporary file's name as gen writes them (src/io/lock.ts,
// src/io/processes.ts), built from /proc as the kernel documents it
// (proc(5)), not through the code under test; for writing what a killed run
// would have left. And live processes to own them: here, or in a PID
// namespace below this one.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

export const BOOT = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : '';

/** Field 22 of /proc/PID/stat, counted after the last ')' (the name may hold spaces). */
export function startOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

export function pidnsOf(pid: number | 'self'): number {
  return statSync(`/proc/${pid}/ns/pid`).ino;
}

/** The owner line of `pid`: by default its boot, this PID namespace and its start time. */
export function owner(pid: number, identity: { boot?: string; pidns?: number; start?: number } = {}): string {
  return `${pid} 0123456789abcdef boot=${identity.boot ?? BOOT} pidns=${identity.pidns ?? pidnsOf('self')} start=${identity.start ?? startOf(pid)}\n`;
}

/** The owner part of a staging directory's or temporary file's name: PID_BOOT_PIDNS_START as `owner` records it, or the pid alone (`identity: false`, an earlier gen's). */
export function tag(pid: number, identity: { boot?: string; pidns?: number; start?: number } | false = {}): string {
  if (identity === false) return String(pid);
  return `${pid}_${identity.boot ?? BOOT}_${identity.pidns ?? pidnsOf('self')}_${identity.start ?? startOf(pid)}`;
}

/** The path of the staging directory `made` (as createStage named it) with another owner in its name. */
export function stageOwnedBy(made: string, ownerTag: string): string {
  return made.replace(/(\/\.gen-stage-[0-9a-f]{12}-)[^/]+(-[A-Za-z0-9]{6})$/, `$1${ownerTag}$2`);
}

const sleepers: ChildProcess[] = [];

/** A live process (killed by killSleepers). */
export function sleeper(command = ['sleep', '60']): ChildProcess {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'ignore' });
  sleepers.push(child);
  return child;
}

export function killSleepers(): void {
  for (const s of sleepers.splice(0)) s.kill('SIGKILL');
}

/** Waits (up to 5 s) until `ready` holds. */
export function until<T>(ready: () => T | undefined): T {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = ready();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    spawnSync('sleep', ['0.02']);
  }
}

// A PID namespace below this one, as a container is below the host's: an unprivileged user namespace makes one.
const UNSHARE = ['unshare', '--user', '--map-root-user', '--pid', '--fork'];
export const canUnshare = BOOT !== '' && spawnSync(UNSHARE[0]!, UNSHARE.slice(1).concat('true')).status === 0;

/** A live process in a PID namespace below this one, PID 1 there (as a run in a container is); its pid here. */
export function sleeperBelow(): number {
  const unshare = sleeper(UNSHARE.concat('sleep', '60'));
  return until(() => {
    const children = readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim();
    return children && readFileSync(`/proc/${children}/stat`, 'utf8').includes('(sleep)') ? Number(children) : undefined;
  });
}
