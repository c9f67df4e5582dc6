// Rendering and reading back OPNsense fragments in tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import type { XmlElement } from '../../src/render/opnsense/xml.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, modelOf, readExample, render, root } from '../helpers.js';
import { siteToSite } from '../aws/fixtures.js';

/** Elements that repeat in OPNsense configs (by parent), always read as arrays. */
const LISTS: Record<string, string[]> = {
  rule: ['filter', 'nat', 'outbound', 'rules', 'snatrules'],
  vlan: ['vlans'],
  dhcp_ranges: ['dnsmasq'],
  hosts: ['dnsmasq'],
  dhcp_options: ['dnsmasq'],
  gateway_item: ['Gateways'],
  alias: ['aliases'],
  server: ['servers'],
  client: ['clients'],
  frontend: ['frontends'],
  backend: ['backends'],
  action: ['actions'],
  account: ['accounts'],
  validation: ['validations'],
  certificate: ['certificates'],
  cert: ['opnsense'],
  ifgroupentry: ['ifgroups'],
  staticmap: [],
  dnsserver: [],
};

function isList(name: string, jpath: string): boolean {
  const parents = LISTS[name];
  if (!parents) return false;
  const parent = jpath.split('.').slice(-2, -1)[0] ?? '';
  return parents.length === 0 || parents.includes(parent);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  commentPropName: '#comment',
  isArray: (name, jpath) => isList(name, String(jpath)),
  // dnsmasq ranges have a field named "constructor", which the parser refuses as an object key.
  transformTagName: (name) => (name === 'constructor' ? '_constructor' : name),
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Xml = any;

export function parse(text: string): Xml {
  return parser.parse(text);
}

/** The OPNsense fragments of one site, by file name. */
export async function fragments(yaml: string, site: string): Promise<Map<string, string>> {
  const files = await render(yaml);
  const prefix = `${site}/opnsense/`;
  return new Map([...files].filter(([path]) => path.startsWith(prefix)).map(([path, text]) => [path.slice(prefix.length), text]));
}

/** One fragment parsed; fails the test when the file is missing. */
export function doc(files: Map<string, string>, name: string): Xml {
  const text = files.get(name);
  if (text === undefined) throw new Error(`no fragment ${name} (have: ${[...files.keys()].join(', ')})`);
  return parse(text).opnsense;
}

/**
 * The policy's filter rules of a filter.xml fragment in the legacy rule's
 * shape (type, interface, protocol, source/destination with any, network or
 * address, not and port, descr, @uuid), whichever form the release writes:
 * legacy <filter><rule> up to 26.1, MVC rules (in sequence order) from 26.7,
 * whose source_net/destination_net name "any", a network (an interface key,
 * <key>ip, (self)) or an address or alias, with protocols in upper case.
 */
export function policyRules(files: Map<string, string>, interfaceKeys?: Iterable<string>): Xml[] {
  const filter = doc(files, 'filter.xml');
  // (A 26.7 <filter> holds only the normalization rules, <scrub>.)
  if (!filter.OPNsense?.Firewall?.Filter?.rules) return filter.filter?.rule ?? [];
  const keys = new Set(interfaceKeys ?? Object.keys(doc(files, 'interfaces.xml').interfaces));
  const side = (net: string, not: string, port?: string) => ({
    ...(net === 'any' ? { any: '' } : keys.has(net) || net === '(self)' || (net.endsWith('ip') && keys.has(net.slice(0, -2))) ? { network: net } : { address: net }),
    ...(not === '1' ? { not: '1' } : {}),
    ...(port ? { port } : {}),
  });
  const rules: Xml[] = filter.OPNsense?.Firewall?.Filter?.rules?.rule ?? [];
  // Both forms alike: the legacy one writes <disablereplyto>1 only where reply-to is off, the model 0 or 1 on every rule.
  return [...rules]
    .sort((a, b) => Number(a.sequence) - Number(b.sequence))
    .map((r) => ({
      '@uuid': r['@uuid'],
      type: r.action,
      interface: r.interface,
      protocol: r.protocol === 'any' ? undefined : String(r.protocol).toLowerCase(),
      source: side(text(r.source_net), text(r.source_not), text(r.source_port)),
      destination: side(text(r.destination_net), text(r.destination_not), text(r.destination_port)),
      descr: text(r.description),
      log: text(r.log) === '1' ? '1' : undefined,
      disablereplyto: text(r.disablereplyto) === '1' ? '1' : undefined,
    }));
}

/** Text of an element that fast-xml-parser may give as '' for <x/>. */
export function text(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'object' ? String((value as { '#text'?: string })['#text'] ?? '') : String(value);
}

/** The release a topology targets, set on its first site's firewall. */
export function withRelease(yaml: string, release: string): string {
  return edit(yaml, ['sites', 0, 'firewall', 'release'], release);
}

/**
 * Scenario A with every kind of item gen writes: static routes, an
 * interface group, a port forward, DHCP with a reservation and DNS servers,
 * and a full-tunnel VPN (outbound NAT rule).
 */
export function everyItem(): string {
  let yaml = withRoutesAndGroups();
  yaml = edit(yaml, ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'grafana', proto: 'tcp', port: 8443, service: 'grafana', target_port: 3000, description: `Grafana ${'대시보드'.repeat(60)}` }]);
  yaml = edit(yaml, ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'], {
    from: '10.0.0.100',
    to: '10.0.0.199',
    dns: ['10.0.0.1'],
    lease_seconds: 3600,
    static: [{ name: 'nas', mac: 'aa:bb:cc:dd:ee:01', address: '10.0.0.10', description: 'NAS' }],
  });
  // Descriptions longer than OPNsense's 255 bytes once gen's words are added (Hangul is three bytes a character).
  yaml = edit(yaml, ['sites', 0, 'policy', 'rules', 0, 'description'], '관리망 접근 '.repeat(30).trim());
  // A zone of two networks as a destination: one alias of both and one rule.
  const policy = parseYaml(yaml).sites[0].policy;
  yaml = edit(yaml, ['sites', 0, 'policy', 'zones'], [...policy.zones, { name: 'inside', networks: ['management', 'service'] }]);
  const rules = [...policy.rules];
  rules.splice(rules.findIndex((r: { name: string }) => r.name === 'service-internet-only'), 0, { name: 'service-dns-inside', from: 'service', to: 'inside', proto: 'udp', ports: [53], action: 'pass' });
  yaml = edit(yaml, ['sites', 0, 'policy', 'rules'], rules);
  yaml = edit(yaml, ['sites', 0, 'policy', 'tests'], [
    ...policy.tests,
    { from: 'service', to: 'management', proto: 'udp', port: 53, expect: 'accept' },
    { from: 'service', to: 'management', proto: 'udp', port: 54, expect: 'deny' },
  ]);
  // No keepalive in the client files (0): the model's minimum is 1, so the firewall's peers must not carry it.
  yaml = edit(yaml, ['sites', 0, 'wireguard', 0, 'keepalive'], 0);
  return edit(yaml, ['sites', 0, 'wireguard', 0, 'tunnel'], 'full');
}

