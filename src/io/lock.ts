// One gen at a time edits a topology and its secrets: an exclusive lock
// file beside the topology (`.topology.yaml.lock`, made with O_EXCL), which
// holds the pid of its owner and, where /proc tells them, its boot, PID
// namespace and start time. A lock whose process is gone is stale and is
// taken over, also when its pid names another process now (a run killed in
// a container, whose pid the next container gives to another process); a
// live one is waited for, up to a bound, then reported with its pid. The
// command reads the topology only once it holds the lock, so no change of
// another run is lost.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, lstatSync, openSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { envWholeNumber } from './env-number.js';
import { ReportedError, isSystemError, reasonOf } from './errors.js';
import { MAKER_TAG, type ProcessIdentity, makerOfTag, otherMakerRuns, ownIdentity, ownTag, processRuns } from './processes.js';

export class LockBusyError extends ReportedError {}

const DEFAULT_WAIT_MS = 10_000;
const POLL_MS = 25;
/** A lock file without its pid yet (its owner was killed between create and write) is stale after this. */
const EMPTY_GRACE_MS = 2_000;

function waitLimit(): number {
  return envWholeNumber('GEN_LOCK_WAIT_MS', DEFAULT_WAIT_MS, 0, 'a number of milliseconds');
}

/** The lock of a topology file: beside the file a symbolic link points to, so every path to it shares one lock. */
export function lockPathOf(topologyFile: string): string {
  let real = topologyFile;
  try {
    real = realpathSync(topologyFile);
  } catch {
    // a missing file: the command reports it
  }
  return join(dirname(real), `.${basename(real)}.lock`);
}

interface Holder {
  pid: number;
  /** Absent in a lock of a system without /proc, of an earlier gen, or one cut short. */
  identity?: ProcessIdentity;
  text: string;
}

// "PID NONCE", then the identity: only a whole line counts, so that a lock cut short in its
// write is never read as another boot's.
const IDENTITY = /^\d+ [0-9a-f]+ boot=([0-9a-f-]+) pidns=(\d+) start=(\d+)\n$/;

function readHolder(lock: string): Holder | undefined {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(/^(\d+) /.exec(text)?.[1] ?? NaN);
  const identity = IDENTITY.exec(text);
  return identity ? { pid, identity: { boot: identity[1]!, pidns: Number(identity[2]), start: Number(identity[3]) }, text } : { pid, text };
}

function tryCreate(lock: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } catch (error) {
    // A lock without its owner's pid would make the next run wait: none at all instead.
    closeSync(fd);
    rmSync(lock, { force: true });
    throw error;
  }
  closeSync(fd);
  return true;
}

/**
 * Where no lock can be made, nobody can write the topology either: a
 * read-only checkout, or a full disk or quota (gen writes an edited topology
 * as a new file and renames it, which needs the space the lock needed).
 */
const UNWRITABLE = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT']);

/**
 * Removes a stale lock, unless another run replaced it meanwhile: the lock
 * is renamed away (only one run can), then checked to be the stale one;
 * a lock that turns out live is linked back.
 */
