// Calendar days (UTC) as key_date writes them (YYYY-MM-DD): the day the key
// commands record (the clock's) and the day lint counts key ages from
// (GEN_TODAY when set, else the clock's).
import { UsageError } from './errors.js';

const DAY_MS = 86_400_000;

/** The clock's day number (days since 1970-01-01, UTC): the day gen wg add-peer and rotate record. */
export function clockDay(): number {
  return Math.floor(Date.now() / DAY_MS);
}

/**
 * The day lint counts key ages from: GEN_TODAY (YYYY-MM-DD) when it is set,
 * so that a run can be repeated with the same findings, else the clock's.
 * Not SOURCE_DATE_EPOCH: build shells set that to a fixed past day (a
 * commit's, or 1980-01-01), where every real key_date would be "after
 * today".
 */
export function lintDay(): number {
  const given = process.env.GEN_TODAY;
  if (given === undefined || given === '') return clockDay();
  const day = dayOf(given);
  // A day mistyped would count from the clock's in silence: the findings of another day than the one asked for.
  if (day === undefined) throw new UsageError(`GEN_TODAY is ${JSON.stringify(given)}, not a day as YYYY-MM-DD (such as ${dayText(clockDay())}): correct it, or unset it to count from today`);
  return day;
}

/** A day number as key_date writes it (YYYY-MM-DD). */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day number of a key_date (the schema's pattern); undefined for a day no calendar has (2026-02-30). */
export function dayOf(text: string): number | undefined {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) return undefined;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const day = Date.UTC(y, m - 1, d) / DAY_MS;
  return dayText(day) === text ? day : undefined;
}
