// What haproxy.conf a box writes for gen's HAProxy items: the merged
// config.xml rendered by the os-haproxy plugin's own template
// (OPNsense/HAProxy/haproxy.conf, with OPNsense's template engine:
// test/tools/opnsense-php/render.py) for the newest point release of each
// series, and the lines of its sections checked against what the topology
// asks for; with haproxy installed, a rendered frontend is run in front of a
// local server. Needs OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT, php and
// python3 with jinja2; skips loudly without them.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { edit, readExample, root } from '../helpers.js';
import { hasCommand, missing, titled } from '../system-tools.js';
import { hostsTopology } from './haproxy-topology.js';
import { UPSTREAM_RELEASES, mergedFactoryConfig } from './support.js';
import { closeTemplateServers, renderTemplate } from './upstream-tools.js';

const coreGit = process.env.OPNSENSE_CORE_GIT;
const jinja = hasCommand('python3') && spawnSync('python3', ['-c', 'import jinja2']).status === 0;
const why = !coreGit
  ? 'OPNSENSE_CORE_GIT is not set'
  : !process.env.OPNSENSE_PLUGINS_GIT
    ? 'OPNSENSE_PLUGINS_GIT is not set'
    : !hasCommand('php')
      ? 'needs php'
      : !jinja
        ? 'needs python3-jinja2'
        : undefined;
if (why) process.stderr.write(`\n*** skipped: haproxy.conf from the plugin's template: ${why} ***\n\n`);
const tools = join(root, 'test/tools/opnsense-php');
const cache = process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php');
const work = mkdtempSync(join(tmpdir(), 'gen-haproxy-conf-'));
afterAll(() => {
  closeTemplateServers();
  rmSync(work, { recursive: true, force: true });
});
let runs = 0;
const rendered = new Map<string, Promise<string>>();

/**
 * haproxy.conf as the plugin's template renders it for a topology merged
 * into the factory config of `tag`, once the plugin's model has validated
 * gen's HAProxy items (what pluginctl -v does on the box).
 */
function haproxyConf(yaml: string, tag: string, release: string): Promise<string> {
  // One validation and render per topology and release (two tests read the same one).
  const key = `${tag}\n${release}\n${yaml}`;
  let conf = rendered.get(key);
  if (conf === undefined) rendered.set(key, (conf = renderedConf(yaml, tag, release)));
  return conf;
}

async function renderedConf(yaml: string, tag: string, release: string): Promise<string> {
  const env = { ...process.env, OPNSENSE_PHP_CACHE: cache };
  const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
  expect(setup.status, setup.stderr).toBe(0);
  const dir = join(work, `run-${runs++}`);
  const config = `${dir}.xml`;
  writeFileSync(config, await mergedFactoryConfig(yaml, tag, release, coreGit!), { mode: 0o600 });
  const validation = spawnSync('bash', [join(tools, 'run.sh'), config, tag], { encoding: 'utf8', env });
  expect(validation.stdout.split('\n').filter((l) => l.startsWith('ERROR ') && l.includes('HAProxy')), validation.stderr).toEqual([]);
  const r = await renderTemplate(join(cache, tag, 'root'), config, dir, 'OPNsense.HAProxy');
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(join(dir, 'usr/local/etc/haproxy.conf.staging'), 'utf8');
}

