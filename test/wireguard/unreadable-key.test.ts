// A key file the user may not read (mode 0000 or 0200, root's 0600, a
// directory in its place): gen can tell neither which key it holds nor
// whether it is the only copy. Every key command refuses it (exit 1) with
// the file and the command that fixes it, and writes nothing: the topology
// and the secrets directory stay byte for byte, so a rotation is never
// half done (a new public key with the old file, or the reverse). Run as
// uid 65534, since root reads every file.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, lchownSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { root } from '../helpers.js';
import { isRoot, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const NOBODY = 65534;
const bin = join(root, 'bin/gen.js');
const PEER_KEY = '.secrets/home/wireguard/wg0/peers/pa.key';
const INSTANCE_KEY = '.secrets/home/wireguard/wg0.key';
const DEVICE_KEY = 'XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU=';

function gen(args: readonly string[], cwd: string, uid?: number): SpawnSyncReturns<string> {
  const asUser = uid === undefined ? {} : { uid, gid: uid };
  return spawnSync(process.execPath, [bin].concat(args), Object.assign({ cwd, encoding: 'utf8' as const, timeout: 20_000, env: Object.assign({}, process.env, { NO_COLOR: '1', HOME: cwd }) }, asUser));
}

/** Every path below `dir` with its kind, mode, owner and (for a file, as root reads it) bytes. */
function snapshot(dir: string): Record<string, string> {
  const state: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = statSync(join(dir, name));
    state[name] = `${(stat.mode & 0o170777).toString(8)} ${stat.uid}${stat.isFile() ? ` ${readFileSync(join(dir, name), 'base64')}` : ''}`;
  }
  return state;
}

/** A topology with an instance key and a peer `pa` made by gen, all owned by nobody. */
function project(): string {
  const dir = tempDir('gen-unreadable-key-');
  copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
  expect(gen(['wg', 'keygen', '--instance', 'wg0', '--force'], dir).status).toBe(0);
  expect(gen(['wg', 'add-peer', 'pa', '--role', 'mobile'], dir).status).toBe(0);
  lchownSync(dir, NOBODY, NOBODY);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) lchownSync(join(dir, name), NOBODY, NOBODY);
  return dir;
}

function peerPublicKey(dir: string): string {
  const topology = parse(readFileSync(join(dir, 'topology.yaml'), 'utf8')) as { sites: { wireguard?: { peers?: { name: string; public_key: string }[] }[] }[] };
  return topology.sites.flatMap((s) => s.wireguard ?? []).flatMap((i) => i.peers ?? []).find((p) => p.name === 'pa')!.public_key;
}

/** The refusal of a key file this user may not read, with the fix for its state. */
function unreadable(file: string, mode: string, uid: number, fix: string): string {
  return (
    `gen: cannot read ${file} (mode ${mode}, uid ${uid}): gen neither uses nor replaces a private key it cannot read. ` +
    `Make it readable (${fix}) and run the command again; to drop that key, remove the file (rm ${file})\n`
  );
}

