// Split-horizon DNS for HAProxy's host names behind the upstream router:
// gen writes Unbound host overrides on the firewall that answer a
// frontend's exact names with the address HAProxy listens on, so clients
// inside do not depend on the router's NAT hairpin. Checked against
// OPNsense's own code: the unversioned model root lets the box's migrations
// run (Unbound stays enabled: M1_0_5 moves the factory's legacy switch),
// the model validates, and unbound_add_host_entries() writes the records.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { afterAll, describe, expect, it } from 'vitest';
import { keaStaticNames } from '../../src/opnsense/kea-reservations.js';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { answersLocalBeforeServers } from '../../src/opnsense/dnsmasq-answer.js';
import { dnsmasqEnabled } from '../../src/opnsense/dnsmasq-enabled.js';
import { dnsmasqRefusals } from '../../src/opnsense/dnsmasq-refusals.js';
import { servedRanges } from '../../src/opnsense/dnsmasq-ranges.js';
import { dnsmasqAtLeast } from '../../src/opnsense/dnsmasq-version.js';
import { unboundDnsAt } from '../../src/opnsense/unbound-bound.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { type XmlElement, attr, child, childrenNamed, firstChildren, isElement, serialize, textOf } from '../../src/render/opnsense/xml.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { fieldNode } from '../../src/targets/opnsense/field-types.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { edit, lint, modelOf, readExample, render, root } from '../helpers.js';
import { lintText } from '../../src/pipeline.js';
import { parseWgQuick } from '../wireguard/wg-ini.js';
import { hasCommand, missing, titled } from '../system-tools.js';
import { gen } from '../wireguard/cli.js';
import { writeSecret } from '../../src/secrets.js';
import { instanceKeyPath } from '../../src/paths.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { freeUdpPort } from '../free-udp-port.js';
import { DNSMASQ_VERSIONS, dnsmasqBinary, dnsmasqTag, hasTag, whyNoBinaries } from './dnsmasq-binaries.js';
import { type UnboundOnBox, closeTemplateServers, renderTemplate, unboundOnBox } from './upstream-tools.js';
import { UPSTREAM_RELEASES, doc, withBoxCa, factoryConfig, factorySample, fragments, mergedFactoryConfig, releaseSections, withRelease } from './support.js';

removeTempDirsAfterAll();

const RULE = 'upstream/hairpin';
const family = readExample('homelab-family');
/** The family example with gen's overrides (no opt-out, no suppression) and the LAN allowed to HAProxy on the firewall. */
const answered = family
  .replace(/\n *split_dns: false[^\n]*/, '')
  .replace(/\n *# gen-ignore upstream\/hairpin:[^\n]*/, '')
  .replace('        - { from: 10.10.0.23, to: self, proto: tcp, port: 443, expect: deny }\n', '')
  .replace('        - { name: lan-internet,', '        - { name: lan-web, from: lan, to: self, proto: tcp, ports: [443], action: pass }\n        - { name: lan-internet,');
const HOSTS = ['sites', 0, 'haproxy', 'frontends', 0, 'hosts'];

/** Merge's warnings about a system domain (example.org unless given) whose local zone type ignores gen's overrides. */
async function zoneTypeWarnings(type: string, domain = 'example.org'): Promise<string[]> {
  const { sections, privateKey } = await releaseSections(answered, '26.7');
  const box = factorySample('26.7')
    .replace(/<domain>internal<\/domain>/, `<domain>${domain}</domain>`)
    .replace('<OPNsense>', `<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled><local_zone_type>${type}</local_zone_type></general></unboundplus>`);
  expect(box).toContain(`<domain>${domain}</domain>`);
  const warnings: string[] = [];
  mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
  return warnings.filter((w) => w.includes('local zone type'));
}

/** The reply of the DNS server on 127.0.0.1:`port` to a query for `name` of type `qtype` (1 A, 12 PTR), if one comes within `ms`. */
function ask(port: number, name: string, ms: number, qtype = 1): Promise<Buffer | undefined> {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const query = Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])].concat(labels, [Buffer.from([0, 0, qtype, 0, 1])]));
  return new Promise((done) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      done(undefined);
    }, ms);
    socket.on('message', (m) => {
      clearTimeout(timer);
      socket.close();
      done(m);
    });
    socket.send(query, port, '127.0.0.1');
  });
}

/** A domain name in a DNS message at `at` (labels and compression pointers, RFC 1035 4.1.4), and the offset after it. */
function readName(message: Buffer, at: number): [string, number] {
  const labels: string[] = [];
  let end: number | undefined;
  for (let i = at; ; ) {
    const length = message[i]!;
    if (length === 0) return [labels.join('.'), end ?? i + 1];
    if (length >= 0xc0) {
      end ??= i + 2;
      i = message.readUInt16BE(i) & 0x3fff;
      continue;
    }
    labels.push(message.subarray(i + 1, i + 1 + length).toString('latin1'));
    i += 1 + length;
  }
}

/** What a reply's answers of `type` carry: the names of PTR records (12), the addresses of A (1) and AAAA (28) records. */
function answersOf(reply: Buffer, type: 1 | 12 | 28): string[] {
  let at = readName(reply, 12)[1] + 4;
  const out: string[] = [];
  for (let n = reply.readUInt16BE(6); n > 0; n--) {
    at = readName(reply, at)[1];
    const [found, length] = [reply.readUInt16BE(at), reply.readUInt16BE(at + 8)];
    if (found === type) {
      out.push(type === 12 ? readName(reply, at + 10)[0] : type === 28 ? ipaddr.fromByteArray([...reply.subarray(at + 10, at + 26)]).toString() : [...reply.subarray(at + 10, at + 14)].join('.'));
    }
    at += 10 + length;
  }
  return out;
}

/** `use` on the DNS server `daemon` once it answers on `port` (anything, even a refusal), which is stopped after. */
async function serving<T>(daemon: ReturnType<typeof spawn>, what: string, port: number, use: (port: number) => Promise<T>): Promise<T> {
  try {
    let ready = false;
    for (let attempt = 0; attempt < 40 && !ready; attempt++) ready = (await ask(port, 'ready.invalid', 250)) !== undefined;
    if (!ready) throw new Error(`${what} did not start on port ${port}`);
    return await use(port);
  } finally {
    daemon.kill();
  }
}

/**
 * A real Unbound on a free port of 127.0.0.1 with `lines` in its server clause, for `use`; stopped after. No upstream
 * (port 9 of localhost): a name Unbound would resolve instead gets no answer in time.
 */
async function withUnbound<T>(work: string, name: string, lines: string, use: (port: number) => Promise<T>): Promise<T> {
  const port = await freeUdpPort();
  const conf = join(work, `${name}.conf`);
  writeFileSync(
    conf,
    `server:\n  chroot: ""\n  username: ""\n  directory: "${work}"\n  pidfile: "${work}/${name}.pid"\n  interface: 127.0.0.1\n  port: ${port}\n  do-ip6: no\n  use-syslog: no\n` +
      `  do-not-query-localhost: no\n  local-zone: "ready.invalid" static\n  local-data: "ready.invalid IN A 192.0.2.1"\n` +
      `${lines}forward-zone:\n  name: "."\n  forward-addr: 127.0.0.1@9\n`,
  );
  return serving(spawn('unbound', ['-d', '-c', conf], { stdio: 'ignore' }), `unbound (${name})`, port, use);
}

/** Whether an Unbound with `local-zone: "example.org" <type>` and the override's local-data answers `name` with `address`. */
async function unboundAnswers(work: string, type: string, name: string, address: string): Promise<boolean> {
  return withUnbound(work, type, `  local-zone: "example.org" ${type}\n  local-data: "${name} IN A ${address}"\n`, async (port) => {
    const reply = await ask(port, name, 1500);
    // The answer count, and the address of the single A record at the end of the reply.
    return reply !== undefined && reply.readUInt16BE(6) > 0 && [...reply.subarray(reply.length - 4)].join('.') === address;
  });
}

/** A box's own wildcard A override of `domain`, as Services › Unbound DNS › Overrides saves it (addptr from 26.1.3). */
function wildcardHost(domain: string, server: string, addptr: boolean): string {
  return `<host uuid="11111111-2222-4333-8444-777777777777"><enabled>1</enabled><hostname>*</hostname><domain>${domain}</domain><rr>A</rr><mxprio/><mx/><ttl/><server>${server}</server><txtdata/>${addptr ? '<addptr>0</addptr>' : ''}<description>own</description></host>`;
}

const hostsOf = (files: Map<string, string>) => [doc(files, 'unbound.xml').OPNsense.unboundplus.hosts.host].flat();

