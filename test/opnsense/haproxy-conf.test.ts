// What haproxy.conf a box writes for gen's HAProxy items: the merged
// config.xml rendered by the os-haproxy plugin's own template
// (test/opnsense/haproxy-render.ts) for the newest point release of each
// series, the lines of its sections checked against what the topology asks
// for, and, with haproxy installed, the whole file checked by `haproxy -c`
// and a rendered frontend run in front of a local server. Needs
// OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT, php and python3 with jinja2;
// skips loudly without them.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edit, readExample } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { DEBIAN_HAPROXY, type Haproxy, binarySeries, haproxySeries, suppliedHaproxy, whyNoHaproxy } from './haproxy-binaries.js';
import { checkRendered } from './haproxy-check.js';
import { backendLines, freePort, haproxyConf, removeRendersAfterAll, sectionLines, why, work } from './haproxy-render.js';
import { hostsTopology } from './haproxy-topology.js';
import { UPSTREAM_RELEASES } from './support.js';

// This file's renders are removed after its tests.
removeRendersAfterAll();

if (why) process.stderr.write(`\n*** skipped: haproxy.conf from the plugin's template: ${why} ***\n\n`);
const noHaproxy = missing(['haproxy'], false);
if (noHaproxy && !why) process.stderr.write(`\n*** skipped: the rendered haproxy.conf in HAProxy: ${noHaproxy} ***\n\n`);
const POOL = ['sites', 0, 'haproxy', 'backends', 0];

