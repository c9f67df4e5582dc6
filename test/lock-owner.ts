// A lock file's owner line as gen writes it (src/io/lock.ts), built from
// /proc as the kernel documents it (proc(5)), not through the code under
// test; for writing the lock a killed run would have left.
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
