// What the topology drops after a merge wrote it, where merge writes no list
// of that kind any more: all of HAProxy and ACME, all of WireGuard, a VLAN.
// gen's items go (they carry gen's UUIDs), and an interface assignment of a
// VLAN or tunnel that goes goes with it, as OPNsense deletes an assignment
// (Interfaces/Api/AssignmentController.php; OPNsense never deletes an
// assigned VLAN, VlanSettingsController::delItemAction). OPNsense's own
// validation of such results runs in opnsense-php.test.ts.
import { describe, expect, it } from 'vitest';
import { MergeError, mergeConfig } from '../../src/opnsense/merge.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, modelOf, readExample } from '../helpers.js';
import { type Xml, factorySample, parse, withBoxCa, withoutHaproxy, withoutVpssvc, withoutWireguard } from './support.js';

const SAMPLE = factorySample('26.7');
const STAND_IN = selfSignedCertificate(['stand-in.example']);
const pair = generateKeyPair();

async function sectionsOf(yaml: string) {
  const text = yaml.includes('\n    wireguard:') ? edit(yaml, ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey) : yaml;
  const model = await modelOf(text);
  return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
}

function merge(base: string, sections: Awaited<ReturnType<typeof sectionsOf>>, said: string[] = []): string {
  return mergeConfig(base, sections, {
    secret: () => pair.privateKey,
    placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
    standIn: () => STAND_IN,
    allowGuiPortConflict: true,
    warn: (m) => said.push(m),
  });
}

const list = (value: unknown): Xml[] => (value === undefined || value === '' ? [] : [value].flat());
const GEN_MARK = '6e67656e';

describe('a VLAN the topology drops', () => {
  it('goes with its assignment, its DHCP and the rules on it, as OPNsense deletes an assignment; a rule on more interfaces keeps the others', async () => {
    const first = merge(SAMPLE, await sectionsOf(readExample('vlan-hosting')));
    const before = parse(first).opnsense;
    expect(before.interfaces.opt3.if).toBe('vlan0.30');
    // The operator's own rules on opt3: one on it alone, one floating on opt3 and lan.
    const own = (uuid: string, iface: string, descr: string) =>
      `<rule uuid="${uuid}"><type>pass</type><interface>${iface}</interface><ipprotocol>inet</ipprotocol><descr>${descr}</descr><source><any>1</any></source><destination><any>1</any></destination>${iface.includes(',') ? '<floating>yes</floating>' : ''}</rule>`;
    const base = first.replace(
      '<filter>',
      `<filter>\n    ${own('0b7e2a4c-1d3f-4e5a-8b6c-7d8e9f0a1b2c', 'opt3', 'vps monitoring')}\n    ${own('1c8f3b5d-2e4a-4f6b-9c7d-8e9f0a1b2c3d', 'lan,opt3', 'ops floating')}`,
    );
    const said: string[] = [];
    const second = merge(base, await sectionsOf(withoutVpssvc()), said);
    const after = parse(second).opnsense;
    expect(after.interfaces.opt3).toBeUndefined();
    expect(list(after.vlans.vlan).map((v) => v.vlanif)).toEqual(['vlan0.10', 'vlan0.20']);
    expect(String(after.dnsmasq.interface).split(',')).not.toContain('opt3');
    expect(list(after.dnsmasq.dhcp_ranges).map((r) => r.interface)).not.toContain('opt3');
    const legacy = list(after.filter.rule);
    expect(legacy.map((r) => r.descr)).not.toContain('vps monitoring');
    expect(legacy.find((r) => r.descr === 'ops floating')?.interface).toBe('lan');
    expect(second).not.toContain('<interface>opt3</interface>');
    expect(said).toContain(
      'removed the assignment opt3 (VPSSVC) of vlan0.30, which an earlier merge wrote and the topology no longer has, and the box\'s rule "vps monitoring" on it, ' +
        'as OPNsense deletes an assignment (Interfaces › Assignments): an assignment of a missing device configures nothing',
    );
    // Merging the result again changes nothing, and says nothing more of it.
    const again: string[] = [];
    expect(merge(second, await sectionsOf(withoutVpssvc()), again)).toBe(second);
    expect(again.filter((m) => m.includes('earlier merge'))).toEqual([]);
  });

  it('is refused, with nothing removed, where OPNsense would refuse to delete the assignment: a group of the box\'s own holds it', async () => {
    const first = merge(SAMPLE, await sectionsOf(readExample('vlan-hosting')));
    const grouped = first.replace('</opnsense>', '  <ifgroups version="1.0.0">\n    <ifgroupentry uuid="2d9a4c6e-3f5b-4a7c-8d8e-9f0a1b2c3d4e">\n      <ifname>customers</ifname>\n      <members>opt2,opt3</members>\n    </ifgroupentry>\n  </ifgroups>\n</opnsense>');
    const sections = await sectionsOf(withoutVpssvc());
    expect(() => merge(grouped, sections)).toThrow(MergeError);
    expect(() => merge(grouped, sections)).toThrow(
      'the base assigns vlan0.30, which an earlier merge wrote and the topology no longer has, to opt3 (VPSSVC), and interface group customers uses it: OPNsense deletes no assignment in use, nor would merge; ' +
        'take opt3 (VPSSVC) out of it on the box, download the backup again and merge, or put the network back in the topology',
    );
  });
});

