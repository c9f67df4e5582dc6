// gen opnsense merge: the generated sections go into an operator's backup;
// everything else stays byte for byte; merging twice equals merging once.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { MergeError, mergeConfig } from '../../src/opnsense/merge.js';
import { joinedVpc } from '../../src/opnsense/managed-rules.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { type XmlElement, attr, child, childrenNamed, serialize, textOf } from '../../src/render/opnsense/xml.js';
import { writeSecret } from '../../src/secrets.js';
import { instanceKeyPath, peerPskPath } from '../../src/paths.js';
import { generateKeyPair, generatePresharedKey } from '../../src/targets/wireguard/keys.js';
import { countArrayCalls, edit, modelOf, readExample } from '../helpers.js';
import { gen } from '../wireguard/cli.js';
import { siteToSite } from '../aws/fixtures.js';
import { HOME_CA, hostsTopology } from './haproxy-topology.js';
import { type Xml, factorySample, parse, withRoutesAndGroups, withVips } from './support.js';
import { loadModels, phpRegex } from './model-check.js';

const sample = factorySample;
/** OPNsense's factory config.xml of 26.7, the release the examples target. */
const SAMPLE = sample('26.7');
const SAMPLE_25_7 = sample('25.7');
/** A factory config without <dnsmasq> (a box that never had it configured). */
const WITHOUT_DNSMASQ = SAMPLE_25_7.replace(/ {2}<dnsmasq>[\s\S]*?<\/dnsmasq>\n/, '');

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

/** A base with `inner` (MVC sections) inside its <OPNsense> element (the 26.7 factory config has one). */
function withMvc(base: string, inner: string): string {
  return base.includes('  <OPNsense>\n') ? base.replace('  <OPNsense>\n', `  <OPNsense>\n    ${inner}\n`) : base.replace('</opnsense>', `  <OPNsense>\n    ${inner}\n  </OPNsense>\n</opnsense>`);
}

/** One stand-in certificate for all merges here, so that separate merges can be compared byte for byte. */
const STAND_IN = selfSignedCertificate(['stand-in.example']);

/** A merge that accepts the factory web GUI on 443/80 (the GUI check has its own tests below). */
function merge(base: string, sections: Awaited<ReturnType<typeof sectionsOf>>, key?: string): string {
  return mergeConfig(base, sections, { secret: () => key, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true });
}

describe('merging scenario A into the factory config of 26.7', async () => {
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const merged = merge(SAMPLE, sections, pair.privateKey);

  it('keeps <system> and every unmanaged section byte-identical, and parses', () => {
    expect(section(merged, 'system')).toBe(section(SAMPLE, 'system'));
    for (const name of ['unbound', 'rrd', 'ntpd', 'theme']) expect(section(merged, name)).toBe(section(SAMPLE, name));
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
    expect(ifs.lan).toMatchObject({ if: 'vtnet1', ipaddr: '10.0.0.1', ipaddrv6: 'idassoc6', 'track6-interface': 'wan' });
    expect(ifs.opt2).toEqual({ if: 'wg0', descr: 'WireGuard', enable: '1' });
  });

  it('honours default deny: the factory MVC "Default allow LAN" rules give way to the policy, and nothing is left in <filter>', () => {
    const doc = parse(merged).opnsense;
    const rules: Xml[] = doc.OPNsense.Firewall.Filter.rules.rule;
    expect(rules.some((r) => String(r.description).startsWith('Default allow LAN'))).toBe(false);
    expect(rules.every((r) => String(r.description).startsWith('gen: '))).toBe(true);
    expect(rules).toHaveLength(10);
    // No legacy rule (the migration assistant would show); the MSS clamp is legacy in every release.
    expect(doc.filter.rule).toBeUndefined();
    expect(doc.filter.scrub.rule.length).toBeGreaterThan(0);
  });

  it('leaves the factory sections without a version for the box to migrate (no version stamped on them)', () => {
    // OPNsense migrates an unversioned section on its first boot (and writes it whole); a
    // stamped version would skip that, and dnsmasq's template then misses what it reads.
    expect(section(merged, 'dnsmasq')).toMatch(/^<dnsmasq>/);
    expect(merged).toMatch(/<Filter>\n/);
    // Sections gen creates carry the release's version.
    expect(merged).toContain('<HAProxy version="5.0.0">');
    expect(merged).toContain('<AcmeClient version="4.4.0">');
  });
});

describe('static routes the topology drops', async () => {
  // The box's own route beside gen's (OPNsense makes version-4 UUIDs without gen's mark).
  const own = '<route uuid="0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10"><network>198.51.100.0/24</network><gateway>WAN_GW</gateway><descr>the box\'s own</descr><disabled>0</disabled></route>';

  it('go on the next merge, with their gateways; the box\'s own route stays', async () => {
    const { pair, yaml } = homelabWithKey();
    const first = merge(SAMPLE, await sectionsOf(edit(withRoutesAndGroups(), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey)), pair.privateKey);
    const routesOf = (xml: string) => {
      const list = parse(xml).opnsense.staticroutes?.route;
      return (Array.isArray(list) ? list : list ? [list] : []).map((r: Xml) => [r['@uuid'].includes('-6e67656e') ? 'gen' : 'box', r.network, r.gateway]);
    };
    expect(routesOf(first)).toEqual([
      ['gen', '172.16.0.0/16', 'GW_10_0_0_5'],
      ['gen', '203.0.113.0/24', 'WAN_GW'],
    ]);
    const withOwn = first.replace(/(<staticroutes[^>]*>)/, `$1\n    ${own}`);
    const again = merge(withOwn, await sectionsOf(yaml), pair.privateKey);
    // No route of gen's is left naming GW_10_0_0_5, which this merge removes with its route (OPNsense would refuse the model).
    expect(routesOf(again)).toEqual([['box', '198.51.100.0/24', 'WAN_GW']]);
    const gateways = parse(again).opnsense.OPNsense.Gateways.gateway_item;
    expect((Array.isArray(gateways) ? gateways : [gateways]).map((g: Xml) => g.name)).toEqual(['WAN_GW']);
  });

  it("reports a route of the box's own through a gateway of gen's that the merge removes", async () => {
    const { pair, yaml } = homelabWithKey();
    const first = merge(SAMPLE, await sectionsOf(edit(withRoutesAndGroups(), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey)), pair.privateKey);
    const theirs = own.replace('<gateway>WAN_GW</gateway>', '<gateway>GW_10_0_0_5</gateway>');
    const warnings: string[] = [];
    const options = { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m: string) => warnings.push(m) };
    mergeConfig(first.replace(/(<staticroutes[^>]*>)/, `$1\n    ${theirs}`), await sectionsOf(yaml), options);
    expect(warnings.filter((w) => w.includes('static route'))).toEqual([
      "the box's static route to 198.51.100.0/24 goes through gateway GW_10_0_0_5, which an earlier merge wrote and the topology no longer has: the route names no gateway now, and OPNsense refuses the routes until it is changed; give it another gateway (System › Routes › Configuration), or put the next hop back in the topology",
    ]);
    // Through a gateway that stays (WAN_GW), nothing to say.
    warnings.length = 0;
    mergeConfig(first.replace(/(<staticroutes[^>]*>)/, `$1\n    ${own}`), await sectionsOf(yaml), options);
    expect(warnings.filter((w) => w.includes('static route'))).toEqual([]);
  });
});

describe("the box's own static route to a destination of gen's", async () => {
  // OPNsense applies each route with `route delete` and `route add` (system_routing_configure()), and the kernel keeps
  // a destination with its host bits cleared: the box's route, written otherwise, is the one route gen writes.
  const { pair } = homelabWithKey();
  const yaml = edit(withRoutesAndGroups(), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
  const boxUuid = '0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10';
  const withOwn = (network: string) =>
    SAMPLE.replace(
      '</opnsense>',
      `  <staticroutes version="1.0.1">\n    <route uuid="${boxUuid}">\n      <network>${network}</network>\n      <gateway>LAB_GW</gateway>\n      <descr>lab</descr>\n      <enabled>1</enabled>\n    </route>\n  </staticroutes>\n</opnsense>`,
    );
  const routesOf = (xml: string) => {
    const list = parse(xml).opnsense.staticroutes.route;
    return (Array.isArray(list) ? list : [list]).map((r: Xml) => [r['@uuid'] === boxUuid ? 'box' : 'gen', r.network, r.gateway]);
  };

  it('is taken over whatever text its network has: host bits set, a length with a leading zero', async () => {
    const sections = await sectionsOf(yaml);
    for (const network of ['172.16.0.0/16', '172.16.0.5/16', '172.16.99.1/16', '172.16.0.0/016']) {
      const merged = merge(withOwn(network), sections, pair.privateKey);
      // One route to 172.16.0.0/16, gen's, in the box's item: none left beside it to replace it, or (disabled) delete it.
      expect([network, routesOf(merged)]).toEqual([
        network,
        [
          ['box', '172.16.0.0/16', 'GW_10_0_0_5'],
          ['gen', '203.0.113.0/24', 'WAN_GW'],
        ],
      ]);
      expect(merge(merged, sections, pair.privateKey)).toBe(merged);
    }
    // Another destination (a /24 inside gen's /16, another length) is another route: it stays.
    for (const network of ['172.16.0.0/24', '172.17.0.0/16']) {
      expect(routesOf(merge(withOwn(network), sections, pair.privateKey))).toEqual([
        ['box', network, 'LAB_GW'],
        ['gen', '172.16.0.0/16', 'GW_10_0_0_5'],
        ['gen', '203.0.113.0/24', 'WAN_GW'],
      ]);
    }
  });

  it('is named in a warning when it went through another gateway, whose next hop goes', async () => {
    const sections = await sectionsOf(yaml);
    const warningsOf = (base: string) => {
      const warnings: string[] = [];
      mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.includes('static route'));
    };
    expect(warningsOf(withOwn('172.16.0.5/16'))).toEqual([
      "the box's own static route to 172.16.0.5/16 through gateway LAB_GW is the route to 172.16.0.0/16 that gen writes: merge takes it over, and the traffic goes through GW_10_0_0_5 from now on " +
        "(OPNsense keeps one route to a destination); to keep the box's next hop, set that route's via in the topology to its address",
    ]);
    // Through gen's gateway, or to another destination: nothing to say.
    expect(warningsOf(withOwn('172.16.0.5/16').replace('LAB_GW', 'GW_10_0_0_5'))).toEqual([]);
    expect(warningsOf(withOwn('172.17.0.0/16'))).toEqual([]);
  });
});

describe("a box merged by an earlier gen, whose UUIDs were version 5", async () => {
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const now = merge(SAMPLE, sections, pair.privateKey);
  // The same merge as an earlier gen wrote it: each of gen's UUIDs (references included) in version 5's form.
  const mine = [...new Set([...now.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-6e67656e[0-9a-f]{4}/g)].map((m) => m[0]))];
  const earlier = new Map(mine.map((u, i) => [u, `${u.slice(0, 14)}5${u.slice(15, 24)}${u.slice(32)}${String(i).padStart(8, '0')}`]));
  let before = now;
  for (const [u, v5] of earlier) before = before.replaceAll(u, v5);

  it('takes them for its own: the next merge writes each item once, under its new UUID, as a merge into the factory config does', () => {
    expect(mine.length).toBeGreaterThan(10);
    expect(before).not.toMatch(/6e67656e/);
    const again = merge(before, sections, pair.privateKey);
    for (const v5 of earlier.values()) expect(again).not.toContain(v5);
    expect(again).toBe(now);
  });
});

describe('merging into the factory config of 25.7', async () => {
  const { pair, yaml } = homelabWithKey();
  const warnings: string[] = [];
  const sections = await sectionsOf(edit(yaml, ['sites', 0, 'firewall', 'release'], '25.7'));
  const merged = mergeConfig(SAMPLE_25_7, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });

  it('replaces the legacy "Default allow LAN" rules by the policy\'s legacy rules, and says so', () => {
    const rules: Xml[] = parse(merged).opnsense.filter.rule;
    expect(rules).toHaveLength(10);
    expect(rules.every((r) => String(r.descr).startsWith('gen: '))).toBe(true);
    expect(warnings.filter((w) => w.includes('filter rule'))).toEqual([
      'removed the base\'s filter rule "Default allow LAN to any rule" on lan: on the interfaces the topology assigns, its policy decides what passes (default deny)',
      'removed the base\'s filter rule "Default allow LAN IPv6 to any rule" on lan: on the interfaces the topology assigns, its policy decides what passes (default deny)',
    ]);
  });
});

