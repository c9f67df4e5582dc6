// The opt-in key rotation policy of an instance (key_rotation_days): each
// enabled peer's key pair is due that many days after the day it was made,
// which the topology records (key_date) when gen wg add-peer or gen wg
// rotate makes or takes it. The day is kept in the topology, not read from
// the key file's mtime: the secrets directory is in no clone, a copy or a
// restore resets the mtime (a due key then looks new), and a key made on
// the device leaves no file at all.
import type { Peer, Site, WireguardInstance } from '../model.js';
import type { Rule } from './rule.js';
import { dayOf, dayText, lintDay } from '../io/days.js';

function rotateCommand(site: Site, instance: WireguardInstance, peer: Peer, sites: number): string {
  return `gen wg rotate ${peer.name} --instance ${instance.name}${sites > 1 ? ` --site ${site.name}` : ''}`;
}

export const wireguardKeyAgeRules: Rule[] = [
  {
    id: 'wg/key-age',
    severity: 'warning',
    summary: "An enabled peer's key pair is as old as its instance's key_rotation_days or older, or the topology records no key_date for it, or one after today.",
    why:
      'A key that is never rotated stays good for as long as anyone who copied it (a lost laptop, a backup, an old phone) keeps it. ' +
      'With key_rotation_days the instance asks for a new pair at that age; key_date says when the pair was made, counted from today (UTC; ' +
      'GEN_TODAY when set). A peer without key_date has a key of unknown age.',
    hint:
      'Make a new pair: gen wg rotate NAME (gen makes it), or gen wg rotate NAME --public-key KEY (the device made it); both record key_date. ' +
      'For a key of known age, set key_date to the day (UTC) it was made (gen wg list --format json gives, as key.rotated, when gen last wrote a stored key).',
    examples: [
      {
        context: [
          { where: 'sites[].wireguard[]', snippet: 'key_rotation_days: 90' },
          { where: 'sites[].wireguard[].peers[laptop-john]', snippet: 'key_date: 2026-11-02' },
        ],
        where: 'sites[].wireguard[].peers[mac-workstation]',
        bad: 'key_date: 2025-06-01',
        good: 'key_date: 2026-11-02',
      },
    ],
    check(model, report) {
      const now = lintDay();
      for (const site of model.sites) {
        for (const instance of site.wireguard) {
          const days = instance.keyRotationDays;
          if (days === undefined) continue;
          for (const peer of instance.peers) {
            // Only what the firewall runs: a disabled peer, or one without a key yet, has no key in use.
            if (!peer.enabled || peer.publicKey === undefined) continue;
            const command = rotateCommand(site, instance, peer, model.sites.length);
            const made = peer.keyDate === undefined ? undefined : dayOf(peer.keyDate);
            if (made === undefined) {
              report({
                path: peer.keyDate === undefined ? peer.path : peer.path.concat('key_date'),
                message:
                  peer.keyDate === undefined
                    ? `peer ${peer.name} of ${instance.name} has no key_date: the age of its key is unknown, and ${instance.name} rotates keys every ${days} days`
                    : `key_date ${peer.keyDate} of peer ${peer.name} is no day of the calendar`,
                hint: `Rotate it (${command}, which records key_date), or set key_date: YYYY-MM-DD to the day its key was made.`,
              });
            } else if (made > now + 1) {
              // A day to come would hold the warning back until then, however old the key is. One
              // day more is taken: a date written by hand east of UTC is a day ahead for hours.
              report({
                path: peer.path.concat('key_date'),
                message: `key_date ${peer.keyDate} of peer ${peer.name} is after today (${dayText(now)}): the age of its key is unknown`,
                hint: `Set key_date to the day (UTC) its key was made, or rotate it (${command}, which records today).`,
              });
            } else if (now - made >= days) {
              report({
                path: peer.path.concat('key_date'),
                message: `the key of peer ${peer.name} of ${instance.name} is ${now - made} days old (key_date ${peer.keyDate}): ${instance.name} rotates keys every ${days} days`,
                hint: `Make a new pair: ${command} (or with --public-key KEY for a key the device makes), then export its client file again.`,
              });
            }
          }
        }
      }
    },
  },
];
