// HAProxy host routing, TLS backends and health checks: one frontend for
// many host names (Host-header ACLs, or SNI with TLS passthrough), the
// certificate's names from the host names, servers spoken to in TLS and
// verified against a CA, health checks; every value checked against the
// upstream HAProxy model of the release (4.1.0 and 5.0.0, the verbatim
// copies in test/opnsense/models).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACME_CHALLENGE_PORT } from '../../src/targets/opnsense/acme.js';
import { HAPROXY_CONDITION_MAX } from '../../src/targets/opnsense/haproxy-conditions.js';
import { HAPROXY_ITEM_NAME_MAX } from '../../src/targets/opnsense/haproxy-actions.js';
import { edit, lint, root } from '../helpers.js';
import { HOME_CA, hostsTopology } from './haproxy-topology.js';
import { itemProblems, modelFields } from './model-values.js';
import { type Xml, doc, fragments, text } from './support.js';

const A = ['sites', 0] as const;

async function haproxy(yaml: string): Promise<Xml> {
  return doc(await fragments(yaml, 'home'), 'haproxy.xml').OPNsense.HAProxy;
}

const list = (x: Xml): Xml[] => (x === undefined || x === '' ? [] : [x].flat());

describe('one HTTPS frontend for two web applications', async () => {
  const h = await haproxy(hostsTopology());
  const byName = (items: Xml[], name: string) => items.find((i) => i.name === name);
  const frontend = byName(list(h.frontends.frontend), 'https');
  const backends = list(h.backends.backend);
  const uuidOf = (name: string) => byName(backends, name)['@uuid'];

  /** The client-sent address and host headers an HTTP frontend drops, in order, before it sets X-Forwarded-Proto. */
  const DROPS = ['X-Forwarded-For', 'Forwarded', 'X-Real-IP', 'X-Forwarded-Host', 'X-Forwarded-Port'];
  /** Model 4.1.0's rule that sets X-Forwarded-Proto to `scheme`. */
  const proto = (scheme: string) => ['http-request_set-header', 'X-Forwarded-Proto', scheme];
  const N = DROPS.length + 1;

  it('routes each host name by an ACL on the Host header and a use_backend rule', () => {
    const acls = list(h.acls.acl);
    const actions = list(h.actions.action);
    const linked = String(frontend.linkedActions).split(',');
    const rules = linked.map((uuid) => actions.find((a) => a['@uuid'] === uuid));
    // First the client's address and host headers go (model 4.1.0's typed rule): the backend gets only HAProxy's X-Forwarded-For;
    // then the scheme of the TLS frontend replaces the client's.
    expect(rules.slice(0, DROPS.length).map((a) => [a.type, a.http_request_del_header_name, text(a.linkedAcls)])).toEqual(DROPS.map((h) => ['http-request_del-header', h, '']));
    expect([rules[DROPS.length]].map((a) => [a.type, a.http_request_set_header_name, a.http_request_set_header_content])).toEqual([proto('https')]);
    expect(text(rules[DROPS.length].linkedAcls)).toBe('');
    const routes = rules.slice(N);
    // The certificate is HTTP-01: its challenges go to the ACME client before any host rule.
    expect(routes.map((a) => [a.name, a.type, a.use_backend, a.testType])).toEqual([
      ['_acme_challenge', 'use_backend', uuidOf('_acme_challenge'), 'if'],
      ['https_route_cloud_example_org', 'use_backend', uuidOf('nextcloud'), 'if'],
      ['https_route_media_example_org', 'use_backend', uuidOf('jellyfin'), 'if'],
    ]);
    const conditions = routes.map((a) => acls.find((c) => c['@uuid'] === a.linkedAcls));
    expect(conditions.map((c) => [c.expression, text(c.hdr) || text(c.path_beg), c.negate, c.caseSensitive])).toEqual([
      ['path_beg', '/.well-known/acme-challenge/', '0', '0'],
      // With the port too: an HTTP/1.1 client may send it on 443 as well, and HAProxy compares the whole header.
      ['hdr', 'cloud.example.org cloud.example.org:443', '0', '0'],
      ['hdr', 'media.example.org media.example.org:443', '0', '0'],
    ]);
    // Requests for other names get no backend (HTTP 503).
    expect(text(frontend.defaultBackend)).toBe('');
    // Model 4.1.0 has no enabled field on a rule.
    expect(routes.every((a) => a.enabled === undefined)).toBe(true);
  });

  it('speaks TLS to the Nextcloud servers, verified against the CA, and plain HTTP to Jellyfin', () => {
    const servers = list(h.servers.server);
    expect(servers.map((s) => [s.name, s.port, s.ssl, text(s.sslVerify), text(s.sslCA), text(s.sslSNI)])).toEqual([
      ['nextcloud_nextcloud', '443', '1', '1', HOME_CA, 'cloud.example.org'],
      // (sslVerify off: a plain server verifies nothing; the template would read it only for checks over TLS.)
      ['jellyfin_jellyfin', '8096', '0', '0', '', ''],
      // The ACME client's own server for HTTP-01 challenges, on the firewall.
      ['_acme_challenge_host', '43580', '0', '0', '', ''],
    ]);
  });

  it('checks the servers with HTTP requests for each application, with the Host it serves', () => {
    const checks = list(h.healthchecks.healthcheck);
    expect(checks.map((c) => [c.name, c.type, c.http_method, c.http_uri, c.http_version, c.http_host])).toEqual([
      ['nextcloud_check', 'http', 'get', '/status.php', 'http11', 'cloud.example.org'],
      ['jellyfin_check', 'http', 'get', '/health', 'http11', 'media.example.org'],
    ]);
    // The TLS backend's checks send its SNI too: the template writes check-sni only for sslsni (with the server's SNI),
    // and HAProxy's sni applies to proxied traffic alone. The plain one leaves it to the server.
    expect(checks.map((c) => c.ssl)).toEqual(['sslsni', 'nopref']);
    for (const backend of backends.filter((b) => b.name !== '_acme_challenge')) {
      expect(backend.healthCheckEnabled).toBe('1');
      expect(checks.map((c) => c['@uuid'])).toContain(backend.healthCheck);
    }
  });

  it('never sends a wildcard as the Host of a check: the first concrete name, else localhost (http_host refuses "*")', async () => {
    // HAProxy.xml's mask for http_host, in every release gen writes.
    const HOST_MASK = /^([0-9a-zA-Z._\-]){1,255}$/;
    // (A certificate for a wildcard name is validated by DNS-01.)
    const wildcard = (hosts: object[]) =>
      edit(edit(hostsTopology(), ['sites', 0, 'haproxy', 'frontends', 0, 'hosts'], hosts), ['sites', 0, 'haproxy', 'certificates', 0], { name: 'web', challenge: 'dns-01', dns_provider: 'cloudflare' });
    const hostOf = async (yaml: string) => list((await haproxy(yaml)).healthchecks.healthcheck).find((c) => c.name === 'jellyfin_check')!.http_host;
    const both = await hostOf(wildcard([{ name: 'cloud.example.org', backend: 'nextcloud' }, { name: '*.media.example.org', backend: 'jellyfin' }, { name: 'media.example.org', backend: 'jellyfin' }]));
    expect(both).toBe('media.example.org');
    const only = await hostOf(wildcard([{ name: 'cloud.example.org', backend: 'nextcloud' }, { name: '*.media.example.org', backend: 'jellyfin' }]));
    expect(only).toBe('localhost');
    for (const host of [both, only]) expect(host).toMatch(HOST_MASK);
  });

  it('HTTP-01: the ACME settings name the four items, and port 80 hands challenges over instead of redirecting them', async () => {
    const settings = doc(await fragments(hostsTopology(), 'home'), 'acme.xml').OPNsense.AcmeClient.settings;
    const uuids = (items: Xml) => list(items).map((i) => i['@uuid']);
    // The plugin's fetchHAProxyIntegrationAction finds each by uuid and then takes its integration as complete.
    expect(uuids(h.acls.acl)).toContain(settings.haproxyAclRef);
    expect(uuids(h.actions.action)).toContain(settings.haproxyActionRef);
    expect(uuids(h.servers.server)).toContain(settings.haproxyServerRef);
    expect(uuids(h.backends.backend)).toContain(settings.haproxyBackendRef);
    expect(settings.haproxyIntegration).toBe('1');
    const server = list(h.servers.server).find((x) => x['@uuid'] === settings.haproxyServerRef);
    expect([server.address, server.port]).toEqual(['127.0.0.1', settings.challengePort]);
    expect(byName(backends, '_acme_challenge').linkedServers).toBe(settings.haproxyServerRef);
    const actions = list(h.actions.action);
    expect(actions.find((a) => a['@uuid'] === settings.haproxyActionRef).linkedAcls).toBe(settings.haproxyAclRef);
    // The port-80 frontend redirects everything but a challenge, which it routes to the ACME client.
    const redirect = byName(list(h.frontends.frontend), 'https_http_redirect');
    const rules = String(redirect.linkedActions).split(',').map((uuid) => actions.find((a) => a['@uuid'] === uuid));
    // (The redirect's type is http-request_redirect in model 4.1.0, http-request with an action in 5.0.0.)
    expect(rules.slice(0, DROPS.length).map((a) => [a.type, a.http_request_del_header_name])).toEqual(DROPS.map((h) => ['http-request_del-header', h]));
    expect([rules[DROPS.length]].map((a) => [a.type, a.http_request_set_header_name, a.http_request_set_header_content])).toEqual([proto('http')]);
    expect(rules.slice(N).map((a) => [String(a.type).replace(/^http-request_redirect$/, 'http-request'), a.testType, a.linkedAcls])).toEqual([
      ['http-request', 'unless', settings.haproxyAclRef],
      ['use_backend', 'if', settings.haproxyAclRef],
    ]);
  });

  it("the challenge port is the ACME client model's default on every release", () => {
    const releases = ['25.7', '26.1', '26.1.6', '26.7'].filter((r) => existsSync(join(root, `test/opnsense/models/${r}/AcmeClient/AcmeClient.xml`)));
    expect(releases.length).toBeGreaterThan(1);
    for (const release of releases) {
      const model = readFileSync(join(root, `test/opnsense/models/${release}/AcmeClient/AcmeClient.xml`), 'utf8');
      expect(/<challengePort type="PortField">\s*<Default>(\d+)<\/Default>/.exec(model)?.[1], release).toBe(ACME_CHALLENGE_PORT);
    }
  });

  it('DNS-01 only: no HTTP-01 items, and no HAProxy integration for the plugin to make', async () => {
    const yaml = edit(hostsTopology(), [...A, 'haproxy', 'certificates', 0], { name: 'web', challenge: 'dns-01', dns_provider: 'cloudflare' });
    const files = await fragments(yaml, 'home');
    expect(doc(files, 'acme.xml').OPNsense.AcmeClient.settings.haproxyIntegration).toBe('0');
    const x = doc(files, 'haproxy.xml').OPNsense.HAProxy;
    expect([...list(x.acls.acl), ...list(x.actions.action), ...list(x.backends.backend), ...list(x.servers.server)].filter((i) => String(i.name).startsWith('_'))).toEqual([]);
    const redirectRule = list(x.actions.action).find((a) => a.name === 'https_redirect_to_https');
    expect([redirectRule.testType, text(redirectRule.linkedAcls)]).toEqual(['if', '']);
  });

  it('takes the certificate names from the host names: one certificate with both', async () => {
    const acme = doc(await fragments(hostsTopology(), 'home'), 'acme.xml').OPNsense.AcmeClient;
    const certs = list(acme.certificates.certificate);
    expect(certs.map((c) => [c.name, text(c.altNames)])).toEqual([['cloud.example.org', 'media.example.org']]);
    expect(String(frontend.ssl_certificates).split(',')).toEqual([certs[0].certRefId]);
  });

  it('or one certificate per name, all on the frontend', async () => {
    const files = await fragments(hostsTopology({ perHost: true }), 'home');
    const certs = list(doc(files, 'acme.xml').OPNsense.AcmeClient.certificates.certificate);
    expect(certs.map((c) => [c.name, text(c.altNames)])).toEqual([
      ['cloud.example.org', ''],
      ['media.example.org', ''],
    ]);
    const front = list(doc(files, 'haproxy.xml').OPNsense.HAProxy.frontends.frontend).find((f) => f.name === 'https');
    expect(String(front.ssl_certificates).split(',')).toEqual(certs.map((c) => c.certRefId));
    expect(front.ssl_default_certificate).toBe(certs[0].certRefId);
  });

  it('the lint is clean', async () => {
    expect(await lint(hostsTopology())).toEqual([]);
  });
});