describe('what merge keeps', () => {
  const UNMANAGED = [
    '<IDS version="1.0.9" persisted_at="1736950000.12">\n      <general><enabled>1</enabled></general>\n    </IDS>',
    '<cert uuid="1d7a7e0c-8a57-4f6e-9a54-2b8f4c3d2e10">\n    <refid>5f1e2d3c4b5a6</refid>\n    <descr><![CDATA[web GUI & API]]></descr>\n    <crt>LS0tLS1CRUdJTg==</crt>\n  </cert>',
    '<rule>\n      <type>pass</type>\n      <interface>opt9</interface>\n      <descr>guest net &amp; printers</descr>\n    </rule>',
  ];
  const base = withMvc(SAMPLE.replace('<filter>\n', `<filter>\n    ${UNMANAGED[2]}\n`).replace('</opnsense>', `  ${UNMANAGED[1]}\n</opnsense>`), UNMANAGED[0]!);

  it('leaves other plugins, certificates and rules of other interfaces untouched', async () => {
    const { pair, yaml } = homelabWithKey();
    const merged = merge(base, await sectionsOf(yaml), pair.privateKey);
    for (const text of UNMANAGED) expect(merged).toContain(text);
    expect(merge(merged, await sectionsOf(yaml), pair.privateKey)).toBe(merged);
  });

  it('drops the persisted_at stamp of a model whose content it changed', async () => {
    const { pair, yaml } = homelabWithKey();
    const stamped = '<wireguard>\n      <general version="0.0.1" persisted_at="1736950000.12">\n        <enabled>0</enabled>\n      </general>\n    </wireguard>';
    const merged = merge(withMvc(SAMPLE, stamped), await sectionsOf(yaml), pair.privateKey);
    expect(merged).toContain('<general version="0.0.1">\n        <enabled>1</enabled>');
    expect(merged).not.toContain('persisted_at');
  });

  it('fills a new placeholder <cert> with a self-signed stand-in for the ACME names, so HAProxy can start', async () => {
    const { pair, yaml } = homelabWithKey();
    const sections = await sectionsOf(yaml);
    const merged = mergeConfig(SAMPLE, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true });
    const [cert] = parse(merged).opnsense.cert;
    const pem = (field: string) => Buffer.from(cert[field], 'base64').toString('utf8');
    const x509 = new X509Certificate(pem('crt'));
    expect(x509.subject).toBe('CN=*.example.com');
    expect(x509.checkPrivateKey(createPrivateKey(pem('prv')))).toBe(true);
    expect(cert.refid).toBe(parse(merged).opnsense.OPNsense.AcmeClient.certificates.certificate[0].certRefId);
    // The stand-in stays until the ACME client replaces it: merging again changes nothing.
    expect(mergeConfig(merged, sections, { secret: () => undefined, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true })).toBe(merged);
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

  it("puts gen's <cert> after the base's last certificate, replaces the one of its uuid in place, and after every element of a base that has none", async () => {
    const { pair, yaml } = homelabWithKey();
    const sections = await sectionsOf(yaml);
    const elements = (xml: string) => parseXml(xml).root.children.filter((c): c is XmlElement => 'name' in c);
    const refidOf = (e: XmlElement) => textOf(child(e, 'refid'));
    const own = (uuid: string, refid: string) => `<cert uuid="${uuid}">\n    <refid>${refid}</refid>\n    <descr>own</descr>\n    <crt>SVNTVUVE</crt>\n  </cert>`;
    const before = (base: string, text: string) => base.replace('  <filter>\n', `  ${text}\n  <filter>\n`);
    // No certificate in the base: gen's comes after every element the base had.
    const fresh = elements(merge(SAMPLE, sections, pair.privateKey));
    const genCert = fresh.find((e) => e.name === 'cert')!;
    const baseNames = elements(SAMPLE).map((e) => e.name);
    const at = fresh.indexOf(genCert);
    for (const name of baseNames) expect(fresh.findIndex((e) => e.name === name), name).toBeLessThan(at);
    // Two of the box's before <filter>: gen's right after the second, <filter> after it, the box's where they were.
    const boxes = before(SAMPLE, `${own('aaaaaaaa-1111-4111-8111-111111111111', 'box1')}\n  ${own('bbbbbbbb-2222-4222-8222-222222222222', 'box2')}`);
    const merged = elements(merge(boxes, sections, pair.privateKey));
    const i = merged.findIndex((e) => e.name === 'cert' && refidOf(e) === 'box2');
    expect(merged.slice(i - 1, i + 3).map((e) => (e.name === 'cert' ? refidOf(e) : e.name))).toEqual(['box1', 'box2', refidOf(genCert), 'filter']);
    // A certificate of gen's uuid with another refid (an earlier merge's, edited): replaced where it stands, nothing added.
    const earlier = before(SAMPLE, `${own(attr(genCert, 'uuid')!, 'edited')}\n  ${own('bbbbbbbb-2222-4222-8222-222222222222', 'box2')}`);
    const replaced = elements(merge(earlier, sections, pair.privateKey));
    const certs = replaced.filter((e) => e.name === 'cert');
    expect(certs.map(refidOf)).toEqual([refidOf(genCert), 'box2']);
    expect(replaced[replaced.indexOf(certs[1]!) + 1]!.name).toBe('filter');
  });

  it('keeps the private key already on the box when the secrets directory has none', async () => {
    const { pair, yaml } = homelabWithKey();
    const sections = await sectionsOf(yaml);
    const merged = merge(SAMPLE, sections, pair.privateKey);
    expect(merge(merged, sections, undefined)).toBe(merged);
  });

  // enc0 carries the site-to-site VPN and the box's other IPsec tunnels: the box's rules there stay, and OPNsense runs
  // them among gen's by sequence (the compiled order: test/opnsense/opnsense-php.test.ts).
  it("names the base's rules on enc0 where the site joins the VPC, whether the policy has rules from the VPC or none", async () => {
    const mvc = (uuid: string, description: string, enabled = '1') =>
      `<rule uuid="${uuid}"><enabled>${enabled}</enabled><sequence>1</sequence><action>pass</action><quick>1</quick><interfacenot>0</interfacenot><interface>enc0</interface>` +
      `<direction>in</direction><ipprotocol>inet</ipprotocol><protocol>any</protocol><source_net>any</source_net><destination_net>any</destination_net><description>${description}</description></rule>`;
    const base = SAMPLE.replace('<rules>', `<rules>${mvc('5a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3', 'box: IPsec any')}${mvc('5b1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3', 'box: off', '0')}`);
    const pair = generateKeyPair();
    // As gen opnsense merge calls it: the sections and the joined VPC of the site.
    const said = async (yaml: string) => {
      const warnings: string[] = [];
      const model = await modelOf(yaml);
      const site = model.sites[0]!;
      const sections = siteSections(model, site).flatMap((a) => a.sections);
      mergeConfig(base, sections, {
        secret: () => pair.privateKey,
        placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
        standIn: () => STAND_IN,
        allowGuiPortConflict: true,
        joinedVpc: joinedVpc(model, site),
        warn: (m) => warnings.push(m),
      });
      return warnings.filter((w) => w.includes('enc0'));
    };
    const keyed = edit(siteToSite(), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
    const vpc = edit(keyed, ['sites', 0, 'policy', 'rules', 5], { name: 'vpc-ssh', from: 'private-2a', to: 'management', proto: 'tcp', ports: [22], action: 'pass' });
    expect(await said(vpc)).toEqual([
      'kept the base\'s filter rule "box: IPsec any" on enc0, where the topology\'s policy has rules too: OPNsense evaluates both by sequence, so it can pass or block what the policy decides there (a pass also what the policy leaves denied); remove it on the box if the policy should decide there',
    ]);
    // The VPC joined, no rule from it: gen writes nothing on enc0, yet the policy denies the VPC everything, and the
    // box's pass lets it reach every internal network (the compiled rules: test/opnsense/opnsense-php.test.ts).
    expect(await said(keyed)).toEqual([
      'kept the base\'s filter rule "box: IPsec any" on enc0, where AWS VPC main (10.30.0.0/16) arrives by the site-to-site VPN: the topology\'s policy has no rule from the VPC, ' +
        'so the VPC reaches nothing (default deny), and a pass here lets it reach what the policy denies it (the policy tests from the VPC still say deny); remove it on the box if the policy should decide there',
    ]);
    // No VPC joined to this site: enc0 is the box's other tunnels' alone.
    expect(await said(edit(keyed, ['aws', 'vpc', 'site_to_site'], undefined))).toEqual([]);
  });

  // OPNsense applies manual outbound rules (legacy, and the Filter model's source NAT rules) only in hybrid and advanced
  // mode (filter.inc, pf.inc; the pf rules themselves: test/opnsense/opnsense-php.test.ts).
  it('says when the topology\'s outbound mode turns off the box\'s own outbound rules', async () => {
    const vlans = await sectionsOf(readExample('vlan-hosting'));
    const snat = (uuid: string, description: string, enabled = '1') =>
      `<rule uuid="${uuid}"><enabled>${enabled}</enabled><nonat>0</nonat><sequence>1</sequence><interface>wan</interface><ipprotocol>inet</ipprotocol><protocol>any</protocol>` +
      `<source_net>10.0.0.0/8</source_net><source_not>0</source_not><source_port/><destination_net>any</destination_net><destination_not>0</destination_not><destination_port/>` +
      `<target>wanip</target><target_port/><log>0</log><description>${description}</description></rule>`;
    const legacy = (description: string, disabled = '') =>
      `<rule><interface>wan</interface><source><network>10.0.0.77/32</network></source><destination><any>1</any></destination>${disabled}<descr>${description}</descr></rule>`;
    const box = (mode: string, rules: string, legacyRules = '') =>
      SAMPLE.replace('<outbound>\n      <mode>automatic</mode>', `<outbound>\n      <mode>${mode}</mode>${legacyRules}`).replace('<snatrules/>', `<snatrules>${rules}</snatrules>`);
    const said = (base: string, sections = vlans) => {
      const warnings: string[] = [];
      mergeConfig(base, sections, { secret: () => undefined, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
      return warnings.filter((w) => w.startsWith("the base's outbound NAT"));
    };
    const mine = snat('0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9', 'box: everything to the WAN');
    expect(said(box('advanced', mine, legacy('box: console static port')))).toEqual([
      'the base\'s outbound NAT is in manual mode with rules of its own ("box: console static port", "box: everything to the WAN"), which OPNsense applies only in hybrid and manual mode; ' +
        'the topology\'s mode automatic turns them off (they stay in the configuration and translate nothing): set firewall.nat.outbound: hybrid to keep them, or remove them on the box',
    ]);
    expect(said(box('hybrid', mine))).toEqual([expect.stringContaining('in hybrid mode with rules of its own ("box: everything to the WAN")')]);
    // Rules that translated nothing before (automatic mode, disabled rules), or that the topology's mode keeps: nothing to say.
    expect(said(box('automatic', mine))).toEqual([]);
    expect(said(box('hybrid', snat('1b1c2d3e-4f50-4617-8283-94a5b6c7d8e9', 'off', '0'), legacy('off too', '<disabled>1</disabled>')))).toEqual([]);
    expect(said(box('advanced', mine), await sectionsOf(edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'nat'], { outbound: 'hybrid' })))).toEqual([]);
    // gen's own rule of an earlier merge (hybrid for a full tunnel) that the topology no longer needs goes with it, silently.
    const { pair, yaml } = homelabWithKey();
    const full = merge(SAMPLE, await sectionsOf(edit(yaml, ['sites', 0, 'wireguard', 0, 'tunnel'], 'full')), pair.privateKey);
    expect(full).toContain('<mode>hybrid</mode>');
    const split = await sectionsOf(yaml);
    expect(said(full, split)).toEqual([]);
    expect(merge(full, split, pair.privateKey)).toContain('<mode>automatic</mode>');
  });

  it('names the base\'s floating and interface-group rules that reach the interfaces it manages: OPNsense runs them before the policy', async () => {
    const { pair, yaml } = homelabWithKey();
    const rule = (iface: string, descr: string, extra = '') => `      <rule>\n        <type>pass</type>\n        <interface>${iface}</interface>\n${extra}        <descr>${descr}</descr>\n      </rule>\n`;
    const base = SAMPLE.replace('  <filter>\n', '  <filter>\n' +
      rule('lab', 'Lab group any') +
      rule('lan,opt9', 'Floating pass', '        <floating>yes</floating>\n') +
      rule('', 'Floating everywhere', '        <floating>yes</floating>\n') +
      rule('lan', 'Old floating', '        <floating>yes</floating>\n        <disabled>1</disabled>\n') +
      rule('dmz', 'DMZ group', '')).replace('</opnsense>', '  <ifgroups>\n    <ifgroupentry>\n      <ifname>lab</ifname>\n      <members>lan opt1</members>\n    </ifgroupentry>\n    <ifgroupentry>\n      <ifname>dmz</ifname>\n      <members>opt9</members>\n    </ifgroupentry>\n  </ifgroups>\n</opnsense>');
    const warnings: string[] = [];
    const merged = mergeConfig(base, await sectionsOf(yaml), { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
    const kept = warnings.filter((w) => w.startsWith('kept the base'));
    expect(kept).toEqual([
      'kept the base\'s filter rule "Lab group any", interface group lab (lan, opt1): OPNsense evaluates it before the topology\'s policy on lan, opt1, so it can pass or block what the policy decides; remove it on the box if the policy should decide there',
      'kept the base\'s filter rule "Floating pass", floating (lan, opt9): OPNsense evaluates it before the topology\'s policy on lan, so it can pass or block what the policy decides; remove it on the box if the policy should decide there',
      expect.stringMatching(/^kept the base's filter rule "Floating everywhere", floating \(every interface\): OPNsense evaluates it before the topology's policy on (wan, )?lan, opt1/),
    ]);
    // Kept, as said.
    for (const descr of ['Lab group any', 'Floating pass', 'Floating everywhere', 'Old floating', 'DMZ group']) expect(merged).toContain(`<descr>${descr}</descr>`);
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

describe('merging into its own result', () => {
  it('copies and writes no rule gen writes again to compare it, and leaves gen\'s sections as they were', async () => {
    const { pair, yaml } = homelabWithKey();
    const rules = (parseYaml(yaml) as { sites: { policy: { rules: unknown[] } }[] }).sites[0]!.policy.rules;
    const work = async (extra: number) => {
      const more = Array.from({ length: extra }, (_, i) => ({ name: `extra-${i}`, from: 'vpn', to: 'management', proto: 'tcp', ports: [1000 + i], action: 'pass' }));
      const sections = await sectionsOf(edit(yaml, ['sites', 0, 'policy', 'rules'], [...more, ...rules]));
      const before = sections.map((s) => serialize(s));
      const first = merge(SAMPLE, sections, pair.privateKey);
      const again = countArrayCalls(['map'], () => merge(first, sections, pair.privateKey));
      expect(again.result).toBe(first);
      // Each rule is compared with the box's by writing gen's once (its start tag and its text: two joins) against the
      // box's text as read: the box's rule is never made into elements (parse.ts, lazyItems), nor written.
      const joins = countArrayCalls(['join'], () => merge(first, sections, pair.privateKey)).calls;
      // The private key went into the merged file, not into gen's sections.
      expect(first).toContain(pair.privateKey);
      expect(sections.map((s) => serialize(s))).toEqual(before);
      return { maps: again.calls, joins, rules: first.match(/<rule uuid=/g)!.length };
    };
    const [a, b] = [await work(0), await work(100)];
    expect(b.rules - a.rules).toBe(100);
    // A copy of an MVC filter rule makes two arrays per element (attributes, children): 2 × (fields + 1).
    const fields = (await sectionsOf(yaml)).flatMap((s) => childrenNamed(child(child(child(s, 'Firewall'), 'Filter'), 'rules'), 'rule'))[0]!.children.length;
    expect((b.maps - a.maps) / 100).toBeLessThan((fields + 1) / 4);
    expect((b.joins - a.joins) / 100).toBeLessThanOrEqual(2);
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
  it('replaces the factory dnsmasq IPv4 range of an interface and keeps its IPv6 range, DNS port and missing version (26.7)', async () => {
    const sections = await sectionsOf(readExample('vlan-hosting'));
    const merged = merge(SAMPLE, sections);
    expect(merge(merged, sections)).toBe(merged);
    const dnsmasq = parse(merged).opnsense.dnsmasq;
    // Unversioned in the factory config: OPNsense migrates (and completes) it on the first boot.
    expect(dnsmasq['@version']).toBeUndefined();
    expect(dnsmasq.port).toBe('53053');
    expect(dnsmasq.interface).toBe('lan,opt1,opt2,opt3');
    expect(dnsmasq.dhcp_ranges.map((r: Xml) => `${r.interface} ${r.start_addr}-${r.end_addr}`)).toEqual([
      'lan 192.168.1.128-192.168.1.254',
      'opt1 192.168.10.128-192.168.10.254',
      'opt2 192.168.20.128-192.168.20.254',
      'opt3 192.168.30.100-192.168.30.199',
      'lan ::1000-::2000',
    ]);
    expect(parse(merged).opnsense.vlans.vlan.map((v: Xml) => v.vlanif)).toEqual(['vlan0.10', 'vlan0.20', 'vlan0.30']);
  });

  it('names each box range a merge wakes by turning on the box\'s dnsmasq, where dnsmasq listens and hands out leases', async () => {
    const sections = await sectionsOf(readExample('vlan-hosting'));
    const warnings: string[] = [];
    const run = (base: string) => {
      warnings.length = 0;
      const merged = mergeConfig(base, sections, { secret: () => undefined, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m: string) => warnings.push(m) });
      return { merged, woken: warnings.filter((w) => w.includes('starts serving')) };
    };
    const range = (uuid: string, iface: string, from: string, to: string) =>
      `<dhcp_ranges uuid="${uuid}">\n      <interface>${iface}</interface>\n      <start_addr>${from}</start_addr>\n      <end_addr>${to}</end_addr>\n    </dhcp_ranges>\n    `;
    // The box's dnsmasq off, listening on lan and its opt7, with a range left on opt7 and one of no interface.
    const box = (enable: string, list: string, assigned = true) =>
      SAMPLE.replace(/(<interfaces>[\s\S]*?)(<\/interfaces>)/, assigned ? '$1<opt7><if>vtnet7</if><enable>1</enable></opt7>$2' : '$1$2')
        .replace(/(<dnsmasq>\s*)<enable>1<\/enable>/, `$1<enable>${enable}</enable>`)
        .replace(/(<dnsmasq>[\s\S]*?)<interface>lan<\/interface>/, `$1<interface>${list}</interface>`)
        .replace(/(<dnsmasq>[\s\S]*?)(<dhcp_ranges)/, (_, head, ranges) => head + range('d1d1d1d1-0000-4000-8000-000000000001', 'opt7', '10.77.0.100', '10.77.0.199') + range('d1d1d1d1-0000-4000-8000-000000000002', '', '10.78.0.100', '10.78.0.199') + ranges);
    const off = box('0', 'lan,opt7');
    expect(off).not.toBe(SAMPLE);
    const woken = run(off);
    expect(parse(woken.merged).opnsense.dnsmasq.enable).toBe('1');
    expect(woken.woken).toEqual([
      "the box's dnsmasq DHCP range 10.77.0.100-10.77.0.199 on opt7 starts serving: the box's dnsmasq was off and the merged config turns it on for the topology's DHCP; remove that range (Services › Dnsmasq DNS & DHCP › DHCP ranges) if another DHCP server answers on opt7",
      "the box's dnsmasq DHCP range 10.78.0.100-10.78.0.199 of no interface starts serving: the box's dnsmasq was off and the merged config turns it on for the topology's DHCP; remove that range (Services › Dnsmasq DNS & DHCP › DHCP ranges) if another DHCP server answers there",
      // The factory's IPv6 range of lan, which gen keeps beside its IPv4 one.
      "the box's dnsmasq DHCP range ::1000-::2000 on lan starts serving: the box's dnsmasq was off and the merged config turns it on for the topology's DHCP; remove that range (Services › Dnsmasq DNS & DHCP › DHCP ranges) if another DHCP server answers on lan",
    ]);
    // A dnsmasq that already ran served them before the merge.
    expect(run(box('1', 'lan,opt7')).woken).toEqual([]);
    // dnsmasq does not listen on opt7 (the list is the box's lan and gen's interfaces), or its DHCP excepts opt7: that range stays idle.
    expect(run(box('0', 'lan')).woken.filter((w) => w.includes('opt7'))).toEqual([]);
    const excepted = box('0', 'lan,opt7').replace(/(<dnsmasq>[\s\S]*?<dhcp>)/, '$1\n      <no_interface>opt7</no_interface>');
    expect(excepted).toContain('<no_interface>opt7</no_interface>');
    expect(run(excepted).woken.filter((w) => w.includes('opt7'))).toEqual([]);
    // opt7 no longer assigned: dnsmasq.conf lists no device for it and tags its range with the key, which no request carries.
    const unassigned = box('0', 'lan,opt7', false);
    expect(unassigned).not.toContain('<opt7>');
    expect(run(unassigned).woken.filter((w) => w.includes('opt7'))).toEqual([]);
  });

  it('writes a whole dnsmasq section with the release\'s version, and its DNS off (port 0), where the base has none; a port the base sets stays', async () => {
    const sections = await sectionsOf(readExample('vlan-hosting'));
    const fresh = merge(WITHOUT_DNSMASQ, sections);
    const dnsmasq = parse(fresh).opnsense.dnsmasq;
    expect(dnsmasq['@version']).toBe('1.0.9');
    expect(dnsmasq.port).toBe('0');
    // The settings dnsmasq's template reads, as OPNsense's model writes them.
    expect(dnsmasq.dhcp).toMatchObject({ host_ping: '1', enable_ra: '0' });
    expect(merge(fresh, sections)).toBe(fresh);
    const dnsOn53 = SAMPLE_25_7.replace('<port>0</port>', '<port>53</port>');
    expect(dnsOn53).not.toBe(SAMPLE_25_7);
    expect(parse(merge(dnsOn53, sections)).opnsense.dnsmasq.port).toBe('53');
  });

  it('a DHCP reservation replaces the box\'s host entry of its name or MAC, never a host of that name in a domain', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'], { static: [{ name: 'nas', mac: '52:54:00:aa:bb:cc', address: '192.168.1.10' }] });
    const host = (uuid: string, name: string, domain: string, ip: string, mac = '') =>
      `<hosts uuid="${uuid}">\n      <host>${name}</host>\n      <domain>${domain}</domain>\n      <ip>${ip}</ip>\n      <hwaddr>${mac}</hwaddr>\n    </hosts>\n    `;
    const base = SAMPLE.replace(/(<dnsmasq>[\s\S]*?)(<dhcp_ranges)/, (_, head, ranges) =>
      head + host('c1c1c1c1-0000-4000-8000-000000000001', 'nas', 'corp.example', '10.9.9.9') + host('c1c1c1c1-0000-4000-8000-000000000002', 'nas', '', '192.168.1.99') + ranges);
    expect(base).not.toBe(SAMPLE);
    const hosts: Xml[] = [parse(merge(base, await sectionsOf(yaml))).opnsense.dnsmasq.hosts].flat();
    expect(hosts.map((h) => [h.host, h.domain ?? '', h.ip])).toEqual([
      ['nas', 'corp.example', '10.9.9.9'],
      ['nas', '', '192.168.1.10'],
    ]);
  });

  it('a DHCP reservation replaces the box\'s entry of its MAC in any letter case, also in a domain', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'], { static: [{ name: 'nas', mac: '52:54:00:ab:cd:ef', address: '192.168.1.10' }] });
    const base = SAMPLE.replace(/(<dnsmasq>[\s\S]*?)(<dhcp_ranges)/, (_, head, ranges) =>
      `${head}<hosts uuid="c1c1c1c1-0000-4000-8000-000000000003">\n      <host>nas</host>\n      <domain>Home.Arpa</domain>\n      <ip>192.168.1.10</ip>\n      <hwaddr>52:54:00:AB:CD:EF</hwaddr>\n    </hosts>\n    ${ranges}`);
    expect(base).not.toBe(SAMPLE);
    const hosts: Xml[] = [parse(merge(base, await sectionsOf(yaml))).opnsense.dnsmasq.hosts].flat();
    expect(hosts.map((h) => [h['@uuid'], h.host, h.ip])).toEqual([['c1c1c1c1-0000-4000-8000-000000000003', 'nas', '192.168.1.10']]);
  });

  /** gen's `sections` merged into SAMPLE whose dnsmasq holds `hosts` (Host items) before its DHCP ranges: the merged Hosts, and every warning. */
  const mergedWithHosts = (sections: Awaited<ReturnType<typeof sectionsOf>>, hosts: string): { hosts: Xml[]; warnings: string[] } => {
    const base = SAMPLE.replace(/(<dnsmasq>[\s\S]*?)(<dhcp_ranges)/, (_, head, ranges) => head + hosts + ranges);
    expect(base).not.toBe(SAMPLE);
    const warnings: string[] = [];
    const merged = mergeConfig(base, sections, { secret: () => undefined, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
    return { hosts: [parse(merged).opnsense.dnsmasq.hosts].flat(), warnings };
  };

  // A Host's MAC field is a list; the box's Host of gen's MAC among others stays beside gen's reservation (taking it
  // over would drop the operator's other MACs), and dnsmasq gives the MAC the dhcp-host line written last wherever both
  // lines are for the client's network: one without an address, or with another address in it.
  it('says which Host dnsmasq gives a MAC that the box\'s Host of more MACs shares with a DHCP reservation, and keeps both', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'], { static: [{ name: 'nas', mac: '52:54:00:aa:bb:cc', address: '192.168.1.10' }] });
    const sections = await sectionsOf(yaml);
    const host = (n: number, name: string, ip: string, macs: string, descr = '') =>
      `<hosts uuid="c1c1c1c1-0000-4000-8000-00000000001${n}">\n      <host>${name}</host>\n      <domain/>\n      <ip>${ip}</ip>\n      <client_id/>\n      <hwaddr>${macs}</hwaddr>\n      <descr>${descr}</descr>\n    </hosts>\n    `;
    const run = (hosts: string) => {
      const merged = mergedWithHosts(sections, hosts);
      return { hosts: merged.hosts.map((h) => [h.host, h.ip ?? '', h.hwaddr]), warnings: merged.warnings.filter((w) => w.includes('lists the MAC')) };
    };
    const fix = "remove 52:54:00:aa:bb:cc from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts), or the reservation from the topology";
    // gen's reservation goes after the box's Hosts: its line is written last, and dnsmasq takes it.
    const after = run(
      host(1, 'printer', '192.168.1.50', '52:54:00:AA:BB:CC,52:54:00:11:22:33', 'office printer') +
        host(2, 'laptop', '', '52:54:00:44:55:66,52:54:00:aa:bb:cc') +
        host(3, 'phone', '10.9.9.9', '52:54:00:aa:bb:cc,52:54:00:77:88:99') +
        host(4, 'tv', '', '52:54:00:aa:bb:cd,52:54:00:aa:bb:ce'),
    );
    expect(after.hosts).toEqual([
      ['printer', '192.168.1.50', '52:54:00:AA:BB:CC,52:54:00:11:22:33'],
      ['laptop', '', '52:54:00:44:55:66,52:54:00:aa:bb:cc'],
      ['phone', '10.9.9.9', '52:54:00:aa:bb:cc,52:54:00:77:88:99'],
      ['tv', '', '52:54:00:aa:bb:cd,52:54:00:aa:bb:ce'],
      ['nas', '192.168.1.10', '52:54:00:aa:bb:cc'],
    ]);
    // The phone's line is for 10.9.9.0/24 only (is_config_in_context()), gen's for 192.168.1.0/24: no word of it.
    expect(after.warnings).toEqual([
      `the box's Host "office printer" (printer 52:54:00:AA:BB:CC,52:54:00:11:22:33) lists the MAC 52:54:00:aa:bb:cc of gen's DHCP reservation nas (192.168.1.10) and reserves 192.168.1.50 in the same network: ` +
        `dnsmasq gives a client of 192.168.1.0/24 the dhcp-host line of its MAC written last, gen's, so the box's Host no longer applies to 52:54:00:aa:bb:cc there; ${fix}`,
      `the box's Host c1c1c1c1-0000-4000-8000-000000000012 (laptop 52:54:00:44:55:66,52:54:00:aa:bb:cc) lists the MAC 52:54:00:aa:bb:cc of gen's DHCP reservation nas (192.168.1.10) and reserves no address, so its line is for every network: ` +
        `dnsmasq gives a client of 192.168.1.0/24 the dhcp-host line of its MAC written last, gen's, so the box's Host no longer applies to 52:54:00:aa:bb:cc there; ${fix}`,
    ]);
    // gen's reservation takes the place of the box's Host of its name, before the printer's: the printer's line wins.
    const before = run(host(1, 'nas', '192.168.1.99', '52:54:00:00:00:99') + host(2, 'printer', '192.168.1.50', '52:54:00:11:22:33,52:54:00:aa:bb:cc'));
    expect(before.hosts).toEqual([
      ['nas', '192.168.1.10', '52:54:00:aa:bb:cc'],
      ['printer', '192.168.1.50', '52:54:00:11:22:33,52:54:00:aa:bb:cc'],
    ]);
    expect(before.warnings).toEqual([
      `the box's Host c1c1c1c1-0000-4000-8000-000000000012 (printer 52:54:00:11:22:33,52:54:00:aa:bb:cc) lists the MAC 52:54:00:aa:bb:cc of gen's DHCP reservation nas (192.168.1.10) and reserves 192.168.1.50 in the same network: ` +
        `dnsmasq gives a client of 192.168.1.0/24 the dhcp-host line of its MAC written last, the box's Host c1c1c1c1-0000-4000-8000-000000000012 (printer 52:54:00:11:22:33,52:54:00:aa:bb:cc), so the client does not get gen's reservation of 192.168.1.10; ${fix}`,
    ]);
    // Its list being gen's one MAC in capitals, the box's Host is gen's reservation's: taken over, as before.
    expect(run(host(1, 'printer', '192.168.1.50', '52:54:00:AA:BB:CC'))).toEqual({ hosts: [['nas', '192.168.1.10', '52:54:00:aa:bb:cc']], warnings: [] });
  });

  // A client sends option 61 as 01 and its MAC unless told otherwise, and dnsmasq matches a line of that client id
  // before any line of the MAC (find_config_match()), the one written last first: the box's Host of it takes the
  // client of gen's reservation wherever its line is for gen's network, whatever the order of the lines.
  it("says which box's Host dnsmasq gives a client of a reservation's MAC by the client id it sends, before gen's line of the MAC", async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'], { static: [{ name: 'nas', mac: '52:54:00:aa:bb:cc', address: '192.168.1.10' }] });
    const sections = await sectionsOf(yaml);
    const host = (n: number, name: string, ip: string, clientId: string, macs = '') =>
      `<hosts uuid="c1c1c1c1-0000-4000-8000-00000000003${n}">\n      <host>${name}</host>\n      <domain/>\n      <ip>${ip}</ip>\n      <client_id>${clientId}</client_id>\n      <hwaddr>${macs}</hwaddr>\n      <descr/>\n    </hosts>\n    `;
    const run = (hosts: string) => mergedWithHosts(sections, hosts).warnings.filter((w) => w.includes('client id'));
    const fix = "remove the client id from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts), or the reservation from the topology";
    const sends = "the one a client of the MAC 52:54:00:aa:bb:cc of gen's DHCP reservation nas (192.168.1.10) sends unless told otherwise (Windows, busybox udhcpc)";
    const said = run(
      host(1, 'laptop', '192.168.1.60', '01:52:54:00:AA:BB:CC', '52:54:00:44:55:66') +
        host(2, 'phone', '', '01:52:54:00:aa:bb:cc') +
        host(3, 'tv', '10.9.9.9', '01:52:54:00:aa:bb:cc') +
        host(4, 'other', '', '01:52:54:00:aa:bb:cd') +
        host(5, 'any', '', '*', '52:54:00:77:88:99'),
    );
    // The tv's line is for 10.9.9.0/24 only, the other's id is another MAC's, '*' is no client id: no word of them.
    expect(said).toEqual([
      `the box's Host c1c1c1c1-0000-4000-8000-000000000031 (laptop 52:54:00:44:55:66) has the client id 01:52:54:00:AA:BB:CC, ${sends}, and reserves 192.168.1.60 in the same network: ` +
        `dnsmasq matches a client's client id before its MAC, so a client of 192.168.1.0/24 that sends it gets the dhcp-host line of the box's Host c1c1c1c1-0000-4000-8000-000000000032 (phone 01:52:54:00:aa:bb:cc), which reserves no address, not gen's reservation of 192.168.1.10; ${fix}`,
      `the box's Host c1c1c1c1-0000-4000-8000-000000000032 (phone 01:52:54:00:aa:bb:cc) has the client id 01:52:54:00:aa:bb:cc, ${sends}, and reserves no address, so its line is for every network: ` +
        `dnsmasq matches a client's client id before its MAC, so a client of 192.168.1.0/24 that sends it gets the dhcp-host line of the box's Host c1c1c1c1-0000-4000-8000-000000000032 (phone 01:52:54:00:aa:bb:cc), which reserves no address, not gen's reservation of 192.168.1.10; ${fix}`,
    ]);
    // A Host of that client id that lists gen's MAC too gets this warning, not the one of a shared MAC.
    const both = mergedWithHosts(sections, host(1, 'laptop', '192.168.1.60', '01:52:54:00:aa:bb:cc', '52:54:00:44:55:66,52:54:00:aa:bb:cc')).warnings;
    expect(both.filter((w) => w.includes('lists the MAC'))).toEqual([]);
    expect(both.filter((w) => w.includes('client id'))).toEqual([expect.stringMatching(/^the box's Host \S+ \(laptop 52:54:00:44:55:66,52:54:00:aa:bb:cc\) has the client id 01:52:54:00:aa:bb:cc, .* gets the dhcp-host line of the box's Host \S+ \(laptop .*\) and 192\.168\.1\.60, not gen's reservation of 192\.168\.1\.10; /)]);
  });

  // OPNsense's template writes a dhcp-host line only for a Host with a client id or a ':' in its MAC list, though the
  // model takes a MAC with dashes or dots: a box's Host of only those reserves nothing, and merge says so.
  it("names the box's Host whose MACs, none with colons, get no dhcp-host line, and how to write them", async () => {
    const sections = await sectionsOf(readExample('vlan-hosting'));
    const host = (n: number, name: string, ip: string, macs: string, clientId = '') =>
      `<hosts uuid="c1c1c1c1-0000-4000-8000-00000000004${n}">\n      <host>${name}</host>\n      <domain/>\n      <ip>${ip}</ip>\n      <client_id>${clientId}</client_id>\n      <hwaddr>${macs}</hwaddr>\n      <descr/>\n    </hosts>\n    `;
    const { hosts, warnings } = mergedWithHosts(
      sections,
      host(1, 'scanner', '192.168.1.70,fd00::70', '52-54-00-AA-BB-03,5254.00aa.bb04') +
        host(2, 'camera', '', '52-54-00-aa-bb-05') +
        host(3, 'laptop', '192.168.1.71', '52-54-00-aa-bb-06', '01:52:54:00:aa:bb:06') +
        host(4, 'phone', '192.168.1.72', '52:54:00:aa:bb:07,52-54-00-aa-bb-08') +
        host(5, 'name-only', '192.168.1.73', ''),
    );
    expect(hosts).toHaveLength(5);
    // The laptop's client id and the phone's colon get them a line; the name-only Host has no MAC to reserve for.
    const fix = 'in Services › Dnsmasq DNS & DHCP › Hosts';
    expect(warnings.filter((w) => w.includes('writes no dhcp-host line'))).toEqual([
      `the box's Host c1c1c1c1-0000-4000-8000-000000000041 (scanner 52-54-00-AA-BB-03,5254.00aa.bb04) has no client id and none of its MACs has a ':', so OPNsense's template writes no dhcp-host line for it ` +
        `(only for a Host with a client id or a MAC with colons): dnsmasq knows none of its MACs, and a client of them does not get its reservation of 192.168.1.70, fd00::70; ` +
        `write the Host's MACs with colons (52:54:00:AA:BB:03,52:54:00:aa:bb:04) ${fix}`,
      `the box's Host c1c1c1c1-0000-4000-8000-000000000042 (camera 52-54-00-aa-bb-05) has no client id and none of its MACs has a ':', so OPNsense's template writes no dhcp-host line for it ` +
        `(only for a Host with a client id or a MAC with colons): dnsmasq knows none of its MACs, and a client of them gets none of the Host's name, lease time, tag or ignore; ` +
        `write the Host's MACs with colons (52:54:00:aa:bb:05) ${fix}`,
    ]);
  });

  // On a line the template writes (a MAC with colons), a MAC with dashes is a word dnsmasq reads as a name: the Host's
  // without a name of its own, and its client gets nothing of the Host.
  it("names the box's Host without a name whose MAC with dashes dnsmasq reads as its name", async () => {
    const { warnings } = mergedWithHosts(
      await sectionsOf(readExample('vlan-hosting')),
      `<hosts uuid="c1c1c1c1-0000-4000-8000-000000000051">\n      <host/>\n      <domain/>\n      <ip>192.168.1.74</ip>\n      <client_id/>\n      <hwaddr>52:54:00:aa:bb:09,52-54-00-aa-bb-0a</hwaddr>\n      <descr/>\n    </hosts>\n    `,
    );
    expect(warnings.filter((w) => w.includes('not a MAC'))).toEqual([
      expect.stringMatching(
        /^the box's Host c1c1c1c1-0000-4000-8000-000000000051 \(52:54:00:aa:bb:09,52-54-00-aa-bb-0a\) lists 52-54-00-aa-bb-0a without colons, .* dnsmasq 2\.9\S+ takes a word as a MAC only with a ':', so it reads 52-54-00-aa-bb-0a as a name, not a MAC: a client of it does not get the Host's reservation of 192\.168\.1\.74, and the Host's other clients \(52:54:00:aa:bb:09\) get 52-54-00-aa-bb-0a as their name; write the Host's MACs with colons \(52:54:00:aa:bb:0a\) in Services › Dnsmasq DNS & DHCP › Hosts$/,
      ),
    ]);
  });

  // gen's reservation replaces the name, addresses and MAC list of the box's Host it takes over (by name, or by MAC when
  // that is the Host's one MAC): what the box's had beyond gen's goes, and merge says so.
  it('names what a box\'s Host taken over by a DHCP reservation loses: its other MACs and addresses, its name', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'], { static: [{ name: 'nas', mac: '52:54:00:aa:bb:cc', address: '192.168.1.10' }] });
    const sections = await sectionsOf(yaml);
    const host = (name: string, ip: string, macs: string) =>
      `<hosts uuid="c1c1c1c1-0000-4000-8000-000000000021">\n      <host>${name}</host>\n      <domain/>\n      <ip>${ip}</ip>\n      <hwaddr>${macs}</hwaddr>\n      <descr>storage</descr>\n    </hosts>\n    `;
    const run = (hosts: string) => {
      const merged = mergedWithHosts(sections, hosts);
      return { hosts: merged.hosts.map((h) => [h['@uuid'], h.host, h.ip, h.hwaddr]), warnings: merged.warnings.filter((w) => w.includes('merge takes it over and writes')) };
    };
    const fix = 'to keep them, give them a Host of their own on the box (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup';
    const taken = ['c1c1c1c1-0000-4000-8000-000000000021', 'nas', '192.168.1.10', '52:54:00:aa:bb:cc'];
    // By name: a second MAC, an IPv6 address and another IPv4 one go.
    const byName = run(host('NAS', '192.168.1.99,[fd00:0:0::99]', '52:54:00:00:00:99,52:54:00:AA:BB:CC'));
    expect(byName.hosts).toEqual([taken]);
    expect(byName.warnings).toEqual([
      `the box's own Host "storage" (NAS 52:54:00:00:00:99,52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place, ` +
        `so the MAC 52:54:00:00:00:99, the address 192.168.1.99, the address fd00:0:0::99 lose their reservation; ${fix}`,
    ]);
    // By its one MAC: its address and its name go.
    const byMac = run(host('printer', '192.168.1.50', '52:54:00:AA:BB:CC'));
    expect(byMac.hosts).toEqual([taken]);
    expect(byMac.warnings).toEqual([
      `the box's own Host "storage" (printer 52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place, ` +
        `so the address 192.168.1.50 loses its reservation, and the name printer its DNS answer (gen's is nas); ${fix}`,
    ]);
    // Nothing of the box's goes (the same values in other forms): no word.
    expect(run(host('Nas', '192.168.1.10', '52:54:00:AA:BB:CC'))).toEqual({ hosts: [taken], warnings: [] });
    // Its client id stays on gen's reservation (gen writes none): another client's id is said, the one gen's client
    // sends for its MAC (01 and the MAC) or '*' is not.
    const withId = (id: string) => run(host('nas', '192.168.1.10', '52:54:00:AA:BB:CC').replace('<hwaddr>', `<client_id>${id}</client_id>\n      <hwaddr>`));
    expect(withId('01:52:54:00:00:00:99').warnings).toEqual([
      `the box's own Host "storage" (nas 52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place; ` +
        `it keeps the Host's client id 01:52:54:00:00:00:99 (gen writes none), and dnsmasq matches a client's client id before its MAC, so a client that sends it gets gen's reservation of 192.168.1.10 too: ` +
        "remove the client id from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup",
    ]);
    expect(withId('01:52:54:00:AA:BB:CC').warnings).toEqual([]);
    expect(withId('*').warnings).toEqual([]);
    // Ignore on would have dnsmasq answer no client of gen's line (`ignore`): gen's 0 is written, and said, with the
    // box's other MAC no longer ignored. Its lease time and tag stay (gen writes none): they only adjust the lease.
    const ignoring = (macs: string, lease = '86400', ignore = '1') =>
      mergedWithHosts(sections, host('nas', '192.168.1.10', macs).replace('<descr>', `<lease_time>${lease}</lease_time>\n      <ignore>${ignore}</ignore>\n      <set_tag>c1c1c1c1-0000-4000-8000-0000000000a1</set_tag>\n      <descr>`));
    const ignored = ignoring('52:54:00:AA:BB:CC');
    expect(ignored.hosts.map((h) => [h.host, h.hwaddr, h.ignore, h.lease_time, h.set_tag])).toEqual([['nas', '52:54:00:aa:bb:cc', '0', '86400', 'c1c1c1c1-0000-4000-8000-0000000000a1']]);
    const unignore = "the box's Host has Ignore on, with which dnsmasq answers none of its clients, so merge writes gen's off: the client of 52:54:00:aa:bb:cc gets 192.168.1.10";
    const ignoreFix = '; to have dnsmasq ignore a client, give it a Host of its own with Ignore on (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup';
    expect(ignored.warnings.filter((w) => w.includes('merge takes it over and writes'))).toEqual([
      `the box's own Host "storage" (nas 52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place; ${unignore}${ignoreFix}`,
    ]);
    const freed = ': dnsmasq answers it as a client of no Host, with an address of a dynamic range of its link where there is one';
    expect(ignoring('52:54:00:00:00:99,52:54:00:AA:BB:CC').warnings.filter((w) => w.includes('merge takes it over and writes'))).toEqual([
      `the box's own Host "storage" (nas 52:54:00:00:00:99,52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place; ` +
        `${unignore}, and the MAC 52:54:00:00:00:99 is no longer ignored${freed}${ignoreFix}`,
    ]);
    // An ignored Host reserved its other addresses for no client, so they lose no reservation; dnsmasq kept them out of
    // its ranges (config_find_by_address() reads no ignore), which gen's line no longer does. A MAC another box Host
    // lists gets that Host's line, not the range's.
    const other = '<hosts uuid="c1c1c1c1-0000-4000-8000-000000000022">\n      <host>spare</host>\n      <domain/>\n      <ip>192.168.1.98</ip>\n      <hwaddr>52:54:00:00:00:99</hwaddr>\n      <descr/>\n    </hosts>\n    ';
    const withAddress = mergedWithHosts(sections, host('nas', '192.168.1.99,192.168.1.10', '52:54:00:00:00:99,52:54:00:AA:BB:CC').replace('<descr>', '<ignore>1</ignore>\n      <descr>') + other);
    expect(withAddress.warnings.filter((w) => w.includes('merge takes it over and writes'))).toEqual([
      `the box's own Host "storage" (nas 52:54:00:00:00:99,52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place; ` +
        `${unignore}, and the MAC 52:54:00:00:00:99 is no longer ignored, and the address 192.168.1.99, which dnsmasq gave no client but kept out of its ranges, is no longer kept out${ignoreFix}`,
    ]);
    // The lease time it keeps is said where it is not the range's (86400 seconds, the template's default): dnsmasq takes
    // a dhcp-host line's over its range's, and raises one below 120 seconds to 120.
    const leased = (lease: string) => ignoring('52:54:00:AA:BB:CC', lease, '0').warnings.filter((w) => w.includes('merge takes it over and writes'));
    const leaseSaid = (time: string) =>
      `the box's own Host "storage" (nas 52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place; ` +
      `it keeps the Host's lease time (gen writes none), which dnsmasq takes over the range's: the client of 52:54:00:aa:bb:cc leases 192.168.1.10 for ${time}, not its range's 86400 seconds, unless it asks for a shorter lease; ` +
      "for the range's, empty the box's Host's lease time (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup";
    expect(leased('600')).toEqual([leaseSaid('600 seconds')]);
    expect(leased('60')).toEqual([leaseSaid('120 seconds')]);
    expect(leased('0')).toEqual([leaseSaid('an infinite lease')]);
    expect(leased('86400')).toEqual([]);
    expect(leased('')).toEqual([]);
    // Its tag is said where a box's DHCP option or boot entry matches on it and reaches gen's client: dnsmasq applies a
    // line only where every tag:<uuid> and its interface's tag:<device> are on the request (match_netid()), and gen's
    // client's request carries its device's name, its dhcp-host line's set: tags, and tags a dhcp-match or its range
    // sets, never another Host's.
    const tags =
      '<dhcp_tags uuid="c1c1c1c1-0000-4000-8000-0000000000a1">\n      <tag>pxe</tag>\n    </dhcp_tags>\n    ' +
      '<dhcp_tags uuid="c1c1c1c1-0000-4000-8000-0000000000a9">\n      <tag>uefi</tag>\n    </dhcp_tags>\n    ';
    const option = (tag: string, fields = '<type>set</type>') =>
      `<dhcp_options uuid="c1c1c1c1-0000-4000-8000-0000000000b1">\n      ${fields}\n      <option>66</option>\n      <tag>${tag}</tag>\n      <value>tftp.example</value>\n    </dhcp_options>\n    `;
    const matching = '<dhcp_options uuid="c1c1c1c1-0000-4000-8000-0000000000b2">\n      <type>match</type>\n      <option>93</option>\n      <set_tag>c1c1c1c1-0000-4000-8000-0000000000a9</set_tag>\n      <value>7</value>\n    </dhcp_options>\n    ';
    const otherHost = '<hosts uuid="c1c1c1c1-0000-4000-8000-000000000023">\n      <host>spare</host>\n      <ip>192.168.1.98</ip>\n      <hwaddr>52:54:00:00:00:98</hwaddr>\n      <set_tag>c1c1c1c1-0000-4000-8000-0000000000a9</set_tag>\n    </hosts>\n    ';
    const tagged = (extra: string) =>
      mergedWithHosts(sections, tags + extra + host('nas', '192.168.1.10', '52:54:00:AA:BB:CC').replace('<descr>', '<set_tag>c1c1c1c1-0000-4000-8000-0000000000a1</set_tag>\n      <descr>')).warnings.filter((w) => w.includes('merge takes it over and writes'));
    const tagSaid = (items: string) => [
      `the box's own Host "storage" (nas 52:54:00:AA:BB:CC) is gen's DHCP reservation nas (192.168.1.10, 52:54:00:aa:bb:cc): merge takes it over and writes gen's name, address and MAC in its place; ` +
        `it keeps the Host's tag pxe (gen writes none), on which the box's ${items}: dnsmasq gives the client of 52:54:00:aa:bb:cc what it sets; ` +
        "to keep the client from them, remove the tag from the box's Host (Services › Dnsmasq DNS & DHCP › Hosts) and export a new backup",
    ];
    const both = 'c1c1c1c1-0000-4000-8000-0000000000a9,c1c1c1c1-0000-4000-8000-0000000000a1';
    expect(tagged(option('c1c1c1c1-0000-4000-8000-0000000000a1'))).toEqual(tagSaid('DHCP option c1c1c1c1-0000-4000-8000-0000000000b1 matches'));
    // Its other tag set by a DHCP match: only a request that matches carries it.
    expect(tagged(matching + option(both))).toEqual(
      tagSaid('DHCP option c1c1c1c1-0000-4000-8000-0000000000b1 (where the request also carries the tag uefi, which a DHCP match or range sets) matches'),
    );
    // Its other tag set by nothing, or only by another Host: no request of gen's client carries it.
    expect(tagged(option(both))).toEqual([]);
    expect(tagged(otherHost + option(both))).toEqual([]);
    // Its interface gen's client's (lan, vtnet1), or another (opt1, a VLAN device).
    expect(tagged(option('c1c1c1c1-0000-4000-8000-0000000000a1', '<type>set</type>\n      <interface>lan</interface>'))).toEqual(tagSaid('DHCP option c1c1c1c1-0000-4000-8000-0000000000b1 matches'));
    expect(tagged(option('c1c1c1c1-0000-4000-8000-0000000000a1', '<type>set</type>\n      <interface>opt1</interface>'))).toEqual([]);
    // A match option's tag field is not written (the template writes dhcp-match=set:<its set tag>).
    expect(tagged(option('c1c1c1c1-0000-4000-8000-0000000000a1', '<type>match</type>'))).toEqual([]);
    const boot = '<dhcp_boot uuid="c1c1c1c1-0000-4000-8000-0000000000c1">\n      <tag>c1c1c1c1-0000-4000-8000-0000000000a1</tag>\n      <filename>pxelinux.0</filename>\n    </dhcp_boot>\n    ';
    expect(tagged(boot)).toEqual(tagSaid('boot entry c1c1c1c1-0000-4000-8000-0000000000c1 matches'));
    expect(tagged(option('c1c1c1c1-0000-4000-8000-0000000000a9'))).toEqual([]);
    expect(tagged('')).toEqual([]);
  });

  // An option 6 the operator adds for tagged clients after gen's of an earlier merge stays after it: dnsmasq sends those
  // clients the later line (dhcp-common.c option_filter(); the real exchange is dnsmasq-option-overrides.test.ts's).
  it("names the box's tagged DNS option that comes after gen's of an earlier merge, and not one before it", async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'dns'], ['1.1.1.1', '9.9.9.9']);
    const sections = await sectionsOf(yaml);
    const options = { secret: () => undefined, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true };
    const first = mergeConfig(SAMPLE, sections, options);
    const tagged =
      '<dhcp_tags uuid="c1c1c1c1-0000-4000-8000-0000000000a1">\n      <tag>printers</tag>\n    </dhcp_tags>\n    ' +
      '<hosts uuid="c1c1c1c1-0000-4000-8000-000000000031">\n      <host>printer</host>\n      <ip>192.168.1.60</ip>\n      <hwaddr>52:54:00:00:00:60</hwaddr>\n      <set_tag>c1c1c1c1-0000-4000-8000-0000000000a1</set_tag>\n    </hosts>\n    ';
    const option = '<dhcp_options uuid="c1c1c1c1-0000-4000-8000-0000000000b6">\n      <type>set</type>\n      <option>6</option>\n      <tag>c1c1c1c1-0000-4000-8000-0000000000a1</tag>\n      <value>8.8.8.8</value>\n    </dhcp_options>\n    ';
    const again = (base: string) => {
      const warnings: string[] = [];
      mergeConfig(base, sections, Object.assign({}, options, { warn: (m: string) => warnings.push(m) }));
      return warnings.filter((w) => w.includes('comes after gen\'s option'));
    };
    const lastOption = first.lastIndexOf('</dhcp_options>') + '</dhcp_options>'.length;
    expect(lastOption).toBeGreaterThan(15);
    const after = first.slice(0, lastOption) + '\n    ' + tagged + option + first.slice(lastOption);
    expect(again(after)).toEqual([
      expect.stringMatching(
        /^the box's DHCP option c1c1c1c1-0000-4000-8000-0000000000b6 \(dhcp-option=tag:c1c1c1c10000400080000000000000a1,6,8\.8\.8\.8\) comes after gen's option 6 of lan \(dhcp-option=tag:vtnet1,6,1\.1\.1\.1,9\.9\.9\.9\) in dnsmasq\.conf, .* the clients on vtnet1 that carry the tag printers \(set by Host printer\) get 8\.8\.8\.8, not gen's 1\.1\.1\.1,9\.9\.9\.9; /,
      ),
    ]);
    // The same option in a backup gen never merged into comes before gen's, which merge adds after the box's last.
    expect(again(SAMPLE.replace(/(<dnsmasq>[\s\S]*?)(<dhcp_ranges)/, (_, head, ranges) => head + tagged + option + ranges))).toEqual([]);
  });

  // gen's option 6 of lan is the box's dnsmasq line of the same type, interface, option and tags: a box's option 6 for
  // tagged clients (dhcp-option=tag:<its tag>,tag:vtnet1,6,...) or a dhcp-match on option 6 is another line, and taking
  // it over would write gen's untagged line in its place and drop it.
  it("takes over only the box's DHCP option of the same type, interface, option and tags", async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp', 'dns'], ['1.1.1.1', '9.9.9.9']);
    const sections = await sectionsOf(yaml);
    const tag = '<dhcp_tags uuid="c1c1c1c1-0000-4000-8000-0000000000a1">\n      <tag>printers</tag>\n    </dhcp_tags>\n    ';
    const option = (uuid: string, fields: string) => `<dhcp_options uuid="${uuid}">\n      ${fields}\n      <option>6</option>\n      <interface>lan</interface>\n      <value>8.8.8.8</value>\n    </dhcp_options>\n    `;
    const box = (options: string) => SAMPLE.replace(/(<dnsmasq>[\s\S]*?)(<dhcp_ranges)/, (_, head, ranges) => head + tag + options + ranges);
    const optionsOf = (merged: string) =>
      (parse(merged).opnsense.dnsmasq.dhcp_options as Xml[])
        .filter((o) => o.interface === 'lan' && o.option === '6')
        .map((o) => ({ uuid: o['@uuid'], type: o.type ?? '', tag: o.tag ?? '', value: o.value ?? '' }));
    const tagged = option('c1c1c1c1-0000-4000-8000-0000000000b1', '<type>set</type>\n      <tag>c1c1c1c1-0000-4000-8000-0000000000a1</tag>');
    const matching = option('c1c1c1c1-0000-4000-8000-0000000000b2', '<type>match</type>\n      <set_tag>c1c1c1c1-0000-4000-8000-0000000000a1</set_tag>');
    const kept = optionsOf(merge(box(tagged + matching), sections));
    expect(kept).toEqual(
      expect.arrayContaining([
        { uuid: 'c1c1c1c1-0000-4000-8000-0000000000b1', type: 'set', tag: 'c1c1c1c1-0000-4000-8000-0000000000a1', value: '8.8.8.8' },
        { uuid: 'c1c1c1c1-0000-4000-8000-0000000000b2', type: 'match', tag: '', value: '8.8.8.8' },
        expect.objectContaining({ type: 'set', tag: '', value: '1.1.1.1,9.9.9.9' }),
      ]),
    );
    expect(kept).toHaveLength(3);
    // The box's untagged option 6 of lan is gen's: taken over (its UUID, gen's value), with its type set or, from a
    // backup older than the field, missing (the model's Default, set).
    for (const fields of ['<type>set</type>', '']) {
      const taken = optionsOf(merge(box(option('c1c1c1c1-0000-4000-8000-0000000000b3', fields || '<tag/>')), sections));
      expect(taken).toEqual([{ uuid: 'c1c1c1c1-0000-4000-8000-0000000000b3', type: 'set', tag: '', value: '1.1.1.1,9.9.9.9' }]);
    }
  });

  it('an MTU of the base the topology does not set is removed with a warning that says how to keep it', async () => {
    const { pair, yaml } = homelabWithKey();
    const warnings: string[] = [];
    const options = { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m: string) => warnings.push(m) };
    const pppoe = SAMPLE.replace(/(<wan>[\s\S]*?)<mtu\/>/, '$1<mtu>1492</mtu>');
    expect(pppoe).not.toBe(SAMPLE);
    const merged = mergeConfig(pppoe, await sectionsOf(yaml), options);
    expect(parse(merged).opnsense.interfaces.wan.mtu).toBeUndefined();
    expect(warnings).toContain("removed the base's MTU 1492 of wan (WAN): the topology sets none for it (set mtu: 1492 on that interface to keep it)");
    warnings.length = 0;
    const kept = mergeConfig(pppoe, await sectionsOf(edit(yaml, ['sites', 0, 'firewall', 'interfaces', 0, 'mtu'], 1492)), options);
    expect(parse(kept).opnsense.interfaces.wan.mtu).toBe('1492');
    expect(warnings.filter((w) => w.includes('MTU'))).toEqual([]);
  });

  it('an empty dnsmasq port (a box installed at 25.1 or earlier, migrated) becomes 0 unless the operator runs that dnsmasq', async () => {
    // Empty is 53 to OPNsense (Dnsmasq.php; its template then writes no port= line): dnsmasq would take
    // Unbound's port, fail to bind and serve no DHCP. An enabled dnsmasq on 53 is the operator's DNS: kept.
    const sections = await sectionsOf(readExample('vlan-hosting'));
    const migrated = SAMPLE_25_7.replace(/<enable>1<\/enable>(\s*)<port>0<\/port>/, '<enable>0</enable>$1<port/>');
    expect(migrated).not.toBe(SAMPLE_25_7);
    const merged = merge(migrated, sections);
    expect(parse(merged).opnsense.dnsmasq).toMatchObject({ enable: '1', port: '0' });
    expect(merge(merged, sections)).toBe(merged);
    const operatorsDns = SAMPLE_25_7.replace(/<port>0<\/port>/, '<port/>');
    expect(parse(merge(operatorsDns, sections)).opnsense.dnsmasq.port).toBe('');
    // A disabled dnsmasq's 53 is nobody's: gen enables it for DHCP, so 0. An enabled one without <port> (53) stays so.
    const disabled53 = SAMPLE_25_7.replace(/<enable>1<\/enable>(\s*)<port>0<\/port>/, '<enable>0</enable>$1<port>53</port>');
    expect(disabled53).not.toBe(SAMPLE_25_7);
    expect(parse(merge(disabled53, sections)).opnsense.dnsmasq).toMatchObject({ enable: '1', port: '0' });
    const noPort = SAMPLE_25_7.replace(/(<enable>1<\/enable>)\s*<port>0<\/port>/, '$1');
    expect(noPort).not.toBe(SAMPLE_25_7);
    expect(parse(merge(noPort, sections)).opnsense.dnsmasq.port).toBeUndefined();
  });

  it('removes, with a warning, the base\'s DHCP for a network an interface no longer has (ISC would not start)', async () => {
    const warnings: string[] = [];
    const run = (base: string) => {
      const { pair, yaml } = homelabWithKey();
      return sectionsOf(yaml).then((sections) =>
        mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) }),
      );
    };
    // Scenario A has no DHCP; the factory config serves 192.168.1.100-199 on lan, which becomes 10.0.0.1/24.
    const withIsc = SAMPLE.replace('  <unbound>', '  <dhcpd>\n    <lan>\n      <enable>1</enable>\n      <range>\n        <from>192.168.1.100</from>\n        <to>192.168.1.199</to>\n      </range>\n    </lan>\n  </dhcpd>\n  <unbound>');
    const merged = parse(await run(withIsc)).opnsense;
    expect(merged.dhcpd?.lan).toBeUndefined();
    expect(merged.dnsmasq.dhcp_ranges.map((r: Xml) => r.start_addr)).toEqual(['::1000']);
    expect(warnings.filter((w) => w.includes('DHCP range'))).toEqual([
      "removed the base's ISC DHCP range 192.168.1.100-192.168.1.199 on lan: it lies outside lan's network 10.0.0.0/24 in the topology",
      "removed the base's dnsmasq DHCP range 192.168.1.100-192.168.1.199 on lan: it lies outside lan's network 10.0.0.0/24 in the topology",
    ]);
    // A range inside the new network stays.
    const kept = SAMPLE.replace('<start_addr>192.168.1.100</start_addr>', '<start_addr>10.0.0.100</start_addr>').replace('<end_addr>192.168.1.199</end_addr>', '<end_addr>10.0.0.199</end_addr>');
    const ranges = parse(await run(kept)).opnsense.dnsmasq.dhcp_ranges;
    expect(ranges.map((r: Xml) => r.start_addr)).toEqual(['10.0.0.100', '::1000']);
  });

  it('writes ISC dhcpd when the topology asks for it, in place of dnsmasq ranges on those interfaces (25.7)', async () => {
    const yaml = edit(edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'release'], '25.7'), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
    const merged = merge(SAMPLE_25_7, await sectionsOf(yaml));
    expect(section(merged, 'system')).toBe(section(SAMPLE_25_7, 'system'));
    const doc = parse(merged).opnsense;
    expect(doc.dhcpd.lan).toMatchObject({ enable: '1', range: { from: '192.168.1.128', to: '192.168.1.254' } });
    expect(Object.keys(doc.dhcpd)).toEqual(['lan', 'opt1', 'opt2', 'opt3']);
    expect(doc.dnsmasq.dhcp_ranges).toBeUndefined();
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

  it('XML it could not write back exactly, located; a comment with "--", as the XML error it is', () => {
    // OPNsense writes none of these; a merge that rewrites the section would drop them.
    const at = (needle: string, base: string) => {
      const before = base.slice(0, base.indexOf(needle)).split('\n');
      return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
    };
    const cases = [
      ['<?operator-note keep me?>', 'a processing instruction inside <interfaces>'],
      ['Mixed text in interfaces', 'text beside the elements of <interfaces>'],
      ['<![CDATA[ cdata ]]>', 'text beside the elements of <interfaces>'],
    ];
    for (const [inserted, what] of cases) {
      const base = SAMPLE.replace('  <interfaces>\n', `  <interfaces>\n    ${inserted}\n`);
      expect(base).not.toBe(SAMPLE);
      expect(attempt(base), inserted).toThrow(`the base holds XML that the merged config could not keep exactly (${at(inserted!, base)}: ${what}: OPNsense writes none`);
    }
    const dashes = SAMPLE.replace('  <interfaces>\n', '  <interfaces>\n    <!-- old -- rules -->\n');
    expect(attempt(dashes)).toThrow(`the base is not well-formed XML (${at('-- rules', dashes)}: "--" is not allowed inside a comment)`);
    // What stays fine: a comment, text in a leaf, CDATA in a leaf, instructions around the root.
    const fine = SAMPLE.replace('  <interfaces>\n', '  <interfaces>\n    <!-- the operator\'s note -->\n').replace('<opnsense>', '<?operator-note before the root?>\n<opnsense>');
    expect(merge(fine, sections, pair.privateKey)).toContain("<!-- the operator's note -->");
    expect(parseXml('<opnsense><a><![CDATA[x < y]]></a></opnsense>').root.children).toEqual([expect.objectContaining({ name: 'a', children: [{ text: 'x < y' }] })]);
  });

  it('a base that assigns a device gen assigns to another key', () => {
    const base = SAMPLE.replace('  </interfaces>', '    <opt7>\n      <if>vtnet2</if>\n      <descr>OLDSERVICE</descr>\n    </opt7>\n  </interfaces>');
    expect(attempt(base)).toThrow(MergeError);
    expect(attempt(base)).toThrow(/assigns device vtnet2 to opt7 \(OLDSERVICE\), but the topology assigns it to opt1/);
  });

  it('a base that has two of the keys gen writes with their devices the other way round', () => {
    // The box's wg0 made by hand first (opt1), the Service NIC after it (opt2);
    // the topology has them the other way. A dnsmasq range of the box's Service
    // network on opt2 would land on the WireGuard device.
    const swapped = SAMPLE.replace(
      '  </interfaces>',
      '    <opt1>\n      <if>wg0</if>\n      <descr>WireGuard</descr>\n      <enable>1</enable>\n    </opt1>\n' +
        '    <opt2>\n      <if>vtnet2</if>\n      <descr>Service</descr>\n      <enable>1</enable>\n    </opt2>\n  </interfaces>',
    );
    expect(attempt(swapped)).toThrow(MergeError);
    expect(attempt(swapped)).toThrow(/assigns device wg0 to opt1 \(WireGuard\), but the topology assigns it to opt2: set "assign: opt1"/);
    // The same keys with the topology's devices merge.
    const same = swapped.replace('<if>wg0</if>', '<if>vtnet2-x</if>').replace('<if>vtnet2</if>', '<if>wg0</if>').replace('<if>vtnet2-x</if>', '<if>vtnet2</if>');
    expect(() => attempt(same)()).not.toThrow();
  });

  it('IPv6 the box configures on a key gen writes is named, once the LAN hands out none it is not', () => {
    const warnings = (base: string) => {
      const said: string[] = [];
      mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => said.push(m) });
      return said.filter((m) => m.includes('IPv6 on'));
    };
    expect(warnings(SAMPLE)).toEqual([expect.stringContaining('the base configures IPv6 on lan (Management) (idassoc6)')]);
    const lan = SAMPLE.slice(SAMPLE.indexOf('<lan>'), SAMPLE.indexOf('</lan>'));
    expect(lan).toContain('<ipaddrv6>idassoc6</ipaddrv6>');
    expect(warnings(SAMPLE.replace(lan, lan.replace('<ipaddrv6>idassoc6</ipaddrv6>', '<ipaddrv6>none</ipaddrv6>')))).toEqual([]);
    expect(warnings(SAMPLE.replace(lan, lan.replace('<ipaddrv6>idassoc6</ipaddrv6>', '<ipaddrv6>2001:db8::1</ipaddrv6>')))).toEqual([expect.stringContaining('(2001:db8::1)')]);
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
  const attempt = (base: string, allowGuiPortConflict = false) => {
    const warnings: string[] = [];
    const run = () => mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict, warn: (m) => warnings.push(m) });
    return { run, warnings };
  };
  const webgui = (inner: string, base = SAMPLE) => base.replace('<webgui>\n      <protocol>https</protocol>\n    </webgui>', `<webgui>\n      <protocol>https</protocol>\n${inner}    </webgui>`);
  /** The box's own HAProxy: its frontends (name, binds, enabled) and the custom options of its global section. */
  const boxHaproxy = (frontends: readonly (readonly [string, string, string?])[], customOptions = '') =>
    `<HAProxy version="5.0.0">\n      <general>\n        <enabled>1</enabled>\n        <tuning>\n          <customOptions>${customOptions}</customOptions>\n        </tuning>\n      </general>\n      <frontends>\n` +
    frontends
      .map(([name, bind, enabled = '1'], i) => `        <frontend uuid="7c2d9a3e-5b1f-4c8d-9e0a-1f2b3c4d5e6${i}">\n          <enabled>${enabled}</enabled>\n          <name>${name}</name>\n          <bind>${bind}</bind>\n        </frontend>\n`)
      .join('') +
    `      </frontends>\n    </HAProxy>`;
  // HAProxy's global `noreuseport` (cfgparse-global.c): no SO_REUSEPORT(_LB) on its sockets.
  const noReusePort = (base: string) => withMvc(base, boxHaproxy([], 'noreuseport'));
  /** The warnings of a merge of gen's `merged` sections into `base` with the box's own frontend legacy_site on `bind`, which the merge keeps. */
  const ownFrontendWarnings = (base: string, bind: string, merged: typeof sections = sections): string[] => {
    const warnings: string[] = [];
    const text = mergeConfig(withMvc(base, boxHaproxy([['legacy_site', bind]])), merged, {
      secret: () => pair.privateKey,
      placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
      standIn: () => STAND_IN,
      warn: (m) => warnings.push(m),
    });
    expect(text).toContain('<name>legacy_site</name>');
    return warnings;
  };

  it('keeps the box\'s noreuseport in HAProxy\'s custom options, which these checks read', () => {
    expect(attempt(noReusePort(webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n'))).run()).toMatch(/<customOptions>noreuseport<\/customOptions>/);
  });

  it('refuses HAProxy on 0.0.0.0:443 and :80 while the factory GUI listens there (HTTPS on 443, redirect on 80), naming the settings', () => {
    const { run } = attempt(SAMPLE);
    expect(run).toThrow(MergeError);
    expect(run).toThrow(/HAProxy frontend https binds 0\.0\.0\.0:443, but the web GUI \(TCP port 443\) listens on port 443 of every interface: HAProxy would not start, and the WAN pass to port 443 would reach the web GUI/);
    // Only the LAN as the GUI's interfaces would hand its port to HAProxy's SO_REUSEPORT_LB wildcard: not offered.
    expect(run).toThrow(/give the web GUI another TCP port \(<webgui><port>\); or bind the frontend to one address/);
    expect(run).toThrow(/HAProxy frontend https_http_redirect binds 0\.0\.0\.0:80, but the web GUI's HTTP redirect listens on port 80 .*disable its HTTP redirect \(<webgui><disablehttpredirect>\)/);
    expect(run).toThrow(/--allow-gui-port-conflict merges anyway/);
    expect(attempt(noReusePort(SAMPLE)).run).toThrow(/give the web GUI another TCP port \(<webgui><port>\) or only the LAN as listen interfaces \(<webgui><interfaces>\)/);
  });

  it('merges anyway with allowGuiPortConflict, and warns', () => {
    const { run, warnings } = attempt(SAMPLE, true);
    expect(run()).toContain('<HAProxy version="5.0.0">');
    expect(warnings.filter((w) => w.startsWith('HAProxy'))).toHaveLength(2);
  });

  it('accepts a GUI moved off those ports; one on the LAN only too, when HAProxy joins no SO_REUSEPORT_LB group', () => {
    const moved = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    expect(moved).not.toBe(SAMPLE);
    expect(attempt(moved).run()).toContain('<HAProxy');
    // Port 8443, but the redirect still on 80.
    expect(attempt(webgui('      <port>8443</port>\n')).run).toThrow(/https_http_redirect binds 0\.0\.0\.0:80/);
    // The GUI's sockets on the LAN's addresses: HAProxy's wildcard group is looked up before them and takes their connections.
    const lanOnly = webgui('      <interfaces>lan</interfaces>\n');
    expect(attempt(lanOnly).run).toThrow(
      /HAProxy frontend https binds 0\.0\.0\.0:443, and the web GUI \(TCP port 443\) listens on port 443 of its chosen interfaces: HAProxy's socket joins an SO_REUSEPORT_LB group, which FreeBSD looks up before the web GUI's sockets, so HAProxy would take every IPv4 connection to port 443, those to the web GUI's IPv4 addresses too, and the web GUI would not answer at them \(its IPv6 addresses keep theirs: an IPv4 socket's group takes no IPv6 connection\)/,
    );
    expect(attempt(lanOnly).run).toThrow(/give the web GUI another TCP port \(<webgui><port>\), or disable its HTTP redirect|give the web GUI another TCP port \(<webgui><port>\); or bind/);
    // Without the group, the GUI's more specific sockets keep their connections.
    expect(attempt(noReusePort(lanOnly)).run()).toContain('<HAProxy');
  });

  it('refuses a GUI whose chosen listen interfaces include the WAN: HAProxy\'s wildcard group takes its port, or without one its socket on the WAN address takes the WAN pass\'s connections', () => {
    for (const listed of ['wan', 'lan,wan', 'lan, wan']) {
      const base = webgui(`      <interfaces>${listed}</interfaces>\n`);
      expect(attempt(base).run).toThrow(/HAProxy frontend https binds 0\.0\.0\.0:443, and the web GUI \(TCP port 443\) listens on port 443 of the WAN: HAProxy's socket joins an SO_REUSEPORT_LB group/);
      expect(attempt(noReusePort(base)).run).toThrow(
        /HAProxy frontend https binds 0\.0\.0\.0:443, but the web GUI \(TCP port 443\) listens on port 443 of the WAN: HAProxy would not get the connections to the WAN address, and the WAN pass to port 443 would reach the web GUI/,
      );
    }
    // Interface keys, not descriptions or parts of names: opt1 and lan are no WAN.
    expect(attempt(noReusePort(webgui('      <interfaces>lan,opt1</interfaces>\n'))).run()).toContain('<HAProxy');
  });

  it('checks the base\'s own enabled frontends too: a GUI conflict, two frontends on one address and port, or one on an address beside gen\'s on the wildcard', () => {
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    const withOwn = (bind: string, enabled?: string, customOptions?: string) => withMvc(free, boxHaproxy([['legacy_site', bind, enabled]], customOptions));
    // Both bind with SO_REUSEPORT_LB, into one group that FreeBSD splits the connections over.
    expect(attempt(withOwn('0.0.0.0:443')).run).toThrow(
      /HAProxy frontends legacy_site \(0\.0\.0\.0:443\) and https \(0\.0\.0\.0:443\) listen on the same port of the same address: HAProxy sets SO_REUSEPORT_LB on both sockets, so both bind it, and FreeBSD hands each connection to one of them by a hash of the client's address and port: each frontend gets some of them/,
    );
    expect(attempt(withOwn('0.0.0.0:443', '1', 'noreuseport')).run).toThrow(
      /HAProxy frontends legacy_site \(0\.0\.0\.0:443\) and https \(0\.0\.0\.0:443\) listen on the same port: with noreuseport in HAProxy's custom options \(Services > HAProxy > Settings > Global Parameters\) FreeBSD refuses the second bind, and HAProxy would not start/,
    );
    expect(attempt(withOwn('0.0.0.0:443', '0')).run()).toContain('<name>legacy_site</name>');
    // An address beside gen's wildcard: both start, the address's socket takes its connections.
    const beside = attempt(withOwn('192.168.0.2:80,0.0.0.0:8080-8090'));
    expect(beside.run()).toContain('<name>legacy_site</name>');
    expect(beside.warnings).toContain(
      "the base's HAProxy frontend legacy_site (192.168.0.2:80) takes the connections to 192.168.0.2 on port 80, and gen's HAProxy frontend https_http_redirect (0.0.0.0:80) only those to other addresses: " +
        'FreeBSD hands a connection to a socket bound to its address before one bound to the wildcard. If https_http_redirect is to answer at 192.168.0.2 too, give legacy_site another port or disable it (Services > HAProxy > Settings > Virtual Services)',
    );
    expect(attempt(withOwn('0.0.0.0:9443,[::]:9443')).run()).toContain('<name>legacy_site</name>');
    // Two binds of one frontend on one address: with the group both serve it; without, the second cannot bind.
    expect(attempt(withOwn('[fd00::1]:9443,[fd00:0:0::1]:9443')).run()).toContain('<name>legacy_site</name>');
    const alone = (bind: string) => attempt(withOwn(bind, '1', 'noreuseport')).run;
    // IPv6 addresses by value, as HAProxy binds them: one address in two texts, the wildcard in another text.
    expect(alone('[fd00::1]:9443,[fd00:0:0::1]:9443')).toThrow(/HAProxy frontend legacy_site binds both \[fd00::1\]:9443 and \[fd00:0:0::1\]:9443: with noreuseport/);
    expect(alone('[::]:9443,[0:0::0]:9443')).toThrow(/HAProxy frontend legacy_site binds both \[::\]:9443 and \[0:0::0\]:9443/);
    // An address beside the wildcard is no clash, with or without the group.
    expect(alone('[fd00::1]:9443,[0:0::0]:9443')()).toContain('<name>legacy_site</name>');
    expect(alone('[fd00::1]:9443,[fd00::2]:9443,0.0.0.0:9443')()).toContain('<name>legacy_site</name>');
    // A range after more single ports than it spans is looked up port by port (EarlierBinds): the first single it takes, or none.
    expect(alone('0.0.0.0:9000,0.0.0.0:9001,0.0.0.0:9002,0.0.0.0:9001-9002')).toThrow(/HAProxy frontend legacy_site binds both 0\.0\.0\.0:9001 and 0\.0\.0\.0:9001-9002/);
    expect(alone('192.168.0.2:9000,192.168.0.3:9001,0.0.0.0:9002,192.168.0.3:9000-9001')).toThrow(/binds both 192\.168\.0\.3:9001 and 192\.168\.0\.3:9000-9001/);
    expect(alone('0.0.0.0:9000,0.0.0.0:9001,0.0.0.0:9002,0.0.0.0:9003-9004')()).toContain('<name>legacy_site</name>');
    expect(alone('192.168.0.2:9000,192.168.0.2:9001,192.168.0.2:9002,192.168.0.3:9000-9001')()).toContain('<name>legacy_site</name>');
    expect(alone('0.0.0.0:9000,192.168.0.2:9001,0.0.0.0:9000-9001')).toThrow(/binds both 0\.0\.0\.0:9000 and 0\.0\.0\.0:9000-9001/);
    expect(attempt(withOwn('0.0.0.0:8443')).run).toThrow(/HAProxy frontend legacy_site binds 0\.0\.0\.0:8443, but the web GUI \(TCP port 8443\)/);
    // The factory GUI on 443 against the box's own frontend on 8443: fine; on 443 of a base where gen binds elsewhere: refused.
    const guiOn443 = withMvc(SAMPLE, boxHaproxy([['legacy_site', '0.0.0.0:8443']]));
    expect(attempt(guiOn443).run).toThrow(/HAProxy frontend https binds 0\.0\.0\.0:443/);
  });

  it("says a frontend of the base's that binds a host name on a port of gen's frontend on an address may bind that address, merge cannot tell", async () => {
    const onAddress = await sectionsOf(edit(yaml, ['sites', 0, 'haproxy', 'frontends', 0, 'bind'], '192.168.0.2:443'));
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    const said = (bind: string) => ownFrontendWarnings(free, bind, onAddress).filter((w) => w.includes('binds a host name'));
    expect(said('fw.example.org:443')).toEqual([
      "the base's HAProxy frontend legacy_site (fw.example.org:443) binds a host name, which HAProxy resolves when it starts (getaddrinfo(): the box's /etc/hosts, then its DNS; a name it cannot resolve stops HAProxy), " +
        "and gen's HAProxy frontend https (192.168.0.2:443) listens on port 443 of 192.168.0.2: merge cannot tell whether fw.example.org is 192.168.0.2. " +
        "If it is, both bind it, and FreeBSD hands each connection to one of the two by a hash of the client's address and port (SO_REUSEPORT_LB), or, with noreuseport in HAProxy's custom options, HAProxy does not start. " +
        'Bind legacy_site to an address instead of a name, give it another port, or disable it (Services > HAProxy > Settings > Virtual Services)',
    ]);
    // Another port, another family (ipv6@ resolves to IPv6 only), or an address (judged as one): nothing to tell.
    expect(said('fw.example.org:8444')).toEqual([]);
    expect(said('ipv6@fw.example.org:443')).toEqual([]);
    expect(said('192.168.0.3:443')).toEqual([]);
    // Beside gen's wildcard the name takes its address's connections, whichever it is: the shadow warning says so.
    const warnings = ownFrontendWarnings(free, 'fw.example.org:443');
    expect(warnings.filter((w) => w.includes('binds a host name'))).toEqual([]);
    expect(warnings).toContain(
      "the base's HAProxy frontend legacy_site (fw.example.org:443) takes the connections to fw.example.org on port 443, and gen's HAProxy frontend https (0.0.0.0:443) only those to other addresses: " +
        'FreeBSD hands a connection to a socket bound to its address before one bound to the wildcard. If https is to answer at fw.example.org too, give legacy_site another port or disable it (Services > HAProxy > Settings > Virtual Services)',
    );
  });

  it('refuses a frontend on an address the GUI binds on its chosen interfaces: theirs, their IP aliases and CARP VIPs that allow binding, and the loopback\'s', () => {
    const chosen = (listed: string, base = SAMPLE) => webgui(`      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n      <interfaces>${listed}</interfaces>\n`, base);
    const own = (base: string, bind: string, bindOptions?: string) => {
      const haproxy = boxHaproxy([['legacy_site', bind]]);
      return attempt(withMvc(base, bindOptions === undefined ? haproxy : haproxy.replace('</bind>', `</bind>\n          <bindOptions>${bindOptions}</bindOptions>`))).run;
    };
    // lan (the topology's management network, 10.0.0.1) as the GUI's only listen interface: lighttpd binds 10.0.0.1:8443 first at boot.
    expect(own(chosen('lan'), '10.0.0.1:8443')).toThrow(
      /HAProxy frontend legacy_site binds 10\.0\.0\.1:8443, but the web GUI \(TCP port 8443\) listens on port 8443 of 10\.0\.0\.1 \(one of lan's addresses, lan being one of its listen interfaces\): lighttpd sets no SO_REUSEPORT, so FreeBSD refuses the later of the two binds: HAProxy would not start, or the web GUI would not when it restarts\. In System > Settings > Administration give the web GUI another TCP port \(<webgui><port>\) or listen interfaces without lan \(<webgui><interfaces>\); or bind the frontend to another address/,
    );
    // webgui_configure_do() puts lo0 before the listed interfaces.
    expect(own(chosen('lan'), '127.0.0.1:8443')).toThrow(
      /HAProxy frontend legacy_site binds 127\.0\.0\.1:8443, but the web GUI \(TCP port 8443\) listens on port 8443 of 127\.0\.0\.1 \(the loopback, where it listens whenever it has listen interfaces\): .*give the web GUI another TCP port \(<webgui><port>\); or bind the frontend to another address/,
    );
    expect(own(chosen('lan'), '[::1]:8443')).toThrow(/binds \[::1\]:8443, but the web GUI \(TCP port 8443\) listens on port 8443 of ::1 \(the loopback/);
    // Another interface's address, listed or not; beside a GUI on every interface (0.0.0.0), a specific address binds.
    expect(own(chosen('lan'), '10.1.0.1:8443')()).toContain('<name>legacy_site</name>');
    expect(own(chosen('lan,opt1'), '10.1.0.1:8443')).toThrow(/listens on port 8443 of 10\.1\.0\.1 \(one of opt1's addresses, opt1 being one of its listen interfaces\)/);
    expect(own(webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n'), '10.0.0.1:8443')()).toContain('<name>legacy_site</name>');
    // The WAN's static address keeps its own message: the WAN pass then reaches the GUI.
    expect(own(chosen('wan'), '192.168.0.2:8443')).toThrow(/binds 192\.168\.0\.2:8443, but the web GUI \(TCP port 8443\) listens on port 8443 of the WAN: HAProxy would not start, and the WAN pass to port 8443 would reach the web GUI/);
    // An IP alias on lan is one of lan's addresses (interfaces_addresses()), unless it denies service binding (nobind).
    const alias = withVips(SAMPLE, [{ uuid: '5a0c1b2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d', mode: 'ipalias', interface: 'lan', subnet: '10.0.0.5', bits: 24 }]);
    expect(own(chosen('lan', alias), '10.0.0.5:8443')).toThrow(/listens on port 8443 of 10\.0\.0\.5 \(one of lan's addresses/);
    expect(own(chosen('lan', alias.replace('<nobind>0</nobind>', '<nobind>1</nobind>')), '10.0.0.5:8443')()).toContain('<name>legacy_site</name>');
    // An IPv4-mapped address is that IPv4 address where HAProxy clears IPV6_V6ONLY (v4v6, without v6only).
    expect(own(chosen('lan'), '[::ffff:10.0.0.1]:8443', 'v4v6')).toThrow(/binds \[::ffff:10\.0\.0\.1\]:8443, but the web GUI \(TCP port 8443\) listens on port 8443 of 10\.0\.0\.1 \(one of lan's addresses/);
    for (const options of ['', 'v4v6 v6only']) expect(own(chosen('lan'), '[::ffff:10.0.0.1]:8443', options)()).toContain('<name>legacy_site</name>');
  });

  it('says, and merges, where a frontend binds an address no interface holds and a listen interface of the GUI takes its address by DHCP: it may be that one', async () => {
    // A DHCP WAN's network is not known: the example's test of the upstream LAN goes, and the WireGuard LAN endpoint is written out (as in fragments.test.ts).
    const dhcpWan = yaml
      .replace('          address: 192.168.0.2/24\n', '          address: dhcp\n')
      .replace(/          gateway: 192\.168\.0\.1 .*\n/, '')
      .replace(/\n +- \{ from: service, to: 192\.168\.0\.50, [^\n]*/, '');
    expect(dhcpWan).toContain('address: dhcp');
    const dhcpSections = await sectionsOf(edit(dhcpWan, ['sites', 0, 'wireguard', 0, 'lan_endpoint'], '192.168.0.2'));
    const chosen = (listed: string) => webgui(`      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n      <interfaces>${listed}</interfaces>\n`);
    const said = (base: string, bind: string) => ownFrontendWarnings(base, bind, dhcpSections).filter((w) => w.includes('merge cannot tell'));
    expect(said(chosen('wan'), '203.0.113.10:8443')).toEqual([
      'HAProxy frontend legacy_site binds 203.0.113.10:8443, and the web GUI (TCP port 8443) listens on port 8443 of the addresses its listen interfaces have when it starts, and wan (<ipaddr>dhcp</ipaddr>) takes its address at run time: ' +
        'merge cannot tell whether that is 203.0.113.10. If it is, lighttpd sets no SO_REUSEPORT, so FreeBSD refuses the later of the two binds: HAProxy would not start, or the web GUI would not when it restarts; ' +
        'then give the web GUI another TCP port (<webgui><port>) in System > Settings > Administration, or bind the frontend to another address',
    ]);
    // Another interface's static address is not the WAN's lease; an address of the other family, another port, or a GUI without the WAN: nothing to tell.
    expect(said(chosen('wan'), '10.0.0.1:8443')).toEqual([]);
    expect(said(chosen('wan'), '203.0.113.10:9443')).toEqual([]);
    expect(said(chosen('lan'), '203.0.113.10:8443')).toEqual([]);
    // A host name: HAProxy resolves it on the box when it starts, to any address, the loopback's too (`localhost`).
    expect(said(chosen('lan'), 'localhost:8443')).toEqual([
      expect.stringMatching(/^HAProxy frontend legacy_site binds localhost:8443, and the web GUI \(TCP port 8443\) listens on port 8443 of the addresses of lan and the loopback: localhost is a host name, .*merge cannot tell whether it is one of them\./),
    ]);
  });

  /** The box's own frontends beside gen's, each with its bind options (bindOptions) where given. */
  const withFrontends = (base: string, frontends: readonly (readonly [string, string, string?])[], customOptions?: string) =>
    withMvc(
      base,
      frontends.reduce(
        (xml, [name, , options]) => (options === undefined ? xml : xml.replace(new RegExp(`(<name>${name}</name>\\n +<bind>[^<]*</bind>)`), `$1\n          <bindOptions>${options}</bindOptions>`)),
        boxHaproxy(frontends.map(([name, bind]) => [name, bind]), customOptions),
      ),
    );

  it('takes a wildcard frontend\'s SO_REUSEPORT_LB group to the GUI\'s addresses of its family only, and a wildcard on :: that takes IPv4 (v4v6) to none', () => {
    const chosen = (listed: string) => webgui(`      <port>9443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n      <interfaces>${listed}</interfaces>\n`);
    const own = (base: string, bind: string, options?: string) => attempt(withFrontends(base, [['legacy_site', bind, options]])).run;
    // opt1 holds 10.1.0.1 and no IPv6 address: a group on 0.0.0.0 takes the GUI's connections there, one on :: (IPV6_V6ONLY) none.
    expect(own(chosen('opt1'), '0.0.0.0:9443')).toThrow(
      /HAProxy frontend legacy_site binds 0\.0\.0\.0:9443, and the web GUI \(TCP port 9443\) listens on port 9443 of its chosen interfaces: HAProxy's socket joins an SO_REUSEPORT_LB group, which FreeBSD looks up before the web GUI's sockets, so HAProxy would take every IPv4 connection to port 9443, those to the web GUI's IPv4 addresses too, and the web GUI would not answer at them \(its IPv6 addresses keep theirs/,
    );
    expect(own(chosen('opt1'), '[::]:9443')()).toContain('<name>legacy_site</name>');
    // lan tracks the WAN's prefix (<ipaddrv6>idassoc6</ipaddrv6>), an IPv6 address it takes at run time: the group on :: takes its connections.
    expect(own(chosen('lan'), '[::]:9443')).toThrow(
      /binds \[::\]:9443, and the web GUI \(TCP port 9443\) listens on port 9443 of its chosen interfaces: .*every IPv6 connection to port 9443, those to the web GUI's IPv6 addresses too, .*\(its IPv4 addresses keep theirs: an IPv6 socket's group takes no IPv4 connection\)/,
    );
    // v4v6: no group; the GUI's more specific sockets keep theirs, but on the WAN they take what the WAN pass lets in.
    expect(own(chosen('lan'), '[::]:9443', 'v4v6')()).toContain('<name>legacy_site</name>');
    expect(own(chosen('wan'), '[::]:9443', 'v4v6')).toThrow(
      /HAProxy frontend legacy_site binds \[::\]:9443, but the web GUI \(TCP port 9443\) listens on port 9443 of the WAN: HAProxy would not get the connections to the WAN address, .*give the web GUI another TCP port \(<webgui><port>\) or only the LAN as listen interfaces/,
    );
  });

  it('says which of a frontend on 0.0.0.0 and one on :: that takes IPv4 (v4v6) gets the IPv4 connections: the one on :: joins no SO_REUSEPORT_LB group', () => {
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    const run = (frontends: readonly (readonly [string, string, string?])[], customOptions?: string) => attempt(withFrontends(free, frontends, customOptions)).run;
    // Beside gen's https on 0.0.0.0:443.
    expect(run([['legacy_site', '[::]:443', 'v4v6']])).toThrow(
      "HAProxy frontends legacy_site ([::]:443) and https (0.0.0.0:443) both take the IPv4 connections to port 443: both bind it, but FreeBSD puts a socket on :: that takes IPv4 (v4v6) into no SO_REUSEPORT_LB group, " +
        'and hands an IPv4 connection to the socket on 0.0.0.0 (or its group) before the one on ::, so legacy_site gets only the IPv6 connections. Give one of them another port or address',
    );
    expect(run([['legacy_site', '[::]:440-450', 'v4v6']])).toThrow(/both take the IPv4 connections to port 443:/);
    expect(run([['legacy_site', '[::]:443', 'v4v6']], 'noreuseport')).toThrow(
      /HAProxy frontends legacy_site \(\[::\]:443\) and https \(0\.0\.0\.0:443\) both take the IPv4 connections to port 443: with noreuseport .*FreeBSD refuses a bind of 0\.0\.0\.0 after one of :: that takes IPv4 \(v4v6\), and HAProxy would not start/,
    );
    expect(run([['legacy_site', '0.0.0.0:9443,[::]:9443', 'v4v6']], 'noreuseport')).toThrow(/HAProxy frontend legacy_site binds both 0\.0\.0\.0:9443 and \[::\]:9443: with noreuseport/);
    // One frontend's two sockets serve it alike; :: with IPV6_V6ONLY takes no IPv4.
    expect(run([['legacy_site', '0.0.0.0:9443,[::]:9443', 'v4v6']])()).toContain('<name>legacy_site</name>');
    for (const options of ['', 'v4v6 v6only']) expect(run([['legacy_site', '[::]:443', options]])()).toContain('<name>legacy_site</name>');
    // Two on :: : the one with IPV6_V6ONLY has a group and gets every IPv6 connection; two that take IPv4 have none, and one of them gets all.
    expect(run([['v6', '[::]:9443'], ['both', '[::]:9443', 'v4v6']])).toThrow(
      "HAProxy frontends v6 ([::]:9443) and both ([::]:9443) listen on the same port of the same address: both bind it, but FreeBSD puts a socket on :: that takes IPv4 (v4v6) into no SO_REUSEPORT_LB group, and hands each IPv6 connection to v6's group: both gets none of them",
    );
    expect(run([['one', '[::]:9443', 'v4v6'], ['two', '[::]:9443', 'v4v6']])).toThrow(/listen on the same port of the same address: both bind it, .*and hands every connection to the same one of them: the other frontend gets none/);
  });

  it('compares an IPv4-mapped bind of a frontend without IPV6_V6ONLY (v4v6) as its IPv4 address with the other frontends\' binds', () => {
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    const own = (bindOptions: string) => attempt(withMvc(free, boxHaproxy([['legacy_site', '[::ffff:0.0.0.0]:443']]).replace('</bind>', `</bind>\n          <bindOptions>${bindOptions}</bindOptions>`))).run;
    expect(own('v4v6')).toThrow(/HAProxy frontends legacy_site \(\[::ffff:0\.0\.0\.0\]:443\) and https \(0\.0\.0\.0:443\) listen on the same port of the same address/);
    // Bound as 0.0.0.0 from AF_INET6, it joins no SO_REUSEPORT_LB group (in_pcbinslbgrouphash()): https's group takes the IPv4 connections.
    expect(own('v4v6')).toThrow(/and hands each IPv4 connection to https's group: legacy_site gets none of them/);
    expect(own('v6only v4v6')()).toContain('<name>legacy_site</name>');
  });

  it('says which of the box\'s frontend on an address and gen\'s on the wildcard gets which connections, and nothing of two of the box\'s own', () => {
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    // A public address of the box (its WAN takes one by DHCP in the factory config).
    const wan = '203.0.113.10';
    const shadows = (frontends: readonly (readonly [string, string])[]) => {
      const { run, warnings } = attempt(withMvc(free, boxHaproxy(frontends)));
      run();
      return warnings.filter((w) => w.includes('bound to the wildcard'));
    };
    // The box's frontend on that address, alone or beside others of its own: gen's wildcard loses that address's connections to port 443.
    for (const frontends of [[['wan_site', `${wan}:443`]], [['other', '0.0.0.0:9443'], ['wan_site', `${wan}:443,${wan}:9000`]]] as const) {
      expect(shadows(frontends)).toEqual([
        `the base's HAProxy frontend wan_site (${wan}:443) takes the connections to ${wan} on port 443, and gen's HAProxy frontend https (0.0.0.0:443) only those to other addresses: ` +
          'FreeBSD hands a connection to a socket bound to its address before one bound to the wildcard. If https is to answer at ' + wan + ' too, give wan_site another port or disable it (Services > HAProxy > Settings > Virtual Services)',
      ]);
    }
    // Each address of the box's beside gen's wildcard.
    expect(shadows([['wan_site', `${wan}:443`], ['second', '198.51.100.7:443']]).map((w) => w.slice(0, w.indexOf(')')))).toEqual([
      `the base's HAProxy frontend wan_site (${wan}:443`,
      "the base's HAProxy frontend second (198.51.100.7:443",
    ]);
    // A range of the box's on the wildcard beside an address of its own: nothing of gen's concerned.
    expect(shadows([['wide', '0.0.0.0:9000-9010'], ['narrow', '192.168.1.1:9005']])).toEqual([]);
    // Ports compared as ranges: the overlap is named.
    expect(shadows([['wide', `${wan}:440-450`]])).toEqual([expect.stringContaining(`wide (${wan}:440-450) takes the connections to ${wan} on port 443, and gen's HAProxy frontend https (0.0.0.0:443)`)]);
    // Each wildcard on the range's ports, not only the first: gen's after the box's own on another port, or after one of its own frontend's.
    const gens = (frontends: readonly (readonly [string, string])[]) => shadows(frontends).map((w) => w.slice(0, w.indexOf(' only those')));
    expect(gens([['wild', '0.0.0.0:440'], ['wide', `${wan}:440-450`]])).toEqual([`the base's HAProxy frontend wide (${wan}:440-450) takes the connections to ${wan} on port 443, and gen's HAProxy frontend https (0.0.0.0:443)`]);
    expect(gens([['wide', `0.0.0.0:440,${wan}:440-450`]])).toEqual([`the base's HAProxy frontend wide (${wan}:440-450) takes the connections to ${wan} on port 443, and gen's HAProxy frontend https (0.0.0.0:443)`]);
    expect(gens([['wide', `${wan}:80-443`]])).toEqual([
      `the base's HAProxy frontend wide (${wan}:80-443) takes the connections to ${wan} on port 443, and gen's HAProxy frontend https (0.0.0.0:443)`,
      `the base's HAProxy frontend wide (${wan}:80-443) takes the connections to ${wan} on port 80, and gen's HAProxy frontend https_http_redirect (0.0.0.0:80)`,
    ]);
  });

  it('says that gen\'s frontend on an IPv4 address takes its connections from the box\'s on :: that takes IPv4 (v4v6)', async () => {
    const bound = await sectionsOf(edit(yaml, ['sites', 0, 'haproxy', 'frontends', 0, 'bind'], '192.168.0.2:443'));
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    const shadows = (bind: string, options: string) => {
      const warnings: string[] = [];
      const merged = mergeConfig(withFrontends(free, [['legacy_site', bind, options]]), bound, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, warn: (m) => warnings.push(m) });
      expect(merged).toContain('<name>legacy_site</name>');
      return warnings.filter((w) => w.includes('bound to the wildcard'));
    };
    // The socket on :: joins no SO_REUSEPORT_LB group, and in_pcblookup_hash_wild_locked() looks it up after one on the address.
    expect(shadows('[::]:443', 'v4v6')).toEqual([
      "gen's HAProxy frontend https (192.168.0.2:443) takes the connections to 192.168.0.2 on port 443, and the base's HAProxy frontend legacy_site ([::]:443) only those to other addresses: " +
        'FreeBSD hands a connection to a socket bound to its address before one bound to the wildcard. If legacy_site is to answer at 192.168.0.2 too, give https another port or disable it (Services > HAProxy > Settings > Virtual Services)',
    ]);
    // ipv6@ with no address is :: too (str2ip2()).
    expect(shadows('ipv6@:443', 'v4v6')).toEqual([expect.stringContaining("and the base's HAProxy frontend legacy_site (ipv6@:443) only those to other addresses")]);
    // With IPV6_V6ONLY the socket on :: takes no IPv4.
    for (const options of ['', 'v4v6 v6only']) expect(shadows('[::]:443', options)).toEqual([]);
  });

  it('says that one of two frontends on an IPv4 address, one of them from AF_INET6 (v4v6), gets every connection: FreeBSD makes two SO_REUSEPORT_LB groups', () => {
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    const run = (frontends: readonly (readonly [string, string, string?])[]) => attempt(withFrontends(free, frontends)).run;
    expect(run([['mapped', '[::ffff:192.168.0.2]:9443', 'v4v6'], ['plain', '192.168.0.2:9443']])).toThrow(
      'HAProxy frontends mapped ([::ffff:192.168.0.2]:9443) and plain (192.168.0.2:9443) listen on the same port of the same address: both bind it, but FreeBSD puts a socket of AF_INET6 on an IPv4-mapped address (v4v6) ' +
        'into another SO_REUSEPORT_LB group than one of AF_INET, and hands every connection to the same one of the two groups: the other frontend gets none. Give one of them another port or address',
    );
    // Two from AF_INET6 share a group, which splits the connections.
    expect(run([['one', '[::ffff:192.168.0.2]:9443', 'v4v6'], ['two', '[::ffff:192.168.0.2]:9443', 'v4v6']])).toThrow(/listen on the same port of the same address: HAProxy sets SO_REUSEPORT_LB on both sockets, .*each frontend gets some of them/);
  });

  it('reads the family of a bind from its ipv4@ or ipv6@ prefix, of the wildcard too (str2sa_range())', () => {
    const free = webgui('      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n');
    const run = (frontends: readonly (readonly [string, string, string?])[]) => attempt(withFrontends(free, frontends)).run;
    expect(run([['v6', 'ipv6@:9443', 'v4v6'], ['v4', '0.0.0.0:9443']])).toThrow(
      /HAProxy frontends v6 \(ipv6@:9443\) and v4 \(0\.0\.0\.0:9443\) both take the IPv4 connections to port 9443: .*so v6 gets only the IPv6 connections/,
    );
    expect(run([['v6', 'ipv6@*:9443'], ['other', '[::]:9443']])).toThrow(/HAProxy frontends v6 \(ipv6@\*:9443\) and other \(\[::\]:9443\) listen on the same port of the same address/);
    expect(run([['v4', 'ipv4@:9443'], ['other', '0.0.0.0:9443']])).toThrow(/HAProxy frontends v4 \(ipv4@:9443\) and other \(0\.0\.0\.0:9443\) listen on the same port of the same address/);
    // :: without v4v6 takes no IPv4; an IPv4 address after ipv6@ is refused by HAProxy, no listener.
    expect(run([['v6', 'ipv6@:9443'], ['v4', '0.0.0.0:9443']])()).toContain('<name>v6</name>');
    expect(run([['v6', 'ipv6@0.0.0.0:9443'], ['v4', '0.0.0.0:9443']])()).toContain('<name>v6</name>');
  });

  it("meets no other prefix of str2sa_range() in a frontend's bind than quic4@, quic6@ and unix@: the plugin's model refuses them", () => {
    // HAProxy 3.2's str2sa_range() (src/tools.c) takes these before an address or a name; the bind field's Mask (HAProxy.xml), matched
    // against the whole value as CSVListField's validator does, lets '@' through only in its leading character class [quic4@|quic6@].
    const entries = ['ipv4@', 'ipv6@', 'ip@', 'tcp@', 'tcp4@', 'tcp6@', 'udp@', 'udp4@', 'udp6@', 'mptcp@', 'mptcp4@', 'mptcp6@', 'quic4@', 'quic6@', 'rhttp@', 'stream+', 'dgram+', 'quic+', 'quic+ipv4@']
      .map((p) => `${p}*:443`)
      .concat(['unix@sock', 'uxst@sock', 'uxdg@sock', 'abns@sock', 'abnsz@sock', 'fd@3', 'sockpair@3', '/var/run/sock']);
    const accepted = (release: string) => {
      const haproxy = loadModels(release).find((m) => m.className === 'OPNsense.HAProxy.HAProxy')!;
      const bind = haproxy.root.fields.find((f) => f.name === 'frontends')!.fields.find((f) => f.name === 'frontend')!.fields.find((f) => f.name === 'bind')!;
      const mask = phpRegex(textOf(bind.params.get('Mask')!));
      return ['0.0.0.0:443'].concat(entries).filter((e) => mask.exec(e)?.[0] === e);
    };
    expect(accepted('25.7')).toEqual(['0.0.0.0:443', 'unix@sock']);
    for (const release of ['26.1', '26.7']) expect(accepted(release)).toEqual(['0.0.0.0:443', 'quic4@*:443', 'quic6@*:443', 'unix@sock']);
  });
});

describe('items of the box that gen also writes keep their identity', async () => {
  // A box with its own WireGuard instance wg0 and peers (one of them with the key of a
  // topology peer), and its own HAProxy frontend that uses a backend named like gen's.
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const peerKey = 'LwFL1l029Twp5lFs2/wACC5A1C5KZQG73r1hIbHP6zA=';
  const own = {
    instance: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    peer: '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e',
    otherPeer: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
    backend: '3d4e5f6a-7b8c-4d9e-8f1a-2b3c4d5e6f7a',
    frontend: '4e5f6a7b-8c9d-4e0f-9a2b-3c4d5e6f7a8b',
  };
  const gui = SAMPLE.replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>');
  const box = withMvc(
    gui,
    `<wireguard>
      <server version="1.0.1">
        <servers>
          <server uuid="${own.instance}">
            <enabled>1</enabled>
            <name>roadwarrior</name>
            <instance>0</instance>
            <pubkey>${pair.publicKey}</pubkey>
            <privkey>${pair.privateKey}</privkey>
            <peers>${own.peer},${own.otherPeer}</peers>
          </server>
        </servers>
      </server>
      <client version="1.0.0">
        <clients>
          <client uuid="${own.peer}">
            <enabled>1</enabled>
            <name>macbook</name>
            <pubkey>${peerKey}</pubkey>
            <tunneladdress>10.0.1.2/32</tunneladdress>
          </client>
          <client uuid="${own.otherPeer}">
            <enabled>1</enabled>
            <name>tablet</name>
            <pubkey>Q2lJbS0xVmx2b2JtV3ZscE9VcEx0Yk1ZVXlQZ2RrQT0=</pubkey>
            <tunneladdress>10.0.1.200/32</tunneladdress>
          </client>
        </clients>
      </client>
    </wireguard>
    <HAProxy version="5.0.0">
      <general>
        <enabled>1</enabled>
      </general>
      <frontends>
        <frontend uuid="${own.frontend}">
          <enabled>1</enabled>
          <name>intranet</name>
          <bind>10.0.0.1:8080</bind>
          <defaultBackend>${own.backend}</defaultBackend>
          <ssl_cipherList>ECDHE-ECDSA-AES256-GCM-SHA384</ssl_cipherList>
        </frontend>
      </frontends>
      <backends>
        <backend uuid="${own.backend}">
          <enabled>1</enabled>
          <name>web</name>
          <persistence>cookie</persistence>
          <tuning_timeoutServer>90s</tuning_timeoutServer>
        </backend>
      </backends>
    </HAProxy>`,
  );
  const merged = merge(box, sections, pair.privateKey);
  const doc = parse(merged).opnsense.OPNsense;

  it('gen\'s instance, peer and backend take over the UUIDs of the box\'s items with the same natural key', () => {
    const servers: Xml[] = doc.wireguard.server.servers.server;
    expect(servers.map((s) => s['@uuid'])).toEqual([own.instance]);
    expect(servers[0]).toMatchObject({ name: 'wg0', instance: '0' });
    const clients: Xml[] = doc.wireguard.client.clients.client;
    expect(clients.find((c) => c.pubkey === peerKey)).toMatchObject({ '@uuid': own.peer, name: 'mac-workstation' });
    expect(doc.HAProxy.backends.backend.map((b: Xml) => [b['@uuid'], b.name])).toEqual([[own.backend, 'web']]);
  });

  it('every reference still resolves: the box\'s frontend to the backend, gen\'s own references to the adopted UUIDs', () => {
    const backends = new Set(doc.HAProxy.backends.backend.map((b: Xml) => b['@uuid']));
    for (const frontend of doc.HAProxy.frontends.frontend) expect(backends.has(frontend.defaultBackend), frontend.name).toBe(true);
    const intranet = doc.HAProxy.frontends.frontend.find((f: Xml) => f.name === 'intranet');
    expect(intranet).toMatchObject({ '@uuid': own.frontend, defaultBackend: own.backend, ssl_cipherList: 'ECDHE-ECDSA-AES256-GCM-SHA384' });
    const clients = new Set(doc.wireguard.client.clients.client.map((c: Xml) => c['@uuid']));
    const server = doc.wireguard.server.servers.server[0];
    expect(server.peers.split(',')).toContain(own.peer);
    for (const peer of server.peers.split(',')) expect(clients.has(peer), peer).toBe(true);
    // The box's other peer stays, and so does its link: after gen's peers, though the topology does not list it.
    expect(clients.has(own.otherPeer)).toBe(true);
    expect(server.peers.split(',').at(-1)).toBe(own.otherPeer);
  });

  it('keeps what the box set in the fields gen leaves at the model\'s default, and merging again changes nothing', () => {
    expect(doc.HAProxy.backends.backend[0]).toMatchObject({ tuning_timeoutServer: '90s', algorithm: 'roundrobin' });
    expect(merge(merged, sections, pair.privateKey)).toBe(merged);
  });

  it("makes the backend's stickiness the topology's (sticky: none by default), not the box's cookie persistence", () => {
    expect(doc.HAProxy.backends.backend[0]).toMatchObject({ persistence: '', stickiness_pattern: '' });
  });
});

describe("the box's own alias with the name of one of gen's", () => {
  it('is taken over with a warning that names it and says its old content goes; an alias of the same content is taken over quietly', async () => {
    const { pair, yaml } = homelabWithKey();
    const sections = await sectionsOf(yaml);
    const genAliases = sections.map((s) => child(child(child(s, 'Firewall'), 'Alias'), 'aliases')).find(Boolean)!;
    const genAlias = parse(serialize(childrenNamed(genAliases, 'alias')[0]!)).alias;
    const boxUuid = '0d0d0d0d-4444-4444-8444-444444444444';
    const boxAlias = (content: string) =>
      `<Alias version="1.0.1">\n        <aliases>\n          <alias uuid="${boxUuid}">\n            <enabled>1</enabled>\n            <name>${genAlias.name}</name>\n` +
      `            <type>${genAlias.type}</type>\n            <content>${content}</content>\n            <description>ours</description>\n          </alias>\n        </aliases>\n      </Alias>\n      `;
    const inFirewall = (alias: string) => SAMPLE.replace('<Firewall>\n      ', `<Firewall>\n      ${alias}`);
    const run = (base: string) => {
      expect(base).not.toBe(SAMPLE);
      const warnings: string[] = [];
      const merged = parse(mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) }));
      return { aliases: [merged.opnsense.OPNsense.Firewall.Alias.aliases.alias].flat(), warnings };
    };
    const other = run(inFirewall(boxAlias('192.168.99.0/24\n192.168.98.0/24')));
    // Taken over: the box's UUID, gen's content.
    const taken = other.aliases.filter((a: Xml) => a.name === genAlias.name);
    expect(taken.map((a: Xml) => [a['@uuid'], a.content])).toEqual([[boxUuid, genAlias.content]]);
    const said = other.warnings.filter((w) => w.includes(`alias ${genAlias.name}`));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`the box's own alias ${genAlias.name} (${genAlias.type}: 192.168.98.0/24, 192.168.99.0/24) has the name of one of gen's aliases (${genAlias.type}: ${String(genAlias.content).split('\n').sort().join(', ')})`);
    expect(said[0]).toContain('its old content goes');
    // The same entries (in another order) lose nothing.
    const same = run(inFirewall(boxAlias(`\n${String(genAlias.content).split('\n').reverse().join('\n')}\n`)));
    expect(same.warnings.filter((w) => w.includes('alias'))).toEqual([]);
  });
});

describe('the box\'s own items beside gen\'s: a shared name, a reference to gen\'s item', async () => {
  const { pair, yaml } = homelabWithKey();
  const gui = SAMPLE.replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>');
  const office = { instance: 'aaaaaaaa-1111-4111-8111-111111111111', peer: 'bbbbbbbb-2222-4222-8222-222222222222' };
  const officeKey = 'T2ZmaWNlUGVlcktleU9mVGhlT3BlcmF0b3IwMDAwMDA=';
  /** The operator's own site-to-site instance (number 5), its peers given, beside whatever the base has. */
  const officeInstance = (peers: string) => `<server uuid="${office.instance}">
            <enabled>1</enabled>
            <name>office-s2s</name>
            <instance>5</instance>
            <pubkey>${pair.publicKey}</pubkey>
            <privkey>${pair.privateKey}</privkey>
            <port>51825</port>
            <tunneladdress>172.16.9.1/24</tunneladdress>
            <peers>${peers}</peers>
          </server>`;
  const wireguard = (servers: string, clients: string) => `<wireguard>
      <server version="1.0.1">
        <servers>
          ${servers}
        </servers>
      </server>
      <client version="1.0.0">
        <clients>
          ${clients}
        </clients>
      </client>
    </wireguard>`;
  const peers = (doc: Xml): Xml[] => doc.opnsense.OPNsense.wireguard.client.clients.client;
  const servers = (doc: Xml): Xml[] => doc.opnsense.OPNsense.wireguard.server.servers.server;

  it('a peer of the operator\'s other instance named like a topology peer stays theirs, with its key, address and instance', async () => {
    // Peer names are not unique in OPNsense (Client.xml): the same person's laptop is a peer of two instances.
    const box = withMvc(gui, wireguard(officeInstance(office.peer), `<client uuid="${office.peer}">
            <enabled>1</enabled>
            <name>laptop-john</name>
            <pubkey>${officeKey}</pubkey>
            <tunneladdress>172.16.9.2/32</tunneladdress>
          </client>`));
    const doc = parse(merge(box, await sectionsOf(yaml), pair.privateKey));
    const theirs = peers(doc).find((c) => c['@uuid'] === office.peer);
    expect(theirs).toMatchObject({ name: 'laptop-john', pubkey: officeKey, tunneladdress: '172.16.9.2/32' });
    const ours = peers(doc).filter((c) => c.name === 'laptop-john' && c['@uuid'] !== office.peer);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.pubkey).not.toBe(officeKey);
    expect(servers(doc).find((s) => s['@uuid'] === office.instance)!.peers).toBe(office.peer);
    const wg0 = servers(doc).find((s) => s.name === 'wg0')!;
    expect(wg0.peers.split(',')).toContain(ours[0]!['@uuid']);
    expect(wg0.peers.split(',')).not.toContain(office.peer);
  });

  it("a peer of the operator's other instance with a topology peer's key is taken over, and merge says that instance now routes the topology's address", async () => {
    // One client per key for every instance that lists it (Client.xml; wireguard-server.conf, wg-service-control.php).
    const macKey = 'LwFL1l029Twp5lFs2/wACC5A1C5KZQG73r1hIbHP6zA=';
    const box = withMvc(gui, wireguard(officeInstance(office.peer), `<client uuid="${office.peer}">
            <enabled>1</enabled>
            <name>macbook</name>
            <pubkey>${macKey}</pubkey>
            <tunneladdress>172.16.9.2/32</tunneladdress>
          </client>`));
    const said: string[] = [];
    const options = { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m: string) => said.push(m) };
    const sections = await sectionsOf(yaml);
    const merged = mergeConfig(box, sections, options);
    const doc = parse(merged);
    expect(peers(doc).find((c) => c['@uuid'] === office.peer)).toMatchObject({ name: 'mac-workstation', pubkey: macKey, tunneladdress: '10.0.1.2/32' });
    expect(servers(doc).find((s) => s['@uuid'] === office.instance)!.peers).toBe(office.peer);
    const moved = said.filter((m) => m.includes('takes over the box\'s peer'));
    expect(moved).toEqual([
      `the topology's WireGuard peer mac-workstation takes over the box's peer "macbook" (172.16.9.2/32) by its public key, and the box's own instance office-s2s links it too: ` +
        "OPNsense gives a peer one tunnel address on every instance, so it routes 10.0.1.2/32 into its tunnel instead, which may take the address from the topology's instance. " +
        "Remove the peer from office-s2s on the box (VPN › WireGuard › Instances), or give the device another key for that tunnel",
    ]);
    // Once taken over, nothing changes on that instance: merging again says nothing of it.
    said.length = 0;
    mergeConfig(merged, sections, options);
    expect(said.filter((m) => m.includes('takes over the box\'s peer'))).toEqual([]);
  });

  it('an operator\'s instance named like gen\'s, on another number, stays theirs', async () => {
    const box = withMvc(gui, wireguard(officeInstance('').replace('<name>office-s2s</name>', '<name>wg0</name>'), ''));
    const doc = parse(merge(box, await sectionsOf(yaml), pair.privateKey));
    expect(servers(doc).map((s) => [s.name, s.instance])).toEqual([['wg0', '5'], ['wg0', '0']]);
    expect(servers(doc)[0]!['@uuid']).toBe(office.instance);
  });

  it("an operator's enabled instance on gen's UDP port or tunnel network is refused; clashes among the box's own are its business", async () => {
    // wg-service-control.php starts each instance with its ListenPort: the box's (first in the file) takes 51820 and gen's wg0 never binds.
    const handMade = officeInstance('').replace('<name>office-s2s</name>', '<name>wg0</name>').replace('<instance>5</instance>', '<instance>1</instance>');
    const samePort = withMvc(gui, wireguard(handMade.replace('<port>51825</port>', '<port>51820</port>'), ''));
    const sections = await sectionsOf(yaml);
    expect(() => merge(samePort, sections, pair.privateKey)).toThrow(MergeError);
    expect(() => merge(samePort, sections, pair.privateKey)).toThrow(
      "the base's WireGuard instance wg0 (instance 1, device wg1) and gen's WireGuard instance wg0 (instance 0, device wg0) both listen on UDP 51820: only one can bind it",
    );
    const sameNetwork = withMvc(gui, wireguard(handMade.replace('<tunneladdress>172.16.9.1/24</tunneladdress>', '<tunneladdress>10.0.1.254/23</tunneladdress>'), ''));
    expect(() => merge(sameNetwork, sections, pair.privateKey)).toThrow("(10.0.1.254/23) and gen's WireGuard instance wg0 (instance 0, device wg0) (10.0.1.1/24) have overlapping tunnel networks");
    // Disabled on the box: it binds nothing.
    expect(() => merge(samePort.replace('<enabled>1</enabled>\n            <name>wg0</name>\n            <instance>1', '<enabled>0</enabled>\n            <name>wg0</name>\n            <instance>1'), sections, pair.privateKey)).not.toThrow();
    // Two of the box's own on one port, neither gen's: merged as they are.
    const twoOwn = withMvc(gui, wireguard(`${officeInstance('')}\n${officeInstance('').replace(office.instance, 'cccccccc-3333-4333-8333-333333333333').replace('<instance>5</instance>', '<instance>6</instance>').replace('172.16.9.1/24', '172.16.10.1/24')}`, ''));
    expect(() => merge(twoOwn, sections, pair.privateKey)).not.toThrow();
    // Two of the box's own with one tunnel network (one holds the other), neither gen's: merged as they are too.
    const twoOwnNetwork = withMvc(gui, wireguard(`${officeInstance('')}\n${officeInstance('').replace(office.instance, 'cccccccc-3333-4333-8333-333333333333').replace('<instance>5</instance>', '<instance>6</instance>').replace('<port>51825</port>', '<port>51826</port>').replace('172.16.9.1/24', '172.16.9.129/25')}`, ''));
    expect(() => merge(twoOwnNetwork, sections, pair.privateKey)).not.toThrow();
    // The same pair with one of them gen's network: refused, the box's pair still not reported.
    const withGens = withMvc(gui, wireguard(`${officeInstance('').replace('172.16.9.1/24', '10.0.1.254/23')}\n${officeInstance('').replace(office.instance, 'cccccccc-3333-4333-8333-333333333333').replace('<instance>5</instance>', '<instance>6</instance>').replace('<port>51825</port>', '<port>51826</port>').replace('172.16.9.1/24', '10.0.0.1/22')}`, ''));
    const refused = (() => {
      try {
        merge(withGens, sections, pair.privateKey);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(refused.match(/have overlapping tunnel networks/g)).toHaveLength(2);
    expect(refused).not.toMatch(/the base's WireGuard instance [^(]*\([^)]*\) \(10\.0\.1\.254\/23\) and the base's/);
  });

  it("gen's instance on the UDP port of the box's dnsmasq DNS is refused: dnsmasq binds it first, and wg(4) cannot bind it then", async () => {
    // The 26.7 factory dnsmasq is enabled with <port>53053, which merge keeps.
    const factory = parse(gui).opnsense.dnsmasq;
    expect([factory.enable, factory.port]).toEqual(['1', '53053']);
    // The instance's port, its WAN opening and the policy test of it.
    const onPort = (port: string) => yaml.replaceAll('port: 51820', `port: ${port}`);
    expect(onPort('5300')).not.toBe(yaml);
    const sections = await sectionsOf(onPort(factory.port));
    expect(() => merge(gui, sections, pair.privateKey)).toThrow(MergeError);
    expect(() => merge(gui, sections, pair.privateKey)).toThrow(
      "gen's WireGuard instance wg0 (instance 0, device wg0) listens on UDP 53053, the port of the base's dnsmasq DNS (<dnsmasq><port>)",
    );
    expect(() => merge(gui, sections, pair.privateKey)).toThrow(/another listen_port in the topology, or dnsmasq another Listen port/);
    // dnsmasq on another port, or with its DNS off (port 0), or disabled: nothing shares the port.
    for (const base of [gui.replace('<port>53053</port>', '<port>5353</port>'), gui.replace('<port>53053</port>', '<port>0</port>')]) {
      expect(base).not.toBe(gui);
      expect(() => merge(base, sections, pair.privateKey)).not.toThrow();
    }
    // A disabled dnsmasq's port is nobody's: merge writes gen's 0 in its place (BASE_WINS_FIELDS).
    const disabled = gui.replace('<enable>1</enable>\n    <port>53053</port>', '<enable>0</enable>\n    <port>53053</port>');
    expect(disabled).not.toBe(gui);
    expect(() => merge(disabled, sections, pair.privateKey)).not.toThrow();
  });

  it('the operator\'s reference to gen\'s peer follows a rename that keeps the key, and a dropped peer is reported', async () => {
    const first = merge(gui, await sectionsOf(yaml), pair.privateKey);
    const john = peers(parse(first)).find((c) => c.name === 'laptop-john')!['@uuid'];
    // The operator adds gen's peer to an instance of theirs on the box.
    const withOffice = first.replace('<servers>', `<servers>\n          ${officeInstance(john)}`);
    expect(withOffice).not.toBe(first);
    const renamed = edit(yaml, ['sites', 0, 'wireguard', 0, 'peers', 1, 'name'], 'laptop-jane');
    const warnings: string[] = [];
    const second = parse(mergeConfig(withOffice, await sectionsOf(renamed), { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) }));
    const jane = peers(second).find((c) => c.name === 'laptop-jane')!['@uuid'];
    expect(jane).not.toBe(john);
    expect(servers(second).find((s) => s['@uuid'] === office.instance)!.peers).toBe(jane);
    expect(warnings.filter((w) => w.includes('earlier merge'))).toEqual([]);
    // gen's items are as a merge into the base alone writes them: the history changed only the operator's reference.
    expect(peers(second).filter((c) => c['@uuid'] !== office.peer)).toEqual(peers(parse(merge(gui, await sectionsOf(renamed), pair.privateKey))));
    const dropped = edit(yaml, ['sites', 0, 'wireguard', 0, 'peers'], (parseYaml(yaml) as Xml).sites[0].wireguard[0].peers.filter((p: Xml) => p.name !== 'laptop-john'));
    const said: string[] = [];
    const third = parse(mergeConfig(withOffice, await sectionsOf(dropped), { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => said.push(m) }));
    expect(servers(third).find((s) => s['@uuid'] === office.instance)!.peers).toBe(john);
    expect(said).toContain('the box\'s server "office-s2s" refers in <peers> to client "laptop-john", which an earlier merge wrote and the topology no longer has: the reference will name nothing; remove it on the box, or put the item back in the topology');
  });

  it('says nothing of references that gen itself rewrites (an instance it adopted); of an area the topology dropped, keeps only what the box\'s own items use', async () => {
    const options = (warn: (m: string) => void) => ({ secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn });
    // The box had its own wg0 (instance 0): gen adopts it, and writes its peers list itself.
    const own = withMvc(gui, wireguard(officeInstance('').replace('<name>office-s2s</name>', '<name>wg0</name>').replace('<instance>5</instance>', '<instance>0</instance>'), ''));
    const first = merge(own, await sectionsOf(yaml), pair.privateKey);
    expect(servers(parse(first))[0]!['@uuid']).toBe(office.instance);
    const dropped = edit(yaml, ['sites', 0, 'wireguard', 0, 'peers'], (parseYaml(yaml) as Xml).sites[0].wireguard[0].peers.filter((p: Xml) => p.name !== 'laptop-john'));
    const said: string[] = [];
    const second = parse(mergeConfig(first, await sectionsOf(dropped), options((m) => said.push(m))));
    expect(said.filter((w) => w.includes('earlier merge'))).toEqual([]);
    expect(peers(second).map((c) => c.name)).not.toContain('laptop-john');
    // The topology drops HAProxy: gen writes no HAProxy section, and its earlier items go, but for the backend a
    // frontend of the operator's uses (and the server and health check that backend uses): it still names something.
    const backend = /<backend uuid="([^"]+)">/.exec(first)![1]!;
    const theirs = first.replace('<frontends>', `<frontends>\n        <frontend uuid="7c2d9a3e-5b1f-4c8d-9e0a-1f2b3c4d5e6f">\n          <enabled>1</enabled>\n          <name>intranet</name>\n          <bind>10.0.0.1:8080</bind>\n          <defaultBackend>${backend}</defaultBackend>\n        </frontend>`);
    expect(theirs).not.toBe(first);
    const tests = (parseYaml(yaml) as Xml).sites[0].policy.tests.filter((t: Xml) => !(t.from === 'internet' && t.port === 443));
    const noHaproxy = edit(edit(yaml, ['sites', 0, 'haproxy'], undefined), ['sites', 0, 'policy', 'tests'], tests);
    const kept: string[] = [];
    const third = mergeConfig(theirs, await sectionsOf(noHaproxy), options((m) => kept.push(m)));
    expect(kept.filter((w) => w.includes('earlier merge'))).toEqual([
      'removed HAProxy frontend "https", HAProxy frontend "https_http_redirect", HAProxy action "https_drop_x_forwarded_for", HAProxy action "https_drop_forwarded", HAProxy action "https_drop_x_real_ip", HAProxy action "https_drop_x_forwarded_host", HAProxy action "https_drop_x_forwarded_port", HAProxy action "https_set_x_forwarded_proto", HAProxy action "https_http_redirect_drop_x_forwarded_for", HAProxy action "https_http_redirect_drop_forwarded", HAProxy action "https_http_redirect_drop_x_real_ip", HAProxy action "https_http_redirect_drop_x_forwarded_host", HAProxy action "https_http_redirect_drop_x_forwarded_port", HAProxy action "https_http_redirect_set_x_forwarded_proto", HAProxy action "https_redirect_to_https": an earlier merge wrote them, and the topology no longer has them',
      'removed ACME client account "letsencrypt", ACME client certificate "*.example.com", ACME client validation "wildcard_dns01", ACME client action "restart_haproxy": an earlier merge wrote them, and the topology no longer has them',
      // The ACME client stays enabled (its settings are not items): its renewal job stays while its UpdateCron names it
      // (OPNsense refuses the settings when it names no job), as an Apply would keep or make it.
      'kept HAProxy backend "web" (used by the box\'s frontend "intranet"), HAProxy server "web_traefik" (used by HAProxy backend "web"), HAProxy healthcheck "web_check" (used by HAProxy backend "web"), ' +
        'cron job "AcmeClient Cronjob for Certificate AutoRenewal" (named in <UpdateCron>): ' +
        'an earlier merge wrote them and the topology no longer has them, but the box\'s own items use them, so they stay as the box\'s own; change those items on the box if they should go (the next merge removes what nothing uses), or put them back in the topology',
    ]);
    const haproxy = parse(third).opnsense.OPNsense.HAProxy;
    expect([haproxy.frontends.frontend].flat().map((f: Xml) => f.name)).toEqual(['intranet']);
    const backends: Xml[] = [haproxy.backends.backend].flat();
    expect(backends.map((b) => b['@uuid'])).toEqual([backend]);
    const haproxyServers: Xml[] = [haproxy.servers.server].flat();
    expect(haproxyServers.map((s) => s.name)).toEqual(['web_traefik']);
    expect(backends[0].linkedServers).toBe(haproxyServers[0]['@uuid']);
    // Once the operator's frontend uses a backend of its own, the next merge removes gen's.
    const moved = mergeConfig(third.replace(`<defaultBackend>${backend}</defaultBackend>`, '<defaultBackend/>'), await sectionsOf(noHaproxy), options(() => {}));
    expect(moved).not.toContain(backend);
    expect(moved).not.toContain('<name>web_traefik</name>');
  });
});

describe("the box's own peers on an instance gen takes over", async () => {
  // OPNsense serves only the peers an instance lists in <peers> (wireguard-server.conf writes a [Peer] for
  // each listed, enabled client; wg-service-control.php routes only those): a link merge drops cuts the peer off.
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const gui = SAMPLE.replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>');
  const macKey = 'LwFL1l029Twp5lFs2/wACC5A1C5KZQG73r1hIbHP6zA=';
  const uuids = { instance: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', mac: '6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c', phone: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' };
  const phoneKey = generateKeyPair().publicKey;
  const client = (uuid: string, name: string, key: string, address: string) =>
    `<client uuid="${uuid}"><enabled>1</enabled><name>${name}</name><pubkey>${key}</pubkey><psk/><tunneladdress>${address}</tunneladdress><serveraddress/><serverport/><keepalive/></client>`;
  const phone = client(uuids.phone, 'guiphone', phoneKey, '10.0.1.200/32');
  /** The box before gen: its own wg0 (instance 0) serving its client with mac-workstation's key and a phone the topology does not have. */
  const instance = `<server uuid="${uuids.instance}"><enabled>1</enabled><name>wg0</name><instance>0</instance><pubkey>${pair.publicKey}</pubkey><privkey>${pair.privateKey}</privkey><port>51820</port><tunneladdress>10.0.1.1/24</tunneladdress><peers>${uuids.phone},${uuids.mac}</peers></server>`;
  const clients = `${client(uuids.mac, 'macbook', macKey, '10.0.1.2/32')}\n          ${phone}`;
  const box = withMvc(gui, `<wireguard>\n      <server version="1.0.1">\n        <servers>\n          ${instance}\n        </servers>\n      </server>\n      <client version="1.0.0">\n        <clients>\n          ${clients}\n        </clients>\n      </client>\n    </wireguard>`);
  const withWarnings = (base: string, secs: typeof sections) => {
    const warnings: string[] = [];
    const merged = mergeConfig(base, secs, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
    return { merged, doc: parse(merged).opnsense.OPNsense.wireguard, warnings };
  };
  const clientsOf = (wg: Xml): Xml[] => wg.client.clients.client;
  const wg0 = (wg: Xml): Xml => wg.server.servers.server.find((s: Xml) => s.instance === '0');
  const keptWarning = (names: string) =>
    `WireGuard instance wg0 keeps the box's own ${names}, which the topology does not list: the instance serves it as before; add it to the topology, or remove it from the instance on the box (VPN › WireGuard › Instances) if it should not connect`;

  it('keeps the link to the box\'s own peer when gen first takes the instance over, after gen\'s peers, and says so', () => {
    const { merged, doc, warnings } = withWarnings(box, sections);
    const server = wg0(doc);
    expect(server['@uuid']).toBe(uuids.instance);
    const gens = clientsOf(doc).filter((c) => c.name === 'mac-workstation' || c.name === 'laptop-john').map((c) => c['@uuid']);
    expect(gens[0]).toBe(uuids.mac);
    expect(server.peers.split(',')).toEqual([...gens, uuids.phone]);
    expect(clientsOf(doc).find((c) => c['@uuid'] === uuids.phone)).toMatchObject({ enabled: '1', name: 'guiphone', pubkey: phoneKey });
    expect(warnings).toContain(keptWarning('peer "guiphone" (10.0.1.200/32)'));
    // Merging again keeps it, the same bytes, and says so again.
    const again = withWarnings(merged, sections);
    expect(again.merged).toBe(merged);
    expect(again.warnings).toContain(keptWarning('peer "guiphone" (10.0.1.200/32)'));
  });

  it("leaves the box's peer that the firewall dials with a topology peer's key as it is, off gen's instance, and says so", () => {
    // Client.xml keeps pubkey, serveraddress and serverport unique together: with an endpoint it is another peer.
    const dialed = box.replace(client(uuids.mac, 'macbook', macKey, '10.0.1.2/32'), client(uuids.mac, 'macbook', macKey, '10.0.1.2/32,192.168.50.0/24').replace('<serveraddress/><serverport/>', '<serveraddress>office.example.net</serveraddress><serverport>51821</serverport>'));
    expect(dialed).toContain('<serveraddress>office.example.net</serveraddress>');
    const { merged, doc, warnings } = withWarnings(dialed, sections);
    expect(clientsOf(doc).find((c) => c['@uuid'] === uuids.mac)).toMatchObject({ name: 'macbook', pubkey: macKey, tunneladdress: '10.0.1.2/32,192.168.50.0/24', serveraddress: 'office.example.net', serverport: '51821' });
    const ours = clientsOf(doc).filter((c) => c.name === 'mac-workstation');
    expect(ours.map((c) => [c.pubkey, c.tunneladdress, c.serveraddress])).toEqual([[macKey, '10.0.1.2/32', '']]);
    const peers = wg0(doc).peers.split(',');
    expect(peers).toContain(ours[0]!['@uuid']);
    expect(peers).not.toContain(uuids.mac);
    expect(peers.at(-1)).toBe(uuids.phone);
    expect(warnings).toContain(
      `WireGuard instance wg0 no longer links the box's own peer "macbook" (10.0.1.2/32,192.168.50.0/24), which has the public key of the topology's peer mac-workstation and an endpoint of its own (office.example.net:51821): ` +
        "an instance has one peer per key, and the box's would take over the allowed IPs of the topology's. If the box's peer is the one meant, remove mac-workstation from wg0 in the topology; else delete the box's peer (VPN › WireGuard › Peers)",
    );
    expect(withWarnings(merged, sections).merged).toBe(merged);
  });

  it('keeps a peer added on the box after a merge (a client linked in the GUI), and drops links to clients that do not exist', () => {
    const first = merge(gui, sections, pair.privateKey);
    const before = wg0(parse(first).opnsense.OPNsense.wireguard).peers as string;
    const gone = '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e';
    const added = first.replace(`<peers>${before}</peers>`, `<peers>${before},${gone},${uuids.phone}</peers>`).replace('</clients>', `  ${phone}\n        </clients>`);
    expect(added).toContain(`${gone},${uuids.phone}</peers>`);
    expect(added).toContain(phone);
    const { doc, warnings } = withWarnings(added, sections);
    expect(wg0(doc).peers).toBe(`${before},${uuids.phone}`);
    expect(warnings).toContain(keptWarning('peer "guiphone" (10.0.1.200/32)'));
    expect(warnings.filter((w) => w.includes(gone))).toEqual([]);
  });

  it('leaves a peer the box no longer links unlinked, and one the topology disables unlinked', async () => {
    const disabled = edit(yaml, ['sites', 0, 'wireguard', 0, 'peers', 0, 'enabled'], false);
    const { doc, warnings } = withWarnings(box, await sectionsOf(disabled));
    // mac-workstation is gen's (adopted by its key): disabled in the topology, it leaves the list; the phone stays.
    expect(clientsOf(doc).find((c) => c['@uuid'] === uuids.mac)).toMatchObject({ name: 'mac-workstation', enabled: '0' });
    expect(wg0(doc).peers.split(',')).not.toContain(uuids.mac);
    expect(wg0(doc).peers.split(',').at(-1)).toBe(uuids.phone);
    expect(warnings.filter((w) => w.includes('mac-workstation'))).toEqual([]);
    const unlinked = withWarnings(box.replace(`<peers>${uuids.phone},${uuids.mac}</peers>`, `<peers>${uuids.mac}</peers>`), sections);
    expect(wg0(unlinked.doc).peers.split(',')).not.toContain(uuids.phone);
    expect(unlinked.warnings.filter((w) => w.includes('guiphone'))).toEqual([]);
  });

  it('says which of the box\'s peers lose their instance when the topology drops the instance an earlier merge wrote', async () => {
    const first = merge(gui, sections, pair.privateKey);
    const before = wg0(parse(first).opnsense.OPNsense.wireguard).peers as string;
    const added = first.replace(`<peers>${before}</peers>`, `<peers>${before},${uuids.phone}</peers>`).replace('</clients>', `  ${phone}\n        </clients>`);
    const interfaces: Xml[] = (parseYaml(yaml) as Xml).sites[0].firewall.interfaces;
    const renamed = edit(edit(yaml, ['sites', 0, 'wireguard', 0, 'name'], 'wg1'), ['sites', 0, 'firewall', 'interfaces', interfaces.findIndex((i) => i.wireguard === 'wg0'), 'wireguard'], 'wg1');
    const { doc, warnings } = withWarnings(added, await sectionsOf(renamed));
    expect(doc.server.servers.server.map((s: Xml) => [s.name, s.instance])).toEqual([['wg1', '1']]);
    expect(doc.server.servers.server[0].peers.split(',')).not.toContain(uuids.phone);
    expect(clientsOf(doc).find((c) => c['@uuid'] === uuids.phone)).toMatchObject({ name: 'guiphone' });
    expect(warnings).toContain('removed WireGuard instance wg0, which an earlier merge wrote and the topology no longer has: the box\'s own peer "guiphone" (10.0.1.200/32) on it is on no instance now');
  });

  it('removes the client of an adopted peer\'s earlier key once the topology rotates it, and says so', async () => {
    const first = merge(box, sections, pair.privateKey);
    const rotated = generateKeyPair().publicKey;
    const rotatedSections = await sectionsOf(edit(yaml, ['sites', 0, 'wireguard', 0, 'peers', 0, 'public_key'], rotated));
    const { merged, doc, warnings } = withWarnings(first, rotatedSections);
    const macs = clientsOf(doc).filter((c) => c.name === 'mac-workstation');
    expect(macs.map((c) => c.pubkey)).toEqual([rotated]);
    expect(clientsOf(doc).filter((c) => c.pubkey === macKey)).toEqual([]);
    expect(wg0(doc).peers.split(',')).toEqual([macs[0]['@uuid'], clientsOf(doc).find((c) => c.name === 'laptop-john')['@uuid'], uuids.phone]);
    expect(warnings).toContain(
      `removed the box's WireGuard peer "mac-workstation" (10.0.1.2/32) with public key ${macKey}: the topology's peer of that name and tunnel address has the public key ${rotated} (a key rotated since an earlier merge), so that the earlier key cannot connect again when the peer is linked to an instance`,
    );
    expect(withWarnings(merged, rotatedSections).merged).toBe(merged);
    // A box where an earlier merge already dropped the old key's link: the unlinked client goes too.
    const unlinked = first.replace(`<peers>${uuids.mac},`, '<peers>');
    expect(unlinked).not.toBe(first);
    expect(clientsOf(withWarnings(unlinked, rotatedSections).doc).filter((c) => c.pubkey === macKey)).toEqual([]);
    // An instance of the box's own that serves the old key: the operator's, so the client stays, with a warning.
    const office = `<server uuid="9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"><enabled>1</enabled><name>office</name><instance>5</instance><pubkey>${pair.publicKey}</pubkey><privkey>${pair.privateKey}</privkey><port>51825</port><tunneladdress>172.16.9.1/24</tunneladdress><peers>${uuids.mac}</peers></server>`;
    const theirs = withWarnings(first.replace('<servers>', `<servers>\n          ${office}`), rotatedSections);
    expect(clientsOf(theirs.doc).find((c) => c.pubkey === macKey)).toMatchObject({ '@uuid': uuids.mac, enabled: '1' });
    expect(wg0(theirs.doc).peers.split(',')).not.toContain(uuids.mac);
    expect(theirs.warnings).toContain(
      `kept the box's WireGuard peer "mac-workstation" (10.0.1.2/32) with public key ${macKey}: the topology's peer of that name and tunnel address has the public key ${rotated}, and the box's own instance office still links it: if it is the peer's earlier key, remove it on the box (VPN › WireGuard › Peers)`,
    );
  });

  // OPNsense writes a peer's psk as its PresharedKey (wireguard-server.conf), and the device's configuration from the
  // box (the GUI's peer generator offers a key) has the same one: a handshake needs both. gen's client files have none.
  const pskWarning = (box: string) =>
    `the topology's WireGuard peer mac-workstation keeps the pre-shared key of the box's peer ${box}, which it takes over: OPNsense writes it into the peer's [Peer] (PresharedKey), ` +
    "and the handshake works only while the device has the same key, which gen's client file for mac-workstation does not write. " +
    "Keep the PresharedKey line in the device's configuration (add it to a client file gen exports), or clear the key on the box (VPN › WireGuard › Peers) and remove the line from the device";

  it("keeps the pre-shared key of the box's peer it takes over by its key, says so without the key, and drops it with a new key", async () => {
    const psk = generateKeyPair().publicKey;
    const withPsk = (config: string, uuid: string) => {
      const out = config.replace(new RegExp(`(<client uuid="${uuid}">(?:(?!</client>)[\\s\\S])*?)<psk/>`), `$1<psk>${psk}</psk>`);
      expect(out).not.toBe(config);
      return out;
    };
    const { merged, doc, warnings } = withWarnings(withPsk(box, uuids.mac), sections);
    expect(clientsOf(doc).find((c) => c['@uuid'] === uuids.mac)).toMatchObject({ name: 'mac-workstation', pubkey: macKey, psk });
    expect(warnings).toContain(pskWarning('"macbook" (10.0.1.2/32)'));
    expect(warnings.filter((w) => w.includes(psk))).toEqual([]);
    // Merging again keeps it, the same bytes, and says so again.
    const again = withWarnings(merged, sections);
    expect(again.merged).toBe(merged);
    expect(again.warnings).toContain(pskWarning('"mac-workstation" (10.0.1.2/32)'));
    // A key set on the box on gen's own peer of an earlier merge stays the same way.
    const first = merge(gui, sections, pair.privateKey);
    const ours = clientsOf(parse(first).opnsense.OPNsense.wireguard).find((c) => c.name === 'mac-workstation')['@uuid'];
    const set = withWarnings(withPsk(first, ours), sections);
    expect(clientsOf(set.doc).find((c) => c['@uuid'] === ours)).toMatchObject({ pubkey: macKey, psk });
    expect(set.warnings).toContain(pskWarning('"mac-workstation" (10.0.1.2/32)'));
    // A new key is a new client file, without the line: the box's key goes with the old one.
    const rotated = await sectionsOf(edit(yaml, ['sites', 0, 'wireguard', 0, 'peers', 0, 'public_key'], generateKeyPair().publicKey));
    const dropped = withWarnings(withPsk(first, ours), rotated);
    expect(clientsOf(dropped.doc).find((c) => c['@uuid'] === ours)).toMatchObject({ psk: '' });
    expect(dropped.warnings.filter((w) => w.includes('pre-shared'))).toEqual([]);
  });

  it("writes gen's pre-shared key over the box's on a takeover when the topology asks for one: a warning only when they differ, never a key", async () => {
    const psk = generatePresharedKey();
    const boxPsk = generatePresharedKey();
    const pskSections = await sectionsOf(edit(yaml, ['sites', 0, 'wireguard', 0, 'peers', 0, 'preshared_key'], true));
    const mergeWith = (base: string) => {
      const warnings: string[] = [];
      const secret = (relative: string) => (relative === 'home/wireguard/wg0/peers/mac-workstation.psk' ? psk : pair.privateKey);
      const merged = mergeConfig(base, pskSections, { secret, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
      return { mac: clientsOf(parse(merged).opnsense.OPNsense.wireguard).find((c) => c['@uuid'] === uuids.mac), warnings: warnings.filter((w) => w.includes('pre-shared')) };
    };
    const withPsk = (key: string) => {
      const out = box.replace(new RegExp(`(<client uuid="${uuids.mac}">(?:(?!</client>)[\\s\\S])*?)<psk/>`), `$1<psk>${key}</psk>`);
      expect(out).not.toBe(box);
      return out;
    };
    const differs = mergeWith(withPsk(boxPsk));
    expect(differs.mac).toMatchObject({ name: 'mac-workstation', pubkey: macKey, psk });
    expect(differs.warnings).toEqual([
      `the topology's WireGuard peer mac-workstation replaces the pre-shared key of the box's peer "macbook" (10.0.1.2/32), which it takes over, with its own from the secrets directory (preshared_key): ` +
        "OPNsense writes it into the peer's [Peer] (PresharedKey), and the handshake works only once the device has the same key. " +
        "Give the device the client file gen wg export mac-workstation writes (or its PresharedKey line); to keep the box's key instead, put it into the secrets directory's mac-workstation.psk of that instance and merge again",
    ]);
    const same = mergeWith(withPsk(psk));
    expect(same.mac).toMatchObject({ psk });
    expect(same.warnings).toEqual([]);
    expect(mergeWith(box)).toEqual({ mac: expect.objectContaining({ psk }), warnings: [] });
  });

  // OPNsense writes a peer's tunnel addresses as its AllowedIPs (wireguard-server.conf) and routes each into the
  // tunnel (wg-service-control.php, wg_start): a network the box's peer routed is cut off when gen gives it one address.
  it("names the other tunnel addresses of the box's peer it takes over by its key, once", () => {
    const routed = box.replace(client(uuids.mac, 'macbook', macKey, '10.0.1.2/32'), client(uuids.mac, 'macbook', macKey, '10.0.1.2/32,192.168.50.0/24'));
    expect(routed).not.toBe(box);
    const { merged, doc, warnings } = withWarnings(routed, sections);
    expect(clientsOf(doc).find((c) => c['@uuid'] === uuids.mac)).toMatchObject({ name: 'mac-workstation', tunneladdress: '10.0.1.2/32' });
    expect(warnings).toContain(
      `the topology's WireGuard peer mac-workstation takes over the box's peer "macbook" (10.0.1.2/32,192.168.50.0/24) with its one tunnel address 10.0.1.2/32: ` +
        "OPNsense no longer accepts 192.168.50.0/24 from the device nor routes it into the tunnel (a peer's allowed IPs and routes are its tunnel addresses), so a network behind the device is cut off. " +
        "To keep it, remove mac-workstation from the topology and merge again into this base: the box's peer then stays as it is",
    );
    expect(withWarnings(merged, sections).warnings.filter((w) => w.includes('one tunnel address'))).toEqual([]);
    // A box's peer with one address, which gen's replaces: nothing behind it is lost.
    expect(withWarnings(box, sections).warnings.filter((w) => w.includes('one tunnel address'))).toEqual([]);
  });
});

describe("the base's anti-lockout rule against the topology's", async () => {
  // The topology's firewall.anti_lockout is what lint and the policy tests reason from; only the base can confirm it.
  const { pair, yaml } = homelabWithKey();
  const sections = await sectionsOf(yaml);
  const webgui = (inner: string) => SAMPLE.replace('<webgui>\n      <protocol>https</protocol>\n    </webgui>', `<webgui>\n      <protocol>https</protocol>\n${inner}    </webgui>`);
  // The GUI off HAProxy's ports, as the merge requires.
  const box = (extra = '', ssh = '') => webgui(`      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>\n${extra}`).replace('<ssh>\n      <group>admins</group>', `<ssh>\n      <group>admins</group>${ssh}`);
  const warnings = (base: string, antiLockout: { enabled: boolean; ports: number[] }) => {
    const said: string[] = [];
    mergeConfig(base, sections, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, warn: (m) => said.push(m), antiLockout: { ...antiLockout, interface: 'lan' } });
    return said.filter((m) => /anti-lockout|web GUI and SSH/.test(m));
  };

  it('says nothing when they agree: the web GUI port, and SSH when it is enabled', () => {
    expect(warnings(box(), { enabled: true, ports: [8443] })).toEqual([]);
    expect(warnings(box('', '\n      <enabled>enabled</enabled>\n      <port>2222</port>'), { enabled: true, ports: [2222, 8443] })).toEqual([]);
    expect(warnings(box('      <noantilockout>1</noantilockout>\n'), { enabled: false, ports: [8443] })).toEqual([]);
  });

  it('names the ports the base opens when the topology says others (filter_core_get_antilockout)', () => {
    // SSH off on the box (no <enabled> under <ssh>): the rule opens the GUI's port alone, and the message says so.
    expect(warnings(box(), { enabled: true, ports: [22, 80, 443] })).toEqual([
      "the base's web GUI uses (SSH is off) TCP 8443 (System › Settings › Administration), which the anti-lockout rule opens; the topology says 22, 80, 443: set firewall.anti_lockout.ports: [8443]",
    ]);
    expect(warnings(box('', '\n      <enabled>enabled</enabled>\n      <port>2222</port>'), { enabled: true, ports: [22, 8443] })).toEqual([
      "the base's web GUI and SSH use TCP 2222, 8443 (System › Settings › Administration), which the anti-lockout rule opens; the topology says 22, 8443: set firewall.anti_lockout.ports: [2222, 8443]",
    ]);
  });

  it('warns while the base still has the rule on that the topology says is disabled, and the other way round', () => {
    expect(warnings(box(), { enabled: false, ports: [8443] })).toEqual([
      "the base has OPNsense's anti-lockout rule on (TCP 8443 from lan to the firewall, before every policy rule); the topology says it is disabled: do the step in steps.md once the configuration is restored",
    ]);
    expect(warnings(box('      <noantilockout>1</noantilockout>\n'), { enabled: true, ports: [8443] })).toEqual([
      'the base has the anti-lockout rule disabled (<webgui><noantilockout>); the topology says it is on: set firewall.anti_lockout.enabled: false, or gen lint and the policy tests count a pass the box does not make',
    ]);
  });
});

describe('model versions of the base', async () => {
  const { pair, yaml } = homelabWithKey();

  it('refuses a base whose model version is not the release\'s: the topology targets another release than the box runs', async () => {
    const old = withMvc(SAMPLE, '<HAProxy version="4.1.0">\n      <general>\n        <enabled>0</enabled>\n      </general>\n    </HAProxy>');
    expect(() => merge(old, [], pair.privateKey)).not.toThrow();
    const sections = await sectionsOf(yaml);
    expect(() => merge(old, sections, pair.privateKey)).toThrow(/the base's <OPNsense\/HAProxy> model is version 4\.1\.0, but the topology's OPNsense release writes version 5\.0\.0: set firewall\.release to the release the box runs/);
    expect(merge(old, await sectionsOf(edit(yaml, ['sites', 0, 'firewall', 'release'], '26.1.1')), pair.privateKey)).toContain('<HAProxy version="4.1.0">');
  });
});

describe('gen opnsense merge (command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-opnsense-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { pair, yaml } = homelabWithKey();
  const topology = join(dir, 'topology.yaml');
  const base = join(dir, 'backup.xml');
  // A GUI on 8443 without its HTTP redirect leaves 80 and 443 to HAProxy; the topology says so (the anti-lockout rule's port).
  writeFileSync(topology, edit(yaml, ['sites', 0, 'firewall', 'anti_lockout'], { ports: [8443] }));
  writeFileSync(base, SAMPLE.replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>'));

  it('writes the merged config with mode 0600, its key from the secrets directory, and says what it removed', async () => {
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    const out = join(dir, 'merged.xml');
    const result = await gen('opnsense', 'merge', '-f', topology, '--base', base, '--secrets', secrets, '-o', out);
    expect(result.stderr).toBe(
      [
        'gen: warning: removed the base\'s filter rule "Default allow LAN to any rule" on lan: on the interfaces the topology assigns, its policy decides what passes (default deny)',
        'gen: warning: removed the base\'s filter rule "Default allow LAN IPv6 to any rule" on lan: on the interfaces the topology assigns, its policy decides what passes (default deny)',
        // The factory LAN hands out IPv6 (idassoc6 from the WAN's prefix) that gen's IPv4 policy drops; the WAN's dhcp6 harms nobody.
        "gen: warning: the base configures IPv6 on lan (Management) (idassoc6), which the topology does not cover: gen's rules there pass IPv4 only, so its hosts get IPv6 addresses whose traffic the firewall drops; set its IPv6 Configuration Type to None (Interfaces › Management)",
        "gen: warning: removed the base's dnsmasq DHCP range 192.168.1.100-192.168.1.199 on lan: it lies outside lan's network 10.0.0.0/24 in the topology",
        `gen: wrote ${out}: site home merged into ${base}, mode 0600 (restore it whole: System > Configuration > Backups)`,
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const merged = readFileSync(out, 'utf8');
    expect(parse(merged).opnsense.OPNsense.wireguard.server.servers.server[0].privkey).toBe(pair.privateKey);
    expect(result.stdout).not.toContain(pair.privateKey);
    // Again, into its own output: nothing changes; only what still holds (the LAN's IPv6) is said again.
    const again = join(dir, 'again.xml');
    const second = await gen('opnsense', 'merge', '-f', topology, '--base', out, '--secrets', secrets, '-o', again);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe(`${result.stderr.split('\n').find((l) => l.includes('IPv6 on lan'))}\ngen: wrote ${again}: site home merged into ${out}, mode 0600 (restore it whole: System > Configuration > Backups)\n`);
    expect(readFileSync(again, 'utf8')).toBe(merged);
  });

  it("fills a peer's psk from the secrets directory with preshared_key, and refuses, writing nothing, a missing or broken one", async () => {
    const secrets = join(dir, 'secrets-psk');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    const withPsk = join(dir, 'psk', 'topology.yaml');
    mkdirSync(dirname(withPsk), { recursive: true });
    writeFileSync(withPsk, edit(readFileSync(topology, 'utf8'), ['sites', 0, 'wireguard', 0, 'peers', 0, 'preshared_key'], true));
    const out = join(dir, 'psk-merged.xml');
    const missing = await gen('opnsense', 'merge', '-f', withPsk, '--base', base, '--secrets', secrets, '-o', out);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      'no pre-shared key for WireGuard peer mac-workstation, which has preshared_key in the topology: expected home/wireguard/wg0/peers/mac-workstation.psk in the secrets directory (gen wg psk mac-workstation makes it; then export its client file again)',
    );
    expect(existsSync(out)).toBe(false);
    // Base64 that OPNsense's Base64Field takes, but not the 32 bytes wg(8) reads.
    writeSecret(secrets, peerPskPath('home', 'wg0', 'mac-workstation'), 'c2hvcnQ=');
    const broken = await gen('opnsense', 'merge', '-f', withPsk, '--base', base, '--secrets', secrets, '-o', out);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('home/wireguard/wg0/peers/mac-workstation.psk in the secrets directory is not a WireGuard pre-shared key (44 characters of base64, as wg genpsk prints): gen wg psk mac-workstation --force makes a new one');
    expect(existsSync(out)).toBe(false);
    const psk = generatePresharedKey();
    writeSecret(secrets, peerPskPath('home', 'wg0', 'mac-workstation'), psk);
    const result = await gen('opnsense', 'merge', '-f', withPsk, '--base', base, '--secrets', secrets, '-o', out);
    expect(result.code).toBe(0);
    const clients = parse(readFileSync(out, 'utf8')).opnsense.OPNsense.wireguard.client.clients.client as Xml[];
    expect(clients.map((c) => [c.name, c.psk])).toEqual([['mac-workstation', psk], ['laptop-john', ''], ['iphone-john', '']]);
    expect(result.stdout + result.stderr).not.toContain(psk);
  });

  it("quotes the base's text in a warning as one line a terminal only shows: line breaks, C1 controls and bidi controls escaped", async () => {
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    // XML 1.0 takes a line feed, CSI (U+009B) and U+202E as references; OPNsense's DescriptionField takes the last two from its GUI.
    const description = 'x\ngen: wrote /tmp/ok\n\u009b31mred\u009b0m \u202etxt.exe';
    const hostile = join(dir, 'hostile.xml');
    const references = [...description].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e ? `&#${c.charCodeAt(0)};` : c)).join('');
    const text = readFileSync(base, 'utf8').replace('<description>Default allow LAN to any rule</description>', `<description>${references}</description>`);
    expect(text).toContain(references);
    writeFileSync(hostile, text);
    const out = join(dir, 'hostile-merged.xml');
    const result = await gen('opnsense', 'merge', '-f', topology, '--base', hostile, '--secrets', secrets, '-o', out);
    expect(result.code).toBe(0);
    // Every line is one of gen's, and nothing in it is a control a terminal acts on.
    for (const line of result.stderr.trimEnd().split('\n')) expect(line).toMatch(/^gen: (warning: |wrote )/);
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    // The description is all there, each such character as its escape.
    const quoted = /removed the base's filter rule "(.*)" on lan/.exec(result.stderr)?.[1];
    expect(quoted?.replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))).toBe(description);
  });

  it('refuses, and writes nothing, when the GUI holds a port HAProxy binds; --allow-gui-port-conflict merges with a warning', async () => {
    const secrets = join(dir, 'secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), pair.privateKey);
    const factory = join(dir, 'factory.xml');
    writeFileSync(factory, SAMPLE);
    const out = join(dir, 'factory-merged.xml');
    const refused = await gen('opnsense', 'merge', '-f', topology, '--base', factory, '--secrets', secrets, '-o', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^gen: .*factory\.xml: HAProxy frontend https binds 0\.0\.0\.0:443, but the web GUI/m);
    expect(refused.stderr).not.toMatch(/removed/);
    expect(existsSync(out)).toBe(false);
    const allowed = await gen('opnsense', 'merge', '-f', topology, '--base', factory, '--secrets', secrets, '-o', out, '--allow-gui-port-conflict');
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/^gen: warning: HAProxy frontend https binds 0\.0\.0\.0:443, but the web GUI/m);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  // The command knows the site joins the VPC (aws.vpc.site_to_site.site) without any rule from it in the policy.
  it("names the box's pass on the IPsec tab of a site joined to the VPC whose policy has no rule from it", async () => {
    const keys = generateKeyPair();
    const joined = join(dir, 'site-to-site.yaml');
    writeFileSync(joined, edit(siteToSite(), ['sites', 0, 'wireguard', 0, 'public_key'], keys.publicKey));
    const secrets = join(dir, 'joined-secrets');
    writeSecret(secrets, instanceKeyPath('home', 'wg0'), keys.privateKey);
    // The legacy form of 25.7 (the topology's release), as Firewall > Rules > IPsec saves a "pass any".
    const ipsecAny = '<rule>\n      <type>pass</type>\n      <ipprotocol>inet</ipprotocol>\n      <descr>allow IPsec</descr>\n      <interface>enc0</interface>\n      <source>\n        <any/>\n      </source>\n      <destination>\n        <any/>\n      </destination>\n    </rule>\n    ';
    const box = join(dir, 'ipsec-backup.xml');
    writeFileSync(box, SAMPLE_25_7.replace('<filter>\n    <rule>', `<filter>\n    ${ipsecAny}<rule>`));
    const out = join(dir, 'ipsec-merged.xml');
    const result = await gen('opnsense', 'merge', '-f', joined, '--base', box, '--secrets', secrets, '-o', out, '--allow-gui-port-conflict');
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((l) => l.includes('enc0'))).toEqual([
      expect.stringMatching(/^gen: warning: kept the base's filter rule "allow IPsec" on enc0, where AWS VPC main \(10\.30\.0\.0\/16\) arrives by the site-to-site VPN: the topology's policy has no rule from the VPC, so the VPC reaches nothing \(default deny\)/),
    ]);
    // Kept: it may serve the box's other tunnels.
    expect(readFileSync(out, 'utf8')).toContain('<descr>allow IPsec</descr>');
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
    // Named at its line and column (the é of Café, counted in the bytes written), with the fix.
    const written = readFileSync(join(dir, 'undeclared.xml'));
    const lines = written.subarray(0, written.indexOf(0xe9)).toString('latin1').split('\n');
    expect([undeclared.code, undeclared.stderr]).toEqual([1, `gen: ${join(dir, 'undeclared.xml')}:${lines.length}:${lines.at(-1)!.length + 1}: not UTF-8 (byte 0xE9 is not valid there); gen merges UTF-8 backups only, as OPNsense writes them: download the backup from the box again, or convert it (from Latin-1: iconv -f ISO-8859-1 -t UTF-8)\n`]);
    expect(lines.at(-1)).toBe('    <descr>Caf');
    expect(existsSync(join(dir, 'l.xml')) || existsSync(join(dir, 'u.xml'))).toBe(false);
    // UTF-8 bytes of unmanaged text come out exactly as they went in.
    writeFileSync(join(dir, 'utf8.xml'), SAMPLE.replace('<hostname>OPNsense</hostname>', '<hostname>OPNsense</hostname>\n    <descr>Café ☕</descr>'));
    expect((await gen('opnsense', 'merge', '-f', topology, '--base', join(dir, 'utf8.xml'), '--secrets', secrets, '-o', join(dir, 'm.xml'), '--allow-gui-port-conflict')).code).toBe(0);
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
