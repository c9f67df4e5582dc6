// xmllint (libxml2) accepts every generated OPNsense file: the fragments
// of all example topologies and a merged config.xml.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { EXAMPLES, edit, modelOf, readExample, render, root } from '../helpers.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const skip = missing(['xmllint'], false);

describe.skipIf(skip)(titled('xmllint --noout', skip), () => {
  const dir = tempDir('gen-opnsense-xmllint-');

  it.each(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])('accepts every OPNsense fragment of %s', async (example) => {
    const files = [...(await render(readExample(example)))].filter(([path]) => path.includes('/opnsense/'));
    if (example !== 'aws-vpc') expect(files.length).toBeGreaterThan(3);
    for (const [path, content] of files) {
      const file = join(dir, example, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      const result = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
      expect(result.stderr, path).toBe('');
      expect(result.status, path).toBe(0);
    }
  });

  it('accepts the config merged into the upstream sample', async () => {
    const pair = generateKeyPair();
    const model = await modelOf(edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey));
    const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    const key = pair.privateKey;
    const merged = mergeConfig(readFileSync(join(root, 'test/opnsense/models/26.7/config.xml.sample'), 'utf8'), sections, {
      secret: () => key,
      placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX,
      allowGuiPortConflict: true,
    });
    const file = join(dir, 'merged.xml');
    writeFileSync(file, merged, { mode: 0o600 });
    execFileSync('xmllint', ['--noout', file]);
    expect(execFileSync('xmllint', ['--xpath', 'string(//wireguard/server/servers/server/port)', file], { encoding: 'utf8' }).trim()).toBe('51820');
  });

  it('a base with a raw character XML forbids (a NUL of a damaged download) is refused where libxml2, the loader of OPNsense, refuses it', async () => {
    const pair = generateKeyPair();
    const model = await modelOf(edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey));
    const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
    const sample = readFileSync(join(root, 'test/opnsense/models/26.7/config.xml.sample'), 'utf8');
    const options = { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true };
    for (const character of ['\u0000', '\u0001', '\u001B', '\uFFFF']) {
      const base = sample.replace('<hostname>OPNsense', `<hostname>OPN${character}sense`);
      const file = join(dir, 'damaged.xml');
      writeFileSync(file, base);
      const lint = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
      expect(lint.status, JSON.stringify(character)).not.toBe(0);
      // libxml2 names the line; merge names the same line and the character's column.
      const line = Number(/^[^:]*:(\d+): parser error/.exec(lint.stderr)?.[1]);
      const before = base.slice(0, base.indexOf(character)).split('\n');
      expect(before.length).toBe(line);
      expect(() => mergeConfig(base, sections, options), JSON.stringify(character)).toThrow(
        `the base is not well-formed XML (line ${line}, column ${before.at(-1)!.length + 1}: U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
      );
    }
    // A tab is a character XML allows: libxml2 and merge both take it.
    const tabbed = sample.replace('<hostname>OPNsense', '<hostname>OPN\tsense');
    writeFileSync(join(dir, 'tabbed.xml'), tabbed);
    execFileSync('xmllint', ['--noout', join(dir, 'tabbed.xml')]);
    expect(mergeConfig(tabbed, sections, options)).toContain('OPN\tsense');
  });

  it('rejects a broken file (the check can fail)', () => {
    const file = join(dir, 'broken.xml');
    writeFileSync(file, '<opnsense><a>x &amp y</a></opnsense>\n');
    expect(spawnSync('xmllint', ['--noout', file]).status).not.toBe(0);
  });
});
