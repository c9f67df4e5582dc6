// gen wg doctor on client files: each check against what gen writes for the
// peer, each finding with its fix. The client machine is described by a
// stand-in (running tunnels, addresses, routes, name resolution, pings);
// the real one is exercised against wireguard-go in
// test/verify/wireguard-live.test.ts.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIPv4, parseCidr } from '../../src/net.js';
import { lintText } from '../../src/pipeline.js';
import { publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { type Probes, type RunningInterface, runProbe } from '../../src/wg/doctor-probes.js';
import { type DoctorCheck, doctor } from '../../src/wg/doctor.js';
import { lineOfText, root } from '../helpers.js';
import { gen } from './cli.js';

const work = mkdtempSync(join(tmpdir(), 'gen-doctor-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const topology = join(work, 'topology.yaml');
const client = join(work, 'laptop.conf');
let text = '';
let model: Awaited<ReturnType<typeof lintText>>['model'];

beforeAll(async () => {
  copyFileSync(join(root, 'topology.yaml'), topology);
  expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology)).code).toBe(0);
  expect((await gen('wg', 'add-peer', 'laptop', '--role', 'workstation', '-f', topology)).code).toBe(0);
  expect((await gen('wg', 'export', 'laptop', '-f', topology, '-o', client)).code).toBe(0);
  text = readFileSync(topology, 'utf8');
  model = (await lintText(text, topology)).model;
});

const ENDPOINT_ADDRESS = '203.0.113.10';

/** A client machine with the tunnel from the file up and healthy; `change` alters it. */
function machine(change: Partial<Probes> & { tunnel?: (t: RunningInterface) => void } = {}): Probes {
  const wg0 = model!.sites[0]!.wireguard[0]!;
  const laptop = wg0.peers.find((p) => p.name === 'laptop')!;
  const tunnel: RunningInterface = {
    name: 'wg-laptop',
    publicKey: laptop.publicKey!,
    listenPort: 40000,
    peers: [{ publicKey: wg0.publicKey!, endpoint: `${ENDPOINT_ADDRESS}:51820`, allowedIps: [...laptop.allowedIps], latestHandshake: 1_000_000 - 20, keepalive: 25 }],
  };
  change.tunnel?.(tunnel);
  return {
    tunnels: () => [tunnel],
    addresses: (iface) => (iface === 'wg-laptop' ? [`${laptop.address}/${wg0.prefix}`] : 'no such device'),
    routeDevice: (address) => (laptop.allowedIps.some((n) => { const c = parseCidr(n); return c.ok && formatIPv4(c.block.base).split('.').slice(0, 3).join('.') === address.split('.').slice(0, 3).join('.'); }) ? 'wg-laptop' : 'eth0'),
    resolve: async () => [ENDPOINT_ADDRESS],
    ping: () => 'reply',
    now: () => 1_000_000,
    ...change,
  };
}

function failed(checks: DoctorCheck[]): DoctorCheck[] {
  return checks.filter((c) => c.status === 'fail');
}

async function check(file: string, probes: Probes = machine()) {
  const [report] = await doctor(file, { file: topology }, probes);
  return report!.checks;
}

function variant(name: string, edit: (s: string) => string, mode = 0o600): string {
  const file = join(work, name);
  writeFileSync(file, edit(readFileSync(client, 'utf8')));
  chmodSync(file, mode);
  return file;
}

