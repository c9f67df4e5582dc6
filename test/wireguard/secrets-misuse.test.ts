// What a clumsy command line must not do with the private keys: put them
// into the output tree (--secrets pointing into out/), publish a private
// key pasted as --public-key, echo a malformed --public-key (it may be a
// private key) into the terminal or a CI log, and remove files of the
// secrets directory that gen never wrote. Each case runs the built command
// line and looks at the files on disk, the exit code and every byte printed.
import { spawnSync } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Model } from '../../src/model.js';
import { generateKeyPair, publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { recoverKeyChanges } from '../../src/wg/key-change.js';
import { root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { gen as genHere } from './cli.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
const original = readFileSync(join(root, 'topology.yaml'), 'utf8');

function gen(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A step that prepares what a case looks at (a build, a key), run in this
 * process in `dir`: what it prints and its exit code are not the case's
 * subject, and a process of its own costs a fifth of a second of CPU.
 */
async function prepared(dir: string, ...args: string[]): Promise<void> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const r = await genHere(...args);
    expect(r.code, r.stderr).toBe(0);
  } finally {
    process.chdir(cwd);
  }
}

function scratch(): string {
  const dir = tempDir('gen-misuse-');
  copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
  return dir;
}

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const relative = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesBelow(dir, relative) : [relative];
  });
}

/** Whether any part of `key` (16 characters or more) shows in `text`. */
function showsKey(text: string, key: string): boolean {
  for (let i = 0; i + 16 <= key.length; i++) if (text.includes(key.slice(i, i + 16))) return true;
  return false;
}

const topology = (dir: string) => readFileSync(join(dir, 'topology.yaml'), 'utf8');