function breakStale(lock: string, stale: Holder): void {
  const aside = `${lock}.stale-${ownTag()}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let taken: string;
  try {
    taken = readFileSync(aside, 'utf8');
  } catch {
    taken = stale.text;
  }
  if (taken !== stale.text) {
    try {
      linkSync(aside, lock);
    } catch {
      // a third run holds the lock now; the one renamed away lost it
    }
  }
  rmSync(aside, { force: true });
}

/** What follows `<lock>.stale-` in the name breakStale gives a stale lock it moves aside. */
const ASIDE_SUFFIX = new RegExp(`^(${MAKER_TAG})-[0-9a-f]{8}$`);

/**
 * Removes the copies of stale locks that runs killed inside breakStale left
 * (between its rename and its rmSync), whose makers are gone: the holder of
 * the lock is the only run that looks, and a live run's copy is its own
 * business. Without this each such kill left a file beside the topology.
 */
function removeLeftAsides(lock: string): void {
  const prefix = `${basename(lock)}.stale-`;
  let names: string[];
  try {
    names = readdirSync(dirname(lock));
  } catch {
    return;
  }
  for (const name of names) {
    const maker = name.startsWith(prefix) ? ASIDE_SUFFIX.exec(name.slice(prefix.length))?.[1] : undefined;
    if (maker !== undefined && !otherMakerRuns(makerOfTag(maker))) rmSync(join(dirname(lock), name), { force: true });
  }
}

function isStale(lock: string, holder: Holder): boolean {
  if (Number.isSafeInteger(holder.pid)) return !processRuns(holder.pid, holder.identity);
  const stat = lstatSync(lock, { throwIfNoEntry: false });
  return stat !== undefined && Date.now() - stat.mtimeMs > EMPTY_GRACE_MS;
}

export interface Lock {
  /** False for a reading command in a directory where no lock can be made. */
  held: boolean;
  release(): void;
}

export interface LockOptions {
  /** A command that only reads: where the directory cannot be written, it runs without the lock. */
  readOnly?: boolean;
}

type Attempt = { held: true } | { held: false; holder: Holder };

/** One try at a lock file: made (held), or the live holder; a stale lock is taken over. */
function attempt(lock: string, content: string): Attempt {
  for (;;) {
    if (tryCreate(lock, content)) {
      removeLeftAsides(lock);
      return { held: true };
    }
    const holder = readHolder(lock);
    if (holder === undefined) continue;
    if (!isStale(lock, holder)) return { held: false, holder };
    breakStale(lock, holder);
  }
}

function who(holder: Holder): string {
  return Number.isSafeInteger(holder.pid) ? `pid ${holder.pid}` : 'starting';
}

function ownerContent(): string {
  const self = ownIdentity();
  const identity = self ? ` boot=${self.boot} pidns=${self.pidns} start=${self.start}` : '';
  return `${process.pid} ${randomBytes(8).toString('hex')}${identity}\n`;
}

function releaser(lock: string, content: string): () => void {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readHolder(lock)?.text === content) rmSync(lock, { force: true });
  };
  // A process that exits early (a closed stdout) still gives the lock back.
  process.on('exit', release);
  return release;
}

export async function acquireLock(topologyFile: string, options: LockOptions = {}): Promise<Lock> {
  const lock = lockPathOf(topologyFile);
  const content = ownerContent();
  const deadline = Date.now() + waitLimit();
  for (;;) {
    let tried: Attempt;
    try {
      tried = attempt(lock, content);
    } catch (error) {
      if (!isSystemError(error)) throw error;
      if (options.readOnly && UNWRITABLE.has(error.code ?? '')) return { held: false, release: () => {} };
      throw new ReportedError(`cannot create the lock file ${lock}: ${reasonOf(error)}`);
    }
    if (tried.held) break;
    if (Date.now() >= deadline) {
      throw new LockBusyError(`another gen is editing ${topologyFile} (${who(tried.holder)}); try again when it has finished, or remove ${lock} if no gen is running`);
    }
    await sleep(POLL_MS);
  }
  return { held: true, release: releaser(lock, content) };
}

/**
 * Takes the lock file `lock` for a synchronous run (a build writing its
 * output tree), waiting as long as acquireLock does; `busy` words the
 * error that names a live holder. Errors of the file system are thrown as
 * they are.
 */
export function acquireLockSync(lock: string, busy: (holder: string) => string): () => void {
  const content = ownerContent();
  const deadline = Date.now() + waitLimit();
  for (;;) {
    const tried = attempt(lock, content);
    if (tried.held) break;
    if (Date.now() >= deadline) throw new LockBusyError(`${busy(who(tried.holder))}; remove ${lock} if no gen is running`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
  return releaser(lock, content);
}

/** Runs `action` holding the topology's lock (see LockOptions for reading commands). */
export async function withLock<T>(topologyFile: string, action: (held: boolean) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireLock(topologyFile, options);
  try {
    return await action(lock.held);
  } finally {
    lock.release();
  }
}
