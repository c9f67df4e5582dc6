// The firewall's verification script (out/<site>/verify/firewall-*.sh):
// shellcheck in POSIX mode, then runs under dash, posh, busybox sh and bash
// --posix, with onetrue awk (FreeBSD's awk), mawk and busybox awk, against
// the outputs of ifconfig, wg, sockstat, pfctl, route, pluginctl and
// openssl as FreeBSD and OPNsense print them (./firewall-box.ts). On the box
// the topology describes every check passes; each injected drift fails the
// check that names it, with the file:line of the declaration.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../src/render/index.js';
import { edit, lineOfText, modelOf, readExample, root } from '../helpers.js';
import { hasCommand, missing } from '../system-tools.js';
import { expectedRules } from '../../src/render/verify/firewall-rules.js';
import { SHOWN_ITEMS } from '../../src/render/verify/script.js';
import { asLoaded, certificate, healthyFirewall, standInBox } from './firewall-box.js';
import { kernelUdp, listening, sockstat } from './freebsd.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const text = readExample('homelab');
const model = await modelOf(text);
const site = model.sites[0]!;
const script = renderAll(model).get('home/verify/firewall-opnsense.sh')!;
const work = tempDir('gen-verify-fw-');
const scriptFile = join(work, 'firewall-opnsense.sh');
writeFileSync(scriptFile, script);

const certNames = ['*.example.com'];
const goodCert = hasCommand('openssl') ? certificate(work, certNames, 90) : '';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

