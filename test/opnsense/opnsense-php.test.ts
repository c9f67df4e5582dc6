// OPNsense's own code on gen's merged configs, per release: the model
// migrations a restore runs, the pf rule compiler (filter.inc; the pf lines
// must say what the policy says), upstream's model validation, and the
// HAProxy template rendered by OPNsense's own template engine, then checked
// by `haproxy -c`. The upstream code is extracted from git dirs named by
// OPNSENSE_CORE_GIT and OPNSENSE_PLUGINS_GIT (test/tools/opnsense-php/);
// without them this file is skipped, and says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { evaluateFirewallFlow, flowVerdicts } from '../../src/flows.js';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { type XmlElement, attr, child, childrenNamed, textOf } from '../../src/render/opnsense/xml.js';
import { blockedAsPrivate } from '../../src/targets/opnsense/block-private.js';
import { ACME_ALT_NAMES_MAX } from '../../src/targets/opnsense/acme.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { type Block, formatIPv4, parseAddressWithPrefix, parseCidr, parseIPv4 } from '../../src/net.js';
import { siteMatches } from '../../src/resolve/matches.js';
import { siteToSite } from '../aws/fixtures.js';
import { joinedVpc } from '../../src/opnsense/managed-rules.js';
import { edit, lint, modelOf, readExample, render, root } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { altNamesOfLength } from './acme-names.js';
import { checkRendered } from './haproxy-check.js';
import { MODELS_DIR } from './model-check.js';
import { accessControls, accessFor } from './unbound-acl.js';
import { closeTemplateServers, renderTemplate } from './upstream-tools.js';
import { BOX_ACME_JOB, CONFIG_CASES, GUI_CERT, releaseSections, withBoxCa, withGuiCert, withBoxCronJobs, withLabRoute, withPppoeWan, withRelease, withoutHaproxy, withoutVpssvc } from './support.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { macros, pfPrint } from '../verify/pf-print.js';
import { expectedRules } from '../../src/render/verify/firewall-rules.js';

removeTempDirsAfterAll();

const TOOL = join(root, 'test/tools/opnsense-php');
const gitDir = (name: string) => {
  const dir = process.env[name];
  return dir && existsSync(dir) && spawnSync('git', ['--git-dir', dir, 'rev-parse', '--git-dir']).status === 0 ? dir : undefined;
};
const core = gitDir('OPNSENSE_CORE_GIT');
const plugins = gitDir('OPNSENSE_PLUGINS_GIT');
const snapshot = !core
  ? 'OPNSENSE_CORE_GIT does not name a git dir of opnsense/core'
  : !plugins
    ? 'OPNSENSE_PLUGINS_GIT does not name a git dir of opnsense/plugins (HAProxy, ACME client)'
    : undefined;
const tools = missing(['php', 'python3'], false);
const skip = snapshot ?? tools;
// Loud: a snapshot-less run (CI has none) skips this file on purpose, and says so in the log and the title.
if (snapshot) process.stderr.write(`\n*** skipped: OPNsense's own code on merged configs: ${snapshot} ***\n\n`);

