// gen wg on a copy of scenario A in a temporary directory: the topology is
// edited in place with its comments and layout kept, private keys live only
// in the secrets directory (0700/0600), exports are complete client files.
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { parse } from 'yaml';
import { beforeEach, describe, expect, it } from 'vitest';
import { lintText } from '../../src/pipeline.js';
import { renderAll } from '../../src/render/index.js';
import { generateKeyPair, isWireguardKey, publicKeyOf } from '../../src/targets/wireguard/keys.js';
import { edit, readExample, root } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { gen, topologyCases } from './cli.js';

// jsqr is CommonJS: TypeScript types its default import as the module, whose .default is the function.
const jsQR = jsqr.default;

const original = readExample('homelab');

/**
 * Reads a QR code printed with half blocks: each character is two modules
 * stacked, '▀' the upper one, '▄' the lower one, '█' both. In colour
 * (black on white) the blocks are the dark modules; without colour they
 * are the light ones (as `qrencode -t UTF8`, for a dark terminal). Scaled
 * up with a quiet zone for jsQR.
 */
function decodeTerminal(text: string): string | undefined {
  const colored = text.includes('\u001b[30;47m');
  const rows: { upper: boolean; lower: boolean }[][] = [];
  for (const line of text.replace(/\u001b\[[\d;]*m/g, '').split('\n')) {
    const cells = [...line].map((c) => {
      const upper = c === '█' || c === '▀';
      const lower = c === '█' || c === '▄';
      return colored ? { upper, lower } : { upper: !upper, lower: !lower };
    });
    if (cells.length) rows.push(cells);
  }
  const modules = rows.flatMap((cells) => [cells.map((c) => c.upper), cells.map((c) => c.lower)]);
  const scale = 4;
  const margin = 4 * scale;
  const width = modules[0]!.length * scale + 2 * margin;
  const height = modules.length * scale + 2 * margin;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = ((margin + y * scale + dy) * width + margin + x * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
      }
    }),
  );
  return jsQR(data, width, height)?.data;
}
const newCase = topologyCases('gen-wg-cli-');
let dir: string;
let topology: string;
let secrets: string;
beforeEach(() => {
  ({ dir, topology, secrets } = newCase());
});

function current(): string {
  return readFileSync(topology, 'utf8');
}