/** Scenario A with two static routes and an interface group. */
export function withRoutesAndGroups(): string {
  let yaml = readExample('homelab');
  yaml = edit(yaml, ['sites', 0, 'firewall', 'routes'], [
    { network: '172.16.0.0/16', via: '10.0.0.5', description: 'Lab behind a router on the management network' },
    { network: '203.0.113.0/24', via: '192.168.0.1' },
  ]);
  return edit(yaml, ['sites', 0, 'firewall', 'groups'], [{ name: 'internal', members: ['management', 'service'], description: 'Internal networks' }]);
}

/**
 * The home CA of examples/homelab-family.yaml as the box has it (imported
 * under System > Trust > Authorities): a base config with it, for the
 * HAProxy servers that verify their backend against it.
 */
export const BOX_CA = { refid: '64f1c0d2a9b3e', cert: selfSignedCertificate(['Home CA']) };
export function withBoxCa(config: string): string {
  const crt = Buffer.from(BOX_CA.cert.certificatePem).toString('base64');
  const ca = `  <ca uuid="3a2c9a3e-1f41-4d2a-9c61-0e8f3d7a2b94">\n    <refid>${BOX_CA.refid}</refid>\n    <descr>Home CA</descr>\n    <crt>${crt}</crt>\n  </ca>\n`;
  return config.replace(/<\/opnsense>\s*$/, `${ca}</opnsense>\n`);
}

