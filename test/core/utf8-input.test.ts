// A topology must be UTF-8: a byte that is not is refused at its line and
// column, with the fix, by every command that reads one (from a file, from
// standard input, as diff's base), never decoded to U+FFFD and carried
// into out/ or into the topology a gen wg command writes back.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotUtf8Error, firstInvalidUtf8, utf8Position, utf8Text } from '../../src/io/read-input.js';
import { root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
const gen = (args: string[], cwd: string, input?: Buffer) => spawnSync(process.execPath, [bin, ...args], { cwd, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** The reference topology with two bytes that are not UTF-8 in a description, and where the first of them is. */
function latin1Topology(): { bytes: Buffer; line: number; col: number } {
  const text = readFileSync(join(root, 'topology.yaml'), 'utf8');
  const needle = 'description: Homelab behind a NAT router';
  expect(text).toContain(needle);
  const before = text.slice(0, text.indexOf(needle));
  const line = before.split('\n').length;
  // description: "Homelab ⟨FF FE⟩ router": the bad byte follows `description: "Homelab ` (with é before it: one column, two bytes).
  const lineStart = before.slice(before.lastIndexOf('\n') + 1);
  const edited = Buffer.concat([Buffer.from(`${before}description: "Homé `, 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from(` router"${text.slice(before.length + needle.length)}`, 'utf8')]);
  return { bytes: edited, line, col: `${lineStart}description: "Homé `.length + 1 };
}

const FIX = 'save the file as UTF-8 (from Latin-1: iconv -f ISO-8859-1 -t UTF-8), or remove the byte';

describe('a topology that is not UTF-8', () => {
  it('gen lint and gen build refuse it at the bad byte (exit 1); nothing reaches out/', () => {
    const dir = tempDir('gen-utf8-');
    const { bytes, line, col } = latin1Topology();
    writeFileSync(join(dir, 'topology.yaml'), bytes);
    const lint = gen(['lint'], dir);
    expect([lint.status, lint.stdout]).toEqual([1, `topology.yaml:${line}:${col}: error topology.yaml is not UTF-8: byte 0xFF is not valid here  [load/read]\n  fix: Save the file as UTF-8 (from Latin-1: iconv -f ISO-8859-1 -t UTF-8), or remove the byte.\n\n1 error, 0 warnings\n`]);
    const build = gen(['build'], dir);
    expect(build.status).toBe(1);
    expect(readdirSync(dir)).toEqual(['topology.yaml']);
  });

  it('from standard input: the same finding, in every format', () => {
    const dir = tempDir('gen-utf8-');
    const { bytes, line, col } = latin1Topology();
    const r = gen(['lint', '--format', 'json', '-'], dir, bytes);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      { rule: 'load/read', severity: 'error', message: '<stdin> is not UTF-8: byte 0xFF is not valid here', hint: expect.stringContaining('iconv'), location: { file: '<stdin>', line, col } },
    ]);
  });

  it('gen wg add-peer refuses it and leaves its bytes as they were', () => {
    const dir = tempDir('gen-utf8-');
    const { bytes, line, col } = latin1Topology();
    writeFileSync(join(dir, 'topology.yaml'), bytes);
    const r = gen(['wg', 'add-peer', 'new1', '--role', 'workstation'], dir);
    expect([r.status, r.stderr]).toEqual([1, `gen: topology.yaml:${line}:${col}: not UTF-8 (byte 0xFF is not valid there); ${FIX}\n`]);
    expect(readFileSync(join(dir, 'topology.yaml')).equals(bytes)).toBe(true);
  });

  it('gen diff refuses a base directory whose topology is not UTF-8', () => {
    const dir = tempDir('gen-utf8-');
    const { bytes, line, col } = latin1Topology();
    writeFileSync(join(dir, 'topology.yaml'), readFileSync(join(root, 'topology.yaml')));
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'topology.yaml'), bytes);
    const r = gen(['diff', '--base', 'base'], dir);
    expect([r.status, r.stderr]).toEqual([1, `gen: base/topology.yaml:${line}:${col}: not UTF-8 (byte 0xFF is not valid there); ${FIX}\n`]);
  });

  it('a byte order mark is UTF-8: still read as before', () => {
    const dir = tempDir('gen-utf8-');
    writeFileSync(join(dir, 'topology.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(join(root, 'topology.yaml'))]));
    expect(gen(['lint'], dir).status).toBe(0);
  });
});

describe('finding the first byte that is not UTF-8', () => {
  it('is where TextDecoder\'s fatal mode first fails, for any bytes', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const valid = (bytes: Uint8Array) => {
      try {
        decoder.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Bytes near the edges of the encoding's ranges, mixed with UTF-8 text.
    const edgy = fc.constantFrom(0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff);
    const chunk = fc.oneof(fc.uint8Array({ maxLength: 4 }), fc.array(edgy, { maxLength: 4 }).map((a) => Uint8Array.from(a)), fc.string({ unit: 'binary', maxLength: 4 }).map((s) => Buffer.from(s, 'utf8')));
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 8 }), (chunks) => {
        const bytes = Buffer.concat(chunks);
        const at = firstInvalidUtf8(bytes);
        if (at === -1) return valid(bytes);
        // Everything before it decodes, and no character (one to four bytes) starts there.
        return at < bytes.length && valid(bytes.subarray(0, at)) && [1, 2, 3, 4].every((k) => !valid(bytes.subarray(at, at + k)));
      }),
      { numRuns: 2000 },
    );
  });

  it('names the byte at the start of a truncated sequence, with its line and column', () => {
    // "é\n  a" then E2 82 (a euro sign cut short) then "x".
    const bytes = Buffer.from([0xc3, 0xa9, 0x0a, 0x20, 0x20, 0x61, 0xe2, 0x82, 0x78]);
    expect(firstInvalidUtf8(bytes)).toBe(6);
    expect(utf8Position(bytes, 6)).toEqual({ line: 2, col: 4 });
    const error = (() => {
      try {
        utf8Text(bytes, 'f.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NotUtf8Error);
    expect(error).toMatchObject({ file: 'f.yaml', line: 2, col: 4, byte: '0xE2', exitCode: 1 });
    expect(() => utf8Text(bytes, 'f.yaml')).toThrow(/^f\.yaml:2:4: not UTF-8 \(byte 0xE2 is not valid there\); save the file as UTF-8/);
    // A character beyond the BMP counts two columns, as in the YAML diagnostics (UTF-16 units).
    const astral = Buffer.concat([Buffer.from('😀', 'utf8'), Buffer.from([0xff])]);
    expect(utf8Position(astral, 4)).toEqual({ line: 1, col: 3 });
  });
});
