// The per-user staging directory is shared by every output tree of the
// user and keeps what killed runs left; a build looks through it for its
// own tree's stages at each start. Only the names of that tree's stages
// are made into paths and looked at: the rest is skipped by name (a path
// joined for each of 500 foreign entries was 3.5 ms of a 100 ms build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

vi.mock('node:path', async (original) => {
  const actual = await original<typeof import('node:path')>();
  return Object.assign({}, actual, { join: vi.fn(actual.join) });
});

// Test files share their worker's modules (vitest.config.ts: isolate false): gen's modules are loaded
// anew here, after the mock, so that the counted function is the one gen calls.
vi.resetModules();
const path = await import('node:path');
const { createStage, stagesOf } = await import('../../src/io/staging.js');

removeTempDirsAfterAll();

describe('the staging directories of a tree', () => {
  const saved = process.env.TMPDIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });

  it('are found among many of other trees by name, without a path made for each other entry', () => {
    const dir = tempDir('gen-stages-');
    process.env.TMPDIR = dir;
    const out = path.join(dir, 'work', 'out');
    mkdirSync(path.dirname(out), { recursive: true });
    // The user directory is made on first use; each other tree's stage and lock as killed runs leave them.
    const own = createStage(out);
    const user = path.dirname(own);
    for (let i = 0; i < 500; i++) {
      mkdirSync(path.join(user, `.gen-stage-${i.toString(16).padStart(12, '0')}-4242-abcdef`), { mode: 0o700 });
      writeFileSync(path.join(user, `.gen-build-${i.toString(16).padStart(12, '0')}.lock`), '4242\n');
    }
    const join = vi.mocked(path.join);
    join.mockClear();
    expect(stagesOf(out).map((s) => s.path)).toEqual([own]);
    expect(join.mock.calls.length).toBeLessThan(10);
  });
});