describe('TLS passthrough: routing by SNI', async () => {
  const h = await haproxy(hostsTopology({ passthrough: true }));
  const frontend = list(h.frontends.frontend)[0];

  it('is a TCP-mode frontend that waits for the TLS hello, accepts it, then routes by SNI', () => {
    expect([frontend.mode, frontend.ssl_enabled, frontend.forwardFor]).toEqual(['ssl', '0', '0']);
    const actions = list(h.actions.action);
    const acls = list(h.acls.acl);
    const rules = String(frontend.linkedActions).split(',').map((u) => actions.find((a) => a['@uuid'] === u));
    expect(rules.map((a) => [a.type, text(a.tcp_request_inspect_delay), text(a.linkedAcls) ? acls.find((c) => c['@uuid'] === a.linkedAcls)?.expression : ''])).toEqual([
      ['tcp-request_inspect-delay', '5s', ''],
      ['tcp-request_content_accept', '', 'ssl_hello_type'],
      ['use_backend', '', 'ssl_sni'],
      ['use_backend', '', 'ssl_sni'],
    ]);
    expect(acls.map((c) => text(c.ssl_sni) || text(c.ssl_hello_type))).toEqual(['x1', 'cloud.example.org', 'media.example.org']);
  });

  it('its backends are TCP backends', () => {
    expect(list(h.backends.backend).map((b) => b.mode)).toEqual(['tcp', 'tcp']);
  });

  it('model 5.0.0 (OPNsense 26.1.2 on): generic tcp-request rules, each enabled', async () => {
    const h5 = await haproxy(edit(hostsTopology({ passthrough: true }), [...A, 'firewall', 'release'], '26.1'));
    const rules = list(h5.actions.action);
    expect(rules.map((a) => [a.enabled, a.type, text(a.tcp_request_action), text(a.tcp_request_option)])).toEqual([
      ['1', 'tcp-request', 'inspect-delay', '5s'],
      ['1', 'tcp-request', 'content_accept', ''],
      ['1', 'use_backend', '', ''],
      ['1', 'use_backend', '', ''],
    ]);
  });
});

