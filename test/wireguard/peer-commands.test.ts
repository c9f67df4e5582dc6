// The gen wg commands as a person uses them day to day: add-peer finds the
// instance from the role and makes the QR code in one step, enable and
// keygen edit the topology where a person would, list shows every key's
// state, lint reports a stored key that does not belong to its public_key,
// and QR codes hold only what the WireGuard apps read, in 80 columns.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import QRCode from 'qrcode';
import jsqr from 'jsqr';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { qrPayload, terminalQr } from '../../src/render/wireguard/qr.js';
import { generateKeyPair, publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { edit, lint, render, root, shortTunnelNames } from '../helpers.js';
import { gen, topologyCases } from './cli.js';

// jsqr is CommonJS: TypeScript types its default import as the module, whose .default is the function.
const jsQR = jsqr.default;

const original = readFileSync(join(root, 'topology.yaml'), 'utf8');
const newCase = topologyCases('gen-wg-peers-');
let dir: string;
let topology: string;
let secrets: string;
beforeEach(() => {
  ({ dir, topology, secrets } = newCase());
});

const current = () => readFileSync(topology, 'utf8');

/** A second instance, wg1, whose only role is `laptop`. */
function withSecondInstance(): void {
  const second = { name: 'wg1', listen_port: 51821, address: '10.0.2.1/24', public_key: generateKeyPair().publicKey, endpoint: 'vpn.example.com', roles: [{ name: 'laptop', from: '10.0.2.2', to: '10.0.2.10' }] };
  const assigned = edit(current(), ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' });
  writeFileSync(topology, shortTunnelNames(edit(assigned, ['sites', 0, 'wireguard', 1], second)));
}

/** Decodes a terminal QR code: dark modules are blocks in colour, light ones without (see qr.ts). */
function decodeTerminal(text: string): string | undefined {
  const colored = text.includes('\u001b[30;47m');
  const lines = text.replace(/\u001b\[[\d;]*m/g, '').split('\n').filter(Boolean);
  const modules = lines.flatMap((line) => {
    const cells = [...line].map((c) => ({ upper: c === '█' || c === '▀', lower: c === '█' || c === '▄' }));
    return [cells.map((c) => c.upper === colored), cells.map((c) => c.lower === colored)];
  });
  const scale = 4;
  const width = modules[0]!.length * scale;
  const height = modules.length * scale;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) data.fill(0, ((y * scale + dy) * width + x * scale + dx) * 4, ((y * scale + dy) * width + x * scale + dx) * 4 + 3);
    }),
  );
  return jsQR(data, width, height)?.data;
}

describe('gen wg add-peer', () => {
  it('takes the instance that has the role, without --instance or --site', async () => {
    withSecondInstance();
    // With two instances the files carry the instance's name: a short peer name keeps them within wg-quick's 15 characters.
    const r = await gen('wg', 'add-peer', 'anna', '--role', 'laptop', topology);
    expect([r.code, r.stdout]).toEqual([0, '10.0.2.2\n']);
    const wireguard = parse(current()).sites[0].wireguard;
    expect(wireguard[1].peers).toEqual([expect.objectContaining({ name: 'anna', role: 'laptop', address: '10.0.2.2' })]);
    expect(existsSync(join(secrets, 'home/wireguard/wg1/peers/anna.key'))).toBe(true);
    // A name whose files would be longer than wg-quick takes is refused, unless a tunnel name shortens them.
    const long = await gen('wg', 'add-peer', 'laptop-berta', '--role', 'laptop', topology);
    expect([long.code, long.stderr]).toEqual([1, expect.stringContaining('client file wg1-laptop-berta.conf would not import')]);
    const named = await gen('wg', 'add-peer', 'laptop-berta', '--role', 'laptop', '--tunnel-name', 'berta', topology);
    expect([named.code, named.stdout]).toEqual([0, '10.0.2.3\n']);
    expect(parse(current()).sites[0].wireguard[1].peers[1]).toEqual(expect.objectContaining({ name: 'laptop-berta', tunnel_name: 'berta', address: '10.0.2.3' }));
    const files = [...(await render(current())).keys()].filter((f) => f.includes('/wireguard/') && f.includes('berta'));
    expect(files).toEqual(['home/wireguard/wg1-berta.conf']);
    // A role neither instance has names the roles there are.
    const none = await gen('wg', 'add-peer', 'x', '--role', 'printer', topology);
    expect([none.code, none.stderr]).toEqual([2, 'gen: no WireGuard instance has a role printer (roles: laptop, mobile, reserved, server, workstation)\n']);
  });

  it('--qr prints the QR code of the new client file in one step', async () => {
    const r = await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '--qr', topology);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('PrivateKey');
    expect(r.stderr).toContain('added peer pixel-anna (mobile) at 10.0.1.12 to wg0');
    const exported = await gen('wg', 'export', 'pixel-anna', topology);
    expect(decodeTerminal(r.stdout)).toBe(qrPayload(exported.stdout));
    expect(decodeTerminal(r.stdout)).toMatch(/^\[Interface\]\nPrivateKey = /);
  });

  it('--qr with --public-key is a usage error, and nothing is added', async () => {
    const r = await gen('wg', 'add-peer', 'x', '--role', 'mobile', '--qr', '--public-key', generateKeyPair().publicKey, topology);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--qr shows a client file with its private key');
    expect(current()).toBe(original);
  });
});

