// gc_schedule and prune.schedule reach `datastore create --gc-schedule` and
// `prune-job create --schedule`, which PBS checks with
// proxmox_time::verify_calendar_event (pbs-api-types GC_SCHEDULE_SCHEMA,
// PRUNE_SCHEDULE_SCHEMA). The port in src/targets/pbs/calendar-event.ts is
// held to the events proxmox-time's own tests parse, and to texts its
// parser refuses, each with the line of proxmox-time src/calendar_event.rs
// that refuses it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPbsCalendarEvent } from '../../src/targets/pbs/calendar-event.js';
import { edit, lint, readExample } from '../helpers.js';
import { lineOf } from '../yaml-lines.js';

/** Events proxmox-time's tests and documentation parse (src/test.rs, calendar_event.rs doc examples). */
const UPSTREAM_VALID = [
  '0', '*', '*:0', '*:*', '*:*:*', '*:3:5', 'mon *:*', 'mon 2:*', 'mon 2:50', 'tue', 'sun', '4..10/2:0', '5,10:4,8', '10,5:8,4',
  '6,4..10:23,5/5', '4..10,6:5/5,23', 'daily', '5/2:0', '1:0', '2020-07-31', '02-28', '02-29', '1965/5-01-01', '2020-7..9-2/2',
  '2020,2021-12-31', 'minutely', 'hourly', 'weekly', 'monthly', 'quarterly', 'semiannually', 'semi-annually', 'yearly', 'annually',
  '2021-02-29', '02-30', 'mon,wed..fri', 'fri..mon', 'MON', 'monDay', 'Tuesday', 'mon..fri', 'mon,tue..wednesday,fri..sat',
  'mon..fri *:00', 'daily UTC', '0 UTC',
];

/** Texts PBS refuses, and why (proxmox-time src/calendar_event.rs, parse_calendar_event_incomplete and helpers). */
const REFUSED: [string, string][] = [
  ['daily 03:00', 'a keyword matches the whole text; otherwise a leading word must be a weekday'],
  ['every day', 'not a keyword, and "every" is no weekday'],
  ['mon..frx 02:00', 'the range end is no weekday, so ".." is left unread'],
  ['25:00:00', 'hour 25 fails (parse_time_comp: < 24), minute 25 then second 00 leaves ":00"'],
  ['03:60', 'minute 60 (parse_time_comp: < 60)'],
  ['10..4:00', 'range start bigger than end'],
  ['*/0:00', 'a repetition of 0 after * is not taken: "/0:00" stays unread'],
  ['2020-13-01', 'month 13 (< 13)'],
  ['2020-01-32', 'day 32 (< 32)'],
  ['4294967296', 'above u32::MAX: str::parse fails'],
  ['UTC', 'nothing but the time zone'],
  ['03:30 mon', 'weekdays come first'],
  ['03:30:', 'a trailing ":" is left unread'],
];

describe('PBS calendar events', () => {
  it('takes every event proxmox-time parses in its own tests', () => {
    for (const event of UPSTREAM_VALID) expect(isPbsCalendarEvent(event), event).toBe(true);
    // Its backtracking: the hour 24 fails, and the text is read as minute 24, second 00.
    expect(isPbsCalendarEvent('24:00')).toBe(true);
  });

  it('refuses what proxmox-time refuses', () => {
    for (const [event, why] of REFUSED) expect(isPbsCalendarEvent(event), `${event}: ${why}`).toBe(false);
  });

  const git = process.env.PROXMOX_RS_GIT;
  it.skipIf(!git || !existsSync(git))('the upstream list above is still what proxmox-time tests', () => {
    const shown = spawnSync('git', ['--git-dir', git!, 'show', 'HEAD:proxmox-time/src/test.rs'], { encoding: 'utf8' });
    expect(shown.status, shown.stderr).toBe(0);
    // The calendar tests come before the time span parser's, whose test_value takes durations.
    const calendar = shown.stdout.slice(0, shown.stdout.indexOf('fn test_time_span_parser'));
    const events = [...calendar.matchAll(/test_(?:value|never|event)\(\s*"([^"]*)"/g)].map((m) => m[1]!);
    expect(events.length).toBeGreaterThan(40);
    for (const event of events) expect(isPbsCalendarEvent(event), event).toBe(true);
  });
});

describe('gc_schedule and prune.schedule', () => {
  const pbs = ['sites', 0, 'backup', 'pbs'];

  it('are refused where they are written when PBS would refuse them', async () => {
    for (const [key, value] of [
      [['gc_schedule'], 'daily 03:00'],
      [['prune', 'schedule'], 'mon..frx 02:00'],
    ] as const) {
      let text = edit(readExample('homelab'), [...pbs, 'prune'], { keep_daily: 7 });
      text = edit(text, [...pbs, ...key], value);
      const errors = (await lint(text)).filter((d) => d.severity === 'error');
      expect(errors.map((d) => [d.rule, d.location.line]), value).toEqual([['schema', lineOf(text, [...pbs, ...key])]]);
      expect(errors[0]!.message).toContain(value);
    }
  });

  it('pass when PBS takes them', async () => {
    let text = edit(readExample('homelab'), [...pbs, 'prune'], { schedule: 'mon..fri 22:00', keep_daily: 7 });
    text = edit(text, [...pbs, 'gc_schedule'], 'sat 02:00');
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
  });
});