function peersOf(text: string): { name: string; role: string; address: string; public_key?: string; enabled?: boolean }[] {
  return parse(text).sites[0].wireguard[0].peers;
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

async function rendered(): Promise<Map<string, string>> {
  const { model } = await lintText(current());
  return renderAll(model!);
}

describe('gen wg add-peer', () => {
  it('appends the peer at the next free address of its role and changes nothing else in the file', async () => {
    const result = await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '-f', topology);
    expect(result).toMatchObject({ code: 0, stdout: '10.0.1.12\n' });
    const key = readFileSync(join(secrets, 'home/wireguard/wg0/peers/pixel-anna.key'), 'utf8').trim();
    const anchor = '            enabled: false               # kept in the file, not in the running config\n';
    const added = ['          - name: pixel-anna', '            role: mobile', '            address: 10.0.1.12', `            public_key: ${publicKeyOf(key)}`, ''].join('\n');
    expect(current()).toBe(original.replace(anchor, anchor + added));
  });

  it('keeps the private key in the secrets directory only: directories 0700, key 0600', async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    const keyFile = join(secrets, 'home/wireguard/wg0/peers/laptop-anna.key');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(isWireguardKey(key)).toBe(true);
    expect(mode(keyFile)).toBe(0o600);
    for (const d of [secrets, join(secrets, 'home'), join(secrets, 'home/wireguard'), join(secrets, 'home/wireguard/wg0'), join(secrets, 'home/wireguard/wg0/peers')]) expect(mode(d)).toBe(0o700);
    expect(peersOf(current()).find((p) => p.name === 'laptop-anna')!.public_key).toBe(publicKeyOf(key));
    expect(current()).not.toContain(key);
    for (const text of (await rendered()).values()) expect(text).not.toContain(key);
  });

  it('allocates one address after the other and lints clean afterwards', async () => {
    expect((await gen('wg', 'add-peer', 'a', '--role', 'workstation', '-f', topology)).stdout).toBe('10.0.1.4\n');
    expect((await gen('wg', 'add-peer', 'b', '--role', 'workstation', '-f', topology)).stdout).toBe('10.0.1.5\n');
    expect((await gen('wg', 'add-peer', 'runner', '--role', 'server', '-f', topology)).stdout).toBe('10.0.1.51\n');
    const { diagnostics } = await lintText(current());
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(peersOf(current()).map((p) => p.address)).toEqual(['10.0.1.2', '10.0.1.3', '10.0.1.11', '10.0.1.4', '10.0.1.5', '10.0.1.51']);
  });

  it('keeps the keys of same-named peers of two instances apart', async () => {
    const second = { name: 'wg1', listen_port: 51821, address: '10.0.2.1/24', public_key: generateKeyPair().publicKey, endpoint: 'vpn.example.com', roles: [{ name: 'workstation', from: '10.0.2.2', to: '10.0.2.10' }] };
    const assigned = edit(current(), ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' });
    // With the instance prefix, client file names grow: wg0-laptop-john-lan would not fit in 15 characters.
    writeFileSync(topology, edit(edit(assigned, ['sites', 0, 'wireguard', 1], second), ['sites', 0, 'wireguard', 0, 'peers', 1, 'tunnel_name'], 'john'));
    for (const instance of ['wg0', 'wg1']) expect((await gen('wg', 'add-peer', 'anna', '--role', 'workstation', '--instance', instance, '-f', topology)).code).toBe(0);
    const keys = ['wg0', 'wg1'].map((i) => readFileSync(join(secrets, `home/wireguard/${i}/peers/anna.key`), 'utf8').trim());
    expect(keys[0]).not.toBe(keys[1]);
    for (const [i, instance] of ['wg0', 'wg1'].entries()) {
      const exported = await gen('wg', 'export', 'anna', '--instance', instance, '-f', topology);
      expect([exported.code, exported.stderr]).toEqual([0, '']);
      expect(exported.stdout).toContain(`PrivateKey = ${keys[i]}\n`);
    }
  });

  it('refuses a secrets directory that cannot hold the key, and leaves the topology alone', async () => {
    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    const result = await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology, '--secrets', notADir);
    expect([result.code, result.stderr]).toEqual([1, `gen: refusing ${notADir}: it is not a directory\n`]);
    expect(current()).toBe(original);
  });

  it('takes a public key made on the device and keeps no private key', async () => {
    const own = 'Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U='.replace('L', 'M');
    expect((await gen('wg', 'add-peer', 'ipad', '--role', 'mobile', '--public-key', own, '-f', topology)).code).toBe(0);
    expect(peersOf(current()).at(-1)).toEqual({ name: 'ipad', role: 'mobile', address: '10.0.1.12', public_key: own });
    expect(existsSync(join(secrets, 'home/wireguard/wg0/peers/ipad.key'))).toBe(false);
    const exported = await gen('wg', 'export', 'ipad', '-f', topology);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toContain('brought its own key');
  });

  it.each([
    [['dup', '--role', 'mobile'], 'mac-workstation', 'already has a peer named mac-workstation', 1],
    [['x', '--role', 'printer'], 'x', 'has no role printer', 2],
    [['../../escape', '--role', 'mobile'], '../../escape', 'is not a peer name', 2],
    [['x', '--role', 'mobile', '--public-key', 'notakey'], 'x', 'is not a WireGuard public key', 2],
    [['x', '--role', 'mobile', '--description', 'bad\u0007bell'], 'x', 'the change would break', 1],
  ])('refuses %j and leaves the file and secrets untouched', async (args, name, message, code) => {
    const argv = args[0] === 'dup' ? ['mac-workstation', ...args.slice(1)] : args;
    const result = await gen('wg', 'add-peer', ...argv, '-f', topology);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(current()).toBe(original);
    expect(existsSync(join(secrets, `home/wireguard/wg0/peers/${name}.key`))).toBe(false);
  });

  it('refuses when the role is full', async () => {
    const small = original.replace('{ name: server, from: 10.0.1.51, to: 10.0.1.100', '{ name: server, from: 10.0.1.51, to: 10.0.1.51');
    writeFileSync(topology, small);
    expect((await gen('wg', 'add-peer', 'ci1', '--role', 'server', '-f', topology)).code).toBe(0);
    const full = await gen('wg', 'add-peer', 'ci2', '--role', 'server', '-f', topology);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('no free address left');
  });

  it('refuses to act on a topology with errors', async () => {
    writeFileSync(topology, original.replace('address: 10.0.1.3', 'address: 10.0.1.2'));
    const result = await gen('wg', 'add-peer', 'x', '--role', 'mobile', '-f', topology);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ip/duplicate-address');
  });
});