describe('topology edits where a person would make them', () => {
  it('enable removes enabled: false (and its comment) instead of writing enabled: true', async () => {
    expect(original).toMatch(/^ +enabled: false .*\n/m);
    expect((await gen('wg', 'enable', 'iphone-john', topology)).code).toBe(0);
    expect(current()).toBe(original.replace(/^ +enabled: false .*\n/m, ''));
    expect(current()).not.toContain('enabled: true');
    expect((await gen('wg', 'disable', 'iphone-john', '-f', topology)).code).toBe(0);
    expect(parse(current()).sites[0].wireguard[0].peers[2].enabled).toBe(false);
  });

  it('keygen --instance writes public_key on the line after listen_port', async () => {
    writeFileSync(topology, original.replace(/^ +public_key: XCdJ.*\n/m, ''));
    const r = await gen('wg', 'keygen', '--instance', 'wg0', topology);
    expect(r.code).toBe(0);
    const lines = current().split('\n');
    const port = lines.findIndex((l) => l.trim() === 'listen_port: 51820');
    expect(lines[port + 1]).toBe(`        public_key: ${r.stdout.trim()}`);
    expect(current()).toBe(original.replace(/^( +)public_key: XCdJ.*\n/m, '').replace('listen_port: 51820\n', `listen_port: 51820\n        public_key: ${r.stdout.trim()}\n`));
  });
});

describe('a key two peers share (wg/duplicate-public-key)', () => {
  // The rule's hint names gen wg rotate: that command must run on the topology the error is in.
  const peers = ['sites', 0, 'wireguard', 0, 'peers'];
  const shared = () => {
    const key = parse(current()).sites[0].wireguard[0].peers[1].public_key as string;
    writeFileSync(topology, edit(current(), [...peers, 2, 'public_key'], key));
  };

  it('gen wg rotate of either peer gives it its own pair, and the topology lints clean', async () => {
    shared();
    expect((await gen('lint', topology)).stdout).toContain('wg/duplicate-public-key');
    const r = await gen('wg', 'rotate', 'iphone-john', '-f', topology);
    expect(r.code, r.stderr).toBe(0);
    const after = parse(current()).sites[0].wireguard[0].peers;
    expect(after[2].public_key).not.toBe(after[1].public_key);
    expect((await gen('lint', topology)).code).toBe(0);
  });

  it('gen wg rotate of a third peer is refused: the edit would leave the shared key', async () => {
    shared();
    const before = current();
    const r = await gen('wg', 'rotate', 'mac-workstation', '-f', topology);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the change would break .*wg\/duplicate-public-key/s);
    expect(current()).toBe(before);
  });
});

