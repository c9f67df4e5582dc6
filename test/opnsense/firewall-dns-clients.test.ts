// Clients that ask the firewall for names: full-tunnel WireGuard clients (the
// instance's dns) and those of gen's ISC DHCP interfaces. Merge warns where no
// resolver of the merged box answers them at the address they are given.
// Where Unbound listens is checked on OPNsense's own code:
// unbound_generate_config()'s interface: lines for the merged config (the
// harness puts each instance's tunnel address on its wgN, as the WireGuard
// plugin does), per release.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { dnsFacts, unansweredTunnelDns } from '../../src/opnsense/firewall-dns-clients.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { child, firstChildren, textOf } from '../../src/render/opnsense/xml.js';
import { edit, readExample, root } from '../helpers.js';
import { hasCommand, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { writeSecret } from '../../src/secrets.js';
import { instanceKeyPath } from '../../src/paths.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { gen } from '../wireguard/cli.js';
import { unboundOnBox } from './upstream-tools.js';
import { UPSTREAM_RELEASES, factorySample, releaseSections, withBoxCa } from './support.js';

removeTempDirsAfterAll();

const WG = ['sites', 0, 'wireguard', 0];
const TUNNEL_ADDRESS = '10.10.99.1';
const LAN_ADDRESS = '10.10.0.1';
/** The family example's wg0 (10.10.99.1/24) made a full tunnel whose clients ask `dns`, and may (the policy passes DNS to the firewall from wg0). */
const fullTunnel = (dns: string[]) => {
  const family = readExample('homelab-family');
  const withRule = family.replace('        - { name: lan-dns,', '        - { name: vpn-dns, from: wireguard, to: self, proto: tcp/udp, ports: [53], action: pass }\n        - { name: lan-dns,');
  expect(withRule).not.toBe(family);
  return edit(edit(withRule, WG.concat(['tunnel']), 'full'), WG.concat(['dns']), dns);
};
const TUNNELS = (dns: string[]) => [{ instance: 'wg0', number: 0, servers: dns, network: `${TUNNEL_ADDRESS}/24` }];

/** A box of `release` whose Unbound has `general` and whose dnsmasq is `dnsmasq` (off by default). */
function box(release: string, general: string, dnsmasq = '<dnsmasq><enable>0</enable></dnsmasq>'): string {
  const unbound = `<unboundplus version="${releaseFacts(release)!.versions.unbound!}"><general>${general}</general></unboundplus>`;
  const base = factorySample(release).replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, dnsmasq);
  return withBoxCa(base.includes('<OPNsense>') ? base.replace('<OPNsense>', `<OPNsense>${unbound}`) : base.replace('</opnsense>', `<OPNsense>${unbound}</OPNsense></opnsense>`));
}

/** The merged config and merge's warnings about the tunnel's DNS. */
async function merged(release: string, config: string, dns: string[]): Promise<{ config: string; warnings: string[] }> {
  const { sections, privateKey } = await releaseSections(fullTunnel(dns), release);
  const warnings: string[] = [];
  const text = mergeConfig(config, sections, {
    allowGuiPortConflict: true,
    placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
    secret: () => privateKey,
    warn: (m) => warnings.push(m),
    tunnelDns: TUNNELS(dns),
  });
  return { config: text, warnings: warnings.filter((w) => w.startsWith('WireGuard instance wg0 is a full tunnel')) };
}

/** The key gen's merge gives the interface that assigns wg0. */
function wgKey(config: string): string {
  for (const [key, entry] of firstChildren(child(parseXml(config).root, 'interfaces'))) if (textOf(child(entry, 'if')) === 'wg0') return key;
  throw new Error('wg0 is not assigned');
}

