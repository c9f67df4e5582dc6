// A file whose status changed strictly after another's. The kernel stamps a
// status change (ctime) from a clock that ticks every few milliseconds, so
// files written or renamed one after the other within a tick share one
// ctime. An update of out/ tells a file as gen left it from one changed
// since by its ctime being older than the MANIFEST's (src/emit.ts
// unchanged): one that shares the MANIFEST's is read back and compared,
// which for plan.json of 10,000 peers was 16 MB read on every build.
import { chmodSync, lstatSync } from 'node:fs';

/** How long to wait for the clock at each try, and the most tries (a tick is 1 to 10 ms). */
const WAIT_MS = 1;
const TRIES = 200;

/**
 * Changes the status of `file` (its mode, set to `mode`: what it has) until
 * its ctime is later than `ctimeMs`, waiting for the clock between tries.
 * A clock that does not move within the tries leaves it as it is: the next
 * build then reads the files that share its ctime, as before.
 */
export function statusAfter(file: string, ctimeMs: number, mode: number): void {
  for (let tries = 0; lstatSync(file).ctimeMs <= ctimeMs && tries < TRIES; tries++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAIT_MS);
    chmodSync(file, mode);
  }
}
