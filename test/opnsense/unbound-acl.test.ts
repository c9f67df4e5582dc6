// The box's Unbound access lists and the clients gen hands the firewall as
// DNS server. unboundAclRefusals() reads access_lists.conf's lines as Unbound
// does (the last line of a netblock counts, the most specific netblock
// decides); a real Unbound takes the same lines, and answers, refuses or
// drops each probe as the function says.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { type AclRefusal, unboundAclLines, unboundAclRefusals } from '../../src/opnsense/unbound-acl.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { formatIPv4, parseIPv4 } from '../../src/net.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { edit, readExample, root as repoRoot } from '../helpers.js';
import { hasCommand, missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { freeUdpPort } from '../free-udp-port.js';
import { UPSTREAM_RELEASES, factorySample, releaseSections, withBoxCa } from './support.js';
import { accessControls, accessFor } from './unbound-acl.js';
import { closeTemplateServers, renderTemplate } from './upstream-tools.js';

removeTempDirsAfterAll();
afterAll(closeTemplateServers);

const tools = join(repoRoot, 'test/tools/opnsense-php');
const env = { ...process.env, OPNSENSE_PHP_CACHE: process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php') };

type Acl = { name: string; action: string; networks: string; enabled?: string };

/** The <acls> of an Unbound model root. */
function aclsXml(defaultAction: string, lists: readonly Acl[]): string {
  const items = lists
    .map((l, i) => `<acl uuid="11111111-2222-4333-8444-a0000000000${i}"><enabled>${l.enabled ?? '1'}</enabled><name>${l.name}</name><action>${l.action}</action><networks>${l.networks}</networks><description/></acl>`)
    .join('');
  return `<acls><default_action>${defaultAction}</default_action>${items}</acls>`;
}

/** A config whose Unbound (enabled, on every address) has these access lists. */
function rootWith(defaultAction: string, lists: readonly Acl[]) {
  return parseXml(`<?xml version="1.0"?>\n<opnsense><OPNsense><unboundplus version="1.0.15"><general><enabled>1</enabled></general>${aclsXml(defaultAction, lists)}</unboundplus></OPNsense></opnsense>\n`).root;
}

const range = (from: string, to: string) => [parseIPv4(from)!, parseIPv4(to)!] as const;
const shown = (refusals: AclRefusal[]) => refusals.map((r) => `${formatIPv4(r.range[0])}-${formatIPv4(r.range[1])} ${r.action}${r.list ? ` ${r.list}` : ''}`);

describe("the box's Unbound access lists", () => {
  const tunnel = range('10.10.99.0', '10.10.99.255');
  it('takes the most specific netblock, the last line of one, and enabled lists only', () => {
    expect(unboundAclRefusals(unboundAclLines(rootWith('allow', [])), tunnel)).toEqual([]);
    // No access lists at all (a root without the model's acls): allow, the model's default.
    expect(unboundAclRefusals(unboundAclLines(parseXml('<opnsense/>').root), tunnel)).toEqual([]);
    expect(shown(unboundAclRefusals(unboundAclLines(rootWith('refuse', [])), tunnel))).toEqual(['10.10.99.0-10.10.99.255 refuse']);
    expect(unboundAclRefusals(unboundAclLines(rootWith('refuse', [{ name: 'home', action: 'allow', networks: '10.10.0.0/16' }])), tunnel)).toEqual([]);
    expect(shown(unboundAclRefusals(unboundAclLines(rootWith('deny', [{ name: 'lan', action: 'allow', networks: '10.10.0.0/24' }])), tunnel))).toEqual(['10.10.99.0-10.10.99.255 deny']);
    // A more specific list inside the range decides its part; host bits are masked.
    const nested = rootWith('allow', [
      { name: 'home', action: 'allow', networks: '10.10.0.0/16' },
      { name: 'guests', action: 'refuse', networks: '10.10.99.130/25,10.10.99.16/28' },
    ]);
    expect(shown(unboundAclRefusals(unboundAclLines(nested), tunnel))).toEqual(['10.10.99.16-10.10.99.31 refuse guests', '10.10.99.128-10.10.99.255 refuse guests']);
    // The last line of a netblock counts; a disabled list writes none.
    expect(shown(unboundAclRefusals(unboundAclLines(rootWith('refuse', [{ name: 'a', action: 'allow', networks: '10.10.99.0/24' }, { name: 'b', action: 'deny', networks: '10.10.99.0/24' }])), tunnel))).toEqual(['10.10.99.0-10.10.99.255 deny b']);
    expect(unboundAclRefusals(unboundAclLines(rootWith('refuse', [{ name: 'b', action: 'deny', networks: '10.10.99.0/24' }, { name: 'a', action: 'allow', networks: '10.10.99.0/24' }])), tunnel)).toEqual([]);
    // A list of 0.0.0.0/0 comes after the default action's line, and decides in its place.
    expect(unboundAclRefusals(unboundAclLines(rootWith('refuse', [{ name: 'all', action: 'allow', networks: '0.0.0.0/0' }])), tunnel)).toEqual([]);
    expect(shown(unboundAclRefusals(unboundAclLines(rootWith('refuse', [{ name: 'a', action: 'allow', networks: '10.10.99.0/24', enabled: '0' }])), tunnel))).toEqual(['10.10.99.0-10.10.99.255 refuse']);
    // allow_snoop resolves too; the *_non_local actions answer local data only.
    expect(unboundAclRefusals(unboundAclLines(rootWith('refuse', [{ name: 'a', action: 'allow_snoop', networks: '10.10.99.0/24' }])), tunnel)).toEqual([]);
    expect(shown(unboundAclRefusals(unboundAclLines(rootWith('allow', [{ name: 'a', action: 'refuse_non_local', networks: '10.10.99.0/24' }])), tunnel))).toEqual(['10.10.99.0-10.10.99.255 refuse_non_local a']);
  });

  // The same lines in the loopback's 127.0.0.0/8 (standing for 0.0.0.0/0, which Unbound's built-in 127.0.0.0/8 allow
  // would otherwise outrank there), and probes sent from addresses of it.
  const why = missing(['unbound'], false);
  it.skipIf(why)(titled('decides as a real Unbound does for each probe', why), async () => {
    const work = tempDir('gen-unbound-acl-');
    const lists: Acl[] = [
      { name: 'home', action: 'allow', networks: '127.10.0.0/16' },
      { name: 'guests', action: 'refuse', networks: '127.10.99.128/25' },
      { name: 'drop', action: 'deny', networks: '127.10.99.64/26' },
      { name: 'again', action: 'refuse', networks: '127.10.0.0/16' },
      { name: 'off', action: 'allow', networks: '127.20.0.0/16', enabled: '0' },
    ];
    const root = rootWith('refuse', lists);
    const lines = ['127.0.0.0/8 refuse', ...lists.filter((l) => l.enabled !== '0').flatMap((l) => l.networks.split(',').map((n) => `${n} ${l.action}`))];
    const port = await freeUdpPort();
    const conf = join(work, 'unbound.conf');
    writeFileSync(
      conf,
      `server:\n  chroot: ""\n  username: ""\n  directory: "${work}"\n  pidfile: "${work}/unbound.pid"\n  interface: 127.0.0.1\n  port: ${port}\n  do-ip6: no\n  use-syslog: no\n` +
        `  access-control: 127.0.0.1/32 allow\n${lines.map((l) => `  access-control: ${l}\n`).join('')}  local-zone: "probe.test" static\n  local-data: "probe.test IN A 192.0.2.7"\n`,
    );
    const daemon = spawn('unbound', ['-d', '-c', conf], { stdio: 'ignore' });
    try {
      let ready = false;
      for (let attempt = 0; attempt < 40 && !ready; attempt++) ready = (await probe('127.0.0.1', port, 250)) === 'answered';
      expect(ready, 'unbound did not start').toBe(true);
      for (const source of ['127.10.1.1', '127.10.99.10', '127.10.99.70', '127.10.99.200', '127.20.0.1', '127.30.0.1']) {
        const value = parseIPv4(source)!;
        const refusal = unboundAclRefusals(unboundAclLines(root), [value, value])[0];
        const expected = refusal === undefined ? 'answered' : refusal.action === 'deny' ? 'dropped' : 'refused';
        expect(await probe(source, port, 1500), source).toBe(expected);
      }
    } finally {
      daemon.kill();
    }
  });

  // The lines each release's own template writes for a box's access lists (access_lists.conf, after its migrations),
  // read as Unbound reads them, decide as unboundAclRefusals() does on the config.
  const coreGit = process.env.OPNSENSE_CORE_GIT;
  const whyTemplate = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !process.env.OPNSENSE_PLUGINS_GIT ? 'OPNSENSE_PLUGINS_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
  if (whyTemplate) process.stderr.write(`\n*** skipped: Unbound access lists on OPNsense's own template: ${whyTemplate} ***\n\n`);
  for (const { tag, release } of UPSTREAM_RELEASES) {
    it.skipIf(whyTemplate)(titled(`reads a box's access lists as ${tag}'s access_lists.conf writes them`, whyTemplate), async () => {
      const work = tempDir('gen-unbound-acl-template-');
      const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
      expect(setup.status, setup.stderr).toBe(0);
      const lists: Acl[] = [
        { name: 'home', action: 'allow', networks: '10.10.0.0/16' },
        { name: 'guests', action: 'refuse', networks: '10.10.99.128/25,10.10.7.0/24' },
        { name: 'again', action: 'deny', networks: '10.10.0.0/16' },
        { name: 'off', action: 'allow', networks: '10.20.0.0/16', enabled: '0' },
        { name: 'local', action: 'refuse_non_local', networks: '10.30.0.0/16' },
      ];
      const unbound = `<unboundplus version="${releaseFacts(release)!.versions.unbound!}"><general><enabled>1</enabled></general>${aclsXml('refuse', lists)}</unboundplus>`;
      const base = factorySample(release);
      const config = join(work, 'config.xml');
      writeFileSync(config, base.includes('<OPNsense>') ? base.replace('<OPNsense>', `<OPNsense>${unbound}`) : base.replace('</opnsense>', `<OPNsense>${unbound}</OPNsense></opnsense>`), { mode: 0o600 });
      const saved = join(work, 'saved.xml');
      const run = spawnSync('bash', [join(tools, 'run.sh'), config, tag], { encoding: 'utf8', env: Object.assign({}, env, { OPN_SAVE_CONFIG: saved }) });
      expect(run.stdout).not.toMatch(/(migration|validation) FAILED/);
      const out = join(work, 'root');
      const rendered = await renderTemplate(join(env.OPNSENSE_PHP_CACHE, tag, 'root'), saved, out, 'OPNsense.Unbound.core');
      expect(rendered.stderr).toBe('');
      const controls = accessControls(readFileSync(join(out, 'usr/local/etc/unbound.opnsense.d/access_lists.conf'), 'utf8'));
      const root = parseXml(readFileSync(saved, 'utf8')).root;
      for (const address of ['10.10.1.1', '10.10.7.9', '10.10.99.200', '10.20.0.1', '10.30.0.1', '192.0.2.1']) {
        const value = parseIPv4(address)!;
        const refusal = unboundAclRefusals(unboundAclLines(root), [value, value])[0];
        expect(refusal?.action ?? 'allow', address).toBe(accessFor(controls, address));
      }
    });
  }

  it("warns for the tunnel's and the DHCP interfaces' clients that the box's Unbound answers and its access lists refuse", async () => {
    const withRule = readExample('homelab-family').replace(
      '        - { name: lan-dns,',
      '        - { name: vpn-dns, from: wireguard, to: self, proto: tcp/udp, ports: [53], action: pass }\n        - { name: lan-dns,',
    );
    const yaml = edit(edit(withRule, ['sites', 0, 'wireguard', 0, 'tunnel'], 'full'), ['sites', 0, 'wireguard', 0, 'dns'], ['10.10.99.1']);
    const { sections, privateKey } = await releaseSections(yaml, '26.7');
    const said = (acls: string, dnsmasqItems = '') => {
      const unbound = `<unboundplus version="${releaseFacts('26.7')!.versions.unbound!}"><general><enabled>1</enabled></general>${acls}</unboundplus>`;
      const box = withBoxCa(factorySample('26.7').replace('<OPNsense>', `<OPNsense>${unbound}`).replace('<dnsmasq>', `<dnsmasq>${dnsmasqItems}`));
      const warnings: string[] = [];
      mergeConfig(box, sections, {
        allowGuiPortConflict: true,
        placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
        secret: () => privateKey,
        warn: (m) => warnings.push(m),
        tunnelDns: [{ instance: 'wg0', number: 0, servers: ['10.10.99.1'], network: '10.10.99.1/24' }],
      });
      return warnings.filter((w) => w.includes('access list'));
    };
    expect(said(aclsXml('allow', []))).toEqual([]);
    expect(said(aclsXml('refuse', [{ name: 'home', action: 'allow', networks: '10.10.0.0/16' }]))).toEqual([]);
    const lanOnly = said(aclsXml('refuse', [{ name: 'lan', action: 'allow', networks: '10.10.0.0/24' }]));
    expect(lanOnly).toContainEqual(expect.stringMatching(/^the clients of WireGuard instance wg0 \(a full tunnel\) ask the firewall's 10\.10\.99\.1 for names.*refuses the queries of 10\.10\.99\.0-10\.10\.99\.255 \(its access lists' default action, refuse\).*allow 10\.10\.99\.0\/24 in Services › Unbound DNS › Access Lists/));
    // lan's range, which gen serves with dnsmasq, handing out the firewall's own address there, is allowed; refused
    // once only the tunnel is (the clients of the range are named, the interface's network is what to allow).
    expect(lanOnly).toHaveLength(1);
    expect(said(aclsXml('refuse', [{ name: 'vpn', action: 'allow', networks: '10.10.99.0/24' }]))).toEqual([
      expect.stringMatching(/^the dnsmasq DHCP clients of the range 10\.10\.0\.128-10\.10\.0\.254 on lan ask the firewall for names.*refuses the queries of 10\.10\.0\.128-10\.10\.0\.254 \(its access lists' default action, refuse\).*allow 10\.10\.0\.0\/24 in/),
    ]);
    // The ISC DHCP clients of lan, handed the firewall's own address there (Unbound holds port 53), likewise.
    const isc = await releaseSections(edit(yaml, ['sites', 0, 'firewall', 'dhcp_server'], 'isc'), '26.7');
    const iscWarnings: string[] = [];
    const unboundIsc = `<unboundplus version="${releaseFacts('26.7')!.versions.unbound!}"><general><enabled>1</enabled></general>${aclsXml('refuse', [{ name: 'vpn', action: 'allow', networks: '10.10.99.0/24' }])}</unboundplus>`;
    mergeConfig(withBoxCa(factorySample('26.7').replace('<OPNsense>', `<OPNsense>${unboundIsc}`)), isc.sections, {
      allowGuiPortConflict: true,
      placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
      secret: () => isc.privateKey,
      warn: (m) => iscWarnings.push(m),
    });
    expect(iscWarnings.filter((w) => w.includes('access list'))).toEqual([expect.stringMatching(/^the ISC DHCP clients on lan ask the firewall's 10\.10\.0\.1 for names.*refuses the queries of 10\.10\.0\.0-10\.10\.0\.255/)]);
    // The box's own option 6 of no interface and no tag names another server: the template writes no line of the
    // firewall, and lan's clients (gen sets no DNS servers there) ask that server, not Unbound.
    const elsewhere = '<dhcp_options uuid="11111111-2222-4333-8444-b00000000001"><type>set</type><option>6</option><option6/><interface/><tag/><value>9.9.9.9</value></dhcp_options>';
    expect(said(aclsXml('refuse', [{ name: 'vpn', action: 'allow', networks: '10.10.99.0/24' }]), elsewhere)).toEqual([]);
    // An access list refusing a part of the tunnel names it and only that part.
    expect(said(aclsXml('allow', [{ name: 'guests', action: 'deny', networks: '10.10.99.128/25' }]))).toEqual([
      expect.stringContaining('drops the queries of 10.10.99.128-10.10.99.255 (its access list guests)'),
    ]);
  });
});

/** What an Unbound on 127.0.0.1:`port` does with an A query for probe.test sent from `source`: answers, refuses (REFUSED) or drops it. */
function probe(source: string, port: number, ms: number): Promise<'answered' | 'refused' | 'dropped'> {
  const query = Buffer.from([0x43, 0x21, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, ...Buffer.from('probe'), 4, ...Buffer.from('test'), 0, 0, 1, 0, 1]);
  return new Promise((done) => {
    const socket = createSocket('udp4');
    const finish = (result: 'answered' | 'refused' | 'dropped') => {
      clearTimeout(timer);
      socket.close();
      done(result);
    };
    const timer = setTimeout(() => finish('dropped'), ms);
    socket.on('message', (m) => {
      if (m.readUInt16BE(0) !== 0x4321) return;
      const rcode = m[3]! & 0x0f;
      finish(rcode === 5 ? 'refused' : rcode === 0 && m.subarray(-4).equals(Buffer.from([192, 0, 2, 7])) ? 'answered' : 'dropped');
    });
    socket.on('error', () => undefined);
    socket.bind({ address: source, port: 0 }, () => socket.send(query, port, '127.0.0.1'));
  });
}