/**
 * The web GUI's own certificate, which every box makes at its first boot:
 * a config with it. (With gen's certificate the box has two: the 25.7
 * HAProxy template reads the certificates as a list only when there are
 * several, as the config reader makes one item no list.)
 */
export const GUI_CERT = { refid: '6a1f0e2d3c4b5', cert: selfSignedCertificate(['OPNsense.internal']) };
export function withGuiCert(config: string): string {
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  const cert = `  <cert uuid="3a9e5b0c-1d2f-4e6a-8b7c-9d0e1f2a3b4c">\n    <refid>${GUI_CERT.refid}</refid>\n    <descr>Web GUI TLS certificate</descr>\n    <crt>${b64(GUI_CERT.cert.certificatePem)}</crt>\n    <prv>${b64(GUI_CERT.cert.privateKeyPem)}</prv>\n  </cert>\n`;
  return config.replace(/<\/opnsense>\s*$/, `${cert}</opnsense>\n`);
}

/** The topologies every OPNsense check of a whole config runs on: the examples, a site-to-site VPN and one with every item. */
export const CONFIG_CASES: readonly { name: string; yaml: () => string }[] = [
  { name: 'scenario A', yaml: () => readExample('homelab') },
  { name: 'scenario B', yaml: () => readExample('vlan-hosting') },
  { name: 'family homelab', yaml: () => readExample('homelab-family') },
  { name: 'site-to-site', yaml: () => siteToSite() },
  { name: 'every item', yaml: everyItem },
];

/**
 * withRoutesAndGroups with rules and tests about the lab behind the router
 * 10.0.0.5 on the management network (172.16.0.0/16): one from a CIDR inside
 * the route's network, one from a CIDR holding it and more, and what the
 * internet-only service zone reaches: not the lab, not the upstream LAN
 * (192.168.0.0/24, the private WAN's network), but 203.0.113.0/24, routed
 * through the WAN's gateway. Without `tests`, the rules alone (what pf
 * makes of them does not wait for the policy tests to hold).
 */
export function withLabRoute(tests = true): string {
  let yaml = withRoutesAndGroups();
  const policy = parseYaml(yaml).sites[0].policy;
  yaml = edit(yaml, ['sites', 0, 'policy', 'rules'], [
    ...policy.rules,
    { name: 'lab-in', from: '172.16.5.0/24', to: 'service', proto: 'tcp', ports: [22], action: 'pass' },
    { name: 'lab-ping', from: '172.0.0.0/8', to: 'service', proto: 'icmp', action: 'pass' },
  ]);
  if (!tests) return yaml;
  return edit(yaml, ['sites', 0, 'policy', 'tests'], [
    ...policy.tests,
    { from: '172.16.5.7', to: 'service', proto: 'tcp', port: 22, expect: 'accept' },
    { from: 'service', to: '172.16.5.7', proto: 'tcp', port: 22, expect: 'deny' },
    { from: 'service', to: '192.168.0.50', proto: 'tcp', port: 80, expect: 'deny' },
    { from: 'service', to: '192.168.0.1', proto: 'tcp', port: 443, expect: 'deny' },
    { from: 'service', to: '203.0.113.5', proto: 'tcp', port: 443, expect: 'accept' },
    { from: '192.168.0.50', to: 'wan', proto: 'udp', port: 51820, expect: 'accept' },
  ]);
}

/**
 * gen's OPNsense sections of a topology for a release, with a fresh instance key pair (the private key is what merge
 * would fill in); errors of the `allowed` rules aside, the topology must lint clean.
 */