let boxes = 0;
function run(files: Map<string, string>, options: { shell?: string[]; awk?: string; args?: string[]; script?: string } = {}): Run {
  const dir = join(work, `box-${boxes++}`);
  const tools: Record<string, string> = {};
  if (options.awk) tools.awk = options.awk;
  if (options.shell?.[0] === 'busybox') for (const applet of ['awk', 'sed', 'tr', 'sort', 'cat']) tools[applet] = '/usr/bin/busybox';
  const { bin, fixtures } = standInBox(dir, new Map([['cert.pem', goodCert], ...files]), tools);
  const shell = options.shell ?? ['dash'];
  const r = spawnSync(shell[0]!, [...shell.slice(1), options.script ?? scriptFile, '--rules-debug', join(fixtures, 'rules.debug'), ...(options.args ?? [])], {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, FIXTURES: fixtures, REAL_OPENSSL: '/usr/bin/openssl' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function healthy(): Map<string, string> {
  return healthyFirewall(model, site);
}

function failures(r: Run): string[] {
  return r.stdout.split('\n').filter((l) => l.startsWith('✗'));
}

const line = (needle: string, after?: string) => `topology.yaml:${lineOfText(text, needle, after ? { after } : {})}`;
const why = missing(['dash', 'posh', 'busybox', 'shellcheck', 'original-awk', 'mawk', 'openssl', 'prove'], false);

describe.skipIf(why)(`firewall verification script${why ? ` (skipped: ${why})` : ''}`, () => {
  it('passes shellcheck as a POSIX sh script', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', scriptFile], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const shells: [string, string[], string | undefined][] = [
    ['dash with onetrue awk', ['dash'], '/usr/bin/original-awk'],
    ['posh with mawk', ['posh'], '/usr/bin/mawk'],
    ['busybox sh with busybox awk', ['busybox', 'sh'], undefined],
    ['bash --posix', ['bash', '--posix'], '/usr/bin/original-awk'],
  ];
  for (const [label, shell, awk] of shells) {
    it(`${label}: every check passes on the box the topology describes`, () => {
      const r = run(healthy(), { shell, awk });
      expect(failures(r), r.stdout + r.stderr).toEqual([]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^firewall opnsense \(site home\): what topology.yaml expects\n/);
      expect(r.stdout).toMatch(/\nall \d+ checks pass\n$/);
      expect(r.status).toBe(0);
    });
  }

  it('names each check with what the topology expects and where it says so', () => {
    const out = run(healthy()).stdout;
    const wg0 = line('- name: wg0');
    expect(out).toContain(`✓ WireGuard wg0 (wg0) is up with 10.0.1.1/24, MTU 1420 (${wg0})`);
    expect(out).toContain(`✓ wg0 listens on UDP port 51820 (${wg0})`);
    expect(out).toContain(`✓ wg0 has exactly the 2 enabled peers, each with its own address (${wg0})`);
    expect(out).toContain(`✓ OPT2 (wireguard) is enabled (${line('- name: wireguard', 'interfaces:')})`);
    expect(out).toContain(`✓ outbound NAT mode is automatic (${line('nat:', 'firewall:')})`);
    expect(out).toContain(`loaded as written: gen: policy rule vpn-to-management (${line('name: vpn-to-management')})`);
    expect(out).toContain(`✓ TCP MSS clamp 1380 (IPv4 from 0.0.0.0/1) on wireguard for the MTU 1420 of wg0 is loaded (${wg0})`);
    expect(out).toContain(`✓ HAProxy frontend https listens on 0.0.0.0:443 (${line('- name: https')})`);
    expect(out).toMatch(/✓ the certificate wildcard served on 0\.0\.0\.0:443 names \*\.example\.com and stays valid 14 more days \(topology\.yaml:\d+\)/);
    // One line per compiled rule: every rule gen writes is checked.
    expect(out.match(/^✓ rule [0-9a-f]{8} loaded as written: /gm)).toHaveLength(10);
  });

  it('a peer missing from the running instance', () => {
    const files = healthy();
    const [first, ...rest] = files.get('wg/wg0.allowed-ips')!.trimEnd().split('\n');
    files.set('wg/wg0.allowed-ips', `${rest.join('\n')}\n`);
    const r = run(files);
    expect(r.status).toBe(1);
    expect(failures(r)).toEqual([
      `✗ wg0 has exactly the 2 enabled peers, each with its own address (${line('- name: wg0')}): missing mac-workstation (${line('name: mac-workstation')}) ${first!.split('\t')[0]}`,
    ]);
  });

  // A restore that did not take leaves the instance without the topology's peers: with 100,000 of them the check listed
  // every one, a line of megabytes that awk took minutes to build. The awk program as the script holds it, on data of many peers.
  describe(`many peers wrong: ${SHOWN_ITEMS} named of each kind, the others counted`, () => {
    const peersCheck = script.slice(script.indexOf('peers_check() {'), script.indexOf('\n}\n', script.indexOf('peers_check() {')) + 3);
    const peers = 5000;
    const key = (i: number) => `${String(i).padStart(42, 'k')}A=`;
    const declared = Array.from({ length: peers }, (_, i) => `${key(i)}\tpeer-${i}\ttopology.yaml:${i + 1}\t10.200.${i >> 8}.${i & 255}/32\n`).join('');
    // Running: the first 4,000 peers, the last 1,000 of them at another address; 2,000 peers the topology does not have.
    const running = [
      ...Array.from({ length: 4000 }, (_, i) => `${key(i)}\t${i < 3000 ? `10.200.${i >> 8}.${i & 255}` : '10.99.0.1'}/32\n`),
      ...Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(42, 'x')}A=\t10.98.${i >> 8}.${i & 255}/32\n`),
    ].join('');
    const names = (from: number, count: number, text: (i: number) => string) => Array.from({ length: count }, (_, i) => text(from + i)).join(', ');
    const expected =
      `fail\twhat\twhere\tmissing ${names(4000, SHOWN_ITEMS, (i) => `peer-${i} (topology.yaml:${i + 1}) ${key(i)}`)}, and ${1000 - SHOWN_ITEMS} more` +
      `; extra ${names(0, SHOWN_ITEMS, (i) => `${String(i).padStart(42, 'x')}A= (10.98.0.${i}/32)`)}, and ${2000 - SHOWN_ITEMS} more` +
      `; allowed IPs: ${names(3000, SHOWN_ITEMS, (i) => `peer-${i} (topology.yaml:${i + 1}) has 10.99.0.1/32, not 10.200.${i >> 8}.${i & 255}/32`)}, and ${1000 - SHOWN_ITEMS} more\n`;
    it.each([
      ['onetrue awk', '/usr/bin/original-awk'],
      ['mawk', '/usr/bin/mawk'],
      ['busybox awk', '/usr/bin/busybox awk'],
    ])('%s', (_name, awk) => {
      const dir = tempDir('gen-verify-peers-');
      writeFileSync(join(dir, 'declared'), declared);
      writeFileSync(join(dir, 'running'), running);
      const program = [
        `awk() { ${awk} "$@"; }`,
        `wg() { cat '${join(dir, 'running')}'; }`,
        "pass() { printf 'ok\\t%s\\t%s\\t\\n' \"$1\" \"$2\"; }",
        "fail() { printf 'fail\\t%s\\t%s\\t%s\\n' \"$1\" \"$2\" \"$3\"; }",
        peersCheck,
        `peers_check what where wg0 < '${join(dir, 'declared')}'`,
      ].join('\n');
      const r = spawnSync('dash', ['-c', program], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(expected);
    });
  });

  it('an extra peer on the running instance (the disabled one, added by hand)', () => {
    const files = healthy();
    const disabled = site.wireguard[0]!.peers.find((p) => !p.enabled)!;
    files.set('wg/wg0.allowed-ips', `${files.get('wg/wg0.allowed-ips')}${disabled.publicKey}\t${disabled.address}/32\n`);
    const r = run(files);
    expect(failures(r)).toEqual([`✗ wg0 has exactly the 2 enabled peers, each with its own address (${line('- name: wg0')}): extra ${disabled.publicKey} (${disabled.address}/32)`]);
    expect(r.status).toBe(1);
  });

  it('the instance on another port', () => {
    const files = healthy();
    files.set('wg/wg0.listen-port', '51821\n');
    files.set('sockstat', sockstat([kernelUdp(51821), listening('haproxy', 3, 9, 'tcp4', '*:443'), listening('haproxy', 3, 10, 'tcp4', '*:80')]));
    const r = run(files);
    expect(failures(r)).toEqual([`✗ wg0 listens on UDP port 51820 (${line('- name: wg0')}): wg show wg0 listen-port: 51821; sockstat -l: no UDP socket on port 51820`]);
  });

  it('the tunnel down, with another MTU and out of its group', () => {
    const files = healthy();
    files.set('ifconfig/wg0', files.get('ifconfig/wg0')!.replace('flags=10080c1<UP,RUNNING,', 'flags=1008080<').replace('mtu 1420', 'mtu 1400').replace('groups: wg wireguard', 'groups: wg'));
    const out = failures(run(files));
    expect(out).toContain(`✗ WireGuard wg0 (wg0) is up with 10.0.1.1/24, MTU 1420 (${line('- name: wg0')}): down (flags NOARP MULTICAST LOWER_UP); MTU 1400, not 1420`);
    expect(out).toContain(`✗ wg0 is in the interface group wireguard (rules on the WireGuard group apply to it) (${line('- name: wg0')}): groups of wg0: wg`);
  });

  it('a rule missing from the box, one OPNsense commented out, one changed in the GUI', () => {
    const files = healthy();
    const debug = files.get('rules.debug')!.split('\n');
    const loaded = files.get('pfctl-sr')!.split('\n');
    const rule = (name: string) => debug.find((l) => l.includes(`# gen: policy rule ${name}`))!;
    // (A legacy rule's label is an MD5, an MVC rule's its uuid.)
    const label = (l: string) => /label "([0-9a-f-]+)"/.exec(l)![1]!;
    const drop = (labels: string[]) => loaded.filter((l) => !labels.some((x) => l.includes(x)));
    const gone = rule('vpn-to-vpn');
    const commented = rule('vpn-to-service');
    const changed = rule('management-out');
    const newLabel = '0123456789abcdef0123456789abcdef';
    files.set(
      'rules.debug',
      debug
        .filter((l) => l !== gone)
        .map((l) => (l === commented ? `#debug:Interface opt9 not found\n#${l}` : l === changed ? l.replace(label(l), newLabel) : l))
        .join('\n'),
    );
    files.set('pfctl-sr', [...drop([label(gone), label(commented), label(changed)]), asLoaded(changed.replace(label(changed), newLabel))].join('\n'));
    const out = failures(run(files));
    expect(out).toEqual([
      expect.stringMatching(new RegExp(`^✗ rule ${label(commented).slice(0, 8)} loaded as written: gen: policy rule vpn-to-service \\(${line('name: vpn-to-service')}\\): OPNsense compiled it commented out \\(Interface opt9 not found\\) in .*rules.debug$`)),
      `✗ rule ${label(gone).slice(0, 8)} loaded as written: gen: policy rule vpn-to-vpn (${line('name: vpn-to-vpn')}): not in the configuration: restore the merged configuration (gen opnsense merge)`,
      `✗ rule ${label(changed).slice(0, 8)} loaded as written: gen: policy rule management-out (${line('name: management-out')}): not loaded: the box has a rule with this description under label ${newLabel}, so it differs from what gen wrote (changed on the box?)`,
    ]);
  });

  it('a rule edited on the box under gen\'s label (an MVC rule keeps its uuid): another port, another source', () => {
    const files = healthy();
    const rules = expectedRules(model, site);
    const https = rules.find((r) => r.pf.some((t) => t.includes('port = 443')))!;
    const out = rules.find((r) => r.description === 'gen: policy rule management-out')!;
    // What pf prints for the edited rules: same label, another port; another source network.
    const edit = (text: string) => text.replace(' port = 443 ', ' port = 8443 ').replace('from (vtnet1:network) ', 'from 10.9.9.0/24 ');
    const loaded = files.get('pfctl-sr')!.split('\n');
    const ours = (l: string) => l.includes(`label "${https.label}"`) || l.includes(`label "${out.label}"`);
    expect(loaded.filter(ours)).toHaveLength(2);
    files.set('pfctl-sr', loaded.map((l) => (ours(l) ? edit(l) : l)).join('\n'));
    const failed = failures(run(files));
    expect(failed).toEqual([
      `✗ rule ${https.label.slice(0, 8)} loaded as written: gen: HAProxy frontend https (${line('- name: https')}): changed on the box: pf has "port = 8443" where gen wrote "port = 443" (${edit(https.pf[0]!)})`,
      `✗ rule ${out.label.slice(0, 8)} loaded as written: gen: policy rule management-out (${line('name: management-out')}): changed on the box: pf has "from 10.9.9.0/24" where gen wrote "from (vtnet1:network)" (${edit(out.pf[0]!)})`,
    ]);
    // reply-to is OPNsense's, from the interface's gateway of the moment: a rule that carries one is as written.
    files.set('pfctl-sr', loaded.map((l) => (l.includes(`label "${https.label}"`) ? l.replace(' on vtnet0 ', ' on vtnet0 reply-to (vtnet0 192.168.1.1) ') : l)).join('\n'));
    expect(failures(run(files))).toEqual([]);
  });

  // System › Settings › Firewall › Bind states to interface: OPNsense's ruleset says "set state-policy if-bound"
  // (filter.inc), pfctl gives every stateful rule without a policy of its own the option (parse.y default_statelock)
  // and prints it (print_rule(): "keep state (if-bound)"). Which packets a rule passes is the same: no rule has changed.
  it('a box that binds states to interfaces: its rules are loaded as written', () => {
    const files = healthy();
    const sr = files.get('pfctl-sr')!;
    const bound = sr.replace(/ keep state( label )/g, ' keep state (if-bound)$1');
    const ours = expectedRules(model, site);
    const boundOurs = bound.split('\n').filter((l) => / keep state \(if-bound\) label /.test(l) && ours.some((r) => l.includes(`label "${r.label}"`)));
    expect(boundOurs).toHaveLength(ours.flatMap((r) => r.pf).filter((t) => t.endsWith(' keep state')).length);
    files.set('pfctl-sr', bound);
    const r = run(files);
    expect(failures(r)).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('a rule pf makes two of (tcp/udp) must be loaded as both', async () => {
    const variant = await modelOf(edit(text, ['sites', 0, 'policy', 'rules', 0, 'proto'], 'tcp/udp'));
    const vsite = variant.sites[0]!;
    const rule = expectedRules(variant, vsite).find((r) => r.pf.length === 2)!;
    expect(rule.pf.map((t) => / proto (\w+) /.exec(t)![1])).toEqual(['tcp', 'udp']);
    expect(rule.pf[0]).toContain(' flags S/SA keep state');
    expect(rule.pf[1]).not.toContain(' flags ');
    const file = join(work, 'tcp-udp.sh');
    writeFileSync(file, renderAll(variant).get('home/verify/firewall-opnsense.sh')!);
    const box = new Map([['cert.pem', goodCert], ...healthyFirewall(variant, vsite)]);
    const runBox = (name: string) => {
      const { bin, fixtures } = standInBox(join(work, name), box);
      const r = spawnSync('dash', [file, '--rules-debug', join(fixtures, 'rules.debug')], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, FIXTURES: fixtures, REAL_OPENSSL: '/usr/bin/openssl' } });
      return r.stdout.split('\n').filter((l) => l.startsWith('✗'));
    };
    expect(runBox('tcp-udp-ok')).toEqual([]);
    box.set('pfctl-sr', box.get('pfctl-sr')!.split('\n').filter((l) => !(l.includes(rule.label) && l.includes(' proto udp '))).join('\n'));
    expect(runBox('tcp-udp-tcp-only')).toEqual([expect.stringMatching(new RegExp(`^✗ rule ${rule.label.slice(0, 8)} .*: changed on the box: not loaded: "${rule.pf[1]!.replace(/[()]/g, '\\$&')}"$`))]);
  });

  // The aliases gen wrote (aliases.xml), each with its entries, and where the first rule that names it is declared.
  const aliasXml = renderAll(model).get('home/opnsense/aliases.xml')!;
  const aliases = [...aliasXml.matchAll(/<name>([^<]+)<\/name>[\s\S]*?<content>([^<]*)<\/content>/g)].map((m) => ({ name: m[1]!, entries: m[2]!.split('\n') }));
  const aliasLine = (name: string) => `topology.yaml:${model.source!.lineOf(expectedRules(model, site).find((r) => r.origin && r.pf.some((t) => t.includes(`<${name}>`)))!.origin!.path)}`;
  const tableCheck = (name: string) => `alias ${name} (pf table <${name}>) holds ${aliases.find((a) => a.name === name)!.entries.join(', ')} (${aliasLine(name)})`;

  it('each alias gen wrote holds in its pf table the addresses gen wrote: order, whitespace and pf\'s own noise aside', () => {
    expect(aliases.map((a) => a.name)).toEqual(['gen_net_wireguard', 'gen_internal_networks']);
    const out = run(healthy()).stdout;
    for (const a of aliases) expect(out).toContain(`✓ ${tableCheck(a.name)}\n`);
    // Another order, tabs, CRLF, trailing blanks, a "/32" pf would not print, a warning that is not an entry: still the same set.
    const files = healthy();
    const internal = aliases.find((a) => a.name === 'gen_internal_networks')!.entries;
    files.set('pfctl-table/gen_internal_networks', `No ALTQ support in kernel\n${[...internal].reverse().map((e, i) => (i % 2 ? `\t${e}  \r\n` : `   ${e}\n`)).join('')}`);
    files.set('pfctl-table/gen_net_wireguard', '   10.0.1.0/24\n   10.0.1.0/24\n');
    expect(failures(run(files))).toEqual([]);
  });

  it('an alias edited on the box (Firewall ▸ Aliases) fails, naming the alias and the addresses missing and extra', () => {
    const files = healthy();
    // The GUI edit: one network replaced by another, and one negated.
    files.set('pfctl-table/gen_internal_networks', '   192.168.0.0/24\n   10.9.9.0/24\n  !10.0.1.0/24\n   10.0.0.0/24\n');
    expect(failures(run(files))).toEqual([`✗ ${tableCheck('gen_internal_networks')}: changed on the box: missing 10.0.1.0/24, 10.1.0.0/24; extra 10.9.9.0/24, !10.0.1.0/24`]);
    // An address more, as pf prints a host (no /32).
    files.set('pfctl-table/gen_internal_networks', `${files.get('pfctl-table/gen_internal_networks')!.replace(/.*!.*\n/, '   10.0.1.0/24\n   10.1.0.0/24\n')}   203.0.113.7\n`);
    expect(failures(run(files))).toEqual([`✗ ${tableCheck('gen_internal_networks')}: changed on the box: extra 10.9.9.0/24, 203.0.113.7`]);
  });

  it(`a table far from what it should hold names ${SHOWN_ITEMS} of the entries of each kind, and counts the others`, () => {
    const files = healthy();
    const extra = Array.from({ length: SHOWN_ITEMS + 5 }, (_, i) => `10.9.${i}.0/24`);
    files.set('pfctl-table/gen_internal_networks', extra.map((e) => `   ${e}\n`).join(''));
    expect(failures(run(files, { awk: '/usr/bin/original-awk' }))).toEqual([
      `✗ ${tableCheck('gen_internal_networks')}: changed on the box: missing ${aliases.find((a) => a.name === 'gen_internal_networks')!.entries.join(', ')}; extra ${extra.slice(0, SHOWN_ITEMS).join(', ')}, and 5 more`,
    ]);
  });

  it('an empty table (alias disabled, or not loaded yet) and a table pf does not have (alias deleted) fail, each saying which', () => {
    const files = healthy();
    files.set('pfctl-table/gen_net_wireguard', '');
    files.delete('pfctl-table/gen_internal_networks');
    expect(failures(run(files))).toEqual([
      `✗ ${tableCheck('gen_net_wireguard')}: the table is empty, not 10.0.1.0/24 (OPNsense fills it after a filter reload: configctl filter refresh_aliases)`,
      `✗ ${tableCheck('gen_internal_networks')}: pf has no table <gen_internal_networks> (OPNsense declares one for every alias: deleted on the box?): pfctl: Table does not exist.`,
    ]);
  });

  it('waits while OPNsense still loads alias tables after a filter reload (update_tables.py runs in the background)', () => {
    const files = healthy();
    files.set('update-tables-runs', '2\n');
    const started = Date.now();
    expect(failures(run(files))).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it('the MSS clamp commented out because WireGuard is disabled', () => {
    const files = healthy();
    files.set('rules.debug', files.get('rules.debug')!.replace(/^scrub on wireguard /gm, '#scrub on  '));
    files.set('pfctl-sr', files.get('pfctl-sr')!.replace(/^scrub on wireguard .*\n/gm, ''));
    files.set('config/OPNsense.wireguard.general.enabled', '0\n');
    const out = failures(run(files));
    expect(out[0]).toBe(`✗ WireGuard is enabled (VPN ▸ WireGuard ▸ Instances: Enable WireGuard) (${line('- name: wg0')}): OPNsense.wireguard.general.enabled is "0"`);
    expect(out.slice(1)).toHaveLength(4);
    for (const l of out.slice(1)) expect(l).toMatch(/^✗ TCP MSS clamp 13[68]0 .*: OPNsense compiled it commented out \(its interface is unknown: is WireGuard enabled\?\)$/);
  });

  it('outbound NAT, an interface left disabled, HAProxy pushed off its port by the web GUI', () => {
    const files = healthy();
    files.set('config/nat.outbound.mode', 'hybrid\n');
    files.set('config/interfaces.opt2.enable', '');
    files.set('sockstat', sockstat([kernelUdp(51820), listening('lighttpd', 9102, 7, 'tcp4', '*:443'), listening('haproxy', 3, 10, 'tcp4', '*:80')]));
    const out = failures(run(files));
    expect(out).toEqual([
      `✗ OPT2 (wireguard) is enabled (${line('- name: wireguard', 'interfaces:')}): interfaces.opt2.enable is ""`,
      `✗ outbound NAT mode is automatic (${line('nat:', 'firewall:')}): nat.outbound.mode is "hybrid"`,
      `✗ HAProxy frontend https listens on 0.0.0.0:443 (${line('- name: https')}): port 443 is held by lighttpd`,
    ]);
  });

  it('a box whose NAT settings were never saved (no mode) runs automatic outbound NAT, as OPNsense reads it', () => {
    const files = healthy();
    files.set('config/nat.outbound.mode', '');
    expect(failures(run(files))).toEqual([]);
    files.set('config/nat.outbound.mode', 'disabled\n');
    expect(failures(run(files))).toEqual([`✗ outbound NAT mode is automatic (${line('nat:', 'firewall:')}): nat.outbound.mode is "disabled"`]);
  });

  // OPNsense's anti-lockout rule is off while <system><webgui><noantilockout> exists (filter.lib.inc, 26.7.2); gen
  // leaves the switch to steps.md. A box where that step was skipped passes what the policy denies.
  it("the anti-lockout rule as the topology says: on by default, off where steps.md has it disabled", async () => {
    const where = `topology.yaml:${lineOfText(text, 'firewall:')}`;
    const files = healthy();
    expect(failures(run(files))).toEqual([]);
    // pluginctl prints nothing for a path the config lacks (read_config_prop): neither on nor off, not a pass.
    const unread = new Map(files);
    unread.delete('config/system.webgui');
    expect(failures(run(unread))).toEqual([expect.stringMatching(/^✗ OPNsense's anti-lockout rule is on .*: pluginctl -g system\.webgui: no output$/)]);
    files.set('config/system.webgui', `${JSON.stringify({ protocol: 'https', noantilockout: '1' }, null, 4)}\n`);
    expect(failures(run(files))).toEqual([expect.stringMatching(new RegExp(`^✗ OPNsense's anti-lockout rule is on \\(TCP [0-9, ]+ to the firewall\\), as the policy checks count it \\(${where}\\): it is off: system\\.webgui\\.noantilockout is set$`))]);

    const familyText = readExample('homelab-family');
    const family = await modelOf(familyText);
    const familyScript = join(work, 'firewall-family.sh');
    writeFileSync(familyScript, renderAll(family).get('home/verify/firewall-opnsense.sh')!);
    const box = healthyFirewall(family, family.sites[0]!);
    const declared = `topology.yaml:${lineOfText(familyText, 'anti_lockout:')}`;
    const check = (r: Run) => r.stdout.split('\n').filter((l) => l.includes("OPNsense's anti-lockout rule"));
    expect(check(run(box, { script: familyScript }))).toEqual([`✓ OPNsense's anti-lockout rule is off (Firewall › Settings › Advanced › Disable anti-lockout, a step of steps.md) (${declared})`]);
    box.set('config/system.webgui', `${JSON.stringify({ protocol: 'https', port: '8443' }, null, 4)}\n`);
    expect(check(run(box, { script: familyScript }))).toEqual([`✗ OPNsense's anti-lockout rule is off (Firewall › Settings › Advanced › Disable anti-lockout, a step of steps.md) (${declared}): it is on: system.webgui has no noantilockout`]);
  });

  it('a certificate that expires within the days asked for, or names another domain', () => {
    const soon = certificate(work, certNames, 5);
    let out = failures(run(new Map([...healthy(), ['cert.pem', soon]])));
    expect(out).toEqual([expect.stringMatching(/^✗ the certificate wildcard .* stays valid 14 more days \(topology\.yaml:\d+\): expires .* GMT, within 14 days$/)]);
    expect(failures(run(new Map([...healthy(), ['cert.pem', soon]]), { args: ['--days', '3'] }))).toEqual([]);
    out = failures(run(new Map([...healthy(), ['cert.pem', certificate(work, ['other.example.org'], 30)]])));
    expect(out).toEqual([expect.stringMatching(/: does not name \*\.example\.com \(names: other\.example\.org \)$/)]);
  });

  it('--json is one JSON document, --tap is TAP version 13; both carry the same verdicts', () => {
    const files = healthy();
    files.set('wg/wg0.listen-port', '51821\n');
    const json = run(files, { args: ['--json'] });
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { box: string; ok: boolean; passed: number; failed: number; checks: { ok: boolean; check: string; declared: string; found: string }[] };
    expect(doc).toMatchObject({ box: 'firewall opnsense', ok: false, failed: 1 });
    expect(doc.checks.find((c) => !c.ok)).toEqual({ ok: false, check: 'wg0 listens on UDP port 51820', declared: line('- name: wg0'), found: 'wg show wg0 listen-port: 51821' });
    const tap = run(files, { args: ['--tap'] });
    expect(tap.status).toBe(1);
    const lines = tap.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('TAP version 13');
    expect(lines.at(-1)).toBe(`1..${doc.checks.length}`);
    expect(lines.filter((l) => l.startsWith('not ok '))).toEqual([expect.stringMatching(/^not ok \d+ - wg0 listens on UDP port 51820 \(topology\.yaml:\d+\)$/)]);
  });

  it('--tap escapes # in a description: a failed check stays failed for TAP consumers, never a TODO or SKIP', async () => {
    // TAP 13: a test line's description ends at an unescaped #, and "# TODO" or "# SKIP" after it is a directive.
    const description = 'peers reach each other # TODO drop \\# # skip it';
    const variant = await modelOf(edit(text, ['sites', 0, 'policy', 'rules', 0, 'description'], description));
    const file = join(work, 'tap.sh');
    writeFileSync(file, renderAll(variant).get('home/verify/firewall-opnsense.sh')!);
    const dir = join(work, 'tap-box');
    const box = new Map([['cert.pem', goodCert], ...healthyFirewall(variant, variant.sites[0]!)]);
    // The rule of that description is missing from what pf loaded: its check fails.
    const ruleLine = box.get('rules.debug')!.split('\n').find((l) => l.includes(description))!;
    const ruleLabel = /label "([0-9a-f-]+)"/.exec(ruleLine)![1]!;
    box.set('pfctl-sr', box.get('pfctl-sr')!.split('\n').filter((l) => !l.includes(ruleLabel)).join('\n'));
    const { bin, fixtures } = standInBox(dir, box);
    const r = spawnSync('dash', [file, '--tap', '--rules-debug', join(fixtures, 'rules.debug')], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, FIXTURES: fixtures, REAL_OPENSSL: '/usr/bin/openssl' } });
    expect(r.status).toBe(1);
    const failed = r.stdout.split('\n').filter((l) => l.startsWith('not ok '));
    expect(failed).toEqual([expect.stringContaining('peers reach each other \\# TODO drop \\\\\\# \\# skip it')]);
    for (const line of r.stdout.split('\n').filter((l) => /^(not )?ok /.test(l))) {
      // No directive: every # is escaped, and unescaping gives the description back.
      expect(line.replace(/\\[\\#]/g, ''), line).not.toContain('#');
    }
    // What a TAP consumer makes of it: Perl's TAP::Parser (prove's) counts the check failed, not a TODO or a skip.
    const parsed = spawnSync('perl', ['-MTAP::Parser', '-e', 'my $p = TAP::Parser->new({ tap => do { local $/; <STDIN> } }); $p->run; print join(",", scalar($p->failed), scalar($p->todo), scalar($p->skipped), $p->has_problems ? 1 : 0), "\\n"'], { input: r.stdout, encoding: 'utf8' });
    expect(parsed.stdout).toBe('1,0,0,1\n');
  });

  it('a description with quotes, substitutions and format directives is printed as written, never run', async () => {
    const hostile = `it's "$(touch ${work}/pwned)" \`touch ${work}/pwned\` %s %n \\ ; done`;
    const variant = await modelOf(edit(text, ['sites', 0, 'policy', 'rules', 0, 'description'], hostile));
    const variantScript = renderAll(variant).get('home/verify/firewall-opnsense.sh')!;
    const file = join(work, 'hostile.sh');
    writeFileSync(file, variantScript);
    const dir = join(work, 'hostile-box');
    const { bin, fixtures } = standInBox(dir, new Map([['cert.pem', goodCert], ...healthyFirewall(variant, variant.sites[0]!)]));
    const r = spawnSync('dash', [file, '--rules-debug', join(fixtures, 'rules.debug')], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, FIXTURES: fixtures, REAL_OPENSSL: '/usr/bin/openssl' } });
    expect(r.stdout).toContain(`loaded as written: gen: policy rule vpn-to-management: ${hostile} (`);
    expect(r.status, r.stdout).toBe(0);
    expect(existsSync(join(work, 'pwned'))).toBe(false);
    const json = spawnSync('dash', [file, '--json', '--rules-debug', join(fixtures, 'rules.debug')], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, FIXTURES: fixtures, REAL_OPENSSL: '/usr/bin/openssl' } });
    const doc = JSON.parse(json.stdout) as { checks: { check: string }[] };
    expect(doc.checks.map((c) => c.check)).toContainEqual(expect.stringContaining(`gen: policy rule vpn-to-management: ${hostile}`));
    expect(spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' }).stdout).toBe('');
  });

  // wg show DEV latest-handshakes (wireguard-tools show.c): key TAB seconds since the epoch, 0 when the peer never
  // made one since the device came up. A peer silent for 90 days, or never seen, is named in a note, not a failure.
  describe('peers not seen for 90 days', () => {
    const wg = site.wireguard[0]!;
    const linked = wg.peers.filter((p) => p.enabled && p.publicKey !== undefined);
    const now = Math.floor(Date.now() / 1000);
    const stale = () => {
      const files = healthy();
      const at = [now - 120 * 86400, 0];
      files.set('wg/wg0.latest-handshakes', linked.map((p, i) => `${p.publicKey}\t${at[i] ?? now - 60}\n`).join(''));
      return files;
    };
    const notes = (r: Run) => r.stdout.split('\n').filter((l) => l.startsWith('\u2139'));
    const expected = `\u2139 peers of wg0 not seen for 90 days (a note, not a failure) (${line('- name: wg0')}): last handshake 90 or more days ago: ${linked[0]!.name} (120 days ago); no handshake since the device came up: ${linked[1]!.name}; take one out of the tunnel with gen wg disable NAME --instance wg0`;

    for (const [label, shell, awk] of shells) {
      it(`${label}: named in a note; every check still passes`, () => {
        expect(linked).toHaveLength(2);
        const r = run(stale(), { shell, awk });
        expect(failures(r), r.stdout + r.stderr).toEqual([]);
        expect(notes(r)).toEqual([expected]);
        expect(r.stdout).toMatch(/\nall \d+ checks pass\n$/);
        expect(r.status).toBe(0);
      });
    }

    it('no note when every peer was seen within 90 days, or wg cannot say', () => {
      expect(notes(run(healthy()))).toEqual([]);
      const files = stale();
      files.delete('wg/wg0.latest-handshakes');
      expect(notes(run(files))).toEqual([]);
    });

    it("idle_peer_days sets the age: a peer silent for longer is named, one seen since is not, the default 90 names neither", async () => {
      // Seen 45 and 20 days ago: the instance's own setting decides, not a fixed 90 days.
      const seen = new Map(healthy());
      seen.set('wg/wg0.latest-handshakes', `${linked[0]!.publicKey}\t${now - 45 * 86400}\n${linked[1]!.publicKey}\t${now - 20 * 86400}\n`);
      expect(notes(run(seen))).toEqual([]);
      for (const days of [30, 44]) {
        const edited = edit(text, ['sites', 0, 'wireguard', 0, 'idle_peer_days'], days);
        const variant = await modelOf(edited);
        const file = join(work, `idle-${days}.sh`);
        writeFileSync(file, renderAll(variant).get('home/verify/firewall-opnsense.sh')!);
        const r = run(seen, { script: file });
        expect(failures(r), r.stdout + r.stderr).toEqual([]);
        expect(notes(r)).toEqual([
          `\u2139 peers of wg0 not seen for ${days} days (a note, not a failure) (topology.yaml:${lineOfText(edited, '- name: wg0')}): last handshake ${days} or more days ago: ${linked[0]!.name} (45 days ago); take one out of the tunnel with gen wg disable NAME --instance wg0`,
        ]);
      }
      // A setting above every peer's silence names none.
      const variant = await modelOf(edit(text, ['sites', 0, 'wireguard', 0, 'idle_peer_days'], 46));
      const file = join(work, 'idle-46.sh');
      writeFileSync(file, renderAll(variant).get('home/verify/firewall-opnsense.sh')!);
      expect(notes(run(seen, { script: file }))).toEqual([]);
    });

    it('a setting out of range is refused at its line', async () => {
      for (const days of [0, 3651, 7.5]) {
        const bad = edit(text, ['sites', 0, 'wireguard', 0, 'idle_peer_days'], days);
        const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'lint', '-'], { input: bad, encoding: 'utf8' });
        expect([days, r.status]).toEqual([days, 1]);
        expect(r.stdout + r.stderr).toContain(`:${lineOfText(bad, 'idle_peer_days')}:`);
      }
    });

    it('--json lists it under notes, --tap as a comment; neither counts it', () => {
      const json = run(stale(), { args: ['--json'] });
      const doc = JSON.parse(json.stdout) as { ok: boolean; failed: number; checks: unknown[]; notes: { note: string; declared: string; found: string }[] };
      expect(doc).toMatchObject({ ok: true, failed: 0 });
      expect(doc.notes).toEqual([{ note: 'peers of wg0 not seen for 90 days (a note, not a failure)', declared: line('- name: wg0'), found: expected.slice(expected.indexOf('): ') + 3) }]);
      const tap = run(stale(), { args: ['--tap'] }).stdout.trimEnd().split('\n');
      expect(tap.filter((l) => l.startsWith('# note: '))).toEqual([`# note: ${expected.slice(2)}`]);
      expect(tap.at(-1)).toBe(`1..${doc.checks.length}`);
    });
  });

  it('refuses unknown options with exit status 2', () => {
    expect(run(healthy(), { args: ['--bogus'] }).status).toBe(2);
    expect(run(healthy(), { args: ['--days', 'x'] }).status).toBe(2);
  });
});

describe.skipIf(why)('docs/verify.md', () => {
  // The example output of "Reading the output": a box of the default topology
  // whose instance lost a peer and whose first MSS clamp OPNsense commented out.
  const example = /^## Reading the output\n\n```\n([\s\S]*?)```$/m.exec(readFileSync(join(root, 'docs/verify.md'), 'utf8'))![1]!.trimEnd().split('\n');

  it('shows lines the script prints for the default topology, and its count of checks', () => {
    expect(readFileSync(join(root, 'topology.yaml'), 'utf8')).toBe(text);
    const files = healthy();
    const [, ...rest] = files.get('wg/wg0.allowed-ips')!.trimEnd().split('\n');
    files.set('wg/wg0.allowed-ips', `${rest.join('\n')}\n`);
    files.set('rules.debug', files.get('rules.debug')!.replace(/^scrub on wireguard proto tcp from 0\.0\.0\.0\/1 /m, '#scrub on  proto tcp from 0.0.0.0/1 '));
    files.set('pfctl-sr', files.get('pfctl-sr')!.replace(/^scrub on wireguard inet proto tcp from 0\.0\.0\.0\/1 .*\n/m, ''));
    const printed = run(files).stdout.trimEnd().split('\n');
    expect(printed[0]).toBe(example[0]);
    for (const l of example.slice(1, -1)) expect(printed).toContain(l);
    const failed = printed.filter((l) => l.startsWith('✗'));
    expect(failed).toHaveLength(2);
    expect(example.at(-1)).toBe(printed.at(-1));
  });

  it('shows the keys, a check and the counts that --json prints for the default topology with one failed check', () => {
    const doc = readFileSync(join(root, 'docs/verify.md'), 'utf8');
    const sample = /^`--json` prints one document:\n\n```json\n([\s\S]*?)```$/m.exec(doc)![1]!;
    const files = healthy();
    const [, ...rest] = files.get('wg/wg0.allowed-ips')!.trimEnd().split('\n');
    files.set('wg/wg0.allowed-ips', `${rest.join('\n')}\n`);
    // The peer left in the instance has not shaken hands since the device came up (0): a note.
    files.set('wg/wg0.latest-handshakes', files.get('wg/wg0.latest-handshakes')!.replace(/\t\d+\n$/, '\t0\n'));
    const printed = JSON.parse(run(files, { args: ['--json'] }).stdout);
    const head = JSON.parse(`${/^\{[\s\S]*?(?="checks")/.exec(sample)![0]}"checks":[]}`);
    expect({ box: printed.box, site: printed.site, topology: printed.topology }).toEqual({ box: head.box, site: head.site, topology: head.topology });
    expect(printed.checks).toContainEqual(JSON.parse(/\{"ok":true,"check":[^}]*\}/.exec(sample)![0]));
    const counts = JSON.parse(`{${/"passed":\d+,"failed":\d+,"ok":(true|false)/.exec(sample)![0]}}`);
    expect({ passed: printed.passed, failed: printed.failed, ok: printed.ok }).toEqual(counts);
    const note = JSON.parse(/\{"note":[^}]*\}/.exec(sample)![0]);
    expect(printed.notes.map((n: { note: string; declared: string }) => ({ note: n.note, declared: n.declared }))).toEqual([{ note: note.note, declared: note.declared }]);
  });
});