/** The lines of one section (its indented lines, up to the next line that is not), trimmed, without comments. */
function sectionLines(conf: string, header: string): string[] {
  const lines = conf.split('\n');
  const start = lines.indexOf(header);
  expect(start, `${header} in haproxy.conf`).toBeGreaterThan(-1);
  const body = lines.slice(start + 1);
  const end = body.findIndex((l) => /^\S/.test(l));
  return body.slice(0, end < 0 ? undefined : end).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

const backendLines = (conf: string, name: string) => sectionLines(conf, `backend ${name}`);

const POOL = ['sites', 0, 'haproxy', 'backends', 0];

describe.skipIf(why)(`haproxy.conf from the plugin's template${why ? ` (skipped: ${why})` : ''}`, () => {
  // vlan-hosting's web-pool: round robin over web1 and web2.
  it.each(UPSTREAM_RELEASES)('$tag: sticky none (the default), source and cookie write exactly that persistence', async ({ tag, release }) => {
    const yaml = readExample('vlan-hosting');
    const lines = async (sticky?: string) => backendLines(await haproxyConf(sticky === undefined ? yaml : edit(yaml, [...POOL, 'sticky'], sticky), tag, release), 'web-pool');
    const servers = (l: string[]) => l.filter((x) => x.startsWith('server '));
    const persistence = (l: string[]) => l.filter((x) => /^(stick|stick-table|cookie) /.test(x));

    // Without sticky: each request goes where balance says, no stick-table holds a client's address.
    const plain = await lines();
    expect(plain).toContain('balance roundrobin');
    expect(servers(plain)).toHaveLength(2);
    expect(persistence(plain)).toEqual([]);
    expect(servers(plain).filter((l) => / cookie /.test(l))).toEqual([]);
    expect(await lines('none')).toEqual(plain);

    // source: the address table and the rule that uses it, for 30 minutes (the model's size and expiry).
    const source = await lines('source');
    // (HAProxy 4.1.0, 25.7, names the table type ip; 5.0.0 ipv4.)
    expect(persistence(source)).toEqual([expect.stringMatching(/^stick-table type ip(v4)? size 50k expire 30m$/), 'stick on src']);
    expect(servers(source)).toEqual(servers(plain));

    // cookie: HAProxy inserts its own cookie, each server answers to a value of its own; no stick-table.
    const cookie = await lines('cookie');
    expect(persistence(cookie)).toEqual(['cookie SRVCOOKIE insert indirect nocache']);
    const values = servers(cookie).map((l) => / cookie (\S+)/.exec(l)?.[1]);
    expect(values.every((v) => v !== undefined && /^\w+$/.test(v))).toBe(true);
    expect(new Set(values).size).toBe(2);
  });

  // A passthrough frontend's backends receive the client's TLS: an HTTP check must speak TLS too.
  it.each(UPSTREAM_RELEASES)('$tag: an HTTP check of a passthrough backend goes over TLS, with the SNI of its host, unverified', async ({ tag, release }) => {
    const yaml = edit(hostsTopology({ passthrough: true, release }), [...POOL, 'check'], 'http /status.php');
    const lines = backendLines(await haproxyConf(yaml, tag, release), 'nextcloud');
    expect(lines).toContain('mode tcp');
    expect(lines).toContain('option httpchk');
    expect(lines).toContain('http-check send meth GET uri /status.php ver HTTP/1.1 hdr Host cloud.example.org');
    const server = lines.filter((l) => l.startsWith('server '));
    expect(server).toHaveLength(1);
    const words = server[0]!.split(/\s+/);
    expect(words).toEqual(expect.arrayContaining(['check', 'check-ssl', 'check-sni', 'cloud.example.org', 'verify', 'none']));
    // The traffic itself stays the client's TLS, passed through: no ssl of HAProxy's own on the server.
    expect(words).not.toContain('ssl');
  });
});


/** Headers that name a client address: an edge proxy drops what the client sent before it adds its own. */
const ADDRESS_HEADERS = ['X-Forwarded-For', 'Forwarded', 'X-Real-IP'];
/** The rules of a frontend, in the order HAProxy reads them. */
const rules = (lines: string[]) => lines.filter((l) => /^(http-request|tcp-request|use_backend) /.test(l));

describe.skipIf(why)(`client address headers in haproxy.conf${why ? ` (skipped: ${why})` : ''}`, () => {
  // "option forwardfor" appends the address to the X-Forwarded-For the client sent: backends that read the first entry took the client's word.
  it.each(UPSTREAM_RELEASES)('$tag: HTTP frontends drop the address headers a client sends, unconditionally and first', async ({ tag, release }) => {
    const conf = await haproxyConf(hostsTopology({ release }), tag, release);
    for (const name of ['https', 'https_http_redirect']) {
      const lines = sectionLines(conf, `frontend ${name}`);
      expect(lines).toContain('option forwardfor');
      // Before the redirect and the routing, with no condition: every request reaches the backend without them.
      expect(rules(lines).slice(0, ADDRESS_HEADERS.length)).toEqual(ADDRESS_HEADERS.map((h) => `http-request del-header ${h}`));
      expect(rules(lines).slice(ADDRESS_HEADERS.length).filter((l) => l.includes('del-header'))).toEqual([]);
    }
    // A passthrough frontend reads no HTTP: no header rules, no forwardfor.
    const tls = sectionLines(await haproxyConf(hostsTopology({ passthrough: true, release }), tag, release), 'frontend tls');
    expect(tls).toContain('mode tcp');
    expect(tls.filter((l) => l.includes('forwardfor') || l.startsWith('http-request'))).toEqual([]);
  });
});

const noHaproxy = missing(['haproxy'], false);
if (noHaproxy && !why) process.stderr.write(`\n*** skipped: the rendered frontend in HAProxy: ${noHaproxy} ***\n\n`);

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe.skipIf(why || noHaproxy)(why ? `the rendered frontend in HAProxy (skipped: ${why})` : titled('the rendered frontend in HAProxy', noHaproxy), () => {
  // The port-80 frontend forwards ACME challenges: its rendered lines, bound to a local port, in front of a server that echoes the headers it gets.
  it('the backend sees the address HAProxy saw, whatever address headers the client sent', async () => {
    const { tag, release } = UPSTREAM_RELEASES[UPSTREAM_RELEASES.length - 1]!;
    const conf = await haproxyConf(hostsTopology({ release }), tag, release);
    let seen: Record<string, string | string[] | undefined> = {};
    const echo = createServer((req, res) => {
      seen = req.headers;
      res.end('ok');
    });
    await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
    const echoPort = (echo.address() as AddressInfo).port;
    const port = await freePort();
    const frontend = sectionLines(conf, 'frontend https_http_redirect').map((l) => (l.startsWith('bind ') ? `bind 127.0.0.1:${port}` : l));
    const backend = backendLines(conf, '_acme_challenge').map((l) => (l.startsWith('server ') ? l.replace(/ \S+:\d+/, ` 127.0.0.1:${echoPort}`) : l));
    const file = join(work, 'live.cfg');
    const section = (header: string, lines: string[]) => [header, ...lines.map((l) => `    ${l}`)].join('\n');
    writeFileSync(file, [section('defaults', ['mode http', 'timeout connect 5s', 'timeout client 5s', 'timeout server 5s']), section('frontend https_http_redirect', frontend), section('backend _acme_challenge', backend), ''].join('\n\n'));
    const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const proxy = spawn('haproxy', ['-db', '-f', file], { stdio: 'ignore' });
    try {
      const request = () =>
        fetch(`http://127.0.0.1:${port}/.well-known/acme-challenge/token`, {
          headers: { 'X-Forwarded-For': '203.0.113.9', Forwarded: 'for=203.0.113.9', 'X-Real-IP': '203.0.113.9' },
        });
      let response: Response | undefined;
      for (let i = 0; i < 50 && response === undefined; i++) {
        response = await request().catch(() => new Promise<undefined>((done) => setTimeout(() => done(undefined), 100)));
      }
      expect(response?.status).toBe(200);
      expect(seen['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen['forwarded']).toBeUndefined();
      expect(seen['x-real-ip']).toBeUndefined();
    } finally {
      proxy.kill();
      echo.close();
    }
  });
});