export async function releaseSections(yaml: string, release: string, allowed: readonly string[] = []): Promise<{ sections: XmlElement[]; privateKey: string }> {
  const pair = generateKeyPair();
  let text = withRelease(yaml, release);
  if (text.includes('wireguard:')) text = edit(text, ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
  const model = await modelOf(text, allowed);
  const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
  return { sections, privateKey: pair.privateKey };
}

/** vlan-hosting without its VLAN 30 network (vpssvc, opt3): the zone and the pool that named it name websvc only. */
export function withoutVpssvc(yaml = readExample('vlan-hosting')): string {
  const data = parseYaml(yaml) as Xml;
  let out = edit(yaml, ['sites', 0, 'firewall', 'interfaces'], data.sites[0].firewall.interfaces.filter((i: Xml) => i.name !== 'vpssvc'));
  out = edit(out, ['sites', 0, 'policy', 'zones'], data.sites[0].policy.zones.map((z: Xml) => (z.name === 'hosting' ? Object.assign({}, z, { networks: ['websvc'] }) : z)));
  // The API token's VM networks (a host's, above).
  return out.replace(/networks: \[\s*vpssvc\s*\]/, 'networks: [websvc]');
}

/** vlan-hosting without HAProxy (and its test of the WAN's 443). */
export function withoutHaproxy(yaml = readExample('vlan-hosting')): string {
  const tests = (parseYaml(yaml) as Xml).sites[0].policy.tests.filter((t: Xml) => !(t.from === 'internet' && t.port === 443));
  return edit(edit(yaml, ['sites', 0, 'haproxy'], undefined), ['sites', 0, 'policy', 'tests'], tests);
}

/** homelab-family without WireGuard: its interface, its members of zones, and what named its peers. */
export function withoutWireguard(): string {
  const yaml = readExample('homelab-family');
  const site = (parseYaml(yaml) as Xml).sites[0];
  let out = edit(yaml, ['sites', 0, 'wireguard'], undefined);
  out = edit(out, ['sites', 0, 'firewall', 'interfaces'], site.firewall.interfaces.filter((i: Xml) => i.wireguard === undefined));
  out = edit(out, ['sites', 0, 'firewall', 'upstream', 'port_forwards'], undefined);
  const zones = site.policy.zones.map((z: Xml) => Object.assign({}, z, { members: z.members.filter((m: string) => !m.startsWith('wg0/')) }));
  out = edit(out, ['sites', 0, 'policy', 'zones'], zones);
  out = edit(out, ['sites', 0, 'policy', 'rules'], site.policy.rules.filter((r: Xml) => r.from !== 'parents-nas'));
  const peers = new Set(site.wireguard[0].peers.map((p: Xml) => p.name));
  const tests = site.policy.tests.filter((t: Xml) => !peers.has(t.from) && !String(t.from).startsWith('wg0/') && t.port !== site.wireguard[0].listen_port);
  return edit(out, ['sites', 0, 'policy', 'tests'], tests);
}

/** The UUID of the ACME client's renewal job on the box of withBoxCronJobs (one an Apply made: random, version 4). */
export const BOX_ACME_JOB = '0c1d2e3f-4a5b-4c6d-9e7f-8a9b0c1d2e3f';

/**
 * A box with cron jobs of its own: the ACME client's (as an Apply made
 * them, each run at 03:30 on Mondays; the first named in its settings'
 * UpdateCron), and one of the operator's.
 */
export function withBoxCronJobs(config: string, release: string, acmeJobs: readonly string[] = [BOX_ACME_JOB]): string {
  const job = (uuid: string, origin: string, command: string, description: string) =>
    `<job uuid="${uuid}"><origin>${origin}</origin><enabled>1</enabled><minutes>30</minutes><hours>3</hours><days>*</days><months>*</months><weekdays>1</weekdays>` +
    `<who>root</who><command>${command}</command><parameters/><description>${description}</description></job>`;
  const acme = acmeJobs.map((uuid) => job(uuid, 'AcmeClient', 'acmeclient cron-auto-renew', 'AcmeClient Cronjob for Certificate AutoRenewal')).join('');
  const versions = releaseFacts(release)!.versions;
  const cron = `<cron version="${versions.cron}"><jobs>${acme}${job('5d6e7f80-91a2-4b3c-8d4e-5f60718293a4', 'cron', 'system remote backup', 'nightly backup')}</jobs></cron>`;
  const settings = `<AcmeClient version="${versions.acme}"><settings><enabled>1</enabled><autoRenewal>1</autoRenewal><UpdateCron>${acmeJobs[0] ?? ''}</UpdateCron></settings></AcmeClient>`;
  // The factory config of 25.7 and 26.1 has no <OPNsense> yet.
  return config.includes('<OPNsense>') ? config.replace('<OPNsense>', `<OPNsense>\n    ${cron}\n    ${settings}`) : config.replace(/<\/opnsense>\n?$/, `  <OPNsense>${cron}${settings}</OPNsense>\n</opnsense>\n`);
}

/** The OPNsense releases the checks that run upstream code cover: the newest point release of each series gen targets. */
export const UPSTREAM_RELEASES: readonly { tag: string; release: string }[] = [
  { tag: '25.7.11', release: '25.7' },
  { tag: '26.1.11', release: '26.1' },
  { tag: '26.7.2', release: '26.7' },
];

/** The factory config.xml of a release series (25.7, 26.1, 26.7) as stored beside the models (test/opnsense/models/SOURCES.md). */
export function factorySample(release: string): string {
  return readFileSync(join(root, 'test/opnsense/models', release, 'config.xml.sample'), 'utf8');
}

/**
 * The mirrors of opnsense/core and opnsense/plugins (OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT), for tests that read
 * upstream tags; `why` says what is missing, and the tests that need them skip, saying so on stderr (a snapshot, not a
 * tool: CI has none, so these are the skips it allows). `what` names the tests in that line.
 */
export function upstreamMirrors(what: string): { core?: string; plugins?: string; why?: string } {
  const core = process.env.OPNSENSE_CORE_GIT;
  const plugins = process.env.OPNSENSE_PLUGINS_GIT;
  const why = !core ? 'OPNSENSE_CORE_GIT is not set' : !plugins ? 'OPNSENSE_PLUGINS_GIT is not set' : undefined;
  if (why) process.stderr.write(`\n*** skipped: ${what}: ${why} ***\n\n`);
  return { core, plugins, why };
}

/** A file of tag `tag` in the git directory `git`; throws when the tag has none. */
export function upstreamFile(git: string, tag: string, path: string): string {
  const r = spawnSync('git', ['--git-dir', git, 'show', `${tag}:${path}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tag}:${path}: ${r.stderr}`);
  return r.stdout;
}

/** The factory config.xml of OPNsense release `tag` (git dir coreGit: opnsense/core), as a new box has it. */
export function factoryConfig(coreGit: string, tag: string): string {
  return upstreamFile(coreGit, tag, 'src/etc/config.xml.sample');
}

/** The topology's sections for `release` merged into the factory config.xml of `tag` (git dir coreGit), as `gen opnsense merge` writes it. */
export async function mergedFactoryConfig(yaml: string, tag: string, release: string, coreGit: string): Promise<string> {
  const { sections, privateKey } = await releaseSections(yaml, release);
  const base = factoryConfig(coreGit, tag);
  return mergeConfig(withBoxCa(base), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true });
}

/** The PPPoE password of withPppoeWan, as the PPP page stores it (base64). */
export const PPPOE_PASSWORD = Buffer.from('isp-secret').toString('base64');

/**
 * A box whose WAN is a PPPoE link over `port`, as Interfaces › Devices › Point-to-Point
 * (interfaces_ppps_edit.php) and the WAN's page (interfaces.php) write it:
 * the assignment's device is the link (pppoe0) and its address type
 * `pppoe`; the link's port is the NIC it runs over.
 */
export function withPppoeWan(config: string, port = 'vtnet0'): string {
  const wan = /<wan>[\s\S]*?<\/wan>/.exec(config)![0];
  const ppp =
    `  <ppps>\n    <ppp>\n      <ptpid>0</ptpid>\n      <type>pppoe</type>\n      <if>pppoe0</if>\n      <ports>${port}</ports>\n      <username>user@isp.example</username>\n` +
    `      <password>${PPPOE_PASSWORD}</password>\n      <ondemand/>\n      <uptime/>\n      <provider/>\n      <shortseq/>\n      <acfcomp/>\n      <protocomp/>\n      <vjcomp/>\n      <tcpmssfix/>\n` +
    `      <bandwidth/>\n      <mtu>1492</mtu>\n      <mru/>\n      <mrru/>\n    </ppp>\n  </ppps>\n`;
  return config
    .replace(wan, wan.replace(/<if>[^<]*<\/if>/, '<if>pppoe0</if>').replace('<ipaddr>dhcp</ipaddr>', '<ipaddr>pppoe</ipaddr>'))
    .replace(/<\/opnsense>\n?$/, `${ppp}</opnsense>\n`);
}

/** A box whose LAN is a LAGG of `members` (Interfaces › Devices › LAGG), with a VLAN of tag 10 on it assigned to opt1. */
export function withLaggLan(config: string, members = 'vtnet1,vtnet5'): string {
  const lan = /<lan>[\s\S]*?<\/lan>/.exec(config)![0];
  const laggs =
    `  <laggs version="1.0.0">\n    <lagg uuid="0f9a3b2c-5d6e-4f70-8a1b-2c3d4e5f6071">\n      <laggif>lagg0</laggif>\n      <members>${members}</members>\n      <primary_member/>\n` +
    `      <proto>lacp</proto>\n      <lacp_fast_timeout>0</lacp_fast_timeout>\n      <use_flowid/>\n      <lagghash/>\n      <lacp_strict/>\n      <mtu/>\n      <descr>LAN bond</descr>\n    </lagg>\n  </laggs>\n` +
    `  <vlans version="1.0.0">\n    <vlan uuid="1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d">\n      <if>lagg0</if>\n      <tag>10</tag>\n      <pcp>0</pcp>\n      <proto/>\n      <descr>MGMT</descr>\n      <vlanif>vlan01</vlanif>\n    </vlan>\n  </vlans>\n`;
  const opt1 = `\n    <opt1>\n      <if>vlan01</if>\n      <descr>MGMT</descr>\n      <enable>1</enable>\n      <ipaddr>192.168.10.1</ipaddr>\n      <subnet>24</subnet>\n    </opt1>`;
  return config.replace(lan, `${lan.replace(/<if>[^<]*<\/if>/, '<if>lagg0</if>')}${opt1}`).replace(/<\/opnsense>\n?$/, `${laggs}</opnsense>\n`);
}

/** A virtual IP as Interfaces › Virtual IPs › Settings saves it (the Vip model, 1.0.1 from 25.7 on). */
export interface BoxVip {
  uuid: string;
  mode: 'carp' | 'ipalias' | 'proxyarp';
  interface: string;
  subnet: string;
  bits: number;
  vhid?: number;
  descr?: string;
}

/** A box with virtual IPs (a CARP VIP gets the password and advertisement settings the page requires). */
export function withVips(config: string, vips: readonly BoxVip[]): string {
  const item = (v: BoxVip) =>
    `    <vip uuid="${v.uuid}">\n      <interface>${v.interface}</interface>\n      <mode>${v.mode}</mode>\n      <subnet>${v.subnet}</subnet>\n      <subnet_bits>${v.bits}</subnet_bits>\n      <gateway/>\n` +
    `      <noexpand>0</noexpand>\n      <nobind>0</nobind>\n      <password>${v.mode === 'carp' ? 'carp-secret' : ''}</password>\n      <vhid>${v.vhid ?? ''}</vhid>\n      <advbase>1</advbase>\n      <advskew>0</advskew>\n` +
    `      <peer/>\n      <peer6/>\n      <nosync>0</nosync>\n      <descr>${v.descr ?? ''}</descr>\n    </vip>\n`;
  return config.replace(/<\/opnsense>\n?$/, `  <virtualip version="1.0.1">\n${vips.map(item).join('')}  </virtualip>\n</opnsense>\n`);
}

/** A node of an HA pair as System › High Availability › Settings saves it (the Hasync model 1.0.2, 25.7 to 26.7). */
export function withHaSync(config: string, ha: { pfsync: string; peer: string; syncTo: string; items: readonly string[] }): string {
  const hasync =
    `  <hasync version="1.0.2">\n    <disablepreempt>0</disablepreempt>\n    <disconnectppps>0</disconnectppps>\n    <pfsyncinterface>${ha.pfsync}</pfsyncinterface>\n` +
    `    <pfsyncpeerip>${ha.peer}</pfsyncpeerip>\n    <pfsyncversion>1400</pfsyncversion>\n    <pfsyncdefer/>\n    <synchronizetoip>${ha.syncTo}</synchronizetoip>\n` +
    `    <verifypeer>0</verifypeer>\n    <username>root</username>\n    <password>ha-secret</password>\n    <syncitems>${ha.items.join(',')}</syncitems>\n  </hasync>\n`;
  return config.replace(/<\/opnsense>\n?$/, `${hasync}</opnsense>\n`);
}
