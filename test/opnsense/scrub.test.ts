// The MSS clamp of the WireGuard tunnels (Firewall ▸ Settings ▸
// Normalization): legacy <filter><scrub><rule> in every release, checked
// here against the fields and validation of OPNsense's own edit page
// (firewall_scrub_edit.php, the same in 25.7.11, 26.1.11 and 26.7.2), and
// how the merge keeps them: replaced when gen wrote them (also after a GUI
// save dropped their uuid), the operator's own kept, stale ones removed.
// OPNsense compiling them: test/verify/opnsense-upstream.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { element, xmlDocument } from '../../src/render/opnsense/xml.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, modelOf, readExample, root, shortTunnelNames } from '../helpers.js';
import { type Xml, parse } from './support.js';

const SAMPLE = readFileSync(join(root, 'test/opnsense/models/25.7/config.xml.sample'), 'utf8');
const STAND_IN = selfSignedCertificate(['stand-in.example']);
const wg0 = ['sites', 0, 'wireguard', 0];

async function sectionsOf(yaml: string) {
  const model = await modelOf(yaml);
  return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
}

function merge(base: string, yamlSections: Awaited<ReturnType<typeof sectionsOf>>, key: string): string {
  // (The factory web GUI holds 443 and 80; the GUI check has its own tests.)
  return mergeConfig(base, yamlSections, { secret: () => key, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => STAND_IN, allowGuiPortConflict: true });
}

function scrubRules(xml: string): Xml[] {
  const rules = parse(xml).opnsense.filter.scrub?.rule;
  return rules === undefined ? [] : Array.isArray(rules) ? rules : [rules];
}

/** The edit page's field list and checks (firewall_scrub_edit.php): what a GUI save keeps and refuses. */
const GUI_FIELDS = ['interface', 'proto', 'srcnot', 'src', 'srcmask', 'dstnot', 'dst', 'dstmask', 'dstport', 'no-df', 'random-id', 'max-mss', 'min-ttl', 'set-tos', 'descr', 'disabled', 'direction', 'srcport', 'noscrub'];
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

function guiErrors(rule: Xml): string[] {
  const errors: string[] = [];
  if (!rule.interface) errors.push('No interface(s) selected.');
  if (IPV4.test(rule.src) && Number(rule.srcmask) > 32) errors.push('Invalid subnet mask on IPv4 source');
  if (rule['max-mss'] !== undefined && String(Number.parseInt(rule['max-mss'], 10)) !== rule['max-mss']) errors.push('Please specify a valid number for max mss.');
  // The mask is a select of 128 … 1: a value outside it would be replaced on the next save.
  if (!(Number(rule.srcmask) >= 1 && Number(rule.srcmask) <= 128)) errors.push(`mask ${rule.srcmask} is not offered`);
  // A GUI save keeps only non-empty fields ("0" is empty to PHP).
  for (const field of GUI_FIELDS) if (rule[field] === '0') errors.push(`${field} "0" would be dropped`);
  return errors;
}

