// The key commands killed at each crash point (a real SIGKILL: the child
// kills itself at the point named in GEN_TEST_CRASH_AT) and run out of
// disk space on a small tmpfs: every outcome is the old pair or the new
// pair of private key and topology public key, never a mix, never a lost
// key; the next command finishes or undoes what was left; a failure is one
// sentence with exit 1, and success is reported only for a change that
// landed. The crash points are listed in src/wg/key-change.ts.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintText } from '../../src/pipeline.js';
import { writeSecret } from '../../src/secrets.js';
import { generateKeyPair, publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { root } from '../helpers.js';
import { isRoot, titled } from '../system-tools.js';

const bin = join(root, 'bin/gen.js');
const PEER = 'home/wireguard/wg0/peers/laptop-john.key';
const INSTANCE = 'home/wireguard/wg0.key';

function gen(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
}

interface Pair {
  /** The public key the topology holds (undefined: the owner is not in the topology). */
  topology: string | undefined;
  /** The public key of the private key file (undefined: no file). */
  file: string | undefined;
  enabled?: boolean;
}

function topologyOf(dir: string) {
  return parse(readFileSync(join(dir, 'topology.yaml'), 'utf8')).sites[0].wireguard[0];
}

type Owner = 'peer' | 'instance' | 'new-peer' | 'disabled-peer';

/** The peer each owner stands for: laptop-john has a key in .secrets, iphone-john is disabled and has none. */
const PEER_NAMES = { peer: 'laptop-john', 'new-peer': 'kp', 'disabled-peer': 'iphone-john' } as const;

function pairOf(dir: string, owner: Owner): Pair {
  const wg = topologyOf(dir);
  const keyFile = join(dir, '.secrets', owner === 'instance' ? INSTANCE : `home/wireguard/wg0/peers/${PEER_NAMES[owner]}.key`);
  const file = existsSync(keyFile) ? publicKeyOf(readFileSync(keyFile, 'utf8').trim()) : undefined;
  if (owner === 'instance') return { topology: wg.public_key, file };
  const peer = wg.peers.find((p: { name: string }) => p.name === PEER_NAMES[owner]);
  return { topology: peer?.public_key, file, enabled: peer ? peer.enabled !== false : undefined };
}

/** Files gen leaves only while a change is in flight: pending and retired keys, temporary files. */
function inFlight(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.gen-(new|old)$|\.tmp$|\.lock$/.test(e.name) ? [join(d, e.name)] : []));
  return walk(dir);
}

const oldPeer = generateKeyPair();
const oldInstance = generateKeyPair();
const devicePeer = generateKeyPair();

/** A topology whose peer laptop-john and instance wg0 have private keys in .secrets. */
function prepare(dir: string): void {
  const text = readFileSync(join(root, 'topology.yaml'), 'utf8');
  const john = parse(text).sites[0].wireguard[0].peers.find((p: { name: string }) => p.name === 'laptop-john').public_key as string;
  const instance = parse(text).sites[0].wireguard[0].public_key as string;
  writeFileSync(join(dir, 'topology.yaml'), text.replace(john, oldPeer.publicKey).replace(instance, oldInstance.publicKey));
  writeSecret(join(dir, '.secrets'), PEER, oldPeer.privateKey);
  writeSecret(join(dir, '.secrets'), INSTANCE, oldInstance.privateKey);
}

interface Case {
  name: string;
  args: string[];
  owner: Owner;
  points: string[];
  /** The state before the command ("old") and after it ("new"). */
  isOld(p: Pair): boolean;
  isNew(p: Pair): boolean;
}

const CASES: Case[] = [
  {
    name: 'add-peer',
    args: ['wg', 'add-peer', 'kp', '--role', 'workstation'],
    owner: 'new-peer',
    points: ['before-rename:kp.key.gen-new', 'wg:key-staged', 'before-rename:topology.yaml', 'wg:topology-written', 'wg:key-installed'],
    isOld: (p) => p.topology === undefined && p.file === undefined,
    isNew: (p) => p.topology !== undefined && p.file === p.topology,
  },
  {
    name: 'add-peer --public-key',
    args: ['wg', 'add-peer', 'kp', '--role', 'workstation', '--public-key', devicePeer.publicKey],
    owner: 'new-peer',
    points: ['before-rename:topology.yaml'],
    isOld: (p) => p.topology === undefined && p.file === undefined,
    isNew: (p) => p.topology === devicePeer.publicKey && p.file === undefined,
  },
  {
    name: 'rotate',
    args: ['wg', 'rotate', 'laptop-john'],
    owner: 'peer',
    points: ['before-rename:laptop-john.key.gen-new', 'wg:key-staged', 'before-rename:topology.yaml', 'wg:topology-written', 'wg:key-installed'],
    isOld: (p) => p.topology === oldPeer.publicKey && p.file === oldPeer.publicKey,
    isNew: (p) => p.topology !== oldPeer.publicKey && p.file === p.topology,
  },
  {
    name: 'rotate --public-key',
    args: ['wg', 'rotate', 'laptop-john', '--public-key', devicePeer.publicKey],
    owner: 'peer',
    points: ['wg:key-retired', 'before-rename:topology.yaml', 'wg:topology-written'],
    isOld: (p) => p.topology === oldPeer.publicKey && p.file === oldPeer.publicKey,
    isNew: (p) => p.topology === devicePeer.publicKey && p.file === undefined,
  },
  {
    name: 'keygen --instance --force',
    args: ['wg', 'keygen', '--instance', 'wg0', '--force'],
    owner: 'instance',
    points: ['before-rename:wg0.key.gen-new', 'wg:key-staged', 'before-rename:topology.yaml', 'wg:topology-written', 'wg:key-installed'],
    isOld: (p) => p.topology === oldInstance.publicKey && p.file === oldInstance.publicKey,
    isNew: (p) => p.topology !== oldInstance.publicKey && p.file === p.topology,
  },
  {
    name: 'disable',
    args: ['wg', 'disable', 'laptop-john'],
    owner: 'peer',
    points: ['before-rename:topology.yaml'],
    isOld: (p) => p.enabled === true && p.file === oldPeer.publicKey,
    isNew: (p) => p.enabled === false && p.file === oldPeer.publicKey,
  },
  {
    name: 'enable',
    args: ['wg', 'enable', 'iphone-john'],
    owner: 'disabled-peer',
    points: ['before-rename:topology.yaml'],
    isOld: (p) => p.enabled === false && p.file === undefined,
    isNew: (p) => p.enabled === true && p.file === undefined,
  },
];

