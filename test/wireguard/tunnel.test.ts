// The generated WireGuard files against the real tools: wireguard-tools'
// parser (`wg setconf`) on a wireguard-go interface for every client file
// with a key filled in, and a handshake and ping between the instance and a
// client in two private network namespaces. Keys are made at test time.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, readExample, render, root } from '../helpers.js';
import { attempt, missing, titled } from '../system-tools.js';
import { gen } from './cli.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const homelab = readExample('homelab');
const wg0 = ['sites', 0, 'wireguard', 0];
const work = tempDir('gen-wg-');

/** Scenario A (or a variant) with fresh keys: the instance's and every peer's. */
function withFreshKeys(yaml: string): { yaml: string; peerKeys: Map<string, string> } {
  let text = edit(yaml, [...wg0, 'public_key'], generateKeyPair().publicKey);
  const peerKeys = new Map<string, string>();
  ['mac-workstation', 'laptop-john', 'iphone-john'].forEach((name, i) => {
    const pair = generateKeyPair();
    peerKeys.set(name, pair.privateKey);
    text = edit(text, [...wg0, 'peers', i, 'public_key'], pair.publicKey);
  });
  return { yaml: text, peerKeys };
}

async function clientFilesWithKeys(yaml: string, tag: string): Promise<string[]> {
  const { yaml: keyed, peerKeys } = withFreshKeys(yaml);
  const written: string[] = [];
  for (const [path, text] of await render(keyed)) {
    if (!path.includes('/wireguard/') || !path.endsWith('.conf')) continue;
    // The file name is the tunnel's name; the peer is named in the first line.
    const peer = /^# WireGuard client (\S+) /.exec(text)![1]!;
    const filled = text.replace(/^PrivateKey = <.*>$/m, `PrivateKey = ${peerKeys.get(peer)}`);
    expect(filled).not.toBe(text);
    const file = join(work, `${tag}-${path.replace(/\//g, '_')}`);
    writeFileSync(file, filled, { mode: 0o600 });
    written.push(file);
  }
  return written;
}

const validate = join(root, 'test/scripts/wg-validate.sh');
const whySetconf = missing(['wg', 'wg-quick', 'wireguard-go', 'ip']);

