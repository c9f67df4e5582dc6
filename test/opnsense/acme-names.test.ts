// How many names an ACME certificate may carry: Let's Encrypt's 100 names per
// order, and the 65535 characters the ACME client's model takes in altNames,
// the names joined by "," (the model's mask, read from the plugin's own files,
// in the verbatim model copies and, with OPNSENSE_PLUGINS_GIT, the upstream tags).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { lintText } from '../../src/pipeline.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { childrenNamed, textOf, type XmlElement } from '../../src/render/opnsense/xml.js';
import { ACME_ALT_NAMES_MAX, LETS_ENCRYPT_NAMES_MAX } from '../../src/targets/opnsense/acme.js';
import { edit, lint, readExample } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';
import { altNamesOfLength } from './acme-names.js';
import { MODELS_DIR } from './model-check.js';
import { upstreamFile, upstreamMirrors } from './support.js';

const homelab = readExample('homelab');
const cert = ['sites', 0, 'haproxy', 'certificates', 0] as const;

const withAltNames = (names: readonly string[], domain = 'www.example.com') => edit(edit(homelab, [...cert, 'domain'], domain), [...cert, 'alt_names'], names);

const only = (found: Diagnostic[], rule: string) => found.filter((d) => d.rule === rule);

/** The altNames gen writes for the site's first certificate (the config lints with errors: it renders all the same). */
async function writtenAltNames(yaml: string): Promise<string> {
  const { model } = await lintText(yaml, 'topology.yaml');
  const sections = siteSections(model!, model!.sites[0]!).flatMap((a) => a.sections);
  const find = (node: XmlElement, name: string): XmlElement[] => [...childrenNamed(node, name), ...node.children.flatMap((c) => (typeof c === 'object' && 'children' in c ? find(c, name) : []))];
  const values = sections.flatMap((s) => find(s, 'altNames')).map((e) => textOf(e));
  expect(values).toHaveLength(1);
  return values[0]!;
}

describe('opnsense/acme-name-count', () => {
  const names = (count: number) => Array.from({ length: count }, (_, i) => `host${i + 1}.example.com`);

  it('passes a certificate of 100 names, its domain and 99 alt names', async () => {
    expect(only(await lint(withAltNames(names(LETS_ENCRYPT_NAMES_MAX - 1))), 'opnsense/acme-name-count')).toEqual([]);
  });

  it('refuses 101, at the certificate', async () => {
    const yaml = withAltNames(names(LETS_ENCRYPT_NAMES_MAX));
    const found = only(await lint(yaml), 'opnsense/acme-name-count');
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', "certificate wildcard has 101 names; Let's Encrypt refuses an order of more than 100, so the certificate is never issued", lineOf(yaml, [...cert])],
    ]);
    expect(found[0]!.hint).toBe('Split the names of certificate wildcard over certificates of at most 100 names, or set per_host: true on it (a certificate per name).');
  });

  it("counts a name once, whatever its case, as the CA does: the domain again among 100 alt names is 100 names", async () => {
    const yaml = withAltNames([...names(LETS_ENCRYPT_NAMES_MAX - 1), 'WWW.example.com']);
    expect(only(await lint(yaml), 'opnsense/acme-name-count')).toEqual([]);
    expect(only(await lint(withAltNames([...names(LETS_ENCRYPT_NAMES_MAX - 1), 'www2.example.com'])), 'opnsense/acme-name-count')).toHaveLength(1);
  });

  it('passes the same names a certificate each (per_host)', async () => {
    const yaml = edit(withAltNames(names(LETS_ENCRYPT_NAMES_MAX)), [...cert, 'per_host'], true);
    expect(only(await lint(yaml), 'opnsense/acme-name-count')).toEqual([]);
  });
});

