// bench/rss.cjs, the preload `npm run bench` measures gen's peak RSS and CPU
// time with: what it records must be the measured process's own, not its
// parent's (Linux keeps ru_maxrss across execve).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

const preload = join(import.meta.dirname, '../../bench/rss.cjs');
const MB = 1024;
removeTempDirsAfterAll();

/** Runs `script` under the preload, recording into `record`, and returns what it recorded: peak RSS in KB and CPU time in µs. */
function recorded(script: string, record: string, parentAllocates = 0): { rss: number; cpu: number } {
  // The measured Node is started by a parent that first grows to `parentAllocates` MB, as the benchmark does holding a tree.
  const child = `require('node:child_process').spawnSync(process.execPath, ['--require', ${JSON.stringify(preload)}, '-e', ${JSON.stringify(script)}], { stdio: 'inherit' })`;
  const parent = `const held = Buffer.alloc(${parentAllocates} * 1024 * 1024, 1); ${child}; if (held.length < 0) throw 0;`;
  const env = { ...process.env, GEN_BENCH_RSS: record };
  const run = spawnSync(process.execPath, ['-e', parent], { encoding: 'utf8', env });
  expect(run.status, run.stderr).toBe(0);
  const [rss, cpu] = readFileSync(record, 'utf8').split(' ').map(Number);
  return { rss: rss!, cpu: cpu! };
}

describe('bench/rss.cjs', () => {
  it("records the measured process's own peak RSS and its CPU time", () => {
    const dir = tempDir('gen-bench-rss-');
    // 200 MB touched (filled), then CPU time spent.
    const big = recorded('const b = Buffer.alloc(200 * 1024 * 1024, 1); let x = 0; for (let i = 0; i < 3e7; i++) x += i; if (b.length + x < 0) throw 0;', join(dir, 'big'));
    expect(big.rss).toBeGreaterThan(200 * MB);
    expect(big.cpu).toBeGreaterThan(10_000);
    // A small process started by a 300 MB parent: its own high-water mark, not the parent's carried over by execve.
    const small = recorded('', join(dir, 'small'), 300);
    expect(small.rss).toBeLessThan(150 * MB);
    expect(small.rss).toBeGreaterThan(10 * MB);
  });
});