describe('an area the topology drops whole', () => {
  it('HAProxy and ACME: gen\'s items go, the issued certificate stays; merge says HAProxy is still enabled with no frontend', async () => {
    const first = merge(SAMPLE, await sectionsOf(readExample('vlan-hosting')));
    const refid = list(parse(first).opnsense.cert).find((c) => String(c['@uuid'] ?? '').includes(GEN_MARK))?.refid;
    expect(refid).toBeTruthy();
    const said: string[] = [];
    const second = merge(first, await sectionsOf(withoutHaproxy()), said);
    const mvc = parse(second).opnsense.OPNsense;
    for (const [list_, item] of [['frontends', 'frontend'], ['backends', 'backend'], ['servers', 'server'], ['healthchecks', 'healthcheck'], ['actions', 'action']] as const) {
      expect(list(mvc.HAProxy[list_]?.[item]), `HAProxy ${item}`).toEqual([]);
    }
    for (const [list_, item] of [['accounts', 'account'], ['certificates', 'certificate'], ['validations', 'validation'], ['actions', 'action']] as const) {
      expect(list(mvc.AcmeClient[list_]?.[item]), `ACME ${item}`).toEqual([]);
    }
    expect(list(parse(second).opnsense.cert).map((c) => c.refid)).toContain(refid);
    expect(said.filter((m) => m.startsWith('removed HAProxy') || m.startsWith('removed ACME') || m.startsWith('HAProxy is'))).toEqual([
      'removed HAProxy frontend "https", HAProxy frontend "https_http_redirect", HAProxy backend "web-pool", HAProxy server "web-pool_web1", HAProxy server "web-pool_web2", HAProxy healthcheck "web-pool_check", HAProxy action "https_drop_x_forwarded_for", HAProxy action "https_drop_forwarded", HAProxy action "https_drop_x_real_ip", HAProxy action "https_drop_x_forwarded_host", HAProxy action "https_drop_x_forwarded_port", HAProxy action "https_set_x_forwarded_proto", HAProxy action "https_http_redirect_drop_x_forwarded_for", HAProxy action "https_http_redirect_drop_forwarded", HAProxy action "https_http_redirect_drop_x_real_ip", HAProxy action "https_http_redirect_drop_x_forwarded_host", HAProxy action "https_http_redirect_drop_x_forwarded_port", HAProxy action "https_http_redirect_set_x_forwarded_proto", HAProxy action "https_redirect_to_https": an earlier merge wrote them, and the topology no longer has them',
      expect.stringMatching(/^removed ACME client account "letsencrypt", ACME client certificate "\*\.ikscloud\.example\.com", /),
      'HAProxy is still enabled and has no enabled frontend left, so it will not start: disable it (Services › HAProxy › Settings), or add or enable a frontend',
    ]);
    expect(merge(second, await sectionsOf(withoutHaproxy()))).toBe(second);
  });

  // The plugin's haproxy.conf template writes only frontends whose enabled is 1 (os-haproxy, plugins 26.7.2); HAProxy
  // without a listener exits at start.
  it("HAProxy: a disabled frontend of the box's own left alone still leaves HAProxy idle, and merge says so", async () => {
    const first = merge(SAMPLE, await sectionsOf(readExample('vlan-hosting')));
    const theirs = '<frontend uuid="4f1c6e8a-5b7d-4c9e-8f0a-1b2c3d4e5f60"><enabled>0</enabled><name>theirs</name><bind>127.0.0.1:8080</bind><mode>http</mode></frontend>';
    const said: string[] = [];
    const second = merge(first.replace('<frontends>', `<frontends>\n        ${theirs}`), await sectionsOf(withoutHaproxy()), said);
    expect(list(parse(second).opnsense.OPNsense.HAProxy.frontends.frontend).map((f) => f.name)).toEqual(['theirs']);
    expect(said).toContain('HAProxy is still enabled and has no enabled frontend left, so it will not start: disable it (Services › HAProxy › Settings), or add or enable a frontend');
  });

  // The base's items are read without their fields until looked into (parse.ts, lazyItems); an item of the box's is
  // looked into for the UUIDs it names when its source text holds one of the stale items' or a character reference.
  it.each([
    ['as written', (uuid: string) => uuid],
    ['with character references', (uuid: string) => uuid.replace(/-/g, '&#45;').replace(/^(.)/, (c) => `&#${c.charCodeAt(0)};`)],
  ])("HAProxy: a backend of gen's that the box's own frontend names (%s) stays, with what it uses", async (_how, write) => {
    const first = merge(SAMPLE, await sectionsOf(readExample('vlan-hosting')));
    const backend = list(parse(first).opnsense.OPNsense.HAProxy.backends.backend).find((b) => b.name === 'web-pool')!;
    const uuid = String(backend['@uuid']);
    expect(uuid).toContain(GEN_MARK);
    const theirs = `<frontend uuid="4f1c6e8a-5b7d-4c9e-8f0a-1b2c3d4e5f60"><enabled>1</enabled><name>theirs</name><bind>127.0.0.1:8080</bind><mode>http</mode><defaultBackend>${write(uuid)}</defaultBackend></frontend>`;
    const base = first.replace('<frontends>', `<frontends>\n        ${theirs}`);
    expect(base).toContain(theirs);
    const said: string[] = [];
    const second = merge(base, await sectionsOf(withoutHaproxy()), said);
    const haproxy = parse(second).opnsense.OPNsense.HAProxy;
    expect(list(haproxy.frontends.frontend).map((f) => f.name)).toEqual(['theirs']);
    expect(list(haproxy.backends.backend).map((b) => b.name)).toEqual(['web-pool']);
    expect(list(haproxy.servers.server).map((b) => b.name)).toEqual(['web-pool_web1', 'web-pool_web2']);
    expect(said).toEqual(expect.arrayContaining([expect.stringMatching(/^kept HAProxy backend "web-pool" \(used by the box's frontend "theirs"\), HAProxy server "web-pool_web1" \(used by HAProxy backend "web-pool"\)/)]));
    expect(second).toContain(theirs);
  });

  it('WireGuard: the instance and its peers go, with the assignment of its device; the box\'s own peer on it is named', async () => {
    // (Its HAProxy verifies a backend against the box's own CA.)
    const first = merge(withBoxCa(SAMPLE), await sectionsOf(readExample('homelab-family')));
    const before = parse(first).opnsense;
    const key = Object.keys(before.interfaces).find((k) => before.interfaces[k].if === 'wg0')!;
    expect(key).toBeTruthy();
    // The operator linked a peer of theirs to gen's instance.
    const own = '<client uuid="3e0b5d7f-4a6c-4b8d-9e9f-0a1b2c3d4e5f"><enabled>1</enabled><name>office-phone</name><pubkey>AeoTSvKUhV3jDcQOLHn1IBv1f3ntTbXWwhDXXobUdmQ=</pubkey><tunneladdress>10.10.99.200/32</tunneladdress></client>';
    const server = list(before.OPNsense.wireguard.server.servers.server)[0];
    const linked = first.replace('<clients>', `<clients>\n          ${own}`).replace(`<peers>${server.peers}</peers>`, `<peers>${server.peers},3e0b5d7f-4a6c-4b8d-9e9f-0a1b2c3d4e5f</peers>`);
    expect(linked).toContain(',3e0b5d7f-4a6c-4b8d-9e9f-0a1b2c3d4e5f</peers>');
    const said: string[] = [];
    const second = merge(linked, await sectionsOf(withoutWireguard()), said);
    const after = parse(second).opnsense;
    expect(after.interfaces[key]).toBeUndefined();
    expect(list(after.OPNsense.wireguard.server?.servers?.server)).toEqual([]);
    expect(list(after.OPNsense.wireguard.client.clients.client).map((c) => c.name)).toEqual(['office-phone']);
    expect(said).toContain(`removed WireGuard instance wg0, which an earlier merge wrote and the topology no longer has: the box's own peer "office-phone" (10.10.99.200/32) on it is on no instance now`);
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^removed the assignment ${key} \\(WireGuard\\) of wg0, which an earlier merge wrote`)),
        'removed WireGuard instance "wg0", WireGuard peer "dad-laptop", WireGuard peer "mum-phone", WireGuard peer "kid-tablet", WireGuard peer "parents-nas": an earlier merge wrote them, and the topology no longer has them',
      ]),
    );
    expect(merge(second, await sectionsOf(withoutWireguard()))).toBe(second);
  });
});