describe('--secrets never in an output tree', () => {
  const refusal = /^gen: refusing the secrets directory .*: it (is|is inside|holds) the output (directory|tree) .*so a private key there would be published: give --secrets a directory of its own/;

  it('add-peer --secrets out writes no key into out/, changes nothing, and the next build still runs', async () => {
    const dir = scratch();
    await prepared(dir, 'build', '-q');
    const before = filesBelow(join(dir, 'out'));
    const r = gen(dir, 'wg', 'add-peer', 'y', '--role', 'workstation', '--secrets', 'out');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(refusal);
    expect(r.stderr.split('\n').length).toBe(2);
    expect(filesBelow(join(dir, 'out'))).toEqual(before);
    expect(topology(dir)).toBe(original);
    expect(gen(dir, 'build', '--check', '-q').code).toBe(0);
    expect(gen(dir, 'build', '-q').code).toBe(0);
  });

  it('is refused inside out/, holding out/, holding an output tree on the keys path, and for out/ not yet built', async () => {
    const dir = scratch();
    // Before any build: out/ is where gen build writes.
    const unbuilt = gen(dir, 'wg', 'keygen', '--instance', 'wg0', '--force', '--secrets', 'out');
    expect([unbuilt.code, unbuilt.stdout]).toEqual([2, '']);
    expect(unbuilt.stderr).toContain('it is the output directory out');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    await prepared(dir, 'build', '-q');
    for (const [secrets, says] of [
      ['out/home/wireguard', 'it is inside the output directory out'],
      ['.', 'it holds the output directory out'],
      ['/', 'it holds the output directory'],
    ]) {
      const r = gen(dir, 'wg', 'add-peer', 'y', '--role', 'workstation', '--secrets', secrets!);
      expect([secrets, r.code, r.stdout]).toEqual([secrets, 2, '']);
      expect(r.stderr).toContain(says);
    }
    // An output tree gen wrote elsewhere (its MANIFEST), where the keys would go: keys/home.
    mkdirSync(join(dir, 'keys'), { mode: 0o700 });
    cpSync(join(dir, 'out'), join(dir, 'keys/home'), { recursive: true });
    const held = gen(dir, 'wg', 'add-peer', 'y', '--role', 'workstation', '--secrets', 'keys');
    expect([held.code, held.stderr]).toEqual([2, expect.stringContaining("it holds the output tree keys/home (its MANIFEST is gen's)")]);
    const inside = gen(dir, 'wg', 'list', '--secrets', 'keys/home/wireguard');
    expect([inside.code, inside.stderr]).toEqual([2, expect.stringContaining("it is inside the output tree keys/home (its MANIFEST is gen's)")]);
    expect(filesBelow(join(dir, 'keys/home'))).toEqual(filesBelow(join(dir, 'out')));
    expect(topology(dir)).toBe(original);
    expect(existsSync(join(dir, '.secrets'))).toBe(false);
  });

  it('is not refused when gen runs inside the secrets directory itself, with no tree built there', () => {
    const dir = scratch();
    mkdirSync(join(dir, '.secrets'), { mode: 0o700 });
    // out/ here would be .secrets/out, a name only: no build wrote it, and the topology's own out/ is elsewhere.
    const r = gen(join(dir, '.secrets'), 'wg', 'list', '../topology.yaml');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('mac-workstation');
    expect(existsSync(join(dir, '.secrets/out'))).toBe(false);
  });

  it('is refused by every command that takes --secrets, before anything is read or written', async () => {
    const dir = scratch();
    await prepared(dir, 'build', '-q');
    writeFileSync(join(dir, 'base.xml'), '<opnsense/>\n');
    const commands = [
      ['wg', 'keygen'],
      ['wg', 'keygen', '--instance', 'wg0', '--force'],
      ['wg', 'add-peer', 'y', '--role', 'workstation'],
      ['wg', 'list'],
      ['wg', 'export', 'laptop-john'],
      ['wg', 'export-instance'],
      ['wg', 'rotate', 'laptop-john'],
      ['wg', 'disable', 'laptop-john'],
      ['wg', 'enable', 'iphone-john'],
      ['wg', 'doctor', 'laptop-john'],
      ['opnsense', 'merge', '--base', 'base.xml', '-o', join(tmpdir(), `gen-misuse-${process.pid}.xml`)],
    ];
    const before = filesBelow(join(dir, 'out'));
    for (const args of commands) {
      const r = gen(dir, ...args, '--secrets', 'out');
      expect([args.join(' '), r.code, r.stdout]).toEqual([args.join(' '), 2, '']);
      expect(r.stderr).toMatch(refusal);
    }
    expect(filesBelow(join(dir, 'out'))).toEqual(before);
    expect(topology(dir)).toBe(original);
    expect(existsSync(join(tmpdir(), `gen-misuse-${process.pid}.xml`))).toBe(false);
  });
});

/** A scratch topology whose instance has a stored key pair; returns the directory and the stored private key. */
async function withInstanceKey(): Promise<{ dir: string; privateKey: string }> {
  const dir = scratch();
  await prepared(dir, 'wg', 'keygen', '--instance', 'wg0', '--force');
  return { dir, privateKey: readFileSync(join(dir, '.secrets/home/wireguard/wg0.key'), 'utf8').trim() };
}

