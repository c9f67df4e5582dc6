// gen wg doctor on client files: each check against what gen writes for the
// peer, each finding with its fix. The client machine is described by a
// stand-in (running tunnels, addresses, routes, name resolution, pings);
// the real one is exercised against wireguard-go in
// test/verify/wireguard-live.test.ts.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contains, formatIPv4, parseCidr, parseIPv4 } from '../../src/net.js';
import { lintText } from '../../src/pipeline.js';
import { generateKeyPair, publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { type Probes, type RunningInterface, parseDump, runProbe, systemProbes } from '../../src/wg/doctor-probes.js';
import { type DoctorCheck, TUNNEL_MTU_MIN, doctor, formatDoctor } from '../../src/wg/doctor.js';
import { listValueKey } from '../../src/wg/wg-quick-file.js';
import { parse, stringify } from 'yaml';
import { lineOfText, render, root } from '../helpers.js';
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

/** Whether a peer's AllowedIPs hold the address: wg-quick routes it into the tunnel. */
function inAllowedIps(allowedIps: readonly string[], address: string): boolean {
  return allowedIps.some((n) => {
    const c = parseCidr(n);
    return c.ok && contains(c.block, parseIPv4(address)!);
  });
}

function failed(checks: DoctorCheck[]): DoctorCheck[] {
  return checks.filter((c) => c.status === 'fail');
}

/** The doctor's text for a peer or file of a topology: its verdict lines. */
async function verdictLines(target: string, topologyFile: string, probes: Probes): Promise<string[]> {
  return formatDoctor(await doctor(target, { file: topologyFile }, probes), 'topology.yaml', 'text').split('\n');
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

  // The firewall writes the peer's psk as its PresharedKey (and wg(8) takes it as one): a side without it fails the handshake.
  it('a PresharedKey the peer has none of, and none or a placeholder where the peer has preshared_key; the key itself never in the report', async () => {
    const psk = generateKeyPair().publicKey;
    const added = variant('laptop-psk.conf', (s) => s.replace(/^(PublicKey = .*\n)/m, `$1PresharedKey = ${psk}\n`));
    const extra = failed(await check(added));
    expect(extra.map((c) => [c.check, c.found])).toEqual([['[Peer] no PresharedKey (the peer has no preshared_key)', 'a PresharedKey, which the firewall does not have: the handshake fails']]);
    expect(extra[0]!.fix).toBe(`remove PresharedKey in [Peer], or give the peer one (gen wg psk laptop, then gen build, apply the firewall's configuration and gen wg export laptop -o ${added})`);
    const withPsk = join(work, 'with-psk.yaml');
    writeFileSync(withPsk, text.replace(/(- name: laptop\n(?: {12}.*\n)+)/, '$1            preshared_key: true\n'));
    expect(readFileSync(withPsk, 'utf8')).toContain('preshared_key: true');
    const checksOf = async (file: string) => (await doctor(file, { file: withPsk }, machine()))[0]!.checks;
    expect(failed(await checksOf(added))).toEqual([]);
    expect(await checksOf(added)).toContainEqual(expect.objectContaining({ status: 'ok', check: '[Peer] PresharedKey is a WireGuard key (the peer has preshared_key)' }));
    const placeholder = variant('laptop-ph.conf', (s) => s.replace(/^(PublicKey = .*\n)/m, '$1PresharedKey = <pre-shared key of laptop: gen wg export writes it>\n'));
    for (const [file, found] of [[client, 'no PresharedKey: the firewall has one, so the handshake fails'], [placeholder, 'the placeholder of out/, not a key']] as const) {
      const fails = failed(await checksOf(file));
      expect(fails.map((c) => [c.check, c.found, c.fix])).toEqual([['[Peer] PresharedKey is a WireGuard key (the peer has preshared_key)', found, `write the file again: gen wg export laptop -o ${file}`]]);
    }
    expect(JSON.stringify(await checksOf(added))).not.toContain(psk);
  });

  // gen wg psk --force renews the key in the secrets directory; a file exported before keeps the old one, which the firewall no longer has once deployed.
  it("a PresharedKey that differs from the secrets directory's is a finding that shows neither key; without the secrets directory it is not checked", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gen-doctor-psk-'));
    try {
      const file = join(dir, 'topology.yaml');
      const conf = join(dir, 'laptop.conf');
      const pskFile = join(dir, '.secrets/home/wireguard/wg0/peers/laptop.psk');
      copyFileSync(join(root, 'topology.yaml'), file);
      expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', file)).code).toBe(0);
      expect((await gen('wg', 'add-peer', 'laptop', '--role', 'workstation', '--preshared-key', '-f', file)).code).toBe(0);
      expect((await gen('wg', 'export', 'laptop', '-f', file, '-o', conf)).code).toBe(0);
      const check = `[Peer] PresharedKey is the one in ${pskFile}`;
      const offline: Probes = Object.assign({}, systemProbes, { tunnels: () => 'no tunnels here', resolve: async () => [ENDPOINT_ADDRESS] });
      const pskChecks = async (options: { file: string; secrets?: string }) => (await doctor(conf, options, offline))[0]!.checks.filter((c) => c.check.includes('PresharedKey'));
      expect(await pskChecks({ file })).toEqual([
        expect.objectContaining({ status: 'ok', check: '[Peer] PresharedKey is a WireGuard key (the peer has preshared_key)' }),
        { status: 'ok', check, declared: expect.stringMatching(/^topology\.yaml:\d+$/) },
      ]);
      const old = readFileSync(pskFile, 'utf8').trim();
      expect((await gen('wg', 'psk', 'laptop', '--force', '-f', file)).code).toBe(0);
      const renewed = readFileSync(pskFile, 'utf8').trim();
      expect(renewed).not.toBe(old);
      const stale = await pskChecks({ file });
      expect(stale[1]).toEqual({
        status: 'fail',
        check,
        declared: stale[0]!.declared,
        found: 'it differs: the pre-shared key was renewed (gen wg psk laptop --force) after the file was written, or the file is another\'s',
        fix: `once the firewall has the key of ${pskFile} (gen build, then apply the firewall's configuration), write the file again: gen wg export laptop -o ${conf}`,
      });
      const cli = await gen('wg', 'doctor', conf, '-f', file, '--format', 'json');
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain('it differs: the pre-shared key was renewed');
      for (const key of [old, renewed]) expect([cli.stdout, cli.stderr, JSON.stringify(stale)].some((t) => t.includes(key))).toBe(false);
      // Written again: the same key.
      expect((await gen('wg', 'export', 'laptop', '-f', file, '-o', conf, '--force')).code).toBe(0);
      expect((await pskChecks({ file }))[1]).toEqual(expect.objectContaining({ status: 'ok', check }));
      // A client machine without the secrets directory: not compared, no failure.
      const elsewhere = join(dir, 'client-only');
      expect((await pskChecks({ file, secrets: elsewhere }))[1]).toEqual({ status: 'skip', check: `[Peer] PresharedKey is the one in ${join(elsewhere, 'home/wireguard/wg0/peers/laptop.psk')}`, found: `${join(elsewhere, 'home/wireguard/wg0/peers/laptop.psk')} does not exist here (a client needs no secrets directory)` });
      // A key file gen must not read is not read: the refusal, and no comparison.
      chmodSync(pskFile, 0o644);
      const refused = (await pskChecks({ file }))[1]!;
      expect([refused.status, refused.found]).toEqual(['skip', expect.stringContaining(`refusing ${pskFile}: it is readable or writable by group or others`)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a name wg-quick takes but the Windows app refuses', async () => {
    // wireguard-windows conf/name.go, TunnelNameIsValid: a reserved device name before the first "." (isReserved), or a "." at either end (hasSpecialChars).
    for (const [name, why, rename] of [
      ['aux', 'AUX is a device name Windows reserves', 'wg0'],
      ['laptop.', 'it ends with "."', 'laptop'],
    ]) {
      const file = variant(`${name}.conf`, (s) => s);
      const fails = failed(await check(file));
      expect(fails.map((c) => [c.check, c.found, c.fix])).toEqual([
        ['its name is an interface name wg-quick and the apps accept (1-15 of a-z A-Z 0-9 _ = + . -, then .conf)', `${name}.conf: the WireGuard Windows app refuses it (${why})`, `rename it, e.g. to ${rename}.conf`],
      ]);
    }
  });

  it('a stale handshake names the checklist items that cause it', async () => {
    const fails = failed(await check(client, machine({ tunnel: (t) => (t.peers[0]!.latestHandshake = 0) })));
    expect(fails).toHaveLength(1);
    expect(fails[0]).toMatchObject({ check: 'the latest handshake is recent (under 180 s)', found: 'no handshake yet' });
    expect(fails[0]!.fix).toBe(
      'the firewall must list laptop as an enabled, linked peer (run out/home/verify/firewall-opnsense.sh there), pass UDP 51820 on its WAN, and the router in front of it must forward UDP 51820 to it (out/home/steps.md); the keys on both sides must match the topology',
    );
  });

  it('a tunnel without keepalive that has been idle: one packet renews the handshake before it is judged', async () => {
    // WireGuard shakes hands only to send: with keepalive 0 an idle tunnel keeps an old handshake, or none yet.
    for (const before of [0, 1_000_000 - 3600]) {
      const pinged: string[] = [];
      let handshake = before;
      const idle = (t: RunningInterface) => Object.assign(t.peers[0]!, { keepalive: undefined, latestHandshake: handshake });
      const base = machine({ tunnel: idle });
      const probes = machine({
        tunnel: idle,
        // The firewall answers the handshake the first packet starts; the dump shows it from then on.
        ping: (address, payload, mark) => {
          pinged.push(address);
          handshake = 1_000_000 - 1;
          return base.ping(address, payload, mark);
        },
        tunnels: () => {
          const [tunnel] = base.tunnels() as RunningInterface[];
          tunnel!.peers[0]!.latestHandshake = handshake;
          return [tunnel!];
        },
      });
      const checks = await check(client, probes);
      expect(failed(checks), String(before)).toEqual([]);
      expect(checks).toContainEqual(expect.objectContaining({ status: 'ok', check: 'the latest handshake is recent (under 180 s)' }));
      // The first packet went to the firewall's tunnel address, inside the AllowedIPs.
      expect(pinged[0]).toBe('10.0.1.1');
    }
    // A firewall that does not answer: still stale after the packet, and the checklist follows.
    const silent = machine({ tunnel: (t) => Object.assign(t.peers[0]!, { keepalive: undefined, latestHandshake: 1_000_000 - 3600 }) });
    expect(failed(await check(client, silent)).map((c) => [c.check, c.found])).toEqual([['the latest handshake is recent (under 180 s)', '3600 s ago']]);
    // With a keepalive a stale handshake is a finding as it is: no packet is needed to renew it.
    const sent: string[] = [];
    const keepalive = machine({ tunnel: (t) => (t.peers[0]!.latestHandshake = 1_000_000 - 3600), ping: (address) => (sent.push(address), 'reply') });
    expect(failed(await check(client, keepalive)).map((c) => c.check)).toEqual(['the latest handshake is recent (under 180 s)']);
    expect(sent).toEqual([]);
  });

  it('a path that cannot carry a full tunnel packet: the largest that passes, and the MTU to set', async () => {
    const pathMtu = 1450;
    const probes = machine({ ping: (address, payload) => (address === ENDPOINT_ADDRESS && payload + 28 > pathMtu ? 'too-big' : 'reply') });
    const fails = failed(await check(client, probes));
    expect(fails).toEqual([
      expect.objectContaining({ found: 'the path carries at most 1450 bytes', fix: 'lower the tunnel MTU to 1390 (mtu: on wg0 in the topology; the MSS clamp follows), build, apply and export the client files again' }),
    ]);
  });

  it('a path that refuses a full tunnel packet and answers no smaller ping: a failure without a size, never a negative MTU', async () => {
    const probes = machine({ ping: (address, payload) => (address !== ENDPOINT_ADDRESS ? 'reply' : payload + 28 > 1450 ? 'too-big' : 'no-reply') });
    const lines = await verdictLines(client, topology, probes);
    const wgLine = `topology.yaml:${lineOfText(text, '- name: wg0')}`;
    expect(lines.filter((l) => l.startsWith('✗') || l.startsWith('  fix:'))).toEqual([
      `✗ the path to the endpoint ${ENDPOINT_ADDRESS} carries a full tunnel packet (1420 + 60 bytes) unfragmented (${wgLine}): packets of 1480 bytes are refused as too big, and ${ENDPOINT_ADDRESS} does not answer smaller pings, so the largest that passes is not measured`,
      "  fix: find what the path carries (ping with don't-fragment a host beyond it that answers: ping -M do -s SIZE on Linux, ping -D -s SIZE on macOS; the packet is SIZE + 28 bytes), then set mtu on wg0 in the topology to that minus 60, at least 1280; build, apply and export the client files again",
    ]);
  });

  it('a path too small for any tunnel MTU the topology takes: the path is to be fixed, not an MTU below 1280 set', async () => {
    const probes = machine({ ping: (address, payload) => (address === ENDPOINT_ADDRESS && payload + 28 > 1300 ? 'too-big' : 'reply') });
    const fails = failed(await check(client, probes));
    expect(fails.map((c) => [c.found, c.fix])).toEqual([
      [
        'the path carries at most 1300 bytes',
        'a tunnel MTU that fits (1240) is below 1280, the least the topology takes for an instance: the path itself must carry 1340 bytes; find the link that limits it (a PPPoE or mobile link, another VPN) and raise its MTU, or connect from another network',
      ],
    ]);
  });

  it('a Proxmox host that does not answer through the tunnel: its return route', async () => {
    const fails = failed(await check(client, machine({ ping: (address) => (address === '10.0.0.254' ? 'no-reply' : 'reply') })));
    expect(fails).toEqual([
      expect.objectContaining({
        check: 'Proxmox host pve answers at 10.0.0.254 through the tunnel',
        fix: 'the host needs its route back to 10.0.1.0/24 via the firewall: run out/home/verify/proxmox-pve.sh on it',
      }),
    ]);
  });

  it('a Proxmox host the peer reaches only on TCP is not pinged: no reply would say nothing of its return route', async () => {
    const tcpOnly = join(work, 'tcp-only.yaml');
    const rule = '{ name: vpn-to-management, from: vpn, to: management, action: pass }';
    expect(text).toContain(rule);
    writeFileSync(tcpOnly, text.replace(rule, '{ name: vpn-to-management, from: vpn, to: management, proto: tcp, ports: [8006], action: pass }'));
    // The firewall drops the ping (no ICMP passed); the host would answer it.
    const lines = await verdictLines('laptop', tcpOnly, machine({ ping: (address) => (address === '10.0.0.254' ? 'no-reply' : 'reply') }));
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines).toContain('- Proxmox host pve answers at 10.0.0.254 through the tunnel: not checked: the policy does not pass ICMP from laptop (10.0.1.4) to 10.0.0.254 (the default deny)');
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

// Characters a terminal acts on rather than shows (C0 but line breaks, DEL, C1, the bidirectional controls).
const ACTS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("gen wg doctor shows the client machine's text as text", () => {
  it('a client file with terminal controls in its values: each shown as \\uXXXX, in text and in JSON', async () => {
    const file = variant('hostile.conf', (s) => s.replace(/^MTU = (.*)$/m, "MTU = $1\u001b]0;owned\u0007").replace('vpn.example.com', 'vpn\u202e.example.com\u009b2J'));
    const text = await gen('wg', 'doctor', file, '-f', topology);
    expect(text.code).toBe(1);
    expect(ACTS.exec(text.stdout)).toBeNull();
    expect(text.stdout).toContain('\\u001b]0;owned\\u0007');
    expect(text.stdout).toContain('Endpoint = vpn\\u202e.example.com\\u009b2J:51820');
    const json = await gen('wg', 'doctor', file, '-f', topology, '--format', 'json');
    expect(ACTS.exec(json.stdout)).toBeNull();
    const doc = JSON.parse(json.stdout) as { reports: { checks: DoctorCheck[] }[] };
    // JSON escapes them: the document still says what the file holds.
    expect(doc.reports[0]!.checks.map((c) => c.found)).toContain('Endpoint = vpn\u202e.example.com\u009b2J:51820');
  });

  it("a running tunnel's name and endpoint from `wg show`", async () => {
    const probes = machine({ tunnel: (t) => {
      t.name = 'wg\u001b[2J\u202e';
      t.peers[0]!.endpoint = `198.51.100.7\u009b31m:51820`;
    } });
    const lines = await verdictLines(client, topology, probes);
    expect(ACTS.exec(lines.join("\n")), lines.join("\n")).toBeNull();
    expect(lines).toContainEqual(expect.stringContaining('(wg\\u001b[2J\\u202e)'));
    expect(lines.join('\n')).toContain('it sends to 198.51.100.7\\u009b31m:51820');
  });
});

describe('a wg-quick list value as the tools read it (listValueKey)', () => {
  it('an address in its compact form, a network without a prefix length a host; anything no tool reads alike as written', () => {
    // wg(8) parse_allowedips() and the Windows app's parseIPCidr(): no prefix length is /32 or /128.
    expect(listValueKey('10.0.0.5', true)).toBe('10.0.0.5/32');
    expect(listValueKey('FD00:0:0::1', true)).toBe('fd00::1/128');
    expect(listValueKey('0::/0', true)).toBe('::/0');
    expect(listValueKey('::ffff:10.0.0.0/104', true)).toBe('::ffff:a00:0/104');
    // inet_pton refuses a leading zero in IPv4, Go's netip.ParsePrefix one in the prefix length: kept as written.
    expect(listValueKey('010.0.0.5/32', true)).toBe('010.0.0.5/32');
    expect(listValueKey('10.0.0.0/024', true)).toBe('10.0.0.0/024');
    expect(listValueKey('10.0.0.0/33', true)).toBe('10.0.0.0/33');
    // DNS: an address, or a search domain.
    expect(listValueKey('2606:4700:4700:0::1111', false)).toBe('2606:4700:4700::1111');
    expect(listValueKey('1.1.1.1', false)).toBe('1.1.1.1');
    expect(listValueKey('home.arpa', false)).toBe('home.arpa');
    expect(listValueKey('1.1.1.1/32', false)).toBe('1.1.1.1/32');
  });
});

describe('gen wg doctor on a full tunnel (AllowedIPs 0.0.0.0/0)', () => {
  const full = join(work, 'full.yaml');
  beforeAll(() => writeFileSync(full, text.replace('tunnel: split', 'tunnel: full')));
  const pathLine = (wgLine: string) => `✓ the path to the endpoint ${ENDPOINT_ADDRESS} carries a full tunnel packet (1420 + 60 bytes) unfragmented (${wgLine})`;

  /**
   * Linux wg-quick with a /0: every unmarked packet without a more specific
   * route goes into the tunnel (MTU 1420), a ping to the endpoint too; only
   * packets with the tunnel's fwmark take the path (MTU 1500).
   */
  function fullTunnel(fwmark: number | undefined, sent: (number | undefined)[] = []): Probes {
    return machine({
      tunnel: (t) => {
        t.fwmark = fwmark;
        t.peers[0]!.allowedIps = ['0.0.0.0/0', '::/0'];
      },
      routeDevice: () => 'wg-laptop',
      ping: (address, payload, mark) => {
        if (address === ENDPOINT_ADDRESS) sent.push(mark);
        const mtu = mark !== undefined && mark === fwmark ? 1500 : 1420;
        return payload + 28 > mtu ? 'too-big' : 'reply';
      },
    });
  }

  it("measures the path with the tunnel's fwmark, outside the tunnel", async () => {
    const sent: (number | undefined)[] = [];
    const lines = await verdictLines('laptop', full, fullTunnel(51820, sent));
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines).toContain(pathLine(`topology.yaml:${lineOfText(text, '- name: wg0')}`));
    expect(sent).toEqual([51820]);
  });

  it('without a fwmark the endpoint is routed into the tunnel: the path is not measured, and says why', async () => {
    const lines = await verdictLines('laptop', full, fullTunnel(undefined));
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines).toContain(
      `- the path to the endpoint ${ENDPOINT_ADDRESS} carries a full tunnel packet (1420 + 60 bytes) unfragmented: not checked: ${ENDPOINT_ADDRESS} is routed into wg-laptop (its AllowedIPs hold it) and wg-laptop has no fwmark that sends a probe around it, so a ping would measure the tunnel`,
    );
  });

  it('a ping that cannot set the mark measures nothing', async () => {
    const probes = fullTunnel(51820);
    const lines = await verdictLines('laptop', full, Object.assign({}, probes, { ping: (address: string, payload: number, mark?: number) => (mark === undefined ? probes.ping(address, payload) : 'unmarked') }));
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines).toContain(
      `- the path to the endpoint ${ENDPOINT_ADDRESS} carries a full tunnel packet (1420 + 60 bytes) unfragmented: not checked: ping could not give its probe wg-laptop's fwmark 51820 (that takes CAP_NET_ADMIN: run as root, with iputils' ping), and unmarked it would measure the tunnel`,
    );
  });

  it('AllowedIPs written in another form of the same networks (as wg(8), wg-quick and the apps read them) pass; another network still fails', async () => {
    const file = join(work, 'full-forms.conf');
    expect((await gen('wg', 'export', 'laptop', '-f', full, '-o', file)).code).toBe(0);
    const exported = readFileSync(file, 'utf8');
    expect(exported).toMatch(/^AllowedIPs = 0\.0\.0\.0\/0, ::\/0$/m);
    // "0::/0" is ::/0 to inet_pton; `wg show` prints the running tunnel's as inet_ntop writes it, "::/0".
    writeFileSync(file, exported.replace('AllowedIPs = 0.0.0.0/0, ::/0', 'AllowedIPs = 0:0:0:0:0:0:0:0/0, 0.0.0.0/0'));
    chmodSync(file, 0o600);
    const [report] = await doctor(file, { file: full }, fullTunnel(51820));
    expect(failed(report!.checks)).toEqual([]);
    expect(report!.checks).toContainEqual(expect.objectContaining({ status: 'ok', check: '[Peer] AllowedIPs = 0.0.0.0/0, ::/0' }));
    expect(report!.checks).toContainEqual(expect.objectContaining({ status: 'ok', check: "wg-laptop runs with the file's AllowedIPs = 0:0:0:0:0:0:0:0/0, 0.0.0.0/0" }));
    // ::1/0 has a host bit set: wg(8) warns of it, and it is not the network gen writes.
    writeFileSync(file, exported.replace('AllowedIPs = 0.0.0.0/0, ::/0', 'AllowedIPs = 0.0.0.0/0, ::1/0'));
    const [other] = await doctor(file, { file: full }, fullTunnel(51820));
    expect(failed(other!.checks).map((c) => [c.check, c.found])).toEqual([
      ['[Peer] AllowedIPs = 0.0.0.0/0, ::/0', 'missing ::/0; extra ::1/0'],
      ["wg-laptop runs with the file's AllowedIPs = 0.0.0.0/0, ::1/0", '0.0.0.0/0, ::/0'],
    ]);
  });

  it('an endpoint routed around the tunnel (macOS wg-quick, a directly connected network) is pinged as is', async () => {
    const sent: (number | undefined)[] = [];
    const probes = Object.assign({}, fullTunnel(undefined, sent), { routeDevice: (address: string) => (address === ENDPOINT_ADDRESS ? 'en0' : 'wg-laptop') });
    const ping = probes.ping;
    // Around the tunnel the path carries 1500 bytes unmarked.
    probes.ping = (address, payload, mark) => (address === ENDPOINT_ADDRESS ? (sent.push(mark), 'reply') : ping(address, payload, mark));
    const lines = await verdictLines('laptop', full, probes);
    expect(lines).toContain(pathLine(`topology.yaml:${lineOfText(text, '- name: wg0')}`));
    expect(sent).toEqual([undefined]);
  });
});

describe("gen wg doctor pings the firewall only where the peer's tunnel and the policy let it", () => {
  const family = join(root, 'examples/homelab-family.yaml');
  const familyText = readFileSync(family, 'utf8');
  let familyModel: Awaited<ReturnType<typeof lintText>>['model'];
  beforeAll(async () => {
    familyModel = (await lintText(familyText, family)).model;
  });

  /** A peer's healthy tunnel: its WireGuard sends only to its AllowedIPs (else -ENOKEY), the firewall answers ICMP only where `answers` says. */
  function familyMachine(name: string, answers: (address: string) => boolean): Probes {
    const wg0 = familyModel!.sites[0]!.wireguard[0]!;
    const peer = wg0.peers.find((p) => p.name === name)!;
    return {
      tunnels: () => [{ name, publicKey: peer.publicKey!, listenPort: 40000, peers: [{ publicKey: wg0.publicKey!, endpoint: `${ENDPOINT_ADDRESS}:51820`, allowedIps: [...peer.allowedIps], latestHandshake: 1_000_000 - 20, keepalive: 25 }] }],
      addresses: () => [`${peer.address}/${wg0.prefix}`],
      routeDevice: (address) => (inAllowedIps(peer.allowedIps, address) ? name : 'eth0'),
      resolve: async () => [ENDPOINT_ADDRESS],
      ping: (address) => (address === ENDPOINT_ADDRESS || (inAllowedIps(peer.allowedIps, address) && answers(address)) ? 'reply' : 'no-reply'),
      now: () => 1_000_000,
    };
  }
  const wgLine = () => `topology.yaml:${lineOfText(familyText, '- name: wg0')}`;

  it("a peer whose AllowedIPs hold no firewall address: the full-size check is not made, and says why", async () => {
    const lines = await verdictLines('kid-tablet', family, familyMachine('kid-tablet', () => true));
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines).toContain(
      "- full-size packets (MTU 1420) reach the firewall with don't-fragment: not checked: the tunnel's AllowedIPs do not hold 10.10.99.1, so this machine sends nothing there, and no other address of the firewall is both in the AllowedIPs and passed ICMP from 10.10.99.11",
    );
  });

  it('a peer that reaches the tunnel address only on TCP: the firewall address it may ping instead', async () => {
    // The policy passes dad-laptop TCP 22 and 8443 to the firewall, ICMP only to the management network (admins-manage).
    const lines = await verdictLines('dad-laptop', family, familyMachine('dad-laptop', (address) => address !== '10.10.99.1'));
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines).toContain(`✓ full-size packets (MTU 1420) reach the firewall's address on management 10.10.10.1 with don't-fragment (${wgLine()})`);
  });
});

