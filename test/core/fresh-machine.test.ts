// `npm test` on a fresh machine, without the Debian tools and without
// root: the real-tool test files run with a PATH that lacks every real tool
// (and GEN_TEST_AS_USER=1, so a root run behaves as a user's). They must
// pass, skipping what needs the tools, and say so in one line. The files
// are every one that asks for a real tool.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { REAL_TOOLS } from '../system-tools.js';

/** Every test file that asks for a real tool (through system-tools.ts), but this one and the check that CI has them all. */
function realToolFiles(dir = join(root, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return realToolFiles(path);
      if (!entry.name.endsWith('.test.ts') || !readFileSync(path, 'utf8').includes("from '../system-tools.js'")) return [];
      return [relative(root, path)];
    })
    .filter((file) => !['test/core/fresh-machine.test.ts', 'test/core/ci-tools.test.ts'].includes(file))
    .sort();
}
const FILES = realToolFiles();

/** A directory with a link to every command of PATH except the real tools. */
function pathWithoutTools(): string {
  const bin = mkdtempSync(join(tmpdir(), 'gen-fresh-path-'));
  const tools = new Set<string>(REAL_TOOLS);
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (tools.has(entry)) continue;
      const path = join(dir, entry);
      try {
        if (!statSync(path).isFile()) continue;
        accessSync(path, constants.X_OK);
        symlinkSync(path, join(bin, entry));
      } catch {
        // not a command, or an earlier directory of PATH has one of that name
      }
    }
  }
  return bin;
}

describe('npm test without the Debian tools and without root', () => {
  const bin = pathWithoutTools();
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin, GEN_TEST_AS_USER: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const name of Object.keys(env)) if (name === 'CI' || name.startsWith('VITEST')) delete env[name];

  it('the stripped PATH has no real tool and keeps the rest', () => {
    const found = (command: string) => spawnSync('sh', ['-c', `command -v "$0"`, command], { env }).status === 0;
    expect(REAL_TOOLS.filter(found)).toEqual([]);
    expect(['node', 'git', 'sh'].filter(found)).toEqual(['node', 'git', 'sh']);
  });

  it('the real-tool test files pass, and one line counts what they skipped', { timeout: 300_000 }, () => {
    // One worker: the rest of the suite keeps the other core busy, and a second worker
    // would load gen and its libraries a second time (about 2 of 24 s of CPU).
    const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--maxWorkers=1', ...FILES], { cwd: root, env, encoding: 'utf8' });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status, output).toBe(0);
    expect(output).not.toMatch(/failed/i);
    const count = /^(\d+) real-tool tests skipped: install the tools with `sudo \.ci\/install-tools`$/m.exec(r.stdout);
    expect(count, output).not.toBeNull();
    // ifupdown2 alone has 9 real-tool tests.
    expect(Number(count![1])).toBeGreaterThanOrEqual(9);
  });
});
