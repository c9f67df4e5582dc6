// A rerun of gen build whose inputs made the current out/ renders nothing
// (src/emit.ts, `current`; src/commands/build-inputs.ts): it prints what a
// full build prints (lint's findings, "out is current", the manual steps)
// and leaves out/ as it is. Each input of the rendered files, and each sign
// that out/ is no longer what gen wrote, makes the build render again. The
// renderers' calls are counted in this process; gen's identity, which the
// bundle carries, is set here as the bundle sets it.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { RENDER_ENVIRONMENT } from '../../src/commands/build-inputs.js';
import { readInputsRecord } from '../../src/io/inputs-record.js';
import { inputsRecordOf } from '../../src/io/staging.js';
import { sha256 } from '../../src/manifest.js';
import { edit, readExample, readTree } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

const rendered = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../src/render/index.js', async (original) => {
  const actual = await original<typeof import('../../src/render/index.js')>();
  return Object.assign({}, actual, {
    renderInto: (...args: Parameters<typeof actual.renderInto>) => {
      rendered.calls++;
      actual.renderInto(...args);
    },
  });
});

removeTempDirsAfterAll();

const identity = globalThis as { __GEN_BUNDLE_IDENTITY__?: string };
beforeEach(() => {
  identity.__GEN_BUNDLE_IDENTITY__ = 'a'.repeat(64);
});
afterEach(() => {
  delete identity.__GEN_BUNDLE_IDENTITY__;
});

/** gen build in this process: exit code, stderr, and how many times it rendered. */
async function build(args: string[]): Promise<{ code: number; stderr: string; renders: number }> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const before = rendered.calls;
  try {
    const code = await main(['build', ...args]);
    return { code, stderr: stderr.mock.calls.map((c) => String(c[0])).join(''), renders: rendered.calls - before };
  } finally {
    stderr.mockRestore();
    stdout.mockRestore();
  }
}

// Peers without key_date under a rotation policy: a warning (wg/key-age) in every run.
const TOPOLOGY = edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'key_rotation_days'], 90);

/** A directory with the topology, and out/ built from it (the build that records its inputs). */
async function built(text = TOPOLOGY): Promise<{ dir: string; topology: string; out: string; args: string[] }> {
  const dir = tempDir('gen-fast-path-');
  const topology = join(dir, 'topology.yaml');
  const out = join(dir, 'out');
  writeFileSync(topology, text);
  const args = [topology, '-o', out];
  const first = await build(args);
  expect(first.code, first.stderr).toBe(0);
  expect(first.renders).toBe(1);
  return { dir, topology, out, args };
}

describe('gen build of the inputs that made out/', () => {
  it('renders nothing, and prints what a build that renders prints', async () => {
    const { out, args } = await built();
    const tree = readTree(out);
    delete identity.__GEN_BUNDLE_IDENTITY__;
    const full = await build(args);
    expect(full.renders).toBe(1);
    identity.__GEN_BUNDLE_IDENTITY__ = 'a'.repeat(64);
    const fast = await build(args);
    expect(fast.renders).toBe(0);
    expect(fast.code).toBe(0);
    expect(fast.stderr).toBe(full.stderr);
    expect(fast.stderr).toContain('wg/key-age');
    expect(fast.stderr).toContain(`gen: ${out} is current (${tree.size} files)\n`);
    expect(fast.stderr).toMatch(/gen: manual step \(site home\): /);
    expect(readTree(out)).toEqual(tree);
  });

  it('still stops at an error of the topology, writing nothing', async () => {
    const { topology, out, args } = await built();
    const tree = readTree(out);
    writeFileSync(topology, TOPOLOGY.replace('address: 10.0.1.3\n', 'address: 10.0.1.300\n'));
    const failed = await build(args);
    expect(failed.code).toBe(1);
    expect(failed.renders).toBe(0);
    expect(failed.stderr).toContain(`nothing was written to ${out}`);
    expect(readTree(out)).toEqual(tree);
    writeFileSync(topology, TOPOLOGY);
    expect((await build(args)).renders).toBe(0);
  });

  it('counts key ages from GEN_TODAY without rendering: the day changes findings, never a file', async () => {
    const dated = edit(TOPOLOGY, ['sites', 0, 'wireguard', 0, 'peers', 0, 'key_date'], '2026-01-01');
    const { args } = await built(dated);
    const saved = process.env.GEN_TODAY;
    try {
      process.env.GEN_TODAY = '2026-01-02';
      const young = await build(args);
      process.env.GEN_TODAY = '2027-01-02';
      const old = await build(args);
      expect([young.renders, old.renders]).toEqual([0, 0]);
      expect(young.stderr).not.toMatch(/is \d+ days old \(key_date 2026-01-01\)/);
      expect(old.stderr).toMatch(/is 366 days old \(key_date 2026-01-01\)/);
    } finally {
      if (saved === undefined) delete process.env.GEN_TODAY;
      else process.env.GEN_TODAY = saved;
    }
  });

  it('takes the same text under another name or place as the same input: the output never names the file', async () => {
    const { dir, out } = await built();
    mkdirSync(join(dir, 'elsewhere'));
    const copy = join(dir, 'elsewhere', 'copy.yaml');
    writeFileSync(copy, TOPOLOGY);
    expect((await build([copy, '-o', out])).renders).toBe(0);
  });
});

