// Whether a split tunnel leaves the WAN is asked of every rule of the
// policy. A rule to a zone of many VLANs has a destination of hundreds of
// ranges: only the few that reach outside the internal networks may be
// read, not all of them for each rule.
import { describe, expect, it, vi } from 'vitest';

// Counts the lists intersect makes and the overlap tests (wrapped, the same answers).
const made = vi.hoisted(() => ({ intersections: 0, overlaps: 0 }));
vi.mock('../../src/intervals.js', async (original) => {
  const actual = await original<typeof import('../../src/intervals.js')>();
  return Object.assign({}, actual, {
    intersect: (a: Ranges, b: Ranges) => (made.intersections++, actual.intersect(a, b)),
    overlaps: (a: Ranges, b: Ranges) => (made.overlaps++, actual.overlaps(a, b)),
  });
});
import type { Range, Ranges } from '../../src/intervals.js';
import { PORT_SPACE } from '../../src/intervals.js';
import { type Match, PROTOCOL_SPACE, type PolicySpace } from '../../src/resolve/matches.js';
import { tunnelLeavesWan } from '../../src/resolve/tunnel-egress.js';
import { blockOf, parseIPv4 } from '../../src/net.js';

const ip = (text: string): number => parseIPv4(text)!;
const tunnel = blockOf(ip('10.200.0.0'), 16);
// Internal: 10.0.0.0/8; the VLANs are /24s in 10.100.0.0/16, every other one named by the rules.
const internal: Range[] = [[ip('10.0.0.0'), ip('10.255.255.255')]];
const space = { internal, self: [[ip('10.0.0.1'), ip('10.0.0.1')]] } as unknown as PolicySpace;

/** A list of ranges that counts the reads of its elements. */
function counted(ranges: Range[], reads: { count: number }): Ranges {
  return new Proxy(ranges, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.count++;
      return Reflect.get(target, key, receiver);
    },
  });
}

function policy(rules: number, reads: { count: number }, last: Range): Match[] {
  const vlans: Range[] = [];
  for (let v = 0; v < 256; v += 2) vlans.push([ip(`10.100.${v}.0`), ip(`10.100.${v}.255`)]);
  const matches: Match[] = [];
  for (let r = 0; r < rules; r++) {
    const peer = tunnel.base + 2 + r;
    const destination = r === rules - 1 ? vlans.concat([last]) : vlans;
    matches.push({ rule: {} as Match['rule'], action: 'pass', box: [[[peer, peer]], counted(destination, reads), [PROTOCOL_SPACE], [PORT_SPACE]] });
  }
  return matches;
}

describe('a split tunnel leaving the WAN, with many rules to a zone of many VLANs', () => {
  it('reads a few ranges of each rule\'s destination, not all of them', () => {
    const reads = { count: 0 };
    const inside = policy(2000, reads, [ip('10.101.0.0'), ip('10.101.0.255')]);
    expect(tunnelLeavesWan({ space, matches: inside }, { block: tunnel })).toBe(false);
    // 129 ranges per destination; a binary search reads about 8.
    expect(reads.count).toBeLessThan(2000 * 20);
  });

  it('still finds the one rule that reaches outside', () => {
    const reads = { count: 0 };
    const outside = policy(2000, reads, [ip('192.0.2.0'), ip('192.0.2.255')]);
    expect(tunnelLeavesWan({ space, matches: outside }, { block: tunnel })).toBe(true);
    expect(reads.count).toBeLessThan(2000 * 20);
  });

  it('makes no list for a rule with no source in the tunnel or no destination outside', () => {
    // 10,000 rules from a management network to the VLANs and 10,000 from the
    // tunnel to them: none leaves, and none needs its boxes cut to find that.
    const reads = { count: 0 };
    const fromTunnel = policy(10_000, reads, [ip('10.101.0.0'), ip('10.101.0.255')]);
    const management: Range = [ip('10.0.0.0'), ip('10.0.0.255')];
    const fromManagement = fromTunnel.map((m) => Object.assign({}, m, { box: [[management], [[ip('10.100.0.10'), ip('10.100.0.10')]], m.box[2], m.box[3]] }));
    made.intersections = 0;
    expect(tunnelLeavesWan({ space, matches: fromManagement.concat(fromTunnel) }, { block: tunnel })).toBe(false);
    // The region outside, once: not two per rule.
    expect(made.intersections).toBeLessThan(10);
  });

  it('asks once for a run of rules that share their source and destination lists, not once per rule', () => {
    // 10,000 rules from a management network to the VLANs, then 10,000 from the tunnel to them, each run with one
    // source list and one destination list (rules of one zone share its list): none leaves.
    const management: Ranges = [[ip('10.0.0.0'), ip('10.0.0.255')]];
    const peers: Ranges = [[tunnel.base + 2, tunnel.base + 10_001]];
    const vlans: Ranges = [[ip('10.100.0.0'), ip('10.100.255.255')]];
    const run = (sources: Ranges): Match[] =>
      Array.from({ length: 10_000 }, (): Match => ({ rule: {} as Match['rule'], action: 'pass', box: [sources, vlans, [PROTOCOL_SPACE], [PORT_SPACE]] }));
    made.overlaps = 0;
    expect(tunnelLeavesWan({ space, matches: run(management).concat(run(peers)) }, { block: tunnel })).toBe(false);
    // A test per run and side; one per rule and side was 30,000.
    expect(made.overlaps).toBeLessThan(10);
  });
});
