// gen opnsense merge: the generated sections go into an operator's backup;
// everything else stays byte for byte; merging twice equals merging once.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { MergeError, mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { instanceKeyPath, writeSecret } from '../../src/secrets.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, modelOf, readExample, root } from '../helpers.js';
import { gen } from '../wireguard/cli.js';
import { HOME_CA, hostsTopology } from './haproxy-topology.js';
import { type Xml, parse, withRoutesAndGroups } from './support.js';

const SAMPLE = readFileSync(join(root, 'test/opnsense/upstream/config.xml.sample'), 'utf8');
const SAMPLE_24 = readFileSync(join(root, 'test/opnsense/upstream/core-24.7.12/config.xml.sample'), 'utf8');

/** The text of the first <name>…</name> section, verbatim. */
function section(xml: string, name: string): string {
  const start = xml.indexOf(`<${name}>`);
  const end = xml.indexOf(`</${name}>`, start);
  if (start < 0 || end < 0) throw new Error(`no <${name}> section`);
  return xml.slice(start, end + name.length + 3);
}

async function sectionsOf(yaml: string) {
  const model = await modelOf(yaml);
  return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
}

/** Scenario A with an instance key pair made now (no key is ever committed). */
function homelabWithKey() {
  const pair = generateKeyPair();
  const yaml = edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
  return { pair, yaml };
}

/** One stand-in certificate for all merges here, so that separate merges can be compared byte for byte. */
const STAND_IN = selfSignedCertificate(['stand-in.example']);

function merge(base: string, sections: Awaited<ReturnType<typeof sectionsOf>>, key?: string): string {
  return mergeConfig(base, sections, { secret: () => key, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN });
}

describe('merging scenario A into the upstream 25.7 sample', async () => {
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const merged = merge(SAMPLE, sections, pair.privateKey);

  it('keeps <system> and every unmanaged section byte-identical, and parses', () => {
    expect(section(merged, 'system')).toBe(section(SAMPLE, 'system'));
    for (const name of ['unbound', 'rrd', 'ntpd', 'theme', 'sysctl/']) {
      if (name.endsWith('/')) expect(merged).toContain('<sysctl/>');
      else expect(section(merged, name)).toBe(section(SAMPLE, name));
    }
    expect(merged.startsWith('<?xml version="1.0"?>\n<opnsense>\n  <trigger_initial_wizard/>')).toBe(true);
    expect(merged.endsWith('</opnsense>\n')).toBe(true);
    expect(XMLValidator.validate(merged)).toBe(true);
    expect(parseXml(merged).root.name).toBe('opnsense');
  });

  it('merging twice equals merging once', () => {
    expect(merge(merged, sections, pair.privateKey)).toBe(merged);
  });

  it('fills the instance private key and leaves no placeholder', () => {
    const doc = parse(merged).opnsense;
    expect(doc.OPNsense.wireguard.server.servers.server[0].privkey).toBe(pair.privateKey);
    expect(merged).not.toContain(PRIVATE_KEY_PLACEHOLDER_PREFIX);
  });

  it('replaces the interfaces gen assigns and keeps the fields it does not own', () => {
    const ifs = parse(merged).opnsense.interfaces;
    expect(ifs.wan).toMatchObject({ if: 'vtnet0', ipaddr: '192.168.0.2', subnet: '24', gateway: 'WAN_GW', ipaddrv6: 'dhcp6', blockbogons: '1' });
    expect(ifs.wan.blockpriv).toBeUndefined();
    expect(ifs.lan).toMatchObject({ if: 'vtnet1', ipaddr: '10.0.0.1', ipaddrv6: 'track6', 'track6-interface': 'wan' });
    expect(ifs.opt2).toEqual({ if: 'wg0', descr: 'WireGuard', enable: '1' });
  });

  it('honours default deny: the sample\'s allow-LAN rules give way to the policy', () => {
    const rules: Xml[] = parse(merged).opnsense.filter.rule;
    expect(rules.some((r) => String(r.descr).startsWith('Default allow LAN'))).toBe(false);
    expect(rules.every((r) => String(r.descr).startsWith('gen: '))).toBe(true);
    expect(rules).toHaveLength(10);
  });
});

