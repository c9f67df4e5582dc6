// Shared by the key-command crash tests: a topology whose peer laptop-john
// and instance wg0 have private keys, the commands with their crash points,
// and how to read the pair of private key and topology public key.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { writeSecret } from '../../src/secrets.js';
import { generateKeyPair, publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { root } from '../helpers.js';
import { gen as genHere } from '../wireguard/cli.js';

export const bin = join(root, 'bin/gen.js');
export const PEER = 'home/wireguard/wg0/peers/laptop-john.key';
export const INSTANCE = 'home/wireguard/wg0.key';

export function gen(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
}

export interface Pair {
  /** The public key the topology holds (undefined: the owner is not in the topology). */
  topology: string | undefined;
  /** The public key of the private key file (undefined: no file). */
  file: string | undefined;
  enabled?: boolean;
}

export function topologyOf(dir: string) {
  return parse(readFileSync(join(dir, 'topology.yaml'), 'utf8')).sites[0].wireguard[0];
}

export type Owner = 'peer' | 'instance' | 'new-peer' | 'disabled-peer';

/** The peer each owner stands for: laptop-john has a key in .secrets, iphone-john is disabled and has none. */
export const PEER_NAMES = { peer: 'laptop-john', 'new-peer': 'kp', 'disabled-peer': 'iphone-john' } as const;

export function pairOf(dir: string, owner: Owner): Pair {
  const wg = topologyOf(dir);
  const keyFile = join(dir, '.secrets', owner === 'instance' ? INSTANCE : `home/wireguard/wg0/peers/${PEER_NAMES[owner]}.key`);
  const file = existsSync(keyFile) ? publicKeyOf(readFileSync(keyFile, 'utf8').trim()) : undefined;
  if (owner === 'instance') return { topology: wg.public_key, file };
  const peer = wg.peers.find((p: { name: string }) => p.name === PEER_NAMES[owner]);
  return { topology: peer?.public_key, file, enabled: peer ? peer.enabled !== false : undefined };
}

/** Files gen leaves only while a change is in flight: pending and retired keys, temporary files. */
export function inFlight(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.gen-(new|old)$|\.tmp$|\.lock$/.test(e.name) ? [join(d, e.name)] : []));
  return walk(dir);
}

export const oldPeer = generateKeyPair();
export const oldInstance = generateKeyPair();
export const devicePeer = generateKeyPair();

/** A topology whose peer laptop-john and instance wg0 have private keys in .secrets. */
export function prepare(dir: string): void {
  const text = readFileSync(join(root, 'topology.yaml'), 'utf8');
  const john = parse(text).sites[0].wireguard[0].peers.find((p: { name: string }) => p.name === 'laptop-john').public_key as string;
  const instance = parse(text).sites[0].wireguard[0].public_key as string;
  writeFileSync(join(dir, 'topology.yaml'), text.replace(john, oldPeer.publicKey).replace(instance, oldInstance.publicKey));
  writeSecret(join(dir, '.secrets'), PEER, oldPeer.privateKey);
  writeSecret(join(dir, '.secrets'), INSTANCE, oldInstance.privateKey);
}

export interface Case {
  name: string;
  args: string[];
  owner: Owner;
  points: string[];
  /** The state before the command ("old") and after it ("new"). */
  isOld(p: Pair): boolean;
  isNew(p: Pair): boolean;
}

export const CASES: Case[] = [
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
export function landed(points: string[], point: string): boolean {
  const at = points.indexOf(point);
  const topology = points.indexOf('before-rename:topology.yaml');
  return at > topology;
}

/**
 * Runs a command in this process on the topology of `dir` (named with -f;
 * its secrets are beside it). The kill and the full disk need a process of
 * their own; what runs after them is the same code without a process's
 * start (a fifth of a second each, of CPU).
 */
export function here(dir: string, args: readonly string[]): ReturnType<typeof genHere> {
  return genHere(...args, '-f', join(dir, 'topology.yaml'));
}

/** Runs the next command, which repairs first (under the lock), and returns the state it leaves. */
export async function repaired(dir: string, c: Case): Promise<Pair> {
  const next = await here(dir, c.owner === 'instance' ? ['wg', 'export-instance'] : ['wg', 'export', PEER_NAMES[c.owner]]);
  expect(next.stderr).not.toMatch(/internal error/);
  return pairOf(dir, c.owner);
}

