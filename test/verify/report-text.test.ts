// The report of every verification script prints what the box showed
// (a process name from sockstat, a certificate subject, a qm/pct value,
// proxmox-backup-manager's JSON): a character in it that a terminal acts on
// (ESC, CSI U+009B and the other C1 controls, the bidirectional controls)
// must reach the operator's terminal as text, in text, TAP and JSON, under
// FreeBSD's awk, mawk (Debian's) and busybox awk alike; UTF-8 text stays
// readable, and JSON gives the box's text back.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderScript } from '../../src/render/verify/script.js';
import { missing } from '../system-tools.js';

const work = mkdtempSync(join(tmpdir(), 'gen-report-text-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// What the box prints, as printf octal escapes: a title-setting OSC, SGR, CSI as U+009B in UTF-8, a right-to-left
// override, a lone 0x9B byte (CSI for an 8-bit terminal), DEL, U+061C, U+2066, U+2028; then readable UTF-8.
const HOSTILE = String.raw`\033]0;owned\007\033[31mred\302\233 2J\342\200\256evil\233x\177\330\234\342\201\246\342\200\250 é € 😀 "q\\`;
const script = renderScript({
  shell: 'sh',
  box: 'firewall fw',
  site: 'home',
  source: 'topology.yaml',
  file: 'firewall-fw.sh',
  where: 'Run it on the box:',
  functions: '',
  checks: [`fail 'the process is haproxy' 'topology.yaml:7' "$(printf '${HOSTILE}')"`, "pass 'it listens' 'topology.yaml:8'"],
});
const file = join(work, 'check.sh');
writeFileSync(file, script);

// Characters a terminal acts on, and bytes of no UTF-8 character (decoded as U+FFFD).
const ACTS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffd]/;

function run(awk: string, args: string[]): { status: number; stdout: string } {
  const bin = join(work, `bin-${awk.replace(/\W/g, '')}`);
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, 'awk'))) symlinkSync(awk, join(bin, 'awk'));
  const r = spawnSync('dash', [file, ...args], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
  return { status: r.status ?? -1, stdout: r.stdout };
}

const why = missing(['dash', 'original-awk', 'mawk', 'busybox'], false);
describe.skipIf(why)(`the report shows the box's text as text${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const awk of ['/usr/bin/original-awk', '/usr/bin/mawk', '/usr/bin/busybox']) {
    it(`text and TAP under ${awk}: controls as \\uXXXX, a stray byte as \\xNN, UTF-8 kept`, () => {
      for (const args of [[], ['--tap']]) {
        const r = run(awk, args);
        expect(r.status).toBe(1);
        expect(ACTS.exec(r.stdout), r.stdout).toBeNull();
        expect(r.stdout).toContain(String.raw`\u001b]0;owned\u0007\u001b[31mred\u009b 2J\u202eevil\x9bx\u007f\u061c\u2066\u2028 é € 😀 "q` + '\\');
      }
    });

    it(`JSON under ${awk}: valid, and the same text (a stray byte as U+FFFD)`, () => {
      const r = run(awk, ['--json']);
      expect(/[\u0080-\u009f\u202e\u2066\u2028]/.test(r.stdout)).toBe(false);
      const doc = JSON.parse(r.stdout) as { checks: { found: string }[] };
      expect(doc.checks[0]!.found).toBe('\u001b]0;owned\u0007\u001b[31mred\u009b 2J\u202eevil\ufffdx\u007f\u061c\u2066\u2028 é € 😀 "q\\');
    });
  }
});