describe('what merge keeps', () => {
  const UNMANAGED = [
    '<OPNsense>\n    <IDS version="1.0.9" persisted_at="1736950000.12">\n      <general><enabled>1</enabled></general>\n    </IDS>',
    '<cert uuid="1d7a7e0c-8a57-4f6e-9a54-2b8f4c3d2e10">\n    <refid>5f1e2d3c4b5a6</refid>\n    <descr><![CDATA[web GUI & API]]></descr>\n    <crt>LS0tLS1CRUdJTg==</crt>\n  </cert>',
    '<rule>\n      <type>pass</type>\n      <interface>opt9</interface>\n      <descr>guest net &amp; printers</descr>\n    </rule>',
  ];
  const base = SAMPLE.replace('<filter>\n', `<filter>\n    ${UNMANAGED[2]}\n`).replace('</opnsense>', `  ${UNMANAGED[1]}\n  ${UNMANAGED[0]}\n  </OPNsense>\n</opnsense>`);

  it('leaves other plugins, certificates and rules of other interfaces untouched', async () => {
    const { pair, yaml } = homelabWithKey();
    const merged = merge(base, await sectionsOf(yaml), pair.privateKey);
    for (const text of UNMANAGED) expect(merged).toContain(text);
    expect(merge(merged, await sectionsOf(yaml), pair.privateKey)).toBe(merged);
  });

  it('drops the persisted_at stamp of a model whose content it changed', async () => {
    const { pair, yaml } = homelabWithKey();
    const stamped = '<OPNsense>\n    <wireguard>\n      <general version="0.0.1" persisted_at="1736950000.12">\n        <enabled>0</enabled>\n      </general>\n    </wireguard>\n  </OPNsense>';
    const merged = merge(SAMPLE.replace('</opnsense>', `  ${stamped}\n</opnsense>`), await sectionsOf(yaml), pair.privateKey);
    expect(merged).toContain('<general version="0.0.1">\n        <enabled>1</enabled>');
    expect(merged).not.toContain('persisted_at');
  });

  it('fills a new placeholder <cert> with a self-signed stand-in for the ACME names, so HAProxy can start', async () => {
    const { pair, yaml } = homelabWithKey();
    const sections = await sectionsOf(yaml);
    const merged = mergeConfig(SAMPLE, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX });
    const [cert] = parse(merged).opnsense.cert;
    const pem = (field: string) => Buffer.from(cert[field], 'base64').toString('utf8');
    const x509 = new X509Certificate(pem('crt'));
    expect(x509.subject).toBe('CN=*.example.com');
    expect(x509.checkPrivateKey(createPrivateKey(pem('prv')))).toBe(true);
    expect(cert.refid).toBe(parse(merged).opnsense.OPNsense.AcmeClient.certificates.certificate[0].certRefId);
    // The stand-in stays until the ACME client replaces it: merging again changes nothing.
    expect(mergeConfig(merged, sections, { secret: () => undefined, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX })).toBe(merged);
  });

  it('keeps an issued certificate that has the refid of gen\'s placeholder', async () => {
    const { pair, yaml } = homelabWithKey();
    const sections = await sectionsOf(yaml);
    const refid = parse(merge(SAMPLE, sections, pair.privateKey)).opnsense.cert[0].refid;
    const issued = `<cert uuid="2e8b8f1d-9b68-4a7f-8b65-3c9a5d4e3f21">\n    <refid>${refid}</refid>\n    <descr>*.example.com (ACME Client)</descr>\n    <crt>SVNTVUVE</crt>\n    <prv>SVNTVUVE</prv>\n  </cert>`;
    const merged = merge(SAMPLE.replace('</opnsense>', `  ${issued}\n</opnsense>`), sections, pair.privateKey);
    expect(merged).toContain(issued);
    expect(parse(merged).opnsense.cert).toHaveLength(1);
  });

  it('keeps the private key already on the box when the secrets directory has none', async () => {
    const { pair, yaml } = homelabWithKey();
    const sections = await sectionsOf(yaml);
    const merged = merge(SAMPLE, sections, pair.privateKey);
    expect(merge(merged, sections, undefined)).toBe(merged);
  });

  it('removes what an earlier merge wrote when the topology drops it (a renamed peer)', async () => {
    const { pair, yaml } = homelabWithKey();
    const first = merge(SAMPLE, await sectionsOf(yaml), pair.privateKey);
    const renamed = edit(yaml, ['sites', 0, 'wireguard', 0, 'peers', 1, 'name'], 'laptop-jane');
    const second = merge(first, await sectionsOf(renamed), pair.privateKey);
    const names = parse(second).opnsense.OPNsense.wireguard.client.clients.client.map((c: Xml) => c.name);
    expect(names).toEqual(['mac-workstation', 'laptop-jane', 'iphone-john']);
    expect(second).toBe(merge(SAMPLE, await sectionsOf(renamed), pair.privateKey));
  });

  it('removes the peers of an earlier merge when the topology has none left', async () => {
    const { pair, yaml } = homelabWithKey();
    const first = merge(SAMPLE, await sectionsOf(yaml), pair.privateKey);
    const none = edit(yaml, ['sites', 0, 'wireguard', 0, 'peers'], []);
    const second = parse(merge(first, await sectionsOf(none), pair.privateKey)).opnsense.OPNsense.wireguard;
    expect(second.client.clients).toBe('');
    expect(second.server.servers.server[0].peers).toBe('');
  });
});

