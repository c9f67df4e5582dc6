// What gen prints quotes text gen did not write: the topology's values (a
// reference that finds nothing, a value the schema refuses, a description
// in a diff), git's answers, the names of files in out/. YAML takes the C1
// controls (CSI, U+009B, starts an escape sequence in a terminal that acts
// on C1) and the bidirectional controls (U+202E reverses the rest of the
// line); none may reach the terminal as itself. JSON formats carry them as
// JSON escapes: the same document.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { terminalLine, terminalText } from '../../src/io/terminal.js';
import { root } from '../helpers.js';

const bin = join(root, 'bin/gen.js');
const work = mkdtempSync(join(tmpdir(), 'gen-terminal-text-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Characters a terminal acts on rather than shows (C0 but tab and line feed, DEL, C1, the bidirectional controls).
const ACTS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = '\u009b2J\u202eevil';
const SHOWN = '\\u009b2J\\u202eevil';

function gen(cwd: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const env = Object.assign({}, process.env, { NO_COLOR: '1' });
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function dir(name: string, topology: string): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'topology.yaml'), topology);
  return d;
}

const base = readFileSync(join(root, 'topology.yaml'), 'utf8');
const swap = (from: string, to: string) => {
  if (!base.includes(from)) throw new Error(`${from} is not in topology.yaml`);
  return base.replace(from, () => to);
};

describe('gen prints foreign text as text', () => {
  it('terminalText keeps line breaks and tabs; terminalLine shows them too', () => {
    expect(terminalText(`a\tb\nc${HOSTILE}\u001b`)).toBe(`a\tb\nc${SHOWN}\\u001b`);
    expect(terminalLine('a\tb\nc')).toBe('a\\u0009b\\u000ac');
  });

  it('gen lint: a value the schema refuses, in every format', () => {
    const d = dir('lint', swap('bridge: vmbr0\n', `bridge: "vmbr${HOSTILE}"\n`));
    for (const format of ['pretty', 'json', 'github', 'sarif']) {
      const r = gen(d, ['lint', '--format', format]);
      expect(r.status).toBe(1);
      expect(ACTS.exec(r.stdout), `${format}: ${r.stdout}`).toBeNull();
      expect(r.stdout).toContain(SHOWN);
    }
    // JSON escapes: the message still quotes the value.
    const json = JSON.parse(gen(d, ['lint', '--format', 'json']).stdout) as { diagnostics: { message: string }[] };
    expect(json.diagnostics.map((x) => x.message)).toContainEqual(expect.stringContaining(`vmbr${HOSTILE}`));
  });

  it('gen diff: the words and the unified diff quote a description', () => {
    const before = dir('diff-base', base);
    const after = dir('diff-new', swap('description: Homelab behind a NAT router', `description: "Homelab${HOSTILE}"`));
    const r = gen(after, ['diff', '--base', before]);
    expect(r.stderr).toBe('');
    expect(ACTS.exec(r.stdout), r.stdout).toBeNull();
    expect(r.stdout).toContain(`Homelab${SHOWN}`);
  });

  it('gen build --check: the name of a file someone put in out/', () => {
    const d = dir('stale', base);
    expect(gen(d, ['build', '-q']).status).toBe(0);
    writeFileSync(join(d, 'out', `x${HOSTILE}.txt`), '');
    const r = gen(d, ['build', '--check']);
    expect(r.status).toBe(1);
    expect(ACTS.exec(r.stdout + r.stderr)).toBeNull();
    expect(r.stdout).toContain(`out/x${SHOWN}.txt`);
  });

  it("an error that quotes a command line's argument", () => {
    const d = dir('error', base);
    const r = gen(d, ['wg', 'export', `x\u001b]0;owned\u0007${HOSTILE}`]);
    expect(r.status).not.toBe(0);
    expect(ACTS.exec(r.stderr), r.stderr).toBeNull();
    expect(r.stderr).toContain(`x\\u001b]0;owned\\u0007${SHOWN}`);
  });
});