describe('a wildcard host name', () => {
  it('matches the end of the Host header (hdr_end), and of the SNI with passthrough (ssl_sni_end)', async () => {
    const wildcard = (yaml: string) => edit(yaml, [...A, 'haproxy', 'frontends', 0, 'hosts', 1, 'name'], '*.media.example.org');
    const http = await haproxy(edit(wildcard(hostsTopology()), [...A, 'haproxy', 'certificates', 0], { name: 'web', domain: 'cloud.example.org', alt_names: ['*.media.example.org'], challenge: 'dns-01', dns_provider: 'cloudflare' }));
    expect(list(http.acls.acl).map((c) => [c.name, c.expression, text(c.hdr) || text(c.hdr_end)])).toEqual([
      ['https_host_cloud_example_org', 'hdr', 'cloud.example.org cloud.example.org:443'],
      ['https_host_any_media_example_org', 'hdr_end', '.media.example.org .media.example.org:443'],
    ]);
    const tls = await haproxy(wildcard(hostsTopology({ passthrough: true })));
    expect(list(tls.acls.acl).map((c) => [c.expression, text(c.ssl_sni) || text(c.ssl_sni_end) || text(c.ssl_hello_type)])).toEqual([
      ['ssl_hello_type', 'x1'],
      ['ssl_sni', 'cloud.example.org'],
      ['ssl_sni_end', '.media.example.org'],
    ]);
    const model = readFileSync(join(root, 'test/opnsense/models/25.7/HAProxy/HAProxy.xml'), 'utf8');
    expect(problems(model, tls)).toEqual([]);
  });

  it('a non-standard port adds the Host value with the port', async () => {
    // (Without the redirect to HTTPS, which would send clients to 443: haproxy/redirect-target; the certificate by DNS-01 then.)
    let yaml = edit(edit(hostsTopology(), [...A, 'haproxy', 'frontends', 0, 'bind'], '0.0.0.0:8443'), [...A, 'policy', 'tests'], []);
    yaml = edit(edit(yaml, [...A, 'haproxy', 'frontends', 0, 'http_redirect'], undefined), [...A, 'haproxy', 'certificates', 0], { name: 'web', challenge: 'dns-01', dns_provider: 'cloudflare' });
    const h = await haproxy(yaml);
    expect(list(h.acls.acl).filter((c) => c.expression === 'hdr').map((c) => text(c.hdr))).toEqual(['cloud.example.org cloud.example.org:8443', 'media.example.org media.example.org:8443']);
  });
});

