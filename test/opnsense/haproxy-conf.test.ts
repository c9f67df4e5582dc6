// What haproxy.conf a box writes for gen's HAProxy items: the merged
// config.xml rendered by the os-haproxy plugin's own template
// (OPNsense/HAProxy/haproxy.conf, with OPNsense's template engine:
// test/tools/opnsense-php/render.py) for the newest point release of each
// series, and the lines of the backends checked against what the topology
// asks for. Needs OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT, php and python3
// with jinja2; skips loudly without them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { edit, readExample, root } from '../helpers.js';
import { hasCommand } from '../system-tools.js';
import { hostsTopology } from './haproxy-topology.js';
import { UPSTREAM_RELEASES, mergedFactoryConfig } from './support.js';

const coreGit = process.env.OPNSENSE_CORE_GIT;
const jinja = hasCommand('python3') && spawnSync('python3', ['-c', 'import jinja2']).status === 0;
const why = !coreGit
  ? 'OPNSENSE_CORE_GIT is not set'
  : !process.env.OPNSENSE_PLUGINS_GIT
    ? 'OPNSENSE_PLUGINS_GIT is not set'
    : !hasCommand('php')
      ? 'php is missing'
      : !jinja
        ? 'python3-jinja2 is missing'
        : undefined;
if (why) process.stderr.write(`\n*** skipped: haproxy.conf from the plugin's template: ${why} ***\n\n`);
const tools = join(root, 'test/tools/opnsense-php');
const cache = process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php');
const work = mkdtempSync(join(tmpdir(), 'gen-haproxy-conf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;

/**
 * haproxy.conf as the plugin's template renders it for a topology merged
 * into the factory config of `tag`, once the plugin's model has validated
 * gen's HAProxy items (what pluginctl -v does on the box).
 */
async function haproxyConf(yaml: string, tag: string, release: string): Promise<string> {
  const env = { ...process.env, OPNSENSE_PHP_CACHE: cache };
  const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
  expect(setup.status, setup.stderr).toBe(0);
  const dir = join(work, `run-${runs++}`);
  const config = `${dir}.xml`;
  writeFileSync(config, await mergedFactoryConfig(yaml, tag, release, coreGit!), { mode: 0o600 });
  const validation = spawnSync('bash', [join(tools, 'run.sh'), config, tag], { encoding: 'utf8', env });
  expect(validation.stdout.split('\n').filter((l) => l.startsWith('ERROR ') && l.includes('HAProxy')), validation.stderr).toEqual([]);
  const r = spawnSync('python3', [join(tools, 'render.py'), join(cache, tag, 'root'), config, dir, 'OPNsense.HAProxy'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(join(dir, 'usr/local/etc/haproxy.conf.staging'), 'utf8');
}

/** The lines of one backend section (its indented lines, up to the next line that is not), trimmed, without comments. */
function backendLines(conf: string, name: string): string[] {
  const lines = conf.split('\n');
  const start = lines.indexOf(`backend ${name}`);
  expect(start, `backend ${name} in haproxy.conf`).toBeGreaterThan(-1);
  const body = lines.slice(start + 1);
  const end = body.findIndex((l) => /^\S/.test(l));
  return body.slice(0, end < 0 ? undefined : end).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

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
