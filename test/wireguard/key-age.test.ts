// The key rotation policy (key_rotation_days, wg/key-age): lint names each
// enabled peer whose key_date is that many days old, or that has none, and
// gen wg add-peer and rotate record the day of the pair they make or take.
// The day comes from the topology, so a copy of the secrets directory (a
// restore resets mtimes) or a key made on the device changes nothing; the
// day lint counts from is GEN_TODAY's, the day the commands record the clock's.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { edit, lint, render, root } from '../helpers.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { gen, topologyCases } from './cli.js';
import { join } from 'node:path';

const original = readFileSync(join(root, 'topology.yaml'), 'utf8');
const DAY = 86_400;
/** 2026-11-30, 12:00 UTC. */
const NOW = Date.UTC(2026, 10, 30, 12) / 1000;
const daysBefore = (days: number) => new Date((NOW - days * DAY) * 1000).toISOString().slice(0, 10);

beforeEach(() => {
  vi.stubEnv('GEN_TODAY', daysBefore(0));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const PEERS = ['sites', 0, 'wireguard', 0, 'peers'];
/** The default topology with a policy on wg0 and each peer's key_date (undefined: none). */
function withDates(days: number | undefined, dates: Record<string, string | undefined>): string {
  let text = days === undefined ? original : edit(original, ['sites', 0, 'wireguard', 0, 'key_rotation_days'], days);
  const peers = (parse(original) as { sites: { wireguard: { peers: { name: string }[] }[] }[] }).sites[0]!.wireguard[0]!.peers;
  peers.forEach((peer, i) => {
    if (dates[peer.name] !== undefined) text = edit(text, [...PEERS, i, 'key_date'], dates[peer.name]);
  });
  return text;
}

const keyAge = async (text: string) => (await lint(text)).filter((d) => d.rule === 'wg/key-age').map((d) => `${d.location.line}: ${d.message}`);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('wg/key-age', () => {
  it('names each enabled peer whose key is key_rotation_days old or older, at its key_date', async () => {
    const text = withDates(90, { 'mac-workstation': daysBefore(90), 'laptop-john': daysBefore(89), 'iphone-john': daysBefore(400) });
    expect(await keyAge(text)).toEqual([`${lineOf(text, `key_date: ${daysBefore(90)}`)}: the key of peer mac-workstation of wg0 is 90 days old (key_date ${daysBefore(90)}): wg0 rotates keys every 90 days`]);
    const [finding] = (await lint(text)).filter((d) => d.rule === 'wg/key-age');
    expect(finding!.severity).toBe('warning');
    expect(finding!.hint).toContain('gen wg rotate mac-workstation --instance wg0');
  });

  it('names an enabled peer with no key_date, or one no calendar has', async () => {
    const text = withDates(30, { 'laptop-john': '2026-02-30' });
    expect(await keyAge(text)).toEqual([
      `${lineOf(text, '- name: mac-workstation')}: peer mac-workstation of wg0 has no key_date: the age of its key is unknown, and wg0 rotates keys every 30 days`,
      `${lineOf(text, 'key_date: 2026-02-30')}: key_date 2026-02-30 of peer laptop-john is no day of the calendar`,
    ]);
  });

  it('names a key_date after today, which would hold the warning back however old the key is (a day of grace for dates east of UTC)', async () => {
    const text = withDates(90, { 'mac-workstation': daysBefore(-1), 'laptop-john': daysBefore(-2) });
    expect(await keyAge(text)).toEqual([
      `${lineOf(text, `key_date: ${daysBefore(-2)}`)}: key_date ${daysBefore(-2)} of peer laptop-john is after today (${daysBefore(0)}): the age of its key is unknown`,
    ]);
  });

  it('says nothing without a policy, and counts from GEN_TODAY, not SOURCE_DATE_EPOCH', async () => {
    const old = { 'mac-workstation': daysBefore(1000), 'laptop-john': daysBefore(1000) };
    expect(await keyAge(withDates(undefined, old))).toEqual([]);
    vi.stubEnv('GEN_TODAY', daysBefore(950));
    expect(await keyAge(withDates(90, old))).toEqual([]);
    // A build shell's fixed SOURCE_DATE_EPOCH (1980-01-01 under Nix) moves nothing.
    vi.stubEnv('GEN_TODAY', undefined);
    vi.stubEnv('SOURCE_DATE_EPOCH', '315532800');
    const today = new Date().toISOString().slice(0, 10);
    expect(await keyAge(withDates(90, { 'mac-workstation': today, 'laptop-john': today }))).toEqual([]);
  });

  it('refuses a policy or a date the schema does not take', async () => {
    for (const text of [withDates(0, {}), withDates(10000, {}), edit(withDates(90, {}), ['sites', 0, 'wireguard', 0, 'key_rotation_days'], 'quarterly'), withDates(90, { 'laptop-john': '2026-13-01' }), withDates(90, { 'laptop-john': '30.11.2026' })]) {
      const schema = (await lint(text)).filter((d) => d.rule === 'schema');
      expect(schema.length, text).toBeGreaterThan(0);
      expect(schema[0]!.severity).toBe('error');
    }
  });
});

describe('peers.md, the inventory', () => {
  /** Each peer's Public key cell, by name (the table's columns: address, name, role, key, status, AllowedIPs). */
  const keyCells = async (text: string) => {
    const md = (await render(text)).get('home/wireguard/peers.md')!;
    const rows = md.split('\n').filter((l) => /^\| 10\./.test(l)).map((l) => l.split(' | '));
    return Object.fromEntries(rows.map((r) => [r[1], r[3]]));
  };

  it("shows each key's key_date and, under a policy, the day it falls due as wg/key-age counts it; never whether it is overdue (the file is the same every day)", async () => {
    const text = withDates(90, { 'mac-workstation': daysBefore(100), 'laptop-john': daysBefore(10) });
    const cells = await keyCells(text);
    const due = (made: string) => new Date(Date.parse(`${made}T00:00:00Z`) + 90 * DAY * 1000).toISOString().slice(0, 10);
    expect(cells['mac-workstation']).toMatch(new RegExp(`^\`\\.\\.\\.[^\`]{8}\` ${daysBefore(100)}, due ${due(daysBefore(100))}$`));
    expect(cells['laptop-john']).toMatch(new RegExp(`\` ${daysBefore(10)}, due ${due(daysBefore(10))}$`));
    // The day wg/key-age warns from is the due day: the 100-day-old key is past it, the 10-day-old one is not.
    expect(await keyAge(text)).toHaveLength(1);
    expect((await keyAge(text))[0]).toContain('mac-workstation');
    // A disabled peer is no key to rotate; without a key_date an enabled one says so.
    expect(cells['iphone-john']).toMatch(/`$/);
    vi.stubEnv('GEN_TODAY', daysBefore(-400));
    expect(await keyCells(text)).toEqual(cells);
  });

  it('shows the key_date without a policy, and nothing more where there is none', async () => {
    const cells = await keyCells(withDates(undefined, { 'laptop-john': daysBefore(10) }));
    expect(cells['laptop-john']).toMatch(new RegExp(`\` ${daysBefore(10)}$`));
    expect(cells['mac-workstation']).toMatch(/`$/);
  });

  it('says an enabled peer under a policy has no key_date', async () => {
    const cells = await keyCells(withDates(90, { 'laptop-john': daysBefore(10) }));
    expect(cells['mac-workstation']).toMatch(/` \(no key\\_date\)$/);
  });
});

describe('gen wg add-peer and rotate record key_date under a policy', () => {
  const newCase = topologyCases('gen-wg-key-age-');
  let topology: string;
  beforeEach(() => {
    ({ topology } = newCase());
  });
  const peerDates = () =>
    Object.fromEntries(
      (parse(readFileSync(topology, 'utf8')) as { sites: { wireguard: { peers: { name: string; key_date?: string }[] }[] }[] }).sites[0]!.wireguard[0]!.peers.map((p) => [p.name, p.key_date]),
    );

  it('refuses a GEN_TODAY that is no day as YYYY-MM-DD (exit 2), instead of counting from the clock in silence; an empty one is unset', async () => {
    const clockDaysBefore = (days: number) => new Date(Date.now() - days * DAY * 1000).toISOString().slice(0, 10);
    writeFileSync(topology, withDates(90, { 'mac-workstation': clockDaysBefore(200), 'laptop-john': clockDaysBefore(10) }));
    for (const given of ['2026-6-1', '2026-02-30', 'today']) {
      vi.stubEnv('GEN_TODAY', given);
      for (const command of [['lint'], ['wg', 'list']]) {
        expect(await gen(...command, '-f', topology)).toMatchObject({
          code: 2,
          stdout: '',
          stderr: `gen: GEN_TODAY is ${JSON.stringify(given)}, not a day as YYYY-MM-DD (such as ${new Date().toISOString().slice(0, 10)}): correct it, or unset it to count from today\n`,
        });
      }
    }
    // Unset, or empty as a CI template leaves it: the clock's day, by which mac-workstation's key is 200 days old.
    vi.stubEnv('GEN_TODAY', '');
    const r = await gen('lint', '--format', 'json', '-f', topology);
    expect(JSON.parse(r.stdout).diagnostics.filter((d: { rule: string }) => d.rule === 'wg/key-age').map((d: { message: string }) => d.message)).toEqual([
      expect.stringContaining('peer mac-workstation of wg0 is 200 days old'),
    ]);
  });

  it("records the clock's day (not GEN_TODAY's) for a key gen makes and one the device makes; lint is clean for both", async () => {
    writeFileSync(topology, withDates(90, { 'mac-workstation': daysBefore(200), 'laptop-john': daysBefore(300) }));
    // The day lint counts from is not the day a key is made: a fixed GEN_TODAY or SOURCE_DATE_EPOCH in the shell must not date new keys.
    vi.stubEnv('GEN_TODAY', '2031-01-01');
    vi.stubEnv('SOURCE_DATE_EPOCH', '315532800');
    const before = new Date().toISOString().slice(0, 10);
    expect((await gen('wg', 'rotate', 'mac-workstation', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'rotate', 'laptop-john', '--public-key', generateKeyPair().publicKey, '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'pixel', '--role', 'mobile', '--public-key', generateKeyPair().publicKey, '-f', topology)).code).toBe(0);
    const after = new Date().toISOString().slice(0, 10);
    const dates = peerDates();
    for (const name of ['mac-workstation', 'laptop-john', 'pixel']) expect([before, after], name).toContain(dates[name]);
    expect(dates['iphone-john']).toBeUndefined();
    vi.stubEnv('GEN_TODAY', after);
    expect(await keyAge(readFileSync(topology, 'utf8'))).toEqual([]);
  });

  it('writes no key_date without a policy', async () => {
    expect((await gen('wg', 'rotate', 'mac-workstation', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'pixel', '--role', 'mobile', '--public-key', generateKeyPair().publicKey, '-f', topology)).code).toBe(0);
    expect(Object.values(peerDates())).toEqual([undefined, undefined, undefined, undefined]);
  });
});