describe('gen build renders again', () => {
  it('for one byte more in the topology, in a comment', async () => {
    const { topology, args } = await built();
    writeFileSync(topology, `${TOPOLOGY}#\n`);
    expect((await build(args)).renders).toBe(1);
    expect((await build(args)).renders).toBe(0);
  });

  it('into another output directory', async () => {
    const { dir, topology } = await built();
    expect((await build([topology, '-o', join(dir, 'other')])).renders).toBe(1);
    expect((await build([topology, '-o', join(dir, 'other')])).renders).toBe(0);
  });

  it.each(RENDER_ENVIRONMENT)('when %s changes', async (name) => {
    const { args } = await built();
    const saved = process.env[name];
    try {
      // Read only into the fingerprint in this process (Node read them at its start).
      process.env[name] = name === 'NODE_OPTIONS' ? '--no-warnings' : name === 'NODE_ICU_DATA' ? '/nonexistent' : 'et_EE.UTF-8';
      expect((await build(args)).renders).toBe(1);
      expect((await build(args)).renders).toBe(0);
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
    // The inputs of before rendered the same tree: still recorded with it.
    expect((await build(args)).renders).toBe(0);
  });

  it('for another gen, and for the compiled modules, which have no identity (and keep no record)', async () => {
    const { out, args } = await built();
    const record = inputsRecordOf(resolve(out))!;
    identity.__GEN_BUNDLE_IDENTITY__ = 'b'.repeat(64);
    expect((await build(args)).renders).toBe(1);
    const text = readFileSync(record, 'utf8');
    delete identity.__GEN_BUNDLE_IDENTITY__;
    expect((await build(args)).renders).toBe(1);
    expect((await build(args)).renders).toBe(1);
    expect(readFileSync(record, 'utf8')).toBe(text);
  });

  it('when a file of out/ was edited by hand, even to the same size, and puts it back', async () => {
    const { out, args } = await built();
    const file = join(out, 'home/opnsense/filter.xml');
    const wrote = readFileSync(file, 'utf8');
    writeFileSync(file, wrote.replace('<filter>', '<FILTER>'));
    const again = await build(args);
    expect(again.renders).toBe(1);
    expect(again.stderr).toContain('gen: wrote ');
    expect(readFileSync(file, 'utf8')).toBe(wrote);
    expect((await build(args)).renders).toBe(0);
  });

  it('when a file of out/ was made executable', async () => {
    const { out, args } = await built();
    chmodSync(join(out, 'graph.md'), 0o755);
    expect((await build(args)).renders).toBe(1);
    expect((await build(args)).renders).toBe(0);
  });

  it('when a file of out/ was deleted, and puts it back', async () => {
    const { out, args } = await built();
    const tree = readTree(out);
    rmSync(join(out, 'home/steps.md'));
    expect((await build(args)).renders).toBe(1);
    expect(readTree(out)).toEqual(tree);
    expect((await build(args)).renders).toBe(0);
  });

  it('when the MANIFEST was changed, and writes it as the inputs make it', async () => {
    const { out, args } = await built();
    const manifest = readFileSync(join(out, 'MANIFEST'), 'utf8');
    const line = manifest.split('\n').find((l) => l.endsWith('  graph.md'))!;
    // Still a MANIFEST gen accepts, with another sha256 for one file.
    writeFileSync(join(out, 'MANIFEST'), manifest.replace(line, `${'0'.repeat(64)}  graph.md`));
    expect((await build(args)).renders).toBe(1);
    expect(readFileSync(join(out, 'MANIFEST'), 'utf8')).toBe(manifest);
    expect((await build(args)).renders).toBe(0);
  });

  it('when the record names another MANIFEST than the one out/ has', async () => {
    const { out, args } = await built();
    const file = inputsRecordOf(resolve(out))!;
    const record = readInputsRecord(file)!;
    expect(record.manifest).toBe(sha256(readFileSync(join(out, 'MANIFEST'), 'utf8')));
    writeFileSync(file, readFileSync(file, 'utf8').replace(record.manifest, '0'.repeat(64)));
    expect((await build(args)).renders).toBe(1);
    expect(readInputsRecord(file)!.manifest).toBe(record.manifest);
    expect((await build(args)).renders).toBe(0);
  });

  it('when out/ is gone', async () => {
    const { out, args } = await built();
    rmSync(out, { recursive: true });
    expect((await build(args)).renders).toBe(1);
    expect(existsSync(join(out, 'MANIFEST'))).toBe(true);
    expect((await build(args)).renders).toBe(0);
  });

  it('once after a checkout wrote out/ (its files after its MANIFEST): that build reads them back, changes no byte or mtime, and the next renders nothing', async () => {
    const { out, args } = await built();
    const manifestFile = join(out, 'MANIFEST');
    const paths = readFileSync(manifestFile, 'utf8').split('\n').filter((l) => /^[0-9a-f]{64}  /.test(l)).map((l) => l.slice(66));
    // As git leaves a checkout: the MANIFEST written among the first, every other file's status changed after it.
    const after = statSync(manifestFile).ctimeMs;
    for (const path of paths) {
      const file = join(out, path);
      while (statSync(file).ctimeMs <= after) chmodSync(file, statSync(file).mode & 0o7777);
    }
    const before = new Map([...paths, 'MANIFEST'].map((path) => [path, statSync(join(out, path)).mtimeMs]));
    const tree = readTree(out);
    const first = await build(args);
    expect(first.renders).toBe(1);
    expect(first.stderr).toContain('is current');
    expect(readTree(out)).toEqual(tree);
    for (const [path, mtime] of before) expect(statSync(join(out, path)).mtimeMs, path).toBe(mtime);
    // The MANIFEST's status now comes after every file it lists, as a build that writes them leaves it.
    const stamped = statSync(manifestFile).ctimeMs;
    for (const path of paths) expect(statSync(join(out, path)).ctimeMs, path).toBeLessThan(stamped);
    expect((await build(args)).renders).toBe(0);
  });
});