describe('gen wg export', () => {
  it('prints the client file of out/ with the private key filled in', async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    const key = readFileSync(join(secrets, 'home/wireguard/wg0/peers/laptop-anna.key'), 'utf8').trim();
    const files = await rendered();
    for (const lan of [false, true]) {
      const result = await gen('wg', 'export', 'laptop-anna', ...(lan ? ['--lan'] : []), '-f', topology);
      expect(result.code).toBe(0);
      const inOut = files.get(`home/wireguard/laptop-anna${lan ? '-lan' : ''}.conf`)!;
      expect(inOut).toContain('PrivateKey = <private key of laptop-anna: gen wg export writes it>');
      expect(result.stdout).toBe(inOut.replace(/^PrivateKey = .*$/m, `PrivateKey = ${key}`));
    }
  });

  it('writes a 0600 file with -o', async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    const file = join(dir, 'laptop-anna.conf');
    expect((await gen('wg', 'export', 'laptop-anna', '-f', topology, '-o', file)).code).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe((await gen('wg', 'export', 'laptop-anna', '-f', topology)).stdout);
    expect((await gen('wg', 'export', 'laptop-anna', '-f', topology, '-o', join(dir, 'wg0.conf'))).stderr).toBe(
      `gen: wrote ${join(dir, 'wg0.conf')} (the client file of laptop-anna, with its private key; mode 0600)\n`,
    );
    const long = await gen('wg', 'export', 'laptop-anna', '--lan', '-f', topology, '-o', join(dir, 'laptop-anna-office.conf'));
    expect([long.code, long.stderr]).toEqual([0, expect.stringContaining('wg-quick takes the interface name from the file name')]);
    // wg-quick takes aux as an interface name; the Windows app refuses it (wireguard-windows conf/name.go, TunnelNameIsValid: isReserved).
    const reserved = await gen('wg', 'export', 'laptop-anna', '-f', topology, '-o', join(dir, 'aux.conf'));
    expect([reserved.code, reserved.stderr.split('\n').at(-2)]).toEqual([
      0,
      'gen: the WireGuard Windows app takes the tunnel name from the file name and refuses aux ("Tunnel name is not valid": AUX is a device name Windows reserves): save it under another name to import it there',
    ]);
    const nowhere = await gen('wg', 'export', 'laptop-anna', '-f', topology, '-o', join(dir, 'missing', 'x.conf'));
    expect([nowhere.code, nowhere.stderr]).toEqual([1, `gen: cannot write ${join(dir, 'missing', 'x.conf')}: its directory ${join(dir, 'missing')} does not exist\n`]);
  });

  it('refuses a disabled peer, a LAN file without lan_endpoint, and a key that does not match', async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    expect((await gen('wg', 'export', 'iphone-john', '-f', topology)).stderr).toContain('is disabled');
    writeFileSync(topology, current().replace(/^ {8}lan_endpoint: .*\n/m, ''));
    expect((await gen('wg', 'export', 'laptop-anna', '--lan', '-f', topology)).stderr).toContain('has no lan_endpoint');
    // Someone else changed the public key in the topology: the stored key no longer belongs to it.
    writeFileSync(topology, current().replace(/(name: laptop-anna[\s\S]*public_key: )\S+/, `$1${generateKeyPair().publicKey}`));
    const mismatch = await gen('wg', 'export', 'laptop-anna', '-f', topology);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('does not belong to the public_key');
    expect(mismatch.stdout).toBe('');
  });

  /** The client file as the QR code holds it: the comment lines are for people, not for the apps. */
  const withoutComments = (text: string): string => {
    const kept = text.split('\n').filter((line) => !line.startsWith('#'));
    expect(kept.length).toBeLessThan(text.split('\n').length);
    return kept.join('\n');
  };

  const decodePng = (file: string): string | undefined => {
    const png = PNG.sync.read(readFileSync(file));
    return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
  };

  it('writes a QR code (PNG, 0600) that decodes back to exactly the client file', async () => {
    await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '-f', topology);
    const png = join(dir, 'pixel-anna.png');
    expect((await gen('wg', 'export', 'pixel-anna', '-f', topology, '-o', png)).code).toBe(0);
    expect(mode(png)).toBe(0o600);
    const text = (await gen('wg', 'export', 'pixel-anna', '-f', topology)).stdout;
    expect(text).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    expect(decodePng(png)).toBe(withoutComments(text));
  });

  it('prints a QR code for the terminal that decodes back to the client file', async () => {
    await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '-f', topology);
    const qr = await gen('wg', 'export', 'pixel-anna', '--qr', '-f', topology);
    expect(qr.code).toBe(0);
    expect(qr.stdout).not.toContain('PrivateKey');
    expect(decodeTerminal(qr.stdout)).toBe(withoutComments((await gen('wg', 'export', 'pixel-anna', '-f', topology)).stdout));
  });

  const whyZbar = missing(['zbarimg'], false);
  it.skipIf(whyZbar)(titled('zbarimg reads the PNG back as the client file', whyZbar), async () => {
    await gen('wg', 'add-peer', 'pixel-anna', '--role', 'mobile', '-f', topology);
    const png = join(dir, 'pixel-anna.png');
    await gen('wg', 'export', 'pixel-anna', '--lan', '-f', topology, '-o', png);
    const decoded = spawnSync('zbarimg', ['--quiet', '--raw', png], { encoding: 'utf8' });
    expect(decoded.status).toBe(0);
    // zbarimg ends its output with one newline of its own.
    expect(decoded.stdout).toBe(`${withoutComments((await gen('wg', 'export', 'pixel-anna', '--lan', '-f', topology)).stdout)}\n`);
  });
});

