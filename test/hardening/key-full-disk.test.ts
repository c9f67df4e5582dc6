// The key commands on a full disk (a 64 KiB tmpfs), at every amount of
// free space: the old pair or the new pair of private key and topology
// public key, a failure is one sentence with exit 1, and success is
// reported only for a change that landed.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { isRoot, titled } from '../system-tools.js';
import { smallDisk } from './full-disk.js';
import { CASES, gen, inFlight, pairOf, prepare, repaired } from './key-crash-support.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

const whyRoot = isRoot ? undefined : 'needs root';

describe.skipIf(whyRoot)(titled('key commands on a full disk (a 64 KiB tmpfs)', whyRoot), () => {
  const { mount, fill } = smallDisk('gen-enospc-');

  for (const c of CASES) {
    it(`${c.name}: at every amount of free space, the old or the new pair, one sentence on failure`, async () => {
      const outcomes = new Set<string>();
      const dir = join(mount, 'repo');
      // The most any command needs: a page for the lock, one for the pending key, and the topology's temporary file.
      const most = 2 + Math.ceil(statSync(join(root, 'topology.yaml')).size / 4096);
      for (let free = 0; free <= most; free++) {
        for (const entry of readdirSync(mount)) rmSync(join(mount, entry), { recursive: true, force: true });
        mkdirSync(dir);
        copyFileSync(join(root, 'topology.yaml'), join(dir, 'topology.yaml'));
        prepare(dir);
        fill(free);
        const r = gen(dir, c.args);
        const state = pairOf(dir, c.owner);
        if (r.status === 0) {
          // Success is reported only for a change that landed.
          expect(c.isNew(state), `${free} pages: ${JSON.stringify(state)}`).toBe(true);
          outcomes.add('done');
        } else {
          expect(r.status, r.stderr).toBe(1);
          expect(r.stderr).toMatch(/^gen: cannot (write|create the lock file) \S+: no space left on the device \(ENOSPC\)\n$/);
          expect(c.isOld(state), `${free} pages: ${JSON.stringify(state)}`).toBe(true);
          expect(inFlight(dir), `${free} pages`).toEqual([]);
          outcomes.add('refused');
        }
      }
      // With space again, the next command finds nothing to repair and works.
      rmSync(join(mount, 'filler'), { recursive: true, force: true });
      expect(c.isOld(await repaired(dir, c)) || c.isNew(pairOf(dir, c.owner))).toBe(true);
      expect([...outcomes].sort()).toEqual(['done', 'refused']);
    });
  }
});