/** A host name of `length` characters under example.org, of labels of at most 63 (`*.` first for a wildcard). */
function longName(length: number, wildcard: boolean): string {
  const head = wildcard ? '*.' : '';
  const room = length - head.length - '.example.org'.length;
  const labels: string[] = [];
  for (let left = room; left > 0; left -= 64) labels.push('x'.repeat(Math.min(63, left === 64 ? 62 : left)));
  const name = `${head}${labels.join('.')}.example.org`;
  if (name.length !== length) throw new Error(`no name of ${length} characters: ${name.length}`);
  return name;
}

describe('a long host name: every field within what the HAProxy model takes', () => {
  const MODELS = ['25.7', '26.7'];
  const model = (series: string) => readFileSync(join(root, `test/opnsense/models/${series}/HAProxy/HAProxy.xml`), 'utf8');
  const withHosts = (hosts: object[], release: string) => {
    let yaml = edit(hostsTopology({ release }), [...A, 'haproxy', 'frontends', 0, 'hosts'], hosts);
    const names = hosts.map((h) => (h as { name: string }).name);
    return edit(yaml, [...A, 'haproxy', 'certificates', 0], { name: 'web', domain: 'cloud.example.org', alt_names: names.filter((n) => n !== 'cloud.example.org'), challenge: 'dns-01', dns_provider: 'cloudflare' });
  };

  it.each(MODELS)('OPNsense %s: a wildcard whose two Host forms pass hdr_end\'s 255 characters routes by two conditions, either of which will do', async (series) => {
    // 130 characters: ".name .name:443" is 263.
    const wildcard = longName(130, true);
    const h = await haproxy(withHosts([{ name: 'cloud.example.org', backend: 'nextcloud' }, { name: wildcard, backend: 'jellyfin' }], series));
    const acls = list(h.acls.acl);
    const route = list(h.actions.action).find((a) => String(a.name).startsWith('https_route_any_'));
    const conditions = String(route.linkedAcls).split(',').map((uuid) => acls.find((c) => c['@uuid'] === uuid));
    const name = wildcard.slice(1);
    expect(conditions.map((c) => [c.expression, text(c.hdr_end)])).toEqual([
      ['hdr_end', name],
      ['hdr_end', `${name}:443`],
    ]);
    expect(route.operator).toBe('or');
    // A name whose forms fit stays one condition, its rule "and" (the model's default).
    const cloud = list(h.actions.action).find((a) => a.name === 'https_route_cloud_example_org');
    expect([cloud.operator, String(cloud.linkedAcls).split(',').length]).toEqual(['and', 1]);
    expect(problems(model(series), h)).toEqual([]);
  });

  it.each(MODELS)('OPNsense %s: names of conditions and rules for the longest host names stay within 255 characters, and apart', async (series) => {
    // Two names of 253 characters that differ only at the start: "https_host_" and "https_route_" make them longer than 255.
    const a = longName(253, false);
    const b = `y${a.slice(1)}`;
    const h = await haproxy(withHosts([{ name: 'cloud.example.org', backend: 'nextcloud' }, { name: a, backend: 'jellyfin' }, { name: b, backend: 'jellyfin' }], series));
    const names = [...list(h.acls.acl), ...list(h.actions.action)].map((i) => String(i.name));
    expect(Math.max(...names.map((n) => n.length))).toBe(255);
    expect(new Set(names).size).toBe(names.length);
    expect(problems(model(series), h)).toEqual([]);
  });

  it('the lengths gen fits to are the verbatim models\' masks', () => {
    for (const series of ['25.7', '26.1', '26.7']) {
      const limit = (path: readonly string[], field: string) => Number(/\{1,(\d+)\}\$$/.exec(modelFields(model(series), path).get(field)!.mask!.source)?.[1]);
      for (const expression of Object.keys(HAPROXY_CONDITION_MAX) as (keyof typeof HAPROXY_CONDITION_MAX)[]) expect([series, expression, limit(['acls', 'acl'], expression)]).toEqual([series, expression, HAPROXY_CONDITION_MAX[expression]]);
      for (const path of [['acls', 'acl'], ['actions', 'action'], ['healthchecks', 'healthcheck']]) expect([series, ...path, limit(path, 'name')]).toEqual([series, ...path, HAPROXY_ITEM_NAME_MAX]);
    }
  });

  it('opnsense/haproxy-host-length: a wildcard whose form with the port alone passes hdr_end\'s 255 characters', async () => {
    const found = async (name: string, bind: string) =>
      (await lint(edit(withHosts([{ name: 'cloud.example.org', backend: 'nextcloud' }, { name, backend: 'jellyfin' }], '26.7'), [...A, 'haproxy', 'frontends', 0, 'bind'], bind)))
        .filter((d) => d.rule === 'opnsense/haproxy-host-length')
        .map((d) => [d.severity, d.message, d.hint]);
    // On 443: ".name:443" is 255 for a wildcard of 252 characters, 256 for one of 253.
    expect(await found(longName(252, true), '0.0.0.0:443')).toEqual([]);
    const longest = longName(253, true);
    expect(await found(longest, '0.0.0.0:443')).toEqual([
      [
        'error',
        `frontend https routes ${longest} by a condition on the Host header (hdr_end) that is 256 characters with port 443, more than the 255 OPNsense's HAProxy model takes: the next save of a HAProxy item in the GUI fails`,
        `Write the host names ${longest} stands for (each matched in full), or a wildcard of at most 252 characters.`,
      ],
    ]);
    // The same name without the wildcard is matched in full (hdr, 1024 characters).
    expect(await found(`w${longest.slice(1)}`, '0.0.0.0:443')).toEqual([]);
  });
});

