// What dnsmasqRefusals() says each dnsmasq version refuses, against the real
// dnsmasq of that version (dnsmasq-binaries.ts: the binaries DNSMASQ_BINARIES
// supplies of the versions the releases install, and of 2.90): for each item, gen's
// warning for the release's version names what that version's `dnsmasq --test`
// prints for the item's line, and no warning where it takes the line. The
// lines are written as OPNsense's template writes them
// (templates/OPNsense/Dnsmasq/dnsmasq.conf, 26.7: dhcp-range for a range
// without an interface, dhcp-host for a Host); split-dns.test.ts renders them
// with the template itself, for Debian's dnsmasq and these.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dnsmasqRefusals } from '../../src/opnsense/dnsmasq-refusals.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { DNSMASQ_VERSIONS, dnsmasqBinary, dnsmasqTag, hasTag, whyNoBinaries } from './dnsmasq-binaries.js';

const why = whyNoBinaries();
if (why) console.warn(`dnsmasq-binaries.test.ts skipped: ${why}`);

interface Host {
  host?: string;
  ip?: string;
  hwaddr?: string;
  lease?: string;
}

let uuids = 0;
const uuid = () => `11111111-2222-4333-8444-7${(uuids++).toString(16).padStart(11, '0')}`;

/** A Host of the model, and its line as the template writes it (hwaddr, ip, host, lease, comma-joined; 0 as infinite). */
function host({ host: name = '', ip = '', hwaddr = '', lease = '' }: Host): { item: string; line: string } {
  const item = `<hosts uuid="${uuid()}"><host>${name}</host><domain/><local>0</local><ip>${ip}</ip><cnames/><client_id/><hwaddr>${hwaddr}</hwaddr><lease_time>${lease}</lease_time><ignore>0</ignore><set_tag/><descr/><comments/><aliases/></hosts>`;
  const ips = ip === '' ? [] : ip.split(',').map((a) => a.trim()).map((a) => (a.includes(':') ? `[${a}]` : a));
  const words = [...(hwaddr ? [hwaddr] : []), ...ips, ...(name ? [name] : []), ...(lease ? [lease === '0' ? 'infinite' : lease] : [])];
  return { item, line: `dhcp-host=${words.join(',')}` };
}

/** A DHCP range without an interface, and its line as the template writes it (lease 86400 by default, 0 as infinite). */
function range(start: string, end: string, fields: { subnet_mask?: string; prefix_len?: string; lease_time?: string } = {}): { item: string; line: string } {
  const item = `<dhcp_ranges uuid="${uuid()}"><interface/><set_tag/><start_addr>${start}</start_addr><end_addr>${end}</end_addr>${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}<description/></dhcp_ranges>`;
  const lease = fields.lease_time === '0' ? 'infinite' : (fields.lease_time ?? '86400');
  const words = start.includes(':') ? [start, ...(end ? [end] : []), fields.prefix_len ?? '64', lease] : [start, ...(end ? [end] : []), ...(fields.subnet_mask ? [fields.subnet_mask] : []), lease];
  return { item, line: `dhcp-range=${words.join(',')}` };
}

// Each case: the items of one dnsmasq section, whose lines dnsmasq reads in order (a refusal is of the last).
const CASES: Record<string, { item: string; line: string }[]> = {
  'named host': [host({ host: 'nas', ip: '10.0.0.5', hwaddr: '52:54:00:00:00:01', lease: '3600' })],
  'infinite lease': [host({ host: 'tablet', hwaddr: '52:54:00:00:00:02', lease: '0' })],
  'signed lease, named': [host({ host: 'kiosk', hwaddr: '52:54:00:00:00:03', lease: '-60' })],
  'signed lease, unnamed': [host({ ip: '10.0.0.6', hwaddr: '52:54:00:00:00:04', lease: '+3600' })],
  'dashed MAC beside a name': [host({ host: 'nas', ip: '10.0.0.7', hwaddr: '52:54:00:00:00:05,52-54-00-AA-BB-CC' })],
  'dotted MAC beside a name': [host({ host: 'nas', ip: '10.0.0.7', hwaddr: '52:54:00:00:00:05,5254.00aa.bbcc' })],
  'dashed MAC, no name': [host({ ip: '10.0.0.8', hwaddr: '52:54:00:00:00:06,52-54-00-aa-bb-cc' })],
  'dashed MAC, no name, signed lease': [host({ ip: '10.0.0.8', hwaddr: '52:54:00:00:00:06,52-54-00-aa-bb-cc', lease: '-60' })],
  'two MACs without colons': [host({ ip: '10.0.0.9', hwaddr: '52:54:00:00:00:07,5254.00aa.bbcc,52-54-00-dd-ee-ff' })],
  'shared address': [host({ host: 'a', ip: '10.0.0.10', hwaddr: '52:54:00:00:00:08' }), host({ host: 'b', ip: '10.0.0.10', hwaddr: '52:54:00:00:00:09' })],
  'range, signed lease': [range('10.1.0.100', '10.1.0.200', { lease_time: '-60' })],
  'range, mask parts it': [range('10.1.0.100', '10.1.1.100', { subnet_mask: '255.255.255.0' })],
  'range, fine': [range('10.1.2.100', '10.1.2.200', { subnet_mask: '255.255.255.0', lease_time: '0' })],
  'range, prefix 48': [range('fd00:55::1000', 'fd00:55::2000', { prefix_len: '48' })],
  'range, end elsewhere': [range('fd00:55::5000', 'fd00:56::5000')],
};

