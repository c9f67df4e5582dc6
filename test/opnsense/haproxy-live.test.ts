// The rendered backends of gen's HAProxy items run by HAProxy in front of
// local servers: sticky source keeps a client on one server, sticky cookie
// sets its cookie and honours it, and a passthrough backend's HTTP check
// reaches its server over TLS, and an upgraded (WebSocket) connection
// outlives the client and server timeouts while idle. Each backend's lines are those of the
// os-haproxy plugin's template (test/opnsense/haproxy-render.ts) for the
// newest release, with the servers moved to 127.0.0.1; the frontend in
// front of them is the test's own. Needs what the render needs and
// haproxy; skips loudly without them. Run by Debian's HAProxy and, where
// HAPROXY_BINARIES supplies it, by the one the release installs.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, createServer, request } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { edit, readExample } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { DEBIAN_HAPROXY, type Haproxy, binarySeries, haproxySeries, suppliedHaproxy, whyNoHaproxy } from './haproxy-binaries.js';
import { forHaproxy } from './haproxy-check.js';
import { backendLines, freePort, haproxyConf, removeRendersAfterAll, sectionLines, why, work } from './haproxy-render.js';
import { hostsTopology } from './haproxy-topology.js';
import { UPSTREAM_RELEASES } from './support.js';

// This file's renders are removed after its tests.
removeRendersAfterAll();

const noHaproxy = missing(['haproxy'], false);
const skip = why ?? noHaproxy;
if (skip) process.stderr.write(`\n*** skipped: gen's HAProxy backends run by HAProxy: ${skip} ***\n\n`);

const POOL = ['sites', 0, 'haproxy', 'backends', 0];
const { tag, release } = UPSTREAM_RELEASES[UPSTREAM_RELEASES.length - 1]!;

/** A local server that answers with its name and keeps the headers of each request. */
async function namedServer(name: string) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.end(name);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { name, seen, server, port: (server.address() as AddressInfo).port };
}

/** A rendered section as config text, `header` first. */
const section = (header: string, lines: string[]) => [header, ...lines.map((l) => `    ${l}`)].join('\n');

/** One request on a fresh connection, from `from`: who answered, and the cookies HAProxy set. */
function get(port: number, options: { from?: string; cookie?: string } = {}): Promise<{ body: string; setCookie: string[] }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, localAddress: options.from, headers: options.cookie ? { cookie: options.cookie } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ body, setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Runs `haproxy` on `config` (checked first) until `body` is done. */
async function withHaproxy(haproxy: Haproxy, config: string, port: number, body: () => Promise<void>): Promise<void> {
  const file = join(work(), `live-${port}.cfg`);
  writeFileSync(file, forHaproxy(haproxy, config, work()));
  const check = spawnSync(haproxy.binary, ['-c', '-f', file], { encoding: 'utf8' });
  expect(check.status, check.stdout + check.stderr).toBe(0);
  const proxy = spawn(haproxy.binary, ['-db', '-f', file], { stdio: 'ignore' });
  try {
    let up = false;
    for (let i = 0; i < 50 && !up; i++) up = await get(port).then(() => true, () => new Promise<boolean>((done) => setTimeout(() => done(false), 100)));
    expect(up).toBe(true);
    await body();
  } finally {
    proxy.kill();
  }
}

// Run by Debian's HAProxy, with forDebianHaproxy()'s edits, and, as rendered, by the one the release installs where
// HAPROXY_BINARIES supplies it (haproxy-binaries.ts).
const series = haproxySeries(tag);
const skipRelease = why ?? whyNoHaproxy(series);
if (skipRelease && !why) process.stderr.write(`\n*** skipped: gen's HAProxy backends run by HAProxy ${series}: ${skipRelease} ***\n\n`);
const RUNS: { haproxy: Haproxy; skip?: string; title: string }[] = [
  { haproxy: DEBIAN_HAPROXY, skip, title: titled(`gen's HAProxy backends run by HAProxy${why ? ` (skipped: ${why})` : ''}`, why ? undefined : noHaproxy) },
  {
    haproxy: suppliedHaproxy(series) ?? { name: `HAProxy ${series}`, binary: '', debian: false },
    skip: skipRelease,
    title: `gen's HAProxy backends run by HAProxy ${series}${skipRelease ? ` (skipped: ${skipRelease})` : ''}`,
  },
];

