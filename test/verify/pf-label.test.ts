// Labels of filter rules in the loaded pf ruleset, as OPNsense computes
// them: the expected values were printed by OPNsense's own compiler
// (filter_configure_sync() of 25.7.11, 26.1.11 and 26.7.2, run with
// test/tools/opnsense-php on a backup holding these rules; the three agree).
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/opnsense/parse.js';
import { legacyRuleLabel, mvcRuleLabel } from '../../src/render/opnsense/pf-label.js';

const WIREGUARD_RULE = `<rule uuid="486d3d1c-6f6c-598c-b70e-e7692ea43587">
      <type>pass</type>
      <interface>wan</interface>
      <ipprotocol>inet</ipprotocol>
      <protocol>udp</protocol>
      <statetype>keep state</statetype>
      <direction>in</direction>
      <quick>1</quick>
      <source>
        <any/>
      </source>
      <destination>
        <network>wanip</network>
        <port>51820</port>
      </destination>
      <descr>gen: WireGuard instance wg0</descr>
    </rule>`;

// Escapes of json_encode (slash, quote, backslash, tab, non-ASCII and a
// surrogate pair), an attribute on the rule and on a leaf, sorted keys in a
// nested element, and the fields calcRuleHash() leaves out (descr, updated).
const ODD_RULE = `<rule uuid="11111111-2222-5333-8444-555555555555">
      <type>block</type>
      <interface note="x&amp;y">lan</interface>
      <ipprotocol>inet</ipprotocol>
      <category>관리/"q"\\b\tt 😀</category>
      <source>
        <not>1</not>
        <address>10.0.0.0/8</address>
      </source>
      <destination>
        <any/>
      </destination>
      <descr>label fixture one</descr>
      <updated><username>x</username></updated>
    </rule>`;

function element(text: string) {
  return parseXml(`<?xml version="1.0"?>\n${text}\n`).root;
}

describe('pf labels of filter rules', () => {
  it('a legacy rule as gen writes it', () => {
    expect(legacyRuleLabel(element(WIREGUARD_RULE))).toBe('7098e99f4dcc532fafe894b8b4787758');
  });

  it('a legacy rule with every escape json_encode makes', () => {
    expect(legacyRuleLabel(element(ODD_RULE))).toBe('0c28a895f9144f25a2de54b0b7af76b7');
  });

  it('the description and the revision fields do not count; every other field does', () => {
    const label = legacyRuleLabel(element(WIREGUARD_RULE));
    expect(legacyRuleLabel(element(WIREGUARD_RULE.replace('gen: WireGuard instance wg0', 'another text')))).toBe(label);
    expect(legacyRuleLabel(element(WIREGUARD_RULE.replace('</descr>', '</descr><created><time>1</time></created>')))).toBe(label);
    expect(legacyRuleLabel(element(WIREGUARD_RULE.replace('51820', '51821')))).not.toBe(label);
    expect(legacyRuleLabel(element(WIREGUARD_RULE.replace('486d3d1c', '486d3d1d')))).not.toBe(label);
  });

  it('an MVC rule is labelled by its uuid', () => {
    expect(mvcRuleLabel(element(WIREGUARD_RULE))).toBe('486d3d1c-6f6c-598c-b70e-e7692ea43587');
  });
});
