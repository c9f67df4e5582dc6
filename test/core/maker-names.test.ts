// A staging directory of gen build and a temporary file of an atomic write
// record in their names who made them, as the lock does (pid, boot, PID
// namespace, start time), so that what a run killed in a container left is
// removed even where its pid names another live process now (in the next
// container PID 1, or the new run itself), while what a live run, here or
// in a container below, still uses is left alone.
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emitTree, recover } from '../../src/emit.js';
import { stageWrite, writeFileAtomic } from '../../src/io/atomic-write.js';
import { createStage, stagesOf } from '../../src/io/staging.js';
import type { Model } from '../../src/model.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { recoverKeyChanges } from '../../src/wg/key-change.js';
import { BOOT, canUnshare, killSleepers, pidnsOf, sleeper, sleeperBelow, stageOwnedBy, startOf, tag, until } from '../lock-owner.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

function scratch(): string {
  return tempDir('gen-maker-');
}

/** Makers a killed run leaves whose pid is alive now as another process: its pid recorded with their identity. */
function killedMakers(): string[] {
  const other = sleeper();
  return [
    // A killed container's run, its PID namespace's inode since given to this one: its pid is this test's parent now.
    tag(process.ppid, { start: startOf(process.ppid) - 1 }),
    // ... in a PID namespace that is gone, its pid PID 1 here, or this run's own pid.
    tag(1, { pidns: pidnsOf('self') + 1, start: 0 }),
    tag(process.pid, { pidns: pidnsOf('self') + 1, start: 0 }),
    // ... before the machine restarted: pid and start time of a live process, another boot.
    tag(other.pid!, { boot: BOOT.replace(/^./, (c) => (c === '0' ? '1' : '0')) }),
  ];
}

/** A temporary file of `file` as a write by `maker` leaves it. */
function tempOf(file: string, maker: string): string {
  return join(file, '..', `.${basename(file)}.${maker}-0123456789ab.tmp`);
}

describe.skipIf(!BOOT)('names that record their maker', () => {
  afterEach(killSleepers);

  it('a staging directory holds its pid, the boot id, the inode of its PID namespace and its start time', () => {
    const out = join(scratch(), 'out');
    const stage = createStage(out);
    expect(basename(stage)).toMatch(new RegExp(`^\\.gen-stage-[0-9a-f]{12}-${tag(process.pid)}-[A-Za-z0-9]{6}$`));
    expect(stagesOf(out)).toEqual([{ path: stage, maker: { pid: process.pid, identity: { boot: BOOT, pidns: pidnsOf('self'), start: startOf(process.pid) } } }]);
  });

  it('the next build removes the stages of killed builds whose pid is alive now as another process', () => {
    const out = join(scratch(), 'out');
    emitTree(out, new Map([['a.txt', 'one\n']]));
    const stages = killedMakers().map((maker) => {
      // As a kill after staging leaves it (emit:staged): the changed files and the journal.
      const stage = stageOwnedBy(createStage(out), maker);
      mkdirSync(join(stage, 'new'), { recursive: true, mode: 0o700 });
      writeFileSync(join(stage, 'new', 'a.txt'), 'half\n');
      writeFileSync(join(stage, 'journal'), '{"base":"","remove":[]}\n');
      return stage;
    });
    expect(stagesOf(out).map((s) => s.path)).toEqual(expect.arrayContaining(stages));
    expect(emitTree(out, new Map([['a.txt', 'two\n']]))).toBe(true);
    expect(stagesOf(out)).toEqual([]);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('two\n');
  });

  it('leaves the stage of a live build, here or in a PID namespace below, and its moved-aside tree', async () => {
    const out = join(scratch(), 'out');
    emitTree(out, new Map([['a.txt', 'previous\n']]));
    const live = sleeper();
    const inner = canUnshare ? [sleeperBelow()] : [];
    const makers = [tag(live.pid!), tag(live.pid!, false)].concat(inner.map((pid) => tag(1, { pidns: pidnsOf(pid), start: startOf(pid) })));
    const stages = makers.map((maker) => {
      const stage = stageOwnedBy(createStage(out), maker);
      mkdirSync(stage, { mode: 0o700 });
      return stage;
    });
    // An earlier gen's build in its swap: out/ is in its stage.
    renameSync(out, join(stages[0]!, 'old'));
    expect(recover(out)).toEqual([`${join(stages[0]!, 'old')} (process ${live.pid} still runs: a build in its swap, or a process that reuses the pid of a killed one)`]);
    expect(stages.filter((stage) => !existsSync(stage))).toEqual([]);
    // Once they are gone, their stages go too.
    live.kill('SIGKILL');
    await once(live, 'exit');
    for (const pid of inner) {
      process.kill(pid, 'SIGKILL');
      until(() => (existsSync(`/proc/${pid}`) ? undefined : true));
    }
    expect(recover(out)).toEqual([]);
    expect(stagesOf(out)).toEqual([]);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('previous\n');
  });

  it('a write removes the temporary files of killed writers whose pid is alive now, and leaves those of live ones', () => {
    const dir = scratch();
    const file = join(dir, 'topology.yaml');
    const live = sleeper();
    const killed = killedMakers().map((maker) => tempOf(file, maker));
    const kept = [tag(live.pid!), tag(live.pid!, false)].concat(canUnshare ? [sleeperBelow()].map((pid) => tag(1, { pidns: pidnsOf(pid), start: startOf(pid) })) : []).map((maker) => tempOf(file, maker));
    for (const temp of killed.concat(kept)) writeFileSync(temp, 'half\n', { mode: 0o600 });
    // The temporary file of this write records its maker too.
    const staged = stageWrite(file, 'a\n', 0o600, 'nothing');
    const own = readdirSync(dir).filter((name) => name.startsWith(`.topology.yaml.${tag(process.pid)}-`));
    expect(own).toEqual([expect.stringMatching(/-[0-9a-f]{12}\.tmp$/)]);
    staged.commit();
    expect(readdirSync(dir).sort()).toEqual(kept.map((temp) => basename(temp)).concat('topology.yaml').sort());
    expect(readFileSync(file, 'utf8')).toBe('a\n');
  });

  it('a write of a file with a long name records the pid alone where the whole maker would not fit in a name', () => {
    const dir = scratch();
    const file = join(dir, `${'n'.repeat(200)}.yaml`);
    writeFileAtomic(file, 'a\n', 0o644);
    expect(readFileSync(file, 'utf8')).toBe('a\n');
    expect(readdirSync(dir)).toEqual([basename(file)]);
  });

  it('recovery of key changes removes the temporary files of killed writes of keys whose pid is alive now', () => {
    const secrets = join(scratch(), '.secrets');
    const peers = join(secrets, 'home/wireguard/wg0/peers');
    mkdirSync(peers, { recursive: true, mode: 0o700 });
    const model = { sites: [{ name: 'home', wireguard: [{ name: 'wg0', publicKey: undefined, peers: [{ name: 'p9', publicKey: generateKeyPair().publicKey }] }] }] } as unknown as Model;
    const live = sleeper();
    const killed = killedMakers().map((maker) => tempOf(join(peers, 'p9.key.gen-new'), maker));
    const kept = [tempOf(join(peers, 'p9.key.gen-new'), tag(live.pid!))];
    for (const temp of killed.concat(kept)) writeFileSync(temp, `${generateKeyPair().privateKey}\n`, { mode: 0o600 });
    recoverKeyChanges(model, secrets, join(secrets, '..', 'topology.yaml'), () => {});
    expect(readdirSync(peers)).toEqual(kept.map((temp) => basename(temp)));
  });
});