// The doctor never suggests an MTU below what the topology takes for an instance: the schema's minimum.
it("the least tunnel MTU the doctor suggests is the schema's minimum for an instance's mtu", () => {
  const schema = JSON.parse(readFileSync(`${root}/schema/topology.schema.json`, 'utf8'));
  expect(TUNNEL_MTU_MIN).toBe(schema.$defs.wireguardInstance.properties.mtu.minimum);
});

describe('the probes', () => {
  it('read a command\'s whole output: a hub\'s `wg show all dump` passes a mebibyte', () => {
    const two = 2 * 1024 * 1024;
    const r = runProbe(process.execPath, ['-e', `process.stdout.write('x'.repeat(${two}))`]);
    expect([r.status, r.stdout.length, r.missing]).toEqual([0, two, false]);
    expect(runProbe('gen-no-such-command', []).missing).toBe(true);
  });

  it("read a tunnel's fwmark from `wg show all dump` (wg-quick's, on a full tunnel)", () => {
    const dump = ['wg0\tPRIV\tPUB\t40000\t0xca6c', 'wg1\tPRIV\tPUB1\t0\toff', ''].join('\n');
    expect(parseDump(dump).map((i) => [i.name, i.fwmark])).toEqual([
      ['wg0', 51820],
      ['wg1', undefined],
    ]);
  });

  describe.runIf(process.platform === 'linux')('ping with a mark (a stand-in ping on PATH)', () => {
    const path = process.env.PATH;
    afterEach(() => {
      process.env.PATH = path;
    });
    function standIn(script: string): string {
      const dir = mkdtempSync(join(work, 'ping-'));
      writeFileSync(join(dir, 'ping'), `#!/bin/sh\necho "$@" > ${join(dir, 'args')}\n${script}\n`, { mode: 0o755 });
      process.env.PATH = `${dir}:${path}`;
      return dir;
    }

    it('a wg cut short (killed at the time limit) is reported without its output: the dump holds the private keys', () => {
      const privateKey = 'oF8bN6sEI5Qx3vm+m1FoCPrI0QEbNRWd6vTOG3gqK2w=';
      // What the killed wg left in the pipe: the interface line of `wg show all dump` (wg(8): private key first).
      const dir = standIn('');
      writeFileSync(join(dir, 'wg'), `#!/bin/sh\nprintf 'wg0\\t${privateKey}\\t${publicKeyOf(privateKey)}\\t0\\toff\\n'\nkill -TERM $$\n`, { mode: 0o755 });
      const problem = systemProbes.tunnels();
      expect(typeof problem).toBe('string');
      expect(problem).toMatch(/^wg show all dump: did not finish/);
      expect(problem).not.toContain(privateKey);
    });

    it("passes the mark in decimal to iputils' -m", () => {
      const dir = standIn('exit 0');
      expect(systemProbes.ping(ENDPOINT_ADDRESS, 1452, 0xca6c)).toBe('reply');
      expect(readFileSync(join(dir, 'args'), 'utf8')).toBe(`-M do -m 51820 -c 1 -W 1 -s 1452 ${ENDPOINT_ADDRESS}\n`);
    });

    it('a mark ping could not set is no reply: iputils warns and sends the probe unmarked', () => {
      standIn("echo 'ping: WARNING: failed to set mark: 51820: Operation not permitted' >&2\nexit 0");
      expect(systemProbes.ping(ENDPOINT_ADDRESS, 1452, 51820)).toBe('unmarked');
      expect(systemProbes.ping(ENDPOINT_ADDRESS, 1452)).toBe('reply');
    });
  });
});

