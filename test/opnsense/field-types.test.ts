// Every value gen writes into an MVC section, and every value of a config
// merged into a release's factory config.xml, fits the field type and the
// constraints of that release's own model files (verbatim copies in
// models/): option lists (with optgroups and multiple values), integer
// ranges, booleans, networks, ports, host names, masks, required fields,
// relations and certificate references that resolve in the whole tree,
// unique constraints, the model's version attribute, and every field of
// every item gen writes (OPNsense's templates read config.xml without the
// model). The first describe block shows the check catches what OPNsense
// refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { type XmlElement, attr, child, childrenNamed, element, isElement, leaf } from '../../src/render/opnsense/xml.js';
import { MODELS_DIR, type ModelDef, checkConfig, loadModels } from './model-check.js';
import { CONFIG_CASES, everyItem, releaseSections, withBoxCa } from './support.js';

/**
 * The model files of a point release: the series' newest ones, with the
 * models an earlier point release has in another version (from the
 * upstream tags; see models/SOURCES.md).
 */
const POINT_RELEASES: Record<string, { series: string; from: Record<string, string> }> = {
  '25.7.1': { series: '25.7', from: { 'OPNsense.Dnsmasq.Dnsmasq': '25.7.1', 'OPNsense.Wireguard.Server': '25.7.5' } },
  '25.7.5': { series: '25.7', from: { 'OPNsense.Wireguard.Server': '25.7.5' } },
  '26.1.1': { series: '26.1', from: { 'OPNsense.HAProxy.HAProxy': '25.7', 'OPNsense.AcmeClient.AcmeClient': '25.7', 'OPNsense.Dnsmasq.Dnsmasq': '25.7', 'OPNsense.Routes.Route': '25.7', 'OPNsense.Firewall.Filter': '25.7' } },
  '26.1.6': { series: '26.1', from: { 'OPNsense.AcmeClient.AcmeClient': '26.1.6', 'OPNsense.Routes.Route': '25.7', 'OPNsense.Firewall.Filter': '25.7' } },
};

function modelsOf(release: string): ModelDef[] {
  const point = POINT_RELEASES[release];
  if (!point) return loadModels(release);
  const replaced = Object.entries(point.from).map(([className, snapshot]) => loadModels(snapshot).find((m) => m.className === className)!);
  return [...loadModels(point.series).filter((m) => !point.from[m.className]), ...replaced];
}

/** The factory config.xml of a release, with the CA the box has (see withBoxCa). */
function sample(release: string): string {
  return withBoxCa(readFileSync(join(MODELS_DIR, release.split('.').slice(0, 2).join('.'), 'config.xml.sample'), 'utf8'));
}

/** Sections that share a path, put together as in one config.xml. */
function join_(sections: XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const s of sections) {
    const same = s.attrs.length === 0 ? out.find((o) => o.name === s.name && o.attrs.length === 0 && o.children.some(isElement)) : undefined;
    if (same && s.children.some(isElement)) same.children = join_([...(same.children as XmlElement[]), ...(s.children.filter(isElement) as XmlElement[])]);
    else out.push(s);
  }
  return out;
}