describe('opnsense/acme-alt-names-length', () => {
  it('passes alt names of exactly 65535 characters as written, commas and all, and refuses 65536', async () => {
    const at = withAltNames(altNamesOfLength(ACME_ALT_NAMES_MAX));
    expect(await writtenAltNames(at)).toHaveLength(ACME_ALT_NAMES_MAX);
    expect(only(await lint(at), 'opnsense/acme-alt-names-length')).toEqual([]);
    const over = withAltNames(altNamesOfLength(ACME_ALT_NAMES_MAX + 1));
    expect(await writtenAltNames(over)).toHaveLength(ACME_ALT_NAMES_MAX + 1);
    const found = only(await lint(over), 'opnsense/acme-alt-names-length');
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['error', `certificate wildcard: its ${altNamesOfLength(ACME_ALT_NAMES_MAX + 1).length} alt names take 65536 characters as the ACME client stores them (joined by ","), more than the 65535 its model takes`, lineOf(over, [...cert])],
    ]);
  });
});

/** The altNames mask of each verbatim model copy, and whether it is checked per item. */
function altNamesField(model: string): { type?: string; mask?: string; perItem: boolean } {
  const field = /<altNames type="(\w+)">([^]*?)<\/altNames>/.exec(model);
  return { type: field?.[1], mask: /<Mask>([^<]*)<\/Mask>/.exec(field?.[2] ?? '')?.[1], perItem: /<MaskPerItem>\s*Y/i.test(field?.[2] ?? '') };
}

/** The model's mask as a JavaScript RegExp (PCRE /…/u: the same syntax here), and whether the whole value matches it as CSVListField asks. */
function modelAccepts(mask: string, value: string): boolean {
  const [, source, flags] = /^\/(.*)\/(\w*)$/.exec(mask)!;
  const match = new RegExp(source!, flags).exec(value);
  return match?.[0] === value;
}

describe("the ACME client's model, as its own files have it", () => {
  const series = ['25.7', '26.1', '26.1.6', '26.7'];

  it.each(series)('%s: altNames is one CSVListField value under one mask, whose bound gen checks, at the boundary', (release) => {
    const field = altNamesField(readFileSync(join(MODELS_DIR, release, 'AcmeClient/AcmeClient.xml'), 'utf8'));
    expect(field.type).toBe('CSVListField');
    expect(field.perItem).toBe(false);
    expect(Number(/\{1,(\d+)\}\$\/u$/.exec(field.mask!)?.[1])).toBe(ACME_ALT_NAMES_MAX);
    expect(modelAccepts(field.mask!, altNamesOfLength(ACME_ALT_NAMES_MAX).join(','))).toBe(true);
    expect(modelAccepts(field.mask!, altNamesOfLength(ACME_ALT_NAMES_MAX + 1).join(','))).toBe(false);
  });

  const { core, plugins, why } = upstreamMirrors("the ACME client's altNames in the upstream tags");
  describe.skipIf(why !== undefined)(`in the upstream tags${why ? ` (skipped: ${why})` : ''}`, () => {
    it.each(['25.7.11', '26.1.11', '26.7.2'])('%s: the plugin keeps the mask, core matches it against the whole value, the ACME client hands every name to acme.sh', (tag) => {
      const field = altNamesField(upstreamFile(plugins!, tag, 'security/acme-client/src/opnsense/mvc/app/models/OPNsense/AcmeClient/AcmeClient.xml'));
      expect(field.type).toBe('CSVListField');
      expect(field.perItem).toBe(false);
      expect(Number(/\{1,(\d+)\}\$\/u$/.exec(field.mask!)?.[1])).toBe(ACME_ALT_NAMES_MAX);
      // Without MaskPerItem, the whole value against the mask.
      const csv = upstreamFile(core!, tag, 'src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/CSVListField.php');
      expect(/if \(\$that->internalMaskPerItem\) \{[^]*?\} else \{\s*if \(!\$regex_match\(\$that->internalValue, \$that->internalMask\)\)/.test(csv)).toBe(true);
      // Each alt name a --domain of its own.
      const base = upstreamFile(plugins!, tag, 'security/acme-client/src/opnsense/mvc/app/library/OPNsense/AcmeClient/LeValidation/Base.php');
      expect(/foreach \(explode\(",", \(string\)\$this->cert_altnames\) as \$altname\) \{\s*\$this->acme_args\[\] = LeUtils::execSafe\('--domain %s', \$altname\);/.test(base)).toBe(true);
    });
  });
});