for (const { haproxy, skip, title } of RUNS) describe.skipIf(skip)(title, () => {
  // vlan-hosting's web-pool (round robin over two servers) with each sticky, in front of two local servers.
  if (!haproxy.debian) it(`is HAProxy ${series}`, () => expect(binarySeries(haproxy.binary)).toBe(series));

  it(`${tag}: sticky source keeps each client on one server, sticky cookie sets a cookie per server and honours it`, async () => {
    const yaml = readExample('vlan-hosting');
    const servers = [await namedServer('web1'), await namedServer('web2')];
    const kinds = ['none', 'source', 'cookie'] as const;
    const ports = { none: await freePort(), source: await freePort(), cookie: await freePort() };
    const parts: string[] = [];
    let defaults: string[] = [];
    const cookieOf = new Map<string, string>();
    for (const kind of kinds) {
      const { conf } = await haproxyConf(kind === 'none' ? yaml : edit(yaml, [...POOL, 'sticky'], kind), tag, release);
      defaults = sectionLines(conf, 'defaults');
      let n = 0;
      const backend = backendLines(conf, 'web-pool').map((l) => {
        if (!l.startsWith('server ')) return l;
        const server = servers[n++]!;
        const value = / cookie (\S+)/.exec(l)?.[1];
        if (kind === 'cookie' && value !== undefined) cookieOf.set(value, server.name);
        return l.replace(/ \S+:\d+ /, ` 127.0.0.1:${server.port} `);
      });
      expect(n).toBe(2);
      parts.push(section(`frontend ${kind}`, [`bind 127.0.0.1:${ports[kind]}`, 'mode http', `default_backend web-pool-${kind}`]), section(`backend web-pool-${kind}`, backend));
    }
    const config = [section('defaults', defaults), ...parts, ''].join('\n\n');
    try {
      await withHaproxy(haproxy, config, ports.none, async () => {
        // Without sticky, round robin: one client's requests go to both servers.
        const plain = new Set<string>();
        for (let i = 0; i < 4; i++) plain.add((await get(ports.none)).body);
        expect([...plain].sort()).toEqual(['web1', 'web2']);

        // source: two clients (two addresses), each on one server for all its requests; round robin gave them one each.
        // (In an order where round robin alone would send a client to both: one after the other would not tell.)
        const byClient = new Map([['127.0.0.1', new Set<string>()], ['127.0.0.2', new Set<string>()]]);
        for (const from of ['127.0.0.1', '127.0.0.1', '127.0.0.2', '127.0.0.1', '127.0.0.2', '127.0.0.2']) byClient.get(from)!.add((await get(ports.source, { from })).body);
        const [a, b] = [...byClient.values()].map((s) => [...s]);
        expect(a).toHaveLength(1);
        expect(b).toHaveLength(1);
        expect([a![0], b![0]].sort()).toEqual(['web1', 'web2']);

        // cookie: a request without it gets the cookie of the server that answered...
        expect(cookieOf.size).toBe(2);
        for (let i = 0; i < 2; i++) {
          const first = await get(ports.cookie);
          const set = first.setCookie.map((c) => /^SRVCOOKIE=([^;]*)/.exec(c)?.[1]).filter((v) => v !== undefined);
          expect(set).toHaveLength(1);
          expect(cookieOf.get(set[0]!)).toBe(first.body);
        }
        // ...and each cookie keeps its client on that server, with no new cookie, whatever round robin says.
        for (const [value, name] of cookieOf) {
          for (let i = 0; i < 3; i++) {
            const again = await get(ports.cookie, { cookie: `SRVCOOKIE=${value}` });
            expect(again.body).toBe(name);
            expect(again.setCookie).toEqual([]);
          }
        }
        // (indirect: HAProxy takes its cookie out before the request reaches the server.)
        expect(servers.flatMap((s) => s.seen).filter((h) => h.cookie?.includes('SRVCOOKIE'))).toEqual([]);
      });
    } finally {
      for (const s of servers) s.server.close();
    }
  });

  // The passthrough homelab's nextcloud backend with an HTTP check, in front of a TLS server with the check's path.
  it(`${tag}: the HTTP check of a passthrough backend reaches its server over TLS, with the host's SNI and Host`, async () => {
    const yaml = edit(hostsTopology({ passthrough: true, release }), [...POOL, 'check'], 'http /status.php');
    const { conf } = await haproxyConf(yaml, tag, release);
    const cert = selfSignedCertificate(['cloud.example.org']);
    const checks: { sni: string | false; method?: string; url?: string; host?: string }[] = [];
    const tls = createHttpsServer({ key: cert.privateKeyPem, cert: cert.certificatePem }, (req, res) => {
      // (servername: the SNI the client sent, false for none; @types/node does not declare it.)
      checks.push({ sni: (req.socket as TLSSocket & { servername: string | false }).servername, method: req.method, url: req.url, host: req.headers.host });
      res.end('ok');
    });
    await new Promise<void>((done) => tls.listen(0, '127.0.0.1', done));
    const tlsPort = (tls.address() as AddressInfo).port;
    const port = await freePort();
    const backend = backendLines(conf, 'nextcloud').map((l) => (l.startsWith('server ') ? l.replace(/ \S+:\d+ /, ` 127.0.0.1:${tlsPort} `) : l));
    // A frontend for withHaproxy to wait on; the check runs whether or not traffic comes.
    const config = [section('defaults', sectionLines(conf, 'defaults')), section('frontend ready', [`bind 127.0.0.1:${port}`, 'mode http', 'http-request return status 200']), section('backend nextcloud', backend), ''].join('\n\n');
    try {
      await withHaproxy(haproxy, config, port, async () => {
        for (let i = 0; i < 60 && checks.length === 0; i++) await new Promise((done) => setTimeout(done, 100));
      });
    } finally {
      tls.close();
    }
    expect(checks[0]).toEqual({ sni: 'cloud.example.org', method: 'GET', url: '/status.php', host: 'cloud.example.org' });
  });

  // vlan-hosting's web-pool in front of a server that upgrades its connections (as a WebSocket does) and echoes what comes after.
  it(`${tag}: an upgraded connection stays open while idle past the client and server timeouts`, async () => {
    const { conf } = await haproxyConf(readExample('vlan-hosting'), tag, release);
    const upgrading = createServer((_req, res) => res.end('plain'));
    upgrading.on('upgrade', (req, socket) => {
      // The handshake of RFC 6455 (HAProxy refuses a WebSocket upgrade without its key).
      const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', (data: Buffer) => socket.write(data));
    });
    await new Promise<void>((done) => upgrading.listen(0, '127.0.0.1', done));
    const serverPort = (upgrading.address() as AddressInfo).port;
    const port = await freePort();
    // The rendered defaults with their client and server timeouts at one second, so that the test waits seconds, not the model's 30.
    const defaults = sectionLines(conf, 'defaults').map((l) => l.replace(/^timeout (client|server) \S+$/, 'timeout $1 1s'));
    expect(defaults).toEqual(expect.arrayContaining(['timeout client 1s', 'timeout server 1s']));
    const backend = backendLines(conf, 'web-pool').map((l) => (l.startsWith('server ') ? l.replace(/ \S+:\d+ /, ` 127.0.0.1:${serverPort} `) : l));
    const config = [section('defaults', defaults), section('frontend web', [`bind 127.0.0.1:${port}`, 'mode http', 'default_backend web-pool']), section('backend web-pool', backend), ''].join('\n\n');
    try {
      await withHaproxy(haproxy, config, port, async () => {
        const socket = connect(port, '127.0.0.1');
        let received = '';
        let closed = false;
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('close', () => (closed = true));
        const until = async (test: () => boolean) => {
          for (let i = 0; i < 50 && !test(); i++) await new Promise((done) => setTimeout(done, 100));
        };
        socket.write('GET /socket HTTP/1.1\r\nHost: www.example.org\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
        await until(() => received.includes('\r\n\r\n'));
        expect(received).toMatch(/^HTTP\/1\.1 101 /);
        // Idle for three client/server timeouts, then a message each way.
        await new Promise((done) => setTimeout(done, 3000));
        expect(closed).toBe(false);
        received = '';
        socket.write('ping');
        await until(() => received === 'ping' || closed);
        expect(received).toBe('ping');
        socket.destroy();
      });
    } finally {
      upgrading.close();
    }
  });
});
