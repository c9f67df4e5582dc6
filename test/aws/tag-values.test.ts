// S3 and IAM tag values keep the characters AWS takes ([\p{L}\p{Z}\p{N}_.:/=+\-@])
// by a frozen table, not by the Unicode data of the Node that runs gen: the
// same topology gives the same .tf on every Node 20 or later.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LETTERS_SEPARATORS_NUMBERS, UNICODE_VERSION } from '../../src/targets/aws/tag-characters.js';
import { tagValue } from '../../src/targets/aws/tags.js';
import { edit, readExample, render, root, sourceFiles } from '../helpers.js';
import { titled } from '../system-tools.js';
import { parseTerraform } from './tf-validate.js';

const pythonUnicode = spawnSync('python3', ['-c', 'import unicodedata; print(unicodedata.unidata_version)'], { encoding: 'utf8' }).stdout?.trim();
// The table's source is Unicode 14.0.0's data, which python3 3.11 (Debian 12, what CI installs) carries: a real tool,
// skipped loudly (and a CI failure) where python3 has another version.
const noUnicode14 = pythonUnicode === '14.0.0' ? undefined : `needs python3 whose unicodedata is Unicode 14.0.0 (python3 3.11, as on Debian 12); here: ${pythonUnicode || 'no python3'}`;

describe('S3 and IAM tag values', () => {
  it('turn letters assigned after Unicode 14.0 into _, as on a Node whose ICU does not know them, and keep older ones', async () => {
    // U+1C89 (Unicode 16.0), U+2EBF0 (15.1) and U+0378 (unassigned) beside Hangul, Latin, a fraction, Arabic-Indic three and a no-break space.
    const description = 'Archive \u1c89 \u{2ebf0} \u0378 한글 é ½ ٣\u00a0x, (1)';
    const files = await render(edit(readExample('homelab'), ['aws', 'buckets', 0, 'description'], description));
    const { resources } = await parseTerraform(files);
    const bucket = [...resources.values()].find((r) => r.type === 'aws_s3_bucket')!;
    expect(bucket.body.tags.Description).toBe('Archive _ _ _ 한글 é ½ ٣\u00a0x_ _1_');
    expect(files.get('aws/terraform/s3.tf')).toContain('Description = "Archive _ _ _ 한글 é ½ ٣\u00a0x_ _1_"');
  });

  it('keep exactly ASCII letters, digits, space and _ . : / = + - @ of ASCII', () => {
    const ascii = Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)).join('');
    expect(tagValue(ascii).replace(/_/g, '')).toBe(' +-./0123456789:=@ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
  });

  it('compile the class of some 700 ranges at most once, and not for text of plain ASCII (most names; it costs milliseconds of a start)', async () => {
    vi.resetModules();
    const compiled: string[] = [];
    const Native = globalThis.RegExp;
    const spy = vi.spyOn(globalThis, 'RegExp').mockImplementation(function (pattern: string | RegExp, flags?: string) {
      compiled.push(String(pattern).slice(0, 20));
      return new Native(pattern, flags);
    } as unknown as (pattern: string | RegExp, flags?: string) => RegExp);
    try {
      const fresh = await import('../../src/targets/aws/tags.js');
      for (const name of ['backup', 'home-pbs', 'Archive of the homelab: 2026/11 = ok @site']) expect(fresh.tagValue(name)).toBe(name);
      expect(compiled).toEqual([]);
      for (const text of ['a#b', '한글!', 'x*y']) fresh.tagValue(text);
      expect(compiled.length).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("hold only characters that are letters, separators or numbers on this Node too (the table is Unicode 14.0's)", () => {
    expect(UNICODE_VERSION).toBe('14.0.0');
    const characters: string[] = [];
    for (const range of LETTERS_SEPARATORS_NUMBERS.split(',')) {
      const [from, to = from] = range.split('-').map((hex) => Number.parseInt(hex, 16));
      for (let code = from!; code <= to!; code++) characters.push(String.fromCodePoint(code));
    }
    const all = characters.join('');
    expect(characters.filter((c) => !/^[\p{L}\p{Z}\p{N}]$/u.test(c)).map((c) => c.codePointAt(0)!.toString(16))).toEqual([]);
    expect(tagValue(all) === all).toBe(true);
  });

  it.skipIf(noUnicode14 !== undefined)(titled('are the table scripts/aws-tag-characters.mjs makes from Unicode 14.0.0', noUnicode14), () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/aws-tag-characters.mjs'), '--check'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('no source asks the running Node what a Unicode property is', () => {
    // \p{…} and \P{…} match by the Unicode data of V8's ICU, which differs between Node builds.
    const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(sourceFiles().filter((file) => /\\[pP]\{/.test(code(file))).map((file) => file.slice(root.length + 1))).toEqual([]);
  });
});