describe('routes and groups in the merge', () => {
  it('adds gateways, static routes and interface groups, idempotently', async () => {
    const pair = generateKeyPair();
    const yaml = edit(withRoutesAndGroups(), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
    const merged = merge(SAMPLE, await sectionsOf(yaml), pair.privateKey);
    const doc = parse(merged).opnsense;
    expect(doc.OPNsense.Gateways.gateway_item.map((g: Xml) => g.name)).toEqual(['WAN_GW', 'GW_10_0_0_5']);
    expect(doc.staticroutes.route.network ?? doc.staticroutes.route[0].network).toBe('172.16.0.0/16');
    expect(doc.ifgroups.ifgroupentry[0].members).toBe('lan,opt1');
    expect(merge(merged, await sectionsOf(yaml), pair.privateKey)).toBe(merged);
  });
});

describe('DHCP in the merge', () => {
  it('replaces the sample\'s dnsmasq LAN range and keeps its other settings (25.7)', async () => {
    const sections = await sectionsOf(readExample('vlan-hosting'));
    const merged = merge(SAMPLE, sections);
    expect(merge(merged, sections)).toBe(merged);
    const dnsmasq = parse(merged).opnsense.dnsmasq;
    expect(dnsmasq['@version']).toBe('1.0.8');
    expect(dnsmasq.port).toBe('0');
    expect(dnsmasq.interface).toBe('lan,opt1,opt2,opt3');
    expect(dnsmasq.dhcp_ranges.map((r: Xml) => `${r.interface} ${r.start_addr}-${r.end_addr}`)).toEqual([
      'lan 192.168.1.128-192.168.1.254',
      'opt1 192.168.10.128-192.168.10.254',
      'opt2 192.168.20.128-192.168.20.254',
      'opt3 192.168.30.100-192.168.30.199',
    ]);
    expect(parse(merged).opnsense.vlans.vlan.map((v: Xml) => v.vlanif)).toEqual(['vlan0.10', 'vlan0.20', 'vlan0.30']);
  });

  it('turns dnsmasq DNS off (port 0) when the base sets no port, and keeps a port the base sets', async () => {
    const sections = await sectionsOf(readExample('vlan-hosting'));
    // The 24.7 sample has no <dnsmasq>: an empty port would put dnsmasq on 53, against Unbound.
    const fresh = merge(SAMPLE_24, sections);
    expect(parse(fresh).opnsense.dnsmasq.port).toBe('0');
    expect(merge(fresh, sections)).toBe(fresh);
    const dnsOn53 = SAMPLE.replace('<port>0</port>', '<port>53</port>').replace('<unbound>\n    <enable>1</enable>', '<unbound>');
    expect(dnsOn53).not.toBe(SAMPLE);
    expect(parse(merge(dnsOn53, sections)).opnsense.dnsmasq.port).toBe('53');
  });

  it('removes, with a warning, the base\'s DHCP for a network an interface no longer has (ISC would not start)', async () => {
    const warnings: string[] = [];
    const run = (base: string, release: string) => {
      const { pair, yaml } = homelabWithKey();
      return sectionsOf(edit(yaml, ['sites', 0, 'firewall', 'release'], release)).then((sections) =>
        mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, warn: (m) => warnings.push(m) }),
      );
    };
    // Scenario A has no DHCP; the samples serve 192.168.1.100-199 on lan, which becomes 10.0.0.1/24.
    const isc = parse(await run(SAMPLE_24, '24.7')).opnsense;
    expect(isc.dhcpd?.lan).toBeUndefined();
    const dnsmasq = parse(await run(SAMPLE, '25.7')).opnsense.dnsmasq;
    expect(dnsmasq.dhcp_ranges).toBeUndefined();
    expect(dnsmasq.port).toBe('0');
    expect(warnings.filter((w) => w.startsWith('removed'))).toEqual([
      "removed the base's ISC DHCP range 192.168.1.100-192.168.1.199 on lan: it lies outside lan's network 10.0.0.0/24 in the topology",
      "removed the base's dnsmasq DHCP range 192.168.1.100-192.168.1.199 on lan: it lies outside lan's network 10.0.0.0/24 in the topology",
    ]);
    // A range inside the new network, and an IPv6 range, stay.
    const kept = SAMPLE.replace('<start_addr>192.168.1.100</start_addr>', '<start_addr>10.0.0.100</start_addr>')
      .replace('<end_addr>192.168.1.199</end_addr>', '<end_addr>10.0.0.199</end_addr>')
      .replace('</dhcp_ranges>', '</dhcp_ranges>\n    <dhcp_ranges>\n      <interface>lan</interface>\n      <start_addr>::</start_addr>\n      <ra_mode>slaac</ra_mode>\n    </dhcp_ranges>');
    const ranges = parse(await run(kept, '25.7')).opnsense.dnsmasq.dhcp_ranges;
    expect(ranges.map((r: Xml) => r.start_addr)).toEqual(['10.0.0.100', '::']);
  });

  it('writes ISC dhcpd into the 24.7 sample and keeps its <system> (with CDATA) byte-identical', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'release'], '24.7');
    const merged = merge(SAMPLE_24, await sectionsOf(yaml));
    expect(section(merged, 'system')).toBe(section(SAMPLE_24, 'system'));
    const dhcpd = parse(merged).opnsense.dhcpd;
    expect(dhcpd.lan).toMatchObject({ enable: '1', range: { from: '192.168.1.128', to: '192.168.1.254' } });
    expect(Object.keys(dhcpd)).toEqual(['lan', 'opt1', 'opt2', 'opt3']);
    expect(merge(merged, await sectionsOf(yaml))).toBe(merged);
  });
});

