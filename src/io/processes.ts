// Whether the process that left a lock, a staged tree or a temporary file
// is still running, and how a name records that process.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What tells one process from another that has, or had, the same pid (Linux,
 * from /proc): the boot, the PID namespace its pid is a number of (the
 * inode of /proc/PID/ns/pid) and its start time (field 22 of
 * /proc/PID/stat, clock ticks after boot). A pid alone is not enough in a
 * container: each one starts its own PID namespace, so a run killed there
 * leaves a pid that the next container gives to another process, often to
 * PID 1 or to the new run itself.
 */
export interface ProcessIdentity {
  boot: string;
  pidns: number;
  start: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat; the name in field 2 may hold spaces and parentheses, so fields are counted after its last ')'. */
export function startTimeOf(pid: number | 'self'): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const field = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
  return field !== undefined && /^\d+$/.test(field) ? Number(field) : undefined;
}

let own: ProcessIdentity | null | undefined;

/** This process's identity; undefined without /proc (then a pid is all a lock can hold). */
export function ownIdentity(): ProcessIdentity | undefined {
  if (own === undefined) {
    const boot = read('/proc/sys/kernel/random/boot_id')?.trim();
    let pidns: number | undefined;
    try {
      pidns = statSync('/proc/self/ns/pid').ino;
    } catch {
      pidns = undefined;
    }
    const start = startTimeOf('self');
    own = boot && /^[0-9a-f-]+$/.test(boot) && pidns && start !== undefined ? { boot, pidns, start } : null;
  }
  return own ?? undefined;
}

/** The pids of a process, from this PID namespace down to its own (the NSpid line of /proc/PID/status, Linux 4.1 and later). */
function nsPids(pid: number | 'self'): number[] | undefined {
  const line = /^NSpid:\s*(.*)$/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
  return line === undefined ? undefined : line.trim().split(/\s+/).map(Number);
}

/**
 * Whether a process of a PID namespace below this one is `pid` in its own
 * namespace and started at `start`: /proc shows such processes with all
 * their pids. A namespace beside or above this one shows nothing here.
 */
function runsBelow(pid: number, start: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry) || startTimeOf(Number(entry)) !== start) return false;
    const pids = nsPids(Number(entry));
    return pids !== undefined && pids.length > 1 && pids[pids.length - 1] === pid;
  });
}

/**
 * Whether the process `pid` that recorded `recorded` as its identity still
 * runs. Without a recorded identity, or without /proc here, the pid decides.
 */
export function processRuns(pid: number, recorded: ProcessIdentity | undefined): boolean {
  const self = recorded && ownIdentity();
  if (!recorded || !self) return processAlive(pid);
  // Another boot: every process of that one is gone, and its pids are anyone's now.
  if (recorded.boot !== self.boot) return false;
  if (recorded.pidns === self.pidns) {
    if (!processAlive(pid)) return false;
    const start = startTimeOf(pid);
    // A start time that cannot be read (another user's process under hidepid): the pid decides, as before.
    return start === undefined || start === recorded.start;
  }
  // Another namespace's pid is not a number of this one: only a namespace below this one can be looked into.
  if (nsPids('self') === undefined) return processAlive(pid) && startTimeOf(pid) === recorded.start;
  return runsBelow(pid, recorded.start);
}

/**
 * Who made a staging directory or a temporary file, as its name records
 * it: the pid, then, where /proc tells it, the boot, PID namespace and start
 * time (PID_BOOT_PIDNS_START). Names of an earlier gen hold the pid alone.
 */
export interface Maker {
  pid: number;
  identity?: ProcessIdentity;
}

/** A maker as names hold it; no '.' in it, so that it ends a name's dotted parts. */
export const MAKER_TAG = String.raw`\d+(?:_[0-9a-f-]+_\d+_\d+)?`;

/** This process as the maker in a name it makes. */
export function ownTag(): string {
  const self = ownIdentity();
  return self ? `${process.pid}_${self.boot}_${self.pidns}_${self.start}` : `${process.pid}`;
}

/** The maker a MAKER_TAG match names. */
export function makerOfTag(tag: string): Maker {
  const [pid, boot, pidns, start] = tag.split('_');
  return boot === undefined ? { pid: Number(pid) } : { pid: Number(pid), identity: { boot, pidns: Number(pidns), start: Number(start) } };
}

/** Whether the maker still runs (see processRuns); this process counts as running. */
export function makerRuns(maker: Maker): boolean {
  return processRuns(maker.pid, maker.identity);
}

/**
 * Whether a process other than this one, the maker, still runs: a name with
 * this pid is a dead run's whose pid this one has now, unless it records
 * another process (another start time, another namespace's pid).
 */
export function otherMakerRuns(maker: Maker): boolean {
  const self = ownIdentity();
  const { identity } = maker;
  const mine = maker.pid === process.pid && (!identity || !self || (identity.boot === self.boot && identity.pidns === self.pidns && identity.start === self.start));
  return !mine && makerRuns(maker);
}