describe('gen wg list', () => {
  it('shows name, role, address, enabled, key state and the last rotation, as a table and as JSON', async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'pixel', '--role', 'mobile', topology)).code).toBe(0);
    // pixel's stored key no longer belongs to its public_key (the topology was restored from elsewhere).
    writeFileSync(topology, current().replace(/(name: pixel\n(?:.*\n){2}\s+public_key: ).*/, `$1${generateKeyPair().publicKey}`));
    utimesSync(join(secrets, 'home/wireguard/wg0/peers/kp.key'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    const table = await gen('wg', 'list', topology);
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['NAME', 'ROLE', 'ADDRESS', 'ENABLED', 'KEY', 'ROTATED']);
    expect(rows).toContainEqual(['(instance wg0)', '-', '10.0.1.1/24', '-', 'missing', '-']);
    expect(rows).toContainEqual(['iphone-john', 'mobile', '10.0.1.11', 'no', 'missing', '-']);
    expect(rows).toContainEqual(['kp', 'workstation', '10.0.1.4', 'yes', 'present', '2026-01-02']);
    expect(rows.find((r) => r[0] === 'pixel')?.[4]).toBe('mismatched');
    const json = JSON.parse((await gen('wg', 'list', '--format', 'json', topology)).stdout);
    expect(json.peers.find((p: { name: string }) => p.name === 'kp')).toEqual({
      site: 'home',
      instance: 'wg0',
      name: 'kp',
      role: 'workstation',
      address: '10.0.1.4',
      enabled: true,
      public_key: parse(current()).sites[0].wireguard[0].peers.find((p: { name: string }) => p.name === 'kp').public_key,
      key_date: null,
      key_due: null,
      key: { state: 'present', rotated: '2026-01-02T03:04:05.000Z' },
      psk: null,
    });
    expect(json.peers.map((p: { name: string }) => p.name)).toEqual(['mac-workstation', 'laptop-john', 'iphone-john', 'kp', 'pixel']);
    expect(json.orphaned_keys).toEqual([]);
  });

  it("shows a peer's key_date as its rotation, before the key file's time (a restore resets that)", async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    const peers = (parse(current()) as { sites: { wireguard: { peers: { name: string }[] }[] }[] }).sites[0]!.wireguard[0]!.peers;
    writeFileSync(topology, edit(current(), ['sites', 0, 'wireguard', 0, 'peers', peers.findIndex((p) => p.name === 'kp'), 'key_date'], '2025-07-01'));
    utimesSync(join(secrets, 'home/wireguard/wg0/peers/kp.key'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    const rows = (await gen('wg', 'list', topology)).stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows).toContainEqual(['kp', 'workstation', '10.0.1.4', 'yes', 'present', '2025-07-01']);
    const json = JSON.parse((await gen('wg', 'list', '--format', 'json', topology)).stdout);
    expect(json.peers.find((p: { name: string }) => p.name === 'kp')).toMatchObject({ key_date: '2025-07-01', key: { rotated: '2026-01-02T03:04:05.000Z' } });
  });

  it("with key_rotation_days, shows when each key falls due, overdue and unknown as wg/key-age reports them", async () => {
    const wg = ['sites', 0, 'wireguard', 0];
    // mac-workstation: a key 100 days old; laptop-john: 10 days; iphone-john is disabled; a fourth peer has no key_date.
    let text = edit(current(), wg.concat(['key_rotation_days']), 90);
    text = edit(text, wg.concat(['peers', 0, 'key_date']), '2026-03-01');
    text = edit(text, wg.concat(['peers', 1, 'key_date']), '2026-05-30');
    writeFileSync(topology, text);
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', '--public-key', generateKeyPair().publicKey, topology)).code).toBe(0);
    // add-peer recorded today as kp's key_date: without it, the key's age is unknown.
    writeFileSync(topology, current().replace(/(name: kp\n(?:\s+\w+: .*\n)*?)\s+key_date: .*\n/, '$1'));
    vi.stubEnv('GEN_TODAY', '2026-06-09');
    try {
      const rows = (await gen('wg', 'list', topology)).stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
      expect(rows[0]).toEqual(['NAME', 'ROLE', 'ADDRESS', 'ENABLED', 'KEY', 'ROTATED', 'DUE']);
      const due = new Map(rows.slice(1).map((r) => [r[0], r[6]]));
      expect(Object.fromEntries(due)).toEqual({
        '(instance wg0)': '-',
        'mac-workstation': '2026-05-30 (overdue)',
        'laptop-john': '2026-08-28',
        'iphone-john': '-',
        kp: 'unknown',
      });
      // The peers lint reports, and why: an age at or past the period is overdue, no key_date is unknown.
      const findings = (await lint(current())).filter((d) => d.rule === 'wg/key-age').map((d) => d.message);
      for (const [name, shown] of due) {
        const found = findings.filter((m) => m.includes(`peer ${name} `));
        expect([name, found.some((m) => m.includes('days old'))]).toEqual([name, shown!.endsWith('(overdue)')]);
        expect([name, found.some((m) => m.includes('has no key_date'))]).toEqual([name, shown === 'unknown']);
      }
      const json = JSON.parse((await gen('wg', 'list', '--format', 'json', topology)).stdout);
      const byName = new Map(json.peers.map((p: { name: string; key_due: unknown }) => [p.name, p.key_due]));
      expect(Object.fromEntries(byName)).toEqual({
        'mac-workstation': { day: '2026-05-30', overdue: true },
        'laptop-john': { day: '2026-08-28', overdue: false },
        'iphone-john': null,
        kp: { day: null, overdue: null },
      });
    } finally {
      vi.unstubAllEnvs();
    }
    // Without a policy, no column: no key falls due.
    writeFileSync(topology, edit(current(), wg.concat(['key_rotation_days']), undefined));
    expect((await gen('wg', 'list', topology)).stdout.split('\n')[0]!.split(/\s{2,}/)).toEqual(['NAME', 'ROLE', 'ADDRESS', 'ENABLED', 'KEY', 'ROTATED']);
  });

  it('lists the stored key of a peer the topology no longer has after the peers, as orphaned', async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    const peers = (parse(current()) as { sites: { wireguard: { peers: { name: string }[] }[] }[] }).sites[0]!.wireguard[0]!.peers;
    writeFileSync(topology, edit(current(), ['sites', 0, 'wireguard', 0, 'peers', peers.findIndex((p) => p.name === 'kp')], undefined));
    utimesSync(join(secrets, 'home/wireguard/wg0/peers/kp.key'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    const rows = (await gen('wg', 'list', topology)).stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows[rows.length - 1]).toEqual(['kp', '-', '-', '-', 'orphaned (no such peer)', '2026-01-02']);
    expect(rows.filter((r) => r[0] === 'kp')).toHaveLength(1);
    const json = JSON.parse((await gen('wg', 'list', '--format', 'json', topology)).stdout);
    expect(json.peers.map((p: { name: string }) => p.name)).not.toContain('kp');
    expect(json.orphaned_keys).toEqual([{ site: 'home', instance: 'wg0', name: 'kp', key_file: 'home/wireguard/wg0/peers/kp.key', reason: 'no such peer', rotated: '2026-01-02T03:04:05.000Z' }]);
  });

  it('refuses a secrets directory others can read, like every key command', async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    chmodSync(join(secrets, 'home/wireguard/wg0/peers/kp.key'), 0o644);
    const r = await gen('wg', 'list', topology);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toContain('chmod 600');
  });
  it('refuses a --site or --instance the topology does not have (a typo listed nothing, with exit 0), as gen wg doctor does', async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    const client = join(dirname(topology), 'kp.conf');
    expect((await gen('wg', 'export', 'kp', '-o', client, topology)).code).toBe(0);
    for (const [args, message] of [
      [['--site', 'hom'], 'gen: no site named hom (sites: home)\n'],
      [['--instance', 'wg1'], 'gen: no WireGuard instance named wg1 (instances: home/wg0)\n'],
      [['--site', 'home', '--instance', 'wg1'], 'gen: no WireGuard instance named wg1 in site home (instances: home/wg0)\n'],
    ] as const) {
      for (const format of ['table', 'json']) {
        const r = await gen('wg', 'list', '--format', format, ...args, topology);
        expect([args.join(' '), r.code, r.stdout, r.stderr]).toEqual([args.join(' '), 2, '', message]);
      }
      // The doctor found no peer for the file in that scope, and gave "add the device" (a second peer) as the fix.
      const doctor = await gen('wg', 'doctor', client, ...args, topology);
      expect([doctor.code, doctor.stdout, doctor.stderr]).toEqual([2, '', message]);
    }
    // The names it has still list their peers.
    const scoped = JSON.parse((await gen('wg', 'list', '--format', 'json', '--site', 'home', '--instance', 'wg0', topology)).stdout);
    expect(scoped.peers.map((p: { name: string }) => p.name)).toContain('kp');
  });

  it("lists the key a site's last instance left, where the topology has no instance at all", async () => {
    // scenario B has no WireGuard; its site's wireguard directory holds the key of an instance wg9.
    writeFileSync(topology, readFileSync(join(root, 'examples/vlan-hosting.yaml'), 'utf8'));
    mkdirSync(join(secrets, 'hosting/wireguard'), { recursive: true, mode: 0o700 });
    writeFileSync(join(secrets, 'hosting/wireguard/wg9.key'), `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
    const table = await gen('wg', 'list', topology);
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/))).toEqual([
      ['NAME', 'ROLE', 'ADDRESS', 'ENABLED', 'KEY', 'ROTATED'],
      ['(instance wg9)', '-', '-', '-', 'orphaned (no such instance)', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)],
    ]);
    // Without the key, nothing at all.
    rmSync(join(secrets, 'hosting/wireguard/wg9.key'));
    expect((await gen('wg', 'list', topology)).stdout).toBe('');
  });
});

describe('gen lint and the stored keys', () => {
  const bin = join(root, 'bin/gen.js');
  const lint = (...args: string[]) => spawnSync(process.execPath, [bin, 'lint', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('passes when every stored key belongs to its public_key', async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', topology)).code).toBe(0);
    expect(lint()).toMatchObject({ status: 0, stdout: 'topology.yaml: no problems\n' });
  });

  it("reports a peer's and the instance's stored key that belong to another public_key, at that public_key ('secrets/key-mismatch')", async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    const other = generateKeyPair().publicKey;
    writeFileSync(topology, current().replace(/(name: kp\n(?:.*\n){2}\s+public_key: ).*/, `$1${other}`));
    const r = lint('--format', 'json');
    expect(r.status).toBe(1);
    const line = current().split('\n').findIndex((l) => l.includes(other)) + 1;
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      expect.objectContaining({
        rule: 'secrets/key-mismatch',
        severity: 'error',
        location: expect.objectContaining({ line }),
        message: expect.stringContaining('the private key of peer kp of wg0 in .secrets/home/wireguard/wg0/peers/kp.key does not belong to this public_key'),
        // The fix names this peer and its key file, not NAME.
        hint: expect.stringContaining('put its private key back at .secrets/home/wireguard/wg0/peers/kp.key, or make a new pair: gen wg rotate kp --instance wg0'),
      }),
    ]);
    // The instance: a stored key of another pair.
    const instance = generateKeyPair();
    writeFileSync(join(secrets, 'home/wireguard/wg0.key'), `${instance.privateKey}\n`, { mode: 0o600 });
    expect(publicKeyOf(instance.privateKey)).not.toBe(parse(current()).sites[0].wireguard[0].public_key);
    expect(lint().stdout).toContain('the private key of instance wg0 in .secrets/home/wireguard/wg0.key does not belong to this public_key');
    expect(JSON.parse(lint('--format', 'json').stdout).diagnostics.map((d: { hint: string }) => d.hint)).toContainEqual(expect.stringContaining('gen wg keygen --instance wg0 --force'));
  });

  it("warns of a peer's key that no peer of its instance has, at the instance's peers, until the file is gone ('secrets/orphaned-key')", async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    expect(lint().stdout).toBe('topology.yaml: no problems\n');
    // The peer removed from the topology by hand: its key stays.
    const peers = (parse(current()) as { sites: { wireguard: { peers: { name: string }[] }[] }[] }).sites[0]!.wireguard[0]!.peers;
    writeFileSync(topology, edit(current(), ['sites', 0, 'wireguard', 0, 'peers', peers.findIndex((p) => p.name === 'kp')], undefined));
    expect(existsSync(join(secrets, 'home/wireguard/wg0/peers/kp.key'))).toBe(true);
    // Beside it: a key change's files, a file that is no peer's key, and a peer's key named in another case, none of them reported.
    writeFileSync(join(secrets, 'home/wireguard/wg0/peers/gone.key.gen-old'), `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
    writeFileSync(join(secrets, 'home/wireguard/wg0/peers/notes.txt'), 'kept by hand\n', { mode: 0o600 });
    writeFileSync(join(secrets, 'home/wireguard/wg0/peers/Laptop-John.key'), `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
    const r = lint('--format', 'json');
    expect(r.status).toBe(0);
    const line = current().split('\n').findIndex((l) => /^\s+peers:$/.test(l)) + 1;
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      expect.objectContaining({
        rule: 'secrets/orphaned-key',
        severity: 'warning',
        location: expect.objectContaining({ line }),
        message: '.secrets/home/wireguard/wg0/peers/kp.key is the private key of a peer kp that wg0 no longer has (or never had)',
        hint: expect.stringContaining('delete the key file (rm .secrets/home/wireguard/wg0/peers/kp.key)'),
      }),
    ]);
    // A warning: CI that allows none fails on it.
    expect(lint('--max-warnings', '0').status).toBe(1);
    rmSync(join(secrets, 'home/wireguard/wg0/peers/kp.key'));
    expect(lint()).toMatchObject({ status: 0, stdout: 'topology.yaml: no problems\n' });
  });

  it("warns of the keys an instance left when it was renamed, at the site's wireguard, and lists them ('secrets/orphaned-key')", async () => {
    withSecondInstance();
    expect((await gen('wg', 'keygen', '--instance', 'wg1', '--force', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'tab', '--role', 'laptop', topology)).code).toBe(0);
    // (wg1 has no pass rule of its own: wg/reach-empty, which is not about keys.)
    const orphans = () => (JSON.parse(lint('--format', 'json').stdout) as { diagnostics: { rule: string }[] }).diagnostics.filter((d) => d.rule === 'secrets/orphaned-key');
    expect(orphans()).toEqual([]);
    // wg1 renamed to wg2 by hand, its references with it: the keys stay under wg1.
    writeFileSync(topology, current().replace(/\bwg1\b/g, 'wg2'));
    // Beside them, what is no instance's: a file of another kind, and a directory reached through a link (never entered).
    writeFileSync(join(secrets, 'home/wireguard/notes.txt'), 'kept by hand\n', { mode: 0o600 });
    symlinkSync(join(secrets, 'home/wireguard/wg1'), join(secrets, 'home/wireguard/old'));
    const line = current().split('\n').findIndex((l) => /^\s+wireguard:$/.test(l)) + 1;
    expect(orphans()).toEqual([
      expect.objectContaining({
        rule: 'secrets/orphaned-key',
        location: expect.objectContaining({ line }),
        message: '.secrets/home/wireguard/wg1.key is the private key of an instance wg1 that site home no longer has (or never had)',
        hint: expect.stringContaining('rm .secrets/home/wireguard/wg1.key'),
      }),
      expect.objectContaining({
        rule: 'secrets/orphaned-key',
        location: expect.objectContaining({ line }),
        message: '.secrets/home/wireguard/wg1/peers/tab.key is the private key of peer tab of an instance wg1 that site home no longer has (or never had)',
      }),
    ]);
    const rows = (await gen('wg', 'list', topology)).stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows.slice(-2).map((row) => row.slice(-3, -1))).toEqual([
      ['-', 'orphaned (no such instance)'],
      ['-', 'orphaned (no such instance)'],
    ]);
    expect(rows.slice(-2).map((row) => row.slice(0, 2))).toEqual([
      ['home/wg1', '(instance wg1)'],
      ['home/wg1', 'tab'],
    ]);
    // An instance named: the keys of none that exists are not its.
    expect((await gen('wg', 'list', '--instance', 'wg2', topology)).stdout).not.toContain('orphaned');
    const json = JSON.parse((await gen('wg', 'list', '--format', 'json', topology)).stdout);
    expect(json.orphaned_keys.map((o: { instance: string; name: string | null; key_file: string }) => [o.instance, o.name, o.key_file])).toEqual([
      ['wg1', null, 'home/wireguard/wg1.key'],
      ['wg1', 'tab', 'home/wireguard/wg1/peers/tab.key'],
    ]);
  });

  it("reports a secrets directory it must not read ('secrets/unsafe')", async () => {
    expect((await gen('wg', 'add-peer', 'kp', '--role', 'workstation', topology)).code).toBe(0);
    chmodSync(join(secrets, 'home/wireguard'), 0o777);
    const r = lint();
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error refusing .*home\/wireguard: it is writable by group or others .*chmod 700 .*\[secrets\/unsafe\]/);
  });
});

describe('QR codes for the mobile apps', () => {
  const config = () => spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'wg', 'export', 'pixel-anna'], { cwd: dir, encoding: 'utf8' }).stdout;

  it('hold the WireGuard file without its comment lines, so the code is smaller', async () => {
    expect((await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', topology)).code).toBe(0);
    const file = config();
    expect(file).toMatch(/^# /);
    const payload = qrPayload(file);
    expect(payload).not.toMatch(/^#/m);
    expect(payload.split('\n').filter((l) => l.startsWith('['))).toEqual(['[Interface]', '[Peer]']);
    const full = QRCode.create(file, { errorCorrectionLevel: 'L' }).version;
    const small = QRCode.create(payload, { errorCorrectionLevel: 'L' }).version;
    expect(small).toBeLessThan(full);
    // The PNG and SVG codes (error correction M): version 16 with the comments, 12 without.
    expect([QRCode.create(file, { errorCorrectionLevel: 'M' }).version, QRCode.create(payload, { errorCorrectionLevel: 'M' }).version]).toEqual([16, 12]);
    expect(terminalQr(file, false).version).toBe(small);
  });

  it('fit 80 columns in the terminal, without escape codes under NO_COLOR and black on white with colour', async () => {
    expect((await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', topology)).code).toBe(0);
    const plain = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'wg', 'export', 'pixel-anna', '--qr'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
    expect(plain.stdout).not.toContain('\u001b');
    for (const line of plain.stdout.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    expect(decodeTerminal(plain.stdout)).toBe(qrPayload(config()));
    const colored = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'wg', 'export', 'pixel-anna', '--qr'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(colored.stdout).toContain('\u001b[30;47m');
    expect(decodeTerminal(colored.stdout)).toBe(qrPayload(config()));
  });

  it('a client file no QR code holds is refused with the command that writes it as a file, not as an internal error', async () => {
    // 254 addresses, no two adjacent: as many /32s in AllowedIPs, about 3900 bytes, where version 40 holds 2953 (L) and 2331 (M).
    const hosts = [0, 1].flatMap((n) => Array.from({ length: 127 }, (_, i) => `10.${n}.0.${2 + 2 * i}`));
    writeFileSync(topology, edit(current(), ['sites', 0, 'wireguard', 0, 'reach'], hosts));
    const added = await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '--qr', topology);
    const bytes = Buffer.byteLength(qrPayload(config()));
    expect(bytes).toBeGreaterThan(2953);
    const refusal = `client file is ${bytes} bytes without its comment lines, more than a QR code holds: write it to a file (gen wg export pixel-anna -o pixel-anna.conf) and copy that to the device`;
    // The peer is in the topology by then: the error says so.
    expect([added.code, added.stdout, added.stderr.split('\n').at(-2)]).toEqual([1, '', `gen: peer pixel-anna is added, but its ${refusal}`]);
    expect(parse(current()).sites[0].wireguard[0].peers.map((p: { name: string }) => p.name)).toContain('pixel-anna');
    for (const args of [['--qr'], ['-o', join(dir, 'p.png')], ['-o', join(dir, 'p.svg')]]) {
      const r = await gen('wg', 'export', 'pixel-anna', ...args, topology);
      expect([r.code, r.stdout, r.stderr], args.join(' ')).toEqual([1, '', `gen: the ${refusal.replace('client file', 'client file of pixel-anna')}\n`]);
    }
    expect([existsSync(join(dir, 'p.png')), existsSync(join(dir, 'p.svg'))]).toEqual([false, false]);
    const file = await gen('wg', 'export', 'pixel-anna', '-o', join(dir, 'pixel-anna.conf'), topology);
    expect(file.code).toBe(0);
    expect(readFileSync(join(dir, 'pixel-anna.conf'), 'utf8')).toContain('AllowedIPs = 10.0.0.2/32, 10.0.0.4/32, ');
  });

  it('a payload too large for 80 columns still prints whole (a line then says so)', () => {
    const big = `[Interface]\n${'# x\n'.repeat(3)}${Array.from({ length: 40 }, (_, i) => `AllowedIPs = 10.${i}.0.0/16`).join('\n')}\n`;
    const qr = terminalQr(big, false);
    expect(qr.width).toBeGreaterThan(80);
    expect(qr.text.split('\n')[0]!.length).toBe(qr.width);
  });
});

describe('gen wg export -o by extension', () => {
  it('refuses an extension it does not write, before reading any key, and writes nothing', async () => {
    expect((await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', topology)).code).toBe(0);
    const jpg = join(dir, 'pixel.jpg');
    const r = await gen('wg', 'export', 'pixel-anna', '-o', jpg, topology);
    expect([r.code, r.stderr]).toEqual([2, `gen: refusing to write ${jpg}: gen wg export writes .conf (the client file), .png (a QR code image), .svg (a QR code drawing), chosen by the extension of -o, and .jpg is none of them\n`]);
    expect(existsSync(jpg)).toBe(false);
    const qrConf = await gen('wg', 'export', 'pixel-anna', '--qr', '-o', join(dir, 'p.conf'), topology);
    expect(qrConf.code).toBe(2);
    expect(existsSync(join(dir, 'p.conf'))).toBe(false);
  });

  it('.svg is a QR code drawing of the client file', async () => {
    expect((await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', topology)).code).toBe(0);
    const svg = join(dir, 'pixel.svg');
    const r = await gen('wg', 'export', 'pixel-anna', '-o', svg, topology);
    expect([r.code, r.stderr]).toEqual([0, `gen: wrote ${svg} (a QR code drawing of pixel-anna, with its private key; mode 0600)\n`]);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(text).not.toContain('PrivateKey');
  });
});

describe('a peer of one name at two sites', () => {
  it('each client file names the command that fills in its key with the site, and that command writes the file', async () => {
    // The second site: scenario A's copied, its networks moved, with its own instance and no peers yet.
    const doc = parse(current()) as { sites: Record<string, unknown>[] };
    const copy = JSON.stringify(doc.sites[0]).replace(/"10\.0\./g, '"10.20.').replace(/"10\.1\./g, '"10.21.').replace('"vm-backup-s3"', '"office-backup-s3"');
    const office = JSON.parse(copy) as { name: string; wireguard: { public_key?: string; peers: unknown[] }[] };
    office.name = 'office';
    office.wireguard[0]!.peers = [];
    delete office.wireguard[0]!.public_key;
    doc.sites.push(office);
    writeFileSync(topology, stringify(doc));
    expect((await gen('wg', 'keygen', '--instance', 'wg0', '--site', 'office', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'tablet', '--role', 'mobile', '--site', 'home', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'tablet', '--role', 'mobile', '--site', 'office', '--tunnel-name', 'o-tablet', '-f', topology)).code).toBe(0);
    const files = await render(current());
    const model = parse(current()) as { sites: { wireguard: { peers: { name: string; public_key: string }[] }[] }[] };
    for (const [i, file] of ['home/wireguard/tablet.conf', 'office/wireguard/o-tablet.conf'].entries()) {
      const text = files.get(file)!;
      const command = /`gen wg (export [^`]*)` fills in the private key/.exec(text)![1]!.split(' ');
      const run = await gen('wg', ...command.concat('-f', topology));
      expect(run.code, `${command.join(' ')}: ${run.stderr}`).toBe(0);
      // The file of out/ with the key of this site's peer in place of the placeholder.
      const privateKey = /^PrivateKey = (.*)$/m.exec(run.stdout)![1]!;
      expect(publicKeyOf(privateKey)).toBe(model.sites[i]!.wireguard[0]!.peers.find((p) => p.name === 'tablet')!.public_key);
      expect(run.stdout.replace(privateKey, '')).toBe(text.replace(/^PrivateKey = .*$/m, 'PrivateKey = '));
    }
  });
});