const env = { ...process.env, OPNSENSE_PHP_CACHE: process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php') };
const cache = env.OPNSENSE_PHP_CACHE!;

/** The upstream tag for a release series: the newest point release gen knows. */
function tagOf(series: string): string {
  const facts = releaseFacts(series)!;
  return `${facts.series}.${facts.point}`;
}

const CASES = CONFIG_CASES;
const RELEASES = ['25.7', '26.1', '26.7'];

/**
 * Messages OPNsense's own validation prints for any config of that kind,
 * not about gen's values (each verified on a real box's pluginctl -v, see
 * the tool's README):
 */
const KNOWN_UPSTREAM = [
  // GroupField adds the static groups openvpn, enc0 and wireguard (their rule
  // priority) to /ifgroups, and a full validation checks them like user
  // groups (no members; enc0 ends in a digit) once the config has a group.
  /^OPNsense\\Firewall\\Group\.ifgroupentry\.(openvpn|enc0|wireguard)\.(members|ifname) => /,
];

/**
 * The factory config of a release as a box has it after the first boot: the
 * web GUI's own certificate (every box makes one), and the GUI moved off the
 * ports HAProxy serves (as the merge requires); with the home CA the family
 * homelab's backend is verified against.
 */
function base(series: string): string {
  const sample = readFileSync(join(MODELS_DIR, series, 'config.xml.sample'), 'utf8');
  const box = sample.replace(
    '<protocol>https</protocol>',
    `<protocol>https</protocol>\n      <ssl-certref>${GUI_CERT.refid}</ssl-certref>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>`,
  );
  return withBoxCa(withGuiCert(box));
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  errors: string[];
  ruleset: string[];
}

/**
 * `save`: where to keep the config as OPNsense left it (migrated, interfaces registered). `validate: false`
 * leaves out the model validation (step 4, half a run), for a test that reads the ruleset alone.
 */
function runTool(config: string, tag: string, options: { save?: string; validate?: boolean } = {}): Run {
  const extra = { ...(options.save === undefined ? {} : { OPN_SAVE_CONFIG: options.save }), ...(options.validate === false ? { OPN_NO_VALIDATE: '1' } : {}) };
  const r = spawnSync('bash', [join(TOOL, 'run.sh'), config, tag], { encoding: 'utf8', env: { ...env, ...extra } });
  const stdout = r.stdout ?? '';
  const section = stdout.split('##### pf ruleset (filter_configure_sync -> rules.debug)\n')[1]?.split('\n#####')[0] ?? '';
  return {
    status: r.status ?? -1,
    stdout,
    stderr: r.stderr ?? '',
    errors: stdout.split('\n').filter((l) => l.startsWith('ERROR ')).map((l) => l.slice(6)),
    ruleset: section.split('\n'),
  };
}

function el(node: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  for (const p of path) node = child(node, p);
  return node;
}

const parseXmlDoc = (text: string) => parseXml(text).root;

const field = (node: XmlElement | undefined, name: string) => textOf(child(node, name)).trim();

/** The policy's filter rules in gen's sections (legacy or MVC), as (action, interface key, protocol, description). */
function genRules(sections: readonly XmlElement[]): { action: string; iface: string; proto: string; descr: string }[] {
  const legacy = sections.flatMap((s) => (s.name === 'filter' ? childrenNamed(s, 'rule') : []));
  const mvc = sections.flatMap((s) => childrenNamed(el(s, 'Firewall', 'Filter', 'rules'), 'rule'));
  return [
    ...legacy.map((r) => ({ action: field(r, 'type'), iface: field(r, 'interface'), proto: field(r, 'protocol') || 'any', descr: field(r, 'descr') })),
    ...mvc.map((r) => ({ action: field(r, 'action'), iface: field(r, 'interface'), proto: field(r, 'protocol').toLowerCase(), descr: field(r, 'description') })),
  ];
}

describe.skipIf(skip)(titled("OPNsense's own code on merged configs", skip), () => {
  const dir = tempDir('gen-opnsense-php-');
  afterAll(() => closeTemplateServers());
  beforeAll(() => {
    for (const series of RELEASES) {
      const r = spawnSync('bash', [join(TOOL, 'setup.sh'), tagOf(series)], { encoding: 'utf8', env });
      if (r.status !== 0) throw new Error(`setup.sh ${tagOf(series)} failed: ${r.stderr}`);
    }
  });

  describe.each(RELEASES)('OPNsense %s', (series) => {
    it.each(CASES)('$name: migrations, pf ruleset and validation accept the merged config, and pf says what the policy says', async ({ name, yaml }) => {
      const { sections, privateKey } = await releaseSections(yaml(), series);
      const merged = mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
      const file = join(dir, `${series}-${name.replace(/\W+/g, '-')}.xml`);
      writeFileSync(file, merged, { mode: 0o600 });
      const run = runTool(file, tagOf(series));

      expect(run.stdout).not.toMatch(/(migration|ruleset|validation) FAILED/);
      expect(run.stderr).toBe('');
      expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
      expect([0, 1]).toContain(run.status);
      if (run.errors.length === 0) expect(run.status).toBe(0);
      // The plugin models were loaded and validated, not skipped.
      const checked = /models with data in this config: (.*)$/m.exec(run.stdout)?.[1]?.split(' ') ?? [];
      expect(checked).toEqual(expect.arrayContaining(['OPNsense/HAProxy/HAProxy', 'OPNsense/AcmeClient/AcmeClient', 'OPNsense/Cron/Cron', 'OPNsense/Trust/Cert']));

      // Every filter rule gen wrote is in the ruleset, live (not commented out), with its action, interface and protocol.
      const ifaces = el(sections.find((s) => s.name === 'interfaces'));
      const device = (key: string) => field(child(ifaces, key), 'if') || key;
      const live = run.ruleset.filter((l) => /^(pass|block|reject) /.test(l));
      const byDescr = new Map<string, { action: string; iface: string; proto: string }[]>();
      for (const rule of genRules(sections)) byDescr.set(rule.descr, [...(byDescr.get(rule.descr) ?? []), rule]);
      for (const [descr, rules] of byDescr) {
        const lines = live.filter((l) => l.endsWith(`# ${descr}`));
        const fits = (line: string, rule: { action: string; iface: string; proto: string }) =>
          line.startsWith(`${rule.action} in quick on ${device(rule.iface)} `) && (rule.proto === 'any' ? !line.includes(' proto ') : line.includes(` proto ${rule.proto === 'tcp/udp' ? '{tcp udp}' : rule.proto} `));
        // Each rule compiled to a live pf rule, and each pf rule of that description is one of gen's.
        for (const rule of rules) expect(lines.some((l) => fits(l, rule)), `${descr} on ${rule.iface}`).toBe(true);
        for (const line of lines) expect(rules.some((r) => fits(line, r)), line).toBe(true);
      }
      // Default deny: no rule of the factory config passes anything on the interfaces gen assigns.
      expect(run.ruleset.filter((l) => /Default allow LAN/.test(l) && !l.startsWith('#'))).toEqual([]);
      const wan = device('wan');
      if (name === 'every item') {
        // The port forward, and the full tunnel's outbound NAT ahead of the automatic rules.
        expect(live.length).toBeGreaterThan(5);
        // Its description, longer than OPNsense's 255 bytes in the topology, cut to fit (validation above took it).
        const rdr = run.ruleset.filter((l) => l.startsWith(`rdr on ${wan} inet proto tcp from {any} to {(${wan})} port {8443} -> 10.1.0.120 port 3000 # gen: port forward grafana: Grafana 대시보드`));
        expect(rdr).toHaveLength(1);
        expect(rdr[0]!.endsWith('…')).toBe(true);
        expect(Buffer.byteLength(rdr[0]!.split(' # ')[1]!, 'utf8')).toBeLessThanOrEqual(255);
        expect(run.ruleset.some((l) => l.startsWith(`nat on ${wan} inet from 10.0.1.0/24 to any -> (${wan}:0) port 1024:65535 `) && l.endsWith('# gen: NAT WireGuard wg0 tunnel to the WAN address'))).toBe(true);
        // A zone of two networks as the destination: one pf rule to the zone's alias (a table of both networks).
        const toZone = live.filter((l) => l.endsWith('# gen: policy rule service-dns-inside'));
        expect(toZone).toHaveLength(1);
        expect(toZone[0]).toMatch(/^pass in quick on vtnet2 inet proto udp from \{\(vtnet2:network\)\} to \$gen_zone_inside port \{53\} /);
        expect(run.ruleset.filter((l) => l.includes('gen_zone_inside') && l.startsWith('table '))).toHaveLength(1);
      }
      if (name === 'site-to-site') {
        // IKE and NAT traversal reach the WAN address before anything else gen writes could drop them.
        for (const port of [500, 4500]) {
          expect(live.filter((l) => l.startsWith(`pass in quick on ${wan} `) && l.includes(` proto udp from {any} to {(${wan})} port {${port}} `) && l.endsWith('# gen: site-to-site VPN to AWS VPC main (IKE, NAT traversal)')), String(port)).toHaveLength(1);
        }
      }
      if (name === 'scenario A') {
        // The VPN's rule on the WireGuard group, from the tunnel network's alias to the management network by its interface.
        expect(live.some((l) => l.startsWith('pass in quick on wireguard inet from $gen_net_wireguard to {(vtnet1:network)} keep state ') && l.endsWith('# gen: policy rule vpn-to-management'))).toBe(true);
        expect(live.some((l) => l.startsWith('block in quick on vtnet2 inet from {(vtnet2:network)} to {(self)} '))).toBe(true);
      }
    });
  });

  // filter.lib.inc registers the anti-lockout rule at priority 5, gen's rules come at 400000: pf evaluates it first,
  // and gen's flows must say what it decides. The family homelab, with the base's GUI on 8443 (no redirect, no SSH).
  it.each(RELEASES)("OPNsense %s: the anti-lockout rule precedes gen's block of the lan to the firewall, and gen's flows count it; noantilockout removes it", async (series) => {
    const family = readExample('homelab-family').replace(/\n +- \{ from: 10\.10\.0\.23, to: self, proto: tcp, port: 8443, expect: deny \}[^\n]*/, '');
    const flow = { name: 'gui', from: '10.10.0.23', to: 'self', proto: 'tcp' as const, port: 8443, expect: 'deny' as const, path: [] };
    const runWith = async (yaml: string, box: string) => {
      const { sections, privateKey } = await releaseSections(yaml, series);
      const file = join(dir, `${series}-anti-lockout-${box.length}.xml`);
      writeFileSync(file, mergeConfig(box, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      const site = (await modelOf(withRelease(yaml, series))).sites[0]!;
      const tested = site.policy.tests.find((t) => t.name === '10.10.0.23 to self tcp 443')!;
      return { ruleset: runTool(file, tagOf(series), { validate: false }).ruleset, verdicts: evaluateFirewallFlow(site, { ...flow, fromObjects: tested.fromObjects }) };
    };
    const lanBlock = (l: string) => l.startsWith('block in quick on vtnet1 inet from {(vtnet1:network)} to {(self)} ') && l.endsWith('# gen: policy rule lan-internet (block the firewall itself)');
    const antiLockout = (l: string) => l.startsWith('pass in ') && / on vtnet1 proto tcp from \{any\} to \{\(self\)\} port \{8443\} /.test(l) && l.endsWith('# anti-lockout rule');

    const on = await runWith(edit(family, ['sites', 0, 'firewall', 'anti_lockout'], { ports: [8443] }), base(series));
    expect(on.ruleset.findIndex(antiLockout)).toBeGreaterThan(-1);
    expect(on.ruleset.findIndex(antiLockout)).toBeLessThan(on.ruleset.findIndex(lanBlock));
    expect(on.verdicts).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: "OPNsense's anti-lockout rule (TCP 8443 from lan to the firewall)" })]);

    // The example as shipped: the box runs without the rule (steps.md), and the policy decides.
    const off = await runWith(edit(family, ['sites', 0, 'firewall', 'anti_lockout'], { enabled: false, ports: [8443] }), base(series).replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <noantilockout>1</noantilockout>'));
    expect(off.ruleset.filter((l) => l.includes('anti-lockout'))).toEqual([]);
    expect(off.ruleset.findIndex(lanBlock)).toBeGreaterThan(-1);
    expect(off.verdicts).toEqual([expect.objectContaining({ verdict: 'deny', decidedBy: 'policy rule lan-internet' })]);
  });

  // OPNsense turns reflection off in its factory config (<disablenatreflection>yes), so a blank natreflection left an
  // internal client that connects to the WAN address on the forwarded port at the firewall itself. With reflection the
  // forward's rdr is repeated on every interface without a gateway (ForwardRule.php reflectionInterfaces()).
  it.each(RELEASES)('OPNsense %s: a port forward with reflection redirects from the internal interfaces too, and model validation takes it', async (series) => {
    const forward = { name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana', reflection: true };
    const yamlOf = (reflection: boolean) => edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [Object.assign({}, forward, { reflection })]);
    const compile = async (reflection: boolean, box = base(series)) => {
      const { sections, privateKey } = await releaseSections(yamlOf(reflection), series);
      const file = join(dir, `${series}-reflection-${reflection}-${box.length}.xml`);
      writeFileSync(file, mergeConfig(box, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      const run = runTool(file, tagOf(series), { validate: reflection });
      if (reflection) expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
      const ifaces = el(sections.find((s) => s.name === 'interfaces'));
      const wan = field(child(ifaces, 'wan'), 'if');
      const rdr = run.ruleset.filter((l) => l.startsWith('rdr on ') && l.includes(` inet proto tcp from {any} to {(${wan})} port {8080} -> 10.1.0.120 port 3000 `));
      // The reflection helper's outbound NAT towards the target, on the target's own network (vtnet2, the service network).
      const helper = run.ruleset.filter((l) => l.startsWith('nat on vtnet2 ') && l.includes(' from (vtnet2:network) to {10.1.0.120} port {3000} -> (vtnet2) '));
      const site = (await modelOf(withRelease(yamlOf(reflection), series))).sites[0]!;
      const vpn = evaluateFirewallFlow(site, { name: 'f', from: 'vpn', to: 'wan', proto: 'tcp', port: 8080, expect: 'accept', path: [] });
      const onVpn = run.ruleset.filter((l) => /^(pass|block|reject) in quick on (wireguard|wg0) /.test(l) && l.includes('# gen: '));
      const aliases = childrenNamed(sections.map((s) => el(s, 'Firewall', 'Alias', 'aliases')).find(Boolean), 'alias');
      const aliasContent = new Map(aliases.map((a) => [field(a, 'name'), field(a, 'content').split(/\s+/)] as const));
      return { wan, on: rdr.map((l) => l.split(' ')[2]).sort(), helper, vpn, onVpn, ifaces, aliasContent };
    };
    const plain = await compile(false);
    expect(plain.on).toEqual([plain.wan]);
    // Without reflection the VPN client's connection is one to the firewall, which nothing passes.
    expect(plain.vpn).toEqual([{ verdict: 'deny', decidedBy: 'the default deny' }]);
    // The management and service networks' devices and the WireGuard instance's: every interface without a gateway
    // (lo0 is there too: upstream's interface list holds it under another key than the 'loopback' it skips).
    const reflected = await compile(true);
    expect(reflected.on.filter((device) => device !== 'lo0')).toEqual([reflected.wan, 'vtnet1', 'vtnet2', 'wg0'].sort());
    // A VPN client's connection enters wg0 (of the wireguard group) and leaves the rdr for 10.1.0.120 port 3000. gen
    // says the VPN's pass to the service network decides it; in pf, the first of gen's rules on the client's interface
    // that matches TCP to 10.1.0.120 port 3000 (a destination that is an interface's network, by that interface's
    // address in the merged config) is that pass.
    expect(reflected.vpn).toEqual([expect.objectContaining({ verdict: 'accept', decidedBy: 'policy rule vpn-to-service', reflected: 'reflected by port forward grafana-in to 10.1.0.120:3000' })]);
    const networksOf = (destination: string): Block[] => {
      const device = /^\{\((\w+):network\)\}$/.exec(destination)?.[1];
      const iface = device === undefined ? undefined : (reflected.ifaces?.children ?? []).find((i) => 'name' in i && field(i, 'if') === device);
      const cidrs = iface ? [`${field(iface as XmlElement, 'ipaddr')}/${field(iface as XmlElement, 'subnet')}`] : reflected.aliasContent.get(destination.replace(/^\$/, ''));
      expect(cidrs, `a destination this check reads: ${destination}`).toBeDefined();
      // An interface's address with its prefix, or an alias's networks.
      return cidrs!.flatMap((c) => parseAddressWithPrefix(c)?.block ?? []);
    };
    const target = parseIPv4('10.1.0.120')!;
    const matchesTarget = (line: string) => {
      const to = / to (\S+)(?: port \{([\d ,:]+)\})?/.exec(line)!;
      const proto = / proto (\S+) /.exec(line)?.[1];
      if (proto !== undefined && proto !== 'tcp' && proto !== '{tcp') return false;
      if (to[2] !== undefined && !to[2].split(/[ ,]+/).some((p) => p === '3000' || (p.includes(':') && Number(p.split(':')[0]) <= 3000 && 3000 <= Number(p.split(':')[1])))) return false;
      if (to[1] === 'any') return true;
      return networksOf(to[1]!).some((block) => block.base <= target && target < block.base + 2 ** (32 - block.prefix));
    };
    expect(reflected.onVpn.find(matchesTarget)).toMatch(/^pass in quick on wireguard inet from \$gen_net_wireguard .*# gen: policy rule vpn-to-service$/);

    // The target is on the service network: steps.md names the box setting that makes the answer to a client there
    // come back through the firewall, and that setting is what writes the outbound NAT for it.
    const steps = (await modelOf(withRelease(yamlOf(true), series))).sites[0]!.manualSteps.filter((s) => s.includes('Automatic outbound NAT for Reflection'));
    expect(steps).toEqual([expect.stringContaining('Port forward grafana-in reflects to 10.1.0.120, on service')]);
    expect((await modelOf(withRelease(yamlOf(false), series))).sites[0]!.manualSteps.filter((s) => s.includes('Reflection'))).toEqual([]);
    expect(reflected.helper).toEqual([]);
    const helped = await compile(true, base(series).replace('<disablenatreflection>yes</disablenatreflection>', '<disablenatreflection>yes</disablenatreflection>\n    <enablenatreflectionhelper>yes</enablenatreflectionhelper>'));
    expect(helped.helper).toHaveLength(1);
  });

  /** Scenario A with these port forwards (and edits), merged into the factory config and loaded by OPNsense's own code, which must validate it. */
  const forwardsRun = async (forwards: object[], series: string, name: string, change = (yaml: string) => yaml) => {
    const yaml = change(edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], forwards));
    const { sections, privateKey } = await releaseSections(yaml, series);
    const file = join(dir, `${series}-forward-${name}.xml`);
    writeFileSync(file, mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    return { sections, run };
  };

  // A forward open to named sources only: OPNsense matches the source in the rdr (the NAT rule's source) and in its pass
  // rule; gen wrote "any" in both, so an operator's restriction made on the box went with the next merge.
  it.each(RELEASES)('OPNsense %s: a port forward with from: redirects and passes those sources only, and model validation takes it', async (series) => {
    const forwards = [
      { name: 'ssh-office', proto: 'tcp', port: 2222, address: '10.1.0.120', target_port: 22, from: ['198.51.100.7'] },
      { name: 'grafana-partners', proto: 'tcp', port: 8080, service: 'grafana', from: ['203.0.113.0/24', '192.0.2.9'] },
    ];
    const { sections, run } = await forwardsRun(forwards, series, 'from');
    const wan = field(child(el(sections.find((s) => s.name === 'interfaces')), 'wan'), 'if');
    // pf's tables of the aliases filter.inc writes: "table <NAME> persist file ..." names them; the content is the alias's.
    const aliases = childrenNamed(sections.map((s) => el(s, 'Firewall', 'Alias', 'aliases')).find(Boolean), 'alias');
    const aliasContent = new Map(aliases.map((a) => [field(a, 'name'), field(a, 'content').split(/\s+/).sort()] as const));
    const sourcesOf = (line: string | undefined) => {
      const from = / from (\S+|\{[^}]*\}) /.exec(line ?? '')?.[1] ?? '';
      const inner = from.replace(/^\{\s*|\s*\}$/g, '').split(/[ ,]+/).filter(Boolean);
      return inner.flatMap((s) => (s.startsWith('$') ? (aliasContent.get(s.slice(1)) ?? [`unknown alias ${s}`]) : [s])).sort();
    };
    const rdr = (port: number) => run.ruleset.filter((l) => l.startsWith(`rdr on ${wan} `) && l.includes(` to {(${wan})} port {${port}} `));
    const pass = (target: string, port: number) => run.ruleset.filter((l) => l.startsWith(`pass in quick on ${wan} `) && l.includes(` to {${target}} port {${port}} `));
    expect(rdr(2222)).toHaveLength(1);
    expect(sourcesOf(rdr(2222)[0])).toEqual(['198.51.100.7']);
    expect(pass('10.1.0.120', 22)).toHaveLength(1);
    expect(sourcesOf(pass('10.1.0.120', 22)[0])).toEqual(['198.51.100.7']);
    expect(rdr(8080)).toHaveLength(1);
    expect(sourcesOf(rdr(8080)[0])).toEqual(['192.0.2.9/32', '203.0.113.0/24']);
    expect(sourcesOf(pass('10.1.0.120', 3000)[0])).toEqual(['192.0.2.9/32', '203.0.113.0/24']);
    // A HAProxy frontend's from: its passes to the WAN address (443, and 80 for its redirect) carry the sources.
    const frontend = await forwardsRun([], series, 'frontend-from', (yaml) => edit(edit(yaml, ['sites', 0, 'haproxy', 'frontends', 0, 'from'], ['198.51.100.0/24']), ['sites', 0, 'policy', 'tests'], []));
    const toWan = frontend.run.ruleset.filter((l) => l.startsWith(`pass in quick on ${wan} `) && l.endsWith('# gen: HAProxy frontend https'));
    expect(toWan.map((l) => [/ from (\S+) /.exec(l)?.[1], / to (\S+) port (\S+) /.exec(l)?.slice(1)])).toEqual([
      ['{198.51.100.0/24}', [`{(${wan})}`, '{80}']],
      ['{198.51.100.0/24}', [`{(${wan})}`, '{443}']],
    ]);
  });

  // A forward on an internal interface: its rdr and its pass are on that interface alone, so its own clients are
  // redirected (gen's flows decide them as the flow to the target) and the internet, entering on the WAN, is not.
  it.each(RELEASES)('OPNsense %s: a port forward on an internal interface redirects and passes on that interface only', async (series) => {
    const forwards = [{ name: 'grafana-lan', interface: 'management', proto: 'tcp', port: 8080, service: 'grafana', from: ['10.0.0.50'] }];
    const { sections, run } = await forwardsRun(forwards, series, 'inside');
    const lan = field(child(el(sections.find((s) => s.name === 'interfaces')), 'lan'), 'if');
    const rdr = run.ruleset.filter((l) => l.startsWith('rdr on ') && l.includes(' port {8080} -> 10.1.0.120 port 3000 '));
    expect(rdr.map((l) => [l.split(' ')[2], / from (\S+) /.exec(l)?.[1], / to (\S+) /.exec(l)?.[1]])).toEqual([[lan, '{10.0.0.50}', `{(${lan})}`]]);
    const pass = run.ruleset.filter((l) => l.startsWith('pass in quick on ') && l.endsWith('# gen: port forward grafana-lan'));
    expect(pass.map((l) => [l.split(' ')[4], / from (\S+) /.exec(l)?.[1], / to (\S+) port (\S+) /.exec(l)?.slice(1)])).toEqual([[lan, '{10.0.0.50}', ['{10.1.0.120}', '{3000}']]]);
  });

  // The port ranges ports/range refuses (and the schema: no spaces) are the ones OPNsense itself refuses. PortField,
  // a port forward's destination port from 26.1 (DNat.xml) and a rule's destination_port in 26.7 (Filter.xml), takes
  // a range only of two bounds 1-65535 that FILTER_VALIDATE_INT reads (no leading zero), start below end; 26.7's also
  // refuses spaces around a bound, which 26.1's lets through (filter_var trims them) and the rule compiler then
  // disables (Rule.php mapAddressInfo(): Util::isPort() wants digits). One rule and one forward per form, in one config.
  const RANGE_FORMS = ['8000-8001', '8080', '8000-8000', '0080-0443', '9000-8000', '8000 - 9000'];
  /** A rule and a port forward of each form, or of what `formAt` gives for it (a rule's i, a forward's i + 100). */
  const rangeTopology = (series: string, formAt: (i: number) => string | number) => {
    // Without HAProxy, whose WAN ports 80 and 443 a forward of 0080-0443 would share.
    let yaml = withRelease(withoutHaproxy(readExample('homelab')), series);
    const policy = parseYaml(yaml).sites[0].policy;
    const probes = RANGE_FORMS.map((_, i) => ({ name: `range-${i}`, from: 'service', to: 'management', proto: 'tcp', ports: [formAt(i)], action: 'pass' }));
    yaml = edit(yaml, ['sites', 0, 'policy', 'rules'], [...policy.rules, ...probes]);
    return edit(yaml, ['sites', 0, 'firewall', 'nat', 'port_forwards'], RANGE_FORMS.map((_, i) => ({ name: `range-${i}`, proto: 'tcp', port: formAt(i + 100), address: '10.1.0.120', target_port: 30000 + 10 * i })));
  };
  const standIn = (i: number) => `${20001 + 2 * i}-${20002 + 2 * i}`;
  const asWritten = (form: string) => (/^\d+$/.test(form) ? Number(form) : form);

  it.each(RELEASES)("OPNsense %s: the port ranges gen refuses are the ones OPNsense's model refuses or its rule compiler disables", async (series) => {
    // gen: the forms lint reports (schema or ports/range), in a rule and in a forward.
    const yaml = rangeTopology(series, standIn);
    const refusedAt = async (path: (string | number)[]) => {
      const refused: string[] = [];
      for (const form of RANGE_FORMS) {
        const found = (await lint(edit(yaml, path, asWritten(form)))).filter((d) => d.severity === 'error');
        expect(found.filter((d) => d.rule !== 'schema' && d.rule !== 'ports/range'), form).toEqual([]);
        if (found.length > 0) refused.push(form);
      }
      return refused;
    };
    const rules = parseYaml(yaml).sites[0].policy.rules.length - RANGE_FORMS.length;
    const genRule = await refusedAt(['sites', 0, 'policy', 'rules', rules, 'ports', 0]);
    const genForward = await refusedAt(['sites', 0, 'firewall', 'nat', 'port_forwards', 0, 'port']);

    // OPNsense: the stand-ins replaced by the forms as written, migrated, compiled and validated (a forward's pass
    // rule keeps the target ports of its stand-in: it is not what is checked here).
    const { sections, privateKey } = await releaseSections(yaml, series);
    let merged = mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
    RANGE_FORMS.forEach((form, i) => {
      for (const stand of [standIn(i), standIn(i + 100)]) {
        expect(merged.split(`>${stand}<`)).toHaveLength(2);
        merged = merged.replace(`>${stand}<`, `>${form}<`);
      }
    });
    const file = join(dir, `${series}-port-ranges.xml`);
    writeFileSync(file, merged, { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    const descriptions = new Map<string, string>();
    const walk = (node: XmlElement) => {
      const uuid = attr(node, 'uuid');
      if (uuid) descriptions.set(uuid, field(node, 'description') || field(node, 'descr'));
      for (const c of node.children) if ('name' in c) walk(c);
    };
    walk(parseXmlDoc(merged));
    const refusedBy = (model: RegExp, kind: string) =>
      run.errors.flatMap((e) => {
        const uuid = model.exec(e)?.[1];
        const index = uuid === undefined ? undefined : new RegExp(`^gen: ${kind} range-(\\d+)$`).exec(descriptions.get(uuid) ?? '')?.[1];
        return index === undefined ? [] : [RANGE_FORMS[Number(index)]!];
      });
    const modelRule = refusedBy(/^OPNsense\\Firewall\\Filter\.rules\.rule\.([0-9a-f-]{36})\.destination_port => /, 'policy rule');
    const modelForward = refusedBy(/^OPNsense\\Firewall\\DNat\.rule\.([0-9a-f-]{36})\.destination\.port => /, 'port forward');
    // No other message: each one is about a form's port.
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toHaveLength(modelRule.length + modelForward.length);
    const pfLines = (kind: string, i: number) => run.ruleset.filter((l) => l.startsWith(kind === 'port forward' ? 'rdr ' : 'pass ') && l.endsWith(`# gen: ${kind} range-${i}`));
    const disabled = (kind: string) => RANGE_FORMS.filter((_, i) => pfLines(kind, i).length === 0);

    const facts = releaseFacts(series)!.forms;
    const ruleModel = facts.filterRules === 'mvc';
    const forwardModel = facts.portForwards !== 'legacy';
    // The model refuses a range of one port, a leading zero and a reversed range; 26.7 spaces too.
    const byModel = ['8000-8000', '0080-0443', '9000-8000', ...(series === '26.7' ? ['8000 - 9000'] : [])];
    expect(modelRule).toEqual(ruleModel ? byModel : []);
    expect(modelForward).toEqual(forwardModel ? byModel : []);
    // The compiler disables a leading zero and spaces (on any release, model or not).
    expect(disabled('policy rule')).toEqual(['0080-0443', '8000 - 9000']);
    expect(disabled('port forward')).toEqual(['0080-0443', '8000 - 9000']);
    // Where the model exists, gen refuses exactly what it refuses or the compiler disables.
    const either = (a: string[], b: string[]) => RANGE_FORMS.filter((f) => a.includes(f) || b.includes(f));
    if (ruleModel) expect(genRule).toEqual(either(modelRule, disabled('policy rule')));
    if (forwardModel) expect(genForward).toEqual(either(modelForward, disabled('port forward')));
    // Without it (legacy <filter><rule> and <nat><rule>), Rule.php writes one port as a range and a reversed range as
    // they are, pf's "8000:8000" (port 8000 alone) and "9000:8000" (no port); gen refuses them on every release, as
    // one topology serves them all.
    expect(genRule).toEqual(['8000-8000', '0080-0443', '9000-8000', '8000 - 9000']);
    expect(genForward).toEqual(genRule);
    if (!ruleModel) expect(pfLines('policy rule', 2)[0]).toMatch(/ port \{8000:8000\} keep state /);
    if (!forwardModel) expect(pfLines('port forward', 2)[0]).toMatch(/ port \{8000:8000\} -> 10\.1\.0\.120 port 30020:30020 /);
    // What gen lets through OPNsense writes into pf as it is.
    expect(pfLines('policy rule', 0)[0]).toMatch(/ port \{8000:8001\} keep state /);
    expect(pfLines('port forward', 1)[0]).toMatch(/ port \{8080\} -> 10\.1\.0\.120 port 30010 /);
  });

  // The topology drops its static routes after a merge wrote them: merge removes them with their gateways, and
  // OPNsense's own validation takes the result (a route left naming a removed gateway is "Specify a valid gateway").
  it.each(RELEASES)('OPNsense %s: static routes the topology drops go with their gateways, and the routes model validates', async (series) => {
    const pair = generateKeyPair();
    const sectionsOf = async (yaml: string) => {
      const model = await modelOf(edit(withRelease(yaml, series), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey));
      return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    };
    const options = { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX };
    const first = mergeConfig(base(series), await sectionsOf(withLabRoute(false)), options);
    expect(first).toContain('<network>172.16.0.0/16</network>');
    const file = join(dir, `${series}-routes-dropped.xml`);
    const again = mergeConfig(first, await sectionsOf(readExample('homelab')), options);
    writeFileSync(file, again, { mode: 0o600 });
    expect(again).not.toContain('172.16.0.0/16');
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
  });

  // A gateway of the box's own at the address of gen's WAN_GW: merge keys gateways by name, and the Gateways model
  // keeps each address once (Routing/Gateways.xml, a UniqueConstraint on gateway). OPNsense's validation refuses both.
  it.each(RELEASES)("OPNsense %s: a gateway of the box's own at gen's gateway address is refused by OPNsense's validation, as merge warns", async (series) => {
    const own = '<Gateways version="1.0.0"><gateway_item uuid="5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"><disabled>0</disabled><name>ISP</name><descr>ISP router</descr><interface>wan</interface><ipprotocol>inet</ipprotocol><gateway>192.168.0.1</gateway><defaultgw>0</defaultgw><fargw>0</fargw><monitor_disable>1</monitor_disable><monitor/><priority>255</priority><weight>1</weight></gateway_item></Gateways>';
    const { sections, privateKey } = await releaseSections(readExample('homelab'), series);
    const warnings: string[] = [];
    // 26.7's factory config has an <OPNsense> element, 25.7's and 26.1's none.
    const box = base(series).includes('<OPNsense>') ? base(series).replace('<OPNsense>', `<OPNsense>${own}`) : base(series).replace(/<\/opnsense>\s*$/, `  <OPNsense>${own}</OPNsense>\n</opnsense>\n`);
    expect(box).toContain('<name>ISP</name>');
    const merged = mergeConfig(box, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, warn: (m) => warnings.push(m) });
    const file = join(dir, `${series}-gateway-address.xml`);
    writeFileSync(file, merged, { mode: 0o600 });
    const refused = runTool(file, tagOf(series)).errors.filter((e) => e.includes('Gateways'));
    expect(refused.map((e) => e.replace(/gateway_item\.[0-9a-f-]+\./, 'gateway_item.UUID.'))).toEqual(Array(2).fill('OPNsense\\Routing\\Gateways.gateway_item.UUID.gateway => This gateway IP address already exists.'));
    expect(warnings.filter((w) => w.startsWith("the box's gateway ISP has the address 192.168.0.1 of gen's gateway WAN_GW"))).toHaveLength(1);
  });

  // A peer the topology has no public key for yet: the Client model requires one (Client.xml, pubkey Required),
  // and OPNsense's validation of the whole model refuses a client with an empty key.
  it.each(RELEASES)('OPNsense %s: a peer without a public key leaves no client behind, and the WireGuard models validate', async (series) => {
    const pair = generateKeyPair();
    const keyless = edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'peers', 0, 'public_key'], undefined);
    const model = await modelOf(edit(withRelease(keyless, series), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey));
    const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    const merged = mergeConfig(base(series), sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
    const file = join(dir, `${series}-keyless-peer.xml`);
    writeFileSync(file, merged, { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    expect(/models with data in this config: (.*)$/m.exec(run.stdout)?.[1]?.split(' ')).toContain('OPNsense/Wireguard/Client');
  });

  // A box whose WAN is a PPPoE link (pppoe0 over vtnet0): a dhcp WAN on the link's port keeps the link, and
  // OPNsense compiles gen's WAN passes onto the link's device (interface_ppps_configure starts the link only
  // while the WAN's address type is pppoe).
  it.each(RELEASES)('OPNsense %s: merged into a PPPoE WAN, gen\'s WAN passes are on pppoe0 and the models validate', async (series) => {
    const { sections, privateKey } = await releaseSections(readExample('vlan-hosting'), series);
    const file = join(dir, `${series}-pppoe.xml`);
    writeFileSync(file, mergeConfig(withPppoeWan(base(series)), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    const https = run.ruleset.filter((l) => l.startsWith('pass in quick on pppoe0 ') && l.includes('port {443}') && l.endsWith('# gen: HAProxy frontend https'));
    expect(https).toHaveLength(1);
    expect(run.ruleset.some((l) => / on vtnet0 /.test(l))).toBe(false);
  });

  // The topology drops a VLAN network and all of HAProxy after a merge wrote them: gen's items go, and so does the
  // assignment of the VLAN's device with what names its key (dnsmasq's interfaces); OPNsense's own validation
  // takes the result (an interface list naming a key that no longer exists is refused).
  it.each(RELEASES)('OPNsense %s: a VLAN and HAProxy the topology drops go with the VLAN\'s assignment, and the models validate', async (series) => {
    const pair = generateKeyPair();
    const sectionsOf = async (yaml: string) => {
      const model = await modelOf(withRelease(yaml, series));
      return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    };
    const options = { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true };
    const first = mergeConfig(base(series), await sectionsOf(readExample('vlan-hosting')), options);
    expect(first).toContain('<if>vlan0.30</if>');
    const again = mergeConfig(first, await sectionsOf(withoutHaproxy(withoutVpssvc())), options);
    expect(again).not.toContain('vlan0.30');
    expect(again).not.toContain('<frontend uuid=');
    const file = join(dir, `${series}-areas-dropped.xml`);
    writeFileSync(file, again, { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
  });

  // A network behind the router 10.0.0.5 on the management network (vtnet1): its packets enter on vtnet1, so
  // the rule from it must be a pf rule on vtnet1 (one on the WAN, vtnet0, never matches them), and the
  // internet-only zone's block of the internal networks must hold it; the CIDR around it is split.
  it.each(RELEASES)('OPNsense %s: a rule from a statically routed network is a pf rule on the router\'s interface', async (series) => {
    const { sections, privateKey } = await releaseSections(withLabRoute(false), series);
    const file = join(dir, `${series}-lab-route.xml`);
    writeFileSync(file, mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
    const ruleset = runTool(file, tagOf(series), { validate: false }).ruleset;
    const live = ruleset.filter((l) => /^(pass|block|reject) /.test(l));
    const of = (name: string) => live.filter((l) => l.endsWith(`# gen: policy rule ${name}`));
    expect(of('lab-in')).toEqual([expect.stringMatching(/^pass in quick on vtnet1 inet proto tcp from \{172\.16\.5\.0\/24\} to \{\(vtnet2:network\)\} port \{22\} /)]);
    expect(of('lab-ping')).toEqual([
      expect.stringMatching(/^pass in quick on vtnet1 inet proto icmp from \{172\.16\.0\.0\/16\} to \{\(vtnet2:network\)\} /),
      // On the WAN, OPNsense adds reply-to its gateway.
      expect.stringMatching(/^pass in quick on vtnet0 reply-to \( vtnet0 192\.168\.0\.1 \) inet proto icmp from \{172\.0\.0\.0\/8\} to \{\(vtnet2:network\)\} /),
    ]);
    expect(live.filter((l) => l.endsWith('# gen: policy rule service-internet-only (block internal networks)'))).toEqual([expect.stringMatching(/^block in quick on vtnet2 inet from \{\(vtnet2:network\)\} to \$gen_internal_networks /)]);
    // Automatic outbound NAT takes interfaces' networks only (filter.inc): the routed network gets gen's rule, on the WAN.
    expect(ruleset.filter((l) => /^nat on vtnet0 /.test(l) && l.includes('172.16.0.0/16'))).toEqual([expect.stringMatching(/^nat on vtnet0 inet from 172\.16\.0\.0\/16 to any -> \(vtnet0:0\) port 1024:65535/)]);
  });

  // The homelab's WAN is the upstream router's LAN (192.168.0.2/24): its -lan WireGuard clients and browsers reach
  // the firewall directly, and OPNsense's reply-to would send their replies through the router. gen's WAN passes turn
  // it off there; a WAN in the open keeps it, and a rule of the policy on the WAN keeps it (lab-ping above).
  it.each(RELEASES)("OPNsense %s: the WAN passes of a WAN on the router's LAN reply directly, without reply-to", async (series) => {
    const ruleset = async (yaml: string, name: string) => {
      const { sections, privateKey } = await releaseSections(yaml, series);
      const file = join(dir, `${series}-${name}.xml`);
      writeFileSync(file, mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      return runTool(file, tagOf(series), { validate: false }).ruleset.filter((l) => /^pass /.test(l));
    };
    const wireguard = (lines: string[]) => lines.filter((l) => l.endsWith('# gen: WireGuard instance wg0'));
    const lan = await ruleset(readExample('homelab'), 'reply-lan');
    expect(wireguard(lan)).toEqual([expect.stringMatching(/^pass in quick on vtnet0 inet proto udp from \{any\} to \{\(vtnet0\)\} port \{51820\} /)]);
    expect(lan.filter((l) => l.includes('# gen: ') && / on vtnet0 /.test(l) && l.includes('reply-to'))).toEqual([]);
    // (Its tests of the router's LAN, which is the internet now, are left out.)
    let open = edit(readExample('homelab'), ['sites', 0, 'firewall', 'interfaces', 0, 'address'], '203.0.113.2/24');
    open = edit(edit(open, ['sites', 0, 'firewall', 'interfaces', 0, 'gateway'], '203.0.113.1'), ['sites', 0, 'policy', 'tests'], []);
    expect(wireguard(await ruleset(open, 'reply-open'))).toEqual([expect.stringMatching(/^pass in quick on vtnet0 reply-to \( vtnet0 203\.0\.113\.1 \) inet proto udp /)]);
  });

  // Whether the firewall answers the DNS the policy lets each network ask it: Unbound at its defaults (the factory
  // config's <unbound><enable>, migrated to unboundplus) binds every address when no interface is chosen
  // (unbound_generate_config() in plugins.inc.d/unbound.inc) and answers what its access list allows
  // (access_lists.conf, rendered by OPNsense's own template). The LAN, a VLAN, the WireGuard tunnel network
  // (its address is the instance's, not the assigned interface's) and a network behind a router must get
  // "allow"; a pass that lets internet addresses ask it makes an open resolver, and gen must say so.
  it.each(RELEASES)("OPNsense %s: Unbound at its defaults answers each network the policy lets ask the firewall for DNS, and gen reports one that opens it to the internet", async (series) => {
    // A rule (and what comes before it) put ahead of lan-internet in the family homelab's policy.
    const before = (text: string, yaml: string) => yaml.replace('        - { name: lan-internet,', `${text}\n        - { name: lan-internet,`);
    const family = before(
      '        - { name: lab-dns, from: 172.16.0.0/16, to: self, proto: tcp/udp, ports: [53], action: pass }',
      edit(readExample('homelab-family'), ['sites', 0, 'firewall', 'routes'], [{ network: '172.16.0.0/16', via: '10.10.10.5', description: 'Lab behind a router' }]),
    );
    const world = '        - { name: world-dns, from: 0.0.0.0/0, to: self, proto: tcp/udp, ports: [53], action: pass }';
    const cases = [
      { name: 'family', yaml: family, open: family },
      { name: 'vlans', yaml: readExample('vlan-hosting'), open: readExample('vlan-hosting') },
      // Rendered with the finding silenced, as by an operator who restricted Unbound on the box; linted as written first.
      { name: 'world', yaml: before(`        # gen-ignore opnsense/open-resolver: restricted on the box\n${world}`, family), open: before(world, family) },
    ];
    const asked = new Set<string>();
    for (const c of cases) {
      const { sections, privateKey } = await releaseSections(c.yaml, series);
      const work = join(dir, `unbound-${series}-${c.name}`);
      mkdirSync(work, { recursive: true });
      const file = join(work, 'config.xml');
      writeFileSync(file, mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      const run = runTool(file, tagOf(series), { save: join(work, 'saved.xml') });
      expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e))), c.name).toEqual([]);
      const general = el(parseXmlDoc(readFileSync(join(work, 'saved.xml'), 'utf8')), 'OPNsense', 'unboundplus', 'general');
      expect([field(general, 'enabled'), field(general, 'port'), field(general, 'active_interface')], c.name).toEqual(['1', '53', '']);
      const out = join(work, 'root');
      const r = await renderTemplate(join(cache, tagOf(series), 'root'), join(work, 'saved.xml'), out, 'OPNsense.Unbound.core');
      expect(r.stderr).toBe('');
      const acl = accessControls(readFileSync(join(out, 'usr/local/etc/unbound.opnsense.d/access_lists.conf'), 'utf8'));
      expect(acl.length).toBeGreaterThan(0);

      // Every network of the firewall's and behind its routes whose hosts the policy lets ask it (UDP 53): Unbound answers them.
      const site = (await modelOf(withRelease(c.yaml, series))).sites[0]!;
      const self = siteMatches(site).space.self;
      const networks = new Map(site.networks.map((n) => [n.id, n]));
      const askers = [
        ...site.firewall!.interfaces.filter((i) => !i.isWan && i.network !== undefined).map((i) => ({ kind: i.kind, block: networks.get(i.network!)!.block })),
        ...site.firewall!.routes.map((route) => ({ kind: 'routed', block: (parseCidr(route.network) as { ok: true; block: Block }).block })),
      ];
      for (const { kind, block } of askers) {
        const host = block.base + 10;
        if (!flowVerdicts(site, [[host, host]], self, 'udp', 53).some((v) => v.verdict === 'accept')) continue;
        asked.add(kind);
        expect(accessFor(acl, formatIPv4(host)), `${c.name}: ${kind} ${formatIPv4(host)}`).toBe('allow');
      }

      // The internet: the live pf passes on the WAN to the firewall's own addresses on port 53, from sources outside the
      // private blocks (the WAN's "Block private networks" drops those). Where one exists and Unbound's access list
      // allows its source, the box is an open resolver: gen must report it, and only then.
      const ifaces = el(sections.find((s) => s.name === 'interfaces'));
      const wan = field(child(ifaces, 'wan'), 'if');
      const open = run.ruleset.filter((l) => l.startsWith(`pass in quick on ${wan} `) && / to \{\(self\)\} port \{53\} /.test(l));
      const sources = open.map((l) => / from \{([^}]*)\} /.exec(l)![1]!.split(/[ ,]+/)[0]!.split('/')[0]!);
      const answered = sources.filter((s) => !blockedAsPrivate(s) && accessFor(acl, s) === 'allow');
      const reported = (await lint(withRelease(c.open, series))).filter((d) => d.rule === 'opnsense/open-resolver');
      expect(reported.map((d) => d.severity), c.name).toEqual(answered.length > 0 ? ['error'] : []);
      if (c.name === 'world') {
        expect(answered.length).toBeGreaterThan(0);
        expect(reported[0]!.message).toContain('policy rule world-dns');
      }
    }
    expect([...asked].sort()).toEqual(['device', 'routed', 'vlan', 'wireguard']);
  });

  const noHaproxy = missing(['haproxy'], false);
  describe.skipIf(noHaproxy)(titled("haproxy.conf from OPNsense's HAProxy template", noHaproxy), () => {
    // Scenario A, site-to-site and "every item" share their HAProxy setup: A and B cover both kinds of backend
    // pool, the family homelab routing by host name to a TLS backend verified against a CA.
    const haproxyCases = RELEASES.flatMap((series) => CASES.slice(0, 3).map((c) => ({ series, ...c })));
    it.each(haproxyCases)('$series $name: renders, redirects to HTTPS, and haproxy -c accepts it', async ({ series, name, yaml }) => {
      const pair = generateKeyPair();
      let text = withRelease(yaml(), series);
      if (text.includes('wireguard:')) text = edit(text, ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
      const model = await modelOf(text);
      const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
      const work = join(dir, `haproxy-${series}-${name.replace(/\W+/g, '-')}`);
      mkdirSync(work, { recursive: true });
      const config = join(work, 'config.xml');
      writeFileSync(config, mergeConfig(base(series), sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      const out = join(work, 'root');
      const r = await renderTemplate(join(cache, tagOf(series), 'root'), config, out, 'OPNsense.HAProxy');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const conf = readFileSync(join(out, 'usr/local/etc/haproxy.conf.staging'), 'utf8');

      // What the template says about gen's items: nothing it refused, every frontend complete.
      expect(conf).not.toMatch(/# (ERROR|RULE DISABLED)/);
      expect(conf).not.toMatch(/^\s*option\s*$/m);
      const frontends = conf.split(/^frontend /m).slice(1);
      expect(frontends.map((f) => f.split('\n')[0])).toEqual(['https', 'https_http_redirect']);
      for (const f of frontends) expect(f).toMatch(/^\s+option http-keep-alive$/m);
      // TLS with the advanced settings the template reads only when they are on: HSTS, the minimum version.
      expect(frontends[0]).toMatch(/bind 0\.0\.0\.0:443 name 0\.0\.0\.0:443 ssl .*\bssl-min-ver TLSv1\.2 .*alpn h2,http\/1\.1 crt-list \/tmp\/haproxy\/ssl\/\S+\.certlist/);
      expect(frontends[0]).toMatch(/^\s+http-response set-header Strict-Transport-Security "max-age=\d+"$/m);
      expect(frontends[1]).toMatch(/bind 0\.0\.0\.0:80 /);
      expect(frontends[1]).not.toMatch(/Strict-Transport-Security/);
      const useBackends = (f: string) => [...f.matchAll(/^\s+use_backend (\S+) if (\S+)$/gm)].map((m) => [m[1], m[2]]);
      if (model.sites[0]!.haproxy.certificates.some((c) => c.challenge === 'http-01')) {
        // HTTP-01: port 80 hands the challenge to the ACME client's server instead of redirecting it
        // (HAProxy runs http-request rules before use_backend), and the TLS frontend routes it
        // before any host rule (the first use_backend that matches wins).
        const acl = /^\s+acl (\S+) path_beg -i \/\.well-known\/acme-challenge\/$/m.exec(frontends[1]!)?.[1];
        expect(acl).toBeDefined();
        expect(frontends[1]).toMatch(new RegExp(`^\\s+http-request redirect scheme https code 301 unless ${acl!.replace(/\./g, '\\.')}$`, 'm'));
        expect(useBackends(frontends[1]!)).toEqual([['_acme_challenge', acl]]);
        expect(frontends[0]).toContain(`acl ${acl} path_beg -i /.well-known/acme-challenge/`);
        expect(useBackends(frontends[0]!)[0]).toEqual(['_acme_challenge', acl]);
        expect(useBackends(frontends[0]!).length).toBeGreaterThan(1);
        expect(conf).toMatch(/^backend _acme_challenge\n(?:\s.*\n)*?\s+server _acme_challenge_host 127\.0\.0\.1:43580\s*$/m);
      } else {
        expect(frontends[1]).toMatch(/^\s+http-request redirect scheme https code 301\s*$/m);
        expect(conf).not.toMatch(/acme-challenge/);
      }
      for (const server of model.sites[0]!.haproxy.backends.flatMap((b) => b.servers)) expect(conf).toMatch(new RegExp(`^\\s+server \\S+ ${server.address.replace(/\./g, '\\.')}:${server.port}\\b`, 'm'));
      // A TLS backend with SNI: its health checks send it too (check-sni; HAProxy's sni is for proxied traffic only).
      for (const backend of model.sites[0]!.haproxy.backends.filter((b) => b.tls?.sni !== undefined && b.check.type !== 'none')) {
        for (const server of backend.servers) expect(conf).toMatch(new RegExp(`^\\s+server \\S+ ${server.address.replace(/\./g, '\\.')}:${server.port}\\b.* check-sni ${backend.tls!.sni!.replace(/\./g, '\\.')}\\b`, 'm'));
      }

      // haproxy -c, with the certificates and CA lists the box writes before it starts HAProxy.
      const c = checkRendered(conf, out, work);
      expect(c.complaints).toEqual([]);
      expect(c.status, c.output).toBe(0);
    });
  });

  // A split tunnel whose policy passes its clients to the upstream router's LAN (the private WAN's network): those
  // packets leave the WAN. OPNsense's automatic outbound NAT takes the interfaces that carry an address when the
  // rules are built (filter.inc): here (wg0:network), as the harness gives wg0 its tunnel address, but at boot
  // rc.bootup builds the rules before plugins_configure('vpn') configures wg0, and an instance that is not assigned
  // is never among them. So gen's rule for the tunnel network must be there, ahead of the automatic ones: for the
  // router, for internet destinations. With the tunnel as shipped (internal networks only), to the firewall alone,
  // or to the router behind a rule that blocks it first, no packet of the tunnel leaves the WAN: gen adds none.
  it.each(RELEASES)("OPNsense %s: a split tunnel the policy lets out of the WAN leaves it translated to its address, and only then", async (series) => {
    const homelab = readExample('homelab');
    const toRouter = edit(homelab, ['sites', 0, 'policy', 'rules', 5], { name: 'vpn-to-router', from: 'vpn', to: '192.168.0.1', proto: 'tcp', ports: [80], action: 'pass' });
    const compiled = async (yaml: string, name: string, validate = true) => {
      const { sections, privateKey } = await releaseSections(yaml, series);
      const file = join(dir, `${series}-split-nat-${name}.xml`);
      writeFileSync(file, mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      const run = runTool(file, tagOf(series), { validate });
      expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
      const ifaces = el(sections.find((s) => s.name === 'interfaces'));
      return { ruleset: run.ruleset.filter((l) => l !== '' && !l.startsWith('#')), wan: field(child(ifaces, 'wan'), 'if') };
    };
    const tunnelNat = (ruleset: string[]) => ruleset.filter((l) => l.startsWith('nat ') && / from \{?10\.0\.1\.0\/24\}? /.test(l));
    /** pf's rules on the WireGuard group for a policy rule, `action` first. */
    const onTunnel = (ruleset: string[], action: string, rule: string) => ruleset.filter((l) => l.startsWith(`${action} in quick on wireguard `) && l.includes(`# gen: policy rule ${rule}`));
    /** What leaves the WAN from the tunnel is translated to the WAN's address, before the automatic rules. */
    const translated = (out: { ruleset: string[]; wan: string }) => {
      const nat = tunnelNat(out.ruleset);
      expect(nat).toHaveLength(1);
      expect(nat[0]!.startsWith(`nat on ${out.wan} inet from 10.0.1.0/24 to any -> (${out.wan}:0) port 1024:65535 `)).toBe(true);
      expect(nat[0]!.endsWith('# gen: NAT WireGuard wg0 tunnel to the WAN address')).toBe(true);
      expect(out.ruleset.indexOf(nat[0]!)).toBeLessThan(out.ruleset.findIndex((l) => l.endsWith('# Automatic outbound rule')));
    };

    const out = await compiled(toRouter, 'router');
    // pf passes the tunnel's clients to the router, on the WireGuard group, and translates them.
    expect(out.ruleset.filter((l) => l.startsWith('pass in quick on wireguard ') && l.includes(' to {192.168.0.1} ') && l.endsWith('# gen: policy rule vpn-to-router'))).toHaveLength(1);
    translated(out);

    // Internet destinations: pf passes the tunnel's clients to what is neither internal nor the firewall, translated.
    const internet = await compiled(edit(homelab, ['sites', 0, 'policy', 'rules', 5], { name: 'vpn-internet', from: 'vpn', to: 'internet', action: 'pass' }), 'internet', false);
    expect(onTunnel(internet.ruleset, 'pass', 'vpn-internet').filter((l) => / to \{?any\}? /.test(l))).toHaveLength(1);
    translated(internet);

    expect(tunnelNat((await compiled(homelab, 'shipped', false)).ruleset)).toEqual([]);

    // The firewall alone (its resolver): pf passes it, and nothing of it leaves the WAN.
    const toFirewall = await compiled(edit(homelab, ['sites', 0, 'policy', 'rules', 5], { name: 'vpn-dns', from: 'vpn', to: 'self', proto: 'udp', ports: [53], action: 'pass' }), 'firewall', false);
    expect(onTunnel(toFirewall.ruleset, 'pass', 'vpn-dns')).not.toEqual([]);
    expect(tunnelNat(toFirewall.ruleset)).toEqual([]);

    // The router behind a rule that blocks it: pf blocks before it passes (the first quick rule decides), so no NAT.
    const blocked = edit(edit(homelab, ['sites', 0, 'policy', 'rules', 5], { name: 'vpn-no-router', from: 'vpn', to: '192.168.0.1', action: 'block' }), ['sites', 0, 'policy', 'rules', 6], { name: 'vpn-to-router', from: 'vpn', to: '192.168.0.1', proto: 'tcp', ports: [80], action: 'pass' });
    const behind = await compiled(blocked, 'blocked', false);
    const [block] = onTunnel(behind.ruleset, 'block', 'vpn-no-router');
    const [pass] = onTunnel(behind.ruleset, 'pass', 'vpn-to-router');
    expect(block).toBeDefined();
    expect(pass).toBeDefined();
    expect(behind.ruleset.indexOf(block!)).toBeLessThan(behind.ruleset.indexOf(pass!));
    expect(tunnelNat(behind.ruleset)).toEqual([]);
  });

  // A remote network reached over WireGuard (a branch office routing through the tunnel) that the policy lets out of the
  // WAN: OPNsense's automatic outbound NAT takes interfaces' networks, loopback, OpenVPN tunnels and the IPsec pool
  // (filter.inc, filter_core_get_default_nat_outbound_networks in filter.lib.inc), never a network behind a WireGuard
  // peer, so its packets would leave with sources nothing upstream routes back. gen's rule translates them, ahead of
  // the automatic ones; a remote network the policy keeps inside gets none.
  it.each(RELEASES)('OPNsense %s: a remote network the policy lets out of the WAN leaves it translated to its address, and only then', async (series) => {
    const office = edit(readExample('homelab'), ['sites', 0, 'remote_networks'], [{ name: 'office', cidr: '10.50.0.0/24' }]);
    const compiled = async (yaml: string, name: string) => {
      const { sections, privateKey } = await releaseSections(yaml, series);
      const file = join(dir, `${series}-remote-nat-${name}.xml`);
      writeFileSync(file, mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      const run = runTool(file, tagOf(series), { validate: name === 'internet' });
      expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
      const ifaces = el(sections.find((s) => s.name === 'interfaces'));
      const wan = field(child(ifaces, 'wan'), 'if');
      return { ruleset: run.ruleset.filter((l) => l !== '' && !l.startsWith('#')), wan };
    };
    const fromOffice = (ruleset: string[]) => ruleset.filter((l) => l.startsWith('nat ') && / from \{?10\.50\.0\.0\/24\}? /.test(l));

    const out = await compiled(edit(office, ['sites', 0, 'policy', 'rules', 5], { name: 'office-out', from: 'office', to: 'internet', action: 'pass' }), 'internet');
    // pf passes the office's hosts to the internet on the WireGuard group...
    expect(out.ruleset.filter((l) => l.startsWith('pass in quick on wireguard inet from $gen_net_office to {any} ') && l.endsWith('# gen: policy rule office-out (pass the internet)'))).toHaveLength(1);
    // ...and what leaves the WAN from them is translated to the WAN's address, before the automatic rules (which stay).
    const nat = fromOffice(out.ruleset);
    expect(nat).toHaveLength(1);
    expect(nat[0]!.startsWith(`nat on ${out.wan} inet from 10.50.0.0/24 to any -> (${out.wan}:0) port 1024:65535 `)).toBe(true);
    expect(nat[0]!.endsWith('# gen: NAT remote network office 10.50.0.0/24 to the WAN address')).toBe(true);
    const automatic = out.ruleset.findIndex((l) => l.endsWith('# Automatic outbound rule'));
    expect(automatic).toBeGreaterThan(-1);
    expect(out.ruleset.indexOf(nat[0]!)).toBeLessThan(automatic);

    // Only to the service network: nothing of it leaves the WAN, and gen adds no rule.
    const inside = await compiled(edit(office, ['sites', 0, 'policy', 'rules', 5], { name: 'office-in', from: 'office', to: 'service', action: 'pass' }), 'inside');
    expect(inside.ruleset.some((l) => l.includes('# gen: policy rule office-in'))).toBe(true);
    expect(fromOffice(inside.ruleset)).toEqual([]);
  });

  // A box whose outbound NAT is in manual (advanced) or hybrid mode, with a rule of its own (a static port for a
  // console): OPNsense registers manual outbound rules only in those modes (filter.inc; pf.inc for the Filter model's
  // source NAT rules), so the topology's automatic mode, which merge writes, leaves the kept rule translating
  // nothing. pf shows it gone; merge must say so. With outbound: hybrid the rule stays in pf, and nothing is said.
  it.each(RELEASES)("OPNsense %s: a topology's automatic outbound mode turns off the box's own outbound rules, and merge says so", async (series) => {
    const own = '<rule><interface>wan</interface><ipprotocol>inet</ipprotocol><source><network>10.0.0.77/32</network></source><destination><any>1</any></destination>' +
      '<target/><targetip_subnet>0</targetip_subnet><staticnatport>1</staticnatport><descr>box: console static port</descr></rule>';
    const box = (mode: string) => base(series).replace('<outbound>\n      <mode>automatic</mode>', `<outbound>\n      <mode>${mode}</mode>${own}`);
    const consoleNat = (ruleset: string[]) => ruleset.filter((l) => l.startsWith('nat on ') && l.includes(' from 10.0.0.77/32 ') && l.endsWith('# box: console static port'));
    const compiled = async (yaml: string, mode: string, name: string) => {
      const { sections, privateKey } = await releaseSections(yaml, series);
      const warnings: string[] = [];
      const file = join(dir, `${series}-outbound-${name}.xml`);
      writeFileSync(file, mergeConfig(box(mode), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, warn: (m) => warnings.push(m) }), { mode: 0o600 });
      const run = runTool(file, tagOf(series), { validate: false });
      expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
      return { nat: consoleNat(run.ruleset), said: warnings.filter((w) => w.startsWith("the base's outbound NAT")) };
    };
    // The box as it runs, before any merge: its rule is in pf.
    const before = join(dir, `${series}-outbound-box.xml`);
    writeFileSync(before, box('advanced'), { mode: 0o600 });
    expect(consoleNat(runTool(before, tagOf(series), { validate: false }).ruleset)).toHaveLength(1);

    const vlans = readExample('vlan-hosting');
    for (const mode of ['advanced', 'hybrid']) {
      const automatic = await compiled(vlans, mode, `${mode}-automatic`);
      expect(automatic.nat, mode).toEqual([]);
      expect(automatic.said, mode).toEqual([expect.stringContaining('"box: console static port"')]);
      expect(automatic.said[0]).toContain(`in ${mode === 'advanced' ? 'manual' : 'hybrid'} mode`);
      expect(automatic.said[0]).toContain('set firewall.nat.outbound: hybrid');
    }
    const hybrid = await compiled(edit(vlans, ['sites', 0, 'firewall', 'nat'], { outbound: 'hybrid' }), 'advanced', 'advanced-hybrid');
    expect(hybrid.nat).toHaveLength(1);
    expect(hybrid.said).toEqual([]);
  });

  /**
   * `yaml` merged for 26.7, as gen opnsense merge does (with the site's joined VPC), into a box with an enabled IPsec
   * connection and a "pass any" of its own on enc0 (enc0 exists while an IPsec connection is enabled, ipsec.inc);
   * OPNsense's pf ruleset of the result and what merge said of enc0.
   */
  const withBoxIpsecPass = async (yaml: string, name: string, boxEdit: (xml: string) => string = (xml) => xml) => {
    const own = '<rule uuid="5a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"><enabled>1</enabled><statetype>keep</statetype><sequence>1</sequence><action>pass</action><quick>1</quick>' +
      '<interfacenot>0</interfacenot><interface>enc0</interface><direction>in</direction><ipprotocol>inet</ipprotocol><protocol>any</protocol><source_net>any</source_net>' +
      '<source_not>0</source_not><destination_net>any</destination_net><destination_not>0</destination_not><log>0</log><description>box: IPsec any</description></rule>';
    const ipsec = '<Swanctl version="1.0.0"><Connections><Connection uuid="6a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"><enabled>1</enabled><description>aws</description></Connection></Connections></Swanctl>';
    const box = boxEdit(base('26.7').replace('<rules>', `<rules>${own}`).replace('<OPNsense>', `<OPNsense>${ipsec}`));
    const { sections, privateKey } = await releaseSections(yaml, '26.7');
    const model = await modelOf(withRelease(yaml, '26.7'));
    const warnings: string[] = [];
    const file = join(dir, `26.7-${name}.xml`);
    const options = { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, joinedVpc: joinedVpc(model, model.sites[0]!), warn: (m: string) => warnings.push(m) };
    writeFileSync(file, mergeConfig(box, sections, options), { mode: 0o600 });
    const run = runTool(file, tagOf('26.7'), { validate: false });
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    return { ruleset: run.ruleset, said: warnings.filter((w) => w.includes('enc0')) };
  };

  // The IPsec interface enc0 carries the site-to-site VPN's traffic and the box's other IPsec tunnels: merge keeps the
  // box's own rules there, and OPNsense orders them with gen's by sequence alone (every single-interface rule has
  // priority 400000, FilterRuleField::getPriority). A box's "pass any" on enc0 comes first: the VPC reaches everything
  // the policy denies it, so merge must name the rule.
  it("OPNsense 26.7: the box's own rules on enc0 run among the policy's rules for the VPC, and merge names them", async () => {
    const yaml = edit(siteToSite(), ['sites', 0, 'policy', 'rules', 5], { name: 'vpc-ssh', from: 'private-2a', to: 'management', proto: 'tcp', ports: [22], action: 'pass' });
    const { ruleset, said } = await withBoxIpsecPass(yaml, 'enc0-shared');
    const onEnc0 = ruleset.filter((l) => l.startsWith('pass in quick on enc0 '));
    expect(onEnc0.map((l) => l.split(' # ')[1])).toEqual(['box: IPsec any', 'gen: policy rule vpc-ssh']);
    expect(onEnc0[0]).toMatch(/^pass in quick on enc0 inet from \{any\} to \{any\} /);
    expect(said).toEqual([expect.stringMatching(/^kept the base's filter rule "box: IPsec any" on enc0, where the topology's policy has rules too/)]);
  });

  // A packet from the VPC through the route-based tunnel meets pf twice: on enc0 once decrypted (FreeBSD
  // netipsec/ipsec_input.c runs the enc hooks before ipsec_if_input(); OPNsense's net.enc.in.ipsec_filter_mask is 2),
  // then on the VTI ipsecN, where gen writes no rule. The state of gen's pass on enc0 passes it there only when
  // floating: a box that binds states to interfaces (System › Settings › Firewall: "set state-policy if-bound") found
  // none on ipsecN, and the VPC reached nothing. gen's passes on enc0 carry their own state policy, floating.
  it('OPNsense 26.7: a pass from the VPC on enc0 keeps a floating state on a box that binds states to interfaces', async () => {
    const yaml = edit(siteToSite(), ['sites', 0, 'policy', 'rules', 5], { name: 'vpc-ssh', from: 'private-2a', to: 'management', proto: 'tcp', ports: [22], action: 'pass' });
    const { ruleset } = await withBoxIpsecPass(yaml, 'enc0-if-bound', (xml) => xml.replace('<system>', '<system>\n    <state-policy>1</state-policy>'));
    expect(ruleset).toContain('set state-policy if-bound');
    const ours = ruleset.filter((l) => / on enc0 /.test(l) && l.endsWith('# gen: policy rule vpc-ssh'));
    expect(ours).toHaveLength(1);
    // pfctl's parse.y gives a rule the default (if-bound) only without a state policy of its own.
    const options = /\bkeep state \(([^)]*)\)/.exec(ours[0]!)?.[1]?.trim().split(/\s+/) ?? [];
    expect(options).toContain('floating');
    expect(options).not.toContain('if-bound');
    // pfctl -sr shows a floating state as no option at all (print_rule()): what the verification script expects.
    const model = await modelOf(withRelease(yaml, '26.7'));
    const expected = expectedRules(model, model.sites[0]!).find((r) => r.description === 'gen: policy rule vpc-ssh')!;
    expect(pfPrint(ours[0]!, macros(ruleset)).map((l) => l.replace(/ label "[^"]*"$/, ''))).toEqual(expected.pf);
  });

  // The VPC joined without a rule from it: gen writes nothing on enc0, and the policy's meaning is the default deny
  // alone. The box's "pass any" on the IPsec tab (a common step of IPsec how-tos) is then the only rule of enc0, quick,
  // and pf's default block (not quick) never decides: the VPC reaches every internal network. Merge must name it.
  it("OPNsense 26.7: the box's own pass on enc0 opens the site to a VPC the policy gives no rule, and merge names it", async () => {
    const { ruleset, said } = await withBoxIpsecPass(siteToSite(), 'enc0-vpc-no-rule');
    // Every rule pf has for IPv4 traffic entering on enc0 (or on any interface): the policy's default deny, not quick,
    // then the box's quick pass, the only rule of enc0, which decides; the quick blocks between are of port 0 and of
    // OPNsense's lockout tables only.
    const inbound = ruleset.filter((l) => /^(pass|block) in /.test(l) && !/ inet6 /.test(l) && (/ on enc0 /.test(l) || !/ on /.test(l)));
    const deny = inbound.findIndex((l) => l.endsWith('# Default deny / state violation rule'));
    const first = inbound.findIndex((l) => / on enc0 /.test(l));
    expect(inbound[deny]).toMatch(/^block in log inet from \{any\} to \{any\} /);
    expect(inbound.filter((l) => / on enc0 /.test(l)).map((l) => l.split(' # ')[1])).toEqual(['box: IPsec any']);
    expect(inbound[first]).toMatch(/^pass in quick on enc0 inet from \{any\} to \{any\} /);
    expect(deny).toBeGreaterThanOrEqual(0);
    expect(deny).toBeLessThan(first);
    expect(inbound.slice(deny + 1, first).filter((l) => !/ port \{0\} | from \{<(sshlockout|virusprot)>\} /.test(l))).toEqual([]);
    // So the VPC reaches management, which the policy (and its tests) deny it.
    expect(said).toEqual([expect.stringMatching(/^kept the base's filter rule "box: IPsec any" on enc0, where AWS VPC main \(10\.30\.0\.0\/16\) arrives by the site-to-site VPN: the topology's policy has no rule from the VPC, so the VPC reaches nothing \(default deny\)/)]);
  });

  // The operator's flow across upgrades: merge for 25.7 and restore; upgrade the box (OPNsense migrates the stored
  // config), set firewall.release to the new release, export and merge again; up to 26.7, where gen writes its
  // policy and source NAT as MVC rules. Each merge must replace what the earlier one wrote (its legacy rules too),
  // so that the box ends with what a merge into a fresh 26.7 box gives: the same pf rules of gen's, each once.
  it('every item, merged on 25.7, upgraded to 26.1 and 26.7 and merged again on each: the pf rules of a fresh 26.7 merge, each once', async () => {
    const scenario = CASES.find((c) => c.name === 'every item')!;
    const saved = (config: string, series: string, name: string) => {
      const file = join(dir, `upgrade-${name}.xml`);
      const out = join(dir, `upgrade-${name}-saved.xml`);
      writeFileSync(file, config, { mode: 0o600 });
      const r = runTool(file, tagOf(series), { save: out, validate: false });
      expect(r.stdout, name).not.toMatch(/migration FAILED/);
      return readFileSync(out, 'utf8');
    };
    const writeTemp = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      return join(dir, name);
    };
    const pair = generateKeyPair();
    const mergeFor = async (series: string, box: string) => {
      const model = await modelOf(edit(withRelease(scenario.yaml(), series), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey));
      const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
      return mergeConfig(box, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
    };
    let box = base('25.7');
    for (const [series, next] of [['25.7', '26.1'], ['26.1', '26.7']] as const) {
      const restored = saved(await mergeFor(series, box), series, `${series}-restored`);
      box = saved(restored, next, `${next}-upgraded`);
    }
    const merged = await mergeFor('26.7', box);
    // No legacy rule of the earlier merges is left in the stores 26.7 no longer takes from gen (the migration assistant).
    const doc = parseXmlDoc(merged);
    expect(childrenNamed(el(doc, 'nat', 'outbound'), 'rule').map((r) => field(r, 'descr'))).toEqual([]);
    expect(childrenNamed(el(doc, 'filter'), 'rule').map((r) => field(r, 'descr'))).toEqual([]);
    const genLines = (run: Run) => run.ruleset.filter((l) => / # gen: /.test(l) && !l.startsWith('#')).map((l) => l.replace(/ label "[^"]*"/, '')).sort();
    const upgraded = runTool(writeTemp('upgrade-26.7-merged.xml', merged), tagOf('26.7'));
    const fresh = runTool(writeTemp('upgrade-26.7-fresh.xml', await mergeFor('26.7', base('26.7'))), tagOf('26.7'), { validate: false });
    expect(upgraded.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    // gen's outbound NAT rules (the full tunnel's, the routed network's), each once.
    const nat = genLines(upgraded).filter((l) => l.startsWith('nat '));
    expect(nat.length).toBeGreaterThan(0);
    expect(new Set(nat).size).toBe(nat.length);
    expect(nat).toEqual(genLines(fresh).filter((l) => l.startsWith('nat ')));
    expect(genLines(upgraded)).toEqual(genLines(fresh));
  });

  /**
   * The merged config in `work`, validated by OPNsense's models (its WireGuard ones with data) and rendered by its
   * WireGuard template: each [Peer] of an instance's wgN.conf as its fields, by name.
   */
  async function wireguardPeers(work: string, series: string, merged: string): Promise<(instance: string) => Record<string, string>[]> {
    mkdirSync(work, { recursive: true });
    const file = join(work, 'config.xml');
    writeFileSync(file, merged, { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    expect(/models with data in this config: (.*)$/m.exec(run.stdout)?.[1]?.split(' ')).toEqual(expect.arrayContaining(['OPNsense/Wireguard/Server', 'OPNsense/Wireguard/Client']));
    const out = join(work, 'root');
    const r = await renderTemplate(join(cache, tagOf(series), 'root'), file, out, 'OPNsense.Wireguard');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return (instance) =>
      readFileSync(join(out, `usr/local/etc/wireguard/${instance}.conf`), 'utf8')
        .split('[Peer]')
        .slice(1)
        .map((p) => Object.fromEntries([...p.matchAll(/^(?:# )?(\w+) = (.*)$/gm)].map((m) => [m[1]!, m[2]!])));
  }

  // A peer the operator linked to gen's instance on the box (VPN › WireGuard): the merge keeps the link, OPNsense's
  // validation takes the result (peers is a ModelRelationField: existing clients only), and its template writes
  // the peer into wg0.conf beside gen's enabled peers (it writes only the peers the instance lists).
  it.each(RELEASES)("%s: the box's own peer on gen's instance stays in wg0.conf from OPNsense's template", async (series) => {
    const { sections, privateKey } = await releaseSections(readExample('homelab'), series);
    const options = { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX };
    const first = mergeConfig(base(series), sections, options);
    const phone = { uuid: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d', key: generateKeyPair().publicKey };
    const listed = /<peers>([^<]*)<\/peers>/.exec(first)![1]!;
    const box = first
      .replace(`<peers>${listed}</peers>`, `<peers>${listed},${phone.uuid}</peers>`)
      .replace('</clients>', `  <client uuid="${phone.uuid}"><enabled>1</enabled><name>guiphone</name><pubkey>${phone.key}</pubkey><psk/><tunneladdress>10.0.1.200/32</tunneladdress><serveraddress/><serverport/><keepalive/></client>\n        </clients>`);
    expect(box).toContain(`${phone.uuid}</peers>`);
    const peers = (await wireguardPeers(join(dir, `wireguard-${series}`), series, mergeConfig(box, sections, options)))('wg0').map((p) => [p.friendly_name, p.PublicKey, p.AllowedIPs]);
    const model = (await modelOf(withRelease(readExample('homelab'), series))).sites[0]!.wireguard[0]!;
    const enabled = model.peers.filter((p) => p.enabled).map((p) => [p.name, p.publicKey, `${p.address}/32`]);
    expect(peers).toEqual([...enabled, ['guiphone', phone.key, '10.0.1.200/32']]);
  });

  /** The homelab example's sections for a release, merged into its factory config, and its peer mac-workstation. */
  async function homelabMerged(series: string) {
    const { sections, privateKey } = await releaseSections(readExample('homelab'), series);
    const options = { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, warn: () => {} };
    const model = (await modelOf(withRelease(readExample('homelab'), series))).sites[0]!.wireguard[0]!;
    return { sections, options, first: mergeConfig(base(series), sections, options), mac: model.peers.find((p) => p.name === 'mac-workstation')! };
  }

  // A peer the firewall dials (an endpoint of its own) with the key of a topology peer: OPNsense keeps pubkey,
  // serveraddress and serverport unique together (Client.xml), so it is another peer, which merge leaves as it is. Its
  // own instance keeps its endpoint and allowed IPs in wg5.conf; gen's instance, which the operator linked it to as
  // well, has the key once, the topology's (a second [Peer] of one key would take over its AllowedIPs).
  it.each(RELEASES)("%s: the box's peer with an endpoint and a topology peer's key stays the box's, once per instance in OPNsense's wgN.conf", async (series) => {
    const { sections, options, first, mac } = await homelabMerged(series);
    const office = { instance: 'aaaaaaaa-1111-4111-8111-111111111111', peer: 'bbbbbbbb-2222-4222-8222-222222222222', keys: generateKeyPair() };
    const listed = /<peers>([^<]*)<\/peers>/.exec(first)![1]!;
    const box = first
      .replace(`<peers>${listed}</peers>`, `<peers>${listed},${office.peer}</peers>`)
      .replace('</servers>', `  <server uuid="${office.instance}"><enabled>1</enabled><name>office</name><instance>5</instance><pubkey>${office.keys.publicKey}</pubkey><privkey>${office.keys.privateKey}</privkey><port>51825</port><tunneladdress>172.16.9.1/24</tunneladdress><disableroutes>0</disableroutes><peers>${office.peer}</peers></server>\n        </servers>`)
      .replace('</clients>', `  <client uuid="${office.peer}"><enabled>1</enabled><name>office-gw</name><pubkey>${mac.publicKey}</pubkey><psk/><tunneladdress>172.16.9.2/32,192.168.50.0/24</tunneladdress><serveraddress>office.example.net</serveraddress><serverport>51821</serverport><keepalive/></client>\n        </clients>`);
    expect(box).toContain(`<serveraddress>office.example.net</serveraddress>`);
    const confs = await wireguardPeers(join(dir, `wireguard-dialed-${series}`), series, mergeConfig(box, sections, options));
    const peersOf = (instance: string) => confs(instance).filter((p) => p.PublicKey === mac.publicKey).map((p) => [p.friendly_name, p.Endpoint, p.AllowedIPs]);
    expect(peersOf('wg5')).toEqual([['office-gw', 'office.example.net:51821', '172.16.9.2/32,192.168.50.0/24']]);
    expect(peersOf('wg0')).toEqual([['mac-workstation', undefined, `${mac.address}/32`]]);
  });

  // A box's peer with a pre-shared key that gen's peer takes over by its public key: the device configured on the box
  // has the key, and a handshake needs the same on both ends, so OPNsense's template must still write it for the peer.
  it.each(RELEASES)("%s: the pre-shared key of the box's peer gen takes over stays its PresharedKey in OPNsense's wg0.conf", async (series) => {
    const { sections, options, first, mac } = await homelabMerged(series);
    const ours = /<client uuid="([^"]+)">\s*<enabled>1<\/enabled>\s*<name>mac-workstation<\/name>/.exec(first)![1]!;
    // The same client as the box's own (a UUID without gen's mark), with a key set in the GUI.
    const boxUuid = 'cccccccc-3333-4333-8333-333333333333';
    const psk = generateKeyPair().publicKey;
    const box = first.split(ours).join(boxUuid).replace(new RegExp(`(<client uuid="${boxUuid}">(?:(?!</client>)[\\s\\S])*?)<psk/>`), `$1<psk>${psk}</psk>`);
    expect(box).toContain(`<psk>${psk}</psk>`);
    const peers = (await wireguardPeers(join(dir, `wireguard-psk-${series}`), series, mergeConfig(box, sections, options)))('wg0');
    expect(peers.filter((p) => p.PublicKey === mac.publicKey).map((p) => [p.friendly_name, p.PresharedKey])).toEqual([['mac-workstation', psk]]);
  });

  /** The homelab example with preshared_key on mac-workstation, for a release: its sections and the secrets merge reads (the instance's key, the psk). */
  async function homelabWithPsk(series: string) {
    const withPsk = edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'peers', 0, 'preshared_key'], true);
    const { sections, privateKey } = await releaseSections(withPsk, series);
    const psk = generateKeyPair().publicKey;
    const model = (await modelOf(withRelease(withPsk, series))).sites[0]!.wireguard[0]!;
    const warnings: string[] = [];
    const options = { secret: (relative: string) => (relative === 'home/wireguard/wg0/peers/mac-workstation.psk' ? psk : privateKey), placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, warn: (m: string) => warnings.push(m) };
    return { sections, options, psk, warnings, mac: model.peers.find((p) => p.name === 'mac-workstation')! };
  }

  // A peer with preshared_key: merge fills its psk from the secrets directory; OPNsense's validation takes it (psk is a
  // Base64Field, Client.xml) and its template writes it as the peer's PresharedKey (wireguard-server.conf), the other
  // peers' [Peer] without one.
  it.each(RELEASES)("%s: a peer's pre-shared key from the secrets directory is its PresharedKey in OPNsense's wg0.conf", async (series) => {
    const { sections, options, psk, mac } = await homelabWithPsk(series);
    const merged = mergeConfig(base(series), sections, options);
    expect(merged).not.toContain(PRIVATE_KEY_PLACEHOLDER_PREFIX);
    const peers = (await wireguardPeers(join(dir, `wireguard-own-psk-${series}`), series, merged))('wg0');
    expect(peers.map((p) => [p.friendly_name, p.PresharedKey])).toEqual(peers.map((p) => [p.friendly_name, p.PublicKey === mac.publicKey ? psk : undefined]));
    expect(peers.filter((p) => p.PresharedKey !== undefined).map((p) => p.friendly_name)).toEqual(['mac-workstation']);
  });

  // The box's peer gen takes over has a pre-shared key of its own, and the topology's peer asks for one: gen's key
  // wins (the device gets gen's client file), and merge says so without either key.
  it.each(RELEASES)("%s: a peer with preshared_key that takes over the box's peer writes gen's pre-shared key into wg0.conf, not the box's", async (series) => {
    const { sections, options, psk, warnings, mac } = await homelabWithPsk(series);
    const first = mergeConfig(base(series), sections, options);
    const ours = /<client uuid="([^"]+)">\s*<enabled>1<\/enabled>\s*<name>mac-workstation<\/name>/.exec(first)![1]!;
    const boxUuid = 'cccccccc-3333-4333-8333-333333333333';
    const boxPsk = generateKeyPair().publicKey;
    const box = first.split(ours).join(boxUuid).replace(new RegExp(`(<client uuid="${boxUuid}">(?:(?!</client>)[\\s\\S])*?)<psk>${psk.replace(/[+/]/g, '\\$&')}</psk>`), `$1<psk>${boxPsk}</psk>`);
    expect(box).toContain(`<psk>${boxPsk}</psk>`);
    warnings.length = 0;
    const peers = (await wireguardPeers(join(dir, `wireguard-psk-wins-${series}`), series, mergeConfig(box, sections, options)))('wg0');
    expect(peers.filter((p) => p.PublicKey === mac.publicKey).map((p) => [p.friendly_name, p.PresharedKey])).toEqual([['mac-workstation', psk]]);
    expect(warnings.filter((w) => w.includes('pre-shared key'))).toEqual([expect.stringContaining("the topology's WireGuard peer mac-workstation replaces the pre-shared key of the box's peer")]);
    expect(warnings.filter((w) => w.includes(psk) || w.includes(boxPsk))).toEqual([]);
  });

  // The ACME client's renewal job gen writes (the plugin makes it only when its settings are applied), on a factory
  // box and on one with its own job: OPNsense's validation takes it (UpdateCron is a relation to a job of origin
  // AcmeClient; the command must be a configd action with a description), and its crontab template runs the
  // plugin's configd action daily, once: the action issues and renews every certificate (lecert.php --all --cron).
  it.each(RELEASES)("%s: the ACME client's renewal job validates, and the crontab from OPNsense's template runs it once a day", async (series) => {
    const { sections, privateKey } = await releaseSections(readExample('homelab'), series);
    const options = { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX };
    const tree = join(cache, tagOf(series), 'root');
    const action = readFileSync(join(tree, 'usr/local/opnsense/service/conf/actions.d/actions_acmeclient.conf'), 'utf8');
    for (const [kind, box] of [['factory', base(series)], ['own job', withBoxCronJobs(base(series), series)]] as const) {
      const work = join(dir, `cron-${series}-${kind.replace(' ', '-')}`);
      mkdirSync(work, { recursive: true });
      const file = join(work, 'config.xml');
      const merged = mergeConfig(box, sections, options);
      writeFileSync(file, merged, { mode: 0o600 });
      const run = runTool(file, tagOf(series));
      expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e))), kind).toEqual([]);
      expect(/models with data in this config: (.*)$/m.exec(run.stdout)?.[1]?.split(' '), kind).toContain('OPNsense/Cron/Cron');
      const opnsense = el(parseXmlDoc(merged), 'OPNsense');
      const jobs = childrenNamed(el(opnsense, 'cron', 'jobs'), 'job').filter((j) => field(j, 'origin') === 'AcmeClient');
      expect(jobs, kind).toHaveLength(1);
      const job = jobs[0]!;
      expect(field(el(opnsense, 'AcmeClient', 'settings'), 'UpdateCron'), kind).toBe(attr(job, 'uuid'));
      if (kind === 'own job') expect(attr(job, 'uuid')).toBe(BOX_ACME_JOB);

      const out = join(work, 'root');
      const r = await renderTemplate(tree, file, out, 'OPNsense.Cron');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // minute hour mday month wday command; the template quotes the command (one word up to 26.1.x, each word after).
      const lines = readFileSync(join(out, 'var/cron/tabs/nobody'), 'utf8').split('\n').filter((l) => /^[^#\s]\S*\t/.test(l)).map((l) => l.split('\t'));
      const renewal = lines.filter((l) => l[5]!.replace(/'/g, '') === `/usr/local/sbin/configctl -d -- ${field(job, 'command')}`);
      expect(renewal, kind).toEqual([[field(job, 'minutes'), field(job, 'hours'), '*', '*', field(job, 'weekdays'), expect.any(String)]]);
      // The configd action it names (topic acmeclient, section cron-auto-renew).
      const [topic, name] = field(job, 'command').split(' ');
      expect(topic).toBe('acmeclient');
      expect(new RegExp(`^\\[${name}\\]\\ncommand:.*/lecert\\.php --mode issue --all --cron$`, 'm').test(action)).toBe(true);
    }
  });

  // A certificate per host is named after the certificate and its host (the topology allows 63 and 253 characters), and
  // its challenge type after that: OPNsense's validation takes the name only up to 255 characters (AcmeClient.xml's
  // mask of validations.validation.name), and the steps name the challenge type as the dialog lists it.
  it.each(RELEASES)("%s: the challenge type of a certificate per host with a long host name validates, under the name the steps give", async (series) => {
    const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(49)}.example.com`;
    expect(host).toHaveLength(253);
    const yaml = edit(readExample('homelab'), ['sites', 0, 'haproxy', 'certificates', 0], { name: 'wildcard', domain: host, per_host: true, challenge: 'dns-01', dns_provider: 'cloudflare' });
    const { sections, privateKey } = await releaseSections(yaml, series);
    const merged = mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
    const file = join(dir, `${series}-acme-long-host.xml`);
    writeFileSync(file, merged, { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    expect(/models with data in this config: (.*)$/m.exec(run.stdout)?.[1]?.split(' ')).toContain('OPNsense/AcmeClient/AcmeClient');
    const acme = el(parseXmlDoc(merged), 'OPNsense', 'AcmeClient');
    expect(childrenNamed(el(acme, 'certificates'), 'certificate').map((c) => field(c, 'name'))).toEqual([host]);
    const names = childrenNamed(el(acme, 'validations'), 'validation').map((v) => field(v, 'name'));
    expect(names).toHaveLength(1);
    expect(names[0]!.startsWith(`wildcard-${host.slice(0, 200)}`)).toBe(true);
    // steps.md as Markdown escapes the name's "_"; as the operator reads it:
    const steps = (await render(withRelease(yaml, series))).get('home/steps.md')!.replace(/\\([\\`*_[\]<>|])/g, '$1');
    expect(steps).toContain(`challenge type ${names[0]} (`);
  });

  // The ACME client keeps a certificate's alt names in one value, joined by ",", and its model's mask takes that whole
  // value up to 65535 characters (a CSVListField without MaskPerItem): OPNsense's own validation agrees with gen's
  // lint at the boundary. (So many names are far more than Let's Encrypt issues in one certificate: that error aside.)
  it.each(RELEASES)("%s: alt names of 65535 characters validate, and of 65536 fail on altNames, where gen's lint reports them", async (series) => {
    for (const total of [ACME_ALT_NAMES_MAX, ACME_ALT_NAMES_MAX + 1]) {
      const yaml = edit(edit(readExample('homelab'), ['sites', 0, 'haproxy', 'certificates', 0, 'domain'], 'www.example.com'), ['sites', 0, 'haproxy', 'certificates', 0, 'alt_names'], altNamesOfLength(total));
      const { sections, privateKey } = await releaseSections(yaml, series, ['opnsense/acme-name-count', 'opnsense/acme-alt-names-length']);
      const merged = mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
      const acme = el(parseXmlDoc(merged), 'OPNsense', 'AcmeClient');
      expect(childrenNamed(el(acme, 'certificates'), 'certificate').map((c) => field(c, 'altNames').length)).toEqual([total]);
      const file = join(dir, `${series}-acme-alt-names-${total}.xml`);
      writeFileSync(file, merged, { mode: 0o600 });
      const run = runTool(file, tagOf(series));
      const refused = run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)));
      const linted = (await lint(withRelease(yaml, series))).filter((d) => d.rule === 'opnsense/acme-alt-names-length');
      if (total <= ACME_ALT_NAMES_MAX) {
        expect(refused).toEqual([]);
        expect(linted).toEqual([]);
      } else {
        expect(refused).toEqual([expect.stringMatching(/^OPNsense\\AcmeClient\\AcmeClient\.certificates\.certificate\.[0-9a-f-]+\.altNames => Please provide one or more valid FQDNs/)]);
        expect(linted).toHaveLength(1);
      }
    }
  });

  /** A merged config that OPNsense's migrations and models take, and the dnsmasq.conf its template writes from it. */
  async function validDnsmasqConf(series: string, name: string, merged: string): Promise<string> {
    const work = join(dir, name);
    mkdirSync(work, { recursive: true });
    const file = join(work, 'config.xml');
    writeFileSync(file, merged, { mode: 0o600 });
    const run = runTool(file, tagOf(series));
    expect(run.errors.filter((e) => !KNOWN_UPSTREAM.some((re) => re.test(e)))).toEqual([]);
    const out = join(work, 'root');
    const r = await renderTemplate(join(cache, tagOf(series), 'root'), file, out, 'OPNsense.Dnsmasq');
    expect(r.stderr).toBe('');
    return readFileSync(join(out, 'usr/local/etc/dnsmasq.conf'), 'utf8');
  }

  // dhcp.dns of more than three servers (opnsense/dhcp-dns-ignored warns, and only warns): the box takes them all
  // (the dnsmasq model checks each value is an IPv4 address, not how many) and its template hands every one out in
  // one dhcp-option 6; only a client's C library reads no more than three.
  it.each(RELEASES)("%s: four DNS servers of a DHCP network validate, and dnsmasq.conf from OPNsense's template hands out all four", async (series) => {
    const four = ['1.1.1.1', '9.9.9.9', '1.0.0.1', '149.112.112.112'];
    const yaml = edit(CASES.find((c) => c.name === 'scenario B')!.yaml(), ['sites', 0, 'firewall', 'interfaces', 3, 'dhcp', 'dns'], four);
    expect((await lint(withRelease(yaml, series))).filter((d) => d.rule === 'opnsense/dhcp-dns-ignored')).toHaveLength(1);
    const { sections, privateKey } = await releaseSections(yaml, series);
    const conf = await validDnsmasqConf(series, `dhcp-dns-four-${series}`, mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }));
    expect(conf.match(/^dhcp-option=.*,6,.*$/gm)?.filter((l) => l.endsWith(`,6,${four.join(',')}`))).toHaveLength(1);
  });

  // The box's option 6 for its tagged clients on the interface of gen's DHCP network is another dnsmasq line than gen's
  // (item-keys.ts): after the merge the model takes both, and OPNsense's template writes both, the tagged one with its tag.
  it.each(RELEASES)("%s: the box's tagged DNS option stays beside gen's, and dnsmasq.conf from OPNsense's template writes both", async (series) => {
    const yaml = edit(CASES.find((c) => c.name === 'scenario B')!.yaml(), ['sites', 0, 'firewall', 'interfaces', 3, 'dhcp', 'dns'], ['1.1.1.1', '9.9.9.9']);
    const { sections, privateKey } = await releaseSections(yaml, series);
    const first = mergeConfig(base(series), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
    const ours = /<dhcp_options uuid="[^"]+">(?:(?!<\/dhcp_options>)[\s\S])*?<value>1\.1\.1\.1,9\.9\.9\.9<\/value>[\s\S]*?<\/dhcp_options>/.exec(first)?.[0];
    const iface = /<interface>([^<]+)<\/interface>/.exec(ours ?? '')?.[1];
    expect(iface).toMatch(/^(lan|opt\d+)$/);
    const tag = 'c1c1c1c1-0000-4000-8000-0000000000a1';
    const box =
      `<dhcp_tags uuid="${tag}"><tag>printers</tag></dhcp_tags>` +
      `<dhcp_options uuid="c1c1c1c1-0000-4000-8000-0000000000b1"><type>set</type><option>6</option><option6/><interface>${iface}</interface><tag>${tag}</tag><set_tag/><value>8.8.8.8</value><force>0</force><description/></dhcp_options>`;
    const tagged = base(series).replace(/(<dnsmasq[^>]*>[\s\S]*?)(<\/dnsmasq>)/, (_, head, end) => head + box + end);
    expect(tagged).not.toBe(base(series));
    const conf = await validDnsmasqConf(series, `dhcp-dns-tagged-${series}`, mergeConfig(tagged, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }));
    const sixes = conf.match(/^dhcp-option=.*,6,.*$/gm) ?? [];
    // dnsmasq's tag names lose the UUID's dashes (the template); the device is the interface's.
    const device = new RegExp(`^dhcp-option=tag:${tag.replace(/-/g, '')},tag:([^,]+),6,8\\.8\\.8\\.8$`).exec(sixes.find((l) => l.endsWith(',6,8.8.8.8')) ?? '')?.[1];
    expect(device).toBeDefined();
    expect(sixes.filter((l) => l === `dhcp-option=tag:${device},6,1.1.1.1,9.9.9.9`)).toHaveLength(1);
  });

  // A box installed at 25.1 or earlier got the dnsmasq model from a migration: disabled, with an empty <port/>,
  // which OPNsense reads as 53 (Dnsmasq.php) and its template leaves out, so dnsmasq would take Unbound's port,
  // fail to bind and serve no DHCP. The factory config of 25.7 on has <port>0</port>.
  it.each(RELEASES)("%s: dnsmasq.conf from OPNsense's template keeps the base's DNS port, never an empty one (53, Unbound's), and serves each DHCP range", async (series) => {
    const scenario = CASES.find((c) => c.name === 'scenario B')!;
    const { sections, privateKey } = await releaseSections(scenario.yaml(), series);
    const factory = base(series);
    const factoryPort = /<dnsmasq[^>]*>\s*<enable>1<\/enable>\s*<port>(\d+)<\/port>/.exec(factory)![1]!;
    const upgraded = factory.replace(/(<dnsmasq[^>]*>\s*)<enable>1<\/enable>(\s*)<port>\d+<\/port>/, '$1<enable>0</enable>$2<port/>');
    for (const [kind, config, port] of [['factory', factory, factoryPort], ['migrated', upgraded, '0']] as const) {
      const work = join(dir, `dnsmasq-${series}-${kind}`);
      mkdirSync(work, { recursive: true });
      const file = join(work, 'config.xml');
      writeFileSync(file, mergeConfig(config, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX }), { mode: 0o600 });
      const out = join(work, 'root');
      const r = await renderTemplate(join(cache, tagOf(series), 'root'), file, out, 'OPNsense.Dnsmasq');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const conf = readFileSync(join(out, 'usr/local/etc/dnsmasq.conf'), 'utf8');
      expect(conf.match(/^port=.*$/gm), kind).toEqual([`port=${port}`]);
      expect(conf.match(/^dhcp-range=.*$/gm)?.length, kind).toBeGreaterThanOrEqual(3);
    }
  });

  it.each(RELEASES)("%s: the MSS the IPsec steps give the tunnel interface clamps TCP to AWS's 1379 in pf", async (series) => {
    const note = (await render(siteToSite())).get('home/opnsense/ipsec-steps.md')!;
    const mss = /assign the new device ipsec1 .*?set MSS to `(\d+)`/.exec(note)?.[1];
    expect(mss).toBeDefined();
    // interfaces.php refuses an MSS below 576.
    expect(Number(mss)).toBeGreaterThanOrEqual(576);
    // Step 4 done on the box: the VTI device assigned, enabled, with that MSS.
    const assigned = `<opt9>\n      <if>ipsec1</if>\n      <descr>AWS1</descr>\n      <enable>1</enable>\n      <mss>${mss}</mss>\n    </opt9>\n  </interfaces>`;
    const file = join(dir, `${series}-ipsec-mss.xml`);
    writeFileSync(file, base(series).replace('</interfaces>', assigned), { mode: 0o600 });
    const run = runTool(file, tagOf(series), { validate: false });
    expect(run.stdout).not.toMatch(/ruleset FAILED/);
    // The TCP clamp of the configurations AWS generates for its customer gateways: ip tcp adjust-mss 1379.
    expect(run.ruleset.map((l) => l.replace(/\s+/g, ' ').trim())).toContain('scrub on ipsec1 inet all max-mss 1379');
  });
});
