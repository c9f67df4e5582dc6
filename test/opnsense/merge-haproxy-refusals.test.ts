// gen opnsense merge into a box whose own HAProxy frontends bind what HAProxy refuses (haproxy-refusals.ts): one
// such bind and HAProxy starts with none of the configuration, gen's frontends included. What HAProxy itself prints
// for each form is haproxy-binds.test.ts's, with Debian's HAProxy and each release's series where supplied.
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { haproxyRefusals } from '../../src/opnsense/haproxy-refusals.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { textOf } from '../../src/render/opnsense/xml.js';
import { readExample } from '../helpers.js';
import { loadModels, phpRegex } from './model-check.js';
import { factorySample, releaseSections } from './support.js';

/** The plugin's model of `release`. */
function haproxyModel(release: string) {
  return loadModels(release).find((m) => m.className === 'OPNsense.HAProxy.HAProxy')!;
}

/** The box's own HAProxy of `release` (`general`: its enabled): its frontends, each name, bind list and enabled. */
function withBoxHaproxy(release: string, frontends: readonly (readonly [string, string, string?])[], general = '1'): string {
  const base = factorySample(release);
  const items = frontends
    .map(([name, bind, enabled = '1'], i) => `<frontend uuid="5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4${i}"><enabled>${enabled}</enabled><name>${name}</name><bind>${bind}</bind></frontend>`)
    .join('');
  const haproxy = `<HAProxy version="${haproxyModel(release).version}"><general><enabled>${general}</enabled></general><frontends>${items}</frontends></HAProxy>`;
  // The web GUI off 443 and 80, where gen's frontends bind.
  const gui = base.replace('<protocol>https</protocol>', '<protocol>https</protocol>\n      <port>8443</port>\n      <disablehttpredirect>1</disablehttpredirect>');
  return gui.includes('  <OPNsense>\n') ? gui.replace('  <OPNsense>\n', `  <OPNsense>\n    ${haproxy}\n`) : gui.replace('</opnsense>', `  <OPNsense>\n    ${haproxy}\n  </OPNsense>\n</opnsense>`);
}

/** The refusal warnings of merging the homelab (gen's HAProxy frontends https and https_http_redirect) into `base` at `release`. */
async function refusalWarnings(base: string, release: string): Promise<string[]> {
  const { sections, privateKey } = await releaseSections(readExample('homelab'), release);
  const warnings: string[] = [];
  mergeConfig(base, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true, release, warn: (m) => warnings.push(m) });
  return warnings.filter((w) => w.startsWith('HAProxy refuses to start'));
}

/** Whether the release's model takes `binds` as a frontend's bind list (HAProxy.xml's Mask, matched against the whole value as CSVListField does). */
function maskTakes(release: string, binds: string): boolean {
  const bind = haproxyModel(release).root.fields.find((f) => f.name === 'frontends')!.fields.find((f) => f.name === 'frontend')!.fields.find((f) => f.name === 'bind')!;
  return phpRegex(textOf(bind.params.get('Mask')!)).exec(binds)?.[0] === binds;
}

const DOWN = "HAProxy refuses its whole configuration for one such bind, so no frontend of it serves (the topology's https, https_http_redirect included). Correct the bind on the box (Services › HAProxy › Settings › Virtual Services › Public Services)";
const BRACKETS = 'HAProxy takes brackets only around 2 characters or more ("[::]")';

// Each a bind list the plugin's model takes on every release (the bind Mask), whose refused forms HAProxy 3.0 (25.7,
// 26.1.0-1) and 3.2 refuse alike (str2sa_range(), str2ip2() in src/tools.c): the port before the address.
const FRONTENDS = [
  ['brackets', '10.0.0.1:9443,[0]:9443,[*]:9444,[]:9445'],
  ['colons', '::9446'],
  ['named', 'a*b.example:9447'],
  ['ports', '127.0.0.1:0,127.0.0.1:65536,127.0.0.1:9449-9448,[0]:0'],
  ['trailing', '127.0.0.1:9457,'],
  ['fine', '[::]:9450,127.1:9451,0:9452-9453,local_host-1:9454'],
  ['disabled', '[0]:9455', '0'],
] as const;