describe('HAProxy lint rules', () => {
  it('haproxy/host-not-in-certificate: a host outside the names of a certificate written out', async () => {
    const yaml = edit(hostsTopology(), [...A, 'haproxy', 'certificates', 0, 'domain'], 'cloud.example.org');
    const found = (await lint(yaml)).filter((d) => d.rule === 'haproxy/host-not-in-certificate');
    expect(found.map((d) => [d.severity, d.message])).toEqual([['error', 'frontend https serves media.example.org, which its certificate (cloud.example.org) does not name']]);
    // A wildcard covers both.
    const wildcard = edit(edit(yaml, [...A, 'haproxy', 'certificates', 0, 'domain'], '*.example.org'), [...A, 'haproxy', 'certificates', 0, 'challenge'], 'dns-01');
    const withProvider = edit(wildcard, [...A, 'haproxy', 'certificates', 0, 'dns_provider'], 'cloudflare');
    expect((await lint(withProvider)).filter((d) => d.rule === 'haproxy/host-not-in-certificate')).toEqual([]);
  });

  it('haproxy/mode-conflict: a certificate on a passthrough frontend, a backend of both kinds', async () => {
    let yaml = hostsTopology({ passthrough: true });
    yaml = edit(yaml, [...A, 'haproxy', 'certificates'], [{ name: 'web', domain: 'cloud.example.org', challenge: 'dns-01', dns_provider: 'cloudflare' }]);
    yaml = edit(yaml, [...A, 'haproxy', 'frontends', 0, 'certificate'], 'web');
    yaml = edit(yaml, [...A, 'haproxy', 'frontends', 1], { name: 'http', bind: '0.0.0.0:8080', default_backend: 'jellyfin' });
    const found = (await lint(yaml)).filter((d) => d.rule === 'haproxy/mode-conflict');
    expect(found.map((d) => d.message)).toEqual([
      'frontend tls passes TLS through, so it cannot offload it with a certificate',
      'backend jellyfin serves HTTP frontend http and passthrough frontend tls',
    ]);
  });

  // HAProxy ignores a cookie outside HTTP mode ("cookie will be ignored for backend ... (needs 'mode http')"): clients would be spread.
  it('haproxy/mode-conflict: cookie stickiness on a passthrough backend; source is fine', async () => {
    const found = async (sticky: string) =>
      (await lint(edit(hostsTopology({ passthrough: true }), [...A, 'haproxy', 'backends', 1, 'sticky'], sticky))).filter((d) => d.rule === 'haproxy/mode-conflict').map((d) => [d.severity, d.message]);
    expect(await found('cookie')).toEqual([['error', 'backend jellyfin receives TLS passed through by frontend tls, so it cannot keep clients by a cookie inside it']]);
    expect(await found('source')).toEqual([]);
    expect(await found('none')).toEqual([]);
  });

  it('haproxy/backend-plain-tls-port: a server on 443 spoken to in plain HTTP is a warning', async () => {
    const yaml = edit(hostsTopology(), [...A, 'haproxy', 'backends', 0, 'tls'], false);
    const found = (await lint(yaml)).filter((d) => d.rule === 'haproxy/backend-plain-tls-port');
    expect(found.map((d) => [d.severity, d.message])).toEqual([['warning', 'backend nextcloud speaks plain HTTP to nextcloud on port 443']]);
  });

  // HAProxy's 'redirect scheme https' keeps the host and drops the port: clients go to https://<host>/ on 443.
  it('haproxy/redirect-target: a redirect to HTTPS from a frontend on another port, or one without TLS, is an error', async () => {
    const frontend = [...A, 'haproxy', 'frontends', 0] as const;
    const found = async (yaml: string) => (await lint(yaml)).filter((d) => d.rule === 'haproxy/redirect-target').map((d) => [d.severity, d.message]);
    expect(await found(edit(hostsTopology(), [...frontend, 'bind'], '0.0.0.0:9443'))).toEqual([
      ['error', 'frontend https redirects HTTP to https:// on port 443, but it listens on port 9443'],
    ]);
    expect(await found(edit(hostsTopology({ passthrough: true }), [...frontend, 'http_redirect'], true))).toEqual([]);
    const plain = edit(edit(hostsTopology(), [...frontend, 'certificate'], undefined), [...A, 'haproxy', 'certificates'], []);
    expect(await found(plain)).toEqual([
      ['error', 'frontend https redirects HTTP to HTTPS, but it offloads no TLS (it has no certificate): it answers the redirected clients in plain HTTP'],
    ]);
    expect(await found(hostsTopology())).toEqual([]);
  });

  it('opnsense/haproxy-bind: a second frontend on the same bind stays an error, with the hint to use hosts', async () => {
    const yaml = edit(hostsTopology(), [...A, 'haproxy', 'frontends', 1], { name: 'media', bind: '0.0.0.0:443', default_backend: 'jellyfin' });
    const [found] = (await lint(yaml)).filter((d) => d.rule === 'opnsense/haproxy-bind');
    expect(found?.severity).toBe('error');
    expect(found?.hint).toContain('with hosts');
    // One mistake, one finding: the upstream forward is not a second clash whose fix would be another external port.
    expect((await lint(yaml)).map((d) => d.rule)).not.toContain('upstream/duplicate-external-port');
  });

  it("a backend's sni names one host: OPNsense's HAProxy model refuses a wildcard in a server's sslSNI", async () => {
    const errors = async (sni: string) => (await lint(edit(hostsTopology(), [...A, 'haproxy', 'backends', 0, 'sni'], sni))).filter((d) => d.severity === 'error').map((d) => [d.rule, d.message]);
    expect(await errors('*.example.org')).toEqual([['schema', expect.stringContaining('"*.example.org" is not valid here')]]);
    expect(await errors('cloud.example.org')).toEqual([]);
    // What the model says of it (25.7's and 26.7's sslSNI: /^([0-9a-zA-Z._\-]){1,255}$/u).
    for (const series of ['25.7', '26.7']) {
      const sslSNI = modelFields(readFileSync(join(root, `test/opnsense/models/${series}/HAProxy/HAProxy.xml`), 'utf8'), ['servers', 'server']).get('sslSNI')!.mask!;
      expect([sslSNI.test('*.example.org'), sslSNI.test('cloud.example.org')]).toEqual([false, true]);
    }
  });

  it('a frontend without hosts needs a default backend; a health check is none, tcp or http with a path', async () => {
    let yaml = edit(hostsTopology(), [...A, 'haproxy', 'frontends', 0, 'hosts'], undefined);
    expect((await lint(yaml)).map((d) => [d.rule, d.message])).toContainEqual(['schema', 'frontend https needs a default_backend or hosts']);
    for (const check of ['https /health', 'http /health#x', 'http /a b', "http /'x'"]) {
      yaml = edit(hostsTopology(), [...A, 'haproxy', 'backends', 1, 'check'], check);
      expect((await lint(yaml)).map((d) => d.rule), check).toContain('schema');
    }
  });
});