describe('bases merge refuses', async () => {
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const attempt = (base: string, key: string | null = pair.privateKey) => () => merge(base, sections, key ?? undefined);

  it('a file that is not an OPNsense config', () => {
    expect(attempt('<?xml version="1.0"?>\n<pfsense><system/></pfsense>\n')).toThrow(/not an OPNsense configuration: its root element is <pfsense>/);
    expect(attempt('<opnsense><theme>x</theme></opnsense>')).toThrow(/no <system> section/);
    expect(attempt('<opnsense><system></opnsense>')).toThrow(/not well-formed XML \(line 1, column \d+: closing tag <\/opnsense> does not match <system>/);
    expect(attempt('<!DOCTYPE x [<!ENTITY a "b">]><opnsense/>')).toThrow(/DOCTYPE is not allowed/);
    // Character references outside XML's characters: a located error, not a crash.
    for (const ref of ['&#x110000;', '&#0;', '&#xD800;', '&#xZZ;', '&#12a;']) {
      expect(attempt(`<opnsense><system/><a>${ref}</a></opnsense>`), ref).toThrow(new RegExp(`not well-formed XML \\(line 1, column \\d+: ${ref} is not a character XML allows`));
    }
    const deep = `<opnsense><system/>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</opnsense>`;
    expect(attempt(deep)).toThrow(/not well-formed XML \(line 1, column \d+: elements nested deeper than 200 levels/);
    expect(parseXml('<opnsense><a>&#x1F600;&#233;&#x41;</a></opnsense>').root.children).toEqual([expect.objectContaining({ name: 'a', children: [{ text: '😀éA' }] })]);
  });

  it('a base that assigns a device gen assigns to another key', () => {
    const base = SAMPLE.replace('  </interfaces>', '    <opt7>\n      <if>vtnet2</if>\n      <descr>OLDSERVICE</descr>\n    </opt7>\n  </interfaces>');
    expect(attempt(base)).toThrow(MergeError);
    expect(attempt(base)).toThrow(/assigns device vtnet2 to opt7 \(OLDSERVICE\), but the topology assigns it to opt1/);
  });

  it('a base VLAN of the same parent and tag under another device that an unmanaged interface uses', async () => {
    const vlanSections = await sectionsOf(readExample('vlan-hosting'));
    const base = SAMPLE.replace('  </interfaces>', '    <opt8>\n      <if>vlan01</if>\n      <descr>OLDMGMT</descr>\n    </opt8>\n  </interfaces>').replace(
      '</opnsense>',
      '  <vlans version="1.0.0">\n    <vlan uuid="0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10">\n      <if>vtnet1</if>\n      <tag>10</tag>\n      <pcp>0</pcp>\n      <proto/>\n      <descr>MGMT</descr>\n      <vlanif>vlan01</vlanif>\n    </vlan>\n  </vlans>\n</opnsense>',
    );
    expect(() => merge(base, vlanSections)).toThrow(/VLAN 10 on vtnet1 as vlan01, assigned to opt8 \(OLDMGMT\); the topology names it vlan0.10/);
    // Without the old assignment, the old VLAN is replaced by gen's.
    const merged = merge(base.replace(/ {4}<opt8>[\s\S]*?<\/opt8>\n/, ''), vlanSections);
    expect(parse(merged).opnsense.vlans.vlan.map((v: Xml) => v.vlanif)).toEqual(['vlan0.10', 'vlan0.20', 'vlan0.30']);
  });

  it('a section gen merges into, present twice (OPNsense reads the first only)', () => {
    const interfaces = section(SAMPLE, 'interfaces');
    expect(attempt(SAMPLE.replace(interfaces, `${interfaces}\n  ${interfaces}`))).toThrow(/the base has <opnsense\/interfaces> 2 times; OPNsense reads only the first/);
    const lan = SAMPLE.slice(SAMPLE.indexOf('<lan>'), SAMPLE.indexOf('</lan>') + 6);
    expect(attempt(SAMPLE.replace(lan, `${lan}\n    ${lan}`))).toThrow(/the base has <opnsense\/interfaces\/lan> 2 times/);
    const filter = section(SAMPLE, 'filter');
    expect(attempt(SAMPLE.replace(filter, `${filter}\n  ${filter}`))).toThrow(/the base has <opnsense\/filter> 2 times/);
    // Repeated items of a list (several rules, several certificates) are no duplicates.
    expect(attempt(SAMPLE)).not.toThrow();
  });

  it('a missing or foreign instance key', () => {
    expect(attempt(SAMPLE, null)).toThrow(/no private key for WireGuard instance wg0: expected home\/wireguard\/wg0.key/);
    expect(attempt(SAMPLE, generateKeyPair().privateKey)).toThrow(/does not belong to the public_key of instance wg0/);
    expect(attempt(SAMPLE, 'not a key')).toThrow(/is not a WireGuard key/);
  });
});

describe('a TLS backend verified against a CA of the box', async () => {
  const pair = generateKeyPair();
  const yaml = edit(hostsTopology(), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
  const sections = await sectionsOf(yaml);
  const withCa = SAMPLE.replace('</opnsense>', `  <ca uuid="3a2c9a3e-1f41-4d2a-9c61-0e8f3d7a2b94">\n    <refid>${HOME_CA}</refid>\n    <descr>Home CA</descr>\n    <crt/>\n  </ca>\n</opnsense>`);

  it('merges when the base has that CA', () => {
    const merged = merge(withCa, sections, pair.privateKey);
    const servers: Xml[] = parse(merged).opnsense.OPNsense.HAProxy.servers.server;
    expect(servers.find((s) => s.name === 'nextcloud_nextcloud').sslCA).toBe(HOME_CA);
  });

  it('refuses a base without it: OPNsense would refuse the HAProxy settings', () => {
    expect(() => merge(SAMPLE, sections, pair.privateKey)).toThrow(
      `HAProxy server nextcloud_nextcloud is to verify its certificate against CA ${HOME_CA}, which the base has not (System > Trust > Authorities lists each CA's refid)`,
    );
  });
});

describe('the web GUI and HAProxy on the same port', async () => {
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const warnings = (base: string) => {
    const out: string[] = [];
    mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, warn: (m) => out.push(m) });
    return out.filter((m) => m.startsWith('HAProxy'));
  };
  const webgui = (inner: string) => SAMPLE.replace('<webgui>\n      <protocol>https</protocol>\n    </webgui>', `<webgui>\n      <protocol>https</protocol>\n${inner}    </webgui>`);

  it('warns that HAProxy on 0.0.0.0:443 and :80 meets the factory GUI (HTTPS on 443, redirect on 80)', () => {
    expect(warnings(SAMPLE)).toEqual([
      expect.stringMatching(/^HAProxy frontend https binds 0\.0\.0\.0:443, but the web GUI listens on port 443 of every interface .*move the web GUI to another port/),
      expect.stringMatching(/^HAProxy frontend https_http_redirect binds 0\.0\.0\.0:80, but the web GUI's HTTP redirect listens on port 80 of every interface/),
    ]);
  });

  it('is quiet when the GUI moved off those ports or listens on chosen interfaces only', () => {
    const moved = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    expect(moved).not.toBe(SAMPLE);
    expect(warnings(moved)).toEqual([]);
    expect(warnings(webgui('      <interfaces>lan</interfaces>\n'))).toEqual([]);
    expect(warnings(webgui('      <port>8443</port>\n'))).toHaveLength(1);
  });
});

describe('gen opnsense merge (command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-opnsense-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { pair, yaml } = homelabWithKey();
  const topology = join(dir, 'topology.yaml');
  const base = join(dir, 'backup.xml');
  writeFileSync(topology, yaml);
  // A GUI on 8443 without its HTTP redirect leaves 80 and 443 to HAProxy.
  writeFileSync(base, SAMPLE.replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>'));

  it('writes the merged config with mode 0600, its key from the secrets directory', async () => {
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    const out = join(dir, 'merged.xml');
    const result = await gen('opnsense', 'merge', '-f', topology, '--base', base, '--secrets', secrets, '-o', out);
    // The sample's LAN DHCP range does not fit scenario A's LAN: the only thing merge has to say.
    expect(result.stderr).toBe(
      "gen: warning: removed the base's dnsmasq DHCP range 192.168.1.100-192.168.1.199 on lan: it lies outside lan's network 10.0.0.0/24 in the topology\n" +
        `gen: wrote ${out}: site home merged into ${base}, mode 0600 (restore it whole: System > Configuration > Backups)\n`,
    );
    expect(result.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const merged = readFileSync(out, 'utf8');
    expect(parse(merged).opnsense.OPNsense.wireguard.server.servers.server[0].privkey).toBe(pair.privateKey);
    expect(result.stdout).not.toContain(pair.privateKey);
    // Again, into its own output: nothing changes.
    const again = join(dir, 'again.xml');
    expect((await gen('opnsense', 'merge', '-f', topology, '--base', out, '--secrets', secrets, '-o', again)).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(merged);
  });

  it('warns on stderr, and still writes the file, when the GUI holds a port HAProxy binds', async () => {
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    const factory = join(dir, 'factory.xml');
    writeFileSync(factory, SAMPLE);
    const result = await gen('opnsense', 'merge', '-f', topology, '--base', factory, '--secrets', secrets, '-o', join(dir, 'factory-merged.xml'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^gen: warning: HAProxy frontend https binds 0\.0\.0\.0:443, but the web GUI listens on port 443/m);
    expect(statSync(join(dir, 'factory-merged.xml')).mode & 0o777).toBe(0o600);
  });

  it('refuses a base that is not UTF-8, instead of changing its bytes', async () => {
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    // A Latin-1 backup: declared, and the é of Café as the single byte 0xE9.
    const latin1 = Buffer.from(SAMPLE.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>').replace('<hostname>OPNsense</hostname>', '<hostname>OPNsense</hostname>\n    <descr>Café</descr>'), 'latin1');
    writeFileSync(join(dir, 'latin1.xml'), latin1);
    const declared = await gen('opnsense', 'merge', '-f', topology, '--base', join(dir, 'latin1.xml'), '--secrets', secrets, '-o', join(dir, 'l.xml'));
    expect([declared.code, declared.stderr]).toEqual([1, expect.stringMatching(/^gen: .*latin1\.xml declares encoding ISO-8859-1; gen merges UTF-8 backups only .*iconv -f ISO-8859-1 -t UTF-8/)]);
    // The same bytes without the declaration: not UTF-8 at the é.
    writeFileSync(join(dir, 'undeclared.xml'), Buffer.from(latin1.toString('latin1').replace(' encoding="ISO-8859-1"', ''), 'latin1'));
    const undeclared = await gen('opnsense', 'merge', '-f', topology, '--base', join(dir, 'undeclared.xml'), '--secrets', secrets, '-o', join(dir, 'u.xml'));
    expect([undeclared.code, undeclared.stderr]).toEqual([1, expect.stringMatching(/undeclared\.xml is not UTF-8 \(byte 0xE9 at offset \d+ is not valid there\)/)]);
    expect(existsSync(join(dir, 'l.xml')) || existsSync(join(dir, 'u.xml'))).toBe(false);
    // UTF-8 bytes of unmanaged text come out exactly as they went in.
    writeFileSync(join(dir, 'utf8.xml'), SAMPLE.replace('<hostname>OPNsense</hostname>', '<hostname>OPNsense</hostname>\n    <descr>Café ☕</descr>'));
    expect((await gen('opnsense', 'merge', '-f', topology, '--base', join(dir, 'utf8.xml'), '--secrets', secrets, '-o', join(dir, 'm.xml'))).code).toBe(0);
    expect(section(readFileSync(join(dir, 'm.xml'), 'utf8'), 'system')).toBe(section(readFileSync(join(dir, 'utf8.xml'), 'utf8'), 'system'));
  });

  it('fails with a clear message and exit code 1', async () => {
    const empty = join(dir, 'no-secrets');
    const result = await gen('opnsense', 'merge', '-f', topology, '--base', base, '--secrets', empty, '-o', join(dir, 'x.xml'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no private key for WireGuard instance wg0/);
    const notConfig = join(dir, 'not-config.xml');
    writeFileSync(notConfig, '<html><body/></html>');
    const bad = await gen('opnsense', 'merge', '-f', topology, '--base', notConfig, '-o', join(dir, 'y.xml'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an OPNsense configuration/);
    const noSite = await gen('opnsense', 'merge', '-f', topology, '--site', 'nowhere', '--base', base, '-o', join(dir, 'z.xml'));
    expect([noSite.code, noSite.stderr]).toEqual([2, 'gen: site "nowhere" has no firewall (sites with a firewall: home)\n']);
    const missing = await gen('opnsense', 'merge', '-f', topology, '--base', join(dir, 'missing.xml'), '-o', join(dir, 'z.xml'));
    expect([missing.code, missing.stderr]).toEqual([2, `gen: cannot read ${join(dir, 'missing.xml')}: no such backup file\n`]);
  });
});
