// The Proxmox VE backup jobs of a site's backup.pbs. Proxmox VE backs up only
// through them (pve-manager PVE/API2/Backup.pm create_job, /cluster/backup).
// What vzdump refuses is refused here, with the topology's path: a schedule
// Proxmox::RS::CalendarEvent does not parse (the proxmox-time parser PBS
// uses too), a notes-template with an escape other than \n and \\ or an
// unknown {{variable}} (PVE/VZDump.pm $verify_notes_template).
import type { Path } from '../location.js';
import type { Guest, PveBackupJob, PveBackupSelection } from '../model.js';
import type { GuestRefInput, PveBackupJobInput } from '../topology.js';
import { BACKUP_MODES } from '../targets/proxmox/backup-job.js';
import { checkCalendarEvent } from './calendar-event.js';
import type { ResolveContext } from './context.js';

/** The notes of the Proxmox VE GUI's Add backup job. */
export const DEFAULT_NOTES_TEMPLATE = '{{guestname}}';
export const DEFAULT_JOB_SCHEDULE = '21:00';

/** What $verify_notes_template of pve-manager PVE/VZDump.pm finds wrong, or undefined. */
export function notesTemplateProblems(template: string): string | undefined {
  const problems: string[] = [];
  for (const m of template.matchAll(/\\(.)/gs)) if (!/^[n\\]$/.test(m[1]!)) problems.push(`escape sequence '\\${m[1]}'`);
  for (const m of template.matchAll(/\{\{([^\s{}]+)\}\}/g)) if (!/^(cluster|guestname|node|vmid)$/.test(m[1]!)) problems.push(`variable '${m[1]}'`);
  return problems.length ? problems.join(', ') : undefined;
}

function ids(refs: readonly GuestRefInput[], guests: readonly Guest[], path: Path, ctx: ResolveContext): number[] {
  const byName = new Map(guests.map((g) => [g.name, g.id]));
  const out: number[] = [];
  refs.forEach((ref, i) => {
    const id = typeof ref === 'number' ? ref : ctx.lookup(byName, ref, 'guest', path.concat(i));
    if (id !== undefined && !out.includes(id)) out.push(id);
  });
  return out;
}

function selection(input: PveBackupJobInput, guests: readonly Guest[], path: Path, ctx: ResolveContext): PveBackupSelection {
  const server = guests.find((g) => g.purpose === 'backup-server');
  const chosen = input.guests ?? 'all';
  if (chosen !== 'all' && input.exclude !== undefined) {
    // vzdump's exclude implies all; with a pool, /cluster/backup's update drops it (Backup.pm update_job).
    ctx.report({ rule: 'schema', path: path.concat('exclude'), key: true, message: 'exclude goes only with guests: all', hint: 'Leave exclude out, or list the guests to back up under guests.' });
  }
  if (chosen === 'all') {
    const exclude = ids(input.exclude ?? [], guests, path.concat('exclude'), ctx);
    // The backup server's own VM backed up into its own datastore: useless to restore it, and its snapshot stalls the writes.
    if (server && !exclude.includes(server.id)) exclude.push(server.id);
    return { kind: 'all', exclude };
  }
  if (!Array.isArray(chosen)) return { kind: 'pool', pool: chosen.pool };
  const vmids = ids(chosen, guests, path.concat('guests'), ctx);
  if (server && vmids.includes(server.id)) {
    ctx.report({
      rule: 'schema',
      path: path.concat('guests', chosen.findIndex((r) => r === server.id || r === server.name)),
      message: `VM ${server.id} is the backup server itself: its backup would go into its own datastore, which it must be running to restore`,
      hint: 'Leave the backup server out of the job (back it up to another storage, or reinstall it and re-add the datastore).',
    });
  }
  return { kind: 'vmid', vmids };
}

export function resolveBackupJobs(inputs: readonly PveBackupJobInput[], site: string, path: Path, ctx: ResolveContext, guests: readonly Guest[]): PveBackupJob[] {
  return inputs.map((input, i) => {
    const jpath = path.concat(i);
    ctx.name('backup job', `site ${site}`, input.id, jpath.concat('id'), site);
    const schedule = input.schedule ?? DEFAULT_JOB_SCHEDULE;
    checkCalendarEvent(ctx, schedule, jpath.concat('schedule'), 'Proxmox VE');
    const notesTemplate = input.notes_template ?? DEFAULT_NOTES_TEMPLATE;
    const problems = notesTemplateProblems(notesTemplate);
    if (problems) {
      ctx.report({
        rule: 'schema',
        path: jpath.concat('notes_template'),
        message: `Proxmox VE refuses this notes template: unknown ${problems}`,
        hint: 'Use {{cluster}}, {{guestname}}, {{node}}, {{vmid}}; write a backslash as \\\\ and a line break as \\n.',
      });
    }
    return {
      id: input.id,
      schedule,
      mode: input.mode ?? BACKUP_MODES[0],
      selection: selection(input, guests, jpath, ctx),
      notesTemplate,
      enabled: input.enabled ?? true,
      repeatMissed: input.repeat_missed ?? false,
      comment: input.comment,
      path: jpath,
    };
  });
}
