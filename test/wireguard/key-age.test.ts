// The key rotation policy (key_rotation_days, wg/key-age): lint names each
// enabled peer whose key_date is that many days old, or that has none, and
// gen wg add-peer and rotate record the day of the pair they make or take.
// The day comes from the topology, so a copy of the secrets directory (a
// restore resets mtimes) or a key made on the device changes nothing; the
// clock is SOURCE_DATE_EPOCH's day.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { edit, lint, root } from '../helpers.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { gen, topologyCases } from './cli.js';
import { join } from 'node:path';

const original = readFileSync(join(root, 'topology.yaml'), 'utf8');
const DAY = 86_400;
/** 2026-11-30, 12:00 UTC. */
const NOW = Date.UTC(2026, 10, 30, 12) / 1000;
const daysBefore = (days: number) => new Date((NOW - days * DAY) * 1000).toISOString().slice(0, 10);

beforeEach(() => {
  vi.stubEnv('SOURCE_DATE_EPOCH', String(NOW));
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

  it('names a key_date after today, which would hold the warning back however old the key is', async () => {
    const text = withDates(90, { 'mac-workstation': daysBefore(0), 'laptop-john': daysBefore(-1) });
    expect(await keyAge(text)).toEqual([
      `${lineOf(text, `key_date: ${daysBefore(-1)}`)}: key_date ${daysBefore(-1)} of peer laptop-john is after today (${daysBefore(0)}): the age of its key is unknown`,
    ]);
  });

  it('says nothing without a policy, and counts from SOURCE_DATE_EPOCH', async () => {
    const old = { 'mac-workstation': daysBefore(1000), 'laptop-john': daysBefore(1000) };
    expect(await keyAge(withDates(undefined, old))).toEqual([]);
    vi.stubEnv('SOURCE_DATE_EPOCH', String(NOW - 950 * DAY));
    expect(await keyAge(withDates(90, old))).toEqual([]);
  });

  it('refuses a policy or a date the schema does not take', async () => {
    for (const text of [withDates(0, {}), withDates(10000, {}), edit(withDates(90, {}), ['sites', 0, 'wireguard', 0, 'key_rotation_days'], 'quarterly'), withDates(90, { 'laptop-john': '2026-13-01' }), withDates(90, { 'laptop-john': '30.11.2026' })]) {
      const schema = (await lint(text)).filter((d) => d.rule === 'schema');
      expect(schema.length, text).toBeGreaterThan(0);
      expect(schema[0]!.severity).toBe('error');
    }
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

  it('records today for a key gen makes and one the device makes; lint is clean for both', async () => {
    writeFileSync(topology, withDates(90, { 'mac-workstation': daysBefore(200), 'laptop-john': daysBefore(300) }));
    expect((await gen('wg', 'rotate', 'mac-workstation', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'rotate', 'laptop-john', '--public-key', generateKeyPair().publicKey, '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'pixel', '--role', 'mobile', '--public-key', generateKeyPair().publicKey, '-f', topology)).code).toBe(0);
    expect(peerDates()).toEqual({ 'mac-workstation': '2026-11-30', 'laptop-john': '2026-11-30', 'iphone-john': undefined, pixel: '2026-11-30' });
    expect(await keyAge(readFileSync(topology, 'utf8'))).toEqual([]);
  });

  it('writes no key_date without a policy', async () => {
    expect((await gen('wg', 'rotate', 'mac-workstation', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'pixel', '--role', 'mobile', '--public-key', generateKeyPair().publicKey, '-f', topology)).code).toBe(0);
    expect(Object.values(peerDates())).toEqual([undefined, undefined, undefined, undefined]);
  });
});
