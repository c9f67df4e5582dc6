// A build of a large topology holds its model to the end while it renders
// files that are garbage once written. V8 lets the heap grow to four times
// what its last full collection kept before collecting again, which took a
// build of 100,000 peers to 1.8 GB, nearly all of it garbage; the build
// caps that growth. The check reads the limits V8 itself reports
// (--trace-gc-verbose) after each full collection of a build, not time.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { HEAP_GROWTH_FLAG, v8FlagsFor } from '../../src/commands/v8-tuning.js';
import { root } from '../helpers.js';
import { fileOfSize, removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

/** The growth factor of each heap limit V8 set during a build (or with `base`, a diff against it) of `text` read from standard input. */
function limitFactors(text: string, base?: string): number[] {
  const dir = tempDir('gen-heap-growth-');
  let args = ['build', '-', '-o', join(dir, 'out'), '-q'];
  if (base !== undefined) {
    writeFileSync(join(dir, 'topology.yaml'), base);
    args = ['diff', '-', '--base', dir];
  }
  const run = spawnSync(process.execPath, ['--trace-gc-verbose', join(root, 'bin/gen.js'), ...args], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  expect(run.status, run.stderr).toBe(0);
  // "[HeapController] Limit: old size: 117909 KB, new limit: 235818 KB (2.0)"
  return [...run.stdout.matchAll(/\[HeapController\] Limit: old size: \d+ KB, new limit: \d+ KB \(([\d.]+)\)/g)].map((m) => Number(m[1]));
}

describe('the heap of a build', () => {
  it('grows to at most twice what a full collection kept', () => {
    // Standard input, whose size is not known beforehand, is built as a large topology is.
    const factors = limitFactors(toYaml(scaleTopology({ peers: 3000, rules: 6000, vlans: 30 })));
    expect(factors.length).toBeGreaterThan(0);
    for (const factor of factors) expect(factor).toBeLessThanOrEqual(2);
  });

  it('of a diff, which holds two models and renders both trees, grows as a build\'s does', () => {
    const topology = scaleTopology({ peers: 3000, rules: 6000, vlans: 30 });
    const base = toYaml(topology);
    topology.sites[0]!.wireguard[0]!.peers.pop();
    const factors = limitFactors(toYaml(topology), base);
    expect(factors.length).toBeGreaterThan(0);
    for (const factor of factors) expect(factor).toBeLessThanOrEqual(2);
  });

  it('of a diff whose base is the large topology, the file a small one, is capped too', () => {
    // The base read from a directory (as from a git revision): 8 MiB or more; the topology file itself is small.
    const dir = tempDir('gen-heap-growth-');
    const base = toYaml(scaleTopology({ peers: 18000, rules: 36000, vlans: 180 }));
    expect(base.length).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'topology.yaml'), base);
    writeFileSync(join(dir, 'topology.yaml'), toYaml(scaleTopology({ peers: 10, rules: 20, vlans: 1 })));
    // --no-patch --exit-code renders both trees (to answer for the generated files) without writing the patch.
    const run = spawnSync(process.execPath, ['--trace-gc-verbose', join(root, 'bin/gen.js'), 'diff', 'topology.yaml', '--base', 'base', '--no-patch', '--exit-code'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, GEN_MAX_INPUT_BYTES: String(64 * 1024 * 1024) },
    });
    expect(run.status, run.stderr).toBe(1);
    const factors = [...run.stdout.matchAll(/\[HeapController\] Limit: old size: \d+ KB, new limit: \d+ KB \(([\d.]+)\)/g)].map((m) => Number(m[1]));
    expect(factors.length).toBeGreaterThan(0);
    for (const factor of factors) expect(factor).toBeLessThanOrEqual(2);
  });

  it('is capped for standard input and a topology of 8 MiB or more, not for a smaller or missing one', () => {
    const dir = tempDir('gen-heap-cap-');
    const at = (name: string, size: number) => fileOfSize(dir, name, size);
    // gen build and gen diff (they render while they hold the model); gen lint never caps it.
    const heapGrowthCapped = (file: string) => v8FlagsFor(file, true).includes(HEAP_GROWTH_FLAG);
    expect(v8FlagsFor(at('linted.yaml', 8 * 1024 * 1024), false)).not.toContain(HEAP_GROWTH_FLAG);
    expect(heapGrowthCapped('-')).toBe(true);
    expect(heapGrowthCapped(at('large.yaml', 8 * 1024 * 1024))).toBe(true);
    expect(heapGrowthCapped(at('small.yaml', 8 * 1024 * 1024 - 1))).toBe(false);
    expect(heapGrowthCapped(join(dir, 'missing.yaml'))).toBe(false);
  });
});