describe('full-tunnel WireGuard clients asking the firewall for names', () => {
  it('warns where Unbound listens on chosen interfaces without the tunnel, and names the interface to add', async () => {
    const on = (ifaces: string) => box('26.7', `<enabled>1</enabled><port>53</port><active_interface>${ifaces}</active_interface>`);
    const first = await merged('26.7', on('lan'), [TUNNEL_ADDRESS]);
    const key = wgKey(first.config);
    expect(first.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`name the firewall's ${TUNNEL_ADDRESS.replace(/\./g, '\\.')} as DNS server, but the box's Unbound DNS answers only at the addresses of its Network Interfaces lan .*resolve no name while the tunnel is up; add ${key} to Network Interfaces`),
      ),
    ]);
    // The instance's interface chosen, or none (all): answered.
    expect((await merged('26.7', on(`lan,${key}`), [TUNNEL_ADDRESS])).warnings).toEqual([]);
    expect((await merged('26.7', box('26.7', '<enabled>1</enabled><port>53</port>'), [TUNNEL_ADDRESS])).warnings).toEqual([]);
    // The LAN address, reached through the tunnel: answered where Unbound binds it (on lan), not where it listens on wan alone.
    expect((await merged('26.7', on('lan'), [LAN_ADDRESS])).warnings).toEqual([]);
    expect((await merged('26.7', on('wan'), [LAN_ADDRESS])).warnings).toEqual([expect.stringContaining(`firewall's ${LAN_ADDRESS} as DNS server`)]);
    expect((await merged('26.7', on('wan'), [LAN_ADDRESS])).warnings).toEqual([expect.stringContaining('add lan to Network Interfaces')]);
    // A resolver elsewhere, or the client's own loopback: not the box's to answer.
    expect(unansweredTunnelDns(dnsFacts(parseXml(first.config).root), TUNNELS(['9.9.9.9', '127.0.0.53']))).toEqual([]);
    expect(unansweredTunnelDns(dnsFacts(parseXml(first.config).root), TUNNELS(['9.9.9.9', TUNNEL_ADDRESS]))).toEqual([expect.stringContaining('time out before the clients try their next server')]);
    // One of two unanswered: lookups there time out first.
    expect((await merged('26.7', on('lan'), [TUNNEL_ADDRESS, LAN_ADDRESS])).warnings).toEqual([expect.stringContaining('time out before the clients try their next server')]);
  });

  it('names a disabled Unbound, another port and an Unbound that dnsmasq keeps from starting, and takes dnsmasq answering the tunnel as answered', async () => {
    const said = async (general: string, dnsmasq?: string) => (await merged('26.7', box('26.7', general, dnsmasq), [TUNNEL_ADDRESS])).warnings;
    expect(await said('<enabled>0</enabled>')).toEqual([expect.stringContaining('Unbound DNS is disabled')]);
    expect(await said('<enabled>1</enabled><port>5353</port>')).toEqual([expect.stringContaining('answers only on port 5353, not 53')]);
    // dnsmasq on 53 with the wildcard answers a query that arrives on a device it listens on: merge gives it gen's DHCP
    // interfaces (lan here), so not wg0's, whichever address the query is sent to; listening on every device (no
    // interface= line) or on the instance's interface too, it answers.
    const { config } = await merged('26.7', box('26.7', '<enabled>1</enabled><port>5353</port>', '<dnsmasq><enable>1</enable><port>53</port></dnsmasq>'), [TUNNEL_ADDRESS]);
    const key = wgKey(config);
    const dnsmasqOf = (text: string, edit: (dnsmasq: string) => string) => text.replace(/<dnsmasq>[\s\S]*?<\/dnsmasq>/, (d) => edit(d));
    const warned = (text: string, server = TUNNEL_ADDRESS) => unansweredTunnelDns(dnsFacts(parseXml(text).root), TUNNELS([server]));
    expect(config).toMatch(/<dnsmasq>[\s\S]*<interface>lan<\/interface>/);
    expect(warned(config)).toHaveLength(1);
    expect(warned(dnsmasqOf(config, (d) => d.replace('<interface>lan</interface>', '<interface/>')))).toEqual([]);
    expect(warned(dnsmasqOf(config, (d) => d.replace('<interface>lan</interface>', `<interface>lan,${key}</interface>`)))).toEqual([]);
    // Strict binding: the addresses of the devices it listens on; on lan, the LAN address is answered, the tunnel's not.
    const strict = dnsmasqOf(config, (d) => d.replace('<strictbind>0</strictbind>', '<strictbind>1</strictbind>'));
    expect(strict).toContain('<strictbind>1</strictbind>');
    expect(warned(strict)).toHaveLength(1);
    expect(warned(strict, LAN_ADDRESS)).toEqual([]);
    expect(warned(dnsmasqOf(strict, (d) => d.replace('<interface>lan</interface>', `<interface>lan,${key}</interface>`)))).toEqual([]);
    // dnsmasq's DNS off (port 0): nothing answers.
    expect(warned(dnsmasqOf(config, (d) => d.replace('<port>53</port>', '<port>0</port>')), LAN_ADDRESS)).toHaveLength(1);
    // Unbound on chosen interfaces beside dnsmasq bound to lan: both bind the loopback's 53, and Unbound does not start.
    const clash = dnsmasqOf(strict, (d) => d).replace('<port>5353</port>', `<port>53</port><active_interface>lan,${key}</active_interface>`);
    expect(clash).toContain(`<active_interface>lan,${key}</active_interface>`);
    expect(warned(clash)).toEqual([expect.stringContaining('does not start beside dnsmasq')]);
    expect(warned(clash.replace(`<active_interface>lan,${key}</active_interface>`, ''))).toEqual([]);
  });

  it('gen opnsense merge says so for the full tunnels of the topology, and not for a split tunnel', async () => {
    const dir = tempDir('gen-tunnel-dns-command-');
    const pair = generateKeyPair();
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    const base = join(dir, 'box.xml');
    writeFileSync(base, box('26.7', '<enabled>1</enabled><port>53</port><active_interface>lan</active_interface>'));
    const warned = async (name: string, yaml: string) => {
      const topology = join(dir, `${name}.yaml`);
      writeFileSync(topology, edit(yaml, WG.concat(['public_key']), pair.publicKey));
      const result = await gen('opnsense', 'merge', '-f', topology, '--base', base, '--secrets', secrets, '-o', join(dir, `${name}.xml`), '--allow-gui-port-conflict');
      expect(result.code, result.stderr).toBe(0);
      return result.stderr.split('\n').filter((l) => l.includes('WireGuard instance wg0 is a full tunnel'));
    };
    expect(await warned('full', fullTunnel([TUNNEL_ADDRESS]))).toEqual([expect.stringMatching(/^gen: warning: .*firewall's 10\.10\.99\.1 as DNS server/)]);
    expect(await warned('split', edit(fullTunnel([TUNNEL_ADDRESS]), WG.concat(['tunnel']), 'split'))).toEqual([]);
  });

  it("warns where the clients of gen's ISC DHCP interfaces are handed the firewall and no resolver answers them there", async () => {
    const isc = (dns?: string[]) => {
      const yaml = edit(readExample('homelab-family'), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
      return dns === undefined ? yaml : edit(yaml, ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'dns'], dns);
    };
    const said = async (config: string, dns?: string[]) => {
      const { sections, privateKey } = await releaseSections(isc(dns), '26.7');
      expect(sections.map((s) => s.name)).toContain('dhcpd');
      const warnings: string[] = [];
      mergeConfig(config, sections, { allowGuiPortConflict: true, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, secret: () => privateKey, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.startsWith('ISC DHCP on'));
    };
    const unbound = (ifaces?: string) => box('26.7', `<enabled>1</enabled><port>53</port>${ifaces === undefined ? '' : `<active_interface>${ifaces}</active_interface>`}`);
    // No DNS servers set: the interface's own address, as Unbound holds port 53; answered only where lan is chosen.
    expect(await said(unbound('wan'))).toEqual([
      expect.stringMatching(/^ISC DHCP on lan hands out the firewall's 10\.10\.0\.1 as DNS server \(its own address: .*answers only at the addresses of its Network Interfaces wan .*its clients resolve no name; add lan to Network Interfaces/),
    ]);
    expect(await said(unbound('lan'))).toEqual([]);
    expect(await said(unbound())).toEqual([]);
    // Set to the firewall's LAN address: the same; to another resolver: not the box's to answer.
    expect(await said(unbound('wan'), [LAN_ADDRESS])).toEqual([expect.not.stringContaining('its own address')]);
    expect(await said(unbound('wan'), ['9.9.9.9'])).toEqual([]);
    // No service on port 53 (Unbound and dnsmasq off): ISC hands out the system's DNS servers, not the firewall.
    expect(await said(box('26.7', '<enabled>0</enabled>'))).toEqual([]);
    // Unbound on 5353, the box's dnsmasq on 53: with the wildcard on every device it answers lan's clients; listening on wan only, not.
    const dnsmasq = (settings: string) => box('26.7', '<enabled>1</enabled><port>5353</port>', `<dnsmasq><enable>1</enable><port>53</port>${settings}</dnsmasq>`);
    expect(await said(dnsmasq(''))).toEqual([]);
    expect(await said(dnsmasq('<interface>wan</interface>'))).toEqual([expect.stringContaining('answers only on port 5353, not 53')]);
  });

  it('says nothing for a split tunnel, whose client files name no DNS server', () => {
    const config = parseXml(box('26.7', '<enabled>0</enabled>')).root;
    expect(unansweredTunnelDns(dnsFacts(config), TUNNELS([]))).toEqual([]);
  });

  // What OPNsense's own unbound.conf code binds for the merged config decides whether the tunnel's address is heard.
  const coreGit = process.env.OPNSENSE_CORE_GIT;
  const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !process.env.OPNSENSE_PLUGINS_GIT ? 'OPNSENSE_PLUGINS_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
  if (why) process.stderr.write(`\n*** skipped: full-tunnel DNS on OPNsense's own unbound.conf code: ${why} ***\n\n`);
  const tools = join(root, 'test/tools/opnsense-php');
  const env = { ...process.env, OPNSENSE_PHP_CACHE: process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php') };
  for (const { tag, release } of UPSTREAM_RELEASES) {
    it.skipIf(why)(titled(`warns exactly where ${tag}'s unbound.conf binds no socket at the address the clients ask`, why), async () => {
      const work = tempDir('gen-tunnel-dns-');
      const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
      expect(setup.status, setup.stderr).toBe(0);
      const binds = (config: string, name: string): string[] => unboundOnBox(config, tag, work, name, env).binds;
      const probe = await merged(release, box(release, '<enabled>1</enabled><port>53</port><active_interface>lan</active_interface>'), [TUNNEL_ADDRESS]);
      const key = wgKey(probe.config);
      const cases: [string, string][] = [
        ['lan', TUNNEL_ADDRESS],
        [`lan,${key}`, TUNNEL_ADDRESS],
        ['', TUNNEL_ADDRESS],
        ['wan', LAN_ADDRESS],
        ['lan', LAN_ADDRESS],
      ];
      for (const [ifaces, server] of cases) {
        const general = `<enabled>1</enabled><port>53</port>${ifaces === '' ? '' : `<active_interface>${ifaces}</active_interface>`}`;
        const { config, warnings } = await merged(release, box(release, general), [server]);
        const bound = binds(config, `${ifaces.replace(/,/g, '-') || 'all'}-${server}`);
        const heard = bound.includes('interface: 0.0.0.0') || bound.includes(`interface: ${server}`);
        expect(heard, `${ifaces || 'all'} ${server}: ${bound.join('; ')}`).toBe(ifaces === '' || ifaces.includes(key) || (server === LAN_ADDRESS && ifaces.includes('lan')));
        expect(warnings, `${ifaces || 'all'} ${server}`).toHaveLength(heard ? 0 : 1);
      }
    });
  }
});
