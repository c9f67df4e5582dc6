// A flow at one protocol and port is met only by the matches whose ports
// hold that port. The lints that ask flows (DNS and the admin ports to the
// firewall itself, policy tests) looked at every match for each flow: with
// 20,000 rules on distinct ports, each flow examines the few of its port
// and those of several ports, and finds the same matches in the same order.
// A short list is ordered by a sort, a long one by a count per port: both
// find what a look at every match finds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDRESS_SPACE, PORT_SPACE, type Ranges, has, overlaps } from '../../src/intervals.js';
import type { PolicyRule } from '../../src/model.js';
import { COUNTED_FROM, meetingMatches } from '../../src/flows.js';
import { countMethodCalls } from '../helpers.js';
import { type Match, PROTOCOL, PROTOCOL_SPACE } from '../../src/resolve/matches.js';

/** n matches, one port each (four rules a port, from 1), every 1,000th on every port or on a range. */
function matchesOf(n: number): Match[] {
  const out: Match[] = [];
  for (let i = 0; i < n; i++) {
    const port = (i >> 2) + 1;
    const ports: Ranges = i % 1000 === 7 ? [PORT_SPACE] : i % 1000 === 500 ? [[50, 60]] : [[port, port]];
    const source: Ranges = i % 2 === 0 ? [[10, 20]] : [[30, 40]];
    const protocols: Ranges = i % 4 < 2 ? [[PROTOCOL.tcp, PROTOCOL.tcp]] : [PROTOCOL_SPACE];
    const rule = { name: `r${i}` } as PolicyRule;
    out.push({ rule, action: i % 3 === 0 ? 'pass' : 'block', box: [source, [ADDRESS_SPACE], protocols, ports] });
  }
  return out;
}

describe('the matches that meet a flow', () => {
  const matches = matchesOf(20_000);

  it.each([53, 1, 5000, 55, 6000])('at port %i: the matches of every rule that holds it, in order, after a look at few', (port) => {
    const from: Ranges = [[15, 35]];
    const without = matches[8]!.rule;
    const { meeting, examined } = meetingMatches(matches, from, [ADDRESS_SPACE], PROTOCOL.tcp, port, without);
    // What a look at every match finds.
    const all = matches.filter((m) => has(m.box[3], port) && has(m.box[2], PROTOCOL.tcp) && m.rule !== without && overlaps(m.box[0], from) && overlaps(m.box[1], [ADDRESS_SPACE]));
    expect(meeting).toEqual(all);
    expect(all.length).toBeGreaterThan(0);
    // The four of its port and the forty of every port or a range, not 20,000.
    expect(examined).toBeLessThanOrEqual(4 + 40);
  });

  it('are indexed by a count per port: no call per match of one port', () => {
    // A list of its own: the index is made once per list of matches.
    const fresh = matchesOf(20_000);
    const calls = (target: object, names: string[]) => countMethodCalls(target, names, () => meetingMatches(fresh, [[15, 35]], [ADDRESS_SPACE], PROTOCOL.tcp, 53)).calls;
    // A push for each of the 40 matches of every port or a range; the 19,960 of one port each are counted and placed, not listed.
    expect(calls(Array.prototype, ['push'])).toBeLessThan(100);
    expect(calls(Map.prototype, ['set', 'get'])).toBe(0);
  });

  /** What a look at every match finds. */
  const naive = (list: readonly Match[], from: Ranges, protocol: number, port: number, without?: PolicyRule) =>
    list.filter((m) => has(m.box[3], port) && has(m.box[2], protocol) && m.rule !== without && overlaps(m.box[0], from) && overlaps(m.box[1], [ADDRESS_SPACE]));

  it('in a short list, sorted by port: the same matches in the same order as a look at every match', () => {
    const port = fc.oneof(fc.constantFrom(0, 1, 53, 65535), fc.integer({ min: 0, max: 65535 }));
    const ports = fc.oneof(
      port.map((p): Ranges => [[p, p]]),
      fc.constant<Ranges>([PORT_SPACE]),
      fc.tuple(port, port).map(([a, b]): Ranges => [[Math.min(a, b), Math.max(a, b)]]),
      fc.tuple(port, port).map(([a, b]): Ranges => (a === b ? [[a, a]] : [[Math.min(a, b), Math.min(a, b)], [Math.max(a, b), Math.max(a, b)]])),
    );
    const match = fc.record({ ports, source: fc.integer({ min: 0, max: 3 }), tcp: fc.boolean() });
    fc.assert(
      fc.property(fc.array(match, { maxLength: 60 }), port, fc.integer({ min: -1, max: 59 }), (specs, asked, dropped) => {
        const list: Match[] = specs.map((s, i) => ({ rule: { name: `r${i}` } as PolicyRule, action: 'pass', box: [[[s.source, s.source]], [ADDRESS_SPACE], s.tcp ? [[PROTOCOL.tcp, PROTOCOL.tcp]] : [PROTOCOL_SPACE], s.ports] }));
        // Asked at a port some match names, mostly.
        const at = specs.length > 0 && asked % 4 !== 0 ? specs[asked % specs.length]!.ports[0]![0] : asked;
        const without = dropped >= 0 ? list[dropped]?.rule : undefined;
        expect(meetingMatches(list, [[1, 2]], [ADDRESS_SPACE], PROTOCOL.tcp, at, without).meeting).toEqual(naive(list, [[1, 2]], PROTOCOL.tcp, at, without));
      }),
      { numRuns: 500 },
    );
  });

  it('with one match fewer or more than a count per port takes: the same matches either way', () => {
    for (const n of [COUNTED_FROM - 1, COUNTED_FROM, COUNTED_FROM + 1]) {
      // n matches of one port each (those of matchesOf, without the few of every port or a range), then 40 of those.
      const list = matchesOf(n + Math.ceil(n / 500) + 1).filter((m) => m.box[3][0]![0] === m.box[3][0]![1] && m.box[3].length === 1).slice(0, n);
      expect(list).toHaveLength(n);
      for (const port of [1, 53, list.at(-1)!.box[3][0]![0], 65535]) {
        expect(meetingMatches(list, [[15, 35]], [ADDRESS_SPACE], PROTOCOL.tcp, port).meeting).toEqual(naive(list, [[15, 35]], PROTOCOL.tcp, port));
      }
    }
  });

  it('in a short list, makes no table of every port (65,536 counters, a few ms of every small lint)', () => {
    const lengths: number[] = [];
    const Original = globalThis.Int32Array;
    globalThis.Int32Array = class extends Original {
      constructor(length: number) {
        super(length);
        lengths.push(this.length);
      }
    } as Int32ArrayConstructor;
    try {
      meetingMatches(matchesOf(200), [[15, 35]], [ADDRESS_SPACE], PROTOCOL.tcp, 53);
    } finally {
      globalThis.Int32Array = Original;
    }
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(200);
  });
});
