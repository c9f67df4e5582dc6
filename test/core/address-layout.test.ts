// The address uses of a topology share one object layout, whatever the
// order of small and large addresses: V8 gives objects whose number field
// held only small integers a new layout when a larger number arrives, and
// moves each of them to it, one at a time, at its next read (the first
// rule to walk 100,000 peers' addresses spent most of its time there).
// Whether two objects have one layout is V8's own answer (%HaveSameMap),
// in a Node process of its own that allows it, on the modules of dist
// (npm run build).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('the address uses of the resolve stage', () => {
  it('keep one layout when the large address of the firewall follows 10,000 peers', () => {
    // Peers on 10.200.0.0/16 (small integers), then the WAN's 192.168.0.2 (not one): the topology of the benchmark.
    const script = `
      import { scaleTopology, toYaml } from ${JSON.stringify(pathToFileURL(join(root, 'bench/generate.mjs')).href)};
      const dist = (file) => import(${JSON.stringify(pathToFileURL(join(root, 'dist')).href)} + '/' + file);
      const [{ loadTopologyText }, { validateTopology }, { resolve }] = await Promise.all(['load.js', 'validate.js', 'resolve/index.js'].map(dist));
      // Resolved, not linted: the rules' walks would move the objects before they are looked at.
      const { topology } = await validateTopology(loadTopologyText(toYaml(scaleTopology({ peers: 10000, rules: 0, vlans: 1 })), 'topology.yaml').loaded);
      const uses = resolve(topology, () => {}).addresses;
      const layouts = [];
      for (const use of uses) if (!layouts.some((u) => %HaveSameMap(u, use))) layouts.push(use);
      console.log(JSON.stringify({ uses: uses.length, large: uses.filter((u) => u.address >= 2 ** 30).length, layouts: layouts.length }));
    `;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: root });
    const { uses, large, layouts } = JSON.parse(out) as { uses: number; large: number; layouts: number };
    expect(uses).toBeGreaterThan(10000);
    expect(large).toBeGreaterThan(0);
    expect(layouts).toBe(1);
  });
});