describe('MSS clamp rules', () => {
  it('scenario A: MTU 1420 gives max MSS 1380 (IPv4) and 1360 (IPv6) on the WireGuard group, every field one the GUI keeps', async () => {
    const pair = generateKeyPair();
    const yaml = edit(readExample('homelab'), [...wg0, 'public_key'], pair.publicKey);
    const filter = (await sectionsOf(yaml)).find((s) => s.name === 'filter')!;
    const merged = merge(SAMPLE, [filter], pair.privateKey);
    const rules = scrubRules(merged);
    expect(rules.map((r) => [r.interface, r.proto, `${r.src}/${r.srcmask}`, r.dst, r['max-mss']])).toEqual([
      ['wireguard', 'tcp', '0.0.0.0/1', 'any', '1380'],
      ['wireguard', 'tcp', '128.0.0.0/1', 'any', '1380'],
      ['wireguard', 'tcp', '::/1', 'any', '1360'],
      ['wireguard', 'tcp', '8000::/1', 'any', '1360'],
    ]);
    for (const rule of rules) {
      expect(Object.keys(rule).filter((k) => !k.startsWith('@') && !GUI_FIELDS.includes(k))).toEqual([]);
      expect(guiErrors(rule), JSON.stringify(rule)).toEqual([]);
      expect(rule.descr).toMatch(/^gen: TCP MSS clamp for WireGuard wg0: tunnel MTU 1420 - (40|60) /);
    }
  });

  it('follows the tunnel MTU', async () => {
    const yaml = edit(readExample('homelab'), [...wg0, 'mtu'], 1400);
    const filter = (await sectionsOf(yaml)).find((s) => s.name === 'filter')!;
    expect(scrubRules(xmlDocument(element('opnsense', [filter]))).map((r) => r['max-mss'])).toEqual(['1360', '1360', '1340', '1340']);
  });

  it('instances with different MTUs: each assigned one on its own interface, first', async () => {
    let yaml = readExample('homelab');
    yaml = edit(yaml, ['sites', 0, 'firewall', 'interfaces', 4], { name: 'wg-b', assign: 'opt3', description: 'WGB', wireguard: 'wg1' });
    yaml = edit(yaml, ['sites', 0, 'wireguard', 1], { name: 'wg1', listen_port: 51821, address: '10.0.2.1/24', mtu: 1380, roles: [{ name: 'any', from: '10.0.2.2', to: '10.0.2.254' }] });
    const filter = (await sectionsOf(shortTunnelNames(yaml))).find((s) => s.name === 'filter')!;
    const rules = scrubRules(xmlDocument(element('opnsense', [filter])));
    expect(rules.map((r) => [r.interface, `${r.src}/${r.srcmask}`, r['max-mss']])).toEqual([
      ['opt2', '0.0.0.0/1', '1380'],
      ['opt2', '128.0.0.0/1', '1380'],
      ['opt2', '::/1', '1360'],
      ['opt2', '8000::/1', '1360'],
      ['opt3', '0.0.0.0/1', '1340'],
      ['opt3', '128.0.0.0/1', '1340'],
      ['opt3', '::/1', '1320'],
      ['opt3', '8000::/1', '1320'],
    ]);
  });

  it('merging replaces gen clamps, also one saved in the GUI without its uuid; keeps the operator own; twice equals once', async () => {
    const pair = generateKeyPair();
    const yaml = edit(readExample('homelab'), [...wg0, 'public_key'], pair.publicKey);
    const filter = (await sectionsOf(yaml)).find((s) => s.name === 'filter')!;
    const own = '<rule><interface>wan</interface><proto>any</proto><src>any</src><dst>any</dst><no-df>1</no-df><descr>operator rule</descr></rule>';
    const guiSaved =
      '<rule><interface>wireguard</interface><proto>tcp</proto><src>0.0.0.0</src><srcmask>1</srcmask><dst>any</dst><max-mss>1300</max-mss>' +
      '<descr>gen: TCP MSS clamp for WireGuard wg0: tunnel MTU 1340 - 40 (IPv4, 0.0.0.0/1)</descr><updated><time>1</time></updated></rule>';
    const base = SAMPLE.replace('<filter>\n', `<filter>\n    <scrub>${guiSaved}${own}</scrub>\n`);
    const merged = merge(base, [filter], pair.privateKey);
    const rules = scrubRules(merged);
    expect(rules.map((r) => r.descr)).toEqual([...rules.slice(0, 4).map((r) => r.descr), 'operator rule']);
    expect(rules.filter((r) => r['max-mss'] === '1300')).toEqual([]);
    expect(rules).toHaveLength(5);
    expect(merge(merged, [filter], pair.privateKey)).toBe(merged);
  });

  it('merging a topology without WireGuard removes the clamps an earlier merge wrote', async () => {
    const pair = generateKeyPair();
    const yaml = edit(readExample('homelab'), [...wg0, 'public_key'], pair.publicKey);
    const withClamp = merge(SAMPLE, [(await sectionsOf(yaml)).find((s) => s.name === 'filter')!], pair.privateKey);
    expect(scrubRules(withClamp)).toHaveLength(4);
    let plain = edit(readExample('homelab'), ['sites', 0, 'wireguard'], undefined);
    plain = edit(plain, ['sites', 0, 'firewall', 'interfaces', 3], undefined);
    plain = edit(plain, ['sites', 0, 'policy', 'zones', 2], undefined);
    plain = edit(plain, ['sites', 0, 'policy', 'rules', 2], undefined);
    plain = edit(plain, ['sites', 0, 'policy', 'rules', 1], undefined);
    plain = edit(plain, ['sites', 0, 'policy', 'rules', 0], undefined);
    plain = edit(plain, ['sites', 0, 'policy', 'tests'], undefined);
    const filter = (await sectionsOf(plain)).find((s) => s.name === 'filter')!;
    expect(scrubRules(merge(withClamp, [filter], pair.privateKey))).toEqual([]);
  });
});