/** The HAProxy model of OPNsense 26.7.2 (os-haproxy 5.1, model 5.0.0): the verbatim copy in test/opnsense/models. */
const MODEL_5 = readFileSync(join(root, 'test/opnsense/models/26.7/HAProxy/HAProxy.xml'), 'utf8');
const SECTIONS = [
  ['frontends', 'frontend'],
  ['backends', 'backend'],
  ['servers', 'server'],
  ['healthchecks', 'healthcheck'],
  ['acls', 'acl'],
  ['actions', 'action'],
] as const;

function problems(model: string, h: Xml): string[] {
  const uuids = (relation: string) => {
    const [section, item] = relation.split('.');
    return new Set(list(h[section!]?.[item!]).map((i) => i['@uuid']));
  };
  return SECTIONS.flatMap(([section, item]) => {
    const fields = modelFields(model, [section, item]);
    return list(h[section]?.[item])
      // The HTTP-to-HTTPS redirect rule is not part of this check (it has its own per-release form).
      .filter((i) => !String(i.name).endsWith('_redirect_to_https'))
      .flatMap((i) => itemProblems(i, fields, uuids).map((p) => `${section}/${i.name}: ${p}`));
  });
}

describe('every value gen writes is one the HAProxy model accepts', () => {
  const variants = [hostsTopology(), hostsTopology({ perHost: true }), hostsTopology({ passthrough: true })];

  it('model 4.1.0 (OPNsense 25.7, the copy in test/opnsense/models)', async () => {
    const model = readFileSync(join(root, 'test/opnsense/models/25.7/HAProxy/HAProxy.xml'), 'utf8');
    for (const yaml of variants) expect(problems(model, await haproxy(yaml))).toEqual([]);
  });

  it('the check can fail: an option the model does not list, a name with a dot', async () => {
    const model = readFileSync(join(root, 'test/opnsense/models/25.7/HAProxy/HAProxy.xml'), 'utf8');
    const h = await haproxy(hostsTopology());
    const acl = list(h.acls.acl)[0];
    acl.expression = 'host';
    acl.name = 'a.b';
    expect(problems(model, h)).toEqual(['acls/a.b: name: "a.b" does not match /^[^\\t^,^;^\\.^\\[^\\]^\\{^\\}]{1,255}$/u', 'acls/a.b: expression: "host" is not an option (http_auth, hdr_beg, hdr_end, hdr, hdr_reg, hdr_sub, path_beg, path_end…)']);
  });

  it('model 5.0.0 (OPNsense 26.1.2 to 26.7, the copy in test/opnsense/models)', async () => {
    for (const yaml of variants) expect(problems(MODEL_5, await haproxy(edit(yaml, [...A, 'firewall', 'release'], '26.7')))).toEqual([]);
  });
});