function uuidsOf(nodes: readonly XmlElement[]): Set<string> {
  const out = new Set<string>();
  const walk = (n: XmlElement) => {
    const uuid = attr(n, 'uuid');
    if (uuid !== undefined) out.add(uuid);
    n.children.filter(isElement).forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}

const STAND_IN = selfSignedCertificate(['stand-in.example.com']);

const build = releaseSections;

/**
 * gen's fragments as one config: the instance key in place of its
 * placeholder, as merge fills it, and the CA the box has (see withBoxCa).
 */
function fragmentConfig(sections: readonly XmlElement[], privateKey: string): XmlElement {
  const ca = parseXml(withBoxCa('<opnsense></opnsense>')).root.children.filter(isElement);
  const config = element('opnsense', [element('system', []), ...ca, ...join_(sections.map((s) => structuredClone(s)))]);
  const fill = (n: XmlElement) => {
    n.children = n.children.map((c) => ('text' in c && c.text.startsWith(PRIVATE_KEY_PLACEHOLDER_PREFIX) ? { text: privateKey } : c));
    n.children.filter(isElement).forEach(fill);
  };
  fill(config);
  return config;
}

const CASES = CONFIG_CASES;
const RELEASES = ['25.7', '26.1', '26.7', '25.7.1', '25.7.5', '26.1.1', '26.1.6'];

describe('the field-type check itself', () => {
  const models = loadModels('26.7');
  const config = (xml: string) => parseXml(`<opnsense><system/>${xml}</opnsense>`).root;

  it('accepts a valid item and refuses what OPNsense refuses, naming the field', () => {
    const acme = (type: string) =>
      `<OPNsense><AcmeClient version="4.4.0"><actions><action uuid="b7928d76-fe1c-5a04-b7ca-feb7c30757b2"><id>7cfcd0a3889cb6.38323411</id><enabled>1</enabled><name>x</name><type>${type}</type></action></actions></AcmeClient></OPNsense>`;
    expect(checkConfig(config(acme('configd_restart_haproxy')), models)).toEqual([]);
    // The pre-3.1 action name gen wrote before: OPNsense's ACME client runs no automation for it.
    expect(checkConfig(config(acme('restart_haproxy')), models)).toEqual([
      expect.objectContaining({ path: expect.stringMatching(/actions\/action\[b7928d76.*\]\/type$/), message: expect.stringMatching(/"restart_haproxy" not among its options/) }),
    ]);
  });

  it('finds unknown elements, missing fields of complete items, ranges, relations, versions and duplicates', () => {
    const problems = checkConfig(
      config(
        '<vlans version="1.0.1"><vlan uuid="0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10"><if>vtnet1</if><tag>5000</tag><pcp>0</pcp><vlanif>vlan0.1</vlanif></vlan>' +
          '<vlan uuid="0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a11"><if>vtnet1</if><tag>20</tag><pcp>0</pcp><vlanif>vlan0.1</vlanif></vlan></vlans>' +
          '<interfaces><lan><if>vtnet1</if></lan></interfaces>' +
          '<nat><rule uuid="85ed1a4f-d2c1-552b-8c7d-b14c3d17106e"><sequence>10</sequence><interface>lan</interface><source><any/></source><destination><network>lanip</network></destination></rule></nat>' +
          '<OPNsense><HAProxy version="5.0.0"><frontends><frontend uuid="df2e4b31-71ec-5a41-9e94-767e5f3e18ee"><id>558c581b7b6371.88327414</id><name>f</name><bind>0.0.0.0:80</bind><mode>http</mode><defaultBackend>60773ca6-7931-5390-9526-629552dcb2fd</defaultBackend></frontend></frontends>' +
          '<actions><action uuid="61faa30e-e708-5537-99ed-7b450af40487"><name>r</name><type>http-request_redirect</type></action></actions></HAProxy></OPNsense>',
      ),
      models,
      { complete: new Set(['df2e4b31-71ec-5a41-9e94-767e5f3e18ee']) },
    );
    const messages = problems.map((p) => `${p.path.replace(/ \([^)]*\)/, '')}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^vlans: version 1\.0\.1, but the model is 1\.0\.0$/),
        expect.stringMatching(/vlan\[0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10\]\/tag: 5000 is above 4094/),
        expect.stringMatching(/vlans\/vlan\/vlanif: "vlan0\.1" is not unique/),
        expect.stringMatching(/rule\[85ed1a4f.*\]\/source\/any: is no field of the model/),
        expect.stringMatching(/frontend\[df2e4b31.*\]\/connectionBehaviour: is missing/),
        expect.stringMatching(/frontend\[df2e4b31.*\]\/defaultBackend: 60773ca6-7931-5390-9526-629552dcb2fd is no item the relation may point to/),
        expect.stringMatching(/action\[61faa30e.*\]\/type: "http-request_redirect" not among its options/),
      ]),
    );
  });
});

describe.each(RELEASES)('OPNsense %s: every value fits its field', (release) => {
  const models = modelsOf(release);

  it.each(CASES)('$name: the fragments', async ({ yaml }) => {
    const { sections, privateKey } = await build(yaml(), release);
    const config = fragmentConfig(sections, privateKey);
    expect(checkConfig(config, models, { complete: uuidsOf(sections) })).toEqual([]);
  });

  it.each(CASES)('$name: merged into the factory config.xml', async ({ yaml }) => {
    const { sections, privateKey } = await build(yaml(), release);
    const merged = mergeConfig(sample(release), sections, {
      secret: () => privateKey,
      placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
      standIn: () => STAND_IN,
      allowGuiPortConflict: true,
    });
    const root = parseXml(merged).root;
    expect(checkConfig(root, models, { complete: uuidsOf(sections), allowUnversioned: true })).toEqual([]);
    // The relations were followed: the HAProxy chain and the ACME items are in the merged file.
    expect(childrenNamed(child(child(child(root, 'OPNsense'), 'HAProxy'), 'frontends'), 'frontend').length).toBeGreaterThan(0);
  });
});

describe('the field check fails on what gen wrote before', () => {
  it('a legacy <any/> source in a Destination NAT rule, HAProxy 4 actions on 5.0.0, the old ACME action', async () => {
    const { sections, privateKey } = await build(everyItem(), '26.7');
    const config = fragmentConfig(sections, privateKey);
    const rule = childrenNamed(child(config, 'nat'), 'rule')[0]!;
    child(rule, 'source')!.children = [leaf('any', '')];
    const acme = child(child(child(child(config, 'OPNsense'), 'AcmeClient'), 'actions'), 'action')!;
    acme.children = acme.children.map((c) => (isElement(c) && c.name === 'type' ? leaf('type', 'restart_haproxy') : c));
    const problems = checkConfig(config, loadModels('26.7')).map((p) => p.message);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/is no field/), expect.stringMatching(/"restart_haproxy" not among its options/)]));
  });
});