describe('Unbound host overrides for HAProxy host names behind the upstream router', () => {
  it("answers each exact host name with the address the rendered frontend accepts, in an unversioned root, and leaves lint quiet", async () => {
    expect(answered).not.toContain('split_dns');
    expect(answered).toContain('lan-web');
    const files = await fragments(answered, 'home');
    const wan = doc(files, 'interfaces.xml').interfaces.wan;
    const frontend = [doc(files, 'haproxy.xml').OPNsense.HAProxy.frontends.frontend].flat().find((f: { name: string }) => f.name === 'https');
    expect(String(frontend.bind).split(':')[0]).toBe('0.0.0.0');
    const hosts = hostsOf(files);
    const names = (yamlHosts: { name: string }[]) => yamlHosts.map((h) => h.name).sort();
    expect(hosts.map((h: { hostname: string; domain: string }) => `${h.hostname}.${h.domain}`).sort()).toEqual(names([{ name: 'cloud.example.org' }, { name: 'media.example.org' }]));
    for (const h of hosts) {
      expect(h).toMatchObject({ enabled: '1', rr: 'A', server: wan.ipaddr, addptr: '0' });
    }
    // No version: the box migrates the root (and the legacy <unbound><enable>) as on its first boot.
    expect(files.get('unbound.xml')).toMatch(/<unboundplus>/);
    expect((await lint(answered)).filter((d) => d.rule === RULE)).toEqual([]);
  });

  it('leaves a wildcard name, an opted-out frontend and a WAN without a static address to the warning', async () => {
    const dns01 = edit(edit(answered, ['sites', 0, 'haproxy', 'certificates', 0, 'challenge'], 'dns-01'), ['sites', 0, 'haproxy', 'certificates', 0, 'dns_provider'], 'cloudflare');
    const wildcard = edit(dns01, HOSTS, [
      { name: 'cloud.example.org', backend: 'nextcloud' },
      { name: '*.example.org', backend: 'jellyfin' },
    ]);
    const found = (await lint(wildcard)).filter((d) => d.rule === RULE);
    expect(found.map((d) => d.message)).toEqual([expect.stringMatching(/resolve \*\.example\.org get the upstream router's public address.*redirect zone/)]);
    expect(hostsOf(await fragments(wildcard, 'home')).map((h: { hostname: string }) => h.hostname)).toEqual(['cloud']);

    const optedOut = edit(answered, ['sites', 0, 'haproxy', 'frontends', 0, 'split_dns'], false);
    expect((await fragments(optedOut, 'home')).has('unbound.xml')).toBe(false);
    expect((await lint(optedOut)).filter((d) => d.rule === RULE).map((d) => d.message)).toEqual([expect.stringContaining('split_dns is false')]);

    let dhcp = edit(readExample('vlan-hosting'), ['sites', 0, 'haproxy', 'frontends', 0, 'hosts'], [{ name: 'shop.ikscloud.example.com', backend: 'web-pool' }]);
    dhcp = edit(dhcp, ['sites', 0, 'firewall', 'upstream'], { description: 'the ISP modem in router mode' });
    expect((await fragments(dhcp, readExample('vlan-hosting').match(/- name: (\S+)/)![1]!)).has('unbound.xml')).toBe(false);
    expect((await lint(dhcp)).filter((d) => d.rule === RULE).map((d) => d.message)).toEqual([expect.stringContaining('by DHCP')]);
  });

  it('is an error when two frontends on the WAN serve a name on different addresses, which one override cannot answer, and not on the same address', async () => {
    const FRONTENDS = ['sites', 0, 'haproxy', 'frontends'];
    const first = (await modelOf(answered)).sites[0]!.haproxy.frontends[0]!;
    const withSecond = (bind: string) =>
      edit(answered, FRONTENDS.concat([1]), { name: 'alt', bind, certificate: 'web', hosts: [{ name: 'media.example.org', backend: 'jellyfin' }, { name: 'Cloud.example.org', backend: 'nextcloud' }] });
    const findings = async (yaml: string) => (await lint(yaml)).filter((d) => d.rule === 'upstream/split-dns-address');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    // Every address on another port, or the WAN's own on any: the override's address is the second's too.
    expect(await findings(withSecond('0.0.0.0:8443'))).toEqual([]);
    expect(await findings(withSecond(`${wan}:8443`))).toEqual([]);
    // Two addresses on one port: the first bound to the WAN's own (0.0.0.0 would take 192.168.1.3 too: opnsense/haproxy-bind).
    const samePort = edit(withSecond('192.168.1.3:443'), FRONTENDS.concat([0, 'bind']), `${wan}:443`);
    expect((await lint(samePort)).filter((d) => d.severity === 'error').map((d) => d.rule)).toEqual(['upstream/split-dns-address', 'upstream/split-dns-address']);
    const found = await findings(samePort);
    expect(found.map((d) => [d.severity, d.message])).toEqual(
      ['media.example.org', 'cloud.example.org'].map((name) => ['error', `HAProxy frontends ${first.name} (${wan}:443) and alt (192.168.1.3:443) both serve ${name}, but the firewall's resolver answers it inside with ${wan} only: clients inside always reach frontend ${first.name}, never alt`]),
    );
    // At the second frontend's host entry in topology.yaml (the name as written, in other letter case too).
    const lines = samePort.split('\n');
    expect(found.map((d) => lines[d.location.line - 1]!.slice(d.location.col - 1))).toEqual([expect.stringMatching(/^media\.example\.org/), expect.stringMatching(/^Cloud\.example\.org/)]);
    // What gen would render, which the error stops: one override per name, the first frontend's address; the second frontend binds its own.
    const { renderAll } = await import('../../src/render/index.js');
    const rendered = renderAll((await lintText(samePort)).model!);
    const files = new Map([...rendered].filter(([f]) => f.startsWith('home/opnsense/')).map(([f, text]) => [f.slice('home/opnsense/'.length), text]));
    expect(hostsOf(files).map((h: { hostname: string; server: string }) => `${h.hostname} ${h.server}`).sort()).toEqual([`cloud ${wan}`, `media ${wan}`]);
    const binds = [doc(files, 'haproxy.xml').OPNsense.HAProxy.frontends.frontend].flat().map((f: { name: string; bind: string }) => `${f.name} ${f.bind}`);
    expect(binds).toContain('alt 192.168.1.3:443');
    const otherPort = await findings(withSecond('192.168.1.3:8443'));
    expect(otherPort.map((d) => d.message)).toContain(
      `HAProxy frontends ${first.name} (${wan}:443) and alt (192.168.1.3:8443) both serve cloud.example.org, but the firewall's resolver answers it inside with ${wan} only: clients inside that use cloud.example.org:8443 connect to ${wan}:8443, where no frontend listens`,
    );
    // Another frontend that listens on the answered address and port is the one clients reach there: named, as it routes the name or not.
    const third = (hosts: { name: string; backend: string }[]) => edit(withSecond('192.168.1.3:8443'), FRONTENDS.concat([2]), { name: 'other', bind: `${wan}:8443`, certificate: 'web', hosts });
    expect((await findings(third([{ name: 'photos.example.org', backend: 'jellyfin' }]))).map((d) => d.message)).toContain(
      `HAProxy frontends ${first.name} (${wan}:443) and alt (192.168.1.3:8443) both serve cloud.example.org, but the firewall's resolver answers it inside with ${wan} only: clients inside that use cloud.example.org:8443 connect to ${wan}:8443, where frontend other listens, which does not serve cloud.example.org`,
    );
    for (const name of ['cloud.example.org', '*.example.org']) {
      expect((await findings(third([{ name, backend: 'nextcloud' }]))).map((d) => d.message)).toContain(
        `HAProxy frontends ${first.name} (${wan}:443) and alt (192.168.1.3:8443) both serve cloud.example.org, but the firewall's resolver answers it inside with ${wan} only: clients inside always reach frontend other, never alt`,
      );
    }
    // The second frontend's names for outside only: nothing to answer inside.
    expect(await findings(edit(samePort, FRONTENDS.concat([1, 'split_dns']), false))).toEqual([]);
    // A later frontend on every address listens on the answered one too: clients that use the name on its port reach it.
    const everyAddress = edit(withSecond('0.0.0.0:8443'), FRONTENDS.concat([0, 'bind']), '192.168.1.3:443');
    expect(await findings(everyAddress)).toEqual([]);
    const everyBinds = [doc(await fragments(everyAddress, 'home'), 'haproxy.xml').OPNsense.HAProxy.frontends.frontend].flat().map((f: { name: string; bind: string }) => `${f.name} ${f.bind}`);
    expect(everyBinds).toEqual(expect.arrayContaining([`${first.name} 192.168.1.3:443`, 'alt 0.0.0.0:8443']));
    expect(hostsOf(await fragments(everyAddress, 'home')).map((h: { server: string }) => h.server)).toEqual(['192.168.1.3', '192.168.1.3']);
  });

  it('says so when the policy lets no internal network connect to the address the names are answered with', async () => {
    const closed = family.replace(/\n *split_dns: false[^\n]*/, '').replace(/\n *# gen-ignore upstream\/hairpin:[^\n]*/, '');
    const found = (await lint(closed)).filter((d) => d.rule === RULE);
    const wan = doc(await fragments(closed, 'home'), 'interfaces.xml').interfaces.wan;
    expect(found.map((d) => d.message)).toEqual([`HAProxy frontend https: the firewall's resolver answers cloud.example.org, media.example.org inside with ${wan.ipaddr}, but the policy passes no internal network to ${wan.ipaddr}:443 (TCP)`]);
  });

  it('says so when DHCP or a WireGuard instance sends clients to another resolver, and not when it names the firewall', async () => {
    const LAN_DNS = ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'dns'];
    const elsewhere = edit(answered, LAN_DNS, ['1.1.1.1']);
    expect((await lint(elsewhere)).filter((d) => d.rule === RULE).map((d) => d.message)).toEqual([expect.stringContaining('clients on lan (DHCP hands out 1.1.1.1) ask other resolvers')]);
    // The DNS option the rendered dnsmasq hands out on the LAN: the address the finding is about.
    const options = [doc(await fragments(elsewhere, 'home'), 'dhcp.xml').dnsmasq.dhcp_options].flat();
    expect(options.map((o: { option: unknown; value: unknown }) => `${o.option} ${o.value}`)).toContain('6 1.1.1.1');
    const lanAddress = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.lan.ipaddr;
    expect((await lint(edit(answered, LAN_DNS, [lanAddress]))).filter((d) => d.rule === RULE)).toEqual([]);
    // What the client files name: a full tunnel's carry the instance's DNS, a split tunnel's none (their clients keep their own resolver).
    const withInternet = answered.replace('        - { name: lan-internet,', '        - { name: vpn-internet, from: wireguard, to: internet, action: pass }\n        - { name: lan-internet,');
    const wgDns = (tunnel: string) => edit(edit(withInternet, ['sites', 0, 'wireguard', 0, 'dns'], ['9.9.9.9']), ['sites', 0, 'wireguard', 0, 'tunnel'], tunnel);
    const clientDns = async (tunnel: string) =>
      [...(await render(wgDns(tunnel))).entries()].filter(([f]) => /^home\/wireguard\/[^/]+\.conf$/.test(f)).map(([, text]) => parseWgQuick(text)[0]!.values.DNS);
    expect(new Set(await clientDns('full'))).toEqual(new Set(['9.9.9.9']));
    expect(new Set(await clientDns('split'))).toEqual(new Set([undefined]));
    const hairpin = async (tunnel: string) => (await lint(wgDns(tunnel))).filter((d) => d.rule === RULE).map((d) => d.message);
    expect(await hairpin('full')).toEqual([expect.stringContaining('wg0 (its client files name 9.9.9.9)')]);
    expect(await hairpin('split')).toEqual([]);
    // A full tunnel without dns: no DNS line, so the devices ask the resolver they had, which answers the router's address.
    const fullNoDns = edit(edit(withInternet, ['sites', 0, 'wireguard', 0, 'dns'], []), ['sites', 0, 'wireguard', 0, 'tunnel'], 'full');
    expect(new Set([...(await render(fullNoDns)).entries()].filter(([f]) => /^home\/wireguard\/[^/]+\.conf$/.test(f)).map(([, text]) => parseWgQuick(text)[0]!.values.DNS))).toEqual(new Set([undefined]));
    expect((await lint(fullNoDns)).filter((d) => d.rule === RULE).map((d) => d.message)).toEqual([expect.stringContaining('wg0 (its full-tunnel client files name no DNS server, so the devices keep their own)')]);
    // Its DNS the firewall's tunnel address: asked, so nothing to say about other resolvers (whether the clients may
    // connect to the answer is the next test's).
    const tunnelAddress = (await modelOf(withInternet)).sites[0]!.wireguard[0]!.address;
    const asked = (await lint(edit(edit(withInternet, ['sites', 0, 'wireguard', 0, 'dns'], [tunnelAddress]), ['sites', 0, 'wireguard', 0, 'tunnel'], 'full'))).filter((d) => d.rule === RULE);
    expect(asked.map((d) => d.message)).not.toContainEqual(expect.stringContaining('ask other resolvers'));
  });

  it("says so when full-tunnel WireGuard clients that ask the firewall's resolver may not connect to its answer, as the policy tests decide", async () => {
    const WG = ['sites', 0, 'wireguard', 0];
    const withInternet = answered.replace('        - { name: lan-internet,', '        - { name: vpn-internet, from: wireguard, to: internet, action: pass }\n        - { name: lan-internet,');
    const instance = (await modelOf(withInternet)).sites[0]!.wireguard[0]!;
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const tunnel = (yaml: string, kind: string, dns: string[]) => edit(edit(yaml, WG.concat(['dns']), dns), WG.concat(['tunnel']), kind);
    // The policy tests' own verdict on the flow the clients make: a test that expects it, and lint's finding.
    const withTest = (yaml: string, expect: string) =>
      yaml.replace('      tests:\n', `      tests:\n        - { from: wireguard, to: ${wan}, proto: tcp, port: 443, expect: ${expect} }\n`);
    const said = async (yaml: string) => (await lint(yaml)).filter((d) => d.rule === RULE || d.rule === 'policy/test-failed');
    const full = tunnel(withInternet, 'full', [instance.address]);
    const denied = await said(withTest(full, 'deny'));
    expect(denied.map((d) => [d.rule, d.message])).toEqual([
      [RULE, `HAProxy frontend https: the full-tunnel clients of WireGuard instance wg0 ask the firewall's resolver, which answers cloud.example.org, media.example.org with ${wan}, but the policy does not pass wg0 (${instance.network}) to ${wan}:443 (TCP)`],
    ]);
    expect(denied[0]!.hint).toContain('passes wireguard (the interface of wg0) to wan or self on TCP 443');
    // The test decides: expecting the other verdict fails it, either way.
    expect((await said(withTest(full, 'accept'))).map((d) => d.rule)).toContain('policy/test-failed');
    // Passed: the policy test that expects it passes, and nothing is said.
    const passed = full.replace('        - { name: vpn-internet,', '        - { name: vpn-web, from: wireguard, to: self, proto: tcp, ports: [443], action: pass }\n        - { name: vpn-internet,');
    expect(await said(withTest(passed, 'accept'))).toEqual([]);
    expect((await said(withTest(passed, 'deny'))).map((d) => d.rule)).toEqual(['policy/test-failed']);
    // Only some of the clients (the admins' role) passed: the others still time out.
    const some = full.replace('        - { name: vpn-internet,', '        - { name: vpn-web, from: wg0/admin, to: self, proto: tcp, ports: [443], action: pass }\n        - { name: vpn-internet,');
    expect((await said(some)).map((d) => d.message)).toEqual([expect.stringContaining('the policy does not pass wg0')]);
    // Clients that do not ask the firewall (a split tunnel, or another resolver) are not about this answer.
    expect((await said(tunnel(withInternet, 'split', []))).filter((d) => d.message.includes('full-tunnel clients of'))).toEqual([]);
    expect((await said(tunnel(withInternet, 'full', ['9.9.9.9']))).filter((d) => d.message.includes('full-tunnel clients of'))).toEqual([]);
  });

  it('checks every port a name is served on at the answered address, not only the first frontend\'s', async () => {
    const FRONTENDS = ['sites', 0, 'haproxy', 'frontends'];
    const withInternet = answered.replace('        - { name: lan-internet,', '        - { name: vpn-internet, from: wireguard, to: internet, action: pass }\n        - { name: lan-internet,');
    const instance = (await modelOf(withInternet)).sites[0]!.wireguard[0]!;
    // The full tunnel asks the firewall (on 53) and may reach 443 there, as the LAN may (lan-web).
    const fullTo = (ports: string) =>
      edit(
        edit(
          withInternet.replace('{ name: lan-web, from: lan, to: self, proto: tcp, ports: [443],', `{ name: lan-web, from: lan, to: self, proto: tcp, ports: [${ports}],`).replace(
            '        - { name: vpn-internet,',
            `        - { name: vpn-dns, from: wireguard, to: self, proto: udp, ports: [53], action: pass }\n        - { name: vpn-web, from: wireguard, to: self, proto: tcp, ports: [${ports}], action: pass }\n        - { name: vpn-internet,`,
          ),
          ['sites', 0, 'wireguard', 0, 'dns'],
          [instance.address],
        ),
        ['sites', 0, 'wireguard', 0, 'tunnel'],
        'full',
      );
    const full = fullTo('443');
    expect((await lint(full)).filter((d) => d.rule === RULE)).toEqual([]);
    // A second frontend on every address serves cloud.example.org on 9443 (8443 is the web GUI's), which the policy blocks for both.
    const withAlt = (yaml: string) => edit(yaml, FRONTENDS.concat([1]), { name: 'alt', bind: '0.0.0.0:9443', certificate: 'web', hosts: [{ name: 'cloud.example.org', backend: 'nextcloud' }] });
    const alt = withAlt(full);
    const files = await fragments(alt, 'home');
    const wan = doc(files, 'interfaces.xml').interfaces.wan.ipaddr as string;
    // What clients inside get: cloud.example.org answered with the WAN's address, where alt listens on 9443.
    expect(hostsOf(files).filter((h: { hostname: string }) => h.hostname === 'cloud').map((h: { server: string }) => h.server)).toEqual([wan]);
    const binds = [doc(files, 'haproxy.xml').OPNsense.HAProxy.frontends.frontend].flat().map((f: { name: string; bind: string }) => `${f.name} ${f.bind}`);
    expect(binds).toContain('alt 0.0.0.0:9443');
    const found = (await lint(alt)).filter((d) => d.rule === RULE);
    // The policy tests' own verdict on those flows agrees.
    const tested = alt.replace('      tests:\n', `      tests:\n        - { from: lan, to: ${wan}, proto: tcp, port: 9443, expect: deny }\n        - { from: wireguard, to: ${wan}, proto: tcp, port: 9443, expect: deny }\n`);
    expect(tested).not.toBe(alt);
    expect((await lint(tested)).filter((d) => d.rule === 'policy/test-failed')).toEqual([]);
    expect(found.map((d) => d.message)).toEqual([
      `HAProxy frontend alt: the firewall's resolver answers cloud.example.org inside with ${wan}, but the policy passes no internal network to ${wan}:9443 (TCP)`,
      `HAProxy frontend alt: the full-tunnel clients of WireGuard instance wg0 ask the firewall's resolver, which answers cloud.example.org with ${wan}, but the policy does not pass wg0 (${instance.network}) to ${wan}:9443 (TCP)`,
    ]);
    expect(found.map((d) => d.hint)).toEqual([expect.stringContaining('to wan or self on TCP 9443'), expect.stringContaining('passes wireguard (the interface of wg0) to wan or self on TCP 9443')]);
    const lines = alt.split('\n');
    expect(found.map((d) => lines[d.location.line - 1]!.trim())).toEqual([expect.stringMatching(/^hosts:/), expect.stringMatching(/^hosts:/)]);
    // The same frontend bound to the WAN's own address: the name served there too. Passing 9443 quiets both.
    const own = edit(alt, FRONTENDS.concat([1, 'bind']), `${wan}:9443`);
    expect((await lint(own)).filter((d) => d.rule === RULE).map((d) => d.message)).toEqual(found.map((d) => d.message));
    const open = (await modelOf(withAlt(fullTo('443, 9443')))).sites[0]!.policy.rules.filter((r) => r.name.endsWith('-web'));
    expect(open.map((r) => [r.name, ...r.ports])).toEqual([['lan-web', '443', '9443'], ['vpn-web', '443', '9443']]);
    expect((await lint(withAlt(fullTo('443, 9443')))).filter((d) => d.rule === RULE)).toEqual([]);
  });

  it("replaces the box's own override of the same name and record type, keeps its others and its version, and drops the stale cache stamp", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const own = (uuid: string, hostname: string, server: string) =>
      `<host uuid="${uuid}"><enabled>1</enabled><hostname>${hostname}</hostname><domain>example.org</domain><rr>A</rr><mxprio/><mx/><ttl/><server>${server}</server><txtdata/><addptr>1</addptr><description>own</description></host>`;
    const box = factorySample('26.7').replace(
      '<OPNsense>',
      `<OPNsense><unboundplus version="1.0.15" persisted_at="1762794040.38"><general><enabled>1</enabled></general><hosts>${own('11111111-2222-4333-8444-555555555555', 'cloud', '203.0.113.7')}${own('11111111-2222-4333-8444-666666666666', 'nas', '10.10.0.5')}</hosts></unboundplus>`,
    );
    expect(box).toContain('<unboundplus');
    const warnings: string[] = [];
    const merged = parseXml(mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) })).root;
    const unboundplus = childrenNamed(merged, 'OPNsense').map((o) => child(o, 'unboundplus')).find((u): u is XmlElement => u !== undefined)!;
    expect(attr(unboundplus, 'version')).toBe('1.0.15');
    expect(attr(unboundplus, 'persisted_at')).toBeUndefined();
    const hosts = childrenNamed(child(unboundplus, 'hosts'), 'host').map((h) => `${textOf(child(h, 'hostname'))} ${textOf(child(h, 'server'))}`);
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan;
    expect(hosts.sort()).toEqual([`cloud ${wan.ipaddr}`, `media ${wan.ipaddr}`, 'nas 10.10.0.5']);
    // Taken over, so the box's UUID stays; and said, because the box's answer goes.
    expect(childrenNamed(child(unboundplus, 'hosts'), 'host').map((h) => attr(h, 'uuid'))).toContain('11111111-2222-4333-8444-555555555555');
    expect(warnings.filter((w) => w.includes('Unbound host override'))).toEqual([expect.stringContaining(`cloud.example.org (A 203.0.113.7) is one gen writes: merge replaces its answer with A ${wan.ipaddr}`)]);
  });

  it("says when the box runs no Unbound to answer them, and names dnsmasq where it answers DNS on port 53", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const offWith = (dnsmasq: string) => factorySample('26.7')
      .replace('<OPNsense>', '<OPNsense><unboundplus version="1.0.15"><general><enabled>0</enabled></general></unboundplus>')
      .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq);
    const said = (box: string) => {
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('nothing answers gen\'s Unbound host overrides'));
    };
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr;
    expect(said(offWith('<dnsmasq><enable>0</enable></dnsmasq>'))).toEqual([expect.stringContaining(`cloud.example.org (A ${wan})`)]);
    expect(said(offWith('<dnsmasq><enable>0</enable></dnsmasq>'))[0]).toContain('Services › Unbound DNS › General');
    // dnsmasq running with an empty port serves DNS on 53 (Dnsmasq.php: an empty port is 53), and merge keeps its port.
    expect(said(offWith('<dnsmasq><enable>1</enable><port/></dnsmasq>'))[0]).toContain('Services › Dnsmasq DNS & DHCP › Hosts');
    expect(said(factorySample('26.7'))).toEqual([]);
  });

  // With Unbound disabled, dnsmasq on port 53 still answers a name of its hosts file (or below a wildcard Host's
  // domain) itself, as it does with Unbound on another port; a domain override to Unbound reaches nothing.
  it("with Unbound disabled, takes a name dnsmasq answers on port 53 from its Hosts with gen's address as answered, names one it answers with another, and counts no forward to Unbound", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    // The AAAA queries such a Host passes on have a test of their own (passes its AAAA queries, below).
    const said = (dnsmasq: string) => withDnsmasq53(sections, privateKey, '<enabled>0</enabled>', dnsmasq).filter((w) => w.includes('Unbound DNS is disabled') && !w.includes('passes its AAAA queries'));
    const unanswered = (names: string[]) =>
      `the box's Unbound DNS is disabled, so nothing answers gen's Unbound host overrides ${names.map((n) => `${n} (A ${wan})`).join(', ')}: clients inside still reach these names through the upstream router; ` +
      "dnsmasq answers DNS on the box: enable Unbound (and move dnsmasq off port 53), or add the names in Services › Dnsmasq DNS & DHCP › Hosts with the addresses gen's overrides answer";
    expect(said('')).toEqual([unanswered(NAMES)]);
    // A Host of gen's address answers its name, also as an alias, and a wildcard Host the names below its domain.
    expect(said(dnsmasqHost(1, 'cloud', 'Example.ORG', wan))).toEqual([unanswered(['media.example.org'])]);
    expect(said(dnsmasqHost(1, 'nas', 'lan.example', wan, 'cloud.example.org,MEDIA.example.org'))).toEqual([]);
    expect(said(dnsmasqHost(1, '*', 'example.org', wan))).toEqual([]);
    // Another address: named as where Unbound listens on another port.
    expect(said(dnsmasqHost(1, 'cloud', 'example.org', '10.9.9.9'))).toEqual([
      unanswered(['media.example.org']),
      `the box's dnsmasq answers cloud.example.org on port 53 itself, with 10.9.9.9 from its Hosts, and gen's Unbound host override would answer ${wan} (the box's Unbound DNS is disabled): ` +
        `clients inside get the other address; give the name exactly ${wan} in Services › Dnsmasq DNS & DHCP › Hosts`,
    ]);
    // A domain override to the loopback on 53 or on another port reaches no Unbound: none runs.
    for (const port of ['53', '5353']) {
      const forward = `<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>${port}</port><ip>127.0.0.1</ip></domainoverrides>`;
      expect(said(forward)).toEqual([unanswered(NAMES)]);
    }
  });

  it('says when the box\'s Unbound listens on another port than 53, naming dnsmasq where it answers 53, and not where dnsmasq forwards the names to it', async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const said = (general: string, dnsmasq = '<dnsmasq><enable>0</enable></dnsmasq>') => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', `<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled>${general}</general></unboundplus>`)
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('Unbound DNS listens on port'));
    };
    expect(said('<port>53</port>')).toEqual([]);
    expect(said('')).toEqual([]);
    expect(said('<port>5353</port>')).toEqual([expect.stringMatching(/listens on port 5353, not 53.*cloud\.example\.org, media\.example\.org answer no client.*nothing answers DNS on port 53: set Listen Port to 53/)]);
    const running = (overrides: string) => `<dnsmasq><enable>1</enable><port>53</port>${overrides}</dnsmasq>`;
    expect(said('<port>5353</port>', running(''))).toEqual([expect.stringContaining('dnsmasq answers port 53 and sends these names elsewhere or answers them itself: forward their domain to 127.0.0.1 port 5353')]);
    const override = (domain: string, ip: string, port: string) => `<domainoverrides uuid="11111111-2222-4333-8444-999999999999"><sequence>1</sequence><domain>${domain}</domain><ipset/><srcip/><port>${port}</port><ip>${ip}</ip></domainoverrides>`;
    expect(said('<port>5353</port>', running(override('example.org', '127.0.0.1', '5353')))).toEqual([]);
    // Forwarded elsewhere, or to another port: the overrides stay unanswered.
    expect(said('<port>5353</port>', running(override('example.org', '9.9.9.9', '5353')))).toHaveLength(1);
    expect(said('<port>5353</port>', running(override('example.org', '127.0.0.1', '53')))).toHaveLength(1);
    // Unbound listens on every address of the box when no Network Interfaces are chosen (unbound.inc binds 0.0.0.0):
    // a forward to the LAN address gen gives the box reaches it; once Unbound listens only on another interface
    // (interfaces_addresses of lo0 and those), it does not, and the loopback still does.
    const lan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    expect(said('<port>5353</port>', running(override('example.org', lan, '5353')))).toEqual([]);
    expect(said('<port>5353</port><active_interface>wan</active_interface>', running(override('example.org', lan, '5353')))).toHaveLength(1);
    expect(said('<port>5353</port><active_interface>lan</active_interface>', running(override('example.org', lan, '5353')))).toEqual([]);
    expect(said('<port>5353</port><active_interface>wan</active_interface>', running(override('example.org', '127.0.0.1', '5353')))).toEqual([]);
    // A VIP on an interface Unbound listens on is one of its addresses too.
    const vip = '<virtualip><vip uuid="11111111-2222-4333-8444-777777777777"><interface>lan</interface><mode>ipalias</mode><subnet>10.250.0.9</subnet><subnet_bits>32</subnet_bits></vip></virtualip>';
    const withVip = (general: string, dnsmasq: string) => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', `<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled>${general}</general></unboundplus>`)
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq)
        .replace('</opnsense>', `${vip}</opnsense>`);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('Unbound DNS listens on port'));
    };
    expect(withVip('<port>5353</port>', running(override('example.org', '10.250.0.9', '5353')))).toEqual([]);
    expect(withVip('<port>5353</port><active_interface>wan</active_interface>', running(override('example.org', '10.250.0.9', '5353')))).toHaveLength(1);
    // An IPv6 address is the same address however it is written: the box keeps the text as typed, and dnsmasq parses it.
    const vip6 = '<virtualip><vip uuid="11111111-2222-4333-8444-888888888888"><interface>lan</interface><mode>ipalias</mode><subnet>FD00:0:0:0::9</subnet><subnet_bits>64</subnet_bits></vip></virtualip>';
    const box6 = factorySample('26.7')
      .replace('<OPNsense>', '<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled><port>5353</port></general></unboundplus>')
      .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, running(override('example.org', 'fd00::9', '5353')))
      .replace('</opnsense>', `${vip6}</opnsense>`);
    const warnings6: string[] = [];
    mergeConfig(withBoxCa(box6), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings6.push(m) });
    expect(warnings6.filter((w) => w.includes('Unbound DNS listens on port'))).toEqual([]);
    expect(said('<port>5353</port>', running(override('example.org', '0:0:0:0:0:0:0:1', '5353')))).toEqual([]);
    // An ip of the older form carries the port (and a source address): the model splits it on load
    // (DomainIPField.php), its port replacing <port>, and the template writes server=/example.org/127.0.0.1#5353.
    expect(said('<port>5353</port>', running(override('example.org', '127.0.0.1#5353', '')))).toEqual([]);
    expect(said('<port>5353</port>', running(override('example.org', '127.0.0.1#5353@127.0.0.1', '')))).toEqual([]);
    expect(said('<port>5353</port>', running(override('example.org', '127.0.0.1#53', '5353')))).toHaveLength(1);
    expect(said('<port>5353</port>', running(override('example.org', '127.0.0.1@127.0.0.1', '5353')))).toEqual([]);
    // A closer override with an ipset and no address writes no server= line (dnsmasq.conf: "if override.ip or not
    // override.ipset"), so example.org's forward applies to cloud.example.org; one without an ipset is dnsmasq's
    // server=/cloud.example.org/, which answers only from its own names.
    const closer = (ipset: string) =>
      override('example.org', '127.0.0.1', '5353') +
      `<domainoverrides uuid="11111111-2222-4333-8444-aaaaaaaaaaaa"><sequence>2</sequence><domain>cloud.example.org</domain><ipset>${ipset}</ipset><srcip/><port/><ip/></domainoverrides>`;
    expect(said('<port>5353</port>', running(closer('11111111-2222-4333-8444-bbbbbbbbbbbb')))).toEqual([]);
    expect(said('<port>5353</port>', running(closer('')))).toEqual([expect.stringMatching(/host overrides cloud\.example\.org answer no client/)]);
    // Several overrides of the closest domain: the template writes a server= line for each, and dnsmasq may ask any of
    // them (forward.c), so one to a resolver outside is enough for the names to miss Unbound, whichever comes first.
    const several = (...servers: [string, string, string][]) =>
      servers
        .map(([domain, ip, port], i) => `<domainoverrides uuid="11111111-2222-4333-8444-c0000000000${i}"><sequence>${i + 1}</sequence><domain>${domain}</domain><ipset/><srcip/><port>${port}</port><ip>${ip}</ip></domainoverrides>`)
        .join('');
    const both = [expect.stringMatching(/host overrides cloud\.example\.org, media\.example\.org answer no client.*to 127\.0\.0\.1 port 5353 in Services › Dnsmasq DNS & DHCP › Domains, and to no other server/)];
    expect(said('<port>5353</port>', running(several(['example.org', '127.0.0.1', '5353'], ['example.org', '9.9.9.9', '53'])))).toEqual(both);
    expect(said('<port>5353</port>', running(several(['example.org', '9.9.9.9', '53'], ['example.org', '127.0.0.1', '5353'])))).toEqual(both);
    expect(said('<port>5353</port>', running(several(['example.org', '127.0.0.1', '5353'], ['example.org', '127.0.0.1', '53'])))).toEqual(both);
    expect(said('<port>5353</port>', running(several(['example.org', '127.0.0.1', '5353'], ['example.org', lan, '5353'])))).toEqual([]);
    // Only the closest domain's group counts: a farther one elsewhere is not asked for cloud.example.org, a closer one
    // elsewhere is.
    expect(said('<port>5353</port>', running(several(['org', '9.9.9.9', '53'], ['cloud.example.org', '127.0.0.1', '5353'], ['cloud.example.org', lan, '5353'], ['media.example.org', '127.0.0.1', '5353'])))).toEqual([]);
    expect(said('<port>5353</port>', running(several(['example.org', '127.0.0.1', '5353'], ['cloud.example.org', '127.0.0.1', '5353'], ['cloud.example.org', '9.9.9.9', '53'])))).toEqual([
      expect.stringMatching(/host overrides cloud\.example\.org answer no client/),
    ]);
    // One with an ipset and no address is none of the group: the others still decide.
    const withIpset = several(['example.org', '127.0.0.1', '5353']) + `<domainoverrides uuid="11111111-2222-4333-8444-d00000000000"><sequence>9</sequence><domain>example.org</domain><ipset>11111111-2222-4333-8444-bbbbbbbbbbbb</ipset><srcip/><port/><ip/></domainoverrides>`;
    expect(said('<port>5353</port>', running(withIpset))).toEqual([]);
    // A domain dnsmasq holds as local (local=/<domain>/) answers the names
    // from dnsmasq itself when it is closer than the forward, and when it is the same domain from dnsmasq 2.92 on
    // (domain-match.c filter_servers(); 2.91 forwards): dnsmasq.conf writes the DHCP domain (the system domain when
    // empty) local when DHCP registers names (fqdn and local default to on) and there are ranges (gen writes some),
    // and the domain of a Host marked local.
    const forward = several(['example.org', '127.0.0.1', '5353']);
    const namesForward = several(['cloud.example.org', '127.0.0.1', '5353'], ['media.example.org', '127.0.0.1', '5353']);
    const saidOn = (systemDomain: string, dnsmasq: string) => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', '<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled><port>5353</port></general></unboundplus>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq)
        .replace(/<domain>internal<\/domain>/, `<domain>${systemDomain}</domain>`);
      expect(box).toContain(`<domain>${systemDomain}</domain>`);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('Unbound DNS listens on port'));
    };
    expect(saidOn('internal', running(forward))).toEqual([]);
    expect(saidOn('example.org', running(forward))).toEqual([expect.stringContaining('sends these names elsewhere or answers them itself')]);
    expect(saidOn('org', running(forward))).toEqual([]);
    expect(saidOn('example.org', running(namesForward))).toEqual([]);
    expect(saidOn('example.org', running(`<dhcp><fqdn>0</fqdn></dhcp>${forward}`))).toEqual([]);
    expect(saidOn('example.org', running(`<dhcp><local>0</local></dhcp>${forward}`))).toEqual([]);
    expect(saidOn('internal', running(`<dhcp><domain>example.org</domain></dhcp>${forward}`))).toHaveLength(1);
    const host = (name: string, domain: string, local: string) =>
      `<hosts uuid="11111111-2222-4333-8444-e00000000000"><host>${name}</host><domain>${domain}</domain><local>${local}</local><ip>10.10.0.5</ip></hosts>`;
    expect(saidOn('internal', running(host('nas', 'example.org', '1') + forward))).toHaveLength(1);
    expect(saidOn('internal', running(host('nas', 'example.org', '0') + forward))).toEqual([]);
    // A wildcard Host of the domain answers the names with its address instead (address=/example.org/10.10.0.5): the
    // warning of the next test, not this one.
    expect(saidOn('internal', running(host('*', 'example.org', '0') + forward))).toEqual([]);
    expect(saidOn('internal', running(host('nas', 'cloud.example.org', '1') + forward))).toEqual([expect.stringMatching(/host overrides cloud\.example\.org answer no client/)]);
  });

  // The system domain example.org is local to dnsmasq (DHCP registers names there) and forwarded to Unbound: dnsmasq
  // 2.91 forwards the names (25.7, 26.1.0), 2.92 and later answer them itself with no address (26.1.1 on, 26.7), as
  // the release notes name each release's dnsmasq ("ports: dnsmasq"). Merge says so for the release the box runs.
  it("takes a local domain that is forwarded to Unbound as the release's dnsmasq does: forwarded by 2.91, answered itself from 2.92", async () => {
    const said = async (release: string, server = '127.0.0.1') => {
      const series = release.split('.').slice(0, 2).join('.');
      const { sections, privateKey } = await releaseSections(answered, series);
      const forward = `<domainoverrides uuid="11111111-2222-4333-8444-c00000000001"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>${server}</ip></domainoverrides>`;
      const box = withUnboundModel(factorySample(series), releaseFacts(release)!.versions.unbound!, '<enabled>1</enabled><port>5353</port>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port>${forward}</dnsmasq>`)
        .replace(/(<system>[\s\S]*?<domain>)[^<]*(<\/domain>)/, '$1example.org$2');
      expect(box).toContain('<domain>example.org</domain>');
      expect(box).toContain('<port>5353</port></general>');
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m), release });
      return [releaseFacts(release)!.dnsmasq, warnings.filter((w) => w.includes('Unbound DNS listens on port')).map((w) => /host overrides (.*?) answer no client/.exec(w)![1])];
    };
    const releases = ['25.7.0', '25.7', '26.1.0', '26.1.1', '26.1.8', '26.1', '26.7'];
    const seen = Object.fromEntries(await Promise.all(releases.map(async (r) => [r, await said(r)])));
    const both = ['cloud.example.org, media.example.org'];
    expect(seen).toEqual({
      '25.7.0': ['2.91', []],
      '25.7': ['2.91', []],
      '26.1.0': ['2.91', []],
      '26.1.1': ['2.92', both],
      '26.1.8': ['2.92rel2', both],
      '26.1': ['2.93', both],
      '26.7': ['2.93', both],
    });
    // Forwarded to another address than Unbound's, the names miss Unbound on every release.
    for (const release of releases) expect((await said(release, '9.9.9.9'))[1]).toEqual(both);
  });

  // gen opnsense merge reads the release from the topology (firewall.release).
  it("gen opnsense merge takes the box's dnsmasq to be its topology release's", async () => {
    const dir = tempDir('gen-split-dns-command-');
    const pair = generateKeyPair();
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    const forward = `<domainoverrides uuid="11111111-2222-4333-8444-c00000000001"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>127.0.0.1</ip></domainoverrides>`;
    const warned = async (release: string) => {
      const topology = join(dir, `topology-${release}.yaml`);
      writeFileSync(topology, withRelease(edit(answered, ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey), release));
      const box = withUnboundModel(factorySample(release), releaseFacts(release)!.versions.unbound!, '<enabled>1</enabled><port>5353</port>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port>${forward}</dnsmasq>`)
        .replace(/(<system>[\s\S]*?<domain>)[^<]*(<\/domain>)/, '$1example.org$2');
      const base = join(dir, `box-${release}.xml`);
      writeFileSync(base, withBoxCa(box));
      const result = await gen('opnsense', 'merge', '-f', topology, '--base', base, '--secrets', secrets, '-o', join(dir, `merged-${release}.xml`), '--allow-gui-port-conflict');
      expect(result.code, result.stderr).toBe(0);
      return result.stderr.split('\n').filter((l) => l.includes('Unbound DNS listens on port')).map((l) => /host overrides (.*?) answer no client/.exec(l)![1]);
    };
    expect(await warned('25.7')).toEqual([]);
    expect(await warned('26.7')).toEqual(['cloud.example.org, media.example.org']);
  });

  // Unbound listens on every address the box keeps on an interface, as the merged config holds it: gen's entry of the
  // LAN sets its IPv4 address and leaves the box's static IPv6 address there (merge names it, as gen's rules pass
  // IPv4 only), and a forward to that address reaches Unbound.
  it("takes an address the merged config keeps on an interface of gen's as one Unbound listens on", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const merged = (ip: string) => {
      const forward = `<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>${ip}</ip></domainoverrides>`;
      const withIpv6 = (box: string) => {
        expect(box).toContain('<ipaddrv6>idassoc6</ipaddrv6>');
        return box.replace('<ipaddrv6>idassoc6</ipaddrv6>', '<ipaddrv6>fd00:10::1</ipaddrv6>');
      };
      const { config, warnings } = mergedDnsmasq53(sections, privateKey, '<enabled>1</enabled><port>5353</port>', forward, { edit: withIpv6 });
      const lan = child(child(config, 'interfaces'), 'lan');
      return { lan: [textOf(child(lan, 'ipaddr')), textOf(child(lan, 'ipaddrv6'))], unreached: warnings.flatMap((w) => /host overrides (.*?) answer no client/.exec(w)?.[1] ?? []) };
    };
    const lan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    expect(merged('FD00:10:0::1')).toEqual({ lan: [lan, 'fd00:10::1'], unreached: [] });
    expect(merged('fd00:10::2')).toEqual({ lan: [lan, 'fd00:10::1'], unreached: ['cloud.example.org, media.example.org'] });
  });

  // Unbound binds the addresses the box configures on its devices (interfaces.inc interfaces_addresses()): an IP alias
  // VIP of an interface; not a Proxy ARP VIP (choparp answers ARP for it, no device holds it), nor the address of a
  // disabled interface (interface_configure() returns); on chosen interfaces, not a VIP that denies service binding.
  it('takes a Proxy ARP VIP, a disabled interface and a VIP that denies binding as no address a forward reaches Unbound at', async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const unreached = (general: string, edit: (box: string) => string, ip: string) => {
      const forward = `<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>${ip}</ip></domainoverrides>`;
      const { warnings } = mergedDnsmasq53(sections, privateKey, `<enabled>1</enabled><port>5353</port>${general}`, forward, { edit });
      return warnings.flatMap((w) => /host overrides (.*?) answer no client/.exec(w)?.[1] ?? []);
    };
    const vip = (mode: string, nobind = '') => (box: string) =>
      box.replace(
        '</opnsense>',
        `<virtualip><vip uuid="11111111-2222-4333-8444-777777777779"><interface>lan</interface><mode>${mode}</mode><subnet>10.250.0.9</subnet><subnet_bits>32</subnet_bits>${nobind}</vip></virtualip></opnsense>`,
      );
    const both = ['cloud.example.org, media.example.org'];
    expect(unreached('', vip('ipalias'), '10.250.0.9')).toEqual([]);
    expect(unreached('', vip('proxyarp'), '10.250.0.9')).toEqual(both);
    // Deny service binding keeps the VIP from Unbound's interface: lines, not from its wildcard.
    expect(unreached('<active_interface>lan</active_interface>', vip('ipalias'), '10.250.0.9')).toEqual([]);
    expect(unreached('<active_interface>lan</active_interface>', vip('ipalias', '<nobind>1</nobind>'), '10.250.0.9')).toEqual(both);
    expect(unreached('', vip('ipalias', '<nobind>1</nobind>'), '10.250.0.9')).toEqual([]);
    // An interface of the box's own, enabled or not.
    const opt9 = (enable: string) => (box: string) => box.replace('</lan>', `</lan><opt9>${enable}<if>vtnet9</if><ipaddr>10.9.0.1</ipaddr><subnet>24</subnet></opt9>`);
    expect(unreached('', opt9('<enable>1</enable>'), '10.9.0.1')).toEqual([]);
    expect(unreached('', opt9(''), '10.9.0.1')).toEqual(both);
  });

  // A domain override of `*` (the model takes it; the template writes server=/*/<ip>) is a server of every domain to
  // dnsmasq (domain-match.c add_update_server(): the empty domain, as server=/#/), in one group with the servers of
  // /etc/resolv.conf unless no-resolv is set, and below any closer domain.
  it("takes a domain override of `*` as dnsmasq does: every domain's server, beside /etc/resolv.conf's unless dnsmasq reads none", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const said = (dnsmasq: string) => withDnsmasq53(sections, privateKey, '<enabled>1</enabled><port>5353</port>', dnsmasq).filter((w) => w.includes('Unbound DNS listens on port'));
    const override = (n: number, domain: string, ip: string, port: string) =>
      `<domainoverrides uuid="11111111-2222-4333-8444-c0000000000${n}"><sequence>${n}</sequence><domain>${domain}</domain><ipset/><srcip/><port>${port}</port><ip>${ip}</ip></domainoverrides>`;
    const both = [expect.stringMatching(/host overrides cloud\.example\.org, media\.example\.org answer no client/)];
    expect(said(`<no_resolv>1</no_resolv>${override(1, '*', '127.0.0.1', '5353')}`)).toEqual([]);
    expect(said(`<no_resolv>0</no_resolv>${override(1, '*', '127.0.0.1', '5353')}`)).toEqual(both);
    expect(said(override(1, '*', '127.0.0.1', '5353'))).toEqual(both);
    expect(said(`<no_resolv>1</no_resolv>${override(1, '*', '9.9.9.9', '53')}`)).toEqual(both);
    expect(said(`<no_resolv>1</no_resolv>${override(1, '*', '127.0.0.1', '5353')}${override(2, '*', '9.9.9.9', '53')}`)).toEqual(both);
    // A closer domain's servers decide, whatever `*` forwards to.
    expect(said(`<no_resolv>1</no_resolv>${override(1, '*', '127.0.0.1', '5353')}${override(2, 'cloud.example.org', '9.9.9.9', '53')}`)).toEqual([
      expect.stringMatching(/host overrides cloud\.example\.org answer no client/),
    ]);
    expect(said(`${override(1, '*', '9.9.9.9', '53')}${override(2, 'example.org', '127.0.0.1', '5353')}`)).toEqual([]);
  });

  // Which servers /etc/resolv.conf gives dnsmasq beside a `*` override, as system_resolvconf_generate() writes the
  // file: 127.0.0.1 (dnsmasq answers 53), which dnsmasq skips as its own listening address ("ignoring nameserver ...
  // - local interface"), the DNS servers of System › Settings › General, and with Allow DNS server list to be
  // overridden (on in the factory config) those a dynamic interface is given.
  it("takes the servers /etc/resolv.conf gives dnsmasq beside a `*` override to Unbound from the box's system settings and interfaces", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const star = '<domainoverrides uuid="11111111-2222-4333-8444-c00000000001"><sequence>1</sequence><domain>*</domain><ipset/><srcip/><port>5353</port><ip>127.0.0.1</ip></domainoverrides>';
    const factory = factorySample('26.7');
    const dynamicWan = /<ipaddr>dhcp<\/ipaddr>\s*<ipaddrv6>dhcp6<\/ipaddrv6>/;
    expect(factory).toMatch(dynamicWan);
    expect(factory).toContain('<dnsallowoverride>1</dnsallowoverride>');
    const staticWan = factory.replace(dynamicWan, '<ipaddr>192.0.2.10</ipaddr><ipaddrv6/>');
    // The interface addresses as merge writes them, and the interfaces dnsmasq listens on: gen's (its DHCP ones).
    const genInterfaces = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces;
    const [lan, wan] = [genInterfaces.lan.ipaddr as string, genInterfaces.wan.ipaddr as string];
    const said = (base: string, system = '') => {
      const box = withUnboundModel(base, releaseFacts('26.7')!.versions.unbound!, '<enabled>1</enabled><port>5353</port>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port>${star}</dnsmasq>`)
        .replace('<dnsallowoverride_exclude/>', system);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m), release: '26.7' });
      return warnings.filter((w) => w.includes('Unbound DNS listens on port')).map((w) => [/host overrides (.*?) answer no client/.exec(w)![1], /dnsmasq asks the servers of \/etc\/resolv\.conf, and any of them may answer: (.*?); turn on/.exec(w)?.[1]]);
    };
    const both = 'cloud.example.org, media.example.org';
    // No DNS servers and no dynamic interface: only 127.0.0.1, dnsmasq's own, so the `*` group is Unbound alone.
    expect(said(staticWan)).toEqual([]);
    expect(said(factory, '<dnsallowoverride_exclude>wan</dnsallowoverride_exclude>')).toEqual([]);
    expect(said(factory.replace('<dnsallowoverride>1</dnsallowoverride>', '<dnsallowoverride>0</dnsallowoverride>'))).toEqual([]);
    // A DNS server of the system settings joins the group; the loopback and the LAN address dnsmasq listens on do not,
    // the WAN address it does not listen on does.
    expect(said(staticWan, '<dnsserver>9.9.9.9</dnsserver>')).toEqual([[both, '9.9.9.9']]);
    expect(said(staticWan, `<dnsserver>127.0.0.1</dnsserver><dnsserver>${lan}</dnsserver><dnsserver>bogus</dnsserver>`)).toEqual([]);
    expect(said(staticWan, `<dnsserver>${wan}</dnsserver>`)).toEqual([[both, wan]]);
    // A VIP is an address of its interface: dnsmasq skips one on an interface it listens on (lan), not one elsewhere (wan).
    const vipOn = (iface: string) =>
      staticWan.replace('</opnsense>', `<virtualip><vip uuid="11111111-2222-4333-8444-777777777778"><interface>${iface}</interface><mode>ipalias</mode><subnet>10.250.0.9</subnet><subnet_bits>32</subnet_bits></vip></virtualip></opnsense>`);
    expect(said(vipOn('lan'), '<dnsserver>10.250.0.9</dnsserver>')).toEqual([]);
    expect(said(vipOn('wan'), '<dnsserver>10.250.0.9</dnsserver>')).toEqual([[both, '10.250.0.9']]);
    // A Proxy ARP VIP is no address of lan's device (choparp answers ARP for it), so dnsmasq does not skip it.
    expect(said(vipOn('lan').replace('<mode>ipalias</mode>', '<mode>proxyarp</mode>'), '<dnsserver>10.250.0.9</dnsserver>')).toEqual([[both, '10.250.0.9']]);
    // A dynamic interface's servers, with override on: gen cannot know them, and names what gives them. The factory
    // WAN keeps its DHCPv6 beside gen's static IPv4 address; an interface gen does not write keeps its DHCP or PPPoE.
    expect(said(factory)).toEqual([[both, 'the servers DHCPv6 gives interface wan']]);
    expect(said(factory, '<dnsserver>2001:DB8::53</dnsserver>')).toEqual([[both, 'the servers DHCPv6 gives interface wan, 2001:DB8::53']]);
    const opt = (fields: string) => staticWan.replace('</lan>', `</lan><opt9>${fields}<if>vtnet9</if><ipaddrv6/></opt9>`);
    expect(said(opt('<enable>1</enable><ipaddr>dhcp</ipaddr>'))).toEqual([[both, 'the servers DHCP gives interface opt9']]);
    expect(said(opt('<enable>1</enable><ipaddr>pppoe</ipaddr>'))).toEqual([[both, 'the servers PPPoE gives interface opt9']]);
    expect(said(opt('<ipaddr>dhcp</ipaddr>'))).toEqual([]);
  });

  // dnsmasq answers a name of its hosts file (/var/etc/dnsmasq-hosts: `<ip> <host>.<domain>`, `<ip> <alias>` for
  // each address of a Host, dnsmasq.inc _dnsmasq_add_host_entries()) itself, with all its addresses, before any
  // server= of its domain, and a wildcard Host's address=/<domain>/<ip> answers the names below its domain.
  it("takes a name the box's dnsmasq answers from its Hosts with gen's address as answered, and says so when the Host answers another", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const said = (dnsmasq: string) =>
      withDnsmasq53(sections, privateKey, '<enabled>1</enabled><port>5353</port>', dnsmasq).filter((w) => w.includes('Unbound DNS listens on port') || w.includes('on port 53 itself'));
    let n = 0;
    const host = (name: string, domain: string, ip: string, aliases = '') =>
      `<hosts uuid="11111111-2222-4333-8444-f0000000000${n++}"><host>${name}</host><domain>${domain}</domain><local>0</local><ip>${ip}</ip><cnames/><client_id/><hwaddr/><lease_time/><ignore>0</ignore><set_tag/><descr/><comments/><aliases>${aliases}</aliases></hosts>`;
    const forward = '<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>127.0.0.1</ip></domainoverrides>';
    const unreached = (names: string) => expect.stringMatching(new RegExp(`host overrides ${names.replace(/\./g, '\\.')} answer no client.*or add them in its Hosts with the addresses gen's overrides answer`));
    const wrong = (name: string, held: string) => `dnsmasq answers ${name} on port 53 itself, with ${held} from`;
    const wrongOf = (w: string[]) => w.filter((m) => m.includes('on port 53 itself')).map((m) => /dnsmasq answers (\S+) on port 53 itself, with (.*?) from (.*?), and gen's Unbound host override would answer (\S+) /.exec(m)!.slice(1));
    // The Host of gen's address answers cloud.example.org; the letter case of its fields does not matter.
    expect(said(host('cloud', 'example.org', wan))).toEqual([unreached('media.example.org')]);
    expect(said(host('Cloud', 'Example.ORG', wan))).toEqual([unreached('media.example.org')]);
    // Aliases are full names; a Host without a domain is its bare name only (no expand-hosts), which no client asks for here.
    expect(said(host('nas', 'lan.example', wan, 'cloud.example.org,MEDIA.example.org'))).toEqual([]);
    expect(said(host('cloud.example.org', '', wan) + host('media', '', wan))).toEqual([unreached('media.example.org')]);
    // Another address, or one more: dnsmasq answers with what its Hosts hold, even where the domain is forwarded to Unbound.
    const other = said(host('cloud', 'example.org', '10.9.9.9') + forward);
    expect(other).toEqual([expect.stringContaining(wrong('cloud.example.org', '10.9.9.9'))]);
    expect(wrongOf(other)).toEqual([['cloud.example.org', '10.9.9.9', 'its Hosts', wan]]);
    expect(other[0]).toContain(`give the name exactly ${wan} in Services › Dnsmasq DNS & DHCP › Hosts`);
    expect(wrongOf(said(host('cloud', 'example.org', `${wan},10.9.9.9`) + forward))).toEqual([['cloud.example.org', `${wan}, 10.9.9.9`, 'its Hosts', wan]]);
    expect(wrongOf(said(host('cloud', 'example.org', wan) + host('www', 'example.org', '10.9.9.8', 'cloud.example.org') + forward))).toEqual([['cloud.example.org', `${wan}, 10.9.9.8`, 'its Hosts', wan]]);
    // A wildcard Host answers the names below its domain with its addresses (address=/<domain>/<ip>, before the
    // servers of that domain), unless a closer domain is forwarded; one without a domain (address=/#/) every name no
    // domain entry matches.
    expect(said(host('*', 'example.org', wan) + forward)).toEqual([]);
    expect(wrongOf(said(host('*', 'example.org', '10.9.9.7') + forward))).toEqual([
      ['cloud.example.org', '10.9.9.7', 'its wildcard Host of example.org', wan],
      ['media.example.org', '10.9.9.7', 'its wildcard Host of example.org', wan],
    ]);
    expect(said(host('*', 'org', '10.9.9.7') + forward)).toEqual([]);
    expect(said(host('*', '', wan))).toEqual([]);
    expect(said(host('*', '', wan) + forward.replace('127.0.0.1', '9.9.9.9'))).toEqual([unreached('cloud.example.org, media.example.org')]);
    // The Host's name beats the wildcard of its domain.
    expect(wrongOf(said(host('*', 'example.org', wan) + host('media', 'example.org', '10.9.9.6')))).toEqual([['media.example.org', '10.9.9.6', 'its Hosts', wan]]);
    // A DHCP reservation of gen's takes over the box's Host of its MAC: gen's address, the Host's domain and aliases.
    const reservation = [doc(await fragments(answered, 'home'), 'dhcp.xml').dnsmasq.hosts].flat()[0] as { host: string; ip: string; hwaddr: string };
    const byMac = host('pc', 'example.org', '10.9.9.5', 'cloud.example.org').replace('<hwaddr/>', `<hwaddr>${reservation.hwaddr.toUpperCase()}</hwaddr>`);
    expect(wrongOf(said(byMac + forward))).toEqual([['cloud.example.org', reservation.ip, 'its Hosts', wan]]);
  });

  // A reservation of gen's keeps the fields of the box's Host merge pairs it with (the one Host of its MAC or name),
  // and the check reads the Hosts as merge writes them: with two Hosts of its own, one by MAC and one by name, the
  // reservation takes over neither's fields.
  it("reads the box's Host a reservation of gen's takes over with the fields merge writes for it", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const reservation = [doc(await fragments(answered, 'home'), 'dhcp.xml').dnsmasq.hosts].flat()[0] as { host: string; ip: string; hwaddr: string };
    const forward = '<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>127.0.0.1</ip></domainoverrides>';
    const merged = (dnsmasq: string) => {
      const { config, warnings } = mergedDnsmasq53(sections, privateKey, '<enabled>1</enabled><port>5353</port>', dnsmasq + forward);
      // The reservation's Host as merge wrote it, and the names merge says dnsmasq answers from its Hosts.
      const host = childrenNamed(child(config, 'dnsmasq'), 'hosts').find((h) => textOf(child(h, 'ip')) === reservation.ip)!;
      const wrong = warnings.flatMap((w) => /^the box's dnsmasq answers (\S+) on port 53 itself, with (\S+) from its Hosts/.exec(w)?.slice(1) ?? []);
      const unreached = warnings.filter((w) => w.includes('Unbound DNS listens on port'));
      // Whether the merged config still marks a Host local (dnsmasq.conf's local=/domain/).
      const local = childrenNamed(child(config, 'dnsmasq'), 'hosts').some((h) => textOf(child(h, 'local')) === '1');
      return { domain: textOf(child(host, 'domain')), aliases: textOf(child(host, 'aliases')), wrong, unreached, local };
    };
    const mac = reservation.hwaddr.toUpperCase();
    const byMac = dnsmasqHost(1, 'pc', 'example.org', '10.9.9.5', 'cloud.example.org').replace('<hwaddr/>', `<hwaddr>${mac}</hwaddr>`);
    const byName = dnsmasqHost(2, reservation.host, '', '10.9.9.6');
    // The one Host of its MAC: its domain and aliases stay, and dnsmasq answers the alias with the reservation's address.
    expect(merged(byMac)).toEqual({ domain: 'example.org', aliases: 'cloud.example.org', wrong: ['cloud.example.org', reservation.ip], unreached: [], local: false });
    // A Host of its MAC and one of its name: merge pairs it with neither, the alias goes, and the name goes on to Unbound.
    expect(merged(byMac + byName)).toEqual({ domain: '', aliases: '', wrong: [], unreached: [], local: false });
    expect(merged(byName + byMac)).toEqual({ domain: '', aliases: '', wrong: [], unreached: [], local: false });
    // Nor does the local flag of a Host merge replaces: its domain is no longer one dnsmasq answers itself, and the
    // domain's names go on to Unbound (only the flag's domain would make dnsmasq answer them, with no address).
    const localByMac = byMac.replace('<local>0</local>', '<local>1</local>');
    expect(merged(localByMac)).toMatchObject({ domain: 'example.org', local: true });
    expect(merged(localByMac).unreached).not.toEqual([]);
    expect(merged(localByMac + byName)).toEqual({ domain: '', aliases: '', wrong: [], unreached: [], local: false });
    expect(wan).not.toBe(reservation.ip);
  });

  // A range's domain is local to dnsmasq (local=/<domain>/, closer here than the forward of example.org): the check
  // reads the ranges the merged config holds. A range gen's takes over keeps its domain (gen writes none); one merge
  // drops, as it left the network gen gives its interface, or replaces without taking it over (two ranges of the LAN,
  // each the same range as gen's by interface), makes no domain local any more.
  it("reads the box's DHCP ranges as merge leaves them: one it drops or replaces makes no domain local", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const interfaces = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces as Record<string, { ipaddr?: string }>;
    const servers = Object.keys(interfaces).find((key) => interfaces[key]!.ipaddr === '10.10.20.1')!;
    const forward = '<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>127.0.0.1</ip></domainoverrides>';
    const merged = (ranges: string) => {
      const { config, warnings } = mergedDnsmasq53(sections, privateKey, '<enabled>1</enabled><port>5353</port>', ranges + forward);
      return {
        // The ranges' domains in the merged config, and the names merge says dnsmasq sends elsewhere or answers itself.
        domains: childrenNamed(child(config, 'dnsmasq'), 'dhcp_ranges').map((r) => `${textOf(child(r, 'interface'))} ${textOf(child(r, 'domain'))}`),
        unreached: warnings.flatMap((w) => /host overrides (.*?) answer no client/.exec(w)?.[1] ?? []),
      };
    };
    const cloud = 'cloud.example.org';
    expect(merged('')).toEqual({ domains: ['lan '], unreached: [] });
    // Kept: a range of the servers' network, and the one range of the LAN, which gen's range takes over.
    expect(merged(dnsmasqRange(1, servers, '10.10.20.100', '10.10.20.200', cloud))).toEqual({ domains: [`${servers} ${cloud}`, 'lan '], unreached: [cloud] });
    expect(merged(dnsmasqRange(1, 'lan', '10.10.0.100', '10.10.0.150', cloud))).toEqual({ domains: [`lan ${cloud}`], unreached: [cloud] });
    // Dropped: a range outside the servers' network, and the LAN's two ranges.
    expect(merged(dnsmasqRange(1, servers, '192.168.77.100', '192.168.77.200', cloud))).toEqual({ domains: ['lan '], unreached: [] });
    expect(merged(dnsmasqRange(1, 'lan', '10.10.0.100', '10.10.0.150', cloud) + dnsmasqRange(2, 'lan', '10.10.0.160', '10.10.0.200', ''))).toEqual({ domains: ['lan '], unreached: [] });
  });

  // dnsmasq answers a query of one record type from its hosts file (or a wildcard Host's address=) only with
  // addresses of that type, and passes a query of the other type on to the name's domain entries (dnsmasq 2.90: an
  // AAAA query for a name the file holds with an IPv4 address only is forwarded). Each type is compared on its own.
  it('compares what dnsmasq answers for each record type of a name on its own', async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const forward = '<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>5353</port><ip>127.0.0.1</ip></domainoverrides>';
    const said = (general: string, dnsmasq: string, genSections = sections) =>
      withDnsmasq53(genSections, privateKey, general, dnsmasq)
        .filter((w) => /Unbound DNS listens on port|Unbound DNS is disabled|on port 53 itself/.test(w))
        .map((w) => /host overrides (.*?) answer no client/.exec(w)?.[1] ?? /nothing answers gen's Unbound host overrides (.*?): clients/.exec(w)?.[1] ?? w);
    const onPort = '<enabled>1</enabled><port>5353</port>';
    const why = 'Unbound listens on port 5353, which clients do not ask';
    const ipv6Only = (held: string, name = 'cloud.example.org', from = 'its Hosts', reason = why) =>
      `the box's dnsmasq answers ${name} on port 53 itself, with ${held} from ${from}, and gen's Unbound host override would answer no IPv6 address (${reason}): ` +
      `clients inside get the other address; give the name exactly ${wan} in Services › Dnsmasq DNS & DHCP › Hosts`;
    // A Host with an IPv6 address only: dnsmasq forwards the A query to Unbound, and answers AAAA with the Host's.
    expect(said(onPort, dnsmasqHost(1, 'cloud', 'example.org', 'fd00::5') + forward)).toEqual([ipv6Only('fd00::5')]);
    // Without the forward, the A query goes elsewhere too.
    expect(said(onPort, dnsmasqHost(1, 'cloud', 'example.org', 'fd00::5'))).toEqual(['cloud.example.org, media.example.org', ipv6Only('fd00::5')]);
    // gen's IPv4 address and an IPv6 one: the A answer is gen's, the AAAA one is named.
    expect(said(onPort, dnsmasqHost(1, 'cloud', 'example.org', `${wan},fd00::5`))).toEqual(['media.example.org', ipv6Only('fd00::5')]);
    // A wildcard Host with an IPv6 address only answers no A query: forwarded to Unbound.
    const wildcard = 'its wildcard Host of example.org';
    expect(said(onPort, dnsmasqHost(1, '*', 'example.org', 'fd00::7') + forward)).toEqual([ipv6Only('fd00::7', 'cloud.example.org', wildcard), ipv6Only('fd00::7', 'media.example.org', wildcard)]);
    // With Unbound disabled, the A query of the IPv6-only Host's name is answered by nothing.
    expect(said('<enabled>0</enabled>', dnsmasqHost(1, 'cloud', 'example.org', 'fd00::5'))).toEqual([
      `cloud.example.org (A ${wan}), media.example.org (A ${wan})`,
      ipv6Only('fd00::5', 'cloud.example.org', 'its Hosts', "the box's Unbound DNS is disabled"),
    ]);
    // An AAAA override of gen's for a name (added by hand: gen writes A overrides) that dnsmasq does not answer is
    // named with its type; its A override is answered by the Host.
    const withAaaa = sections.map((section) => {
      const text = section.name === 'OPNsense' ? serialize(section) : '';
      const first = /<host uuid="[^"]*">[\s\S]*?<\/host>/.exec(text)?.[0];
      if (first === undefined) return section;
      const aaaa = first.replace(/uuid="[^"]*"/, 'uuid="11111111-2222-4333-8444-aaaaaaaaaaaa"').replace('<rr>A</rr>', '<rr>AAAA</rr>').replace(/<server>[^<]*<\/server>/, '<server>fd00::1</server>');
      expect(aaaa).toContain('<rr>AAAA</rr>');
      return parseXml(text.replace(first, first + aaaa)).root;
    });
    expect(said(onPort, dnsmasqHost(1, 'cloud', 'example.org', wan) + dnsmasqHost(2, 'media', 'example.org', wan), withAaaa)).toEqual(['cloud.example.org (AAAA)']);
  });

  // gen's overrides are A records: Unbound answers an AAAA query for their names with no record. dnsmasq answers a
  // Host's name of an IPv4 address only for A queries and passes AAAA ones on to the domain's servers; where those are
  // not Unbound only, a client may get the name's public IPv6 address there.
  it("says when dnsmasq answers a name with gen's IPv4 address but passes its AAAA queries on to other servers than Unbound", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const forward = (ip: string, port = '5353') => `<domainoverrides uuid="11111111-2222-4333-8444-c00000000000"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>${port}</port><ip>${ip}</ip></domainoverrides>`;
    const on25 = await releaseSections(answered, '25.7');
    const passed = (general: string, dnsmasq: string, release = '26.7') =>
      withDnsmasq53(release === '26.7' ? sections : on25.sections, release === '26.7' ? privateKey : on25.privateKey, general, dnsmasq, release).flatMap((w) => /^the box's dnsmasq answers (\S+) with gen's \S+ but passes its (\S+) queries on to other servers than Unbound, .*?\((.*?)\): .*?; (.*)$/.exec(w)?.slice(1) ?? []);
    const onPort = '<enabled>1</enabled><port>5353</port>';
    const fix = 'forward its domain to 127.0.0.1 port 5353 in Services › Dnsmasq DNS & DHCP › Domains, and to no other server, so that Unbound answers these queries';
    const why = 'Unbound listens on port 5353, which clients do not ask';
    // A Host of gen's address, the domain forwarded to a resolver outside, or to none (/etc/resolv.conf's servers).
    expect(passed(onPort, dnsmasqHost(1, 'cloud', 'example.org', wan) + forward('9.9.9.9', ''))).toEqual(['cloud.example.org', 'AAAA', why, fix]);
    expect(passed(onPort, dnsmasqHost(1, 'cloud', 'example.org', wan))).toEqual(['cloud.example.org', 'AAAA', why, fix]);
    // Forwarded to Unbound only: Unbound answers the AAAA query as gen means.
    expect(passed(onPort, dnsmasqHost(1, 'cloud', 'example.org', wan) + forward('127.0.0.1'))).toEqual([]);
    // A Host marked local makes its domain local (local=/example.org/): dnsmasq answers the AAAA query with no record
    // itself, and so does 26.7's dnsmasq (2.93) where a server of the same domain stands beside it; 25.7's (2.91)
    // forwards it to that server then.
    const local = dnsmasqHost(1, 'cloud', 'example.org', wan).replace('<local>0</local>', '<local>1</local>');
    expect(passed(onPort, local)).toEqual([]);
    expect(passed(onPort, local + forward('9.9.9.9', '').replace('>example.org<', '>org<'))).toEqual([]);
    expect(passed(onPort, local + forward('9.9.9.9', ''))).toEqual([]);
    expect(passed(onPort, local + forward('9.9.9.9', ''), '25.7')).toEqual(['cloud.example.org', 'AAAA', why, fix]);
    // A wildcard Host of gen's address passes every name's AAAA queries on.
    expect(passed(onPort, dnsmasqHost(1, '*', 'example.org', wan)).filter((x) => x.endsWith('.example.org'))).toEqual(['cloud.example.org', 'media.example.org']);
    // A name whose A answer is already named (another address, or sent elsewhere) is not named again.
    expect(passed(onPort, dnsmasqHost(1, 'cloud', 'example.org', '10.9.9.9'))).toEqual([]);
    expect(passed(onPort, '')).toEqual([]);
    // With Unbound disabled it says to enable it.
    expect(passed('<enabled>0</enabled>', dnsmasqHost(1, 'cloud', 'example.org', wan))).toEqual([
      'cloud.example.org',
      'AAAA',
      "the box's Unbound DNS is disabled",
      'enable Unbound in Services › Unbound DNS › General and forward its domain to it in Services › Dnsmasq DNS & DHCP › Domains, so that Unbound answers these queries',
    ]);
  });

  // With Register DHCP static mappings set, OPNsense writes each ISC static mapping with a host name into dnsmasq's
  // hosts file (dnsmasq.inc _dnsmasq_add_host_entries(), static_mapping hook: dhcpd_staticmap()), which dnsmasq
  // answers as it answers a Host.
  it("takes a name an ISC DHCP static mapping registers in the box's dnsmasq as a Host of it", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const said = (dnsmasq: string, dhcpd: string, systemDomain = 'internal') => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', '<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled><port>5353</port></general></unboundplus>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port>${dnsmasq}</dnsmasq>${dhcpd}`)
        .replace(/<domain>internal<\/domain>/, `<domain>${systemDomain}</domain>`);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('Unbound DNS listens on port') || w.includes('on port 53 itself')).map((w) => /host overrides (.*?) answer no client/.exec(w)?.[1] ?? w);
    };
    const isc = (key: string, enable: boolean, domain: string, map: string) => `<dhcpd><${key}>${enable ? '<enable>1</enable>' : ''}${domain ? `<domain>${domain}</domain>` : ''}${map}</${key}></dhcpd>`;
    const staticmap = (hostname: string, domain: string, ip: string) => `<staticmap><mac>02:00:00:00:00:04</mac><ipaddr>${ip}</ipaddr><hostname>${hostname}</hostname>${domain ? `<domain>${domain}</domain>` : ''}<descr/></staticmap>`;
    const both = ['cloud.example.org, media.example.org'];
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', true, '', staticmap('cloud', 'example.org', wan)))).toEqual(['media.example.org']);
    // The domain is the mapping's, else the interface's (the first of a list), else the system domain.
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', true, 'example.org lan.example', staticmap('cloud', '', wan)))).toEqual(['media.example.org']);
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', true, 'lan.example;example.org', staticmap('cloud', '', wan)))).toEqual(both);
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', true, '', staticmap('cloud', '', wan)), 'example.org')).toEqual(['media.example.org']);
    // Not registered, or the interface's ISC server off: the mapping is no name of dnsmasq's.
    expect(said('<regdhcpstatic>0</regdhcpstatic>', isc('opt2', true, '', staticmap('cloud', 'example.org', wan)))).toEqual(both);
    expect(said('', isc('opt2', true, '', staticmap('cloud', 'example.org', wan)))).toEqual(both);
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', false, '', staticmap('cloud', 'example.org', wan)))).toEqual(both);
    // The box's ISC entry of the LAN, where gen's dnsmasq ranges serve DHCP, goes in the merge with its mappings.
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('lan', true, '', staticmap('cloud', 'example.org', wan)))).toEqual(both);
    // So does one whose range lies outside the network gen gives its interface; one inside stays.
    const range = (from: string, to: string) => `<range><from>${from}</from><to>${to}</to></range>`;
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', true, '', range('192.168.77.100', '192.168.77.200') + staticmap('cloud', 'example.org', wan)))).toEqual(both);
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', true, '', range('10.10.20.100', '10.10.20.200') + staticmap('cloud', 'example.org', wan)))).toEqual(['media.example.org']);
    // Another address: dnsmasq answers it, from its hosts file.
    expect(said('<regdhcpstatic>1</regdhcpstatic>', isc('opt2', true, '', staticmap('cloud', 'example.org', '10.9.9.4')))).toEqual([
      'media.example.org',
      `the box's dnsmasq answers cloud.example.org on port 53 itself, with 10.9.9.4 from its hosts file (its Hosts and the ISC DHCP static mappings it registers), and gen's Unbound host override would answer ${wan} ` +
        `(Unbound listens on port 5353, which clients do not ask): clients inside get the other address; give the name exactly ${wan} in Services › Dnsmasq DNS & DHCP › Hosts and rename its ISC DHCP static mapping, ` +
        'or turn off Register DHCP static mappings in Services › Dnsmasq DNS & DHCP › General',
    ]);
  });

  // Kea's kea_staticmap() is on the same static_mapping hook (kea.inc, 25.7 to 26.7): with Register DHCP static
  // mappings set, dnsmasq's hosts file holds each Kea reservation with a host name too.
  it("takes a name a Kea DHCP reservation registers in the box's dnsmasq as a Host of it, as kea_staticmap() reads them", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const said = (regdhcpstatic: string, kea: string, systemDomain = 'internal') => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', `<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled><port>5353</port></general></unboundplus>${kea}`)
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port><regdhcpstatic>${regdhcpstatic}</regdhcpstatic></dnsmasq>`)
        .replace(/<domain>internal<\/domain>/, `<domain>${systemDomain}</domain>`);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('Unbound DNS listens on port') || w.includes('on port 53 itself')).map((w) => /host overrides (.*?) answer no client/.exec(w)?.[1] ?? w);
    };
    const both = ['cloud.example.org, media.example.org'];
    const v4 = (hostname: string, ip: string, subnetDomain = 'example.org', ownDomain = '') => keaV4(true, subnetDomain, keaReservation4(1, hostname, ip, ownDomain));
    expect(said('1', v4('cloud', wan))).toEqual(['media.example.org']);
    // The reservation's own domain option beats its subnet's; a reservation whose subnet is not found gets the system domain.
    expect(said('1', v4('cloud', wan, 'lan.example', 'example.org'))).toEqual(['media.example.org']);
    expect(said('1', v4('cloud', wan, 'example.org', 'lan.example'))).toEqual(both);
    expect(said('1', v4('cloud', wan, '').replace('<subnet>11111111-2222-4333-8444-5e0000000004</subnet>', '<subnet>11111111-2222-4333-8444-5e00000000ff</subnet>'), 'example.org')).toEqual(['media.example.org']);
    expect(said('1', v4('cloud', wan, 'lan.example', 'lan.example').replace('<subnet>11111111-2222-4333-8444-5e0000000004</subnet>', '<subnet/>'), 'example.org')).toEqual(['media.example.org']);
    // Not registered, Kea DHCPv4 off, or a host name PHP's FILTER_VALIDATE_DOMAIN refuses: no name of dnsmasq's.
    expect(said('0', v4('cloud', wan))).toEqual(both);
    expect(said('1', keaV4(false, 'example.org', keaReservation4(1, 'cloud', wan)))).toEqual(both);
    expect(said('1', v4(`cloud.${'x'.repeat(64)}`, wan))).toEqual(both);
    // A DHCPv6 reservation gets the system domain; with Kea DHCPv4 off, kea_staticmap() returns before reading it.
    const v6 = keaV6(true, keaReservation6(1, 'cloud', 'fd00::5'));
    expect(said('1', keaV4(true, '', '', v6), 'example.org')).toEqual([...both, expect.stringContaining("the box's dnsmasq answers cloud.example.org on port 53 itself, with fd00::5 from its hosts file (its Hosts and the Kea DHCP reservations it registers)")]);
    expect(said('1', keaV4(false, '', '', v6), 'example.org')).toEqual(both);
    // Another address: named, with the reservation to rename.
    expect(said('1', v4('cloud', '10.9.9.4'))).toEqual([
      'media.example.org',
      `the box's dnsmasq answers cloud.example.org on port 53 itself, with 10.9.9.4 from its hosts file (its Hosts and the Kea DHCP reservations it registers), and gen's Unbound host override would answer ${wan} ` +
        `(Unbound listens on port 5353, which clients do not ask): clients inside get the other address; give the name exactly ${wan} in Services › Dnsmasq DNS & DHCP › Hosts and rename its Kea DHCP reservation, ` +
        'or turn off Register DHCP static mappings in Services › Dnsmasq DNS & DHCP › General',
    ]);
  });

  it("says when the box runs no Unbound and dnsmasq's DHCP hands out the firewall as DNS server, where nothing answers", async () => {
    const dhcpOf = async (yaml: string) => [doc(await fragments(yaml, 'home'), 'dhcp.xml').dnsmasq].flat()[0];
    const said = async (yaml: string, dnsmasq: string) => {
      const { sections, privateKey } = await releaseSections(yaml, '26.7');
      const box = factorySample('26.7')
        .replace('<OPNsense>', '<OPNsense><unboundplus version="1.0.15"><general><enabled>0</enabled></general></unboundplus>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('hands out the firewall'));
    };
    // What gen's dnsmasq serves: DHCP on lan with no DNS option (so dnsmasq's template hands out 0.0.0.0, itself), DNS off.
    const dhcp = await dhcpOf(family);
    expect(dhcp.port).toBe('0');
    const ranges = [dhcp.dhcp_ranges].flat().map((r: { interface: string }) => r.interface);
    expect(ranges).toContain('lan');
    expect([dhcp.dhcp_options ?? []].flat()).toEqual([]);
    expect(await said(family, '<dnsmasq><enable>0</enable></dnsmasq>')).toEqual([expect.stringContaining(`DNS server on ${ranges.join(', ')}:`)]);
    // dnsmasq of the box's own on port 53 answers; DNS servers named for the LAN are handed out instead.
    expect(await said(family, '<dnsmasq><enable>1</enable><port>53</port></dnsmasq>')).toEqual([]);
    const lanDns = edit(family, ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'dns'], ['1.1.1.1']);
    expect((await said(lanDns, '<dnsmasq><enable>0</enable></dnsmasq>')).filter((w) => w.includes(' lan'))).toEqual([]);
    // The box's own ranges the merged dnsmasq serves hand out the firewall too: one on its opt5, which dnsmasq listens
    // on; not one on opt7, where it does not listen, nor one a DHCP option 6 of its interface (opt6) or of the tag it
    // sets serves, nor the one of no interface, whose clients arriving on opt6 get opt6's option.
    const option = (n: number, iface: string, tag: string, value = '9.9.9.9') =>
      `<dhcp_options uuid="11111111-2222-4333-8444-30000000000${n}"><type>set</type><option>6</option><option6/><interface>${iface}</interface><tag>${tag}</tag><set_tag/><value>${value}</value><force>0</force><description/></dhcp_options>`;
    const tag = '11111111-2222-4333-8444-7a0000000001';
    const boxRanges =
      dnsmasqRange(1, 'opt5', '10.55.0.100', '10.55.0.199', '') + dnsmasqRange(2, 'opt7', '10.57.0.100', '10.57.0.199', '') + dnsmasqRange(3, '', '10.58.0.100', '10.58.0.199', '') +
      dnsmasqRange(4, 'opt6', '10.56.0.100', '10.56.0.199', '') + dnsmasqRange(5, 'opt5', '10.55.1.100', '10.55.1.199', '').replace('<set_tag/>', `<set_tag>${tag}</set_tag>`);
    const boxDnsmasq = `<dnsmasq><enable>0</enable><interface>lan,opt5,opt6</interface>${boxRanges}${option(1, 'opt6', '')}${option(2, '', tag)}</dnsmasq>`;
    const ownSaid = async (dnsmasq: string) => {
      const { sections, privateKey } = await releaseSections(family, '26.7');
      const box = withOwnInterfaces(factorySample('26.7'))
        .replace('<OPNsense>', '<OPNsense><unboundplus version="1.0.15"><general><enabled>0</enabled></general></unboundplus>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('hands out the firewall')).map((w) => /DNS server on (.*?): clients there/.exec(w)![1]);
    };
    expect(await ownSaid(boxDnsmasq)).toEqual(['opt5, lan']);
    // Without opt6's option, the firewall on every interface: the range of no interface too, and opt6.
    expect(await ownSaid(boxDnsmasq.replace(option(1, 'opt6', ''), ''))).toEqual(['opt5, the range 10.58.0.100-10.58.0.199 of no interface (on every interface it serves), opt6, lan']);
    // opt6's option naming the firewall's own LAN address, written out: nothing answers there either.
    const lan = doc(await fragments(family, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    expect(await ownSaid(boxDnsmasq.replace(option(1, 'opt6', ''), option(1, 'opt6', '', lan)))).toEqual(['opt5, the range 10.58.0.100-10.58.0.199 of no interface (on every interface it serves), opt6, lan']);
    // With another server beside it, opt6's clients have one that answers.
    expect(await ownSaid(boxDnsmasq.replace(option(1, 'opt6', ''), option(1, 'opt6', '', `${lan},9.9.9.9`)))).toEqual(['opt5, lan']);
  });

  // Unbound enabled answers those clients only on port 53, and with Network Interfaces chosen only at their
  // addresses (unbound.inc: port: and interface: lines); gen's lan range hands out the firewall (dhcp-option=6,0.0.0.0).
  it("says when Unbound runs on another port or on other interfaces and dnsmasq's DHCP hands out the firewall where nothing answers", async () => {
    const { sections, privateKey } = await releaseSections(family, '26.7');
    const said = (general: string) => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', `<OPNsense><unboundplus version="1.0.15"><general>${general}</general></unboundplus>`)
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, '<dnsmasq><enable>0</enable></dnsmasq>');
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('hands out the firewall'));
    };
    expect(said('<enabled>1</enabled><port>53</port>')).toEqual([]);
    expect(said('<enabled>1</enabled><port>53</port><active_interface>lan</active_interface>')).toEqual([]);
    expect(said('<enabled>1</enabled><port>53</port><active_interface>lan,wan</active_interface>')).toEqual([]);
    expect(said('<enabled>1</enabled><port>5353</port>')).toEqual([
      expect.stringMatching(/^the box's Unbound DNS answers only on port 5353, not 53 and dnsmasq answers no DNS on port 53, but dnsmasq's DHCP hands out the firewall's address as DNS server on lan: clients there resolve no name; set Listen Port to 53 in Services › Unbound DNS › General, or name/),
    ]);
    expect(said('<enabled>1</enabled><port>53</port><active_interface>wan</active_interface>')).toEqual([
      expect.stringMatching(/^the box's Unbound DNS answers only at the addresses of its Network Interfaces wan and dnsmasq answers no DNS on port 53, .* on lan: .*; add those interfaces to Network Interfaces \(or choose none, for all\) in Services › Unbound DNS › General, or name/),
    ]);
    expect(said('<enabled>0</enabled><port>53</port>')).toEqual([expect.stringMatching(/^the box's Unbound DNS is disabled and .* on lan: .*; enable Unbound in Services › Unbound DNS › General, or name/)]);
  });

  // Unbound and the box's dnsmasq DNS on one port: both set SO_REUSEADDR, so FreeBSD lets one bind an address beside
  // the other's wildcard but not the same address; dnsmasq.inc starts before unbound.inc at boot, and Unbound fails.
  it("says when the box's Unbound and dnsmasq bind one port of one address, that Unbound does not start, and which overrides nothing answers", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const lan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    const merged = (general: string, dnsmasq: string) => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', `<OPNsense><unboundplus version="1.0.15"><general>${general}</general></unboundplus>`)
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq>${dnsmasq}</dnsmasq>`);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings;
    };
    const clash = (general: string, dnsmasq: string) => merged(general, dnsmasq).filter((w) => w.includes('which only one of them can bind')).map((w) => /listen on port (\d+) at (.*?), which/.exec(w)!.slice(1).join(' '));
    const unbound = (extra = '') => `<enabled>1</enabled><port>53</port>${extra}`;
    const wildcard = '<enable>1</enable><port>53</port><interface>lan</interface>';
    const strict = (ifaces: string) => `<enable>1</enable><port>53</port><strictbind>1</strictbind><interface>${ifaces}</interface>`;
    // Both the wildcard, on 53 (an empty port is 53) or both on 53053.
    expect(clash(unbound(), wildcard)).toEqual(['53 every address (0.0.0.0 and ::)']);
    expect(clash(unbound(), wildcard.replace('<port>53</port>', '<port/>'))).toEqual(['53 every address (0.0.0.0 and ::)']);
    expect(clash('<enabled>1</enabled><port>53053</port>', wildcard.replace('53', '53053'))).toEqual(['53053 every address (0.0.0.0 and ::)']);
    // Both bind addresses: the loopback's at least, and lan's where both listen there.
    expect(clash(unbound('<active_interface>wan</active_interface>'), strict('lan'))).toEqual(['53 127.0.0.1, ::1']);
    expect(clash(unbound('<active_interface>lan</active_interface>'), strict('lan'))).toEqual([`53 127.0.0.1, ::1, ${lan}`]);
    // Near misses: another port, dnsmasq's DNS off, Unbound disabled, or exactly one of them binding addresses.
    expect(clash(unbound(), wildcard.replace('53', '53053'))).toEqual([]);
    expect(clash(unbound(), wildcard.replace('53', '0'))).toEqual([]);
    expect(clash(unbound(), wildcard.replace('<enable>1</enable>', '<enable>0</enable>'))).toEqual([]);
    expect(clash('<enabled>0</enabled><port>53</port>', wildcard)).toEqual([]);
    expect(clash(unbound(), strict('lan'))).toEqual([]);
    expect(clash(unbound(), strict(''))).toEqual([]);
    expect(clash(unbound('<active_interface>lan</active_interface>'), wildcard)).toEqual([]);
    // On 53 Unbound does not run, so gen's overrides are answered only as dnsmasq answers them: here not at all.
    const down = (general: string, dnsmasq: string) => merged(general, dnsmasq).filter((w) => w.includes("gen's Unbound host overrides") && w.includes('does not start beside dnsmasq'));
    expect(down(unbound(), wildcard)).toEqual([
      expect.stringMatching(/^the box's Unbound DNS does not start beside dnsmasq, which holds port 53, so nothing answers gen's Unbound host overrides cloud\.example\.org \(.*\), media\.example\.org \(.*\): .*; dnsmasq holds port 53: set its Listen port to 0 in Services › Dnsmasq DNS & DHCP › General/),
    ]);
    expect(down('<enabled>1</enabled><port>53053</port>', wildcard.replace('53', '53053'))).toEqual([]);
    expect(down(unbound('<active_interface>lan</active_interface>'), wildcard)).toEqual([]);
    // dnsmasq, bound to lan, hands out the WAN address there, where Unbound, bound to wan, would answer but does not start.
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const option = `<dhcp_options uuid="11111111-2222-4333-8444-300000000001"><type>set</type><option>6</option><option6/><interface>lan</interface><tag/><set_tag/><value>${wan}</value><force>0</force><description/></dhcp_options>`;
    const firewall = (general: string, dnsmasq: string) => merged(general, dnsmasq).filter((w) => w.includes('hands out the firewall'));
    expect(firewall(unbound('<active_interface>wan</active_interface>'), strict('lan') + option)).toEqual([
      expect.stringMatching(/^the box's Unbound DNS does not start beside dnsmasq, which holds port 53 at the addresses both bind and dnsmasq, with Strict interface binding, .* on lan: .*, or choose no Network Interfaces \(all\) in Services › Unbound DNS › General, so that Unbound binds the wildcard/),
    ]);
    // Unbound on every address starts beside dnsmasq's and answers there; on 53053 neither clashes nor answers.
    expect(firewall(unbound(), strict('lan') + option)).toEqual([]);
    expect(firewall('<enabled>1</enabled><port>53053</port><active_interface>wan</active_interface>', strict('lan') + option)).toEqual([expect.stringMatching(/^the box's Unbound DNS answers only on port 53053/)]);
  });

  // Unbound on port 53 with Network Interfaces chosen binds their addresses only; dnsmasq's wildcard answers the rest,
  // among them the lan address gen's range hands out (dhcp-option=6,0.0.0.0). A domain override reaches Unbound only
  // at an address that is not dnsmasq's own (check_servers(): "ignoring nameserver ... - local interface").
  it("says which of gen's overrides clients miss where dnsmasq answers the address handed out and Unbound, on chosen interfaces, does not", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const { wan } = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces;
    const said = (general: string, dnsmasq: string) => {
      const box = factorySample('26.7')
        .replace('<OPNsense>', `<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled><port>53</port>${general}</general></unboundplus>`)
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port><interface>lan</interface>${dnsmasq}</dnsmasq>`);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('Network Interfaces wan') && !w.includes('resolve no name'));
    };
    const onWan = '<active_interface>wan</active_interface>';
    expect(said(onWan, '')).toEqual([
      expect.stringMatching(
        new RegExp(
          "^the box's Unbound DNS answers only at the addresses of its Network Interfaces wan, but dnsmasq's DHCP hands out the firewall's address as DNS server on lan, where dnsmasq answers DNS on port 53 instead: " +
            `clients there do not reach gen's Unbound host overrides cloud\\.example\\.org, media\\.example\\.org and .*; add those interfaces to Network Interfaces in Services › Unbound DNS › General .*, or forward their domain to ${(wan.ipaddr as string).replace(/\./g, '\\.')} port 53 in `,
        ),
      ),
    ]);
    // Unbound on lan answers there: nothing to say.
    expect(said('<active_interface>lan</active_interface>', '')).toEqual([]);
    expect(said('<active_interface>lan,wan</active_interface>', '')).toEqual([]);
    // The names as dnsmasq Hosts with gen's address: answered, but their AAAA queries go on elsewhere (dnsmasq 2.90
    // forwards them, and Unbound's override would answer no IPv6 address); one with another address is named as such.
    expect(said(onWan, dnsmasqHost(1, 'cloud', 'example.org', wan.ipaddr as string) + dnsmasqHost(2, 'media', 'example.org', wan.ipaddr as string))).toEqual(
      ['cloud', 'media'].map((n) => expect.stringMatching(new RegExp(`^the box's dnsmasq answers ${n}\\.example\\.org with gen's [^ ]+ but passes its AAAA queries on to other servers than Unbound`))),
    );
    expect(said(onWan, dnsmasqHost(1, 'cloud', 'example.org', wan.ipaddr as string) + dnsmasqHost(2, 'media', 'example.org', '10.9.9.9')).filter((w) => w.includes('10.9.9.9'))).toEqual([
      expect.stringMatching(/^the box's dnsmasq answers media\.example\.org on port 53 itself, with 10\.9\.9\.9 from its Hosts, .*\(Unbound answers only at the addresses of its Network Interfaces wan, not where dnsmasq's DHCP hands out the firewall on lan\)/),
    ]);
    // Their domain forwarded to Unbound's WAN address, which dnsmasq does not listen on, reaches it; to the loopback,
    // dnsmasq's own address on port 53, it does not.
    const forward = (ip: string) => `<domainoverrides uuid="11111111-2222-4333-8444-c00000000001"><sequence>1</sequence><domain>example.org</domain><ipset/><srcip/><port>53</port><ip>${ip}</ip></domainoverrides>`;
    expect(said(onWan, forward(wan.ipaddr as string))).toEqual([]);
    expect(said(onWan, forward('127.0.0.1'))).toHaveLength(1);
  });

  it("leaves out the names a wildcard override of the box answers, which Unbound refuses below it, and says so", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const boxWith = (domain: string) => factorySample('26.7').replace(
      '<OPNsense>',
      `<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled></general><hosts>${wildcardHost(domain, '10.10.20.10', true)}</hosts></unboundplus>`,
    );
    const merge = (box: string) => {
      const warnings: string[] = [];
      const merged = parseXml(mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) })).root;
      const unboundplus = childrenNamed(merged, 'OPNsense').map((o) => child(o, 'unboundplus')).find((u): u is XmlElement => u !== undefined)!;
      return { hosts: childrenNamed(child(unboundplus, 'hosts'), 'host').map((h) => `${textOf(child(h, 'hostname'))}.${textOf(child(h, 'domain'))}`).sort(), warnings: warnings.filter((w) => w.includes('wildcard')) };
    };
    const covered = merge(boxWith('example.org'));
    expect(covered.hosts).toEqual(['*.example.org']);
    expect(covered.warnings).toEqual([expect.stringContaining('answers cloud.example.org with A 10.10.20.10'), expect.stringContaining('answers media.example.org with A 10.10.20.10')]);
    // A wildcard of another domain leaves gen's names alone.
    const elsewhere = merge(boxWith('example.net'));
    expect(elsewhere.hosts).toEqual(['*.example.net', 'cloud.example.org', 'media.example.org']);
    expect(elsewhere.warnings).toEqual([]);
  });

  it('says when the system domain holds the names as a local zone type that ignores host overrides (always_*), and not for transparent or static', async () => {
    for (const type of ['always_nxdomain', 'always_refuse', 'always_transparent']) {
      expect(await zoneTypeWarnings(type)).toEqual([expect.stringContaining(`system domain example.org as local zone type ${type}, which ignores host overrides: gen's overrides of cloud.example.org, media.example.org`)]);
    }
    for (const type of ['transparent', 'static', 'typetransparent', 'refuse', 'deny']) expect(await zoneTypeWarnings(type)).toEqual([]);
    // A system domain that does not hold the names leaves them to their own zone.
    expect(await zoneTypeWarnings('always_nxdomain', 'home.arpa')).toEqual([]);
  });

  // Unbound itself: which local-zone types of the system domain (OPNsense writes `local-zone: "<domain>" <local_zone_type>`)
  // answer the host override gen writes below it. Merge warns for exactly those that do not.
  const whyUnbound = missing(['unbound'], false);
  it.skipIf(whyUnbound)(titled('warns for exactly the local zone types under which Unbound does not answer the override', whyUnbound), async () => {
    const work = tempDir('gen-unbound-zone-');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    for (const type of ['transparent', 'static', 'typetransparent', 'refuse', 'deny', 'always_nxdomain', 'always_refuse', 'always_transparent']) {
      const warned = (await zoneTypeWarnings(type)).length > 0;
      expect([type, warned]).toEqual([type, !(await unboundAnswers(work, type, 'cloud.example.org', wan))]);
    }
  });

  it("takes the box's own override of the name in other letter case as the same name (DNS names compare without case)", async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const box = factorySample('26.7').replace(
      '<OPNsense>',
      `<OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled></general><hosts><host uuid="11111111-2222-4333-8444-555555555555"><enabled>1</enabled><hostname>Cloud</hostname><domain>Example.ORG</domain><rr>A</rr><mxprio/><mx/><ttl/><server>203.0.113.7</server><txtdata/><addptr>1</addptr><description>own</description></host></hosts></unboundplus>`,
    );
    const warnings: string[] = [];
    const merged = parseXml(mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) })).root;
    const unboundplus = childrenNamed(merged, 'OPNsense').map((o) => child(o, 'unboundplus')).find((u): u is XmlElement => u !== undefined)!;
    const cloud = childrenNamed(child(unboundplus, 'hosts'), 'host').filter((h) => textOf(child(h, 'hostname')).toLowerCase() === 'cloud');
    // One answer for the name, gen's, in the box's item: before, both stood and clients got either address.
    expect(cloud.map((h) => [attr(h, 'uuid'), textOf(child(h, 'server'))])).toEqual([['11111111-2222-4333-8444-555555555555', doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr]]);
    expect(warnings.filter((w) => w.includes('Unbound host override'))).toHaveLength(1);
  });
});

