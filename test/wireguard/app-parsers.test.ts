// Every client file gen writes, as the official apps import it: wg-quick
// takes keys and values (Table, PostUp, SaveConfig, an empty value, a
// repeated key) that the Android, Apple and Windows apps refuse, so a file
// that wg-quick runs can fail to import on a phone or on Windows. The files
// of topology.yaml, of each example and of variants reaching the optional
// keys go through ports of the apps' parsers (app-parsers.ts): each app must
// take the file, its QR payload and its name, and read what the topology
// says. A second test feeds each port lines its app refuses.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Peer, Site, WireguardInstance } from '../../src/model.js';
import { renderAll } from '../../src/render/index.js';
import { clientConfig, clientFilePath } from '../../src/render/wireguard/client-config.js';
import { qrPayload } from '../../src/render/wireguard/qr.js';
import { EXAMPLES, edit, modelOf, readExample } from '../helpers.js';
import { APP_PARSERS, type App, AppRefusal, type AppTunnel, androidTunnelNameIsValid } from './app-parsers.js';

const APPS = Object.keys(APP_PARSERS) as App[];
const homelab = readExample('homelab');
const wg0 = ['sites', 0, 'wireguard', 0];
/** A valid key of its own for each name: 32 bytes of a hash, standard base64. */
const keyOf = (what: string) => createHash('sha256').update(what).digest('base64');
const editAll = (text: string, edits: [(string | number)[], unknown][]) => edits.reduce((t, [path, value]) => edit(t, path, value), text);

const TOPOLOGIES: [string, string][] = [
  ...(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]).map((name): [string, string] => [name, readExample(name)]),
  ['a full tunnel with DNS servers', editAll(homelab, [[[...wg0, 'tunnel'], 'full'], [[...wg0, 'dns'], ['10.0.0.1', '10.1.0.1']]])],
  [
    'MTU 1280, keepalive 0, an IPv4 endpoint on another port',
    editAll(homelab, [[[...wg0, 'mtu'], 1280], [[...wg0, 'keepalive'], 0], [[...wg0, 'endpoint'], '203.0.113.7'], [[...wg0, 'endpoint_port'], 4500]]),
  ],
  ['pre-shared keys: the instance gives each peer one, one peer declines', editAll(homelab, [[[...wg0, 'preshared_key'], true], [[...wg0, 'peers', 1, 'preshared_key'], false]])],
  ['MTU 9000, a peer keepalive of 65535', editAll(homelab, [[[...wg0, 'mtu'], 9000], [[...wg0, 'peers', 1, 'keepalive'], 65535]])],
  // Files named after their instance too; wg1 is in no zone, so its client file has no AllowedIPs line.
  [
    'a second instance',
    editAll(homelab, [
      [['sites', 0, 'firewall', 'interfaces', 4], { name: 'wireguard2', assign: 'opt3', wireguard: 'wg1' }],
      [
        ['sites', 0, 'wireguard', 1],
        {
          name: 'wg1',
          listen_port: 51821,
          address: '10.0.2.1/24',
          public_key: keyOf('wg1'),
          endpoint: 'vpn2.example.com',
          roles: [{ name: 'workstation', from: '10.0.2.2', to: '10.0.2.10' }],
          peers: [{ name: 'mac-workstation', tunnel_name: 'mac-ws', role: 'workstation', address: '10.0.2.2', public_key: keyOf('wg1 mac-workstation') }],
        },
      ],
      [[...wg0, 'peers', 1, 'tunnel_name'], 'john'],
    ]),
  ],
];

interface ClientFile {
  what: string;
  /** The tunnel's name once imported: the file's name without .conf. */
  name: string;
  text: string;
  site: Site;
  instance: WireguardInstance;
  peer: Peer;
  lan: boolean;
  privateKey: string;
  /** The pre-shared key gen wg export fills in, for a peer with preshared_key. */
  presharedKey?: string;
}


/**
 * Every client file of a topology as `gen wg export` writes it (clientConfig with the private key), one for each
 * file in out/: the public one and the -lan one.
 */
