// Values reach the XML only through escaping: descriptions with markup,
// "]]>", quotes or Korean text come back exactly, and nothing can open an
// element. Characters XML cannot hold are lint errors with a location.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { NAME_CHAR, NAME_START, isNameChar, isNameStart, isSpace, parseXml } from '../../src/opnsense/parse.js';
import { XmlTextError, leaf, serialize, xmlDocument } from '../../src/render/opnsense/xml.js';
import { edit, lint, readExample, rulesOf } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { type Xml, doc, fragments, policyRules } from './support.js';
import { lineOf } from '../yaml-lines.js';

const EVIL = `a < b && "c" 'd' ]]> <evil>x</evil> <!-- 한국어 설명 -->`;

function hostile(): string {
  let yaml = readExample('homelab');
  yaml = edit(yaml, ['sites', 0, 'policy', 'rules', 0, 'description'], EVIL);
  yaml = edit(yaml, ['sites', 0, 'haproxy', 'backends', 0, 'description'], EVIL);
  yaml = edit(yaml, ['sites', 0, 'haproxy', 'frontends', 0, 'description'], EVIL);
  yaml = edit(yaml, ['sites', 0, 'haproxy', 'certificates', 0, 'description'], EVIL);
  yaml = edit(yaml, ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'grafana', proto: 'tcp', port: 8443, service: 'grafana', description: EVIL }]);
  yaml = edit(yaml, ['sites', 0, 'firewall', 'interfaces', 1, 'dhcp'], { from: '10.0.0.100', to: '10.0.0.199', static: [{ name: 'nas', mac: 'aa:bb:cc:dd:ee:01', address: '10.0.0.10', description: EVIL }] });
  return yaml;
}

