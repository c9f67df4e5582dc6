// A build moves no object per peer to a new layout. V8 lays a number field
// out for small integers until a larger number is stored in it; it then
// gives such objects a new layout and moves each object made before to it,
// one at a time, at its next read (2 to 3 microseconds each: a rule that
// walked 100,000 peers' addresses spent most of its time there). Each move
// is V8's own report (--trace-migration prints a line per object moved),
// counted on a whole build, from the topology's read to the files written,
// not timed. The objects moved now are a few made at start and about one
// per fifty peers (a segment of the destinations peers may reach); before
// the resolve stage's address uses shared one layout (ResolveContext.layout),
// each peer's address use was moved too.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

describe('the objects of a build', () => {
  it('are not moved to a new layout one per peer', () => {
    const peers = 3000;
    const dir = tempDir('gen-layout-migrations-');
    // Standard input: a file of this size would need GEN_MAX_INPUT_BYTES raised.
    const run = spawnSync(process.execPath, ['--trace-migration', join(root, 'bin/gen.js'), 'build', '-', '-o', join(dir, 'out'), '-q'], {
      input: toYaml(scaleTopology({ peers, rules: 2 * peers, vlans: peers / 100 })),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    // "[migrating]address:s->d " for each object moved, naming the fields whose layout changed.
    const moved = run.stdout.split('\n').filter((line) => line.startsWith('[migrating]'));
    // The report is there to count: V8 moves a few dozen objects of this build (numbers of the schema, segments of destinations).
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.length).toBeLessThan(peers / 10);
  });
});
