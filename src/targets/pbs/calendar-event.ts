// The calendar events Proxmox Backup Server takes for gc-schedule and a prune
// job's schedule (pbs-api-types GC_SCHEDULE_SCHEMA, PRUNE_SCHEDULE_SCHEMA:
// proxmox_time::verify_calendar_event). A port of the nom parser of
// proxmox-time src/calendar_event.rs (parse_calendar_event_incomplete, run
// through all_consuming), with its backtracking: "24:00" is minute 24 (the
// hour fails, so it is read as minute:second), "daily 03:00" is refused
// (a keyword stands alone, and "daily" is no weekday). Only whether PBS
// accepts the text is ported, not the times it stands for.

/** What a parser leaves unread, or null where nom returns an error. */
type Parser = (input: string) => string | null;

const WEEKDAYS = new Set(['monday', 'mon', 'tuesday', 'tue', 'wednesday', 'wed', 'thursday', 'thu', 'friday', 'fri', 'saturday', 'sat', 'sunday', 'sun']);

const KEYWORDS = new Set(['minutely', 'hourly', 'daily', 'weekly', 'monthly', 'yearly', 'annually', 'quarterly', 'semiannually', 'semi-annually']);

const tag =
  (text: string): Parser =>
  (i) =>
    i.startsWith(text) ? i.slice(text.length) : null;

const opt =
  (p: Parser): Parser =>
  (i) =>
    p(i) ?? i;

const then =
  (...parsers: Parser[]): Parser =>
  (i) => {
    let rest: string | null = i;
    for (const p of parsers) {
      rest = p(rest);
      if (rest === null) return null;
    }
    return rest;
  };

/** nom 7's separated_list1: an item that fails after a separator ends the list before that separator. */
const separatedList1 =
  (sep: Parser, item: Parser): Parser =>
  (i) => {
    let rest = item(i);
    if (rest === null) return null;
    for (;;) {
      const afterSep = sep(rest);
      if (afterSep === null) return rest;
      if (afterSep.length === rest.length) return null;
      const next = item(afterSep);
      if (next === null) return rest;
      rest = next;
    }
  };

/** parse_time_comp: digits read as a u32, below max. */
function timeComp(max: number): (i: string) => { rest: string; value: number } | null {
  return (i) => {
    const digits = /^[0-9]+/.exec(i)?.[0];
    if (digits === undefined) return null;
    // str::parse::<u32> fails above u32::MAX.
    const value = BigInt(digits);
    if (value > 4294967295n || value >= BigInt(max)) return null;
    return { rest: i.slice(digits.length), value: Number(value) };
  };
}

/** parse_date_time_comp: N, N..M, N/R or N..M/R (a bad range end falls back to N; a bad repeat fails). */
function dateTimeComp(max: number): Parser {
  const comp = timeComp(max);
  return (i) => {
    const first = comp(i);
    if (!first) return null;
    let rest = first.rest;
    const end = rest.startsWith('..') ? comp(rest.slice(2)) : null;
    if (end) {
      if (first.value > end.value) return null;
      rest = end.rest;
    }
    if (rest.startsWith('/')) return comp(rest.slice(1))?.rest ?? null;
    return rest;
  };
}

/** parse_date_time_comp_list: "*", "*" "/" R (R > 0) or a comma list of components. */
function dateTimeCompList(max: number): Parser {
  return (i) => {
    if (!i.startsWith('*')) return separatedList1(tag(','), dateTimeComp(max))(i);
    const rest = i.slice(1);
    if (rest.startsWith('/')) {
      const repeat = timeComp(max)(rest.slice(1));
      if (!repeat) return null;
      if (repeat.value > 0) return repeat.rest;
    }
    return rest;
  };
}

function weekday(i: string): string | null {
  const word = /^[A-Za-z]+/.exec(i)?.[0];
  return word !== undefined && WEEKDAYS.has(word.toLowerCase()) ? i.slice(word.length) : null;
}

const weekdaysRange: Parser = then(weekday, opt(then(tag('..'), weekday)));

const dateSpec: Parser = (i) =>
  then(dateTimeCompList(2200), tag('-'), dateTimeCompList(13), tag('-'), dateTimeCompList(32))(i) ?? then(dateTimeCompList(13), tag('-'), dateTimeCompList(32))(i);

const timeSpec: Parser = then(opt(then(dateTimeCompList(24), tag(':'))), dateTimeCompList(60), opt(then(tag(':'), dateTimeCompList(60))));

const space0 = (i: string): string => i.replace(/^[ \t]*/, '');

/** Whether Proxmox Backup Server takes the text as a calendar event. */
export function isPbsCalendarEvent(text: string): boolean {
  let i = text;
  if (i.endsWith('UTC')) i = i.slice(0, -3).replace(/ +$/, '');
  let found = false;
  if (/^[A-Za-z]/.test(i)) {
    if (KEYWORDS.has(i)) return true;
    const rest = separatedList1(tag(','), weekdaysRange)(i);
    if (rest === null) return false;
    i = space0(rest);
    found = true;
  }
  const afterDate = dateSpec(i);
  if (afterDate !== null) {
    i = space0(afterDate);
    found = true;
  }
  const afterTime = timeSpec(i);
  if (afterTime !== null) {
    i = afterTime;
    found = true;
  }
  return found && i === '';
}
