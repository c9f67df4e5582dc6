// `gen lint` and `gen wg list` look at the stored key of every peer: for
// 100,000 peers, a system call per peer and file was a second of the
// lint. Each directory of the secrets tree is now checked and listed once;
// only a key that is there is opened. The count of lstat calls is the
// measure, not time.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Model } from '../../src/model.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

vi.mock('node:path', async (original) => {
  const actual = await original<typeof import('node:path')>();
  return { ...actual, join: vi.fn(actual.join) };
});

vi.mock('node:fs', async (original) => {
  const actual = await original<typeof import('node:fs')>();
  return { ...actual, lstatSync: vi.fn(actual.lstatSync), readdirSync: vi.fn(actual.readdirSync) };
});

// Test files share their worker's modules (vitest.config.ts: isolate false): gen's modules that an
// earlier file loaded hold the real node:fs, and would count nothing. They are loaded anew here,
// after the mock, with node:fs itself, so that the counted functions are the ones gen calls.
vi.resetModules();
const fs = await import('node:fs');
const { mkdirSync, writeFileSync } = fs;
const { PENDING_SUFFIX } = await import('../../src/wg/key-change.js');
const { keyFindings, keyHolders } = await import('../../src/wg/key-state.js');
const path = await import('node:path');
const actualFs = await vi.importActual<typeof import('node:fs')>('node:fs');

/** A model with one instance and `count` peers: only the fields keyHolders reads. */
function modelWith(count: number, keys: Map<string, string>): Model {
  const peers = Array.from({ length: count }, (_, i) => ({ name: `p${i}`, publicKey: keys.get(`p${i}`) ?? generateKeyPair().publicKey, path: ['sites', 0, 'wireguard', 0, 'peers', i] }));
  return { sites: [{ name: 'home', wireguard: [{ name: 'wg0', publicKey: undefined, peers }] }] } as unknown as Model;
}

/** A secrets tree with peer p7's key stored and a key change of p9 left half-done; the model of `count` peers. */
function storedKey(count: number) {
  const secrets = tempDir('gen-key-scan-');
  fs.chmodSync(secrets, 0o700);
  const peers = join(secrets, 'home/wireguard/wg0/peers');
  mkdirSync(peers, { recursive: true, mode: 0o700 });
  const stored = generateKeyPair();
  writeFileSync(join(peers, 'p7.key'), `${stored.privateKey}\n`, { mode: 0o600 });
  writeFileSync(join(peers, `p9.key${PENDING_SUFFIX}`), `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
  return { secrets, model: modelWith(count, new Map([['p7', stored.publicKey]])) };
}

describe('the stored keys of many peers', () => {
  it('cost a few system calls per directory, not one per peer', () => {
    const { secrets, model } = storedKey(2_000);
    vi.mocked(fs.lstatSync).mockClear();
    const holders = keyHolders(model, secrets);
    // Counted at all: gen's modules read node:fs through the mock.
    expect(vi.mocked(fs.lstatSync).mock.calls.length).toBeGreaterThan(0);
    expect(vi.mocked(fs.lstatSync).mock.calls.length).toBeLessThan(40);
    const state = new Map(holders.map((h) => [h.peer?.name ?? 'instance', h.info]));
    expect(state.get('p7')).toMatchObject({ state: 'present', pending: false });
    expect(state.get('p9')).toMatchObject({ state: 'missing', pending: true });
    expect(state.get('p8')).toMatchObject({ state: 'missing', pending: false });
    expect(state.get('instance')).toMatchObject({ state: 'missing', pending: false });
  });

  const stateOf = (holders: ReturnType<typeof keyHolders>, name: string) => holders.find((h) => h.peer?.name === name)?.info.state;

  it('looks keys up one by one in a directory it may enter but not list (mode 0300)', () => {
    const { secrets, model } = storedKey(20);
    const denied = Object.assign(new Error('EACCES: permission denied, scandir'), { code: 'EACCES', syscall: 'scandir' });
    vi.mocked(fs.readdirSync).mockClear();
    vi.mocked(fs.readdirSync).mockImplementation(() => {
      throw denied;
    });
    try {
      const holders = keyHolders(model, secrets);
      expect(vi.mocked(fs.readdirSync)).toHaveBeenCalled();
      expect([stateOf(holders, 'p7'), stateOf(holders, 'p8')]).toEqual(['present', 'missing']);
    } finally {
      vi.mocked(fs.readdirSync).mockImplementation(actualFs.readdirSync as never);
    }
  });

  it('finds a key whose name the file system lists in another case (macOS, Windows)', () => {
    const { secrets, model } = storedKey(20);
    // A file system that ignores case opens p7.key by any case, and lists the name as it was first written.
    vi.mocked(fs.readdirSync).mockClear();
    vi.mocked(fs.readdirSync).mockReturnValue(['P7.Key'] as never);
    try {
      expect(stateOf(keyHolders(model, secrets), 'p7')).toBe('present');
      expect(vi.mocked(fs.readdirSync)).toHaveBeenCalled();
    } finally {
      vi.mocked(fs.readdirSync).mockImplementation(actualFs.readdirSync as never);
    }
  });

  it('still refuses a directory of the tree that others may write, before reading any key', () => {
    const secrets = tempDir('gen-key-scan-');
    fs.chmodSync(secrets, 0o700);
    mkdirSync(join(secrets, 'home/wireguard/wg0/peers'), { recursive: true, mode: 0o700 });
    fs.chmodSync(join(secrets, 'home/wireguard/wg0'), 0o777);
    expect(() => keyHolders(modelWith(3, new Map()), secrets)).toThrow(/wg0: it is writable by group or others/);
  });
});

describe('gen lint on the keys of many peers', () => {
  it('makes no path, holder or state for a peer whose key is not stored', () => {
    const { secrets, model } = storedKey(2_000);
    vi.mocked(path.join).mockClear();
    // p7's key is stored and belongs to its public key: nothing to report.
    expect(keyFindings(model, secrets)).toEqual([]);
    // A few joins for each directory and stored key; 100,000 peers made 100,000 key paths.
    expect(vi.mocked(path.join).mock.calls.length).toBeLessThan(100);
    expect(keyHolders(model, secrets, true).map((h) => h.peer?.name)).toEqual(['p7', 'p9']);
  });

  it('still reports a stored key that does not belong to its public key, and a published one', () => {
    const { secrets, model } = storedKey(2_000);
    const peers = model.sites[0]!.wireguard[0]!.peers;
    // p7 names another public key; p12 publishes p7's private key.
    const own = peers[7]!.publicKey;
    peers[7]!.publicKey = generateKeyPair().publicKey;
    const stored = fs.readFileSync(join(secrets, 'home/wireguard/wg0/peers/p7.key'), 'utf8').trim();
    peers[12]!.publicKey = stored;
    const findings = keyFindings(model, secrets);
    expect(findings.map((f) => [f.rule, f.path.join('.')])).toEqual([
      ['secrets/private-key-in-topology', 'sites.0.wireguard.0.peers.12.public_key'],
      ['secrets/key-mismatch', 'sites.0.wireguard.0.peers.7.public_key'],
    ]);
    expect(own).not.toBe(peers[7]!.publicKey);
  });
});