const coreGit = process.env.OPNSENSE_CORE_GIT;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !process.env.OPNSENSE_PLUGINS_GIT ? 'OPNSENSE_PLUGINS_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
if (why) process.stderr.write(`\n*** skipped: Unbound host overrides on OPNsense's own code: ${why} ***\n\n`);
const tools = join(root, 'test/tools/opnsense-php');
const env = { ...process.env, OPNSENSE_PHP_CACHE: process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php') };

/** A box with an Unbound model root of `version` whose general holds `general`, put into its <OPNsense> (26.7's factory config has one, 25.7's and 26.1's none). */
function withUnboundModel(base: string, version: string, general: string): string {
  const root = `<unboundplus version="${version}"><general>${general}</general></unboundplus>`;
  return base.includes('<OPNsense>') ? base.replace('<OPNsense>', `<OPNsense>${root}`) : base.replace('</opnsense>', `<OPNsense>${root}</OPNsense></opnsense>`);
}

/** Each box merged with `sections`, then run on OPNsense's own code: the model's view of it, and merge's warnings. */
function mergedOnBoxes(boxes: Record<string, string>, sections: XmlElement[], privateKey: string, tag: string, work: string): Record<string, { box: UnboundOnBox; warnings: string[] }> {
  const out: Record<string, { box: UnboundOnBox; warnings: string[] }> = {};
  for (const [name, base] of Object.entries(boxes)) {
    const warnings: string[] = [];
    const config = mergeConfig(withBoxCa(base), sections, { placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
    out[name] = { box: unboundOnBox(config, tag, work, name.replace(/ /g, '-'), env), warnings };
  }
  return out;
}

/**
 * The sample box of `release` (26.7 unless given; the sections are for it) with Unbound's `general` settings and
 * dnsmasq answering DNS on port 53 with `dnsmasq` (its items), changed by `edit`, merged with `sections` (`privateKey`:
 * their instance key): the merged config and merge's warnings.
 */
function mergedDnsmasq53(
  sections: Parameters<typeof mergeConfig>[1],
  privateKey: string,
  general: string,
  dnsmasq: string,
  { release = '26.7', edit = (box: string) => box }: { release?: string; edit?: (box: string) => string } = {},
): { config: XmlElement; warnings: string[] } {
  const box = withUnboundModel(factorySample(release), releaseFacts(release)!.versions.unbound!, general)
    .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port>${dnsmasq}</dnsmasq>`);
  const warnings: string[] = [];
  const config = mergeConfig(withBoxCa(edit(box)), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m), release });
  return { config: parseXml(config).root, warnings };
}

/** merge's warnings for mergedDnsmasq53()'s box of `release`. */
function withDnsmasq53(sections: Parameters<typeof mergeConfig>[1], privateKey: string, general: string, dnsmasq: string, release = '26.7'): string[] {
  return mergedDnsmasq53(sections, privateKey, general, dnsmasq, { release }).warnings;
}

/** A Host of the box's dnsmasq as Services › Dnsmasq DNS & DHCP › Hosts saves it. */
function dnsmasqHost(n: number, host: string, domain: string, ip: string, aliases = ''): string {
  return (
    `<hosts uuid="11111111-2222-4333-8444-10000000000${n}"><host>${host}</host><domain>${domain}</domain><local>0</local><ip>${ip}</ip><cnames/><client_id/>` +
    `<hwaddr/><lease_time/><ignore>0</ignore><set_tag/><descr/><comments/><aliases>${aliases}</aliases></hosts>`
  );
}

/** A DHCP range of the box's dnsmasq as Services › Dnsmasq DNS & DHCP › DHCP ranges saves it (`n` below 16: its UUID's last hex digit). */
function dnsmasqRange(n: number, iface: string, start: string, end: string, domain: string): string {
  return (
    `<dhcp_ranges uuid="11111111-2222-4333-8444-2${n.toString(16).padStart(11, '0')}"><interface>${iface}</interface><set_tag/><start_addr>${start}</start_addr><end_addr>${end}</end_addr>` +
    `<subnet_mask/><constructor/><mode/><prefix_len/><lease_time/><domain_type>range</domain_type><domain>${domain}</domain><nosync>0</nosync><ra_mode/><ra_priority/><ra_mtu/>` +
    '<ra_interval/><ra_router_lifetime/><description/></dhcp_ranges>'
  );
}

/**
 * The box's Kea models (Services › Kea DHCP): DHCPv4 enabled or not, with a subnet of `domain` as its domain-name
 * option and `reservations`, and `v6` (keaV6()) after it.
 */
function keaV4(enabled: boolean, domain: string, reservations: string, v6 = '', version = ''): string {
  return (
    `<Kea><dhcp4${version ? ` version="${version}"` : ''}><general><enabled>${enabled ? 1 : 0}</enabled></general><subnets><subnet4 uuid="11111111-2222-4333-8444-5e0000000004"><subnet>10.0.50.0/24</subnet>` +
    `<option_data><domain_name>${domain}</domain_name></option_data></subnet4></subnets><reservations>${reservations}</reservations></dhcp4>${v6}</Kea>`
  );
}

/** A reservation of the Kea DHCPv4 subnet of keaV4(), with `domain` as its own domain-name option. */
function keaReservation4(n: number, hostname: string, ip: string, domain = ''): string {
  return (
    `<reservation uuid="11111111-2222-4333-8444-4e000000000${n}"><subnet>11111111-2222-4333-8444-5e0000000004</subnet><ip_address>${ip}</ip_address>` +
    `<hw_address>02:00:00:00:01:0${n}</hw_address><hostname>${hostname}</hostname><description/><option_data><domain_name>${domain}</domain_name></option_data></reservation>`
  );
}

/** The box's Kea DHCPv6 model, for keaV4()'s `v6`. */
function keaV6(enabled: boolean, reservations: string, version = ''): string {
  return (
    `<dhcp6${version ? ` version="${version}"` : ''}><general><enabled>${enabled ? 1 : 0}</enabled></general><subnets><subnet6 uuid="11111111-2222-4333-8444-5e0000000006"><subnet>fd00::/64</subnet>` +
    `</subnet6></subnets><reservations>${reservations}</reservations></dhcp6>`
  );
}

/** A reservation of the Kea DHCPv6 subnet of keaV6(). */
function keaReservation6(n: number, hostname: string, ip: string): string {
  return `<reservation uuid="11111111-2222-4333-8444-6e000000000${n}"><subnet>11111111-2222-4333-8444-5e0000000006</subnet><ip_address>${ip}</ip_address><duid>00:01:00:01:00:00:00:0${n}</duid><hostname>${hostname}</hostname><description/></reservation>`;
}

/** gen's two names in the family example. */
const NAMES = ['cloud.example.org', 'media.example.org'];

/**
 * Boxes whose dnsmasq answers port 53 and whose Unbound listens on 5353, with domain overrides and Hosts, merged with
 * gen's sections and rendered by OPNsense's own model, dnsmasq template and hosts file writer
 * (_dnsmasq_add_host_entries()): each box's dnsmasq.conf and hosts file, the names merge's warning lists, and those
 * it says dnsmasq answers from its Hosts with another address (`wrong`).
 */
async function renderedDnsmasq(
  tag: string,
  release: string,
  unboundOn = true,
  only?: (at: { lan: string; wan: string; override: (n: number, domain: string, ipset: string, ip: string, port?: string) => string }) => Record<string, string>,
): Promise<{ lan: string; wan: string; boxes: Record<string, { conf: string; hostsFile: string; warned: string[]; wrong: string[]; wrongTypes: string[]; config: string; passedOn: string[]; unbound: string[] }> }> {
  const work = templateWork(tag, 'gen-split-dns-dnsmasq-');
  const { sections, privateKey } = await releaseSections(answered, release);
  const factory = factoryConfig(coreGit!, tag);
  const unbound = withUnboundModel(factory.replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, ''), releaseFacts(tag)!.versions.unbound!, `<enabled>${unboundOn ? 1 : 0}</enabled><port>5353</port>`);
  const interfaces = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces;
  const [lan, wan] = [interfaces.lan.ipaddr as string, interfaces.wan.ipaddr as string];
  const override = (n: number, domain: string, ipset: string, ip: string, port = '') =>
    `<domainoverrides uuid="11111111-2222-4333-8444-00000000000${n}"><sequence>${n}</sequence><domain>${domain}</domain><ipset>${ipset}</ipset><srcip/><port>${port}</port><ip>${ip}</ip></domainoverrides>`;
  const boxes: Record<string, string> = only ? only({ lan, wan, override }) : {
    // The system domain cloud.example.org (below) is local to dnsmasq: DHCP registers names there (gen writes ranges),
    // and it is closer to cloud.example.org than the forward of example.org.
    'dnsmasq-local': override(1, 'example.org', '', '127.0.0.1', '5353'),
    'dnsmasq-legacy-ipset': override(1, 'example.org', '', '127.0.0.1#5353') + override(2, 'cloud.example.org', '11111111-2222-4333-8444-0000000000ff', ''),
    // cloud.example.org: the loopback (written first, sequence 3) and a resolver outside (sequence 2); media.example.org:
    // the loopback and the LAN address, both at Unbound's port.
    'dnsmasq-several': override(3, 'cloud.example.org', '', '127.0.0.1', '5353') + override(2, 'cloud.example.org', '', '9.9.9.9') + override(1, 'example.org', '', '127.0.0.1#5353') +
      override(4, 'media.example.org', '', '127.0.0.1', '5353') + override(5, 'media.example.org', '', lan, '5353'),
    // example.org forwarded to Unbound, and Hosts in dnsmasq's hosts file: cloud.example.org with gen's address,
    // media.example.org with another, as an alias of a Host of another domain.
    'dnsmasq-hosts': override(1, 'example.org', '', '127.0.0.1', '5353') + dnsmasqHost(1, 'cloud', 'example.org', wan) + dnsmasqHost(2, 'nas', 'lan.example', '10.9.9.9', 'MEDIA.example.org'),
    // A wildcard Host of example.org with gen's address (address=/example.org/), and cloud.example.org's Host with one more.
    'dnsmasq-wildcard': override(1, 'example.org', '', '127.0.0.1', '5353') + dnsmasqHost(1, '*', 'example.org', wan) + dnsmasqHost(2, 'cloud', 'example.org', `${wan},10.9.9.8`),
  };
  const out: Record<string, { conf: string; hostsFile: string; warned: string[]; wrong: string[]; wrongTypes: string[]; config: string; passedOn: string[]; unbound: string[] }> = {};
  for (const [name, overrides] of Object.entries(boxes)) {
    const system = name === 'dnsmasq-local' ? unbound.replace(/(<system>[\s\S]*?<domain>)[^<]*(<\/domain>)/, '$1cloud.example.org$2') : unbound;
    expect(system.includes('<domain>cloud.example.org</domain>')).toBe(name === 'dnsmasq-local');
    // An ISC DHCP part (<dhcpd>) goes beside <dnsmasq>, a Kea one (<Kea>) into <OPNsense>.
    const isc = /<dhcpd>[\s\S]*<\/dhcpd>/.exec(overrides)?.[0] ?? '';
    const kea = /<Kea>[\s\S]*<\/Kea>/.exec(overrides)?.[0] ?? '';
    const inside = overrides.replace(isc, '').replace(kea, '');
    const box = system
      .replace(/(<dnsmasq[^>]*>\s*)<enable>1<\/enable>(\s*)<port>\d+<\/port>/, `$1<enable>1</enable>$2<port>53</port>${inside}`)
      .replace('</opnsense>', `${isc}</opnsense>`)
      .replace('<OPNsense>', `<OPNsense>${kea}`);
    for (const part of [inside, isc, kea]) expect(box).toContain(part);
    const warnings: string[] = [];
    const config = mergeConfig(withBoxCa(box), sections, { placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, allowGuiPortConflict: true, warn: (m) => warnings.push(m), release: tag });
    const on = unboundOnBox(config, tag, work, name, env);
    // The model takes each override (the ipset one names an alias this box lacks: only its missing server= line counts here).
    expect(on.errors.filter((e) => (e.includes('domainoverrides') && !e.includes('.ipset =>')) || e.includes('hosts'))).toEqual([]);
    expect([on.port, on.enabled]).toEqual(['5353', unboundOn ? '1' : '0']);
    const root = join(work, `${name}-root`);
    const r = await renderTemplate(join(env.OPNSENSE_PHP_CACHE, tag, 'root'), join(work, `${name}-migrated.xml`), root, 'OPNsense.Dnsmasq');
    expect(r.status, r.stderr).toBe(0);
    const warned = unboundOn
      ? warnings.filter((w) => w.includes('Unbound DNS listens on port')).flatMap((w) => /host overrides (.*?) answer no client/.exec(w)![1]!.split(', '))
      : warnings.flatMap((w) => /nothing answers gen's Unbound host overrides (.*?): clients inside/.exec(w)?.[1]!.split(', ').map((n) => n.replace(/ \(.*\)$/, '')) ?? []);
    const wrong = warnings.flatMap((w) => /^the box's dnsmasq answers (\S+) on port 53 itself/.exec(w)?.[1] ?? []);
    // Each with the record type of the addresses dnsmasq answers it with.
    const wrongTypes = warnings.flatMap((w) => {
      const m = /^the box's dnsmasq answers (\S+) on port 53 itself, with (.*?) from/.exec(w);
      return m ? [`${m[1]} ${m[2]!.includes(':') ? 'AAAA' : 'A'}`] : [];
    });
    const hosts = spawnSync('php', [join(tools, 'lib/dnsmasq-hosts.php'), join(env.OPNSENSE_PHP_CACHE, tag, 'root'), join(work, `${name}-migrated.xml`), join(work, `${name}-hosts`)], { encoding: 'utf8', env });
    expect(hosts.status, hosts.stderr).toBe(0);
    expect(hosts.stdout).not.toContain('PHP warnings');
    // The names and types whose other record type merge says dnsmasq passes on to other servers than Unbound.
    const passedOn = warnings.flatMap((w) => {
      const m = /^the box's dnsmasq answers (\S+) with gen's \S+ but passes its (\S+) queries on/.exec(w);
      return m ? [`${m[1]} ${m[2]}`] : [];
    });
    out[name] = { conf: readFileSync(join(root, 'usr/local/etc/dnsmasq.conf'), 'utf8'), hostsFile: hosts.stdout, warned, wrong, wrongTypes, config, passedOn, unbound: on.entries };
  }
  return { lan, wan, boxes: out };
}

/** The box's own interfaces opt5 to opt7 (devices vtnet5 to vtnet7), beside gen's wan, lan and opt1 to opt3. */
const OWN_INTERFACES = [5, 6, 7].map((n) => `<opt${n}><if>vtnet${n}</if><enable>1</enable><descr>box${n}</descr></opt${n}>`).join('');

/** A directory to work in for `tag`, once setup.sh has prepared OPNsense's own code of that release. */
function templateWork(tag: string, prefix: string): string {
  const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
  expect(setup.status, setup.stderr).toBe(0);
  return tempDir(prefix);
}

/** `config` with OWN_INTERFACES assigned. */
function withOwnInterfaces(config: string): string {
  const out = config.replace(/(<interfaces>[\s\S]*?)(<\/interfaces>)/, `$1${OWN_INTERFACES}$2`);
  expect(out).toContain(OWN_INTERFACES);
  return out;
}

/**
 * `box` merged with `sections` (`privateKey`: their instance key) for `tag`, migrated and rendered with OPNsense's own
 * dnsmasq templates in `work` (setup.sh has run for `tag`): merge's warnings, the merged config, dnsmasq.conf, the
 * rc.conf.d file, Unbound's switch after the migrations, and its port and interface: lines (unboundOnBox()).
 */
async function renderedMerge(
  box: string,
  sections: XmlElement[],
  privateKey: string,
  tag: string,
  work: string,
  name: string,
): Promise<{ warnings: string[]; config: string; conf: string; rc: string; unbound: string; errors: string[]; port: string; binds: string[] }> {
  const warnings: string[] = [];
  const config = mergeConfig(withBoxCa(box), sections, { placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, allowGuiPortConflict: true, warn: (m) => warnings.push(m), release: tag });
  const { enabled, errors, port, binds } = unboundOnBox(config, tag, work, name, env);
  const out = join(work, `${name}-root`);
  const r = await renderTemplate(join(env.OPNSENSE_PHP_CACHE, tag, 'root'), join(work, `${name}-migrated.xml`), out, 'OPNsense.Dnsmasq');
  expect(r.status, r.stderr).toBe(0);
  return { warnings, config, conf: readFileSync(join(out, 'usr/local/etc/dnsmasq.conf'), 'utf8'), rc: readFileSync(join(out, 'etc/rc.conf.d/dnsmasq'), 'utf8'), unbound: enabled, errors, port, binds };
}

/**
 * The lines of a rendered dnsmasq.conf (`conf`) the real dnsmasq (`binary`: Debian's, or one of dnsmasq-binaries.ts)
 * refuses (`dnsmasq --test`), each with what it prints: it stops at the first, which is blanked for the next run.
 * conf-dir= names a directory of the box, an empty one in `work` here.
 */
function refusedLines(conf: string, work: string, binary = 'dnsmasq'): { prints: string; line: string }[] {
  const dir = join(work, 'dnsmasq.conf.d');
  mkdirSync(dir, { recursive: true });
  expect(conf.match(/^conf-dir=.*$/gm)).toEqual(['conf-dir=/usr/local/etc/dnsmasq.conf.d,*.conf']);
  const lines = conf.split('\n').map((l) => (l.startsWith('conf-dir=') ? `conf-dir=${dir},*.conf` : l));
  const file = join(work, 'dnsmasq-test.conf');
  const out: { prints: string; line: string }[] = [];
  for (;;) {
    writeFileSync(file, lines.join('\n'));
    const run = spawnSync(binary, ['--test', `--conf-file=${file}`], { encoding: 'utf8' });
    if (run.status === 0) return out;
    const m = /^dnsmasq: (.*) at line (\d+) of /m.exec(run.stderr);
    expect(m, run.stderr).not.toBeNull();
    out.push({ prints: m![1]!, line: lines[Number(m![2]) - 1]! });
    lines[Number(m![2]) - 1] = '';
    expect(out.length).toBeLessThan(40);
  }
}

/**
 * The DHCP a rendered dnsmasq.conf (`text`) serves: the devices it listens on (interface=, less except-interface=;
 * none listed: every device), those it excepts from DHCP (no-dhcp-interface=), each dhcp-range line's interface tag
 * (`device`; none: any interface), the tag it sets and its first address, with whether dnsmasq hands out leases from
 * it (a tagged one on a device it listens on and does not except, an untagged one where any device is so), and each
 * dhcp-option line's parts.
 */
function dnsmasqConfDhcp(text: string): { listening: string[]; noDhcp: string[]; ranges: { device?: string; set?: string; start: string; served: boolean; words: string[] }[]; options: string[][] } {
  const conf = text.split('\n');
  const values = (key: string) => conf.filter((l) => l.startsWith(`${key}=`)).flatMap((l) => l.slice(key.length + 1).split(',')).filter(Boolean);
  const listed = conf.some((l) => l.startsWith('interface='));
  const listening = values('interface').filter((d) => !values('except-interface').includes(d));
  const noDhcp = values('no-dhcp-interface');
  const servesOn = (device: string) => (!listed || listening.includes(device)) && !noDhcp.includes(device);
  const parts = (key: string) => conf.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1).split(','));
  const ranges = parts('dhcp-range').map((p) => {
    const device = p.find((x) => x.startsWith('tag:'))?.slice(4);
    const served = device === undefined ? !listed || listening.some((d) => !noDhcp.includes(d)) : servesOn(device);
    return { device, set: p.find((x) => x.startsWith('set:'))?.slice(4), start: p.find((x) => !/^(tag|set|constructor):/.test(x))!, served, words: p };
  });
  return { listening, noDhcp, ranges, options: parts('dhcp-option') };
}

/** A DNS message's first question name. */
function questionName(message: Buffer): string {
  return readName(message, 12)[0].toLowerCase();
}

/**
 * UDP responders on free ports of 127.0.0.1, one per name, for `use`: each answers any A query with 192.0.2.<n> and
 * records the names it was asked (`asked`: name to the responders asked); closed after.
 */
async function withResponders<T>(names: string[], use: (ports: Record<string, number>, asked: Map<string, string[]>) => Promise<T>): Promise<T> {
  const asked = new Map<string, string[]>();
  const sockets = await Promise.all(
    names.map(
      (who, i) =>
        new Promise<[string, ReturnType<typeof createSocket>]>((done) => {
          const socket = createSocket('udp4');
          socket.on('message', (query, from) => {
            const name = questionName(query);
            asked.set(name, [...(asked.get(name) ?? []), who]);
            const question = query.subarray(12, readName(query, 12)[1] + 4);
            const header = Buffer.from([query[0]!, query[1]!, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
            const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, i + 1]);
            socket.send(Buffer.concat([header, question, answer]), from.port, from.address);
          });
          socket.bind(0, '127.0.0.1', () => done([who, socket]));
        }),
    ),
  );
  try {
    return await use(Object.fromEntries(sockets.map(([who, s]) => [who, s.address().port])), asked);
  } finally {
    for (const [, s] of sockets) s.close();
  }
}

/** A real dnsmasq on a free port of 127.0.0.1 with `lines` and no other upstream, for `use`; stopped after. */
async function withDnsmasq<T>(work: string, name: string, lines: string[], use: (port: number) => Promise<T>): Promise<T> {
  const port = await freeUdpPort();
  const conf = join(work, `${name}.conf`);
  writeFileSync(conf, [`port=${port}`, 'listen-address=127.0.0.1', 'bind-interfaces', 'no-resolv', 'no-hosts', 'pid-file=', ...lines].join('\n') + '\n');
  const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
  return serving(spawn('dnsmasq', ['-k', '-C', conf, `--user=${userInfo().username}`, `--group=${group}`], { stdio: 'ignore' }), `dnsmasq (${name})`, port, use);
}

describe.skipIf(why)(`Unbound host overrides on OPNsense's own code${why ? ` (skipped: ${why})` : ''}`, () => {
  afterAll(() => closeTemplateServers());
  it.each(UPSTREAM_RELEASES)('$tag: migrations keep Unbound enabled, validation passes, and Unbound gets an A record per name', async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-');
    const config = await mergedFactoryConfig(answered, tag, release, coreGit!);
    const wan = /<wan>[\s\S]*?<ipaddr>([^<]+)<\/ipaddr>/.exec(config)![1]!;
    const box = unboundOnBox(config, tag, work, 'merged', env);
    expect(box.errors.filter((e) => e.includes('Unbound'))).toEqual([]);
    expect(box.enabled).toBe('1');
    expect(box.version).toBe(releaseFacts(tag)!.versions.unbound);
    for (const name of ['cloud.example.org', 'media.example.org']) {
      expect(box.entries).toContainEqual(expect.stringMatching(new RegExp(`^local-data: "${name.replace(/\./g, '\\.')}\\s+IN A ${wan.replace(/\./g, '\\.')}"$`)));
    }
    // No PTR record for the firewall's address under a site's name where the model can say so (addptr, from 26.1.3);
    // 25.7's code gives the first override of an address one, as it does for any override.
    const ptrs = box.entries.filter((e) => e.startsWith('local-data-ptr') && e.includes(wan));
    const fields = releaseFacts(tag)!.fields('unbound')!;
    expect(ptrs.length).toBe(fieldNode(fields, 'hosts.host.addptr') === undefined ? 1 : 0);

    // The hazard the unversioned root avoids: with the model's version, the migration that moves the legacy switch is skipped.
    const versioned = unboundOnBox(config.replace('<unboundplus>', `<unboundplus version="${releaseFacts(tag)!.versions.unbound}">`), tag, work, 'versioned', env);
    expect(versioned.enabled).toBe('0');
  });

  // Unbound itself on the host entries OPNsense writes: a name of gen's below the box's wildcard (a redirect zone) is a
  // fatal configuration error, and Unbound would not start.
  // Where Unbound answers on port 53 (unboundDnsAt()), against the interface: lines OPNsense's own code writes into
  // unbound.conf for the box's own devices (the harness gives each interface its static addresses, lo0 127.0.0.1):
  // the wildcard with no Network Interfaces chosen, else the loopback and the chosen interfaces' addresses.
  it.each(UPSTREAM_RELEASES)("$tag: Unbound answers where OPNsense's unbound.conf binds it", async ({ tag, release }) => {
    const work = tempDir('gen-split-dns-bind-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const version = releaseFacts(tag)!.versions.unbound!;
    const base = factoryConfig(coreGit!, tag).replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, '');
    const bound = (interfaces: string) => {
      const own = `<unboundplus version="${version}"><general><enabled>1</enabled><port>53</port><active_interface>${interfaces}</active_interface></general></unboundplus>`;
      const box = base.includes('<OPNsense>') ? base.replace('<OPNsense>', `<OPNsense>${own}`) : base.replace('</opnsense>', `<OPNsense>${own}</OPNsense></opnsense>`);
      const config = mergeConfig(withBoxCa(box), sections, { placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, allowGuiPortConflict: true, warn: () => {} });
      const at = unboundDnsAt(parseXml(config).root);
      return { binds: unboundOnBox(config, tag, work, `bind-${interfaces.replace(/,/g, '-') || 'all'}`, env).binds, every: at.every, written: [...at.written].sort() };
    };
    expect(bound('')).toEqual({ binds: ['interface: 0.0.0.0', 'interface: ::', 'interface-automatic: yes'], every: true, written: [] });
    const lan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    const { binds, every, written } = bound('lan');
    expect(binds).toContain(`interface: ${lan}`);
    expect(binds[0]).toBe('interface: 127.0.0.1');
    expect({ every, written }).toEqual({ every: false, written: binds.slice(1).map((b) => b.replace('interface: ', '')).sort() });
  });

  const whyCheckconf = missing(['unbound-checkconf'], false);
  it.skipIf(whyCheckconf).each(UPSTREAM_RELEASES)(titled("$tag: Unbound takes the host entries of a box with a wildcard override over gen's names", whyCheckconf), async ({ tag, release }) => {
    const work = tempDir('gen-split-dns-wildcard-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const factory = factoryConfig(coreGit!, tag);
    const version = releaseFacts(tag)!.versions.unbound!;
    const addptr = fieldNode(releaseFacts(tag)!.fields('unbound')!, 'hosts.host.addptr') !== undefined;
    // general as the GUI saves it: unbound_add_host_entries() reads local_zone_type from the config, not the model's default.
    const own = `<unboundplus version="${version}"><general><enabled>1</enabled><local_zone_type>transparent</local_zone_type></general><hosts>${wildcardHost('example.org', '10.10.20.10', addptr)}</hosts></unboundplus>`;
    const base = factory.replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, '');
    const box = base.includes('<OPNsense>') ? base.replace('<OPNsense>', `<OPNsense>${own}`) : base.replace('</opnsense>', `<OPNsense>${own}</OPNsense></opnsense>`);
    const config = mergeConfig(withBoxCa(box), sections, { placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, allowGuiPortConflict: true, warn: () => {} });
    const { entries, zones } = unboundOnBox(config, tag, work, 'wildcard', env);
    expect(zones).toContain('local-zone: "example.org" redirect');
    expect(entries).toContainEqual(expect.stringMatching(/^local-data: "example\.org\s+IN A 10\.10\.20\.10"$/));
    writeFileSync(join(work, 'hosts.conf'), zones.concat(entries).join('\n') + '\n');
    writeFileSync(join(work, 'unbound.conf'), `server:\n  chroot: ""\n  username: ""\n  directory: "${work}"\n  pidfile: "${work}/unbound.pid"\n  include: "${work}/hosts.conf"\n`);
    const check = spawnSync('unbound-checkconf', [join(work, 'unbound.conf')], { encoding: 'utf8' });
    expect(check.stderr).not.toMatch(/error:/);
    expect(check.status).toBe(0);
  });

  // Where the model has no addptr (25.7, 26.1.0 to 26.1.2), OPNsense gives an address the PTR record of its first A
  // override, unless the address has one already (unbound_add_host_entries(): $ptr_records). Real Unbound on the host
  // entries OPNsense writes: inside, the firewall's WAN address reverse-resolves to the first HAProxy name, and only
  // there; the names still resolve to it. docs/opnsense.md says so.
  const whyPtr = missing(['unbound'], false);
  it.skipIf(whyPtr).each(UPSTREAM_RELEASES)(titled("$tag: Unbound answers the WAN address's PTR with the first name only where the model has no addptr", whyPtr), async ({ tag, release }) => {
    const work = tempDir('gen-split-dns-ptr-');
    const config = await mergedFactoryConfig(answered, tag, release, coreGit!);
    const wan = /<wan>[\s\S]*?<ipaddr>([^<]+)<\/ipaddr>/.exec(config)![1]!;
    const { entries, zones } = unboundOnBox(config, tag, work, 'ptr', env);
    const addptr = fieldNode(releaseFacts(tag)!.fields('unbound')!, 'hosts.host.addptr') !== undefined;
    const lines = zones.concat(entries).map((l) => `  ${l}\n`).join('');
    const seen = await withUnbound(work, `ptr-${tag}`, lines, async (port) => {
      const reverse = await ask(port, `${wan.split('.').reverse().join('.')}.in-addr.arpa`, 1500, 12);
      const names = await Promise.all(['cloud.example.org', 'media.example.org'].map(async (n) => [...((await ask(port, n, 1500)) ?? Buffer.alloc(4)).subarray(-4)].join('.')));
      return { ptr: reverse === undefined ? [] : answersOf(reverse, 12), names };
    });
    const first = hostsOf(await fragments(answered, 'home')).map((h: { hostname: string; domain: string }) => `${h.hostname}.${h.domain}`)[0];
    expect(seen).toEqual({ ptr: addptr ? [] : [first], names: [wan, wan] });
  });

  // A box whose Unbound is off answers none of gen's overrides: merge says so exactly when OPNsense's own model
  // (after the merged config's migrations) has Unbound disabled, whichever switch the box's config holds.
  it.each(UPSTREAM_RELEASES)("$tag: merge says so when the box's Unbound is disabled, and only then", async ({ tag, release }) => {
    const work = tempDir('gen-split-dns-off-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const factory = factoryConfig(coreGit!, tag);
    const version = releaseFacts(tag)!.versions.unbound!;
    const boxes: Record<string, string> = {
      factory,
      'legacy switch off': factory.replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, '<unbound></unbound>'),
      'model switch off': withUnboundModel(factory, version, '<enabled>0</enabled>'),
      'model switch on': withUnboundModel(factory.replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, ''), version, '<enabled>1</enabled>'),
    };
    for (const [name, base] of Object.entries(boxes)) expect(base).not.toBe(name === 'factory' ? '' : factory);
    const seen = Object.fromEntries(
      Object.entries(mergedOnBoxes(boxes, sections, privateKey, tag, work)).map(([name, { box, warnings }]) => [name, [box.enabled, warnings.some((w) => w.includes('Unbound DNS is disabled') && w.includes('cloud.example.org'))]]),
    );
    expect(seen).toEqual({ factory: ['1', false], 'legacy switch off': ['0', true], 'model switch off': ['0', true], 'model switch on': ['1', false] });
  });

  // What runs is what rc.conf.d says (dnsmasq_enable="YES" unless helpers.empty('dnsmasq.enable')); the model's
  // BooleanField refuses anything but 0 and 1 only when it is saved, so a hand-edited or restored value counts as
  // the template reads it.
  it.each(UPSTREAM_RELEASES)("$tag: dnsmasqEnabled() is on exactly where OPNsense's rc.conf.d template starts dnsmasq", async ({ tag }) => {
    const work = templateWork(tag, 'gen-split-dns-enabled-');
    const factory = factoryConfig(coreGit!, tag);
    const switches: Record<string, string> = { one: '<enable>1</enable>', zero: '<enable>0</enable>', empty: '<enable/>', spaced: '<enable> 1 </enable>', 'spaced zero': '<enable> 0\n</enable>', yes: '<enable>yes</enable>', two: '<enable>2</enable>', none: '' };
    const seen: Record<string, [boolean, boolean]> = {};
    for (const [name, field] of Object.entries(switches)) {
      // 25.7's factory dnsmasq has no <dhcp>, which its dnsmasq.conf template reads (the box's model writes one).
      const config = factory.replace(/(<dnsmasq>\s*)<enable>1<\/enable>/, `$1${field}`).replace(/<dnsmasq>(?![\s\S]*?<dhcp>[\s\S]*?<\/dnsmasq>)/, '<dnsmasq><dhcp><enable_ra>0</enable_ra></dhcp>');
      expect(config.includes(`\n    ${field}`), name).toBe(true);
      const file = join(work, `${name.replace(/ /g, '-')}.xml`);
      writeFileSync(file, config);
      const out = join(work, `${name.replace(/ /g, '-')}-root`);
      const r = await renderTemplate(join(env.OPNSENSE_PHP_CACHE, tag, 'root'), file, out, 'OPNsense.Dnsmasq');
      expect(r.status, r.stderr).toBe(0);
      const rc = readFileSync(join(out, 'etc/rc.conf.d/dnsmasq'), 'utf8');
      seen[name] = [rc.includes('dnsmasq_enable="YES"'), dnsmasqEnabled(child(parseXml(config).root, 'dnsmasq'))];
    }
    // The template's answer, and the function's: the same for each, and not the same for all.
    for (const [name, [template, ours]] of Object.entries(seen)) expect(ours, name).toBe(template);
    expect(Object.entries(seen).filter(([, [on]]) => on).map(([name]) => name)).toEqual(['one', 'spaced', 'yes', 'two']);
  });

  // An interface list of only unassigned keys: helpers.physical_interfaces() skips them all and the template writes an
  // empty interface= line, which dnsmasq reads as an interface of no name (option.c if_names_add()) that matches no
  // device (network.c iface_check()): it serves DHCP nowhere, not everywhere. servedRanges() agrees with the rendered
  // dnsmasq.conf, for that list and for one with an assigned interface beside it.
  it.each(UPSTREAM_RELEASES)("$tag: servedRanges() serves what the rendered dnsmasq.conf serves when its interfaces are not assigned", async ({ tag }) => {
    const work = templateWork(tag, 'gen-split-dns-unassigned-');
    const factory = withOwnInterfaces(factoryConfig(coreGit!, tag));
    const ranges = dnsmasqRange(1, 'opt5', '10.55.0.100', '10.55.0.199', '') + dnsmasqRange(2, '', '10.58.0.100', '10.58.0.199', '') + dnsmasqRange(3, 'opt9', '10.59.0.100', '10.59.0.199', '');
    const seen: Record<string, { line: string[]; ours: string[]; rendered: string[] }> = {};
    for (const list of ['opt9', 'opt9,opt5']) {
      const config = factory.replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><interface>${list}</interface><dhcp><enable_ra>0</enable_ra></dhcp>${ranges}</dnsmasq>`);
      expect(config).toContain(ranges);
      const file = join(work, `${list.replace(',', '-')}.xml`);
      writeFileSync(file, config);
      const out = join(work, `${list.replace(',', '-')}-root`);
      const r = await renderTemplate(join(env.OPNSENSE_PHP_CACHE, tag, 'root'), file, out, 'OPNsense.Dnsmasq');
      expect(r.status, r.stderr).toBe(0);
      const conf = readFileSync(join(out, 'usr/local/etc/dnsmasq.conf'), 'utf8');
      seen[list] = {
        line: conf.match(/^interface=.*$/gm) ?? [],
        ours: servedRanges(parseXml(config).root).map((range) => textOf(child(range, 'start_addr'))),
        rendered: dnsmasqConfDhcp(conf).ranges.filter((l) => l.served).map((l) => l.start),
      };
    }
    expect(seen).toEqual({
      opt9: { line: ['interface='], ours: [], rendered: [] },
      'opt9,opt5': { line: ['interface=vtnet5'], ours: ['10.55.0.100', '10.58.0.100'], rendered: ['10.55.0.100', '10.58.0.100'] },
    });
  });

  // Strict interface binding: the template writes bind-interfaces for strictbind 1 alone, beside interface= with the
  // devices of the listed interfaces, and dnsmasq then answers DNS only at the addresses of those devices
  // (dnsmasq-bound.ts; dnsmasq-source.test.ts pins it in dnsmasq's code): with Unbound off, merge names the ranges whose
  // DNS option hands out only addresses of the box's other interfaces (opt7's, written out), not one of the listed
  // opt5's nor the template's 0.0.0.0 (opt5's own), nor one beside an address that answers; with the wildcard none.
  // A disabled interface (opt6: no <enable>) is in interface= all the same, but its device has no address: its range
  // serves no client, and with dnsmasq's DNS off merge names it not.
  it.each(UPSTREAM_RELEASES)('$tag: merge names the ranges that hand out addresses dnsmasq binds none of with Strict interface binding, and none on a disabled interface', async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-strictbind-');
    const { sections, privateKey } = await releaseSections(family, release);
    const factory = factoryConfig(coreGit!, tag);
    const tags = [1, 2, 3, 4].map((n) => `11111111-2222-4333-8444-7b000000000${n}`);
    const option = (n: number, t: string, value: string, option6 = '') =>
      `<dhcp_options uuid="11111111-2222-4333-8444-3b000000000${n}"><type>set</type><option>${option6 ? '' : '6'}</option><option6>${option6}</option6><interface/><tag>${t}</tag><set_tag/>` +
      `<value>${value}</value><force>0</force><description/></dhcp_options>`;
    const tagged = (range: string, t: string) => range.replace('<set_tag/>', `<set_tag>${t}</set_tag>`);
    const ranges =
      tagged(dnsmasqRange(1, 'opt5', '10.55.0.100', '10.55.0.199', ''), tags[0]!) + // opt7's address
      tagged(dnsmasqRange(2, 'opt5', '10.55.1.100', '10.55.1.199', ''), tags[1]!) + // opt5's own address
      tagged(dnsmasqRange(3, 'opt5', '10.55.2.100', '10.55.2.199', ''), tags[2]!) + // both
      dnsmasqRange(4, 'opt5', '10.55.3.100', '10.55.3.199', '') + // the template's 0.0.0.0
      tagged(dnsmasqRange(5, 'opt5', 'fd00:55::1000', 'fd00:55::2000', ''), tags[3]!) + // opt7's IPv6 address
      dnsmasqRange(6, 'opt6', '10.56.0.100', '10.56.0.199', ''); // on the disabled opt6
    const options = option(1, tags[0]!, '10.57.0.1') + option(2, tags[1]!, '10.55.0.1') + option(3, tags[2]!, '10.57.0.1,10.55.0.1') + option(4, tags[3]!, '[fd00:57::1]', '23');
    const interfaces = withOwnInterfaces(withUnboundModel(factory, releaseFacts(tag)!.versions.unbound!, '<enabled>0</enabled>'))
      .replace('<descr>box5</descr>', '<descr>box5</descr><ipaddr>10.55.0.1</ipaddr><subnet>16</subnet><ipaddrv6>fd00:55::1</ipaddrv6><subnetv6>64</subnetv6>')
      .replace('<descr>box7</descr>', '<descr>box7</descr><ipaddr>10.57.0.1</ipaddr><subnet>24</subnet><ipaddrv6>fd00:57::1</ipaddrv6><subnetv6>64</subnetv6>')
      .replace('<opt6><if>vtnet6</if><enable>1</enable><descr>box6</descr>', '<opt6><if>vtnet6</if><descr>box6</descr><ipaddr>10.56.0.1</ipaddr><subnet>24</subnet>');
    expect(interfaces).toContain('<opt6><if>vtnet6</if><descr>box6</descr><ipaddr>');
    const seen: Record<string, { bind: boolean; listening: string[]; tagged: string[]; named: string[] }> = {};
    for (const [name, settings] of Object.entries({ strict: '<strictbind>1</strictbind>', wildcard: '<strictbind>0</strictbind>', 'strict, DNS off': '<port>0</port><strictbind>1</strictbind>' })) {
      const dnsmasq = `<dnsmasq version="${releaseFacts(tag)!.versions.dnsmasq!}"><enable>1</enable>${settings}<interface>opt5,opt6</interface>${ranges}${options}</dnsmasq>`;
      const box = interfaces.replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq);
      expect(box).toContain(dnsmasq);
      const { warnings, conf, unbound } = await renderedMerge(box, sections, privateKey, tag, work, `strictbind-${name.replace(/[ ,]+/g, '-')}`);
      expect(unbound, name).toBe('0');
      const { listening, ranges: rendered } = dnsmasqConfDhcp(conf);
      seen[name] = {
        bind: /^bind-interfaces$/m.test(conf),
        listening: listening.sort(),
        tagged: rendered.filter((l) => l.device === 'vtnet6').map((l) => l.start),
        named: warnings.flatMap((w) => (w.includes('hands out the firewall') ? /DNS server on (.*?): clients there/.exec(w)![1]!.split(', ') : [])).sort(),
      };
      expect(/^port=0$/m.test(conf), name).toBe(name.includes('DNS off'));
    }
    // The template lists the disabled opt6's device and tags its range with it: dnsmasq finds no address there.
    const listening = ['vtnet1', 'vtnet5', 'vtnet6'];
    expect(seen).toEqual({
      strict: { bind: true, listening, tagged: ['10.56.0.100'], named: ['opt5', 'opt5 (IPv6)'] },
      wildcard: { bind: false, listening, tagged: ['10.56.0.100'], named: [] },
      'strict, DNS off': { bind: true, listening, tagged: ['10.56.0.100'], named: ['lan', 'opt5', 'opt5 (IPv6)'] },
    });
  });

  // A box whose dnsmasq is off keeps its DHCP ranges; merge turns dnsmasq on for gen's DHCP, and each range the
  // rendered dnsmasq.conf hands out leases from starts serving: a dhcp-range line (tag:<device>, or no tag: any
  // interface) on a device dnsmasq listens on (interface=, less except-interface=) and does not except from DHCP
  // (no-dhcp-interface=). The ranges merge names are exactly those, from OPNsense's own migrations and template.
  it.each(UPSTREAM_RELEASES)("$tag: merge names exactly the box's ranges the rendered dnsmasq.conf starts serving", async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-woken-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const factory = factoryConfig(coreGit!, tag);
    // The box's own interfaces opt5 to opt7 (OWN_INTERFACES); opt9 is named but not assigned.
    const ranges = [
      dnsmasqRange(1, 'opt5', '10.55.0.100', '10.55.0.199', ''), // listened on, not gen's
      dnsmasqRange(2, 'opt7', '10.57.0.100', '10.57.0.199', ''), // not listened on
      dnsmasqRange(3, 'opt6', '10.56.0.100', '10.56.0.199', ''), // excepted from DHCP
      dnsmasqRange(4, '', '10.58.0.100', '10.58.0.199', ''), // of no interface
      dnsmasqRange(5, 'opt9', '10.59.0.100', '10.59.0.199', ''), // an interface no longer assigned
      dnsmasqRange(6, 'opt1', '10.10.10.100', '10.10.10.199', ''), // gen's interface without DHCP
      dnsmasqRange(7, 'lan', 'fd00::1000', 'fd00::2000', ''), // gen's DHCP interface, IPv6
    ].join('');
    const settings = '<port>0</port><interface>lan,opt1,opt5,opt6,opt9</interface><dhcp><no_interface>opt6</no_interface></dhcp>';
    const withDnsmasq = (dnsmasq: string) => withOwnInterfaces(factory).replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq);
    const boxes: Record<string, string> = {
      // Off, with the model's version: no migration runs.
      'switch off': withDnsmasq(`<dnsmasq version="${releaseFacts(tag)!.versions.dnsmasq!}"><enable>0</enable>${settings}${ranges}</dnsmasq>`),
      // No switch at all, unversioned as the factory's: the box migrates it on its first boot.
      'no switch': withDnsmasq(`<dnsmasq>${settings}${ranges}</dnsmasq>`),
    };
    const starts = [...ranges.matchAll(/<start_addr>([^<]*)<\/start_addr>/g)].map((m) => m[1]!);
    for (const [name, base] of Object.entries(boxes)) {
      expect(base, name).toContain(ranges);
      const { warnings, conf, rc } = await renderedMerge(base, sections, privateKey, tag, work, name.replace(/ /g, '-'));
      expect(rc, name).toContain('dnsmasq_enable="YES"');
      const { ranges: rendered, listening, noDhcp } = dnsmasqConfDhcp(conf);
      const served = rendered.filter((l) => starts.includes(l.start) && l.served).map((l) => l.start);
      const named = warnings.flatMap((w) => /^the box's dnsmasq DHCP range (\S+)-\S+ .* starts serving/.exec(w)?.[1] ?? []);
      expect(named.sort(), name).toEqual(served.sort());
      // Each case is there as meant: every range of the box is rendered, the unassigned opt9's tagged with its key;
      // dnsmasq listens on opt5 and opt6 but not on opt7 (vtnet7) or opt9, and excepts opt6 from DHCP.
      expect(rendered.filter((l) => starts.includes(l.start)).map((l) => `${l.device ?? ''} ${l.start}`).sort(), name).toEqual(
        ['vtnet5 10.55.0.100', 'vtnet7 10.57.0.100', 'vtnet6 10.56.0.100', ' 10.58.0.100', 'opt9 10.59.0.100', 'vtnet2 10.10.10.100', 'vtnet1 fd00::1000'].sort(),
      );
      expect(listening.sort(), name).toEqual(['vtnet1', 'vtnet2', 'vtnet5', 'vtnet6']);
      expect(noDhcp, name).toEqual(['vtnet6']);
    }
  });

  // With Unbound off and dnsmasq's DNS off, each range dnsmasq.conf serves with its default dhcp-option=6,0.0.0.0, or
  // for IPv6 the dhcp-option=option6:23,[::] of 26.1 on (no DNS option line all of whose tags its request carries,
  // none for all) hands out the firewall, where nothing answers: gen's and the box's own alike. merge names exactly
  // those, from OPNsense's own migrations and template.
  it.each(UPSTREAM_RELEASES)("$tag: merge names exactly the ranges the rendered dnsmasq.conf hands out the firewall as DNS server from, with nothing answering", async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-firewall-dns-');
    const { sections, privateKey } = await releaseSections(family, release);
    const factory = factoryConfig(coreGit!, tag);
    const setTag = '11111111-2222-4333-8444-7a0000000001';
    const bothTag = '11111111-2222-4333-8444-7a0000000002';
    const opt8Tag = '11111111-2222-4333-8444-7a0000000008';
    const bothTag6 = '11111111-2222-4333-8444-7a0000000003';
    const fwTag = '11111111-2222-4333-8444-7a0000000004';
    const fwTag6 = '11111111-2222-4333-8444-7a0000000005';
    const option = (n: number, iface: string, optionTag: string, option6 = '', value = option6 ? '[fd00::53]' : '9.9.9.9') =>
      `<dhcp_options uuid="11111111-2222-4333-8444-3${n.toString(16).padStart(11, '0')}"><type>set</type><option>${option6 ? '' : '6'}</option><option6>${option6}</option6><interface>${iface}</interface><tag>${optionTag}</tag><set_tag/>` +
      `<value>${value}</value><force>0</force><description/></dhcp_options>`;
    const tagged = (range: string, t: string) => range.replace('<set_tag/>', `<set_tag>${t}</set_tag>`);
    const advertised = (range: string, mode: string) => range.replace('<ra_mode/>', `<ra_mode>${mode}</ra_mode>`);
    const ra9Tag = '11111111-2222-4333-8444-7a0000000009';
    const [ra14Tag, ra15Tag] = ['11111111-2222-4333-8444-7a0000000014', '11111111-2222-4333-8444-7a0000000015'];
    const [own4Tag, vip4Tag, own6Tag, mixedTag] = ['11111111-2222-4333-8444-7a0000000023', '11111111-2222-4333-8444-7a0000000024', '11111111-2222-4333-8444-7a0000000025', '11111111-2222-4333-8444-7a0000000026'];
    const lanAddress = doc(await fragments(family, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    const [ra10Tag, ra10Other] = ['11111111-2222-4333-8444-7a0000000010', '11111111-2222-4333-8444-7a0000000011'];
    const dhcp16Tag = '11111111-2222-4333-8444-7a0000000016';
    const stateless18Tag = '11111111-2222-4333-8444-7a0000000018';
    const ranges =
      dnsmasqRange(1, 'opt5', '10.55.0.100', '10.55.0.199', '') + // listened on: the firewall
      dnsmasqRange(2, 'opt7', '10.57.0.100', '10.57.0.199', '') + // not listened on
      dnsmasqRange(3, '', '10.58.0.100', '10.58.0.199', '') + // of no interface: opt6's option 6 on opt6, the firewall elsewhere
      dnsmasqRange(4, 'opt6', '10.56.0.100', '10.56.0.199', '') + // its interface's option 6
      tagged(dnsmasqRange(5, 'opt5', '10.55.1.100', '10.55.1.199', ''), setTag) + // its tag's option 6
      tagged(dnsmasqRange(6, 'opt5', '10.55.2.100', '10.55.2.199', ''), bothTag) + // the option 6 of its interface and its tag
      tagged(dnsmasqRange(10, 'opt8', '10.58.8.100', '10.58.8.199', ''), opt8Tag) + // opt8's only one: the option 6 of opt8 and its tag
      dnsmasqRange(7, 'opt5', 'fd00:55::1000', 'fd00:55::2000', '') + // IPv6: no option 23, the firewall where the template says so
      tagged(dnsmasqRange(8, 'opt6', 'fd00:56::1000', 'fd00:56::2000', ''), bothTag6) + // IPv6: the option 23 of its interface and its tag
      tagged(dnsmasqRange(11, 'opt8', 'fd00:58::1000', 'fd00:58::2000', ''), opt8Tag) + // opt8's only IPv6 one: the option 23 of opt8 and its tag
      tagged(dnsmasqRange(12, 'opt8', '10.58.9.100', '10.58.9.199', ''), fwTag) + // opt8: its tag's option 6 is the firewall (0.0.0.0)
      tagged(dnsmasqRange(13, 'opt8', 'fd00:58:1::1000', 'fd00:58:1::2000', ''), fwTag6) + // opt8 IPv6: its tag's option 23 is the firewall ([::])
      dnsmasqRange(14, '', 'fd00:59::1000', 'fd00:59::2000', '') + // IPv6 of no interface: served on opt5 only (its network's), the firewall where the template says so
      dnsmasqRange(9, 'opt6', 'fd00:56:1::1000', 'fd00:56:1::2000', '') + // IPv6 on opt6 without that tag: the firewall where the template says so
      // opt9: an advertised range whose tag's option 23 is a server, and one advertised only (no DHCPv6), without a tag:
      // its clients get the RDNSS of the link's tags, that option's server.
      advertised(tagged(dnsmasqRange(15, 'opt9', 'fd00:59:1::1000', 'fd00:59:1::2000', ''), ra9Tag), 'ra-names') +
      advertised(dnsmasqRange(16, 'opt9', 'fd00:59:2::', '', ''), 'slaac') +
      // opt10: two advertised ranges, each its tag's option 23 a server by DHCPv6, and an option 23 of both tags the
      // firewall: the link carries both, and its RDNSS is that line, the last of the three.
      advertised(tagged(dnsmasqRange(17, 'opt10', 'fd00:5a:1::1000', 'fd00:5a:1::2000', ''), ra10Tag), 'ra-names') +
      advertised(tagged(dnsmasqRange(18, 'opt10', 'fd00:5a:2::1000', 'fd00:5a:2::2000', ''), ra10Other), 'ra-names') +
      // An advertised range of opt12 (which dnsmasq does not listen on) in opt11's network, and one of opt12 constructed
      // on opt13: radv.c advertises each on the link of the addresses, where that interface's option 23 is the firewall.
      advertised(dnsmasqRange(19, 'opt12', '2001:db8:5b::', '', ''), 'slaac') +
      advertised(dnsmasqRange(20, 'opt12', '::1000', '::2000', ''), 'ra-names').replace('<constructor/>', '<constructor>opt13</constructor>') +
      // opt14 has a ULA only, opt15 a global address only: radv.c drops the [::] and the [fd00::] of their ranges' tags'
      // option 23, and the router advertisement carries no RDNSS.
      advertised(tagged(dnsmasqRange(21, 'opt14', 'fd00:5e::', '', ''), ra14Tag), 'slaac') +
      advertised(tagged(dnsmasqRange(22, 'opt15', '2001:db8:5f::', '', ''), ra15Tag), 'slaac') +
      // Options naming the box's own addresses written out: gen's LAN address (opt11), an IP alias VIP of opt11 (opt13),
      // opt13's static IPv6 address (opt15's DHCPv6 range), and the VIP beside another server (opt15's IPv4 range).
      tagged(dnsmasqRange(23, 'opt11', '10.61.0.100', '10.61.0.199', ''), own4Tag) +
      tagged(dnsmasqRange(24, 'opt13', '10.63.0.100', '10.63.0.199', ''), vip4Tag) +
      tagged(dnsmasqRange(25, 'opt15', '2001:db8:5f::1000', '2001:db8:5f::2000', ''), own6Tag) +
      tagged(dnsmasqRange(26, 'opt15', '10.65.0.100', '10.65.0.199', ''), mixedTag) +
      // DHCPv6 (rfc3315.c, dhcp6.c): opt16's range, whose tag's option 23 is [fd00::] on a link with no ULA, gets no DNS
      // server; opt14's, whose tag's is [::] on a link with a ULA only, the firewall; opt17's, in opt11's network, is
      // served on no link (requests on opt11 do not carry its tag:vtnet17), though opt17's option 23 is [::].
      tagged(dnsmasqRange(27, 'opt16', '2001:db8:60::1000', '2001:db8:60::2000', ''), dhcp16Tag) +
      tagged(dnsmasqRange(28, 'opt14', 'fd00:5e::1000', 'fd00:5e::2000', ''), ra14Tag) +
      dnsmasqRange(29, 'opt17', '2001:db8:5b::3000', '2001:db8:5b::4000', '') +
      // An ra-stateless range of opt17 in the network of opt18 (a ULA only), its tag's option 23 [::]: its clients'
      // Information-request on opt18 gets that line (rfc3315.c: the only range of the link lends its tag, its
      // tag:vtnet17 is not read), the firewall, while the router advertisement drops [::] on a link with no global address.
      advertised(tagged(dnsmasqRange(30, 'opt17', 'fd00:62::', '', ''), stateless18Tag), 'ra-stateless');
    const options = option(1, 'opt6', '') + option(2, '', setTag) + option(3, 'opt5', bothTag) + option(5, 'opt8', opt8Tag) + option(4, 'opt6', bothTag6, '23') + option(6, 'opt8', opt8Tag, '23') + option(7, '', fwTag, '', '0.0.0.0') + option(8, '', fwTag6, '23', '[::]') + option(9, '', ra9Tag, '23') +
      option(10, '', ra10Tag, '23') + option(11, '', ra10Other, '23') + option(12, '', `${ra10Tag},${ra10Other}`, '23', '[::]') +
      option(13, 'opt11', '', '23', '[::]') + option(15, 'opt13', '', '23', '[::]') + option(16, '', ra14Tag, '23', '[::]') + option(17, '', ra15Tag, '23', '[fd00::]') +
      option(18, '', own4Tag, '', lanAddress) + option(19, '', vip4Tag, '', '10.61.0.1') + option(20, '', own6Tag, '23', '[2001:db8:5d::1]') + option(21, '', mixedTag, '', '10.61.0.1,9.9.9.9') +
      option(22, '', dhcp16Tag, '23', '[fd00::]') + option(23, 'opt17', '', '23', '[::]') + option(24, '', stateless18Tag, '23', '[::]');
    const dnsmasq = `<dnsmasq version="${releaseFacts(tag)!.versions.dnsmasq!}"><enable>0</enable><port>0</port><interface>lan,opt5,opt6,opt8,opt9,opt10,opt11,opt13,opt14,opt15,opt16,opt17,opt18</interface>${ranges}${options}</dnsmasq>`;
    // The IPv6 addresses of the box's interfaces (radv.c finds an advertised range's link by them, dhcp6.c a DHCPv6
    // one's): the first of each its static address, the others IP alias VIPs; opt5's, opt6's and opt8's all VIPs.
    const vipOnly6: Record<string, string[]> = {
      opt5: ['fd00:55::1/64', 'fd00:59::1/64'],
      opt6: ['fd00:56::1/64', 'fd00:56:1::1/64'],
      opt8: ['fd00:58::1/64', 'fd00:58:1::1/64'],
    };
    const addresses6: Record<string, string[]> = {
      opt9: ['2001:db8:59::1/64', 'fd00:59:1::1/64', 'fd00:59:2::1/64'],
      opt10: ['2001:db8:5a::1/64', 'fd00:5a:1::1/64', 'fd00:5a:2::1/64'],
      opt11: ['2001:db8:5b::1/64'],
      opt12: ['2001:db8:5c::1/64'],
      opt13: ['2001:db8:5d::1/64'],
      opt14: ['fd00:5e::1/64'],
      opt15: ['2001:db8:5f::1/64'],
      opt16: ['2001:db8:60::1/64'],
      opt17: ['2001:db8:61::1/64'],
      opt18: ['fd00:62::1/64'],
    };
    const static6 = (key: string) => {
      const [address, bits] = addresses6[key]?.[0]?.split('/') ?? [];
      return address ? `<ipaddrv6>${address}</ipaddrv6><subnetv6>${bits}</subnetv6>` : '';
    };
    const opt8 = '<opt8><if>vtnet8</if><enable>1</enable><descr>box8</descr></opt8>' + [9, 10, 11, 12, 13, 14, 15, 16, 17, 18].map((n) => `<opt${n}><if>vtnet${n}</if><enable>1</enable>${static6(`opt${n}`)}</opt${n}>`).join('');
    const vips = [...Object.entries(addresses6).map(([key, list]) => [key, list.slice(1)] as const), ...Object.entries(vipOnly6)].flatMap(([key, list]) =>
      list.map((a, i) => `<vip uuid="11111111-2222-4333-8444-9${key.slice(3).padStart(2, '0')}00000000${i}"><interface>${key}</interface><mode>ipalias</mode><subnet>${a.split('/')[0]}</subnet><subnet_bits>${a.split('/')[1]}</subnet_bits><type>single</type><descr/></vip>`),
    );
    const vip4 = '<vip uuid="11111111-2222-4333-8444-9a0000000001"><interface>opt11</interface><mode>ipalias</mode><subnet>10.61.0.1</subnet><subnet_bits>24</subnet_bits><type>single</type><descr/></vip>';
    const box = withOwnInterfaces(withUnboundModel(factory, releaseFacts(tag)!.versions.unbound!, '<enabled>0</enabled>'))
      .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq)
      .replace('</opt7>', `</opt7>${opt8}`)
      .replace('</opnsense>', `<virtualip>${vips.join('')}${vip4}</virtualip></opnsense>`);
    expect(box).toContain(dnsmasq);
    expect(box).toContain(opt8);
    expect(box.match(/<virtualip>/g)).toHaveLength(1);
    const { warnings, config, conf, rc, unbound } = await renderedMerge(box, sections, privateKey, tag, work, 'firewall-dns');
    expect([rc.includes('dnsmasq_enable="YES"'), unbound]).toEqual([true, '0']);
    expect(conf).toMatch(/^port=0$/m);
    const { ranges: rendered, options: lines, listening, noDhcp } = dnsmasqConfDhcp(conf);
    // The DNS option lines (6; option6:23 for IPv6), with their tags.
    const dns = lines.map((parts) => {
      const at = parts.findIndex((p) => !p.startsWith('tag:'));
      return { tags: parts.slice(0, at).map((p) => p.slice(4)), code: parts[at], value: parts.slice(at + 1).join(',') };
    });
    // The template writes each value as given: the options of the box's own addresses are there as written.
    for (const value of [lanAddress, '10.61.0.1', '[2001:db8:5d::1]', '10.61.0.1,9.9.9.9']) expect(dns.map((o) => o.value)).toContain(value);
    // The firewall's addresses: 0.0.0.0 and [::], which dnsmasq replaces with its own, and the box's own addresses
    // (its interfaces' and VIPs'), from the merged config.
    const merged = parseXml(config).root;
    const normal = (a: string) => (ipaddr.IPv6.isValid(a) ? ipaddr.IPv6.parse(a).toNormalizedString() : a);
    const ownAddresses = new Set(
      [...[...firstChildren(child(merged, 'interfaces'))].flatMap(([, e]) => ['ipaddr', 'ipaddrv6'].map((f) => textOf(child(e, f)))), ...childrenNamed(child(merged, 'virtualip'), 'vip').map((v) => textOf(child(v, 'subnet')))]
        .filter((a) => ipaddr.isValid(a))
        .map(normal),
    );
    expect([lanAddress, '10.61.0.1', '2001:db8:5d::1'].every((a) => ownAddresses.has(normal(a)))).toBe(true);
    const firewallValue = { '6': '0.0.0.0', 'option6:23': '[::]' } as Record<string, string>;
    const namesFirewall = (code: string, value: string | undefined) =>
      value !== undefined && value !== '' && value.split(',').every((a) => a === firewallValue[code] || ownAddresses.has(normal(a.replace(/^\[(.*)\]$/, '$1'))));
    // A range's request carries the device it arrives on (rfc2131.c, rfc3315.c: the tag of the interface's name): an
    // IPv4 range's, or, for a range of no interface, any device dnsmasq serves DHCP on. Its range sets its set tag. dnsmasq
    // gives it one line (option_filter(), dhcp-common.c: the lines of its own tags first, then those with its range's,
    // then the untagged ones; of several, the one later in the file); the firewall where that line's value is 0.0.0.0
    // ([::]). A range of no interface counts where that is so on every device.
    const devices = listening.filter((d) => !noDhcp.includes(d));
    expect(devices.length).toBeGreaterThan(1);
    const chosenValue = (code: string, tags: string[], set: string | undefined) => {
      const tagged = dns.filter((o) => o.code === code && o.tags.length > 0);
      const own = tagged.filter((o) => o.tags.every((t) => tags.includes(t)));
      const withSet = tagged.filter((o) => o.tags.every((t) => tags.includes(t) || t === set));
      const untagged = dns.filter((o) => o.code === code && o.tags.length === 0);
      return [own, withSet, untagged].find((c) => c.length > 0)?.at(-1)?.value;
    };
    // An IPv6 range hands out addresses by DHCPv6 with an end address (or static, ra-stateless), and is advertised
    // with an RA mode (or enable-ra): radv.c gives the link's router advertisement the option 23 line chosen for its
    // device and the set tags of every range advertised on it, none of them of lower rank (option.c, radv.c).
    type Line = (typeof rendered)[number];
    const ra = (l: Line) => l.words.some((w) => ['ra-only', 'slaac', 'ra-names', 'ra-advrouter', 'ra-stateless'].includes(w)) || /^enable-ra$/m.test(conf);
    const dhcp = (l: Line) => !l.start.includes(':') || l.words.some((w) => w !== l.start && w.includes(':') && !/^(tag|set|constructor):/.test(w)) || l.words.includes('static') || l.words.includes('ra-stateless');
    // The links radv.c advertises a range on (add_prefixes()): each device dnsmasq does DHCP on with an address of a
    // prefix no longer than the range's (the line's last but one word) in the network of its start and its end; a constructor: range
    // is on the device it names, where that has an address (dhcp6.c construct_worker()).
    const keyOf = new Map([...firstChildren(child(merged, 'interfaces'))].map(([key, entry]) => [textOf(child(entry, 'if')), key]));
    const addressesOf = (device: string) => [...(addresses6[keyOf.get(device) ?? ''] ?? []), ...(vipOnly6[keyOf.get(device) ?? ''] ?? [])];
    const links = (l: Line) => {
      const constructor = l.words.find((w) => w.startsWith('constructor:'))?.slice('constructor:'.length);
      if (constructor !== undefined) return devices.includes(constructor) && addressesOf(constructor).length > 0 ? [constructor] : [];
      const bits = Number(l.words.at(-2));
      // The start and the end (the word after the start, if an address; the start where there is none).
      const ends = l.words.slice(l.words.indexOf(l.start), l.words.indexOf(l.start) + 2).filter((w) => ipaddr.IPv6.isValid(w)).map((w) => ipaddr.IPv6.parse(w));
      return devices.filter((d) => addressesOf(d).some((a) => Number(a.split('/')[1]) <= bits && ends.every((e) => ipaddr.IPv6.parse(a.split('/')[0]!).match(e, bits))));
    };
    const raLines = rendered.filter((r) => r.start.includes(':') && ra(r));
    // dhcp6.c serves an IPv6 range's DHCPv6 requests on the links it is on by the same addresses (complete_context6():
    // an address of the arrival device, of a prefix no longer than the range's, in its network), of those only where
    // the request carries its tag:<device>.
    const dhcp6Links = (l: Line) => links(l).filter((d) => l.device === undefined || d === l.device);
    // An ra-stateless range hands out no address; its clients' Information-request is answered on each of its links,
    // whatever its tag:<device>, with the set tag of the link's only DHCPv6 range, if it has one only (rfc3315.c).
    const stateless = (l: Line) => l.words.includes('ra-stateless');
    const onlySet = (link: string) => {
      const on = rendered.filter((r) => r.start.includes(':') && dhcp(r) && links(r).includes(link));
      return on.length === 1 ? on[0]!.set : undefined;
    };
    const byDhcp = (l: Line, device: string) => {
      const code = l.start.includes(':') ? 'option6:23' : '6';
      return dhcp(l) && namesFirewall(code, chosenValue(code, [device], l.set));
    };
    // The RDNSS of the line chosen for the link's tags (radv.c): [::] becomes the link's global address, [fd00::] its
    // ULA, [fe80::] its link-local one, each dropped where the link has none, and no RDNSS at all with none left.
    const isUla = (a: string) => ipaddr.IPv6.parse(a.split('/')[0]!).range() === 'uniqueLocal';
    const rdnss = (value: string, link: string) =>
      value.split(',').map((a) => ipaddr.IPv6.parse(a.replace(/^\[(.*)\]$/, '$1')).toNormalizedString()).filter((a) => {
        if (a === ipaddr.IPv6.parse('::').toNormalizedString()) return addressesOf(link).some((x) => !isUla(x));
        if (a === ipaddr.IPv6.parse('fd00::').toNormalizedString()) return addressesOf(link).some(isUla);
        return true;
      });
    const selfZero = ['::', 'fd00::', 'fe80::'].map((a) => ipaddr.IPv6.parse(a).toNormalizedString());
    // The option 23 of a DHCPv6 reply (rfc3315.c): [::] becomes the range's own address on the link (or, with none,
    // the link's other one), [fd00::] its ULA, dropped where it has none, and no option 23 with none left.
    const option23 = (value: string, link: string) =>
      value.split(',').map((a) => ipaddr.IPv6.parse(a.replace(/^\[(.*)\]$/, '$1')).toNormalizedString()).filter((a) => a !== ipaddr.IPv6.parse('fd00::').toNormalizedString() || addressesOf(link).some(isUla));
    const byDhcp6 = (l: Line, link: string) => {
      const value = chosenValue('option6:23', [link], stateless(l) ? onlySet(link) : l.set);
      const sent = value === undefined ? [] : option23(value, link);
      return dhcp(l) && sent.length > 0 && sent.every((a) => selfZero.includes(a) || ownAddresses.has(a));
    };
    const byRa = (link: string) => {
      const value = chosenValue('option6:23', [link, ...raLines.filter((r) => r.set && links(r).includes(link)).map((r) => r.set!)], undefined);
      const sent = value === undefined ? [] : rdnss(value, link);
      return sent.length > 0 && sent.every((a) => selfZero.includes(a) || ownAddresses.has(a));
    };
    // The IPv4 range of no interface gets opt6's option on opt6 and the firewall on opt5.
    const noInterface = rendered.find((l) => l.start === '10.58.0.100')!;
    expect([byDhcp(noInterface, 'vtnet5'), byDhcp(noInterface, 'vtnet6')]).toEqual([true, false]);
    // Each rendered IPv4 range's interface (none: the range), from the merged config, where it hands out the firewall by
    // DHCP; each link an IPv6 one serves DHCPv6 on where its option 23 is the firewall; and each link it is advertised
    // on whose RDNSS is.
    const where = new Map(childrenNamed(child(merged, 'dnsmasq'), 'dhcp_ranges').map((d) => {
      const [iface, start, end] = ['interface', 'start_addr', 'end_addr'].map((f) => textOf(child(d, f)));
      return [start!, iface || `the range ${start}-${end} of no interface (on every interface it serves)`];
    }));
    const firewall = rendered.flatMap((l) => [
      ...(!l.start.includes(':') && l.served && (l.device === undefined ? devices : [l.device]).every((d) => byDhcp(l, d)) ? [where.get(l.start)!] : []),
      ...(l.start.includes(':') && stateless(l) ? links(l).filter((d) => byDhcp6(l, d)).map((d) => `${keyOf.get(d)} (IPv6)`) : []),
      ...(l.start.includes(':') && l.served && !stateless(l) ? dhcp6Links(l).filter((d) => byDhcp6(l, d)).map((d) => `${keyOf.get(d)} (IPv6)`) : []),
      ...(raLines.includes(l) ? links(l).filter(byRa).map((d) => `${keyOf.get(d)} (IPv6)`) : []),
    ]);
    // opt8's ranges are served, by the lines of opt8 and its tag only.
    expect(rendered.filter((l) => l.served && l.device === 'vtnet8').length).toBeGreaterThan(0);
    // opt12's advertised ranges are on the links of opt11 (its network) and opt13 (their constructor), not served on opt12.
    expect(raLines.filter((l) => l.device === 'vtnet12').map((l) => [l.served, links(l)])).toEqual([[false, ['vtnet11']], [false, ['vtnet13']]]);
    // opt14's and opt15's advertised ranges are on their own links, whose option 23 is [::] and [fd00::]: no RDNSS.
    const linkValue = (d: string) => chosenValue('option6:23', [d, raLines.find((l) => l.device === d)!.set!], undefined)!;
    expect(['vtnet14', 'vtnet15'].map((d) => [links(raLines.find((l) => l.device === d)!), linkValue(d), rdnss(linkValue(d), d)])).toEqual([
      [['vtnet14'], '[::]', []],
      [['vtnet15'], '[fd00::]', []],
    ]);
    // The DHCPv6 cases: the IPv6 range of no interface is served on opt5 alone; opt16's range gets [fd00::] on a link
    // with no ULA, opt14's DHCPv6 one [::] on a link with a ULA only; opt17's range is in opt11's network, where its
    // tag is not carried.
    const line = (start: string) => rendered.find((l) => l.start === start)!;
    expect(dhcp6Links(line('fd00:59::1000'))).toEqual(['vtnet5']);
    expect([chosenValue('option6:23', ['vtnet16'], line('2001:db8:60::1000').set), addressesOf('vtnet16').some(isUla)]).toEqual(['[fd00::]', false]);
    expect([chosenValue('option6:23', ['vtnet14'], line('fd00:5e::1000').set), addressesOf('vtnet14').every(isUla)]).toEqual(['[::]', true]);
    expect([line('2001:db8:5b::3000').served, links(line('2001:db8:5b::3000')), dhcp6Links(line('2001:db8:5b::3000'))]).toEqual([true, ['vtnet11'], []]);
    expect(chosenValue('option6:23', ['vtnet17'], undefined)).toBe('[::]');
    // opt17's ra-stateless range is on opt18's link alone, its only DHCPv6 range, which has a ULA only.
    expect([links(line('fd00:62::')), onlySet('vtnet18'), addressesOf('vtnet18').every(isUla), rdnss(chosenValue('option6:23', ['vtnet18', line('fd00:62::').set!], undefined)!, 'vtnet18')]).toEqual([['vtnet18'], line('fd00:62::').set, true, []]);
    const expected = [...new Set(firewall)];
    const named = warnings.flatMap((w) => /dnsmasq's DHCP hands out the firewall's address as DNS server on (.*?): clients there/.exec(w)?.[1]!.split(', ') ?? []);
    expect(named.sort()).toEqual(expected.sort());
    // Each case is there as meant: gen's lan, the box's opt5 (its range without a tag an option names), not its IPv4
    // range of no interface (opt6's option serves it there); from 26.1 on, when the template writes option6:23,[::],
    // opt5's IPv6 ranges (its own and the one of no interface) and opt6's without its option's tag.
    const v6 = tag.startsWith('25.') ? [] : ['opt5 (IPv6)', 'opt6 (IPv6)'];
    expect(dns.filter((o) => o.tags.length === 0).map((o) => `${o.code},${o.value}`)).toEqual(['6,0.0.0.0', ...(v6.length > 0 ? ['option6:23,[::]'] : [])]);
    // opt8's ranges whose tag's option is the firewall itself, on every release: the option's own line names it.
    // opt9's IPv6 ranges get a server from the link's RDNSS; opt10's RA clients the firewall, on every release.
    // opt12's RA clients get the firewall on opt11's and opt13's links, where those interfaces' option 23 is [::];
    // opt11's and opt13's IPv4 ranges and opt15's DHCPv6 one the box's own addresses, not opt15's IPv4 one. opt14's
    // DHCPv6 clients the firewall, not opt16's nor opt17's; opt17's ra-stateless clients on opt18 too.
    expect(expected.sort()).toEqual(['lan', 'opt5', 'opt8', 'opt8 (IPv6)', 'opt10 (IPv6)', 'opt11 (IPv6)', 'opt13 (IPv6)', 'opt11', 'opt13', 'opt14 (IPv6)', 'opt15 (IPv6)', 'opt18 (IPv6)', ...v6].sort());
    const opt9 = rendered.filter((l) => l.device === 'vtnet9');
    expect(opt9.map((l) => [dhcp(l), ra(l)])).toEqual([[true, true], [false, true]]);
  });

  // The port merge reads is the one OPNsense's model has after the migrations: general.port of a migrated root, the
  // legacy <unbound><port> of a factory one (M1_0_5 moves it; empty is 53).
  it.each(UPSTREAM_RELEASES)("$tag: merge says so when the box's Unbound listens on another port than 53, and only then", async ({ tag, release }) => {
    const work = tempDir('gen-split-dns-port-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const factory = factoryConfig(coreGit!, tag);
    const version = releaseFacts(tag)!.versions.unbound!;
    const modelPort = (port: string) => withUnboundModel(factory.replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, ''), version, `<enabled>1</enabled><port>${port}</port>`);
    const boxes: Record<string, string> = {
      factory,
      'legacy port 5353': factory.replace(/<unbound>\s*<enable>1<\/enable>/, '<unbound><enable>1</enable><port>5353</port>'),
      'legacy empty port': factory.replace(/<unbound>\s*<enable>1<\/enable>/, '<unbound><enable>1</enable><port/>'),
      'model port 5353': modelPort('5353'),
      'model port 53': modelPort('53'),
    };
    for (const [name, base] of Object.entries(boxes)) if (name !== 'factory') expect(base).not.toBe(factory);
    const seen = Object.fromEntries(
      Object.entries(mergedOnBoxes(boxes, sections, privateKey, tag, work)).map(([name, { box, warnings }]) => [
        name,
        [box.enabled, box.port, warnings.some((w) => w.includes(`listens on port ${box.port}, not 53`) && w.includes('cloud.example.org'))],
      ]),
    );
    expect(seen).toEqual({
      factory: ['1', '53', false],
      'legacy port 5353': ['1', '5353', true],
      'legacy empty port': ['1', '53', false],
      'model port 5353': ['1', '5353', true],
      'model port 53': ['1', '53', false],
    });
  });

  // Where Unbound and the box's dnsmasq DNS bind one port of one address, from what OPNsense's own code writes: Unbound's
  // port: and interface: lines (the wildcard 0.0.0.0, or lo0's and the chosen interfaces' addresses), dnsmasq.conf's
  // port=, bind-interfaces and interface= (with bind-interfaces: the listed devices' addresses and the loopback's, which
  // dnsmasq adds). Merge warns exactly where both bind the wildcard, or both addresses and some in common, on one port.
  it.each(UPSTREAM_RELEASES)("$tag: merge says Unbound and dnsmasq bind one port of one address exactly where their rendered configs do", async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-clash-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const factory = factoryConfig(coreGit!, tag).replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, '');
    const version = releaseFacts(tag)!.versions.unbound!;
    const box = (general: string, dnsmasq: string) =>
      withUnboundModel(factory, version, general).replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq>${dnsmasq}<dhcp><enable_ra>0</enable_ra></dhcp></dnsmasq>`);
    const wildcard = (port: string) => `<enable>1</enable><port>${port}</port><interface>lan</interface>`;
    const strict = '<enable>1</enable><port>53</port><strictbind>1</strictbind><interface>lan</interface>';
    const boxes: Record<string, string> = {
      'both wildcard': box('<enabled>1</enabled><port>53</port>', wildcard('53')),
      'both addresses': box('<enabled>1</enabled><port>53</port><active_interface>lan</active_interface>', strict),
      'both addresses, apart but the loopback': box('<enabled>1</enabled><port>53</port><active_interface>wan</active_interface>', strict),
      'Unbound addresses': box('<enabled>1</enabled><port>53</port><active_interface>lan</active_interface>', wildcard('53')),
      'dnsmasq addresses': box('<enabled>1</enabled><port>53</port>', strict),
      'other ports': box('<enabled>1</enabled><port>53</port>', wildcard('53053')),
      'both on 53053': box('<enabled>1</enabled><port>53053</port>', wildcard('53053')),
      'dnsmasq DNS off': box('<enabled>1</enabled><port>53</port>', wildcard('0')),
    };
    const seen: Record<string, { rendered: string | undefined; merge: string | undefined }> = {};
    for (const [name, base] of Object.entries(boxes)) {
      const file = name.replace(/[ ,]+/g, '-');
      const { warnings, conf, config, port, binds } = await renderedMerge(base, sections, privateKey, tag, work, file);
      // dnsmasq.conf: its port (0: no DNS), and the addresses it binds, none for the wildcard.
      const dnsPort = /^port=(.*)$/m.exec(conf)![1]!;
      const devices = (/^interface=(.*)$/m.exec(conf)?.[1] ?? '').split(',');
      const merged = parseXml(config).root;
      const deviceAddresses = [...firstChildren(child(merged, 'interfaces'))]
        .filter(([, entry]) => devices.includes(textOf(child(entry, 'if'))))
        .flatMap(([, entry]) => ['ipaddr', 'ipaddrv6'].map((f) => textOf(child(entry, f))).filter((a) => ipaddr.isValid(a)));
      const dnsmasqBinds = /^bind-interfaces$/m.test(conf) ? ['127.0.0.1', ...deviceAddresses] : undefined;
      const unboundBinds = binds.includes('interface: 0.0.0.0') ? undefined : binds.map((b) => b.replace('interface: ', ''));
      let rendered: string | undefined;
      if (dnsPort !== '0' && dnsPort === port) {
        if (dnsmasqBinds === undefined && unboundBinds === undefined) rendered = `${port} every address (0.0.0.0 and ::)`;
        else if (dnsmasqBinds !== undefined && unboundBinds !== undefined) rendered = `${port} ${unboundBinds.filter((a) => dnsmasqBinds.includes(a)).join(', ')}`;
      }
      // The harness's lo0 holds 127.0.0.1 only; a box's holds ::1 too, which merge names.
      const said = warnings.filter((w) => w.includes('which only one of them can bind')).map((w) => /listen on port (\d+) at (.*?), which/.exec(w)!.slice(1).join(' ').replace(', ::1', ''));
      expect(said.length, name).toBeLessThan(2);
      seen[name] = { rendered, merge: said[0] };
    }
    const lan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    for (const [name, { rendered, merge }] of Object.entries(seen)) expect(merge, name).toBe(rendered);
    expect(Object.fromEntries(Object.entries(seen).map(([name, { merge }]) => [name, merge]))).toEqual({
      'both wildcard': '53 every address (0.0.0.0 and ::)',
      'both addresses': `53 127.0.0.1, ${lan}`,
      'both addresses, apart but the loopback': '53 127.0.0.1',
      'Unbound addresses': undefined,
      'dnsmasq addresses': undefined,
      'other ports': undefined,
      'both on 53053': '53053 every address (0.0.0.0 and ::)',
      'dnsmasq DNS off': undefined,
    });
  });

  // Unbound on chosen Network Interfaces, from OPNsense's own code: its interface: lines hold the chosen interfaces'
  // addresses and lo0's, no wildcard; dnsmasq.conf binds the wildcard on port 53 (no bind-interfaces) and hands lan's
  // clients the firewall (no DHCP option 6 of its own: the template's dhcp-option=6,0.0.0.0). Merge names lan exactly
  // where lan's address is none of Unbound's.
  it.each(UPSTREAM_RELEASES)("$tag: merge names the clients dnsmasq answers where OPNsense's unbound.conf does not bind Unbound", async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-unheard-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const factory = factoryConfig(coreGit!, tag).replace(/<unbound>\s*<enable>1<\/enable>\s*<\/unbound>/, '');
    const version = releaseFacts(tag)!.versions.unbound!;
    const lan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.lan.ipaddr as string;
    const seen: Record<string, { bindsLan: boolean; wildcard: boolean; bindInterfaces: boolean; dnsPort: string; firewallDns: boolean; named: string[] }> = {};
    for (const chosen of ['wan', 'lan', 'lan,wan']) {
      const box = withUnboundModel(factory, version, `<enabled>1</enabled><port>53</port><active_interface>${chosen}</active_interface>`).replace(
        /<dnsmasq>[\s\S]*?<\/dnsmasq>/,
        '<dnsmasq><enable>1</enable><port>53</port><interface>lan</interface><dhcp><enable_ra>0</enable_ra></dhcp></dnsmasq>',
      );
      const name = chosen.replace(',', '-');
      const { warnings, conf, binds } = await renderedMerge(box, sections, privateKey, tag, work, name);
      seen[chosen] = {
        bindsLan: binds.includes(`interface: ${lan}`),
        wildcard: binds.includes('interface: 0.0.0.0'),
        bindInterfaces: /^bind-interfaces$/m.test(conf),
        dnsPort: /^port=(.*)$/m.exec(conf)![1]!,
        firewallDns: /^dhcp-option=6,0\.0\.0\.0$/m.test(conf),
        named: warnings.filter((w) => w.includes("do not reach gen's Unbound host overrides")).map((w) => /as DNS server on (.*?), where dnsmasq/.exec(w)![1]!),
      };
    }
    const rendered = { wildcard: false, bindInterfaces: false, dnsPort: '53', firewallDns: true };
    expect(seen).toEqual({
      wan: { ...rendered, bindsLan: false, named: ['lan'] },
      lan: { ...rendered, bindsLan: true, named: [] },
      'lan,wan': { ...rendered, bindsLan: true, named: [] },
    });
  });

  // What dnsmasq is given for the box's domain overrides, from OPNsense's own model and template: an ip of the older
  // form forwards to its port, a closer override with an ipset and no address writes no server= line, several
  // overrides of one domain write a line each, in the order of their sequence, and a DHCP domain is written local.
  // Merge says nothing of a name exactly when every line of the closest domain dnsmasq matches it with is a server
  // that reaches Unbound (the loopback or the LAN address, where Unbound listens on every interface, at its port 5353).
  it.each(UPSTREAM_RELEASES)("$tag: dnsmasq.conf forwards the names to Unbound's port where merge says nothing", async ({ tag, release }) => {
    const { lan, wan, boxes } = await renderedDnsmasq(tag, release);
    // gen's DHCP reservations are Hosts too, without a domain: their bare names.
    const reservations = [doc(await fragments(answered, 'home'), 'dhcp.xml').dnsmasq.hosts].flat().map((h: { host: string; ip: string }) => `${h.ip}\t${h.host}`);
    expect(reservations).not.toEqual([]);
    const seen = Object.fromEntries(
      Object.entries(boxes).map(([name, { conf, hostsFile, warned, wrong }]) => {
        // The closest domain's lines for each name, as dnsmasq groups them (server=, local= and address= are entries
        // of one table), and whether each is a server that reaches Unbound.
        const parsed = (conf.match(/^(server|local|address)=\/.*$/gm) ?? []).map((l) => /^(\w+)=\/([^/]+)\/([^#@]*)(?:#(\d+))?/.exec(l)!);
        const unanswered = NAMES.filter((host) => {
          const matching = parsed.filter((m) => host === m[2] || host.endsWith(`.${m[2]}`));
          const longest = Math.max(...matching.map((m) => m[2]!.length));
          const group = matching.filter((m) => m[2]!.length === longest);
          return !(group.length > 0 && group.every((m) => m[1] === 'server' && ['127.0.0.1', lan].includes(m[3]!) && m[4] === '5353'));
        });
        const lines = (kind: string) => conf.match(new RegExp(`^${kind}=.*$`, 'gm')) ?? [];
        const hosts = hostsFile.split('\n').filter((l) => l !== '');
        return [name, { servers: lines('server'), locals: lines('local'), addresses: lines('address'), ipsets: lines('ipset').map((l) => l.replace(/[^/]+$/, '')), hosts, unanswered, warned, wrong }];
      }),
    );
    expect(seen).toEqual({
      'dnsmasq-local': { servers: ['server=/example.org/127.0.0.1#5353'], locals: ['local=/cloud.example.org/'], addresses: [], ipsets: [], hosts: reservations, unanswered: ['cloud.example.org'], warned: ['cloud.example.org'], wrong: [] },
      'dnsmasq-legacy-ipset': { servers: ['server=/example.org/127.0.0.1#5353'], locals: ['local=/internal/'], addresses: [], ipsets: ['ipset=/cloud.example.org/'], hosts: reservations, unanswered: [], warned: [], wrong: [] },
      'dnsmasq-several': {
        servers: ['server=/example.org/127.0.0.1#5353', 'server=/cloud.example.org/9.9.9.9', 'server=/cloud.example.org/127.0.0.1#5353', 'server=/media.example.org/127.0.0.1#5353', `server=/media.example.org/${lan}#5353`],
        locals: ['local=/internal/'],
        addresses: [],
        ipsets: [],
        hosts: reservations,
        unanswered: ['cloud.example.org'],
        warned: ['cloud.example.org'],
        wrong: [],
      },
      // The hosts file holds the names (dnsmasq answers them before the servers: the next test), a Host's aliases as
      // they are; merge says the one whose address is not gen's.
      'dnsmasq-hosts': {
        servers: ['server=/example.org/127.0.0.1#5353'],
        locals: ['local=/internal/'],
        addresses: [],
        ipsets: [],
        hosts: [`${wan}\tcloud.example.org cloud`, '10.9.9.9\tnas.lan.example nas', '10.9.9.9\tMEDIA.example.org', ...reservations],
        unanswered: [],
        warned: [],
        wrong: ['media.example.org'],
      },
      // A wildcard Host is dnsmasq.conf's address=, not a line of the hosts file.
      'dnsmasq-wildcard': {
        servers: ['server=/example.org/127.0.0.1#5353'],
        locals: ['local=/internal/'],
        addresses: [`address=/example.org/${wan}`],
        ipsets: [],
        hosts: [`${wan}\tcloud.example.org cloud`, '10.9.9.8\tcloud.example.org cloud', ...reservations],
        unanswered: ['cloud.example.org', 'media.example.org'],
        warned: [],
        wrong: ['cloud.example.org'],
      },
    });
  });

  // dnsmasq itself on those lines and the hosts file, each server standing for a responder on the loopback: one for
  // the addresses that reach Unbound at its port, one for every other. Its first query for a domain goes to every
  // server of the closest domain (forward.c: forwardall while no server has answered yet), and a closer local domain
  // answers itself; a name of the hosts file, and one below a domain with address=, it answers itself with those
  // addresses. Merge names exactly the names that dnsmasq sends anywhere but Unbound, or answers itself with
  // anything but gen's address.
  const whyDnsmasq = missing(['dnsmasq'], false);
  const whyBoth = missing(['dnsmasq', 'unbound'], false);
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled('$tag: dnsmasq asks every server of the closest domain, and merge names the names it sends elsewhere', whyDnsmasq), async ({ tag, release }) => {
    const { lan, wan, boxes } = await renderedDnsmasq(tag, release);
    const seen = await askDnsmasq(boxes, (address, port) => (['127.0.0.1', lan].includes(address) && port === '5353' ? 'unbound' : 'outside'));
    for (const names of Object.values(seen)) for (const r of Object.values(names)) expect(r.warned).toBe(r.asked.join() !== 'unbound' && !(r.asked.length === 0 && r.answers.join() === wan));
    expect(seen).toEqual({
      'dnsmasq-local': { 'cloud.example.org': { asked: [], rcode: 3, answers: [], warned: true }, 'media.example.org': { asked: ['unbound'], rcode: 0, answers: ['192.0.2.1'], warned: false } },
      'dnsmasq-legacy-ipset': {
        'cloud.example.org': { asked: ['unbound'], rcode: 0, answers: ['192.0.2.1'], warned: false },
        'media.example.org': { asked: ['unbound'], rcode: 0, answers: ['192.0.2.1'], warned: false },
      },
      'dnsmasq-several': {
        'cloud.example.org': { asked: ['outside', 'unbound'], rcode: 0, answers: [expect.stringMatching(/^192\.0\.2\.[12]$/)], warned: true },
        'media.example.org': { asked: ['unbound'], rcode: 0, answers: ['192.0.2.1'], warned: false },
      },
      'dnsmasq-hosts': { 'cloud.example.org': { asked: [], rcode: 0, answers: [wan], warned: false }, 'media.example.org': { asked: [], rcode: 0, answers: ['10.9.9.9'], warned: true } },
      'dnsmasq-wildcard': {
        'cloud.example.org': { asked: [], rcode: 0, answers: ['10.9.9.8', wan].sort(), warned: true },
        'media.example.org': { asked: [], rcode: 0, answers: [wan], warned: false },
      },
    });
  });

  // A domain both local (a Host marked local: local=/example.org/) and forwarded to Unbound (server=/example.org/...),
  // in a real dnsmasq: one of 2.92 or later answers the names itself (NXDOMAIN: no Host holds them), an earlier one
  // forwards them, as answersLocalBeforeServers() says of its version. Merge says what the release's dnsmasq does
  // (2.91 on 25.7, 2.93 on 26.1.11 and 26.7), which is what the dnsmasq here does where the two versions agree.
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled("$tag: dnsmasq answers a local domain it forwards to Unbound as its version's rule says, and merge as the release's dnsmasq does", whyDnsmasq), async ({ tag, release }) => {
    const localHost = `<hosts uuid="11111111-2222-4333-8444-100000000009"><host>nas</host><domain>example.org</domain><local>1</local><ip>10.10.0.5</ip><cnames/><client_id/><hwaddr/><lease_time/><ignore>0</ignore><set_tag/><descr/><comments/><aliases/></hosts>`;
    const { lan, boxes } = await renderedDnsmasq(tag, release, true, ({ override }) => ({ 'domain-local': override(1, 'example.org', '', '127.0.0.1', '5353') + localHost }));
    const conf = boxes['domain-local']!.conf;
    expect([conf.match(/^(local|server)=\/example\.org\/.*$/gm)]).toEqual([['server=/example.org/127.0.0.1#5353', 'local=/example.org/'].sort((a, b) => conf.indexOf(a) - conf.indexOf(b))]);
    const version = /^Dnsmasq version (\S+)/.exec(spawnSync('dnsmasq', ['--version'], { encoding: 'utf8' }).stdout)![1]!;
    const here = answersLocalBeforeServers(version);
    const shipped = answersLocalBeforeServers(releaseFacts(tag)!.dnsmasq);
    const seen = await askDnsmasq(boxes, (address, port) => (['127.0.0.1', lan].includes(address) && port === '5353' ? 'unbound' : 'outside'));
    const answer: Seen = here ? { asked: [], rcode: 3, answers: [], warned: shipped } : { asked: ['unbound'], rcode: 0, answers: ['192.0.2.1'], warned: shipped };
    expect(seen).toEqual({ 'domain-local': { 'cloud.example.org': answer, 'media.example.org': answer } });
    expect([tag, releaseFacts(tag)!.dnsmasq, shipped]).toEqual({ '25.7.11': ['25.7.11', '2.91', false], '26.1.11': ['26.1.11', '2.93', true], '26.7.2': ['26.7.2', '2.93', true] }[tag]);
  });

  // A domain override of `*`, as OPNsense's model takes it and its template writes it, in a real dnsmasq: a server of
  // every domain, asked beside /etc/resolv.conf's servers unless no-resolv is set, and below a closer domain's.
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled("$tag: dnsmasq sends every domain to a `*` override's server, beside resolv.conf's, as merge says", whyDnsmasq), async ({ tag, release }) => {
    const { lan, boxes } = await renderedDnsmasq(tag, release, true, ({ override }) => ({
      'dnsmasq-star': `<no_resolv>1</no_resolv>${override(1, '*', '', '127.0.0.1', '5353')}`,
      'dnsmasq-star-resolv': override(1, '*', '', '127.0.0.1', '5353'),
      'dnsmasq-star-closer': `<no_resolv>1</no_resolv>${override(1, '*', '', '127.0.0.1', '5353')}${override(2, 'cloud.example.org', '', '9.9.9.9')}`,
    }));
    expect(Object.fromEntries(Object.entries(boxes).map(([name, { conf }]) => [name, [conf.match(/^server=.*$/gm), /^no-resolv$/m.test(conf)]]))).toEqual({
      'dnsmasq-star': [['server=/*/127.0.0.1#5353'], true],
      'dnsmasq-star-resolv': [['server=/*/127.0.0.1#5353'], false],
      'dnsmasq-star-closer': [['server=/*/127.0.0.1#5353', 'server=/cloud.example.org/9.9.9.9'], true],
    });
    const seen = await askDnsmasq(boxes, (address, port) => (['127.0.0.1', lan].includes(address) && port === '5353' ? 'unbound' : 'outside'));
    // Each box's names are asked one after the other: dnsmasq sends the first name of a group to all its servers, the
    // next one, within 20 seconds, to the one that answered first only (forward.c), either of them.
    const asked = Object.fromEntries(Object.entries(seen).map(([box, names]) => [box, Object.fromEntries(Object.entries(names).map(([n, r]) => [n, [r.asked, r.warned]]))]));
    expect(asked).toEqual({
      'dnsmasq-star': { 'cloud.example.org': [['unbound'], false], 'media.example.org': [['unbound'], false] },
      'dnsmasq-star-resolv': { 'cloud.example.org': [['outside', 'unbound'], true], 'media.example.org': [[expect.stringMatching(/^(outside|unbound)$/)], true] },
      'dnsmasq-star-closer': { 'cloud.example.org': [['outside'], true], 'media.example.org': [['unbound'], false] },
    });
  });

  // A Host (or a wildcard Host) with addresses of one type only: a real dnsmasq on OPNsense's own config and hosts
  // file answers that type itself and forwards the other to the domain's servers. Merge names each name for exactly
  // the type dnsmasq does not answer as gen's overrides (A records only) would: an A query not sent to Unbound only
  // nor answered with gen's address, an AAAA query answered from the Hosts.
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled('$tag: dnsmasq answers each record type of a Host on its own, and merge names the type it gets wrong', whyDnsmasq), async ({ tag, release }) => {
    const { lan, wan, boxes } = await renderedDnsmasq(tag, release, true, ({ override, wan }) => {
      const forward = override(1, 'example.org', '', '127.0.0.1', '5353');
      return {
        'ipv6-host': forward + dnsmasqHost(1, 'cloud', 'example.org', 'fd00::5') + dnsmasqHost(2, 'media', 'example.org', `${wan},fd00::6`),
        'ipv6-host-elsewhere': override(1, 'example.org', '', '9.9.9.9') + dnsmasqHost(1, 'cloud', 'example.org', 'fd00::5'),
        'ipv6-wildcard': forward + dnsmasqHost(1, '*', 'example.org', 'fd00::7'),
      };
    });
    const upstream = (address: string, port: string | undefined) => (['127.0.0.1', lan].includes(address) && port === '5353' ? 'unbound' : 'outside');
    const a = await askDnsmasq(boxes, upstream, 1);
    const aaaa = await askDnsmasq(boxes, upstream, 28);
    for (const names of Object.values(a)) for (const r of Object.values(names)) expect(r.warned).toBe(r.asked.join() !== 'unbound' && !(r.asked.length === 0 && r.answers.join() === wan));
    // gen answers no AAAA: only an answer of dnsmasq's own is one Unbound would not give.
    for (const names of Object.values(aaaa)) for (const r of Object.values(names)) expect(r.warned).toBe(r.asked.length === 0 && r.answers.length > 0);
    const summary = (seen: Record<string, Record<string, Seen>>) =>
      Object.fromEntries(Object.entries(seen).map(([box, names]) => [box, Object.fromEntries(Object.entries(names).map(([n, r]) => [n, r.asked.length > 0 ? r.asked : r.answers]))]));
    expect(summary(a)).toEqual({
      'ipv6-host': { 'cloud.example.org': ['unbound'], 'media.example.org': [wan] },
      'ipv6-host-elsewhere': { 'cloud.example.org': ['outside'], 'media.example.org': ['outside'] },
      'ipv6-wildcard': { 'cloud.example.org': ['unbound'], 'media.example.org': ['unbound'] },
    });
    expect(summary(aaaa)).toEqual({
      'ipv6-host': { 'cloud.example.org': ['fd00::5'], 'media.example.org': ['fd00::6'] },
      'ipv6-host-elsewhere': { 'cloud.example.org': ['fd00::5'], 'media.example.org': ['outside'] },
      'ipv6-wildcard': { 'cloud.example.org': ['fd00::7'], 'media.example.org': ['fd00::7'] },
    });
  });

  // ISC DHCP static mappings, registered in dnsmasq by OPNsense's own _dnsmasq_add_host_entries() (dhcpd_staticmap()
  // of core on 25.7, of the os-isc-dhcp plugin from 26.1), answered by a real dnsmasq before the domain's servers.
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled("$tag: dnsmasq answers the ISC static mappings it registers, as merge says", whyDnsmasq), async ({ tag, release }) => {
    const staticmap = (hostname: string, domain: string, ip: string) => `<staticmap><mac>02:00:00:00:00:04</mac><ipaddr>${ip}</ipaddr><hostname>${hostname}</hostname>${domain ? `<domain>${domain}</domain>` : ''}<descr/></staticmap>`;
    const isc = (key: string, enable: boolean, domain: string, maps: string) => `<dhcpd><${key}>${enable ? '<enable>1</enable>' : ''}<domain>${domain}</domain>${maps}</${key}></dhcpd>`;
    const { lan, wan, boxes } = await renderedDnsmasq(tag, release, true, ({ override, wan }) => {
      const forward = override(1, 'example.org', '', '127.0.0.1', '5353');
      const maps = staticmap('cloud', '', '10.9.9.4') + staticmap('media', 'example.org', wan);
      return {
        'isc-registered': `<regdhcpstatic>1</regdhcpstatic>${forward}${isc('opt2', true, 'example.org lan.example', maps)}`,
        'isc-not-registered': `<regdhcpstatic>0</regdhcpstatic>${forward}${isc('opt2', true, 'example.org', maps)}`,
        'isc-server-off': `<regdhcpstatic>1</regdhcpstatic>${forward}${isc('opt2', false, 'example.org', maps)}`,
        // gen's dnsmasq ranges serve the LAN: merge drops the box's ISC entry there.
        'isc-lan-taken': `<regdhcpstatic>1</regdhcpstatic>${forward}${isc('lan', true, 'example.org', maps)}`,
      };
    });
    const reservations = [doc(await fragments(answered, 'home'), 'dhcp.xml').dnsmasq.hosts].flat().map((h: { host: string; ip: string }) => `${h.ip}\t${h.host}`);
    expect(Object.fromEntries(Object.entries(boxes).map(([name, { hostsFile }]) => [name, hostsFile.split('\n').filter((l) => l !== '' && !reservations.includes(l))]))).toEqual({
      'isc-registered': ['10.9.9.4\tcloud.example.org cloud', `${wan}\tmedia.example.org media`],
      'isc-not-registered': [],
      'isc-server-off': [],
      'isc-lan-taken': [],
    });
    const seen = await askDnsmasq(boxes, (address, port) => (['127.0.0.1', lan].includes(address) && port === '5353' ? 'unbound' : 'outside'));
    for (const names of Object.values(seen)) for (const r of Object.values(names)) expect(r.warned).toBe(r.asked.join() !== 'unbound' && !(r.asked.length === 0 && r.answers.join() === wan));
    expect(seen['isc-registered']).toEqual({
      'cloud.example.org': { asked: [], rcode: 0, answers: ['10.9.9.4'], warned: true },
      'media.example.org': { asked: [], rcode: 0, answers: [wan], warned: false },
    });
    for (const box of ['isc-not-registered', 'isc-server-off', 'isc-lan-taken']) expect(Object.values(seen[box]!).map((r) => r.asked)).toEqual([['unbound'], ['unbound']]);
  });

  // Kea reservations, registered in dnsmasq by OPNsense's own _dnsmasq_add_host_entries() through kea_staticmap() on
  // the static_mapping hook, each model as the release's Kea models are versioned (no migration runs).
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled("$tag: dnsmasq answers the Kea reservations it registers, as merge reads them", whyDnsmasq), async ({ tag, release }) => {
    const version = (model: string) => /<version>([^<]+)<\/version>/.exec(spawnSync('git', ['--git-dir', coreGit!, 'show', `${tag}:src/opnsense/mvc/app/models/OPNsense/Kea/${model}.xml`], { encoding: 'utf8' }).stdout)![1]!;
    const [v4, v6] = [version('KeaDhcpv4'), version('KeaDhcpv6')];
    const { lan, wan, boxes } = await renderedDnsmasq(tag, release, true, ({ override, wan }) => {
      const forward = override(1, 'example.org', '', '127.0.0.1', '5353');
      const reservations = keaReservation4(1, 'cloud', '10.9.9.4') + keaReservation4(2, 'media', wan, 'example.org') + keaReservation4(3, 'nas', '10.9.9.3', 'lan.example');
      const dhcp6 = keaV6(true, keaReservation6(1, 'cloud', 'fd00::5'), v6);
      return {
        'kea-registered': `<regdhcpstatic>1</regdhcpstatic>${forward}${keaV4(true, 'example.org', reservations, dhcp6, v4)}`,
        'kea-not-registered': `<regdhcpstatic>0</regdhcpstatic>${forward}${keaV4(true, 'example.org', reservations, dhcp6, v4)}`,
        // kea_staticmap() returns at a DHCPv4 model that is off, before the DHCPv6 one.
        'kea-v4-off': `<regdhcpstatic>1</regdhcpstatic>${forward}${keaV4(false, 'example.org', reservations, dhcp6, v4)}`,
      };
    });
    const reservations = [doc(await fragments(answered, 'home'), 'dhcp.xml').dnsmasq.hosts].flat().map((h: { host: string; ip: string }) => `${h.ip}\t${h.host}`);
    const written = Object.fromEntries(Object.entries(boxes).map(([name, { hostsFile }]) => [name, hostsFile.split('\n').filter((l) => l !== '' && !reservations.includes(l))]));
    const systemDomain = /<system>[\s\S]*?<domain>([^<]*)<\/domain>/.exec(boxes['kea-registered']!.config)![1]!;
    expect(written).toEqual({
      'kea-registered': ['10.9.9.4\tcloud.example.org cloud', `${wan}\tmedia.example.org media`, '10.9.9.3\tnas.lan.example nas', `fd00::5\tcloud.${systemDomain} cloud`],
      'kea-not-registered': [],
      'kea-v4-off': [],
    });
    // merge reads exactly the names and addresses OPNsense writes.
    for (const [name, { config }] of Object.entries(boxes)) {
      expect(keaStaticNames(parseXml(config).root).map((n) => `${n.address}\t${n.name} ${n.name.split('.')[0]}`)).toEqual(written[name]);
    }
    const seen = await askDnsmasq(boxes, (address, port) => (['127.0.0.1', lan].includes(address) && port === '5353' ? 'unbound' : 'outside'));
    for (const names of Object.values(seen)) for (const r of Object.values(names)) expect(r.warned).toBe(r.asked.join() !== 'unbound' && !(r.asked.length === 0 && r.answers.join() === wan));
    expect(seen['kea-registered']).toEqual({
      'cloud.example.org': { asked: [], rcode: 0, answers: ['10.9.9.4'], warned: true },
      'media.example.org': { asked: [], rcode: 0, answers: [wan], warned: false },
    });
    for (const box of ['kea-not-registered', 'kea-v4-off']) expect(Object.values(seen[box]!).map((r) => r.asked)).toEqual([['unbound'], ['unbound']]);
  });

  // The box's DHCP ranges as merge leaves them, rendered by OPNsense's own template into a real dnsmasq: a range's
  // domain (here closer than the forward of example.org) is local=/<domain>/ only where the merged config keeps the
  // range, and merge names cloud.example.org exactly where dnsmasq then answers it itself.
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled("$tag: dnsmasq holds a range's domain local only where merge keeps the range, as merge says", whyDnsmasq), async ({ tag, release }) => {
    const interfaces = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces as Record<string, { ipaddr?: string }>;
    const servers = Object.keys(interfaces).find((key) => interfaces[key]!.ipaddr === '10.10.20.1')!;
    const cloud = 'cloud.example.org';
    const { lan, wan, boxes } = await renderedDnsmasq(tag, release, true, ({ override }) => {
      const forward = override(1, 'example.org', '', '127.0.0.1', '5353');
      return {
        'range-kept': forward + dnsmasqRange(1, servers, '10.10.20.100', '10.10.20.200', cloud),
        'range-taken-over': forward + dnsmasqRange(1, 'lan', '10.10.0.100', '10.10.0.150', cloud),
        // Outside the network gen gives the servers' interface: merge drops it.
        'range-outside': forward + dnsmasqRange(1, servers, '192.168.77.100', '192.168.77.200', cloud),
        // Two ranges of the LAN: gen's range replaces both and takes over neither.
        'ranges-replaced': forward + dnsmasqRange(1, 'lan', '10.10.0.100', '10.10.0.150', cloud) + dnsmasqRange(2, 'lan', '10.10.0.160', '10.10.0.200', ''),
      };
    });
    expect(Object.fromEntries(Object.entries(boxes).map(([name, { conf }]) => [name, conf.split('\n').includes(`local=/${cloud}/`)]))).toEqual({
      'range-kept': true,
      'range-taken-over': true,
      'range-outside': false,
      'ranges-replaced': false,
    });
    const seen = await askDnsmasq(boxes, (address, port) => (['127.0.0.1', lan].includes(address) && port === '5353' ? 'unbound' : 'outside'));
    for (const names of Object.values(seen)) for (const r of Object.values(names)) expect(r.warned).toBe(r.asked.join() !== 'unbound' && !(r.asked.length === 0 && r.answers.join() === wan));
    expect(Object.fromEntries(Object.entries(seen).map(([box, names]) => [box, names[cloud]!.asked]))).toEqual({
      'range-kept': [],
      'range-taken-over': [],
      'range-outside': ['unbound'],
      'ranges-replaced': ['unbound'],
    });
  });

  // gen's overrides as OPNsense's own unbound_add_host_entries() writes them, in a real Unbound, against the box's
  // dnsmasq as OPNsense renders it, in a real dnsmasq, whose servers outside know the names' public A and AAAA records:
  // for each name and type, clients asking dnsmasq get another answer than Unbound's exactly where merge says so.
  it.skipIf(whyBoth).each(UPSTREAM_RELEASES)(titled("$tag: dnsmasq passes the AAAA query of a Host of gen's IPv4 address on, where Unbound answers no record, as merge says", whyBoth), async ({ tag, release }) => {
    const { lan, wan, boxes } = await renderedDnsmasq(tag, release, true, ({ override, wan }) => ({
      'aaaa-elsewhere': override(1, 'example.org', '', '9.9.9.9') + dnsmasqHost(1, 'cloud', 'example.org', wan),
      'aaaa-forwarded': override(1, 'example.org', '', '127.0.0.1', '5353') + dnsmasqHost(1, 'cloud', 'example.org', wan),
      'aaaa-wildcard': override(1, 'example.org', '', '9.9.9.9') + dnsmasqHost(1, '*', 'example.org', wan),
      // A Host marked local: local=/example.org/, closer than no server of cloud.example.org's own.
      'aaaa-local': override(1, 'org', '', '9.9.9.9') + dnsmasqHost(1, 'cloud', 'example.org', wan).replace('<local>0</local>', '<local>1</local>'),
    }));
    const work = tempDir('gen-split-dns-aaaa-');
    const outside = NAMES.map((n, i) => `  local-data: "${n} IN A 203.0.113.${i + 1}"\n  local-data: "${n} IN AAAA 2001:db8::${i + 1}"\n`).join('');
    const answers = async (port: number) => {
      const out: Record<string, string> = {};
      for (const name of NAMES) {
        for (const [type, qtype] of [['A', 1], ['AAAA', 28]] as const) {
          const reply = await ask(port, name, 1500, qtype);
          out[`${name} ${type}`] = reply === undefined ? 'no reply' : `rcode ${reply[3]! & 0xf}: ${answersOf(reply, qtype).sort().join(', ')}`;
        }
      }
      return out;
    };
    // OPNsense writes a host override as local-data alone (unbound_add_host_entries()): Unbound makes the name a
    // transparent local zone. The system domain's zone (internal, of the box's local zone type) names none of them.
    const genLines = boxes['aaaa-elsewhere']!.unbound.map((l) => `  ${l}\n`).join('');
    expect(genLines).toContain('cloud.example.org');
    const seen = await withUnbound(work, `outside-${tag}`, outside, (outsidePort) =>
      withUnbound(work, `gen-${tag}`, genLines, async (unboundPort) => {
        const byBox: Record<string, Record<string, string>> = { unbound: await answers(unboundPort) };
        for (const [name, { conf, hostsFile }] of Object.entries(boxes)) {
          const lines = (conf.match(/^(server|local|address)=\/.*$/gm) ?? []).map((l) =>
            l.replace(/^server=(\/[^/]+\/)([^#@/]+)(?:#(\d+))?.*$/, (_all, domain: string, address: string, port?: string) =>
              `server=${domain}127.0.0.1#${['127.0.0.1', lan].includes(address) && port === '5353' ? unboundPort : outsidePort}`),
          );
          if (!/^no-resolv$/m.test(conf)) lines.push(`server=127.0.0.1#${outsidePort}`);
          lines.push('local=/invalid/');
          const hostsPath = join(work, `${name}.hosts`);
          writeFileSync(hostsPath, hostsFile);
          byBox[name] = await withDnsmasq(work, `${name}-${tag}`, [...lines, `addn-hosts=${hostsPath}`], answers);
        }
        return byBox;
      }),
    );
    // Unbound answers gen's names' A queries with gen's address and their AAAA queries with no record.
    expect(seen.unbound).toEqual({ 'cloud.example.org A': `rcode 0: ${wan}`, 'cloud.example.org AAAA': 'rcode 0: ', 'media.example.org A': `rcode 0: ${wan}`, 'media.example.org AAAA': 'rcode 0: ' });
    for (const [box, { warned, wrongTypes, passedOn }] of Object.entries(boxes)) {
      for (const key of Object.keys(seen.unbound!)) {
        const [name, type] = key.split(' ');
        const named = (type === 'A' && warned.includes(name!)) || wrongTypes.includes(key) || passedOn.includes(key);
        // A name already named for its A answer is not named again for AAAA: its fix covers both.
        const coveredByA = type === 'AAAA' && warned.includes(name!);
        expect([box, key, named || coveredByA]).toEqual([box, key, seen[box]![key] !== seen.unbound![key]]);
      }
    }
    expect(Object.fromEntries(Object.entries(boxes).map(([box, { passedOn }]) => [box, passedOn]))).toEqual({
      'aaaa-elsewhere': ['cloud.example.org AAAA'],
      'aaaa-forwarded': [],
      'aaaa-wildcard': ['cloud.example.org AAAA', 'media.example.org AAAA'],
      'aaaa-local': [],
    });
    expect(seen['aaaa-elsewhere']!['cloud.example.org AAAA']).toBe('rcode 0: 2001:db8::1');
  });

  // With Unbound disabled nothing answers on its port: a name dnsmasq forwards anywhere gets no answer of gen's, and
  // one it answers from its Hosts is answered as they hold it. Merge names exactly those not answered with gen's address.
  it.skipIf(whyDnsmasq).each(UPSTREAM_RELEASES)(titled("$tag: with Unbound disabled, merge names the names dnsmasq does not answer itself with gen's address", whyDnsmasq), async ({ tag, release }) => {
    const { wan, boxes } = await renderedDnsmasq(tag, release, false);
    const seen = await askDnsmasq(boxes, () => 'outside');
    for (const names of Object.values(seen)) for (const r of Object.values(names)) expect(r.warned).toBe(!(r.asked.length === 0 && r.answers.join() === wan));
    const reached = Object.fromEntries(Object.entries(seen).map(([box, names]) => [box, Object.entries(names).filter(([, r]) => !r.warned).map(([n]) => n)]));
    expect(reached).toEqual({ 'dnsmasq-local': [], 'dnsmasq-legacy-ipset': [], 'dnsmasq-several': [], 'dnsmasq-hosts': ['cloud.example.org'], 'dnsmasq-wildcard': ['media.example.org'] });
  });
  // Items OPNsense's model takes whose dnsmasq.conf lines the real dnsmasq refuses (option.c; the same code at 2.90 and
  // at the releases' versions: dnsmasq-source.test.ts), each beside a near miss it takes: a box's IPv6 ranges of prefix
  // length 48, with an end in another /64, with a constructor and a start not zero in its first 64 bits; an IPv4 range
  // whose subnet mask parts its start and end; a negative lease time; router advertisements with an MTU below 1280 and
  // a negative interval; a box's reservation of the address of gen's reservation (admin-pc, 10.10.0.10); and DHCP
  // options whose values dnsmasq's table of options refuses (dnsmasq-option-values.ts). dnsmasq stops at the first such
  // line; merge names exactly the items of the lines it refuses, with what it prints.
  const whyRefuse = missing(['dnsmasq'], false);
  // The dnsmasq versions the releases install, each where a binary of it is supplied (dnsmasq-binaries.ts); Debian's otherwise only.
  const supplied = whyNoBinaries() === undefined;
  if (!supplied) console.warn(`split-dns.test.ts: the refusals are checked with Debian's dnsmasq only: ${whyNoBinaries()}`);
  it.skipIf(whyRefuse).each(UPSTREAM_RELEASES)(titled('$tag: merge names exactly the items whose rendered dnsmasq.conf lines dnsmasq refuses, though the model takes them', whyRefuse), async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-refusals-');
    const { sections, privateKey } = await releaseSections(answered, release);
    // prints: what the real dnsmasq (2.90) prints for the item's line; warns: what merge says the release's prints, where that differs.
    const cases: { name: string; marker: string; prints?: string; warns?: string; item: string }[] = [];
    const range = (name: string, iface: string, start: string, end: string, fields: Record<string, string>, prints?: string, marker = `,${start},`) => {
      const all = { interface: iface, set_tag: '', start_addr: start, end_addr: end, subnet_mask: '', constructor: '', mode: '', prefix_len: '', lease_time: '', domain_type: 'range', domain: '', nosync: '0', ra_mode: '', ra_priority: '', ra_mtu: '', ra_interval: '', ra_router_lifetime: '', description: name, ...fields };
      const uuid = `11111111-2222-4333-8444-2${cases.length.toString(16).padStart(11, '0')}`;
      cases.push({ name, marker, prints, item: `<dhcp_ranges uuid="${uuid}">${Object.entries(all).map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${v}</${k}>`)).join('')}</dhcp_ranges>` });
    };
    const host = (name: string, mac: string, ip: string, prints?: string, marker = `,${name.replace(/ /g, '-')}`) => {
      const uuid = `11111111-2222-4333-8444-1${cases.length.toString(16).padStart(11, '0')}`;
      const item = `<hosts uuid="${uuid}"><host>${name.replace(/ /g, '-')}</host><domain/><local>0</local><ip>${ip}</ip><cnames/><client_id/><hwaddr>${mac}</hwaddr><lease_time/><ignore>0</ignore><set_tag/><descr>${name}</descr><comments/><aliases/></hosts>`;
      cases.push({ name, marker, prints, item });
    };
    range('prefix 48', 'opt5', 'fd00:55::1000', 'fd00:55::2000', { prefix_len: '48' }, 'prefix length must be at least 64');
    range('prefix 64', 'opt5', 'fd00:55::3000', 'fd00:55::4000', { prefix_len: '64' });
    range('end elsewhere', 'opt5', 'fd00:55::5000', 'fd00:56::5000', {}, 'inconsistent DHCPv6 range');
    range('constructor high', 'opt6', '::1:0:0:0:1000', '::1:0:0:0:2000', { constructor: 'opt6' }, 'prefix must be zero with "constructor:" argument');
    range('constructor low', 'opt6', '::1000', '::2000', { constructor: 'opt6' });
    range('mask parts', 'opt7', '10.57.0.100', '10.57.1.100', { subnet_mask: '255.255.255.0' }, 'inconsistent DHCP range');
    range('mask holds', 'opt7', '10.57.2.100', '10.57.3.100', { subnet_mask: '255.255.0.0' });
    range('negative lease', 'opt7', '10.57.4.100', '10.57.4.200', { lease_time: '-60' }, 'bad dhcp-range');
    range('zero lease', 'opt7', '10.57.5.100', '10.57.5.200', { lease_time: '0' });
    range('mtu 1000', 'opt5', 'fd00:55::', '', { ra_mode: 'slaac', ra_mtu: '1000' }, 'bad RA-params', 'ra-param=vtnet5,');
    range('interval -1', 'opt6', 'fd00:56::', '', { ra_mode: 'ra-stateless', ra_interval: '-1' }, 'bad RA-params', 'ra-param=vtnet6,');
    range('mtu 1280', 'opt7', 'fd00:57::', '', { ra_mode: 'ra-only', ra_mtu: '1280', ra_interval: '0' });
    // dnsmasq refuses the later line, gen's admin-pc.
    host('printer', '52:54:00:aa:bb:01', '10.10.0.10', 'duplicate dhcp-host IP address 10.10.0.10', '52:54:00:12:34:56,10.10.0.10,');
    host('plain override', '', '10.10.0.10');
    host('scanner', '52:54:00:aa:bb:02', '10.10.0.11');
    // A Host's lease time with a sign, after its name: 2.90 takes it for the name, which it refuses; from 2.91 (every
    // release's) a Host with a name already has one (dnsmasq-source.test.ts). 0 is written as infinite. The model wants a
    // name or an address.
    const leaseHost = (name: string, hostName: string, ip: string, mac: string, lease: string, prints?: string, warns?: string) => {
      const uuid = `11111111-2222-4333-8444-1${cases.length.toString(16).padStart(11, '0')}`;
      const item = `<hosts uuid="${uuid}"><host>${hostName}</host><domain/><local>0</local>${ip ? `<ip>${ip}</ip>` : '<ip/>'}<cnames/><client_id/><hwaddr>${mac}</hwaddr><lease_time>${lease}</lease_time><ignore>0</ignore><set_tag/><descr>${name}</descr><comments/><aliases/></hosts>`;
      cases.push({ name, marker: `=${mac},`, prints, warns, item });
    };
    const dnsmasqVersion = releaseFacts(tag)!.dnsmasq;
    leaseHost('signed lease', 'kiosk', '', '52:54:00:aa:bb:03', '-60', 'bad DHCP host name', dnsmasqAtLeast(dnsmasqVersion, '2.91') ? 'DHCP host has multiple names' : undefined);
    leaseHost('signed lease unnamed', '', '10.10.0.14', '52:54:00:aa:bb:04', '+3600', 'bad DHCP host name');
    leaseHost('zero lease host', 'tablet', '', '52:54:00:aa:bb:05', '0');
    leaseHost('hour lease host', 'phone', '', '52:54:00:aa:bb:06', '3600');
    // A MAC the model takes in another form (dashes, dotted groups) beside one with colons: dnsmasq reads it as a name,
    // so from 2.91 a Host with a name of its own has two (dnsmasq-source.test.ts); 2.90 takes the line.
    const from291 = dnsmasqAtLeast(dnsmasqVersion, '2.91') ? 'DHCP host has multiple names' : undefined;
    leaseHost('dashed mac', 'camera', '10.10.0.15', '52:54:00:aa:bb:07,52-54-00-AA-BB-17', '', undefined, from291);
    leaseHost('dotted mac', 'doorbell', '10.10.0.16', '52:54:00:aa:bb:08,5254.00aa.bb18', '', undefined, from291);
    leaseHost('dashed mac unnamed', '', '10.10.0.17', '52:54:00:aa:bb:09,52-54-00-aa-bb-19', '');
    // DHCP options, the value as typed (no check in 25.7's model; 26.x's checks only IPv4 options 3 to 11 and IPv6 22,
    // 23, 31 and 34): an option dnsmasq's table gives addresses, with a name; a value read as addresses that is none;
    // a name with a label over 63 characters where names are due; a DHCPv4 value over 255 bytes; a quote left open.
    const tagUuid = '11111111-2222-4333-8444-900000000001';
    const option = (name: string, type: string, code: string, value: string, prints?: string) => {
      const uuid = `11111111-2222-4333-8444-3${cases.length.toString(16).padStart(11, '0')}`;
      const [v4, v6] = code.startsWith('option6:') ? ['', code.slice(8)] : [code, ''];
      const fields = { type, option: v4, option6: v6, interface: '', tag: '', set_tag: type === 'match' ? tagUuid : '', value, force: '0', description: name };
      const marker = `${type === 'match' ? `=set:${tagUuid.replace(/-/g, '')},` : '='}${code},${value}`;
      cases.push({ name, marker, prints, item: `<dhcp_options uuid="${uuid}">${Object.entries(fields).map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${v}</${k}>`)).join('')}</dhcp_options>` });
    };
    option('ntp by name', 'set', '42', 'ntp.example.com', 'bad IP address');
    option('ntp by addresses', 'set', '42', '10.57.0.1, 10.57.0.2 #primary');
    option('tftp server by name', 'set', '150', 'tftp-box', 'bad IP address');
    option('tftp name', 'set', '66', 'tftp-box.example');
    option('short address', 'set', '44', '10.57.0', 'bad IPv4 address');
    option('long search label', 'set', '119', `${'a'.repeat(64)}.example`, 'bad domain in dhcp-option');
    option('search list', 'set', '119', `${'b'.repeat(63)}.example, example.org`);
    option('match by name', 'match', '42', 'match.example', 'bad IP address');
    option('nis6 by name', 'set', 'option6:27', 'nis.example', 'bad IPv6 address');
    option('nis6 by address', 'set', 'option6:27', '[fd00:57::1]');
    option('long ntp6 label', 'set', 'option6:56', `${'n'.repeat(64)}.example`, 'bad domain in dhcp-option');
    option('ntp6 by name', 'set', 'option6:56', 'ntp.example');
    option('wpad 256', 'set', '252', 'x'.repeat(256), 'dhcp-option too long');
    option('wpad 255', 'set', '252', 'y'.repeat(255));
    option('open quote', 'set', '252', '"http://wpad.example/open.dat', 'missing "');
    option('closed quote', 'set', '252', '"http://wpad.example/wpad.dat"');
    const settings = `<enable>1</enable><port>0</port><interface>opt5,opt6,opt7</interface>`;
    const box = withOwnInterfaces(factoryConfig(coreGit!, tag)).replace(
      /<dnsmasq>[\s\S]*?<\/dnsmasq>/,
      `<dnsmasq version="${releaseFacts(tag)!.versions.dnsmasq!}">${settings}<dhcp_tags uuid="${tagUuid}"><tag>printers</tag></dhcp_tags>${cases.map((c) => c.item).join('')}</dnsmasq>`,
    );
    const { warnings, config, conf, errors } = await renderedMerge(box, sections, privateKey, tag, work, 'refusals');
    // The model takes each range and DHCP option; of the Hosts, it holds against the whole model only the shared address, which it
    // checks in the Host being saved.
    expect(errors.filter((e) => e.includes('dhcp_ranges') || e.includes('dhcp_options') || e.includes('dhcp_tags'))).toEqual([]);
    expect(errors.filter((e) => e.includes('.hosts.')).every((e) => e.includes("'10.10.0.10' is already used in another DHCP host entry")), errors.join('\n')).toBe(true);
    const caseOf = (text: string, key: (c: (typeof cases)[number]) => string) => cases.filter((c) => text.includes(key(c))).map((c) => c.name);
    const refused = refusedLines(conf, work).map((r) => [r.prints, caseOf(r.line, (c) => c.marker)]);
    const warned = warnings.filter((w) => w.startsWith('dnsmasq refuses to start')).map((w) => [/makes it print "(.*?)" \(/.exec(w)![1]!, caseOf(w, (c) => JSON.stringify(c.name))]);
    const expected = cases.filter((c) => c.prints).map((c) => [c.prints, [c.name]]);
    const sorted = (pairs: unknown[][]) => pairs.map((p) => JSON.stringify(p)).sort();
    expect(sorted(refused)).toEqual(sorted(expected));
    expect(sorted(warned)).toEqual(sorted(cases.filter((c) => c.warns ?? c.prints).map((c) => [c.warns ?? c.prints, [c.name]])));
    // The same lines in the real dnsmasq of each version a release installs (where the dnsmasq git directory has its
    // tag), against what gen says that version refuses.
    if (supplied) {
      const merged = parseXml(config).root;
      for (const version of DNSMASQ_VERSIONS.filter((v) => hasTag(dnsmasqTag(v)))) {
        const real = refusedLines(conf, work, dnsmasqBinary(dnsmasqTag(version))).map((r) => [r.prints, caseOf(r.line, (c) => c.marker)]);
        const said = dnsmasqRefusals(merged, version, releaseFacts(tag)!).map((w) => [/makes it print "(.*?)" \(/.exec(w)![1]!, caseOf(w, (c) => JSON.stringify(c.name))]);
        expect(sorted(said), `dnsmasq ${version}`).toEqual(sorted(real));
      }
    }
    expect(conf).toContain('dhcp-host=52:54:00:aa:bb:05,tablet,infinite\n');
    expect(warnings.find((w) => w.includes('"mask parts"'))).toMatch(/DHCP range "mask parts" \(10\.57\.0\.100-10\.57\.1\.100\).*the box serves no DHCP.*\(Services › Dnsmasq DNS & DHCP › DHCP ranges\)$/);
    // gen's reservation is written after the box's: its line is refused, and the box's Host is named as the other.
    expect(warnings.find((w) => w.includes('duplicate dhcp-host'))).toMatch(/the Host \S+ \(admin-pc 52:54:00:12:34:56\) makes it print .*the Host "printer" \(printer 52:54:00:aa:bb:01\) reserves 10\.10\.0\.10 too/);
  });

  // Strict interface binding (bind-interfaces) with a listed interface whose device has no address as dnsmasq starts,
  // a disabled one's (OPNsense configures none on it): dnsmasq reads the file, which --test takes, and dies as it
  // starts ("unknown interface"). Each box runs in a network namespace of its own, with a device for each name of its
  // rendered interface= line. The device of an enabled interface is up (interface_configure() runs `ifconfig <device>
  // inet6 -accept_rtadv -no_dad ... up` whatever its address types, and never ifdisabled) with an IPv6 link-local
  // address, which FreeBSD's auto_linklocal gives a device as it comes up and interfaces_addresses_flush() never
  // deletes (tentative here, its peer being down, as FreeBSD leaves it while DAD waits for a link), and its static
  // IPv4 address where it has one; any other device is down and without an address, as the box leaves it. Near
  // misses: the interface enabled with an address, enabled with none (its link-local address is one: dnsmasq's
  // iface_allowed() passes each address to iface_check(), tentative ones too), and strict binding off. A bridge gets
  // no link-local address unless its "Enable link-local address" is on (_interfaces_bridge_configure()): an enabled
  // interface on one without it and without an address is named, and dies; so does one whose only type is a dynamic
  // IPv6 one with IPv6 off, or dhcp6 (it needs the link-local address), or an IPv4 address without a subnet, but not
  // one of a static IPv6 address with IPv6 off.
  const whyStart = missing(['dnsmasq', 'unshare', 'ip']);
  it.skipIf(whyStart).each(UPSTREAM_RELEASES)(titled('$tag: merge names the listed interface without an address on which dnsmasq dies as it starts with Strict interface binding, and no other', whyStart), async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-unaddressed-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const own = '<opt5><if>vtnet5</if><enable>1</enable><descr>box5</descr></opt5><opt6><if>vtnet6</if><enable>1</enable><descr>box6</descr></opt6>';
    const start = async (name: string, opt5: string, strictbind: string, linkLocal = true, more = '', ipv6 = true) => {
      const factory = withOwnInterfaces(factoryConfig(coreGit!, tag));
      expect(factory.match(/<ipv6allow>1<\/ipv6allow>/g)).toHaveLength(1);
      const box = factory
        .replace(own, `${opt5}<opt6><if>vtnet6</if><enable>1</enable><descr>box6</descr><ipaddr>10.56.0.1</ipaddr><subnet>24</subnet></opt6>`)
        .replace('</opnsense>', `${more}</opnsense>`)
        .replace('<ipv6allow>1</ipv6allow>', ipv6 ? '<ipv6allow>1</ipv6allow>' : '')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq version="${releaseFacts(tag)!.versions.dnsmasq!}"><enable>1</enable><port>0</port><interface>opt5,opt6</interface><strictbind>${strictbind}</strictbind></dnsmasq>`);
      expect(box).toContain(opt5);
      const { warnings, config, conf } = await renderedMerge(box, sections, privateKey, tag, work, name);
      expect(conf.match(/^bind-interfaces$/gm)?.length ?? 0).toBe(strictbind === '1' ? 1 : 0);
      const devices = conf.match(/^interface=(.*)$/m)![1]!.split(',');
      expect(devices).toEqual(expect.arrayContaining([textOf(child(parseXml(opt5).root, 'if')), 'vtnet6']));
      // The box's devices: each enabled assignment's device up with a link-local address (but a bridge's without "Enable
      // link-local address") and its static IPv4 and IPv6 addresses where it has a subnet (interface_static_configure(),
      // interface_static6_configure(): with IPv6 off too); a dynamic IPv6 type gives none here (with IPv6 off none at all).
      const merged = parseXml(config).root;
      const bare = new Set(childrenNamed(child(merged, 'bridges'), 'bridged').filter((b) => textOf(child(b, 'linklocal')) !== '1').map((b) => textOf(child(b, 'bridgeif'))));
      const addresses = new Map<string, string[]>();
      for (const [n, entry] of child(merged, 'interfaces')!.children.filter(isElement).entries()) {
        const [device, address, bits, address6, bits6] = ['if', 'ipaddr', 'subnet', 'ipaddrv6', 'subnetv6'].map((f) => textOf(child(entry, f)));
        if (child(entry, 'enable') === undefined) continue;
        const own = addresses.get(device!) ?? [];
        if (linkLocal && !bare.has(device!)) own.push(`fe80::${n + 1}/64`);
        if (ipaddr.IPv4.isValid(address!) && bits !== '') own.push(`${address}/${bits}`);
        if (ipaddr.IPv6.isValid(address6!) && bits6 !== '') own.push(`${address6}/${bits6}`);
        addresses.set(device!, own);
      }
      const file = join(work, `${name}-start.conf`);
      mkdirSync(join(work, `${name}.d`), { recursive: true });
      writeFileSync(file, conf.replace(/^conf-dir=.*$/m, `conf-dir=${work}/${name}.d,*.conf`));
      const script = [
        'ip link set lo up',
        ...devices.flatMap((d, i) => {
          const own = addresses.get(d);
          return [`ip link add ${d} type veth peer name peer${i}`, ...(own ? [`ip link set ${d} up`, ...own.map((a) => `ip addr add ${a} dev ${d}`)] : [])];
        }),
        `dnsmasq -k -C ${file} --pid-file= --dhcp-leasefile=${work}/${name}.leases --log-facility=${work}/${name}.log 2>${work}/${name}.err & d=$!`,
        // Until it has logged its start (after the checks that end it) or ended.
        `while kill -0 $d 2>/dev/null && ! grep -qs 'started, version' ${work}/${name}.log; do sleep 0.1; done`,
        'kill $d 2>/dev/null; wait $d; echo "exit $?"',
      ].join('\n');
      const run = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      const died = /^dnsmasq: (.*)$/m.exec(readFileSync(join(work, `${name}.err`), 'utf8'))?.[1];
      // Started, it logs so and exits on SIGTERM with 0; dying, it prints why and exits with 2 (EC_BADNET).
      const log = existsSync(join(work, `${name}.log`)) ? readFileSync(join(work, `${name}.log`), 'utf8') : '';
      expect([run.stdout.trim(), log.includes('started, version')], died).toEqual(died === undefined ? ['exit 0', true] : ['exit 2', false]);
      const warned = warnings.filter((w) => w.startsWith('dnsmasq refuses to start')).map((w) => /makes it print "(.*?)" \(/.exec(w)![1]!);
      return { died, warned, warnings, checked: spawnSync('dnsmasq', ['--test', `--conf-file=${file}`], { encoding: 'utf8' }).status };
    };
    const disabled = await start('disabled', '<opt5><if>vtnet5</if><descr>box5</descr></opt5>', '1');
    expect(disabled).toMatchObject({ died: 'unknown interface vtnet5', checked: 0 });
    expect(disabled.warned).toEqual([disabled.died]);
    expect(disabled.warnings.find((w) => w.includes('unknown interface'))).toMatch(
      /^dnsmasq refuses to start with the merged config: the listed interface opt5 \(box5\) makes it print "unknown interface vtnet5" \(.*the interface is disabled, so vtnet5 has none\).*no DHCP \(the topology's included\)\. Enable the interface \(Interfaces › box5\), take it out of Dnsmasq's Interface list, or turn Strict interface binding off \(Services › Dnsmasq DNS & DHCP › General\)$/,
    );
    const bare = '<opt5><if>vtnet5</if><enable>1</enable><descr>box5</descr></opt5>';
    for (const [name, opt5, strictbind] of [
      ['addressed', '<opt5><if>vtnet5</if><enable>1</enable><descr>box5</descr><ipaddr>10.55.0.1</ipaddr><subnet>24</subnet></opt5>', '1'],
      ['bare', bare, '1'],
      ['unbound', '<opt5><if>vtnet5</if><descr>box5</descr></opt5>', '0'],
    ] as const) {
      expect(await start(name, opt5, strictbind), name).toMatchObject({ died: undefined, warned: [] });
    }
    // The link-local address is all that starts it: without one the enabled device dies as the disabled one does. The
    // merged config does not say whether FreeBSD gave the device one (net.inet6.ip6.auto_linklocal as the device
    // attached, a device without multicast), so merge names none.
    expect(await start('bare-unlinked', bare, '1', false)).toMatchObject({ died: 'unknown interface vtnet5', warned: [] });
    // On a bridge: FreeBSD gives it no link-local address unless "Enable link-local address" is on, so without an address
    // of its own the enabled interface's bridge has none, and merge names it; with the option on it starts.
    const bridge = (linklocal: string) => `<bridges><bridged><bridgeif>bridge0</bridgeif><members>opt6</members><linklocal>${linklocal}</linklocal><descr/></bridged></bridges>`;
    const onBridge = bare.replace('vtnet5', 'bridge0');
    const unlinked = await start('bridge', onBridge, '1', true, bridge('0'));
    expect(unlinked).toMatchObject({ died: 'unknown interface bridge0', checked: 0 });
    expect(unlinked.warned).toEqual([unlinked.died]);
    expect(unlinked.warnings.find((w) => w.includes('unknown interface'))).toMatch(/bridge0 is a bridge without a link-local address, so it has none\).*enable the link-local address of bridge0 \(Interfaces › Devices › Bridge\)/);
    expect(await start('bridge-linked', onBridge, '1', true, bridge('1'))).toMatchObject({ died: undefined, warned: [] });
    // With IPv6 off (no <system><ipv6allow>; 26.x's migration makes it "Turn off IPv6") OPNsense configures nothing of a
    // dynamic IPv6 type but still a static IPv6 address; nothing of an IPv4 address without a subnet.
    const typed = (fields: string) => onBridge.replace('<descr>', `${fields}<descr>`);
    const off = await start('bridge-track6-off', typed('<ipaddrv6>track6</ipaddrv6>'), '1', true, bridge('0'), false);
    expect(off).toMatchObject({ died: 'unknown interface bridge0', warned: ['unknown interface bridge0'] });
    expect(off.warnings.find((w) => w.includes('unknown interface'))).toMatch(/the interface's IPv6 type track6, which OPNsense skips with IPv6 off .*turn IPv6 on \(Interfaces › Settings\)/);
    // dhcp6 gives the bridge no address with IPv6 on either: its DHCPv6 client and FreeBSD's SLAAC need the link-local
    // address the bridge lacks (address-types.ts), so turning IPv6 on is no fix.
    const on = await start('bridge-dhcp6', typed('<ipaddrv6>dhcp6</ipaddrv6>'), '1', true, bridge('0'));
    expect(on).toMatchObject({ died: 'unknown interface bridge0', warned: ['unknown interface bridge0'] });
    expect(on.warnings.find((w) => w.includes('unknown interface'))).toMatch(/the interface's IPv6 type dhcp6, whose DHCPv6 client sends from a link-local address bridge0 lacks, .*Give the interface an address \(Interfaces › box5\), enable the link-local address of bridge0/);
    expect(await start('bridge-static6-off', typed('<ipaddrv6>fd00:57::1</ipaddrv6><subnetv6>64</subnetv6>'), '1', true, bridge('0'), false)).toMatchObject({ died: undefined, warned: [] });
    expect(await start('bridge-subnetless', typed('<ipaddr>10.57.0.1</ipaddr>'), '1', true, bridge('0'))).toMatchObject({ died: 'unknown interface bridge0', warned: ['unknown interface bridge0'] });
  });

  // gen's reservation takes over the box's Host of its name, or of its MAC where that is the Host's one MAC, and writes
  // its own name, addresses and MAC list in the Host's place; merge names what goes (dnsmasq-host-takeovers.ts). What
  // OPNsense renders of the box's Hosts, its template's dhcp-host lines and its hosts file (_dnsmasq_add_host_entries()),
  // with the box's Host and with gen's in its place: each MAC, address and name the warning names is in them with the
  // box's and in none with gen's, whose lines are gen's alone. Per release, where the upstream snapshot is set.
  it.each(UPSTREAM_RELEASES)("$tag: what merge says a box's Host taken over by a reservation loses goes from its rendered dhcp-host and hosts-file lines", async ({ tag, release }) => {
    const work = templateWork(tag, 'gen-split-dns-takeover-');
    const { sections, privateKey } = await releaseSections(answered, release);
    const reservation = [doc(await fragments(answered, 'home'), 'dhcp.xml').dnsmasq.hosts].flat()[0] as { host: string; ip: string; hwaddr: string };
    const tree = join(env.OPNSENSE_PHP_CACHE, tag, 'root');
    // The dhcp-host lines and the hosts file OPNsense renders of the config `name`-migrated.xml, which run.sh left.
    const rendered = async (name: string) => {
      const out = join(work, `${name}-root`);
      const r = await renderTemplate(tree, join(work, `${name}-migrated.xml`), out, 'OPNsense.Dnsmasq');
      expect(r.status, r.stderr).toBe(0);
      const hosts = spawnSync('php', [join(tools, 'lib/dnsmasq-hosts.php'), tree, join(work, `${name}-migrated.xml`), join(work, `${name}-hosts`)], { encoding: 'utf8', env });
      expect(hosts.status, hosts.stderr).toBe(0);
      expect(hosts.stdout).not.toContain('PHP warnings');
      const lines = readFileSync(join(out, 'usr/local/etc/dnsmasq.conf'), 'utf8').split('\n').filter((l) => l.startsWith('dhcp-host='));
      return { lines, hosts: hosts.stdout.split('\n').filter((l) => l !== '') };
    };
    const takeover = async (name: string, host: string, ip: string, macs: string) => {
      const theirs = `<hosts uuid="11111111-2222-4333-8444-800000000001"><host>${host}</host><domain/><local>0</local><ip>${ip}</ip><cnames/><client_id/><hwaddr>${macs}</hwaddr><lease_time/><ignore>0</ignore><set_tag/><descr/><comments/><aliases/></hosts>`;
      const box = factoryConfig(coreGit!, tag).replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq version="${releaseFacts(tag)!.versions.dnsmasq!}"><enable>1</enable><port>0</port>${theirs}</dnsmasq>`);
      expect(box).toContain(theirs);
      const { warnings, errors, config } = await renderedMerge(box, sections, privateKey, tag, work, name);
      expect(errors.filter((e) => e.includes('hosts'))).toEqual([]);
      const after = await rendered(name);
      // Before: the merged config with the box's Host in the place gen's took (its UUID), all else the same.
      const taken = new RegExp(`<hosts uuid="${attr(parseXml(theirs).root, 'uuid')}">[\\s\\S]*?</hosts>`, 'g');
      expect(config.match(taken)).toHaveLength(1);
      expect(unboundOnBox(config.replace(taken, theirs), tag, work, `${name}-before`, env).errors.filter((e) => e.includes('hosts'))).toEqual([]);
      const before = await rendered(`${name}-before`);
      const said = warnings.filter((w) => w.startsWith("the box's own Host ") && w.includes(`is gen's DHCP reservation ${reservation.host} `));
      expect(said, warnings.join('\n')).toHaveLength(1);
      const lost = {
        macs: [...said[0]!.matchAll(/the MAC (\S+?)[,;]? /g)].map((m) => m[1]!),
        addresses: [...said[0]!.matchAll(/the address (\S+?)[,;]? /g)].map((m) => m[1]!),
        name: /the name (\S+) its DNS answer/.exec(said[0]!)?.[1],
      };
      // Each word of the hosts file, and of the dhcp-host lines (MACs as dnsmasq compares them, without case; an IPv6
      // address without the template's brackets).
      const words = (r: { lines: string[]; hosts: string[] }) => ({
        lines: new Set(r.lines.flatMap((l) => l.slice('dhcp-host='.length).split(',').map((w) => w.replace(/^\[(.*)\]$/, '$1').toLowerCase()))),
        hosts: new Set(r.hosts.flatMap((l) => l.split(/\s+/))),
      });
      const [was, is] = [words(before), words(after)];
      for (const mac of lost.macs) expect([was.lines.has(mac), is.lines.has(mac)], mac).toEqual([true, false]);
      for (const address of lost.addresses) expect([was.lines.has(address), was.hosts.has(address), is.lines.has(address), is.hosts.has(address)], address).toEqual([true, true, false, false]);
      if (lost.name) expect([was.hosts.has(lost.name), is.hosts.has(lost.name)], lost.name).toEqual([true, false]);
      // After: the Host's one line and hosts-file line are gen's reservation's.
      expect(after.lines).toEqual([`dhcp-host=${reservation.hwaddr},${reservation.ip},${reservation.host}`]);
      expect(after.hosts).toEqual([`${reservation.ip}\t${reservation.host}`]);
      return { lost, before };
    };
    expect(reservation).toMatchObject({ host: 'admin-pc', ip: '10.10.0.10', hwaddr: '52:54:00:12:34:56' });
    // By its name, with two other MACs, another IPv4 address and an IPv6 one: the MACs and addresses go.
    const byName = await takeover('by-name', 'admin-pc', '10.10.0.99,fd00:10::99', '52:54:00:AA:BB:09,52:54:00:AA:BB:0C');
    expect(byName.lost).toEqual({ macs: ['52:54:00:aa:bb:09', '52:54:00:aa:bb:0c'], addresses: ['10.10.0.99', 'fd00:10::99'], name: undefined });
    expect(byName.before).toEqual({ lines: ['dhcp-host=52:54:00:AA:BB:09,52:54:00:AA:BB:0C,10.10.0.99,[fd00:10::99],admin-pc'], hosts: ['10.10.0.99\tadmin-pc', 'fd00:10::99\tadmin-pc'] });
    // By its one MAC, with another name and address: the address and the name go, the MAC stays.
    const byMac = await takeover('by-mac', 'printer', '10.10.0.50', '52:54:00:12:34:56');
    expect(byMac.lost).toEqual({ macs: [], addresses: ['10.10.0.50'], name: 'printer' });
    expect(byMac.before).toEqual({ lines: ['dhcp-host=52:54:00:12:34:56,10.10.0.50,printer'], hosts: ['10.10.0.50\tprinter'] });
  });

  const whyShared = missing(['dnsmasq', 'unshare', 'ip', 'busybox']);
  // A merge into the factory config of `tag` of a box's dnsmasq with the Hosts `hosts`, the dhcp-range and dhcp-host
  // lines OPNsense's template renders of it served by a real dnsmasq on lan's device with lan's address, in a network
  // namespace of its own, and a udhcpc client (with the arguments `udhcpc`) of the MAC `client` on its peer.
  const dhcpClients = async (tag: string, release: string, prefix: string) => {
    const work = templateWork(tag, prefix);
    const { sections, privateKey } = await releaseSections(answered, release);
    const host = (n: number, name: string, ip: string, macs: string) =>
      `<hosts uuid="11111111-2222-4333-8444-60000000000${n}"><host>${name}</host><domain/><local>0</local><ip>${ip}</ip><cnames/><client_id/><hwaddr>${macs}</hwaddr><lease_time/><ignore>0</ignore><set_tag/><descr/><comments/><aliases/></hosts>`;
    // The address a client of the MAC `client` leases, the warnings of its Hosts; `written`: the dhcp-host lines of that MAC.
    const leased = async (name: string, hosts: string, client = '52:54:00:12:34:56', written = 2, udhcpc: string[] = []) => {
      const box = factoryConfig(coreGit!, tag).replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq version="${releaseFacts(tag)!.versions.dnsmasq!}"><enable>1</enable><port>0</port>${hosts}</dnsmasq>`);
      expect(box).toContain(hosts);
      const { warnings, conf } = await renderedMerge(box, sections, privateKey, tag, work, name);
      // The box's tagged DHCP options and matches too (not the template's untagged DNS options).
      const lines = conf.split('\n').filter((l) => /^dhcp-(range|host)=|^dhcp-(option|match)=(tag|set):/.test(l));
      expect(lines.filter((l) => l.toLowerCase().includes(client))).toHaveLength(written);
      const file = join(work, `${name}-dhcp.conf`);
      writeFileSync(file, ['port=0', 'interface=vtnet1', 'bind-interfaces', ...lines, ''].join('\n'));
      const script = join(work, `${name}-udhcpc.sh`);
      writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && echo "bound $ip $lease" && echo "tftp $tftp" && echo "wpad $wpad"\nexit 0\n', { mode: 0o755 });
      const run = spawnSync('unshare', ['-n', 'sh', '-c', [
        'ip link set lo up',
        'ip link add vtnet1 type veth peer name client0',
        'ip addr add 10.10.0.1/24 dev vtnet1',
        'ip link set vtnet1 up',
        `ip link set client0 address ${client}`,
        'ip link set client0 up',
        `dnsmasq -k -C ${file} --pid-file= --user=${userInfo().username} --dhcp-leasefile=${work}/${name}.leases --log-facility=${work}/${name}.log & d=$!`,
        `while kill -0 $d 2>/dev/null && ! grep -qs 'started, version' ${work}/${name}.log; do sleep 0.1; done`,
        `busybox udhcpc -i client0 -q -n -f -t 5 -T 2 -s ${script}${udhcpc.map((a) => ` ${a}`).join('')}`,
        'kill $d; wait $d',
      ].join('\n')], { encoding: 'utf8', timeout: 60_000 });
      return {
        address: /^bound (\S+) /m.exec(run.stdout)?.[1] ?? `none: ${run.stdout}${run.stderr}`,
        lease: /^bound \S+ (\d+)$/m.exec(run.stdout)?.[1],
        // Options 66 and 252, where dnsmasq sent them (udhcpc asks for them with -O tftp -O wpad).
        tftp: /^tftp (\S+)$/m.exec(run.stdout)?.[1],
        wpad: /^wpad (\S+)$/m.exec(run.stdout)?.[1],
        tagWarned: warnings.filter((w) => w.includes("keeps the Host's tag")),
        range: /^dhcp-range=.*?,(10\.10\.0\.\d+),(10\.10\.0\.\d+),/m.exec(lines.join('\n'))?.slice(1) ?? [],
        leaseWarned: warnings.filter((w) => w.includes("keeps the Host's lease time")),
        warned: warnings.filter((w) => w.includes('lists the MAC') || w.includes('has the client id') || w.includes('writes no dhcp-host line') || w.includes("keeps the Host's client id") || w.includes('has Ignore on') || w.includes('not a MAC')),
      };
    };
    return { host, leased };
  };
  // A box's Host whose MAC list holds the MAC of gen's reservation admin-pc (52:54:00:12:34:56, 10.10.0.10) among
  // others stays beside it, and OPNsense's template writes a dhcp-host line of that MAC for each. A real dnsmasq on
  // those lines, on lan's device with lan's address, in a network namespace of its own, hands a client of that MAC the
  // address of the line written last: gen's where gen's reservation goes after the box's Hosts, the box's where it
  // takes the place of the box's Host of its name before them; and, whatever the order, a box's Host of the client id
  // udhcpc sends for that MAC. Merge names the box's Host, the MAC or client id and that line.
  it.skipIf(whyShared).each(UPSTREAM_RELEASES)(titled('$tag: merge names the box\'s Host that lists the MAC of a reservation, and the line dnsmasq gives a client of it', whyShared), async ({ tag, release }) => {
    const { host, leased } = await dhcpClients(tag, release, 'gen-split-dns-shared-mac-');
    const printer = host(2, 'printer', '10.10.0.50', '52:54:00:AA:BB:01,52:54:00:12:34:56');
    const after = await leased('after', printer);
    expect(after.address).toBe('10.10.0.10');
    expect(after.warned).toEqual([expect.stringMatching(/^the box's Host 11111111-2222-4333-8444-600000000002 \(printer 52:54:00:AA:BB:01,52:54:00:12:34:56\) lists the MAC 52:54:00:12:34:56 of gen's DHCP reservation admin-pc \(10\.10\.0\.10\) .* written last, gen's, so/)]);
    const before = await leased('before', host(1, 'admin-pc', '10.10.0.99', '52:54:00:00:00:99') + printer);
    expect(before.address).toBe('10.10.0.50');
    expect(before.warned).toEqual([expect.stringMatching(/ written last, the box's Host 11111111-2222-4333-8444-600000000002 \(printer .*\), so the client does not get gen's reservation of 10\.10\.0\.10; /)]);
    // udhcpc sends 01 and its MAC as client id (-C would not): a box's Host of that client id and another MAC takes
    // the client before gen's line of its MAC, though gen's is written last.
    const byClientId = host(3, 'laptop', '10.10.0.60', '52:54:00:AA:BB:02').replace('<client_id/>', '<client_id>01:52:54:00:12:34:56</client_id>');
    const sent = await leased('client-id', byClientId);
    expect(sent.address).toBe('10.10.0.60');
    expect(sent.warned).toEqual([expect.stringMatching(/^the box's Host 11111111-2222-4333-8444-600000000003 \(laptop 52:54:00:AA:BB:02\) has the client id 01:52:54:00:12:34:56, .* gets the dhcp-host line of the box's Host \S+ \(laptop .*\) and 10\.10\.0\.60, not gen's reservation of 10\.10\.0\.10; /)]);
    // A box's Host of its MAC written with dashes only, no client id: OPNsense's template writes no line of it, and its
    // client gets no reservation.
    const dashed = await leased('dashed', host(4, 'scanner', '10.10.0.70', '52-54-00-AA-BB-03'), '52:54:00:aa:bb:03', 0);
    expect(dashed.address).not.toBe('10.10.0.70');
    expect(dashed.warned).toEqual([expect.stringMatching(/^the box's Host 11111111-2222-4333-8444-600000000004 \(scanner 52-54-00-AA-BB-03\) .* does not get its reservation of 10\.10\.0\.70; write the Host's MACs with colons \(52:54:00:AA:BB:03\)/)]);
    // A box's Host without a name of a MAC with colons and one with dashes: OPNsense's template writes its line, on
    // which dnsmasq reads the dashed word as the Host's name, and that MAC's client gets no reservation.
    const dashedName = await leased('dashed-name', host(5, '', '10.10.0.80', '52:54:00:AA:BB:04,52-54-00-AA-BB-05').replace('<host></host>', '<host/>'), '52:54:00:aa:bb:05', 0);
    expect(dashedName.address).not.toBe('10.10.0.80');
    expect(dashedName.address).toMatch(/^10\.10\.0\.\d+$/);
    expect(dashedName.warned).toEqual([expect.stringMatching(/^the box's Host 11111111-2222-4333-8444-600000000005 \(52:54:00:AA:BB:04,52-54-00-AA-BB-05\) lists 52-54-00-AA-BB-05 without colons, .* a client of it does not get the Host's reservation of 10\.10\.0\.80, and the Host's other clients \(52:54:00:AA:BB:04\) get 52-54-00-AA-BB-05 as their name; /)]);
    // gen's reservation takes over the box's Host of its name and keeps its client id: the client that sends it, of
    // another MAC, gets gen's address.
    const taken = host(1, 'admin-pc', '10.10.0.99', '52:54:00:AA:BB:09').replace('<client_id/>', '<client_id>01:52:54:00:aa:bb:09</client_id>');
    const kept = await leased('kept-id', taken, '52:54:00:aa:bb:09', 1);
    expect(kept.address).toBe('10.10.0.10');
    expect(kept.warned).toEqual([expect.stringMatching(/^the box's own Host \S+ \(admin-pc 52:54:00:AA:BB:09\) is gen's DHCP reservation admin-pc .* it keeps the Host's client id 01:52:54:00:aa:bb:09 .* gets gen's reservation of 10\.10\.0\.10 too: /)]);
    // gen's reservation takes over the box's Host of its name with Ignore on, with which dnsmasq answers no client of
    // the line: gen writes Ignore off, and the client of gen's MAC gets gen's address.
    const ignoring = host(1, 'admin-pc', '10.10.0.99', '52:54:00:AA:BB:09').replace('<ignore>0</ignore>', '<ignore>1</ignore>');
    const unignored = await leased('ignored', ignoring, '52:54:00:12:34:56', 1);
    expect(unignored.address).toBe('10.10.0.10');
    expect(unignored.warned).toEqual([expect.stringMatching(/^the box's own Host \S+ \(admin-pc 52:54:00:AA:BB:09\) is gen's DHCP reservation admin-pc .* Ignore on, .* the client of 52:54:00:12:34:56 gets 10\.10\.0\.10, and the MAC 52:54:00:aa:bb:09 is no longer ignored: dnsmasq answers it as a client of no Host, with an address of a dynamic range of its link where there is one, and the address 10\.10\.0\.99, which dnsmasq gave no client but kept out of its ranges, is no longer kept out; /)]);
  });

  it.skipIf(whyShared).each(UPSTREAM_RELEASES)(titled("$tag: a taken-over ignored Host's other MAC gets an address of the range, and its other address is no longer kept out", whyShared), async ({ tag, release }) => {
    const { host, leased } = await dhcpClients(tag, release, 'gen-split-dns-ignored-');
    // The ignored Host's other MAC, on no line once gen's takes the Host's place, gets an address of the range. The
    // ignored Host reserved its address for no client, but dnsmasq kept it out of the range (config_find_by_address()
    // reads no ignore): a client asking for it gets another while the box's ignored Host stands, and, once gen's line
    // takes the Host's place, gets it.
    const ignoring = host(1, 'admin-pc', '10.10.0.99', '52:54:00:AA:BB:09').replace('<ignore>0</ignore>', '<ignore>1</ignore>');
    const freedMac = await leased('ignored-mac', ignoring, '52:54:00:aa:bb:09', 0);
    expect(freedMac.address).toMatch(/^10\.10\.0\.\d+$/);
    const [, end] = freedMac.range;
    expect(end).toMatch(/^10\.10\.0\.\d+$/);
    const spare = host(6, 'spare', end!, '52:54:00:AA:BB:0A').replace('<ignore>0</ignore>', '<ignore>1</ignore>');
    const held = await leased('ignored-held', spare, '52:54:00:aa:bb:0b', 0, ['-r', end!]);
    expect(held.address).toMatch(/^10\.10\.0\.\d+$/);
    expect(held.address).not.toBe(end);
    const freed = await leased('ignored-freed', ignoring.replace('10.10.0.99', end!), '52:54:00:aa:bb:0b', 0, ['-r', end!]);
    expect(freed.address).toBe(end);
    expect(freed.warned).toEqual([expect.stringContaining(`and the address ${end}, which dnsmasq gave no client but kept out of its ranges, is no longer kept out; `)]);
  });

  // gen's reservation takes over the box's Host of its name and keeps its tag. The template writes a DHCP option's tags
  // as tag:<uuid> each, and dnsmasq sends it only where every one is on the request (match_netid()): one on the Host's
  // tag alone reaches gen's client; one also on a tag nothing sets does not, and merge does not name it; one also on a
  // tag a DHCP match sets does where the request matches, and merge names it so.
  it.skipIf(whyShared).each(UPSTREAM_RELEASES)(titled("$tag: the box's DHCP options on a taken-over Host's tag that reach gen's client, and only they, are named", whyShared), async ({ tag, release }) => {
    const { host, leased } = await dhcpClients(tag, release, 'gen-split-dns-tag-');
    const uuid = (n: number) => `11111111-2222-4333-8444-70000000000${n}`;
    const tags = `<dhcp_tags uuid="${uuid(1)}"><tag>pxe</tag></dhcp_tags><dhcp_tags uuid="${uuid(2)}"><tag>legacy</tag></dhcp_tags>`;
    const option = (n: number, type: string, number: string, tagged: string, setTag: string, value: string) =>
      `<dhcp_options uuid="${uuid(n)}"><type>${type}</type><option>${number}</option><option6/><interface/><tag>${tagged}</tag><set_tag>${setTag}</set_tag><value>${value}</value><force>0</force><description/></dhcp_options>`;
    const tagged = host(1, 'admin-pc', '10.10.0.10', '52:54:00:12:34:56').replace('<set_tag/>', `<set_tag>${uuid(1)}</set_tag>`);
    const options = option(3, 'set', '66', uuid(1), '', 'tftp.example') + option(4, 'set', '252', `${uuid(1)},${uuid(2)}`, '', 'http://wpad.example/wpad.dat');
    const asked = ['-O', 'tftp', '-O', 'wpad'];
    const unset = await leased('tag-unset', tags + options + tagged, '52:54:00:12:34:56', 1, asked);
    expect([unset.address, unset.tftp, unset.wpad]).toEqual(['10.10.0.10', 'tftp.example', undefined]);
    expect(unset.tagWarned).toEqual([expect.stringMatching(new RegExp(`on which the box's DHCP option ${uuid(3)} matches: dnsmasq gives the client of 52:54:00:12:34:56 what it sets; `))]);
    // A DHCP match on the vendor class sets the other tag: a request with that vendor class gets both options.
    const matched = tags + options + option(5, 'match', '60', '', uuid(2), 'legacy-pxe') + tagged;
    const plain = await leased('tag-match-plain', matched, '52:54:00:12:34:56', 1, asked);
    expect([plain.tftp, plain.wpad]).toEqual(['tftp.example', undefined]);
    const vendor = await leased('tag-match-vendor', matched, '52:54:00:12:34:56', 1, [...asked, '-V', 'legacy-pxe']);
    expect([vendor.tftp, vendor.wpad]).toEqual(['tftp.example', 'http://wpad.example/wpad.dat']);
    expect(vendor.tagWarned).toEqual([
      expect.stringContaining(`on which the box's DHCP option ${uuid(3)}, DHCP option ${uuid(4)} (where the request also carries the tag legacy, which a DHCP match or range sets) match: dnsmasq gives the client of 52:54:00:12:34:56 what they set; `),
    ]);
  });

  it.skipIf(whyShared).each(UPSTREAM_RELEASES)(titled("$tag: a taken-over Host's lease time is the longest dnsmasq gives gen's client", whyShared), async ({ tag, release }) => {
    const { host, leased } = await dhcpClients(tag, release, 'gen-split-dns-lease-');
    // gen's reservation takes over the box's Host of its name and keeps its lease time, which dnsmasq takes over the
    // range's, and grants a client a shorter one it asks for (calc_time()): udhcpc asking for 300 seconds gets them,
    // asking for more gets the Host's 600.
    const leasing = host(1, 'admin-pc', '10.10.0.10', '52:54:00:12:34:56').replace('<lease_time/>', '<lease_time>600</lease_time>');
    const asksLess = await leased('lease-less', leasing, '52:54:00:12:34:56', 1, ['-x', 'lease:300']);
    expect([asksLess.address, asksLess.lease]).toEqual(['10.10.0.10', '300']);
    const asksMore = await leased('lease-more', leasing, '52:54:00:12:34:56', 1, ['-x', 'lease:100000']);
    expect([asksMore.address, asksMore.lease]).toEqual(['10.10.0.10', '600']);
    expect(asksMore.warned).toEqual([]);
    expect(asksMore.leaseWarned).toEqual([expect.stringMatching(/ the client of 52:54:00:12:34:56 leases 10\.10\.0\.10 for 600 seconds, not its range's \d+ seconds, unless it asks for a shorter lease; /)]);
  });
});

type Seen = { asked: string[]; rcode: number; answers: string[]; warned: boolean };

/**
 * Each box's rendered dnsmasq.conf (its server=, local= and address= lines) and hosts file in a real dnsmasq, each
 * server sent to the responder `upstream` names for its address and port; what dnsmasq answers for gen's names to
 * queries of `qtype` (1 A, 28 AAAA), and whether merge named the name for that type.
 */
async function askDnsmasq(
  boxes: Record<string, { conf: string; hostsFile: string; warned: string[]; wrong: string[]; wrongTypes: string[] }>,
  upstream: (address: string, port: string | undefined) => 'unbound' | 'outside',
  qtype: 1 | 28 = 1,
): Promise<Record<string, Record<string, Seen>>> {
  const work = tempDir('gen-split-dns-dnsmasq-run-');
  const seen: Record<string, Record<string, Seen>> = {};
  await withResponders(['unbound', 'outside'], async (ports, asked) => {
    for (const [name, { conf, hostsFile, warned, wrongTypes }] of Object.entries(boxes)) {
      const lines = (conf.match(/^(server|local|address)=\/.*$/gm) ?? []).map((l) =>
        l.replace(/^server=(\/[^/]+\/)([^#@/]+)(?:#(\d+))?.*$/, (_all, domain: string, address: string, port?: string) => `server=${domain}127.0.0.1#${ports[upstream(address, port)]}`),
      );
      // Without no-resolv, dnsmasq also forwards to /etc/resolv.conf's servers (port 53, never Unbound's): a server
      // without a domain stands for them, as dnsmasq adds them (the empty domain).
      if (!/^no-resolv$/m.test(conf)) lines.push(`server=127.0.0.1#${ports.outside}`);
      // The probe that waits for dnsmasq (ready.invalid) is answered by dnsmasq itself: forwarded, its answer would
      // make dnsmasq send the next queries of the same servers to the first that answered only.
      lines.push('local=/invalid/');
      const hostsPath = join(work, `${name}.hosts`);
      writeFileSync(hostsPath, hostsFile);
      seen[name] = await withDnsmasq(work, name, [...lines, `addn-hosts=${hostsPath}`], async (port) => {
        const out: Record<string, Seen> = {};
        for (const host of NAMES) {
          asked.clear();
          const reply = await ask(port, host, 1500, qtype);
          await new Promise((done) => setTimeout(done, 100));
          out[host] = {
            asked: [...new Set(asked.get(host) ?? [])].sort(),
            rcode: reply === undefined ? -1 : reply[3]! & 0xf,
            answers: reply === undefined ? [] : answersOf(reply, qtype).sort(),
            warned: (qtype === 1 && warned.includes(host)) || wrongTypes.includes(`${host} ${qtype === 1 ? 'A' : 'AAAA'}`),
          };
        }
        return out;
      });
    }
  });
  return seen;
}

// dnsmasq on port 53, as on the box, in a network namespace of its own: /etc/resolv.conf as
// system_resolvconf_generate() writes it for a box with no DNS servers and no dynamic interface holds only
// `nameserver 127.0.0.1`, dnsmasq's own listening address, which it skips; one DNS server of System › Settings ›
// General (a resolver at 127.0.0.2 here) joins the `*` override's group. Merge says the same of both boxes.
const whyResolv = missing(['dnsmasq', 'unbound', 'unshare', 'ip']);
describe('the servers of /etc/resolv.conf beside a `*` override', () => {
  it.skipIf(whyResolv)(titled("dnsmasq on port 53 skips its own address in resolv.conf and asks a `*` override's Unbound only, as merge says", whyResolv), async () => {
    const { sections, privateKey } = await releaseSections(answered, '26.7');
    const wan = doc(await fragments(answered, 'home'), 'interfaces.xml').interfaces.wan.ipaddr as string;
    const factory = factorySample('26.7').replace(/<ipaddr>dhcp<\/ipaddr>\s*<ipaddrv6>dhcp6<\/ipaddrv6>/, '<ipaddr>192.0.2.10</ipaddr><ipaddrv6/>');
    expect(factory).toContain('<ipaddr>192.0.2.10</ipaddr>');
    const star = '<domainoverrides uuid="11111111-2222-4333-8444-c00000000001"><sequence>1</sequence><domain>*</domain><ipset/><srcip/><port>5353</port><ip>127.0.0.1</ip></domainoverrides>';
    const warned = (system: string) => {
      const box = withUnboundModel(factory, releaseFacts('26.7')!.versions.unbound!, '<enabled>1</enabled><port>5353</port>')
        .replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, `<dnsmasq><enable>1</enable><port>53</port>${star}</dnsmasq>`)
        .replace('<dnsallowoverride_exclude/>', system);
      const warnings: string[] = [];
      mergeConfig(withBoxCa(box), sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m), release: '26.7' });
      return warnings.filter((w) => w.includes('Unbound DNS listens on port')).map((w) => /any of them may answer: (.*?); turn on/.exec(w)?.[1] ?? w);
    };
    const work = tempDir('gen-split-dns-resolv-');
    const unbound = (name: string, at: string, address: string) =>
      `server:\n  chroot: ""\n  username: ""\n  directory: "${work}"\n  pidfile: "${work}/${name}.pid"\n  interface: ${at}\n  do-ip6: no\n  use-syslog: no\n` +
      `  do-not-query-localhost: no\n${NAMES.map((n) => `  local-data: "${n} IN A ${address}"\n`).join('')}forward-zone:\n  name: "."\n  forward-addr: 127.0.0.1@9\n`;
    writeFileSync(join(work, 'unbound.conf'), unbound('unbound', '127.0.0.1@5353', wan));
    writeFileSync(join(work, 'outside.conf'), unbound('outside', '127.0.0.2@53', '203.0.113.1'));
    // A client in the namespace: each name's A answers, asked until dnsmasq answers.
    writeFileSync(
      join(work, 'ask.cjs'),
      `const dgram = require('node:dgram');
const ask = (name) => new Promise((done) => {
  const s = dgram.createSocket('udp4');
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const t = setTimeout(() => { s.close(); done(undefined); }, 500);
  s.on('message', (m) => { clearTimeout(t); s.close(); done(m); });
  s.send(Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]), 53, '127.0.0.1');
});
(async () => {
  for (const name of process.argv.slice(2)) {
    let reply;
    for (let i = 0; i < 40 && reply === undefined; i++) reply = await ask(name);
    console.log(name, reply === undefined ? 'none' : [...reply.subarray(reply.length - 4)].join('.'));
  }
})();
`,
    );
    const group = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();
    // The server= line OPNsense's template writes for the override (the `*` test on OPNsense's own code shows it).
    const run = (name: string, resolv: string) => {
      writeFileSync(join(work, `${name}.resolv`), resolv);
      writeFileSync(join(work, `${name}.conf`), ['port=53', 'bind-interfaces', 'no-hosts', 'pid-file=', 'log-queries', `log-facility=${work}/${name}.log`, `resolv-file=${work}/${name}.resolv`, 'server=/*/127.0.0.1#5353', ''].join('\n'));
      const script = [
        'ip link set lo up',
        `unbound -d -c ${work}/unbound.conf & u=$!`,
        `unbound -d -c ${work}/outside.conf & o=$!`,
        `dnsmasq -k -C ${work}/${name}.conf --user=${userInfo().username} --group=${group} & d=$!`,
        `"$0" ${work}/ask.cjs ${NAMES.join(' ')}`,
        'kill $d $u $o; wait',
      ].join('\n');
      const result = spawnSync('unshare', ['-n', 'sh', '-c', script, process.execPath], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      const log = readFileSync(join(work, `${name}.log`), 'utf8');
      return {
        answers: result.stdout.trim().split('\n'),
        ignored: [...log.matchAll(/ignoring nameserver (\S+) - local interface/g)].map((m) => m[1]),
        asked: [...new Set([...log.matchAll(/forwarded \S+ to (\S+)/g)].map((m) => m[1]))].sort(),
      };
    };
    // No DNS servers, no dynamic interface: resolv.conf names 127.0.0.1 only, and only Unbound answers.
    expect(warned('')).toEqual([]);
    expect(run('own', 'domain internal\nnameserver 127.0.0.1\nsearch internal\n')).toEqual({ answers: NAMES.map((n) => `${n} ${wan}`), ignored: ['127.0.0.1'], asked: ['127.0.0.1#5353'] });
    // A DNS server in the system settings: dnsmasq asks it beside Unbound, as merge says.
    expect(warned('<dnsserver>127.0.0.2</dnsserver>')).toEqual(['127.0.0.2']);
    expect(run('system', 'domain internal\nnameserver 127.0.0.1\nnameserver 127.0.0.2\nsearch internal\n')).toMatchObject({ ignored: ['127.0.0.1'], asked: ['127.0.0.1#5353', '127.0.0.2'] });
  });
});

describe('an earlier merge\'s overrides', () => {
  it('go when the topology no longer answers the names (split_dns: false), and the box\'s own stay', async () => {
    const first = await releaseSections(answered, '26.7');
    const box = factorySample('26.7').replace(
      '<OPNsense>',
      '<OPNsense><unboundplus version="1.0.15"><hosts><host uuid="11111111-2222-4333-8444-666666666666"><enabled>1</enabled><hostname>nas</hostname><domain>example.org</domain><rr>A</rr><server>10.10.0.5</server></host></hosts></unboundplus>',
    );
    const once = mergeConfig(withBoxCa(box), first.sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => first.privateKey });
    const names = (config: string) => [...config.matchAll(/<host uuid="[^"]*">\s*<enabled>1<\/enabled>\s*<hostname>([^<]*)<\/hostname>/g)].map((m) => m[1]).sort();
    expect(names(once)).toEqual(['cloud', 'media', 'nas']);
    const later = await releaseSections(edit(answered, ['sites', 0, 'haproxy', 'frontends', 0, 'split_dns'], false), '26.7');
    expect(names(mergeConfig(once, later.sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => later.privateKey }))).toEqual(['nas']);
  });
});