describe('a private key given as --public-key', () => {
  it('is refused by rotate and add-peer (usage error), never printed, and the topology keeps no trace of it', async () => {
    const { dir, privateKey } = await withInstanceKey();
    await prepared(dir, 'wg', 'add-peer', 'kp', '--role', 'workstation');
    const peerKey = readFileSync(join(dir, '.secrets/home/wireguard/wg0/peers/kp.key'), 'utf8').trim();
    const text = topology(dir);
    for (const [args, key, owner] of [
      [['wg', 'rotate', 'laptop-john', '--public-key', privateKey], privateKey, 'gen wg keygen --instance wg0 --force'],
      [['wg', 'add-peer', 'new4', '--role', 'workstation', '--public-key', privateKey], privateKey, 'gen wg keygen --instance wg0 --force'],
      [['wg', 'rotate', 'laptop-john', '--public-key', peerKey], peerKey, 'gen wg rotate kp --instance wg0'],
    ] as const) {
      const r = gen(dir, ...args);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(/^gen: --public-key is a private key, not a public key: it is the one stored in \.secrets\/home\/wireguard\/.*; nothing was written/);
      expect(r.stderr).toContain(owner);
      expect(showsKey(r.stderr, key)).toBe(false);
      expect(topology(dir)).toBe(text);
    }
    expect(showsKey(topology(dir), privateKey) || showsKey(topology(dir), peerKey)).toBe(false);
    // A public key still goes in.
    const device = generateKeyPair();
    expect(gen(dir, 'wg', 'rotate', 'laptop-john', '--public-key', device.publicKey).code).toBe(0);
  });

  it("gen lint reports it at the public_key, without the key in any format ('secrets/private-key-in-topology')", async () => {
    const { dir, privateKey } = await withInstanceKey();
    const john = parse(original).sites[0].wireguard[0].peers.find((p: { name: string }) => p.name === 'laptop-john').public_key as string;
    writeFileSync(join(dir, 'topology.yaml'), topology(dir).replace(john, privateKey));
    const line = topology(dir).split('\n').findIndex((l) => l.includes(privateKey)) + 1;
    const json = gen(dir, 'lint', '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).diagnostics).toEqual([
      expect.objectContaining({
        rule: 'secrets/private-key-in-topology',
        severity: 'error',
        location: expect.objectContaining({ line }),
        message: 'the public_key of peer laptop-john of wg0 is a private key: the one stored in .secrets/home/wireguard/wg0.key',
        hint: expect.stringContaining('gen wg keygen --instance wg0 --force'),
      }),
    ]);
    for (const format of ['pretty', 'json', 'github', 'sarif']) {
      const r = gen(dir, 'lint', '--format', format, '--verbose');
      expect([format, r.code, showsKey(r.stdout + r.stderr, privateKey)]).toEqual([format, 1, false]);
    }
    // A peer's own private key as its public_key: the same finding, not also a mismatch.
    const own = scratch();
    await prepared(own, 'wg', 'add-peer', 'kp', '--role', 'workstation');
    const kp = readFileSync(join(own, '.secrets/home/wireguard/wg0/peers/kp.key'), 'utf8').trim();
    writeFileSync(join(own, 'topology.yaml'), topology(own).replace(publicKeyOf(kp), kp));
    const r = gen(own, 'lint', '--format', 'json');
    expect(JSON.parse(r.stdout).diagnostics.map((d: { rule: string }) => d.rule)).toEqual(['secrets/private-key-in-topology']);
  });
});

describe('a malformed --public-key', () => {
  it('is a usage error that says what is wrong and never shows the value', async () => {
    const { dir, privateKey } = await withInstanceKey();
    const text = topology(dir);
    for (const [value, says] of [
      [`PrivateKey = ${privateKey}`, 'it starts with a label'],
      [`${privateKey} `, 'white space (a space, tab or line break) at its start or end'],
      [`\t${privateKey}\n`, 'at its start or end'],
      [privateKey.slice(0, 40), 'it is 40 characters long, not 44'],
      [`${privateKey.slice(0, 20)} ${privateKey.slice(20)}`, 'white space (a space, tab or line break) in it'],
      [`${privateKey.slice(0, 43)}!`, 'not base64'],
    ]) {
      for (const args of [
        ['wg', 'rotate', 'laptop-john', '--public-key', value!],
        ['wg', 'add-peer', 'x', '--role', 'workstation', '--public-key', value!],
      ]) {
        const r = gen(dir, ...args);
        expect([args[1], says, r.code, r.stdout]).toEqual([args[1], says, 2, '']);
        expect(r.stderr).toMatch(/^gen: --public-key is not a WireGuard public key: it /);
        expect(r.stderr).toContain(says);
        expect(showsKey(r.stderr, privateKey)).toBe(false);
      }
    }
    expect(topology(dir)).toBe(text);
  });

  it('an invalid peer name is a usage error too, like an unknown role', () => {
    const dir = scratch();
    for (const name of ['ünï', '../../escape', '.hidden']) {
      const r = gen(dir, 'wg', 'add-peer', name, '--role', 'workstation');
      expect([name, r.code, r.stderr]).toEqual([name, 2, expect.stringContaining('is not a peer name')]);
    }
    expect(gen(dir, 'wg', 'add-peer', 'x', '--role', 'printer').code).toBe(2);
    expect(topology(dir)).toBe(original);
    expect(existsSync(join(dir, '.secrets'))).toBe(false);
  });
});

