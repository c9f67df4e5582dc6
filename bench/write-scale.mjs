// node bench/write-scale.mjs <peers> <file>: writes the scale topology of
// `peers` peers (2 × peers rules, peers / 100 VLANs; generate.mjs) to
// `file`. The benchmark runs it as a child process, so that the topology it
// times gen on is never held in the benchmark's own memory (see run.mjs).
import { writeFileSync } from 'node:fs';
import { scaleTopology, toYaml } from './generate.mjs';

const [peersArg, file] = process.argv.slice(2);
const peers = Number(peersArg);
if (!Number.isInteger(peers) || peers < 100 || peers % 100 !== 0 || !file) {
  process.stderr.write('usage: node bench/write-scale.mjs <peers, a multiple of 100> <file>\n');
  process.exit(2);
}
writeFileSync(file, toYaml(scaleTopology({ peers, rules: 2 * peers, vlans: peers / 100 })));