describe('gen wg doctor, one device at two sites', () => {
  // The office's firewall key; the laptop brings the same key to both sites.
  const OFFICE_KEY = 'oF8bN6sEI5Qx3vm+m1FoCPrI0QEbNRWd6vTOG3gqK2w=';

  /** The topology with a second site, office: the first's copy, its networks moved, its own instance key, the laptop's tunnel named apart. */
  function twoSites(): string {
    const doc = parse(text) as { sites: Record<string, unknown>[] };
    const copy = JSON.stringify(doc.sites[0]).replace(/"10\.0\./g, '"10.20.').replace(/"10\.1\./g, '"10.21.').replace('"vm-backup-s3"', '"office-backup-s3"').replace('vpn.example.com', 'office.example.com');
    const office = JSON.parse(copy) as { name: string; wireguard: { public_key: string; peers: { name: string; tunnel_name?: string }[] }[] };
    office.name = 'office';
    office.wireguard[0]!.public_key = publicKeyOf(OFFICE_KEY);
    office.wireguard[0]!.peers.find((p) => p.name === 'laptop')!.tunnel_name = 'o-laptop';
    doc.sites.push(office);
    return stringify(doc);
  }

  it("checks the office's file and running tunnel against the office's peer, not the home's of the same key", async () => {
    const file = join(work, 'two-sites.yaml');
    const two = twoSites();
    writeFileSync(file, two);
    const { model: both, diagnostics } = await lintText(two, file);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [home, office] = both!.sites.map((s) => ({ instance: s.wireguard[0]!, laptop: s.wireguard[0]!.peers.find((p) => p.name === 'laptop')! }));
    expect(office!.laptop.publicKey).toBe(home!.laptop.publicKey);
    // The office's client file as gen writes it, with the device's private key.
    const privateKey = /^PrivateKey = (.*)$/m.exec(readFileSync(client, 'utf8'))![1]!;
    const officeFile = join(work, 'o-laptop.conf');
    writeFileSync(officeFile, (await render(two)).get('office/wireguard/o-laptop.conf')!.replace(/^PrivateKey = .*$/m, `PrivateKey = ${privateKey}`));
    chmodSync(officeFile, 0o600);
    // Both tunnels up on the laptop, each to its own site's firewall.
    const running = (name: string, site: typeof home): RunningInterface => ({
      name,
      publicKey: site!.laptop.publicKey!,
      peers: [{ publicKey: site!.instance.publicKey!, endpoint: `${ENDPOINT_ADDRESS}:51820`, allowedIps: [...site!.laptop.allowedIps], latestHandshake: 1_000_000 - 20, keepalive: 25 }],
    });
    const byName = { 'wg-laptop': home!, 'o-laptop': office! };
    const probes: Probes = {
      tunnels: () => [running('wg-laptop', home), running('o-laptop', office)],
      addresses: (iface) => (iface in byName ? [`${byName[iface as keyof typeof byName].laptop.address}/24`] : 'no such device'),
      routeDevice: (address) => (address.startsWith('10.2') ? 'o-laptop' : address.startsWith('10.') ? 'wg-laptop' : 'eth0'),
      resolve: async () => [ENDPOINT_ADDRESS],
      ping: () => 'reply',
      now: () => 1_000_000,
    };
    const [report] = await doctor(officeFile, { file }, probes);
    expect(report!.subject).toBe(`${officeFile} (peer laptop of wg0, site office)`);
    expect(failed(report!.checks)).toEqual([]);
    expect(report!.checks.map((c) => c.check)).toEqual(expect.arrayContaining(["its private key is peer laptop's (instance wg0, site office)", '[Peer] AllowedIPs = 10.20.0.0/23, 10.21.0.0/24', 'the tunnel to wg0 is up (o-laptop)']));
    // A drifted office file: the fix names the site, so its command finds the one peer laptop.
    const drifted = join(work, 'o-laptop2.conf');
    writeFileSync(drifted, readFileSync(officeFile, 'utf8').replace(', 10.21.0.0/24', ''));
    chmodSync(drifted, 0o600);
    const [drift] = await doctor(drifted, { file }, probes);
    expect(failed(drift!.checks).map((c) => c.fix)).toContain(`set "AllowedIPs = 10.20.0.0/23, 10.21.0.0/24" in [Peer], or write the file again: gen wg export laptop --site office -o ${drifted}`);
    // Without a target: each running tunnel with its own site's peer.
    const reports = await doctor(undefined, { file }, probes);
    expect(reports.map((r) => [r.subject, failed(r.checks)])).toEqual([
      ['wg-laptop (peer laptop of wg0, site home)', []],
      ['o-laptop (peer laptop of wg0, site office)', []],
    ]);
  });
});

describe('gen wg doctor, a peer without a public key', () => {
  // The device made its own key and the topology does not hold it yet: no other peer shares its key,
  // so its tunnel is the one whose peer is its instance, never a tunnel of the same device to another one.
  const device = generateKeyPair();
  const OTHER_INSTANCE = generateKeyPair().publicKey;

  it("finds its tunnel by its instance's key, not the device's other tunnel, and names the key to record", async () => {
    const file = join(work, 'keyless.yaml');
    const doc = parse(text) as { sites: { wireguard: { peers: Record<string, unknown>[] }[] }[] };
    doc.sites[0]!.wireguard[0]!.peers.push({ name: 'tablet', role: 'mobile', address: '10.0.1.12' });
    const keyless = stringify(doc);
    writeFileSync(file, keyless);
    const { model: m } = await lintText(keyless, file);
    const wg0 = m!.sites[0]!.wireguard[0]!;
    const tablet = wg0.peers.find((p) => p.name === 'tablet')!;
    expect(tablet.publicKey).toBeUndefined();
    const tunnel = (name: string, instanceKey: string): RunningInterface => ({
      name,
      publicKey: device.publicKey,
      peers: [{ publicKey: instanceKey, endpoint: `${ENDPOINT_ADDRESS}:51820`, allowedIps: [...tablet.allowedIps], latestHandshake: 1_000_000 - 20, keepalive: 25 }],
    });
    const probes = (tunnels: RunningInterface[]): Probes => ({
      tunnels: () => tunnels,
      addresses: (iface) => (iface === 'wg-tablet' ? [`${tablet.address}/${wg0.prefix}`] : 'no such device'),
      routeDevice: (address) => (inAllowedIps(tablet.allowedIps, address) ? 'wg-tablet' : 'eth0'),
      resolve: async () => [ENDPOINT_ADDRESS],
      ping: () => 'reply',
      now: () => 1_000_000,
    });
    // The device's tunnel to another instance comes first: it is not the tablet's tunnel to wg0.
    const both = probes([tunnel('other-vpn', OTHER_INSTANCE), tunnel('wg-tablet', wg0.publicKey!)]);
    const [byName] = await doctor('tablet', { file }, both);
    expect(failed(byName!.checks)).toEqual([]);
    expect(byName!.checks.map((c) => c.check)).toContain('the tunnel to wg0 is up (wg-tablet)');
    const [otherOnly] = await doctor('tablet', { file }, probes([tunnel('other-vpn', OTHER_INSTANCE)]));
    expect(otherOnly!.checks.filter((c) => c.check.startsWith('the tunnel to wg0')).map((c) => c.status)).toEqual(['skip']);
    expect(otherOnly!.checks.map((c) => c.check)).not.toContain('wg-tablet has the instance wg0 as its peer');
    // gen wg export refuses a peer without a key: the skip names the rotate that makes one first.
    expect(otherOnly!.checks.find((c) => c.check === 'the tunnel to wg0 is up')?.found).toContain('after gen wg rotate tablet (or with --public-key KEY of a key the device makes) and gen wg export tablet -o FILE');
    expect(otherOnly!.checks.filter((c) => c.check.startsWith('other-vpn'))).toEqual([]);
    // Its client file with the device's key: the key is no peer's, the fix records it for the peer of the file's address.
    const conf = join(work, 'tablet.conf');
    writeFileSync(conf, (await render(keyless)).get(`${m!.sites[0]!.name}/wireguard/tablet.conf`)!.replace(/^PrivateKey = .*$/m, `PrivateKey = ${device.privateKey}`));
    chmodSync(conf, 0o600);
    const [byFile] = await doctor(conf, { file }, both);
    expect(failed(byFile!.checks).map((c) => c.check)).toEqual(["its private key is a peer's of the topology"]);
    expect(failed(byFile!.checks)[0]!.fix).toContain(`gen wg rotate tablet --public-key ${device.publicKey}`);
    expect(byFile!.checks.map((c) => c.check)).toContain('the tunnel to wg0 is up (wg-tablet)');
  });
});
