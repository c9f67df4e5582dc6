// A schedule Proxmox parses as a calendar event: PBS (datastore gc-schedule,
// prune-job schedule) and Proxmox VE (backup jobs, whose pve-calendar-event
// is Proxmox::RS::CalendarEvent, the same proxmox-time parser). The schema's
// pattern only keeps the characters in line; the event is checked here.
import type { Path } from '../location.js';
import { isPbsCalendarEvent } from '../targets/pbs/calendar-event.js';
import type { ResolveContext } from './context.js';

/** Reports `value` at `at` unless it is a calendar event `system` takes. */
export function checkCalendarEvent(ctx: ResolveContext, value: string, at: Path, system: 'Proxmox Backup Server' | 'Proxmox VE'): void {
  if (isPbsCalendarEvent(value)) return;
  ctx.report({
    rule: 'schema',
    path: at,
    message: `"${value}" is not a calendar event ${system} takes`,
    hint: 'Write a keyword alone (hourly, daily, weekly, monthly, …) or [weekdays] [date] [time], e.g. "03:30", "sat 02:00", "mon..fri 22:00", "*-*-01 04:00".',
  });
}