describe('recovery of a key change touches only what gen wrote', () => {
  it("leaves files at paths gen never uses, files that are not keys, and others' temporary files", () => {
    const dir = scratch();
    const secrets = join(dir, '.secrets');
    const peers = join(secrets, 'home/wireguard/wg0/peers');
    mkdirSync(peers, { recursive: true, mode: 0o700 });
    mkdirSync(join(secrets, 'projects'), { mode: 0o700 });
    for (const d of [secrets, join(secrets, 'home'), join(secrets, 'home/wireguard'), join(secrets, 'home/wireguard/wg0'), peers]) chmodSync(d, 0o700);
    const dead = '999999999-0123456789ab';
    const kept: Record<string, string> = {
      'projects/thesis.gen-new': 'important draft\n',
      'projects/old.key.gen-new': `${generateKeyPair().privateKey}\n`,
      [`projects/.x.key.gen-new.${dead}.tmp`]: `${generateKeyPair().privateKey}\n`,
      'home/wireguard/wg0/peers/notes.key.gen-new': 'not a key\n',
      'home/wireguard/wg0/peers/readme.gen-new': `${generateKeyPair().privateKey}\n`,
      [`home/wireguard/wg0/peers/.notes.${dead}.tmp`]: 'draft\n',
      [`home/wireguard/wg0/peers/.kq.key.gen-new.${dead}.tmp`]: 'a much longer text than any key line could ever be\n',
      [`home/wireguard/wg0/peers/.kt.psk.${dead}.tmp`]: 'a much longer text than any key line could ever be\n',
      [`home/wireguard/wg0/peers/.ku.txt.${dead}.tmp`]: `${generateKeyPair().publicKey}\n`,
      'home/wireguard/wg9.key.gen-new': `${generateKeyPair().privateKey}\n`,
    };
    const removed: Record<string, string> = {
      // What killed commands of gen leave: a pending key the topology never got, a temporary file of a key.
      'home/wireguard/wg0/peers/kp.key.gen-new': `${generateKeyPair().privateKey}\n`,
      [`home/wireguard/wg0/peers/.kr.key.gen-new.${dead}.tmp`]: `${generateKeyPair().privateKey}\n`,
      // gen wg psk and add-peer --preshared-key write a peer's .psk atomically too.
      [`home/wireguard/wg0/peers/.ks.psk.${dead}.tmp`]: `${generateKeyPair().publicKey}\n`,
    };
    for (const [path, content] of Object.entries({ ...kept, ...removed })) writeFileSync(join(secrets, path), content, { mode: 0o600 });
    const r = gen(dir, 'wg', 'disable', 'laptop-john');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('gen: undid an interrupted key change: removed .secrets/home/wireguard/wg0/peers/kp.key.gen-new, whose key the topology never got\ngen: peer laptop-john disabled in topology.yaml\n');
    for (const [path, content] of Object.entries(kept)) {
      expect([path, readFileSync(join(secrets, path), 'utf8'), statSync(join(secrets, path)).mode & 0o777]).toEqual([path, content, 0o600]);
    }
    for (const path of Object.keys(removed)) expect([path, existsSync(join(secrets, path))]).toEqual([path, false]);
  });

  it("does not call a pending file that holds no key an interrupted change: no command would finish it", () => {
    const dir = scratch();
    const peers = join(dir, '.secrets/home/wireguard/wg0/peers');
    mkdirSync(peers, { recursive: true, mode: 0o700 });
    for (let d = peers; d.startsWith(join(dir, '.secrets')); d = dirname(d)) chmodSync(d, 0o700);
    writeFileSync(join(peers, 'laptop-john.key.gen-new'), 'not a key\n', { mode: 0o600 });
    const listed = () => (JSON.parse(gen(dir, 'wg', 'list', '--format', 'json').stdout) as { peers: { name: string; key: { interrupted?: boolean } }[] }).peers;
    const john = () => listed().find((p) => p.name === 'laptop-john')!.key;
    expect(john()).toMatchObject({ state: 'missing' });
    expect(john().interrupted).toBeUndefined();
    expect(gen(dir, 'wg', 'list').stdout).not.toContain('interrupted');
    // A command leaves it (it is not gen's), and it is still no interrupted change.
    expect(gen(dir, 'wg', 'disable', 'laptop-john').code).toBe(0);
    expect(readFileSync(join(peers, 'laptop-john.key.gen-new'), 'utf8')).toBe('not a key\n');
    expect(john().interrupted).toBeUndefined();
    // lint (which changes nothing) says so only of a staged key: beside a stored key of another pair, not a key...
    writeFileSync(join(peers, 'laptop-john.key'), `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
    const lintMessage = () => gen(dir, 'lint', '--format', 'json').stdout;
    expect(lintMessage()).toContain('does not belong to this public_key');
    expect(lintMessage()).not.toContain('interrupted');
    // ...then a key, which the next gen wg command finishes or undoes.
    writeFileSync(join(peers, 'laptop-john.key.gen-new'), `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
    expect(lintMessage()).toContain('a key change was interrupted: any gen wg command on this topology finishes it');
  });

  it('lists only the key directories of the topology, never the rest of the secrets directory', () => {
    const dir = tempDir('gen-misuse-walk-');
    const secrets = join(dir, '.secrets');
    mkdirSync(secrets, { mode: 0o700 });
    // A large tree beside the keys (a secrets directory given as ~ or /): recovery must not walk it.
    for (const d of ['home/wireguard/wg0/peers', 'projects/a/b', 'home/other', 'home/wireguard/wg0/extra', 'other/wireguard']) mkdirSync(join(secrets, d), { recursive: true, mode: 0o700 });
    const pending = `${generateKeyPair().privateKey}\n`;
    writeFileSync(join(secrets, 'home/wireguard/wg0/peers/p9.key.gen-new'), pending, { mode: 0o600 });
    const model = { sites: [{ name: 'home', wireguard: [{ name: 'wg0', publicKey: undefined, peers: [{ name: 'p9', publicKey: generateKeyPair().publicKey }] }] }] } as unknown as Model;
    // Every listing goes through node:fs: its named exports follow the module object once synced.
    const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
    const readdir = fs.readdirSync;
    const listed: string[] = [];
    fs.readdirSync = ((path: string, ...rest: unknown[]) => {
      listed.push(String(path));
      return (readdir as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof fs.readdirSync;
    syncBuiltinESMExports();
    const notes: string[] = [];
    try {
      recoverKeyChanges(model, secrets, join(dir, 'topology.yaml'), (text) => notes.push(text));
    } finally {
      fs.readdirSync = readdir;
      syncBuiltinESMExports();
    }
    expect(listed.filter((path) => path.startsWith(secrets)).sort()).toEqual([join(secrets, 'home/wireguard'), join(secrets, 'home/wireguard/wg0/peers')]);
    // p9's pending key belongs to no public key of the topology: a change the topology never got.
    expect(notes).toEqual([`undid an interrupted key change: removed ${join(secrets, 'home/wireguard/wg0/peers/p9.key.gen-new')}, whose key the topology never got`]);
  });
});