async function clientFiles(label: string, topology: string): Promise<{ files: ClientFile[]; out: Map<string, string> }> {
  const model = await modelOf(topology);
  const files: ClientFile[] = [];
  for (const site of model.sites) {
    for (const instance of site.wireguard) {
      for (const peer of instance.peers.filter((p) => p.enabled)) {
        for (const lan of instance.lanEndpoint !== undefined ? [false, true] : [false]) {
          const path = clientFilePath(site, instance, peer, lan);
          const privateKey = keyOf(`${label} ${path}`);
          const presharedKey = peer.presharedKey ? keyOf(`${label} ${path} psk`) : undefined;
          const text = clientConfig(model, site, instance, peer, { lan, privateKey, presharedKey });
          files.push({ what: `${label}: ${path}`, name: basename(path, '.conf'), text, site, instance, peer, lan, privateKey, presharedKey });
        }
      }
    }
  }
  return { files, out: renderAll(model) };
}

/** What the file must tell the app, from the model: the values wg-quick reads from it too. */
function intended(file: ClientFile): AppTunnel {
  const { instance, peer, lan } = file;
  const host = lan ? instance.lanEndpoint : instance.endpoint;
  const port = lan ? instance.listenPort : instance.endpointPort;
  return {
    privateKey: file.privateKey,
    addresses: [`${peer.address}/${instance.prefix}`],
    dns: instance.clientDns,
    dnsSearch: [],
    mtu: instance.mtu,
    listenPort: undefined,
    peers: [{ publicKey: instance.publicKey!, allowedIps: peer.allowedIps, endpoint: host !== undefined && port !== undefined ? { host, port } : undefined, keepalive: peer.keepalive, presharedKey: file.presharedKey }],
  };
}

/** The app's reading, with "no keepalive" as 0 (Android and Apple keep none, Windows 0). */
function normalized(tunnel: AppTunnel): AppTunnel {
  return { ...tunnel, peers: tunnel.peers.map((p) => ({ ...p, keepalive: p.keepalive ?? 0 })) };
}

describe('client files as the WireGuard apps import them', () => {
  it('every client file, its QR payload and its name are taken by the Android, Apple and Windows parsers, which read the topology’s values', async () => {
    const seen = new Set<string>();
    for (const [label, topology] of TOPOLOGIES) {
      const { files, out } = await clientFiles(label, topology);
      // The files checked are out/'s client files, which differ only in the private key gen wg export fills in.
      expect(files.map((f) => `${f.site.name}/wireguard/${f.name}.conf`).sort(), label).toEqual([...out.keys()].filter((p) => /\/wireguard\/[^/]+\.conf$/.test(p)).sort());
      for (const file of files) {
        const withoutKey = (text: string) => text.split('\n').filter((line) => !line.startsWith('PrivateKey =') && !line.startsWith('PresharedKey ='));
        expect(withoutKey(out.get(`${file.site.name}/wireguard/${file.name}.conf`)!), file.what).toEqual(withoutKey(file.text));

        const want = intended(file);
        for (const app of APPS) {
          const read = APP_PARSERS[app](file.text, file.name);
          expect(normalized(read), `${app} ${file.what}`).toEqual(want);
        }
        // The mobile apps read a scanned code with the same parsers (android ui/.../util/TunnelImporter.kt importTunnel:
        // Config.parse; apple Sources/WireGuardApp/UI/iOS/ViewController/QRScanViewController.swift: init(fromWgQuickConfig:)).
        const payload = qrPayload(file.text);
        expect(APP_PARSERS.android(payload, file.name), file.what).toEqual(APP_PARSERS.android(file.text, file.name));
        expect(APP_PARSERS.apple(payload, file.name), file.what).toEqual(APP_PARSERS.apple(file.text, file.name));
        expect(androidTunnelNameIsValid(file.name), file.what).toBe(true);

        const [peer] = want.peers;
        seen.add(want.dns.length > 0 ? 'DNS' : 'no DNS');
        seen.add(peer!.keepalive === 0 ? 'keepalive 0' : 'keepalive');
        seen.add(`MTU ${want.mtu}`);
        seen.add(peer!.presharedKey === undefined ? 'no PresharedKey' : 'PresharedKey');
        expect(out.get(`${file.site.name}/wireguard/${file.name}.conf`)!.includes('\nPresharedKey = <pre-shared key of '), file.what).toBe(file.presharedKey !== undefined);
        seen.add(peer!.allowedIps.includes('0.0.0.0/0') ? 'full tunnel' : peer!.allowedIps.length > 0 ? 'split tunnel' : 'no AllowedIPs');
        if (file.name.startsWith(`${file.instance.name}-`)) seen.add('instance in the name');
        seen.add(!peer!.endpoint ? 'no endpoint' : /^[0-9.]+$/.test(peer!.endpoint.host) ? 'IPv4 endpoint' : 'host name endpoint');
        if (file.lan) seen.add('LAN file');
      }
    }
    // The variants reach every optional key and both of its states.
    for (const shape of ['PresharedKey', 'no PresharedKey', 'DNS', 'no DNS', 'keepalive', 'keepalive 0', 'MTU 1280', 'MTU 9000', 'full tunnel', 'split tunnel', 'no AllowedIPs', 'IPv4 endpoint', 'host name endpoint', 'LAN file', 'instance in the name']) {
      expect(seen, shape).toContain(shape);
    }
  });
});