/** Whether the topology holds the change once a crash point is passed: the topology's rename decides. */
function landed(points: string[], point: string): boolean {
  const at = points.indexOf(point);
  const topology = points.indexOf('before-rename:topology.yaml');
  return at > topology;
}

/** Runs the next command, which repairs first (under the lock), and returns the state it leaves. */
function repaired(dir: string, c: Case): Pair {
  const next = gen(dir, c.owner === 'instance' ? ['wg', 'export-instance'] : ['wg', 'export', PEER_NAMES[c.owner]]);
  expect(next.stderr).not.toMatch(/internal error/);
  return pairOf(dir, c.owner);
}

describe('key commands killed at each crash point', () => {
  for (const c of CASES) {
    it.each(c.points)(`${c.name}, killed at %s: the old or the new pair, then repaired`, async (point) => {
      const dir = mkdtempSync(join(tmpdir(), 'gen-key-crash-'));
      prepare(dir);
      const killed = gen(dir, c.args, { GEN_TEST_CRASH_AT: point });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      // Right after the kill the topology is whole and clean either way.
      expect((await lintText(readFileSync(join(dir, 'topology.yaml'), 'utf8'))).diagnostics).toEqual([]);
      const after = repaired(dir, c);
      expect(landed(c.points, point) ? c.isNew(after) : c.isOld(after), JSON.stringify(after)).toBe(true);
      expect(inFlight(dir)).toEqual([]);
      // And the command works from there.
      if (!landed(c.points, point)) {
        const again = gen(dir, c.args);
        expect([again.status, again.stderr]).toEqual([0, expect.any(String)]);
        expect(c.isNew(pairOf(dir, c.owner))).toBe(true);
      }
    });
  }

  it('every crash point is reached (a wrong name would make the kill tests pass on nothing)', () => {
    const source = readFileSync(join(root, 'src/wg/key-change.ts'), 'utf8');
    for (const point of ['wg:key-staged', 'wg:topology-written', 'wg:key-installed', 'wg:key-retired']) expect(source).toContain(`crashPoint('${point}')`);
  });
});

const whyRoot = isRoot ? undefined : 'needs root';

describe.skipIf(whyRoot)(titled('key commands on a full disk (a 64 KiB tmpfs)', whyRoot), () => {
  const mount = mkdtempSync(join(tmpdir(), 'gen-enospc-'));
  beforeAll(() => {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mount], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount tmpfs: ${r.stderr}`);
  });
  afterAll(() => {
    spawnSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  /** Fills the file system to `free` pages of 4 KiB left. */
  function fill(free: number): void {
    const filler = join(mount, 'filler');
    mkdirSync(filler, { recursive: true });
    let n = 0;
    for (;;) {
      try {
        writeFileSync(join(filler, String(n)), Buffer.alloc(4096));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        rmSync(join(filler, String(n)), { force: true });
        break;
      }
      n++;
    }
    for (let i = 0; i < free; i++) rmSync(join(filler, String(n - 1 - i)));
  }

  for (const c of CASES) {
    it(`${c.name}: at every amount of free space, the old or the new pair, one sentence on failure`, () => {
      const outcomes = new Set<string>();
      const dir = join(mount, 'repo');
      // Four pages (lock, pending key, the topology's temporary file) are the most any command needs.
      for (let free = 0; free <= 4; free++) {
        for (const entry of readdirSync(mount)) rmSync(join(mount, entry), { recursive: true, force: true });
        mkdirSync(dir);
        copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
        prepare(dir);
        fill(free);
        const r = gen(dir, c.args);
        const state = pairOf(dir, c.owner);
        if (r.status === 0) {
          // Success is reported only for a change that landed.
          expect(c.isNew(state), `${free} pages: ${JSON.stringify(state)}`).toBe(true);
          outcomes.add('done');
        } else {
          expect(r.status, r.stderr).toBe(1);
          expect(r.stderr).toMatch(/^gen: cannot (write|create the lock file) \S+: no space left on the device \(ENOSPC\)\n$/);
          expect(c.isOld(state), `${free} pages: ${JSON.stringify(state)}`).toBe(true);
          expect(inFlight(dir), `${free} pages`).toEqual([]);
          outcomes.add('refused');
        }
      }
      // With space again, the next command finds nothing to repair and works.
      rmSync(join(mount, 'filler'), { recursive: true, force: true });
      expect(c.isOld(repaired(dir, c)) || c.isNew(pairOf(dir, c.owner))).toBe(true);
      expect([...outcomes].sort()).toEqual(['done', 'refused']);
    });
  }
});