describe.skipIf(whySetconf)(titled('wg setconf on wireguard-go accepts every client file', whySetconf), () => {
  it('scenario A: public and LAN files of every enabled peer', async () => {
    const files = await clientFilesWithKeys(homelab, 'a');
    expect(files).toHaveLength(4);
    const result = attempt(validate, files);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(files.map((f) => `OK   ${f} (1 peers)`));
    expect(result.status).toBe(0);
  });

  it('a full tunnel with DNS, another MTU and endpoint port', async () => {
    let variant = edit(homelab, [...wg0, 'tunnel'], 'full');
    variant = edit(variant, [...wg0, 'dns'], ['10.0.0.1', '10.0.0.2']);
    variant = edit(variant, [...wg0, 'mtu'], 1380);
    variant = edit(variant, [...wg0, 'endpoint_port'], 4500);
    const files = await clientFilesWithKeys(variant, 'full');
    const result = attempt(validate, files);
    expect(result.stdout).not.toContain('FAIL');
    expect(result.status).toBe(0);
  });

  it('wg-quick takes every client file under the name gen writes it with (its interface name), as the Android app does', async () => {
    const dir = mkdtempSync(join(work, 'names-'));
    const second = { name: 'wg1', listen_port: 51821, address: '10.0.2.1/24', public_key: generateKeyPair().publicKey, endpoint: 'vpn.example.com', lan_endpoint: true };
    let twoInstances = edit(homelab, ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' });
    twoInstances = edit(edit(twoInstances, ['sites', 0, 'wireguard', 1], { ...second, roles: [{ name: 'r', from: '10.0.2.2', to: '10.0.2.9' }], peers: [{ name: 'tablet', role: 'r', address: '10.0.2.2' }] }), [...wg0, 'peers', 1, 'tunnel_name'], 'john');
    const written: string[] = [];
    for (const yaml of [homelab, twoInstances]) {
      for (const [path, text] of await render(yaml)) {
        if (!path.endsWith('.conf')) continue;
        const file = join(dir, path.replace(/^.*\//, ''));
        writeFileSync(file, text, { mode: 0o600 });
        written.push(file);
      }
    }
    expect(written.map((f) => f.replace(/^.*\//, ''))).toContain('mac-ws-lan.conf');
    for (const file of written) {
      // wg-quick checks the file name before it reads the file (wg-quick/linux.bash).
      const result = attempt('wg-quick', ['strip', file]);
      expect(result.stderr, file).not.toContain('must be a valid interface name');
      expect(result.status, `${file}: ${result.stderr}`).toBe(0);
    }
    // The same check refuses the 19-character name gen used to write.
    writeFileSync(join(dir, 'mac-workstation-lan.conf'), readFileSync(written[0]!));
    expect(attempt('wg-quick', ['strip', join(dir, 'mac-workstation-lan.conf')]).stderr).toContain('The config file must be a valid interface name, followed by .conf');
  });

  it('rejects a file whose key is broken (the check can fail)', async () => {
    const [file] = await clientFilesWithKeys(homelab, 'broken');
    writeFileSync(file!, readFileSync(file!, 'utf8').replace(/^PublicKey = .*$/m, 'PublicKey = notakey'));
    const result = attempt(validate, [file!]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL .*Key is not the correct length or format/);
  });
});

const e2e = join(root, 'test/scripts/wg-e2e.sh');
const whyTunnel = missing(['wg', 'wg-quick', 'wireguard-go', 'ip', 'ping']);

describe.skipIf(whyTunnel)(titled('handshake and ping between two namespaces', whyTunnel), () => {
  it('the instance and a client made by gen wg keygen/add-peer/export complete a handshake and pass pings', async () => {
    const dir = mkdtempSync(join(work, 'e2e-'));
    const topology = join(dir, 'topology.yaml');
    copyFileSync(join(root, 'topology.yaml'), topology);
    // scenario A names a public key whose private key is elsewhere: make a new pair.
    expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'e2e-laptop', '--role', 'workstation', '-f', topology)).code).toBe(0);
    const client = join(dir, 'client.conf');
    const server = join(dir, 'server.conf');
    expect((await gen('wg', 'export', 'e2e-laptop', '-f', topology, '-o', client)).code).toBe(0);
    expect((await gen('wg', 'export-instance', '-f', topology, '-o', server)).code).toBe(0);
    expect(readFileSync(client, 'utf8')).toContain('AllowedIPs = 10.0.0.0/23, 10.1.0.0/24');

    // 10.0.0.1 and 10.1.0.1 stand for the firewall's management and service addresses.
    const result = attempt(e2e, [server, client, '10.0.0.1', '10.1.0.1']);
    expect(result.stdout + result.stderr).toContain('OK: handshake + ping through the tunnel');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/3 packets transmitted, 3 received/);
    expect(result.stdout.match(/2 packets transmitted, 2 received/g)).toHaveLength(2);
  });

  // A pre-shared key is mixed into the handshake's keys (the responder's message uses it): the two sides agree only with the same key.
  it('a peer added with --preshared-key completes a handshake with the key on both sides, and none with another key or none on one side', async () => {
    const dir = mkdtempSync(join(work, 'e2e-psk-'));
    const topology = join(dir, 'topology.yaml');
    copyFileSync(join(root, 'topology.yaml'), topology);
    expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'e2e-pq', '--role', 'workstation', '--preshared-key', '-f', topology)).code).toBe(0);
    const client = join(dir, 'client.conf');
    const server = join(dir, 'server.conf');
    expect((await gen('wg', 'export', 'e2e-pq', '-f', topology, '-o', client)).code).toBe(0);
    expect((await gen('wg', 'export-instance', '-f', topology, '-o', server)).code).toBe(0);
    const psk = readFileSync(join(dir, '.secrets/home/wireguard/wg0/peers/e2e-pq.psk'), 'utf8').trim();
    expect(readFileSync(client, 'utf8')).toContain(`PresharedKey = ${psk}\n`);
    expect(readFileSync(server, 'utf8')).toMatch(new RegExp(`# e2e-pq \\(workstation\\)\nPublicKey = \\S+\nPresharedKey = ${psk.replace(/[+/]/g, '\\$&')}\n`));
    const same = attempt(e2e, [server, client]);
    expect(same.stdout + same.stderr).toContain('OK: handshake + ping through the tunnel');
    expect(same.status).toBe(0);

    const other = join(dir, 'other.conf');
    writeFileSync(other, readFileSync(client, 'utf8').replace(`PresharedKey = ${psk}`, `PresharedKey = ${generateKeyPair().publicKey}`), { mode: 0o600 });
    const none = join(dir, 'none.conf');
    writeFileSync(none, readFileSync(client, 'utf8').replace(/^PresharedKey = .*\n/m, ''), { mode: 0o600 });
    for (const file of [other, none]) {
      expect(readFileSync(file, 'utf8')).not.toBe(readFileSync(client, 'utf8'));
      const refused = attempt(e2e, [server, file]);
      expect(refused.stdout).toMatch(/3 packets transmitted, 0 received/);
      expect(refused.stdout + refused.stderr).not.toContain('OK: handshake');
      expect(refused.status).not.toBe(0);
    }
  });

  it('a full tunnel takes the client’s IPv6 into the tunnel too, instead of letting it bypass the tunnel', async () => {
    const dir = mkdtempSync(join(work, 'e2e-full-'));
    const topology = join(dir, 'topology.yaml');
    writeFileSync(topology, edit(homelab, [...wg0, 'tunnel'], 'full'));
    expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'e2e-phone', '--role', 'mobile', '-f', topology)).code).toBe(0);
    const client = join(dir, 'client.conf');
    const server = join(dir, 'server.conf');
    expect((await gen('wg', 'export', 'e2e-phone', '-f', topology, '-o', client)).code).toBe(0);
    expect((await gen('wg', 'export-instance', '-f', topology, '-o', server)).code).toBe(0);
    // The client namespace has its own IPv6 default route: without ::/0 in AllowedIPs, 2001:db8::1 would take it.
    const result = attempt(e2e, [server, client, '10.0.0.1', '2001:db8::1']);
    expect(result.stdout + result.stderr).toContain('OK: handshake + ping through the tunnel');
    expect(result.stdout).toMatch(/^IPv6 2001:db8::1: 2001:db8::1 .*dev wgc/m);
    expect(result.status).toBe(0);
  });
});