describe.skipIf(why)(`haproxy.conf from the plugin's template${why ? ` (skipped: ${why})` : ''}`, () => {
  // vlan-hosting's web-pool: round robin over web1 and web2.
  it.each(UPSTREAM_RELEASES)('$tag: sticky none (the default), source and cookie write exactly that persistence', async ({ tag, release }) => {
    const yaml = readExample('vlan-hosting');
    const lines = async (sticky?: string) => backendLines((await haproxyConf(sticky === undefined ? yaml : edit(yaml, [...POOL, 'sticky'], sticky), tag, release)).conf, 'web-pool');
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

  // An upgraded connection (WebSocket) or a passthrough one idles under the tunnel timeout, or, without one, under the client and server timeouts.
  it.each(UPSTREAM_RELEASES)('$tag: every backend, HTTP or passthrough, idles tunnels longer than the client and server timeouts', async ({ tag, release }) => {
    const seconds = (value: string) => {
      const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
      expect(m, value).not.toBeNull();
      return Number(m![1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m![2] ?? 'ms']!;
    };
    for (const passthrough of [false, true]) {
      const { conf } = await haproxyConf(hostsTopology({ passthrough, release }), tag, release);
      const defaults = sectionLines(conf, 'defaults');
      const longest = Math.max(...['client', 'server'].map((k) => seconds(defaults.find((l) => l.startsWith(`timeout ${k} `))!.split(' ')[2]!)));
      for (const name of ['nextcloud', 'jellyfin']) {
        const lines = backendLines(conf, name);
        const tunnel = lines.filter((l) => l.startsWith('timeout tunnel '));
        expect(tunnel, `${name}: ${lines.join('; ')}`).toHaveLength(1);
        // (An hour at least: what HAProxy's manual gives for WebSockets.)
        expect(seconds(tunnel[0]!.split(' ')[2]!)).toBeGreaterThan(longest);
        expect(seconds(tunnel[0]!.split(' ')[2]!)).toBeGreaterThanOrEqual(3600);
      }
    }
  });

  // A passthrough frontend's backends receive the client's TLS: an HTTP check must speak TLS too.
  it.each(UPSTREAM_RELEASES)('$tag: an HTTP check of a passthrough backend goes over TLS, with the SNI of its host, unverified', async ({ tag, release }) => {
    const yaml = edit(hostsTopology({ passthrough: true, release }), [...POOL, 'check'], 'http /status.php');
    const lines = backendLines((await haproxyConf(yaml, tag, release)).conf, 'nextcloud');
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


/**
 * What gen makes the plugin render, each in a topology of its own: persistence, the HTTP check of a passthrough
 * backend, TLS offloading with an HTTP-01 certificate, the port-80 redirect and a backend verified against a CA,
 * certificates per host name, a wildcard host name, and a TLS backend that verifies nothing.
 */
function renderCases(release: string): Record<string, string> {
  const hosting = readExample('vlan-hosting');
  const A = ['sites', 0, 'haproxy'];
  let wildcard = edit(hostsTopology({ release }), [...A, 'frontends', 0, 'hosts', 1, 'name'], '*.media.example.org');
  wildcard = edit(wildcard, [...A, 'certificates', 0], { name: 'web', domain: 'cloud.example.org', alt_names: ['*.media.example.org'], challenge: 'dns-01', dns_provider: 'cloudflare' });
  return {
    'sticky source': edit(hosting, [...POOL, 'sticky'], 'source'),
    'sticky cookie': edit(hosting, [...POOL, 'sticky'], 'cookie'),
    'passthrough HTTP check': edit(hostsTopology({ passthrough: true, release }), [...POOL, 'check'], 'http /status.php'),
    'TLS offloading': hostsTopology({ release }),
    'a certificate per host': hostsTopology({ release, perHost: true }),
    'wildcard host': wildcard,
    'TLS backend unverified': edit(hostsTopology({ release }), [...POOL, 'verify'], 'none'),
  };
}

describe.skipIf(why || noHaproxy)(why ? `haproxy -c on the rendered haproxy.conf (skipped: ${why})` : titled('haproxy -c on the rendered haproxy.conf', noHaproxy), () => {
  // The whole file as the box writes it, with its certificate lists: what HAProxy reads at its start (or refuses to).
  it.each(UPSTREAM_RELEASES)("$tag: Debian's HAProxy accepts each file gen makes the plugin render", async ({ tag, release }) => {
    for (const [name, yaml] of Object.entries(renderCases(release))) {
      const { conf, root } = await haproxyConf(yaml, tag, release);
      const c = checkRendered(conf, root, join(work(), `check-${tag}-${name.replace(/\W+/g, '-')}`));
      expect(c.complaints, name).toEqual([]);
      expect(c.status, `${name}: ${c.output}`).toBe(0);
    }
  });
});

// The same files as rendered, in the HAProxy the release installs (haproxy-binaries.ts), where HAPROXY_BINARIES
// supplies it: no edit but /tmp/haproxy moved, and its diagnostic mode (-dD, which also names what it finds suspect)
// on. The files name the chroot /var/haproxy, which the plugin's setup.sh makes before HAProxy starts.
const CHROOT = /^\[DIAG\] .*'chroot': '\/var\/haproxy': No such file or directory\.$/;
for (const { tag, release } of UPSTREAM_RELEASES) {
  const series = haproxySeries(tag);
  const skip = why ?? whyNoHaproxy(series);
  if (skip && !why) process.stderr.write(`\n*** skipped: haproxy -c of HAProxy ${series} (${tag}) on the rendered haproxy.conf: ${skip} ***\n\n`);
  describe.skipIf(skip)(`haproxy -c of the HAProxy ${tag} installs (${series}) on the rendered haproxy.conf${skip ? ` (skipped: ${skip})` : ''}`, () => {
    it(`${tag}: HAProxy ${series} accepts each file gen makes the plugin render, as rendered, with no warning and nothing it finds suspect`, async () => {
      const haproxy = suppliedHaproxy(series)!;
      expect(binarySeries(haproxy.binary)).toBe(series);
      for (const [name, yaml] of Object.entries(renderCases(release))) {
        const { conf, root } = await haproxyConf(yaml, tag, release);
        const c = checkRendered(conf, root, join(work(), `check-${series}-${tag}-${name.replace(/\W+/g, '-')}`), haproxy, ['-dD']);
        expect(c.complaints.filter((l) => !CHROOT.test(l)), name).toEqual([]);
        // (3.2 names that one, so the diagnostics ran; 3.0 does not look at the directory as it parses: 3.2's cfg_parse_global_chroot() stat()s it.)
        expect(c.complaints.filter((l) => CHROOT.test(l)), name).toHaveLength(series === '3.0' ? 0 : 1);
        expect(c.status, `${name}: ${c.output}`).toBe(0);
        // Read as rendered: the keywords Debian's HAProxy lacks, and the stick-table type of model 5.0.0.
        if (series !== '3.0') expect(conf, name).toMatch(/^\s+limited-quic$/m);
        if (name === 'sticky source' && release !== '25.7') expect(conf).toContain('stick-table type ipv4 ');
      }
    });
  });
}

/** Headers that name a client address, or the host and port it asked for: an edge proxy drops what the client sent before it adds its own. */
const CLIENT_HEADERS = ['X-Forwarded-For', 'Forwarded', 'X-Real-IP', 'X-Forwarded-Host', 'X-Forwarded-Port'];
/** The rules of a frontend, in the order HAProxy reads them. */
const rules = (lines: string[]) => lines.filter((l) => /^(http-request|tcp-request|use_backend) /.test(l));

describe.skipIf(why)(`client address headers in haproxy.conf${why ? ` (skipped: ${why})` : ''}`, () => {
  // "option forwardfor" appends the address to the X-Forwarded-For the client sent: backends that read the first entry took the client's word.
  it.each(UPSTREAM_RELEASES)('$tag: HTTP frontends drop the address and host headers a client sends and set the scheme, unconditionally and first', async ({ tag, release }) => {
    const { conf } = await haproxyConf(hostsTopology({ release }), tag, release);
    for (const [name, scheme] of [['https', 'https'], ['https_http_redirect', 'http']]) {
      const lines = sectionLines(conf, `frontend ${name}`);
      expect(lines).toContain('option forwardfor');
      // The scheme is the bind's: TLS on the first, plain HTTP on the redirect.
      expect(lines.find((l) => l.startsWith('bind '))!.split(/\s+/).includes('ssl')).toBe(scheme === 'https');
      // Before the redirect and the routing, with no condition: every request reaches the backend without them.
      const first = CLIENT_HEADERS.map((h) => `http-request del-header ${h}`).concat(`http-request set-header X-Forwarded-Proto ${scheme}`);
      expect(rules(lines).slice(0, first.length)).toEqual(first);
      expect(rules(lines).slice(first.length).filter((l) => /-header /.test(l))).toEqual([]);
    }
    // A passthrough frontend reads no HTTP: no header rules, no forwardfor.
    const tls = sectionLines((await haproxyConf(hostsTopology({ passthrough: true, release }), tag, release)).conf, 'frontend tls');
    expect(tls).toContain('mode tcp');
    expect(tls.filter((l) => l.includes('forwardfor') || l.startsWith('http-request'))).toEqual([]);
  });
});


/** Writes `sections` after plain HTTP defaults into a file `haproxy -c` accepts and runs HAProxy on it: returns what stops it. */
function runHaproxy(haproxy: Haproxy, name: string, sections: [string, string[]][]): () => void {
  const file = join(work(), `${name}.cfg`);
  const defaults: [string, string[]] = ['defaults', ['mode http', 'timeout connect 5s', 'timeout client 5s', 'timeout server 5s']];
  writeFileSync(file, [defaults, ...sections].map(([header, lines]) => [header, ...lines.map((l) => `    ${l}`)].join('\n')).concat('').join('\n\n'));
  const check = spawnSync(haproxy.binary, ['-c', '-f', file], { encoding: 'utf8' });
  expect(check.status, check.stdout + check.stderr).toBe(0);
  const proxy = spawn(haproxy.binary, ['-db', '-f', file], { stdio: 'ignore' });
  return () => proxy.kill();
}

/** The first answer to `ask`, retried while HAProxy starts. */
async function once<T>(ask: () => Promise<T>): Promise<T | undefined> {
  let answer: T | undefined;
  for (let i = 0; i < 50 && answer === undefined; i++) answer = await ask().catch(() => new Promise<undefined>((done) => setTimeout(() => done(undefined), 100)));
  return answer;
}

// Run by Debian's HAProxy, and by the one the newest release installs where HAPROXY_BINARIES supplies it (haproxy-binaries.ts).
const newestSeries = haproxySeries(UPSTREAM_RELEASES[UPSTREAM_RELEASES.length - 1]!.tag);
const RUNS: { haproxy: Haproxy; skip?: string; title: string }[] = [
  { haproxy: DEBIAN_HAPROXY, skip: why ?? noHaproxy, title: why ? `the rendered frontend in HAProxy (skipped: ${why})` : titled('the rendered frontend in HAProxy', noHaproxy) },
  (() => {
    const skip = why ?? whyNoHaproxy(newestSeries);
    if (skip && !why) process.stderr.write(`\n*** skipped: the rendered frontend in HAProxy ${newestSeries}: ${skip} ***\n\n`);
    const haproxy = suppliedHaproxy(newestSeries) ?? { name: `HAProxy ${newestSeries}`, binary: '', debian: false };
    return { haproxy, skip, title: `the rendered frontend in HAProxy ${newestSeries}${skip ? ` (skipped: ${skip})` : ''}` };
  })(),
];
for (const { haproxy, skip, title } of RUNS) describe.skipIf(skip)(title, () => {
  if (!haproxy.debian) it(`is HAProxy ${newestSeries}`, () => expect(binarySeries(haproxy.binary)).toBe(newestSeries));

  // The port-80 frontend forwards ACME challenges: its rendered lines, bound to a local port, in front of a server that echoes the headers it gets.
  it('the backend sees the address and scheme HAProxy saw, whatever address, scheme and host headers the client sent', async () => {
    const { tag, release } = UPSTREAM_RELEASES[UPSTREAM_RELEASES.length - 1]!;
    const { conf } = await haproxyConf(hostsTopology({ release }), tag, release);
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
    const stop = runHaproxy(haproxy, 'live', [
      ['frontend https_http_redirect', frontend],
      ['backend _acme_challenge', backend],
    ]);
    try {
      const request = () =>
        fetch(`http://127.0.0.1:${port}/.well-known/acme-challenge/token`, {
          headers: {
            'X-Forwarded-For': '203.0.113.9',
            Forwarded: 'for=203.0.113.9',
            'X-Real-IP': '203.0.113.9',
            'X-Forwarded-Proto': 'https',
            'X-Forwarded-Host': 'evil.example.net',
            'X-Forwarded-Port': '443',
          },
        });
      const response = await once(request);
      expect(response?.status).toBe(200);
      expect(seen['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen['forwarded']).toBeUndefined();
      expect(seen['x-real-ip']).toBeUndefined();
      // Plain HTTP, as the request came.
      expect(seen['x-forwarded-proto']).toBe('http');
      expect(seen['x-forwarded-host']).toBeUndefined();
      expect(seen['x-forwarded-port']).toBeUndefined();
      expect(seen['host']).toBe(`127.0.0.1:${port}`);
    } finally {
      stop();
      echo.close();
    }
  });

  // A client may send the port in the Host header on the scheme's default port too (RFC 9110, 7.2), and HAProxy
  // strips it only from a request whose target carries a scheme (HTTP/2's; http_scheme_based_normalize(), h1_htx.c,
  // v3.2.0): over HTTP/1.1, "Host: cloud.example.org:443" is what hdr(host) compares.
  it('routes each host name whether or not the Host header carries the port, a wildcard name too', async () => {
    const { tag, release } = UPSTREAM_RELEASES[UPSTREAM_RELEASES.length - 1]!;
    const A = ['sites', 0, 'haproxy'];
    let yaml = edit(hostsTopology({ release }), [...A, 'frontends', 0, 'hosts', 1, 'name'], '*.media.example.org');
    yaml = edit(yaml, [...A, 'certificates', 0], { name: 'web', domain: 'cloud.example.org', alt_names: ['*.media.example.org'], challenge: 'dns-01', dns_provider: 'cloudflare' });
    const { conf } = await haproxyConf(yaml, tag, release);
    const hosts = ['cloud.example.org', 'cloud.example.org:443', 'Cloud.Example.org:443', 'tv.media.example.org', 'tv.media.example.org:443', 'cloud.example.org:8443', 'other.example.org:443'];
    const answers = await routed(haproxy, conf, hosts);
    expect(answers).toEqual([
      ['cloud.example.org', '200 nextcloud'],
      ['cloud.example.org:443', '200 nextcloud'],
      ['Cloud.Example.org:443', '200 nextcloud'],
      ['tv.media.example.org', '200 jellyfin'],
      ['tv.media.example.org:443', '200 jellyfin'],
      // Another port is another origin, and no name of this frontend's: no backend.
      ['cloud.example.org:8443', expect.stringMatching(/^503 /)],
      ['other.example.org:443', expect.stringMatching(/^503 /)],
    ]);
  });

  // A wildcard host name whose two Host forms are longer than the 255 characters of the model's hdr_end gets a
  // condition per form, in a rule whose operator is "or": the template joins them with ||.
  it('routes a long wildcard host name by either of its two conditions', async () => {
    const { tag, release } = UPSTREAM_RELEASES[UPSTREAM_RELEASES.length - 1]!;
    const A = ['sites', 0, 'haproxy'];
    const long = `*.${'x'.repeat(63)}.${'y'.repeat(50)}.media.example.org`;
    let yaml = edit(hostsTopology({ release }), [...A, 'frontends', 0, 'hosts', 1, 'name'], long);
    yaml = edit(yaml, [...A, 'certificates', 0], { name: 'web', domain: 'cloud.example.org', alt_names: [long], challenge: 'dns-01', dns_provider: 'cloudflare' });
    const { conf } = await haproxyConf(yaml, tag, release);
    const acl = (value: string) => new RegExp(`^acl (acl_\\S+) hdr_end\\(host\\) -i ${value.replace(/\./g, '\\.')}$`, 'm');
    const lines = sectionLines(conf, 'frontend https').join('\n');
    const name = long.slice(1);
    const [bare, withPort] = [acl(name).exec(lines)?.[1], acl(`${name}:443`).exec(lines)?.[1]];
    expect([bare, withPort]).toEqual([expect.any(String), expect.any(String)]);
    expect(lines).toContain(`use_backend jellyfin if ${bare} || ${withPort}`);
    const tv = `tv${name}`;
    expect(await routed(haproxy, conf, [tv, `${tv}:443`, `${tv}:8443`])).toEqual([
      [tv, '200 jellyfin'],
      [`${tv}:443`, '200 jellyfin'],
      [`${tv}:8443`, expect.stringMatching(/^503 /)],
    ]);
  });
});

/** The answers (status and body) of the rendered frontend https, run in plain HTTP before backends that answer with their names, to requests with each Host header. */
async function routed(haproxy: Haproxy, conf: string, hosts: string[]): Promise<string[][]> {
  const port = await freePort();
  // Plain HTTP in front of the routing: the host rules read the request, not the TLS that carried it.
  const frontend = sectionLines(conf, 'frontend https').map((l) => (l.startsWith('bind ') ? `bind 127.0.0.1:${port}` : l));
  const backends = ['nextcloud', 'jellyfin'].map((b): [string, string[]] => [`backend ${b}`, [`http-request return status 200 content-type text/plain string ${b}`]]);
  const stop = runHaproxy(haproxy, 'hosts', [['frontend https', frontend], ...backends]);
  const answer = (host: string) =>
    new Promise<string>((done, fail) => {
      const req = request({ host: '127.0.0.1', port, path: '/', setHost: false, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => done(`${res.statusCode} ${body}`));
      });
      req.on('error', fail);
      req.end();
    });
  try {
    await once(() => answer(hosts[0]!));
    const answers = [];
    for (const host of hosts) answers.push([host, await answer(host)]);
    return answers;
  } finally {
    stop();
  }
}
