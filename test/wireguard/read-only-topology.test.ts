// A topology the user may not write: read-only (mode 0444), or another
// user's in a directory the user may write. rename(2) asks only for write
// permission on the directory, so an atomic write replaced either all the
// same (the other user's file then became the writer's). Every command that
// edits the topology refuses it (exit 1) before anything is written: no key,
// no secrets directory, the topology's bytes, mode and owner as they were.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, lchownSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { isRoot, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const NOBODY = 65534;
const bin = join(root, 'bin/gen.js');

function gen(args: string[], cwd: string, uid?: number): SpawnSyncReturns<string> {
  const asUser = uid === undefined ? {} : { uid, gid: uid };
  return spawnSync(process.execPath, [bin].concat(args), Object.assign({ cwd, encoding: 'utf8' as const, timeout: 20_000, env: Object.assign({}, process.env, { NO_COLOR: '1', HOME: cwd }) }, asUser));
}

/** Every path below `dir` with its mode, owner and (for a file) bytes. */
function snapshot(dir: string, below = ''): Record<string, string> {
  const state: Record<string, string> = {};
  for (const name of readdirSync(join(dir, below))) {
    const path = join(dir, below, name);
    const stat = statSync(path);
    const key = join(below, name);
    state[key] = `${(stat.mode & 0o7777).toString(8)} ${stat.uid}`;
    if (stat.isDirectory()) Object.assign(state, snapshot(dir, key));
    else state[key] += ` ${readFileSync(path, 'base64')}`;
  }
  return state;
}

/** Every path below `dir` handed to `uid`, as a checkout of that user would be. */
function chownTree(dir: string, uid: number): void {
  lchownSync(dir, uid, uid);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) lchownSync(join(dir, name), uid, uid);
}

/** A scenario-A topology with an instance key and a peer made by gen, all owned by nobody. */
function project(): string {
  const dir = tempDir('gen-read-only-topology-');
  copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
  expect(gen(['wg', 'keygen', '--instance', 'wg0', '--force'], dir).status).toBe(0);
  expect(gen(['wg', 'add-peer', 'pixel-anna', '--role', 'mobile'], dir).status).toBe(0);
  chownTree(dir, NOBODY);
  return dir;
}

const EDITS = [
  ['wg', 'add-peer', 'tablet', '--role', 'mobile'],
  ['wg', 'add-peer', 'tablet', '--role', 'mobile', '--public-key', 'XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU='],
  ['wg', 'rotate', 'pixel-anna'],
  ['wg', 'rotate', 'pixel-anna', '--public-key', 'XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU='],
  ['wg', 'keygen', '--instance', 'wg0', '--force'],
  ['wg', 'disable', 'pixel-anna'],
];

describe('a topology the user may not write', () => {
  const skip = isRoot ? undefined : 'needs root';

  it.skipIf(!isRoot)(titled('each gen wg command that edits it refuses a read-only topology (exit 1) and writes nothing', skip), () => {
    const dir = project();
    chmodSync(join(dir, 'topology.yaml'), 0o444);
    const before = snapshot(dir);
    for (const args of EDITS) {
      const r = gen(args, dir, NOBODY);
      expect([args.join(' '), r.status, r.stderr]).toEqual([
        args.join(' '),
        1,
        'gen: refusing to change topology.yaml: you may not write it (mode 0444); nothing was written. Make it writable (chmod u+w topology.yaml) and run the command again\n',
      ]);
      expect(snapshot(dir)).toEqual(before);
    }
    // The same user may edit it once it is writable: the refusal was the mode's.
    chmodSync(join(dir, 'topology.yaml'), 0o644);
    expect(gen(['wg', 'disable', 'pixel-anna'], dir, NOBODY).status).toBe(0);
  });

  it.skipIf(!isRoot)(titled("another user's topology in a directory the user may write is refused, and keeps its owner", skip), () => {
    const dir = project();
    // root's file (0644) in nobody's directory: nobody may rename over it, not write it.
    chownSync(join(dir, 'topology.yaml'), 0, 0);
    const before = snapshot(dir);
    for (const args of EDITS) {
      const r = gen(args, dir, NOBODY);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 1, expect.stringMatching(/^gen: refusing to change topology\.yaml: you may not write it \(mode 0644\); nothing was written/)]);
      expect(snapshot(dir)).toEqual(before);
    }
    expect(statSync(join(dir, 'topology.yaml')).uid).toBe(0);
  });
});