/** What gen says dnsmasq `version` prints for the case's lines: the quoted message of each warning. */
function genSays(items: string[], version: string): string[] {
  const root = parseXml(`<?xml version="1.0"?>\n<opnsense><dnsmasq><enable>1</enable><port>0</port>${items.join('')}</dnsmasq></opnsense>\n`).root;
  return dnsmasqRefusals(root, version, releaseFacts('26.7')!).map((w) => /makes it print "(.*?)" \(/.exec(w)![1]!);
}

const work = mkdtempSync(join(tmpdir(), 'gen-dnsmasq-binaries-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What `binary --test` prints for `lines` (undefined: it takes them), and the line it names. */
function dnsmasqSays(binary: string, lines: string[]): { prints?: string; line?: string } {
  const file = join(work, 'test.conf');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const run = spawnSync(binary, ['--test', `--conf-file=${file}`], { encoding: 'utf8' });
  if (run.status === 0) return {};
  const m = /^dnsmasq: (.*) at line (\d+) of /m.exec(run.stderr);
  expect(m, run.stderr).not.toBeNull();
  return { prints: m![1]!, line: lines[Number(m![2]) - 1] };
}

/** The versions by their tag (2.92 and 2.92rel2 are one source, one binary). */
const BY_TAG = new Map<string, string[]>();
for (const version of DNSMASQ_VERSIONS) BY_TAG.set(dnsmasqTag(version), [...(BY_TAG.get(dnsmasqTag(version)) ?? []), version]);

describe('dnsmasqRefusals against the real dnsmasq of each version', () => {
  for (const [tag, versions] of BY_TAG) {
    const skip = why ?? (hasTag(tag) ? undefined : `DNSMASQ_BINARIES has no ${tag}/dnsmasq`);
    if (skip && !why) console.warn(`dnsmasq-binaries.test.ts: dnsmasq ${versions.join(', ')} skipped: ${skip}`);
    it.skipIf(skip)(`${versions.join(', ')} (${tag}): gen names exactly the lines dnsmasq refuses, with what it prints${skip ? ` (skipped: ${skip})` : ''}`, () => {
      const binary = dnsmasqBinary(tag);
      expect(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout).toMatch(new RegExp(`^Dnsmasq version ${tag.slice(1).replace(/\./g, '\\.')} `));
      const real = Object.fromEntries(
        Object.entries(CASES).map(([name, items]) => {
          const says = dnsmasqSays(binary, items.map((i) => i.line));
          // A refusal is of the case's last line (its earlier ones are there to be refused against).
          if (says.line !== undefined) expect(says.line, name).toBe(items.at(-1)!.line);
          return [name, says.prints];
        }),
      );
      for (const version of versions) {
        const gen = Object.fromEntries(Object.entries(CASES).map(([name, items]) => [name, genSays(items.map((i) => i.item), version)[0]]));
        expect(gen, `gen at ${version}`).toEqual(real);
      }
      // Each kind of line is both refused and taken somewhere.
      expect([real['named host'], real['range, fine'], real['shared address'], real['signed lease, unnamed']]).toEqual([undefined, undefined, 'duplicate dhcp-host IP address 10.0.0.10', 'bad DHCP host name']);
    });
  }
});
