// gen wg list: the peers of every instance with the state of their keys.
// ROTATED is the peer's key_date when the topology records it (gen wg
// add-peer and rotate write it under a rotation policy, for keys made on
// the device too), else when gen last wrote the private key (made or
// rotated it); a key made on the device has no such file, and its state
// reads missing. DUE, with the instance's key_rotation_days, is the day the
// key falls due as wg/key-age counts it.
// PSK, where a listed peer has preshared_key, is the state of its
// pre-shared key file: present, missing (gen wg psk makes it) or invalid.
// A stored key that belongs to no peer or instance of the topology (one
// removed by hand), or the pre-shared key of a peer without
// preshared_key, is listed after the peers, as orphaned: gen lint warns
// of it too (secrets/orphaned-key).
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { dayOf, dayText, lintDay } from '../io/days.js';
import { type CommonOptions, KEY_FINDINGS, secretsDir, underLock } from './actions.js';
import { type KeyHolder, type OrphanedKey, keyHolders, orphanedKeys } from './key-state.js';
import { checkScope, instancesIn } from './locate.js';
import { pskState } from './psk.js';

function day(date: Date | undefined): string {
  return date === undefined ? '-' : date.toISOString().slice(0, 10);
}

function table(rows: string[][]): string {
  // A reduce, not Math.max(...): 100,000 peers are more arguments than the stack holds.
  const widths = rows[0]!.map((_, i) => rows.reduce((width, r) => Math.max(width, r[i]!.length), 0));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/**
 * When a peer's key falls due under its instance's key_rotation_days, as
 * wg/key-age counts it (from GEN_TODAY, else the clock's day): its
 * key_date plus that many days, "unknown" without a key_date (or with one
 * no calendar has, or one after tomorrow), undefined where no key is due
 * (no policy, a disabled peer, no key yet, an instance's own key).
 */
function keyDue(h: KeyHolder, today: number): { day: string; overdue: boolean } | 'unknown' | undefined {
  const days = h.instance.keyRotationDays;
  const peer = h.peer;
  if (days === undefined || peer === undefined || !peer.enabled || peer.publicKey === undefined) return undefined;
  const made = peer.keyDate === undefined ? undefined : dayOf(peer.keyDate);
  if (made === undefined || made > today + 1) return 'unknown';
  return { day: dayText(made + days), overdue: today - made >= days };
}

function dueText(due: ReturnType<typeof keyDue>): string {
  return due === undefined ? '-' : due === 'unknown' ? 'unknown' : `${due.day}${due.overdue ? ' (overdue)' : ''}`;
}

/** Why nothing uses a stored key: its peer or instance is gone, or its peer no longer asks for a pre-shared key. */
function orphanReason(o: OrphanedKey): 'no preshared_key' | 'no such peer' | 'no such instance' {
  return o.unusedBy ? 'no preshared_key' : o.instance ? 'no such peer' : 'no such instance';
}

function keyJson(h: KeyHolder) {
  return { state: h.info.state, rotated: h.info.written?.toISOString() ?? null, ...(h.info.pending ? { interrupted: true } : {}) };
}

export async function listPeers(options: CommonOptions & { format: 'table' | 'json' }): Promise<void> {
  const output = await underLock(
    options,
    async ({ model }) => {
      // A mistyped --site or --instance listed nothing, with exit 0: as if the site had no peers.
      checkScope(model, options);
      const wanted = new Set(instancesIn(model, options).map((ref) => ref.instance));
      const dir = secretsDir(options);
      const holders = keyHolders(model, dir).filter((h) => wanted.has(h.instance));
      const instances = holders.filter((h) => h.peer === undefined);
      const peers = holders.filter((h) => h.peer !== undefined);
      // The keys an instance the site no longer has left belong to no instance a scope can name: listed when the scope is the whole site.
      const inScope = (o: OrphanedKey) => (o.instance ? wanted.has(o.instance) : options.instance === undefined && (options.site === undefined || options.site === o.site.name));
      const orphaned = orphanedKeys(model, dir)
        .filter(inScope)
        .map((o) => Object.assign({}, o, { written: lstatSync(join(dir, o.keyFile)).mtime }));
      const today = lintDay();
      const psk = (h: KeyHolder) => (h.peer?.presharedKey ? pskState(dir, h.site, h.instance, h.peer) : undefined);
      if (options.format === 'json') {
        return `${JSON.stringify(
          {
            instances: instances.map((h) => ({ site: h.site.name, instance: h.instance.name, public_key: h.instance.publicKey ?? null, key: keyJson(h) })),
            peers: peers.map((h) => ({
              site: h.site.name,
              instance: h.instance.name,
              name: h.peer!.name,
              role: h.peer!.role,
              address: h.peer!.address,
              enabled: h.peer!.enabled,
              public_key: h.peer!.publicKey ?? null,
              key_date: h.peer!.keyDate ?? null,
              key_due: ((due) => (due === undefined ? null : due === 'unknown' ? { day: null, overdue: null } : due))(keyDue(h, today)),
              key: keyJson(h),
              psk: psk(h) ?? null,
            })),
            orphaned_keys: orphaned.map((o) => ({ site: o.site.name, instance: o.instanceName, name: o.peer ?? null, key_file: o.keyFile, reason: orphanReason(o), rotated: o.written.toISOString() })),
          },
          null,
          2,
        )}\n`;
      }
      const several = instances.length > 1;
      // DUE only where an instance listed has a rotation policy: without one no key falls due.
      const due = holders.some((h) => h.instance.keyRotationDays !== undefined);
      // PSK only where a peer listed has preshared_key.
      const psks = holders.some((h) => h.peer?.presharedKey === true);
      const head = [...(several ? ['INSTANCE'] : []), 'NAME', 'ROLE', 'ADDRESS', 'ENABLED', 'KEY', ...(psks ? ['PSK'] : []), 'ROTATED', ...(due ? ['DUE'] : [])];
      const rows = [
        head,
        ...holders.map((h) => [
          ...(several ? [`${h.site.name}/${h.instance.name}`] : []),
          h.peer?.name ?? `(instance ${h.instance.name})`,
          h.peer?.role ?? '-',
          h.peer?.address ?? `${h.instance.address}/${h.instance.prefix}`,
          h.peer === undefined ? '-' : h.peer.enabled ? 'yes' : 'no',
          `${h.info.state}${h.info.pending ? ' (interrupted change)' : ''}`,
          ...(psks ? [psk(h) ?? '-'] : []),
          h.peer?.keyDate ?? day(h.info.written),
          ...(due ? [dueText(keyDue(h, today))] : []),
        ]),
        ...orphaned.map((o) => [
          ...(several ? [`${o.site.name}/${o.instanceName}`] : []),
          o.peer ?? `(instance ${o.instanceName})`,
          '-',
          '-',
          '-',
          `orphaned${o.keyFile.endsWith('.psk') ? ' pre-shared key' : ''} (${orphanReason(o)})`,
          ...(psks ? ['-'] : []),
          day(o.written),
          ...(due ? ['-'] : []),
        ]),
      ];
      // Nothing to list, not even a header: a topology without WireGuard and no key left behind.
      return holders.length === 0 && orphaned.length === 0 ? '' : table(rows);
    },
    { readOnly: true },
    KEY_FINDINGS,
  );
  process.stdout.write(output);
}