describe('escaping in the fragments', async () => {
  const files = await fragments(hostile(), 'home');

  it('round-trips descriptions with markup, "]]>", quotes and Korean exactly', () => {
    const rule = policyRules(files).find((r: Xml) => r.descr.startsWith('gen: policy rule vpn-to-management'));
    expect(rule.descr).toBe(`gen: policy rule vpn-to-management: ${EVIL}`);
    const ha = doc(files, 'haproxy.xml').OPNsense.HAProxy;
    expect(ha.backends.backend[0].description).toBe(EVIL);
    expect(ha.frontends.frontend[0].description).toBe(EVIL);
    expect(doc(files, 'acme.xml').OPNsense.AcmeClient.certificates.certificate[0].description).toBe(EVIL);
    expect(doc(files, 'nat.xml').nat.rule[0].descr).toBe(`gen: port forward grafana: ${EVIL}`);
    expect(doc(files, 'dhcp.xml').dnsmasq.hosts[0].descr).toBe(EVIL);
  });

  it('cannot open an element, a comment or a CDATA section', () => {
    for (const [name, text] of files) {
      expect(XMLValidator.validate(text), name).toBe(true);
      expect(text, name).not.toContain('<evil>');
      expect(text, name).not.toContain(']]>');
      // The only comment is gen's own header.
      expect(text.match(/<!--/g)?.length ?? 0, name).toBe(1);
    }
  });

  const dir = mkdtempSync(join(tmpdir(), 'gen-opnsense-escape-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const xmllintMissing = missing(['xmllint'], false);
  it.skipIf(xmllintMissing)(titled('reads back the same text with xmllint', xmllintMissing), () => {
    const file = join(dir, 'haproxy.xml');
    writeFileSync(file, files.get('haproxy.xml')!);
    const value = execFileSync('xmllint', ['--xpath', 'string(//backends/backend/description)', file], { encoding: 'utf8' });
    // xmllint ends the printed string with a newline.
    expect(value).toBe(`${EVIL}\n`);
  });
});

describe('names in the header comment', () => {
  it('writes a site named with "--" without breaking the comment', async () => {
    const files = await fragments(edit(readExample('homelab'), ['sites', 0, 'name'], 'home--lab'), 'home--lab');
    expect(files.size).toBeGreaterThan(3);
    for (const [name, text] of files) {
      expect(XMLValidator.validate(text), name).toBe(true);
      expect(text, name).toContain('<!-- gen: site home- -lab, OPNsense 26.7; apply with gen opnsense merge -->');
    }
  });
});

describe('the XML writer', () => {
  it('round-trips any text XML can hold', () => {
    const xmlChar = fc
      .integer({ min: 0x20, max: 0x10ffff })
      .filter((c) => (c < 0xd800 || c > 0xdfff) && c !== 0xfffe && c !== 0xffff)
      .map((c) => String.fromCodePoint(c));
    const text = fc.array(fc.oneof(xmlChar, fc.constantFrom('<', '>', '&', '"', "'", ']]>', '\n', '\t', '\r', '&amp;', '<![CDATA[')), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (value) => {
        const document = xmlDocument({ name: 'opnsense', attrs: [['note', value]], children: [leaf('descr', value)] });
        expect(XMLValidator.validate(document)).toBe(true);
        const parsed = parseXml(document).root;
        expect(parsed.attrs).toEqual([['note', value]]);
        const descr = parsed.children[0] as { children: { text: string }[] };
        expect(descr.children.map((c) => c.text).join('')).toBe(value);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses characters XML 1.0 cannot hold', () => {
    for (const bad of ['\u0000', '\u0001', '\u001f', '\ufffe', '\uffff', '\ud800', 'x\udc00']) {
      expect(() => serialize(leaf('descr', bad))).toThrow(XmlTextError);
    }
  });
});

describe('the backup parser', () => {
  it('tells names and whitespace apart as its expressions do, for every UTF-16 code unit', () => {
    const wrong: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const char = String.fromCharCode(c);
      if (isNameStart(c) !== NAME_START.test(char) || isNameChar(c) !== NAME_CHAR.test(char) || isSpace(char, 0) !== /\s/.test(char)) wrong.push(c.toString(16));
    }
    expect(wrong).toEqual([]);
    // Past the end of the text: no name, no space.
    expect([isNameStart(''.charCodeAt(0)), isNameChar(''.charCodeAt(0)), isSpace('', 0)]).toEqual([false, false, false]);
  });

  it('runs no regular expression per character of the backup', () => {
    const rules = Array.from({ length: 2000 }, (_, i) => `      <rule uuid="u-${i}">\n        <descr>rule ${i} &amp; more</descr>\n        <interface>lan</interface>\n      </rule>`).join('\n');
    const text = `<?xml version="1.0"?>\n<opnsense>\n  <filter>\n${rules}\n  </filter>\n</opnsense>\n`;
    const test = RegExp.prototype.test;
    const exec = RegExp.prototype.exec;
    let runs = 0;
    RegExp.prototype.test = function (this: RegExp, value: string) {
      runs++;
      return test.call(this, value);
    };
    RegExp.prototype.exec = function (this: RegExp, value: string) {
      runs++;
      return exec.call(this, value);
    };
    let parsed;
    try {
      parsed = parseXml(text);
    } finally {
      RegExp.prototype.test = test;
      RegExp.prototype.exec = exec;
    }
    expect(parsed.root.children).toHaveLength(1);
    // The text has about 200,000 characters and 8,000 elements; the entity in each rule is decoded by one.
    expect(runs).toBeLessThanOrEqual(2 * 2000 + 10);
  });
});

describe('lint rules for the OPNsense target', () => {
  it('a character XML cannot hold is refused at load (for every target), at its location', async () => {
    for (const path of [
      ['sites', 0, 'policy', 'rules', 0, 'description'],
      ['sites', 0, 'policy', 'zones', 1, 'description'],
      ['sites', 0, 'wireguard', 0, 'peers', 1, 'description'],
      ['sites', 0, 'firewall', 'interfaces', 1, 'description'],
    ]) {
      const yaml = edit(readExample('homelab'), path, 'bad \ufffe here');
      const findings = (await lint(yaml)).filter((d) => d.rule === 'load/character');
      expect(findings.map((d) => [d.severity, d.location.line]), path.join('.')).toEqual([['error', lineOf(yaml, path)]]);
    }
  });

  it('keeps interface descriptions to [A-Za-z0-9_]', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'firewall', 'interfaces', 2, 'description'], 'Service-Net');
    expect(rulesOf(await lint(yaml))).toContain('opnsense/interface-description');
  });

  it('warns that ISC DHCP needs its plugin from 26.1 on, and is quiet on 25.7', async () => {
    const isc = (release: string) => edit(edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'release'], release), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
    const finding = (await lint(isc('26.7'))).find((d) => d.rule === 'opnsense/dhcp-server-release');
    expect(finding).toMatchObject({ severity: 'warning', message: expect.stringMatching(/OPNsense 26\.7 has ISC DHCP only with the os-isc-dhcp plugin/) });
    expect(rulesOf(await lint(isc('26.1.3')))).toContain('opnsense/dhcp-server-release');
    expect(rulesOf(await lint(isc('25.7')))).not.toContain('opnsense/dhcp-server-release');
  });

  it('warns about an enabled peer without a public key and leaves it out of the firewall (the Client model requires a key)', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'peers', 0, 'public_key'], undefined);
    const diagnostics = await lint(yaml);
    expect(diagnostics.filter((d) => d.rule === 'opnsense/peer-without-key').map((d) => d.severity)).toEqual(['warning']);
    const wg = doc(await fragments(yaml, 'home'), 'wireguard.xml').OPNsense.wireguard;
    const clients: Xml[] = [wg.client.clients.client].flat();
    expect(clients.map((c) => c.name)).not.toContain('mac-workstation');
    expect(clients.length).toBeGreaterThan(0);
    // Every client written has its key: an empty pubkey is what the model refuses.
    for (const c of clients) expect(String(c.pubkey ?? '')).toMatch(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/);
  });
});