describe('gen wg rotate, disable, enable, keygen', () => {
  it('rotate replaces the key pair in the secrets directory and the topology', async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    const keyFile = join(secrets, 'home/wireguard/wg0/peers/laptop-anna.key');
    const before = readFileSync(keyFile, 'utf8');
    const textBefore = current();
    expect((await gen('wg', 'rotate', 'laptop-anna', '-f', topology)).code).toBe(0);
    const after = readFileSync(keyFile, 'utf8').trim();
    expect(after).not.toBe(before.trim());
    expect(mode(keyFile)).toBe(0o600);
    const publicKey = peersOf(current()).find((p) => p.name === 'laptop-anna')!.public_key;
    expect(publicKey).toBe(publicKeyOf(after));
    // Only the key line changed.
    const diff = current().split('\n').filter((line, i) => line !== textBefore.split('\n')[i]);
    expect(diff).toEqual([`            public_key: ${publicKey}`]);
  });

  it('rotate takes a new public key made on the device', async () => {
    const own = 'Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U='.replace('L', 'N');
    expect((await gen('wg', 'rotate', 'laptop-john', '--public-key', own, '-f', topology)).code).toBe(0);
    expect(current()).toBe(original.replace('Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=', own));
    // A key gen made before is dropped: the private key now lives on the device only.
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    const keyFile = join(secrets, 'home/wireguard/wg0/peers/laptop-anna.key');
    expect(existsSync(keyFile)).toBe(true);
    expect((await gen('wg', 'rotate', 'laptop-anna', '--public-key', own.replace('N', 'O'), '-f', topology)).code).toBe(0);
    expect(existsSync(keyFile)).toBe(false);
    expect((await gen('wg', 'export', 'laptop-anna', '-f', topology)).stderr).toContain('brought its own key');
  });

  it('disable keeps the peer but drops its client files; enable brings them back', async () => {
    expect((await gen('wg', 'disable', 'laptop-john', '-f', topology)).code).toBe(0);
    expect(current()).toBe(original.replace('Jk1U=\n', 'Jk1U=\n            enabled: false\n'));
    const files = await rendered();
    expect(files.has('home/wireguard/laptop-john.conf')).toBe(false);
    expect(files.get('home/wireguard/peers.md')).toContain('| 10.0.1.3 | laptop-john | workstation | `...5j4Jk1U=` | disabled |');
    expect((await gen('wg', 'enable', 'laptop-john', '-f', topology)).code).toBe(0);
    expect((await rendered()).has('home/wireguard/laptop-john.conf')).toBe(true);
    expect((await gen('wg', 'disable', 'nobody', '-f', topology)).stderr).toContain('no WireGuard peer named nobody');
  });

  it('pubkey reads a private key on stdin and prints its public key (the built command line)', () => {
    const key = generateKeyPair();
    const result = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'wg', 'pubkey'], { input: `${key.privateKey}\n`, encoding: 'utf8' });
    expect([result.status, result.stdout]).toEqual([0, `${key.publicKey}\n`]);
    const bad = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'wg', 'pubkey'], { input: 'notakey\n', encoding: 'utf8' });
    expect([bad.status, bad.stdout]).toEqual([1, '']);
  });

  it('keygen prints a new private key; --instance stores it and sets the public key', async () => {
    const printed = (await gen('wg', 'keygen')).stdout.trim();
    expect(isWireguardKey(printed)).toBe(true);
    // The topology names a public key whose private key is not here: replacing it needs --force.
    const kept = await gen('wg', 'keygen', '--instance', 'wg0', '-f', topology);
    expect([kept.code, kept.stdout]).toEqual([1, '']);
    expect(kept.stderr).toMatch(/^gen: instance wg0 already has a public_key in .*topology\.yaml, and .*\.secrets holds no private key for it .*gen wg keygen --instance wg0 --force/);
    expect(current()).toBe(original);
    expect(existsSync(secrets)).toBe(false);
    const result = await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology);
    expect(result.code).toBe(0);
    const key = readFileSync(join(secrets, 'home/wireguard/wg0.key'), 'utf8').trim();
    expect(result.stdout.trim()).toBe(publicKeyOf(key));
    expect(parse(current()).sites[0].wireguard[0].public_key).toBe(publicKeyOf(key));
    expect(readdirSync(dir).sort()).toEqual(['.secrets', 'topology.yaml']);
    const again = await gen('wg', 'keygen', '--instance', 'wg0', '-f', topology);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
  });
});