/** Lines added right after a section's header line, as the file names it. */
function addTo(text: string, section: 'Interface' | 'Peer', lines: string[]): string {
  const all = text.split('\n');
  const at = all.findIndex((line) => line.trim().toLowerCase() === `[${section.toLowerCase()}]`);
  expect(at).toBeGreaterThanOrEqual(0);
  all.splice(at + 1, 0, ...lines);
  return all.join('\n');
}

/** The file with a key's value replaced on the line that has it. */
function withValue(text: string, key: string, value: string): string {
  const line = new RegExp(`^${key}\\s*=.*$`, 'm');
  expect(text).toMatch(line);
  return text.replace(line, `${key} = ${value}`);
}

/** The value of a key on the line that has it. */
const valueIn = (text: string, key: string) => new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(text)![1]!;

type Outcome = 'accepted' | string;

describe('the ported parsers refuse what their apps refuse', () => {
  it('each app refuses the lines its source refuses, and takes the same file without them', async () => {
    const [file] = (await clientFiles('homelab', homelab)).files;
    const base = file!.text;
    for (const app of APPS) expect(() => APP_PARSERS[app](base, file!.name)).not.toThrow();

    const allowed = valueIn(base, 'AllowedIPs').split(', ');
    expect(allowed.length).toBeGreaterThan(1);
    const cases: [string, string, Record<App, Outcome>][] = [
      ['Table = off', addTo(base, 'Interface', ['Table = off']), { android: 'UNKNOWN_ATTRIBUTE', apple: 'interfaceHasUnrecognizedKey', windows: 'accepted' }],
      ['PostUp', addTo(base, 'Interface', ['PostUp = ip route add 10.9.0.0/16 dev %i']), { android: 'UNKNOWN_ATTRIBUTE', apple: 'interfaceHasUnrecognizedKey', windows: 'accepted' }],
      ['SaveConfig', addTo(base, 'Interface', ['SaveConfig = true']), { android: 'UNKNOWN_ATTRIBUTE', apple: 'interfaceHasUnrecognizedKey', windows: 'Invalid key for [Interface] section' }],
      ['an unknown [Peer] key', addTo(base, 'Peer', ['Description = laptop']), { android: 'UNKNOWN_ATTRIBUTE', apple: 'peerHasUnrecognizedKey', windows: 'Invalid key for [Peer] section' }],
      ['an empty value', addTo(base, 'Interface', ['DNS =']), { android: 'SYNTAX_ERROR', apple: 'accepted', windows: 'Key must have a value' }],
      ['a repeated PrivateKey', addTo(base, 'Interface', [`PrivateKey = ${file!.privateKey}`]), { android: 'accepted', apple: 'multipleEntriesForKey', windows: 'accepted' }],
      ['a repeated AllowedIPs', addTo(base, 'Peer', [`AllowedIPs = ${allowed[0]}`]), { android: 'accepted', apple: 'accepted', windows: 'accepted' }],
      ['an empty AllowedIPs item', withValue(base, 'AllowedIPs', allowed.join(',,')), { android: 'ALLOWED_IPS: Empty address', apple: 'accepted', windows: 'Two commas in a row' }],
      ['a mask over 32', withValue(base, 'AllowedIPs', '10.0.0.0/33'), { android: 'ALLOWED_IPS: Invalid network mask', apple: 'accepted', windows: 'Invalid IP address: ' }],
      ['MTU 500', withValue(base, 'MTU', '500'), { android: 'accepted', apple: 'accepted', windows: 'Invalid MTU' }],
      ['MTU 70000', withValue(base, 'MTU', '70000'), { android: 'accepted', apple: 'interfaceHasInvalidMTU', windows: 'Invalid MTU' }],
      ['PersistentKeepalive = off', withValue(base, 'PersistentKeepalive', 'off'), { android: 'PERSISTENT_KEEPALIVE: NumberFormatException', apple: 'peerHasInvalidPersistentKeepAlive', windows: 'accepted' }],
      ['an endpoint host with "_"', withValue(base, 'Endpoint', 'vpn_1.example.com:51820'), { android: 'ENDPOINT: Missing/invalid port number', apple: 'accepted', windows: 'accepted' }],
      ['an endpoint without port', withValue(base, 'Endpoint', 'vpn.example.com'), { android: 'ENDPOINT: Missing/invalid port number', apple: 'peerHasInvalidEndpoint', windows: 'Missing port from endpoint' }],
      ['a bare IPv6 endpoint', withValue(base, 'Endpoint', '2001:db8::1:51820'), { android: 'ENDPOINT: Missing/invalid port number', apple: 'peerHasInvalidEndpoint', windows: 'Brackets must contain an IPv6 address' }],
      ['a key of 31 bytes', withValue(base, 'PublicKey', Buffer.alloc(31, 7).toString('base64')), { android: 'PUBLIC_KEY: KeyFormatException', apple: 'peerHasInvalidPublicKey', windows: 'Keys must decode to exactly 32 bytes' }],
      ['an unknown section', `${base}[Peers]\n`, { android: 'UNKNOWN_SECTION', apple: 'invalidLine', windows: 'Config key is missing an equals separator' }],
      ['a comment after a value', withValue(base, 'MTU', `${valueIn(base, 'MTU')} # the tunnel's`), { android: 'accepted', apple: 'accepted', windows: 'accepted' }],
    ];
    for (const [what, text, outcomes] of cases) {
      for (const app of APPS) {
        let outcome: Outcome = 'accepted';
        try {
          APP_PARSERS[app](text, file!.name);
        } catch (e) {
          if (!(e instanceof AppRefusal)) throw e;
          outcome = e.reason;
        }
        expect(outcome, `${app}: ${what}`).toBe(outcomes[app]);
      }
    }
  });

  it('refuses a tunnel name its app refuses', async () => {
    const [file] = (await clientFiles('homelab', homelab)).files;
    for (const name of ['con', 'AUX.home', 'lpt1', '.home', 'home.', 'x'.repeat(33), 'home$']) {
      expect(() => APP_PARSERS.windows(file!.text, name), name).toThrow(new AppRefusal('windows', 'Tunnel name is not valid', name));
    }
    expect(APP_PARSERS.windows(file!.text, 'x'.repeat(32)).peers).toHaveLength(1);
    expect(androidTunnelNameIsValid('sixteen-letters-')).toBe(false);
    expect(androidTunnelNameIsValid('fifteen-letters')).toBe(true);
  });
});