describe('a key file gen cannot read', () => {
  const skip = isRoot ? undefined : 'needs root';

  it.skipIf(!isRoot)(titled('rotate, rotate --public-key, keygen --force, export and list refuse it and write nothing; with the fix, rotate works', skip), () => {
    const dir = project();
    const own = `chmod 600 ${PEER_KEY}`;
    const cases: [string[], string, () => void, string][] = [
      [['wg', 'rotate', 'pa'], PEER_KEY, () => chmodSync(join(dir, PEER_KEY), 0o000), unreadable(PEER_KEY, '0000', NOBODY, own)],
      [['wg', 'rotate', 'pa'], PEER_KEY, () => chmodSync(join(dir, PEER_KEY), 0o200), unreadable(PEER_KEY, '0200', NOBODY, own)],
      [['wg', 'rotate', 'pa'], PEER_KEY, () => chownSync(join(dir, PEER_KEY), 0, 0), unreadable(PEER_KEY, '0600', 0, `its owner (uid 0) can give it to you: chown ${NOBODY} ${PEER_KEY}`)],
      [['wg', 'rotate', 'pa', '--public-key', DEVICE_KEY], PEER_KEY, () => chmodSync(join(dir, PEER_KEY), 0o000), unreadable(PEER_KEY, '0000', NOBODY, own)],
      [['wg', 'keygen', '--instance', 'wg0', '--force'], INSTANCE_KEY, () => chmodSync(join(dir, INSTANCE_KEY), 0o000), unreadable(INSTANCE_KEY, '0000', NOBODY, `chmod 600 ${INSTANCE_KEY}`)],
      [['wg', 'export', 'pa'], PEER_KEY, () => chmodSync(join(dir, PEER_KEY), 0o000), unreadable(PEER_KEY, '0000', NOBODY, own)],
      [['wg', 'list'], PEER_KEY, () => chmodSync(join(dir, PEER_KEY), 0o000), unreadable(PEER_KEY, '0000', NOBODY, own)],
    ];
    for (const [args, file, spoil, message] of cases) {
      spoil();
      const before = snapshot(dir);
      const r = gen(args, dir, NOBODY);
      expect([args.join(' '), r.status, r.stdout, r.stderr]).toEqual([args.join(' '), 1, '', message]);
      expect(snapshot(dir)).toEqual(before);
      chownSync(join(dir, file), NOBODY, NOBODY);
      chmodSync(join(dir, file), 0o600);
    }
    // The fix the message names is enough: the rotation then goes through, and the pair belongs together.
    const old = peerPublicKey(dir);
    const r = gen(['wg', 'rotate', 'pa'], dir, NOBODY);
    expect(r.status, r.stderr).toBe(0);
    expect(peerPublicKey(dir)).not.toBe(old);
    expect(publicKeyOf(readFileSync(join(dir, PEER_KEY), 'utf8').trim())).toBe(peerPublicKey(dir));
  });

  it.skipIf(!isRoot)(titled("the file of a key change that the rotation would write or rename over, unreadable, is refused too", skip), () => {
    const dir = project();
    for (const [args, suffix] of [[['wg', 'rotate', 'pa'], '.gen-new'], [['wg', 'rotate', 'pa', '--public-key', DEVICE_KEY], '.gen-old']] as const) {
      const file = `${PEER_KEY}${suffix}`;
      copyFileSync(join(dir, PEER_KEY), join(dir, file));
      chownSync(join(dir, file), NOBODY, NOBODY);
      chmodSync(join(dir, file), 0o000);
      const before = snapshot(dir);
      const r = gen(args, dir, NOBODY);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 1, unreadable(file, '0000', NOBODY, `chmod 600 ${file}`)]);
      expect(snapshot(dir)).toEqual(before);
      rmSync(join(dir, file));
    }
  });

  it.skipIf(!isRoot)(titled('a key directory the user may not enter or write is refused with the chmod (or chown) that opens it, before anything is written', skip), () => {
    const dir = project();
    const peers = '.secrets/home/wireguard/wg0/peers';
    const closed = (at: string, does: string, mode: string, uid: number, fix: string) =>
      `gen: cannot ${does} ${at} (mode ${mode}, uid ${uid}); nothing was written. Open it to yourself (${fix}) and run the command again\n`;
    const cases: [string, () => void, string][] = [
      [peers, () => chmodSync(join(dir, peers), 0o000), closed(peers, `look for ${PEER_KEY} in`, '0000', NOBODY, `chmod 700 ${peers}`)],
      [peers, () => chmodSync(join(dir, peers), 0o500), closed(peers, 'write a key into', '0500', NOBODY, `chmod 700 ${peers}`)],
      [peers, () => chownSync(join(dir, peers), 0, 0), closed(peers, `look for ${PEER_KEY} in`, '0700', 0, `its owner (uid 0) can give it to you: chown ${NOBODY} ${peers}`)],
      ['.secrets', () => chmodSync(join(dir, '.secrets'), 0o000), closed('.secrets', 'look for .secrets/home in', '0000', NOBODY, 'chmod 700 .secrets')],
    ];
    for (const [closedDir, close, message] of cases) {
      close();
      const before = snapshot(dir);
      for (const args of [['wg', 'rotate', 'pa'], ['wg', 'rotate', 'pa', '--public-key', DEVICE_KEY]]) {
        const r = gen(args, dir, NOBODY);
        expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 1, message]);
        expect(snapshot(dir)).toEqual(before);
      }
      chownSync(join(dir, closedDir), NOBODY, NOBODY);
      chmodSync(join(dir, closedDir), 0o700);
    }
  });

  it.skipIf(!isRoot)(titled('a directory in place of the key is refused, named, with the command that moves it away', skip), () => {
    const dir = project();
    rmSync(join(dir, PEER_KEY));
    mkdirSync(join(dir, PEER_KEY), { mode: 0o700 });
    chownSync(join(dir, PEER_KEY), NOBODY, NOBODY);
    const before = snapshot(dir);
    for (const args of [['wg', 'rotate', 'pa'], ['wg', 'rotate', 'pa', '--public-key', DEVICE_KEY]]) {
      const r = gen(args, dir, NOBODY);
      expect([args.join(' '), r.status, r.stderr]).toEqual([
        args.join(' '),
        1,
        `gen: refusing ${PEER_KEY}: it is a directory, where gen keeps a private key: move it away (mv ${PEER_KEY} ${PEER_KEY}.away) and run the command again\n`,
      ]);
      expect(snapshot(dir)).toEqual(before);
    }
    // Moved away as the message says, the rotation makes the pair and leaves the directory alone.
    expect(spawnSync('mv', [PEER_KEY, `${PEER_KEY}.away`], { cwd: dir }).status).toBe(0);
    expect(gen(['wg', 'rotate', 'pa'], dir, NOBODY).status).toBe(0);
    expect(publicKeyOf(readFileSync(join(dir, PEER_KEY), 'utf8').trim())).toBe(peerPublicKey(dir));
    expect(statSync(join(dir, `${PEER_KEY}.away`)).isDirectory()).toBe(true);
  });
});
