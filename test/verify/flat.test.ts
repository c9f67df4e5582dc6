// flat (a pipe through tr and sed, in every script) and flat_of (bash alone,
// in the Proxmox host's script) make the same one line of the same text: a
// message reads alike whichever script found it. Both run in bash, LC_ALL=C
// as the scripts set it, on texts of tabs, CRs, newlines, runs of spaces,
// UTF-8, an escape sequence, quotes, glob characters and $(...).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLAT, FLAT_OF } from '../../src/render/verify/script.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const PIECES = [' ', '  ', '\t', '\r', '\n', '\r\n', 'a', 'vmbr0', 'é', '\u00ff', '"', "'", '\\', '$(id)', '*', '[x]', '\u001b[31m'];

describe('flat and flat_of', () => {
  it('make the same line of every text', () => {
    const texts = fc.sample(fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((p) => p.join('')), { numRuns: 150, seed: 17 });
    texts.push('', ' ', '\n', 'a\tb\r\nc  d \n\n', '   lead and trail   ');
    const dir = tempDir('gen-flat-');
    texts.forEach((t, i) => writeFileSync(join(dir, String(i)), t));
    // Each text read with its trailing newlines (the dot), then made a line both ways, NUL after each.
    const script = `LC_ALL=C\n${FLAT}\n${FLAT_OF}\nfor f in "$@"; do t=$(cat "$f"; echo .); t=\${t%.}; piped=$(printf '%s' "$t" | flat); flat_of "$t"; printf '%s\\0%s\\0' "$piped" "$REPLY"; done\n`;
    const r = spawnSync('bash', ['-c', script, 'flat', ...texts.map((_, i) => join(dir, String(i)))], { encoding: 'latin1' });
    expect(r.stderr).toBe('');
    const out = r.stdout.split('\0');
    for (let i = 0; i < texts.length; i++) expect(out[2 * i + 1], JSON.stringify(texts[i])).toBe(out[2 * i]);
    // Not two empty answers: a text with words keeps them, on one line.
    expect(out[2 * (texts.length - 2)]).toBe('a b c d');
  });
});
