// Which failed bring-ups the User-Mode-Linux runs (test/scripts/uml-ifupdown2.sh)
// take for the race ifupdown2 3.3.0 loses under load, and so run `ifup -a` once
// more: only a log whose every line is that error of a VLAN device on a
// VLAN-aware bridge. Anything else a bring-up prints stays its failure.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const work = tempDir('gen-ifupdown2-race-');
const script = join(root, 'test/scripts/ifupdown2-race.sh');

/** The line pair ifupdown2 3.3.0 printed for the lost race (a full test suite on both cores). */
const LOST = [
  "error: vmbr2.10: cmd '/sbin/bridge fdb replace 8e:b5:eb:3f:37:ee dev vmbr2 vlan 10 self' failed: returned 255 (RTNETLINK answers: Invalid argument",
  ')',
];

let n = 0;
/** ifup_lost_race's answer for a log of these lines, as the guest's sh (dash on Debian) and bash run it. */
function lostRace(lines: readonly string[]): boolean[] {
  const log = join(work, `ifup-${n++}.log`);
  writeFileSync(log, lines.map((l) => `${l}\n`).join(''));
  return ['sh', 'bash'].map((shell) => {
    const r = spawnSync(shell, ['-c', `. '${script}' && ifup_lost_race '${log}'`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.status === 0;
  });
}

describe('the race ifupdown2 loses: which failed bring-ups run ifup -a again', () => {
  it('the error of the lost race alone, for one VLAN device or two, with or without the Debian warning about bridge-ports none', () => {
    expect(lostRace(LOST)).toEqual([true, true]);
    const second = LOST[0]!.replace('vmbr2.10', 'vmbr2.20').replace('vlan 10', 'vlan 20').replace('8e:b5', '8e:b6');
    expect(lostRace([...LOST, second, ')'])).toEqual([true, true]);
    expect(lostRace(['warning: vmbr2: bridge-ports: invalid value "none"', ...LOST])).toEqual([true, true]);
  });

  it('no retry beside any other message, for another error of the same command, or without the error', () => {
    expect(lostRace([...LOST, 'error: vmbr1: bridge port eno3 does not exist'])).toEqual([false, false]);
    expect(lostRace(['warning: vmbr2.10: some other warning', ...LOST])).toEqual([false, false]);
    expect(lostRace([LOST[0]!.replace('Invalid argument', 'Operation not supported'), ')'])).toEqual([false, false]);
    expect(lostRace([LOST[0]!.replace('returned 255', 'returned 2'), ')'])).toEqual([false, false]);
    expect(lostRace([LOST[0]!.replace(' self', ''), ')'])).toEqual([false, false]);
    expect(lostRace([])).toEqual([false, false]);
    expect(lostRace(['warning: vmbr2: bridge-ports: invalid value "none"'])).toEqual([false, false]);
  });
});