describe('gen wg doctor', () => {
  it('an exported file on a healthy machine: every check passes, each naming where the topology says it', async () => {
    const checks = await check(client);
    expect(failed(checks)).toEqual([]);
    expect(checks.filter((c) => c.status === 'skip')).toEqual([]);
    const at = (needle: string) => `${topology.split('/').pop()}:${lineOfText(text, needle)}`;
    expect(checks).toContainEqual({ status: 'ok', check: "its private key is peer laptop's (instance wg0, site home)", declared: at('name: laptop\n') });
    expect(checks).toContainEqual({ status: 'ok', check: '[Peer] AllowedIPs = 10.0.0.0/23, 10.1.0.0/24', declared: at('- name: wg0') });
    expect(checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'the latest handshake is recent (under 180 s)',
        'every AllowedIPs network routes into wg-laptop',
        "full-size packets (MTU 1420) reach the firewall's tunnel address 10.0.1.1 with don't-fragment",
        `the path to the endpoint ${ENDPOINT_ADDRESS} carries a full tunnel packet (1420 + 60 bytes) unfragmented`,
        'Proxmox host pve answers at 10.0.0.254 through the tunnel',
      ]),
    );
  });

  it('a missing network in AllowedIPs, another endpoint, no keepalive', async () => {
    const file = variant('drift.conf', (s) => s.replace(', 10.1.0.0/24', ', 0.0.0.0/0').replace('vpn.example.com:51820', 'vpn.example.net:51820').replace(/^PersistentKeepalive.*\n/m, ''));
    // The tunnel was started from the edited file.
    const fails = failed(await check(file, machine({ tunnel: (t) => (t.peers[0]!.allowedIps = ['10.0.0.0/23', '0.0.0.0/0']) })));
    expect(fails.map((c) => [c.check, c.found])).toEqual([
      ['[Peer] Endpoint = vpn.example.com:51820', 'Endpoint = vpn.example.net:51820'],
      ['[Peer] AllowedIPs = 10.0.0.0/23, 10.1.0.0/24', 'missing 10.1.0.0/24; extra 0.0.0.0/0'],
      ['[Peer] PersistentKeepalive = 25', 'no PersistentKeepalive'],
    ]);
    expect(fails[1]!.fix).toBe(`set "AllowedIPs = 10.0.0.0/23, 10.1.0.0/24" in [Peer], or write the file again: gen wg export laptop -o ${file}`);
  });

  it("a key that is no peer's, a file others can read, a name wg-quick refuses", async () => {
    const other = 'oF8bN6sEI5Qx3vm+m1FoCPrI0QEbNRWd6vTOG3gqK2w=';
    const file = variant('laptop-at-the-office.conf', (s) => s.replace(/^PrivateKey = .*$/m, `PrivateKey = ${other}`), 0o644);
    const fails = failed(await check(file));
    expect(fails.map((c) => c.check)).toEqual(['its name is an interface name wg-quick and the apps accept (1-15 of a-z A-Z 0-9 _ = + . -, then .conf)', 'only its owner can read it (it holds a private key)', "its private key is a peer's of the topology"]);
    expect(fails[1]!.fix).toBe(`chmod 600 ${file}`);
    expect(fails[2]!.found).toBe(`its public key ${publicKeyOf(other)} is no peer's; its address 10.0.1.4 is laptop's`);
    expect(fails[2]!.fix).toContain(`gen wg rotate laptop --public-key ${publicKeyOf(other)}`);
  });

  it('a stale handshake names the checklist items that cause it', async () => {
    const fails = failed(await check(client, machine({ tunnel: (t) => (t.peers[0]!.latestHandshake = 0) })));
    expect(fails).toHaveLength(1);
    expect(fails[0]).toMatchObject({ check: 'the latest handshake is recent (under 180 s)', found: 'no handshake yet' });
    expect(fails[0]!.fix).toBe(
      'the firewall must list laptop as an enabled, linked peer (run out/home/verify/firewall-opnsense.sh there), pass UDP 51820 on its WAN, and the router in front of it must forward UDP 51820 to it (out/home/steps.md); the keys on both sides must match the topology',
    );
  });

  it('a path that cannot carry a full tunnel packet: the largest that passes, and the MTU to set', async () => {
    const pathMtu = 1450;
    const probes = machine({ ping: (address, payload) => (address === ENDPOINT_ADDRESS && payload + 28 > pathMtu ? 'too-big' : 'reply') });
    const fails = failed(await check(client, probes));
    expect(fails).toEqual([
      expect.objectContaining({ found: 'the path carries at most 1450 bytes', fix: 'lower the tunnel MTU to 1390 (mtu: on wg0 in the topology; the MSS clamp follows), build, apply and export the client files again' }),
    ]);
  });

  it('a Proxmox host that does not answer through the tunnel: its return route (seed problem 7)', async () => {
    const fails = failed(await check(client, machine({ ping: (address) => (address === '10.0.0.254' ? 'no-reply' : 'reply') })));
    expect(fails).toEqual([
      expect.objectContaining({
        check: 'Proxmox host pve answers at 10.0.0.254 through the tunnel',
        fix: 'the host needs its route back to 10.0.1.0/24 via the firewall (seed 002 problem 7): run out/home/verify/proxmox-pve.sh on it',
      }),
    ]);
  });

  it('a tunnel that is down is not a finding: its checks say why they did not run', async () => {
    const checks = await check(client, machine({ tunnels: () => [] }));
    expect(failed(checks)).toEqual([]);
    expect(checks.filter((c) => c.status === 'skip').map((c) => c.check)).toEqual(['the tunnel to wg0 is up']);
  });

  it('the command: text with fixes, --json, exit 1 on a finding, a peer name instead of a file', async () => {
    const file = variant('open.conf', (s) => s, 0o644);
    const text = await gen('wg', 'doctor', file, '-f', topology);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`✗ only its owner can read it (it holds a private key): mode 0644\n  fix: chmod 600 ${file}\n`);
    const json = await gen('wg', 'doctor', file, '-f', topology, '--format', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, reports: [{ subject: expect.stringContaining('peer laptop of wg0') }] });
    expect((await gen('wg', 'doctor', 'no-such-peer', '-f', topology)).stderr).toContain('no WireGuard peer named no-such-peer');
    expect((await gen('wg', 'doctor', file, '-f', topology, '--format', 'yaml')).code).toBe(2);
  });
});

describe('the probes', () => {
  it('read a command\'s whole output: a hub\'s `wg show all dump` passes a mebibyte', () => {
    const two = 2 * 1024 * 1024;
    const r = runProbe(process.execPath, ['-e', `process.stdout.write('x'.repeat(${two}))`]);
    expect([r.status, r.stdout.length, r.missing]).toEqual([0, two, false]);
    expect(runProbe('gen-no-such-command', []).missing).toBe(true);
  });
});