describe("merge warns of the box's HAProxy frontends whose binds HAProxy refuses", () => {
  it.each(['25.7', '26.1', '26.7'])('OPNsense %s: each enabled frontend named, with what HAProxy prints for each refused bind, and the fix', async (release) => {
    for (const [, binds] of FRONTENDS) expect(maskTakes(release, binds), binds).toBe(true);
    expect(await refusalWarnings(withBoxHaproxy(release, FRONTENDS), release)).toEqual([
      "HAProxy refuses to start with the merged config: the base's HAProxy frontend brackets binds " +
        `[0]:9443, which makes it print "invalid address: '[0]' in '[0]:9443'" (${BRACKETS}), and ` +
        `[*]:9444, which makes it print "invalid address: '[*]' in '[*]:9444'" (${BRACKETS}), and ` +
        `[]:9445, which makes it print "invalid address: '[]' in '[]:9445'" (${BRACKETS}); ${DOWN}`,
      `HAProxy refuses to start with the merged config: the base's HAProxy frontend colons binds ::9446, which makes it print "invalid address: ':' in '::9446'" (it is no IPv6 address, and a host name has no ':'); ${DOWN}`,
      "HAProxy refuses to start with the merged config: the base's HAProxy frontend named binds a*b.example:9447, which makes it print \"invalid address: 'a*b.example' in 'a*b.example:9447'\" " +
        `(a host name holds letters, digits, '-', '_' and dots only, in labels of at most 63 characters); ${DOWN}`,
      "HAProxy refuses to start with the merged config: the base's HAProxy frontend ports binds " +
        `127.0.0.1:0, which makes it print "invalid port '0'" (HAProxy takes ports 1 to 65535), and ` +
        `127.0.0.1:65536, which makes it print "invalid port '65536'" (HAProxy takes ports 1 to 65535), and ` +
        `127.0.0.1:9449-9448, which makes it print "invalid port range '9449-9448'" (its first port is above its last), and ` +
        `[0]:0, which makes it print "invalid port '0'" (HAProxy takes ports 1 to 65535); ${DOWN}`,
      "HAProxy refuses to start with the merged config: the base's HAProxy frontend trailing binds an empty entry, which makes it print \"missing port specification in 'name'\" " +
        `(the list ends in a comma, and the plugin writes the empty entry after it as a bind of the address "name"); ${DOWN}`,
    ]);
  });

  it('says so of a box whose HAProxy was off and which gen turns on, and of none where the merged HAProxy is off', async () => {
    const colons = (general?: string) => withBoxHaproxy('26.7', [['colons', '::9446']], general);
    expect(await refusalWarnings(colons('0'), '26.7')).toEqual([expect.stringContaining("the base's HAProxy frontend colons binds ::9446")]);
    // The plugin's rc.conf.d template starts HAProxy only with general.enabled 1.
    for (const general of ['0', '']) expect(haproxyRefusals(parseXml(colons(general)).root, () => false)).toEqual([]);
    expect(haproxyRefusals(parseXml(colons()).root, () => false)).toEqual([
      "HAProxy refuses to start with the merged config: the base's HAProxy frontend colons binds ::9446, which makes it print \"invalid address: ':' in '::9446'\" (it is no IPv6 address, and a host name has no ':'); " +
        'HAProxy refuses its whole configuration for one such bind, so no frontend of it serves. Correct the bind on the box (Services › HAProxy › Settings › Virtual Services › Public Services)',
    ]);
    // From 26.1 the Mask takes quic4@ and quic6@ (25.7's no '@' but unix@'s), and an address of the other family after one.
    expect([maskTakes('25.7', 'quic6@127.1:9456'), maskTakes('26.1', 'quic6@127.1:9456'), maskTakes('26.7', 'quic6@127.1:9456')]).toEqual([false, true, true]);
    expect(await refusalWarnings(withBoxHaproxy('26.1', [['quic', 'quic4@10.0.0.1:9456,quic6@127.1:9456']]), '26.1')).toEqual([
      `HAProxy refuses to start with the merged config: the base's HAProxy frontend quic binds quic6@127.1:9456, which makes it print "invalid address: '127.1' in 'quic6@127.1:9456'" (quic6@ takes IPv6 addresses only); ${DOWN}`,
    ]);
    // gen's own frontends are not named: gen writes none such (its schema and resolve/haproxy.ts refuse the topology's).
    expect(haproxyRefusals(parseXml(colons()).root, () => true)).toEqual([]);
  });
});