describe('pre-shared keys (preshared_key)', () => {
  const pskFile = (peer: string) => join(secrets, `home/wireguard/wg0/peers/${peer}.psk`);
  const lintRules = async () => (JSON.parse((await gen('lint', '--format', 'json', '-f', topology)).stdout).diagnostics as { rule: string; message: string }[]).filter((d) => d.rule.startsWith('secrets/'));

  it('add-peer --preshared-key keeps the key in the secrets directory only (0600); out/ has placeholders; export and export-instance fill it in', async () => {
    const result = await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '--preshared-key', '-f', topology);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`; pre-shared key in ${pskFile('laptop-anna')}\n`);
    const psk = readFileSync(pskFile('laptop-anna'), 'utf8');
    expect(psk).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(isWireguardKey(psk.trim())).toBe(true);
    expect(mode(pskFile('laptop-anna'))).toBe(0o600);
    const key = readFileSync(join(secrets, 'home/wireguard/wg0/peers/laptop-anna.key'), 'utf8').trim();
    expect(current()).toContain(`            public_key: ${publicKeyOf(key)}\n            preshared_key: true\n`);
    expect(current()).not.toContain(psk.trim());
    const files = await rendered();
    for (const [path, text] of files) expect([path, text.includes(psk.trim())]).toEqual([path, false]);
    const inOut = files.get('home/wireguard/laptop-anna.conf')!;
    expect(inOut).toContain('\nPresharedKey = <pre-shared key of laptop-anna: gen wg export writes it>\n');
    expect(files.get('home/opnsense/wireguard.xml')).toContain('<psk>GEN-SECRET:home/wireguard/wg0/peers/laptop-anna.psk</psk>');
    // The other peers have none.
    expect(files.get('home/wireguard/mac-ws.conf')).not.toContain('PresharedKey');
    const exported = await gen('wg', 'export', 'laptop-anna', '-f', topology);
    expect(exported.stdout).toBe(inOut.replace(/^PrivateKey = .*$/m, `PrivateKey = ${key}`).replace(/^PresharedKey = .*$/m, `PresharedKey = ${psk.trim()}`));
    expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology)).code).toBe(0);
    const instance = (await gen('wg', 'export-instance', '-f', topology)).stdout;
    expect(instance).toContain(`# laptop-anna (workstation)\nPublicKey = ${publicKeyOf(key)}\nPresharedKey = ${psk.trim()}\nAllowedIPs = 10.0.1.4/32\n`);
    expect(instance.match(/PresharedKey/g)).toHaveLength(1);
  });

  it("an instance's preshared_key gives each new peer a key without a line of its own; a leftover key is replaced only with --force", async () => {
    writeFileSync(topology, edit(current(), ['sites', 0, 'wireguard', 0, 'preshared_key'], true));
    const first = await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    expect(first.code).toBe(0);
    expect(isWireguardKey(readFileSync(pskFile('laptop-anna'), 'utf8').trim())).toBe(true);
    expect(peersOf(current()).find((p) => p.name === 'laptop-anna')).not.toHaveProperty('preshared_key');
    // The peer removed by hand leaves its keys: a new one of that name does not take them silently.
    const before = current();
    writeFileSync(topology, before.replace(/ {10}- name: laptop-anna\n(?: {12}.*\n)+/, ''));
    const again = await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '-f', topology);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('laptop-anna.key exists (an earlier peer of that name?); use --force to replace it');
    const old = readFileSync(pskFile('laptop-anna'), 'utf8');
    expect((await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '--force', '-f', topology)).code).toBe(0);
    expect(readFileSync(pskFile('laptop-anna'), 'utf8')).not.toBe(old);
  });

  it("gen wg psk gives an existing peer a key and sets preshared_key; replaces it only with --force; rotate keeps it", async () => {
    const made = await gen('wg', 'psk', 'laptop-john', '-f', topology);
    expect(made.code).toBe(0);
    expect(made.stderr).toBe(`gen: peer laptop-john: pre-shared key in ${pskFile('laptop-john')}, preshared_key: true set in ${topology}. Rebuild and deploy, then export its client file again.\n`);
    expect(current()).toBe(original.replace('Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=\n', 'Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=\n            preshared_key: true\n'));
    const psk = readFileSync(pskFile('laptop-john'), 'utf8');
    expect(mode(pskFile('laptop-john'))).toBe(0o600);
    const refused = await gen('wg', 'psk', 'laptop-john', '-f', topology);
    expect([refused.code, refused.stderr]).toEqual([1, `gen: ${pskFile('laptop-john')} exists; use --force to replace the pre-shared key of laptop-john (then deploy and export its client file again)\n`]);
    expect(readFileSync(pskFile('laptop-john'), 'utf8')).toBe(psk);
    const text = current();
    expect((await gen('wg', 'psk', 'laptop-john', '--force', '-f', topology)).code).toBe(0);
    const renewed = readFileSync(pskFile('laptop-john'), 'utf8');
    expect(renewed).not.toBe(psk);
    expect(current()).toBe(text);
    const rotated = await gen('wg', 'rotate', 'laptop-john', '-f', topology);
    expect(rotated.stderr).toContain('Its pre-shared key stays; to renew it too, run gen wg psk laptop-john --force.');
    expect(readFileSync(pskFile('laptop-john'), 'utf8')).toBe(renewed);
    expect((await gen('wg', 'export', 'laptop-john', '-f', topology)).stdout).toContain(`PresharedKey = ${renewed}`);
  });

  it("the pre-shared key of a peer removed by hand is orphaned, as its private key is, in lint and list", async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '--preshared-key', '-f', topology);
    writeFileSync(topology, current().replace(/ {10}- name: laptop-anna\n(?: {12}.*\n)+/, ''));
    expect(current()).toBe(original);
    expect((await lintRules()).map((d) => [d.rule, d.message])).toEqual([
      ['secrets/orphaned-key', `${join(secrets, 'home/wireguard/wg0/peers/laptop-anna.key')} is the private key of a peer laptop-anna that wg0 no longer has (or never had)`],
      ['secrets/orphaned-key', `${pskFile('laptop-anna')} is the pre-shared key of a peer laptop-anna that wg0 no longer has (or never had)`],
    ]);
    const rows = (await gen('wg', 'list', '-f', topology)).stdout.trimEnd().split('\n').slice(-2).map((l) => l.split(/\s{2,}/).slice(0, 5));
    expect(rows).toEqual([
      ['laptop-anna', '-', '-', '-', 'orphaned (no such peer)'],
      ['laptop-anna', '-', '-', '-', 'orphaned pre-shared key (no such peer)'],
    ]);
  });

  it('psk --print writes the key of a device that made its own key to stdout only, never into a file; it changes nothing', async () => {
    const device = generateKeyPair().publicKey;
    expect((await gen('wg', 'add-peer', 'pixel-anna', '--role', 'workstation', '--public-key', device, '--preshared-key', '-f', topology)).code).toBe(0);
    const psk = readFileSync(pskFile('pixel-anna'), 'utf8').trim();
    const text = current();
    // No client file for it: the key reaches the device by hand.
    expect((await gen('wg', 'export', 'pixel-anna', '-f', topology)).code).toBe(1);
    // Stdout a pipe (a clipboard tool): the key, and nothing on stderr. (Run apart: this process's stdout may be a file.)
    const bin = join(root, 'bin/gen.js');
    const piped = spawnSync(process.execPath, [bin, 'wg', 'psk', 'pixel-anna', '--print', '-f', topology], { encoding: 'utf8' });
    expect([piped.status, piped.stdout, piped.stderr]).toEqual([0, `${psk}\n`, '']);
    // Stdout a regular file (> FILE, here inside out/): refused before the key is read, the file left empty.
    mkdirSync(join(dir, 'out'), { recursive: true });
    const target = join(dir, 'out/pixel-anna.psk');
    const fd = openSync(target, 'w');
    let redirected: ReturnType<typeof spawnSync>;
    try {
      redirected = spawnSync(process.execPath, [bin, 'wg', 'psk', 'pixel-anna', '--print', '-f', topology], { encoding: 'utf8', stdio: ['ignore', fd, 'pipe'] });
    } finally {
      closeSync(fd);
    }
    expect([redirected.status, redirected.stderr]).toEqual([
      1,
      `gen: refusing to print the pre-shared key of pixel-anna into a file (standard output is a regular file): it is in ${pskFile('pixel-anna')} already, mode 0600. Print it to the terminal, or pipe it to the tool that takes it (a clipboard tool, qrencode)\n`,
    ]);
    expect(readFileSync(target, 'utf8')).toBe('');
    // --force with --print: one replaces the key, the other prints it.
    const both = await gen('wg', 'psk', 'pixel-anna', '--print', '--force', '-f', topology);
    expect([both.code, both.stdout]).toEqual([2, '']);
    expect(both.stderr).toContain('run gen wg psk pixel-anna --force first, then --print');
    // A peer without preshared_key has none to print.
    const none = await gen('wg', 'psk', 'laptop-john', '--print', '-f', topology);
    expect([none.code, none.stdout, none.stderr]).toEqual([1, '', 'gen: peer laptop-john of wg0 has no preshared_key, so no pre-shared key to print: gen wg psk laptop-john makes one and sets it\n']);
    expect(current()).toBe(text);
    expect(readFileSync(pskFile('pixel-anna'), 'utf8').trim()).toBe(psk);
    expect(mode(pskFile('pixel-anna'))).toBe(0o600);
    expect(existsSync(pskFile('laptop-john'))).toBe(false);
  });

  it("the pre-shared key of a peer that no longer has preshared_key (nor its instance) is orphaned, at the peer, in lint and list", async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '--preshared-key', '-f', topology);
    const psk = readFileSync(pskFile('laptop-anna'), 'utf8').trim();
    const withKey = current();
    writeFileSync(topology, withKey.replace(/( {10}- name: laptop-anna\n(?: {12}.*\n)*?) {12}preshared_key: true\n/, '$1'));
    expect(current()).not.toContain('preshared_key');
    const diagnostics = () => gen('lint', '--format', 'json', '-f', topology).then((r) => (JSON.parse(r.stdout).diagnostics as { rule: string; message: string; hint: string; location: { line: number } }[]).filter((d) => d.rule.startsWith('secrets/')));
    const peerLine = current().split('\n').indexOf('          - name: laptop-anna') + 1;
    const unused = [
      {
        rule: 'secrets/orphaned-key',
        message: `${pskFile('laptop-anna')} is the pre-shared key of peer laptop-anna of wg0, which has no preshared_key: nothing uses it`,
        hint: `If laptop-anna should have it, set preshared_key: true on the peer again (then rebuild, deploy and export its client file again); if not, delete the key file (rm ${pskFile('laptop-anna')}).`,
        line: peerLine,
      },
    ];
    // (With the instance's preshared_key, the other peers lack theirs: secrets/psk-missing, not about this key.)
    const found = async () => (await diagnostics()).filter((d) => d.message.includes('laptop-anna')).map((d) => ({ rule: d.rule, message: d.message, hint: d.hint, line: d.location.line }));
    expect(await found()).toEqual(unused);
    const listed = await gen('wg', 'list', '-f', topology);
    expect(listed.stdout.trimEnd().split('\n').slice(-1).map((l) => l.split(/\s{2,}/).slice(0, 5))).toEqual([['laptop-anna', '-', '-', '-', 'orphaned pre-shared key (no preshared_key)']]);
    const listedJson = await gen('wg', 'list', '--format', 'json', '-f', topology);
    expect(JSON.parse(listedJson.stdout).orphaned_keys.map((o: { name: string; reason: string }) => [o.name, o.reason])).toEqual([['laptop-anna', 'no preshared_key']]);
    for (const text of [JSON.stringify(await diagnostics()), listed.stdout, listed.stderr, listedJson.stdout]) expect(text).not.toContain(psk);
    // The instance's preshared_key gives it to the peer: the key is used again.
    writeFileSync(topology, edit(current(), ['sites', 0, 'wireguard', 0, 'preshared_key'], true));
    expect(await found()).toEqual([]);
    // The peer says no to its instance's: unused again.
    const peers = peersOf(current());
    writeFileSync(topology, edit(current(), ['sites', 0, 'wireguard', 0, 'peers', peers.findIndex((p) => p.name === 'laptop-anna'), 'preshared_key'], false));
    expect((await found()).map((d) => d.message)).toEqual([unused[0]!.message]);
    // Set again on the peer: nothing to report, and the key is the one it had.
    writeFileSync(topology, withKey);
    expect(await found()).toEqual([]);
    expect(readFileSync(pskFile('laptop-anna'), 'utf8').trim()).toBe(psk);
    expect(mode(pskFile('laptop-anna'))).toBe(0o600);
  });

  it('export refuses a missing or broken key; list shows the state; lint reports it', async () => {
    await gen('wg', 'add-peer', 'laptop-anna', '--role', 'workstation', '--preshared-key', '-f', topology);
    const list = async () => (await gen('wg', 'list', '-f', topology)).stdout.split('\n').find((l) => l.startsWith('laptop-anna'))!.split(/\s+/);
    const json = async () => (JSON.parse((await gen('wg', 'list', '-f', topology, '--format', 'json')).stdout).peers as { name: string; psk: string | null }[]).map((p) => [p.name, p.psk]);
    expect((await gen('wg', 'list', '-f', topology)).stdout.split('\n')[0]).toMatch(/ KEY +PSK +ROTATED$/);
    expect((await list()).slice(4, 6)).toEqual(['present', 'present']);
    expect(await json()).toEqual([['mac-workstation', null], ['laptop-john', null], ['iphone-john', null], ['laptop-anna', 'present']]);
    expect(await lintRules()).toEqual([]);

    writeFileSync(pskFile('laptop-anna'), 'c2hvcnQ=\n', { mode: 0o600 });
    const broken = await gen('wg', 'export', 'laptop-anna', '-f', topology);
    expect([broken.code, broken.stdout, broken.stderr]).toEqual([1, '', `gen: ${pskFile('laptop-anna')} is not a WireGuard pre-shared key (44 characters of base64, as wg genpsk prints): make a new one with gen wg psk laptop-anna --force (then export its client file again)\n`]);
    expect((await list()).slice(4, 6)).toEqual(['present', 'invalid']);
    expect((await lintRules()).map((d) => [d.rule, d.message])).toEqual([['secrets/psk-invalid', `${pskFile('laptop-anna')}, the pre-shared key of peer laptop-anna of wg0, is not a WireGuard key (44 characters of base64, as wg genpsk prints)`]]);

    // Readable by others: refused like a private key.
    writeFileSync(pskFile('laptop-anna'), `${generateKeyPair().publicKey}\n`, { mode: 0o600 });
    chmodSync(pskFile('laptop-anna'), 0o644);
    expect((await gen('wg', 'export', 'laptop-anna', '-f', topology)).stderr).toContain(`refusing ${pskFile('laptop-anna')}: it is readable or writable by group or others (mode 0644): chmod 600`);
    expect((await lintRules()).map((d) => d.rule)).toEqual(['secrets/unsafe']);

    rmSync(pskFile('laptop-anna'));
    const missing = await gen('wg', 'export', 'laptop-anna', '-f', topology);
    expect([missing.code, missing.stderr]).toEqual([1, `gen: peer laptop-anna of wg0 has preshared_key, and ${pskFile('laptop-anna')} does not exist: make it with gen wg psk laptop-anna (then export its client file again)\n`]);
    expect((await list()).slice(4, 6)).toEqual(['present', 'missing']);
    expect((await lintRules()).map((d) => [d.rule, d.message])).toEqual([['secrets/psk-missing', `peer laptop-anna of wg0 has preshared_key, and ${pskFile('laptop-anna')} does not exist`]]);
  });
});
